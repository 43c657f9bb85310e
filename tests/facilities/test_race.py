"""Concurrent bookings of one slot (PostgreSQL: real row locks and the exclusion constraint
between connections): exactly one succeeds, the others get a clear 409, none a 500."""

from __future__ import annotations

import contextlib
from typing import Any

import pytest

from bioproof.consortium import actions as consortium
from bioproof.facilities import actions
from bioproof.facilities.models import Booking

from ..races import assert_only_ok_or_409, race, require_postgresql, tally
from .conftest import PASSWORD, at

THREADS = 24


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_one_slot_many_clients_exactly_one_booking(sub50: Any, fp: dict, orgs: dict) -> None:
    require_postgresql()
    users = [
        consortium.create_user(
            by=None,
            username=f"booker{i}",
            password=PASSWORD,
            organization=orgs["center"],
            roles=["staff"],
        )
        for i in range(THREADS)
    ]
    # assisted by the qualified operator: the only gate left is the slot itself;
    # overlapping but different windows, so the database compares ranges, not equal rows
    outcomes = race(
        THREADS,
        lambda i: users[i],
        lambda i, user: (
            actions.book(
                by=user,
                equipment=sub50,
                starts_at=at(3, 9, i),
                ends_at=at(3, 12, i),
                mode="assisted",
                staff=fp["operator"],
            ).code
        ),
    )
    assert_only_ok_or_409(outcomes)
    counts = tally(outcomes)
    assert counts["ok"] == 1, outcomes
    assert counts[409] == THREADS - 1
    assert Booking.objects.filter(equipment=sub50).count() == 1
    assert any("already booked" in str(o[1]) for o in outcomes if o[0] == 409)


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_database_constraint_alone_gives_409(sub50: Any, fp: dict, monkeypatch: Any) -> None:
    """Take the row lock and the overlap check away: the exclusion constraint still lets exactly
    one through and the others end in a 409, not a 500."""
    require_postgresql()
    from bioproof.facilities.actions import bookings

    monkeypatch.setattr(bookings, "_lock_equipment", lambda eq: eq)
    real_check = bookings.check_booking

    def no_overlap_check(equipment: Any, start: Any, end: Any, **kw: Any) -> None:
        with contextlib.suppress(bookings.ConflictError):  # the overlap is left to the database
            real_check(equipment, start, end, **kw)

    monkeypatch.setattr(bookings, "check_booking", no_overlap_check)
    outcomes = race(
        20,
        lambda i: None,
        lambda i, _: (
            actions.book(
                by=fp["operator"],
                equipment=sub50,
                starts_at=at(4, 9, i),
                ends_at=at(4, 12, i),
                mode="self",
            ).code
        ),
    )
    assert_only_ok_or_409(outcomes)
    assert tally(outcomes)["ok"] == 1, outcomes
    assert Booking.objects.filter(equipment=sub50).count() == 1
