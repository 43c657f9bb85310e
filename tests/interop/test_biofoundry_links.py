"""Biofoundry steps linked to facilities bookings and process-development projects: seen by who
sees both ends, searchable by code, audited; refused when the linker cannot see the target."""

from __future__ import annotations

import json
from typing import Any

import pytest

from bioproof.consortium.actions import issue_api_token
from bioproof.core.errors import ConflictError, DomainError, PolicyDenied
from bioproof.core.models import AuditEvent
from bioproof.facilities import actions as facilities
from bioproof.interop import actions
from bioproof.interop.models import BiofoundryLink, BiofoundryProject

from ..facilities.conftest import at, fp, sub50  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(fp: dict, sub50: Any, orgs: Any) -> dict[str, Any]:  # noqa: F811
    booking = facilities.book(
        by=fp["a_staff"], equipment=sub50, starts_at=at(2, 9), ends_at=at(2, 17)
    )
    pd = facilities.request_project(
        by=fp["a_staff"],
        company=orgs["supplier_a"],
        center=orgs["center"],
        title="CHO fed-batch scale-up",
        organism="CHO-K1",
        process_steps="seed, 50 L fed-batch",
        scale="50 L",
    )
    project = actions.create_biofoundry_project(
        by=fp["a_staff"], organization=orgs["supplier_a"], code="KBF-A-1", title="CHO media"
    )
    service = actions.add_biofoundry_step(
        by=fp["a_staff"], project=project, level="service", code="S01", name="Strain"
    )
    workflow = actions.add_biofoundry_step(
        by=fp["a_staff"],
        project=project,
        level="workflow",
        code="WB010",
        name="Cultivation",
        parent=service,
    )
    unit = actions.add_biofoundry_step(
        by=fp["a_staff"],
        project=project,
        level="unit_operation",
        code="UHW100",
        name="Fed-batch",
        parent=workflow,
    )
    return {"booking": booking, "pd": pd, "project": project, "unit": unit, "workflow": workflow}


def _search(client: Any, user: Any, code: str) -> dict[str, Any]:
    _t, raw = issue_api_token(by=user, name=f"bf-{code}")
    response = client.get(
        f"/api/v1/interop/biofoundry/projects?code={code}", HTTP_AUTHORIZATION=f"Bearer {raw}"
    )
    assert response.status_code == 200, response.content
    return response.json()


def test_links_visible_to_who_sees_both_ends(client: Any, fp: dict, setup: dict) -> None:  # noqa: F811
    unit, booking, pd = setup["unit"], setup["booking"], setup["pd"]
    actions.link_biofoundry_step(by=fp["a_staff"], step=unit, booking=booking)
    actions.link_biofoundry_step(by=fp["a_staff"], step=setup["workflow"], facility_project=pd)
    events = AuditEvent.objects.filter(action="biofoundry.step_linked")
    assert {e.after.get("booking") or e.after.get("facility_project") for e in events} == {
        booking.code,
        pd.code,
    }
    assert BiofoundryLink.objects.visible_to(fp["a_staff"]).count() == 2
    assert BiofoundryLink.objects.visible_to(fp["evaluator"]).count() == 2  # the center
    assert BiofoundryLink.objects.visible_to(fp["b_admin"]).count() == 0
    assert BiofoundryLink.objects.visible_to(fp["other_center"]).count() == 0
    assert not BiofoundryProject.objects.visible_to(fp["b_admin"]).exists()
    # searched by the booking's code, by the PD project's code and by the unit operation's code
    for code in (booking.code, pd.code, "uhw100"):
        for who, expected in (("a_staff", 1), ("evaluator", 1), ("b_admin", 0)):
            assert _search(client, fp[who], code)["count"] == expected, (code, who)
    body = _search(client, fp["evaluator"], booking.code)["items"][0]
    steps = {s["code"]: s for s in body["steps"]}
    assert steps["UHW100"]["bookings"] == [booking.code]
    assert steps["WB010"]["facility_projects"] == [pd.code]


def test_link_shows_only_the_ends_one_sees(fp: dict, setup: dict, orgs: Any, sub50: Any) -> None:  # noqa: F811
    """Supplier B sees neither end: no link; another supplier-A member sees both ends."""
    actions.link_biofoundry_step(by=fp["a_staff"], step=setup["unit"], booking=setup["booking"])
    outsider = fp["b_user"]  # supplier B: sees neither end
    assert not BiofoundryLink.objects.visible_to(outsider).exists()
    # another supplier-A member sees both ends (the booking's organization, the project's)
    assert BiofoundryLink.objects.visible_to(fp["a_approver"]).count() == 1


def test_refusals(fp: dict, setup: dict, orgs: Any) -> None:  # noqa: F811
    unit, booking = setup["unit"], setup["booking"]
    with pytest.raises(PolicyDenied):
        actions.link_biofoundry_step(by=fp["b_admin"], step=unit, booking=booking)
    with pytest.raises(DomainError, match="one booking or one"):
        actions.link_biofoundry_step(
            by=fp["a_staff"], step=unit, booking=booking, facility_project=setup["pd"]
        )
    with pytest.raises(DomainError, match="one booking or one"):
        actions.link_biofoundry_step(by=fp["a_staff"], step=unit)
    # a center2 project cannot be linked to a booking center2 cannot see
    other = actions.create_biofoundry_project(
        by=fp["other_center"], organization=orgs["center2"], code="MBF-2", title="x"
    )
    service = actions.add_biofoundry_step(
        by=fp["other_center"], project=other, level="service", code="S01", name="s"
    )
    with pytest.raises(DomainError, match="cannot see"):
        actions.link_biofoundry_step(by=fp["other_center"], step=service, booking=booking)
    with pytest.raises(DomainError, match="cannot see"):
        actions.link_biofoundry_step(
            by=fp["other_center"], step=service, facility_project=setup["pd"]
        )
    actions.link_biofoundry_step(by=fp["a_staff"], step=unit, booking=booking)
    with pytest.raises(ConflictError):
        actions.link_biofoundry_step(by=fp["a_staff"], step=unit, booking=booking)
    assert BiofoundryLink.objects.count() == 1


def test_link_api(client: Any, fp: dict, setup: dict) -> None:  # noqa: F811
    _t, raw = issue_api_token(by=fp["a_staff"], name="bf")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    url = "/api/v1/interop/biofoundry/projects/KBF-A-1/steps/UHW100/links"
    made = client.post(
        url, json.dumps({"booking": setup["booking"].code}), content_type="application/json", **auth
    )
    assert made.status_code == 201, made.content
    steps = {s["code"]: s for s in made.json()["steps"]}
    assert steps["UHW100"]["bookings"] == [setup["booking"].code]
    again = client.post(
        url, json.dumps({"booking": setup["booking"].code}), content_type="application/json", **auth
    )
    assert again.status_code == 409
    unknown = client.post(
        url, json.dumps({"booking": "BK-NOPE"}), content_type="application/json", **auth
    )
    assert unknown.status_code == 400
    _t, raw_b = issue_api_token(by=fp["b_admin"], name="bf-b")
    hidden = client.post(
        url,
        json.dumps({"booking": setup["booking"].code}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {raw_b}",
    )
    assert hidden.status_code == 404
