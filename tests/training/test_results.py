from __future__ import annotations

from typing import Any

import pytest

from bioproof.core.errors import DomainError, InvalidTransition, PolicyDenied
from bioproof.core.signatures import signatures_for
from bioproof.training import actions
from bioproof.training.models import Certificate, CourseVersion

from .conftest import CHECKLIST, PASSWORD, pass_trainee

pytestmark = pytest.mark.django_db


def _version(**kw: Any) -> CourseVersion:
    fields = {"min_attendance_pct": 80.0, "min_score": 70.0, "checklist": CHECKLIST}
    fields.update(kw)
    return CourseVersion(**fields)


@pytest.mark.parametrize(
    ("score", "done", "attendance", "expected"),
    [
        (70, CHECKLIST, 80.0, True),  # exactly at both limits
        (69.9, CHECKLIST, 100.0, False),  # score below
        (100, CHECKLIST, 79.99, False),  # attendance below
        (100, CHECKLIST[:2], 100.0, False),  # one checklist item missing
        (None, CHECKLIST, 100.0, False),  # no score
    ],
)
def test_pass_rule(score: Any, done: list, attendance: float, expected: bool) -> None:
    checklist = {item: item in done for item in CHECKLIST}
    assert actions.pass_verdict(_version(), score, checklist, attendance) is expected


def test_attendance_percentage(make_session: Any, tp: dict) -> None:
    from django.utils import timezone

    from bioproof.training.models import Session

    session = make_session(0, 5)
    # move the session into the past so every day can be recorded
    start = timezone.localdate() - __import__("datetime").timedelta(days=4)
    Session.objects.filter(pk=session.pk).update(starts_on=start, ends_on=timezone.localdate())
    session.refresh_from_db()
    e = actions.enroll(by=tp["coordinator"], session=session, trainee=tp["trainee_a"])
    days = session.days
    marks = ["present", "late", "excused", "absent"]  # the fifth day has no record: absent
    actions.record_attendance(
        by=tp["instructor"],
        session=session,
        records=[(e, d, m, "") for d, m in zip(days, marks, strict=False)],
    )
    # (present + late) / (5 days − 1 excused) = 2 / 4
    assert actions.attendance_pct(e) == 50.0


def test_signed_pass_issues_a_certificate(passed: Any, tp: dict) -> None:
    result = passed.current_assessment
    assert result.status == "final" and result.passed and result.attendance_pct == 100.0
    cert = Certificate.objects.get(enrollment=passed)
    assert cert.code.startswith("CT-") and cert.status == "valid"
    assert sorted(q.key for q in cert.qualifications.all()) == [
        "bioreactor.single-use",
        "uo.cell-culture",
    ]
    (signature,) = signatures_for(result)
    assert signature.signer == tp["instructor"] and signature.content_hash == result.content_hash
    with pytest.raises(InvalidTransition, match="start a correction"):
        actions.save_assessment(
            by=tp["instructor"], enrollment=passed, theory_score=10, checklist=[]
        )


def test_a_fail_issues_nothing(today_session: Any, tp: dict) -> None:
    e = pass_trainee(today_session, tp["trainee_b"], tp["instructor"], score=50)
    assert e.current_assessment.passed is False
    assert not Certificate.objects.exists()


def test_signing_needs_the_password_and_the_instructor(today_session: Any, tp: dict) -> None:
    e = actions.enroll(by=tp["trainee_a"], session=today_session)
    with pytest.raises(PolicyDenied):
        actions.save_assessment(
            by=tp["coordinator"], enrollment=e, theory_score=90, checklist=CHECKLIST
        )
    actions.save_assessment(by=tp["instructor"], enrollment=e, theory_score=90, checklist=CHECKLIST)
    with pytest.raises(DomainError, match="Password is not correct"):
        actions.sign_assessment(by=tp["instructor"], enrollment=e, password="wrong")
    assert e.current_assessment.status == "draft"
    with pytest.raises(DomainError, match="out of range"):
        actions.save_assessment(by=tp["instructor"], enrollment=e, theory_score=101, checklist=[])
    with pytest.raises(DomainError, match="Not an item"):
        actions.save_assessment(
            by=tp["instructor"], enrollment=e, theory_score=90, checklist=["Juggling"]
        )


def test_results_are_signed_from_the_last_day(make_session: Any, tp: dict) -> None:
    session = make_session(0, 3)
    e = actions.enroll(by=tp["trainee_a"], session=session)
    actions.save_assessment(by=tp["instructor"], enrollment=e, theory_score=90, checklist=CHECKLIST)
    with pytest.raises(InvalidTransition, match="last day"):
        actions.sign_assessment(by=tp["instructor"], enrollment=e, password=PASSWORD)
    with pytest.raises(DomainError, match="has not come yet"):
        actions.record_attendance(
            by=tp["instructor"], session=session, records=[(e, session.days[1], "present", "")]
        )


def test_correction_is_a_new_version_and_supersedes_the_certificate(passed: Any, tp: dict) -> None:
    first = Certificate.objects.get(enrollment=passed)
    with pytest.raises(DomainError, match="required"):
        actions.start_correction(by=tp["coordinator"], enrollment=passed, reason="")
    v2 = actions.start_correction(
        by=tp["coordinator"], enrollment=passed, reason="score transcribed wrongly"
    )
    assert v2.version == 2 and v2.status == "draft"
    actions.save_assessment(
        by=tp["instructor"], enrollment=passed, theory_score=60, checklist=CHECKLIST
    )
    actions.sign_assessment(by=tp["instructor"], enrollment=passed, password=PASSWORD)
    first.refresh_from_db()
    assert first.status == "revoked" and "score transcribed wrongly" in first.revoked_reason
    assert all(q.status == "revoked" for q in first.qualifications.all())
    history = list(passed.assessments.order_by("version"))
    assert [(a.version, a.is_current, a.passed) for a in history] == [
        (1, False, True),
        (2, True, False),
    ]


def test_csv_import(today_session: Any, tp: dict) -> None:
    a = actions.enroll(by=tp["trainee_a"], session=today_session)
    day = today_session.starts_on.isoformat()
    data = f"username,date,status,note\ntrainee_a,{day},지각,bus\n".encode()
    assert actions.import_attendance(by=tp["instructor"], session=today_session, data=data) == 1
    assert a.attendance.get().status == "late"


def test_csv_errors_name_row_and_column_and_write_nothing(today_session: Any, tp: dict) -> None:
    actions.enroll(by=tp["trainee_a"], session=today_session)
    day = today_session.starts_on.isoformat()
    data = (
        "username,date,status\n"
        f"trainee_a,{day},present\n"
        f"nobody,{day},present\n"
        "trainee_a,2026-02-30,present\n"
        f"trainee_a,{day},sleeping\n"
    ).encode()
    with pytest.raises(DomainError) as exc:
        actions.import_attendance(by=tp["instructor"], session=today_session, data=data)
    message = exc.value.message
    assert "row 3, column 'username': 'nobody' has no confirmed seat" in message
    assert "row 4, column 'date': '2026-02-30' is not a date" in message
    assert "row 5, column 'status': 'sleeping' is not one of" in message
    from bioproof.training.models import Attendance

    assert not Attendance.objects.exists()
    with pytest.raises(DomainError, match="Missing column"):
        actions.import_attendance(by=tp["instructor"], session=today_session, data=b"name,day\n")
    with pytest.raises(DomainError, match="not UTF-8"):
        actions.import_attendance(by=tp["instructor"], session=today_session, data=b"\xff\xfe\x00")
    with pytest.raises(DomainError, match="larger than"):
        actions.import_attendance(
            by=tp["instructor"], session=today_session, data=b"x" * (actions.MAX_CSV_BYTES + 1)
        )


def test_signing_a_whole_session_asks_the_password_once(today_session: Any, tp: dict) -> None:
    from bioproof.core.models import Signature

    a = actions.enroll(by=tp["trainee_a"], session=today_session)
    b = actions.enroll(by=tp["trainee_b"], session=today_session)
    for e, score in ((a, 90), (b, 40)):
        actions.record_attendance(
            by=tp["instructor"],
            session=today_session,
            records=[(e, today_session.starts_on, "present", "")],
        )
        actions.save_assessment(
            by=tp["instructor"], enrollment=e, theory_score=score, checklist=CHECKLIST
        )
    with pytest.raises(DomainError, match="Password is not correct"):
        actions.sign_session_results(by=tp["instructor"], session=today_session, password="x")
    signed = actions.sign_session_results(
        by=tp["instructor"], session=today_session, password=PASSWORD
    )
    assert sorted(r.passed for r in signed) == [False, True]
    assert Signature.objects.count() == 2 and Certificate.objects.count() == 1
    with pytest.raises(InvalidTransition, match="No draft result"):
        actions.sign_session_results(by=tp["instructor"], session=today_session, password=PASSWORD)
