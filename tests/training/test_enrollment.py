from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.utils import timezone

from bioproof.core.errors import DomainError, InvalidTransition, PolicyDenied
from bioproof.core.models import AuditEvent
from bioproof.training import actions
from bioproof.training.models import Enrollment

pytestmark = pytest.mark.django_db


def test_seats_then_waitlist_in_order(future_session: Any, tp: dict) -> None:
    a = actions.enroll(by=tp["trainee_a"], session=future_session)
    b = actions.enroll(by=tp["trainee_b"], session=future_session)
    d = actions.enroll(by=tp["trainee_d"], session=future_session)
    s = actions.enroll(by=tp["student"], session=future_session)
    assert [a.status, b.status] == ["confirmed", "confirmed"]
    assert (d.status, d.waitlist_position) == ("waitlisted", 1)
    assert (s.status, s.waitlist_position) == ("waitlisted", 2)
    assert a.organization.code == "supplier-a"  # the trainee's organization by default
    assert AuditEvent.objects.filter(action="training.enrolled").count() == 4


def test_cancellation_promotes_the_first_on_the_waitlist_once(
    future_session: Any, tp: dict
) -> None:
    a = actions.enroll(by=tp["trainee_a"], session=future_session)
    actions.enroll(by=tp["trainee_b"], session=future_session)
    d = actions.enroll(by=tp["trainee_d"], session=future_session)
    s = actions.enroll(by=tp["student"], session=future_session)
    actions.cancel_enrollment(by=tp["trainee_a"], enrollment=a, reason="conflict")
    d.refresh_from_db()
    s.refresh_from_db()
    assert d.status == "confirmed" and d.promoted_at is not None
    assert s.status == "waitlisted"
    assert future_session.seats_taken() == 2
    a.refresh_from_db()
    assert a.status == "cancelled" and not a.late_cancellation
    # cancelling a waitlist place promotes nobody
    actions.cancel_enrollment(by=tp["student"], enrollment=s)
    assert future_session.seats_taken() == 2
    assert AuditEvent.objects.filter(action="training.promoted").count() == 1
    with pytest.raises(InvalidTransition, match="cancelled already"):
        actions.cancel_enrollment(by=tp["trainee_a"], enrollment=a)


def test_late_cancellation_is_recorded(make_session: Any, tp: dict) -> None:
    session = make_session(3, 1)  # free cancellation ended 7 days before the start
    e = actions.enroll(by=tp["trainee_a"], session=session)
    actions.cancel_enrollment(by=tp["trainee_a"], enrollment=e)
    e.refresh_from_db()
    assert e.late_cancellation


def test_no_cancellation_by_the_trainee_once_started(today_session: Any, tp: dict) -> None:
    e = actions.enroll(by=tp["trainee_a"], session=today_session)
    with pytest.raises(InvalidTransition, match="has started"):
        actions.cancel_enrollment(by=tp["trainee_a"], enrollment=e)
    actions.cancel_enrollment(by=tp["coordinator"], enrollment=e, reason="no-show")


def test_twice_is_refused(future_session: Any, tp: dict) -> None:
    actions.enroll(by=tp["trainee_a"], session=future_session)
    with pytest.raises(InvalidTransition, match="already"):
        actions.enroll(by=tp["trainee_a"], session=future_session)


def test_company_nomination(future_session: Any, tp: dict, t_orgs: dict) -> None:
    e = actions.enroll(
        by=tp["a_admin"],
        session=future_session,
        trainee=tp["trainee_a2"],
        organization=t_orgs["supplier_a"],
    )
    assert e.nominated_by == tp["a_admin"] and e.status == "confirmed"
    # staff (not admin) cannot nominate; an admin cannot nominate another company's staff
    with pytest.raises(PolicyDenied):
        actions.enroll(
            by=tp["a_staff"],
            session=future_session,
            trainee=tp["trainee_a"],
            organization=t_orgs["supplier_a"],
        )
    with pytest.raises(PolicyDenied, match="not a member"):
        actions.enroll(
            by=tp["a_admin"],
            session=future_session,
            trainee=tp["trainee_b"],
            organization=t_orgs["supplier_a"],
        )
    # the nominating admin may cancel
    actions.cancel_enrollment(by=tp["a_admin"], enrollment=e)
    with pytest.raises(PolicyDenied):
        other = actions.enroll(by=tp["trainee_b"], session=future_session)
        actions.cancel_enrollment(by=tp["a_admin"], enrollment=other)


def test_closed_after_the_first_day_except_for_the_provider(make_session: Any, tp: dict) -> None:
    session = make_session(0, 2)
    session.starts_on = timezone.localdate() - dt.timedelta(days=1)
    # (a session that started yesterday: planned through the action, dates moved for the test)
    from bioproof.training.models import Session

    Session.objects.filter(pk=session.pk).update(starts_on=session.starts_on)
    with pytest.raises(InvalidTransition, match="enrollment is closed"):
        actions.enroll(by=tp["trainee_a"], session=session)
    e = actions.enroll(by=tp["coordinator"], session=session, trainee=tp["trainee_a"])
    assert e.status == "confirmed" and e.nominated_by == tp["coordinator"]


def test_prerequisites(course: Any, provider: Any, tp: dict, t_orgs: dict) -> None:
    from .conftest import course_fields

    advanced = actions.create_course(
        by=tp["coordinator"],
        provider=provider,
        code="USP-301",
        **course_fields(
            prerequisites=[{"course": "USP-201"}, {"qualification": "bioreactor.single-use"}]
        ),
    )
    advanced = actions.set_course_status(by=tp["coordinator"], course=advanced, status="published")
    start = timezone.localdate() + dt.timedelta(days=20)
    session = actions.create_session(
        by=tp["coordinator"],
        course=advanced,
        center=t_orgs["center"],
        starts_on=start,
        ends_on=start,
        instructors=[tp["instructor"]],
    )
    with pytest.raises(
        DomainError,
        match=re.escape(
            "Prerequisites not met: a valid certificate of USP-201; "
            "the qualification bioreactor.single-use"
        ),
    ):
        actions.enroll(by=tp["trainee_a"], session=session)


def test_cancelled_session_cancels_everyone(future_session: Any, tp: dict) -> None:
    e = actions.enroll(by=tp["trainee_a"], session=future_session)
    actions.cancel_session(by=tp["coordinator"], session=future_session, reason="instructor ill")
    e.refresh_from_db()
    assert e.status == "cancelled" and "instructor ill" in e.cancel_reason
    with pytest.raises(InvalidTransition):
        actions.enroll(by=tp["trainee_b"], session=future_session)


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"starts_on": "2026-13-01"}, "is not a date"),
        ({"ends_on": "2020-01-01"}, "last day is before the first day"),
        ({"capacity": 0}, "out of range"),
        ({"capacity": "ten"}, "is not a number"),
        ({"instructors": []}, "at least one instructor"),
    ],
)
def test_bad_session_input(course: Any, tp: dict, t_orgs: dict, kw: dict, message: str) -> None:
    start = timezone.localdate() + dt.timedelta(days=5)
    args: dict[str, Any] = {
        "starts_on": start,
        "ends_on": start,
        "capacity": 5,
        "instructors": [tp["instructor"]],
    }
    args.update(kw)
    with pytest.raises(DomainError, match=message):
        actions.create_session(by=tp["coordinator"], course=course, center=t_orgs["center"], **args)
    assert not Enrollment.objects.exists()


def test_bad_course_input(provider: Any, tp: dict) -> None:
    from .conftest import course_fields

    with pytest.raises(DomainError, match="Module 1: kind must be"):
        actions.create_course(
            by=tp["coordinator"],
            provider=provider,
            code="X-1",
            **course_fields(modules=[{"title": "a", "kind": "x", "hours": 1}]),
        )
    with pytest.raises(DomainError, match="capital letters"):
        actions.create_course(
            by=tp["coordinator"], provider=provider, code="bad code", **course_fields()
        )
    with pytest.raises(PolicyDenied):
        actions.create_course(by=tp["trainee_a"], provider=provider, code="X-2", **course_fields())


def test_revision_keeps_sessions_on_their_version(
    course: Any, future_session: Any, tp: dict
) -> None:
    from .conftest import course_fields

    v2 = actions.revise_course(
        by=tp["coordinator"],
        course=course,
        reason="longer practical",
        **course_fields(min_score=80),
    )
    course.refresh_from_db()
    assert course.current_version == 2 and v2.min_score == 80
    future_session.refresh_from_db()
    assert future_session.course_version.version == 1
    with pytest.raises(DomainError, match="required"):
        actions.revise_course(by=tp["coordinator"], course=course, reason=" ", **course_fields())
