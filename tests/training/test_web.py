from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from bioproof.training.models import Certificate, Enrollment

from .conftest import CHECKLIST, PASSWORD

pytestmark = pytest.mark.django_db


def client(user: Any = None) -> Client:
    c = Client(HTTP_ACCEPT_LANGUAGE="ko")
    if user is not None:
        c.force_login(user)
    return c


def test_pages_render(today_session: Any, future_session: Any, tp: dict) -> None:
    anonymous = client()
    for url in (
        "/training/",
        "/training/courses/USP-201/",
        f"/training/sessions/{future_session.code}/",
        "/training/verify/",
    ):
        assert anonymous.get(url).status_code == 200, url
    assert "USP-201" in anonymous.get("/training/").content.decode()
    me = client(tp["trainee_a"])
    assert me.get("/training/my/").status_code == 200
    assert me.get("/training/my/transcript.pdf").content.startswith(b"%PDF")
    assert me.get("/training/my/transcript.json").json()["username"] == "trainee_a"
    assert (
        client(tp["trainee_a"])
        .get(f"/training/sessions/{today_session.code}/attendance/")
        .status_code
        == 403
    )


def test_enroll_attend_sign_through_the_pages(today_session: Any, tp: dict) -> None:
    code = today_session.code
    me = client(tp["trainee_a"])
    r = me.post(
        f"/training/sessions/{code}/enroll/", {"certificate_name": "김지우", "publish_name": "on"}
    )
    assert r.status_code == 302
    e = Enrollment.objects.get(trainee=tp["trainee_a"])
    assert e.certificate_name == "김지우" and e.publish_name
    teacher = client(tp["instructor"])
    day = today_session.starts_on.isoformat()
    r = teacher.post(f"/training/sessions/{code}/attendance/", {f"att-{e.pk}-{day}": "present"})
    assert r.status_code == 302 and e.attendance.get().status == "present"
    bad = SimpleUploadedFile("a.csv", f"username,date,status\nnobody,{day},present\n".encode())
    r = teacher.post(f"/training/sessions/{code}/attendance/", {"file": bad})
    assert r.status_code == 200 and "2행, &#x27;username&#x27; 열" in r.content.decode()
    r = teacher.post(
        f"/training/enrollments/{e.pk}/result/",
        {"op": "sign", "theory_score": "85", "checklist": CHECKLIST, "password": "bad"},
    )
    assert r.status_code == 200 and not Certificate.objects.exists()
    r = teacher.post(
        f"/training/enrollments/{e.pk}/result/",
        {"op": "sign", "theory_score": "85", "checklist": CHECKLIST, "password": PASSWORD},
    )
    assert r.status_code == 302
    cert = Certificate.objects.get()
    html = client().get(f"/training/verify/{cert.code}/").content.decode()
    assert "김지우" in html and 'data-status="valid"' in html


def test_bad_score_is_shown_on_the_form(today_session: Any, tp: dict) -> None:
    from bioproof.training import actions

    e = actions.enroll(by=tp["trainee_a"], session=today_session)
    r = client(tp["instructor"]).post(
        f"/training/enrollments/{e.pk}/result/", {"op": "save", "theory_score": "abc"}
    )
    assert r.status_code == 200 and "abc" in r.content.decode()


def test_session_form(course: Any, tp: dict, t_orgs: dict) -> None:
    staff = client(tp["coordinator"])
    r = staff.post(
        f"/training/courses/{course.code}/sessions/new/",
        {
            "center": t_orgs["center"].pk,
            "starts_on": "2030-05-02",
            "ends_on": "2030-05-01",
            "instructors": [tp["instructor"].pk],
        },
    )
    assert r.status_code == 200 and "ends_on" in r.content.decode()
    r = staff.post(
        f"/training/courses/{course.code}/sessions/new/",
        {
            "center": t_orgs["center"].pk,
            "starts_on": "2030-05-01",
            "ends_on": "2030-05-02",
            "instructors": [tp["instructor"].pk],
        },
    )
    assert r.status_code == 302
    assert (
        client(tp["trainee_a"]).get(f"/training/courses/{course.code}/sessions/new/").status_code
        == 403
    )


def test_sign_all_results_of_a_session(today_session: Any, tp: dict) -> None:
    from bioproof.training import actions

    e = actions.enroll(by=tp["trainee_a"], session=today_session)
    actions.record_attendance(
        by=tp["instructor"],
        session=today_session,
        records=[(e, today_session.starts_on, "present", "")],
    )
    actions.save_assessment(by=tp["instructor"], enrollment=e, theory_score=75, checklist=CHECKLIST)
    teacher = client(tp["instructor"])
    url = f"/training/sessions/{today_session.code}/sign-results/"
    teacher.post(url, {"password": "wrong"})
    assert not Certificate.objects.exists()
    r = teacher.post(url, {"password": PASSWORD}, follow=True)
    assert Certificate.objects.count() == 1 and "1" in r.content.decode()
