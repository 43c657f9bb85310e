"""Who sees and does what in mRNA production.

Visibility (platform admins see everything):

| record                                            | who sees it                                  |
|---------------------------------------------------|----------------------------------------------|
| order, construct (sequence)                       | the customer organization; the facility      |
| batch, steps, entries, consumptions, samples,     | the facility; the customer of the batch's    |
| CoA, dispositions, shipments, custody             | order                                        |
| test result                                       | the facility; the customer once verified     |
| deviation                                         | the facility; the customer of its batch      |
| CAPA action, MBR, specification, material lot     | the facility only                            |
| CoA status                                        | anyone holding its verification code         |
| order booking (equipment scheduled for an order)  | the facility; the customer (dates only)      |

Nobody else: another company, another center and anonymous visitors see nothing.

Actions (org admins hold every role of their organization):

| action                                               | who                                     |
|------------------------------------------------------|-----------------------------------------|
| create an order, add constructs, submit, cancel      | staff of the customer organization      |
| accept a quote (e-signature)                         | approver of the customer organization   |
| quote; schedule an accepted order on equipment;      | staff of the facility                   |
| create MBRs, specs, lots; start batches;             |                                         |
| execute steps; draw samples; enter results;          |                                         |
| raise deviations; add CAPA actions; ship             |                                         |
| verify a critical step / a result (second person)    | staff of the facility, not the operator |
|                                                      | or analyst                              |
| approve MBR and spec versions, review batch records, | approver (QA) of the facility           |
| classify and close deviations, disposition           |                                         |
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from bioproof.consortium.models import Membership
from bioproof.core.policy import is_authenticated, is_platform_admin, org_ids

Role = Membership.Role
NOTHING = Q(pk__in=[])

# For each queryset name: the paths to the facility and to the customer organization (None: the
# customer does not see it).
_PATHS: dict[str, tuple[str, str | None]] = {
    "order": ("facility_id", "customer_id"),
    "construct": ("order__facility_id", "order__customer_id"),
    "facility": ("facility_id", None),
    "mbr_version": ("recipe__facility_id", None),
    "spec_version": ("specification__facility_id", None),
    "batch": ("facility_id", "order__customer_id"),
    "step": ("batch__facility_id", "batch__order__customer_id"),
    "entry": ("step__batch__facility_id", "step__batch__order__customer_id"),
    "batch_child": ("batch__facility_id", "batch__order__customer_id"),
    "deviation": ("facility_id", "batch__order__customer_id"),
    "capa": ("deviation__facility_id", None),
    "custody": ("shipment__batch__facility_id", "shipment__batch__order__customer_id"),
    "order_booking": ("order__facility_id", "order__customer_id"),
}


def visibility(name: str, user: Any) -> Q:
    """The filter of records of kind ``name`` that ``user`` may see."""
    if is_platform_admin(user):
        return Q()
    if not is_authenticated(user):
        return NOTHING
    orgs = org_ids(user)
    if not orgs:
        return NOTHING
    facility, customer = _PATHS[name]
    q = Q(**{f"{facility}__in": orgs})
    if customer is not None:
        customer_q = Q(**{f"{customer}__in": orgs})
        q |= customer_q
    return q


def result_visibility(user: Any) -> Q:
    """Test results: the facility sees all, the customer only verified ones."""
    if is_platform_admin(user):
        return Q()
    if not is_authenticated(user):
        return NOTHING
    orgs = org_ids(user)
    return Q(batch__facility_id__in=orgs) | Q(batch__order__customer_id__in=orgs, status="verified")


def _has(user: Any, org: Any, *roles: str) -> bool:
    return is_authenticated(user) and org is not None and user.has_role(org, *roles)


def is_customer_staff(user: Any, order: Any) -> bool:
    return _has(user, order.customer_id, Role.STAFF, Role.APPROVER)


def is_customer_signatory(user: Any, order: Any) -> bool:
    return _has(user, order.customer_id, Role.APPROVER)


def is_facility_staff(user: Any, facility_id: int) -> bool:
    return _has(user, facility_id, Role.STAFF, Role.EVALUATOR)


def is_qa(user: Any, facility_id: int) -> bool:
    """Quality assurance of the facility: its approvers (and org admins)."""
    return _has(user, facility_id, Role.APPROVER)


def is_facility_member(user: Any, facility_id: int) -> bool:
    return is_authenticated(user) and facility_id in org_ids(user)
