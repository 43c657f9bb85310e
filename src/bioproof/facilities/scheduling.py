"""Schedule proposals for a center's accepted work packages: the solver's input from the
database, a stored proposal a planner adjusts, and the commit through the booking action (so
every booking rule, the qualification gate and the no-double-booking guarantee apply)."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bioproof.consortium.models import Membership, Organization, User
from bioproof.core import audit
from bioproof.core.errors import DomainError, InvalidTransition
from bioproof.core.locking import lock
from bioproof.core.policy import require
from bioproof.facilities import policy, solver
from bioproof.facilities.models import (
    HOLDING,
    Blackout,
    Booking,
    Equipment,
    Project,
    ScheduleProposal,
    WorkPackage,
)
from bioproof.training import qualifications

HOUR = dt.timedelta(hours=1)
HORIZON_WEEKS = 12


def origin_for(now: dt.datetime) -> dt.datetime:
    """The next whole hour (local time) — hour 0 of the plan."""
    local = timezone.localtime(now).replace(minute=0, second=0, microsecond=0)
    return local + HOUR if local < timezone.localtime(now) else local


def _hours(origin: dt.datetime, at: dt.datetime) -> int:
    return math.floor((at - origin).total_seconds() / 3600)


def _hours_up(origin: dt.datetime, at: dt.datetime) -> int:
    return math.ceil((at - origin).total_seconds() / 3600)


def open_work_packages(center: Organization) -> list[WorkPackage]:
    return list(
        WorkPackage.objects.filter(
            project__center=center,
            project__status=Project.Status.ACCEPTED,
            status=WorkPackage.Status.OPEN,
        )
        .select_related("project")
        .prefetch_related("predecessors")
        .order_by("release_at", "id")
    )


def center_staff(center: Organization) -> list[User]:
    return list(
        User.objects.filter(
            is_active=True,
            memberships__organization=center,
            memberships__role__in=[Membership.Role.STAFF, Membership.Role.ORG_ADMIN],
        )
        .distinct()
        .order_by("username")
    )


def build_problem(center: Organization, now: dt.datetime) -> dict[str, Any]:
    origin = origin_for(now)
    horizon = HORIZON_WEEKS * 7 * 24
    end = origin + dt.timedelta(hours=horizon)
    packages = open_work_packages(center)
    equipment = list(
        Equipment.objects.filter(center=center, status=Equipment.Status.AVAILABLE).order_by("code")
    )
    eq_index = {e.pk: i for i, e in enumerate(equipment)}
    staff = center_staff(center)
    classes = {wp.equipment_class for wp in packages}
    qualified = {
        key: tuple(i for i, s in enumerate(staff) if qualifications.is_valid(s, key, at=origin))
        for key in classes
    }
    busy_eq: dict[int, list[tuple[int, int]]] = {}
    for b in Booking.objects.filter(
        equipment__in=equipment, status__in=HOLDING, starts_at__lt=end, block_until__gt=origin
    ).values("equipment_id", "starts_at", "block_until", "staff_id"):
        busy_eq.setdefault(eq_index[b["equipment_id"]], []).append(
            (max(0, _hours(origin, b["starts_at"])), _hours_up(origin, b["block_until"]))
        )
    for bl in Blackout.objects.filter(
        equipment__in=equipment, cancelled=False, starts_at__lt=end, ends_at__gt=origin
    ).values("equipment_id", "starts_at", "ends_at"):
        busy_eq.setdefault(eq_index[bl["equipment_id"]], []).append(
            (max(0, _hours(origin, bl["starts_at"])), _hours_up(origin, bl["ends_at"]))
        )
    staff_index = {s.pk: i for i, s in enumerate(staff)}
    busy_staff: dict[int, list[tuple[int, int]]] = {}
    for b in Booking.objects.filter(
        staff__in=staff, status__in=HOLDING, starts_at__lt=end, ends_at__gt=origin
    ).values("staff_id", "starts_at", "ends_at"):
        busy_staff.setdefault(staff_index[b["staff_id"]], []).append(
            (max(0, _hours(origin, b["starts_at"])), _hours_up(origin, b["ends_at"]))
        )
    tasks = []
    problems = []
    for wp in packages:
        cands = tuple(i for i, e in enumerate(equipment) if e.equipment_class == wp.equipment_class)
        if not cands:
            problems.append(
                _("%(wp)s: no available equipment of class %(c)s.")
                % {"wp": wp, "c": wp.equipment_class}
            )
            continue
        if wp.needs_staff and not qualified.get(wp.equipment_class):
            problems.append(
                _("%(wp)s: no staff member is qualified for %(c)s.")
                % {"wp": wp, "c": wp.equipment_class}
            )
            continue
        tasks.append(
            solver.Task(
                key=wp.pk,
                duration=wp.duration_hours,
                release=max(0, _hours_up(origin, wp.release_at)),
                due=_hours(origin, wp.due_at),
                equipment=cands,
                staff=qualified.get(wp.equipment_class, ()),
                needs_staff=wp.needs_staff,
                predecessors=tuple(p.pk for p in wp.predecessors.all()),
            )
        )
    return {
        "origin": origin,
        "horizon": horizon,
        "tasks": tasks,
        "equipment": equipment,
        "staff": staff,
        "busy_equipment": busy_eq,
        "busy_staff": busy_staff,
        "problems": problems,
    }


@transaction.atomic
def propose(
    *, by: Any, center: Organization, now: dt.datetime | None = None, time_limit: float = 8.0
) -> ScheduleProposal:
    """Solve for the center's open work packages and keep the proposal (nothing is booked)."""
    require(policy.is_center_staff(by, center), _("Only the center's staff plan its schedule."))
    problem = build_problem(center, now or timezone.now())
    if problem["problems"]:
        raise DomainError("; ".join(problem["problems"]))
    if not problem["tasks"]:
        raise InvalidTransition(_("No open work packages of accepted projects to schedule."))
    result = solver.solve(
        problem["tasks"],
        horizon=problem["horizon"],
        busy_equipment=problem["busy_equipment"],
        busy_staff=problem["busy_staff"],
        buffers={i: math.ceil(e.buffer_minutes / 60) for i, e in enumerate(problem["equipment"])},
        time_limit=time_limit,
    )
    if not result.feasible:
        raise DomainError(
            _("The solver found no schedule (%(s)s) within the horizon.") % {"s": result.status}
        )
    origin, equipment, staff = problem["origin"], problem["equipment"], problem["staff"]
    proposal = ScheduleProposal.objects.create(
        center=center,
        assignments=[
            {
                "work_package": a.key,
                "equipment": equipment[a.equipment].pk,
                "staff": staff[a.staff].pk if a.staff is not None else None,
                "start": (origin + a.start * HOUR).isoformat(),
                "end": (origin + a.end * HOUR).isoformat(),
                "lateness_h": a.lateness,
            }
            for a in result.assignments
        ],
        objective_hours=result.objective,
        bound_hours=result.bound,
        solver_status=result.status,
        wall_seconds=round(result.wall_seconds, 3),
        created_by=by,
    )
    audit.record(
        actor=by,
        action="facilities.schedule_proposed",
        obj=proposal,
        organization=center,
        after={
            "work_packages": len(result.assignments),
            "objective_hours": result.objective,
            "bound_hours": result.bound,
            "status": result.status,
        },
    )
    return proposal


@transaction.atomic
def commit(
    *, by: Any, proposal: ScheduleProposal, adjustments: dict[int, Any] | None = None
) -> list[Booking]:
    """Book every assignment (with the planner's adjusted start times, by work package id)
    through the booking action — all or nothing."""
    from bioproof.facilities.actions import book
    from bioproof.facilities.actions.common import when

    require(
        policy.is_center_staff(by, proposal.center_id),
        _("Only the center's staff commit a schedule."),
    )
    proposal = lock(proposal)
    if proposal.status != ScheduleProposal.Status.PROPOSED:
        raise InvalidTransition(_("This proposal is committed or discarded already."))
    adjustments = adjustments or {}
    planned: dict[int, tuple[dt.datetime, dt.datetime]] = {}
    for item in proposal.assignments:
        wp_id = item["work_package"]
        start = when(item["start"], "start")
        if adjustments.get(wp_id) not in (None, ""):
            start = when(adjustments[wp_id], f"start_{wp_id}")
        hours = WorkPackage.objects.filter(pk=wp_id).values_list("duration_hours", flat=True)
        planned[wp_id] = (start, start + dt.timedelta(hours=hours.first() or 0))
    for wp in WorkPackage.objects.filter(pk__in=planned).prefetch_related("predecessors"):
        for pred in wp.predecessors.all():
            if pred.pk in planned and planned[wp.pk][0] < planned[pred.pk][1]:
                raise DomainError(
                    _("%(wp)s would start before its predecessor %(p)s ends; nothing was committed")
                    % {"wp": wp, "p": pred},
                    field=f"start_{wp.pk}",
                )
    made = []
    for item in proposal.assignments:
        wp = lock(WorkPackage.objects.filter(pk=item["work_package"]).select_related("project"))
        if wp.status != WorkPackage.Status.OPEN:
            raise InvalidTransition(_("%(wp)s is scheduled already.") % {"wp": wp})
        start, end = planned[wp.pk]
        staff = User.objects.filter(pk=item["staff"]).first() if item["staff"] else None
        try:
            booking = book(
                by=by,
                equipment=Equipment.objects.get(pk=item["equipment"]),
                starts_at=start,
                ends_at=end,
                mode="assisted" if wp.needs_staff else "self",
                staff=staff,
                user=wp.project.requested_by,
                organization=wp.project.company,
                project=wp.project,
                work_package=wp,
                funding_line="test_service" if wp.needs_staff else "self_use",
                purpose=str(wp),
            )
        except DomainError as exc:
            raise type(exc)(
                _("%(wp)s: %(p)s; nothing was committed.")
                % {"wp": wp, "p": exc.message.rstrip(".")},
                field=exc.field,
            ) from None
        wp.status = WorkPackage.Status.SCHEDULED
        wp.save(update_fields=["status"])
        made.append(booking)
    proposal.status = ScheduleProposal.Status.COMMITTED
    proposal.save(update_fields=["status"])
    audit.record(
        actor=by,
        action="facilities.schedule_committed",
        obj=proposal,
        organization=proposal.center,
        after={"bookings": [b.code for b in made], "adjusted": sorted(adjustments)},
    )
    return made
