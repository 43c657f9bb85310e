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

How it is computed at the programme's scale (see docs/scaling.md): one SQL statement over the
subtree's listed products. It classifies each required specification once per product (met /
not met / unknown, materialized) where SQL decides exactly as :func:`check` does — JSON numbers
and plain decimal strings against a numeric requirement, plain ASCII/Hangul strings against a
text one —, adds the track-record bonus from each product's newest three public records (a
window over the records, read as per-record criterion counts), and returns only the best
``limit`` products (``ORDER BY … LIMIT``) plus the products holding a value SQL cannot judge
exactly like Python (booleans, arrays, exotic strings), which are scored in Python on a narrow
projection (id, category, code, specs, bonus). Both lists are merged and cut; only the final
``limit`` products are loaded as instances with their full evidence, and scored again by
:func:`score`, so ranking and reasons are those of the rules above.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import sqlite3
from collections import defaultdict
from dataclasses import dataclass, field, replace
from typing import Any

from django.db import connection
from django.db.models import Count, F, Q, TextField, Window
from django.db.models.expressions import RawSQL
from django.db.models.functions import RowNumber
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


# A JSON string SQL parses into the same double as Python's float(): a plain decimal with
# bounded digits and exponent (so PostgreSQL's float8 cast never overflows).
DECIMAL = r"^ *[-+]?([0-9]{1,30}[.]?[0-9]{0,30}|[.][0-9]{1,30})([eE][-+]?[0-9]{1,2})? *$"
# A JSON string whose str.strip().casefold() SQL reproduces with trim + lower: printable ASCII
# (where the only whitespace is the space and casefold is lower) and Hangul syllables (no case).
PLAIN_TEXT = "^[ -~\uac00-\ud7a3]*$"
SAFE_KEY = re.compile(r"[A-Za-z0-9_\-]{1,60}")


_VENDOR_SQL = {
    "postgresql": {
        "type": "jsonb_typeof({col} -> %s)",
        "text": "({col} ->> %s)",
        "num": "({text})::float8",
        "number": "({type} = 'number' AND length({text}) <= 40)",
        "string": "({type} = 'string')",
        "regex": "~",
    },
    "sqlite": {
        "type": "json_type({col}, %s)",
        "text": "json_extract({col}, %s)",
        "num": "CAST({text} AS REAL)",
        "number": "({type} IN ('integer', 'real'))",
        "string": "({type} = 'text')",
        "regex": "REGEXP",
    },
}


def _extract_sql(key: str, column: str) -> tuple[tuple[str, list[Any]], tuple[str, list[Any]]]:
    """The JSON type and the text of ``column`` at ``key``: what every test of a requirement
    reads, extracted once per product (:func:`_ranking_sql`) instead of once per test."""
    vendor = _VENDOR_SQL["postgresql" if connection.vendor == "postgresql" else "sqlite"]
    keyparam = key if connection.vendor == "postgresql" else f'$."{key}"'
    return (
        (vendor["type"].format(col=column), [keyparam]),
        (vendor["text"].format(col=column), [keyparam]),
    )


def _render(template: str, values: list[Any], extracted: tuple[str, str]) -> tuple[str, list[Any]]:
    """Expand a CASE template: ``{number}``/``{string}``/``{absent}``/``{container}`` tests,
    ``{type}``/``{text}``/``{num}`` fragments reading ``extracted`` (the names of the columns
    holding the value's JSON type and its text, :func:`_extract_sql`) and ``{v}`` placeholders
    filled from ``values`` in order."""
    vendor = _VENDOR_SQL["postgresql" if connection.vendor == "postgresql" else "sqlite"]
    type_column, text_column = extracted
    macros = {
        "number": vendor["number"],
        "string": vendor["string"],
        "absent": "({type} IS NULL OR {type} = 'null')",
        "container": "({type} IN ('array', 'object'))",
        "regex": vendor["regex"],
        "num": vendor["num"],
    }
    for name, macro in macros.items():
        template = template.replace("{" + name + "}", macro)
    template = template.replace("{type}", type_column).replace("{text}", text_column)
    out: list[str] = []
    params: list[Any] = []
    fill = iter(values)
    for token in re.split(r"(\{v\})", template):
        if token == "{v}":
            out.append("%s")
            params.append(next(fill))
        else:
            out.append(token)
    return "".join(out), params


def _classify_sql(
    requirement: dict[str, Any], extracted: tuple[str, str]
) -> tuple[str, list[Any]] | None:
    """A SQL CASE giving 1 (met), -1 (not met), 0 (unknown) or NULL (SQL cannot decide exactly as
    :func:`check` would: Python scores that product) for one requirement; ``None`` when SQL should
    not try this requirement at all (Python scores every product). ``extracted``: see
    :func:`_render`."""
    key, comparison, required = requirement["key"], requirement["comparison"], requirement["value"]
    if not isinstance(key, str) or not SAFE_KEY.fullmatch(key):
        return None
    r = _number(required)
    if r is not None and math.isnan(r):
        return None
    known = "({number} OR ({string} AND {text} {regex} {v}))"
    if comparison in ("min", "max"):
        if r is None:  # check() never decides against a non-numeric requirement
            return "0", []
        test = "{num} >= {v}" if comparison == "min" else "{num} <= {v}"
        template = (
            "CASE WHEN {absent} OR ({string} AND {text} = '') OR {container} THEN 0 "
            f"WHEN {known} THEN CASE WHEN {test} THEN 1 ELSE -1 END ELSE NULL END"
        )
        return _render(template, [DECIMAL, r], extracted)
    if r is not None:  # equals a number: within a relative 1e-9
        tolerance = 1e-9 * max(1.0, abs(r))
        template = (
            "CASE WHEN {absent} OR ({string} AND {text} = '') THEN 0 "
            f"WHEN {known} THEN CASE WHEN abs({{num}} - {{v}}) <= {{v}} THEN 1 ELSE -1 END "
            "ELSE NULL END"
        )
        return _render(template, [DECIMAL, r, tolerance], extracted)
    # equals a text: compared stripped and case-folded
    template = (
        "CASE WHEN {absent} OR ({string} AND {text} = '') THEN 0 "
        "WHEN {number} THEN -1 "
        "WHEN {string} AND {text} {regex} {v} "
        "THEN CASE WHEN lower(trim({text})) = {v} THEN 1 ELSE -1 END ELSE NULL END"
    )
    return _render(template, [PLAIN_TEXT, str(required).strip().casefold()], extracted)


def _light_key(
    category_id: int, code: str, specs: Any, need: Any, fields: dict[str, Any], bonus: int
) -> tuple[int, int, str]:
    """The ranking key of :func:`score` from the narrow projection (no instance)."""
    exact = category_id == need.category_id
    points = CATEGORY_EXACT if exact else CATEGORY_SUBTREE
    unmet = 0
    for requirement in need.required_specs:
        status = check(requirement, specs or {}, fields).status
        points += SPEC_MET if status == MET else SPEC_NOT_MET if status == NOT_MET else 0
        unmet += status == NOT_MET
    return (unmet, -(points + bonus), code)


def _records_sql() -> tuple[str, list[Any]]:
    """The public track records of the products in the ranking's ``cls`` (the listed products of
    the subtree, read once), one row each: product id, criteria, criteria passed and the
    record's rank among its product's public records, newest first (``rec_rn``; the bonus counts
    ``rec_rn`` ≤ 3). Built from :meth:`TrackRecordQuerySet.public`, so what is public is decided
    in one place."""
    from bioproof.evaluations.models import TrackRecord

    records = (
        TrackRecord.objects.public()
        .filter(evaluation__product_id__in=RawSQL("SELECT pid FROM cls", ()))
        .annotate(
            rec_pid=F("evaluation__product_id"),
            rec_n=Count("evaluation__criteria"),
            rec_passed=Count("evaluation__criteria", filter=Q(evaluation__criteria__passed=True)),
            rec_rn=Window(
                RowNumber(),
                partition_by=F("evaluation__product_id"),
                order_by=[F("published_at").desc(), F("id").desc()],
            ),
        )
        .order_by()
        .values("rec_pid", "rec_n", "rec_passed", "rec_rn")
    )
    sql, params = records.query.sql_with_params()
    return sql, list(params)


_UNSURE_ROWS = """
        UNION ALL
        SELECT pid, pcode, pcat, "{table}"."specs", bonus, unmet, points, 1 AS unsure
        FROM scored JOIN "{table}" ON "{table}"."id" = pid WHERE unsure = 1
"""


def _ranking_sql(
    need: Any,
    listed: Any,
    limit: int | None,
) -> tuple[str, list[Any]]:
    """One statement over the subtree: every listed product's requirements classified once
    (``cls``: each required key's JSON type and text extracted once per product, then tested),
    its track-record bonus from its newest three public records (``bonus``, over ``cls``'s
    products: the subtree is read once), then the best ``limit`` of the products SQL judged
    entirely (``unsure = 0``, the bonus included) and every product it could not (``unsure = 1``,
    with its specs, for :func:`_light_key`)."""
    column = f'"{Product._meta.db_table}"."specs"'
    extracts: dict[str, Any] = {}
    cases: list[tuple[str, list[Any]]] = []
    for i, requirement in enumerate(need.required_specs):
        key = requirement.get("key")
        if isinstance(key, str) and SAFE_KEY.fullmatch(key):
            (type_sql, type_params), (text_sql, text_params) = _extract_sql(key, column)
            extracts[f"t_{i}"] = RawSQL(type_sql, type_params, output_field=TextField())
            extracts[f"x_{i}"] = RawSQL(text_sql, text_params, output_field=TextField())
        classified = _classify_sql(requirement, (f"t_{i}", f"x_{i}"))
        cases.append(classified if classified is not None else ("CAST(NULL AS INTEGER)", []))
    products = (
        listed.annotate(pid=F("pk"), pcode=F("code"), pcat=F("category_id"), **extracts)
        .order_by()
        .values("pid", "pcode", "pcat", *extracts)
    )
    inner_sql, inner_params = products.query.sql_with_params()
    postgresql = connection.vendor == "postgresql"
    # OFFSET 0: PostgreSQL would otherwise fold the subquery in and extract again at each test
    fence = " OFFSET 0" if postgresql else ""
    names = [f"cls_{i}" for i in range(len(cases))]
    tests = "".join(f", ({sql}) AS {n}" for (sql, _p), n in zip(cases, names, strict=True))
    cls_sql = f"SELECT pid, pcode, pcat{tests} FROM ({inner_sql}{fence}) AS extracted"
    # the tests' parameters come first in the text, then the subquery's
    cls_params = [*(p for _sql, params in cases for p in params), *inner_params]
    rec_sql, rec_params = _records_sql()
    met = " + ".join(f"(CASE WHEN {n} = 1 THEN 1 ELSE 0 END)" for n in names) or "0"
    unmet = " + ".join(f"(CASE WHEN {n} = -1 THEN 1 ELSE 0 END)" for n in names) or "0"
    unsure = " OR ".join(f"{n} IS NULL" for n in names) or "1 = 0"
    code = 'pcode COLLATE "C"' if postgresql else "pcode"
    no_specs = "CAST(NULL AS jsonb)" if postgresql else "NULL"
    table = Product._meta.db_table
    cut = "LIMIT %s" if limit is not None else ""
    # computed once per product, not once per use (SQLite knows the hint from 3.35)
    once = "MATERIALIZED" if postgresql or sqlite3.sqlite_version_info >= (3, 35) else ""
    # no requirement: nothing to compute once and nothing SQL cannot judge (one pass, no union)
    once, rest = ("", "") if not names else (once, _UNSURE_ROWS.format(table=table))
    sql = f"""
        WITH cls AS {once} ({cls_sql}),
        rec AS ({rec_sql}),
        bonus AS (
            SELECT rec_pid AS bpid,
                   SUM(CASE WHEN rec_n > 0 AND rec_passed = rec_n THEN %s ELSE %s END) AS pts
            FROM rec WHERE rec_rn <= %s GROUP BY rec_pid
        ),
        scored AS (
            SELECT pid, pcode, pcat, COALESCE(pts, 0) AS bonus,
                   {unmet} AS unmet,
                   CASE WHEN pcat = %s THEN %s ELSE %s END + %s * ({met}) + %s * ({unmet})
                       + COALESCE(pts, 0) AS points,
                   CASE WHEN {unsure} THEN 1 ELSE 0 END AS unsure
            FROM cls LEFT JOIN bonus ON bpid = pid
        )
        SELECT * FROM (
            SELECT pid, pcode, pcat, {no_specs} AS specs, bonus, unmet, points, 0 AS unsure
            FROM scored WHERE unsure = 0 ORDER BY unmet, points DESC, {code} {cut}
        ) AS best
        {rest}
    """
    params = [
        *cls_params,
        *rec_params,
        TRACK_RECORD_PASSED,
        TRACK_RECORD_OTHER,
        TRACK_RECORDS_COUNTED,
        need.category_id,
        CATEGORY_EXACT,
        CATEGORY_SUBTREE,
        SPEC_MET,
        SPEC_NOT_MET,
        *([limit] if limit is not None else []),
    ]
    return sql, params


def _ranked(need: Any, limit: int | None) -> list[int]:
    """The primary keys of the best ``limit`` candidates, best first (the ranking SQL decides,
    Python only for the values SQL cannot judge exactly)."""
    categories = subtree_ids(need.category_id)
    fields = {f[0]: f for f in need.category.spec_fields}
    listed = Product.objects.filter(status=Product.Status.LISTED, category_id__in=categories)
    sql, params = _ranking_sql(need, listed, limit)
    specs_field = Product._meta.get_field("specs")
    keys: list[tuple[int, int, str, int]] = []
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for pk, code, category_id, specs, bonus, unmet, points, unsure in cursor.fetchall():
            if unsure:  # a value only Python judges exactly: scored here, on this projection
                specs = specs_field.from_db_value(specs, None, connection)
                keys.append((*_light_key(category_id, code, specs, need, fields, bonus), pk))
            else:
                keys.append((unmet, -points, code, pk))
    keys.sort()
    return [k[3] for k in (keys if limit is None else keys[:limit])]


def _scored(need: Any, limit: int | None) -> list[Match]:
    """The best ``limit`` matches, scored with their evidence, without the need's proposals."""
    fields = {f[0]: f for f in need.category.spec_fields}
    chosen = _ranked(need, limit)
    # listed again here: a product unlisted since the ranking was read is left out
    listed = Product.objects.filter(pk__in=chosen, status=Product.Status.LISTED)
    products = {p.pk: p for p in listed.select_related("supplier", "category")}
    evidence = evidence_for(product_ids=chosen)
    matches = [
        score(products[pk], need, fields=fields, evidence=evidence.get(pk, []))
        for pk in chosen
        if pk in products
    ]
    matches.sort(key=Match.sort_key)
    return matches


def _scored_tables() -> tuple[type, ...]:
    """Every table :func:`_scored` reads (the ranking, the products, their evidence)."""
    from bioproof.consortium.models import Organization
    from bioproof.evaluations.models import Criterion, Evaluation, TrackRecord

    return (Category, Product, Organization, Evaluation, Criterion, TrackRecord)


def _scored_cached(need: Any, limit: int | None) -> list[Match]:
    """:func:`_scored`, kept while the tables it reads are unchanged (:mod:`bioproof.core.versions`:
    the key holds the newest audit event on those tables, so no change is ever missed). The
    need's own inputs (category, requirements) are part of the key, not read from its row."""
    from bioproof.core import versions

    inputs = json.dumps([need.category_id, need.required_specs, limit], sort_keys=True, default=str)
    key = "matching:" + hashlib.sha256(inputs.encode()).hexdigest()
    return versions.cached(key, _scored_tables(), lambda: _scored(need, limit))


def page_version() -> str:
    """The state version of everything a page of matches shows (:func:`candidates` with its
    proposals, and the need's status): the key of the need page's rendered table."""
    from bioproof.core import versions
    from bioproof.demand.models import Need, Proposal

    return versions.state_version(*_scored_tables(), Need, Proposal)


def candidates(need: Any, *, limit: int | None = 50, cache: bool = False) -> list[Match]:
    """Ranked candidate products for ``need`` (listed products only: public information).

    ``cache=True`` (the pages) keeps the scored matches until a product, category, organization,
    evaluation, criterion or track record changes; the need's proposals are read every time.
    """
    from bioproof.demand.models import Proposal

    matches = _scored_cached(need, limit) if cache else _scored(need, limit)
    proposals = dict(
        Proposal.objects.filter(need=need, product_id__in=[m.product.pk for m in matches])
        .exclude(status=Proposal.Status.DECLINED)
        .values_list("product_id", "status")
    )
    return [
        replace(m, proposal_status=proposals[m.product.pk]) if m.product.pk in proposals else m
        for m in matches
    ]
