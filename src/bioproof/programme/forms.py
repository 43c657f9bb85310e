from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from bioproof.catalog.models import Category
from bioproof.consortium.models import Organization
from bioproof.programme.models import Pledge, Target

YEAR = {"min_value": 2000, "max_value": 2100, "required": False}


class FilterForm(forms.Form):
    year_from = forms.IntegerField(label=_("From year"), **YEAR)
    year_to = forms.IntegerField(label=_("To year"), **YEAR)
    center = forms.ModelChoiceField(
        Organization.objects.filter(kind=Organization.Kind.CENTER).order_by("code"),
        label=_("Center"),
        required=False,
        to_field_name="code",
    )
    category = forms.ModelChoiceField(
        Category.objects.order_by("code"),
        label=_("Category"),
        required=False,
        to_field_name="code",
    )

    def clean(self) -> dict:
        data = super().clean()
        lo, hi = data.get("year_from"), data.get("year_to")
        if lo and hi and lo > hi:
            raise forms.ValidationError(_("The first year is after the last year."))
        return data


class PledgeForm(forms.Form):
    organization = forms.ModelChoiceField(Organization.objects.none(), label=_("Organization"))
    kind = forms.ChoiceField(label=_("Kind"), choices=Pledge.Kind.choices)
    pledge = forms.ModelChoiceField(
        Pledge.objects.none(), label=_("Pledge executed"), required=False
    )
    amount_krw = forms.IntegerField(label=_("Amount (KRW)"), min_value=1, max_value=10**16)
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    site = forms.CharField(label=_("Site"), max_length=200)
    category = forms.ChoiceField(label=_("Category"), choices=Pledge.Category.choices)
    note = forms.CharField(
        label=_("Note"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    evidence = forms.FileField(label=_("Evidence (file)"), required=False)


class WithdrawForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


class CoreItemForm(forms.Form):
    code = forms.SlugField(label=_("Code"), max_length=40)
    name_ko = forms.CharField(label=_("Name (Korean)"), max_length=120)
    name_en = forms.CharField(label=_("Name (English)"), max_length=120)
    category = forms.ModelChoiceField(
        Category.objects.order_by("code"), label=_("Category"), to_field_name="code"
    )
    volume_unit = forms.CharField(label=_("Volume unit"), max_length=20)
    target_share_pct = forms.FloatField(label=_("Target share (%)"), min_value=0, max_value=100)
    target_year = forms.IntegerField(label=_("Target year"), min_value=2000, max_value=2100)


class TargetForm(forms.Form):
    indicator = forms.ChoiceField(label=_("Indicator"), choices=Target.Indicator.choices)
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    value = forms.FloatField(label=_("Target value"), min_value=0)


CoreItemFormSet = forms.formset_factory(CoreItemForm, extra=2, max_num=200, can_delete=True)
TargetFormSet = forms.formset_factory(TargetForm, extra=2, max_num=200, can_delete=True)


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for this version"), widget=forms.Textarea(attrs={"rows": 2})
    )
