"""Programme indicators of center services against hand-computed values."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from bioproof.facilities import actions
from bioproof.facilities.models import Booking
from bioproof.programme import indicators
from bioproof.programme.indicators import Filters, summarise

from ..facilities.conftest import at, fp, sub50  # noqa: F401  (fixtures)


def test_utilisation_from_bookings(sub50: Any, fp: dict, orgs: dict) -> None:  # noqa: F811
    # one 4-hour booking on the center's only equipment
    booking = actions.book(by=fp["a_staff"], equipment=sub50, starts_at=at(1, 9), ends_at=at(1, 13))
    facts = indicators.utilisation()
    q = indicators.quarter(booking.starts_at)
    row = next(f for f in facts if f["q"] == q)
    year, part = int(q[:4]), int(q[-1])
    start = dt.datetime(year, 3 * part - 2, 1)
    end = dt.datetime(year + (part == 4), (3 * part) % 12 + 1, 1)
    hours = (end - start).total_seconds() / 3600  # one equipment × the quarter's hours
    assert row["booked_h"] == pytest.approx(4.0)
    assert row["available_h"] == pytest.approx(hours)
    assert row["orgs"] == [orgs["supplier_a"].pk]
    s = summarise({"utilisation": facts}, Filters())
    assert s["headline"]["utilisation"].value == pytest.approx(100 * 4 / hours)
    # the public page never shows one customer's use
    assert summarise({"utilisation": facts}, Filters(), k=3)["headline"]["utilisation"].suppressed


def _seoul(day: str, hour: int) -> dt.datetime:
    return dt.datetime.fromisoformat(f"{day}T{hour:02d}:00").replace(tzinfo=indicators.SEOUL)


@pytest.mark.tampers  # rows written in bulk, in the past, in states the actions reach over time
def test_utilisation_sums_by_hand_over_orgs_quarters_and_states(
    sub50: Any,  # noqa: F811
    fp: dict,  # noqa: F811
    orgs: dict,
) -> None:
    second = actions.register_equipment(
        by=fp["evaluator"],
        center=orgs["center"],
        code="ACC-SUB-200",
        name_ko="200 L",
        name_en="200 L",
        kind="sub",
        equipment_class="bioreactor.single-use",
    )
    a, b = orgs["supplier_a"], orgs["supplier_b"]
    rows = [
        # (equipment, org, user, start day, hour, hours, status, used minutes)
        (sub50, a, fp["a_staff"], "2026-01-10", 9, 4, "completed", 200),
        (second, b, fp["b_user"], "2026-02-01", 10, 6, "released", None),  # no-show: held
        (sub50, a, fp["a_staff"], "2026-03-05", 9, 5, "cancelled", None),  # not held
        (sub50, b, fp["b_user"], "2026-03-06", 9, 7, "rejected", None),  # not held
        (sub50, b, fp["b_user"], "2026-03-07", 9, 8, "requested", None),  # not yet held
        (second, a, fp["a_staff"], "2026-03-20", 8, 3, "confirmed", None),
        # 01:00 on 1 April in Seoul is 31 March in UTC: the second quarter (Asia/Seoul)
        (second, a, fp["a_staff"], "2026-04-01", 1, 2, "completed", 90),
    ]
    Booking.objects.bulk_create(
        Booking(
            code=f"BK-T-{i}",
            equipment=eq,
            organization=org,
            user=user,
            booked_by=user,
            mode="self",
            customer_type="sme",
            starts_at=_seoul(day, hour),
            ends_at=_seoul(day, hour) + dt.timedelta(hours=h),
            block_until=_seoul(day, hour) + dt.timedelta(hours=h),
            status=status,
            used_minutes=used,
        )
        for i, (eq, org, user, day, hour, h, status, used) in enumerate(rows)
    )
    facts = {f["q"]: f for f in indicators.utilisation()}
    assert sorted(facts) == ["2026-Q1", "2026-Q2"]
    q1, q2 = facts["2026-Q1"], facts["2026-Q2"]
    # Q1: 4 + 6 + 3 h held; 200 min used; one no-show; two equipment × 90 days × 24 h
    assert q1["booked_h"] == pytest.approx(13.0)
    assert q1["used_h"] == pytest.approx(3.333)
    assert q1["no_shows"] == 1
    assert q1["available_h"] == pytest.approx(2 * 90 * 24)
    assert q1["orgs"] == sorted([a.pk, b.pk])
    assert q1["center"] == orgs["center"].pk
    # Q2: 2 h held, 90 min used; 91 days
    assert (q2["booked_h"], q2["used_h"], q2["no_shows"]) == (2.0, 1.5, 0)
    assert q2["available_h"] == pytest.approx(2 * 91 * 24)
    assert q2["orgs"] == [a.pk]
    s = summarise({"utilisation": list(facts.values())}, Filters())
    assert s["headline"]["utilisation"].value == pytest.approx(100 * 15 / (2 * 181 * 24))


def test_no_services_no_figures(db: Any) -> None:
    assert indicators.utilisation() == []
    assert indicators.service_revenue() == []
    assert indicators.mrna_released() == []
    s = summarise(indicators.compute_all()["facts"], Filters())
    assert s["headline"]["mrna_released"].value == 0
    assert s["headline"]["utilisation"].value is None
    assert timezone.now()  # the snapshot computation needs no service record


@pytest.mark.tampers  # bookings bulk-created in the past
def test_drill_down_to_bookings_counts_only_its_numbered_pages(
    sub50: Any,  # noqa: F811
    fp: dict,  # noqa: F811
    orgs: dict,
) -> None:
    from django.contrib.auth import get_user_model
    from django.test import Client

    start = _seoul("2025-01-01", 8)
    user = fp["a_staff"]
    Booking.objects.bulk_create(
        Booking(
            code=f"BK-D-{i}",
            equipment=sub50,
            organization=orgs["supplier_a"],
            user=user,
            booked_by=user,
            mode="self",
            customer_type="sme",
            starts_at=start + dt.timedelta(hours=2 * i),
            ends_at=start + dt.timedelta(hours=2 * i + 1),
            block_until=start + dt.timedelta(hours=2 * i + 1),
            status="completed",
        )
        for i in range(520)  # more than 10 pages of 50
    )
    office = get_user_model().objects.create_superuser("office", "o@example.org", "x-Pass-2026!")
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(office)
    page = client.get("/programme/office/records/utilisation/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Page 1 of 10+" in html
    assert "BK-D-519" in html and "BK-D-469" not in html  # newest first, 50 a page
    last = client.get("/programme/office/records/utilisation/", {"page": 10})
    cursor = last.context["page"].next_cursor
    rest = client.get("/programme/office/records/utilisation/", {"after": cursor})
    assert [b.code for b in rest.context["page"]] == [f"BK-D-{i}" for i in range(19, -1, -1)]
