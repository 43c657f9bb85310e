"""Executed batch records: order of steps, units and limits, automatic deviations, genealogy,
second-person verification, equipment readiness, review listing every exception."""

from __future__ import annotations

import pytest

from bioproof.core.errors import ConflictError, DomainError, InvalidTransition, PolicyDenied
from bioproof.production import actions, readiness
from bioproof.production.models import Batch, Consumption, Deviation, StepEntry

from .conftest import GOOD, PASSWORD, execute_all


def _step(batch: Batch, key: str):
    return batch.steps.get(key=key)


def test_batch_created_from_approved_version(batch: Batch) -> None:
    assert batch.code.startswith("BR-")
    assert list(batch.steps.values_list("key", flat=True)) == [
        "LIN-01",
        "IVT-01",
        "PUR-01",
        "FILL-01",
    ]
    assert batch.order.status == "in_production"


def test_no_skipping(batch: Batch, pp) -> None:
    with pytest.raises(InvalidTransition, match=r"step 1 \(LIN-01\) is not done"):
        actions.record_step(by=pp["op1"], step=_step(batch, "PUR-01"), values=GOOD["PUR-01"])


def test_units_converted_and_checked(batch: Batch, pp) -> None:
    actions.record_step(by=pp["op1"], step=_step(batch, "LIN-01"), values={"temp": "98.6 degF"})
    e = StepEntry.objects.get(step__batch=batch, key="temp")
    assert e.value_canonical == pytest.approx(37.0) and e.in_limits
    assert not Deviation.objects.exists()


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("abc", "'abc' is not a number"),
        ("37", "give the unit"),
        ("37 mL", "cannot be converted"),
        ("", "a value is required"),
    ],
)
def test_bad_entry_leaves_nothing(batch: Batch, pp, value: str, message: str) -> None:
    with pytest.raises(DomainError, match=message):
        actions.record_step(by=pp["op1"], step=_step(batch, "LIN-01"), values={"temp": value})
    assert not StepEntry.objects.exists()
    assert _step(batch, "LIN-01").status == "pending"


def test_out_of_limit_raises_deviation(batch: Batch, pp) -> None:
    actions.record_step(by=pp["op1"], step=_step(batch, "LIN-01"), values={"temp": "39.5 degC"})
    dev = Deviation.objects.get()
    assert dev.batch == batch and dev.step.key == "LIN-01" and dev.kind == "process"
    assert "39.5" in dev.description and dev.code.startswith("DV-")


def test_twice_is_a_conflict(batch: Batch, pp) -> None:
    actions.record_step(by=pp["op1"], step=_step(batch, "LIN-01"), values=GOOD["LIN-01"])
    with pytest.raises(ConflictError):
        actions.record_step(by=pp["op2"], step=_step(batch, "LIN-01"), values=GOOD["LIN-01"])


def test_gmp_equipment_refused_without_registry(batch: Batch, pp, lot, monkeypatch) -> None:
    monkeypatch.setattr(readiness, "registry_available", lambda: False)
    actions.record_step(by=pp["op1"], step=_step(batch, "LIN-01"), values=GOOD["LIN-01"])
    with pytest.raises(DomainError, match="equipment registry is unavailable"):
        actions.record_step(
            by=pp["op1"],
            step=_step(batch, "IVT-01"),
            values=GOOD["IVT-01"],
            equipment_code="MF-IVT-01",
            materials=[{"lot": lot, "quantity": 20, "unit": "mL"}],
        )
    lot.refresh_from_db()
    assert lot.remaining == 100 and not Consumption.objects.exists()


def test_non_gmp_equipment_unchecked_is_an_exception(pp, accepted, mbr, lot, monkeypatch) -> None:
    monkeypatch.setattr(readiness, "registry_available", lambda: False)
    accepted.grade = "research"
    Batch.objects.none()
    from bioproof.production.models import Order

    Order.objects.filter(pk=accepted.pk).update(grade="research")
    accepted.refresh_from_db()
    batch = actions.start_batch(
        by=pp["op1"],
        order=accepted,
        construct=accepted.constructs.get(),
        mbr_version=mbr,
        batch_size=10,
    )
    execute_all(batch, pp, lot)
    step = _step(batch, "IVT-01")
    assert step.equipment_code == "MF-IVT-01" and not step.equipment_checked
    kinds = [e["kind"] for e in actions.exceptions(batch)]
    assert kinds == ["equipment_unchecked"]


def test_readiness_problems_refuse(batch: Batch, pp, lot, monkeypatch) -> None:
    monkeypatch.setattr(
        readiness,
        "equipment_problems",
        lambda code, **kw: (["MF-IVT-01 is past its calibration due date."], True),
    )
    actions.record_step(by=pp["op1"], step=_step(batch, "LIN-01"), values=GOOD["LIN-01"])
    with pytest.raises(DomainError, match="past its calibration"):
        actions.record_step(
            by=pp["op1"],
            step=_step(batch, "IVT-01"),
            values=GOOD["IVT-01"],
            equipment_code="MF-IVT-01",
            materials=[{"lot": lot, "quantity": 20, "unit": "mL"}],
        )


def test_genealogy_and_second_person(batch: Batch, pp, lot, ready) -> None:
    actions.record_step(by=pp["op1"], step=_step(batch, "LIN-01"), values=GOOD["LIN-01"])
    with pytest.raises(DomainError, match="consumes NTP mix"):
        actions.record_step(
            by=pp["op1"],
            step=_step(batch, "IVT-01"),
            values=GOOD["IVT-01"],
            equipment_code="MF-IVT-01",
        )
    with pytest.raises(DomainError, match="only 100 mL remain"):
        actions.record_step(
            by=pp["op1"],
            step=_step(batch, "IVT-01"),
            values=GOOD["IVT-01"],
            equipment_code="MF-IVT-01",
            materials=[{"lot": lot, "quantity": "0.2 L"}],
        )
    actions.record_step(
        by=pp["op1"],
        step=_step(batch, "IVT-01"),
        values=GOOD["IVT-01"],
        equipment_code="MF-IVT-01",
        materials=[{"lot": lot, "quantity": "20 mL"}],
    )
    lot.refresh_from_db()
    assert lot.remaining == 80
    assert actions.genealogy(lot)[0]["batch__code"] == batch.code
    assert ready[-1] == ("MF-IVT-01", True)
    # the next step waits for the critical step's verification
    with pytest.raises(InvalidTransition, match="second-person verification"):
        actions.record_step(by=pp["op1"], step=_step(batch, "PUR-01"), values=GOOD["PUR-01"])
    with pytest.raises(PolicyDenied, match="second person"):
        actions.verify_step(by=pp["op1"], step=_step(batch, "IVT-01"), password=PASSWORD)
    actions.verify_step(by=pp["op2"], step=_step(batch, "IVT-01"), password=PASSWORD)
    actions.record_step(by=pp["op1"], step=_step(batch, "PUR-01"), values=GOOD["PUR-01"])


def test_review_lists_every_exception(batch: Batch, pp, lot, ready) -> None:
    execute_all(batch, pp, lot, {"FILL-01": {"vol": "0.7 mL"}})
    batch.refresh_from_db()
    assert batch.status == "executed"
    with pytest.raises(PolicyDenied):
        actions.review_batch(by=pp["op2"], batch=batch, password=PASSWORD)
    actions.review_batch(by=pp["qa"], batch=batch, password=PASSWORD)
    batch.refresh_from_db()
    assert batch.status == "reviewed"
    kinds = sorted(e["kind"] for e in batch.review)
    assert kinds == ["deviation", "out_of_limits"]


def test_registry_refuses_unknown_equipment(batch: Batch, pp, lot) -> None:
    """With the facilities app installed, an instrument it does not know is not usable."""
    pytest.importorskip("bioproof.facilities.readiness")
    assert readiness.registry_available()
    actions.record_step(by=pp["op1"], step=_step(batch, "LIN-01"), values=GOOD["LIN-01"])
    with pytest.raises(DomainError):
        actions.record_step(
            by=pp["op1"],
            step=_step(batch, "IVT-01"),
            values=GOOD["IVT-01"],
            equipment_code="NO-SUCH-EQUIPMENT-9",
            materials=[{"lot": lot, "quantity": 20, "unit": "mL"}],
        )
    assert _step(batch, "IVT-01").status == "pending"
