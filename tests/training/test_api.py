from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from bioproof.training.models import Certificate

from .conftest import CHECKLIST, PASSWORD, course_fields

pytestmark = pytest.mark.django_db


def client(user: Any) -> Client:
    c = Client(HTTP_ACCEPT_LANGUAGE="en")
    c.force_login(user)
    return c


def test_openapi_names_are_prefixed() -> None:
    schema = Client().get("/api/openapi.json").json()
    names = [n for n in schema["components"]["schemas"] if n.startswith("Training")]
    assert "TrainingCourseOut" in names and "TrainingVerificationOut" in names
    paths = [p for p in schema["paths"] if p.startswith("/api/training/")]
    assert (
        "/api/training/verify/{code}" in paths
        and "/api/training/sessions/{code}/enrollments" in paths
    )


def test_whole_flow_over_the_api(provider: Any, tp: dict, t_orgs: dict) -> None:
    staff = client(tp["coordinator"])
    body = {**course_fields(), "code": "DSP-110", "prerequisites": []}
    r = staff.post("/api/training/courses", body, content_type="application/json")
    assert r.status_code == 201, r.content
    assert staff.post("/api/training/courses/DSP-110/publish").json()["status"] == "published"
    today = timezone.localdate().isoformat()
    r = staff.post(
        "/api/training/sessions",
        {
            "course": "DSP-110",
            "center": "center",
            "starts_on": today,
            "ends_on": today,
            "capacity": 1,
            "instructors": ["instructor"],
        },
        content_type="application/json",
    )
    assert r.status_code == 201, r.content
    code = r.json()["code"]
    trainee = client(tp["trainee_a"])
    r = trainee.post(
        f"/api/training/sessions/{code}/enrollments",
        {"publish_name": True},
        content_type="application/json",
    )
    assert r.status_code == 201 and r.json()["status"] == "confirmed"
    enrollment = r.json()["id"]
    r = client(tp["trainee_b"]).post(
        f"/api/training/sessions/{code}/enrollments", {}, content_type="application/json"
    )
    assert r.json()["status"] == "waitlisted" and r.json()["waitlist_position"] == 1
    teacher = client(tp["instructor"])
    r = teacher.post(
        f"/api/training/sessions/{code}/attendance",
        [{"username": "trainee_a", "day": today, "status": "present"}],
        content_type="application/json",
    )
    assert r.json() == {"recorded": 1}
    r = teacher.put(
        f"/api/training/enrollments/{enrollment}/result",
        {"theory_score": 91, "checklist_done": CHECKLIST},
        content_type="application/json",
    )
    assert r.status_code == 200 and r.json()["status"] == "draft"
    r = teacher.post(
        f"/api/training/enrollments/{enrollment}/result/sign",
        {"password": "wrong"},
        content_type="application/json",
    )
    assert r.status_code == 400 and r.json()["field"] == "password"
    r = teacher.post(
        f"/api/training/enrollments/{enrollment}/result/sign",
        {"password": PASSWORD},
        content_type="application/json",
    )
    assert r.status_code == 200 and r.json()["passed"] is True
    cert_code = r.json()["certificate"]
    assert cert_code.startswith("CT-")
    r = trainee.get(f"/api/training/certificates/{cert_code}/credential")
    assert r.status_code == 200 and r.content.count(b".") == 2
    check = trainee.get(
        "/api/training/qualifications/check",
        {"username": "trainee_a", "key": "bioreactor.single-use"},
    ).json()
    assert check["valid"] is True
    r = staff.post(
        f"/api/training/certificates/{cert_code}/revoke",
        {"reason": "wrong person"},
        content_type="application/json",
    )
    assert r.json()["state"] == "revoked"
    public = Client().get(f"/api/training/verify/{cert_code}").json()
    assert public["status"] == "revoked" and public["revoked_reason"] == "wrong person"
    transcript = trainee.get("/api/training/transcript").json()
    assert transcript["courses"][0]["certificate"]["state"] == "revoked"
    stats = staff.get("/api/training/statistics").json()
    assert {
        "course": "DSP-110",
        "type": "sme",
        "enrolled": 1,
        "attended": 1,
        "passed": 1,
    }.items() <= stats[0].items()


def test_api_bad_input(course: Any, tp: dict) -> None:
    staff = client(tp["coordinator"])
    day = (timezone.localdate() + dt.timedelta(days=3)).isoformat()
    r = staff.post(
        "/api/training/sessions",
        {
            "course": course.code,
            "center": "center",
            "starts_on": day,
            "ends_on": "2020-01-01",
            "instructors": ["instructor"],
        },
        content_type="application/json",
    )
    assert r.status_code == 400 and "before the first day" in r.json()["detail"]
    r = staff.post(
        "/api/training/sessions",
        {
            "course": course.code,
            "center": "center",
            "starts_on": day,
            "ends_on": day,
            "capacity": 100000,
            "instructors": ["instructor"],
        },
        content_type="application/json",
    )
    # bounded by the schema: a 422 naming the field
    assert r.status_code == 422 and "capacity" in str(r.json()["detail"])
    r = client(tp["trainee_a"]).post("/api/training/courses/USP-201/publish")
    assert r.status_code in (403, 409)


def test_csv_upload_over_the_api(today_session: Any, tp: dict) -> None:
    from bioproof.training import actions

    actions.enroll(by=tp["trainee_a"], session=today_session)
    day = today_session.starts_on.isoformat()
    teacher = client(tp["instructor"])
    from django.core.files.uploadedfile import SimpleUploadedFile

    bad = SimpleUploadedFile("a.csv", f"username,date,status\ntrainee_a,{day},maybe\n".encode())
    r = teacher.post(f"/api/training/sessions/{today_session.code}/attendance.csv", {"file": bad})
    assert r.status_code == 400 and "row 2, column 'status'" in r.json()["detail"]
    good = SimpleUploadedFile("a.csv", f"username,date,status\ntrainee_a,{day},present\n".encode())
    r = teacher.post(f"/api/training/sessions/{today_session.code}/attendance.csv", {"file": good})
    assert r.json() == {"recorded": 1}
    assert not Certificate.objects.exists()


def test_messages_are_korean_by_default(course: Any, tp: dict) -> None:
    c = Client()
    c.force_login(tp["coordinator"])
    day = (timezone.localdate() + dt.timedelta(days=3)).isoformat()
    r = c.post(
        "/api/training/sessions",
        {
            "course": course.code,
            "center": "center",
            "starts_on": day,
            "ends_on": "2020-01-01",
            "instructors": ["instructor"],
        },
        content_type="application/json",
    )
    assert r.status_code == 400 and r.json()["detail"] == "마지막 날이 첫날보다 앞섭니다."
