"""Fixtures of training: the animal-cell center as a provider, a course, sessions today and in
the future, trainees of two companies and a university."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from bioproof.consortium import actions as consortium
from bioproof.consortium.models import Organization, User
from bioproof.training import actions
from bioproof.training.models import Course, Enrollment, Provider, Session

from ..conftest import PASSWORD

__all__ = ["PASSWORD"]

CHECKLIST = ["Aseptic connection", "Inoculation", "Sampling and cell count"]


def course_fields(**overrides: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "title_ko": "상류공정 세포배양 및 바이오리액터 운전",
        "title_en": "Upstream cell culture and bioreactor operation",
        "description_ko": "CHO 세포 유가배양 실습",
        "description_en": "Hands-on CHO fed-batch culture",
        "level": "intermediate",
        "modules": [
            {"title": "Cell culture basics", "kind": "theory", "hours": 4},
            {"title": "50 L SUB operation", "kind": "practical", "hours": 12},
        ],
        "fee_krw": 300000,
        "capacity": 2,
        "min_attendance_pct": 80,
        "min_score": 70,
        "checklist": CHECKLIST,
        "grants": [
            {
                "key": "bioreactor.single-use",
                "name_ko": "일회용 바이오리액터",
                "name_en": "Single-use bioreactor",
                "validity_months": 24,
            },
            {"key": "uo.cell-culture", "name_ko": "세포배양", "name_en": "Cell culture"},
        ],
        "certificate_validity_months": 24,
        "cancellation_days": 7,
    }
    fields.update(overrides)
    return fields


@pytest.fixture
def t_orgs(orgs: dict[str, Organization]) -> dict[str, Organization]:
    K = Organization.Kind
    uni = consortium.create_organization(
        by=None, code="uni", name_ko="바이오대학", name_en="Bio University", kind=K.UNIVERSITY
    )
    return {**orgs, "uni": uni}


@pytest.fixture
def provider(t_orgs: dict[str, Organization]) -> Provider:
    return actions.register_provider(by=None, organization=t_orgs["center"])


@pytest.fixture
def tp(t_orgs: dict[str, Organization], people: dict[str, User]) -> dict[str, User]:
    """Training people: instructors at the provider, trainees of two companies, their admins."""

    def make(username: str, org: str, *roles: str, first: str = "", last: str = "") -> User:
        return consortium.create_user(
            by=None,
            username=username,
            password=PASSWORD,
            organization=t_orgs[org],
            roles=list(roles),
            first_name=first or username.title(),
            last_name=last,
        )

    return {
        **people,
        "instructor": make("instructor", "center", "staff", first="Ina", last="Kang"),
        "coordinator": make("coordinator", "center", "staff"),
        "trainee_a": make("trainee_a", "supplier_a", "staff", first="Jiwoo", last="Kim"),
        "trainee_a2": make("trainee_a2", "supplier_a", "staff"),
        "trainee_b": make("trainee_b", "supplier_b", "staff"),
        "trainee_d": make("trainee_d", "demand", "staff"),
        "student": make("student", "uni", "staff"),
        "uni_admin": make("uni_admin", "uni", "org_admin"),
    }


@pytest.fixture
def course(provider: Provider, tp: dict[str, User]) -> Course:
    course = actions.create_course(
        by=tp["coordinator"], provider=provider, code="USP-201", **course_fields()
    )
    return actions.set_course_status(by=tp["coordinator"], course=course, status="published")


@pytest.fixture
def make_session(
    course: Course, t_orgs: dict[str, Organization], tp: dict[str, User]
) -> Callable[..., Session]:
    def make(start_in: int = 0, days: int = 1, capacity: int | None = None) -> Session:
        start = timezone.localdate() + dt.timedelta(days=start_in)
        return actions.create_session(
            by=tp["coordinator"],
            course=course,
            center=t_orgs["center"],
            starts_on=start,
            ends_on=start + dt.timedelta(days=days - 1),
            capacity=capacity,
            room="Suite 3",
            instructors=[tp["instructor"]],
        )

    return make


@pytest.fixture
def today_session(make_session: Callable[..., Session]) -> Session:
    """A one-day session today (attendance and signing possible now), two seats."""
    return make_session(0, 1)


@pytest.fixture
def future_session(make_session: Callable[..., Session]) -> Session:
    """Three days starting in 30 days, two seats."""
    return make_session(30, 3)


@pytest.fixture
def passed(today_session: Session, tp: dict[str, User]) -> Enrollment:
    """trainee_a enrolled, attended, scored, signed: a certificate is issued."""
    return pass_trainee(today_session, tp["trainee_a"], tp["instructor"], publish_name=True)


def pass_trainee(
    session: Session,
    trainee: User,
    instructor: User,
    *,
    score: float = 88,
    publish_name: bool = False,
) -> Enrollment:
    enrollment = actions.enroll(by=trainee, session=session, publish_name=publish_name)
    actions.record_attendance(
        by=instructor,
        session=session,
        records=[(enrollment, d, "present", "") for d in session.days],
    )
    actions.save_assessment(
        by=instructor, enrollment=enrollment, theory_score=score, checklist=CHECKLIST
    )
    actions.sign_assessment(by=instructor, enrollment=enrollment, password=PASSWORD)
    enrollment.refresh_from_db()
    return enrollment
