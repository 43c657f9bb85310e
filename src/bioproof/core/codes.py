"""Human codes beside primary keys: ``EV-2026-0007``, ``PR-2026-0012``, ``ND-…``, ``BK-…``."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from bioproof.core.models import CodeSequence


@transaction.atomic
def next_code(prefix: str) -> str:
    """Return the next code for ``prefix`` in the current (Asia/Seoul) year, gap-free per year."""
    year = timezone.localdate().year
    seq, _ = CodeSequence.objects.select_for_update().get_or_create(prefix=prefix, year=year)
    seq.last += 1
    seq.save(update_fields=["last"])
    return f"{prefix}-{year}-{seq.last:04d}"
