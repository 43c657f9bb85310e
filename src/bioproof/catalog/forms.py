from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from bioproof.catalog.models import Category


class ProductForm(forms.Form):
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
    specs = forms.CharField(
        label=_("Specifications"),
        widget=forms.Textarea(attrs={"rows": 4, "placeholder": "particle_size = 85"}),
        required=False,
        help_text=_("One 'field = value' per line; the fields depend on the category."),
    )
    listed = forms.BooleanField(label=_("List in the public catalog now"), required=False)


class CategoryForm(forms.Form):
    name_ko = forms.CharField(label=_("Name (Korean)"), max_length=120)
    name_en = forms.CharField(label=_("Name (English)"), max_length=120)
    reason = forms.CharField(
        label=_("Reason"),
        max_length=1000,
        help_text=_("Recorded in the audit trail with the change."),
    )
