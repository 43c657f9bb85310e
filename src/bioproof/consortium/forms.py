from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from bioproof.consortium.models import Membership, Organization, User

REASON_HELP = _("Recorded in the audit trail with the change.")


def reason_field() -> forms.CharField:
    return forms.CharField(
        label=_("Reason"), max_length=1000, help_text=REASON_HELP, strip=True, required=True
    )


class GrantRoleForm(forms.Form):
    user = forms.ModelChoiceField(User.objects.none(), label=_("Person"), to_field_name="username")
    role = forms.ChoiceField(label=_("Role"), choices=Membership.Role.choices)
    reason = reason_field()

    def __init__(self, *args: Any, users: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = users


class RevokeRoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Membership.Role.choices)
    reason = reason_field()


class ResetPasswordForm(forms.Form):
    new_password = forms.CharField(
        label=_("Temporary password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("Give it to the person privately; they must replace it at their next login."),
    )
    reason = reason_field()


class SetActiveForm(forms.Form):
    active = forms.TypedChoiceField(
        label=_("Account"),
        choices=[("1", _("Reactivate")), ("0", _("Deactivate"))],
        coerce=lambda v: v == "1",
    )
    reason = reason_field()


class RevokeTokenForm(forms.Form):
    reason = reason_field()


class OrganizationForm(forms.Form):
    name_ko = forms.CharField(label=_("Name (Korean)"), max_length=200)
    name_en = forms.CharField(label=_("Name (English)"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=Organization.Kind.choices)
    is_consortium_member = forms.BooleanField(label=_("Consortium member"), required=False)
    is_founding_member = forms.BooleanField(label=_("Founding member"), required=False)
    joined_on = forms.DateField(label=_("Joined on"), required=False)
    website = forms.URLField(label=_("Website"), required=False, assume_scheme="https")
    reason = reason_field()


class PasswordChangeForm(forms.Form):
    old_password = forms.CharField(
        label=_("Current password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password", "autofocus": True}),
    )
    new_password1 = forms.CharField(
        label=_("New password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    new_password2 = forms.CharField(
        label=_("New password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        one, two = data.get("new_password1"), data.get("new_password2")
        if one and two and one != two:
            self.add_error("new_password2", _("The two new passwords differ."))
        return data
