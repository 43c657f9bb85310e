"""PostgreSQL: search statements prepared on the server and planned once per connection.

Planning the statements that count a query's matches and re-check a page took 0.5–1.2 ms each
(the re-check's UNION of three ``visible_to`` rules alone 0.3–0.55 ms), as much as a third of
what PostgreSQL spends on a search. These statements have the same good plan whatever the words
searched for — count through the GIN index; look the page's ids up by primary key — so they are
prepared (psycopg ``prepare=True``) and run with PostgreSQL's *generic* plan, made once per
statement shape and connection. Three things make that work, and the plan as good as a custom
one:

- the query text reaches PostgreSQL as a parameter, and ``to_tsquery('simple', $1)`` in a generic
  plan would be parsed again for every row it is compared with; :func:`statement` wraps it in a
  scalar subquery, which runs once per execution and feeds the GIN index condition;
- psycopg's ``prepare_threshold``, which Django leaves at None (prepare nothing), is raised to
  a number no statement reaches, so that only the statements asked to be prepared are;
- ``plan_cache_mode = force_generic_plan`` is set on the session (PostgreSQL's default would keep
  making custom plans, as the default estimates of a parameter's selectivity make the generic one
  look dearer). It changes nothing else: Django binds parameters on the client and prepares no
  statement of its own. With ``server_side_binding`` on (when psycopg may prepare any statement)
  BioProof prepares nothing, and the setting is never made.

Walking the id index is prepared too, its settings (``enable_bitmapscan = off`` …) made in the
same round trip (a pipeline), so its generic plan is the walk they force. Reading a sparse
tier's page from GIN, whose best plan depends on how many documents match, keeps custom plans
and is not prepared. ``BIOPROOF_SEARCH_PREPARE = False`` turns preparing off, e.g. behind a
connection pooler in transaction mode that does not keep prepared statements (PgBouncer before
1.21).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from types import SimpleNamespace
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

TSQUERY = "to_tsquery('simple', %s)"
# psycopg prepares nothing on a connection whose threshold is None (Django's default), even when
# asked to; with this one it prepares only what is asked (Django's client-side cursors never ask)
NEVER_BY_ITSELF = 2**31 - 1
_GENERIC = "_bioproof_generic_plans"


def statement(sql: str) -> str:
    """``sql`` with each ``to_tsquery('simple', %s)`` evaluated once per execution."""
    return sql.replace(TSQUERY, f"(SELECT {TSQUERY})")


def enabled() -> bool:
    """Whether search statements are prepared on this connection."""
    return _enabled(_connection())


def _connection() -> Any:
    """Django's default connection itself: ``django.db.connection`` is a proxy that looks it
    up again on every attribute (about a microsecond each, a dozen times per statement)."""
    return connections[DEFAULT_DB_ALIAS]


def _enabled(connection: Any) -> bool:
    return (
        connection.vendor == "postgresql"
        and bool(getattr(settings, "BIOPROOF_SEARCH_PREPARE", True))
        and connection.settings_dict.get("OPTIONS", {}).get("server_side_binding") is not True
    )


def _server_cursor_classes() -> tuple[type, type]:
    import psycopg

    class PreparedCursor(psycopg.Cursor):  # type: ignore[type-arg]
        """Binds on the server and prepares every statement it executes."""

        def execute(self, query: Any, params: Any = None, **kwargs: Any) -> Any:
            kwargs["prepare"] = True
            return super().execute(query, params, **kwargs)

    class LoggedPreparedCursor(PreparedCursor):
        """Where Django logs queries (DEBUG, tests capturing them): also keeps the statement
        with its values merged in, which Django's log reads from ``_query.query``."""

        def execute(self, query: Any, params: Any = None, **kwargs: Any) -> Any:
            result = super().execute(query, params, **kwargs)
            merged = psycopg.ClientCursor(self.connection).mogrify(query, params)
            self._query = SimpleNamespace(query=merged.encode())
            return result

    return PreparedCursor, LoggedPreparedCursor


_cursor_classes: tuple[type, type] | None = None


def _generic_plans(connection: Any, raw: Any) -> None:
    """Let this connection prepare what is asked to be prepared, and force generic plans for
    its prepared statements; once per connection, and only outside a transaction, whose
    rollback would undo the setting."""
    import psycopg

    if getattr(connection, _GENERIC, None) is raw:
        return
    if raw.prepare_threshold is None:  # Django turns preparing off; prepare=True then does nothing
        raw.prepare_threshold = NEVER_BY_ITSELF
    if raw.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
        return
    raw.execute("SET plan_cache_mode = force_generic_plan")
    setattr(connection, _GENERIC, raw)


_REUSED = "_bioproof_search_cursor"


@contextmanager
def _cursor(connection: Any) -> Iterator[Any]:
    """A preparing cursor on Django's ``connection``.

    Where Django logs queries (DEBUG, tests) or has execute wrappers, it is wrapped as Django's
    own cursors are. Otherwise — a server's searches — it is the connection's one preparing
    cursor, reused, with Django's checks (thread sharing, broken transaction) and its error
    translation: wrapping and making a cursor cost as much client time as a statement's round
    trip (80 µs against 105 µs, measured 2026-11-30)."""
    global _cursor_classes
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    if _cursor_classes is None:
        _cursor_classes = _server_cursor_classes()
    if connection.queries_logged or connection.execute_wrappers:
        with connection.wrap_database_errors:
            raw = connection.connection
            _generic_plans(connection, raw)
            wrapped = connection._prepare_cursor(_cursor_classes[1](raw))
        with wrapped:
            yield wrapped
        return
    connection.validate_thread_sharing()
    connection.validate_no_broken_transaction()
    with connection.wrap_database_errors:
        raw = connection.connection
        _generic_plans(connection, raw)
        reused = getattr(connection, _REUSED, None)
        if reused is None or reused.connection is not raw or reused.closed:
            reused = _cursor_classes[0](raw)
            setattr(connection, _REUSED, reused)
        yield reused


def rows(
    sql: str,
    params: list[Any] | tuple[Any, ...],
    *,
    prepare: bool = True,
    local: tuple[str, ...] = (),
) -> list[tuple[Any, ...]]:
    """Run one search statement and return its rows.

    ``prepare``: prepared, with its generic plan, where :func:`enabled`. ``local``: settings
    (``"enable_bitmapscan = off"``) that hold for this statement only — set in the same round
    trip just before it and reset after it (a pipeline, or one multi-statement string where
    nothing is prepared), so the plan made under them is the one they ask for.
    """
    before = [f"SET LOCAL {setting}" for setting in local]
    after = [f"RESET {setting.split('=')[0].strip()}" for setting in local]
    connection = _connection()
    if not (prepare and _enabled(connection)):
        with connection.cursor() as plain:
            plain.execute("; ".join([*before, sql, *after]), params)
            while plain.description is None and plain.nextset():
                pass  # past the SETs, to the statement's rows
            return plain.fetchall()
    with _cursor(connection) as c:
        if not local:
            c.execute(statement(sql), params)
            return c.fetchall()
        raw = connection.connection
        with raw.pipeline():  # one round trip; SET LOCAL lasts until the RESET or the sync
            for command in before:
                raw.execute(command)
            c.execute(statement(sql), params)
            found = c.fetchall()
            for command in after:
                raw.execute(command)
        return found
