"""Scheduling an accepted order on the facility's equipment through facilities bookings: all or
nothing, every booking rule, refused before acceptance, the customer sees dates only."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from bioproof.core.errors import ConflictError, DomainError, InvalidTransition, PolicyDenied
from bioproof.core.models import AuditEvent
from bioproof.facilities import actions as facilities
from bioproof.facilities.models import Booking, Equipment
from bioproof.production import actions
from bioproof.production.models import Order, OrderBooking

from ..facilities.conftest import at, qualify

pytestmark = pytest.mark.django_db


def _equipment(pp: dict[str, Any], facility: Any, code: str, cls: str) -> Equipment:
    return facilities.register_equipment(
        by=pp["op1"],
        center=facility,
        code=code,
        name_ko=code,
        name_en=code,
        kind="other",
        equipment_class=cls,
        calibration_due=timezone.localdate() + dt.timedelta(days=90),
        qualification_due=timezone.localdate() + dt.timedelta(days=200),
        gmp=True,
    )


@pytest.fixture
def suite(pp: dict[str, Any], facility: Any) -> dict[str, Equipment]:
    eq = {
        "ivt": _equipment(pp, facility, "T-IVT-01", "ivt-reactor"),
        "tff": _equipment(pp, facility, "T-TFF-01", "tff-system"),
    }
    for key in ("ivt-reactor", "tff-system"):
        qualify(pp["op2"], pp["op1"], facility, key)
    return eq


def _plan() -> list[dict[str, Any]]:
    return [
        {"equipment_code": "T-IVT-01", "starts_at": at(3, 9), "ends_at": at(3, 17)},
        {"equipment_code": "T-TFF-01", "starts_at": at(4, 9), "ends_at": at(4, 15)},
    ]


def test_schedule_books_and_links(accepted: Order, pp, suite) -> None:
    links = actions.schedule_order(by=pp["op1"], order=accepted, plan=_plan())
    assert [link.booking.equipment.code for link in links] == ["T-IVT-01", "T-TFF-01"]
    bookings = Booking.objects.filter(production_order__order=accepted).order_by("starts_at")
    assert bookings.count() == 2
    first = bookings[0]
    assert first.status == "confirmed" and first.gmp is True
    assert first.organization_id == accepted.facility_id and first.user_id == pp["op1"].pk
    assert accepted.code in first.purpose
    event = AuditEvent.objects.filter(action="production.order_scheduled").get()
    assert [b["code"] for b in event.after["bookings"]] == [b.code for b in bookings]
    assert AuditEvent.objects.filter(action="facilities.booked").count() == 2


def test_refused_before_acceptance(order: Order, pp, suite) -> None:
    with pytest.raises(InvalidTransition):
        actions.schedule_order(by=pp["op1"], order=order, plan=_plan())
    actions.submit_order(by=pp["cust"], order=order)
    actions.quote_order(by=pp["op1"], order=order, amount_krw=1_000, lead_days=10)
    with pytest.raises(InvalidTransition, match="schedule"):
        actions.schedule_order(by=pp["op1"], order=order, plan=_plan())
    assert not Booking.objects.exists() and not OrderBooking.objects.exists()


def test_only_facility_staff_schedule(accepted: Order, pp, suite) -> None:
    for who in ("cust", "cust_signer", "b_admin"):
        with pytest.raises(PolicyDenied):
            actions.schedule_order(by=pp[who], order=accepted, plan=_plan())
    assert not Booking.objects.exists()


def test_clash_rolls_back_every_booking(accepted: Order, pp, suite) -> None:
    other = facilities.book(
        by=pp["op2"],
        equipment=suite["tff"],
        starts_at=at(4, 13),
        ends_at=at(4, 18),
        user=pp["op2"],
        mode="assisted",
        staff=pp["op1"],
    )
    with pytest.raises(ConflictError, match="T-TFF-01 is already booked") as info:
        actions.schedule_order(by=pp["op1"], order=accepted, plan=_plan())
    assert info.value.status_code == 409 and "Plan line 2" in info.value.message
    assert list(Booking.objects.values_list("pk", flat=True)) == [other.pk]  # IVT rolled back
    assert not OrderBooking.objects.exists()
    assert not AuditEvent.objects.filter(action="production.order_scheduled").exists()


def test_booking_rules_apply(accepted: Order, pp, suite, facility) -> None:
    plan = [{"equipment_code": "T-IVT-01", "starts_at": at(3, 9), "ends_at": at(3, 9, 30)}]
    with pytest.raises(DomainError, match="at least 60 minutes"):
        actions.schedule_order(by=pp["op1"], order=accepted, plan=plan)
    # an operator without the qualification is refused with the facilities message
    plan = [{**_plan()[0], "operator": "op2"}]
    with pytest.raises(DomainError, match="no valid qualification"):
        actions.schedule_order(by=pp["op1"], order=accepted, plan=plan)
    # equipment of another center is not the facility's
    plan = [{**_plan()[0], "equipment_code": "NOPE-1"}]
    with pytest.raises(DomainError, match="has no equipment NOPE-1"):
        actions.schedule_order(by=pp["op1"], order=accepted, plan=plan)
    assert not Booking.objects.exists()


def _client(user: Any) -> Client:
    c = Client(HTTP_ACCEPT_LANGUAGE="en")
    c.force_login(user)
    return c


def test_order_page_shows_dates_to_customer_only(accepted: Order, pp, suite) -> None:
    links = actions.schedule_order(by=pp["op1"], order=accepted, plan=_plan())
    code = links[0].booking.code
    url = f"/production/orders/{accepted.code}/"
    staff_page = _client(pp["op1"]).get(url).content.decode()
    assert code in staff_page and "T-IVT-01" in staff_page
    customer_page = _client(pp["cust"]).get(url).content.decode()
    start = timezone.localtime(links[0].booking.starts_at).strftime("%Y-%m-%d %H:%M")
    assert start in customer_page
    assert code not in customer_page and "T-IVT-01" not in customer_page
    assert _client(pp["b_admin"]).get(url).status_code == 404
    assert not OrderBooking.objects.visible_to(pp["b_admin"]).exists()
    assert OrderBooking.objects.visible_to(pp["cust"]).count() == 2


def test_order_page_schedules_through_the_form(accepted: Order, pp, suite) -> None:
    fmt = "%Y-%m-%d %H:%M"
    plan = "\n".join(
        f"{line['equipment_code']}; {line['starts_at'].strftime(fmt)}; "
        f"{line['ends_at'].strftime(fmt)}"
        for line in _plan()
    )
    url = f"/production/orders/{accepted.code}/"
    response = _client(pp["op1"]).post(url, {"action": "schedule", "plan": plan}, follow=True)
    assert response.status_code == 200
    assert OrderBooking.objects.filter(order=accepted).count() == 2
    # the customer cannot post a schedule
    _client(pp["cust"]).post(url, {"action": "schedule", "plan": plan})
    assert OrderBooking.objects.filter(order=accepted).count() == 2


def test_schedule_api(accepted: Order, pp, suite) -> None:
    url = f"/api/production/orders/{accepted.code}/schedule"
    body = {
        "plan": [
            {
                **line,
                "starts_at": line["starts_at"].isoformat(),
                "ends_at": line["ends_at"].isoformat(),
            }
            for line in _plan()
        ]
    }
    refused = _client(pp["cust"]).post(url, body, content_type="application/json")
    assert refused.status_code == 403
    made = _client(pp["op1"]).post(url, body, content_type="application/json")
    assert made.status_code == 201, made.content
    assert [r["equipment"] for r in made.json()] == ["T-IVT-01", "T-TFF-01"]
    again = _client(pp["op1"]).post(url, body, content_type="application/json")
    assert again.status_code == 409 and "already booked" in again.json()["detail"]
    assert OrderBooking.objects.count() == 2
    seen = _client(pp["cust"]).get(url).json()
    assert len(seen) == 2 and all(r["code"] is None and r["equipment"] is None for r in seen)
    assert _client(pp["b_admin"]).get(url).status_code == 404
