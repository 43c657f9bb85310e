"""The demo: a released clinical lot with one deviation and its CAPA, an order in progress."""

from __future__ import annotations

import pytest

from bioproof import demo
from bioproof.production.models import Batch, CapaAction, Certificate, Deviation, Order


@pytest.mark.slow
def test_demo_from_order_to_release(db, ready) -> None:
    demo.load()
    batch = Batch.objects.get()
    assert batch.status == "released" and batch.grade == "gmp_clinical"
    assert batch.mbr_version.version == 2 and batch.mbr_version.reason
    dev = Deviation.objects.get()
    assert dev.status == "closed" and dev.step.key == "FIL-01"
    assert CapaAction.objects.get(deviation=dev).status == "done"
    assert Certificate.objects.get(batch=batch).content["tests"]
    assert batch.shipments.get().status == "delivered"
    assert Order.objects.filter(status="quoted").count() == 1
    scheduled = batch.order.bookings.select_related("booking__equipment")
    assert {link.booking.equipment.code for link in scheduled} == {
        "MF-IVT-01",
        "MF-TFF-01",
        "MF-LNP-01",
        "MF-UV-01",
        "MF-CE-01",
        "MF-DLS-01",
        "MF-LCMS-01",
    }
    assert {c for c, _ in ready} >= {
        "MF-IVT-01",
        "MF-TFF-01",
        "MF-LNP-01",
        "MF-UV-01",
        "MF-CE-01",
        "MF-DLS-01",
        "MF-LCMS-01",
    }


@pytest.mark.slow
def test_demo_without_equipment_registry_stops_at_the_ivt(db, monkeypatch) -> None:
    monkeypatch.setattr("bioproof.production.readiness.registry_available", lambda: False)
    demo.load()
    batch = Batch.objects.get()
    assert batch.status == "in_progress"
    assert batch.steps.get(key="IVT-01").status == "pending"
    assert Order.objects.filter(status="quoted").count() == 1
