"""Who sees and does what in center services.

Visibility (platform admins see everything):

| record                               | who sees it                                              |
|--------------------------------------|----------------------------------------------------------|
| suite, equipment, rate, blackout     | everyone (the centers' equipment registry is public)     |
| booking (details)                    | its user, members of its organization, members of the   |
|                                      | center, the assigned staff member                        |
| busy slots (no customer, no purpose) | everyone signed in: the availability view                |
| project, quote, lines, work packages,| members of the company and of the center — nobody else:  |
| deliverables, invoice                | the project is confidential between the two              |
| waitlist entry                       | its user and the center                                  |
| schedule proposal                    | members of the center                                    |

Actions:

| action                                              | who                                        |
|-----------------------------------------------------|--------------------------------------------|
| register / change equipment, rates, suites,         | staff of the center                        |
| blackouts, status, due dates                        |                                            |
| book (self-use or assisted) for oneself             | any signed-in member of an organization    |
| book for someone of one's organization              | staff of that organization                 |
| move / cancel a booking                             | its user, its booker, the center's staff   |
| approve / reject, check in, release no-shows        | staff of the center                        |
| request a project                                   | staff of the company                       |
| quote, plan work packages, deliver, complete        | staff of the center                        |
| accept a quote (e-signature)                        | approver or org admin of the company       |
| propose / commit a schedule                         | staff of the center                        |
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from bioproof.consortium.models import Membership
from bioproof.core.policy import is_authenticated, is_platform_admin, org_ids

Role = Membership.Role
NOTHING = Q(pk__in=[])


def equipment_visibility(user: Any) -> Q:
    return Q()


def equipment_visibility_rate(user: Any) -> Q:
    return Q()


def blackout_visibility(user: Any) -> Q:
    return Q()


def booking_visibility(user: Any, prefix: str = "") -> Q:
    if is_platform_admin(user):
        return Q()
    if not is_authenticated(user):
        return NOTHING
    orgs = org_ids(user)
    return (
        Q(**{f"{prefix}user_id": user.pk})
        | Q(**{f"{prefix}booked_by_id": user.pk})
        | Q(**{f"{prefix}staff_id": user.pk})
        | Q(**{f"{prefix}organization_id__in": orgs})
        | Q(**{f"{prefix}equipment__center_id__in": orgs})
    )


def project_visibility(user: Any, prefix: str = "") -> Q:
    if is_platform_admin(user):
        return Q()
    if not is_authenticated(user):
        return NOTHING
    orgs = org_ids(user)
    return Q(**{f"{prefix}company_id__in": orgs}) | Q(**{f"{prefix}center_id__in": orgs})


def quote_visibility(user: Any) -> Q:
    return project_visibility(user, "project__")


def quote_line_visibility(user: Any) -> Q:
    return project_visibility(user, "quote__project__")


def work_package_visibility(user: Any) -> Q:
    return project_visibility(user, "project__")


def deliverable_visibility(user: Any) -> Q:
    return project_visibility(user, "project__")


def invoice_visibility(user: Any) -> Q:
    return project_visibility(user, "project__")


def waitlist_visibility(user: Any) -> Q:
    if is_platform_admin(user):
        return Q()
    if not is_authenticated(user):
        return NOTHING
    return Q(user_id=user.pk) | Q(equipment__center_id__in=org_ids(user))


def proposal_visibility(user: Any) -> Q:
    if is_platform_admin(user):
        return Q()
    if not is_authenticated(user):
        return NOTHING
    return Q(center_id__in=org_ids(user))


def is_center_staff(user: Any, center: Any) -> bool:
    center_id = getattr(center, "pk", center)
    return is_authenticated(user) and center_id is not None and user.has_role(center_id, Role.STAFF)


def is_company_staff(user: Any, organization: Any) -> bool:
    org_id = getattr(organization, "pk", organization)
    return is_authenticated(user) and org_id is not None and user.has_role(org_id, Role.STAFF)


def may_accept_quote(user: Any, project: Any) -> bool:
    return is_authenticated(user) and user.has_role(project.company_id, Role.APPROVER)


def may_change_booking(user: Any, booking: Any) -> bool:
    return is_authenticated(user) and (
        booking.user_id == user.pk
        or booking.booked_by_id == user.pk
        or is_center_staff(user, booking.equipment.center_id)
        or is_platform_admin(user)
    )
