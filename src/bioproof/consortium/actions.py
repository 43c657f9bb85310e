"""Writes to organizations, users and memberships (the only writers)."""

from __future__ import annotations

import secrets
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bioproof.consortium.models import ApiToken, Membership, Organization, User
from bioproof.core import audit
from bioproof.core.errors import DomainError
from bioproof.core.locking import lock, unique_or_conflict
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
) -> User:
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


@transaction.atomic
def revoke_api_token(*, by: User, token: ApiToken) -> None:
    token = lock(token)
    require(token.user_id == by.pk or is_platform_admin(by), _("Not your token."))
    if token.revoked_at is not None:
        return
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    audit.record(
        actor=by,
        action="api_token.revoked",
        obj=token,
        organization=by.primary_organization,
        after={"prefix": token.prefix},
    )


def user_for_token(raw: str) -> User | None:
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=audit.sha256_hex(raw), revoked_at__isnull=True)
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    return token.user
