"""``problems_for_code``: the question the mRNA production module asks before using equipment."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from bioproof.facilities import actions
from bioproof.facilities.readiness import problems_for_code

from .conftest import at

pytestmark = pytest.mark.django_db


def test_unknown_and_ready(sub50: Any) -> None:
    assert problems_for_code("NOPE-01", at=at(1, 10)) == ["Unknown equipment NOPE-01."]
    assert problems_for_code("ACC-SUB-50", at=at(1, 10)) == []
    assert problems_for_code("acc-sub-50", at=at(1, 10), gmp=True) == []


def test_status_and_due_dates(sub50: Any, fp: dict) -> None:
    actions.set_status(by=fp["evaluator"], equipment=sub50, status="out_of_service", reason="Motor")
    assert problems_for_code("ACC-SUB-50", at=at(1, 10)) == ["ACC-SUB-50 is Out of service: Motor"]
    actions.set_status(by=fp["evaluator"], equipment=sub50, status="available")
    actions.update_equipment(
        by=fp["evaluator"],
        equipment=sub50,
        qualification_due=timezone.localdate() + dt.timedelta(days=2),
    )
    assert problems_for_code("ACC-SUB-50", at=at(2, 10), gmp=True) == []
    problems = problems_for_code("ACC-SUB-50", at=at(3, 10), gmp=True)
    assert len(problems) == 1 and "equipment qualification was due" in problems[0]
    assert problems_for_code("ACC-SUB-50", at=at(3, 10), gmp=False) == []


def test_user_needs_a_booking_and_a_qualification(sub50: Any, fp: dict) -> None:
    problems = problems_for_code("ACC-SUB-50", at=at(1, 10), user=fp["a_staff"])
    assert len(problems) == 1 and "No booking of a_staff" in problems[0]
    actions.book(by=fp["a_staff"], equipment=sub50, starts_at=at(1, 9), ends_at=at(1, 12))
    assert problems_for_code("ACC-SUB-50", at=at(1, 10), user=fp["a_staff"]) == []
    # the booking is supplier A's: a colleague without the qualification is refused by name
    problems = problems_for_code("ACC-SUB-50", at=at(1, 10), user=fp["a_admin"])
    assert len(problems) == 1 and "a_admin holds no valid qualification" in problems[0]
    # a competitor's people have no booking
    problems = problems_for_code("ACC-SUB-50", at=at(1, 10), user=fp["b_user"])
    assert "No booking of b_user" in problems[0]
    # outside the booked time
    assert problems_for_code("ACC-SUB-50", at=at(1, 12, 30), user=fp["a_staff"])


def test_blackout_is_a_problem(sub50: Any, fp: dict) -> None:
    actions.add_blackout(
        by=fp["evaluator"], equipment=sub50, starts_at=at(5, 0), ends_at=at(6, 0), reason="PM"
    )
    problems = problems_for_code("ACC-SUB-50", at=at(5, 10))
    assert len(problems) == 1 and "PM" in problems[0]
