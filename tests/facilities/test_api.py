"""API of center services: equipment, availability, bookings, projects and quotes in the OpenAPI
schema, with the pages' authentication and visibility; a taken slot is a 409 with a message."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from .conftest import PASSWORD, at

pytestmark = pytest.mark.django_db


def client(user: Any = None) -> Client:
    c = Client(HTTP_ACCEPT_LANGUAGE="en")
    if user is not None:
        c.force_login(user)
    return c


def test_openapi_lists_the_facilities_paths() -> None:
    schema = Client().get("/api/openapi.json").json()
    paths = [p for p in schema["paths"] if p.startswith("/api/facilities/")]
    for path in (
        "/api/facilities/equipment",
        "/api/facilities/equipment/{code}/availability",
        "/api/facilities/bookings",
        "/api/facilities/projects",
        "/api/facilities/projects/{code}/quotes",
    ):
        assert path in paths
    assert "FacilitiesBookingOut" in schema["components"]["schemas"]


def test_booking_over_the_api(sub50: Any, fp: dict) -> None:
    assert client().get("/api/facilities/equipment").json()["items"][0]["code"] == "ACC-SUB-50"
    body = {
        "equipment": "ACC-SUB-50",
        "starts_at": at(3, 9).isoformat(),
        "ends_at": at(3, 12).isoformat(),
    }
    assert (
        client().post("/api/facilities/bookings", body, content_type="application/json").status_code
        == 401
    )
    r = client(fp["a_staff"]).post(
        "/api/facilities/bookings", body, content_type="application/json"
    )
    assert r.status_code == 201, r.content
    code = r.json()[0]["code"]
    r = client(fp["operator"]).post(
        "/api/facilities/bookings", body, content_type="application/json"
    )
    assert r.status_code == 409 and "already booked" in r.json()["detail"]
    r = client(fp["b_user"]).post(
        "/api/facilities/bookings",
        {**body, "starts_at": at(5, 9).isoformat(), "ends_at": at(5, 12).isoformat()},
        content_type="application/json",
    )
    assert r.status_code == 400 and "qualification" in r.json()["detail"]
    # availability: the competitor sees the slot, not the code
    q = f"start={at(3, 0).isoformat()}&end={at(4, 0).isoformat()}".replace("+", "%2B")
    busy = (
        client(fp["b_user"])
        .get(f"/api/facilities/equipment/ACC-SUB-50/availability?{q}")
        .json()["busy"]
    )
    assert busy == [
        {
            "starts_at": busy[0]["starts_at"],
            "ends_at": busy[0]["ends_at"],
            "kind": "booking",
            "code": None,
        }
    ]
    own = client(fp["a_staff"]).get(f"/api/facilities/equipment/ACC-SUB-50/availability?{q}").json()
    assert own["busy"][0]["code"] == code
    assert client(fp["b_user"]).get(f"/api/facilities/bookings/{code}").status_code == 404
    assert client(fp["b_user"]).get("/api/facilities/bookings").json()["count"] == 0
    r = client(fp["a_staff"]).post(
        f"/api/facilities/bookings/{code}/move",
        {"starts_at": at(3, 8).isoformat(), "ends_at": at(3, 11).isoformat()},
        content_type="application/json",
    )
    assert r.status_code == 200 and r.json()["starts_at"].startswith(at(3, 8).date().isoformat())


def test_projects_and_quotes_over_the_api(sub50: Any, fp: dict) -> None:
    r = client(fp["a_staff"]).post(
        "/api/facilities/projects",
        {
            "center": "center",
            "title": "t",
            "organism": "CHO",
            "process_steps": "x",
            "scale": "50 L",
        },
        content_type="application/json",
    )
    assert r.status_code == 201, r.content
    code = r.json()["code"]
    r = client(fp["evaluator"]).post(
        f"/api/facilities/projects/{code}/quotes",
        {
            "funding_line": "test_service",
            "lines": [
                {"kind": "equipment", "equipment": "ACC-SUB-50", "quantity": 10, "unit": "day"}
            ],
        },
        content_type="application/json",
    )
    assert r.status_code == 201, r.content
    assert r.json()["subtotal_krw"] == 12_000_000 and r.json()["total_krw"] == 13_200_000
    assert client(fp["b_user"]).get(f"/api/facilities/projects/{code}/quotes").status_code == 404
    assert (
        client(fp["evaluator"]).post(f"/api/facilities/projects/{code}/quotes/1/send").status_code
        == 200
    )
    r = client(fp["a_approver"]).post(
        f"/api/facilities/projects/{code}/quotes/1/accept",
        {"password": PASSWORD},
        content_type="application/json",
    )
    assert r.status_code == 200 and r.json()["status"] == "accepted"
