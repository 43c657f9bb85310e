"""Programme indicators against values computed by hand, and the k ≥ 3 rule."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from bioproof.catalog import actions as catalog
from bioproof.consortium import actions as consortium
from bioproof.demand import actions as demand
from bioproof.programme import actions, indicators, snapshots
from bioproof.programme.indicators import Figure, Filters, summarise, suppress_table
from bioproof.programme.models import Pledge

PASSWORD = "Correct-horse-9"


def fact(**kw: Any) -> dict[str, Any]:
    base = {"q": "2026-Q1", "center": None, "category": None, "orgs": [1, 2, 3]}
    base.update(kw)
    return base


# --------------------------------------------------------------------------- pure summaries


def test_lead_time_median_and_p90_by_hand() -> None:
    # days 10, 20, 30, 40, 100 → median 30; p90 (type 7): h = 0.9·4 = 3.6 → 40 + 0.6·60 = 76
    facts = {"lead_time": [fact(days=[10, 20, 30]), fact(days=[40, 100], orgs=[4])]}
    head = summarise(facts, Filters())["headline"]
    assert head["lead_time_median"].value == pytest.approx(30.0)
    assert head["lead_time_p90"].value == pytest.approx(76.0)


def test_pass_rate_by_hand() -> None:
    facts = {
        "pass_rate": [
            fact(decided=4, passed=3, q="2025-Q4"),
            fact(decided=6, passed=2, q="2026-Q2"),
        ]
    }
    s = summarise(facts, Filters())
    assert s["headline"]["pass_rate"].value == pytest.approx(50.0)  # 5 / 10
    assert [(y, f.value) for y, f in s["series"]["pass_rate"]] == [(2025, 75.0), (2026, 100 / 3)]
    only_2026 = summarise(facts, Filters(year_from=2026))
    assert only_2026["headline"]["pass_rate"].value == pytest.approx(100 / 3)


def test_localisation_share_by_hand() -> None:
    # item media: dom 30 of tot 120 → 25 %; item resin: dom 10 of tot 10 → 100 %; overall by
    # value (60 + 5) / (200 + 5) = 31.7 %
    facts = {
        "localisation": [
            {
                "item": "media",
                "year": 2026,
                "dom_volume": 30,
                "tot_volume": 120,
                "dom_value": 60,
                "tot_value": 200,
                "orgs": [1, 2, 3],
            },
            {
                "item": "resin",
                "year": 2026,
                "dom_volume": 10,
                "tot_volume": 10,
                "dom_value": 5,
                "tot_value": 5,
                "orgs": [4, 5, 6],
            },
            {
                "item": "media",
                "year": 2025,
                "dom_volume": 0,
                "tot_volume": 100,
                "dom_value": 0,
                "tot_value": 150,
                "orgs": [],
            },
        ]
    }
    s = summarise(facts, Filters())
    by_item = dict(s["tables"]["localisation_by_item_volume"])
    assert by_item["media"].value == pytest.approx(25.0)
    assert by_item["resin"].value == pytest.approx(100.0)
    assert s["headline"]["localisation_value"].value == pytest.approx(100 * 65 / 205)
    assert [(y, round(f.value, 2)) for y, f in s["series"]["localisation_value"]] == [
        (2025, 0.0),
        (2026, round(100 * 65 / 205, 2)),
    ]


def test_k_rule_hides_figures_from_fewer_than_three_organizations() -> None:
    facts = {
        "evaluations": [
            fact(n=5, status="running", orgs=[1, 2, 3]),
            fact(n=1, status="published", orgs=[7]),
            fact(n=2, status="rejected", orgs=[1, 2, 8]),
        ]
    }
    public = summarise(facts, Filters(), k=3)
    assert public["headline"]["evaluations"].value == 8  # five organizations behind the total
    table = dict(public["tables"]["evaluations_by_status"])
    assert table["published"].suppressed and table["published"].value is None
    # secondary suppression: the one hidden cell could be recovered as total − the others,
    # so the next smallest cell is hidden too
    assert table["rejected"].suppressed
    assert table["running"].value == 5
    office = summarise(facts, Filters(), k=1)
    assert dict(office["tables"]["evaluations_by_status"])["published"].value == 1


def test_secondary_suppression_leaves_tables_with_two_hidden_cells_alone() -> None:
    rows = [
        ("a", Figure(1.0, frozenset({1}))),
        ("b", Figure(2.0, frozenset({2}))),
        ("c", Figure(9.0, frozenset({1, 2, 3}))),
    ]
    out = dict(suppress_table(rows, 3))
    assert out["a"].suppressed and out["b"].suppressed and out["c"].value == 9.0


def test_filters_by_center_and_category_subtree() -> None:
    facts = {
        "evaluations": [
            fact(n=1, center=10, category=100, status="running"),
            fact(n=2, center=11, category=101, status="running"),
            fact(n=4, center=10, category=102, status="running"),
        ]
    }
    s = summarise(facts, Filters(center=10, categories=frozenset({100, 101})))
    assert s["headline"]["evaluations"].value == 1


# --------------------------------------------------------------------------- from the records


@pytest.fixture
def listed(people, orgs, product_a):
    return catalog.list_product(by=people["a_staff"], product=product_a)


def test_evaluation_indicators_from_the_records(published, people) -> None:
    facts = indicators.compute_all()["facts"]
    s = summarise(facts, Filters())
    assert s["headline"]["evaluations"].value == 1
    assert s["headline"]["track_records"].value == 1
    assert dict(s["tables"]["evaluations_by_status"])["published"].value == 1
    # the demo data passes every criterion
    assert s["headline"]["pass_rate"].value in (0.0, 100.0)
    report = published.reports.order_by("generated_at").first()
    expected_days = (report.generated_at - published.created_at).total_seconds() / 86400
    assert s["headline"]["lead_time_median"].value == pytest.approx(expected_days, abs=1e-3)
    # the public page hides figures behind a single supplier
    assert summarise(facts, Filters(), k=3)["headline"]["evaluations"].suppressed


def test_localisation_from_needs_and_adoptions(people, orgs, listed, media_category) -> None:
    admin = _superuser()
    actions.publish_targets(
        by=admin,
        reason="first list",
        items=[
            {
                "code": "media",
                "name_ko": "배지",
                "name_en": "Media",
                "category": "media",
                "volume_unit": "L",
                "target_share_pct": 20,
            }
        ],
        targets=[{"indicator": "localisation_pct", "year": 2030, "value": 20}],
    )
    need = demand.post_need(
        by=people["demand"],
        organization=orgs["demand"],
        title="CHO medium",
        category=media_category,
        incumbent="Imported CHO medium",
        yearly_volume="2000",
        volume_unit="L",
        yearly_value_krw=400_000_000,
    )
    demand.record_adoption(
        by=people["demand"],
        organization=orgs["demand"],
        product=listed,
        adopted_on=dt.date.today(),
        yearly_volume=0.5,  # m³ = 500 L
        volume_unit="m^3",
        yearly_value_krw=80_000_000,
        need=need,
    )
    facts = indicators.compute_all()["facts"]
    this_year = max(f["year"] for f in facts["localisation"])
    row = next(f for f in facts["localisation"] if f["year"] == this_year)
    assert row["dom_volume"] == pytest.approx(500.0)  # pint converted m³ → L
    assert row["tot_volume"] == pytest.approx(2000.0)
    s = summarise(facts, Filters())
    assert dict(s["tables"]["localisation_by_item_volume"])["media"].value == pytest.approx(25.0)
    assert s["headline"]["localisation_value"].value == pytest.approx(20.0)  # 0.8 / 4 억


def _superuser():
    from bioproof.consortium.models import User

    return User.objects.create_superuser("office", "office@example.org", PASSWORD)


def test_investment_sums_pledges_and_executions(people, orgs) -> None:
    orgs["demand"].is_consortium_member = True
    orgs["demand"].save()
    pledge = actions.record_pledge(
        by=people["demand"],
        organization=orgs["demand"],
        kind="pledge",
        amount_krw=1_000_000_000_000,
        year=2028,
        site="Songdo",
        category="facility",
    )
    actions.record_pledge(
        by=people["demand"],
        organization=orgs["demand"],
        kind="execution",
        amount_krw=250_000_000_000,
        year=2025,
        site="Songdo",
        category="facility",
        pledge=pledge,
    )
    s = summarise(indicators.compute_all()["facts"], Filters())
    assert s["headline"]["investment_pledged"].value == 1e12
    assert s["headline"]["investment_executed"].value == 2.5e11
    assert Pledge.objects.count() == 2


def test_snapshot_is_reused_until_the_records_change(published, settings) -> None:
    settings.BIOPROOF_PROGRAMME_REFRESH_SECONDS = 0
    first, _facts = snapshots.current()
    again, _facts = snapshots.current()
    assert again.pk == first.pk
    consortium.create_organization(
        by=None, code="new-supplier", name_ko="새 공급사", name_en="New", kind="supplier"
    )
    fresh, _facts = snapshots.current()  # the chain grew: a refresh ran (immediate backend)
    assert fresh.pk != first.pk
