"""Programme indicators, each defined once: formula, source records, unit.

Every indicator is computed from the records (never typed in) into *facts*: small rows keyed by
the dimensions a page filters on (``q`` quarter ``YYYY-Qn`` in Asia/Seoul, ``center`` and
``category`` ids) with the measures and ``orgs`` — the ids of the organizations behind the row,
which the public page needs for its k-anonymity rule (no figure from fewer than
:data:`K_MIN` organizations). :func:`compute_all` runs in the job queue and its result is stored
as a :class:`~bioproof.programme.models.Snapshot`; :func:`summarise` turns filtered facts into
the figures, series and tables the pages, exports and API show.

Definitions (unit; formula; source records):

- ``evaluations`` (count): current evaluation versions, requests included; ``Evaluation``
  (``is_current``), quarter of the request.
- ``pass_rate`` (%): 100 × passed / decided; decided = analysed or later with every criterion
  judged; passed = every criterion met; ``Evaluation`` + ``Criterion``, quarter of the analysis.
- ``lead_time`` (days): first report's time − request time; median and p90 (linear
  interpolation, Hyndman & Fan 1996 type 7); ``Evaluation`` + ``Report``.
- ``track_records`` (count): published track records not withdrawn; ``TrackRecord``.
- ``adoptions`` (count, KRW): adoptions; Σ declared yearly value; ``Adoption``.
- ``localisation`` (%): per core item i and year Y,
  100 × Σ_o A_oi / Σ_o max(C_oi, A_oi), with A the domestic adopted yearly volume (or value) and
  C the declared yearly consumption of the imported incumbent (needs) of demand company o,
  cumulative to the end of Y (units converted with pint to the item's unit); overall = the same
  sums by value over every item; ``Adoption``, ``Need``, ``CoreItem``.
- ``trainees`` (persons): confirmed enrollments; attended = present or late on a day; passed =
  a final signed passing result; ``training.Enrollment``, quarter of the session start.
- ``investment`` (KRW): Σ amounts of pledges and of executions not withdrawn, by year;
  ``Pledge``.
- ``utilisation`` (%): 100 × Σ booked hours / Σ available hours (each of the center's equipment
  × the hours of the quarter), booked = bookings that held the equipment (confirmed, checked in,
  completed, released no-shows), by the quarter of their start; used hours from check-out;
  ``facilities.Booking``.
- ``service_revenue`` (KRW): Σ invoice subtotals (VAT excluded) by quarter of issue, center and
  funding line (self-use vs test/analysis service); ``facilities.Invoice``.
- ``mrna_released`` (batches): QA release decisions by quarter; ``production.Disposition``.

Reference for the localisation rate: the government's 2024 bio-manufacturing 소부장 strategy
defines self-sufficiency as the domestic share of the materials used; the platform measures the
share it can prove — adoptions recorded against the declared use of the imported incumbent.
"""

from __future__ import annotations

import datetime as dt
import math
import time
import zoneinfo
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.db.models import Count, Min, Q
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

K_MIN = 3
SEOUL = zoneinfo.ZoneInfo("Asia/Seoul")
DECIDED_STATES = ("analysed", "authored", "reviewed", "approved", "published")


@dataclass(frozen=True)
class Indicator:
    key: str
    title: str | Promise
    unit: str
    formula: str | Promise
    sources: str
    compute: Callable[[], list[dict[str, Any]]]


def quarter(value: dt.date | dt.datetime | None) -> str | None:
    """``YYYY-Qn`` of a date, or of a datetime read in Asia/Seoul."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        value = value.astimezone(SEOUL).date() if value.tzinfo else value.date()
    return f"{value.year}-Q{(value.month - 1) // 3 + 1}"


def _group(rows: Iterable[tuple[tuple[Any, ...], dict[str, float], int | None]]) -> list[dict]:
    """Sum measures per dimension tuple and collect the organizations behind each group."""
    sums: dict[tuple[Any, ...], dict[str, Any]] = {}
    for dims, measures, org in rows:
        fact = sums.get(dims)
        if fact is None:
            fact = sums[dims] = {"_orgs": set()}
        for name, value in measures.items():
            if isinstance(value, list):
                fact.setdefault(name, []).extend(value)
            else:
                fact[name] = fact.get(name, 0) + value
        if org is not None:
            fact["_orgs"].add(org)
    return [(dims, fact) for dims, fact in sums.items()]  # type: ignore[misc]


def _facts(names: tuple[str, ...], grouped: list[Any]) -> list[dict[str, Any]]:
    out = []
    for dims, fact in grouped:
        row = dict(zip(names, dims, strict=True))
        row.update({k: v for k, v in fact.items() if k != "_orgs"})
        row["orgs"] = sorted(fact["_orgs"])
        out.append(row)
    return out


# --------------------------------------------------------------------------- evaluation indicators


def evaluations() -> list[dict[str, Any]]:
    from bioproof.evaluations.models import Evaluation

    rows = Evaluation.objects.filter(is_current=True).values_list(
        "created_at", "center_id", "product__category_id", "status", "product__supplier_id"
    )
    names = ("q", "center", "category", "status")
    return _facts(
        names,
        _group(((quarter(c), ce, ca, s), {"n": 1}, o) for c, ce, ca, s, o in rows.iterator(5000)),
    )


def pass_rate() -> list[dict[str, Any]]:
    from bioproof.evaluations.models import Evaluation

    rows = (
        Evaluation.objects.filter(is_current=True, status__in=DECIDED_STATES)
        .annotate(
            n_criteria=Count("criteria"),
            n_judged=Count("criteria", filter=Q(criteria__passed__isnull=False)),
            n_passed=Count("criteria", filter=Q(criteria__passed=True)),
        )
        .filter(n_criteria__gt=0)
        .values_list(
            "analysed_at",
            "created_at",
            "center_id",
            "product__category_id",
            "product__supplier_id",
            "n_criteria",
            "n_judged",
            "n_passed",
        )
    )
    grouped = _group(
        (
            (quarter(analysed or created), ce, ca),
            {"decided": 1, "passed": int(passed == n)},
            o,
        )
        for analysed, created, ce, ca, o, n, judged, passed in rows.iterator(5000)
        if judged == n
    )
    return _facts(("q", "center", "category"), grouped)


def lead_time() -> list[dict[str, Any]]:
    from bioproof.evaluations.models import Evaluation

    rows = (
        Evaluation.objects.filter(is_current=True)
        .annotate(first_report=Min("reports__generated_at"))
        .filter(first_report__isnull=False)
        .values_list(
            "created_at",
            "first_report",
            "center_id",
            "product__category_id",
            "product__supplier_id",
        )
    )
    grouped = _group(
        (
            (quarter(report), ce, ca),
            {"days": [round((report - created).total_seconds() / 86400.0, 3)]},
            o,
        )
        for created, report, ce, ca, o in rows.iterator(5000)
    )
    return _facts(("q", "center", "category"), grouped)


def track_records() -> list[dict[str, Any]]:
    from bioproof.evaluations.models import TrackRecord

    rows = TrackRecord.objects.filter(withdrawn_at__isnull=True).values_list(
        "published_at",
        "evaluation__center_id",
        "evaluation__product__category_id",
        "evaluation__product__supplier_id",
    )
    return _facts(
        ("q", "center", "category"),
        _group(((quarter(p), ce, ca), {"n": 1}, o) for p, ce, ca, o in rows.iterator(5000)),
    )


def adoptions() -> list[dict[str, Any]]:
    from bioproof.demand.models import Adoption

    rows = Adoption.objects.values_list(
        "adopted_on",
        "evaluation__center_id",
        "product__category_id",
        "organization_id",
        "yearly_value_krw",
    )
    return _facts(
        ("q", "center", "category"),
        _group(
            ((quarter(day), ce, ca), {"n": 1, "value_krw": value or 0}, o)
            for day, ce, ca, o, value in rows.iterator(5000)
        ),
    )


# --------------------------------------------------------------------------- localisation


def _item_of_category() -> tuple[dict[int, Any], list[Any]]:
    """Each catalog category → the current core item whose subtree holds it (nearest ancestor)."""
    from bioproof.catalog.models import Category
    from bioproof.programme.models import CoreItem

    items = list(CoreItem.objects.filter(target_set__is_current=True).select_related("category"))
    by_category = {item.category_id: item for item in items}
    parent = dict(Category.objects.values_list("id", "parent_id"))
    mapping: dict[int, Any] = {}
    for cid in parent:
        node, seen = cid, 0
        while node is not None and seen < 64:
            if node in by_category:
                mapping[cid] = by_category[node]
                break
            node, seen = parent.get(node), seen + 1
    return mapping, items


def _to_unit(value: float | None, unit: str, target: str) -> float | None:
    """``value`` in ``unit`` converted to ``target`` (pint), None when it cannot be."""
    from bioproof.analysis.units import conversion_factor

    if value is None:
        return None
    unit, target = (unit or "").strip(), (target or "").strip()
    if unit == target:
        return float(value)
    try:
        return float(value) * conversion_factor(unit, target)
    except ValueError:
        return None


def localisation() -> list[dict[str, Any]]:
    """Facts ``{item, year, dom_volume, tot_volume, dom_value, tot_value, unconverted, orgs}``,
    cumulative to the end of each year from the first record to this year."""
    from bioproof.demand.models import Adoption, Need

    mapping, items = _item_of_category()
    if not items:
        return []
    needs = Need.objects.filter(category_id__in=list(mapping)).values_list(
        "organization_id",
        "category_id",
        "created_at",
        "yearly_volume",
        "volume_unit",
        "yearly_value_krw",
    )
    adopted = Adoption.objects.filter(product__category_id__in=list(mapping)).values_list(
        "organization_id",
        "product__category_id",
        "adopted_on",
        "yearly_volume",
        "volume_unit",
        "yearly_value_krw",
    )
    # (kind, org, item code) → list of (year, volume in the item's unit or None, value or None)
    records: dict[tuple[str, int, str], list[tuple[int, float | None, float | None]]] = defaultdict(
        list
    )
    years: set[int] = set()
    for kind, rows in (("need", needs), ("adoption", adopted)):
        for org, cat, when, volume, unit, value in rows.iterator(5000):
            item = mapping[cat]
            year = (when.astimezone(SEOUL) if isinstance(when, dt.datetime) else when).year
            years.add(year)
            records[(kind, org, item.code)].append(
                (
                    year,
                    _to_unit(volume, unit, item.volume_unit) if volume is not None else None,
                    value,
                )
            )
    if not years:
        return []
    this_year = dt.datetime.now(SEOUL).year
    facts = []
    pairs = {(org, code) for _kind, org, code in records}
    for item in items:
        for year in range(min(years), max(max(years), this_year) + 1):
            fact = {
                "item": item.code,
                "year": year,
                "dom_volume": 0.0,
                "tot_volume": 0.0,
                "dom_value": 0.0,
                "tot_value": 0.0,
                "unconverted": 0,
                "orgs": set(),
            }
            for org, code in pairs:
                if code != item.code:
                    continue
                sums = {}
                for kind in ("need", "adoption"):
                    rows = [r for r in records.get((kind, org, code), []) if r[0] <= year]
                    sums[kind] = (
                        sum(r[1] for r in rows if r[1] is not None),
                        sum(r[2] for r in rows if r[2] is not None),
                    )
                    fact["unconverted"] += sum(1 for r in rows if r[1] is None)
                (c_vol, c_val), (a_vol, a_val) = sums["need"], sums["adoption"]
                if a_vol or c_vol or a_val or c_val:
                    fact["dom_volume"] += a_vol
                    fact["tot_volume"] += max(c_vol, a_vol)
                    fact["dom_value"] += a_val
                    fact["tot_value"] += max(c_val, a_val)
                    if a_vol or a_val:
                        fact["orgs"].add(org)
            fact["orgs"] = sorted(fact["orgs"])
            facts.append(fact)
    return facts


# --------------------------------------------------------------------------- people and money


def trainees() -> list[dict[str, Any]]:
    from django.db.models import Exists, OuterRef

    from bioproof.training.models import Assessment, Attendance, Enrollment
    from bioproof.training.reporting import ORG_TYPES

    rows = (
        Enrollment.objects.filter(status="confirmed")
        .annotate(
            attended=Exists(
                Attendance.objects.filter(enrollment=OuterRef("pk"), status__in=["present", "late"])
            ),
            passed=Exists(
                Assessment.objects.filter(
                    enrollment=OuterRef("pk"), is_current=True, status="final", passed=True
                )
            ),
        )
        .values_list(
            "session__starts_on",
            "session__center_id",
            "session__course_version__course__code",
            "organization__kind",
            "organization_id",
            "attended",
            "passed",
        )
    )
    grouped = _group(
        (
            (quarter(day), ce, None, course, ORG_TYPES.get(kind or "", "other")),
            {"enrolled": 1, "attended": int(att), "passed": int(ok)},
            org,
        )
        for day, ce, course, kind, org, att, ok in rows.iterator(5000)
    )
    return _facts(("q", "center", "category", "course", "type"), grouped)


def investment() -> list[dict[str, Any]]:
    from bioproof.programme.models import Pledge

    rows = Pledge.objects.filter(withdrawn_at__isnull=True).values_list(
        "year", "kind", "category", "amount_krw", "organization_id"
    )
    grouped = _group(
        ((f"{year}-Q4", None, None, kind, cat), {"amount_krw": amount}, org)
        for year, kind, cat, amount, org in rows.iterator(5000)
    )
    return _facts(("q", "center", "category", "kind", "pledge_category"), grouped)


# --------------------------------------------------------------------------- center services


def utilisation() -> list[dict[str, Any]]:
    """Facts ``{q, center, booked_h, used_h, no_shows, available_h, orgs}`` per center and
    quarter (Asia/Seoul) of the bookings' start.

    One ``GROUP BY`` center, quarter and customer organization in the database (one scan of the
    bookings); Python adds up those groups — a few per customer and quarter, never one per
    booking — and collects each center-quarter's organizations for the k rule.
    """
    from django.apps import apps
    from django.db.models import DurationField, ExpressionWrapper, F, Sum
    from django.db.models.functions import TruncQuarter

    if not apps.is_installed("bioproof.facilities"):
        return []
    from bioproof.facilities.models import Booking, Equipment

    held = ("confirmed", "checked_in", "completed", "released")
    duration = ExpressionWrapper(F("ends_at") - F("starts_at"), output_field=DurationField())
    groups = (
        Booking.objects.filter(status__in=held)
        .annotate(quarter=TruncQuarter("starts_at", tzinfo=SEOUL))
        .values_list("equipment__center_id", "quarter", "organization_id")
        .annotate(
            booked=Sum(duration),
            used=Sum("used_minutes"),
            no_shows=Count("id", filter=Q(status="released")),
        )
        .order_by()
    )
    sums: dict[tuple[int, str], dict[str, Any]] = {}
    for center, start_q, org, booked, used, no_shows in groups:
        key = (center, quarter(start_q))
        row = sums.get(key)
        if row is None:
            row = sums[key] = {"booked": dt.timedelta(0), "used": 0, "no_shows": 0, "orgs": set()}
        row["booked"] += booked or dt.timedelta(0)
        row["used"] += used or 0
        row["no_shows"] += no_shows
        if org is not None:
            row["orgs"].add(org)
    n_equipment = dict(
        Equipment.objects.values("center_id").annotate(n=Count("id")).values_list("center_id", "n")
    )
    facts = []
    for (center, q), row in sorted(sums.items(), key=lambda item: (item[0][1], item[0][0])):
        year, part = int(q[:4]), int(q[-1])
        start = dt.datetime(year, 3 * part - 2, 1)
        end = dt.datetime(year + (part == 4), (3 * part) % 12 + 1, 1)
        hours = (end - start).total_seconds() / 3600
        booked_s = row["booked"].total_seconds()
        facts.append(
            {
                "q": q,
                "center": center,
                "category": None,
                "booked_h": round(booked_s / 3600, 3) if booked_s else 0,
                "used_h": round(row["used"] / 60, 3),
                "no_shows": row["no_shows"],
                "available_h": hours * n_equipment.get(center, 0),
                "orgs": sorted(row["orgs"]),
            }
        )
    return facts


def service_revenue() -> list[dict[str, Any]]:
    from django.apps import apps

    if not apps.is_installed("bioproof.facilities"):
        return []
    from bioproof.facilities.models import Invoice

    rows = Invoice.objects.values_list(
        "issued_on", "project__center_id", "funding_line", "subtotal_krw", "project__company_id"
    )
    grouped = _group(
        ((quarter(day), ce, None, line), {"revenue_krw": amount}, org)
        for day, ce, line, amount, org in rows.iterator(5000)
    )
    return _facts(("q", "center", "category", "funding_line"), grouped)


def mrna_released() -> list[dict[str, Any]]:
    from django.apps import apps

    if not apps.is_installed("bioproof.production"):
        return []
    from bioproof.production.models import Disposition

    rows = Disposition.objects.filter(decision="release").values_list(
        "decided_at", "batch__facility_id", "batch__order__customer_id"
    )
    grouped = _group(
        ((quarter(at), ce, None), {"n": 1}, org) for at, ce, org in rows.iterator(5000)
    )
    return _facts(("q", "center", "category"), grouped)


INDICATORS: dict[str, Indicator] = {}


def register(indicator: Indicator) -> Indicator:
    INDICATORS[indicator.key] = indicator
    return indicator


for _ind in (
    Indicator(
        "evaluations",
        _("Evaluations"),
        "count",
        _("Number of current evaluation versions, by state, center, category and quarter."),
        "evaluations.Evaluation",
        evaluations,
    ),
    Indicator(
        "pass_rate",
        _("Pass rate"),
        "%",
        _("100 × evaluations meeting every criterion / evaluations with every criterion judged."),
        "evaluations.Evaluation, evaluations.Criterion",
        pass_rate,
    ),
    Indicator(
        "lead_time",
        _("Lead time from request to report"),
        "days",
        _("Days from the request to the first issued report; median and 90th percentile."),
        "evaluations.Evaluation, evaluations.Report",
        lead_time,
    ),
    Indicator(
        "track_records",
        _("Published track records"),
        "count",
        _("Published track records not withdrawn, by quarter of publication."),
        "evaluations.TrackRecord",
        track_records,
    ),
    Indicator(
        "adoptions",
        _("Adoptions"),
        "count",
        _("Adoptions recorded by demand companies; Σ declared yearly value (KRW)."),
        "demand.Adoption",
        adoptions,
    ),
    Indicator(
        "localisation",
        _("Localisation rate"),
        "%",
        _(
            "Per core item: 100 × Σ domestic adopted volume / Σ max(declared consumption of the "
            "imported incumbent, adopted volume) over demand companies, cumulative to each year; "
            "overall: the same by value over every item."
        ),
        "demand.Adoption, demand.Need, programme.CoreItem",
        localisation,
    ),
    Indicator(
        "trainees",
        _("Trainees"),
        "persons",
        _("Confirmed enrollments; attended (present or late on a day); passed (signed result)."),
        "training.Enrollment, training.Attendance, training.Assessment",
        trainees,
    ),
    Indicator(
        "investment",
        _("Private investment"),
        "KRW",
        _("Σ pledged and Σ executed amounts not withdrawn, by year (cumulative against target)."),
        "programme.Pledge",
        investment,
    ),
    Indicator(
        "utilisation",
        _("Equipment utilisation"),
        "%",
        _(
            "100 × booked hours / available hours (the center's equipment × the hours of the "
            "quarter); used hours from check-out; no-shows."
        ),
        "facilities.Booking, facilities.Equipment",
        utilisation,
    ),
    Indicator(
        "service_revenue",
        _("Service revenue"),
        "KRW",
        _("Σ invoice subtotals (VAT excluded) by quarter, center and funding line."),
        "facilities.Invoice",
        service_revenue,
    ),
    Indicator(
        "mrna_released",
        _("mRNA batches released"),
        "batches",
        _("QA release decisions of mRNA batches, by quarter."),
        "production.Disposition",
        mrna_released,
    ),
):
    register(_ind)


def compute_all() -> dict[str, Any]:
    """Every indicator's facts, with the time each took (ms)."""
    facts: dict[str, Any] = {}
    timings: dict[str, int] = {}
    for key, indicator in INDICATORS.items():
        start = time.perf_counter()
        facts[key] = indicator.compute()
        timings[key] = round((time.perf_counter() - start) * 1000)
    return {"facts": facts, "timings_ms": timings}


# ------------------------------------------------------------------ filtering and summaries


@dataclass(frozen=True)
class Filters:
    year_from: int | None = None
    year_to: int | None = None
    center: int | None = None
    categories: frozenset[int] | None = None  # a category subtree, None = all

    def keep(self, fact: Mapping[str, Any]) -> bool:
        q = fact.get("q")
        year = fact.get("year") or (int(q[:4]) if q else None)
        if year is not None:
            if self.year_from is not None and year < self.year_from:
                return False
            if self.year_to is not None and year > self.year_to:
                return False
        if self.center is not None and "center" in fact and fact["center"] != self.center:
            return False
        return not (
            self.categories is not None
            and "category" in fact
            and fact["category"] is not None
            and fact["category"] not in self.categories
        )


@dataclass
class Figure:
    """One shown number with the organizations behind it (for the k rule)."""

    value: float | None
    orgs: frozenset[int]
    suppressed: bool = False

    def protect(self, k: int) -> Figure:
        if k > 1 and self.value is not None and len(self.orgs) < k:
            return Figure(None, self.orgs, suppressed=True)
        return self


def _orgs(facts: Iterable[Mapping[str, Any]]) -> frozenset[int]:
    out: set[int] = set()
    for f in facts:
        out.update(f["orgs"])
    return frozenset(out)


def _sum(facts: list[Mapping[str, Any]], measure: str) -> Figure:
    return Figure(float(sum(f.get(measure, 0) for f in facts)), _orgs(facts))


def _ratio(facts: list[Mapping[str, Any]], num: str, den: str) -> Figure:
    d = sum(f.get(den, 0) for f in facts)
    n = sum(f.get(num, 0) for f in facts)
    return Figure(100.0 * n / d if d else None, _orgs(facts))


def _percentile(facts: list[Mapping[str, Any]], p: float) -> Figure:
    days = [d for f in facts for d in f.get("days", [])]
    value = float(np.percentile(days, p, method="linear")) if days else None
    return Figure(value, _orgs(facts))


def suppress_table(rows: list[tuple[str, Figure]], k: int) -> list[tuple[str, Figure]]:
    """The k rule on a breakdown: cells from fewer than ``k`` organizations are hidden, and when
    exactly one cell would be hidden the next smallest is hidden too, so it cannot be recovered
    from the total (secondary suppression)."""
    out = [(label, fig.protect(k)) for label, fig in rows]
    hidden = [i for i, (_l, f) in enumerate(out) if f.suppressed]
    if k > 1 and len(hidden) == 1:
        shown = [(f.value, i) for i, (_l, f) in enumerate(out) if f.value is not None]
        if shown:
            _v, i = min(shown)
            label, fig = out[i]
            out[i] = (label, Figure(None, fig.orgs, suppressed=True))
    return out


def _by(
    facts: list[Mapping[str, Any]], dim: str, figure: Callable[[list[Any]], Figure]
) -> list[tuple[Any, Figure]]:
    groups: dict[Any, list[Any]] = defaultdict(list)
    for f in facts:
        groups[f.get(dim)].append(f)
    return [(key, figure(groups[key])) for key in sorted(groups, key=lambda v: (v is None, str(v)))]


def _year(fact: Mapping[str, Any]) -> int:
    return int(fact.get("year") or fact["q"][:4])


def _cumulative(series: list[tuple[int, Figure]]) -> list[tuple[int, Figure]]:
    total, orgs, out = 0.0, frozenset(), []
    for year, fig in series:
        total += fig.value or 0.0
        orgs = orgs | fig.orgs
        out.append((year, Figure(total, orgs)))
    return out


def summarise(
    facts: Mapping[str, list[Mapping[str, Any]]], filters: Filters, *, k: int = 1
) -> dict[str, Any]:
    """Headline figures, yearly series and breakdown tables, with the k rule applied."""
    f = {key: [x for x in rows if filters.keep(x)] for key, rows in facts.items()}
    ev, pr, lt = f.get("evaluations", []), f.get("pass_rate", []), f.get("lead_time", [])
    tr, ad, tn = f.get("track_records", []), f.get("adoptions", []), f.get("trainees", [])
    inv, loc = f.get("investment", []), f.get("localisation", [])
    ut, rev, mr = f.get("utilisation", []), f.get("service_revenue", []), f.get("mrna_released", [])

    def by_year(rows: list[Any], fig: Callable[[list[Any]], Figure]) -> list[tuple[int, Figure]]:
        groups: dict[int, list[Any]] = defaultdict(list)
        for x in rows:
            groups[_year(x)].append(x)
        return [(y, fig(groups[y])) for y in sorted(groups)]

    loc_last_year = max((x["year"] for x in loc), default=None)
    loc_now = [x for x in loc if x["year"] == loc_last_year]
    executed = [x for x in inv if x.get("kind") == "execution"]
    pledged = [x for x in inv if x.get("kind") == "pledge"]

    headline = {
        "evaluations": _sum(ev, "n"),
        "pass_rate": _ratio(pr, "passed", "decided"),
        "lead_time_median": _percentile(lt, 50),
        "lead_time_p90": _percentile(lt, 90),
        "track_records": _sum(tr, "n"),
        "adoptions": _sum(ad, "n"),
        "adoption_value_krw": _sum(ad, "value_krw"),
        "localisation_value": _ratio(loc_now, "dom_value", "tot_value"),
        "trainees_enrolled": _sum(tn, "enrolled"),
        "trainees_passed": _sum(tn, "passed"),
        "investment_pledged": _sum(pledged, "amount_krw"),
        "investment_executed": _sum(executed, "amount_krw"),
        "utilisation": _ratio(ut, "booked_h", "available_h"),
        "service_revenue_krw": _sum(rev, "revenue_krw"),
        "mrna_released": _sum(mr, "n"),
    }
    series = {
        "evaluations": by_year(ev, lambda r: _sum(r, "n")),
        "pass_rate": by_year(pr, lambda r: _ratio(r, "passed", "decided")),
        "track_records": _cumulative(by_year(tr, lambda r: _sum(r, "n"))),
        "adoptions": _cumulative(by_year(ad, lambda r: _sum(r, "n"))),
        "trainees_passed": _cumulative(by_year(tn, lambda r: _sum(r, "passed"))),
        "investment_executed": _cumulative(by_year(executed, lambda r: _sum(r, "amount_krw"))),
        "localisation_value": by_year(loc, lambda r: _ratio(r, "dom_value", "tot_value")),
        "service_revenue": by_year(rev, lambda r: _sum(r, "revenue_krw")),
        "mrna_released": _cumulative(by_year(mr, lambda r: _sum(r, "n"))),
    }
    tables = {
        "evaluations_by_status": _by(ev, "status", lambda r: _sum(r, "n")),
        "evaluations_by_center": _by(ev, "center", lambda r: _sum(r, "n")),
        "evaluations_by_category": _by(ev, "category", lambda r: _sum(r, "n")),
        "evaluations_by_quarter": _by(ev, "q", lambda r: _sum(r, "n")),
        "pass_rate_by_category": _by(pr, "category", lambda r: _ratio(r, "passed", "decided")),
        "lead_time_by_center": _by(lt, "center", lambda r: _percentile(r, 50)),
        "track_records_by_category": _by(tr, "category", lambda r: _sum(r, "n")),
        "adoptions_by_category": _by(ad, "category", lambda r: _sum(r, "n")),
        "localisation_by_item_volume": _by(
            loc_now, "item", lambda r: _ratio(r, "dom_volume", "tot_volume")
        ),
        "localisation_by_item_value": _by(
            loc_now, "item", lambda r: _ratio(r, "dom_value", "tot_value")
        ),
        "trainees_by_course": _by(tn, "course", lambda r: _sum(r, "passed")),
        "trainees_by_type": _by(tn, "type", lambda r: _sum(r, "enrolled")),
        "investment_by_category": _by(executed, "pledge_category", lambda r: _sum(r, "amount_krw")),
        "utilisation_by_center": _by(ut, "center", lambda r: _ratio(r, "booked_h", "available_h")),
        "used_by_center": _by(ut, "center", lambda r: _ratio(r, "used_h", "available_h")),
        "revenue_by_funding_line": _by(rev, "funding_line", lambda r: _sum(r, "revenue_krw")),
        "mrna_released_by_facility": _by(mr, "center", lambda r: _sum(r, "n")),
    }
    return {
        "headline": {key: fig.protect(k) for key, fig in headline.items()},
        "series": {
            key: [(year, fig.protect(k)) for year, fig in rows] for key, rows in series.items()
        },
        "tables": {key: suppress_table(rows, k) for key, rows in tables.items()},
    }


def finite(value: float | None) -> float | None:
    return value if value is not None and math.isfinite(value) else None
