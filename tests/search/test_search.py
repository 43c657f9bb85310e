"""Search: Korean and English, filters, pagination, policy, index hooks, command and API."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.management import CommandError, call_command
from django.test import Client

from bioproof.core.errors import DomainError
from bioproof.search import index
from bioproof.search.models import SearchDocument
from bioproof.search.query import search

pytestmark = pytest.mark.django_db
ANON = AnonymousUser()


def codes(results) -> list[str]:
    return [h.code for h in results.hits]


@pytest.fixture
def catalog(make_product):
    return {
        "ko_media": make_product(
            "알파 CHO 배지", "Alpha CHO Medium", "media", {"format": "powder"}
        ),
        "en_feed": make_product(
            "베타 피드", "Beta Feed Medium", "feeds", {}, supplier="supplier_b"
        ),
        "resin": make_product(
            "프로틴 A 레진",
            "Protein A Resin",
            "resins",
            {"ligand": "Protein A", "mode": "affinity", "dbc10": 45},
        ),
        "bag": make_product(
            "일회용 백 200L", "Single-use bag 200 L", "single-use-bags", {"volume": 200}
        ),
        "filter": make_product(
            "멸균 필터", "Sterile filter", "filters", {"filter_type": "sterile", "pore_size": 0.2}
        ),
        "draft": make_product("비밀 배지", "Secret Medium", "media", {}, listed=False),
    }


def test_korean_query_finds_korean_and_english_names(catalog) -> None:
    found = codes(search(ANON, "배지"))
    assert catalog["ko_media"].code in found  # Korean name and media category
    assert catalog["en_feed"].code in found  # a feed named "… Medium": by synonym
    assert catalog["resin"].code not in found
    assert catalog["draft"].code not in found  # somebody's draft
    english = codes(search(ANON, "culture medium"))
    assert catalog["ko_media"].code in english
    assert codes(search(ANON, "레진")) == [catalog["resin"].code]
    assert codes(search(ANON, "resins")) == [catalog["resin"].code]
    assert catalog["bag"].code in codes(search(ANON, "일회용 백"))
    assert catalog["bag"].code in codes(search(ANON, "single-use bags"))
    assert catalog["filter"].code in codes(search(ANON, "필터"))
    assert codes(search(ANON, "크로마토그래피")) == [catalog["resin"].code]  # category name
    assert codes(search(ANON, "affinity")) == [catalog["resin"].code]  # spec value
    assert set(codes(search(ANON, "베타소재"))) == {catalog["en_feed"].code}  # supplier name
    assert codes(search(ANON, catalog["bag"].code)) == [catalog["bag"].code]  # code


def test_names_read_as_verbs_or_adverbs_are_found(make_product) -> None:
    pureum = make_product("푸름 인산 완충액 P12", "Pureum Phosphate Buffer P12", "buffers", {})
    hangyeol = make_product("한결 배지 H7", "Hangyeol Medium H7", "media", {})
    assert codes(search(ANON, "푸름")) == [pureum.code]
    assert codes(search(ANON, "푸름 완충액")) == [pureum.code]
    assert codes(search(ANON, "한결 배지")) == [hangyeol.code]
    assert search(ANON, "한결 배지").matched_all


def test_a_brand_and_a_type_find_the_products_whatever_stands_between(make_product) -> None:
    # in context Kiwi reads "한빛 배지" as 배 + copula + ending, and "한빛 세포배양" as 한 + 빛
    cho = make_product("한빛 CHO 배지 K12", "Hanbit CHO Medium K12", "media", {})
    cell = make_product("한빛 세포배양 배지 A100", "Hanbit Cell Culture Medium A100", "media", {})
    make_product("세진 CHO 배지 K13", "Sejin CHO Medium K13", "media", {})
    results = search(ANON, "한빛 배지")
    assert sorted(codes(results)) == sorted([cho.code, cell.code]) and results.matched_all
    # the one with 세포배양 in its name first; the other holds it in its category's name
    assert codes(search(ANON, "한빛 세포배양"))[0] == cell.code


def test_a_brand_kiwi_misreads_is_found_by_its_name(make_product) -> None:
    # Kiwi reads 다온 as adverb + verb + ending (no token: the query was 레진 alone, every resin)
    # and 아라 as interjection + 라 (the query found anything named with the word 라)
    daon = make_product("다온 CHO 배지 K12", "Daon CHO Medium K12", "media", {})
    make_product("세진 CHO 배지 K13", "Sejin CHO Medium K13", "media", {})
    make_product("라 CHO 배지 Z1", "La CHO Medium Z1", "media", {})
    results = search(ANON, "다온 배지")
    assert codes(results) == [daon.code] and results.tokens == ("다온", "배지")
    # while no document holds 아라, the query is what Kiwi reads: 라 and 배지
    assert search(ANON, "아라 배지").tokens == ("라", "배지")
    ara = make_product("아라 CHO 배지 A1", "Ara CHO Medium A1", "media", {})
    assert codes(search(ANON, "아라 배지")) == [ara.code]


def test_own_drafts_are_found_by_their_supplier_only(catalog, people) -> None:
    draft = catalog["draft"].code
    assert draft in codes(search(people["a_staff"], "secret"))
    assert draft not in codes(search(people["b_admin"], "secret"))
    assert draft not in codes(search(people["demand"], "secret"))


def test_prefix_and_any_word_fallback(catalog) -> None:
    assert catalog["resin"].code in codes(search(ANON, "prot"))
    results = search(ANON, "resin unobtainium")
    assert codes(results) == [catalog["resin"].code] and not results.matched_all
    assert search(ANON, "resin").matched_all
    assert search(ANON, "xyzzy").total == 0
    assert search(ANON, "").total == 0 and search(ANON, "을를").total == 0


def test_names_rank_above_mentions(catalog, make_product) -> None:
    mention = make_product("감마 배지", "Gamma medium", "media", {"cell_line": "Vero"})
    named = make_product("Vero 배지", "Vero medium", "media", {})
    assert codes(search(ANON, "vero"))[:2] == [named.code, mention.code]


def test_filters(catalog, orgs, published, people) -> None:
    only_media = codes(search(ANON, "배지", category="media"))
    assert catalog["ko_media"].code in only_media and catalog["en_feed"].code not in only_media
    materials = codes(search(ANON, "배지", category="materials"))  # the subtree
    assert catalog["en_feed"].code in materials
    assert codes(search(ANON, "배지", supplier="supplier-b")) == [catalog["en_feed"].code]
    assert codes(search(ANON, "", kind="product", category="resins")) == [catalog["resin"].code]
    records = search(ANON, "", center="center")
    assert codes(records) == [published.code]
    assert records.hits[0].kind == "track_record"
    verdict = records.hits[0].verdict
    assert verdict in ("pass", "fail")
    assert published.code in codes(search(ANON, "", verdict=verdict, kind="track_record"))
    for bad in (
        {"category": "spaceships"},
        {"supplier": "center"},
        {"center": "nowhere"},
        {"verdict": "maybe"},
        {"kind": "people"},
    ):
        with pytest.raises(DomainError):
            search(ANON, "배지", **bad)
    for bad in ({"limit": 0}, {"limit": 1000}, {"offset": -1}, {"limit": "ten"}):
        with pytest.raises(DomainError):
            search(ANON, "배지", **bad)


def test_pagination(make_product) -> None:
    made = [make_product(f"테스트 배지 {i}", f"Test medium {i}", "media", {}) for i in range(7)]
    first = search(ANON, "테스트", limit=3)
    second = search(ANON, "테스트", limit=3, offset=3)
    last = search(ANON, "테스트", limit=3, offset=6)
    past = search(ANON, "테스트", limit=3, offset=30)
    assert first.total == second.total == last.total == past.total == 7
    seen = codes(first) + codes(second) + codes(last)
    assert sorted(seen) == sorted(p.code for p in made) and len(set(seen)) == 7
    assert codes(past) == []


def test_track_records_follow_publish_and_withdraw(published, people) -> None:
    from bioproof.evaluations import actions as evaluations

    product = published.product
    found = search(ANON, product.name_ko)
    kinds = {h.kind for h in found.hits}
    assert "track_record" in kinds  # published, even though the product is a draft
    assert "product" not in kinds
    assert published.code in codes(search(ANON, published.code))
    evaluations.withdraw(by=people["a_admin"], evaluation=published, reason="recall")
    assert "track_record" not in {h.kind for h in search(ANON, product.name_ko).hits}
    assert not SearchDocument.objects.filter(kind="track_record").exists()


def test_recheck_drops_what_visible_to_refuses(catalog, people) -> None:
    # Corrupt the index behind the application's back: the policy still holds.
    SearchDocument.objects.filter(code=catalog["draft"].code).update(audience="public")
    assert catalog["draft"].code not in codes(search(ANON, "secret"))


def test_reindex_command_rebuilds_everything(catalog, need, published, capsys) -> None:
    before = sorted(SearchDocument.objects.values_list("kind", "object_id", "body"))
    index.clear()
    assert search(ANON, "배지").total == 0
    call_command("search_reindex")
    out = capsys.readouterr().out
    assert "search index rebuilt" in out
    after = sorted(SearchDocument.objects.values_list("kind", "object_id", "body"))
    assert after == before
    assert catalog["ko_media"].code in codes(search(ANON, "배지"))
    with pytest.raises(CommandError, match="--chunk must be 1 or more"):
        call_command("search_reindex", "--chunk", "0")
    assert sorted(SearchDocument.objects.values_list("kind", "object_id", "body")) == before


def test_index_failure_never_fails_the_action(monkeypatch, make_product, caplog) -> None:
    def boom(*args, **kwargs):
        raise RuntimeError("index down")

    monkeypatch.setattr(index, "product_document", boom)
    product = make_product("고장 배지", "Broken medium")
    assert product.pk and "search index update failed" in caplog.text


def test_search_page(catalog) -> None:
    client = Client()
    page = client.get("/search/", {"q": "배지"})
    assert page.status_code == 200
    html = page.content.decode()
    assert 'lang="ko"' in html and catalog["ko_media"].code in html
    assert catalog["draft"].code not in html
    bad = client.get("/search/", {"q": "배지", "category": "spaceships", "page": "x"})
    assert bad.status_code == 200 and 'role="alert"' in bad.content.decode()
    assert "spaceships" in bad.content.decode()
    assert client.get("/search/", {"q": "없는말없는말"}).status_code == 200
    assert client.get("/search/").status_code == 200


def test_search_page_paginates_with_filters(make_product) -> None:
    for i in range(25):
        make_product(f"페이지 배지 {i}", f"Page medium {i}", "media", {})
    client = Client()
    first = client.get("/search/", {"q": "페이지", "category": "media"}).content.decode()
    assert "category=media" in first and "page=2" in first
    second = client.get("/search/", {"q": "페이지", "category": "media", "page": 2})
    assert second.content.decode().count('data-kind="product"') == 5


def test_search_api(catalog, people) -> None:
    from bioproof.consortium.actions import issue_api_token

    r = Client().get("/api/search", {"q": "배지", "limit": 2})
    body = r.json()
    assert r.status_code == 200 and body["count"] >= 2 and len(body["items"]) == 2
    assert body["items"][0]["url"].startswith("/products/")
    assert Client().get("/api/search", {"q": "x", "category": "nope"}).status_code == 400
    assert Client().get("/api/search", {"q": "x", "limit": 500}).status_code == 422
    _, raw = issue_api_token(by=people["a_staff"], name="t")
    mine = Client(HTTP_AUTHORIZATION=f"Bearer {raw}").get("/api/search", {"q": "secret"})
    assert catalog["draft"].code in {i["code"] for i in mine.json()["items"]}
    anon = Client().get("/api/search", {"q": "secret"}).json()
    assert catalog["draft"].code not in {i["code"] for i in anon["items"]}


def test_postgresql_trigram_finds_misspelt_names(catalog) -> None:
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("trigram similarity is PostgreSQL's (pg_trgm)")
    results = search(ANON, "proteen")
    assert codes(results) == [catalog["resin"].code] and not results.matched_all


def test_count_and_paging_are_capped(make_product, monkeypatch) -> None:
    from bioproof.search import query

    for i in range(6):
        make_product(f"캡스톤 배지 {i}", f"Capstone medium {i}", "media", {})
    monkeypatch.setattr(query, "MAX_RESULTS", 4)
    results = search(ANON, "capstone", limit=2)
    assert results.total == 4 and results.capped and len(results.hits) == 2
    assert results.to_dict()["count_is_capped"] is True
    with pytest.raises(DomainError, match="refine"):
        search(ANON, "capstone", limit=2, offset=4)


def test_counts_follow_index_writes(make_product) -> None:
    for i in range(3):
        make_product(f"카운트 배지 {i}", f"Count medium {i}", "media", {})
    assert search(ANON, "카운트", limit=2).total == 3
    make_product("카운트 배지 3", "Count medium 3", "media", {})
    assert search(ANON, "카운트", limit=2).total == 4  # the cached count was dropped
