"""Who sees which product.

| viewer                         | draft product | listed product |
|--------------------------------|---------------|----------------|
| the supplier's own members     | yes           | yes            |
| a center evaluating it         | yes           | yes            |
| anyone else, anonymous too     | no            | yes            |
"""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, Q

from bioproof.consortium.models import Membership
from bioproof.core.policy import is_authenticated, is_platform_admin, org_ids


def evaluated_by(user: Any) -> Any:
    """Ids of the products a center of the user's evaluates (any evaluation, any state)."""
    from bioproof.evaluations.models import Evaluation

    return Evaluation.objects.filter(center_id__in=org_ids(user)).values("product_id")


def product_visibility(user: Any) -> Q:
    """The rules of the table above. The search index holds the first two as its audience
    (*public* when listed, else *owner* = the supplier) and the search prefilter adds
    :func:`evaluated_by` as it is (``bioproof.search.query._policy``; tests/search pin the two
    together over the whole role × organization × state matrix)."""
    if is_platform_admin(user):
        return Q()
    q = Q(status="listed")
    if is_authenticated(user):
        from bioproof.evaluations.models import Evaluation

        orgs = org_ids(user)
        # one row per product: the party branches are a column test and an EXISTS (no join,
        # so no DISTINCT over the wide rows is ever needed)
        evaluating = Evaluation.objects.filter(product_id=OuterRef("pk"), center_id__in=orgs)
        q |= Q(supplier_id__in=orgs) | Q(Exists(evaluating))
    return q


def can_manage_product(user: Any, supplier_id: int) -> bool:
    return is_authenticated(user) and user.has_role(supplier_id, Membership.Role.STAFF)
