"""The pages' matching cache: the same ranking as uncached, and never stale after a change."""

from __future__ import annotations

import pytest

from bioproof.catalog import actions as catalog
from bioproof.catalog.models import Category
from bioproof.demand import matching

pytestmark = pytest.mark.django_db


@pytest.fixture
def resin_need(make_need):
    return make_need(
        category=Category.objects.get(code="resins"),
        required_specs=[{"key": "dbc10", "comparison": "min", "value": 40}],
        criteria=[],
    )


def _codes(need, **kw) -> list[str]:
    return [m.product.code for m in matching.candidates(need, **kw)]


def test_cached_ranking_follows_catalog_changes(
    resin_need, make_product, people, django_assert_max_num_queries
) -> None:
    low = make_product("낮은 레진", "Low resin", "resins", {"dbc10": 30})
    high = make_product("높은 레진", "High resin", "resins", {"dbc10": 50})
    assert _codes(resin_need, cache=True) == _codes(resin_need) == [high.code, low.code]
    with django_assert_max_num_queries(6):  # no ranking statement: read from the cache
        assert _codes(resin_need, cache=True) == [high.code, low.code]

    # a specification edited: the order follows at once
    catalog.update_product(
        by=people["a_staff"],
        product=low,
        name_ko=low.name_ko,
        name_en=low.name_en,
        specs={"dbc10": 60},
    )
    assert _codes(resin_need, cache=True) == _codes(resin_need) == [low.code, high.code]

    # a product taken out of the catalogue is gone at once; a new one appears at once
    catalog.unlist_product(by=people["a_staff"], product=low, reason="discontinued")
    assert _codes(resin_need, cache=True) == [high.code]
    new = make_product("새 레진", "New resin", "resins", {"dbc10": 70})
    assert (
        _codes(resin_need, cache=True) == _codes(resin_need) == [high.code, new.code]
    )  # tie: by code


def test_cached_ranking_depends_on_the_need_inputs(resin_need, make_product) -> None:
    low = make_product("낮은 레진", "Low resin", "resins", {"dbc10": 30})
    high = make_product("높은 레진", "High resin", "resins", {"dbc10": 50})
    assert _codes(resin_need, cache=True) == [high.code, low.code]
    resin_need.required_specs = [{"key": "dbc10", "comparison": "max", "value": 40}]
    assert _codes(resin_need, cache=True) == _codes(resin_need) == [low.code, high.code]


def test_withdrawn_track_record_leaves_the_cached_ranking(
    make_need, make_product, published, people
) -> None:
    from bioproof.evaluations import actions as evaluations

    need = make_need(
        category=Category.objects.get(code="materials"), required_specs=[], criteria=[]
    )
    product = published.product
    if product.status != "listed":
        catalog.list_product(by=people["a_staff"], product=product)
    make_product("평범 배지", "Plain medium")
    top = matching.candidates(need, cache=True)
    evaluated = next(m for m in top if m.product.pk == product.pk)
    assert evaluated.track_records
    evaluations.withdraw(by=people["a_admin"], evaluation=published, reason="superseded data")
    again = matching.candidates(need, cache=True)
    evaluated = next(m for m in again if m.product.pk == product.pk)
    assert not evaluated.track_records
    assert [(m.product.code, m.score) for m in again] == [
        (m.product.code, m.score) for m in matching.candidates(need)
    ]


def test_need_page_table_follows_invitations_and_edits(
    resin_need, make_product, people, client
) -> None:
    low = make_product("낮은 레진", "Low resin", "resins", {"dbc10": 30})
    high = make_product("높은 레진", "High resin", "resins", {"dbc10": 50})
    client.force_login(people["demand"])
    url = f"/needs/{resin_need.code}/"

    def rows() -> list[tuple[str, bool]]:
        html = client.get(url).content.decode()
        table = html[
            html.index('id="matches"') : html.index("</table>", html.index('id="matches"'))
        ]
        out = []
        for chunk in table.split("<tr data-product=")[1:]:
            code = chunk.split('"')[1]
            out.append((code, f'data-invite="{code}"' in chunk))
        return out

    assert rows() == [(high.code, True), (low.code, True)]
    assert rows() == [(high.code, True), (low.code, True)]  # served from the cache
    # the invitation (one form for every row) shows at once
    response = client.post(f"/needs/{resin_need.code}/invite/", {"product": low.code})
    assert response.status_code == 302
    assert rows() == [(high.code, True), (low.code, False)]
    # a supplier's edit reorders the table at once
    catalog.update_product(
        by=people["a_staff"],
        product=low,
        name_ko=low.name_ko,
        name_en=low.name_en,
        specs={"dbc10": 60},
    )
    assert rows() == [(low.code, False), (high.code, True)]
