"""Who sees what in interop.

| record              | who sees it                                                              |
|---------------------|--------------------------------------------------------------------------|
| instrument file     | its uploading organization; when imported into a run, the parties of the |
|                     | run's evaluation (evaluations.policy)                                    |
| webhook subscription| its organization's members                                               |
| webhook delivery    | its subscription's organization's members                                |
| evidence package    | a public track record: anyone (a confidential need's: its parties only); |
|                     | a certificate: its holder (interop.packages.build)                       |
| biofoundry project  | its organization; the parties of a linked evaluation; who sees a linked  |
|                     | booking or process-development project                                   |
| biofoundry link     | who sees both ends (the biofoundry project and the booking / project)    |

| action                             | who                                                   |
|------------------------------------|-------------------------------------------------------|
| convert an instrument file         | staff of a demonstration center                       |
| import instrument files into a run | the evaluating center's staff/evaluators (as uploads) |
| manage webhooks, API token scopes  | org admins of the organization                        |
| link a step to a booking / project | members of the project's organization who see the     |
|                                    | booking / process-development project                 |
"""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, Q

from bioproof.consortium.models import Membership, Organization
from bioproof.core.policy import is_authenticated, is_platform_admin, org_ids

Role = Membership.Role


def instrument_file_visibility(user: Any) -> Q:
    if is_platform_admin(user):
        return Q()
    if not is_authenticated(user):
        return Q(pk__in=[])
    from bioproof.evaluations.models import Evaluation

    parties = Evaluation.objects.visible_to(user).filter(pk=OuterRef("run__evaluation_id"))
    return Q(organization_id__in=org_ids(user)) | Q(Exists(parties))


def is_center_staff(user: Any) -> bool:
    if not is_authenticated(user):
        return False
    centers = Organization.objects.filter(
        pk__in=org_ids(user), kind=Organization.Kind.CENTER
    ).values_list("pk", flat=True)
    return any(user.has_role(pk, Role.STAFF, Role.EVALUATOR) for pk in centers)


def is_org_admin(user: Any, organization: Any) -> bool:
    return is_authenticated(user) and (
        is_platform_admin(user) or user.has_role(organization, Role.ORG_ADMIN)
    )


def subscription_visibility(user: Any) -> Q:
    if is_platform_admin(user):
        return Q()
    return Q(organization_id__in=org_ids(user))


def delivery_visibility(user: Any) -> Q:
    if is_platform_admin(user):
        return Q()
    return Q(subscription__organization_id__in=org_ids(user))


def biofoundry_visibility(user: Any) -> Q:
    """A project: its organization's members, the parties of an evaluation linked to it and
    those who see a booking or process-development project linked to it."""
    if is_platform_admin(user):
        return Q()
    if not is_authenticated(user):
        return Q(pk__in=[])
    from bioproof.evaluations.models import Evaluation
    from bioproof.interop.models import BiofoundryStep

    linked = BiofoundryStep.objects.filter(
        project_id=OuterRef("pk"),
        evaluation__in=Evaluation.objects.visible_to(user),
    )
    return (
        Q(organization_id__in=org_ids(user))
        | Q(Exists(linked))
        | Q(Exists(_visible_links(user).filter(step__project_id=OuterRef("pk"))))
    )


def _visible_links(user: Any) -> Any:
    """Links whose facilities end (booking or process-development project) ``user`` sees."""
    from bioproof.facilities.models import Booking, Project
    from bioproof.interop.models import BiofoundryLink

    return BiofoundryLink.objects.filter(
        Q(booking__in=Booking.objects.visible_to(user))
        | Q(facility_project__in=Project.objects.visible_to(user))
    )


def biofoundry_link_visibility(user: Any) -> Q:
    """A link to a booking or a process-development project: who sees both ends (the
    biofoundry project and the booking / project)."""
    if is_platform_admin(user):
        return Q()
    if not is_authenticated(user):
        return Q(pk__in=[])
    from bioproof.interop.models import BiofoundryLink, BiofoundryProject

    both = BiofoundryLink.objects.filter(
        pk=OuterRef("pk"), step__project__in=BiofoundryProject.objects.visible_to(user)
    ).filter(pk__in=_visible_links(user).values("pk"))
    return Q(Exists(both))
