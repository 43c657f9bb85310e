"""Who sees and does what on the demand side.

Needs — visibility (platform admins see all; the posting organization always sees its own):

| viewer                                                     | public | consortium | private |
|------------------------------------------------------------|--------|------------|---------|
| anonymous                                                  | yes    | no         | no      |
| user of a supplier organization                            | yes    | yes        | no (1)  |
| user of a consortium-member organization (any kind)        | yes    | yes        | no (1)  |
| user of another organization, not a consortium member      | yes    | no         | no      |
| member of the posting organization                         | yes    | yes        | yes     |

(1) except a supplier whose product the posting organization invited to the need (a proposal
in status invited, submitted or accepted); a declined proposal ends that access.

Proposals are seen by the need's organization and the proposing supplier; adoptions by the
adopting organization and the product's supplier; product documents by whoever sees the product.

Actions (org admins hold every role of their organization):

| action                                    | who                                              |
|-------------------------------------------|--------------------------------------------------|
| post / close a need                       | staff of a demand company (its own needs)        |
| invite a supplier's product               | staff of the need's organization                 |
| propose a product                         | staff of the product's supplier, need visible    |
| accept / decline a proposal               | staff of the need's organization                 |
| request a demand-tailored evaluation      | staff of the need's organization, proposal accepted |
| record an adoption                        | staff of a demand company                        |
| upload a product document                 | staff of the product's supplier                  |
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from bioproof.consortium.models import Membership, Organization
from bioproof.core.policy import is_authenticated, is_platform_admin, org_ids

Role = Membership.Role
OPEN_PROPOSAL_STATES = ("invited", "submitted", "accepted")


def sees_consortium_needs(user: Any) -> bool:
    """Any authenticated user of a supplier or of a consortium-member organization."""
    if not is_authenticated(user):
        return False
    cached = getattr(user, "_bioproof_consortium_viewer", None)
    if cached is None:
        cached = (
            Organization.objects.filter(pk__in=org_ids(user))
            .filter(Q(kind=Organization.Kind.SUPPLIER) | Q(is_consortium_member=True))
            .exists()
        )
        user._bioproof_consortium_viewer = cached
    return cached


def invited_to(user: Any) -> Any:
    """Ids of the needs to which a supplier of the user's has an open proposal (footnote 1)."""
    from bioproof.demand.models import Proposal

    return Proposal.objects.filter(
        supplier_id__in=org_ids(user), status__in=OPEN_PROPOSAL_STATES
    ).values("need_id")


def need_visibility(user: Any) -> Q:
    """The rules of the table above. The search index holds a need's visibility as its
    audience (*public*, *consortium*, *owner* = the posting organization) and the search
    prefilter adds :func:`invited_to` as it is (``bioproof.search.query._policy``; tests/search
    pin the two together over the whole role × organization × state matrix)."""
    if is_platform_admin(user):
        return Q()
    q = Q(visibility="public")
    if is_authenticated(user):
        q |= Q(organization_id__in=org_ids(user))
        if sees_consortium_needs(user):
            q |= Q(visibility="consortium")
        q |= Q(visibility="private", pk__in=invited_to(user))
    return q


def proposal_visibility(user: Any) -> Q:
    if is_platform_admin(user):
        return Q()
    if not is_authenticated(user):
        return Q(pk__in=[])
    orgs = org_ids(user)
    return Q(need__organization_id__in=orgs) | Q(supplier_id__in=orgs)


def adoption_visibility(user: Any) -> Q:
    if is_platform_admin(user):
        return Q()
    if not is_authenticated(user):
        return Q(pk__in=[])
    orgs = org_ids(user)
    return Q(organization_id__in=orgs) | Q(product__supplier_id__in=orgs)


def document_visibility(user: Any) -> Q:
    from bioproof.catalog.models import Product

    if is_platform_admin(user):
        return Q()
    return Q(product_id__in=Product.objects.visible_to(user).values("pk"))


def is_demand_staff(user: Any, organization: Any) -> bool:
    return (
        is_authenticated(user)
        and organization is not None
        and organization.kind == Organization.Kind.DEMAND
        and user.has_role(organization.pk, Role.STAFF)
    )


def can_manage_need(user: Any, need: Any) -> bool:
    return is_authenticated(user) and user.has_role(need.organization_id, Role.STAFF)


def is_supplier_staff(user: Any, supplier_id: int) -> bool:
    return is_authenticated(user) and user.has_role(supplier_id, Role.STAFF)


def can_see_need(user: Any, need: Any) -> bool:
    from bioproof.demand.models import Need

    return Need.objects.visible_to(user).filter(pk=need.pk).exists()
