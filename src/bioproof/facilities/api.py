"""API of center services: equipment (with rates), availability, bookings (create, move, cancel,
approve, check in/out), projects and quotes. Same authentication and visibility as the pages:
equipment and availability are public; booking details, projects and quotes only for their
parties (``policy.visible_to``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import BooleanField, Case, Value, When
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from bioproof.consortium.models import Organization, User
from bioproof.core.errors import DomainError
from bioproof.core.pagination import LimitOffsetPagination
from bioproof.core.policy import get_visible_or_404
from bioproof.facilities import actions, policy
from bioproof.facilities.models import HOLDING, Blackout, Booking, Equipment, Project, Quote
from bioproof.search.api import viewer

router = Router()
MAX_WINDOW = dt.timedelta(days=62)


class FacilitiesRateOut(Schema):
    customer_type: str
    per_hour_krw: int
    per_day_krw: int
    assisted_surcharge_krw: int


class FacilitiesEquipmentOut(Schema):
    code: str
    center: str = Field(alias="center.code")
    name_ko: str
    name_en: str
    kind: str
    equipment_class: str
    working_volume_l: float | None
    location: str
    status: str
    status_reason: str
    registry_number: str
    calibration_due: dt.date | None
    qualification_due: dt.date | None
    required_qualifications: list[str]
    gmp: bool
    min_minutes: int
    max_minutes: int
    notice_book_hours: int
    notice_change_hours: int
    notice_cancel_hours: int
    buffer_minutes: int
    approval_required: bool
    modes: str
    no_show_minutes: int
    rates: list[FacilitiesRateOut]

    @staticmethod
    def resolve_rates(obj: Equipment) -> list[Any]:
        return list(obj.rates.all())


class FacilitiesBusyOut(Schema):
    starts_at: dt.datetime
    ends_at: dt.datetime
    kind: str = Field(description="booking (held, with its buffer) or blackout")
    code: str | None = Field(None, description="the booking's code when you may see it")


class FacilitiesAvailabilityOut(Schema):
    equipment: str
    status: str
    busy: list[FacilitiesBusyOut]


class FacilitiesBookingIn(Schema):
    equipment: str = Field(max_length=30)
    starts_at: dt.datetime
    ends_at: dt.datetime
    mode: str = Field("self", description="self or assisted", max_length=10)
    staff: str | None = Field(None, description="username of the assisting staff member")
    user: str | None = Field(None, description="username (default: you)", max_length=150)
    organization: str | None = Field(None, description="organization code", max_length=40)
    gmp: bool = False
    purpose: str = Field("", max_length=300)
    funding_line: str = Field("self_use", max_length=14)
    repeat_weeks: int = Field(1, ge=1, le=52, description="weekly occurrences, all or none")


class FacilitiesMoveIn(Schema):
    starts_at: dt.datetime
    ends_at: dt.datetime


class FacilitiesReasonIn(Schema):
    reason: str = Field("", max_length=2000)


class FacilitiesDecideIn(Schema):
    approve: bool
    reason: str = Field("", max_length=2000)
    staff: str | None = None


class FacilitiesBookingOut(Schema):
    code: str
    equipment: str = Field(alias="equipment.code")
    organization: str = Field(alias="organization.code")
    user: str = Field(alias="user.username")
    staff: str | None = None
    mode: str
    gmp: bool
    customer_type: str
    funding_line: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    status: str
    project: str | None = None
    checked_in_at: dt.datetime | None
    used_minutes: int | None

    @staticmethod
    def resolve_staff(obj: Booking) -> str | None:
        return obj.staff.username if obj.staff_id else None

    @staticmethod
    def resolve_project(obj: Booking) -> str | None:
        return obj.project.code if obj.project_id else None


class FacilitiesQuoteLineIn(Schema):
    kind: str = Field(description="equipment, staff, consumable or analytics", max_length=12)
    equipment: str | None = Field(None, max_length=30)
    description: str = Field("", max_length=300)
    quantity: float = Field(gt=0, le=100000)
    unit: str = Field("h", max_length=10)
    unit_price_krw: int | None = Field(None, ge=0, le=10**11)
    assisted: bool = False


class FacilitiesQuoteIn(Schema):
    lines: list[FacilitiesQuoteLineIn] = Field(max_length=200)
    funding_line: str = Field(max_length=14)
    customer_type: str | None = Field(None, max_length=10)
    valid_until: dt.date | None = None


class FacilitiesQuoteLineOut(Schema):
    position: int
    kind: str
    equipment: str | None = None
    description: str
    quantity: float
    unit: str
    unit_price_krw: int
    amount_krw: int

    @staticmethod
    def resolve_equipment(obj: Any) -> str | None:
        return obj.equipment.code if obj.equipment_id else None


class FacilitiesQuoteOut(Schema):
    project: str = Field(alias="project.code")
    version: int
    status: str
    customer_type: str
    funding_line: str
    vat_pct: int
    subtotal_krw: int
    vat_krw: int
    total_krw: int
    valid_until: dt.date | None
    content_hash: str
    lines: list[FacilitiesQuoteLineOut]

    @staticmethod
    def resolve_lines(obj: Quote) -> list[Any]:
        return list(obj.lines.select_related("equipment").order_by("position"))


class FacilitiesProjectIn(Schema):
    center: str = Field(max_length=40)
    company: str | None = Field(None, description="your organization (default)", max_length=40)
    title: str = Field(max_length=200)
    organism: str = Field(max_length=200)
    process_steps: str = Field(max_length=5000)
    scale: str = Field(max_length=100)
    timeline: str = Field("", max_length=200)
    confidentiality: str = Field("", max_length=5000)


class FacilitiesProjectOut(Schema):
    code: str
    company: str = Field(alias="company.code")
    center: str = Field(alias="center.code")
    title: str
    organism: str
    process_steps: str
    scale: str
    timeline: str
    confidentiality: str
    status: str
    created_at: dt.datetime


class FacilitiesPasswordIn(Schema):
    password: str = Field(max_length=200)


def _equipment(code: str) -> Equipment:
    return get_object_or_404(Equipment.objects.select_related("center"), code=code.upper())


def _user(username: str | None) -> User | None:
    if not username:
        return None
    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        raise DomainError(_("Unknown user %(u)s.") % {"u": username}, field="user")
    return user


def _booking(request: HttpRequest, code: str) -> Booking:
    return get_visible_or_404(
        Booking.objects.select_related("equipment", "organization", "user", "staff", "project"),
        request.auth,
        code=code,
    )


@router.get("/equipment", response=list[FacilitiesEquipmentOut], auth=None)
@paginate(LimitOffsetPagination)
def list_equipment(request: HttpRequest, center: str = "", kind: str = "") -> Any:
    qs = Equipment.objects.visible_to(viewer(request)).select_related("center")
    if center:
        qs = qs.filter(center__code=center)
    if kind:
        qs = qs.filter(kind=kind)
    return qs.prefetch_related("rates").order_by("code")


@router.get("/equipment/{code}", response=FacilitiesEquipmentOut, auth=None)
def get_equipment(request: HttpRequest, code: str) -> Any:
    return _equipment(code)


@router.get("/equipment/{code}/availability", response=FacilitiesAvailabilityOut, auth=None)
def availability(request: HttpRequest, code: str, start: dt.datetime, end: dt.datetime) -> Any:
    """Busy intervals in [start, end) (at most 62 days): bookings with their buffer, blackouts."""
    eq = _equipment(code)
    if end <= start or end - start > MAX_WINDOW:
        raise DomainError(_("Give an end after the start, at most 62 days later."), field="end")
    user = viewer(request)
    busy = []
    rows = (
        Booking.objects.filter(
            equipment=eq, status__in=HOLDING, starts_at__lt=end, block_until__gt=start
        )
        .annotate(
            mine=Case(
                When(policy.booking_visibility(user), then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            )
        )
        .order_by("starts_at")
        .values_list("starts_at", "block_until", "code", "mine")
    )
    for s, e, booking_code, mine in rows:
        busy.append(
            {
                "starts_at": s,
                "ends_at": e,
                "kind": "booking",
                "code": booking_code if mine else None,
            }
        )
    for s, e in Blackout.objects.filter(
        equipment=eq, cancelled=False, starts_at__lt=end, ends_at__gt=start
    ).values_list("starts_at", "ends_at"):
        busy.append({"starts_at": s, "ends_at": e, "kind": "blackout", "code": None})
    busy.sort(key=lambda b: b["starts_at"])
    return {"equipment": eq.code, "status": eq.status, "busy": busy}


@router.get("/bookings", response=list[FacilitiesBookingOut])
@paginate(LimitOffsetPagination)
def list_bookings(request: HttpRequest, equipment: str = "", status: str = "") -> Any:
    qs = Booking.objects.visible_to(request.auth).select_related(
        "equipment", "organization", "user", "staff", "project"
    )
    if equipment:
        qs = qs.filter(equipment__code=equipment.upper())
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-starts_at")


@router.post("/bookings", response={201: list[FacilitiesBookingOut]})
def create_booking(request: HttpRequest, payload: FacilitiesBookingIn) -> Any:
    """Book (``repeat_weeks`` > 1: a weekly series, all or none); 409 when the slot is taken."""
    eq = _equipment(payload.equipment)
    org = (
        get_object_or_404(Organization, code=payload.organization) if payload.organization else None
    )
    kwargs = {
        "by": request.auth,
        "equipment": eq,
        "starts_at": payload.starts_at,
        "ends_at": payload.ends_at,
        "mode": payload.mode,
        "user": _user(payload.user),
        "organization": org,
        "staff": _user(payload.staff),
        "gmp": payload.gmp,
        "purpose": payload.purpose,
        "funding_line": payload.funding_line,
    }
    if payload.repeat_weeks > 1:
        return Status(201, actions.book_recurring(count=payload.repeat_weeks, **kwargs))
    return Status(201, [actions.book(**kwargs)])


@router.get("/bookings/{code}", response=FacilitiesBookingOut)
def get_booking(request: HttpRequest, code: str) -> Any:
    return _booking(request, code)


@router.post("/bookings/{code}/move", response=FacilitiesBookingOut)
def move_booking(request: HttpRequest, code: str, payload: FacilitiesMoveIn) -> Any:
    return actions.move_booking(
        by=request.auth,
        booking=_booking(request, code),
        starts_at=payload.starts_at,
        ends_at=payload.ends_at,
    )


@router.post("/bookings/{code}/cancel", response=FacilitiesBookingOut)
def cancel_booking(request: HttpRequest, code: str, payload: FacilitiesReasonIn) -> Any:
    return actions.cancel_booking(
        by=request.auth, booking=_booking(request, code), reason=payload.reason
    )


@router.post("/bookings/{code}/decide", response=FacilitiesBookingOut)
def decide_booking(request: HttpRequest, code: str, payload: FacilitiesDecideIn) -> Any:
    return actions.decide_booking(
        by=request.auth,
        booking=_booking(request, code),
        approve=payload.approve,
        reason=payload.reason,
        staff=_user(payload.staff),
    )


@router.post("/bookings/{code}/check-in", response=FacilitiesBookingOut)
def check_in(request: HttpRequest, code: str) -> Any:
    return actions.check_in(by=request.auth, booking=_booking(request, code))


@router.post("/bookings/{code}/check-out", response=FacilitiesBookingOut)
def check_out(request: HttpRequest, code: str) -> Any:
    return actions.complete(by=request.auth, booking=_booking(request, code))


def _project(request: HttpRequest, code: str) -> Project:
    return get_visible_or_404(
        Project.objects.select_related("company", "center"), request.auth, code=code
    )


@router.get("/projects", response=list[FacilitiesProjectOut])
@paginate(LimitOffsetPagination)
def list_projects(request: HttpRequest) -> Any:
    return Project.objects.visible_to(request.auth).select_related("company", "center")


@router.post("/projects", response={201: FacilitiesProjectOut})
def request_project(request: HttpRequest, payload: FacilitiesProjectIn) -> Any:
    data = payload.dict()
    center = get_object_or_404(Organization, code=data.pop("center"))
    company_code = data.pop("company")
    company = (
        get_object_or_404(Organization, code=company_code)
        if company_code
        else request.auth.primary_organization
    )
    return Status(
        201, actions.request_project(by=request.auth, company=company, center=center, **data)
    )


@router.get("/projects/{code}", response=FacilitiesProjectOut)
def get_project(request: HttpRequest, code: str) -> Any:
    return _project(request, code)


@router.get("/projects/{code}/quotes", response=list[FacilitiesQuoteOut])
def list_quotes(request: HttpRequest, code: str) -> Any:
    return list(_project(request, code).quotes.select_related("project").order_by("version"))


@router.post("/projects/{code}/quotes", response={201: FacilitiesQuoteOut})
def draft_quote(request: HttpRequest, code: str, payload: FacilitiesQuoteIn) -> Any:
    project = _project(request, code)
    quote = actions.draft_quote(
        by=request.auth,
        project=project,
        lines=[line.dict() for line in payload.lines],
        funding_line=payload.funding_line,
        customer_type=payload.customer_type,
        valid_until=payload.valid_until,
    )
    return Status(201, quote)


def _quote(request: HttpRequest, code: str, version: int) -> Quote:
    return get_object_or_404(Quote, project=_project(request, code), version=version)


@router.post("/projects/{code}/quotes/{version}/send", response=FacilitiesQuoteOut)
def send_quote(request: HttpRequest, code: str, version: int) -> Any:
    return actions.send_quote(by=request.auth, quote=_quote(request, code, version))


@router.post("/projects/{code}/quotes/{version}/accept", response=FacilitiesQuoteOut)
def accept_quote(
    request: HttpRequest, code: str, version: int, payload: FacilitiesPasswordIn
) -> Any:
    """The company's approver accepts with an e-signature (password asked again)."""
    return actions.accept_quote(
        by=request.auth, quote=_quote(request, code, version), password=payload.password
    )
