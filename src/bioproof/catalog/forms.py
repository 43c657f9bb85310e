from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from bioproof.catalog.models import Category
from bioproof.core.i18n import human_unit, is_english

SPEC_PREFIX = "spec__"

#: display of the choice values the category tree uses (the stored value stays as it is)
CHOICE_LABELS = {"yes": _("yes"), "no": _("no"), "powder": _("powder"), "liquid": _("liquid")}


def spec_form_fields(category: Category | None) -> dict[str, forms.Field]:
    """One form field per spec field of ``category``: a number (≥ 0, its unit in the label), a
    choice among the category's values, or text; labelled in the active language with the other
    language as help. Field names are ``spec__<key>``."""
    out: dict[str, forms.Field] = {}
    if category is None:
        return out
    english = is_english()
    for key, label_en, label_ko, kind, unit in category.spec_fields:
        label = label_en if english else label_ko
        other = label_ko if english else label_en
        shown_unit = human_unit(unit)
        if shown_unit:
            label = f"{label} ({shown_unit})"
        field: forms.Field
        if kind == "number":
            field = forms.FloatField(
                label=label, required=False, min_value=0, widget=forms.NumberInput({"step": "any"})
            )
        elif kind.startswith("choice:"):
            values = kind.split(":", 1)[1].split("|")
            field = forms.ChoiceField(
                label=label,
                required=False,
                choices=[("", "—"), *[(v, CHOICE_LABELS.get(v, v)) for v in values]],
            )
        else:
            field = forms.CharField(label=label, required=False, max_length=500)
        field.help_text = other
        out[f"{SPEC_PREFIX}{key}"] = field
    return out


class ProductForm(forms.Form):
    """A product with its specifications as real fields generated from the category's spec
    fields (:func:`spec_form_fields`); the category is chosen first."""

    category = forms.ModelChoiceField(
        Category.objects.filter(parent__isnull=False), label=_("Category")
    )
    name_ko = forms.CharField(label=_("Name (Korean)"), max_length=200, required=False)
    name_en = forms.CharField(label=_("Name (English)"), max_length=200, required=False)
    model_number = forms.CharField(
        label=_("Model / catalog number"), max_length=100, required=False
    )
    description = forms.CharField(
        label=_("Description"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    listed = forms.BooleanField(label=_("List in the public catalog now"), required=False)

    def __init__(
        self, *args: Any, category: Category | None = None, editing: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.spec_category = category
        if editing:
            del self.fields["category"]
            del self.fields["listed"]
        elif category is not None:
            self.fields["category"].initial = category.pk
            self.fields["category"].widget = forms.HiddenInput()
        self.fields.update(spec_form_fields(category))

    def spec_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if name.startswith(SPEC_PREFIX)]

    def other_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if not name.startswith(SPEC_PREFIX)]

    def specs(self) -> dict[str, Any]:
        """The filled spec fields as ``{key: value}`` for the catalog's actions."""
        return {
            name[len(SPEC_PREFIX) :]: value
            for name, value in self.cleaned_data.items()
            if name.startswith(SPEC_PREFIX) and value not in (None, "")
        }

    @staticmethod
    def initial_for(product: Any) -> dict[str, Any]:
        return {
            "name_ko": product.name_ko,
            "name_en": product.name_en,
            "model_number": product.model_number,
            "description": product.description,
            **{f"{SPEC_PREFIX}{k}": v for k, v in (product.specs or {}).items()},
        }


class UnlistForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=1000)


class CategoryForm(forms.Form):
    name_ko = forms.CharField(label=_("Name (Korean)"), max_length=120)
    name_en = forms.CharField(label=_("Name (English)"), max_length=120)
    reason = forms.CharField(
        label=_("Reason"),
        max_length=1000,
        help_text=_("Recorded in the audit trail with the change."),
    )
