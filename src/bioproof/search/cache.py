"""Caching search results between index writes.

A search's page of hits and its count depend only on the index, the query, the filters and the
audience (the policy's SQL). They are kept in Django's cache (``CACHES["default"]``: memory of
the process on the embedded default, Redis with ``BIOPROOF_CACHE_URL``) under a key that holds
all of these and the index **generation**, a number that every index write increments — when
it happens (for this process's own later reads) and again when its transaction commits (for
everybody's). Entries of an older generation are never read again and expire after
:data:`TTL` seconds. With a shared cache (Redis) a write is therefore seen by the next search of
every process; with per-process memory and several processes, another process may show the
former results for up to :data:`TTL` seconds.

What is cached is what the index said; whether the user may see each hit is decided again on
every search (:func:`bioproof.search.query._recheck`), so a cached page can hide a result that
became visible meanwhile (until the next write), never reveal one that became hidden.

Inside a transaction that has written to the index, the cache is neither read nor written:
that transaction sees rows nobody else sees yet, and may still roll back.
"""

from __future__ import annotations

import hashlib
import time
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.db import connection, transaction

TTL = 300  # seconds; settings.BIOPROOF_SEARCH_CACHE_SECONDS overrides (0 turns caching off)
GENERATION_KEY = "bioproof:search:generation"
_DIRTY = "_bioproof_search_dirty"


def _ttl() -> int:
    return int(getattr(settings, "BIOPROOF_SEARCH_CACHE_SECONDS", TTL))


def _store() -> Any:
    return caches["default"]


def generation() -> int:
    """The index generation (created on first use from the clock, so a cache that lost it
    never hands out entries of an earlier life)."""
    store = _store()
    value = store.get(GENERATION_KEY)
    if value is None:
        store.add(GENERATION_KEY, time.time_ns(), timeout=None)
        value = store.get(GENERATION_KEY)
    return int(value)


def _bump() -> None:
    store = _store()
    try:
        store.incr(GENERATION_KEY)
    except ValueError:  # not there (evicted, or first write): start a new generation
        store.set(GENERATION_KEY, time.time_ns(), timeout=None)


def index_written() -> None:
    """Called by every index write: a new generation now and again at commit, and no caching
    for the rest of the writing transaction."""
    _bump()
    if connection.in_atomic_block:
        setattr(connection, _DIRTY, connection.atomic_blocks[0])
        transaction.on_commit(_committed)


def _committed() -> None:
    _bump()
    setattr(connection, _DIRTY, None)


def usable() -> bool:
    """Whether this search may read and write the cache."""
    if _ttl() <= 0:
        return False
    dirty = getattr(connection, _DIRTY, None)
    if dirty is None:
        return True
    if connection.in_atomic_block and connection.atomic_blocks[0] is dirty:
        return False
    setattr(connection, _DIRTY, None)  # that transaction is over
    return True


def key(*parts: Any) -> str:
    """A cache key for a search: the generation, the database and the search's own parts."""
    db = (connection.alias, connection.vendor, connection.settings_dict.get("NAME"))
    digest = hashlib.sha256(repr((generation(), db, parts)).encode()).hexdigest()
    return f"bioproof:search:{digest}"


def get(name: str) -> Any:
    return _store().get(name)


def put(name: str, value: Any) -> None:
    _store().set(name, value, timeout=_ttl())
