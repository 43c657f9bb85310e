"""A person's part of the home page ("My work", their evaluations, the products they see) is kept
while what it reads is unchanged, and shows every change at once."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from bioproof.catalog import actions as catalog
from bioproof.consortium.models import User
from bioproof.core import mywork, versions
from bioproof.core.views import home_mine_tables
from bioproof.evaluations import actions
from bioproof.evaluations.samples import DEMO_RUNS
from bioproof.evaluations.views import EVALUATION_DETAIL_TABLES
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

SECTION = re.compile(r'data-work="([a-z_]+)">\s*<h3>.*?<span class="badge" data-count>(\d+)</span>')


def _home(user: User, lang: str = "en") -> str:
    client = Client()
    client.force_login(user)
    response = client.get("/", HTTP_ACCEPT_LANGUAGE=lang)
    assert response.status_code == 200
    return response.content.decode()


def _work(user: User) -> dict[str, int]:
    return {key: int(n) for key, n in SECTION.findall(_home(user))}


def test_kept_tables_are_regulated() -> None:
    """A table whose writes append no audit event could change under a kept page unseen."""
    versions.state_version(*home_mine_tables())
    versions.state_version(*EVALUATION_DETAIL_TABLES)
    assert {"evaluations.evaluation", "demand.proposal", "core.signature"} <= {
        m._meta.label_lower for m in mywork.tables()
    }


def test_a_provider_must_name_its_tables() -> None:
    with pytest.raises(TypeError):
        mywork.provider(lambda user, roles, limit: [])  # type: ignore[call-arg]


def test_the_workflow_shows_on_the_home_page_at_each_step(people: Any, requested: Any) -> None:
    ev = requested
    assert _work(people["evaluator"]) == {"screen": 1}
    assert _work(people["evaluator"]) == {"screen": 1}  # kept
    actions.accept(by=people["evaluator"], evaluation=ev)
    assert _work(people["evaluator"]) == {}
    assert _work(people["approver"]) == {"sign_protocol": 1}
    actions.sign_protocol(by=people["approver"], evaluation=ev, password=PASSWORD)
    assert _work(people["approver"]) == {}
    run = actions.add_run(
        by=people["evaluator"], evaluation=ev, arm=DEMO_RUNS[0][0], label=DEMO_RUNS[0][1]
    )
    assert _work(people["evaluator"]) == {"runs_missing_data": 1}
    actions.exclude_run(by=people["evaluator"], run=run, reason="flask dropped")
    assert _work(people["evaluator"]) == {}


def test_each_person_their_own_part(people: Any, requested: Any) -> None:
    center = _home(people["evaluator"])
    supplier = _home(people["a_staff"])
    competitor = _home(people["b_admin"])
    assert requested.code in center and requested.code in supplier
    assert requested.code not in competitor
    assert 'data-work="screen"' in center and 'data-work="screen"' not in supplier


def test_a_role_given_and_a_product_listed_show_at_once(
    people: Any, orgs: Any, requested: Any, media_category: Any, grant: Any
) -> None:
    assert _work(people["reviewer"]) == {}
    grant(people["reviewer"], "center", "staff")
    assert _work(people["reviewer"]) == {"screen": 1}

    def visible() -> int:
        return int(re.search(r"(\d+) products? visible to you", _home(people["b_admin"]))[1])

    count = visible()
    product = catalog.register_product(
        by=people["b_admin"],
        supplier=orgs["supplier_b"],
        category=media_category,
        name_ko="베타 배지",
        name_en="Beta Medium",
        specs={"format": "liquid"},
    )
    assert visible() == count + 1
    assert product.status == "draft"  # its supplier sees it unlisted


def test_a_kept_part_reads_no_evaluation(people: Any, requested: Any) -> None:
    client = Client()
    client.force_login(people["evaluator"])

    def reads_evaluations() -> bool:
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/").status_code == 200
        return any('"evaluations_evaluation"' in q["sql"] for q in queries.captured_queries)

    assert reads_evaluations()
    assert not reads_evaluations()  # kept: the version and the store only
    actions.request_info(by=people["evaluator"], evaluation=requested, reason="cell line?")
    assert reads_evaluations()


def test_each_language_its_own_part(people: Any, requested: Any) -> None:
    english = _home(people["evaluator"], "en")
    korean = _home(people["evaluator"], "ko")
    assert "Requests to screen" in english and "Requests to screen" not in korean
