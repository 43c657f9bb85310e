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

Each process also keeps the entries it last read or wrote (:data:`LOCAL_ENTRIES`), with the
stored entry's expiry: an entry never changes under its key, so serving it again from the
process is as correct as reading it again, and spares the round trip to Redis and the
unpickling (a cache hit's client CPU 153 → 112–117 µs, 2026-11-30).
"""

from __future__ import annotations

import hashlib
import time
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction

TTL = 300  # seconds; settings.BIOPROOF_SEARCH_CACHE_SECONDS overrides (0 turns caching off)
#: Part of every key. Entries are stored as (expiry as a Unix time, value); change this when
#: that or what is cached changes shape (query.Hit, query.Sample), so that a cache shared across
#: an upgrade never hands one release another's objects.
FORMAT = "entries/2"
GENERATION_KEY = "bioproof:search:generation"
_DIRTY = "_bioproof_search_dirty"


def ttl() -> int:
    """How long a result may be reused between index writes (seconds; 0: never)."""
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
    if ttl() <= 0:
        return False
    conn = connections[DEFAULT_DB_ALIAS]  # the object behind the proxy, looked up once
    dirty = getattr(conn, _DIRTY, None)
    if dirty is None:
        return True
    if conn.in_atomic_block and conn.atomic_blocks[0] is dirty:
        return False
    setattr(conn, _DIRTY, None)  # that transaction is over
    return True


def key(*parts: Any) -> str:
    """A cache key for a search: the generation, the database and the search's own parts."""
    conn = connections[DEFAULT_DB_ALIAS]  # the object behind the proxy, looked up once
    db = (conn.alias, conn.vendor, conn.settings_dict.get("NAME"))
    digest = hashlib.sha256(repr((FORMAT, generation(), db, parts)).encode()).hexdigest()
    return f"bioproof:search:{digest}"


#: What this process last read or wrote, by key, with its expiry: an entry never changes under
#: its key (the key holds the generation), so it is served again without the cache's round trip
#: (Redis) or unpickling (either backend) until it expires as the stored one does. Bounded;
#: emptied when full.
_local: dict[str, tuple[float, Any]] = {}
LOCAL_ENTRIES = 2048


def get(name: str) -> Any:
    """The value stored under ``name``, or None when there is none or it has expired."""
    now = time.time()
    entry = _local.get(name)
    if entry is None or entry[0] <= now:
        entry = _store().get(name)
        if entry is None or entry[0] <= now:
            return None
        _remember(name, entry)
    return entry[1]


def put(name: str, value: Any) -> None:
    seconds = ttl()
    expires = time.time() + seconds
    _store().set(name, (expires, value), timeout=seconds)
    _remember(name, (expires, value))


def _remember(name: str, entry: tuple[float, Any]) -> None:
    if len(_local) >= LOCAL_ENTRIES:
        _local.clear()
    _local[name] = entry
