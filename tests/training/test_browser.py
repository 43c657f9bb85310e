"""A trainee in the browser: enrolls, attends, passes (the instructor records and signs),
receives a certificate; an anonymous visitor verifies it."""

from __future__ import annotations

from typing import Any

import pytest

from bioproof.training.models import Certificate, Enrollment

from .conftest import CHECKLIST, PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_trainee_enrolls_passes_and_a_visitor_verifies(
    new_page: Any, today_session: Any, tp: dict
) -> None:
    code = today_session.code
    trainee = new_page("trainee_a", PASSWORD)
    trainee.goto(f"/training/sessions/{code}/")
    trainee.fill("#id_certificate_name", "김지우")
    trainee.check("#id_publish_name")
    trainee.click("#enroll")
    trainee.wait_for_selector("#my-enrollment")
    enrollment = Enrollment.objects.get(trainee=tp["trainee_a"])
    assert enrollment.status == "confirmed"

    instructor = new_page("instructor", PASSWORD)
    instructor.goto(f"/training/sessions/{code}/attendance/")
    day = today_session.starts_on.isoformat()
    instructor.select_option(f"select[name='att-{enrollment.pk}-{day}']", "present")
    instructor.click("#save-attendance")
    instructor.wait_for_selector("ul.messages")
    instructor.goto(f"/training/enrollments/{enrollment.pk}/result/")
    instructor.fill("#id_theory_score", "92")
    for i in range(len(CHECKLIST)):
        instructor.check(f"#id_checklist_{i}")
    instructor.fill("#id_password", PASSWORD)
    instructor.click("#sign-result")
    instructor.wait_for_selector("#certificates")

    cert = Certificate.objects.get()
    trainee.goto("/training/my/")
    trainee.wait_for_selector(f"#my-certificates a:has-text('{cert.code}')")
    trainee.click(f"#my-certificates a:has-text('{cert.code}')")
    trainee.wait_for_selector("#certificate-pdf")

    visitor = new_page()
    visitor.goto("/training/verify/")
    visitor.fill("#id_code", cert.code)
    visitor.click("main button[type=submit]")
    visitor.wait_for_selector("#verification-result[data-status='valid']")
    assert "김지우" in visitor.inner_text("#holder")
    assert "bioreactor.single-use" in visitor.inner_text("#unlocks")
