"""Web forms of interop: importing instrument exports into a run.

The form only gathers what was sent; every check of the files and instruments (supported
instrument, extension, ≤ 20 MB each, at most ``MAX_FILES_PER_IMPORT``, one layout) is the
action's (:func:`bioproof.interop.actions.import_instrument_files`), whose message the page
shows."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from bioproof.interop import instruments

#: The (instrument, files) pairs the form offers: a cell counter and a bioanalyzer (offline),
#: or a spectrophotometer and an electrophoresis file (QC), are imported together.
ROWS = (("instrument", "files"), ("instrument_2", "files_2"))


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files under one name, as sent: neither read nor checked here (the action
    checks each file's size, extension and content)."""

    widget = MultipleFileInput

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        items = data if isinstance(data, list | tuple) else [data]
        return [f for f in items if f]


def instrument_choices() -> list[tuple[str, str]]:
    """Every supported instrument with the data layout it feeds, in the active language."""
    from bioproof.evaluations import layouts

    return [("", "—")] + [
        (
            key,
            f"{instruments.label(key)} · {' '.join(spec.extensions)} → "
            f"{layouts.get(spec.layout).label}",
        )
        for key, spec in instruments.SPECS.items()
    ]


class InstrumentImportForm(forms.Form):
    # A free value with the list as its widget: an instrument BioProof does not convert is
    # refused by the action, with its message naming the supported ones.
    instrument = forms.CharField(label=_("Instrument of the files"), required=False, max_length=60)
    files = MultipleFileField(label=_("Export files"), required=False)
    instrument_2 = forms.CharField(
        label=_("Second instrument (optional)"),
        required=False,
        max_length=60,
        help_text=_("e.g. a bioanalyzer beside the cell counter: rows are joined by sample."),
    )
    files_2 = MultipleFileField(label=_("Its export files"), required=False)
    start = forms.DateTimeField(
        label=_("Start of the run (optional)"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_(
            "Offline samples are timed in hours after this moment; without it, after the "
            "first sample."
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = instrument_choices()
        for name, _files in ROWS:
            self.fields[name].widget = forms.Select(choices=choices)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        for name, files in ROWS:
            if data.get(files) and not data.get(name):
                self.add_error(name, _("Choose the instrument these files come from."))
        return data

    def uploads(self) -> list[tuple[str, str, UploadedFile]]:
        """(instrument, file name, file) of every file sent, in the order of the rows."""
        d = self.cleaned_data
        return [(d[name], f.name or "export", f) for name, files in ROWS for f in d[files]]
