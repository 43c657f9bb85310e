"""Utilisation and revenue against hand-computed figures."""

from __future__ import annotations

import calendar
from typing import Any

import pytest
from openpyxl import load_workbook

from bioproof.facilities import actions, reporting

from .conftest import at

pytestmark = pytest.mark.django_db


def test_utilisation_and_revenue(sub50: Any, fp: dict, orgs: dict) -> None:
    a = actions.book(by=fp["a_staff"], equipment=sub50, starts_at=at(1, 9), ends_at=at(1, 12))
    actions.check_in(by=fp["a_staff"], booking=a, at=at(1, 9))
    actions.complete(by=fp["a_staff"], booking=a, at=at(1, 11))  # 2 h used of 3 booked
    actions.book(by=fp["a_staff"], equipment=sub50, starts_at=at(1, 13), ends_at=at(1, 15))
    assert len(actions.release_no_shows(at=at(1, 14, 1))) == 1  # a no-show, 2 h booked
    actions.add_blackout(
        by=fp["evaluator"], equipment=sub50, starts_at=at(1, 20), ends_at=at(1, 23), reason="PM"
    )
    day = at(1).date()
    rows = reporting.utilisation(orgs["center"], day.year)
    (row,) = [r for r in rows if r["month"] == f"{day.year}-{day.month:02d}"]
    available = calendar.monthrange(day.year, day.month)[1] * 24 - 3
    assert row == {
        "equipment": "ACC-SUB-50",
        "month": f"{day.year}-{day.month:02d}",
        "available_h": available,
        "booked_h": 5.0,
        "used_h": 2.0,
        "no_shows": 1,
        "booked_pct": round(500 / available, 1),
        "used_pct": round(200 / available, 1),
    }
    revenue = reporting.revenue(orgs["center"], day.year)
    assert [(r["customer_type"], r["funding_line"], r["total_krw"]) for r in revenue] == [
        ("sme", "self_use", 120_000)  # 2 h × 60,000 (SME, self-use)
    ]
    wb = load_workbook(
        __import__("io").BytesIO(reporting.xlsx(orgs["center"], day.year, rows, revenue))
    )
    assert wb["utilisation"]["D2"].value == 5.0 and wb["revenue"]["E2"].value == 120_000


def test_release_command(sub50: Any, fp: dict) -> None:
    from io import StringIO

    from django.core.management import CommandError, call_command

    b = actions.book(by=fp["a_staff"], equipment=sub50, starts_at=at(1, 9), ends_at=at(1, 12))
    out = StringIO()
    call_command("facilities_release", "--at", at(1, 10, 1).strftime("%Y-%m-%d %H:%M"), stdout=out)
    assert f"{b.code}\tACC-SUB-50" in out.getvalue() and "1 bookings released" in out.getvalue()
    with pytest.raises(CommandError, match="not a date"):
        call_command("facilities_release", "--at", "soon")
