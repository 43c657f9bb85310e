"""Who sees which product.

| viewer                         | draft product | listed product |
|--------------------------------|---------------|----------------|
| the supplier's own members     | yes           | yes            |
| a center evaluating it         | yes           | yes            |
| anyone else, anonymous too     | no            | yes            |
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from bioproof.consortium.models import Membership
from bioproof.core.policy import is_authenticated, is_platform_admin, org_ids


def product_visibility(user: Any) -> Q:
    if is_platform_admin(user):
        return Q()
    q = Q(status="listed")
    if is_authenticated(user):
        orgs = org_ids(user)
        q |= Q(supplier_id__in=orgs) | Q(evaluations__center_id__in=orgs)
    return q


def can_manage_product(user: Any, supplier_id: int) -> bool:
    return is_authenticated(user) and user.has_role(supplier_id, Membership.Role.STAFF)
