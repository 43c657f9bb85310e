"""QC against the approved specification version, independent verification, OOS investigation,
CoA (bilingual PDF, embedded font, verification), QA disposition, shipment, immutability."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.storage import default_storage
from django.utils import timezone

from bioproof.core.errors import ConflictError, DomainError, InvalidTransition, PolicyDenied
from bioproof.production import actions
from bioproof.production.models import Batch, Deviation, Sample, TestResult

from .conftest import PASSWORD, SPEC_TESTS, execute_all

DS_RESULTS = [
    ("appearance", {"text_value": "Conforms"}),
    ("content", {"value": 1000, "unit": "µg/mL", "instrument_code": "MF-UV-01"}),
    ("capping", {"value": 96, "unit": "%"}),
]


@pytest.fixture
def reviewed(batch: Batch, pp, lot, ready) -> Batch:
    execute_all(batch, pp, lot)
    return actions.review_batch(by=pp["qa"], batch=batch, password=PASSWORD)


def _test_all(batch: Batch, spec, pp, *, capping: float = 96) -> list[TestResult]:
    ds = actions.draw_sample(by=pp["op1"], batch=batch, spec_version=spec, stage="DS")
    dp = actions.draw_sample(by=pp["op1"], batch=batch, spec_version=spec, stage="DP")
    out = []
    for key, kw in DS_RESULTS:
        if key == "capping":
            kw = {**kw, "value": capping}
        out.append(actions.enter_result(by=pp["op1"], sample=ds, test_key=key, **kw))
    out.append(actions.enter_result(by=pp["op1"], sample=dp, test_key="ee", value="92 %"))
    return out


def test_spec_limits_are_data_and_versioned(spec, reviewed: Batch, pp) -> None:
    assert spec.status == "approved" and spec.tests[1]["low"] == 0.9
    tests = [{**t, "low": 0.95} if t["key"] == "content" else t for t in SPEC_TESTS]
    v2 = actions.revise_spec(
        by=pp["op1"], specification=spec.specification, reason="tighter", tests=tests
    )
    with pytest.raises(DomainError, match="not approved"):
        actions.draw_sample(by=pp["op1"], batch=reviewed, spec_version=v2, stage="DS")
    actions.approve_spec(by=pp["qa"], version=v2, password=PASSWORD)
    sample = actions.draw_sample(by=pp["op1"], batch=reviewed, spec_version=v2, stage="DS")
    r = actions.enter_result(
        by=pp["op1"],
        sample=sample,
        test_key="content",
        value=0.92,
        unit="mg/mL",
        instrument_code="MF-UV-01",
    )
    assert not r.conforms  # 0.92 passes v1 (0.9) but not v2 (0.95)
    assert isinstance(sample, Sample)


def test_result_unit_conversion_and_wrong_unit(reviewed: Batch, spec, pp, ready) -> None:
    ds = actions.draw_sample(by=pp["op1"], batch=reviewed, spec_version=spec, stage="DS")
    with pytest.raises(DomainError, match="cannot be converted"):
        actions.enter_result(
            by=pp["op1"],
            sample=ds,
            test_key="content",
            value=1,
            unit="mL",
            instrument_code="MF-UV-01",
        )
    with pytest.raises(DomainError, match="no DS test 'ee'"):
        actions.enter_result(by=pp["op1"], sample=ds, test_key="ee", value=1, unit="%")
    r = actions.enter_result(
        by=pp["op1"],
        sample=ds,
        test_key="content",
        value=1000,
        unit="µg/mL",
        instrument_code="MF-UV-01",
    )
    assert r.value_spec_unit == pytest.approx(1.0) and r.conforms
    with pytest.raises(ConflictError, match="has a result"):
        actions.enter_result(
            by=pp["op2"],
            sample=ds,
            test_key="content",
            value=1,
            unit="mg/mL",
            instrument_code="MF-UV-01",
        )


def test_instrument_refused_without_registry(reviewed: Batch, spec, pp, monkeypatch) -> None:
    monkeypatch.undo()
    monkeypatch.setattr("bioproof.production.readiness.registry_available", lambda: False)
    ds = actions.draw_sample(by=pp["op1"], batch=reviewed, spec_version=spec, stage="DS")
    with pytest.raises(DomainError, match="equipment registry is unavailable"):
        actions.enter_result(
            by=pp["op1"],
            sample=ds,
            test_key="content",
            value=1,
            unit="mg/mL",
            instrument_code="MF-UV-01",
        )
    assert not TestResult.objects.exists()


def test_independent_verification(reviewed: Batch, spec, pp) -> None:
    results = _test_all(reviewed, spec, pp)
    with pytest.raises(PolicyDenied, match="independent"):
        actions.verify_result(by=pp["op1"], result=results[0], password=PASSWORD)
    actions.verify_result(by=pp["op2"], result=results[0], password=PASSWORD)
    with pytest.raises(InvalidTransition):
        actions.verify_result(by=pp["other_center"], result=results[0], password=PASSWORD)


def test_oos_opens_investigation_and_blocks_release(reviewed: Batch, spec, pp) -> None:
    results = _test_all(reviewed, spec, pp, capping=80)
    oos = Deviation.objects.get(kind="oos")
    assert oos.result == results[2] and "80" in oos.description
    for r in results:
        actions.verify_result(by=pp["op2"], result=r, password=PASSWORD)
    with pytest.raises(InvalidTransition, match="Capping efficiency is out of specification"):
        actions.generate_coa(by=pp["op1"], batch=reviewed)


def _release(batch: Batch, spec, pp) -> None:
    for r in _test_all(batch, spec, pp):
        actions.verify_result(by=pp["op2"], result=r, password=PASSWORD)
    actions.generate_coa(by=pp["op1"], batch=batch)


def test_coa_and_release(reviewed: Batch, spec, pp, client) -> None:
    _release(reviewed, spec, pp)
    coa = reviewed.coa
    data = default_storage.open(coa.file).read()
    assert data.startswith(b"%PDF") and b"NanumGothic" in data  # the font is embedded
    import hashlib

    assert hashlib.sha256(data).hexdigest() == coa.sha256
    assert [t["key"] for t in coa.content["tests"]] == ["appearance", "content", "capping", "ee"]
    with pytest.raises(PolicyDenied):
        actions.dispose(by=pp["op1"], batch=reviewed, decision="release", password=PASSWORD)
    actions.dispose(by=pp["qa"], batch=reviewed, decision="release", password=PASSWORD)
    reviewed.refresh_from_db()
    assert reviewed.status == "released" and reviewed.order.status == "completed"
    # immutable
    with pytest.raises(InvalidTransition, match="can no longer change"):
        actions.draw_sample(by=pp["op1"], batch=reviewed, spec_version=spec, stage="DS")
    with pytest.raises(InvalidTransition, match="can no longer change"):
        actions.dispose(
            by=pp["qa"], batch=reviewed, decision="reject", password=PASSWORD, reason="x"
        )
    with pytest.raises(InvalidTransition, match="can no longer change"):
        actions.invalidate_result(by=pp["qa"], result=reviewed.results.first(), reason="x")
    # public verification: status only, to the code holder
    page = client.get("/production/coa/verify/", {"code": coa.verification_code})
    assert page.status_code == 200 and coa.code in page.content.decode()
    assert "Released" in page.content.decode() or "출하" in page.content.decode()
    assert reviewed.construct.sequence[:40] not in page.content.decode()
    miss = client.get("/production/coa/verify/", {"code": coa.code})
    assert coa.batch.code not in miss.content.decode()


def test_release_requires_deviation_closed_or_assessed(batch: Batch, spec, pp, lot, ready) -> None:
    execute_all(batch, pp, lot, {"LIN-01": {"temp": "39 degC"}})
    actions.review_batch(by=pp["qa"], batch=batch, password=PASSWORD)
    _release(batch, spec, pp)
    dev = Deviation.objects.get()
    with pytest.raises(InvalidTransition, match=f"Deviation {dev.code} is neither closed"):
        actions.dispose(by=pp["qa"], batch=batch, decision="release", password=PASSWORD)
    actions.classify_deviation(by=pp["qa"], deviation=dev, classification="minor")
    actions.assess_for_release(
        by=pp["qa"], deviation=dev, assessment="Within validated range; no impact"
    )
    actions.dispose(by=pp["qa"], batch=batch, decision="release", password=PASSWORD)


def test_quarantine_then_reject_needs_reason(reviewed: Batch, pp) -> None:
    with pytest.raises(DomainError, match="reason"):
        actions.dispose(by=pp["qa"], batch=reviewed, decision="quarantine", password=PASSWORD)
    actions.dispose(
        by=pp["qa"], batch=reviewed, decision="quarantine", password=PASSWORD, reason="await data"
    )
    actions.dispose(
        by=pp["qa"], batch=reviewed, decision="reject", password=PASSWORD, reason="failed"
    )
    reviewed.refresh_from_db()
    assert reviewed.status == "rejected"


def test_shipment_chain_of_custody(reviewed: Batch, spec, pp) -> None:
    _release(reviewed, spec, pp)
    actions.dispose(by=pp["qa"], batch=reviewed, decision="release", password=PASSWORD)
    sh = actions.create_shipment(
        by=pp["op1"],
        batch=reviewed,
        recipient="Demand Bio clinical site",
        quantity="10 vials",
        condition="-70 °C dry ice",
        location="MF center dock",
    )
    with pytest.raises(InvalidTransition):
        actions.record_custody(
            by=pp["op1"], shipment=sh, event="delivered", received_by="x", location="y"
        )
    actions.record_custody(
        by=pp["op1"],
        shipment=sh,
        event="handed_over",
        received_by="Courier K",
        location="Osong",
        temperature_c=-72,
    )
    actions.record_custody(
        by=pp["op1"],
        shipment=sh,
        event="delivered",
        received_by="Dr. Han",
        location="Seoul",
        temperature_c=-71,
    )
    sh.refresh_from_db()
    assert sh.status == "delivered"
    assert list(sh.custody.values_list("seq", "event")) == [
        (1, "packed"),
        (2, "handed_over"),
        (3, "delivered"),
    ]


def test_deviation_capa_lifecycle(batch: Batch, pp) -> None:
    actions.record_step(
        by=pp["op1"], step=batch.steps.get(key="LIN-01"), values={"temp": "40 degC"}
    )
    dev = Deviation.objects.get()
    with pytest.raises(InvalidTransition):
        actions.record_root_cause(by=pp["op1"], deviation=dev, investigation="x", root_cause="y")
    with pytest.raises(PolicyDenied):
        actions.classify_deviation(by=pp["op1"], deviation=dev, classification="major")
    actions.classify_deviation(by=pp["qa"], deviation=dev, classification="major")
    actions.record_root_cause(
        by=pp["op1"],
        deviation=dev,
        investigation="Heater log reviewed",
        root_cause="Thermostat drift",
    )
    with pytest.raises(InvalidTransition, match="at least one CAPA"):
        actions.check_effectiveness(by=pp["op1"], deviation=dev, effectiveness="ok")
    with pytest.raises(DomainError, match="past"):
        actions.add_capa(
            by=pp["op1"],
            deviation=dev,
            kind="corrective",
            description="x",
            owner=pp["op2"],
            due_on=timezone.localdate() - dt.timedelta(days=1),
        )
    capa = actions.add_capa(
        by=pp["op1"],
        deviation=dev,
        kind="corrective",
        description="Replace thermostat",
        owner=pp["op2"],
        due_on=timezone.localdate() + dt.timedelta(days=14),
    )
    with pytest.raises(InvalidTransition, match="still open"):
        actions.check_effectiveness(by=pp["op1"], deviation=dev, effectiveness="ok")
    actions.complete_capa(by=pp["op2"], action=capa, outcome="Replaced, calibrated")
    actions.check_effectiveness(
        by=pp["op1"], deviation=dev, effectiveness="Next 3 runs within 36-38 °C"
    )
    with pytest.raises(DomainError, match="Password"):
        actions.close_deviation(by=pp["qa"], deviation=dev, password="bad")
    actions.close_deviation(by=pp["qa"], deviation=dev, password=PASSWORD)
    dev.refresh_from_db()
    assert dev.status == "closed" and dev.closed_by == pp["qa"]
