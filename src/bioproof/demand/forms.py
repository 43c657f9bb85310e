from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from bioproof.catalog.models import Category, Product
from bioproof.consortium.models import Organization
from bioproof.demand.models import Need, ProductDocument, ProposalAttachment

DATE = forms.DateInput(attrs={"type": "date"})


class NeedForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    category = forms.ModelChoiceField(
        Category.objects.select_related("parent"), label=_("Category")
    )
    incumbent = forms.CharField(
        label=_("Incumbent product to replace"),
        max_length=200,
        help_text=_("The imported product you use today (maker and name)."),
    )
    description = forms.CharField(
        label=_("Description"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    organism = forms.CharField(label=_("Cell line or organism"), max_length=120, required=False)
    scale = forms.CharField(
        label=_("Scale"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "200 L SUB"}),
    )
    mode = forms.ChoiceField(
        label=_("Process mode"), choices=[("", "—"), *Need.Mode.choices], required=False
    )
    required_specs = forms.CharField(
        label=_("Required specifications"),
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "format = powder"}),
        required=False,
        help_text=_(
            "One per line: 'field >= value' (at least), 'field <= value' (at most) or "
            "'field = value'; the fields depend on the category."
        ),
    )
    criteria = forms.CharField(
        label=_("Acceptance criteria (as text)"),
        widget=forms.Textarea(
            attrs={"rows": 3, "placeholder": "final_titer equivalence 10 %\npeak_vcd minimum 15"}
        ),
        required=False,
        help_text=_(
            "One per line: 'KPI comparison value', comparison one of equivalence, "
            "non_inferiority, minimum, maximum; end with '%' for a margin relative to the "
            "incumbent, or with the unit of a limit."
        ),
    )
    yearly_volume = forms.FloatField(label=_("Yearly volume"), min_value=0, required=False)
    volume_unit = forms.CharField(
        label=_("Volume unit"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "L"}),
    )
    yearly_value_krw = forms.IntegerField(
        label=_("Yearly value (KRW)"), min_value=0, max_value=10**16, required=False
    )
    deadline = forms.DateField(label=_("Deadline"), required=False, widget=DATE)
    visibility = forms.ChoiceField(
        label=_("Visibility"), choices=Need.Visibility.choices, initial="consortium"
    )


class ProposalForm(forms.Form):
    product = forms.ModelChoiceField(Product.objects.none(), label=_("Your product"))
    message = forms.CharField(
        label=_("Message to the demand company"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["product"].queryset = Product.objects.filter(
            supplier_id__in=user.organization_ids, status=Product.Status.LISTED
        ).select_related("supplier")


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class TailoredEvaluationForm(forms.Form):
    center = forms.ModelChoiceField(
        Organization.objects.filter(kind=Organization.Kind.CENTER), label=_("Demonstration center")
    )
    title = forms.CharField(label=_("Title"), max_length=200)
    scale = forms.CharField(label=_("Scale"), max_length=100)
    process_context = forms.CharField(
        label=_("Process context"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    titer_margin_pct = forms.FloatField(
        label=_("Titer equivalence margin (%)"),
        initial=10,
        min_value=0.1,
        max_value=99.9,
        required=False,
        help_text=_(
            "Added unless the need has its own final-titer equivalence criterion; "
            "leave empty for none."
        ),
    )


class AdoptionForm(forms.Form):
    product = forms.CharField(
        label=_("Product code"),
        max_length=20,
        widget=forms.TextInput(attrs={"placeholder": "PR-2026-0001"}),
    )
    adopted_on = forms.DateField(label=_("Adopted on"), widget=DATE)
    yearly_volume = forms.FloatField(label=_("Yearly volume"), min_value=0, required=False)
    volume_unit = forms.CharField(label=_("Volume unit"), max_length=20, required=False)
    yearly_value_krw = forms.IntegerField(
        label=_("Yearly value (KRW)"), min_value=0, max_value=10**16, required=False
    )
    need = forms.ModelChoiceField(Need.objects.none(), label=_("Need"), required=False)
    evaluation = forms.CharField(
        label=_("Evaluation code (evidence)"),
        max_length=20,
        required=False,
        help_text=_(
            "A published track record or an evaluation you commissioned, e.g. EV-2026-0007."
        ),
    )
    note = forms.CharField(
        label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )

    def __init__(self, *args: Any, organization: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["need"].queryset = Need.objects.filter(organization=organization)


class DocumentForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=ProductDocument.Kind.choices)
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    file = forms.FileField(label=_("File"))


class AttachmentForm(forms.Form):
    """A CoA, SDS or quote attached to a proposal (or, in evaluations, to a request)."""

    kind = forms.ChoiceField(label=_("Kind"), choices=ProposalAttachment.Kind.choices)
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    file = forms.FileField(label=_("File"))


class NeedCriterionForm(forms.Form):
    """One acceptance criterion of a need, picked from the KPIs (unit and direction shown); the
    value is written in the unit given and converted to the KPI's unit (another kind of unit is
    refused, see :func:`bioproof.evaluations.criteria.clean`)."""

    kpi = forms.ChoiceField(label=_("KPI"), required=False, choices=())
    comparison = forms.ChoiceField(
        label=_("Comparison"),
        required=False,
        choices=[
            ("non_inferiority", _("Non-inferiority")),
            ("equivalence", _("Equivalence")),
            ("minimum", _("Minimum")),
            ("maximum", _("Maximum")),
        ],
    )
    value = forms.FloatField(label=_("Margin or limit"), required=False)
    unit = forms.CharField(label=_("Unit"), max_length=30, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from bioproof.evaluations.forms import kpi_picker_choices

        super().__init__(*args, **kwargs)
        self.fields["kpi"].choices = [("", "—"), *kpi_picker_choices()]

    def criterion(self) -> dict[str, Any] | None:
        """The criterion as ``demand.rules.clean_criteria`` reads it; ``None`` for an empty row.
        A margin in % (or without unit) is relative to the incumbent's mean."""
        d = self.cleaned_data
        if not d.get("kpi"):
            return None
        comparison = d.get("comparison") or "non_inferiority"
        unit = (d.get("unit") or "").strip()
        value = d.get("value")
        margin = comparison in ("equivalence", "non_inferiority")
        if margin and unit in ("", "%"):  # 10 % of the incumbent's mean → 0.10
            value = None if value is None else value / 100.0
            return {"kpi": d["kpi"], "comparison": comparison, "value": value, "relative": True}
        return {
            "kpi": d["kpi"],
            "comparison": comparison,
            "value": value,
            "relative": False,
            "unit": unit,
        }


NeedCriterionFormSet = forms.formset_factory(
    NeedCriterionForm, extra=3, max_num=20, validate_max=True
)
