"""Executed batch records and QC results.

Every entry locks the batch row first, so steps are taken one at a time per batch, in order, and
concurrent operators end in one success and clear refusals (409). A released or rejected batch is
final: every action here refuses it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from bioproof.analysis.units import UnitError, conversion
from bioproof.core import signatures
from bioproof.core.codes import next_code
from bioproof.core.errors import ConflictError, DomainError, InvalidTransition, PolicyDenied
from bioproof.core.locking import lock, lock_all, unique_or_conflict
from bioproof.core.policy import require
from bioproof.production import policy, readiness, recipes
from bioproof.production.actions import quality
from bioproof.production.actions._common import (
    content_hash,
    number,
    record,
    require_user,
    text,
    transition,
)
from bioproof.production.actions.orders import ORDER_TRANSITIONS
from bioproof.production.models import (
    Batch,
    BatchStep,
    Construct,
    Consumption,
    Grade,
    MaterialLot,
    MBRVersion,
    Order,
    Sample,
    SpecVersion,
    StepEntry,
    TestResult,
)

B = Batch.Status
_NUMBER_UNIT = re.compile(r"^\s*([-+]?(?:\d+(?:[.,]\d*)?|\.\d+)(?:[eE][-+]?\d+)?)\s*(.*)$")


def open_batch(batch: Batch) -> None:
    """Refuse any change to a released or rejected batch (immutable)."""
    if batch.is_final:
        raise InvalidTransition(
            _("Batch %(b)s is %(s)s; its record can no longer change.")
            % {"b": batch.code, "s": batch.get_status_display()}
        )


def _unit_error(exc: UnitError, where: str, field: str) -> DomainError:
    return DomainError(f"{where}: " + _(exc.template) % exc.params, field=field)


def to_unit(value: float, unit: str, target: str, where: str, field: str) -> float:
    try:
        factor, offset = conversion(unit, target)
    except UnitError as exc:
        raise _unit_error(exc, where, field) from None
    return value * factor + offset


def parse_reading(raw: Any, where: str, field: str, default_unit: str = "") -> tuple[float, str]:
    """A reading as (value, unit) from ``{"value", "unit"}``, a pair or text like ``"37 °C"``;
    ``default_unit`` (only for a dimensionless quantity) stands in for a missing unit."""
    if isinstance(raw, Mapping):
        value, unit = raw.get("value"), raw.get("unit")
    elif isinstance(raw, list | tuple) and len(raw) == 2:
        value, unit = raw
    else:
        m = _NUMBER_UNIT.match(str(raw or ""))
        if not m:
            raise DomainError(
                _("%(w)s: '%(v)s' is not a number followed by its unit.")
                % {"w": where, "v": str(raw)[:40]},
                field=field,
            )
        value, unit = m.group(1).replace(",", "."), m.group(2)
    try:
        x = float(value)
    except (TypeError, ValueError):
        raise DomainError(
            _("%(w)s: '%(v)s' is not a number.") % {"w": where, "v": str(value)[:40]}, field=field
        ) from None
    if x != x or x in (float("inf"), float("-inf")):
        raise DomainError(
            _("%(w)s: '%(v)s' is not a number.") % {"w": where, "v": value}, field=field
        )
    unit = str(unit or "").strip() or default_unit
    if not unit:
        raise DomainError(_("%(w)s: give the unit of %(v)g.") % {"w": where, "v": x}, field=field)
    return x, unit


def _dimensionless(unit: str) -> str:
    return unit if unit in ("dimensionless", "1") else ""


def within(value: float, low: float | None, high: float | None) -> bool:
    return (low is None or value >= low) and (high is None or value <= high)


# --------------------------------------------------------------------------- material lots


@transaction.atomic
def receive_lot(
    *,
    by: Any,
    facility: Any,
    material: str,
    lot: str,
    quantity: float,
    unit: str,
    expires_on: Any = None,
) -> MaterialLot:
    require_user(by)
    require(
        policy.is_facility_staff(by, facility.pk),
        _("Only the facility's staff may receive material."),
    )
    qty = number(quantity, "quantity", low=1e-9, high=1e12)
    unit = recipes.clean_unit(unit, _("lot"), "unit")
    material = text(material, "material", required=True, max_length=100)
    lot_code = text(lot, "lot", required=True, max_length=40)
    with unique_or_conflict(
        _("Lot %(l)s of %(m)s exists already.") % {"l": lot_code, "m": material}, field="lot"
    ):
        row = MaterialLot.objects.create(
            facility=facility,
            material=material,
            lot=lot_code,
            quantity=qty,
            unit=unit,
            remaining=qty,
            expires_on=expires_on,
        )
    record(
        by,
        "production.lot_received",
        row,
        facility,
        after={"material": material, "lot": lot_code, "quantity": qty},
    )
    return row


def genealogy(lot: MaterialLot) -> list[dict[str, Any]]:
    """Where a lot went: the batches (and steps) that consumed it."""
    return list(
        Consumption.objects.filter(lot=lot)
        .order_by("at", "id")
        .values("batch__code", "step__key", "quantity", "unit", "at")
    )


# ------------------------------------------------------------------------------- batches


@transaction.atomic
def start_batch(
    *, by: Any, order: Order, construct: Construct, mbr_version: MBRVersion, batch_size: float
) -> Batch:
    """A batch record from an approved MBR version, frozen to it (its steps copy the version's)."""
    require_user(by)
    order = lock(order)
    require(
        policy.is_facility_staff(by, order.facility_id),
        _("Only the facility's staff may start batches."),
    )
    new_status = transition(order, ORDER_TRANSITIONS, "start_batch")
    if construct.order_id != order.pk:
        raise DomainError(
            _("Construct %(c)s is not part of order %(o)s.")
            % {"c": construct.name, "o": order.code},
            field="construct",
        )
    mbr_version = lock(mbr_version)
    if mbr_version.recipe.facility_id != order.facility_id:
        raise DomainError(
            _("%(v)s is not an MBR of this facility.") % {"v": mbr_version}, field="mbr_version"
        )
    if mbr_version.status != MBRVersion.Status.APPROVED:
        raise DomainError(
            _("%(v)s is %(s)s; a batch starts only from the approved version in force.")
            % {"v": mbr_version, "s": mbr_version.get_status_display()},
            field="mbr_version",
        )
    size = number(batch_size, "batch_size", low=1e-6, high=1e9)
    now = timezone.now()
    batch = Batch.objects.create(
        code=next_code("BR"),
        facility_id=order.facility_id,
        order=order,
        construct=construct,
        mbr_version=mbr_version,
        grade=order.grade,
        scale=size / mbr_version.batch_size,
        batch_size=size,
        started_at=now,
        created_by=by,
    )
    steps = []
    seq = 0
    for up in mbr_version.procedure["unit_procedures"]:
        for op in up["operations"]:
            for st in op["steps"]:
                seq += 1
                steps.append(
                    BatchStep(
                        batch=batch,
                        seq=seq,
                        key=st["key"],
                        unit_procedure=up["name"],
                        operation=op["name"],
                        definition=st,
                        critical=st["critical"],
                    )
                )
    BatchStep.objects.bulk_create(steps)
    if order.status != new_status:
        order.status = new_status
        order.save(update_fields=["status"])
    record(
        by,
        "production.batch_started",
        batch,
        batch.facility,
        after={
            "code": batch.code,
            "mbr": str(mbr_version),
            "steps": seq,
            "batch_size": size,
            "bom": recipes.scaled_bom(mbr_version.bom, batch.scale),
        },
    )
    return batch


def _complete(step: BatchStep) -> bool:
    return step.status == BatchStep.Status.VERIFIED or (
        step.status == BatchStep.Status.DONE and not step.critical
    )


def _blocking(batch: Batch, seq: int) -> BatchStep | None:
    return (
        batch.steps.filter(seq__lt=seq)
        .filter(Q(status=BatchStep.Status.PENDING) | Q(status=BatchStep.Status.DONE, critical=True))
        .order_by("seq")
        .first()
    )


def _maybe_executed(batch: Batch) -> None:
    if batch.status == B.IN_PROGRESS and _blocking(batch, 10**9) is None:
        batch.status = B.EXECUTED
        batch.executed_at = timezone.now()
        batch.save(update_fields=["status", "executed_at"])


def _refuse_executed_step_early(by: Any, step: BatchStep) -> None:
    """Refuse a step that is executed already *before* queueing on the batch lock.

    An executed step never returns to pending, so a refusal read from the committed state is
    final; operators who lose a race for one step then do not hold the batch lock one after
    the other in front of the next step's entry. The locked check below still decides
    every entry that is written.
    """
    row = (
        BatchStep.objects.filter(pk=step.pk)
        .values("status", "seq", "key", "batch__facility_id", "batch__status")
        .first()
    )
    if row is None or row["status"] == BatchStep.Status.PENDING:
        return
    if row["batch__status"] != B.IN_PROGRESS:
        return  # the locked path names the batch's state
    if not policy.is_facility_staff(by, row["batch__facility_id"]):
        return  # the locked path answers with the policy's message
    raise ConflictError(
        _("Step %(n)d (%(k)s) has been executed already.") % {"n": row["seq"], "k": row["key"]}
    )


@transaction.atomic
def record_step(
    *,
    by: Any,
    step: BatchStep,
    values: Mapping[str, Any],
    equipment_code: str = "",
    materials: Iterable[Mapping[str, Any]] = (),
    comment: str = "",
) -> BatchStep:
    """Execute one step: every parameter and in-process control with its unit, checked against
    its limits (an out-of-limit value is recorded and raises a deviation); the equipment must be
    usable; material lots are consumed (genealogy)."""
    require_user(by)
    _refuse_executed_step_early(by, step)
    batch = lock(Batch.objects.filter(pk=step.batch_id))
    step = BatchStep.objects.get(pk=step.pk)
    require(
        policy.is_facility_staff(by, batch.facility_id),
        _("Only the facility's operators may execute steps."),
    )
    open_batch(batch)
    if batch.status != B.IN_PROGRESS:
        raise InvalidTransition(
            _("Batch %(b)s is %(s)s; steps cannot be executed.")
            % {"b": batch.code, "s": batch.get_status_display()}
        )
    if step.status != BatchStep.Status.PENDING:
        raise ConflictError(
            _("Step %(n)d (%(k)s) has been executed already.") % {"n": step.seq, "k": step.key}
        )
    blocking = _blocking(batch, step.seq)
    if blocking is not None:
        why = (
            _("is not done")
            if blocking.status == BatchStep.Status.PENDING
            else _("awaits its second-person verification")
        )
        raise InvalidTransition(
            _("Steps are executed in order: step %(n)d (%(k)s) %(why)s.")
            % {"n": blocking.seq, "k": blocking.key, "why": why}
        )
    definition = step.definition
    now = timezone.now()
    values = dict(values or {})
    expected = {v["key"]: v for v in definition["values"]}
    unknown = sorted(set(values) - set(expected))
    if unknown:
        raise DomainError(
            _("Step %(k)s has no value named %(v)s.") % {"k": step.key, "v": ", ".join(unknown)},
            field="values",
        )
    entries, out = [], []
    for key, spec in expected.items():
        where = _("step %(k)s, %(name)s") % {"k": step.key, "name": spec["name"]}
        if key not in values or values[key] in (None, ""):
            raise DomainError(_("%(w)s: a value is required.") % {"w": where}, field=key)
        value, unit = parse_reading(values[key], where, key, _dimensionless(spec["unit"]))
        canonical = to_unit(value, unit, spec["unit"], where, key)
        ok = within(canonical, spec["low"], spec["high"])
        entries.append(
            StepEntry(
                step=step,
                key=key,
                kind=spec["kind"],
                value=value,
                unit=unit,
                value_canonical=canonical,
                canonical_unit=spec["unit"],
                in_limits=ok,
                entered_by=by,
                entered_at=now,
            )
        )
        if not ok:
            out.append(
                f"{spec['name']} = {canonical:g} {spec['unit']} "
                f"({recipes.limits_text({'kind': 'numeric', **spec})})"
            )
    checked = False
    code = text(equipment_code, "equipment_code", max_length=40)
    if definition.get("equipment_class"):
        problems, checked = readiness.equipment_problems(
            code, at=now, gmp=batch.grade == Grade.GMP, user=by
        )
        if problems:
            raise DomainError(" ".join(problems), field="equipment_code")
    elif code:
        raise DomainError(
            _("Step %(k)s uses no equipment.") % {"k": step.key}, field="equipment_code"
        )
    consumed = _consume(by, batch, step, materials, now)
    StepEntry.objects.bulk_create(entries)
    step.status = BatchStep.Status.DONE
    step.operator = by
    step.done_at = now
    step.equipment_code = code
    step.equipment_checked = checked
    step.comment = text(comment, "comment", max_length=2000)
    step.save(
        update_fields=[
            "status",
            "operator",
            "done_at",
            "equipment_code",
            "equipment_checked",
            "comment",
        ]
    )
    record(
        by,
        "production.step_executed",
        step,
        batch.facility,
        after={
            "batch": batch.code,
            "seq": step.seq,
            "key": step.key,
            "out_of_limits": out,
            "equipment": code,
            "materials": consumed,
        },
    )
    if out:
        quality.open_deviation(
            by=by,
            facility=batch.facility,
            kind="process",
            title=_("Out-of-limit entry at %(b)s step %(k)s") % {"b": batch.code, "k": step.key},
            description="; ".join(out),
            batch=batch,
            step=step,
        )
    _maybe_executed(batch)
    return step


def _consume(
    by: Any, batch: Batch, step: BatchStep, materials: Iterable[Mapping[str, Any]], now: Any
) -> list[str]:
    items = list(materials or [])
    needed = set(step.definition.get("materials") or [])
    if len(items) > 50:
        raise DomainError(_("At most 50 lots per step."), field="materials")
    lot_ids = [getattr(i.get("lot"), "pk", i.get("lot")) for i in items]
    lots = {
        lot.pk: lot
        for lot in lock_all(
            MaterialLot.objects.filter(pk__in=lot_ids, facility_id=batch.facility_id)
        )
    }
    rows, done = [], []
    for item, lot_id in zip(items, lot_ids, strict=True):
        lot = lots.get(lot_id)
        if lot is None:
            raise DomainError(
                _("Lot %(l)s is not a lot of this facility.") % {"l": lot_id}, field="materials"
            )
        where = _("lot %(l)s of %(m)s") % {"l": lot.lot, "m": lot.material}
        if lot.material not in needed:
            raise DomainError(
                _("%(w)s: step %(k)s does not use %(m)s.")
                % {"w": where, "k": step.key, "m": lot.material},
                field="materials",
            )
        if not lot.released:
            raise DomainError(_("%(w)s is not released for use.") % {"w": where}, field="materials")
        if lot.expires_on and lot.expires_on < timezone.localdate():
            raise DomainError(
                _("%(w)s expired on %(d)s.") % {"w": where, "d": lot.expires_on}, field="materials"
            )
        raw = item.get("quantity")
        if item.get("unit") is not None:
            raw = {"value": raw, "unit": item.get("unit")}
        qty, unit = parse_reading(raw, where, "materials")
        if qty <= 0:
            raise DomainError(
                _("%(w)s: the quantity must be positive.") % {"w": where}, field="materials"
            )
        in_lot_unit = to_unit(qty, unit, lot.unit, where, "materials")
        if in_lot_unit > lot.remaining + 1e-9:
            raise DomainError(
                _("%(w)s: %(q)g %(u)s asked but only %(r)g %(u)s remain.")
                % {"w": where, "q": in_lot_unit, "u": lot.unit, "r": lot.remaining},
                field="materials",
            )
        lot.remaining = round(lot.remaining - in_lot_unit, 9)
        lot.save(update_fields=["remaining"])
        rows.append(
            Consumption(step=step, batch=batch, lot=lot, quantity=qty, unit=unit, by=by, at=now)
        )
        done.append(f"{lot.material} {lot.lot} {qty:g} {unit}")
    missing = set(step.definition.get("materials") or []) - {
        lots[i].material for i in lot_ids if i in lots
    }
    if missing:
        raise DomainError(
            _("Step %(k)s consumes %(m)s: name the lot used.")
            % {"k": step.key, "m": ", ".join(sorted(missing))},
            field="materials",
        )
    Consumption.objects.bulk_create(rows)
    return done


def entries_content(step: BatchStep) -> dict[str, Any]:
    return {
        "batch": step.batch.code,
        "seq": step.seq,
        "key": step.key,
        "operator": step.operator_id,
        "done_at": step.done_at,
        "equipment": step.equipment_code,
        "entries": list(step.entries.order_by("key").values("key", "value", "unit", "in_limits")),
        "consumptions": list(step.consumptions.order_by("id").values("lot_id", "quantity", "unit")),
    }


@transaction.atomic
def verify_step(*, by: Any, step: BatchStep, password: str) -> BatchStep:
    """Second-person verification of a critical step (verifier ≠ operator), e-signed."""
    require_user(by)
    batch = lock(Batch.objects.filter(pk=step.batch_id))
    step = BatchStep.objects.select_related("batch").get(pk=step.pk)
    require(
        policy.is_facility_staff(by, batch.facility_id),
        _("Only the facility's staff may verify steps."),
    )
    open_batch(batch)
    if not step.critical:
        raise InvalidTransition(
            _("Step %(k)s is not critical; it needs no second-person verification.")
            % {"k": step.key}
        )
    if step.status != BatchStep.Status.DONE:
        raise InvalidTransition(
            _("Step %(k)s is %(s)s; only an executed step is verified.")
            % {"k": step.key, "s": step.get_status_display()}
        )
    if step.operator_id == by.pk:
        raise PolicyDenied(
            _("The verifier must be a second person, not the operator of step %(k)s.")
            % {"k": step.key}
        )
    signatures.apply_signature(
        by=by,
        password=password,
        obj=step,
        code=f"{batch.code}#{step.seq}",
        version=1,
        meaning="reviewed",
        content_hash=content_hash(entries_content(step)),
        organization=batch.facility,
    )
    step.status = BatchStep.Status.VERIFIED
    step.verifier = by
    step.verified_at = timezone.now()
    step.save(update_fields=["status", "verifier", "verified_at"])
    record(
        by,
        "production.step_verified",
        step,
        batch.facility,
        after={"batch": batch.code, "seq": step.seq},
    )
    _maybe_executed(batch)
    return step


def exceptions(batch: Batch) -> list[dict[str, Any]]:
    """Every exception of the batch record, for its review: out-of-limit entries, deviations,
    equipment not checked against the registry, operator comments, unverified critical steps,
    OOS results."""
    out: list[dict[str, Any]] = []
    for e in (
        StepEntry.objects.filter(step__batch=batch, in_limits=False)
        .select_related("step")
        .order_by("step__seq", "key")
    ):
        out.append(
            {
                "kind": "out_of_limits",
                "where": f"#{e.step.seq} {e.step.key}",
                "text": f"{e.key} = {e.value:g} {e.unit}",
            }
        )
    for s in batch.steps.filter(status=BatchStep.Status.DONE, critical=True).order_by("seq"):
        out.append(
            {
                "kind": "unverified",
                "where": f"#{s.seq} {s.key}",
                "text": str(_("critical step not verified")),
            }
        )
    for s in (
        batch.steps.exclude(status=BatchStep.Status.PENDING)
        .exclude(equipment_code="")
        .filter(equipment_checked=False)
        .order_by("seq")
    ):
        out.append(
            {
                "kind": "equipment_unchecked",
                "where": f"#{s.seq} {s.key}",
                "text": str(
                    _("%(c)s not checked against the equipment registry") % {"c": s.equipment_code}
                ),
            }
        )
    for s in batch.steps.exclude(comment="").order_by("seq"):
        out.append({"kind": "comment", "where": f"#{s.seq} {s.key}", "text": s.comment})
    for d in batch.deviations.order_by("id"):
        out.append(
            {
                "kind": "deviation",
                "where": d.code,
                "text": f"{d.title} [{d.get_status_display()}"
                + (f", {d.get_classification_display()}" if d.classification else "")
                + "]",
            }
        )
    for r in (
        batch.results.filter(conforms=False)
        .exclude(status=TestResult.Status.INVALIDATED)
        .order_by("id")
    ):
        out.append(
            {
                "kind": "oos",
                "where": r.sample.code,
                "text": f"{r.test_key}: {r.value if r.value is not None else r.text} {r.unit}",
            }
        )
    return out


def batch_content(batch: Batch) -> dict[str, Any]:
    return {
        "code": batch.code,
        "mbr": str(batch.mbr_version),
        "mbr_hash": batch.mbr_version.content_hash,
        "steps": list(
            batch.steps.order_by("seq").values(
                "seq", "key", "status", "operator_id", "verifier_id", "equipment_code"
            )
        ),
        "entries": list(
            StepEntry.objects.filter(step__batch=batch)
            .order_by("step__seq", "key")
            .values("step__seq", "key", "value", "unit", "in_limits")
        ),
        "consumptions": list(
            batch.consumptions.order_by("id").values("lot_id", "quantity", "unit")
        ),
    }


@transaction.atomic
def review_batch(*, by: Any, batch: Batch, password: str) -> Batch:
    """QA reviews the executed record (every exception listed) and e-signs it (reviewed)."""
    require_user(by)
    batch = lock(batch)
    require(policy.is_qa(by, batch.facility_id), _("Only QA may review a batch record."))
    open_batch(batch)
    if batch.status != B.EXECUTED:
        raise InvalidTransition(
            _("Batch %(b)s is %(s)s; only an executed record is reviewed.")
            % {"b": batch.code, "s": batch.get_status_display()}
        )
    listed = exceptions(batch)
    signatures.apply_signature(
        by=by,
        password=password,
        obj=batch,
        code=batch.code,
        version=1,
        meaning="reviewed",
        content_hash=content_hash({**batch_content(batch), "exceptions": listed}),
        organization=batch.facility,
    )
    batch.status = B.REVIEWED
    batch.review = listed
    batch.reviewed_by = by
    batch.reviewed_at = timezone.now()
    batch.save(update_fields=["status", "review", "reviewed_by", "reviewed_at"])
    record(
        by, "production.batch_reviewed", batch, batch.facility, after={"exceptions": len(listed)}
    )
    return batch


# ------------------------------------------------------------------------------------ QC


@transaction.atomic
def draw_sample(*, by: Any, batch: Batch, spec_version: SpecVersion, stage: str) -> Sample:
    require_user(by)
    batch = lock(batch)
    require(
        policy.is_facility_staff(by, batch.facility_id),
        _("Only the facility's staff may draw samples."),
    )
    open_batch(batch)
    if spec_version.specification.facility_id != batch.facility_id:
        raise DomainError(
            _("%(v)s is not a specification of this facility.") % {"v": spec_version},
            field="spec_version",
        )
    if spec_version.status != SpecVersion.Status.APPROVED:
        raise DomainError(
            _("%(v)s is not approved; test against the approved version in force.")
            % {"v": spec_version},
            field="spec_version",
        )
    stage = str(stage or "").upper()
    if stage not in recipes.STAGES:
        raise DomainError(_("The stage must be DS or DP."), field="stage")
    if not any(t["stage"] == stage for t in spec_version.tests):
        raise DomainError(
            _("%(v)s has no %(s)s tests.") % {"v": spec_version, "s": stage}, field="stage"
        )
    n = batch.samples.count() + 1
    sample = Sample.objects.create(
        batch=batch,
        spec_version=spec_version,
        code=f"{batch.code}-{stage}{n}",
        stage=stage,
        drawn_by=by,
        drawn_at=timezone.now(),
    )
    record(
        by,
        "production.sample_drawn",
        sample,
        batch.facility,
        after={"code": sample.code, "spec": str(spec_version)},
    )
    return sample


def spec_test(sample: Sample, key: str) -> dict[str, Any]:
    for t in sample.spec_version.tests:
        if t["key"] == key and t["stage"] == sample.stage:
            return t
    raise DomainError(
        _("%(v)s has no %(s)s test '%(k)s'.")
        % {"v": sample.spec_version, "s": sample.stage, "k": str(key)[:40]},
        field="test_key",
    )


@transaction.atomic
def enter_result(
    *,
    by: Any,
    sample: Sample,
    test_key: str,
    value: Any = None,
    unit: str = "",
    text_value: str = "",
    instrument_code: str = "",
) -> TestResult:
    """An analyst's result; checked against the sample's specification version; an OOS result
    opens an investigation (a deviation of kind OOS)."""
    require_user(by)
    batch = lock(Batch.objects.filter(pk=sample.batch_id))
    sample = Sample.objects.select_related("spec_version__specification").get(pk=sample.pk)
    require(
        policy.is_facility_staff(by, batch.facility_id),
        _("Only the facility's analysts may enter results."),
    )
    open_batch(batch)
    test = spec_test(sample, test_key)
    where = f"{sample.code}, {test['name_en']}"
    now = timezone.now()
    code = text(instrument_code, "instrument_code", max_length=40)
    checked = False
    if test.get("instrument"):
        problems, checked = readiness.equipment_problems(
            code, at=now, gmp=batch.grade == Grade.GMP, user=by
        )
        if problems:
            raise DomainError(" ".join(problems), field="instrument_code")
    fields: dict[str, Any] = {}
    if test["kind"] == "numeric":
        raw = {"value": value, "unit": unit} if unit else value
        v, u = parse_reading(raw, where, "value", _dimensionless(test["unit"]))
        in_spec_unit = to_unit(v, u, test["unit"], where, "unit")
        fields = {
            "value": v,
            "unit": u,
            "value_spec_unit": in_spec_unit,
            "conforms": within(in_spec_unit, test.get("low"), test.get("high")),
        }
    else:
        t = text(text_value, "text_value", required=True)
        fields = {"text": t, "conforms": t.casefold() == test["expected"].casefold()}
    with unique_or_conflict(
        _("%(s)s has a result for %(t)s already; invalidate it before a retest.")
        % {"s": sample.code, "t": test_key},
        field="test_key",
    ):
        result = TestResult.objects.create(
            sample=sample,
            batch=batch,
            test_key=test["key"],
            instrument_code=code,
            analyst=by,
            entered_at=now,
            **fields,
        )
    record(
        by,
        "production.result_entered",
        result,
        batch.facility,
        after={
            "sample": sample.code,
            "test": test["key"],
            "conforms": result.conforms,
            "instrument_checked": checked,
        },
    )
    if not result.conforms:
        quality.open_deviation(
            by=by,
            facility=batch.facility,
            kind="oos",
            title=_("OOS: %(t)s of %(s)s") % {"t": test["name_en"], "s": sample.code},
            description=_("Result %(r)s against %(lim)s (%(v)s).")
            % {
                "r": f"{result.value:g} {result.unit}" if result.value is not None else result.text,
                "lim": recipes.limits_text(test),
                "v": sample.spec_version,
            },
            batch=batch,
            result=result,
        )
    return result


def result_content(result: TestResult) -> dict[str, Any]:
    return {
        "sample": result.sample.code,
        "test": result.test_key,
        "value": result.value,
        "unit": result.unit,
        "text": result.text,
        "conforms": result.conforms,
        "analyst": result.analyst_id,
        "instrument": result.instrument_code,
        "entered_at": result.entered_at,
    }


@transaction.atomic
def verify_result(*, by: Any, result: TestResult, password: str) -> TestResult:
    """Independent verification by a second analyst (≠ the analyst), e-signed; the result is
    then accepted."""
    require_user(by)
    batch = lock(Batch.objects.filter(pk=result.batch_id))
    result = TestResult.objects.select_related("sample").get(pk=result.pk)
    require(
        policy.is_facility_staff(by, batch.facility_id),
        _("Only the facility's analysts may verify results."),
    )
    open_batch(batch)
    if result.status != TestResult.Status.ENTERED:
        raise InvalidTransition(
            _("The result is %(s)s; only an entered result is verified.")
            % {"s": result.get_status_display()}
        )
    if result.analyst_id == by.pk:
        raise PolicyDenied(
            _(
                "Verification must be independent: a second analyst, not the one who entered "
                "the result."
            )
        )
    signatures.apply_signature(
        by=by,
        password=password,
        obj=result,
        code=f"{result.sample.code}/{result.test_key}",
        version=1,
        meaning="reviewed",
        content_hash=content_hash(result_content(result)),
        organization=batch.facility,
    )
    result.status = TestResult.Status.VERIFIED
    result.verifier = by
    result.verified_at = timezone.now()
    result.save(update_fields=["status", "verifier", "verified_at"])
    record(
        by,
        "production.result_verified",
        result,
        batch.facility,
        after={"sample": result.sample.code, "test": result.test_key},
    )
    return result


@transaction.atomic
def invalidate_result(*, by: Any, result: TestResult, reason: str) -> TestResult:
    """QA invalidates a result (e.g. an OOS investigation found a laboratory error); a retest may
    then be entered. The invalidated result stays on record."""
    require_user(by)
    batch = lock(Batch.objects.filter(pk=result.batch_id))
    result = TestResult.objects.get(pk=result.pk)
    require(policy.is_qa(by, batch.facility_id), _("Only QA may invalidate a result."))
    open_batch(batch)
    reason = text(reason, "reason", required=True, max_length=2000)
    if result.status == TestResult.Status.INVALIDATED:
        raise InvalidTransition(_("The result is invalidated already."))
    result.status = TestResult.Status.INVALIDATED
    result.invalidated_reason = reason
    result.save(update_fields=["status", "invalidated_reason"])
    record(by, "production.result_invalidated", result, batch.facility, reason=reason)
    return result
