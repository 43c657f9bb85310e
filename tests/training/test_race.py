"""Concurrent enrollment into the last seat (PostgreSQL: real row locks between connections)."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection, connections

from bioproof.consortium import actions as consortium
from bioproof.training import actions
from bioproof.training.models import Enrollment

from .conftest import PASSWORD

THREADS = 24


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_last_seat_goes_to_exactly_one(make_session: Any, tp: dict, t_orgs: dict) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("row locks between connections need PostgreSQL")
    session = make_session(10, 1, capacity=2)
    actions.enroll(by=tp["trainee_a"], session=session)  # one seat left
    users = [
        consortium.create_user(
            by=None,
            username=f"racer{i}",
            password=PASSWORD,
            organization=t_orgs["demand"],
            roles=["staff"],
        )
        for i in range(THREADS)
    ]
    barrier = threading.Barrier(THREADS)
    errors: list[BaseException] = []

    def run(user: Any) -> None:
        try:
            barrier.wait()
            actions.enroll(by=user, session=session)
        except Exception as exc:  # every failure is reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(u,)) for u in users]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    racers = Enrollment.objects.filter(trainee__in=users)
    confirmed = racers.filter(status="confirmed")
    assert confirmed.count() == 1
    assert session.seats_taken() == 2
    waitlisted = list(racers.filter(status="waitlisted").order_by("id"))
    assert len(waitlisted) == THREADS - 1
    # positions 1..N-1, in the order the rows were written (the lock's order)
    assert [e.waitlist_position for e in waitlisted] == list(range(1, THREADS))
    # the first on the waitlist gets the seat a cancellation frees, exactly once
    first = waitlisted[0]
    actions.cancel_enrollment(by=confirmed.get().trainee, enrollment=confirmed.get())
    first.refresh_from_db()
    assert first.status == "confirmed" and session.seats_taken() == 2
