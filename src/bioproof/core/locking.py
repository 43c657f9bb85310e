"""Row locks for actions that check a state and then write ("exactly once").

Every action that reads a record's state, decides, and then writes must hold a lock on the row
that guards the decision, so that N concurrent requests end in one success and N-1 clear
refusals (HTTP 409) instead of N successes, lost updates or IntegrityError 500s.

Usage, inside the action's ``@transaction.atomic`` block, before any check::

    from bioproof.core.locking import lock, unique_or_conflict

    @transaction.atomic
    def withdraw(*, by, evaluation, reason):
        evaluation = lock(evaluation)          # SELECT … FOR UPDATE; a fresh copy of the row
        step = workflow.check(evaluation, "withdraw", by)   # checks the state as committed
        ...
        with unique_or_conflict(_("This evaluation is published already.")):
            TrackRecord.objects.create(...)    # a unique violation becomes ConflictError (409)

Rules later modules follow:

- Lock the *guarding* row (the parent whose state the decision reads: the evaluation for its
  runs, data files, signatures and track records; the need for its proposals; the product for
  its document versions; the sequence row for a code) first, then check, then write.
- Check the state only after :func:`lock`: it refreshes the instance from the locked row
  (PostgreSQL's READ COMMITTED re-reads the row once the lock is granted), so the check sees
  what the previous winner committed.
- Lock one guarding row per action where possible; when two are needed, lock parent before
  child (evaluation → run, need → proposal) so concurrent actions cannot deadlock.
- Numbers such as versions (max + 1) are computed only while the guarding row is locked.
- A unique constraint is the last line of defence: wrap the insert in :func:`unique_or_conflict`
  so a race that slips past a check becomes a 409 with a message, never a 500.

On SQLite ``select_for_update`` is a no-op, but the settings open every transaction with
``BEGIN IMMEDIATE``, so writers are serialized there anyway.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, TypeVar, overload

from django.db import IntegrityError, models, transaction
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from bioproof.core.errors import ConflictError

M = TypeVar("M", bound=models.Model)

__all__ = ["lock", "lock_all", "unique_or_conflict"]


@overload
def lock(target: M) -> M: ...
@overload
def lock(target: models.QuerySet[M]) -> M: ...
def lock(target: Any) -> Any:
    """Lock ``target``'s row with ``SELECT … FOR UPDATE`` and return it as committed now; the
    lock is held until the surrounding transaction ends.

    An instance is refreshed in place (``refresh_from_db``) and returned, so the caller's copy
    shows the state the action checked and the changes it makes; a queryset must match
    exactly one row, which is returned. Must run inside ``transaction.atomic``. A row deleted
    meanwhile raises :class:`ConflictError`.
    """
    if isinstance(target, models.Model):
        model = type(target)
        manager = model._default_manager
        queryset = manager.filter(pk=target.pk)
    elif isinstance(target, models.QuerySet):
        model, queryset = target.model, target
    else:  # pragma: no cover - programming error
        raise TypeError(f"lock() takes a model instance or a queryset, not {type(target)!r}")
    if not transaction.get_connection(queryset.db).in_atomic_block:
        raise RuntimeError("lock() must be called inside transaction.atomic")
    try:
        if isinstance(target, models.Model):
            target.refresh_from_db(from_queryset=manager.select_for_update())
            return target
        return queryset.select_for_update().get()
    except model.DoesNotExist:
        raise ConflictError(
            _("%(what)s no longer exists; reload the page.") % {"what": model._meta.verbose_name}
        ) from None


def lock_all(queryset: models.QuerySet[M]) -> list[M]:
    """Lock every row of ``queryset`` (in primary-key order, so lockers cannot deadlock)."""
    if not transaction.get_connection(queryset.db).in_atomic_block:
        raise RuntimeError("lock_all() must be called inside transaction.atomic")
    return list(queryset.select_for_update().order_by("pk"))


@contextmanager
def unique_or_conflict(message: str | Promise, *, field: str | None = None) -> Iterator[None]:
    """Run the block in a savepoint; a unique-constraint violation becomes a
    :class:`ConflictError` (409) with ``message`` and the transaction stays usable.

    Other integrity errors (a foreign key, a NOT NULL) are programming errors and propagate.
    """
    try:
        with transaction.atomic():
            yield
    except IntegrityError as exc:
        if not _is_unique_violation(exc):
            raise
        raise ConflictError(str(message), field=field) from exc


def _is_unique_violation(exc: IntegrityError) -> bool:
    cause = exc.__cause__
    sqlstate = getattr(cause, "sqlstate", None) or getattr(cause, "pgcode", None)
    if sqlstate is not None:
        return sqlstate == "23505"  # PostgreSQL unique_violation
    text = str(exc).lower()
    return "unique" in text  # SQLite: "UNIQUE constraint failed: …"
