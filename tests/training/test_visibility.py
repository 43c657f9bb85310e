"""Who sees which trainee's records: the trainee, their employer's org admins, the provider;
nobody else — through the querysets, the pages and the API."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from bioproof.training import actions
from bioproof.training.models import Certificate, Enrollment, Qualification

from .conftest import pass_trainee

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(today_session: Any, tp: dict) -> dict[str, Any]:
    a = pass_trainee(today_session, tp["trainee_a"], tp["instructor"])
    b = pass_trainee(today_session, tp["trainee_b"], tp["instructor"])
    return {"a": a, "b": b}


# viewer -> (sees trainee_a's records, sees trainee_b's records)
MATRIX = {
    "trainee_a": (True, False),
    "trainee_b": (False, True),
    "trainee_a2": (False, False),  # a colleague without the admin role
    "a_admin": (True, False),  # trainee_a's employer
    "b_admin": (False, True),  # trainee_b's employer
    "demand": (False, False),  # another company
    "uni_admin": (False, False),  # an admin of an unrelated organization
    "instructor": (True, True),  # the provider
    "coordinator": (True, True),
    "other_center": (False, False),  # another center, not the provider
}


@pytest.mark.parametrize("viewer", sorted(MATRIX))
def test_matrix(world: dict, tp: dict, viewer: str) -> None:
    user = tp[viewer]
    for who, expected in zip(("a", "b"), MATRIX[viewer], strict=True):
        e = world[who]
        assert Enrollment.objects.visible_to(user).filter(pk=e.pk).exists() is expected
        cert = Certificate.objects.get(enrollment=e)
        assert Certificate.objects.visible_to(user).filter(pk=cert.pk).exists() is expected
        assert Qualification.objects.visible_to(user).filter(person=e.trainee).exists() is expected
        c = Client()
        c.force_login(user)
        assert (c.get(f"/training/certificates/{cert.code}/").status_code == 200) is expected
        assert (c.get(f"/training/enrollments/{e.pk}/result/").status_code == 200) is expected
        listed = {x["code"] for x in c.get("/api/training/certificates").json()["items"]}
        assert (cert.code in listed) is expected
        names = {
            x["trainee"]
            for x in c.get(f"/api/training/sessions/{e.session.code}/enrollments").json()
        }
        assert (e.trainee.username in names) is expected


def test_anonymous_sees_only_the_public_verification(world: dict) -> None:
    cert = Certificate.objects.get(enrollment=world["a"])
    c = Client()
    assert c.get(f"/training/verify/{cert.code}/").status_code == 200
    assert c.get(f"/api/training/verify/{cert.code}").json()["status"] == "valid"
    assert c.get(f"/training/certificates/{cert.code}/").status_code == 302  # to login
    assert c.get("/api/training/certificates").status_code == 401
    assert Enrollment.objects.visible_to(None).count() == 0


def test_employer_page_lists_only_its_staff(world: dict, tp: dict) -> None:
    c = Client()
    c.force_login(tp["a_admin"])
    html = c.get("/training/my/").content.decode()
    assert "Jiwoo Kim" in html and "Trainee_B" not in html


def test_drafts_are_the_providers(provider: Any, tp: dict) -> None:
    from bioproof.training.models import Course

    from .conftest import course_fields

    draft = actions.create_course(
        by=tp["coordinator"], provider=provider, code="DSP-101", **course_fields()
    )
    assert not Course.objects.visible_to(tp["trainee_a"]).filter(pk=draft.pk).exists()
    assert Course.objects.visible_to(tp["instructor"]).filter(pk=draft.pk).exists()
    assert Client().get("/training/courses/DSP-101/").status_code == 404
