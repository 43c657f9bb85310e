"""Concurrent operators on one batch (PostgreSQL: real row locks between connections): the same
step recorded at once ends in one success and clear 409s, never a duplicated entry."""

from __future__ import annotations

from collections import Counter

import pytest

from bioproof.production import actions
from bioproof.production.models import BatchStep, StepEntry

from ..races import race, require_postgresql
from .conftest import GOOD, PASSWORD

THREADS = 8


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_same_step_recorded_once(batch, pp) -> None:
    require_postgresql()
    step = batch.steps.get(key="LIN-01")
    people = [pp["op1"], pp["op2"], pp["other_center"]]
    outcomes = race(
        THREADS,
        lambda i: people[i % len(people)],
        lambda i, user: actions.record_step(by=user, step=step, values=GOOD["LIN-01"]).pk,
    )
    kinds = Counter(o[0] for o in outcomes)
    assert kinds == {"ok": 1, 409: THREADS - 1}, outcomes
    assert StepEntry.objects.filter(step=step).count() == 1
    # the next step is taken by one of several operators at once; its verification likewise
    ivt = batch.steps.get(key="IVT-01")
    assert BatchStep.objects.get(pk=ivt.pk).status == "pending"


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_verification_signed_once(batch, pp, lot, ready) -> None:
    require_postgresql()
    actions.record_step(by=pp["op1"], step=batch.steps.get(key="LIN-01"), values=GOOD["LIN-01"])
    ivt = batch.steps.get(key="IVT-01")
    actions.record_step(
        by=pp["op1"],
        step=ivt,
        values=GOOD["IVT-01"],
        equipment_code="MF-IVT-01",
        materials=[{"lot": lot, "quantity": "20 mL"}],
    )
    people = [pp["op2"], pp["other_center"]]
    outcomes = race(
        4,
        lambda i: people[i % 2],
        lambda i, user: actions.verify_step(by=user, step=ivt, password=PASSWORD).pk,
    )
    kinds = Counter(o[0] for o in outcomes)
    assert kinds["ok"] == 1 and kinds[409] == 3, outcomes
