from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from bioproof.consortium.models import Organization, User

DATE = forms.DateInput(attrs={"type": "date"})


class EnrollForm(forms.Form):
    certificate_name = forms.CharField(
        label=_("Name on the certificate"), max_length=200, required=False
    )
    publish_name = forms.BooleanField(
        label=_("Show my name on the public verification page"), required=False
    )


class NominateForm(forms.Form):
    trainee = forms.ModelChoiceField(User.objects.none(), label=_("Staff member"))

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["trainee"].queryset = (
            User.objects.filter(memberships__organization=organization)
            .distinct()
            .order_by("username")
        )


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


class OptionalReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class AttendanceCsvForm(forms.Form):
    file = forms.FileField(
        label=_("Attendance CSV"),
        help_text=_(
            "Columns: username, date (YYYY-MM-DD), status (present, late, absent, excused), note."
        ),
    )


class ResultForm(forms.Form):
    theory_score = forms.CharField(label=_("Theory score (0–100)"), max_length=20, required=False)
    checklist = forms.MultipleChoiceField(
        label=_("Practical checklist: items done"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    def __init__(self, *args: Any, items: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["checklist"].choices = [(i, i) for i in items]


class PasswordForm(forms.Form):
    password = forms.CharField(
        label=_("Your password (to sign)"), widget=forms.PasswordInput(render_value=False)
    )


class VerifyCertificateForm(forms.Form):
    code = forms.CharField(label=_("Certificate code"), max_length=20)


class SessionForm(forms.Form):
    center = forms.ModelChoiceField(
        Organization.objects.filter(kind=Organization.Kind.CENTER), label=_("Center")
    )
    room = forms.CharField(label=_("Room"), max_length=120, required=False)
    starts_on = forms.DateField(label=_("First day"), widget=DATE)
    ends_on = forms.DateField(label=_("Last day"), widget=DATE)
    capacity = forms.IntegerField(label=_("Capacity"), required=False, min_value=1, max_value=500)
    instructors = forms.ModelMultipleChoiceField(User.objects.none(), label=_("Instructors"))

    def __init__(self, *args: Any, provider_org: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["instructors"].queryset = (
            User.objects.filter(memberships__organization=provider_org)
            .distinct()
            .order_by("username")
        )
