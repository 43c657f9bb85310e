"""Orders and constructs: the customer orders, the facility quotes, the customer accepts with an
e-signature. The order row guards every change of its constructs and state (locked first)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bioproof.consortium.models import Organization
from bioproof.core import files, signatures
from bioproof.core.codes import next_code
from bioproof.core.errors import DomainError, PolicyDenied
from bioproof.core.locking import lock, unique_or_conflict
from bioproof.core.policy import is_platform_admin, require
from bioproof.production import policy, sequences
from bioproof.production.actions._common import (
    content_hash,
    number,
    record,
    require_user,
    text,
    transition,
)
from bioproof.production.models import Construct, Grade, Order

F = frozenset
S = Order.Status
ORDER_TRANSITIONS: dict[str, tuple[frozenset[str], str | None]] = {
    "add_construct": (F({S.DRAFT}), None),
    "submit": (F({S.DRAFT}), S.SUBMITTED),
    "quote": (F({S.SUBMITTED, S.QUOTED}), S.QUOTED),
    "accept": (F({S.QUOTED}), S.ACCEPTED),
    "schedule": (F({S.ACCEPTED, S.IN_PRODUCTION}), None),
    "start_batch": (F({S.ACCEPTED, S.IN_PRODUCTION}), S.IN_PRODUCTION),
    "complete": (F({S.IN_PRODUCTION}), S.COMPLETED),
    "cancel": (F({S.DRAFT, S.SUBMITTED, S.QUOTED}), S.CANCELLED),
}
MAX_DELIVERABLES = 20


@transaction.atomic
def create_order(
    *,
    by: Any,
    customer: Organization,
    facility: Organization,
    title: str,
    grade: str,
    deliverables: list[str] | None = None,
    needed_by: dt.date | None = None,
) -> Order:
    require_user(by)
    require(
        is_platform_admin(by) or by.has_role(customer, "staff", "approver"),
        _("Only staff of %(org)s may order for it.") % {"org": customer},
    )
    if facility.kind != Organization.Kind.CENTER:
        raise DomainError(
            _("%(org)s is not a production facility.") % {"org": facility}, field="facility"
        )
    if facility.pk == customer.pk:
        raise DomainError(_("A facility cannot order from itself."), field="facility")
    if grade not in Grade.values:
        raise DomainError(
            _("'%(v)s' is not one of %(c)s.") % {"v": grade, "c": ", ".join(Grade.values)},
            field="grade",
        )
    items = [
        text(d, "deliverables", max_length=200) for d in (deliverables or []) if str(d).strip()
    ]
    if len(items) > MAX_DELIVERABLES:
        raise DomainError(
            _("At most %(n)d deliverables.") % {"n": MAX_DELIVERABLES}, field="deliverables"
        )
    if needed_by is not None and needed_by < timezone.localdate():
        raise DomainError(_("The date needed by lies in the past."), field="needed_by")
    order = Order.objects.create(
        code=next_code("PO"),
        customer=customer,
        facility=facility,
        title=text(title, "title", required=True),
        grade=grade,
        deliverables=items,
        needed_by=needed_by,
        created_by=by,
    )
    record(
        by, "production.order_created", order, customer, after={"code": order.code, "grade": grade}
    )
    return order


@transaction.atomic
def add_construct(
    *,
    by: Any,
    order: Order,
    name: str,
    filename: str,
    data: bytes,
    enzyme: str,
    modification: str = "n1-methylpseudouridine",
    cap_strategy: str = "co_transcriptional",
    cap_reagent: str = "",
    quantity_mg: float,
    formulation: str = "lnp",
    lipids: dict[str, Any] | None = None,
) -> Construct:
    """Parse and check the uploaded sequence (FASTA, GenBank or SBOL3) and add the construct."""
    require_user(by)
    order = lock(order)
    require(policy.is_customer_staff(by, order), _("Only the customer's staff may add constructs."))
    transition(order, ORDER_TRANSITIONS, "add_construct")
    name = text(name, "name", required=True, max_length=100)
    if modification not in Construct.Modification.values:
        raise DomainError(
            _("Unknown nucleotide modification '%(v)s'.") % {"v": modification},
            field="modification",
        )
    if cap_strategy not in Construct.Cap.values:
        raise DomainError(
            _("Unknown cap strategy '%(v)s'.") % {"v": cap_strategy}, field="cap_strategy"
        )
    if formulation not in Construct.Formulation.values:
        raise DomainError(
            _("Unknown formulation '%(v)s'.") % {"v": formulation}, field="formulation"
        )
    qty = number(quantity_mg, "quantity_mg", low=0.001, high=1_000_000)
    composition: dict[str, Any] = {}
    if formulation == Construct.Formulation.LNP:
        composition = sequences.lipid_composition(lipids)
    elif lipids:
        raise DomainError(_("Naked mRNA has no lipid composition."), field="lipids")
    if cap_strategy == Construct.Cap.CO_TRANSCRIPTIONAL and not cap_reagent:
        cap_reagent = "CleanCap AG"
    seq_name, raw, hints = sequences.read_sequence(data, filename)
    report = sequences.check_construct(raw, enzyme=enzyme, hints=hints)
    seq = "".join(raw.split()).upper()
    stored = files.store(
        data,
        prefix="production/constructs",
        filename=filename or "construct.txt",
        max_bytes=sequences.MAX_BYTES,
    )
    fmt = (
        "sbol3"
        if not (data.lstrip()[:1] == b">" or data.lstrip()[:5] == b"LOCUS")
        else ("fasta" if data.lstrip()[:1] == b">" else "genbank")
    )
    with unique_or_conflict(
        _("Order %(o)s already has a construct named %(n)s.") % {"o": order.code, "n": name},
        field="name",
    ):
        construct = Construct.objects.create(
            order=order,
            name=name,
            sequence=seq,
            sequence_sha256=content_hash({"sequence": seq}),
            file=stored.name,
            file_sha256=stored.sha256,
            file_format=fmt,
            report={**report.to_dict(), "record": seq_name},
            enzyme=report.enzyme,
            modification=modification,
            cap_strategy=cap_strategy,
            cap_reagent=text(cap_reagent, "cap_reagent", max_length=60),
            quantity_mg=round(qty, 3),
            formulation=formulation,
            lipids=composition,
        )
    record(
        by,
        "production.construct_added",
        construct,
        order.customer,
        after={"order": order.code, "name": name, "length": report.length, "sha256": stored.sha256},
    )
    return construct


@transaction.atomic
def submit_order(*, by: Any, order: Order) -> Order:
    require_user(by)
    order = lock(order)
    require(
        policy.is_customer_staff(by, order), _("Only the customer's staff may submit the order.")
    )
    order.status = transition(order, ORDER_TRANSITIONS, "submit")
    if not order.constructs.exists():
        raise DomainError(_("Add at least one construct before submitting."), field="constructs")
    order.save(update_fields=["status"])
    record(by, "production.order_submitted", order, order.customer, after={"status": order.status})
    return order


@transaction.atomic
def quote_order(*, by: Any, order: Order, amount_krw: int, lead_days: int, note: str = "") -> Order:
    require_user(by)
    order = lock(order)
    require(
        policy.is_facility_staff(by, order.facility_id), _("Only the facility's staff may quote.")
    )
    order.status = transition(order, ORDER_TRANSITIONS, "quote")
    order.quote_krw = int(number(amount_krw, "amount_krw", low=0, high=10**13))
    order.quote_lead_days = int(number(lead_days, "lead_days", low=1, high=3650))
    order.quote_note = text(note, "note", max_length=2000)
    order.quoted_at = timezone.now()
    order.save(update_fields=["status", "quote_krw", "quote_lead_days", "quote_note", "quoted_at"])
    record(
        by,
        "production.order_quoted",
        order,
        order.facility,
        after={"amount_krw": order.quote_krw, "lead_days": order.quote_lead_days},
    )
    return order


def order_content(order: Order) -> dict[str, Any]:
    """What the customer signs when accepting: the order, its constructs and the quote."""
    return {
        "code": order.code,
        "grade": order.grade,
        "deliverables": order.deliverables,
        "needed_by": order.needed_by,
        "quote_krw": order.quote_krw,
        "quote_lead_days": order.quote_lead_days,
        "constructs": [
            {
                "name": c.name,
                "sequence_sha256": c.sequence_sha256,
                "quantity_mg": str(c.quantity_mg),
                "formulation": c.formulation,
                "lipids": c.lipids,
                "modification": c.modification,
                "cap": c.cap_strategy,
            }
            for c in order.constructs.order_by("id")
        ],
    }


@transaction.atomic
def accept_quote(*, by: Any, order: Order, password: str) -> Order:
    """The customer's approver accepts the quote with an e-signature (meaning: approved)."""
    require_user(by)
    order = lock(order)
    require(
        policy.is_customer_signatory(by, order),
        _("Only an approver of the customer organization may accept the quote."),
    )
    order.status = transition(order, ORDER_TRANSITIONS, "accept")
    signatures.apply_signature(
        by=by,
        password=password,
        obj=order,
        code=order.code,
        version=1,
        meaning="approved",
        content_hash=content_hash(order_content(order)),
        organization=order.customer,
        comment="quote accepted",
    )
    order.accepted_at = timezone.now()
    order.save(update_fields=["status", "accepted_at"])
    record(by, "production.quote_accepted", order, order.customer, after={"status": order.status})
    return order


@transaction.atomic
def cancel_order(*, by: Any, order: Order, reason: str) -> Order:
    require_user(by)
    order = lock(order)
    if not (policy.is_customer_staff(by, order) or policy.is_facility_staff(by, order.facility_id)):
        raise PolicyDenied(_("Only the customer or the facility may cancel the order."))
    order.status = transition(order, ORDER_TRANSITIONS, "cancel")
    reason = text(reason, "reason", required=True, max_length=2000)
    order.save(update_fields=["status"])
    record(
        by,
        "production.order_cancelled",
        order,
        order.customer,
        after={"status": order.status},
        reason=reason,
    )
    return order
