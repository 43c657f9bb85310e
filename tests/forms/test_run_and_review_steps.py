"""Runs in bulk from the protocol, editable before data, excluded (never deleted) with a reason;
a reviewer returns an evaluation for rework; the requester withdraws a request."""

from __future__ import annotations

from typing import Any

import pytest

from bioproof.core.errors import ConflictError, DomainError, InvalidTransition, PolicyDenied
from bioproof.core.models import AuditEvent
from bioproof.evaluations import actions as evaluations
from bioproof.evaluations import content
from bioproof.evaluations.models import Evaluation, Run
from bioproof.evaluations.samples import fed_batch_csv
from bioproof.notifications.models import Notification

from ..conftest import PASSWORD

pytestmark = pytest.mark.django_db


def _running(people: Any, requested: Evaluation) -> Evaluation:
    evaluations.accept(by=people["evaluator"], evaluation=requested)
    evaluations.sign_protocol(by=people["approver"], evaluation=requested, password=PASSWORD)
    requested.refresh_from_db()
    return requested


def test_runs_from_the_protocol_n_per_arm_once(people: Any, requested: Evaluation) -> None:
    ev = _running(people, requested)
    runs = evaluations.add_runs_from_protocol(
        by=people["evaluator"], evaluation=ev, batch_prefix="B-", equipment="STR-50"
    )
    plan = ev.protocol.plan["template"]
    assert sum(r.arm == "candidate" for r in runs) == plan["candidate_runs"]
    assert sum(r.arm == "reference" for r in runs) == plan["reference_runs"]
    assert {r.batch_id for r in runs} == {f"B-{r.label}" for r in runs}
    assert AuditEvent.objects.filter(action="run.added").count() == len(runs)
    with pytest.raises(DomainError):  # a second call adds nothing
        evaluations.add_runs_from_protocol(by=people["evaluator"], evaluation=ev)
    with pytest.raises(PolicyDenied):
        evaluations.add_runs_from_protocol(by=people["a_staff"], evaluation=ev)


def test_run_edit_before_data_and_exclusion_with_reason(
    client: Any, people: Any, requested: Evaluation
) -> None:
    ev = _running(people, requested)
    runs = {
        r.label: r
        for r in evaluations.add_runs_from_protocol(by=people["evaluator"], evaluation=ev)
    }
    c1 = runs["C1"]
    client.force_login(people["evaluator"])
    client.post(
        f"/evaluations/{ev.code}/runs/{c1.pk}/edit/", {"batch_id": "LOT-7", "equipment": "B2"}
    )
    c1.refresh_from_db()
    assert (c1.batch_id, c1.equipment) == ("LOT-7", "B2")
    event = AuditEvent.objects.get(action="run.updated")
    assert event.before["batch_id"] == "" and event.after["batch_id"] == "LOT-7"
    evaluations.upload_run_data(
        by=people["evaluator"], run=c1, filename="c1.csv", data=fed_batch_csv(seed=1)
    )
    with pytest.raises(ConflictError):  # data recorded: no silent edit any more
        evaluations.update_run(by=people["evaluator"], run=c1, batch_id="LOT-8")
    with pytest.raises(DomainError):
        evaluations.exclude_run(by=people["evaluator"], run=c1, reason=" ")
    client.post(f"/evaluations/{ev.code}/runs/{c1.pk}/exclude/", {"reason": "contaminated"})
    c1.refresh_from_db()
    assert c1.excluded_at is not None and c1.excluded_reason == "contaminated"
    assert Run.objects.filter(pk=c1.pk).exists()  # never deleted
    assert AuditEvent.objects.get(action="run.excluded").reason == "contaminated"
    snapshot = content.snapshot(ev)
    assert [r.get("excluded") for r in snapshot["runs"] if r["label"] == "C1"] == ["contaminated"]
    # the remaining runs get data; the analysis leaves the excluded run out
    for i, label in enumerate(sorted(set(runs) - {"C1"}), start=2):
        evaluations.upload_run_data(
            by=people["evaluator"],
            run=runs[label],
            filename=f"{label}.csv",
            data=fed_batch_csv(seed=i),
        )
    evaluations.analyse(by=people["evaluator"], evaluation=ev)
    c1.refresh_from_db()
    assert c1.kpis is None
    assert all(r.kpis for r in ev.runs.filter(excluded_at__isnull=True))


def test_reviewer_returns_for_rework_with_comment(people: Any, with_data: Evaluation) -> None:
    ev = evaluations.analyse(by=people["evaluator"], evaluation=with_data)
    evaluations.sign(by=people["evaluator"], evaluation=ev, meaning="authored", password=PASSWORD)
    with pytest.raises(PolicyDenied):  # only a reviewer
        evaluations.return_for_rework(by=people["a_admin"], evaluation=ev, reason="x")
    with pytest.raises(DomainError):
        evaluations.return_for_rework(by=people["reviewer"], evaluation=ev, reason="")
    new = evaluations.return_for_rework(
        by=people["reviewer"], evaluation=ev, reason="State the reference lot in the context."
    )
    ev.refresh_from_db()
    assert ev.status == Evaluation.Status.SUPERSEDED and not ev.is_current
    assert new.version == ev.version + 1 and new.is_current
    assert new.correction_reason == "State the reference lot in the context."
    event = AuditEvent.objects.get(action="evaluation.returned_for_rework")
    assert (
        event.reason == "State the reference lot in the context."
        and event.actor == people["reviewer"]
    )
    # the author is told; a competitor is not
    assert Notification.objects.filter(
        recipient=people["evaluator"], action="evaluation.returned_for_rework"
    ).exists()
    assert not Notification.objects.filter(
        recipient=people["b_admin"], action="evaluation.returned_for_rework"
    ).exists()
    # the rework can be analysed and signed again by the author
    evaluations.analyse(by=people["evaluator"], evaluation=new)
    evaluations.sign(by=people["evaluator"], evaluation=new, meaning="authored", password=PASSWORD)


def test_requester_withdraws_a_request(client: Any, people: Any, requested: Evaluation) -> None:
    with pytest.raises(PolicyDenied):
        evaluations.withdraw_request(by=people["b_admin"], evaluation=requested, reason="x")
    client.force_login(people["a_staff"])
    client.post(
        f"/evaluations/{requested.code}/step/withdraw_request/", {"reason": "wrong product"}
    )
    requested.refresh_from_db()
    assert requested.status == Evaluation.Status.CANCELLED
    assert requested.status_reason == "wrong product"
    assert Notification.objects.filter(
        recipient=people["evaluator"], action="evaluation.request_withdrawn"
    ).exists()
    with pytest.raises(InvalidTransition):
        evaluations.accept(by=people["evaluator"], evaluation=requested)
