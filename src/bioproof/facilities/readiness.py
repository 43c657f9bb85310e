"""May this equipment be used now? The question other modules (mRNA production's batch records,
evaluations' runs) ask before a step on an equipment.

``problems_for_code(code, at=…, gmp=False, user=None)`` returns localized problems, or ``[]``
when the equipment may be used at ``at``:

1. the code names a registered equipment (``MF-IVT-01``);
2. its status is *available* (not maintenance / out of service, with the reason);
3. with ``gmp=True``: the equipment is GMP equipment and neither its calibration nor its
   qualification (IQ/OQ/PQ) is past due on the day of ``at`` (Asia/Seoul);
4. no blackout covers ``at``;
5. with ``user``: a booking of the user's organization (or of the user, or one the user assists)
   holds the equipment at ``at`` (requested bookings do not count), and the user may operate it
   — a self-use booking needs the user's valid qualifications for the equipment's class and its
   required qualifications; on an assisted booking the assigned staff member's qualification
   counts, and the user may be that staff member or the customer beside them.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from bioproof.facilities.models import Blackout, Booking, Equipment

USABLE = ("confirmed", "checked_in", "completed")


def problems_for_code(
    code: str, *, at: dt.datetime, gmp: bool = False, user: Any = None
) -> list[str]:
    """The reasons ``code`` may not be used at ``at`` (empty: it may). See the module doc."""
    from bioproof.facilities.actions.bookings import due_problem, qualification_problem
    from bioproof.facilities.actions.common import local

    if timezone.is_naive(at):
        at = timezone.make_aware(at, timezone.get_default_timezone())
    equipment = Equipment.objects.filter(code=str(code or "").strip().upper()).first()
    if equipment is None:
        return [_("Unknown equipment %(code)s.") % {"code": code}]
    problems = []
    if equipment.status != Equipment.Status.AVAILABLE:
        problems.append(
            _("%(eq)s is %(status)s: %(reason)s")
            % {
                "eq": equipment.code,
                "status": equipment.get_status_display(),
                "reason": equipment.status_reason or "—",
            }
        )
    if gmp:
        if not equipment.gmp:
            problems.append(_("%(eq)s is not GMP equipment.") % {"eq": equipment.code})
        due = due_problem(equipment, timezone.localtime(at).date())
        if due:
            problems.append(due)
    blackout = Blackout.objects.filter(
        equipment=equipment, cancelled=False, starts_at__lte=at, ends_at__gt=at
    ).first()
    if blackout:
        problems.append(
            _("%(eq)s is closed from %(a)s to %(b)s: %(r)s")
            % {
                "eq": equipment.code,
                "a": local(blackout.starts_at),
                "b": local(blackout.ends_at),
                "r": blackout.reason,
            }
        )
    if user is not None:
        booking = (
            Booking.objects.filter(
                equipment=equipment, status__in=USABLE, starts_at__lte=at, ends_at__gt=at
            )
            .filter(
                Q(user_id=user.pk)
                | Q(staff_id=user.pk)
                | Q(organization_id__in=getattr(user, "organization_ids", ()))
            )
            .select_related("staff")
            .first()
        )
        if booking is None:
            problems.append(
                _("No booking of %(who)s or their organization holds %(eq)s at %(t)s.")
                % {"who": user.username, "eq": equipment.code, "t": local(at)}
            )
        elif booking.mode == "assisted" and booking.staff_id != user.pk:
            problem = qualification_problem(booking.staff, [equipment.equipment_class], at)
            if problem:
                problems.append(problem)
        else:
            keys = (
                [equipment.equipment_class]
                if booking.mode == "assisted"
                else equipment.qualification_keys
            )
            problem = qualification_problem(user, keys, at)
            if problem:
                problems.append(problem)
    return problems
