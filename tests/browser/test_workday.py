"""In the browser: My work lists what waits for each person, a notification reaches the right
person and leads to the step, and a job's page shows its progress and outcome without reloading."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command

from bioproof.jobs.models import JobRun

from ..conftest import PASSWORD

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    # no serialized_rollback: its JSON keeps timestamps to the millisecond, so restored regulated
    # rows would differ from their row events; _reference_data puts the reference rows back
    pytest.mark.django_db(transaction=True),
]


def test_dashboard_and_notification_reach_the_right_person(
    new_page: Any, people: Any, requested: Any
) -> None:
    code = requested.code
    page = new_page("evaluator", PASSWORD)
    # My work: the request waits for the center's evaluator, linked to the step
    section = page.locator("[data-work=screen]")
    assert section.locator("[data-count]").inner_text() == "1"
    assert section.locator(f"a[href='/evaluations/{code}/#next-steps']").count() == 1
    # the notification: an unread badge, the inbox, and it opens the evaluation
    assert page.locator("#inbox-link [data-unread]").inner_text() == "1"
    page.click("#inbox-link")
    item = page.locator("ul.notifications li.unread")
    assert code in item.inner_text() and "검토하세요" in item.inner_text()  # Korean by default
    item.locator("button").click()
    page.wait_for_url(f"**/evaluations/{code}/")
    assert page.locator("#timeline").count() == 1
    assert page.locator("#inbox-link [data-unread]").count() == 0

    other = new_page("b_admin", PASSWORD)  # a competing supplier: nothing, no notification
    assert other.locator("#nothing-waits").count() == 1
    assert other.locator("#inbox-link [data-unread]").count() == 0
    other.goto("/notifications/")
    assert code not in other.content()


def test_job_progress_and_outcome_without_reload(
    new_page: Any, settings: Any, people: Any, with_data: Any
) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    page = new_page("evaluator", PASSWORD)
    page.goto(f"/evaluations/{with_data.code}/")
    page.click("button[data-step=analyse]")
    page.wait_for_selector(".job[data-state=queued]")
    page.evaluate("window.__same_page = true")
    assert page.locator("[data-job-outcome]").is_hidden()
    call_command("worker", batch=True, verbosity=0)  # the worker picks it up
    page.wait_for_selector(".job[data-state=succeeded]")
    assert page.evaluate("window.__same_page") is True  # updated in place, not reloaded
    assert page.locator("[data-job-percent]").inner_text() == "100 %"
    assert "분석 완료" in page.locator("[data-job-message]").inner_text()
    page.click("[data-job-result]")
    page.wait_for_selector("#status.s-analysed")
    assert JobRun.objects.get().status == JobRun.Status.SUCCEEDED
