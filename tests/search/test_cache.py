"""Search between index writes: cached results, the vocabulary, and how pages are read."""

from __future__ import annotations

import time

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection

from bioproof.catalog.models import Product
from bioproof.search import cache, index, query
from bioproof.search.query import Sample, search

pytestmark = pytest.mark.django_db
ANON = AnonymousUser()


@pytest.fixture
def finds(monkeypatch) -> list[tuple]:
    """The searches that went to the index (cache misses)."""
    calls: list[tuple] = []
    original = query._find

    def find(*args, **kwargs):
        calls.append(args)
        return original(*args, **kwargs)

    monkeypatch.setattr(query, "_find", find)
    return calls


def codes(results) -> list[str]:
    return [h.code for h in results.hits]


def test_results_are_cached_until_the_next_index_write(
    make_product, finds, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):  # the writes commit
        first = make_product("캐시 배지 1", "Cache medium 1")
    assert codes(search(ANON, "캐시")) == [first.code]
    assert codes(search(ANON, "캐시")) == [first.code]
    assert len(finds) == 1  # the second came from the cache
    with django_capture_on_commit_callbacks(execute=True):
        second = make_product("캐시 배지 2", "Cache medium 2")
    assert codes(search(ANON, "캐시")) == [second.code, first.code]
    assert len(finds) == 2
    search(ANON, "캐시", limit=1)  # another page is another entry
    assert len(finds) == 3


def test_a_transaction_that_wrote_to_the_index_does_not_use_the_cache(make_product, finds) -> None:
    make_product("미확정 배지", "Uncommitted medium")  # not committed yet
    search(ANON, "미확정")
    search(ANON, "미확정")
    assert len(finds) == 2  # neither read from nor written to the cache
    assert cache.usable() is False


def test_cached_hits_are_checked_again(
    make_product, finds, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        product = make_product("재확인 배지", "Recheck medium")
    assert codes(search(ANON, "재확인")) == [product.code]
    # Behind the index's back (no hook, no new generation): the cached page still lists it,
    # the re-check drops it.
    Product.objects.filter(pk=product.pk).update(status=Product.Status.DRAFT)
    assert codes(search(ANON, "재확인")) == []
    assert len(finds) == 1


def test_caching_can_be_turned_off(
    make_product, finds, settings, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        make_product("무캐시 배지", "No-cache medium")
    settings.BIOPROOF_SEARCH_CACHE_SECONDS = 0
    search(ANON, "무캐시")
    search(ANON, "무캐시")
    assert len(finds) == 2


def test_users_of_one_audience_share_the_recheck(people, catalog_hits) -> None:
    a_admin, a_staff, b_admin = people["a_admin"], people["a_staff"], people["b_admin"]
    assert query.audience(a_admin) == query.audience(a_staff)  # roles do not matter
    assert query.audience(a_admin) != query.audience(b_admin)
    assert query.audience(ANON) == ("public",)
    by_kind = query._by_kind(catalog_hits)
    # visible_to builds the same SQL for every user of an audience: what the compiled re-check
    # relies on (a rule reading anything else of the user must show up here)
    assert query._compile(a_admin, by_kind) == query._compile(a_staff, by_kind)
    assert query._compile(a_admin, by_kind) is not None
    assert query._compile(a_admin, by_kind) != query._compile(b_admin, by_kind)


@pytest.fixture
def catalog_hits(make_product, make_need, published) -> list[query.Hit]:
    make_product("감사 배지", "Audit medium")
    make_product("감사 초안", "Audit draft", listed=False)
    make_need("consortium")
    return [
        query.Hit(d.kind, d.object_id, d.code, "", "", "", "", None, None, None, "", "", 1.0)
        for d in index.SearchDocument.objects.all()
    ]


def test_walking_the_id_index_only_pays_for_common_words() -> None:
    documents = 111_000
    # 501 matches spread over 4,000 ids: ~14,000 in all, a page of 20 is ~160 ids away
    assert query._walk(501, Sample(501, None, 4_000, documents), 20)
    # 501 matches over 100,000 ids: ~560 in all; walking would read ~4,000 rows for 20
    assert not query._walk(501, Sample(501, None, 100_000, documents), 20)
    # below the cap the bitmap reads at most 500 rows: never walk
    assert not query._walk(400, Sample(400, None, 1_000, documents), 20)
    assert not query._walk(0, Sample(501, 0, 1_000, documents), 20)


def test_an_entry_is_served_by_the_process_until_it_expires(monkeypatch) -> None:
    from django.core.cache import caches

    key = cache.key("served-by-the-process")
    cache.put(key, ("found",))
    caches["default"].delete(key)  # the store lost it (evicted): the process still has it
    assert cache.get(key) == ("found",)
    later = time.time() + cache.ttl() + 1
    monkeypatch.setattr(cache.time, "time", lambda: later)
    assert cache.get(key) is None  # expired in the process as it is in the store


def test_an_earlier_releases_entries_are_never_read(monkeypatch) -> None:
    from django.core.cache import caches

    monkeypatch.setattr(cache, "FORMAT", "entries/1")
    old = cache.key("earlier-release")
    caches["default"].set(old, ("found",))  # as an earlier release stored it: a bare value
    monkeypatch.undo()
    new = cache.key("earlier-release")
    assert new != old and cache.get(new) is None
    cache.put(new, ("found",))
    cache._local.clear()  # read back from the store
    assert cache.get(new) == ("found",)


def test_the_span_of_a_sample_is_the_smaller_of_its_ids_and_its_blocks() -> None:
    documents = 111_000  # in 1,000 blocks
    # rows in id order: 501 matches over 1,000 ids, in 20 blocks (2,220 documents' worth)
    assert query._span(1_000, 20, 1_000, documents) == 1_000
    # rows out of id order (after a reindex): the same matches span ids far apart
    assert query._span(90_000, 20, 1_000, documents) == 2_220
    # no block figures (SQLite, which never walks): the ids
    assert query._span(4_000, None, None, documents) == 4_000


def _postgresql() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("the vocabulary serves PostgreSQL's prefix search")


def test_a_sample_out_of_id_order_spans_the_documents_it_read() -> None:
    _postgresql()
    import random

    with connection.cursor() as cursor:  # a table of its own (rolled back with the test)
        cursor.execute("TRUNCATE search_searchdocument")
    ids = list(range(1, 3_001))
    random.Random(5).shuffle(ids)  # the table's order is not the ids'
    index.SearchDocument.objects.bulk_create(
        index.SearchDocument(
            id=i, kind="product", object_id=i, code=f"S-{i}", title_ko="t", title_en="t",
            audience="public", body="common" if n % 2 == 0 else "rare",
        )
        for n, i in enumerate(ids)
    )  # fmt: skip
    tier = query._Tier(query.DOCS, ("d.tsv @@ to_tsquery('simple', %s)",), ("'common'",), "", 0)
    sample = query._sample(tier, None, [], [], query.MAX_RESULTS + 1)
    # 501 of the 1,500 matches, every other row: about the first 1,000 rows of the table,
    # whose ids are anywhere in 1..3,000 (the id span alone says ~3,000)
    assert sample.capped and sample.documents == 3_000
    assert 700 <= sample.span <= 1_400, sample


def test_a_rebuild_rewrites_the_table_in_id_order(make_product) -> None:
    _postgresql()
    make_product("재작성 배지", "Rewrite medium")

    def filenode() -> int:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_relation_filenode('search_searchdocument')")
            return cursor.fetchone()[0]

    before = filenode()
    index.rebuild()
    assert filenode() != before  # CLUSTER wrote a new table
    with connection.cursor() as cursor:
        cursor.execute("SELECT id FROM search_searchdocument ORDER BY ctid")
        order = [r[0] for r in cursor.fetchall()]
    assert order == sorted(order) and order


def test_vocabulary_follows_the_index(make_product) -> None:
    _postgresql()
    make_product("어휘 배지", "Vocabulary medium")
    with connection.cursor() as cursor:
        cursor.execute("SELECT term FROM search_term WHERE term IN ('vocabulary', '어휘')")
        assert {r[0] for r in cursor.fetchall()} == {"vocabulary", "어휘"}
    assert query._expansions("vocab") == ("vocabulary",)
    index.clear()
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM search_term")
        assert cursor.fetchone()[0] == 0


def test_prefix_search_expands_or_falls_back_to_partial_match(make_product, monkeypatch) -> None:
    _postgresql()
    resin = make_product("프로틴 A 레진", "Protein A Resin", "resins", {"dbc10": 45})
    prot = make_product("프로토타입 필터", "Prototype filter", "filters", {})
    expanded = query._tsquery(("prot",), "&")
    assert "'protein'" in expanded and "'prototype'" in expanded and ":*" not in expanded
    assert set(codes(search(ANON, "prot"))) == {resin.code, prot.code}
    monkeypatch.setattr(query, "MAX_EXPANSIONS", 1)  # too many completions: GIN partial match
    assert query._tsquery(("prot",), "&") == "'prot':*"
    assert set(codes(search(ANON, "prot"))) == {resin.code, prot.code}
    assert query._tsquery(("zzzq",), "&") == "'zzzq'"  # no completion: matches nothing


def test_a_common_word_caps_the_fallback_without_counting_it(make_product, monkeypatch) -> None:
    _postgresql()
    for i in range(3):
        make_product(f"흔한 배지 {i}", f"Common medium {i}")
    monkeypatch.setattr(query, "MAX_RESULTS", 2)
    assert query._common_word(("희귀어", "common")).capped
    assert query._common_word(("희귀어",)) is None
    results = search(ANON, "common xylophone", limit=1)
    assert not results.matched_all and results.capped and results.total == 2
    assert len(results.hits) == 1


def _redis_url() -> str:
    import socket

    pytest.importorskip("redis")
    with socket.socket() as s:
        s.settimeout(1)
        if s.connect_ex(("127.0.0.1", 6379)) != 0:
            pytest.skip("Redis does not answer on 127.0.0.1:6379")
    return "redis://127.0.0.1:6379/15"


def test_a_shared_redis_cache_carries_results_and_generations(
    settings, make_product, finds, django_capture_on_commit_callbacks
) -> None:
    from uuid import uuid4

    from django.core.cache import caches

    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": _redis_url(),
            "KEY_PREFIX": f"bioproof-test-{uuid4().hex}",
        }
    }
    with django_capture_on_commit_callbacks(execute=True):
        product = make_product("공유 배지", "Shared medium")
    assert codes(search(ANON, "공유")) == [product.code]
    assert codes(search(ANON, "공유")) == [product.code]
    assert len(finds) == 1
    caches["default"].incr(cache.GENERATION_KEY)  # what another process's write does
    assert codes(search(ANON, "공유")) == [product.code]
    assert len(finds) == 2
    caches["default"].delete(cache.GENERATION_KEY)  # evicted: a new generation, not an old one
    assert cache.generation() > 0
    search(ANON, "공유")
    assert len(finds) == 3


def test_on_postgresql_the_recheck_rides_on_the_page_statement(catalog_hits, people) -> None:
    from django.db import connection as conn
    from django.test.utils import CaptureQueriesContext

    _postgresql()
    for user in (ANON, people["a_staff"], people["demand"]):
        with CaptureQueriesContext(conn) as captured:
            found = search(user, "audit")
        assert found.hits
        checks = [q["sql"] for q in captured if '"value1"' in q["sql"]]
        assert checks and all("search_searchdocument" in sql for sql in checks)
    # and it still refuses what visible_to refuses: somebody's draft, made public in the index
    draft = index.SearchDocument.objects.get(title_en="Audit draft")
    index.SearchDocument.objects.filter(pk=draft.pk).update(audience="public")
    assert draft.code not in codes(search(ANON, "audit"))
    assert draft.code in codes(search(people["a_staff"], "audit"))
