"""Pages for account administration: an organization's members (its admin and the programme
office), the programme office's page, and the user's own password change.

Every change goes through an audited action in :mod:`bioproof.consortium.actions`.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bioproof.catalog.models import Category
from bioproof.consortium import actions
from bioproof.consortium.forms import (
    GrantRoleForm,
    OrganizationForm,
    PasswordChangeForm,
    ResetPasswordForm,
    RevokeRoleForm,
    RevokeTokenForm,
    SetActiveForm,
)
from bioproof.consortium.models import ApiToken, Membership, Organization, User
from bioproof.core.policy import is_platform_admin
from bioproof.core.web import attempt, form_errors


def _denied(request: HttpRequest, message: str) -> HttpResponse:
    return render(request, "core/denied.html", {"message": message}, status=403)


def _administered(request: HttpRequest, code: str) -> Organization | None:
    org = get_object_or_404(Organization, code=code)
    return org if actions.can_administer(request.user, org) else None


def _members(org: Organization) -> list[dict[str, object]]:
    rows: dict[int, dict[str, object]] = {}
    memberships = (
        Membership.objects.filter(organization=org)
        .select_related("user")
        .order_by("user__username", "role")
    )
    for m in memberships:
        row = rows.setdefault(m.user_id, {"user": m.user, "roles": []})
        row["roles"].append((m.role, m.get_role_display()))  # type: ignore[union-attr]
    return list(rows.values())


@login_required
def organization_members(request: HttpRequest, code: str) -> HttpResponse:
    org = _administered(request, code)
    if org is None:
        return _denied(
            request,
            _("Only the organization's admin or the programme office manages its members."),
        )
    members = _members(org)
    if is_platform_admin(request.user):
        candidates = User.objects.filter(is_active=True)
    else:
        candidates = User.objects.filter(memberships__organization=org).distinct()
    tokens = (
        ApiToken.objects.filter(user__memberships__organization=org, revoked_at__isnull=True)
        .select_related("user")
        .distinct()
        .order_by("user__username", "created_at")
    )
    return render(
        request,
        "consortium/members.html",
        {
            "org": org,
            "members": members,
            "grant_form": GrantRoleForm(users=candidates.order_by("username")),
            "roles": Membership.Role.choices,
            "tokens": tokens,
            "manageable": {
                row["user"].pk  # type: ignore[union-attr]
                for row in members
                if actions.can_manage_user(request.user, row["user"])  # type: ignore[arg-type]
            },
        },
    )


def _user_or_404(username: str) -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        raise Http404(username)
    return user


@login_required
@require_POST
def grant_role(request: HttpRequest, code: str) -> HttpResponse:
    org = get_object_or_404(Organization, code=code)
    form = GrantRoleForm(request.POST, users=User.objects.all())
    if form.is_valid():
        d = form.cleaned_data
        attempt(
            request,
            actions.grant_role,
            by=request.user,
            user=d["user"],
            organization=org,
            role=d["role"],
            reason=d["reason"],
            success=_("Role granted to %(u)s.") % {"u": d["user"].username},
        )
    else:
        form_errors(request, form)
    return _back(request, org)


@login_required
@require_POST
def revoke_role(request: HttpRequest, code: str, username: str) -> HttpResponse:
    org = get_object_or_404(Organization, code=code)
    user = _user_or_404(username)
    form = RevokeRoleForm(request.POST)
    if form.is_valid():
        attempt(
            request,
            actions.revoke_role,
            by=request.user,
            user=user,
            organization=org,
            role=form.cleaned_data["role"],
            reason=form.cleaned_data["reason"],
            success=_("Role removed from %(u)s.") % {"u": user.username},
        )
    else:
        form_errors(request, form)
    return _back(request, org)


@login_required
@require_POST
def reset_password(request: HttpRequest, username: str, code: str | None = None) -> HttpResponse:
    org = get_object_or_404(Organization, code=code) if code else None
    user = _user_or_404(username)
    form = ResetPasswordForm(request.POST)
    if form.is_valid():
        attempt(
            request,
            actions.reset_password,
            by=request.user,
            user=user,
            new_password=form.cleaned_data["new_password"],
            reason=form.cleaned_data["reason"],
            success=_("Password of %(u)s reset; they must choose a new one at their next login.")
            % {"u": user.username},
        )
    else:
        form_errors(request, form)
    return _back(request, org)


@login_required
@require_POST
def set_active(request: HttpRequest, username: str, code: str | None = None) -> HttpResponse:
    org = get_object_or_404(Organization, code=code) if code else None
    user = _user_or_404(username)
    form = SetActiveForm(request.POST)
    if form.is_valid():
        active = form.cleaned_data["active"]
        attempt(
            request,
            actions.set_user_active,
            by=request.user,
            user=user,
            active=active,
            reason=form.cleaned_data["reason"],
            success=(_("%(u)s reactivated.") if active else _("%(u)s deactivated."))
            % {"u": user.username},
        )
    else:
        form_errors(request, form)
    return _back(request, org)


@login_required
@require_POST
def revoke_token(request: HttpRequest, code: str, token_id: int) -> HttpResponse:
    org = get_object_or_404(Organization, code=code)
    token = get_object_or_404(ApiToken, pk=token_id, user__memberships__organization=org)
    form = RevokeTokenForm(request.POST)
    if form.is_valid():
        attempt(
            request,
            actions.revoke_api_token,
            by=request.user,
            token=token,
            reason=form.cleaned_data["reason"],
            success=_("Token %(p)s… revoked.") % {"p": token.prefix},
        )
    else:
        form_errors(request, form)
    return _back(request, org)


def _back(request: HttpRequest, org: Organization | None) -> HttpResponse:
    if org is None:
        return redirect("office" if is_platform_admin(request.user) else "home")
    if actions.can_administer(request.user, org):
        return redirect("organization_members", code=org.code)
    return redirect("home")


@login_required
def office(request: HttpRequest) -> HttpResponse:
    if not is_platform_admin(request.user):
        return _denied(request, _("Only the programme office may open this page."))
    return render(
        request,
        "consortium/office.html",
        {
            "organizations": Organization.objects.order_by("code"),
            "categories": Category.objects.select_related("parent").order_by("id"),
            # People no organization's page shows (platform administrators, leavers)
            "unaffiliated": User.objects.filter(memberships__isnull=True).order_by("username"),
        },
    )


@login_required
def organization_edit(request: HttpRequest, code: str) -> HttpResponse:
    if not is_platform_admin(request.user):
        return _denied(request, _("Only the programme office edits organizations."))
    org = get_object_or_404(Organization, code=code)
    initial = {name: getattr(org, name) for name in actions.ORG_EDIT_FIELDS}
    form = OrganizationForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = dict(form.cleaned_data)
        reason = d.pop("reason")
        done = attempt(
            request,
            actions.update_organization,
            form=form,
            by=request.user,
            organization=org,
            reason=reason,
            success=_("Organization %(c)s updated.") % {"c": org.code},
            **d,
        )
        if done is not None:
            return redirect("office")
    return render(request, "consortium/organization_form.html", {"org": org, "form": form})


@login_required
def password_change(request: HttpRequest) -> HttpResponse:
    form = PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        done = attempt(
            request,
            actions.change_own_password,
            form=form,
            by=request.user,
            old_password=d["old_password"],
            new_password=d["new_password1"],
            success=_("Your password was changed."),
        )
        if done is not None:
            update_session_auth_hash(request, done)
            return redirect("home")
    if request.method == "GET" and request.user.must_change_password:
        messages.warning(
            request,
            _("Your password was reset by an administrator: choose a new password to continue."),
        )
    return render(request, "consortium/password_change.html", {"form": form})
