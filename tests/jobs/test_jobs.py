"""Background jobs: progress, outcome, failure with its reason, retry, idempotence, the worker."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from bioproof.consortium import actions as consortium
from bioproof.consortium.models import Organization
from bioproof.core import jobs
from bioproof.core.errors import DomainError
from bioproof.jobs.models import JobRun

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
calls: list[str] = []
broken = {"on": False}


@jobs.job("tests.echo", title="echo")
def echo(progress: Any, *, by: Any, text: str) -> dict[str, Any]:
    progress(50, "half way")
    calls.append(text)
    if broken["on"]:
        raise DomainError(f"cannot echo {text!r} now")
    return {"echo": text, "message": f"echoed {text}"}


@jobs.job("tests.crash", title="crash")
def crash(progress: Any, *, by: Any) -> dict[str, Any]:
    raise ZeroDivisionError("boom")


@jobs.job("tests.org_then_fail", title="org", atomic=True)
def org_then_fail(progress: Any, *, by: Any, code: str, fail: bool) -> dict[str, Any]:
    consortium.create_organization(
        by=None, code=code, name_ko="테스트", name_en="Test", kind="supplier"
    )
    if fail:
        raise RuntimeError("the worker died half-way")
    return {"message": "created"}


@pytest.fixture(autouse=True)
def _reset() -> Any:
    calls.clear()
    broken["on"] = False
    yield
    broken["on"] = False


def test_a_job_runs_and_reports_its_outcome(db: Any, people: dict[str, Any]) -> None:
    run = jobs.enqueue("tests.echo", by=people["a_staff"], text="hello")
    assert run.status == JobRun.Status.SUCCEEDED
    assert run.progress == 100 and run.message == "echoed hello"
    assert run.result == {"echo": "hello"} and run.attempts == 1
    assert run.created_by == people["a_staff"]


def test_a_failed_job_shows_why_and_can_be_retried(db: Any, people: dict[str, Any]) -> None:
    broken["on"] = True
    run = jobs.enqueue("tests.echo", by=people["a_staff"], text="x")
    assert run.status == JobRun.Status.FAILED
    assert run.error == "cannot echo 'x' now"
    with pytest.raises(DomainError):
        jobs.retry(run, by=people["b_admin"])  # not theirs
    broken["on"] = False
    run = jobs.retry(run, by=people["a_staff"])
    assert run.status == JobRun.Status.SUCCEEDED and run.error == "" and run.attempts == 2
    with pytest.raises(DomainError, match="Only a failed job"):
        jobs.retry(run, by=people["a_staff"])


def test_an_unexpected_error_names_its_kind_not_a_traceback(db: Any, people: Any) -> None:
    run = jobs.enqueue("tests.crash", by=people["a_staff"])
    assert run.status == JobRun.Status.FAILED
    assert "ZeroDivisionError" in run.error and "Traceback" not in run.error


def test_an_atomic_job_leaves_nothing_half_written(db: Any, people: Any) -> None:
    run = jobs.enqueue("tests.org_then_fail", by=people["a_staff"], code="half", fail=True)
    assert run.status == JobRun.Status.FAILED
    assert not Organization.objects.filter(code="half").exists()
    run.arguments = {"code": "half", "fail": False}
    run.save(update_fields=["arguments"])
    run = jobs.retry(run, by=people["a_staff"])
    assert run.status == JobRun.Status.SUCCEEDED
    assert Organization.objects.filter(code="half").count() == 1


def test_the_worker_runs_queued_jobs_once(
    db: Any, settings: Any, people: Any, run_worker: Any
) -> None:
    settings.TASKS = DATABASE_TASKS
    run = jobs.enqueue("tests.echo", by=people["a_staff"], text="queued", key="echo:1")
    assert run.status == JobRun.Status.QUEUED and calls == []
    # the same key while it waits: the same run, not a second one
    assert jobs.enqueue("tests.echo", by=people["a_staff"], text="queued", key="echo:1") == run
    run_worker()
    run.refresh_from_db()
    assert run.status == JobRun.Status.SUCCEEDED and calls == ["queued"]
    assert run.worker_id
    run_worker()  # nothing left: it does not run again
    assert calls == ["queued"]


def test_a_job_whose_worker_stopped_is_run_again(
    db: Any, settings: Any, people: Any, run_worker: Any
) -> None:
    settings.TASKS = DATABASE_TASKS
    run = jobs.enqueue("tests.echo", by=people["a_staff"], text="again")
    # a worker claimed it and died: running, heartbeat long gone
    JobRun.objects.filter(pk=run.pk).update(
        status=JobRun.Status.RUNNING,
        worker_id="dead-host:1",
        heartbeat_at=timezone.now() - timedelta(minutes=10),
    )
    from django_tasks_db.models import DBTaskResult

    DBTaskResult.objects.filter(id=run.task_id).update(status="RUNNING")
    assert jobs.recover_stale(older_than=60) == [run]
    run.refresh_from_db()
    assert run.status == JobRun.Status.QUEUED and "stopped" in run.message
    run_worker()
    run.refresh_from_db()
    assert run.status == JobRun.Status.SUCCEEDED and calls == ["again"]


def test_a_stale_queue_entry_does_nothing(db: Any, people: Any) -> None:
    run = jobs.enqueue("tests.echo", by=people["a_staff"], text="once")
    assert jobs.execute(str(run.pk), "00000000-0000-0000-0000-000000000000").startswith("skip")
    assert jobs.execute(str(run.pk), str(run.token)).startswith("skip")  # finished already
    assert calls == ["once"]


def test_the_worker_refuses_the_immediate_backend(db: Any) -> None:
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="no worker is needed"):
        call_command("worker", batch=True)


def test_job_pages_show_progress_to_their_owner_only(client: Any, db: Any, people: Any) -> None:
    broken["on"] = True
    run = jobs.enqueue("tests.echo", by=people["a_staff"], text="p")
    client.force_login(people["a_staff"])
    page = client.get(f"/jobs/{run.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "jobs/poll.js" in html and "cannot echo" in html and "<script>" not in html
    state = client.get(f"/jobs/{run.pk}/status.json").json()
    assert state["status"] == "failed" and state["error"] == "cannot echo 'p' now"
    broken["on"] = False
    assert client.post(f"/jobs/{run.pk}/retry/").status_code == 302
    assert client.get(f"/jobs/{run.pk}/status.json").json()["status"] == "succeeded"
    client.force_login(people["b_admin"])
    assert client.get(f"/jobs/{run.pk}/").status_code == 404
    assert client.get(f"/jobs/{run.pk}/status.json").status_code == 404
