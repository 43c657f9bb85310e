from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from bioproof.consortium.models import Organization, User
from bioproof.facilities.models import CustomerType, Equipment, FundingLine, UseMode

DT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DT_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]


def _dt(label: Any) -> forms.DateTimeField:
    return forms.DateTimeField(label=label, widget=DT, input_formats=DT_FORMATS)


class BookingForm(forms.Form):
    starts_at = _dt(_("Start"))
    ends_at = _dt(_("End"))
    mode = forms.ChoiceField(label=_("Use"), choices=UseMode.choices)
    staff = forms.ModelChoiceField(
        User.objects.none(), label=_("Assisting staff member"), required=False
    )
    gmp = forms.BooleanField(label=_("GMP work"), required=False)
    funding_line = forms.ChoiceField(label=_("Funding line"), choices=FundingLine.choices)
    purpose = forms.CharField(label=_("Purpose"), max_length=300, required=False)
    repeat_weeks = forms.IntegerField(
        label=_("Repeat weekly, number of times (1: once)"),
        min_value=1,
        max_value=52,
        initial=1,
        required=False,
    )

    def __init__(self, *args: Any, equipment: Equipment, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["staff"].queryset = (
            User.objects.filter(memberships__organization_id=equipment.center_id, is_active=True)
            .distinct()
            .order_by("username")
        )


class MoveForm(forms.Form):
    starts_at = _dt(_("New start"))
    ends_at = _dt(_("New end"))


class WaitlistForm(forms.Form):
    starts_at = _dt(_("From"))
    ends_at = _dt(_("Until"))


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class DecideForm(ReasonForm):
    staff = forms.ModelChoiceField(
        User.objects.none(), label=_("Assisting staff member"), required=False
    )

    def __init__(self, *args: Any, center_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["staff"].queryset = (
            User.objects.filter(memberships__organization_id=center_id, is_active=True)
            .distinct()
            .order_by("username")
        )


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=Equipment.Status.choices)
    reason = forms.CharField(label=_("Reason"), max_length=2000, required=False)


class BlackoutForm(forms.Form):
    starts_at = _dt(_("From"))
    ends_at = _dt(_("Until"))
    reason = forms.CharField(label=_("Reason"), max_length=300)


class ProjectForm(forms.Form):
    center = forms.ModelChoiceField(
        Organization.objects.filter(kind="center"), label=_("Demonstration center")
    )
    title = forms.CharField(label=_("Title"), max_length=200)
    organism = forms.CharField(label=_("Organism or cell line"), max_length=200)
    process_steps = forms.CharField(
        label=_("Process steps"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000
    )
    scale = forms.CharField(label=_("Scale"), max_length=100)
    timeline = forms.CharField(label=_("Timeline"), max_length=200, required=False)
    confidentiality = forms.CharField(
        label=_("Confidentiality terms"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=5000,
        required=False,
    )


class QuoteForm(forms.Form):
    lines = forms.CharField(
        label=_("Lines"),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=20000,
        help_text=_(
            "One per line: kind | equipment code or description | quantity | unit | unit price "
            "(KRW) — equipment lines take their price from the rate table and accept "
            "'assisted' in place of the price."
        ),
    )
    funding_line = forms.ChoiceField(label=_("Funding line"), choices=FundingLine.choices)
    customer_type = forms.ChoiceField(
        label=_("Customer type"),
        choices=[("", _("from the organization")), *CustomerType.choices],
        required=False,
    )
    valid_until = forms.DateField(
        label=_("Valid until"), widget=forms.DateInput(attrs={"type": "date"}), required=False
    )


class PasswordForm(forms.Form):
    password = forms.CharField(label=_("Password (to sign)"), widget=forms.PasswordInput)


class WorkPackageForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    equipment_class = forms.CharField(label=_("Equipment class"), max_length=60)
    duration_hours = forms.IntegerField(label=_("Duration (h)"), min_value=1, max_value=1440)
    release_at = _dt(_("Earliest start"))
    due_at = _dt(_("Due"))
    needs_staff = forms.BooleanField(
        label=_("Needs an assisting staff member"), required=False, initial=True
    )


class DeliverableForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    file = forms.FileField(label=_("File"))


class CompleteForm(forms.Form):
    summary = forms.CharField(
        label=_("Completion summary"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000
    )
