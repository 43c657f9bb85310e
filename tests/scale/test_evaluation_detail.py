"""The evaluation page with 100 runs: as many queries as with 6 (no N+1), and the KPI table
formatted once in Python as floatformat:"-3" would."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from bioproof.evaluations.models import Run

pytestmark = pytest.mark.django_db


def _queries(client: Client, url: str) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries), response.content.decode()


@pytest.mark.tampers  # 94 runs bulk-created next to the six made through the actions
def test_hundred_runs_cost_no_more_queries_than_six(
    with_data, people, django_assert_max_num_queries
) -> None:
    from bioproof.evaluations import actions as evaluations

    evaluation = evaluations.analyse(by=people["evaluator"], evaluation=with_data)
    client = Client()
    client.force_login(people["evaluator"])
    url = f"/evaluations/{evaluation.code}/"
    six, _ = _queries(client, url)
    kpis = dict(next(r.kpis for r in evaluation.runs.all() if r.kpis))
    Run.objects.bulk_create(
        Run(
            evaluation=evaluation,
            arm="candidate" if i % 2 else "reference",
            label=f"X-{i:03d}",
            kpis={k: (v * (1 + i / 1000) if isinstance(v, float) else v) for k, v in kpis.items()},
        )
        for i in range(94)
    )
    with django_assert_max_num_queries(six):
        hundred, html = _queries(client, url)
    assert hundred <= six
    assert html.count('data-run="X-') == 94
    first = next(iter(kpis.values()))
    from bioproof.core.numbers import fixed

    assert f'<td class="num">{fixed([first])[0]}</td>' in html


def test_timeline_people_cost_one_query_not_one_per_member(
    with_data, people, make_user, django_assert_max_num_queries
) -> None:
    """The timeline asks, for each next step, which members of the parties may take it: their
    roles come from one query (was one per member: 59 queries for a 50-person center)."""
    from bioproof.evaluations import actions as evaluations
    from bioproof.evaluations import timeline, workflow

    evaluation = evaluations.analyse(by=people["evaluator"], evaluation=with_data)
    client = Client()
    client.force_login(people["evaluator"])
    url = f"/evaluations/{evaluation.code}/"
    before, _ = _queries(client, url)
    for i in range(30):
        make_user(f"center_member_{i:02d}", "center", "evaluator" if i % 2 else "reviewer")
    with django_assert_max_num_queries(before):
        after, _ = _queries(client, url)
    assert after <= before
    # the same people as the per-person properties would name
    built = timeline.build(evaluation, people["evaluator"], people_limit=100)
    label = str(workflow.STEPS["sign_authored"].label)
    sign = next(n for n in built["next"] if str(n.label) == label)
    assert "Center_Member_01" in sign.people and "Evaluator" in sign.people
    assert "Center_Member_00" not in sign.people  # a reviewer does not sign as author
    assert "A_Staff" not in sign.people


def test_preload_roles_equals_the_properties(people) -> None:
    from bioproof.consortium.models import User, preload_roles

    fresh = list(User.objects.filter(pk__in=[u.pk for u in people.values()]).order_by("pk"))
    preload_roles(fresh)
    for user in fresh:
        reread = User.objects.get(pk=user.pk)
        assert user.roles_by_org == reread.roles_by_org
        assert user.organization_ids == reread.organization_ids
