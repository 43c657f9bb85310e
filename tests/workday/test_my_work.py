"""My work: each person sees what waits for them by role, linked to the step; the evaluation page
shows its timeline; long work (upload parsing, analysis, report) goes to the job queue."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.html import escape

from bioproof.core import mywork
from bioproof.evaluations import actions
from bioproof.evaluations.models import Evaluation, RunDataFile
from bioproof.evaluations.samples import DEMO_RUNS, fed_batch_csv
from bioproof.jobs.models import JobRun
from tests.conftest import PASSWORD


def keys(user: Any) -> dict[str, list[str]]:
    return {s.key: [i.label for i in s.items] for s in mywork.for_user(user)}


def test_requests_to_screen_reach_the_center_only(people: Any, requested: Evaluation) -> None:
    label = f"{requested.code} v1"
    assert keys(people["evaluator"]) == {"screen": [label]}
    for other in ("reviewer", "approver", "a_staff", "a_admin", "b_admin", "other_center"):
        assert "screen" not in keys(people[other]), other
    actions.request_info(by=people["evaluator"], evaluation=requested, reason="cell line?")
    assert keys(people["a_staff"]) == {"answer_info": [label]}
    assert "answer_info" not in keys(people["b_admin"])


def test_protocol_runs_signing_report_and_consent(people: Any, requested: Evaluation) -> None:
    ev = requested
    label = f"{ev.code} v1"
    actions.accept(by=people["evaluator"], evaluation=ev)
    assert keys(people["approver"]) == {"sign_protocol": [label]}
    actions.sign_protocol(by=people["approver"], evaluation=ev, password=PASSWORD)
    runs = []
    for arm, run_label, _params in DEMO_RUNS:
        runs.append(
            actions.add_run(by=people["evaluator"], evaluation=ev, arm=arm, label=run_label)
        )
    missing = keys(people["evaluator"])["runs_missing_data"]
    assert len(missing) == len(DEMO_RUNS)
    for run, (_arm, _label, params) in zip(runs, DEMO_RUNS, strict=True):
        actions.upload_run_data(
            by=people["evaluator"], run=run, filename="d.csv", data=fed_batch_csv(**params)
        )
    assert "runs_missing_data" not in keys(people["evaluator"])
    actions.analyse(by=people["evaluator"], evaluation=ev)
    assert keys(people["evaluator"])["sign"] == [label]
    assert "sign" not in keys(people["reviewer"])
    actions.sign(by=people["evaluator"], evaluation=ev, meaning="authored", password=PASSWORD)
    assert "sign" not in keys(people["evaluator"])
    assert keys(people["reviewer"]) == {"sign": [label]}
    actions.sign(by=people["reviewer"], evaluation=ev, meaning="reviewed", password=PASSWORD)
    assert keys(people["approver"]) == {"sign": [label]}
    actions.sign(by=people["approver"], evaluation=ev, meaning="approved", password=PASSWORD)
    assert keys(people["evaluator"]) == {"issue_report": [label]}
    assert "consent" not in keys(people["a_admin"])  # no report yet
    actions.generate_report(by=people["evaluator"], evaluation=ev, language="en")
    assert keys(people["a_admin"]) == {"consent": [label]}
    assert "consent" not in keys(people["a_staff"]) and keys(people["b_admin"]) == {}


def test_sections_count_beyond_what_they_list(people: Any, product_a: Any, orgs: Any) -> None:
    for i in range(13):
        actions.request_evaluation(
            by=people["a_staff"],
            product=product_a,
            center=orgs["center"],
            title=f"t{i}",
            reference_product="r",
            scale="1 L",
        )
    (screen,) = mywork.for_user(people["evaluator"], limit=10)
    assert screen.count == 13 and len(screen.items) == 10 and screen.more == 3


def test_dashboard_and_timeline_pages(client: Any, people: Any, requested: Evaluation) -> None:
    client.force_login(people["evaluator"])
    home = client.get("/").content.decode()
    assert 'data-work="screen"' in home
    assert f'href="/evaluations/{requested.code}/#next-steps"' in home
    client.force_login(people["b_admin"])
    assert 'id="nothing-waits"' in client.get("/").content.decode()
    client.force_login(people["a_staff"])
    page = client.get(f"/evaluations/{requested.code}/").content.decode()
    timeline = page.split('id="timeline"')[1].split("</section>")[0]
    assert "A_Staff" in timeline  # who requested
    assert "Evaluator" in timeline  # who may accept next


@pytest.fixture
def running(people: Any, requested: Evaluation) -> Evaluation:
    actions.accept(by=people["evaluator"], evaluation=requested)
    actions.sign_protocol(by=people["approver"], evaluation=requested, password=PASSWORD)
    return requested


def test_upload_is_queued_and_parsed_by_the_worker(
    client: Any, settings: Any, people: Any, running: Evaluation, run_worker: Any
) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    run = actions.add_run(by=people["evaluator"], evaluation=running, arm="candidate", label="C1")
    client.force_login(people["evaluator"])
    params = DEMO_RUNS[0][2]
    upload = SimpleUploadedFile("C1.csv", fed_batch_csv(**params), content_type="text/csv")
    response = client.post(
        f"/evaluations/{running.code}/runs/{run.pk}/data/", {"file": upload, "layout": "offline"}
    )
    job = JobRun.objects.get(kind="evaluations.upload")
    assert response.status_code == 302 and response["Location"] == f"/jobs/{job.pk}/"
    assert job.status == JobRun.Status.QUEUED and not RunDataFile.objects.exists()
    staged = job.arguments["staged"]
    assert default_storage.exists(staged)
    run_worker()
    job.refresh_from_db()
    assert job.status == JobRun.Status.SUCCEEDED, job.error
    assert RunDataFile.objects.get(run=run).filename == "C1.csv"
    assert "C1.csv" in job.message


def test_a_bad_upload_fails_with_the_parsers_message(
    client: Any, people: Any, running: Evaluation
) -> None:
    run = actions.add_run(by=people["evaluator"], evaluation=running, arm="candidate", label="C1")
    client.force_login(people["evaluator"])
    bad = SimpleUploadedFile("bad.csv", b"time_h,VCD\n0,abc\n", content_type="text/csv")
    response = client.post(
        f"/evaluations/{running.code}/runs/{run.pk}/data/",
        {"file": bad, "layout": "offline"},
        follow=True,
    )
    job = JobRun.objects.get(kind="evaluations.upload")
    assert job.status == JobRun.Status.FAILED and "bad.csv" in job.error
    assert escape(job.error) in response.content.decode()
    assert not RunDataFile.objects.exists()


def test_an_upload_by_someone_else_is_refused_before_queueing(
    client: Any, people: Any, running: Evaluation
) -> None:
    run = actions.add_run(by=people["evaluator"], evaluation=running, arm="candidate", label="C1")
    client.force_login(people["reviewer"])
    upload = SimpleUploadedFile("C1.csv", b"x", content_type="text/csv")
    client.post(f"/evaluations/{running.code}/runs/{run.pk}/data/", {"file": upload})
    assert not JobRun.objects.exists()


def test_analysis_and_report_are_jobs(client: Any, people: Any, with_data: Evaluation) -> None:
    client.force_login(people["evaluator"])
    page = client.post(f"/evaluations/{with_data.code}/step/analyse/", follow=True)
    job = JobRun.objects.get(kind="evaluations.analyse")
    assert job.status == JobRun.Status.SUCCEEDED and job.message in page.content.decode()
    with_data.refresh_from_db()
    assert with_data.status == Evaluation.Status.ANALYSED
    # a report before approval: the job fails with the action's reason
    client.post(f"/evaluations/{with_data.code}/reports/", {"language": "ko"})
    job = JobRun.objects.get(kind="evaluations.report")
    assert job.status == JobRun.Status.FAILED and "승인" in job.error  # in the requester's language
