"""Qualifications: the one question the booking module asks, and expiry reminders.

``is_valid(person, equipment_class, at=…)`` is True when the person holds at least one
qualification for ``equipment_class`` (an equipment class or unit-operation key such as
``bioreactor.single-use`` or ``chromatography.column``) that on the day of ``at``
(Asia/Seoul):

1. is active (not revoked; revoking a certificate revokes what it granted),
2. was granted on or before that day,
3. has not expired (``expires_on`` is the last valid day; none means it never expires), and
4. has not lapsed for disuse: when the qualification has ``lapse_months``, the last use (or the
   grant, if never used) is at most that many months before the day.

Reminders: a qualification expiring in ``d`` days (0 < d ≤ 90) is due a reminder for the
smallest threshold T of 90/60/30 with d ≤ T, unless a reminder for T or a smaller threshold was
already recorded for that expiry date (so a late run sends the most urgent one, never 90 after 30).
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Q
from django.utils import timezone

THRESHOLDS = (90, 60, 30)


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` plus ``months`` calendar months (the 31st becomes the month's last day)."""
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def local_day(at: dt.datetime | dt.date | None) -> dt.date:
    if at is None:
        return timezone.localdate()
    if isinstance(at, dt.datetime):
        return timezone.localtime(at).date() if timezone.is_aware(at) else at.date()
    return at


def valid_q(day: dt.date) -> Q:
    """Qualifications valid on ``day`` (rules 1–3; the lapse rule is checked per row)."""
    return Q(status="active", granted_on__lte=day) & (
        Q(expires_on__isnull=True) | Q(expires_on__gte=day)
    )


def not_lapsed(qualification: Any, day: dt.date) -> bool:
    if not qualification.lapse_months:
        return True
    last = max(filter(None, [qualification.last_used_on, qualification.granted_on]))
    return day <= add_months(last, qualification.lapse_months)


def is_valid(person: Any, equipment_class: str, at: dt.datetime | dt.date | None = None) -> bool:
    """May ``person`` operate ``equipment_class`` at ``at`` (default: now)? See the module doc."""
    from bioproof.training.models import Qualification

    if person is None or getattr(person, "pk", None) is None:
        return False
    day = local_day(at)
    rows = Qualification.objects.filter(valid_q(day), person_id=person.pk, key=equipment_class)
    return any(not_lapsed(q, day) for q in rows.only("granted_on", "last_used_on", "lapse_months"))


def valid_for(person: Any, at: dt.datetime | dt.date | None = None) -> list[Any]:
    """The person's qualifications valid at ``at``, soonest expiry first."""
    from bioproof.training.models import Qualification

    day = local_day(at)
    rows = Qualification.objects.filter(valid_q(day), person_id=person.pk)
    return [q for q in rows.order_by("key", "expires_on") if not_lapsed(q, day)]


@dataclass(frozen=True)
class DueReminder:
    qualification: Any
    threshold_days: int
    days_left: int


def due_reminders(at: dt.datetime | dt.date | None = None) -> list[DueReminder]:
    """The reminders due at ``at`` that were not recorded yet (see the module doc)."""
    from bioproof.training.models import Qualification, Reminder

    day = local_day(at)
    horizon = day + dt.timedelta(days=max(THRESHOLDS))
    candidates = (
        Qualification.objects.filter(
            status="active", expires_on__gt=day, expires_on__lte=horizon, granted_on__lte=day
        )
        .select_related("person")
        .order_by("expires_on", "id")
    )
    sent: dict[tuple[int, dt.date], int] = {}
    for qid, threshold, expires in Reminder.objects.filter(
        qualification__in=candidates
    ).values_list("qualification_id", "threshold_days", "expires_on"):
        key = (qid, expires)
        sent[key] = min(threshold, sent.get(key, threshold))
    out = []
    for q in candidates:
        days_left = (q.expires_on - day).days
        threshold = min(t for t in THRESHOLDS if days_left <= t)
        already = sent.get((q.pk, q.expires_on))
        if already is not None and already <= threshold:
            continue
        out.append(DueReminder(q, threshold, days_left))
    return out
