from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from bioproof.catalog.models import Product
from bioproof.consortium.models import Organization
from bioproof.core.errors import DomainError
from bioproof.evaluations.models import Criterion, Run


class RequestForm(forms.Form):
    product = forms.ModelChoiceField(Product.objects.none(), label=_("Product"))
    center = forms.ModelChoiceField(
        Organization.objects.filter(kind=Organization.Kind.CENTER), label=_("Demonstration center")
    )
    title = forms.CharField(label=_("Title"), max_length=200)
    reference_product = forms.CharField(label=_("Reference (incumbent) product"), max_length=200)
    scale = forms.CharField(
        label=_("Scale"), max_length=100, widget=forms.TextInput(attrs={"placeholder": "50 L STR"})
    )
    process_context = forms.CharField(
        label=_("Process context"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Cell line or organism, mode (batch, fed-batch, perfusion), duration."),
    )
    titer_margin_pct = forms.FloatField(
        label=_("Titer non-inferiority margin (%)"),
        initial=10,
        min_value=0.1,
        max_value=99.9,
        required=False,
        help_text=_(
            "Final titer may be at most this percentage of the reference mean lower (a higher "
            "titer is no failure; one-sided test). Leave empty when the product is not judged "
            "by titer (e.g. a resin or a filter)."
        ),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["product"].queryset = Product.objects.filter(
            supplier_id__in=user.organization_ids
        ).select_related("supplier")


class RunForm(forms.Form):
    arm = forms.ChoiceField(choices=Run.Arm.choices, label=_("Arm"))
    label = forms.CharField(label=_("Run label"), max_length=40)
    batch_id = forms.CharField(label=_("Batch ID"), max_length=60, required=False)
    equipment = forms.CharField(label=_("Equipment"), max_length=120, required=False)


class UploadForm(forms.Form):
    layout = forms.CharField(label=_("Data layout"), required=False, max_length=20)
    file = forms.FileField(label=_("Data file (CSV or XLSX)"))


def kpi_picker_choices(keys: list[str] | None = None) -> list[tuple[str, str]]:
    """``(key, "label (unit, direction)")`` for the KPI picker, in the active language; all
    KPIs when ``keys`` is empty."""
    from django.utils.translation import gettext

    from bioproof.analysis.kpis import KPIS
    from bioproof.core.i18n import human_unit, is_english

    direction = {
        "higher": gettext("higher is better"),
        "lower": gettext("lower is better"),
        "target": gettext("closest to the reference"),
    }
    out = []
    for key in keys or list(KPIS):
        k = KPIS.get(key)
        if k is None:
            continue
        label = k.label_en if is_english() else k.label_ko
        unit = human_unit(k.unit)
        out.append((key, f"{label} ({unit + ', ' if unit else ''}{direction[k.better]})"))
    return out


class CriterionForm(forms.Form):
    """The KPI picker: a KPI of the protocol (its unit and direction shown), a comparison, a
    value and the unit it is written in (converted to the KPI's unit with pint; another kind of
    quantity is refused)."""

    kpi = forms.ChoiceField(label=_("KPI"), choices=())
    comparison = forms.ChoiceField(label=_("Comparison"), choices=Criterion.Comparison.choices)
    value = forms.FloatField(
        label=_("Margin or limit"),
        help_text=_(
            "A relative margin in %; a limit or an absolute margin in the unit given; for a "
            "quality range, k in x̄ ± k·s of the reference lots (0: their min–max)."
        ),
    )
    unit = forms.CharField(
        label=_("Unit"),
        max_length=30,
        required=False,
        help_text=_("Empty: the KPI's own unit. % for a relative margin."),
    )
    relative = forms.BooleanField(
        label=_("Margin relative to the reference mean (%)"), required=False, initial=True
    )
    alpha = forms.FloatField(label="α", initial=0.05, min_value=0.001, max_value=0.25)
    min_fraction = forms.FloatField(
        label=_("Candidate lots inside the quality range at least (%)"),
        required=False,
        initial=90,
        help_text=_("Quality range only: 90 % by default (FDA)."),
    )
    direction = forms.ChoiceField(
        label=_("Which way is better"),
        required=False,
        choices=[
            ("", _("The KPI's own direction")),
            ("higher", _("Higher is better")),
            ("lower", _("Lower is better")),
        ],
    )

    def __init__(self, *args: Any, kpis: list[str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kpi"].choices = kpi_picker_choices(kpis)

    def criterion(self) -> dict[str, Any]:
        """The criterion as :func:`bioproof.evaluations.criteria.clean` reads it."""
        from bioproof.analysis.kpis import KPIS

        d = self.cleaned_data
        comparison = d["comparison"]
        if comparison == "quality_range":
            fraction = d.get("min_fraction")
            return {
                "kpi": d["kpi"],
                "comparison": comparison,
                "value": d["value"],
                "min_fraction": None if fraction is None else fraction / 100.0,
            }
        margin = comparison in ("equivalence", "non_inferiority")
        relative = bool(d["relative"]) and margin
        unit = (d.get("unit") or "").strip()
        value = d["value"]
        if relative:
            if unit and unit not in ("%", "percent"):
                raise DomainError(
                    _("A relative margin is given in %% of the reference mean, not in '%(u)s'.")
                    % {"u": unit},
                    field="unit",
                )
            value, unit = value / 100.0, ""  # 150 % → 1.5 of the reference mean
        direction = d.get("direction") or KPIS[d["kpi"]].better
        return {
            "kpi": d["kpi"],
            "comparison": comparison,
            "value": value,
            "unit": unit,
            "relative": relative,
            "alpha": d["alpha"],
            "higher_is_better": direction != "lower",
        }


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


class SignForm(forms.Form):
    password = forms.CharField(
        label=_("Password (re-enter to sign)"),
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    comment = forms.CharField(label=_("Comment"), required=False)


class DeviationForm(forms.Form):
    description = forms.CharField(label=_("Deviation"), widget=forms.Textarea(attrs={"rows": 2}))


class ReportForm(forms.Form):
    language = forms.ChoiceField(label=_("Language"), choices=[("ko", "한국어"), ("en", "English")])


class PublishForm(forms.Form):
    consent = forms.BooleanField(
        label=_(
            "On behalf of the supplier, I consent to publishing this result as a public "
            "track record."
        )
    )


class VerifyForm(forms.Form):
    code = forms.CharField(label=_("Verification code"), max_length=20)
    pdf = forms.FileField(label=_("Report PDF (optional, to compare its hash)"), required=False)


class TemplateForm(forms.Form):
    name_ko = forms.CharField(label=_("Name (Korean)"), max_length=200)
    name_en = forms.CharField(label=_("Name (English)"), max_length=200)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    candidate_runs = forms.IntegerField(label=_("Candidate runs"), min_value=1, max_value=50)
    reference_runs = forms.IntegerField(label=_("Reference runs"), min_value=1, max_value=50)
    layouts = forms.CharField(
        label=_("Data layouts"), help_text=_("Comma-separated, e.g. gassing_out, mixing.")
    )
    kpis = forms.CharField(label=_("KPIs"), help_text=_("Comma-separated KPI keys."))
    default_criteria = forms.CharField(
        label=_("Default acceptance criteria"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text=_(
            "One per line: 'kpi comparison value[%] [lower]', e.g. 'dbc non_inferiority "
            "10%' or 'peak_vcd minimum 5'."
        ),
    )
    reason = forms.CharField(label=_("Reason for the revision"), max_length=500)
