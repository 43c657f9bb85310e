"""Scheduling an accepted order on the facility's equipment through facilities bookings.

Every line of the plan is booked with :func:`bioproof.facilities.actions.bookings.book`, so
every booking rule applies (equipment status, GMP calibration and qualification, blackouts,
overlap under the equipment lock, qualifications of the operator). The whole plan is one
transaction: a refused line (a clash is a 409 with the facilities message) undoes every booking
of the plan."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from bioproof.consortium.models import User
from bioproof.core.errors import DomainError
from bioproof.core.locking import lock, lock_all
from bioproof.core.policy import require
from bioproof.production import policy
from bioproof.production.actions._common import record, require_user, text, transition
from bioproof.production.actions.orders import ORDER_TRANSITIONS
from bioproof.production.models import Grade, Order, OrderBooking

MAX_PLAN = 50


def _line_error(exc: DomainError, n: int) -> DomainError:
    """The same error class and message, prefixed with the plan line (the field stays)."""
    exc.message = _("Plan line %(n)d: %(m)s") % {"n": n, "m": exc.message}
    return exc


@transaction.atomic
def schedule_order(*, by: Any, order: Order, plan: list[dict[str, Any]]) -> list[OrderBooking]:
    """Book the facility's equipment for an accepted order: ``plan`` is a list of
    ``{"equipment_code", "starts_at", "ends_at"}`` with an optional ``"operator"`` (username of
    a facility staff member; default: ``by``). All or nothing."""
    from bioproof.facilities.actions.bookings import book
    from bioproof.facilities.models import Equipment, UseMode

    require_user(by)
    order = lock(order)
    require(
        policy.is_facility_staff(by, order.facility_id),
        _("Only the facility's staff may schedule the order."),
    )
    transition(order, ORDER_TRANSITIONS, "schedule")
    if not isinstance(plan, list) or not plan:
        raise DomainError(_("Give at least one plan line."), field="plan")
    if len(plan) > MAX_PLAN:
        raise DomainError(_("At most %(n)d plan lines.") % {"n": MAX_PLAN}, field="plan")
    resolved = []
    for n, line in enumerate(plan, start=1):
        if not isinstance(line, dict):
            raise DomainError(_("Plan line %(n)d is not an object.") % {"n": n}, field="plan")
        code = text(line.get("equipment_code"), "equipment_code", required=True, max_length=40)
        equipment = Equipment.objects.filter(code=code.upper(), center_id=order.facility_id).first()
        if equipment is None:
            raise DomainError(
                _("Plan line %(n)d: %(facility)s has no equipment %(code)s.")
                % {"n": n, "facility": order.facility, "code": code},
                field="equipment_code",
            )
        operator = by
        username = str(line.get("operator") or "").strip()
        if username:
            operator = User.objects.filter(username=username).first()
            if operator is None or not policy.is_facility_staff(operator, order.facility_id):
                raise DomainError(
                    _("Plan line %(n)d: %(who)s is not staff of %(facility)s.")
                    % {"n": n, "who": username[:150], "facility": order.facility},
                    field="operator",
                )
        resolved.append((n, line, equipment, operator))
    # Every equipment of the plan locked up front in primary-key order: two plans naming the
    # same instruments in another order wait for each other instead of deadlocking.
    lock_all(Equipment.objects.filter(pk__in={eq.pk for _n, _l, eq, _o in resolved}))
    links = []
    for n, line, equipment, operator in resolved:
        assisted = equipment.modes == "assisted"
        try:
            booking = book(
                by=by,
                equipment=equipment,
                starts_at=line.get("starts_at"),
                ends_at=line.get("ends_at"),
                user=operator,
                organization=order.facility,
                mode=UseMode.ASSISTED if assisted else UseMode.SELF,
                staff=operator if assisted else None,
                gmp=order.grade == Grade.GMP and equipment.gmp,
                purpose=f"{order.code} {order.title}"[:300],
            )
        except DomainError as exc:
            raise _line_error(exc, n) from None
        links.append(OrderBooking.objects.create(order=order, booking=booking, created_by=by))
    record(
        by,
        "production.order_scheduled",
        order,
        order.facility,
        after={
            "bookings": [
                {
                    "code": link.booking.code,
                    "equipment": link.booking.equipment.code,
                    "starts_at": link.booking.starts_at.isoformat(),
                    "ends_at": link.booking.ends_at.isoformat(),
                }
                for link in links
            ]
        },
    )
    return links


def schedule_rows(user: Any, order: Order) -> list[dict[str, Any]]:
    """The order's bookings as ``user`` may read them (pages and API): the facility (and platform
    admins) see the booking code, equipment and status; the customer only the dates."""
    from bioproof.core.policy import is_platform_admin

    facility = policy.is_facility_member(user, order.facility_id) or is_platform_admin(user)
    links = (
        OrderBooking.objects.visible_to(user)
        .filter(order=order)
        .select_related("booking__equipment")
        .order_by("booking__starts_at", "id")
    )
    rows = []
    for link in links:
        b = link.booking
        row: dict[str, Any] = {"starts_at": b.starts_at, "ends_at": b.ends_at}
        if facility:
            row.update(code=b.code, equipment=b.equipment.code, status=b.get_status_display())
        rows.append(row)
    return rows
