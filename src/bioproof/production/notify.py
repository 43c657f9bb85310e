"""Who hears of production events: the customer of an order, the facility's staff and QA.

The registry keeps only those who can see the object (``visible_to``), never the actor.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from bioproof.consortium.models import Membership
from bioproof.notifications.registry import members, rule
from bioproof.production.models import Batch, Deviation, Order

Role = Membership.Role


def _order_url(order: Order) -> str:
    return reverse("production_order", args=[order.code])


def _batch_url(batch: Batch) -> str:
    return reverse("production_batch", args=[batch.code])


rule(
    "production.order_submitted",
    Order,
    recipients=lambda event, o: members(o.facility_id, Role.STAFF),
    message=_("%(actor)s submitted the production order %(object)s: quote it"),
    url=_order_url,
)
rule(
    "production.order_quoted",
    Order,
    recipients=lambda event, o: members(o.customer_id, Role.APPROVER),
    message=_("%(actor)s quoted your production order %(object)s: accept it with your signature"),
    url=_order_url,
)
rule(
    "production.quote_accepted",
    Order,
    recipients=lambda event, o: members(o.facility_id, Role.STAFF),
    message=_("%(actor)s accepted the quote of %(object)s: schedule the batch"),
    url=_order_url,
)
rule(
    "production.deviation_raised",
    Deviation,
    recipients=lambda event, d: members(d.facility_id, Role.APPROVER),
    message=_("%(actor)s raised the deviation %(object)s: classify it"),
    url=lambda d: reverse("production_deviation", args=[d.code]),
)
rule(
    "production.batch_disposed",
    Batch,
    recipients=lambda event, b: members(b.order.customer_id, Role.STAFF, Role.APPROVER),
    message=_("%(actor)s decided the disposition of batch %(object)s"),
    url=_batch_url,
)
