"""Run N attempts of an action at once, each thread on its own database connection.

Used by the race tests (PostgreSQL only: SQLite serializes writers by itself). An attempt
ends in ``("ok", value)``, ``(status_code, message)`` for a DomainError, or ``(500, repr)``
for anything else, which a test then refuses.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, connections, transaction
from django.utils import translation

from bioproof.core.errors import DomainError

Outcome = tuple[Any, Any]


def require_postgresql() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("race tests need PostgreSQL (set BIOPROOF_DATABASE_URL)")


def race(
    n: int,
    prepare: Callable[[int], Any],
    attempt: Callable[[int, Any], Any],
    *,
    timeout: float = 120,
) -> list[Outcome]:
    """``prepare(i)`` runs in thread i (its own connection) before all threads are released
    together to run ``attempt(i, prepared)``."""
    barrier = threading.Barrier(n)
    outcomes: list[Outcome] = [("not run", None)] * n

    def worker(i: int) -> None:
        try:
            with translation.override("en"):
                prepared = prepare(i)
                barrier.wait(timeout=timeout)
                try:
                    outcomes[i] = ("ok", attempt(i, prepared))
                except DomainError as exc:
                    outcomes[i] = (exc.status_code, exc.message)
        except Exception as exc:  # reported as the 500 it would be
            outcomes[i] = (500, repr(exc))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout)
    return outcomes


def tally(outcomes: list[Outcome]) -> Counter:
    return Counter(o[0] for o in outcomes)


def assert_only_ok_or_409(outcomes: list[Outcome]) -> None:
    bad = [o for o in outcomes if o[0] not in ("ok", 409)]
    assert not bad, bad
    assert all(o[1] for o in outcomes if o[0] == 409), "a refusal without a message"


def seed_reference_data() -> None:
    """Put back what the data migrations seed (a transactional test's flush removed it):
    the category tree and the shared method templates. Idempotent."""
    from bioproof.catalog.categories import sync as sync_categories
    from bioproof.catalog.models import Category
    from bioproof.evaluations.methods import sync as sync_templates
    from bioproof.evaluations.models import MethodTemplate

    with transaction.atomic():  # regulated rows append their audit events in a transaction
        sync_categories(Category)
        sync_templates(MethodTemplate)
