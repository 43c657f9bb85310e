"""PostgreSQL: the counting and re-check statements are prepared and planned once."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bioproof.search import prepared
from bioproof.search.query import search

ANON = AnonymousUser()


def test_the_query_text_is_turned_into_a_tsquery_once_per_execution() -> None:
    sql = "SELECT 1 FROM d WHERE d.tsv @@ to_tsquery('simple', %s) AND d.kind = %s"
    assert prepared.statement(sql) == (
        "SELECT 1 FROM d WHERE d.tsv @@ (SELECT to_tsquery('simple', %s)) AND d.kind = %s"
    )


def test_only_postgresql_with_client_side_binding_prepares(settings, monkeypatch) -> None:
    assert prepared.enabled() == (connection.vendor == "postgresql")
    settings.BIOPROOF_SEARCH_PREPARE = False
    assert not prepared.enabled()
    settings.BIOPROOF_SEARCH_PREPARE = True
    options = {**connection.settings_dict.get("OPTIONS", {}), "server_side_binding": True}
    monkeypatch.setitem(connection.settings_dict, "OPTIONS", options)
    assert not prepared.enabled()  # psycopg may prepare anything then: no generic plans forced


def _prepared_statements() -> list[tuple[str, int, int]]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT statement, generic_plans, custom_plans FROM pg_prepared_statements "
            "WHERE NOT from_sql"
        )
        return cursor.fetchall()


def _documents() -> None:
    """Index rows written directly, no records behind them: these tests look at the statements
    (in a transactional test, which empties the database after it, rather than at the hits)."""
    from bioproof.search.models import SearchDocument

    SearchDocument.objects.bulk_create(
        SearchDocument(
            kind="product",
            object_id=900_000 + i,
            code=f"PR-T-{i}",
            title_ko=f"준비 배지 {i}",
            title_en=f"Prepared medium {i}",
            audience="public",
            names=f"준비 배지 prepared medium {i}",
            body=f"준비 배지 prepared medium {i}",
            raw_names=f"준비 배지 {i} prepared medium {i}",
        )
        for i in range(3)
    )


@pytest.mark.django_db(transaction=True)
def test_searches_reuse_one_generic_plan(settings) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("prepared statements are PostgreSQL's")
    settings.BIOPROOF_SEARCH_CACHE_SECONDS = 0  # every search goes to the index
    _documents()
    connection.close()  # a new session: nothing prepared yet
    for word in ("준비", "prepared", "배지"):
        search(ANON, word)
    counting = [s for s in _prepared_statements() if s[0].startswith("WITH m AS")]
    assert len(counting) == 1  # one statement for three searches of different words
    statement, generic, custom = counting[0]
    assert "(SELECT to_tsquery('simple', $" in statement
    assert generic == 3 and custom == 0
    with connection.cursor() as cursor:
        cursor.execute("SHOW plan_cache_mode")
        assert cursor.fetchone() == ("force_generic_plan",)
    # Django's log (DEBUG, captured queries) shows the statement with its values
    with CaptureQueriesContext(connection) as captured:
        search(ANON, "준비")
    assert any("WITH m AS" in q["sql"] and "'준비'" in q["sql"] for q in captured)


@pytest.mark.django_db(transaction=True)
def test_turned_off_nothing_is_prepared(settings) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("prepared statements are PostgreSQL's")
    settings.BIOPROOF_SEARCH_CACHE_SECONDS = 0
    settings.BIOPROOF_SEARCH_PREPARE = False
    _documents()
    connection.close()
    search(ANON, "prepared")
    assert _prepared_statements() == []


def test_inside_a_transaction_the_session_setting_is_left_alone(make_product, db) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("prepared statements are PostgreSQL's")
    product = make_product("거래 배지", "Transaction medium")
    assert connection.in_atomic_block
    assert [h.code for h in search(ANON, "거래").hits] == [product.code]
    # a rollback would undo the SET while the connection believed it made: not made here
    setattr(connection, prepared._GENERIC, None)
    prepared._generic_plans(connection, connection.connection)
    assert getattr(connection, prepared._GENERIC) is None


def _local_settings_hold_for_the_statement_only(prepare: bool) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("the walk's settings are PostgreSQL's")
    local = ("enable_bitmapscan = off", "enable_seqscan = off")
    sql = "SELECT current_setting('enable_bitmapscan'), current_setting('enable_seqscan'), %s"
    assert prepared.rows(sql, [7], prepare=prepare, local=local) == [("off", "off", 7)]
    with connection.cursor() as cursor:
        cursor.execute("SHOW enable_bitmapscan")
        assert cursor.fetchone() == ("on",)
        cursor.execute("SHOW enable_seqscan")
        assert cursor.fetchone() == ("on",)


@pytest.mark.django_db
@pytest.mark.parametrize("prepare", [True, False])
def test_local_settings_hold_for_the_statement_only_in_a_transaction(prepare) -> None:
    _local_settings_hold_for_the_statement_only(prepare)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("prepare", [True, False])
def test_local_settings_hold_for_the_statement_only_in_autocommit(prepare) -> None:
    _local_settings_hold_for_the_statement_only(prepare)


@pytest.mark.django_db(transaction=True)
def test_a_page_read_from_gin_is_prepared_with_gins_plan(settings) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("prepared statements are PostgreSQL's")
    from bioproof.search import query

    _documents()
    connection.close()
    for word in ("준비", "prepared"):
        tiers, _union = query._tiers((word,), word, "&")
        hits = query._page(tiers[0], [], [], word, 20, 0)
        assert len(hits) == 3
    [(name, generic)] = [
        (n, g)
        for n, s, g in _rows("SELECT name, statement, generic_plans FROM pg_prepared_statements")
        if query.GIN_ORDER in s
    ]
    assert generic == 2  # one plan, whatever the word
    plan = "\n".join(r[0] for r in _rows(f"EXPLAIN EXECUTE {name}('''준비''', 20, 0)"))
    # the matches collected (from GIN; on three rows a scan) and sorted, never a walk of ids
    assert "Sort" in plan and "Backward" not in plan


def _rows(sql: str) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchall()


@pytest.mark.django_db(transaction=True)
def test_a_servers_searches_reuse_one_cursor_and_errors_stay_djangos() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("prepared statements are PostgreSQL's")
    from django.db.utils import ProgrammingError

    assert not connection.queries_logged and not connection.execute_wrappers
    assert prepared.rows("SELECT %s::int + 1", [1]) == [(2,)]
    first = getattr(connection, prepared._REUSED)
    assert prepared.rows("SELECT %s::int + 2", [1]) == [(3,)]
    assert getattr(connection, prepared._REUSED) is first
    with pytest.raises(ProgrammingError, match="no_such_table"):
        prepared.rows("SELECT 1 FROM no_such_table WHERE 1 = %s", [1])
    connection.close()  # a new connection gets a cursor of its own
    assert prepared.rows("SELECT %s::int", [4]) == [(4,)]
    assert getattr(connection, prepared._REUSED) is not first
