"""Human codes beside primary keys: ``EV-2026-0007``, ``PR-2026-0012``, ``ND-…``, ``BK-…``."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone

from bioproof.core.locking import lock
from bioproof.core.models import CodeSequence


@transaction.atomic
def next_code(prefix: str) -> str:
    """Return the next code for ``prefix`` in the current (Asia/Seoul) year, gap-free per year.

    The year's sequence row is created if missing (a concurrent creation is absorbed: the
    insert runs in a savepoint and the loser reads the winner's row) and then locked, so
    concurrent callers get consecutive numbers and the transaction that rolls back returns its
    number with it."""
    year = timezone.localdate().year
    if not CodeSequence.objects.filter(prefix=prefix, year=year).exists():
        try:
            with transaction.atomic():
                CodeSequence.objects.create(prefix=prefix, year=year)
        except IntegrityError:
            pass  # created meanwhile by another transaction
    seq = lock(CodeSequence.objects.filter(prefix=prefix, year=year))
    seq.last += 1
    seq.save(update_fields=["last"])
    return f"{prefix}-{year}-{seq.last:04d}"
