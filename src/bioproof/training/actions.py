"""Writes to training (the only writers): policy check, validation, write and audit event in one
transaction. Actions that check a state and then write lock the row they guard first: every
enrollment and cancellation locks its session row, so seats and the waitlist change one at a time.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import re
import uuid
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from bioproof.consortium.models import Organization, User
from bioproof.core import audit, signatures
from bioproof.core.codes import next_code
from bioproof.core.errors import DomainError, InvalidTransition, PolicyDenied
from bioproof.core.policy import is_authenticated, is_platform_admin, require
from bioproof.training import credentials, policy
from bioproof.training.models import (
    Assessment,
    Attendance,
    Certificate,
    Course,
    CourseVersion,
    Enrollment,
    Provider,
    Qualification,
    Reminder,
    Session,
    SessionInstructor,
    SupervisedUse,
)
from bioproof.training.qualifications import add_months, due_reminders, local_day

E = Enrollment.Status
VERSION_FIELDS = (
    "version",
    "title_ko",
    "title_en",
    "description_ko",
    "description_en",
    "level",
    "modules",
    "prerequisites",
    "fee_krw",
    "capacity",
    "min_attendance_pct",
    "min_score",
    "checklist",
    "grants",
    "certificate_validity_months",
    "cancellation_days",
)
SESSION_FIELDS = ("code", "course_version", "center", "room", "starts_on", "ends_on", "capacity")
ENROLLMENT_FIELDS = ("session", "trainee", "organization", "status", "waitlist_position")
MAX_CAPACITY = 500
MAX_SESSION_DAYS = 60
MAX_CSV_BYTES = 1024 * 1024
MAX_CSV_ROWS = 5000
KEY_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{1,59}$")
CODE_RE = re.compile(r"^[A-Z0-9][A-Z0-9-]{1,29}$")


# --------------------------------------------------------------------------- validation helpers


def _text(value: Any, field: str, *, required: bool = False, max_length: int = 200) -> str:
    value = str(value or "").strip()
    if required and not value:
        raise DomainError(_("This field is required."), field=field)
    if len(value) > max_length:
        raise DomainError(_("At most %(n)d characters, please.") % {"n": max_length}, field=field)
    return value


def _number(
    value: Any, field: str, *, low: float, high: float, integer: bool = False
) -> float | int:
    try:
        number = float(str(value).strip().replace(",", ""))
    except (TypeError, ValueError):
        raise DomainError(_("'%(v)s' is not a number.") % {"v": value}, field=field) from None
    if not math.isfinite(number) or not (low <= number <= high):
        raise DomainError(
            _("%(v)s is out of range: give a number from %(low)s to %(high)s.")
            % {"v": value, "low": _fmt(low), "high": _fmt(high)},
            field=field,
        )
    if integer:
        if number != int(number):
            raise DomainError(_("'%(v)s' is not a whole number.") % {"v": value}, field=field)
        return int(number)
    return number


def _fmt(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)


def _optional_months(value: Any, field: str) -> int | None:
    if value is None or str(value).strip() in ("", "never", "none"):
        return None
    return int(_number(value, field, low=1, high=240, integer=True))


def _choice(value: str, choices: Any, field: str) -> str:
    if value not in choices.values:
        raise DomainError(
            _("'%(v)s' is not one of %(c)s.") % {"v": value, "c": ", ".join(choices.values)},
            field=field,
        )
    return value


def clean_modules(modules: Iterable[Mapping[str, Any]] | None) -> list[dict[str, Any]]:
    out = []
    for i, m in enumerate(modules or [], 1):
        title = _text(m.get("title"), "modules", max_length=200)
        if not title:
            raise DomainError(_("Module %(n)d has no title.") % {"n": i}, field="modules")
        kind = str(m.get("kind") or "")
        if kind not in ("theory", "practical"):
            raise DomainError(
                _("Module %(n)d: kind must be 'theory' or 'practical', not '%(v)s'.")
                % {"n": i, "v": kind},
                field="modules",
            )
        hours = _number(m.get("hours"), "modules", low=0.25, high=500)
        out.append({"title": title, "kind": kind, "hours": hours})
    if not out:
        raise DomainError(_("A course needs at least one module."), field="modules")
    return out


def clean_grants(grants: Iterable[Mapping[str, Any]] | None) -> list[dict[str, Any]]:
    out = []
    seen = set()
    for i, g in enumerate(grants or [], 1):
        key = str(g.get("key") or "").strip()
        if not KEY_RE.match(key):
            raise DomainError(
                _(
                    "Qualification %(n)d: '%(v)s' is not a valid key "
                    "(lower-case letters, digits, '.', '-', '_')."
                )
                % {"n": i, "v": key},
                field="grants",
            )
        if key in seen:
            raise DomainError(
                _("Qualification %(v)s is listed twice.") % {"v": key}, field="grants"
            )
        seen.add(key)
        out.append(
            {
                "key": key,
                "name_ko": _text(g.get("name_ko") or key, "grants"),
                "name_en": _text(g.get("name_en") or key, "grants"),
                "validity_months": _optional_months(g.get("validity_months"), "grants"),
                "lapse_months": _optional_months(g.get("lapse_months"), "grants"),
            }
        )
    return out


def clean_prerequisites(items: Iterable[Mapping[str, Any]] | None) -> list[dict[str, str]]:
    out = []
    for item in items or []:
        if item.get("course"):
            code = str(item["course"]).strip()
            if not Course.objects.filter(code=code).exists():
                raise DomainError(
                    _("Prerequisite course %(c)s does not exist.") % {"c": code},
                    field="prerequisites",
                )
            out.append({"course": code})
        elif item.get("qualification"):
            key = str(item["qualification"]).strip()
            if not KEY_RE.match(key):
                raise DomainError(
                    _("'%(v)s' is not a valid qualification key.") % {"v": key},
                    field="prerequisites",
                )
            out.append({"qualification": key})
        else:
            raise DomainError(
                _("Each prerequisite names a course or a qualification."), field="prerequisites"
            )
    return out


def _version_fields(fields: Mapping[str, Any]) -> dict[str, Any]:
    checklist = [_text(c, "checklist") for c in fields.get("checklist") or []]
    checklist = [c for c in checklist if c]
    if len(set(checklist)) != len(checklist):
        raise DomainError(_("Checklist items must be distinct."), field="checklist")
    return {
        "title_ko": _text(fields.get("title_ko"), "title_ko", required=True),
        "title_en": _text(fields.get("title_en"), "title_en", required=True),
        "description_ko": _text(fields.get("description_ko"), "description_ko", max_length=5000),
        "description_en": _text(fields.get("description_en"), "description_en", max_length=5000),
        "level": _choice(str(fields.get("level") or ""), CourseVersion.Level, "level"),
        "modules": clean_modules(fields.get("modules")),
        "prerequisites": clean_prerequisites(fields.get("prerequisites")),
        "fee_krw": _number(fields.get("fee_krw", 0), "fee_krw", low=0, high=1e9, integer=True),
        "capacity": _number(
            fields.get("capacity"), "capacity", low=1, high=MAX_CAPACITY, integer=True
        ),
        "min_attendance_pct": _number(
            fields.get("min_attendance_pct", 100), "min_attendance_pct", low=0, high=100
        ),
        "min_score": _number(fields.get("min_score", 70), "min_score", low=0, high=100),
        "checklist": checklist,
        "grants": clean_grants(fields.get("grants")),
        "certificate_validity_months": _optional_months(
            fields.get("certificate_validity_months"), "certificate_validity_months"
        ),
        "cancellation_days": _number(
            fields.get("cancellation_days", 7), "cancellation_days", low=0, high=90, integer=True
        ),
    }


# --------------------------------------------------------------------------- providers, courses


@transaction.atomic
def register_provider(*, by: Any, organization: Organization) -> Provider:
    """The programme office names an organization a training provider."""
    require(
        by is None or is_platform_admin(by),
        _("Only the programme office registers training providers."),
    )
    if Provider.objects.filter(organization=organization).exists():
        raise InvalidTransition(
            _("%(org)s is a training provider already.") % {"org": organization}
        )
    provider = Provider.objects.create(organization=organization)
    audit.record(
        actor=by,
        action="training.provider_registered",
        obj=provider,
        organization=organization,
        after={"organization": organization.pk},
    )
    return provider


@transaction.atomic
def create_course(*, by: Any, provider: Provider, code: str, **fields: Any) -> Course:
    """A provider drafts a course (version 1). ``fields``: see :data:`VERSION_FIELDS`."""
    require(policy.is_provider_staff(by, provider), _("You do not manage this provider's courses."))
    code = _text(code, "code", required=True, max_length=30).upper()
    if not CODE_RE.match(code):
        raise DomainError(
            _("A course code uses capital letters, digits and '-', e.g. USP-101."), field="code"
        )
    if Course.objects.filter(code=code).exists():
        raise DomainError(_("Course code %(c)s is taken.") % {"c": code}, field="code")
    values = _version_fields(fields)
    course = Course.objects.create(provider=provider, code=code, created_by=by)
    version = CourseVersion.objects.create(course=course, version=1, created_by=by, **values)
    audit.record(
        actor=by,
        action="training.course_created",
        obj=course,
        organization=provider.organization,
        after={"code": code, **audit.snapshot(version, VERSION_FIELDS)},
    )
    return course


@transaction.atomic
def revise_course(*, by: Any, course: Course, reason: str, **fields: Any) -> CourseVersion:
    """A new version of the course; sessions already planned keep the version they run."""
    require(
        policy.is_provider_staff(by, course.provider),
        _("You do not manage this provider's courses."),
    )
    course = Course.objects.select_for_update().get(pk=course.pk)
    reason = _text(reason, "reason", required=True, max_length=2000)
    values = _version_fields(fields)
    version = CourseVersion.objects.create(
        course=course,
        version=course.current_version + 1,
        created_by=by,
        change_reason=reason,
        **values,
    )
    before = {"current_version": course.current_version}
    course.current_version = version.version
    course.save(update_fields=["current_version"])
    audit.record(
        actor=by,
        action="training.course_revised",
        obj=course,
        organization=course.provider.organization,
        before=before,
        after=audit.snapshot(version, VERSION_FIELDS),
        reason=reason,
    )
    return version


@transaction.atomic
def set_course_status(*, by: Any, course: Course, status: str) -> Course:
    """Publish a draft course, or retire a published one (no new sessions)."""
    require(
        policy.is_provider_staff(by, course.provider),
        _("You do not manage this provider's courses."),
    )
    course = Course.objects.select_for_update().get(pk=course.pk)
    allowed = {("draft", "published"), ("published", "retired"), ("retired", "published")}
    if (course.status, status) not in allowed:
        raise InvalidTransition(
            _("%(code)s cannot go from %(a)s to %(b)s.")
            % {"code": course.code, "a": course.status, "b": status}
        )
    before = {"status": course.status}
    course.status = status
    course.save(update_fields=["status"])
    audit.record(
        actor=by,
        action=f"training.course_{status}",
        obj=course,
        organization=course.provider.organization,
        before=before,
        after={"status": status},
    )
    return course


# --------------------------------------------------------------------------- sessions


def parse_date(value: Any, field: str) -> dt.date:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    text = str(value or "").strip()
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise DomainError(
            _("'%(v)s' is not a date (use YYYY-MM-DD).") % {"v": text}, field=field
        ) from None


@transaction.atomic
def create_session(
    *,
    by: Any,
    course: Course,
    center: Organization,
    starts_on: Any,
    ends_on: Any,
    capacity: Any = None,
    room: str = "",
    instructors: Sequence[User] = (),
) -> Session:
    """Plan a session of the course's current version at a center."""
    require(
        policy.is_provider_staff(by, course.provider),
        _("You do not plan this provider's sessions."),
    )
    if course.status != Course.Status.PUBLISHED:
        raise InvalidTransition(
            _("Publish %(code)s before planning sessions.") % {"code": course.code}
        )
    if center is None or center.kind != Organization.Kind.CENTER:
        raise DomainError(_("A session takes place at a demonstration center."), field="center")
    start, end = parse_date(starts_on, "starts_on"), parse_date(ends_on, "ends_on")
    if end < start:
        raise DomainError(_("The last day is before the first day."), field="ends_on")
    if (end - start).days + 1 > MAX_SESSION_DAYS:
        raise DomainError(
            _("A session lasts at most %(n)d days.") % {"n": MAX_SESSION_DAYS}, field="ends_on"
        )
    version = course.current
    seats = (
        version.capacity
        if capacity in (None, "")
        else _number(capacity, "capacity", low=1, high=MAX_CAPACITY, integer=True)
    )
    people = list(instructors)
    if not people:
        raise DomainError(_("Name at least one instructor."), field="instructors")
    for person in people:
        if not person.is_member_of(course.provider.organization_id):
            raise DomainError(
                _("%(who)s is not a member of the provider.") % {"who": person.username},
                field="instructors",
            )
    session = Session.objects.create(
        code=next_code("TS"),
        course_version=version,
        center=center,
        room=_text(room, "room", max_length=120),
        starts_on=start,
        ends_on=end,
        capacity=seats,
        created_by=by,
    )
    for person in people:
        SessionInstructor.objects.create(session=session, user=person)
    audit.record(
        actor=by,
        action="training.session_created",
        obj=session,
        organization=course.provider.organization,
        after={
            **audit.snapshot(session, SESSION_FIELDS),
            "instructors": [p.pk for p in people],
        },
    )
    return session


def _lock_session(session: Session) -> Session:
    return (
        Session.objects.select_for_update()
        .select_related("course_version__course")
        .get(pk=session.pk)
    )


@transaction.atomic
def cancel_session(*, by: Any, session: Session, reason: str) -> Session:
    """The provider cancels a session: every enrollment is cancelled (no fee)."""
    provider = session.course_version.course.provider
    require(policy.is_provider_staff(by, provider), _("You do not manage this session."))
    session = _lock_session(session)
    if session.status == Session.Status.CANCELLED:
        raise InvalidTransition(_("%(code)s is cancelled already.") % {"code": session.code})
    reason = _text(reason, "reason", required=True, max_length=2000)
    session.status, session.cancel_reason = Session.Status.CANCELLED, reason
    session.save(update_fields=["status", "cancel_reason"])
    now = timezone.now()
    active = list(
        Enrollment.objects.select_for_update()
        .filter(session=session)
        .exclude(status=E.CANCELLED)
        .order_by("id")
    )
    for enrollment in active:
        enrollment.status, enrollment.cancelled_at = E.CANCELLED, now
        enrollment.cancel_reason = _("Session cancelled: %(r)s") % {"r": reason}
        enrollment.save(update_fields=["status", "cancelled_at", "cancel_reason"])
    audit.record(
        actor=by,
        action="training.session_cancelled",
        obj=session,
        organization=provider.organization,
        after={"status": session.status, "enrollments_cancelled": [e.pk for e in active]},
        reason=reason,
    )
    return session


# --------------------------------------------------------------------------- enrollment


def _has_valid_certificate(person: Any, course_code: str, day: dt.date) -> bool:
    for cert in Certificate.objects.filter(
        holder_id=person.pk, course_version__course__code=course_code
    ):
        if cert.state_on(day) == "valid":
            return True
    return False


def check_prerequisites(person: Any, version: CourseVersion, day: dt.date) -> list[str]:
    """The prerequisites ``person`` does not meet on ``day`` (as messages)."""
    from bioproof.training.qualifications import is_valid

    missing = []
    for item in version.prerequisites:
        if "course" in item and not _has_valid_certificate(person, item["course"], day):
            missing.append(_("a valid certificate of %(c)s") % {"c": item["course"]})
        if "qualification" in item and not is_valid(person, item["qualification"], at=day):
            missing.append(_("the qualification %(q)s") % {"q": item["qualification"]})
    return missing


@transaction.atomic
def enroll(
    *,
    by: Any,
    session: Session,
    trainee: User | None = None,
    organization: Organization | None = None,
    certificate_name: str = "",
    publish_name: bool = False,
) -> Enrollment:
    """Enroll ``trainee`` (default: oneself) in the session: a seat while there is one, else
    the next place on the waitlist. An org admin nominates their own organization's staff; the
    provider's staff may register anyone, also after the first day (walk-ins). The session row is
    locked first, so concurrent enrollments into the last seat give it to exactly one."""
    require(is_authenticated(by), _("Log in to enroll."))
    trainee = trainee or by
    provider_staff = policy.is_provider_staff(by, session.course_version.course.provider)
    if trainee.pk != by.pk:
        require(
            (organization is not None and policy.is_org_admin(by, organization)) or provider_staff,
            _("Only an org admin nominates staff, for their own organization."),
        )
        if organization is not None and not trainee.is_member_of(organization):
            raise PolicyDenied(
                _("%(who)s is not a member of %(org)s.")
                % {"who": trainee.username, "org": organization}
            )
    elif organization is not None and not trainee.is_member_of(organization):
        raise PolicyDenied(_("You are not a member of %(org)s.") % {"org": organization})
    if organization is None:
        organization = trainee.primary_organization
    session = _lock_session(session)
    course = session.course_version.course
    if session.status != Session.Status.SCHEDULED:
        raise InvalidTransition(_("%(code)s is cancelled.") % {"code": session.code})
    if course.status != Course.Status.PUBLISHED:
        raise InvalidTransition(
            _("%(code)s takes no enrollments: the course is not open.") % {"code": session.code}
        )
    if timezone.localdate() > session.starts_on and not provider_staff:
        raise InvalidTransition(
            _("%(code)s started on %(d)s; enrollment is closed.")
            % {"code": session.code, "d": session.starts_on}
        )
    if (
        Enrollment.objects.filter(session=session, trainee=trainee)
        .exclude(status=E.CANCELLED)
        .exists()
    ):
        raise InvalidTransition(
            _("%(who)s is enrolled in %(code)s already.")
            % {"who": trainee.username, "code": session.code}
        )
    missing = check_prerequisites(trainee, session.course_version, session.starts_on)
    if missing:
        raise DomainError(
            _("Prerequisites not met: %(m)s.") % {"m": "; ".join(missing)}, field="trainee"
        )
    name = _text(
        certificate_name or trainee.get_full_name() or trainee.username,
        "certificate_name",
        max_length=200,
    )
    taken = Enrollment.objects.filter(session=session, status=E.CONFIRMED).count()
    if taken < session.capacity:
        status, position = E.CONFIRMED, None
    else:
        last = Enrollment.objects.filter(session=session).aggregate(m=Max("waitlist_position"))
        status, position = E.WAITLISTED, (last["m"] or 0) + 1
    try:
        with transaction.atomic():
            enrollment = Enrollment.objects.create(
                session=session,
                trainee=trainee,
                organization=organization,
                nominated_by=by if trainee.pk != by.pk else None,
                status=status,
                waitlist_position=position,
                certificate_name=name,
                publish_name=bool(publish_name),
            )
    except IntegrityError:
        raise InvalidTransition(
            _("%(who)s is enrolled in %(code)s already.")
            % {"who": trainee.username, "code": session.code}
        ) from None
    audit.record(
        actor=by,
        action="training.nominated" if enrollment.nominated_by_id else "training.enrolled",
        obj=enrollment,
        organization=organization,
        after=audit.snapshot(enrollment, ENROLLMENT_FIELDS),
    )
    return enrollment


def _promote_next(session: Session, by: Any) -> Enrollment | None:
    """Give the freed seat to the first on the waitlist (the session row is locked)."""
    taken = Enrollment.objects.filter(session=session, status=E.CONFIRMED).count()
    if taken >= session.capacity:
        return None
    nxt = (
        Enrollment.objects.select_for_update()
        .filter(session=session, status=E.WAITLISTED)
        .order_by("waitlist_position", "id")
        .first()
    )
    if nxt is None:
        return None
    nxt.status, nxt.promoted_at = E.CONFIRMED, timezone.now()
    nxt.save(update_fields=["status", "promoted_at"])
    audit.record(
        actor=by,
        action="training.promoted",
        obj=nxt,
        organization=nxt.organization,
        before={"status": E.WAITLISTED},
        after={"status": E.CONFIRMED, "waitlist_position": nxt.waitlist_position},
    )
    return nxt


@transaction.atomic
def cancel_enrollment(*, by: Any, enrollment: Enrollment, reason: str = "") -> Enrollment:
    """Cancel a seat or a waitlist place. Before the session's free-cancellation date it is free;
    later (until the first day) it is recorded as a late cancellation; from the first day only the
    provider cancels. A freed seat goes to the first on the waitlist, once."""
    session = enrollment.session
    provider = session.course_version.course.provider
    is_staff = policy.is_provider_staff(by, provider)
    require(
        is_authenticated(by)
        and (
            enrollment.trainee_id == by.pk
            or is_staff
            or (
                enrollment.organization is not None
                and policy.is_org_admin(by, enrollment.organization)
            )
        ),
        _("You may not cancel this enrollment."),
    )
    session = _lock_session(session)
    enrollment = Enrollment.objects.select_for_update().get(pk=enrollment.pk)
    if enrollment.status == E.CANCELLED:
        raise InvalidTransition(_("This enrollment is cancelled already."))
    today = timezone.localdate()
    if today >= session.starts_on and not is_staff:
        raise InvalidTransition(
            _("%(code)s has started; ask the provider to cancel.") % {"code": session.code}
        )
    if enrollment.assessments.filter(status=Assessment.Status.FINAL).exists():
        raise InvalidTransition(_("This enrollment has a signed result and cannot be cancelled."))
    before = {"status": enrollment.status}
    was_confirmed = enrollment.status == E.CONFIRMED
    enrollment.late_cancellation = was_confirmed and today > session.free_cancellation_until
    enrollment.status, enrollment.cancelled_at = E.CANCELLED, timezone.now()
    enrollment.cancel_reason = _text(reason, "reason", max_length=2000)
    enrollment.save(update_fields=["status", "cancelled_at", "cancel_reason", "late_cancellation"])
    audit.record(
        actor=by,
        action="training.enrollment_cancelled",
        obj=enrollment,
        organization=enrollment.organization,
        before=before,
        after={"status": E.CANCELLED, "late_cancellation": enrollment.late_cancellation},
        reason=enrollment.cancel_reason,
    )
    if was_confirmed:
        _promote_next(session, by)
    return enrollment


# --------------------------------------------------------------------------- attendance


STATUS_WORDS = {
    "present": "present",
    "late": "late",
    "absent": "absent",
    "excused": "excused",
    "출석": "present",
    "지각": "late",
    "결석": "absent",
    "공결": "excused",
}


def _require_instructor(by: Any, session: Session) -> None:
    require(
        policy.is_instructor(by, session),
        _("Only an instructor of %(code)s records attendance and results.")
        % {"code": session.code},
    )


def _require_open_result(enrollment: Enrollment) -> None:
    if enrollment.assessments.filter(is_current=True, status=Assessment.Status.FINAL).exists():
        raise InvalidTransition(
            _("The result of %(who)s is signed; start a correction to change it.")
            % {"who": enrollment.certificate_name}
        )


@transaction.atomic
def record_attendance(
    *, by: Any, session: Session, records: Iterable[tuple[Enrollment, Any, str, str]]
) -> int:
    """Record (or change) attendance: ``records`` are (enrollment, day, status, note)."""
    _require_instructor(by, session)
    session = _lock_session(session)
    days = set(session.days)
    today = timezone.localdate()
    count = 0
    for enrollment, day, status, note in records:
        day = parse_date(day, "day")
        if enrollment.session_id != session.pk or enrollment.status != E.CONFIRMED:
            raise DomainError(
                _("%(who)s has no confirmed seat in %(code)s.")
                % {"who": enrollment.certificate_name, "code": session.code},
                field="enrollment",
            )
        if day not in days:
            raise DomainError(
                _("%(d)s is not a day of %(code)s.") % {"d": day, "code": session.code},
                field="day",
            )
        if day > today:
            raise DomainError(
                _("%(d)s has not come yet; attendance is recorded on or after the day.")
                % {"d": day},
                field="day",
            )
        _choice(status, Attendance.Status, "status")
        _require_open_result(enrollment)
        row, created = Attendance.objects.select_for_update().get_or_create(
            enrollment=enrollment,
            day=day,
            defaults={"status": status, "note": note or "", "recorded_by": by},
        )
        before = None
        if not created:
            if row.status == status and row.note == (note or ""):
                continue
            before = {"status": row.status, "note": row.note}
            row.status, row.note, row.recorded_by = status, note or "", by
            row.save()
        audit.record(
            actor=by,
            action="training.attendance_recorded",
            obj=row,
            organization=session.course_version.course.provider.organization,
            before=before,
            after={"enrollment": enrollment.pk, "day": day, "status": status, "note": row.note},
        )
        count += 1
    return count


def parse_attendance_csv(session: Session, data: bytes) -> list[tuple[Enrollment, Any, str, str]]:
    """Parse ``username,date,status[,note]`` (a header row first); every problem is named by
    row and column, and nothing is recorded unless every row is right."""
    if len(data) > MAX_CSV_BYTES:
        raise DomainError(
            _("The file is larger than %(n)d KB.") % {"n": MAX_CSV_BYTES // 1024}, field="file"
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise DomainError(_("The file is not UTF-8 text."), field="file") from None
    reader = csv.reader(io.StringIO(text))
    try:
        header = [h.strip().lower() for h in next(reader)]
    except (StopIteration, csv.Error):
        raise DomainError(_("The file is empty."), field="file") from None
    required = ["username", "date", "status"]
    missing = [c for c in required if c not in header]
    if missing:
        raise DomainError(
            _("Missing column(s): %(c)s (expected username, date, status, note).")
            % {"c": ", ".join(missing)},
            field="file",
        )
    col = {name: header.index(name) for name in header if name}
    enrollments = {
        e.trainee.username: e
        for e in Enrollment.objects.filter(session=session, status=E.CONFIRMED).select_related(
            "trainee"
        )
    }
    days = set(session.days)
    errors: list[str] = []
    records = []
    seen: set[tuple[str, dt.date]] = set()
    try:
        for n, row in enumerate(reader, 2):
            if n - 1 > MAX_CSV_ROWS:
                raise DomainError(
                    _("The file has more than %(n)d rows.") % {"n": MAX_CSV_ROWS}, field="file"
                )
            if not any(cell.strip() for cell in row):
                continue

            def cell(name: str, row: list[str] = row) -> str:
                i = col.get(name)
                return row[i].strip() if i is not None and i < len(row) else ""

            username, date_text, status_text = cell("username"), cell("date"), cell("status")
            enrollment = enrollments.get(username)
            if enrollment is None:
                errors.append(
                    _("row %(r)d, column '%(c)s': '%(v)s' has no confirmed seat in this session")
                    % {"r": n, "c": "username", "v": username}
                )
            try:
                day = dt.date.fromisoformat(date_text)
            except ValueError:
                errors.append(
                    _("row %(r)d, column '%(c)s': '%(v)s' is not a date (YYYY-MM-DD)")
                    % {"r": n, "c": "date", "v": date_text}
                )
                day = None
            if day is not None and day not in days:
                errors.append(
                    _("row %(r)d, column '%(c)s': %(v)s is not a day of the session")
                    % {"r": n, "c": "date", "v": date_text}
                )
            status = STATUS_WORDS.get(status_text.lower())
            if status is None:
                errors.append(
                    _(
                        "row %(r)d, column '%(c)s': '%(v)s' is not one of "
                        "present, late, absent, excused"
                    )
                    % {"r": n, "c": "status", "v": status_text}
                )
            if enrollment is not None and day is not None:
                if (username, day) in seen:
                    errors.append(
                        _("row %(r)d: %(u)s on %(d)s appears twice")
                        % {"r": n, "u": username, "d": day}
                    )
                seen.add((username, day))
            if enrollment is not None and day is not None and status is not None:
                records.append((enrollment, day, status, cell("note")[:200]))
            if len(errors) >= 20:
                break
    except csv.Error as exc:
        raise DomainError(
            _("The file is not valid CSV: %(e)s") % {"e": exc}, field="file"
        ) from None
    if errors:
        raise DomainError("\n".join(errors[:20]), field="file")
    if not records:
        raise DomainError(_("The file has no attendance rows."), field="file")
    return records


@transaction.atomic
def import_attendance(*, by: Any, session: Session, data: bytes) -> int:
    """Import attendance from CSV (all rows or none); see :func:`parse_attendance_csv`."""
    _require_instructor(by, session)
    return record_attendance(by=by, session=session, records=parse_attendance_csv(session, data))


def attendance_pct(enrollment: Enrollment) -> float:
    """(present + late) / (session days − excused) × 100; a day without a record is an absence.
    A session every day of which is excused gives 0."""
    days = enrollment.session.days
    marks = dict(enrollment.attendance.values_list("day", "status"))
    excused = sum(1 for d in days if marks.get(d) == "excused")
    attended = sum(1 for d in days if marks.get(d) in ("present", "late"))
    eligible = len(days) - excused
    return round(100.0 * attended / eligible, 2) if eligible > 0 else 0.0


# --------------------------------------------------------------------------- results


def _current_assessment(enrollment: Enrollment) -> Assessment | None:
    return (
        Assessment.objects.select_for_update()
        .filter(enrollment=enrollment, is_current=True)
        .first()
    )


@transaction.atomic
def save_assessment(
    *,
    by: Any,
    enrollment: Enrollment,
    theory_score: Any,
    checklist: Mapping[str, bool] | Iterable[str],
) -> Assessment:
    """Record (or change) the draft result: the theory score (0–100) and the practical checklist
    (the items done, or a mapping item → done)."""
    session = enrollment.session
    _require_instructor(by, session)
    _lock_session(session)
    enrollment = Enrollment.objects.select_for_update().get(pk=enrollment.pk)
    if enrollment.status != E.CONFIRMED:
        raise InvalidTransition(_("Only a confirmed seat gets a result."))
    items = session.course_version.checklist
    if isinstance(checklist, Mapping):
        unknown = [k for k in checklist if k not in items]
        done = {k for k, v in checklist.items() if v}
    else:
        done = set(checklist)
        unknown = [k for k in done if k not in items]
    if unknown:
        raise DomainError(
            _("Not an item of this course's checklist: %(i)s") % {"i": ", ".join(unknown)},
            field="checklist",
        )
    score = (
        None
        if theory_score in (None, "")
        else _number(theory_score, "theory_score", low=0, high=100)
    )
    marks = {item: item in done for item in items}
    current = _current_assessment(enrollment)
    if current is not None and current.status == Assessment.Status.FINAL:
        raise InvalidTransition(
            _("The result of %(who)s is signed; start a correction to change it.")
            % {"who": enrollment.certificate_name}
        )
    before = None
    if current is None:
        current = Assessment.objects.create(
            enrollment=enrollment, theory_score=score, checklist=marks, created_by=by
        )
    else:
        before = {"theory_score": current.theory_score, "checklist": current.checklist}
        current.theory_score, current.checklist = score, marks
        current.save(update_fields=["theory_score", "checklist"])
    audit.record(
        actor=by,
        action="training.result_saved",
        obj=current,
        organization=session.course_version.course.provider.organization,
        before=before,
        after={"version": current.version, "theory_score": score, "checklist": marks},
    )
    return current


def pass_verdict(
    version: CourseVersion, score: float | None, checklist: Mapping[str, bool], attendance: float
) -> bool:
    """Pass = attendance ≥ minimum, theory score ≥ minimum, every checklist item done."""
    return (
        attendance >= version.min_attendance_pct
        and score is not None
        and score >= version.min_score
        and all(checklist.get(item, False) for item in version.checklist)
    )


def result_content(assessment: Assessment) -> dict[str, Any]:
    e = assessment.enrollment
    return {
        "session": e.session.code,
        "course": e.session.course_version.course.code,
        "course_version": e.session.course_version.version,
        "trainee": e.trainee_id,
        "name": e.certificate_name,
        "version": assessment.version,
        "theory_score": assessment.theory_score,
        "checklist": assessment.checklist,
        "attendance_pct": assessment.attendance_pct,
        "passed": assessment.passed,
        "correction_reason": assessment.correction_reason,
    }


@transaction.atomic
def sign_assessment(*, by: Any, enrollment: Enrollment, password: str) -> Assessment:
    """The instructor signs the result (password asked again): attendance is computed, the pass
    rule applied, the result frozen; a pass issues the certificate."""
    session = enrollment.session
    _require_instructor(by, session)
    session = _lock_session(session)
    signatures.reauthenticate(by, password)
    return _sign(by, session, enrollment)


@transaction.atomic
def sign_session_results(*, by: Any, session: Session, password: str) -> list[Assessment]:
    """Sign every draft result of the session at once (one password for the series of
    signings); each result gets its own signature. Refused as a whole if any draft cannot be
    signed yet (no score)."""
    _require_instructor(by, session)
    session = _lock_session(session)
    signatures.reauthenticate(by, password)
    drafts = list(
        Assessment.objects.filter(
            enrollment__session=session,
            enrollment__status=E.CONFIRMED,
            is_current=True,
            status=Assessment.Status.DRAFT,
        ).select_related("enrollment")
    )
    if not drafts:
        raise InvalidTransition(_("No draft result to sign in %(code)s.") % {"code": session.code})
    return [_sign(by, session, a.enrollment) for a in drafts]


def _sign(by: Any, session: Session, enrollment: Enrollment) -> Assessment:
    enrollment = Enrollment.objects.select_for_update().get(pk=enrollment.pk)
    current = _current_assessment(enrollment)
    if current is None:
        raise InvalidTransition(_("Record the score and the checklist before signing."))
    if current.status == Assessment.Status.FINAL:
        raise InvalidTransition(_("This result is signed already."))
    if timezone.localdate() < session.ends_on:
        raise InvalidTransition(
            _("Results are signed from the session's last day (%(d)s).") % {"d": session.ends_on}
        )
    if current.theory_score is None:
        raise DomainError(
            _("Record the theory score of %(who)s before signing.")
            % {"who": enrollment.certificate_name},
            field="theory_score",
        )
    version = session.course_version
    current.attendance_pct = attendance_pct(enrollment)
    current.passed = pass_verdict(
        version, current.theory_score, current.checklist, current.attendance_pct
    )
    current.content_hash = audit.sha256_hex(audit.canonical_json(result_content(current)))
    provider_org = version.course.provider.organization
    signatures.record_signature(
        by=by,
        obj=current,
        code=session.code,
        version=current.version,
        meaning="approved",
        content_hash=current.content_hash,
        organization=provider_org,
        comment=current.correction_reason,
    )
    current.status, current.signed_by, current.signed_at = (
        Assessment.Status.FINAL,
        by,
        timezone.now(),
    )
    current.save()
    audit.record(
        actor=by,
        action="training.result_signed",
        obj=current,
        organization=provider_org,
        after={
            "version": current.version,
            "attendance_pct": current.attendance_pct,
            "passed": current.passed,
            "content_hash": current.content_hash,
        },
    )
    # A corrected result supersedes what the earlier version issued.
    for old in Certificate.objects.select_for_update().filter(
        enrollment=enrollment, status=Certificate.Status.VALID
    ):
        _revoke(
            by,
            old,
            _("Superseded by corrected result v%(v)d: %(r)s")
            % {"v": current.version, "r": current.correction_reason},
        )
    if current.passed:
        _issue_certificate(by, current)
    return current


@transaction.atomic
def start_correction(*, by: Any, enrollment: Enrollment, reason: str) -> Assessment:
    """A signed result changes only by a new version, with a reason; the old one stays."""
    provider = enrollment.session.course_version.course.provider
    require(
        policy.is_provider_staff(by, provider) or policy.is_instructor(by, enrollment.session),
        _("Only the provider corrects a result."),
    )
    reason = _text(reason, "reason", required=True, max_length=2000)
    _lock_session(enrollment.session)
    current = _current_assessment(enrollment)
    if current is None or current.status != Assessment.Status.FINAL:
        raise InvalidTransition(_("Only a signed result is corrected; change the draft instead."))
    current.is_current = False
    current.save(update_fields=["is_current"])
    new = Assessment.objects.create(
        enrollment=enrollment,
        version=current.version + 1,
        theory_score=current.theory_score,
        checklist=current.checklist,
        correction_reason=reason,
        created_by=by,
    )
    audit.record(
        actor=by,
        action="training.result_correction_started",
        obj=new,
        organization=provider.organization,
        before={"version": current.version},
        after={"version": new.version},
        reason=reason,
    )
    return new


# --------------------------------------------------------------------------- certificates


def public_url() -> str:
    return getattr(settings, "BIOPROOF_PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/")


def _issue_certificate(by: Any, assessment: Assessment) -> Certificate:
    enrollment = assessment.enrollment
    version = enrollment.session.course_version
    provider = version.course.provider
    today = timezone.localdate()
    expires = (
        add_months(today, version.certificate_validity_months)
        if version.certificate_validity_months
        else None
    )
    code = next_code("CT")
    credential_id = f"urn:uuid:{uuid.uuid4()}"
    grants = [
        {
            **g,
            "expires_on": (
                add_months(today, g["validity_months"]).isoformat()
                if g.get("validity_months")
                else None
            ),
        }
        for g in version.grants
    ]
    claims = credentials.build_claims(
        base_url=public_url(),
        code=code,
        credential_id=credential_id,
        holder_name=enrollment.certificate_name,
        holder_id=f"{public_url()}/training/holders/{enrollment.trainee_id}",
        course_code=version.course.code,
        course_version=version.version,
        title_ko=version.title_ko,
        title_en=version.title_en,
        description=version.description_en,
        criteria=(
            f"attendance >= {_fmt(version.min_attendance_pct)} %, theory score >= "
            f"{_fmt(version.min_score)}, all {len(version.checklist)} practical checklist items"
        ),
        provider_name=provider.organization.name_en,
        issued_at=timezone.now(),
        expires_on=expires,
        qualifications=grants,
    )
    certificate = Certificate.objects.create(
        code=code,
        assessment=assessment,
        enrollment=enrollment,
        holder=enrollment.trainee,
        holder_name=enrollment.certificate_name,
        publish_name=enrollment.publish_name,
        organization=enrollment.organization,
        provider=provider,
        course_version=version,
        issued_on=today,
        expires_on=expires,
        credential_id=credential_id,
        credential_jwt=credentials.sign(claims),
    )
    for g in grants:
        Qualification.objects.create(
            person=enrollment.trainee,
            key=g["key"],
            name_ko=g["name_ko"],
            name_en=g["name_en"],
            certificate=certificate,
            granted_on=today,
            expires_on=dt.date.fromisoformat(g["expires_on"]) if g["expires_on"] else None,
            lapse_months=g.get("lapse_months"),
        )
    audit.record(
        actor=by,
        action="training.certificate_issued",
        obj=certificate,
        organization=provider.organization,
        after={
            "code": code,
            "holder": enrollment.trainee_id,
            "course_version": version.pk,
            "issued_on": today,
            "expires_on": expires,
            "qualifications": [g["key"] for g in grants],
            "credential_sha256": audit.sha256_hex(certificate.credential_jwt),
        },
    )
    return certificate


def _revoke(by: Any, certificate: Certificate, reason: str) -> None:
    certificate.status = Certificate.Status.REVOKED
    certificate.revoked_at, certificate.revoked_reason = timezone.now(), reason
    certificate.revoked_by = by if is_authenticated(by) else None
    certificate.save(update_fields=["status", "revoked_at", "revoked_reason", "revoked_by"])
    quals = list(
        Qualification.objects.select_for_update().filter(
            certificate=certificate, status=Qualification.Status.ACTIVE
        )
    )
    for q in quals:
        q.status, q.revoked_reason = Qualification.Status.REVOKED, reason
        q.save(update_fields=["status", "revoked_reason"])
    audit.record(
        actor=by,
        action="training.certificate_revoked",
        obj=certificate,
        organization=certificate.provider.organization,
        before={"status": "valid"},
        after={"status": "revoked", "qualifications_revoked": [q.pk for q in quals]},
        reason=reason,
    )


@transaction.atomic
def revoke_certificate(*, by: Any, certificate: Certificate, reason: str) -> Certificate:
    """Revoke a certificate (and the qualifications it granted), with a reason."""
    require(
        policy.is_provider_staff(by, certificate.provider) or is_platform_admin(by),
        _("Only the issuing provider revokes a certificate."),
    )
    reason = _text(reason, "reason", required=True, max_length=2000)
    certificate = Certificate.objects.select_for_update().get(pk=certificate.pk)
    if certificate.status == Certificate.Status.REVOKED:
        raise InvalidTransition(_("%(code)s is revoked already.") % {"code": certificate.code})
    _revoke(by, certificate, reason)
    return certificate


# --------------------------------------------------------------------------- qualifications


@transaction.atomic
def record_supervised_use(
    *,
    by: Any,
    password: str,
    person: User,
    center: Organization,
    key: str,
    used_on: Any,
    hours: Any,
    name_ko: str = "",
    name_en: str = "",
    validity_months: Any = None,
    note: str = "",
) -> SupervisedUse:
    """Center staff sign (password asked again) that ``person`` operated ``key`` under their
    supervision; it grants the qualification (or renews it) from ``used_on``."""
    require(
        policy.is_center_staff(by, center),
        _("Only a demonstration center's staff sign supervised use."),
    )
    if person.pk == by.pk:
        raise PolicyDenied(_("Nobody signs their own supervised use."))
    key = str(key or "").strip()
    if not KEY_RE.match(key):
        raise DomainError(_("'%(v)s' is not a valid qualification key.") % {"v": key}, field="key")
    day = parse_date(used_on, "used_on")
    if day > timezone.localdate():
        raise DomainError(_("The day of use is in the future."), field="used_on")
    months = _optional_months(validity_months, "validity_months")
    use = SupervisedUse(
        person=person,
        key=key,
        name_ko=_text(name_ko or key, "name_ko"),
        name_en=_text(name_en or key, "name_en"),
        center=center,
        supervisor=by,
        used_on=day,
        hours=_number(hours, "hours", low=0.25, high=24),
        validity_months=months,
        note=_text(note, "note", max_length=2000),
        signed_at=timezone.now(),
    )
    use.content_hash = audit.sha256_hex(
        audit.canonical_json(
            {
                "person": person.pk,
                "key": key,
                "center": center.pk,
                "used_on": day,
                "hours": use.hours,
                "validity_months": months,
                "note": use.note,
            }
        )
    )
    use.save()
    signatures.apply_signature(
        by=by,
        password=password,
        obj=use,
        code=f"SU-{use.pk}",
        version=1,
        meaning="approved",
        content_hash=use.content_hash,
        organization=center,
    )
    qualification = Qualification.objects.create(
        person=person,
        key=key,
        name_ko=use.name_ko,
        name_en=use.name_en,
        supervised_use=use,
        granted_on=day,
        expires_on=add_months(day, months) if months else None,
        last_used_on=day,
    )
    audit.record(
        actor=by,
        action="training.supervised_use_signed",
        obj=use,
        organization=center,
        after={
            "person": person.pk,
            "key": key,
            "used_on": day,
            "qualification": qualification.pk,
            "content_hash": use.content_hash,
        },
    )
    _mark_used(person, key, day)
    return use


def _mark_used(person: Any, key: str, day: dt.date) -> list[Qualification]:
    rows = list(
        Qualification.objects.select_for_update().filter(
            person_id=person.pk, key=key, status=Qualification.Status.ACTIVE
        )
    )
    changed = []
    for q in rows:
        if q.last_used_on is None or q.last_used_on < day:
            q.last_used_on = day
            q.save(update_fields=["last_used_on"])
            changed.append(q)
    return changed


@transaction.atomic
def record_equipment_use(
    *, by: Any, person: User, key: str, used_on: Any, center: Organization
) -> int:
    """A center records that ``person`` used ``key`` (keeps lapse-by-disuse qualifications
    alive); how many qualifications it touched."""
    require(policy.is_center_staff(by, center), _("Only a demonstration center records use."))
    day = parse_date(used_on, "used_on")
    if day > timezone.localdate():
        raise DomainError(_("The day of use is in the future."), field="used_on")
    changed = _mark_used(person, key, day)
    audit.record(
        actor=by,
        action="training.equipment_used",
        organization=center,
        after={
            "person": person.pk,
            "key": key,
            "used_on": day,
            "qualifications": [q.pk for q in changed],
        },
    )
    return len(changed)


@transaction.atomic
def record_reminders(*, by: Any, at: dt.datetime | dt.date | None = None) -> list[Reminder]:
    """Record every reminder due at ``at`` (see :func:`qualifications.due_reminders`), audited;
    the notification module sends what this records."""
    require(by is None or is_platform_admin(by), _("Only the programme office records reminders."))
    made = []
    for due in due_reminders(at):
        reminder = Reminder.objects.create(
            qualification=due.qualification,
            threshold_days=due.threshold_days,
            expires_on=due.qualification.expires_on,
        )
        audit.record(
            actor=by,
            action="training.expiry_reminder",
            obj=reminder,
            after={
                "qualification": due.qualification.pk,
                "person": due.qualification.person_id,
                "key": due.qualification.key,
                "threshold_days": due.threshold_days,
                "days_left": due.days_left,
                "expires_on": due.qualification.expires_on,
                "at": local_day(at),
            },
        )
        made.append(reminder)
    return made
