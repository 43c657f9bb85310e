"""Biofoundry projects with KRIBB-style codes, linked to evaluations, searchable by code."""

from __future__ import annotations

import json
from typing import Any

import pytest

from bioproof.consortium.actions import issue_api_token
from bioproof.core.errors import ConflictError, DomainError, PolicyDenied
from bioproof.interop import actions


def test_hierarchy_links_and_search(client: Any, people: Any, orgs: Any, requested: Any) -> None:
    project = actions.create_biofoundry_project(
        by=people["evaluator"], organization=orgs["center"], code="KBF-2026-01", title="CHO media"
    )
    service = actions.add_biofoundry_step(
        by=people["evaluator"], project=project, level="service", code="S01", name="Strain"
    )
    workflow = actions.add_biofoundry_step(
        by=people["evaluator"],
        project=project,
        level="workflow",
        code="WB010",
        name="Cultivation",
        parent=service,
    )
    actions.add_biofoundry_step(
        by=people["evaluator"],
        project=project,
        level="unit_operation",
        code="UHW100",
        name="Fed-batch",
        parent=workflow,
        evaluation=requested,
    )
    with pytest.raises(DomainError, match="belongs under a workflow"):
        actions.add_biofoundry_step(
            by=people["evaluator"],
            project=project,
            level="unit_operation",
            code="UHW101",
            name="x",
            parent=service,
        )
    with pytest.raises(ConflictError):
        actions.add_biofoundry_step(
            by=people["evaluator"], project=project, level="service", code="S01", name="again"
        )
    with pytest.raises(DomainError, match="capital letters"):
        actions.add_biofoundry_step(
            by=people["evaluator"], project=project, level="service", code="s 1", name="x"
        )
    with pytest.raises(PolicyDenied):
        actions.add_biofoundry_step(
            by=people["b_admin"], project=project, level="service", code="S02", name="x"
        )
    # searched by a unit operation's code: the center and the linked evaluation's supplier see
    # it; a competitor does not
    for who, expected in (("evaluator", 1), ("a_staff", 1), ("b_admin", 0)):
        _t, raw = issue_api_token(by=people[who], name="bf")
        found = client.get(
            "/api/v1/interop/biofoundry/projects?code=uhw100", HTTP_AUTHORIZATION=f"Bearer {raw}"
        ).json()
        assert found["count"] == expected, who
    _t, raw = issue_api_token(by=people["evaluator"], name="bf2")
    body = client.get(
        "/api/v1/interop/biofoundry/projects?code=WB010", HTTP_AUTHORIZATION=f"Bearer {raw}"
    ).json()["items"][0]
    assert {s["code"]: s["evaluation"] for s in body["steps"]}["UHW100"] == requested.code


def test_cannot_link_an_evaluation_one_cannot_see(people: Any, orgs: Any, requested: Any) -> None:
    project = actions.create_biofoundry_project(
        by=people["other_center"], organization=orgs["center2"], code="MBF-1", title="x"
    )
    service = actions.add_biofoundry_step(
        by=people["other_center"], project=project, level="service", code="S01", name="s"
    )
    with pytest.raises(DomainError, match="cannot see"):
        actions.add_biofoundry_step(
            by=people["other_center"],
            project=project,
            level="workflow",
            code="WB010",
            name="w",
            parent=service,
            evaluation=requested,
        )


def test_project_api(client: Any, people: Any) -> None:
    _t, raw = issue_api_token(by=people["evaluator"], name="bf")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    made = client.post(
        "/api/v1/interop/biofoundry/projects",
        json.dumps({"organization": "center", "code": "KBF-9", "title": "t"}),
        content_type="application/json",
        **auth,
    )
    assert made.status_code == 201, made.content
    step = client.post(
        "/api/v1/interop/biofoundry/projects/KBF-9/steps",
        json.dumps({"level": "service", "code": "S01", "name": "s"}),
        content_type="application/json",
        **auth,
    )
    assert step.status_code == 201 and step.json()["steps"][0]["code"] == "S01"
    dup = client.post(
        "/api/v1/interop/biofoundry/projects",
        json.dumps({"organization": "center", "code": "KBF-9", "title": "t"}),
        content_type="application/json",
        **auth,
    )
    assert dup.status_code == 409
