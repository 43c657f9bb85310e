"""Process-development projects: a company's service request → the center's quote (lines from
the rate table, staff hours, consumables, analytics; VAT; the funding line) → acceptance with an
e-signature → work packages, bookings, deliverables → completion with the final charges and an
invoice. Confidential between the company and the center (see policy).

Money is KRW in integers: a line's amount is ``round(quantity × unit price)`` (half up), VAT is
``round(subtotal × VAT% / 100)`` (half up), the total is their sum.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from bioproof.consortium.models import Organization
from bioproof.core import audit, files, signatures
from bioproof.core.codes import next_code
from bioproof.core.errors import DomainError, InvalidTransition
from bioproof.core.locking import lock
from bioproof.core.policy import require
from bioproof.facilities import policy
from bioproof.facilities.actions.common import customer_type_for, number, text, when
from bioproof.facilities.models import (
    CustomerType,
    Deliverable,
    Equipment,
    FundingLine,
    Invoice,
    Project,
    Quote,
    QuoteLine,
    Rate,
    RunBooking,
    WorkPackage,
)

P = Project.Status
VAT_PCT = 10
MAX_LINES = 200
PROJECT_FIELDS = (
    "code",
    "company",
    "center",
    "title",
    "organism",
    "process_steps",
    "scale",
    "timeline",
    "confidentiality",
    "status",
)


def krw(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def vat_of(subtotal: int, pct: int = VAT_PCT) -> int:
    return krw(Decimal(subtotal) * pct / 100)


@transaction.atomic
def request_project(
    *,
    by: Any,
    company: Organization,
    center: Organization,
    title: str,
    organism: str,
    process_steps: str,
    scale: str,
    timeline: str = "",
    confidentiality: str = "",
) -> Project:
    require(
        policy.is_company_staff(by, company),
        _("Only the company's staff request projects in its name."),
    )
    if center is None or center.kind != Organization.Kind.CENTER:
        raise DomainError(_("Choose a demonstration center."), field="center")
    project = Project.objects.create(
        code=next_code("PD"),
        company=company,
        center=center,
        title=text(title, "title", required=True),
        organism=text(organism, "organism", required=True),
        process_steps=text(process_steps, "process_steps", required=True, max_length=5000),
        scale=text(scale, "scale", required=True, max_length=100),
        timeline=text(timeline, "timeline"),
        confidentiality=text(confidentiality, "confidentiality", max_length=5000),
        requested_by=by,
    )
    audit.record(
        actor=by,
        action="facilities.project_requested",
        obj=project,
        organization=company,
        after=audit.snapshot(project, PROJECT_FIELDS),
    )
    return project


def _require_center(by: Any, project: Project) -> None:
    require(
        policy.is_center_staff(by, project.center_id),
        _("Only the center's staff work on this project."),
    )


def price_line(
    line: Mapping[str, Any], *, center: Organization, customer_type: str, position: int
) -> QuoteLine:
    """One quote line: equipment lines are priced from the rate table (per hour or day, plus the
    assisted surcharge per hour), other lines carry their unit price."""
    kind = str(line.get("kind") or "")
    if kind not in QuoteLine.Kind.values:
        raise DomainError(
            _("Line %(n)d: kind must be one of %(k)s.")
            % {"n": position, "k": ", ".join(QuoteLine.Kind.values)},
            field="lines",
        )
    qty = Decimal(str(number(line.get("quantity"), "lines", low=0.01, high=100000)))
    equipment = None
    if kind == QuoteLine.Kind.EQUIPMENT:
        ref = line.get("equipment")
        equipment = (
            ref
            if isinstance(ref, Equipment)
            else Equipment.objects.filter(code=str(ref or "").upper()).first()
        )
        if equipment is None or equipment.center_id != center.pk:
            raise DomainError(
                _("Line %(n)d: %(eq)s is not equipment of this center.")
                % {"n": position, "eq": ref},
                field="lines",
            )
        rate = Rate.objects.filter(equipment=equipment, customer_type=customer_type).first()
        if rate is None:
            raise DomainError(
                _("Line %(n)d: %(eq)s has no rate for %(ct)s customers.")
                % {"n": position, "eq": equipment.code, "ct": CustomerType(customer_type).label},
                field="lines",
            )
        unit = str(line.get("unit") or "h")
        if unit not in ("h", "day"):
            raise DomainError(
                _("Line %(n)d: equipment is charged per 'h' or 'day'.") % {"n": position},
                field="lines",
            )
        price = rate.per_hour_krw if unit == "h" else rate.per_day_krw
        if line.get("assisted"):
            price += rate.assisted_surcharge_krw * (1 if unit == "h" else 24)
        description = text(
            line.get("description") or f"{equipment.code} {equipment.name}", "lines", max_length=300
        )
    else:
        unit = text(line.get("unit") or "ea", "lines", max_length=10)
        price = number(line.get("unit_price_krw"), "lines", low=0, high=10**11, integer=True)
        description = text(line.get("description"), "lines", required=True, max_length=300)
    return QuoteLine(
        position=position,
        kind=kind,
        equipment=equipment,
        description=description,
        quantity=qty,
        unit=unit,
        unit_price_krw=int(price),
        amount_krw=krw(qty * int(price)),
    )


def quote_content(quote: Quote, lines: Iterable[QuoteLine]) -> dict[str, Any]:
    return {
        "project": quote.project.code,
        "version": quote.version,
        "customer_type": quote.customer_type,
        "funding_line": quote.funding_line,
        "vat_pct": quote.vat_pct,
        "subtotal_krw": quote.subtotal_krw,
        "vat_krw": quote.vat_krw,
        "total_krw": quote.total_krw,
        "valid_until": quote.valid_until,
        "lines": [
            {
                "kind": line.kind,
                "equipment": line.equipment.code if line.equipment else None,
                "description": line.description,
                "quantity": str(line.quantity),
                "unit": line.unit,
                "unit_price_krw": line.unit_price_krw,
                "amount_krw": line.amount_krw,
            }
            for line in lines
        ],
    }


@transaction.atomic
def draft_quote(
    *,
    by: Any,
    project: Project,
    lines: list[Mapping[str, Any]],
    funding_line: str,
    customer_type: str | None = None,
    valid_until: Any = None,
) -> Quote:
    """The center scopes the request into a quote (a new version; earlier open ones are
    superseded)."""
    _require_center(by, project)
    project = lock(project)
    if project.status not in (P.REQUESTED, P.QUOTED):
        raise InvalidTransition(
            _("%(code)s is %(s)s: no new quote.")
            % {"code": project.code, "s": project.get_status_display()}
        )
    if funding_line not in FundingLine.values:
        raise DomainError(_("Unknown funding line."), field="funding_line")
    customer_type = customer_type or customer_type_for(project.company)
    if customer_type not in CustomerType.values:
        raise DomainError(_("Unknown customer type."), field="customer_type")
    if not lines:
        raise DomainError(_("A quote needs at least one line."), field="lines")
    if len(lines) > MAX_LINES:
        raise DomainError(_("At most %(n)d lines.") % {"n": MAX_LINES}, field="lines")
    priced = [
        price_line(line, center=project.center, customer_type=customer_type, position=i)
        for i, line in enumerate(lines, 1)
    ]
    version = (project.quotes.aggregate(m=Max("version"))["m"] or 0) + 1
    for old in project.quotes.filter(status__in=[Quote.Status.DRAFT, Quote.Status.SENT]):
        old.status = Quote.Status.SUPERSEDED
        old.save(update_fields=["status"])
    subtotal = sum(line.amount_krw for line in priced)
    quote = Quote.objects.create(
        project=project,
        version=version,
        customer_type=customer_type,
        funding_line=funding_line,
        vat_pct=VAT_PCT,
        subtotal_krw=subtotal,
        vat_krw=vat_of(subtotal),
        total_krw=subtotal + vat_of(subtotal),
        valid_until=None if valid_until in (None, "") else dt.date.fromisoformat(str(valid_until)),
        created_by=by,
    )
    for line in priced:
        line.quote = quote
        line.save()
    audit.record(
        actor=by,
        action="facilities.quote_drafted",
        obj=quote,
        organization=project.center,
        after=audit.jsonable(quote_content(quote, priced)),
    )
    return quote


@transaction.atomic
def send_quote(*, by: Any, quote: Quote) -> Quote:
    _require_center(by, quote.project)
    project = lock(quote.project)
    quote = lock(quote)
    if quote.status != Quote.Status.DRAFT:
        raise InvalidTransition(_("Only a draft quote is sent."))
    quote.content_hash = audit.sha256_hex(
        audit.canonical_json(quote_content(quote, quote.lines.select_related("equipment")))
    )
    quote.status = Quote.Status.SENT
    quote.save(update_fields=["status", "content_hash"])
    project.status = P.QUOTED
    project.save(update_fields=["status"])
    audit.record(
        actor=by,
        action="facilities.quote_sent",
        obj=quote,
        organization=project.center,
        after={"status": quote.status, "content_hash": quote.content_hash},
    )
    return quote


@transaction.atomic
def accept_quote(*, by: Any, quote: Quote, password: str) -> Quote:
    """The company's approver accepts the quote with an e-signature over its content hash."""
    project = quote.project
    require(
        policy.may_accept_quote(by, project),
        _("Only an approver of %(org)s accepts its quotes.") % {"org": project.company},
    )
    project = lock(project)
    quote = lock(quote)
    if quote.status != Quote.Status.SENT:
        raise InvalidTransition(
            _("%(code)s is %(s)s: only a sent quote is accepted.")
            % {"code": quote.code, "s": quote.get_status_display()}
        )
    if quote.valid_until and timezone.localdate() > quote.valid_until:
        raise InvalidTransition(
            _("%(code)s expired on %(d)s; ask the center for a new quote.")
            % {"code": quote.code, "d": quote.valid_until}
        )
    current = audit.sha256_hex(
        audit.canonical_json(quote_content(quote, quote.lines.select_related("equipment")))
    )
    if current != quote.content_hash:
        raise InvalidTransition(_("%(code)s changed since it was sent.") % {"code": quote.code})
    signatures.apply_signature(
        by=by,
        password=password,
        obj=quote,
        code=quote.code,
        version=quote.version,
        meaning="approved",
        content_hash=quote.content_hash,
        organization=project.company,
    )
    quote.status, quote.accepted_at = Quote.Status.ACCEPTED, timezone.now()
    quote.save(update_fields=["status", "accepted_at"])
    project.status = P.ACCEPTED
    project.save(update_fields=["status"])
    audit.record(
        actor=by,
        action="facilities.quote_accepted",
        obj=quote,
        organization=project.company,
        after={"status": quote.status, "content_hash": quote.content_hash},
    )
    return quote


@transaction.atomic
def add_work_package(
    *,
    by: Any,
    project: Project,
    title: str,
    equipment_class: str,
    duration_hours: Any,
    release_at: Any,
    due_at: Any,
    needs_staff: bool = True,
    predecessors: Iterable[WorkPackage] = (),
) -> WorkPackage:
    _require_center(by, project)
    project = lock(project)
    if project.status != P.ACCEPTED:
        raise InvalidTransition(
            _("Work packages are planned once the quote of %(code)s is accepted.")
            % {"code": project.code}
        )
    release, due = when(release_at, "release_at"), when(due_at, "due_at")
    hours = number(duration_hours, "duration_hours", low=1, high=24 * 60, integer=True)
    if due < release + dt.timedelta(hours=hours):
        raise DomainError(_("The due time is before the earliest possible end."), field="due_at")
    preds = list(predecessors)
    if any(p.project_id != project.pk for p in preds):
        raise DomainError(_("A predecessor belongs to another project."), field="predecessors")
    position = (project.work_packages.aggregate(m=Max("position"))["m"] or 0) + 1
    wp = WorkPackage.objects.create(
        project=project,
        position=position,
        title=text(title, "title", required=True),
        equipment_class=text(equipment_class, "equipment_class", required=True, max_length=60),
        duration_hours=hours,
        release_at=release,
        due_at=due,
        needs_staff=bool(needs_staff),
    )
    wp.predecessors.set(preds)
    audit.record(
        actor=by,
        action="facilities.work_package_added",
        obj=wp,
        organization=project.center,
        after={
            **audit.snapshot(
                wp, ("position", "title", "equipment_class", "duration_hours", "release_at")
            ),
            "due_at": due,
            "predecessors": [p.position for p in preds],
        },
    )
    return wp


@transaction.atomic
def add_deliverable(
    *, by: Any, project: Project, title: str, filename: str, data: Any
) -> Deliverable:
    """A report, data package or sample record handed to the company (through the file store)."""
    _require_center(by, project)
    project = lock(project)
    if project.status not in (P.ACCEPTED, P.COMPLETED):
        raise InvalidTransition(
            _("Deliverables belong to an accepted project (%(code)s is %(s)s).")
            % {"code": project.code, "s": project.get_status_display()}
        )
    stored = files.store(data, prefix="facilities", filename=filename)
    deliverable = Deliverable.objects.create(
        project=project,
        title=text(title, "title", required=True),
        filename=files.safe_filename(filename),
        file=stored.name,
        sha256=stored.sha256,
        size=stored.size,
        uploaded_by=by,
    )
    audit.record(
        actor=by,
        action="facilities.deliverable_added",
        obj=deliverable,
        organization=project.center,
        after={"title": deliverable.title, "sha256": stored.sha256, "size": stored.size},
    )
    return deliverable


def final_lines(project: Project, quote: Quote) -> list[dict[str, Any]]:
    """The final charges: each quoted equipment line charged by the hours the project's bookings
    of that equipment actually used (booked hours where no use was recorded; released and
    cancelled bookings are not charged), when the project booked it; other lines as quoted."""
    used: dict[int, Decimal] = {}
    for b in project.bookings.filter(status__in=["confirmed", "checked_in", "completed"]):
        minutes = b.used_minutes if b.used_minutes is not None else b.hours * 60
        used[b.equipment_id] = used.get(b.equipment_id, Decimal(0)) + Decimal(minutes) / 60
    out = []
    for line in quote.lines.select_related("equipment").order_by("position"):
        qty, unit, price = line.quantity, line.unit, line.unit_price_krw
        if line.kind == QuoteLine.Kind.EQUIPMENT and line.equipment_id in used:
            hours = used.pop(line.equipment_id)
            qty = hours if unit == "h" else (hours / 24).quantize(Decimal("0.01"))
        qty = Decimal(qty).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        out.append(
            {
                "kind": line.kind,
                "equipment": line.equipment.code if line.equipment else None,
                "description": line.description,
                "quantity": str(qty),
                "unit": unit,
                "unit_price_krw": price,
                "amount_krw": krw(qty * price),
            }
        )
    return out


@transaction.atomic
def complete_project(*, by: Any, project: Project, summary: str) -> Invoice:
    """Close the project: the completion record with the final charges and the invoice."""
    _require_center(by, project)
    project = lock(project)
    if project.status != P.ACCEPTED:
        raise InvalidTransition(
            _("%(code)s is %(s)s; only an accepted project is completed.")
            % {"code": project.code, "s": project.get_status_display()}
        )
    quote = project.quotes.get(status=Quote.Status.ACCEPTED)
    if project.bookings.filter(status__in=["requested", "confirmed", "checked_in"]).exists():
        raise InvalidTransition(
            _("%(code)s still has open bookings: complete or cancel them first.")
            % {"code": project.code}
        )
    lines = final_lines(project, quote)
    subtotal = sum(line["amount_krw"] for line in lines)
    invoice = Invoice.objects.create(
        code=next_code("INV"),
        project=project,
        quote=quote,
        customer_type=quote.customer_type,
        funding_line=quote.funding_line,
        lines=lines,
        subtotal_krw=subtotal,
        vat_krw=vat_of(subtotal, quote.vat_pct),
        total_krw=subtotal + vat_of(subtotal, quote.vat_pct),
        summary=text(summary, "summary", required=True, max_length=5000),
        issued_on=timezone.localdate(),
        issued_by=by,
    )
    project.work_packages.update(status=WorkPackage.Status.DONE)
    project.status = P.INVOICED
    project.save(update_fields=["status"])
    audit.record(
        actor=by,
        action="facilities.invoiced",
        obj=invoice,
        organization=project.center,
        after={
            "project": project.code,
            "subtotal_krw": subtotal,
            "vat_krw": invoice.vat_krw,
            "total_krw": invoice.total_krw,
            "funding_line": invoice.funding_line,
        },
    )
    return invoice


@transaction.atomic
def link_run(*, by: Any, run: Any, booking: Any) -> RunBooking:
    """Record that an evaluation run used a booking (same center, the run's evaluation center)."""
    require(
        policy.is_center_staff(by, booking.equipment.center_id),
        _("Only the center's staff link runs to bookings."),
    )
    if run.evaluation.center_id != booking.equipment.center_id:
        raise DomainError(_("The run's evaluation is at another center."), field="booking")
    link, created = RunBooking.objects.get_or_create(run=run, booking=booking)
    if created:
        audit.record(
            actor=by,
            action="facilities.run_linked",
            obj=link,
            organization=booking.equipment.center,
            after={"run": run.pk, "booking": booking.code},
        )
    return link
