"""The demand API: needs, matches, proposals, tailored evaluation, adoptions."""

from __future__ import annotations

import pytest
from django.test import Client

from bioproof.consortium.actions import issue_api_token

pytestmark = pytest.mark.django_db


def _bearer(user) -> Client:
    _, raw = issue_api_token(by=user, name="test")
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}", HTTP_ACCEPT_LANGUAGE="en")


NEED = {
    "title": "Protein A resin",
    "category": "resins",
    "incumbent": "MabSelect SuRe",
    "organism": "CHO",
    "scale": "2,000 L",
    "mode": "downstream",
    "required_specs": [
        {"key": "dbc10", "comparison": "min", "value": 40},
        {"key": "mode", "comparison": "equals", "value": "affinity"},
    ],
    "criteria": [{"kpi": "final_titer", "comparison": "equivalence", "value": 0.1}],
    "yearly_volume": 200,
    "volume_unit": "L",
    "visibility": "private",
}


def test_need_to_evaluation_via_api(more_people, orgs, make_product) -> None:
    resin = make_product("국산 레진", "Domestic resin", "resins", {"dbc10": 45, "mode": "affinity"})
    demand = _bearer(more_people["demand"])
    supplier = _bearer(more_people["a_staff"])
    r = demand.post("/api/needs", NEED, content_type="application/json")
    assert r.status_code == 201, r.content
    need = r.json()
    code = need["code"]
    assert need["organization"] == "demand" and need["criteria"][0]["relative"] is True
    assert supplier.get(f"/api/needs/{code}").status_code == 404  # private
    assert Client().get("/api/needs").json()["count"] == 0

    matches = demand.get(f"/api/needs/{code}/matches").json()
    assert matches[0]["product"] == resin.code and matches[0]["specs_met"] == 2
    assert supplier.get(f"/api/needs/{code}/matches").status_code == 404
    r = demand.post(
        f"/api/needs/{code}/invitations", {"product": resin.code}, content_type="application/json"
    )
    assert r.status_code == 201 and r.json()["status"] == "invited"
    assert supplier.get(f"/api/needs/{code}").status_code == 200  # invited
    assert supplier.get(f"/api/needs/{code}/matches").status_code == 403
    r = supplier.post(
        f"/api/needs/{code}/proposals",
        {"product": resin.code, "message": "yes"},
        content_type="application/json",
    )
    assert r.status_code == 201 and r.json()["status"] == "submitted"
    pk = r.json()["id"]
    assert [p["id"] for p in supplier.get("/api/proposals").json()["items"]] == [pk]
    r = supplier.post(f"/api/proposals/{pk}/accept", {}, content_type="application/json")
    assert r.status_code == 403
    r = demand.post(f"/api/proposals/{pk}/accept", {}, content_type="application/json")
    assert r.status_code == 200 and r.json()["status"] == "accepted"
    r = demand.post(
        f"/api/proposals/{pk}/evaluation",
        {"center": "nowhere", "title": "T"},
        content_type="application/json",
    )
    assert r.status_code == 400 and r.json()["field"] == "center"
    r = demand.post(
        f"/api/proposals/{pk}/evaluation",
        {"center": "center", "title": "Tailored resin evaluation"},
        content_type="application/json",
    )
    assert r.status_code == 201, r.content
    evaluation = r.json()
    assert evaluation["product"] == resin.code and evaluation["center"] == "center"
    assert demand.get(f"/api/needs/{code}/proposals").json()[0]["evaluation"] == evaluation["code"]

    r = demand.post(
        "/api/adoptions",
        {
            "product": resin.code,
            "adopted_on": "2024-05-01",
            "need": code,
            "evaluation": evaluation["code"],
            "yearly_volume": 200,
            "volume_unit": "L",
        },
        content_type="application/json",
    )
    assert r.status_code == 201, r.content
    assert r.json()["evaluation"] == evaluation["code"] and r.json()["need"] == code
    assert supplier.get("/api/adoptions").json()["count"] == 1
    r = demand.post(
        f"/api/needs/{code}/close", {"reason": "adopted"}, content_type="application/json"
    )
    assert r.json()["status"] == "closed"


def test_api_errors(more_people) -> None:
    demand = _bearer(more_people["demand"])
    r = demand.post(
        "/api/needs", {**NEED, "category": "spaceships"}, content_type="application/json"
    )
    assert r.status_code == 400 and r.json()["field"] == "category"
    r = demand.post(
        "/api/needs",
        {**NEED, "required_specs": [{"key": "dbc10", "comparison": "min", "value": "lots"}]},
        content_type="application/json",
    )
    assert r.status_code == 400 and "not a number" in r.json()["detail"]
    r = demand.post(
        "/api/needs",
        {**NEED, "criteria": [{"kpi": "nope", "comparison": "minimum", "value": 1}]},
        content_type="application/json",
    )
    assert r.status_code == 400 and r.json()["field"] == "criteria"
    r = demand.post("/api/needs", {"title": "x"}, content_type="application/json")
    assert r.status_code == 422
    supplier = _bearer(more_people["a_staff"])
    r = supplier.post("/api/needs", NEED, content_type="application/json")
    assert r.status_code == 403 and "no demand company" in r.json()["detail"]
    assert Client().post("/api/needs", NEED, content_type="application/json").status_code == 401
    r = demand.post(
        "/api/adoptions",
        {"product": "PR-0", "adopted_on": "2024-01-01"},
        content_type="application/json",
    )
    assert r.status_code == 400 and r.json()["field"] == "product"
    assert demand.get("/api/needs/ND-0000-0000").status_code == 404
