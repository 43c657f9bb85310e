"""State versions of regulated tables: cache keys that change with the data, and only then.

Every write to a regulated row appends an audit event naming the row's table (``object_type``,
the model's label) in the writing transaction (:mod:`bioproof.core.verification`). So the newest
event on a set of tables identifies their state: a result computed from those tables can be
cached under that event and served until a newer one exists, without a time-to-live and without
ever being stale. This is what :func:`cached` does.

The version is the newest event's *hash*, not its sequence number: a transaction that rolls back
gives its sequence numbers back, and the next event may take the same number for another change,
but never the same hash (it covers the content, the time and the previous hash). A result
computed inside a transaction that later rolls back is stored under a version nobody reads again.

Only regulated models may be named (:func:`state_version` refuses others: their writes append no
event, so a cache keyed on them would never change). What a cached result reads must come from
the named tables only; anything else (the user, proposals, the language) is read per request.

Cost: one statement, one step on the ``(object_type, -seq)`` index per table (~0.2 ms
for a few tables, ~0.9 ms for 18).
"""

from __future__ import annotations

import hashlib
import zlib
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from django.core.cache import caches
from django.db import connection
from django.db.models import Model

T = TypeVar("T")

_MISSING = object()


def _labels(models: Iterable[type[Model]]) -> list[str]:
    from bioproof.core import verification

    labels = []
    for model in models:
        entry = verification.entry_for(model)
        if entry is None:
            raise ValueError(
                f"{model._meta.label} is not regulated: its writes append no audit event, "
                "so no version of it can be read"
            )
        labels.append(entry.label)
    return sorted(set(labels))


def state_version(*models: type[Model]) -> str:
    """The hash of the newest audit event on any row of ``models`` ("0" before the first)."""
    from bioproof.core.models import AuditEvent

    labels = _labels(models)
    table = connection.ops.quote_name(AuditEvent._meta.db_table)
    # the newest sequence number per table (the first entry of the (object_type, -seq) index:
    # ordered by -seq, no other index can serve it, so the plan never walks the whole chain),
    # the largest of them, then that one event's hash: half the time of a UNION of per-table
    # rows for a page of 18 tables (0.9 against 1.7 ms); -1 for a table without events
    first = f"SELECT seq FROM {table} WHERE object_type = %s ORDER BY (seq * -1) LIMIT 1"
    newest = ", ".join(f"COALESCE(({first}), -1)" for _ in labels)
    greatest = "GREATEST" if connection.vendor == "postgresql" else "MAX"
    if len(labels) == 1:
        greatest = ""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT hash FROM {table} WHERE seq = {greatest}({newest})", labels)
        row = cursor.fetchone()
    return row[0] if row else "0"


def cached(
    key: str,
    models: Iterable[type[Model]],
    compute: Callable[[], T],
    timeout: int = 3600,
    *,
    store: str = "default",
) -> T:
    """``compute()``, or what it returned for the same ``key`` while ``models`` were in the same
    state. ``timeout`` only bounds the memory an unused entry holds; it never makes data stale.
    ``store`` names the cache: ``"pages"`` for rendered HTML kept per address (bounded: its
    addresses are the visitors' to choose).
    """
    models = list(models)
    full_key = f"state:{key}:{state_version(*models)}"
    store_ = caches[store]
    value: Any = store_.get(full_key, _MISSING)
    if value is _MISSING:
        value = compute()
        store_.set(full_key, value, timeout)
    return value


def cached_count(queryset: Any, models: Iterable[type[Model]], timeout: int = 600) -> int:
    """``queryset.count()``, kept while ``models`` are unchanged. The key is the query itself
    (its SQL and parameters, so the audience's filters are part of it): ``models`` must name
    every table the query reads, subqueries included."""
    sql, params = queryset.order_by().query.sql_with_params()
    key = "count:" + hashlib.sha256(repr((sql, params)).encode()).hexdigest()
    return cached(key, models, queryset.count, timeout)


def for_address(
    prefix: str,
    request: Any,
    models: Iterable[type[Model]],
    compute: Callable[[], T],
    *,
    timeout: int = 600,
) -> T:
    """:func:`cached` for what a page shows at its address (the query string, hashed: any length,
    any characters) in the active language, kept in the bounded ``pages`` store."""
    from django.utils.translation import get_language

    address = f"{get_language()}?{request.GET.urlencode()}"
    key = f"{prefix}:" + hashlib.sha256(address.encode()).hexdigest()
    return cached(key, models, compute, timeout, store="pages")


def _csrf_placeholder() -> str:
    """What a kept page holds where a form's CSRF token goes: derived from the secret key, so no
    content a user wrote can contain it (it would then be replaced by the reader's token)."""
    from django.utils.crypto import salted_hmac

    return "csrf-" + salted_hmac("bioproof.versions.csrf", "placeholder").hexdigest()[:40]


def kept_html(
    key: str,
    models: Iterable[type[Model]],
    request: Any,
    template: str,
    context: Callable[[], dict[str, Any]],
) -> str:
    """``template`` rendered with ``context()``, kept in the ``pages`` store while ``models`` are
    in the same state (:func:`cached`), with each reader's own CSRF token put into its forms.

    The page is kept without a token (a placeholder stands in its place) and the reader's token
    is written in when served: a token is the reader's secret and changes at each sign-in, so it
    is never part of what is kept. ``key`` must name everything else the page depends on that
    ``models`` do not hold (the object and the reader; the language is added here).

    Kept compressed (zlib level 1: an evaluation page of 100 runs, 196 kB, keeps as 13 kB in
    0.7 ms and is read back in 0.16 ms), so the ``pages`` store's bound on entries is also a
    bound on memory of a few tens of megabytes.
    """
    from django.middleware.csrf import get_token
    from django.template.loader import render_to_string
    from django.utils.translation import get_language

    placeholder = _csrf_placeholder()

    def render() -> bytes:
        html = render_to_string(template, context() | {"csrf_token": placeholder}, request)
        return zlib.compress(html.encode(), 1)

    kept = cached(f"{key}:{get_language()}", models, render, 600, store="pages")
    html = zlib.decompress(kept).decode()
    return html.replace(placeholder, get_token(request)) if placeholder in html else html
