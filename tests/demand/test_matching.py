"""Matching: deterministic ranking with reasons."""

from __future__ import annotations

import pytest

from bioproof.catalog.models import Category
from bioproof.demand import matching

pytestmark = pytest.mark.django_db


@pytest.fixture
def resin_need(make_need):
    return make_need(
        category=Category.objects.get(code="resins"),
        title="Protein A resin",
        required_specs=[
            {"key": "dbc10", "comparison": "min", "value": 40},
            {"key": "particle_size", "comparison": "max", "value": 90},
            {"key": "mode", "comparison": "equals", "value": "affinity"},
        ],
        criteria=[],
    )


def test_product_meeting_all_specs_ranks_above_one_missing_one(resin_need, make_product) -> None:
    misses = make_product(
        "미스 레진",
        "Miss resin",
        "resins",
        {"dbc10": 35, "particle_size": 85, "mode": "affinity"},
    )
    meets = make_product(
        "충족 레진",
        "Meet resin",
        "resins",
        {"dbc10": 45, "particle_size": 85, "mode": "affinity"},
    )
    unknown = make_product("미상 레진", "Unknown resin", "resins", {"dbc10": 50})
    make_product("초안 레진", "Draft resin", "resins", {"dbc10": 60}, listed=False)
    make_product("배지", "Medium", "media", {})
    ranked = matching.candidates(resin_need)
    assert [m.product for m in ranked] == [meets, unknown, misses]  # no drafts, no other category
    top = ranked[0]
    assert top.met == 3 and top.unmet == 0 and top.category_exact
    assert top.score == matching.CATEGORY_EXACT + 3 * matching.SPEC_MET
    statuses = {s.key: s.status for s in ranked[2].specs}
    assert statuses == {"dbc10": "not_met", "particle_size": "met", "mode": "met"}
    assert ranked[2].score == 20 + 2 * 10 - 25
    assert {s.key: s.status for s in ranked[1].specs}["mode"] == "unknown"
    # deterministic: same input, same order
    assert [m.product for m in matching.candidates(resin_need)] == [meets, unknown, misses]


def test_subtree_and_track_records(make_need, make_product, published, people) -> None:
    need = make_need(
        category=Category.objects.get(code="materials"), required_specs=[], criteria=[]
    )
    from bioproof.catalog import actions as catalog

    product = published.product
    if product.status != "listed":
        catalog.list_product(by=people["a_staff"], product=product)
    plain = make_product("평범 배지", "Plain medium")
    ranked = matching.candidates(need)
    by_code = {m.product.code: m for m in ranked}
    evaluated = by_code[product.code]
    assert not evaluated.category_exact
    assert len(evaluated.track_records) == 1
    evidence = evaluated.track_records[0]
    assert evidence.code == published.code and evidence.verdict in ("pass", "fail", "unknown")
    bonus = matching.TRACK_RECORD_PASSED if evidence.verdict == "pass" else 5
    assert evaluated.score == matching.CATEGORY_SUBTREE + bonus
    assert by_code[plain.code].score == matching.CATEGORY_SUBTREE
    assert ranked[0].product == product
    assert evaluated.to_dict()["track_records"][0]["code"] == published.code


def test_check_comparisons() -> None:
    fields = {}
    assert (
        matching.check({"key": "a", "comparison": "min", "value": 5}, {"a": 5}, fields).status
        == "met"
    )
    assert (
        matching.check({"key": "a", "comparison": "max", "value": 5}, {"a": 6}, fields).status
        == "not_met"
    )
    assert (
        matching.check(
            {"key": "a", "comparison": "equals", "value": "Gamma"}, {"a": "gamma"}, fields
        ).status
        == "met"
    )
    assert (
        matching.check({"key": "a", "comparison": "equals", "value": 2.0}, {"a": 2}, fields).status
        == "met"
    )
    assert (
        matching.check({"key": "a", "comparison": "min", "value": 5}, {}, fields).status
        == "unknown"
    )
