"""Programme indicators of center services against hand-computed values."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from bioproof.facilities import actions
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


def test_no_services_no_figures(db: Any) -> None:
    assert indicators.utilisation() == []
    assert indicators.service_revenue() == []
    assert indicators.mrna_released() == []
    s = summarise(indicators.compute_all()["facts"], Filters())
    assert s["headline"]["mrna_released"].value == 0
    assert s["headline"]["utilisation"].value is None
    assert timezone.now()  # the snapshot computation needs no service record
