from __future__ import annotations

import pytest
from django.db import connection

from bioproof.core import audit
from bioproof.core.errors import DomainError, InvalidTransition, PolicyDenied
from bioproof.core.models import AuditEvent, Signature
from bioproof.evaluations import actions, content, workflow
from bioproof.evaluations.models import Evaluation, Run, RunDataFile, TrackRecord
from bioproof.evaluations.samples import fed_batch_csv

from ..conftest import PASSWORD

pytestmark = pytest.mark.django_db


def test_request_creates_code_criterion_and_audit(requested, people) -> None:
    assert requested.code.startswith("EV-") and requested.status == "requested"
    criterion = requested.criteria.get(source="request")
    # a higher titer is no failure: the titer margin is a non-inferiority margin
    assert (criterion.kpi, criterion.comparison, criterion.value) == (
        "final_titer",
        "non_inferiority",
        0.10,
    )
    assert criterion.higher_is_better is True
    event = AuditEvent.objects.get(action="evaluation.requested")
    assert event.actor == people["a_staff"] and event.organization.code == "supplier-a"


def test_request_validates_center_and_margin(people, orgs, product_a) -> None:
    kw = dict(by=people["a_staff"], product=product_a, title="t", reference_product="r", scale="s")
    with pytest.raises(DomainError, match="not a demonstration center"):
        actions.request_evaluation(center=orgs["demand"], **kw)
    with pytest.raises(DomainError, match="margin"):
        actions.request_evaluation(center=orgs["center"], titer_margin=1.5, **kw)
    with pytest.raises(PolicyDenied):
        actions.request_evaluation(**{**kw, "by": people["b_admin"]}, center=orgs["center"])
    assert Evaluation.objects.count() == 0


def test_reject_needs_reason_and_is_shown(requested, people) -> None:
    with pytest.raises(DomainError, match="reason"):
        actions.reject(by=people["evaluator"], evaluation=requested, reason="  ")
    actions.reject(by=people["evaluator"], evaluation=requested, reason="Out of scope")
    requested.refresh_from_db()
    assert (requested.status, requested.status_reason) == ("rejected", "Out of scope")
    with pytest.raises(InvalidTransition):
        actions.accept(by=people["evaluator"], evaluation=requested)


def test_options_explain_who_may_act(requested, people) -> None:
    by_supplier = {o.step.name: o for o in workflow.options(requested, people["a_staff"])}
    assert set(by_supplier) == {"accept", "reject", "request_info", "withdraw_request"}
    assert not by_supplier["accept"].allowed and "center staff" in by_supplier["accept"].why_not
    assert by_supplier["withdraw_request"].allowed  # the requester may withdraw its request
    center = workflow.options(requested, people["evaluator"])
    assert all(o.allowed for o in center if o.step.name != "withdraw_request")


def test_analyse_computes_kpis_and_non_inferiority(with_data, people) -> None:
    ev = actions.analyse(by=people["evaluator"], evaluation=with_data)
    assert ev.status == "analysed" and ev.engine_version
    runs = list(ev.runs.all())
    assert all(r.kpis and r.kpis["final_titer"] > 0 for r in runs)
    assert all(0.3 < r.kpis["mu_exp"] < 0.8 for r in runs)  # 1/d; samples use μ≈0.6 1/d
    criterion = ev.criteria.get(kpi="final_titer", comparison="non_inferiority")
    assert criterion.passed is True  # the demo arms differ by < 2 %; the margin is −10 %
    assert criterion.result["p_value"] < 0.05


def test_analyse_needs_two_runs_per_arm(requested, people) -> None:
    actions.accept(by=people["evaluator"], evaluation=requested)
    actions.sign_protocol(by=people["approver"], evaluation=requested, password=PASSWORD)
    run = actions.add_run(
        by=people["evaluator"], evaluation=requested, arm="candidate", label="C-1"
    )
    actions.upload_run_data(
        by=people["evaluator"], run=run, filename="c1.csv", data=fed_batch_csv(seed=1)
    )
    with pytest.raises(DomainError, match="at least 2 runs"):
        actions.analyse(by=people["evaluator"], evaluation=requested)


def test_reupload_makes_a_new_version_and_invalidates_results(with_data, people) -> None:
    actions.analyse(by=people["evaluator"], evaluation=with_data)
    run = with_data.runs.get(label="C-1")
    actions.upload_run_data(
        by=people["evaluator"], run=run, filename="C-1b.csv", data=fed_batch_csv(seed=11)
    )
    files = list(run.data_files.order_by("version"))
    assert [(f.version, f.is_current) for f in files] == [(1, False), (2, True)]
    assert files[0].sha256 != files[1].sha256
    with_data.refresh_from_db()
    assert with_data.status == "running"
    assert Run.objects.get(pk=run.pk).kpis is None


def test_signatures_need_password_roles_and_different_people(with_data, people) -> None:
    ev = actions.analyse(by=people["evaluator"], evaluation=with_data)
    with pytest.raises(DomainError, match="Password"):
        actions.sign(by=people["evaluator"], evaluation=ev, meaning="authored", password="wrong")
    assert not Signature.objects.filter(meaning="authored").exists()
    with pytest.raises(PolicyDenied):
        actions.sign(by=people["a_admin"], evaluation=ev, meaning="authored", password=PASSWORD)
    with pytest.raises(InvalidTransition):
        actions.sign(by=people["approver"], evaluation=ev, meaning="approved", password=PASSWORD)
    actions.sign(by=people["evaluator"], evaluation=ev, meaning="authored", password=PASSWORD)
    actions.sign(by=people["reviewer"], evaluation=ev, meaning="reviewed", password=PASSWORD)
    actions.sign(by=people["approver"], evaluation=ev, meaning="approved", password=PASSWORD)
    digest = content.content_hash(ev)
    sigs = list(
        Signature.objects.filter(object_id=ev.pk, content_type__model="evaluation").order_by("id")
    )
    assert [s.meaning for s in sigs] == ["authored", "reviewed", "approved"]
    assert {s.content_hash for s in sigs} == {digest}
    assert ev.status == "approved"


def test_same_person_cannot_sign_twice(with_data, make_user, people) -> None:
    both = make_user("both", "center", "staff", "evaluator", "reviewer")
    ev = actions.analyse(by=both, evaluation=with_data)
    actions.sign(by=both, evaluation=ev, meaning="authored", password=PASSWORD)
    with pytest.raises(PolicyDenied, match="another person"):
        actions.sign(by=both, evaluation=ev, meaning="reviewed", password=PASSWORD)


def test_signed_evaluation_is_frozen(approved, people) -> None:
    run = approved.runs.first()
    for attempt in (
        lambda: actions.add_run(
            by=people["evaluator"], evaluation=approved, arm="candidate", label="C-9"
        ),
        lambda: actions.upload_run_data(
            by=people["evaluator"], run=run, filename="x.csv", data=fed_batch_csv()
        ),
        lambda: actions.record_deviation(
            by=people["evaluator"], evaluation=approved, description="late"
        ),
        lambda: actions.analyse(by=people["evaluator"], evaluation=approved),
    ):
        with pytest.raises(InvalidTransition):
            attempt()
    assert RunDataFile.objects.filter(run=run).count() == 1


@pytest.mark.tampers
def test_sql_edit_of_signed_evaluation_is_reported_by_audit_verify(approved) -> None:
    from django.core.management import call_command
    from django.core.management.base import CommandError

    call_command("audit", "verify")
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE evaluations_criterion SET passed = %s WHERE evaluation_id = %s",
            [False, approved.pk],
        )
    assert audit.verify().ok  # the hash chain itself was not touched …
    with pytest.raises(CommandError) as exc:  # … but the signed content no longer matches
        call_command("audit", "verify")
    assert approved.code in str(exc.value) and "changed after it was signed" in str(exc.value)


@pytest.mark.tampers
def test_sql_edit_of_signature_row_is_reported(approved) -> None:
    from django.core.management import call_command
    from django.core.management.base import CommandError

    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE core_signature SET content_hash = %s WHERE meaning = %s", ["0" * 64, "reviewed"]
        )
    with pytest.raises(CommandError, match="signature row was edited"):
        call_command("audit", "verify")


def test_report_publish_withdraw(approved, people) -> None:
    with pytest.raises(DomainError, match="report"):
        actions.publish(by=people["a_admin"], evaluation=approved, consent=True)
    with pytest.raises(PolicyDenied):
        actions.generate_report(by=people["a_staff"], evaluation=approved, language="ko")
    report = actions.generate_report(by=people["evaluator"], evaluation=approved, language="ko")
    pdf = report.file.read()
    assert pdf.startswith(b"%PDF") and audit.sha256_hex(pdf) == report.sha256
    assert report.content_hash == content.content_hash(approved)
    with pytest.raises(DomainError, match="consent"):
        actions.publish(by=people["a_admin"], evaluation=approved, consent=False)
    with pytest.raises(PolicyDenied):
        actions.publish(by=people["a_staff"], evaluation=approved, consent=True)  # not admin
    record = actions.publish(by=people["a_admin"], evaluation=approved, consent=True)
    assert approved.status == "published" and record.report == report
    with pytest.raises(DomainError, match="reason"):
        actions.withdraw(by=people["a_admin"], evaluation=approved, reason="")
    actions.withdraw(by=people["a_admin"], evaluation=approved, reason="Product discontinued")
    assert not TrackRecord.objects.public().exists()
    event = AuditEvent.objects.get(action="evaluation.withdrawn")
    assert event.reason == "Product discontinued" and event.before["status"] == "published"


def test_correction_creates_version_two_and_keeps_version_one(approved, people) -> None:
    v1_hash = content.content_hash(approved)
    with pytest.raises(DomainError, match="reason"):
        actions.start_correction(by=people["approver"], evaluation=approved, reason="")
    v2 = actions.start_correction(
        by=people["approver"], evaluation=approved, reason="R-2 titer re-assayed"
    )
    approved.refresh_from_db()
    assert (approved.is_current, approved.status) == (False, "superseded")
    assert (v2.code, v2.version, v2.status, v2.previous) == (approved.code, 2, "running", approved)
    assert v2.runs.count() == approved.runs.count()
    assert content.content_hash(approved) == v1_hash  # version 1 is unchanged and readable
    with pytest.raises(InvalidTransition, match="superseded"):
        actions.sign(
            by=people["approver"], evaluation=approved, meaning="approved", password=PASSWORD
        )
    from django.core.management import call_command

    call_command("audit", "verify")  # v1 still matches its signatures
