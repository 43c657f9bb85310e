"""Who sees and does what in training.

Visibility (platform admins see everything):

| record                         | who sees it                                                    |
|--------------------------------|----------------------------------------------------------------|
| course, session                | everyone once the course is published; its provider before     |
| enrollment, attendance, result | the trainee; the provider's members; org admins of the         |
|                                | trainee's organization named on the enrollment (the employer)  |
| certificate                    | the holder; the provider's members; the employer's org admins; |
|                                | anyone who has its code sees the public verification page      |
| qualification                  | the person; the employer's org admins; the provider (of its    |
|                                | certificate) or the center (of its supervised use)             |

Nobody else: an employer never sees another company's trainees, a provider never sees another
provider's trainees.

Actions (org admins hold every role of their organization):

| action                                           | who                                          |
|--------------------------------------------------|----------------------------------------------|
| register a provider                              | platform admin                               |
| create / revise / publish a course, add session  | staff of the provider                        |
| enroll oneself                                   | any signed-in user                           |
| enroll someone after the first day (walk-ins)    | staff of the provider                        |
| nominate staff (company nomination)              | org admin of the trainee's organization      |
| cancel an enrollment                             | the trainee, employer's org admin, provider  |
| record attendance, save and sign a result        | an instructor of the session                 |
| start a correction, revoke a certificate         | staff of the provider                        |
| sign a supervised use, record equipment use      | staff of a demonstration center              |
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from bioproof.consortium.models import Membership
from bioproof.core.policy import is_authenticated, is_platform_admin, org_ids

Role = Membership.Role
NOTHING = Q(pk__in=[])


def admin_org_ids(user: Any) -> frozenset[int]:
    """Organizations in which ``user`` is an org admin (the employer's view of its staff)."""
    if not is_authenticated(user):
        return frozenset()
    return frozenset(o for o, roles in user.roles_by_org.items() if Role.ORG_ADMIN in roles)


def course_visibility(user: Any) -> Q:
    if is_platform_admin(user):
        return Q()
    q = Q(status__in=["published", "retired"])
    if is_authenticated(user):
        q |= Q(provider__organization_id__in=org_ids(user))
    return q


def session_visibility(user: Any) -> Q:
    if is_platform_admin(user):
        return Q()
    q = Q(course_version__course__status__in=["published", "retired"])
    if is_authenticated(user):
        q |= Q(course_version__course__provider__organization_id__in=org_ids(user))
    return q


def enrollment_visibility(user: Any, prefix: str = "") -> Q:
    if is_platform_admin(user):
        return Q()
    if not is_authenticated(user):
        return NOTHING
    orgs = org_ids(user)
    return (
        Q(**{f"{prefix}trainee_id": user.pk})
        | Q(**{f"{prefix}session__course_version__course__provider__organization_id__in": orgs})
        | Q(**{f"{prefix}organization_id__in": admin_org_ids(user)})
    )


def certificate_visibility(user: Any) -> Q:
    if is_platform_admin(user):
        return Q()
    if not is_authenticated(user):
        return NOTHING
    return (
        Q(holder_id=user.pk)
        | Q(provider__organization_id__in=org_ids(user))
        | Q(organization_id__in=admin_org_ids(user))
    )


def qualification_visibility(user: Any) -> Q:
    if is_platform_admin(user):
        return Q()
    if not is_authenticated(user):
        return NOTHING
    orgs = org_ids(user)
    return (
        Q(person_id=user.pk)
        | Q(certificate__organization_id__in=admin_org_ids(user))
        | Q(certificate__provider__organization_id__in=orgs)
        | Q(supervised_use__center_id__in=orgs)
        | Q(
            person_id__in=Membership.objects.filter(organization_id__in=admin_org_ids(user)).values(
                "user_id"
            )
        )
    )


def is_provider_staff(user: Any, provider: Any) -> bool:
    return is_authenticated(user) and user.has_role(provider.organization_id, Role.STAFF)


def is_instructor(user: Any, session: Any) -> bool:
    return is_authenticated(user) and session.instructors.filter(user_id=user.pk).exists()


def is_org_admin(user: Any, organization: Any) -> bool:
    return (
        is_authenticated(user)
        and organization is not None
        and user.has_role(organization.pk, Role.ORG_ADMIN)
    )


def is_center_staff(user: Any, center: Any) -> bool:
    return (
        is_authenticated(user)
        and center is not None
        and center.kind == "center"
        and user.has_role(center.pk, Role.STAFF)
    )


def sees_statistics(user: Any) -> bool:
    """Aggregated training statistics: members of consortium organizations and providers."""
    from bioproof.consortium.models import Organization

    if not is_authenticated(user):
        return False
    return (
        Organization.objects.filter(pk__in=org_ids(user))
        .filter(Q(is_consortium_member=True) | Q(training_provider__isnull=False))
        .exists()
    )
