"""Forms of production pages (validation of content is in the actions)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from bioproof.production.models import Construct, Grade


class OrderForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    facility = forms.ChoiceField(label=_("Facility"))
    grade = forms.ChoiceField(label=_("Grade"), choices=Grade.choices)
    deliverables = forms.CharField(
        label=_("Deliverables (one per line)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
    needed_by = forms.DateField(
        label=_("Needed by"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class ConstructForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    file = forms.FileField(label=_("Sequence file (FASTA, GenBank or SBOL3)"))
    enzyme = forms.CharField(label=_("Linearization enzyme"), max_length=20, initial="XbaI")
    modification = forms.ChoiceField(
        label=_("Nucleotide modification"),
        choices=Construct.Modification.choices,
        initial="n1-methylpseudouridine",
    )
    cap_strategy = forms.ChoiceField(label=_("Cap strategy"), choices=Construct.Cap.choices)
    cap_reagent = forms.CharField(label=_("Cap reagent"), max_length=60, required=False)
    quantity_mg = forms.DecimalField(label=_("Quantity (mg)"), max_digits=10, decimal_places=3)
    formulation = forms.ChoiceField(label=_("Formulation"), choices=Construct.Formulation.choices)
    ionizable = forms.DecimalField(label=_("Ionizable lipid (mol %)"), required=False)
    helper = forms.DecimalField(label=_("Helper lipid (mol %)"), required=False)
    cholesterol = forms.DecimalField(label=_("Cholesterol (mol %)"), required=False)
    peg = forms.DecimalField(label=_("PEG lipid (mol %)"), required=False)


class QuoteForm(forms.Form):
    amount_krw = forms.IntegerField(label=_("Amount (KRW)"), min_value=0)
    lead_days = forms.IntegerField(label=_("Lead time (days)"), min_value=1)
    note = forms.CharField(
        label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class PasswordForm(forms.Form):
    password = forms.CharField(label=_("Password (to sign)"), widget=forms.PasswordInput)


class VerifyForm(forms.Form):
    code = forms.CharField(label=_("Verification code"), max_length=40)
