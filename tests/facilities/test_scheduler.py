"""The solver proposes, the planner adjusts and commits through the booking action."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from bioproof.core.errors import ConflictError, DomainError
from bioproof.facilities import actions, scheduling, solver
from bioproof.facilities.models import Booking, WorkPackage

from .conftest import PASSWORD, at
from .test_projects import LINES

pytestmark = pytest.mark.django_db


def test_solver_minimizes_lateness_with_precedence_and_busy() -> None:
    tasks = [
        solver.Task("a", 10, 0, 10, (0,)),
        solver.Task("b", 10, 0, 20, (0,), predecessors=("a",)),
        solver.Task("c", 5, 0, 5, (0, 1)),
    ]
    sol = solver.solve(tasks, horizon=100, busy_equipment={1: [(0, 3)]}, time_limit=5)
    assert sol.status == "OPTIMAL"
    got = {a.key: a for a in sol.assignments}
    assert got["b"].start >= got["a"].end
    # c goes to equipment 1 after its busy block (3..8, 3 h late) or waits on 0; best total is 3
    assert sol.objective == 3 and sol.gap == 0


@pytest.fixture
def accepted(fp: dict, orgs: dict, sub50: Any) -> Any:
    project = actions.request_project(
        by=fp["a_staff"],
        company=orgs["supplier_a"],
        center=orgs["center"],
        title="Scale-up",
        organism="CHO",
        process_steps="runs",
        scale="50 L",
    )
    q = actions.draft_quote(
        by=fp["evaluator"], project=project, lines=LINES[:1], funding_line="test_service"
    )
    actions.send_quote(by=fp["evaluator"], quote=q)
    actions.accept_quote(by=fp["a_approver"], quote=q, password=PASSWORD)
    wp1 = actions.add_work_package(
        by=fp["evaluator"],
        project=project,
        title="Seed",
        equipment_class="bioreactor.single-use",
        duration_hours=24,
        release_at=at(2, 0),
        due_at=at(4, 0),
    )
    actions.add_work_package(
        by=fp["evaluator"],
        project=project,
        title="Production",
        equipment_class="bioreactor.single-use",
        duration_hours=48,
        release_at=at(2, 0),
        due_at=at(6, 0),
        predecessors=[wp1],
    )
    return project


def test_propose_and_commit(accepted: Any, fp: dict, sub50: Any) -> None:
    blocker = actions.book(by=fp["operator"], equipment=sub50, starts_at=at(2, 0), ends_at=at(2, 6))
    proposal = scheduling.propose(by=fp["evaluator"], center=accepted.center, now=at(1, 0))
    assert proposal.solver_status == "OPTIMAL"
    items = sorted(proposal.assignments, key=lambda a: a["start"])
    assert len(items) == 2
    assert all(a["staff"] == fp["operator"].pk for a in items)  # the only qualified staff
    # the first starts after the blocker and its buffer hour
    assert parse_datetime(items[0]["start"]) >= blocker.block_until
    made = scheduling.commit(by=fp["evaluator"], proposal=proposal)
    assert len(made) == 2 and all(b.project == accepted for b in made)
    assert set(WorkPackage.objects.values_list("status", flat=True)) == {"scheduled"}


def test_commit_when_a_slot_was_taken_meanwhile_books_nothing(
    accepted: Any, fp: dict, sub50: Any
) -> None:
    proposal = scheduling.propose(by=fp["evaluator"], center=accepted.center, now=at(1, 0))
    second = max(proposal.assignments, key=lambda a: a["start"])
    start = parse_datetime(second["start"])
    taken = actions.book(
        by=fp["operator"], equipment=sub50, starts_at=start, ends_at=start + dt.timedelta(hours=2)
    )
    with pytest.raises(ConflictError, match="nothing was committed"):
        scheduling.commit(by=fp["evaluator"], proposal=proposal)
    assert list(Booking.objects.all()) == [taken]
    assert set(WorkPackage.objects.values_list("status", flat=True)) == {"open"}


def test_gantt_page_propose_adjust_commit(accepted: Any, fp: dict, sub50: Any) -> None:
    from django.test import Client

    c = Client(HTTP_ACCEPT_LANGUAGE="en")
    c.force_login(fp["evaluator"])
    r = c.post("/facilities/centers/center/schedule/")
    assert r.status_code == 302, r.content
    page = c.get(r["Location"])
    assert page.status_code == 200 and b"<svg" in page.content and b"b-proposed" in page.content
    proposal = (
        accepted.center
        and __import__(
            "bioproof.facilities.models", fromlist=["ScheduleProposal"]
        ).ScheduleProposal.objects.get()
    )
    first = min(proposal.assignments, key=lambda a: a["start"])
    # the planner moves the first package one day later; the second then clashes → nothing booked
    later = timezone.localtime(parse_datetime(first["start"])) + dt.timedelta(days=1)
    r = c.post(r["Location"], {f"start_{first['work_package']}": later.strftime("%Y-%m-%dT%H:%M")})
    assert r.status_code == 200 and b"nothing was committed" in r.content
    assert Booking.objects.count() == 0
    r = c.post(f"/facilities/centers/center/schedule/{proposal.pk}/")
    assert r.status_code == 302 and Booking.objects.count() == 2
    assert c.get("/facilities/centers/center/schedule/").status_code == 200
    other = Client()
    other.force_login(fp["a_staff"])
    assert other.get(f"/facilities/centers/center/schedule/{proposal.pk}/").status_code == 404


def test_commit_refuses_an_adjustment_breaking_a_precedence(accepted: Any, fp: dict) -> None:
    proposal = scheduling.propose(by=fp["evaluator"], center=accepted.center, now=at(1, 0))
    first = min(proposal.assignments, key=lambda a: a["start"])
    second = max(proposal.assignments, key=lambda a: a["start"])
    early = timezone.localtime(parse_datetime(first["start"])) + dt.timedelta(hours=2)
    with pytest.raises(DomainError, match="before its predecessor"):
        scheduling.commit(
            by=fp["evaluator"],
            proposal=proposal,
            adjustments={second["work_package"]: early.strftime("%Y-%m-%d %H:%M")},
        )
    assert Booking.objects.count() == 0
