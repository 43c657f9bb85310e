"""Who sees and does what with an evaluation.

Visibility: the product's supplier and the evaluating center see the evaluation and everything
in it (runs, data, results, reports) — and, for a demand-tailored evaluation, the demand company
whose need it answers; nobody else does until a track record is published, and then only through
the public track-record pages. Platform admins see all. When the need is not public (consortium or
private), the public pages, the public API, the search index and /verify/ never show its title,
reference (incumbent), scale, process context or the need's own criteria values
(``Evaluation.public_*``), and the PDF report is served to the parties only.

Actions (role within the organization; org admins hold every role of their organization).
A demand company may request an evaluation for its own need once it accepted the supplier's
proposal for that need (see :func:`can_request`).

| step                              | who                                            |
|-----------------------------------|------------------------------------------------|
| request                           | supplier staff (or demand staff, for its need) |
| accept / ask for information / reject  | center staff or evaluator                 |
| answer a request for information  | supplier staff                                 |
| protocol: template, criteria      | center staff or evaluator (while planning)     |
| sign the protocol ("approved")    | center approver                                |
| runs / data / analyse / deviations / report | center staff or evaluator           |
| sign "authored"                   | center evaluator                               |
| sign "reviewed"                   | center reviewer (not the author)               |
| sign "approved"                   | center approver (not the author or reviewer)   |
| consent to publishing (1)         | org admin of the demand company of the need    |
| publish (consent)                 | supplier org admin (after (1), if it is due)   |
| withdraw publication              | supplier or demand org admin, center approver  |
| start a correction (new version)  | center approver                                |

(1) a demand-tailored evaluation only: the demand company whose need it answers consents to its
publication (each version), before the supplier may publish.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from bioproof.consortium.models import Membership
from bioproof.core.policy import is_authenticated, is_platform_admin, org_ids

Role = Membership.Role


def evaluation_visibility(user: Any) -> Q:
    if is_platform_admin(user):
        return Q()
    if not is_authenticated(user):
        return Q(pk__in=[])
    orgs = org_ids(user)
    # the supplier, the center, and for a demand-tailored evaluation the demand company whose
    # need (process, criteria) it answers: the three parties to it
    return (
        Q(product__supplier_id__in=orgs) | Q(center_id__in=orgs) | Q(need__organization_id__in=orgs)
    )


def is_center_operator(user: Any, evaluation: Any) -> bool:
    return is_authenticated(user) and user.has_role(
        evaluation.center_id, Role.STAFF, Role.EVALUATOR
    )


def is_supplier_staff(user: Any, evaluation: Any) -> bool:
    return is_authenticated(user) and user.has_role(evaluation.product.supplier_id, Role.STAFF)


def can_withdraw_request(user: Any, evaluation: Any) -> bool:
    """The supplier's staff, or the person who made the request (a demand company's staff for a
    demand-tailored one), withdraw a request the center has not accepted yet."""
    return is_supplier_staff(user, evaluation) or (
        is_authenticated(user) and evaluation.requested_by_id == user.pk
    )


def can_request(user: Any, product: Any, need: Any = None) -> bool:
    """The supplier's staff; or, for a demand-tailored request, the staff of the demand company
    that posted ``need`` when the product's supplier answered the need with a proposal that the
    demand company accepted (``need.has_accepted_proposal_for(product)``)."""
    if not is_authenticated(user):
        return False
    if user.has_role(product.supplier_id, Role.STAFF):
        return True
    return (
        need is not None
        and user.has_role(need.organization_id, Role.STAFF)
        and bool(need.has_accepted_proposal_for(product))
    )


SIGN_ROLE = {"authored": Role.EVALUATOR, "reviewed": Role.REVIEWER, "approved": Role.APPROVER}


def can_sign(user: Any, evaluation: Any, meaning: str) -> bool:
    role = SIGN_ROLE.get(meaning)
    return bool(role) and is_authenticated(user) and user.has_role(evaluation.center_id, role)


def is_supplier_admin(user: Any, evaluation: Any) -> bool:
    return is_authenticated(user) and user.has_role(evaluation.product.supplier_id, Role.ORG_ADMIN)


def is_demand_admin(user: Any, evaluation: Any) -> bool:
    """The org admin of the demand company whose need a demand-tailored evaluation answers."""
    return (
        evaluation.need_id is not None
        and is_authenticated(user)
        and user.has_role(evaluation.need.organization_id, Role.ORG_ADMIN)
    )


def is_demand_staff(user: Any, evaluation: Any) -> bool:
    """Staff of the demand company whose need a demand-tailored evaluation answers."""
    return (
        evaluation.need_id is not None
        and is_authenticated(user)
        and user.has_role(evaluation.need.organization_id, Role.STAFF)
    )


def can_withdraw(user: Any, evaluation: Any) -> bool:
    return (
        is_supplier_admin(user, evaluation)
        or is_demand_admin(user, evaluation)
        or (is_authenticated(user) and user.has_role(evaluation.center_id, Role.APPROVER))
    )


def can_correct(user: Any, evaluation: Any) -> bool:
    return is_authenticated(user) and user.has_role(evaluation.center_id, Role.APPROVER)
