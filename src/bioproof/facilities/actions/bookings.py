"""Bookings: create, move, cancel, approve/reject, check in, complete, release no-shows, the
waitlist, recurring series and iCal feed tokens.

Every change runs the same rule checks (:func:`check_booking`). Concurrency: the action locks
the equipment row first and only then checks the overlap, so concurrent requests for one slot
end in one success and clear 409 refusals (on SQLite every write transaction is serialized by
``BEGIN IMMEDIATE`` anyway). On PostgreSQL an exclusion constraint over
``tstzrange(starts_at, block_until)`` per equipment is the database's guarantee behind it: an
insert that slipped past the check is refused by the database and becomes a 409, never a 500.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import Any, NamedTuple

from django.db import connection, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from bioproof.consortium.models import Organization, User
from bioproof.core import audit
from bioproof.core.codes import next_code
from bioproof.core.errors import ConflictError, DomainError, InvalidTransition, PolicyDenied
from bioproof.core.locking import lock
from bioproof.core.policy import is_authenticated, is_platform_admin, require
from bioproof.facilities import policy
from bioproof.facilities.actions.common import (
    customer_type_for,
    local,
    no_double_booking,
    number,
    text,
    when,
)
from bioproof.facilities.models import (
    HOLDING,
    Blackout,
    Booking,
    BookingSeries,
    Equipment,
    FeedToken,
    FundingLine,
    UseMode,
    WaitlistEntry,
    overlaps,
)

B = Booking.Status
BOOKING_FIELDS = (
    "code",
    "equipment",
    "organization",
    "user",
    "staff",
    "mode",
    "gmp",
    "customer_type",
    "funding_line",
    "starts_at",
    "ends_at",
    "block_until",
    "status",
    "project",
    "work_package",
)
CHECK_IN_EARLY = dt.timedelta(minutes=30)
MAX_SERIES = 52


# --------------------------------------------------------------------------- the rule checks


def granting_courses(key: str) -> list[str]:
    """Codes and titles of published courses whose pass grants the qualification ``key``."""
    from bioproof.training.models import Course

    out = []
    for course in Course.objects.filter(status="published").prefetch_related("versions"):
        version = next(v for v in course.versions.all() if v.version == course.current_version)
        if any(g.get("key") == key for g in version.grants or []):
            out.append(f"{course.code} {version.title}")
    return out


def qualification_problem(person: Any, keys: list[str], at: dt.datetime) -> str | None:
    """A message naming the first qualification ``person`` lacks at ``at`` and the course that
    grants it, or None."""
    from bioproof.training import qualifications

    for key in keys:
        if not qualifications.is_valid(person, key, at=at):
            courses = granting_courses(key)
            who = getattr(person, "username", "?")
            if courses:
                return _(
                    "%(who)s holds no valid qualification '%(key)s' on %(day)s; the course "
                    "%(course)s grants it."
                ) % {"who": who, "key": key, "day": local(at)[:10], "course": courses[0]}
            return _(
                "%(who)s holds no valid qualification '%(key)s' on %(day)s; no published course "
                "grants it yet: ask the center for a supervised use."
            ) % {"who": who, "key": key, "day": local(at)[:10]}
    return None


def due_problem(equipment: Equipment, day: dt.date) -> str | None:
    """Calibration or qualification past due on ``day`` (refuses GMP work)."""
    if equipment.calibration_due and equipment.calibration_due < day:
        return _("%(eq)s: calibration was due on %(d)s.") % {
            "eq": equipment.code,
            "d": equipment.calibration_due,
        }
    if equipment.qualification_due and equipment.qualification_due < day:
        return _("%(eq)s: equipment qualification was due on %(d)s.") % {
            "eq": equipment.code,
            "d": equipment.qualification_due,
        }
    return None


class Conflict(NamedTuple):
    """What stands in the way of a range: a blackout, or a holding booking."""

    blackout: bool
    starts_at: dt.datetime
    ends_at: dt.datetime
    reason: str


def _aware(value: Any) -> dt.datetime:
    """A timestamp read by raw SQL (SQLite gives text for computed columns) as aware UTC."""
    if isinstance(value, str):
        value = parse_datetime(value)
    if timezone.is_naive(value):
        value = timezone.make_aware(value, dt.UTC)
    return value


def first_conflict(
    equipment_id: int,
    start: dt.datetime,
    end: dt.datetime,
    block: dt.datetime,
    exclude: Booking | None = None,
) -> Conflict | None:
    """The first blackout of the equipment meeting [start, end), else the first holding booking
    whose guarded range [starts_at, block_until) meets [start, block), both in ``starts_at``
    order — in one narrow statement.

    Every booking attempt asks this, twice (the fast refusal and the decisive check under the
    equipment lock), and under contention nearly every attempt ends here with a refusal: two
    ORM queries over wide rows cost ~5 ms of Python per attempt, this ~1 ms."""
    ops = connection.ops
    a, b, c = (ops.adapt_datetimefield_value(x) for x in (start, end, block))
    holding = ", ".join(["%s"] * len(HOLDING))
    not_self = " AND id <> %s" if exclude is not None else ""
    sql = (
        "SELECT * FROM (SELECT 0 AS k, starts_at, ends_at, reason"
        f" FROM {Blackout._meta.db_table}"
        " WHERE equipment_id = %s AND cancelled = %s AND starts_at < %s AND ends_at > %s"
        " ORDER BY starts_at, id LIMIT 1) AS x"
        " UNION ALL "
        "SELECT * FROM (SELECT 1 AS k, starts_at, ends_at, '' AS reason"
        f" FROM {Booking._meta.db_table}"
        f" WHERE equipment_id = %s AND status IN ({holding})"
        f" AND starts_at < %s AND block_until > %s{not_self}"
        " ORDER BY starts_at, id LIMIT 1) AS y"
        " ORDER BY k LIMIT 1"
    )
    params: list[Any] = [equipment_id, False, b, a, equipment_id, *HOLDING, c, a]
    if exclude is not None:
        params.append(exclude.pk)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        return None
    return Conflict(row[0] == 0, _aware(row[1]), _aware(row[2]), row[3] or "")


def check_booking(
    equipment: Equipment,
    start: dt.datetime,
    end: dt.datetime,
    *,
    mode: str,
    user: Any,
    staff: Any,
    gmp: bool,
    exclude: Booking | None = None,
    now: dt.datetime | None = None,
    notice_hours: int | None = None,
    center_staff: bool = False,
) -> None:
    """The rules every create, move and approval passes; raise the first problem found.

    The overlap check must run while the equipment row is locked."""
    now = now or timezone.now()
    if end <= start:
        raise DomainError(_("The end is not after the start."), field="ends_at")
    if equipment.status != Equipment.Status.AVAILABLE:
        raise InvalidTransition(
            _("%(eq)s is %(status)s: %(reason)s")
            % {
                "eq": equipment.code,
                "status": equipment.get_status_display(),
                "reason": equipment.status_reason or "—",
            }
        )
    minutes = (end - start).total_seconds() / 60
    if minutes < equipment.min_minutes:
        raise DomainError(
            _("%(eq)s is booked for at least %(n)d minutes.")
            % {"eq": equipment.code, "n": equipment.min_minutes},
            field="ends_at",
        )
    if minutes > equipment.max_minutes:
        raise DomainError(
            _("%(eq)s is booked for at most %(n)d hours at a time.")
            % {"eq": equipment.code, "n": equipment.max_minutes // 60},
            field="ends_at",
        )
    if start < now and not center_staff:
        raise DomainError(_("The start is in the past."), field="starts_at")
    notice = equipment.notice_book_hours if notice_hours is None else notice_hours
    if not center_staff and start < now + dt.timedelta(hours=notice):
        raise DomainError(
            _("%(eq)s must be booked at least %(n)d hours ahead.")
            % {"eq": equipment.code, "n": notice},
            field="starts_at",
        )
    allowed = {"both": {"self", "assisted"}, "self": {"self"}, "assisted": {"assisted"}}
    if mode not in allowed[equipment.modes]:
        raise DomainError(
            _("%(eq)s allows: %(modes)s.")
            % {"eq": equipment.code, "modes": equipment.get_modes_display()},
            field="mode",
        )
    if gmp:
        if not equipment.gmp:
            raise DomainError(
                _("%(eq)s is not GMP equipment.") % {"eq": equipment.code}, field="gmp"
            )
        for day in {timezone.localtime(start).date(), timezone.localtime(end).date()}:
            problem = due_problem(equipment, day)
            if problem:
                raise DomainError(_("GMP work refused: %(p)s") % {"p": problem}, field="equipment")
    block = end + dt.timedelta(minutes=equipment.buffer_minutes)
    conflict = first_conflict(equipment.pk, start, end, block, exclude)
    if conflict is not None and conflict.blackout:
        raise ConflictError(
            _("%(eq)s is closed from %(a)s to %(b)s: %(r)s")
            % {
                "eq": equipment.code,
                "a": local(conflict.starts_at),
                "b": local(conflict.ends_at),
                "r": conflict.reason,
            }
        )
    if conflict is not None:
        raise ConflictError(slot_taken(equipment, conflict))
    if mode == UseMode.SELF:
        for at in (start, end):
            problem = qualification_problem(user, equipment.qualification_keys, at)
            if problem:
                raise DomainError(problem, field="user")
    elif staff is not None:
        if not policy.is_center_staff(staff, equipment.center_id):
            raise DomainError(
                _("%(who)s is not staff of the center.") % {"who": staff.username},
                field="staff",
            )
        for at in (start, end):
            problem = qualification_problem(staff, [equipment.equipment_class], at)
            if problem:
                raise DomainError(problem, field="staff")


def slot_taken(equipment: Equipment, other: Booking | Conflict | None = None) -> str:
    if other is None:
        return _("%(eq)s is already booked in that period; choose another time.") % {
            "eq": equipment.code
        }
    return _(
        "%(eq)s is already booked from %(a)s to %(b)s (with %(m)d minutes' buffer); choose "
        "another time or join the waitlist."
    ) % {
        "eq": equipment.code,
        "a": local(other.starts_at),
        "b": local(other.ends_at),
        "m": equipment.buffer_minutes,
    }


# --------------------------------------------------------------------------- create


def _lock_equipment(equipment: Equipment) -> Equipment:
    return lock(Equipment.objects.filter(pk=equipment.pk).select_related("center"))


def _booking_org(by: Any, user: Any, organization: Organization | None) -> Organization:
    if organization is None:
        organization = user.primary_organization
    if organization is None or not user.is_member_of(organization):
        raise PolicyDenied(
            _("%(who)s is not a member of the booking organization.") % {"who": user.username}
        )
    return organization


def _create(
    *,
    by: Any,
    equipment: Equipment,
    start: dt.datetime,
    end: dt.datetime,
    user: Any,
    organization: Organization,
    mode: str,
    staff: Any,
    gmp: bool,
    purpose: str,
    funding_line: str,
    project: Any,
    work_package: Any,
    series: BookingSeries | None,
    center_staff: bool,
) -> Booking:
    check_booking(
        equipment,
        start,
        end,
        mode=mode,
        user=user,
        staff=staff,
        gmp=gmp,
        center_staff=center_staff,
    )
    needs_approval = (equipment.approval_required and not center_staff) or (
        mode == UseMode.ASSISTED and staff is None
    )
    with no_double_booking(slot_taken(equipment)):
        booking = Booking.objects.create(
            code=next_code("BK"),
            equipment=equipment,
            organization=organization,
            user=user,
            booked_by=by,
            staff=staff,
            mode=mode,
            gmp=gmp,
            purpose=purpose,
            customer_type=customer_type_for(organization),
            funding_line=funding_line,
            starts_at=start,
            ends_at=end,
            block_until=end + dt.timedelta(minutes=equipment.buffer_minutes),
            status=B.REQUESTED if needs_approval else B.CONFIRMED,
            project=project,
            work_package=work_package,
            series=series,
        )
    audit.record(
        actor=by,
        action="facilities.booking_requested" if needs_approval else "facilities.booked",
        obj=booking,
        organization=organization,
        after=audit.snapshot(booking, BOOKING_FIELDS),
    )
    return booking


def _prepare(
    by: Any,
    equipment: Equipment,
    user: Any,
    organization: Organization | None,
    mode: str,
    funding_line: str,
) -> tuple[Any, Organization, bool]:
    require(is_authenticated(by), _("Log in to book equipment."))
    user = user or by
    center_staff = policy.is_center_staff(by, equipment.center_id) or is_platform_admin(by)
    organization = _booking_org(by, user, organization)
    if user.pk != by.pk and not center_staff:
        require(
            policy.is_company_staff(by, organization),
            _("You book only for people of your own organization."),
        )
    if mode not in UseMode.values:
        raise DomainError(_("Choose self-use or assisted."), field="mode")
    if funding_line not in FundingLine.values:
        raise DomainError(_("Unknown funding line."), field="funding_line")
    return user, organization, center_staff


def book(
    *,
    by: Any,
    equipment: Equipment,
    starts_at: Any,
    ends_at: Any,
    mode: str = UseMode.SELF,
    user: User | None = None,
    organization: Organization | None = None,
    staff: User | None = None,
    gmp: bool = False,
    purpose: str = "",
    funding_line: str = FundingLine.SELF_USE,
    project: Any = None,
    work_package: Any = None,
) -> Booking:
    """Book ``equipment`` from ``starts_at`` to ``ends_at`` for ``user`` (default: oneself).

    Confirmed at once, or awaiting the center's approval when the equipment asks for it or an
    assisted booking has no staff member yet. The equipment row is locked before the checks
    that decide."""
    user, organization, center_staff = _prepare(
        by, equipment, user, organization, mode, funding_line
    )
    start, end = when(starts_at, "starts_at"), when(ends_at, "ends_at")
    purpose = text(purpose, "purpose", max_length=300)
    # Fast refusal, before any lock or transaction: a slot taken (or a rule broken) as committed
    # now is refused at once (a refusal read from committed rows is a true answer at that
    # moment), so concurrent clients neither queue on the equipment row nor open a transaction
    # just to hear "taken".
    check_booking(
        equipment,
        start,
        end,
        mode=mode,
        user=user,
        staff=staff,
        gmp=bool(gmp),
        center_staff=center_staff,
    )
    with transaction.atomic():
        equipment = _lock_equipment(equipment)  # then the decisive check, under the lock
        return _create(
            by=by,
            equipment=equipment,
            start=start,
            end=end,
            user=user,
            organization=organization,
            mode=mode,
            staff=staff,
            gmp=bool(gmp),
            purpose=purpose,
            funding_line=funding_line,
            project=project,
            work_package=work_package,
            series=None,
            center_staff=center_staff,
        )


@transaction.atomic
def book_recurring(
    *,
    by: Any,
    equipment: Equipment,
    starts_at: Any,
    ends_at: Any,
    count: Any,
    interval_weeks: Any = 1,
    mode: str = UseMode.SELF,
    user: User | None = None,
    organization: Organization | None = None,
    staff: User | None = None,
    gmp: bool = False,
    purpose: str = "",
    funding_line: str = FundingLine.SELF_USE,
) -> list[Booking]:
    """``FREQ=WEEKLY;INTERVAL=k;COUNT=n``: every occurrence passes the checks or none is made."""
    user, organization, center_staff = _prepare(
        by, equipment, user, organization, mode, funding_line
    )
    start, end = when(starts_at, "starts_at"), when(ends_at, "ends_at")
    n = number(count, "count", low=1, high=MAX_SERIES, integer=True)
    k = number(interval_weeks, "interval_weeks", low=1, high=8, integer=True)
    equipment = _lock_equipment(equipment)
    series = BookingSeries.objects.create(
        equipment=equipment, rule=f"FREQ=WEEKLY;INTERVAL={k};COUNT={n}", count=n, created_by=by
    )
    made = []
    tz = timezone.get_default_timezone()
    local_start, local_end = timezone.localtime(start), timezone.localtime(end)
    for i in range(n):
        # weekly in local (Asia/Seoul) wall time
        s = (local_start.replace(tzinfo=None) + dt.timedelta(weeks=i * k)).replace(tzinfo=tz)
        e = (local_end.replace(tzinfo=None) + dt.timedelta(weeks=i * k)).replace(tzinfo=tz)
        try:
            made.append(
                _create(
                    by=by,
                    equipment=equipment,
                    start=s,
                    end=e,
                    user=user,
                    organization=organization,
                    mode=mode,
                    staff=staff,
                    gmp=bool(gmp),
                    purpose=text(purpose, "purpose", max_length=300),
                    funding_line=funding_line,
                    project=None,
                    work_package=None,
                    series=series,
                    center_staff=center_staff,
                )
            )
        except DomainError as exc:
            raise type(exc)(
                _("Occurrence %(i)d of %(n)d (%(when)s): %(p)s; nothing was booked.")
                % {"i": i + 1, "n": n, "when": local(s), "p": exc.message.rstrip(".")},
                field=exc.field,
            ) from None
    audit.record(
        actor=by,
        action="facilities.series_booked",
        obj=series,
        organization=organization,
        after={"rule": series.rule, "bookings": [b.code for b in made]},
    )
    return made


# --------------------------------------------------------------------------- change


def _lock_booking(booking: Booking) -> tuple[Equipment, Booking]:
    """Lock the equipment (parent) then the booking, as every booking write does."""
    equipment = _lock_equipment(booking.equipment)
    booking = lock(Booking.objects.filter(pk=booking.pk).select_related("equipment", "user"))
    return equipment, booking


def _notify_waitlist(by: Any, booking: Booking) -> list[WaitlistEntry]:
    """A holding booking freed its range: tell those waiting for an overlapping slot, once."""
    entries = list(
        WaitlistEntry.objects.select_for_update()
        .filter(
            equipment_id=booking.equipment_id,
            notified_at__isnull=True,
            starts_at__lt=booking.block_until,
            ends_at__gt=booking.starts_at,
        )
        .order_by("id")
    )
    now = timezone.now()
    for entry in entries:
        entry.notified_at = now
        entry.save(update_fields=["notified_at"])
        audit.record(
            actor=by,
            action="facilities.slot_freed",
            obj=entry,
            organization=booking.equipment.center,
            after={"booking": booking.code, "notified_at": now},
        )
    return entries


@transaction.atomic
def move_booking(
    *, by: Any, booking: Booking, starts_at: Any, ends_at: Any, staff: Any = "keep"
) -> Booking:
    """Move a booking: the same checks as a new one, and the equipment's notice to change."""
    require(policy.may_change_booking(by, booking), _("You may not change this booking."))
    start, end = when(starts_at, "starts_at"), when(ends_at, "ends_at")
    equipment, booking = _lock_booking(booking)
    if booking.status not in (B.REQUESTED, B.CONFIRMED):
        raise InvalidTransition(
            _("%(code)s is %(s)s and cannot be moved.")
            % {"code": booking.code, "s": booking.get_status_display()}
        )
    center_staff = policy.is_center_staff(by, equipment.center_id) or is_platform_admin(by)
    now = timezone.now()
    if not center_staff and booking.starts_at < now + dt.timedelta(
        hours=equipment.notice_change_hours
    ):
        raise DomainError(
            _("%(code)s can no longer be changed: changes end %(n)d hours before the start.")
            % {"code": booking.code, "n": equipment.notice_change_hours}
        )
    new_staff = booking.staff if staff == "keep" else staff
    check_booking(
        equipment,
        start,
        end,
        mode=booking.mode,
        user=booking.user,
        staff=new_staff,
        gmp=booking.gmp,
        exclude=booking,
        now=now,
        center_staff=center_staff,
    )
    before = audit.snapshot(booking, BOOKING_FIELDS)
    freed = Booking(
        equipment=equipment, starts_at=booking.starts_at, block_until=booking.block_until
    )
    booking.starts_at, booking.ends_at = start, end
    booking.block_until = end + dt.timedelta(minutes=equipment.buffer_minutes)
    booking.staff = new_staff
    if booking.status == B.CONFIRMED and equipment.approval_required and not center_staff:
        booking.status = B.REQUESTED
    with no_double_booking(slot_taken(equipment)):
        booking.save()
    audit.record(
        actor=by,
        action="facilities.booking_moved",
        obj=booking,
        organization=booking.organization,
        before=before,
        after=audit.snapshot(booking, BOOKING_FIELDS),
    )
    _notify_waitlist(by, freed)
    return booking


@transaction.atomic
def cancel_booking(*, by: Any, booking: Booking, reason: str = "") -> Booking:
    require(policy.may_change_booking(by, booking), _("You may not cancel this booking."))
    equipment, booking = _lock_booking(booking)
    if booking.status not in (B.REQUESTED, B.CONFIRMED):
        raise InvalidTransition(
            _("%(code)s is %(s)s and cannot be cancelled.")
            % {"code": booking.code, "s": booking.get_status_display()}
        )
    center_staff = policy.is_center_staff(by, equipment.center_id) or is_platform_admin(by)
    if not center_staff and booking.starts_at < timezone.now() + dt.timedelta(
        hours=equipment.notice_cancel_hours
    ):
        raise DomainError(
            _(
                "%(code)s can no longer be cancelled online: cancellations end %(n)d hours before "
                "the start; ask the center."
            )
            % {"code": booking.code, "n": equipment.notice_cancel_hours}
        )
    before = {"status": booking.status}
    booking.status, booking.cancelled_at = B.CANCELLED, timezone.now()
    booking.reason = text(reason, "reason", max_length=2000)
    booking.save(update_fields=["status", "cancelled_at", "reason"])
    audit.record(
        actor=by,
        action="facilities.booking_cancelled",
        obj=booking,
        organization=booking.organization,
        before=before,
        after={"status": booking.status},
        reason=booking.reason,
    )
    _notify_waitlist(by, booking)
    return booking


@transaction.atomic
def decide_booking(
    *, by: Any, booking: Booking, approve: bool, reason: str = "", staff: User | None = None
) -> Booking:
    """The center approves (assigning a staff member to an assisted booking) or rejects."""
    require(
        policy.is_center_staff(by, booking.equipment.center_id),
        _("Only the center's staff approve bookings."),
    )
    equipment, booking = _lock_booking(booking)
    if booking.status != B.REQUESTED:
        raise InvalidTransition(_("%(code)s is not awaiting approval.") % {"code": booking.code})
    before = {"status": booking.status, "staff": booking.staff_id}
    if approve:
        new_staff = staff or booking.staff
        if booking.mode == UseMode.ASSISTED and new_staff is None:
            raise DomainError(
                _("Assign a qualified staff member to the assisted booking %(code)s.")
                % {"code": booking.code},
                field="staff",
            )
        check_booking(
            equipment,
            booking.starts_at,
            booking.ends_at,
            mode=booking.mode,
            user=booking.user,
            staff=new_staff,
            gmp=booking.gmp,
            exclude=booking,
            center_staff=True,
        )
        booking.staff, booking.status = new_staff, B.CONFIRMED
    else:
        booking.status = B.REJECTED
        booking.reason = text(reason, "reason", required=True, max_length=2000)
    booking.save(update_fields=["staff", "status", "reason"])
    audit.record(
        actor=by,
        action="facilities.booking_approved" if approve else "facilities.booking_rejected",
        obj=booking,
        organization=booking.organization,
        before=before,
        after={"status": booking.status, "staff": booking.staff_id},
        reason=booking.reason,
    )
    if not approve:
        _notify_waitlist(by, booking)
    return booking


@transaction.atomic
def check_in(*, by: Any, booking: Booking, at: dt.datetime | None = None) -> Booking:
    """Start of use: from 30 minutes before the start until the no-show window closes; the
    qualification (self-use: the user; assisted: the staff member) is checked again now."""
    require(policy.may_change_booking(by, booking), _("You may not check in this booking."))
    equipment, booking = _lock_booking(booking)
    now = at or timezone.now()
    if booking.status != B.CONFIRMED:
        raise InvalidTransition(
            _("%(code)s is %(s)s; only a confirmed booking is checked in.")
            % {"code": booking.code, "s": booking.get_status_display()}
        )
    if now < booking.starts_at - CHECK_IN_EARLY:
        raise InvalidTransition(
            _("Check-in opens 30 minutes before the start (%(t)s).")
            % {"t": local(booking.starts_at)}
        )
    if now > booking.starts_at + dt.timedelta(minutes=equipment.no_show_minutes):
        raise InvalidTransition(
            _("%(code)s was not checked in within %(n)d minutes of its start.")
            % {"code": booking.code, "n": equipment.no_show_minutes}
        )
    if equipment.status != Equipment.Status.AVAILABLE:
        raise InvalidTransition(
            _("%(eq)s is %(status)s: %(reason)s")
            % {
                "eq": equipment.code,
                "status": equipment.get_status_display(),
                "reason": equipment.status_reason or "—",
            }
        )
    if booking.mode == UseMode.SELF:
        problem = qualification_problem(booking.user, equipment.qualification_keys, now)
    else:
        problem = (
            qualification_problem(booking.staff, [equipment.equipment_class], now)
            if booking.staff
            else _("No staff member is assigned to this assisted booking.")
        )
    if problem:
        raise DomainError(_("Check-in refused: %(p)s") % {"p": problem})
    if booking.gmp:
        due = due_problem(equipment, timezone.localtime(now).date())
        if due:
            raise DomainError(_("Check-in refused: %(p)s") % {"p": due})
    booking.status, booking.checked_in_at = B.CHECKED_IN, now
    booking.save(update_fields=["status", "checked_in_at"])
    audit.record(
        actor=by,
        action="facilities.checked_in",
        obj=booking,
        organization=booking.organization,
        before={"status": B.CONFIRMED},
        after={"status": booking.status, "checked_in_at": now},
    )
    return booking


@transaction.atomic
def complete(*, by: Any, booking: Booking, at: dt.datetime | None = None) -> Booking:
    """End of use (check-out): the minutes used are recorded for the utilisation report."""
    require(policy.may_change_booking(by, booking), _("You may not check out this booking."))
    _equipment, booking = _lock_booking(booking)
    if booking.status != B.CHECKED_IN:
        raise InvalidTransition(_("%(code)s is not checked in.") % {"code": booking.code})
    now = at or timezone.now()
    used = max(0, int((now - booking.checked_in_at).total_seconds() // 60))
    booking.status, booking.completed_at, booking.used_minutes = B.COMPLETED, now, used
    booking.save(update_fields=["status", "completed_at", "used_minutes"])
    audit.record(
        actor=by,
        action="facilities.completed",
        obj=booking,
        organization=booking.organization,
        before={"status": B.CHECKED_IN},
        after={"status": booking.status, "used_minutes": used},
    )
    return booking


@transaction.atomic
def release_no_shows(*, by: Any = None, at: dt.datetime | None = None) -> list[Booking]:
    """Release confirmed bookings not checked in within their equipment's no-show window (the
    job ``facilities.release_no_shows`` and ``bioproof facilities_release`` call this)."""
    now = at or timezone.now()
    candidates = list(
        Booking.objects.filter(status=B.CONFIRMED, starts_at__lt=now)
        .select_related("equipment")
        .order_by("equipment_id", "id")
    )
    released = []
    for cand in candidates:
        if now <= cand.starts_at + dt.timedelta(minutes=cand.equipment.no_show_minutes):
            continue
        equipment, booking = _lock_booking(cand)
        if booking.status != B.CONFIRMED:
            continue
        booking.status = B.RELEASED
        booking.save(update_fields=["status"])
        audit.record(
            actor=by,
            action="facilities.released",
            obj=booking,
            organization=booking.organization,
            before={"status": B.CONFIRMED},
            after={"status": B.RELEASED},
            reason=_("No check-in within %(n)d minutes of the start.")
            % {"n": equipment.no_show_minutes},
        )
        _notify_waitlist(by, booking)
        released.append(booking)
    return released


@transaction.atomic
def join_waitlist(*, by: Any, equipment: Equipment, starts_at: Any, ends_at: Any) -> WaitlistEntry:
    """ "Notify me if this slot frees" — only for a slot that is taken now."""
    require(is_authenticated(by), _("Log in to join the waitlist."))
    start, end = when(starts_at, "starts_at"), when(ends_at, "ends_at")
    if end <= start:
        raise DomainError(_("The end is not after the start."), field="ends_at")
    equipment = _lock_equipment(equipment)
    if not Booking.objects.filter(
        overlaps(start, end), equipment=equipment, status__in=HOLDING
    ).exists():
        raise InvalidTransition(_("That slot is free: book it instead."))
    if WaitlistEntry.objects.filter(
        equipment=equipment, user=by, starts_at=start, ends_at=end, notified_at__isnull=True
    ).exists():
        raise InvalidTransition(_("You are on the waitlist for that slot already."))
    entry = WaitlistEntry.objects.create(equipment=equipment, user=by, starts_at=start, ends_at=end)
    audit.record(
        actor=by,
        action="facilities.waitlisted",
        obj=entry,
        organization=equipment.center,
        after={"equipment": equipment.code, "from": local(start), "until": local(end)},
    )
    return entry


# --------------------------------------------------------------------------- iCal feed tokens


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def create_feed(
    *,
    by: Any,
    scope: str,
    equipment: Equipment | None = None,
    center: Organization | None = None,
) -> tuple[FeedToken, str]:
    """A secret feed URL token; returned once, only its SHA-256 is stored."""
    require(is_authenticated(by), _("Log in to create a calendar feed."))
    if scope not in FeedToken.Scope.values:
        raise DomainError(_("Unknown feed scope."), field="scope")
    if scope == "equipment" and equipment is None:
        raise DomainError(_("Name the equipment."), field="equipment")
    if scope == "center" and (center is None or center.kind != Organization.Kind.CENTER):
        raise DomainError(_("Name a demonstration center."), field="center")
    token = secrets.token_urlsafe(32)
    feed = FeedToken.objects.create(
        owner=by,
        scope=scope,
        equipment=equipment if scope == "equipment" else None,
        center=center if scope == "center" else None,
        prefix=token[:8],
        token_sha256=hash_token(token),
    )
    audit.record(
        actor=by,
        action="facilities.feed_created",
        obj=feed,
        after={"scope": scope, "prefix": feed.prefix},
    )
    return feed, token


@transaction.atomic
def revoke_feed(*, by: Any, feed: FeedToken) -> FeedToken:
    require(
        is_authenticated(by) and (feed.owner_id == by.pk or is_platform_admin(by)),
        _("You may not revoke this feed."),
    )
    feed = lock(feed)
    if feed.revoked_at:
        raise InvalidTransition(_("This feed is revoked already."))
    feed.revoked_at = timezone.now()
    feed.save(update_fields=["revoked_at"])
    audit.record(
        actor=by, action="facilities.feed_revoked", obj=feed, after={"prefix": feed.prefix}
    )
    return feed
