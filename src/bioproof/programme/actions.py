"""Writes to the programme records (the only writers): targets and core items as versions, and
investment pledges and executions with their evidence. Each checks policy, validates, writes and
records its audit event in one transaction; a check-then-write locks what it guards first."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from bioproof.catalog.models import Category
from bioproof.consortium.models import Membership, Organization
from bioproof.core import audit, files
from bioproof.core.codes import next_code
from bioproof.core.errors import DomainError
from bioproof.core.locking import lock, lock_all, unique_or_conflict
from bioproof.core.policy import is_platform_admin, require
from bioproof.programme import policy
from bioproof.programme.models import CoreItem, Pledge, PledgeEvidence, Target, TargetSet

CODE_RE = re.compile(r"^[a-z0-9][a-z0-9-]{1,39}$")
MAX_ITEMS = 200
MAX_TARGETS = 200
MAX_KRW = 10**16
PLEDGE_FIELDS = (
    "code",
    "organization",
    "kind",
    "pledge",
    "amount_krw",
    "year",
    "site",
    "category",
    "note",
)


def _text(value: Any, field: str, *, required: bool = False, max_length: int = 200) -> str:
    value = str(value or "").strip()
    if required and not value:
        raise DomainError(_("This field is required."), field=field)
    if len(value) > max_length:
        raise DomainError(_("At most %(n)d characters, please.") % {"n": max_length}, field=field)
    return value


def _number(value: Any, field: str, *, low: float, high: float) -> float:
    try:
        number = float(str(value).replace(",", "").strip())
    except (TypeError, ValueError):
        raise DomainError(_("'%(v)s' is not a number.") % {"v": value}, field=field) from None
    if not math.isfinite(number) or not low <= number <= high:
        raise DomainError(
            _("Give a number from %(lo)s to %(hi)s.") % {"lo": f"{low:g}", "hi": f"{high:g}"},
            field=field,
        )
    return number


def _year(value: Any, field: str = "year") -> int:
    return int(_number(value, field, low=2000, high=2100))


# --------------------------------------------------------------------------- targets


def _items(rows: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    rows = list(rows)
    if len(rows) > MAX_ITEMS:
        raise DomainError(_("At most %(n)d core items.") % {"n": MAX_ITEMS}, field="items")
    categories = {c.code: c for c in Category.objects.all()}
    seen_codes: set[str] = set()
    seen_categories: set[int] = set()
    out = []
    for i, row in enumerate(rows, start=1):
        where = _("core item %(i)d") % {"i": i}
        code = _text(row.get("code"), "items", required=True, max_length=40).lower()
        if not CODE_RE.match(code):
            raise DomainError(
                _("%(where)s: the code '%(code)s' must be lower-case letters, digits and '-'.")
                % {"where": where, "code": code},
                field="items",
            )
        if code in seen_codes:
            raise DomainError(
                _("%(where)s: the code '%(code)s' is listed twice.")
                % {"where": where, "code": code},
                field="items",
            )
        category = categories.get(str(row.get("category") or "").strip())
        if category is None:
            raise DomainError(
                _("%(where)s: choose a catalog category.") % {"where": where}, field="items"
            )
        if category.pk in seen_categories:
            raise DomainError(
                _("%(where)s: the category %(c)s already belongs to another core item.")
                % {"where": where, "c": category.code},
                field="items",
            )
        unit = _text(row.get("volume_unit"), "items", required=True, max_length=20)
        out.append(
            {
                "code": code,
                "name_ko": _text(row.get("name_ko"), "items", required=True, max_length=120),
                "name_en": _text(row.get("name_en"), "items", required=True, max_length=120),
                "category": category,
                "volume_unit": unit,
                "target_share_pct": _number(row.get("target_share_pct"), "items", low=0, high=100),
                "target_year": _year(row.get("target_year") or 2030, "items"),
            }
        )
        seen_codes.add(code)
        seen_categories.add(category.pk)
    return out


def _targets(rows: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    rows = list(rows)
    if len(rows) > MAX_TARGETS:
        raise DomainError(_("At most %(n)d targets.") % {"n": MAX_TARGETS}, field="targets")
    seen: set[tuple[str, int]] = set()
    out = []
    for row in rows:
        indicator = str(row.get("indicator") or "")
        if indicator not in Target.Indicator.values:
            raise DomainError(
                _("'%(v)s' is not a programme indicator with a target.") % {"v": indicator},
                field="targets",
            )
        year = _year(row.get("year"), "targets")
        high = 100.0 if indicator == Target.Indicator.LOCALISATION else float(MAX_KRW)
        value = _number(row.get("value"), "targets", low=0, high=high)
        if (indicator, year) in seen:
            raise DomainError(
                _("The target of %(i)s for %(y)d is given twice.") % {"i": indicator, "y": year},
                field="targets",
            )
        seen.add((indicator, year))
        out.append({"indicator": indicator, "year": year, "value": value})
    return out


def _describe(target_set: TargetSet | None) -> dict[str, Any] | None:
    if target_set is None:
        return None
    return {
        "version": target_set.version,
        "items": [
            {
                "code": i.code,
                "name_ko": i.name_ko,
                "name_en": i.name_en,
                "category": i.category.code,
                "volume_unit": i.volume_unit,
                "target_share_pct": i.target_share_pct,
                "target_year": i.target_year,
            }
            for i in target_set.core_items.select_related("category").order_by("code")
        ],
        "targets": [
            {"indicator": t.indicator, "year": t.year, "value": t.value}
            for t in target_set.targets.order_by("indicator", "year")
        ],
    }


@transaction.atomic
def publish_targets(
    *,
    by: Any,
    reason: str,
    items: Iterable[Mapping[str, Any]],
    targets: Iterable[Mapping[str, Any]],
) -> TargetSet:
    """The programme office publishes a new version of the targets and the core-item list; the
    previous version stays, no longer current. The reason is required and audited."""
    require(is_platform_admin(by), _("Only the programme office edits the programme targets."))
    reason = _text(reason, "reason", required=True, max_length=2000)
    clean_items, clean_targets = _items(items), _targets(targets)
    current = lock_all(TargetSet.objects.filter(is_current=True))
    before = _describe(current[0]) if current else None
    version = (TargetSet.objects.aggregate(v=Max("version"))["v"] or 0) + 1
    TargetSet.objects.filter(pk__in=[t.pk for t in current]).update(is_current=False)
    with unique_or_conflict(_("Another version was published at the same time; reload.")):
        target_set = TargetSet.objects.create(version=version, reason=reason, created_by=by)
    CoreItem.objects.bulk_create(CoreItem(target_set=target_set, **row) for row in clean_items)
    Target.objects.bulk_create(Target(target_set=target_set, **row) for row in clean_targets)
    audit.record(
        actor=by,
        action="programme.targets_published",
        obj=target_set,
        before=before,
        after=_describe(target_set),
        reason=reason,
    )
    return target_set


# --------------------------------------------------------------------------- pledges


def _may_record(by: Any, organization: Organization) -> bool:
    if is_platform_admin(by):
        return True
    return organization.pk in policy.member_org_ids(by) and by.has_role(
        organization, Membership.Role.STAFF
    )


@transaction.atomic
def record_pledge(
    *,
    by: Any,
    organization: Organization,
    kind: str,
    amount_krw: Any,
    year: Any,
    site: str,
    category: str,
    note: str = "",
    pledge: Pledge | None = None,
    evidence: Iterable[tuple[str, Any]] = (),
) -> Pledge:
    """A member company records an investment pledge, or an execution against one of its pledges,
    with evidence files (name, file) stored in the shared file store."""
    require(
        _may_record(by, organization),
        _("Only a consortium member's staff or the programme office record its investments."),
    )
    if kind not in Pledge.Kind.values:
        raise DomainError(_("Choose pledge or execution."), field="kind")
    if category not in Pledge.Category.values:
        raise DomainError(_("Choose a category."), field="category")
    amount = _number(amount_krw, "amount_krw", low=1, high=MAX_KRW)
    if amount != int(amount):
        raise DomainError(_("Give the amount in whole won."), field="amount_krw")
    year = _year(year)
    this_year = timezone.localdate().year
    if kind == Pledge.Kind.EXECUTION:
        if pledge is None:
            raise DomainError(_("Choose the pledge this execution fulfils."), field="pledge")
        pledge = lock(pledge)
        if pledge.organization_id != organization.pk or pledge.kind != Pledge.Kind.PLEDGE:
            raise DomainError(_("Choose one of this organization's pledges."), field="pledge")
        if pledge.withdrawn_at is not None:
            raise DomainError(_("That pledge was withdrawn."), field="pledge")
        if year > this_year:
            raise DomainError(_("An execution cannot lie in a future year."), field="year")
    elif pledge is not None:
        raise DomainError(_("A pledge does not refer to another pledge."), field="pledge")
    row = Pledge.objects.create(
        code=next_code("PL"),
        organization=organization,
        kind=kind,
        pledge=pledge,
        amount_krw=int(amount),
        year=year,
        site=_text(site, "site", required=True),
        category=category,
        note=_text(note, "note", max_length=2000),
        recorded_by=by,
    )
    audit.record(
        actor=by,
        action=f"programme.{kind}_recorded",
        obj=row,
        organization=organization,
        after=audit.snapshot(row, PLEDGE_FIELDS),
    )
    for filename, data in evidence:
        _store_evidence(by=by, pledge=row, filename=filename, data=data)
    return row


def _store_evidence(*, by: Any, pledge: Pledge, filename: str, data: Any) -> PledgeEvidence:
    filename = (filename or "").replace("\\", "/").rsplit("/", 1)[-1].strip()
    if not filename:
        raise DomainError(_("The file has no name."), field="evidence")
    stored = files.store(data, prefix="programme-evidence", filename=filename)
    evidence = PledgeEvidence.objects.create(
        pledge=pledge,
        filename=filename[:200],
        file=stored.name,
        sha256=stored.sha256,
        size=stored.size,
        uploaded_by=by,
    )
    audit.record(
        actor=by,
        action="programme.evidence_added",
        obj=evidence,
        organization=pledge.organization,
        after={
            "pledge": pledge.code,
            "filename": evidence.filename,
            "sha256": evidence.sha256,
            "size": evidence.size,
        },
    )
    return evidence


@transaction.atomic
def add_evidence(*, by: Any, pledge: Pledge, filename: str, data: Any) -> PledgeEvidence:
    pledge = lock(pledge)
    require(
        _may_record(by, pledge.organization),
        _("Only a consortium member's staff or the programme office record its investments."),
    )
    if pledge.withdrawn_at is not None:
        raise DomainError(_("That record was withdrawn."), field="evidence")
    return _store_evidence(by=by, pledge=pledge, filename=filename, data=data)


@transaction.atomic
def withdraw_pledge(*, by: Any, pledge: Pledge, reason: str) -> Pledge:
    """Withdraw a pledge or execution recorded in error; it stays on record with the reason.
    A pledge with executions still standing cannot be withdrawn."""
    pledge = lock(pledge)
    require(
        _may_record(by, pledge.organization),
        _("Only a consortium member's staff or the programme office record its investments."),
    )
    reason = _text(reason, "reason", required=True, max_length=2000)
    if pledge.withdrawn_at is not None:
        raise DomainError(_("That record was already withdrawn."))
    if pledge.executions.filter(withdrawn_at__isnull=True).exists():
        raise DomainError(_("Withdraw its executions first."))
    before = {"withdrawn_at": None, "withdrawal_reason": ""}
    pledge.withdrawn_at = timezone.now()
    pledge.withdrawal_reason = reason
    pledge.save(update_fields=["withdrawn_at", "withdrawal_reason"])
    audit.record(
        actor=by,
        action="programme.pledge_withdrawn",
        obj=pledge,
        organization=pledge.organization,
        before=before,
        after={"withdrawn_at": pledge.withdrawn_at, "withdrawal_reason": reason},
        reason=reason,
    )
    return pledge
