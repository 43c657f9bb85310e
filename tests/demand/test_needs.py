"""Posting and closing needs: happy path, policy, bad input, audit."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from bioproof.catalog.models import Category
from bioproof.core.errors import DomainError, InvalidTransition, PolicyDenied
from bioproof.core.models import AuditEvent
from bioproof.demand import actions, rules
from bioproof.demand.models import Need

pytestmark = pytest.mark.django_db


def test_post_need_happy_path_code_and_audit(make_need) -> None:
    need = make_need("public", deadline=timezone.localdate() + dt.timedelta(days=30))
    year = timezone.localdate().year
    assert need.code == f"ND-{year}-0001"
    assert need.status == Need.Status.OPEN
    assert need.required_specs == [{"key": "format", "comparison": "equals", "value": "powder"}]
    assert need.criteria[0] == {
        "kpi": "final_titer",
        "comparison": "equivalence",
        "value": 0.1,
        "relative": True,
        "unit": "g/L",
    }
    assert need.criteria[1]["relative"] is False and need.criteria[1]["unit"] == "1e6 cells/mL"
    assert need.process_context == "CHO-K1 · Fed-batch · 200 L"
    event = AuditEvent.objects.get(action="need.posted")
    assert event.object_id == str(need.pk)
    assert event.after["code"] == need.code and event.after["visibility"] == "public"
    assert event.organization_id == need.organization_id
    assert make_need("private").code == f"ND-{year}-0002"


@pytest.mark.parametrize("who", ["a_staff", "evaluator", "demand_viewer"])
def test_only_demand_staff_post_needs(make_need, more_people, orgs, who) -> None:
    with pytest.raises(PolicyDenied):
        make_need(by=more_people[who])
    assert not Need.objects.exists()
    assert not AuditEvent.objects.filter(action="need.posted").exists()


def test_cannot_post_for_another_demand_company(make_need, more_people, more_orgs) -> None:
    with pytest.raises(PolicyDenied):
        make_need(by=more_people["demand"], organization=more_orgs["demand2"])


def test_supplier_organization_cannot_post(make_need, people, orgs) -> None:
    with pytest.raises(PolicyDenied, match="Only demand companies"):
        make_need(by=people["a_admin"], organization=orgs["supplier_a"])


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"title": "  "}, "title", "required"),
        ({"incumbent": ""}, "incumbent", "required"),
        ({"mode": "sometimes"}, "mode", "not one of"),
        ({"yearly_volume": "lots"}, "yearly_volume", "not a number"),
        ({"yearly_volume": -3}, "yearly_volume", "non-negative"),
        ({"volume_unit": ""}, "volume_unit", "unit"),
        ({"deadline": dt.date(2000, 1, 1)}, "deadline", "past"),
        (
            {"required_specs": [{"key": "colour", "comparison": "equals", "value": "red"}]},
            "required_specs",
            "'colour' is not a field of",
        ),
        (
            {"required_specs": [{"key": "format", "comparison": "min", "value": "powder"}]},
            "required_specs",
            "is not a number; use 'equals'",
        ),
        (
            {"required_specs": [{"key": "format", "comparison": "equals", "value": "gel"}]},
            "required_specs",
            "not one of powder, liquid",
        ),
        (
            {"required_specs": [{"key": "format", "comparison": "about", "value": "powder"}]},
            "required_specs",
            "min, max or equals",
        ),
        (
            {"criteria": [{"kpi": "happiness", "comparison": "minimum", "value": 1}]},
            "criteria",
            "unknown KPI 'happiness'",
        ),
        (
            {"criteria": [{"kpi": "qp", "comparison": "better", "value": 1}]},
            "criteria",
            "comparison must be one of",
        ),
        (
            {"criteria": [{"kpi": "qp", "comparison": "minimum", "value": "x"}]},
            "criteria",
            "'x' is not a number",
        ),
        (
            {
                "criteria": [
                    {"kpi": "qp", "comparison": "equivalence", "value": 10, "relative": True}
                ]
            },
            "criteria",
            "fraction of the reference mean below 10",
        ),
        (
            {"criteria": [{"kpi": "qp", "comparison": "non_inferiority", "value": -0.1}]},
            "criteria",
            "positive number",
        ),
    ],
)
def test_bad_input_names_the_field(make_need, changes, field, message) -> None:
    with pytest.raises(DomainError) as info:
        make_need(**changes)
    assert info.value.field == field
    assert message in info.value.message
    assert not Need.objects.exists()


def test_visibility_must_be_known(make_need) -> None:
    with pytest.raises(DomainError) as info:
        make_need("everyone")
    assert info.value.field == "visibility"


def test_number_spec_is_validated_and_converted(make_need) -> None:
    resins = Category.objects.get(code="resins")
    need = make_need(
        category=resins,
        required_specs=[
            {"key": "dbc10", "comparison": "min", "value": "40"},
            {"key": "particle_size", "comparison": "max", "value": 90},
        ],
    )
    assert need.required_specs[0] == {"key": "dbc10", "comparison": "min", "value": 40.0}
    with pytest.raises(DomainError, match="not a number"):
        make_need(
            category=resins, required_specs=[{"key": "dbc10", "comparison": "min", "value": "lots"}]
        )


def test_close_need(need, more_people) -> None:
    with pytest.raises(PolicyDenied):
        actions.close_need(by=more_people["demand2"], need=need)
    with pytest.raises(PolicyDenied):
        actions.close_need(by=more_people["a_staff"], need=need)
    actions.close_need(by=more_people["demand"], need=need, reason="found one")
    need.refresh_from_db()
    assert need.status == Need.Status.CLOSED and need.status_reason == "found one"
    event = AuditEvent.objects.get(action="need.closed")
    assert event.before == {"status": "open", "status_reason": ""}
    assert event.after["status"] == "closed" and event.reason == "found one"
    with pytest.raises(InvalidTransition):
        actions.close_need(by=more_people["demand"], need=need)


def test_line_parsers() -> None:
    assert rules.parse_spec_lines("dbc10 >= 40\n\nparticle_size <= 90\nformat = powder") == [
        {"key": "dbc10", "comparison": "min", "value": "40"},
        {"key": "particle_size", "comparison": "max", "value": "90"},
        {"key": "format", "comparison": "equals", "value": "powder"},
    ]
    with pytest.raises(DomainError, match="line 2"):
        rules.parse_spec_lines("dbc10 >= 40\ndbc10 is big")
    assert rules.parse_criterion_lines(
        "final_titer equivalence 10 %\npeak_vcd minimum 15 1e6 cells/mL"
    ) == [
        {
            "kpi": "final_titer",
            "comparison": "equivalence",
            "value": 0.1,
            "relative": True,
            "unit": "",
        },
        {
            "kpi": "peak_vcd",
            "comparison": "minimum",
            "value": 15.0,
            "relative": False,
            "unit": "1e6 cells/mL",
        },
    ]
    with pytest.raises(DomainError, match="line 1"):
        rules.parse_criterion_lines("final_titer")
