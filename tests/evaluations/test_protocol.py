"""Screening (ask for information), the protocol (평가계획) signed before any run, templates."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from bioproof.core.errors import DomainError, InvalidTransition, PolicyDenied
from bioproof.core.models import AuditEvent, Signature
from bioproof.evaluations import actions, content
from bioproof.evaluations.models import Criterion, MethodTemplate

from ..conftest import PASSWORD

pytestmark = pytest.mark.django_db


def test_request_info_round_trip(requested, people) -> None:
    with pytest.raises(PolicyDenied):
        actions.request_info(by=people["a_staff"], evaluation=requested, reason="?")
    actions.request_info(
        by=people["evaluator"], evaluation=requested, reason="Send the CoA of lot 3"
    )
    requested.refresh_from_db()
    assert (requested.status, requested.status_reason) == (
        "info_requested",
        "Send the CoA of lot 3",
    )
    with pytest.raises(PolicyDenied):  # a competitor cannot answer
        actions.provide_info(by=people["b_admin"], evaluation=requested, reason="x")
    with pytest.raises(DomainError, match="reason"):
        actions.provide_info(by=people["a_staff"], evaluation=requested, reason="")
    actions.provide_info(by=people["a_staff"], evaluation=requested, reason="CoA attached")
    requested.refresh_from_db()
    assert requested.status == "requested"
    reasons = list(
        AuditEvent.objects.filter(
            object_id=str(requested.pk), action__startswith="evaluation.info"
        ).values_list("action", "reason")
    )
    assert reasons == [
        ("evaluation.info_requested", "Send the CoA of lot 3"),
        ("evaluation.info_provided", "CoA attached"),
    ]


def test_accept_applies_the_category_template(requested, people) -> None:
    actions.accept(by=people["evaluator"], evaluation=requested)
    assert requested.status == "planning"
    assert requested.template is not None and requested.template.family == "media"
    sources = set(requested.criteria.values_list("source", flat=True))
    assert sources == {"request", "template"}


def test_runs_wait_for_the_signed_protocol(requested, people) -> None:
    actions.accept(by=people["evaluator"], evaluation=requested)
    with pytest.raises(InvalidTransition):
        actions.add_run(by=people["evaluator"], evaluation=requested, arm="candidate", label="C-1")
    with pytest.raises(PolicyDenied):  # the evaluator is not an approver
        actions.sign_protocol(by=people["evaluator"], evaluation=requested, password=PASSWORD)
    with pytest.raises(DomainError, match="Password"):
        actions.sign_protocol(by=people["approver"], evaluation=requested, password="nope")
    protocol = actions.sign_protocol(by=people["approver"], evaluation=requested, password=PASSWORD)
    assert requested.status == "running"
    assert protocol.content_hash == content.digest(protocol.plan)
    assert protocol.plan["template"]["code"] == requested.template.code
    signature = Signature.objects.get(object_code=requested.code, meaning="approved")
    assert signature.content_hash == protocol.content_hash
    assert MethodTemplate.objects.get(pk=requested.template_id).frozen
    actions.add_run(by=people["evaluator"], evaluation=requested, arm="candidate", label="C-1")


def test_criteria_editable_only_while_planning(requested, people) -> None:
    actions.accept(by=people["evaluator"], evaluation=requested)
    c = actions.add_criterion(
        by=people["evaluator"], evaluation=requested, kpi="peak_vcd", comparison="minimum", value=10
    )
    assert (c.source, c.relative, c.unit) == ("center", False, "1e6 cells/mL")
    with pytest.raises(DomainError, match="Unknown KPI"):
        actions.add_criterion(
            by=people["evaluator"], evaluation=requested, kpi="nope", comparison="minimum", value=1
        )
    with pytest.raises(DomainError, match="already"):
        actions.add_criterion(
            by=people["evaluator"],
            evaluation=requested,
            kpi="peak_vcd",
            comparison="minimum",
            value=9,
        )
    with pytest.raises(DomainError, match="reason"):
        actions.remove_criterion(by=people["evaluator"], criterion=c, reason="")
    actions.remove_criterion(by=people["evaluator"], criterion=c, reason="not relevant")
    assert not Criterion.objects.filter(pk=c.pk).exists()
    event = AuditEvent.objects.get(action="criterion.removed")
    assert event.before["kpi"] == "peak_vcd" and event.reason == "not relevant"
    actions.sign_protocol(by=people["approver"], evaluation=requested, password=PASSWORD)
    with pytest.raises(InvalidTransition):
        actions.add_criterion(
            by=people["evaluator"],
            evaluation=requested,
            kpi="peak_vcd",
            comparison="minimum",
            value=10,
        )


def test_limit_criteria_verdicts(requested, people) -> None:
    from bioproof.evaluations.samples import DEMO_RUNS, fed_batch_csv

    actions.accept(by=people["evaluator"], evaluation=requested)
    low = actions.add_criterion(
        by=people["evaluator"], evaluation=requested, kpi="peak_vcd", comparison="minimum", value=5
    )
    high = actions.add_criterion(
        by=people["evaluator"], evaluation=requested, kpi="peak_vcd", comparison="maximum", value=5
    )
    actions.sign_protocol(by=people["approver"], evaluation=requested, password=PASSWORD)
    for arm, label, params in DEMO_RUNS:
        run = actions.add_run(by=people["evaluator"], evaluation=requested, arm=arm, label=label)
        actions.upload_run_data(
            by=people["evaluator"], run=run, filename=f"{label}.csv", data=fed_batch_csv(**params)
        )
    actions.analyse(by=people["evaluator"], evaluation=requested)
    low.refresh_from_db()
    high.refresh_from_db()
    assert low.passed is True and low.result["failing_runs"] == 0  # peak ≈ 20e6/mL ≥ 5e6/mL
    assert high.passed is False and high.result["failing_runs"] == 3


def test_template_versions_freeze_once_used(approved) -> None:
    template = approved.template
    assert template.frozen
    assert MethodTemplate.objects.current().filter(code=template.code).count() == 1


@pytest.mark.parametrize("layout", ["offline"])
def test_excel_template_download(client, layout) -> None:
    response = client.get(f"/evaluations/layouts/{layout}.xlsx")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    header = [c.value for c in book["data"][1]]
    assert all("[" in h or "(" in h for h in header)  # every column carries its unit
    assert client.get("/evaluations/layouts/nope.xlsx").status_code == 404


def test_excel_template_round_trips_through_the_parser(db) -> None:
    from bioproof.evaluations import layouts

    for layout in layouts.all_layouts().values():
        frame = layout.parse(layouts.excel_template(layout), f"{layout.key}.xlsx")
        assert len(frame) >= 2, layout.key
