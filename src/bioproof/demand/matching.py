"""Matching a need to candidate products, with the reasons (deterministic; see docs/search.md).

Candidates are the *listed* products of the need's category or of any category below it. Each
gets a score from these points:

| reason                                                        | points |
|---------------------------------------------------------------|--------|
| product in the need's own category                            | +20    |
| product in a sub-category of the need's category              | +10    |
| each required specification met                               | +10    |
| each required specification not met                           | −25    |
| each required specification unknown (the product has no value)| 0      |
| each public track record whose criteria all passed (≤ 3)      | +15    |
| each other public track record (≤ 3 counted in all)           | +5     |

and candidates are ordered by (number of unmet specifications ascending, score descending,
product code ascending): a product that misses a required specification never ranks above one
that misses none, whatever its track records.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import get_language

from bioproof.catalog.models import Category, Product

CATEGORY_EXACT = 20
CATEGORY_SUBTREE = 10
SPEC_MET = 10
SPEC_NOT_MET = -25
SPEC_UNKNOWN = 0
TRACK_RECORD_PASSED = 15
TRACK_RECORD_OTHER = 5
TRACK_RECORDS_COUNTED = 3

MET, NOT_MET, UNKNOWN = "met", "not_met", "unknown"


def subtree_ids(category: Category | int) -> list[int]:
    """The category's id and the ids of every category below it (the tree is small)."""
    root = category if isinstance(category, int) else category.pk
    children: dict[int | None, list[int]] = defaultdict(list)
    for pk, parent in Category.objects.values_list("id", "parent_id"):
        children[parent].append(pk)
    out, stack = [], [root]
    while stack:
        pk = stack.pop()
        out.append(pk)
        stack.extend(children.get(pk, ()))
    return sorted(out)


@dataclass(frozen=True)
class SpecCheck:
    key: str
    comparison: str
    required: Any
    actual: Any
    status: str
    label_en: str = ""
    label_ko: str = ""
    unit: str = ""

    @property
    def label(self) -> str:
        en = (get_language() or "ko").startswith("en")
        return (self.label_en if en else self.label_ko) or self.key

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "comparison": self.comparison,
            "required": self.required,
            "actual": self.actual,
            "status": self.status,
            "unit": self.unit,
        }


@dataclass(frozen=True)
class Evidence:
    """A public track record of the product and its verdict."""

    code: str
    version: int
    center: str
    verdict: str  # "pass" (all criteria passed), "fail" (one failed), "unknown"
    criteria_passed: int
    criteria_total: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "version": self.version,
            "center": self.center,
            "verdict": self.verdict,
            "criteria_passed": self.criteria_passed,
            "criteria_total": self.criteria_total,
        }


@dataclass(frozen=True)
class Match:
    product: Product
    score: int
    category_exact: bool
    specs: tuple[SpecCheck, ...] = ()
    track_records: tuple[Evidence, ...] = ()
    proposal_status: str = ""
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def unmet(self) -> int:
        return self.counts.get(NOT_MET, 0)

    @property
    def met(self) -> int:
        return self.counts.get(MET, 0)

    @property
    def unknown(self) -> int:
        return self.counts.get(UNKNOWN, 0)

    def sort_key(self) -> tuple[int, int, str]:
        return (self.unmet, -self.score, self.product.code)

    def to_dict(self) -> dict[str, Any]:
        return {
            "product": self.product.code,
            "name_ko": self.product.name_ko,
            "name_en": self.product.name_en,
            "supplier": self.product.supplier.code,
            "category": self.product.category.code,
            "score": self.score,
            "category_exact": self.category_exact,
            "specs_met": self.met,
            "specs_not_met": self.unmet,
            "specs_unknown": self.unknown,
            "specs": [s.to_dict() for s in self.specs],
            "track_records": [t.to_dict() for t in self.track_records],
            "proposal_status": self.proposal_status,
        }


def _number(value: Any) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def check(requirement: dict[str, Any], specs: dict[str, Any], fields: dict[str, Any]) -> SpecCheck:
    """One required specification against a product's specs."""
    key, comparison, required = requirement["key"], requirement["comparison"], requirement["value"]
    actual = specs.get(key)
    status = UNKNOWN
    if actual is not None and actual != "":
        if comparison in ("min", "max"):
            a, r = _number(actual), _number(required)
            if a is not None and r is not None:
                status = MET if (a >= r if comparison == "min" else a <= r) else NOT_MET
        else:
            a, r = _number(actual), _number(required)
            if a is not None and r is not None:
                status = MET if abs(a - r) <= 1e-9 * max(1.0, abs(r)) else NOT_MET
            else:
                same = str(actual).strip().casefold() == str(required).strip().casefold()
                status = MET if same else NOT_MET
    f = fields.get(key) or (key, "", "", "", "")
    return SpecCheck(key, comparison, required, actual, status, f[1], f[2], f[4])


def _verdict(criteria: list[Any]) -> tuple[str, int]:
    passed = sum(1 for c in criteria if c.passed is True)
    if criteria and passed == len(criteria):
        return "pass", passed
    if any(c.passed is False for c in criteria):
        return "fail", passed
    return "unknown", passed


def evidence_for(
    product_ids: list[int] | None = None, category_ids: list[int] | None = None
) -> dict[int, list[Evidence]]:
    """Public track records by product id, newest first."""
    from bioproof.evaluations.models import TrackRecord

    records = TrackRecord.objects.public().select_related("evaluation__center")
    if product_ids is not None:
        records = records.filter(evaluation__product_id__in=product_ids)
    if category_ids is not None:
        records = records.filter(
            evaluation__product__category_id__in=category_ids, evaluation__product__status="listed"
        )
    out: dict[int, list[Evidence]] = defaultdict(list)
    for record in records.prefetch_related("evaluation__criteria").order_by("-published_at", "-id"):
        ev = record.evaluation
        criteria = list(ev.criteria.all())
        verdict, passed = _verdict(criteria)
        out[ev.product_id].append(
            Evidence(ev.code, ev.version, ev.center.name, verdict, passed, len(criteria))
        )
    return out


def score(
    product: Product,
    need: Any,
    *,
    fields: dict[str, Any],
    evidence: list[Evidence],
    proposal_status: str = "",
) -> Match:
    exact = product.category_id == need.category_id
    points = CATEGORY_EXACT if exact else CATEGORY_SUBTREE
    checks = tuple(check(r, product.specs or {}, fields) for r in need.required_specs)
    counts = {MET: 0, NOT_MET: 0, UNKNOWN: 0}
    for c in checks:
        counts[c.status] += 1
    points += (
        SPEC_MET * counts[MET] + SPEC_NOT_MET * counts[NOT_MET] + SPEC_UNKNOWN * counts[UNKNOWN]
    )
    for record in evidence[:TRACK_RECORDS_COUNTED]:
        points += TRACK_RECORD_PASSED if record.verdict == "pass" else TRACK_RECORD_OTHER
    return Match(product, points, exact, checks, tuple(evidence), proposal_status, counts)


def candidates(need: Any, *, limit: int | None = 50) -> list[Match]:
    """Ranked candidate products for ``need`` (listed products only: public information)."""
    from bioproof.demand.models import Proposal

    categories = subtree_ids(need.category_id)
    products = list(
        Product.objects.filter(status=Product.Status.LISTED, category_id__in=categories)
        .select_related("supplier", "category")
        .order_by("code")
    )
    fields = {f[0]: f for f in need.category.spec_fields}
    evidence = evidence_for(category_ids=categories)
    proposals = dict(
        Proposal.objects.filter(need=need)
        .exclude(status=Proposal.Status.DECLINED)
        .values_list("product_id", "status")
    )
    matches = [
        score(
            p,
            need,
            fields=fields,
            evidence=evidence.get(p.pk, []),
            proposal_status=proposals.get(p.pk, ""),
        )
        for p in products
    ]
    matches.sort(key=Match.sort_key)
    return matches if limit is None else matches[:limit]
