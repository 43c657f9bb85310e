"""Who sees which programme page, and who records pledges and edits targets.

- public dashboard: everyone; aggregates only, no figure from fewer than 3 organizations;
- members' dashboard (more breakdowns): staff of a consortium member organization; same k rule;
- programme office dashboard and drill-down: platform admins; the drill-down lists only the
  records their app's ``visible_to`` shows;
- targets and core items (versioned): everyone reads; the programme office edits;
- pledges and executions with evidence: the pledging organization's staff; the programme office.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from bioproof.core.policy import is_authenticated, is_platform_admin, org_ids

PUBLIC, MEMBERS, OFFICE = "public", "members", "office"


def is_member(user: Any) -> bool:
    from bioproof.consortium.models import Organization

    if not is_authenticated(user):
        return False
    return Organization.objects.filter(pk__in=org_ids(user), is_consortium_member=True).exists()


def audience(user: Any) -> str:
    """The richest dashboard ``user`` may open."""
    if is_platform_admin(user):
        return OFFICE
    if is_member(user):
        return MEMBERS
    return PUBLIC


def may_open(user: Any, level: str) -> bool:
    order = (PUBLIC, MEMBERS, OFFICE)
    return order.index(audience(user)) >= order.index(level)


def pledge_visibility(user: Any) -> Q:
    if is_platform_admin(user):
        return Q()
    if not is_authenticated(user):
        return Q(pk__in=[])
    return Q(organization_id__in=org_ids(user))


def member_org_ids(user: Any) -> frozenset[int]:
    """Consortium member organizations of ``user`` (where it may record pledges)."""
    from bioproof.consortium.models import Organization

    if not is_authenticated(user):
        return frozenset()
    return frozenset(
        Organization.objects.filter(pk__in=org_ids(user), is_consortium_member=True).values_list(
            "pk", flat=True
        )
    )
