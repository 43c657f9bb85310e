from __future__ import annotations

import pytest

from bioproof.core.errors import DomainError, PolicyDenied
from bioproof.core.models import AuditEvent
from bioproof.evaluations import actions
from bioproof.evaluations.actions.templates import parse_criteria_lines
from bioproof.evaluations.models import MethodTemplate

pytestmark = pytest.mark.django_db


def _template(code: str = "filter-vmax") -> MethodTemplate:
    return MethodTemplate.objects.current().get(code=code)


def test_every_family_has_a_template() -> None:
    families = set(MethodTemplate.objects.current().values_list("family", flat=True))
    assert families == set(MethodTemplate.Family.values)


def test_parse_criteria_lines() -> None:
    assert parse_criteria_lines(
        "dbc non_inferiority 10%\nmixing_time non_inferiority 20% lower\npeak_vcd minimum 5"
    ) == [
        {
            "kpi": "dbc",
            "comparison": "non_inferiority",
            "value": 0.1,
            "relative": True,
            "higher_is_better": True,
        },
        {
            "kpi": "mixing_time",
            "comparison": "non_inferiority",
            "value": 0.2,
            "relative": True,
            "higher_is_better": False,
        },
        {
            "kpi": "peak_vcd",
            "comparison": "minimum",
            "value": 5.0,
            "relative": False,
            "higher_is_better": True,
        },
    ]
    with pytest.raises(DomainError, match="line 2"):
        parse_criteria_lines("dbc minimum 1\nnonsense")


def test_unused_template_is_edited_in_place(people) -> None:
    template = _template()
    revised = actions.revise_template(
        by=people["evaluator"], template=template, reason="4 replicates", candidate_runs=4
    )
    assert (revised.pk, revised.version, revised.candidate_runs) == (template.pk, 1, 4)
    event = AuditEvent.objects.get(action="method_template.revised")
    assert event.before["candidate_runs"] == 3 and event.after["candidate_runs"] == 4


def test_frozen_template_revision_makes_a_new_version(approved, people) -> None:
    used = MethodTemplate.objects.get(pk=approved.template_id)
    assert used.frozen
    revised = actions.revise_template(
        by=people["evaluator"],
        template=used,
        reason="tighter titer margin",
        default_criteria=[{"kpi": "final_titer", "comparison": "equivalence", "value": 0.08}],
    )
    used.refresh_from_db()
    assert (revised.version, revised.is_current, used.is_current) == (2, True, False)
    assert used.default_criteria[0]["value"] == 0.10  # the used version is unchanged
    assert revised.default_criteria[0]["value"] == 0.08
    approved.refresh_from_db()
    assert approved.template_id == used.pk  # the signed protocol still points at v1


def test_revision_is_validated_and_restricted(people) -> None:
    template = _template()
    with pytest.raises(PolicyDenied):
        actions.revise_template(
            by=people["a_admin"], template=template, reason="x", candidate_runs=2
        )
    with pytest.raises(DomainError, match="reason"):
        actions.revise_template(
            by=people["evaluator"], template=template, reason="", candidate_runs=2
        )
    with pytest.raises(DomainError, match="Unknown data layout"):
        actions.revise_template(
            by=people["evaluator"], template=template, reason="x", layouts=["nope"]
        )
    with pytest.raises(DomainError, match="Unknown KPI"):
        actions.revise_template(
            by=people["evaluator"], template=template, reason="x", kpis=["nope"]
        )


def test_template_pages(client, people) -> None:
    client.force_login(people["evaluator"])
    assert "filter-vmax" in client.get("/evaluations/templates/").content.decode()
    page = client.get("/evaluations/templates/filter-vmax/").content.decode()
    assert 'id="revise"' in page
    response = client.post(
        "/evaluations/templates/filter-vmax/",
        {
            "name_ko": "필터",
            "name_en": "Filter",
            "description": "",
            "candidate_runs": 2,
            "reference_runs": 2,
            "layouts": "filtration",
            "kpis": "vmax, qi",
            "default_criteria": "vmax non_inferiority 15%",
            "reason": "pilot",
        },
    )
    assert response.status_code == 302
    assert _template().candidate_runs == 2
    bad = client.post(
        "/evaluations/templates/filter-vmax/",
        {
            "name_ko": "필터",
            "name_en": "Filter",
            "candidate_runs": 2,
            "reference_runs": 2,
            "layouts": "filtration",
            "kpis": "vmax",
            "default_criteria": "garbage",
            "reason": "x",
        },
    )
    assert bad.status_code == 200 and "1번째 줄" in bad.content.decode()
    client.force_login(people["a_admin"])
    assert 'id="revise"' not in client.get("/evaluations/templates/filter-vmax/").content.decode()
