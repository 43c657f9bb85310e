"""The API: orders, constructs, batches, steps, results, deviations and CoA with the same
visibility rules; errors are 4xx with their message."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from bioproof.production.models import Batch

from .conftest import GOOD, LIPIDS, PASSWORD, fasta, template

pytestmark = pytest.mark.django_db


def client(user: Any) -> Client:
    c = Client(HTTP_ACCEPT_LANGUAGE="en")
    c.force_login(user)
    return c


def test_openapi_lists_production() -> None:
    schema = Client().get("/api/openapi.json").json()
    paths = schema["paths"]
    for p in (
        "/api/production/orders",
        "/api/production/orders/{code}/constructs",
        "/api/production/batches/{code}/steps",
        "/api/production/batches/{code}/steps/{seq}",
        "/api/production/batches/{code}/results",
        "/api/production/deviations",
        "/api/production/batches/{code}/coa",
        "/api/production/coa-verification",
    ):
        assert p in paths, p
    assert "ProductionStepOut" in schema["components"]["schemas"]


def test_order_over_the_api(pp, p_orgs) -> None:
    cust = client(pp["cust"])
    r = cust.post(
        "/api/production/orders",
        {
            "customer": "demand",
            "facility": "center2",
            "title": "Spike",
            "grade": "gmp_clinical",
            "deliverables": ["CoA"],
        },
        content_type="application/json",
    )
    assert r.status_code == 201, r.content
    code = r.json()["code"]
    bad = cust.post(
        f"/api/production/orders/{code}/constructs",
        {
            "file": SimpleUploadedFile("s.fa", fasta(template(polya=20))),
            "name": "s",
            "enzyme": "XbaI",
            "quantity_mg": 2,
            "formulation": "naked",
        },
    )
    assert bad.status_code == 400 and "poly(A) of 20 nt" in bad.json()["detail"]
    ok = cust.post(
        f"/api/production/orders/{code}/constructs",
        {
            "file": SimpleUploadedFile("s.fa", fasta(template())),
            "name": "s",
            "enzyme": "XbaI",
            "quantity_mg": 2,
            "formulation": "lnp",
            **LIPIDS,
        },
    )
    assert ok.status_code == 201, ok.content
    assert ok.json()["report"]["polya_length"] == 100
    # a competitor sees nothing
    other = client(pp["b_admin"])
    assert other.get(f"/api/production/orders/{code}").status_code == 404
    assert other.get("/api/production/orders").json()["count"] == 0
    assert (
        client(pp["evaluator"]).get(f"/api/production/orders/{code}/constructs").status_code == 404
    )
    assert Client().get("/api/production/orders").status_code == 401


def test_steps_and_results_over_the_api(batch: Batch, pp, lot, ready, spec) -> None:
    op1, op2 = client(pp["op1"]), client(pp["op2"])
    base = f"/api/production/batches/{batch.code}/steps"
    r = op1.post(f"{base}/1", {"values": {"temp": "37 mL"}}, content_type="application/json")
    assert r.status_code == 400 and "cannot be converted" in r.json()["detail"]
    r = op1.post(f"{base}/3", {"values": GOOD["PUR-01"]}, content_type="application/json")
    assert r.status_code == 409
    r = op1.post(f"{base}/1", {"values": GOOD["LIN-01"]}, content_type="application/json")
    assert r.status_code == 200 and r.json()["status"] == "done"
    r = op1.post(
        f"{base}/2",
        {
            "values": GOOD["IVT-01"],
            "equipment_code": "MF-IVT-01",
            "materials": [{"lot": lot.pk, "quantity": "20 mL"}],
        },
        content_type="application/json",
    )
    assert r.status_code == 200, r.content
    assert (
        op1.post(
            f"{base}/2/verify", {"password": PASSWORD}, content_type="application/json"
        ).status_code
        == 403
    )
    assert (
        op2.post(
            f"{base}/2/verify", {"password": PASSWORD}, content_type="application/json"
        ).json()["status"]
        == "verified"
    )
    steps = op1.get(base).json()
    assert [s["status"] for s in steps] == ["done", "verified", "pending", "pending"]
    assert client(pp["b_admin"]).get(base).status_code == 404
    # the customer sees its batch's steps
    assert client(pp["cust"]).get(base).status_code == 200
    from bioproof.production import actions

    sample = actions.draw_sample(by=pp["op1"], batch=batch, spec_version=spec, stage="DS")
    r = op1.post(
        f"/api/production/samples/{sample.code}/results",
        {"test_key": "capping", "value": 0.95, "unit": ""},
        content_type="application/json",
    )
    assert r.status_code == 400 and "unit" in r.json()["detail"]
    r = op1.post(
        f"/api/production/samples/{sample.code}/results",
        {"test_key": "capping", "value": 95, "unit": "%"},
        content_type="application/json",
    )
    assert r.status_code == 201 and r.json()["conforms"]
    rid = r.json()["id"]
    assert client(pp["cust"]).get(f"/api/production/batches/{batch.code}/results").json() == []
    assert (
        op2.post(
            f"/api/production/results/{rid}/verify",
            {"password": PASSWORD},
            content_type="application/json",
        ).json()["status"]
        == "verified"
    )
    assert len(client(pp["cust"]).get(f"/api/production/batches/{batch.code}/results").json()) == 1


def test_deviation_over_the_api(batch: Batch, pp) -> None:
    r = client(pp["op1"]).post(
        "/api/production/deviations",
        {
            "facility": "center2",
            "kind": "equipment",
            "title": "Spill",
            "description": "Spill in suite",
            "batch": batch.code,
            "step": 1,
        },
        content_type="application/json",
    )
    assert r.status_code == 201, r.content
    code = r.json()["code"]
    assert client(pp["cust"]).get(f"/api/production/deviations/{code}").status_code == 200
    assert client(pp["b_admin"]).get(f"/api/production/deviations/{code}").status_code == 404
    r = client(pp["b_admin"]).post(
        "/api/production/deviations",
        {"facility": "center2", "kind": "other", "title": "x", "description": "y"},
        content_type="application/json",
    )
    assert r.status_code == 403


def test_public_coa_verification_not_found() -> None:
    r = Client().get("/api/production/coa-verification", {"code": "0123456789ABCDEF"})
    assert r.status_code == 404
