"""The whole thread through the API, with a bearer token for the center."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from bioproof.consortium.actions import issue_api_token
from bioproof.evaluations.samples import DEMO_RUNS, fed_batch_csv

from ..conftest import PASSWORD

pytestmark = pytest.mark.django_db


def _bearer(user) -> Client:
    _, raw = issue_api_token(by=user, name="test")
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}", HTTP_ACCEPT_LANGUAGE="en")


def test_thread_via_api(people, orgs, product_a) -> None:
    supplier = _bearer(people["a_staff"])
    center = _bearer(people["evaluator"])
    r = supplier.post(
        "/api/evaluations",
        {
            "product": product_a.code,
            "center": "center",
            "title": "API thread",
            "reference_product": "Incumbent",
            "scale": "200 L",
            "titer_margin": 0.1,
        },
        content_type="application/json",
    )
    assert r.status_code == 201, r.content
    code = r.json()["code"]
    assert center.post(f"/api/evaluations/{code}/accept").json()["status"] == "planning"
    protocol = _bearer(people["approver"]).post(
        f"/api/evaluations/{code}/protocol/sign",
        {"password": PASSWORD},
        content_type="application/json",
    )
    assert protocol.status_code == 200, protocol.content
    assert protocol.json()["status"] == "running"
    for arm, label, params in DEMO_RUNS:
        assert (
            center.post(
                f"/api/evaluations/{code}/runs",
                {"arm": arm, "label": label},
                content_type="application/json",
            ).status_code
            == 201
        )
        up = center.post(
            f"/api/evaluations/{code}/runs/{label}/data",
            {"file": SimpleUploadedFile(f"{label}.csv", fed_batch_csv(**params))},
        )
        assert up.status_code == 201, up.content
        assert len(up.json()["sha256"]) == 64
    body = center.post(f"/api/evaluations/{code}/analyse").json()
    assert body["status"] == "analysed"
    titer = next(c for c in body["criteria"] if c["kpi"] == "final_titer")
    assert titer["passed"] is True
    assert all(run["kpis"]["final_titer"] > 0 for run in body["runs"])
    for who, meaning in (
        ("evaluator", "authored"),
        ("reviewer", "reviewed"),
        ("approver", "approved"),
    ):
        client = _bearer(people[who])
        bad = client.post(
            f"/api/evaluations/{code}/sign",
            {"meaning": meaning, "password": "nope"},
            content_type="application/json",
        )
        assert bad.status_code == 400 and "Password" in bad.json()["detail"]
        ok = client.post(
            f"/api/evaluations/{code}/sign",
            {"meaning": meaning, "password": PASSWORD},
            content_type="application/json",
        )
        assert ok.status_code == 200, ok.content
    report = center.post(
        f"/api/evaluations/{code}/reports", {"language": "en"}, content_type="application/json"
    )
    assert report.status_code == 201
    published = _bearer(people["a_admin"]).post(
        f"/api/evaluations/{code}/publish", {"consent": True}, content_type="application/json"
    )
    assert published.json()["status"] == "published"
    public = Client().get(f"/api/track-records/{code}").json()
    assert public["verification_code"] == report.json()["verification_code"]
    assert any(c["kpi"] == "final_titer" and c["passed"] for c in public["criteria"])


def test_api_errors_are_4xx_with_detail(people, requested) -> None:
    center = _bearer(people["evaluator"])
    missing = center.post(
        f"/api/evaluations/{requested.code}/runs",
        {"arm": "candidate"},
        content_type="application/json",
    )
    assert missing.status_code == 422  # schema validation names the missing field
    assert "label" in missing.content.decode()
    wrong_state = center.post(f"/api/evaluations/{requested.code}/analyse")
    assert wrong_state.status_code == 409 and "not possible" in wrong_state.json()["detail"]
    assert Client().get("/api/evaluations").status_code == 401
    assert Client(HTTP_AUTHORIZATION="Bearer nope").get("/api/evaluations").status_code == 401


def test_openapi_schema_is_served(client) -> None:
    schema = client.get("/api/openapi.json").json()
    assert "/api/evaluations/{code}/sign" in schema["paths"]
    assert client.get("/api/docs").status_code == 200
