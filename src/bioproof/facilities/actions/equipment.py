"""Writes to the equipment registry: suites, equipment, rules, status, due dates, rates and
blackouts. Staff of the center only; every write audited."""

from __future__ import annotations

import re
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bioproof.consortium.models import Organization
from bioproof.core import audit
from bioproof.core.errors import DomainError, InvalidTransition
from bioproof.core.locking import lock, unique_or_conflict
from bioproof.core.policy import require
from bioproof.facilities import policy
from bioproof.facilities.actions.common import date_or_none, local, number, text, when
from bioproof.facilities.models import (
    HOLDING,
    Blackout,
    Booking,
    CustomerType,
    Equipment,
    Rate,
    Suite,
    overlaps,
)

CODE_RE = re.compile(r"^[A-Z0-9][A-Z0-9-]{1,29}$")
KEY_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{1,59}$")
RULE_FIELDS = (
    "min_minutes",
    "max_minutes",
    "notice_book_hours",
    "notice_change_hours",
    "notice_cancel_hours",
    "buffer_minutes",
    "approval_required",
    "modes",
    "no_show_minutes",
)
EQUIPMENT_FIELDS = (
    "center",
    "suite",
    "code",
    "name_ko",
    "name_en",
    "kind",
    "equipment_class",
    "working_volume_l",
    "location",
    "status",
    "registry_number",
    "calibration_due",
    "qualification_due",
    "required_qualifications",
    "gmp",
    *RULE_FIELDS,
)
LIMITS = {
    "min_minutes": (15, 60 * 24 * 30),
    "max_minutes": (15, 60 * 24 * 60),
    "notice_book_hours": (0, 24 * 90),
    "notice_change_hours": (0, 24 * 90),
    "notice_cancel_hours": (0, 24 * 90),
    "buffer_minutes": (0, 60 * 24 * 7),
    "no_show_minutes": (5, 60 * 24),
}


def _require_center(by: Any, center: Organization) -> None:
    require(policy.is_center_staff(by, center), _("Only the center's staff manage its equipment."))
    if center.kind != Organization.Kind.CENTER:
        raise DomainError(_("Equipment belongs to a demonstration center."), field="center")


def _code(value: Any) -> str:
    code = text(value, "code", required=True, max_length=30).upper()
    if not CODE_RE.match(code):
        raise DomainError(
            _("A code uses capital letters, digits and '-', e.g. MF-IVT-01."), field="code"
        )
    return code


def _keys(values: Any, field: str) -> list[str]:
    out = []
    for key in values or []:
        key = str(key).strip()
        if not KEY_RE.match(key):
            raise DomainError(
                _("'%(v)s' is not a valid qualification key.") % {"v": key}, field=field
            )
        if key not in out:
            out.append(key)
    return out


def _rules(fields: dict[str, Any], current: Equipment | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, (low, high) in LIMITS.items():
        if name in fields:
            out[name] = number(fields[name], name, low=low, high=high, integer=True)
    if "approval_required" in fields:
        out["approval_required"] = bool(fields["approval_required"])
    if "modes" in fields:
        if fields["modes"] not in Equipment.Modes.values:
            raise DomainError(_("Unknown use mode."), field="modes")
        out["modes"] = fields["modes"]
    lo = out.get("min_minutes", getattr(current, "min_minutes", 60))
    hi = out.get("max_minutes", getattr(current, "max_minutes", 14 * 24 * 60))
    if lo > hi:
        raise DomainError(_("The minimum booking is longer than the maximum."), field="min_minutes")
    return out


@transaction.atomic
def create_suite(
    *, by: Any, center: Organization, code: str, name_ko: str, name_en: str, **fields: Any
) -> Suite:
    _require_center(by, center)
    code = _code(code)
    with unique_or_conflict(_("Code %(c)s is taken.") % {"c": code}, field="code"):
        suite = Suite.objects.create(
            center=center,
            code=code,
            name_ko=text(name_ko, "name_ko", required=True),
            name_en=text(name_en, "name_en", required=True),
            location=text(fields.get("location"), "location"),
            gmp=bool(fields.get("gmp")),
        )
    audit.record(
        actor=by,
        action="facilities.suite_created",
        obj=suite,
        organization=center,
        after=audit.snapshot(suite, ("code", "name_ko", "name_en", "location", "gmp")),
    )
    return suite


@transaction.atomic
def register_equipment(
    *,
    by: Any,
    center: Organization,
    code: str,
    name_ko: str,
    name_en: str,
    kind: str,
    equipment_class: str,
    suite: Suite | None = None,
    **fields: Any,
) -> Equipment:
    """Register an equipment of ``center`` with its class, registry number, due dates and rules."""
    _require_center(by, center)
    code = _code(code)
    if kind not in Equipment.Kind.values:
        raise DomainError(_("Unknown equipment type '%(v)s'.") % {"v": kind}, field="kind")
    eq_class = text(equipment_class, "equipment_class", required=True, max_length=60)
    if not KEY_RE.match(eq_class):
        raise DomainError(
            _("'%(v)s' is not a valid equipment class.") % {"v": eq_class}, field="equipment_class"
        )
    if suite is not None and suite.center_id != center.pk:
        raise DomainError(_("The suite belongs to another center."), field="suite")
    volume = fields.get("working_volume_l")
    values = {
        "working_volume_l": None
        if volume in (None, "")
        else number(volume, "working_volume_l", low=0.001, high=100000),
        "location": text(fields.get("location"), "location"),
        "registry_number": text(fields.get("registry_number"), "registry_number", max_length=40),
        "calibration_due": date_or_none(fields.get("calibration_due"), "calibration_due"),
        "qualification_due": date_or_none(fields.get("qualification_due"), "qualification_due"),
        "required_qualifications": _keys(
            fields.get("required_qualifications"), "required_qualifications"
        ),
        "gmp": bool(fields.get("gmp")),
        **_rules(fields),
    }
    with unique_or_conflict(_("Code %(c)s is taken.") % {"c": code}, field="code"):
        equipment = Equipment.objects.create(
            center=center,
            suite=suite,
            code=code,
            name_ko=text(name_ko, "name_ko", required=True),
            name_en=text(name_en, "name_en", required=True),
            kind=kind,
            equipment_class=eq_class,
            created_by=by,
            **values,
        )
    audit.record(
        actor=by,
        action="facilities.equipment_registered",
        obj=equipment,
        organization=center,
        after=audit.snapshot(equipment, EQUIPMENT_FIELDS),
    )
    return equipment


@transaction.atomic
def update_equipment(*, by: Any, equipment: Equipment, **fields: Any) -> Equipment:
    """Change rules, due dates, location, registry number or required qualifications."""
    _require_center(by, equipment.center)
    equipment = lock(equipment)
    before = audit.snapshot(equipment, EQUIPMENT_FIELDS)
    changes: dict[str, Any] = _rules(fields, equipment)
    for name in ("calibration_due", "qualification_due"):
        if name in fields:
            changes[name] = date_or_none(fields[name], name)
    for name in ("location", "registry_number", "name_ko", "name_en"):
        if name in fields:
            changes[name] = text(fields[name], name, required=name.startswith("name"))
    if "required_qualifications" in fields:
        changes["required_qualifications"] = _keys(
            fields["required_qualifications"], "required_qualifications"
        )
    if "gmp" in fields:
        changes["gmp"] = bool(fields["gmp"])
    for name, value in changes.items():
        setattr(equipment, name, value)
    equipment.save()
    audit.record(
        actor=by,
        action="facilities.equipment_updated",
        obj=equipment,
        organization=equipment.center,
        before=before,
        after=audit.snapshot(equipment, EQUIPMENT_FIELDS),
    )
    return equipment


@transaction.atomic
def set_status(
    *, by: Any, equipment: Equipment, status: str, reason: str = "", until: Any = None
) -> Equipment:
    """Available / maintenance / out of service, with a reason (required unless available)."""
    _require_center(by, equipment.center)
    if status not in Equipment.Status.values:
        raise DomainError(_("Unknown status '%(v)s'.") % {"v": status}, field="status")
    equipment = lock(equipment)
    reason = text(reason, "reason", required=status != "available", max_length=2000)
    before = {"status": equipment.status, "status_reason": equipment.status_reason}
    equipment.status, equipment.status_reason = status, reason
    equipment.status_from = timezone.now()
    equipment.status_until = None if until in (None, "") else when(until, "until")
    equipment.save(update_fields=["status", "status_reason", "status_from", "status_until"])
    audit.record(
        actor=by,
        action="facilities.equipment_status",
        obj=equipment,
        organization=equipment.center,
        before=before,
        after={"status": status, "status_reason": reason},
        reason=reason,
    )
    return equipment


@transaction.atomic
def set_rate(
    *,
    by: Any,
    equipment: Equipment,
    customer_type: str,
    per_hour_krw: Any,
    per_day_krw: Any,
    assisted_surcharge_krw: Any = 0,
) -> Rate:
    _require_center(by, equipment.center)
    if customer_type not in CustomerType.values:
        raise DomainError(_("Unknown customer type."), field="customer_type")
    values = {
        "per_hour_krw": number(per_hour_krw, "per_hour_krw", low=0, high=10**11, integer=True),
        "per_day_krw": number(per_day_krw, "per_day_krw", low=0, high=10**12, integer=True),
        "assisted_surcharge_krw": number(
            assisted_surcharge_krw, "assisted_surcharge_krw", low=0, high=10**11, integer=True
        ),
    }
    lock(equipment)
    rate = Rate.objects.filter(equipment=equipment, customer_type=customer_type).first()
    before = audit.snapshot(rate, tuple(values)) if rate else None
    if rate is None:
        rate = Rate.objects.create(equipment=equipment, customer_type=customer_type, **values)
    else:
        for k, v in values.items():
            setattr(rate, k, v)
        rate.save()
    audit.record(
        actor=by,
        action="facilities.rate_set",
        obj=rate,
        organization=equipment.center,
        before=before,
        after={"customer_type": customer_type, **values},
    )
    return rate


@transaction.atomic
def add_blackout(
    *, by: Any, equipment: Equipment, starts_at: Any, ends_at: Any, reason: str
) -> Blackout:
    """Close the equipment for a period; refused while bookings hold it (cancel or move them)."""
    _require_center(by, equipment.center)
    start, end = when(starts_at, "starts_at"), when(ends_at, "ends_at")
    if end <= start:
        raise DomainError(_("The end is not after the start."), field="ends_at")
    reason = text(reason, "reason", required=True, max_length=300)
    equipment = lock(equipment)
    clash = list(
        Booking.objects.filter(overlaps(start, end), equipment=equipment, status__in=HOLDING)
        .order_by("starts_at")
        .values_list("code", flat=True)[:10]
    )
    if clash:
        raise InvalidTransition(
            _("%(eq)s is booked in that period (%(codes)s): move or cancel those bookings first.")
            % {"eq": equipment.code, "codes": ", ".join(clash)}
        )
    blackout = Blackout.objects.create(
        equipment=equipment, starts_at=start, ends_at=end, reason=reason, created_by=by
    )
    audit.record(
        actor=by,
        action="facilities.blackout_added",
        obj=blackout,
        organization=equipment.center,
        after={"equipment": equipment.code, "from": local(start), "until": local(end)},
        reason=reason,
    )
    return blackout


@transaction.atomic
def cancel_blackout(*, by: Any, blackout: Blackout) -> Blackout:
    _require_center(by, blackout.equipment.center)
    blackout = lock(blackout)
    if blackout.cancelled:
        raise InvalidTransition(_("This blackout is cancelled already."))
    blackout.cancelled = True
    blackout.save(update_fields=["cancelled"])
    audit.record(
        actor=by,
        action="facilities.blackout_cancelled",
        obj=blackout,
        organization=blackout.equipment.center,
        after={"cancelled": True},
    )
    return blackout
