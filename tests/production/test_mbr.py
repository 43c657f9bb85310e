"""Master batch records: ISA-88 validation, QA approval with e-signature, change control, frozen
versions."""

from __future__ import annotations

import copy

import pytest

from bioproof.core.errors import DomainError, InvalidTransition, PolicyDenied
from bioproof.core.signatures import signatures_for
from bioproof.production import actions
from bioproof.production.models import Batch, MBRVersion
from bioproof.production.recipes import scaled_bom

from .conftest import BOM, PASSWORD, PROCEDURE


def test_approved_with_signature(mbr: MBRVersion, pp) -> None:
    assert mbr.status == "approved" and mbr.approved_by == pp["qa"]
    sig = signatures_for(mbr).get()
    assert sig.meaning == "approved" and sig.content_hash == mbr.content_hash


def test_author_cannot_approve_and_staff_is_not_qa(pp, facility) -> None:
    v = actions.create_mbr(
        by=pp["op1"],
        facility=facility,
        code="MBR-X",
        product="x",
        batch_size=1,
        batch_unit="mL",
        procedure=PROCEDURE,
        bom=BOM,
    )
    with pytest.raises(PolicyDenied):
        actions.approve_mbr(by=pp["op2"], version=v, password=PASSWORD)
    with pytest.raises(PolicyDenied):
        actions.create_mbr(
            by=pp["cust"],
            facility=facility,
            code="MBR-Y",
            product="x",
            batch_size=1,
            batch_unit="mL",
            procedure=PROCEDURE,
            bom=BOM,
        )


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        (("parameters", 0, "unit"), "bananas", "step LIN-01, 'temp'"),
        (("parameters", 0, "low"), 40, "low limit 40 is above the high limit 38"),
        (("parameters", 0, "target"), 50, "target 50 lies outside"),
        (("key",), "IVT-01", "step key IVT-01 is used twice"),
    ],
)
def test_procedure_errors_name_their_place(pp, facility, path, value, message) -> None:
    proc = copy.deepcopy(PROCEDURE)
    node = proc["unit_procedures"][0]["operations"][0]["steps"][0]
    for p in path[:-1]:
        node = node[p]
    node[path[-1]] = value
    with pytest.raises(DomainError, match=message):
        actions.create_mbr(
            by=pp["op1"],
            facility=facility,
            code="MBR-Z",
            product="x",
            batch_size=1,
            batch_unit="mL",
            procedure=proc,
            bom=BOM,
        )


def test_unknown_material_refused(pp, facility) -> None:
    with pytest.raises(DomainError, match="not in the bill of materials"):
        actions.create_mbr(
            by=pp["op1"],
            facility=facility,
            code="MBR-Z",
            product="x",
            batch_size=1,
            batch_unit="mL",
            procedure=PROCEDURE,
            bom=[],
        )


def test_change_control_and_frozen_batch(mbr: MBRVersion, batch: Batch, pp) -> None:
    proc = copy.deepcopy(PROCEDURE)
    proc["unit_procedures"][0]["operations"][0]["steps"][0]["parameters"][0]["high"] = 37.5
    with pytest.raises(DomainError, match="required"):
        actions.revise_mbr(
            by=pp["op1"],
            recipe=mbr.recipe,
            reason="",
            batch_size=10,
            batch_unit="mL",
            procedure=proc,
            bom=BOM,
        )
    v2 = actions.revise_mbr(
        by=pp["op1"],
        recipe=mbr.recipe,
        reason="Tighter temperature window",
        batch_size=10,
        batch_unit="mL",
        procedure=proc,
        bom=BOM,
    )
    assert v2.version == 2 and v2.status == "draft"
    with pytest.raises(InvalidTransition, match="draft version waiting"):
        actions.revise_mbr(
            by=pp["op1"],
            recipe=mbr.recipe,
            reason="again",
            batch_size=10,
            batch_unit="mL",
            procedure=proc,
            bom=BOM,
        )
    # a draft cannot start a batch
    with pytest.raises(DomainError, match="approved version in force"):
        actions.start_batch(
            by=pp["op1"],
            order=batch.order,
            construct=batch.construct,
            mbr_version=v2,
            batch_size=10,
        )
    actions.approve_mbr(by=pp["qa"], version=v2, password=PASSWORD)
    mbr.refresh_from_db()
    assert mbr.status == "superseded"
    # the running batch keeps the version it started with
    batch.refresh_from_db()
    assert batch.mbr_version_id == mbr.pk
    assert batch.steps.get(key="LIN-01").definition["values"][0]["high"] == 38
    with pytest.raises(DomainError, match="approved version in force"):
        actions.start_batch(
            by=pp["op1"],
            order=batch.order,
            construct=batch.construct,
            mbr_version=mbr,
            batch_size=10,
        )


def test_bom_scaled_to_batch_size(batch: Batch) -> None:
    assert batch.scale == 2.0
    assert scaled_bom(batch.mbr_version.bom, batch.scale) == [
        {"material": "NTP mix", "quantity": 20.0, "unit": "mL"}
    ]
