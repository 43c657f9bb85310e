"""API of training: courses, sessions, enrollments, attendance, results, certificates (with the
public verification) and qualifications. Same authentication and visibility as the pages."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Field, File, Router, Schema, Status, UploadedFile
from ninja.pagination import paginate

from bioproof.consortium.models import Organization, User
from bioproof.core.errors import DomainError, PolicyDenied
from bioproof.core.exports import api_filtered
from bioproof.core.pagination import LimitOffsetPagination
from bioproof.core.policy import get_visible_or_404, is_platform_admin
from bioproof.search.api import viewer
from bioproof.training import actions, policy, reporting
from bioproof.training.filters import CourseFilter, SessionFilter
from bioproof.training.models import (
    Certificate,
    Course,
    Enrollment,
    Provider,
    Qualification,
    Session,
)
from bioproof.training.verify import public_record

router = Router()


class TrainingModule(Schema):
    title: str = Field(max_length=200)
    kind: str = Field(description="theory or practical", max_length=20)
    hours: float = Field(gt=0, le=1000)


class TrainingGrant(Schema):
    key: str = Field(
        description="equipment class or unit operation, e.g. bioreactor.single-use", max_length=60
    )
    name_ko: str = Field("", max_length=200)
    name_en: str = Field("", max_length=200)
    validity_months: int | None = Field(None, description="none: never expires", ge=1, le=600)
    lapse_months: int | None = Field(
        None, description="lapses after this many months unused", ge=1, le=600
    )


class TrainingPrerequisite(Schema):
    course: str | None = Field(None, max_length=30)
    qualification: str | None = Field(None, max_length=60)


class TrainingCourseVersionIn(Schema):
    title_ko: str = Field(max_length=200)
    title_en: str = Field(max_length=200)
    description_ko: str = Field("", max_length=10000)
    description_en: str = Field("", max_length=10000)
    level: str = Field(description="basic, intermediate or advanced", max_length=14)
    modules: list[TrainingModule] = Field(max_length=100)
    prerequisites: list[TrainingPrerequisite] = Field([], max_length=50)
    fee_krw: int = Field(0, ge=0, le=10**12)
    capacity: int = Field(ge=1, le=10000)
    min_attendance_pct: float = Field(100, ge=0, le=100)
    min_score: float = Field(70, ge=0, le=100)
    checklist: list[str] = Field([], max_length=100)
    grants: list[TrainingGrant] = Field([], max_length=50)
    certificate_validity_months: int | None = Field(None, ge=1, le=600)
    cancellation_days: int = Field(7, ge=0, le=365)


class TrainingCourseIn(TrainingCourseVersionIn):
    code: str = Field(max_length=30)
    provider: str | None = Field(
        None, description="provider organization code; default: yours", max_length=40
    )


class TrainingRevisionIn(TrainingCourseVersionIn):
    reason: str = Field(max_length=2000)


class TrainingCourseVersionOut(Schema):
    version: int
    title_ko: str
    title_en: str
    description_ko: str
    description_en: str
    level: str
    modules: list[dict[str, Any]]
    prerequisites: list[dict[str, Any]]
    fee_krw: int
    capacity: int
    min_attendance_pct: float
    min_score: float
    checklist: list[str]
    grants: list[dict[str, Any]]
    certificate_validity_months: int | None
    cancellation_days: int
    change_reason: str


class TrainingCourseOut(Schema):
    code: str
    provider: str = Field(alias="provider.organization.code")
    status: str
    current_version: int
    current: TrainingCourseVersionOut


class TrainingSessionIn(Schema):
    course: str = Field(max_length=30)
    center: str = Field(max_length=40)
    starts_on: dt.date
    ends_on: dt.date
    capacity: int | None = Field(None, ge=1, le=10000)
    room: str = Field("", max_length=120)
    instructors: list[str] = Field(description="usernames of provider members")


class TrainingSessionOut(Schema):
    code: str
    course: str
    course_version: int
    title_ko: str
    title_en: str
    center: str = Field(alias="center.code")
    room: str
    starts_on: dt.date
    ends_on: dt.date
    capacity: int
    seats_taken: int
    waitlisted: int
    status: str

    @staticmethod
    def resolve_course(obj: Session) -> str:
        return obj.course_version.course.code

    @staticmethod
    def resolve_course_version(obj: Session) -> int:
        return obj.course_version.version

    @staticmethod
    def resolve_title_ko(obj: Session) -> str:
        return obj.course_version.title_ko

    @staticmethod
    def resolve_title_en(obj: Session) -> str:
        return obj.course_version.title_en

    @staticmethod
    def resolve_seats_taken(obj: Session) -> int:
        return obj.seats_taken()

    @staticmethod
    def resolve_waitlisted(obj: Session) -> int:
        return obj.enrollments.filter(status="waitlisted").count()


class TrainingEnrollIn(Schema):
    username: str | None = Field(None, description="nominate a member of your organization")
    organization: str | None = Field(None, description="organization code (nominations)")
    certificate_name: str = ""
    publish_name: bool = False


class TrainingEnrollmentOut(Schema):
    id: int
    session: str = Field(alias="session.code")
    trainee: str = Field(alias="trainee.username")
    organization: str | None = None
    status: str
    waitlist_position: int | None
    certificate_name: str
    late_cancellation: bool
    created_at: dt.datetime

    @staticmethod
    def resolve_organization(obj: Enrollment) -> str | None:
        return obj.organization.code if obj.organization_id else None


class TrainingReasonIn(Schema):
    reason: str = ""


class TrainingAttendanceIn(Schema):
    username: str
    day: dt.date
    status: str = Field(description="present, late, absent or excused")
    note: str = ""


class TrainingAttendanceOut(Schema):
    username: str
    day: dt.date
    status: str
    note: str


class TrainingCountOut(Schema):
    recorded: int


class TrainingResultIn(Schema):
    theory_score: float | None
    checklist_done: list[str] = Field([], description="checklist items done")


class TrainingPasswordIn(Schema):
    password: str


class TrainingResultOut(Schema):
    enrollment: int = Field(alias="enrollment_id")
    version: int
    status: str
    theory_score: float | None
    checklist: dict[str, bool]
    attendance_pct: float | None
    passed: bool | None
    correction_reason: str
    content_hash: str
    certificate: str | None = None

    @staticmethod
    def resolve_certificate(obj: Any) -> str | None:
        cert = getattr(obj, "certificate", None) if obj.pk else None
        return cert.code if cert else None


class TrainingQualificationOut(Schema):
    key: str
    name_ko: str
    name_en: str
    granted_on: dt.date
    expires_on: dt.date | None
    status: str


class TrainingCertificateOut(Schema):
    code: str
    holder: str = Field(alias="holder.username")
    holder_name: str
    course: str
    course_version: int
    issued_on: dt.date
    expires_on: dt.date | None
    state: str
    revoked_reason: str
    qualifications: list[TrainingQualificationOut]

    @staticmethod
    def resolve_course(obj: Certificate) -> str:
        return obj.course_version.course.code

    @staticmethod
    def resolve_course_version(obj: Certificate) -> int:
        return obj.course_version.version

    @staticmethod
    def resolve_state(obj: Certificate) -> str:
        from django.utils import timezone

        return obj.state_on(timezone.localdate())

    @staticmethod
    def resolve_qualifications(obj: Certificate) -> list[Any]:
        return list(obj.qualifications.all())


class TrainingVerificationOut(Schema):
    code: str
    holder: str
    course: str
    course_version: int
    title_ko: str
    title_en: str
    provider: str
    issued_on: dt.date
    expires_on: dt.date | None
    status: str = Field(description="valid, expired or revoked")
    revoked_reason: str
    revoked_at: dt.datetime | None
    unlocks: list[dict[str, Any]]


class TrainingStatOut(Schema):
    course: str
    quarter: str
    type: str
    enrolled: int
    attended: int
    passed: int


class TrainingCheckOut(Schema):
    username: str
    key: str
    at: dt.date
    valid: bool


def _provider(user: Any, code: str | None) -> Provider:
    providers = Provider.objects.filter(organization__memberships__user=user).distinct()
    if code:
        providers = providers.filter(organization__code=code)
    provider = providers.order_by("pk").first()
    if provider is None:
        raise PolicyDenied(
            f"you are not a member of training provider '{code}'"
            if code
            else "your account belongs to no training provider"
        )
    return provider


def _course(request: HttpRequest, code: str) -> Course:
    return get_visible_or_404(Course.objects.select_related("provider"), viewer(request), code=code)


def _session(request: HttpRequest, code: str) -> Session:
    return get_visible_or_404(
        Session.objects.select_related("course_version__course__provider", "center"),
        viewer(request),
        code=code,
    )


def _enrollment(request: HttpRequest, pk: int) -> Enrollment:
    return get_visible_or_404(
        Enrollment.objects.select_related("session__course_version__course", "trainee"),
        request.auth,
        pk=pk,
    )


def _certificate(request: HttpRequest, code: str) -> Certificate:
    return get_visible_or_404(
        Certificate.objects.select_related("course_version__course", "holder", "provider"),
        request.auth,
        code=code,
    )


def _version_kwargs(payload: TrainingCourseVersionIn) -> dict[str, Any]:
    data = payload.dict()
    data["prerequisites"] = [
        {k: v for k, v in p.items() if v} for p in data.get("prerequisites") or []
    ]
    return data


# ---------------------------------------------------------------------------- courses


@router.get("/courses", response=list[TrainingCourseOut], auth=None)
@paginate(LimitOffsetPagination)
def list_courses(request: HttpRequest) -> Any:
    """The catalogue: published courses (and your provider's drafts), filtered as the courses
    page is (``q``, ``level``, ``provider``, ``status``, ``sort``)."""
    qs = Course.objects.visible_to(viewer(request)).select_related("provider__organization")
    return api_filtered(request, CourseFilter, qs)


@router.get("/courses/{code}", response=TrainingCourseOut, auth=None)
def get_course(request: HttpRequest, code: str) -> Any:
    return _course(request, code)


@router.post("/courses", response={201: TrainingCourseOut})
def create_course(request: HttpRequest, payload: TrainingCourseIn) -> Any:
    data = _version_kwargs(payload)
    code, provider = data.pop("code"), data.pop("provider")
    course = actions.create_course(
        by=request.auth, provider=_provider(request.auth, provider), code=code, **data
    )
    return Status(201, course)


@router.post("/courses/{code}/versions", response={201: TrainingCourseOut})
def revise_course(request: HttpRequest, code: str, payload: TrainingRevisionIn) -> Any:
    data = _version_kwargs(payload)
    reason = data.pop("reason")
    course = _course(request, code)
    actions.revise_course(by=request.auth, course=course, reason=reason, **data)
    course.refresh_from_db()
    return Status(201, course)


@router.post("/courses/{code}/publish", response=TrainingCourseOut)
def publish_course(request: HttpRequest, code: str) -> Any:
    return actions.set_course_status(
        by=request.auth, course=_course(request, code), status="published"
    )


# ---------------------------------------------------------------------------- sessions


@router.get("/sessions", response=list[TrainingSessionOut], auth=None)
@paginate(LimitOffsetPagination)
def list_sessions(request: HttpRequest, course: str | None = None, upcoming: bool = False) -> Any:
    qs = Session.objects.visible_to(viewer(request)).select_related(
        "course_version__course", "center"
    )
    if course:
        qs = qs.filter(course_version__course__code=course)
    if upcoming:
        from django.utils import timezone

        qs = qs.filter(ends_on__gte=timezone.localdate()).order_by("starts_on", "id")
    return api_filtered(request, SessionFilter, qs)


@router.get("/sessions/{code}", response=TrainingSessionOut, auth=None)
def get_session(request: HttpRequest, code: str) -> Any:
    return _session(request, code)


@router.post("/sessions", response={201: TrainingSessionOut})
def create_session(request: HttpRequest, payload: TrainingSessionIn) -> Any:
    center = Organization.objects.filter(code=payload.center).first()
    if center is None:
        raise DomainError(f"unknown center '{payload.center}'", field="center")
    people = []
    for username in payload.instructors:
        person = User.objects.filter(username=username).first()
        if person is None:
            raise DomainError(f"unknown user '{username}'", field="instructors")
        people.append(person)
    session = actions.create_session(
        by=request.auth,
        course=_course(request, payload.course),
        center=center,
        starts_on=payload.starts_on,
        ends_on=payload.ends_on,
        capacity=payload.capacity,
        room=payload.room,
        instructors=people,
    )
    return Status(201, session)


@router.post("/sessions/{code}/cancel", response=TrainingSessionOut)
def cancel_session(request: HttpRequest, code: str, payload: TrainingReasonIn) -> Any:
    return actions.cancel_session(
        by=request.auth, session=_session(request, code), reason=payload.reason
    )


@router.post("/sessions/{code}/enrollments", response={201: TrainingEnrollmentOut})
def enroll(request: HttpRequest, code: str, payload: TrainingEnrollIn) -> Any:
    """Enroll yourself, or (org admins) nominate a member of your organization."""
    session = _session(request, code)
    trainee, organization = None, None
    if payload.organization:
        organization = Organization.objects.filter(code=payload.organization).first()
        if organization is None:
            raise DomainError(
                f"unknown organization '{payload.organization}'", field="organization"
            )
    if payload.username:
        trainee = User.objects.filter(username=payload.username).first()
        if trainee is None:
            raise DomainError(f"unknown user '{payload.username}'", field="username")
    enrollment = actions.enroll(
        by=request.auth,
        session=session,
        trainee=trainee,
        organization=organization,
        certificate_name=payload.certificate_name,
        publish_name=payload.publish_name,
    )
    return Status(201, enrollment)


@router.get("/sessions/{code}/enrollments", response=list[TrainingEnrollmentOut])
def session_enrollments(request: HttpRequest, code: str) -> Any:
    """Enrollments of the session you may see (the provider: all; an employer: its staff)."""
    session = _session(request, code)
    return list(
        Enrollment.objects.visible_to(request.auth)
        .filter(session=session)
        .select_related("session", "trainee", "organization")
    )


@router.get("/sessions/{code}/attendance", response=list[TrainingAttendanceOut])
def session_attendance(request: HttpRequest, code: str) -> Any:
    from bioproof.training.models import Attendance

    session = _session(request, code)
    visible = Enrollment.objects.visible_to(request.auth).filter(session=session)
    return [
        {
            "username": a.enrollment.trainee.username,
            "day": a.day,
            "status": a.status,
            "note": a.note,
        }
        for a in Attendance.objects.filter(enrollment__in=visible).select_related(
            "enrollment__trainee"
        )
    ]


@router.post("/sessions/{code}/attendance", response=TrainingCountOut)
def record_attendance(request: HttpRequest, code: str, payload: list[TrainingAttendanceIn]) -> Any:
    session = _session(request, code)
    enrollments = {
        e.trainee.username: e
        for e in Enrollment.objects.filter(session=session, status="confirmed").select_related(
            "trainee"
        )
    }
    records = []
    for i, item in enumerate(payload, 1):
        e = enrollments.get(item.username)
        if e is None:
            raise DomainError(
                f"item {i}: '{item.username}' has no confirmed seat in {session.code}",
                field="username",
            )
        records.append((e, item.day, item.status, item.note))
    return {
        "recorded": actions.record_attendance(by=request.auth, session=session, records=records)
    }


@router.post("/sessions/{code}/attendance.csv", response=TrainingCountOut)
def import_attendance(request: HttpRequest, code: str, file: File[UploadedFile]) -> Any:
    """CSV with the columns username, date (YYYY-MM-DD), status, note; all rows or none."""
    session = _session(request, code)
    data = file.read(actions.MAX_CSV_BYTES + 1)
    return {"recorded": actions.import_attendance(by=request.auth, session=session, data=data)}


# ---------------------------------------------------------------------------- enrollments


@router.get("/enrollments", response=list[TrainingEnrollmentOut])
@paginate(LimitOffsetPagination)
def list_enrollments(request: HttpRequest, status: str | None = None) -> Any:
    qs = Enrollment.objects.visible_to(request.auth).select_related(
        "session", "trainee", "organization"
    )
    return qs.filter(status=status) if status else qs


@router.post("/enrollments/{pk}/cancel", response=TrainingEnrollmentOut)
def cancel_enrollment(request: HttpRequest, pk: int, payload: TrainingReasonIn) -> Any:
    return actions.cancel_enrollment(
        by=request.auth, enrollment=_enrollment(request, pk), reason=payload.reason
    )


@router.get("/enrollments/{pk}/result", response=TrainingResultOut)
def get_result(request: HttpRequest, pk: int) -> Any:
    enrollment = _enrollment(request, pk)
    result = enrollment.current_assessment
    if result is None:
        raise DomainError("no result recorded yet")
    return result


@router.put("/enrollments/{pk}/result", response=TrainingResultOut)
def save_result(request: HttpRequest, pk: int, payload: TrainingResultIn) -> Any:
    return actions.save_assessment(
        by=request.auth,
        enrollment=_enrollment(request, pk),
        theory_score=payload.theory_score,
        checklist=payload.checklist_done,
    )


@router.post("/enrollments/{pk}/result/sign", response=TrainingResultOut)
def sign_result(request: HttpRequest, pk: int, payload: TrainingPasswordIn) -> Any:
    return actions.sign_assessment(
        by=request.auth, enrollment=_enrollment(request, pk), password=payload.password
    )


@router.post("/enrollments/{pk}/result/correction", response=TrainingResultOut)
def correct_result(request: HttpRequest, pk: int, payload: TrainingReasonIn) -> Any:
    return actions.start_correction(
        by=request.auth, enrollment=_enrollment(request, pk), reason=payload.reason
    )


# ---------------------------------------------------------------------------- certificates


@router.get("/certificates", response=list[TrainingCertificateOut])
@paginate(LimitOffsetPagination)
def list_certificates(request: HttpRequest) -> Any:
    return (
        Certificate.objects.visible_to(request.auth)
        .select_related("course_version__course", "holder")
        .prefetch_related("qualifications")
    )


@router.get("/certificates/{code}", response=TrainingCertificateOut)
def get_certificate(request: HttpRequest, code: str) -> Any:
    return _certificate(request, code)


@router.get("/certificates/{code}/credential", response={200: str})
def get_credential(request: HttpRequest, code: str) -> Any:
    """The Open Badges 3.0 credential (VC-JWT, EdDSA), for the holder only."""
    cert = _certificate(request, code)
    if cert.holder_id != request.auth.pk:
        raise PolicyDenied("only the holder downloads the credential")
    return HttpResponse(cert.credential_jwt, content_type="application/jwt")


@router.post("/certificates/{code}/revoke", response=TrainingCertificateOut)
def revoke_certificate(request: HttpRequest, code: str, payload: TrainingReasonIn) -> Any:
    return actions.revoke_certificate(
        by=request.auth, certificate=_certificate(request, code), reason=payload.reason
    )


@router.get("/verify/{code}", response=TrainingVerificationOut, auth=None)
def verify_certificate(request: HttpRequest, code: str) -> Any:
    """Public: a certificate's status as anyone may see it (holder name as consented)."""
    record = public_record(code)
    if record is None:
        from django.http import Http404

        raise Http404("certificate")
    return record


# ---------------------------------------------------------------------------- qualifications


@router.get("/qualifications", response=list[TrainingQualificationOut])
@paginate(LimitOffsetPagination)
def list_qualifications(request: HttpRequest, username: str | None = None) -> Any:
    qs = Qualification.objects.visible_to(request.auth)
    if username:
        qs = qs.filter(person__username=username)
    return qs.distinct()


@router.get("/qualifications/check", response=TrainingCheckOut)
def check_qualification(
    request: HttpRequest, username: str, key: str, at: dt.date | None = None
) -> Any:
    """``qualifications.is_valid`` for a person whose qualifications you may see."""
    from django.utils import timezone

    from bioproof.training.qualifications import is_valid

    person = User.objects.filter(username=username).first()
    day = at or timezone.localdate()
    if person is None or not (
        person.pk == request.auth.pk
        or is_platform_admin(request.auth)
        or Qualification.objects.visible_to(request.auth).filter(person=person).exists()
    ):
        return {"username": username, "key": key, "at": day, "valid": False}
    return {"username": username, "key": key, "at": day, "valid": is_valid(person, key, at=day)}


@router.get("/transcript", response=dict[str, Any])
def my_transcript(request: HttpRequest) -> Any:
    """Your own transcript (JSON)."""
    return reporting.transcript(request.auth)


@router.get("/statistics", response=list[TrainingStatOut])
def statistics(request: HttpRequest, year: int | None = None, course: str | None = None) -> Any:
    """Per course and quarter: enrolled, attended, passed by organization type (aggregates)."""
    if not (is_platform_admin(request.auth) or policy.sees_statistics(request.auth)):
        raise PolicyDenied("statistics are for consortium members and providers")
    return reporting.quarterly(year=year, course=course)
