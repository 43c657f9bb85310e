"""Organizations, users and their roles."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractUser, UserManager
from django.contrib.auth.password_validation import validate_password
from django.db import models
from django.utils.functional import cached_property
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class Organization(models.Model):
    class Kind(models.TextChoices):
        SUPPLIER = "supplier", _("Supplier")
        DEMAND = "demand", _("Demand company")
        CENTER = "center", _("Demonstration center")
        AGENCY = "agency", _("Agency")
        UNIVERSITY = "university", _("University / institute")
        ASSOCIATION = "association", _("Association")

    code = models.SlugField(max_length=40, unique=True)
    name_ko = models.CharField(_("name (Korean)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    is_consortium_member = models.BooleanField(_("consortium member"), default=False)
    is_founding_member = models.BooleanField(_("founding member"), default=False)
    joined_on = models.DateField(_("joined on"), null=True, blank=True)
    website = models.URLField(blank=True)

    class Meta:
        ordering = ["name_ko"]
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.name_en if (get_language() or "ko").startswith("en") else self.name_ko


class ValidatedUserManager(UserManager):
    """``create_user``/``create_superuser`` (and so ``manage.py createsuperuser``, also with
    ``--noinput`` and ``DJANGO_SUPERUSER_PASSWORD``) apply AUTH_PASSWORD_VALIDATORS."""

    def _create_user_object(
        self, username: str, email: str | None, password: str | None, **extra: Any
    ) -> Any:
        user = super()._create_user_object(username, email, password, **extra)
        if password is not None:
            validate_password(password, user)
        return user


class User(AbstractUser):
    """A person. What they may do comes from their memberships (organization × role)."""

    objects = ValidatedUserManager()

    # Set when an administrator resets the password: the user must choose a new one before
    # using the platform or signing (the administrator knew the temporary password).
    must_change_password = models.BooleanField(_("must change password"), default=False)

    @cached_property
    def _memberships(self) -> list[Membership]:
        """Every membership with its organization, oldest first: one query for the three
        properties below, which every signed-in page asks (three queries before)."""
        return list(self.memberships.select_related("organization").order_by("id"))

    @cached_property
    def organization_ids(self) -> frozenset[int]:
        return frozenset(m.organization_id for m in self._memberships)

    @cached_property
    def roles_by_org(self) -> dict[int, frozenset[str]]:
        roles: dict[int, set[str]] = {}
        for m in self._memberships:
            roles.setdefault(m.organization_id, set()).add(m.role)
        return {k: frozenset(v) for k, v in roles.items()}

    @cached_property
    def primary_organization(self) -> Organization | None:
        return self._memberships[0].organization if self._memberships else None

    def has_role(self, organization: Organization | int | None, *roles: str) -> bool:
        """True when the user holds any of ``roles`` in ``organization`` (org admins hold all)."""
        if organization is None:
            return False
        org_id = organization if isinstance(organization, int) else organization.pk
        held = self.roles_by_org.get(org_id, frozenset())
        return bool(held & (set(roles) | {Membership.Role.ORG_ADMIN}))

    def is_member_of(self, organization: Organization | int | None) -> bool:
        if organization is None:
            return False
        org_id = organization if isinstance(organization, int) else organization.pk
        return org_id in self.organization_ids


def preload_roles(users: list[User]) -> list[User]:
    """Fill each user's ``roles_by_org`` and ``organization_ids`` from one query, for code that
    asks a policy about many people at once (the timeline's "who may take the next step"): one
    query per person otherwise. The same values the properties would read."""
    by_user: dict[int, dict[int, set[str]]] = {u.pk: {} for u in users}
    for user_id, org_id, role in Membership.objects.filter(user__in=by_user).values_list(
        "user_id", "organization_id", "role"
    ):
        by_user[user_id].setdefault(org_id, set()).add(role)
    for user in users:
        roles = by_user[user.pk]
        user.__dict__["roles_by_org"] = {k: frozenset(v) for k, v in roles.items()}
        user.__dict__["organization_ids"] = frozenset(roles)
    return users


class Membership(models.Model):
    class Role(models.TextChoices):
        ORG_ADMIN = "org_admin", _("Organization admin")
        STAFF = "staff", _("Staff")
        EVALUATOR = "evaluator", _("Evaluator")
        REVIEWER = "reviewer", _("Reviewer")
        APPROVER = "approver", _("Approver")
        VIEWER = "viewer", _("Viewer")

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="memberships"
    )
    role = models.CharField(max_length=20, choices=Role.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "organization", "role"], name="unique_role")
        ]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")

    def __str__(self) -> str:
        return f"{self.user} @ {self.organization} ({self.role})"


class ApiToken(models.Model):
    """A bearer token for the API; only its SHA-256 is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=12, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"
