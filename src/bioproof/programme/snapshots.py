"""The materialized indicators: computed by the job queue, read by every page.

A page never computes indicators over the whole history in its request: it reads the latest
:class:`Snapshot` (cached in the process by id) and, when the audit chain has grown since it was
computed and it is older than ``BIOPROOF_PROGRAMME_REFRESH_SECONDS``, queues one refresh (one at a
time: the job has a key). Only when no snapshot exists yet does a request compute one.
"""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from bioproof.core import jobs
from bioproof.core.models import AuditEvent
from bioproof.programme import indicators
from bioproof.programme.models import Snapshot

_cache: dict[int, dict[str, Any]] = {}
_summaries: dict[tuple[int, indicators.Filters, int], dict[str, Any]] = {}
KEEP = 5
MAX_SUMMARIES = 256


def audit_head() -> int:
    return AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0


def refresh() -> Snapshot:
    """Compute every indicator from the records now and store the snapshot (keeps the last few)."""
    head = audit_head()
    start = time.perf_counter()
    data = indicators.compute_all()
    duration = round((time.perf_counter() - start) * 1000)
    with transaction.atomic():
        snap = Snapshot.objects.create(
            computed_at=timezone.now(), audit_head=head, duration_ms=duration, data=data
        )
        old = Snapshot.objects.order_by("-computed_at", "-id").values_list("id", flat=True)[KEEP:]
        Snapshot.objects.filter(id__in=list(old)).delete()
    return snap


def _interval() -> float:
    return float(getattr(settings, "BIOPROOF_PROGRAMME_REFRESH_SECONDS", 60))


def current(*, queue: bool = True) -> tuple[Snapshot, dict[str, Any]]:
    """The latest snapshot and its facts; queues a refresh when it is stale."""
    snap = Snapshot.objects.order_by("-computed_at", "-id").defer("data").first()
    if snap is None:
        snap = refresh()
    elif queue and snap.audit_head < audit_head():
        age = (timezone.now() - snap.computed_at).total_seconds()
        if age >= _interval():
            jobs.enqueue("programme.refresh", by=None, key="programme.refresh")
            snap = Snapshot.objects.order_by("-computed_at", "-id").defer("data").first() or snap
    data = _cache.get(snap.pk)
    if data is None:
        data = Snapshot.objects.values_list("data", flat=True).get(pk=snap.pk)["facts"]
        _cache.clear()
        _cache[snap.pk] = data
    return snap, data


def is_stale(snap: Snapshot) -> bool:
    return snap.audit_head < audit_head()


def summary(
    snap: Snapshot, facts: dict[str, Any], filters: indicators.Filters, k: int
) -> dict[str, Any]:
    """The summary of ``snap`` for ``filters`` and the k rule, computed once per process (a
    snapshot never changes; a new one gets a new id)."""
    key = (snap.pk, filters, k)
    found = _summaries.get(key)
    if found is None:
        if len(_summaries) >= MAX_SUMMARIES or any(s != snap.pk for s, _f, _k in _summaries):
            _summaries.clear()
        found = _summaries[key] = indicators.summarise(facts, filters, k=k)
    return found
