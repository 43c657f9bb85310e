"""Shared helpers for the per-app policies (who sees what).

Each app's ``policy.py`` holds its rules; every organization-owned model's queryset has
``visible_to(user)`` and every read path uses it.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404

from bioproof.core.errors import PolicyDenied


def is_authenticated(user: Any) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False))


def is_platform_admin(user: Any) -> bool:
    """The programme office's administrators see every record."""
    return is_authenticated(user) and bool(user.is_superuser)


def org_ids(user: Any) -> frozenset[int]:
    return user.organization_ids if is_authenticated(user) else frozenset()


def get_visible_or_404(queryset: Any, user: Any, **lookup: Any) -> Any:
    """Fetch one record through ``visible_to`` — invisible and missing look the same (404)."""
    try:
        return queryset.visible_to(user).get(**lookup)
    except queryset.model.DoesNotExist as exc:
        raise Http404(str(queryset.model._meta.verbose_name)) from exc


def require(condition: bool, message: str) -> None:
    if not condition:
        raise PolicyDenied(message)
