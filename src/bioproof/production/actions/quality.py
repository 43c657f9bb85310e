"""Deviations and CAPA; certificates of analysis; QA disposition; shipment with chain of custody.

The deviation workflow is an explicit transition table (:data:`DEVIATION_TRANSITIONS`) checked by
every action; the deviation row is locked first.
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bioproof.core import files, signatures
from bioproof.core.codes import next_code
from bioproof.core.errors import DomainError, InvalidTransition
from bioproof.core.locking import lock, unique_or_conflict
from bioproof.core.policy import require
from bioproof.production import policy
from bioproof.production.actions._common import content_hash, record, require_user, text, transition
from bioproof.production.models import (
    Batch,
    BatchStep,
    CapaAction,
    Certificate,
    CustodyEvent,
    Deviation,
    Disposition,
    MBRVersion,
    Shipment,
    TestResult,
)

F = frozenset
D = Deviation.Status
DEVIATION_TRANSITIONS: dict[str, tuple[frozenset[str], str | None]] = {
    "classify": (F({D.OPEN}), D.INVESTIGATION),
    "assess_for_release": (F({D.INVESTIGATION, D.CAPA, D.EFFECTIVENESS}), None),
    "record_root_cause": (F({D.INVESTIGATION}), D.CAPA),
    "add_action": (F({D.INVESTIGATION, D.CAPA}), None),
    "complete_action": (F({D.CAPA}), None),
    "check_effectiveness": (F({D.CAPA}), D.EFFECTIVENESS),
    "close": (F({D.EFFECTIVENESS}), D.CLOSED),
}
KINDS = ("process", "oos", "equipment", "material", "other")


def open_deviation(
    *,
    by: Any,
    facility: Any,
    kind: str,
    title: str,
    description: str,
    batch: Batch | None = None,
    step: BatchStep | None = None,
    result: TestResult | None = None,
    change_control: MBRVersion | None = None,
) -> Deviation:
    """Write a new deviation (inside the calling action's transaction)."""
    if kind not in KINDS:
        raise DomainError(
            _("'%(v)s' is not one of %(c)s.") % {"v": kind, "c": ", ".join(KINDS)}, field="kind"
        )
    dev = Deviation.objects.create(
        code=next_code("DV"),
        facility=facility,
        kind=kind,
        title=text(title, "title", required=True),
        description=text(description, "description", required=True, max_length=5000),
        batch=batch,
        step=step,
        result=result,
        change_control=change_control,
        raised_by=by,
        raised_at=timezone.now(),
    )
    record(
        by,
        "production.deviation_raised",
        dev,
        facility,
        after={"code": dev.code, "kind": kind, "batch": batch.code if batch else None},
    )
    return dev


@transaction.atomic
def raise_deviation(
    *,
    by: Any,
    facility: Any,
    kind: str,
    title: str,
    description: str,
    batch: Batch | None = None,
    step: BatchStep | None = None,
    result: TestResult | None = None,
    change_control: MBRVersion | None = None,
) -> Deviation:
    require_user(by)
    require(
        policy.is_facility_staff(by, facility.pk),
        _("Only the facility's staff may raise deviations."),
    )
    if batch is not None:
        batch = lock(batch)
        if batch.facility_id != facility.pk:
            raise DomainError(
                _("Batch %(b)s is not of this facility.") % {"b": batch.code}, field="batch"
            )
        from bioproof.production.actions.batches import open_batch

        open_batch(batch)
    for linked, name in ((step, "step"), (result, "result")):
        if linked is not None and (batch is None or linked.batch_id != batch.pk):
            raise DomainError(
                _("The linked %(n)s must belong to the deviation's batch.") % {"n": name},
                field=name,
            )
    if change_control is not None and change_control.recipe.facility_id != facility.pk:
        raise DomainError(_("The change control is not of this facility."), field="change_control")
    return open_deviation(
        by=by,
        facility=facility,
        kind=kind,
        title=title,
        description=description,
        batch=batch,
        step=step,
        result=result,
        change_control=change_control,
    )


def _dev(by: Any, deviation: Deviation, action: str, *, qa: bool) -> tuple[Deviation, str]:
    require_user(by)
    deviation = lock(deviation)
    check = policy.is_qa if qa else policy.is_facility_staff
    require(
        check(by, deviation.facility_id),
        _("Only QA may do this.") if qa else _("Only the facility's staff may do this."),
    )
    return deviation, transition(deviation, DEVIATION_TRANSITIONS, action)


@transaction.atomic
def classify_deviation(*, by: Any, deviation: Deviation, classification: str) -> Deviation:
    deviation, new = _dev(by, deviation, "classify", qa=True)
    if classification not in ("minor", "major", "critical"):
        raise DomainError(_("Classify as minor, major or critical."), field="classification")
    deviation.classification = classification
    deviation.status = new
    deviation.save(update_fields=["classification", "status"])
    record(
        by,
        "production.deviation_classified",
        deviation,
        deviation.facility,
        after={"classification": classification},
    )
    return deviation


@transaction.atomic
def record_root_cause(
    *, by: Any, deviation: Deviation, investigation: str, root_cause: str
) -> Deviation:
    deviation, new = _dev(by, deviation, "record_root_cause", qa=False)
    deviation.investigation = text(investigation, "investigation", required=True, max_length=10000)
    deviation.root_cause = text(root_cause, "root_cause", required=True, max_length=5000)
    deviation.status = new
    deviation.save(update_fields=["investigation", "root_cause", "status"])
    record(
        by,
        "production.deviation_root_cause",
        deviation,
        deviation.facility,
        after={"root_cause": deviation.root_cause},
    )
    return deviation


@transaction.atomic
def add_capa(
    *, by: Any, deviation: Deviation, kind: str, description: str, owner: Any, due_on: dt.date
) -> CapaAction:
    deviation, _new = _dev(by, deviation, "add_action", qa=False)
    if kind not in ("corrective", "preventive"):
        raise DomainError(_("A CAPA action is corrective or preventive."), field="kind")
    if not policy.is_facility_member(owner, deviation.facility_id):
        raise DomainError(_("The owner must be a member of the facility."), field="owner")
    if due_on < timezone.localdate():
        raise DomainError(_("The due date lies in the past."), field="due_on")
    action = CapaAction.objects.create(
        deviation=deviation,
        kind=kind,
        description=text(description, "description", required=True, max_length=5000),
        owner=owner,
        due_on=due_on,
    )
    record(
        by,
        "production.capa_added",
        action,
        deviation.facility,
        after={"deviation": deviation.code, "owner": owner.username, "due_on": due_on},
    )
    return action


@transaction.atomic
def complete_capa(*, by: Any, action: CapaAction, outcome: str) -> CapaAction:
    deviation, _new = _dev(by, action.deviation, "complete_action", qa=False)
    action = lock(action)
    if action.owner_id != by.pk and not policy.is_qa(by, deviation.facility_id):
        raise DomainError(_("Only the owner (or QA) completes a CAPA action."))
    if action.status == CapaAction.Status.DONE:
        raise InvalidTransition(_("This CAPA action is done already."))
    action.status = CapaAction.Status.DONE
    action.outcome = text(outcome, "outcome", required=True, max_length=5000)
    action.done_at = timezone.now()
    action.save(update_fields=["status", "outcome", "done_at"])
    record(
        by, "production.capa_done", action, deviation.facility, after={"deviation": deviation.code}
    )
    return action


@transaction.atomic
def check_effectiveness(*, by: Any, deviation: Deviation, effectiveness: str) -> Deviation:
    deviation, new = _dev(by, deviation, "check_effectiveness", qa=False)
    open_actions = deviation.actions.filter(status=CapaAction.Status.OPEN).count()
    if open_actions:
        raise InvalidTransition(_("%(n)d CAPA actions are still open.") % {"n": open_actions})
    if deviation.classification != "minor" and not deviation.actions.exists():
        raise InvalidTransition(_("A major or critical deviation needs at least one CAPA action."))
    deviation.effectiveness = text(effectiveness, "effectiveness", required=True, max_length=5000)
    deviation.status = new
    deviation.save(update_fields=["effectiveness", "status"])
    record(by, "production.deviation_effectiveness", deviation, deviation.facility)
    return deviation


@transaction.atomic
def close_deviation(*, by: Any, deviation: Deviation, password: str) -> Deviation:
    """QA closes the deviation, e-signed (approved)."""
    deviation, new = _dev(by, deviation, "close", qa=True)
    signatures.apply_signature(
        by=by,
        password=password,
        obj=deviation,
        code=deviation.code,
        version=1,
        meaning="approved",
        content_hash=content_hash(deviation_content(deviation)),
        organization=deviation.facility,
    )
    deviation.status = new
    deviation.closed_by = by
    deviation.closed_at = timezone.now()
    deviation.save(update_fields=["status", "closed_by", "closed_at"])
    record(by, "production.deviation_closed", deviation, deviation.facility)
    return deviation


@transaction.atomic
def assess_for_release(*, by: Any, deviation: Deviation, assessment: str) -> Deviation:
    """QA's documented assessment that an open deviation does not prevent disposition."""
    deviation, _new = _dev(by, deviation, "assess_for_release", qa=True)
    deviation.release_assessment = text(assessment, "assessment", required=True, max_length=5000)
    deviation.assessed_by = by
    deviation.save(update_fields=["release_assessment", "assessed_by"])
    record(
        by,
        "production.deviation_assessed",
        deviation,
        deviation.facility,
        after={"assessment": deviation.release_assessment},
    )
    return deviation


def deviation_content(d: Deviation) -> dict[str, Any]:
    return {
        "code": d.code,
        "classification": d.classification,
        "title": d.title,
        "description": d.description,
        "investigation": d.investigation,
        "root_cause": d.root_cause,
        "effectiveness": d.effectiveness,
        "actions": list(
            d.actions.order_by("id").values(
                "kind", "description", "owner_id", "due_on", "status", "outcome"
            )
        ),
    }


# ------------------------------------------------------------------------- CoA and release


def release_blockers(batch: Batch) -> list[str]:
    """What prevents releasing ``batch`` now (empty when it may be released)."""
    out: list[str] = []
    if batch.status not in (Batch.Status.REVIEWED, Batch.Status.QUARANTINED):
        out.append(_("The batch record has not been reviewed by QA."))
    out.extend(_results_blockers(batch))
    for d in batch.deviations.exclude(status=D.CLOSED).filter(release_assessment="").order_by("id"):
        out.append(_("Deviation %(c)s is neither closed nor assessed for release.") % {"c": d.code})
    if not hasattr(batch, "coa"):
        out.append(_("No certificate of analysis has been generated."))
    return out


def _results_blockers(batch: Batch) -> list[str]:
    out: list[str] = []
    samples = list(batch.samples.select_related("spec_version"))
    if not samples:
        out.append(_("No QC sample has been drawn."))
    for s in samples:
        valid = {r.test_key: r for r in s.results.exclude(status=TestResult.Status.INVALIDATED)}
        for t in s.spec_version.tests:
            if t["stage"] != s.stage:
                continue
            r = valid.get(t["key"])
            if r is None:
                out.append(_("%(s)s: no result for %(t)s.") % {"s": s.code, "t": t["name_en"]})
            elif r.status != TestResult.Status.VERIFIED:
                out.append(
                    _("%(s)s: the result for %(t)s is not verified.")
                    % {"s": s.code, "t": t["name_en"]}
                )
            elif not r.conforms:
                out.append(
                    _("%(s)s: %(t)s is out of specification.") % {"s": s.code, "t": t["name_en"]}
                )
    return out


def coa_content(batch: Batch) -> dict[str, Any]:
    from bioproof.production.recipes import limits_text

    construct = batch.construct
    rows = []
    spec = None
    for s in batch.samples.select_related("spec_version__specification").order_by("id"):
        spec = s.spec_version
        valid = {r.test_key: r for r in s.results.filter(status=TestResult.Status.VERIFIED)}
        for t in s.spec_version.tests:
            if t["stage"] != s.stage or t["key"] not in valid:
                continue
            r = valid[t["key"]]
            shown = f"{r.value_spec_unit:.4g} {t['unit']}" if r.value is not None else r.text
            rows.append(
                {
                    "stage": s.stage,
                    "sample": s.code,
                    "key": t["key"],
                    "name_ko": t["name_ko"],
                    "name_en": t["name_en"],
                    "method": t["method"],
                    "limits": limits_text(t),
                    "result": shown,
                    "conforms": r.conforms,
                    "analyst": r.analyst.get_full_name() or r.analyst.username,
                    "verifier": r.verifier.get_full_name() or r.verifier.username,
                }
            )
    return {
        "batch": batch.code,
        "order": batch.order.code,
        "customer_ko": batch.order.customer.name_ko,
        "customer_en": batch.order.customer.name_en,
        "facility_ko": batch.facility.name_ko,
        "facility_en": batch.facility.name_en,
        "product": batch.mbr_version.recipe.product,
        "construct": construct.name,
        "length": construct.report.get("length"),
        "modification": construct.modification,
        "cap": construct.cap_reagent or construct.cap_strategy,
        "formulation": construct.formulation,
        "grade": batch.grade,
        "batch_size": f"{batch.batch_size:g} {batch.mbr_version.batch_unit}",
        "mbr": str(batch.mbr_version),
        "specification": str(spec) if spec else "",
        "manufactured": batch.started_at.date().isoformat(),
        "tests": rows,
    }


@transaction.atomic
def generate_coa(
    *, by: Any, batch: Batch, verify_url: str = "/production/coa/verify/"
) -> Certificate:
    """The CoA from the specification version and the verified results (bilingual PDF, embedded
    NanumGothic, verification code), kept in the file store with its SHA-256."""
    require_user(by)
    batch = lock(batch)
    require(
        policy.is_facility_staff(by, batch.facility_id) or policy.is_qa(by, batch.facility_id),
        _("Only the facility may issue a certificate of analysis."),
    )
    from bioproof.production.actions.batches import open_batch

    open_batch(batch)
    if batch.status not in (Batch.Status.REVIEWED, Batch.Status.QUARANTINED):
        raise InvalidTransition(
            _("Batch %(b)s's record must be reviewed before its CoA is issued.") % {"b": batch.code}
        )
    blockers = _results_blockers(batch)
    if blockers:
        raise InvalidTransition(" ".join(blockers))
    if Certificate.objects.filter(batch=batch).exists():
        raise InvalidTransition(
            _("Batch %(b)s has a certificate of analysis already.") % {"b": batch.code}
        )
    from bioproof.production import documents

    content = coa_content(batch)
    code = next_code("COA")
    verification = secrets.token_hex(8).upper()
    first_sample = batch.samples.order_by("id").first()
    pdf = documents.coa_pdf(content, code=code, verification=verification, verify_url=verify_url)
    stored = files.store(pdf, prefix="production/coa", filename=f"{code}.pdf")
    with unique_or_conflict(
        _("Batch %(b)s has a certificate of analysis already.") % {"b": batch.code}
    ):
        coa = Certificate.objects.create(
            batch=batch,
            code=code,
            verification_code=verification,
            spec_version=first_sample.spec_version,
            content=content,
            content_hash=content_hash(content),
            file=stored.name,
            sha256=stored.sha256,
            generated_by=by,
            generated_at=timezone.now(),
        )
    record(
        by,
        "production.coa_generated",
        coa,
        batch.facility,
        after={"code": code, "sha256": stored.sha256},
    )
    return coa


@transaction.atomic
def dispose(
    *, by: Any, batch: Batch, decision: str, password: str, reason: str = ""
) -> Disposition:
    """QA disposition — release, reject or quarantine — e-signed. Release requires the record
    reviewed, every deviation closed or assessed, every test verified and conforming and the CoA
    issued. Released and rejected batches are final."""
    require_user(by)
    batch = lock(batch)
    require(policy.is_qa(by, batch.facility_id), _("Only QA may decide a batch's disposition."))
    from bioproof.production.actions.batches import open_batch

    open_batch(batch)
    if decision not in Disposition.Decision.values:
        raise DomainError(_("Decide release, reject or quarantine."), field="decision")
    reason = text(reason, "reason", max_length=2000)
    if decision == Disposition.Decision.RELEASE:
        blockers = release_blockers(batch)
        if blockers:
            raise InvalidTransition(
                _("Batch %(b)s cannot be released: %(why)s")
                % {"b": batch.code, "why": " ".join(blockers)}
            )
    else:
        if not reason:
            raise DomainError(_("Give the reason for this decision."), field="reason")
        if batch.status not in (
            Batch.Status.EXECUTED,
            Batch.Status.REVIEWED,
            Batch.Status.QUARANTINED,
            Batch.Status.IN_PROGRESS,
        ):
            raise InvalidTransition(
                _("Batch %(b)s is %(s)s.") % {"b": batch.code, "s": batch.get_status_display()}
            )
        if decision == Disposition.Decision.QUARANTINE and batch.status == Batch.Status.QUARANTINED:
            raise InvalidTransition(_("Batch %(b)s is in quarantine already.") % {"b": batch.code})
    now = timezone.now()
    content = {
        "batch": batch.code,
        "decision": decision,
        "reason": reason,
        "coa": getattr(getattr(batch, "coa", None), "content_hash", None),
        "at": now,
    }
    h = content_hash(content)
    disposition = Disposition.objects.create(
        batch=batch, decision=decision, reason=reason, content_hash=h, decided_by=by, decided_at=now
    )
    signatures.apply_signature(
        by=by,
        password=password,
        obj=disposition,
        code=f"{batch.code}/{decision}",
        version=1,
        meaning="released" if decision == "release" else "approved",
        content_hash=h,
        organization=batch.facility,
        comment=reason,
    )
    batch.status = {
        "release": Batch.Status.RELEASED,
        "reject": Batch.Status.REJECTED,
        "quarantine": Batch.Status.QUARANTINED,
    }[decision]
    batch.save(update_fields=["status"])
    record(
        by,
        "production.batch_disposed",
        batch,
        batch.facility,
        after={"decision": decision},
        reason=reason,
    )
    order = lock(batch.order)
    if (
        order.status == order.Status.IN_PRODUCTION
        and not order.batches.exclude(
            status__in=[Batch.Status.RELEASED, Batch.Status.REJECTED]
        ).exists()
    ):
        order.status = order.Status.COMPLETED
        order.save(update_fields=["status"])
        record(by, "production.order_completed", order, order.customer)
    return disposition


# ------------------------------------------------------------------------------ shipment

SHIP = Shipment.Status
CUSTODY_TRANSITIONS: dict[str, tuple[frozenset[str], str | None]] = {
    "handed_over": (F({SHIP.PACKED, SHIP.IN_TRANSIT}), SHIP.IN_TRANSIT),
    "delivered": (F({SHIP.IN_TRANSIT}), SHIP.DELIVERED),
}


@transaction.atomic
def create_shipment(
    *, by: Any, batch: Batch, recipient: str, quantity: str, condition: str, location: str
) -> Shipment:
    require_user(by)
    batch = lock(batch)
    require(
        policy.is_facility_staff(by, batch.facility_id), _("Only the facility's staff may ship.")
    )
    if batch.status != Batch.Status.RELEASED:
        raise InvalidTransition(
            _("Only a released batch is shipped; %(b)s is %(s)s.")
            % {"b": batch.code, "s": batch.get_status_display()}
        )
    now = timezone.now()
    shipment = Shipment.objects.create(
        batch=batch,
        code=next_code("SH"),
        recipient=text(recipient, "recipient", required=True),
        quantity=text(quantity, "quantity", required=True, max_length=60),
        condition=text(condition, "condition", required=True, max_length=60),
        created_by=by,
        created_at=now,
    )
    CustodyEvent.objects.create(
        shipment=shipment,
        seq=1,
        event="packed",
        handed_by=by,
        received_by=str(batch.facility),
        location=text(location, "location", required=True),
        at=now,
    )
    record(
        by,
        "production.shipment_created",
        shipment,
        batch.facility,
        after={"code": shipment.code, "batch": batch.code},
    )
    return shipment


@transaction.atomic
def record_custody(
    *,
    by: Any,
    shipment: Shipment,
    event: str,
    received_by: str,
    location: str,
    temperature_c: float | None = None,
) -> CustodyEvent:
    """One hand-over of the chain of custody (seq is gap-free under the shipment's lock)."""
    require_user(by)
    shipment = lock(shipment)
    require(
        policy.is_facility_staff(by, shipment.batch.facility_id),
        _("Only the facility's staff may record custody."),
    )
    if event not in CUSTODY_TRANSITIONS:
        raise DomainError(_("The event is handed_over or delivered."), field="event")
    shipment.status = transition(shipment, CUSTODY_TRANSITIONS, event)
    seq = shipment.custody.count() + 1
    temp = None
    if temperature_c not in (None, ""):
        from bioproof.production.actions._common import number

        temp = number(temperature_c, "temperature_c", low=-200, high=60)
    ev = CustodyEvent.objects.create(
        shipment=shipment,
        seq=seq,
        event=event,
        handed_by=by,
        received_by=text(received_by, "received_by", required=True),
        location=text(location, "location", required=True),
        temperature_c=temp,
        at=timezone.now(),
    )
    shipment.save(update_fields=["status"])
    record(
        by,
        "production.custody",
        ev,
        shipment.batch.facility,
        after={"shipment": shipment.code, "seq": seq, "event": event},
    )
    return ev
