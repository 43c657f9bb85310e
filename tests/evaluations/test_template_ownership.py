"""A center cannot change another center's protocol through a template (review finding)."""

from __future__ import annotations

import pytest

from bioproof.core.errors import PolicyDenied
from bioproof.evaluations import actions
from bioproof.evaluations.models import MethodTemplate

pytestmark = pytest.mark.django_db


def _own_template(orgs, code: str = "center-media") -> MethodTemplate:
    shared = MethodTemplate.objects.current().get(code="filter-vmax")
    values = {
        f: getattr(shared, f)
        for f in ("family", "categories", "name_en", "name_ko", "layouts", "kpis")
    }
    return MethodTemplate.objects.create(code=code, center=orgs["center"], **values)


def test_another_centers_template_is_refused(people, orgs) -> None:
    template = _own_template(orgs)
    with pytest.raises(PolicyDenied, match="belongs to Animal Cell Center"):
        actions.revise_template(
            by=people["other_center"], template=template, reason="mine now", candidate_runs=9
        )
    template.refresh_from_db()
    assert (template.candidate_runs, template.version, template.is_current) == (3, 1, True)
    revised = actions.revise_template(
        by=people["evaluator"], template=template, reason="own change", candidate_runs=4
    )
    assert (revised.pk, revised.candidate_runs) == (template.pk, 4)


def test_template_of_a_protocol_in_preparation_is_never_edited_in_place(
    people, orgs, requested
) -> None:
    """Center 1 plans with a shared template (not frozen yet); center 2 revises that template:
    a new version carries the change and center 1's protocol still reads the old one."""
    actions.accept(by=people["evaluator"], evaluation=requested)
    requested.refresh_from_db()
    used = requested.template
    assert used is not None and not used.frozen and used.center_id is None
    runs = used.candidate_runs
    revised = actions.revise_template(
        by=people["other_center"], template=used, reason="5 runs", candidate_runs=runs + 2
    )
    used.refresh_from_db()
    assert revised.pk != used.pk and revised.version == used.version + 1
    assert used.candidate_runs == runs and not used.is_current
    assert revised.center_id is None  # a shared template stays shared
    requested.refresh_from_db()
    assert requested.template_id == used.pk
    protocol = actions.sign_protocol(
        by=people["approver"], evaluation=requested, password="s3cret-test-pass"
    )
    used.refresh_from_db()
    assert protocol.template_id == used.pk and used.frozen  # signed on a frozen version
    assert protocol.plan["template"]["candidate_runs"] == runs
