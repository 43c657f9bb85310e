"""Writes to organizations, users and memberships (the only writers)."""

from __future__ import annotations

import secrets
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bioproof.consortium.models import ApiToken, Membership, Organization, User
from bioproof.core import audit
from bioproof.core.errors import DomainError
from bioproof.core.locking import unique_or_conflict
from bioproof.core.policy import is_platform_admin, require

ORG_FIELDS = ("code", "name_ko", "name_en", "kind", "is_consortium_member", "is_founding_member")


@transaction.atomic
def create_organization(*, by: Any, **fields: Any) -> Organization:
    require(by is None or is_platform_admin(by), _("Only the programme office adds organizations."))
    if fields.get("kind") not in Organization.Kind.values:
        raise DomainError(_("Unknown organization kind: %(k)s") % {"k": fields.get("kind")})
    if Organization.objects.filter(code=fields.get("code")).exists():
        raise DomainError(_("An organization with code %(c)s exists.") % {"c": fields["code"]})
    with unique_or_conflict(
        _("An organization with code %(c)s exists.") % {"c": fields["code"]}, field="code"
    ):
        org = Organization.objects.create(**fields)
    audit.record(
        actor=by,
        action="organization.created",
        obj=org,
        organization=org,
        after=audit.snapshot(org, ORG_FIELDS),
    )
    return org


def check_password_strength(password: str, user: Any = None) -> None:
    """Refuse a password the validators of AUTH_PASSWORD_VALIDATORS reject (DomainError, 400)."""
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise DomainError(" ".join(exc.messages), field="password") from None


@transaction.atomic
def create_user(
    *,
    by: Any,
    username: str,
    password: str,
    organization: Organization,
    roles: list[str],
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    password_hash: str = "",
) -> User:
    """Create a user in ``organization`` with ``roles``. ``password_hash`` (system seeding only,
    ``by=None``): the caller's encoded hash of ``password`` (its strength is still checked), so
    a loader creating many accounts with one password hashes it once."""
    require(
        by is None or is_platform_admin(by) or by.has_role(organization, Membership.Role.ORG_ADMIN),
        _("Only the organization's admin adds its users."),
    )
    if User.objects.filter(username=username).exists():
        raise DomainError(_("The user name %(u)s is taken.") % {"u": username}, field="username")
    unknown = set(roles) - set(Membership.Role.values)
    if unknown:
        raise DomainError(_("Unknown roles: %(r)s") % {"r": ", ".join(sorted(unknown))})
    user = User(username=username, first_name=first_name, last_name=last_name, email=email)
    check_password_strength(password, user)
    if password_hash:
        from django.contrib.auth.hashers import identify_hasher

        require(by is None, _("Only the system seeds accounts with a prepared password hash."))
        identify_hasher(password_hash)  # a hash Django reads, not a raw password
        user.password = password_hash
    else:
        user.set_password(password)
    with unique_or_conflict(_("The user name %(u)s is taken.") % {"u": username}, field="username"):
        user.save()
    Membership.objects.bulk_create(
        [Membership(user=user, organization=organization, role=r) for r in roles]
    )
    audit.record(
        actor=by,
        action="user.created",
        obj=user,
        organization=organization,
        after={"username": username, "organization": organization.code, "roles": sorted(roles)},
    )
    return user


@transaction.atomic
def issue_api_token(*, by: User, name: str) -> tuple[ApiToken, str]:
    """Create a bearer token for ``by``; the raw key is returned once and never stored."""
    if not name.strip():
        raise DomainError(_("Give the token a name."), field="name")
    raw = "bp_" + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=by, name=name.strip(), prefix=raw[:10], key_hash=audit.sha256_hex(raw)
    )
    audit.record(
        actor=by,
        action="api_token.issued",
        obj=token,
        organization=by.primary_organization,
        after={"name": token.name, "prefix": token.prefix},
    )
    return token, raw


def token_for(raw: str) -> ApiToken | None:
    """The active token whose key is ``raw`` (the one reader of token hashes; the interop
    app's scope and rate-limit middleware asks it too)."""
    return (
        ApiToken.objects.select_related("user")
        .filter(key_hash=audit.sha256_hex(raw), revoked_at__isnull=True)
        .first()
    )


def user_for_token(raw: str) -> User | None:
    token = token_for(raw)
    if token is None or not token.user.is_active:
        return None
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    return token.user


# --- Administration: roles, passwords, deactivation, organizations, tokens -----------------
#
# Each of these is an audited change with its reason (EU GMP Annex 11 §9: the reason for a change
# to GMP-relevant data is recorded). The Django admin is read-only and links to the pages that
# call them.

ORG_EDIT_FIELDS = (
    "name_ko",
    "name_en",
    "kind",
    "is_consortium_member",
    "is_founding_member",
    "joined_on",
    "website",
)


def _reason(reason: str | None) -> str:
    text = (reason or "").strip()
    if not text:
        raise DomainError(_("Give the reason for this change."), field="reason")
    return text[:1000]


def can_administer(by: Any, organization: Organization | int | None) -> bool:
    """The programme office, or an admin of ``organization``."""
    return is_platform_admin(by) or (
        bool(by is not None and getattr(by, "is_authenticated", False))
        and by.has_role(organization, Membership.Role.ORG_ADMIN)
    )


def can_manage_user(by: Any, user: User) -> bool:
    """The programme office, or an admin of every organization ``user`` belongs to.

    An organization's admin may not reset the password of, or deactivate, a person who also
    belongs to an organization they do not administer, nor a platform administrator.
    """
    if is_platform_admin(by):
        return True
    if user.is_superuser or by is None or not getattr(by, "is_authenticated", False):
        return False
    org_ids = set(user.memberships.values_list("organization_id", flat=True))
    return bool(org_ids) and all(
        by.has_role(org_id, Membership.Role.ORG_ADMIN) for org_id in org_ids
    )


def _locked_user(user: User) -> User:
    return User.objects.select_for_update().get(pk=user.pk)


def _roles_in(user: User, organization: Organization) -> list[str]:
    return sorted(
        Membership.objects.filter(user=user, organization=organization).values_list(
            "role", flat=True
        )
    )


@transaction.atomic
def grant_role(
    *, by: Any, user: User, organization: Organization, role: str, reason: str
) -> Membership:
    """Give ``user`` ``role`` in ``organization``; audited with the roles before and after."""
    require(
        can_administer(by, organization),
        _("Only the organization's admin or the programme office changes its members' roles."),
    )
    if role not in Membership.Role.values:
        raise DomainError(_("Unknown role: %(r)s") % {"r": role}, field="role")
    reason = _reason(reason)
    user = _locked_user(user)
    if not is_platform_admin(by):
        require(
            user.is_member_of(organization),
            _("%(u)s is not a member of %(o)s; the programme office adds people to organizations.")
            % {"u": user.username, "o": organization.name},
        )
    before = _roles_in(user, organization)
    if role in before:
        raise DomainError(
            _("%(u)s already holds the role %(r)s in %(o)s.")
            % {"u": user.username, "r": Membership.Role(role).label, "o": organization.name},
            field="role",
        )
    membership = Membership.objects.create(user=user, organization=organization, role=role)
    audit.record(
        actor=by,
        action="membership.role_granted",
        obj=user,
        organization=organization,
        before={"organization": organization.code, "roles": before},
        after={"organization": organization.code, "roles": _roles_in(user, organization)},
        reason=reason,
    )
    return membership


@transaction.atomic
def revoke_role(*, by: Any, user: User, organization: Organization, role: str, reason: str) -> None:
    """Take ``role`` in ``organization`` away from ``user``; audited with before and after."""
    require(
        can_administer(by, organization),
        _("Only the organization's admin or the programme office changes its members' roles."),
    )
    reason = _reason(reason)
    user = _locked_user(user)
    before = _roles_in(user, organization)
    if role not in before:
        raise DomainError(
            _("%(u)s does not hold the role %(r)s in %(o)s.")
            % {"u": user.username, "r": role, "o": organization.name},
            field="role",
        )
    if role == Membership.Role.ORG_ADMIN and not is_platform_admin(by):
        admins = Membership.objects.filter(
            organization=organization, role=Membership.Role.ORG_ADMIN, user__is_active=True
        ).exclude(user=user)
        if not admins.exists():
            raise DomainError(
                _("%(u)s is the last admin of %(o)s; grant the role to someone else first.")
                % {"u": user.username, "o": organization.name},
                field="role",
            )
    Membership.objects.filter(user=user, organization=organization, role=role).delete()
    audit.record(
        actor=by,
        action="membership.role_revoked",
        obj=user,
        organization=organization,
        before={"organization": organization.code, "roles": before},
        after={"organization": organization.code, "roles": _roles_in(user, organization)},
        reason=reason,
    )


def _validated_password(password: str, user: User, field: str) -> str:
    if not password:
        raise DomainError(_("Enter a password."), field=field)
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise DomainError(" ".join(exc.messages), field=field) from exc
    return password


@transaction.atomic
def reset_password(*, by: Any, user: User, new_password: str, reason: str) -> User:
    """An administrator sets a temporary password; the user must choose a new one.

    Until they do, they cannot use the platform or sign (the administrator knew the password).
    The password itself never enters the audit trail.
    """
    require(
        can_manage_user(by, user),
        _(
            "Only the programme office, or the admin of every organization of %(u)s, resets "
            "this password."
        )
        % {"u": user.username},
    )
    require(
        by is None or by.pk != user.pk,
        _("Change your own password on the change-password page."),
    )
    reason = _reason(reason)
    user = _locked_user(user)
    _validated_password(new_password, user, "new_password")
    before = {"must_change_password": user.must_change_password}
    user.set_password(new_password)
    user.must_change_password = True
    user.save(update_fields=["password", "must_change_password"])
    audit.record(
        actor=by,
        action="user.password_reset",
        obj=user,
        organization=user.primary_organization,
        before=before,
        after={"must_change_password": True},
        reason=reason,
    )
    return user


@transaction.atomic
def change_own_password(*, by: User, old_password: str, new_password: str) -> User:
    """The user sets a new password (clears a reset's must-change flag); audited."""
    user = _locked_user(by)
    if not old_password or not user.check_password(old_password):
        raise DomainError(_("Your current password is not correct."), field="old_password")
    if new_password == old_password:
        raise DomainError(
            _("Choose a password different from the current one."), field="new_password1"
        )
    _validated_password(new_password, user, "new_password1")
    before = {"must_change_password": user.must_change_password}
    user.set_password(new_password)
    user.must_change_password = False
    user.save(update_fields=["password", "must_change_password"])
    audit.record(
        actor=user,
        action="user.password_changed",
        obj=user,
        organization=user.primary_organization,
        before=before,
        after={"must_change_password": False},
    )
    by.password, by.must_change_password = user.password, False
    return user


@transaction.atomic
def set_user_active(*, by: Any, user: User, active: bool, reason: str) -> User:
    """Deactivate (or reactivate) a user account; audited. Records stay; login stops."""
    require(
        can_manage_user(by, user),
        _(
            "Only the programme office, or the admin of every organization of %(u)s, "
            "deactivates this account."
        )
        % {"u": user.username},
    )
    require(by is None or by.pk != user.pk, _("You cannot deactivate your own account."))
    reason = _reason(reason)
    user = _locked_user(user)
    if user.is_active == active:
        raise DomainError(
            (_("%(u)s is already active.") if active else _("%(u)s is already deactivated."))
            % {"u": user.username}
        )
    before = {"is_active": user.is_active}
    user.is_active = active
    user.save(update_fields=["is_active"])
    audit.record(
        actor=by,
        action="user.reactivated" if active else "user.deactivated",
        obj=user,
        organization=user.primary_organization,
        before=before,
        after={"is_active": active},
        reason=reason,
    )
    return user


@transaction.atomic
def update_organization(
    *, by: Any, organization: Organization, reason: str, **fields: Any
) -> Organization:
    """The programme office edits an organization (its code never changes); audited."""
    require(is_platform_admin(by), _("Only the programme office edits organizations."))
    unknown = set(fields) - set(ORG_EDIT_FIELDS)
    if unknown:
        raise DomainError(
            _("These fields cannot be edited: %(f)s") % {"f": ", ".join(sorted(unknown))}
        )
    reason = _reason(reason)
    org = Organization.objects.select_for_update().get(pk=organization.pk)
    for name in ("name_ko", "name_en"):
        if name in fields:
            fields[name] = (fields[name] or "").strip()
            if not fields[name]:
                raise DomainError(_("The organization needs a name."), field=name)
    if "kind" in fields and fields["kind"] not in Organization.Kind.values:
        raise DomainError(
            _("Unknown organization kind: %(k)s") % {"k": fields["kind"]}, field="kind"
        )
    before = audit.snapshot(org, ORG_EDIT_FIELDS)
    for name, value in fields.items():
        setattr(org, name, value)
    after = audit.snapshot(org, ORG_EDIT_FIELDS)
    if after == before:
        raise DomainError(_("Nothing was changed."))
    org.save(update_fields=list(fields))
    changed = [k for k in ORG_EDIT_FIELDS if before[k] != after[k]]
    audit.record(
        actor=by,
        action="organization.updated",
        obj=org,
        organization=org,
        before={k: before[k] for k in changed},
        after={k: after[k] for k in changed},
        reason=reason,
    )
    return org


@transaction.atomic
def revoke_api_token(*, by: Any, token: ApiToken, reason: str = "") -> ApiToken:
    """Revoke a token: its owner, or whoever manages the owner's account (with a reason)."""
    token = ApiToken.objects.select_for_update().select_related("user").get(pk=token.pk)
    own = by is not None and getattr(by, "pk", None) == token.user_id
    require(own or can_manage_user(by, token.user), _("Not your token."))
    if not own:
        reason = _reason(reason)
    if token.revoked_at is not None:
        raise DomainError(_("The token %(p)s… is already revoked.") % {"p": token.prefix})
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    audit.record(
        actor=by,
        action="api_token.revoked",
        obj=token,
        organization=token.user.primary_organization,
        before={"prefix": token.prefix, "revoked_at": None},
        after={"prefix": token.prefix, "revoked_at": token.revoked_at},
        reason=(reason or "").strip(),
    )
    return token
