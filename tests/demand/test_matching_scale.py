"""Matching at scale gives exactly the ranking and reasons of the original instance-by-instance
algorithm (kept here as the reference), on a fixture of awkward spec values and of products with
more than three track records; and it loads no instance beyond the final cut."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bioproof.catalog.models import Category, Product
from bioproof.demand import matching
from bioproof.demand.models import Proposal
from bioproof.evaluations.models import Criterion, Evaluation, Report, TrackRecord

pytestmark = pytest.mark.django_db


def reference_candidates(need: Any, *, limit: int | None = 50) -> list[matching.Match]:
    """The algorithm before the scale work: every product and record as an instance."""
    categories = matching.subtree_ids(need.category_id)
    products = list(
        Product.objects.filter(status=Product.Status.LISTED, category_id__in=categories)
        .select_related("supplier", "category")
        .order_by("code")
    )
    fields = {f[0]: f for f in need.category.spec_fields}
    evidence = matching.evidence_for(category_ids=categories)
    proposals = dict(
        Proposal.objects.filter(need=need)
        .exclude(status=Proposal.Status.DECLINED)
        .values_list("product_id", "status")
    )
    matches = [
        matching.score(
            p,
            need,
            fields=fields,
            evidence=evidence.get(p.pk, []),
            proposal_status=proposals.get(p.pk, ""),
        )
        for p in products
    ]
    matches.sort(key=matching.Match.sort_key)
    return matches if limit is None else matches[:limit]


AWKWARD = [
    40,
    40.0,
    39.999999999,
    41,
    -3,
    0,
    1e-20,
    1e300,
    "45",
    " 45 ",
    "39.5",
    "+40",
    ".5",
    "1e2",
    "1_000",
    "nan",
    "inf",
    "",
    " ",
    "affinity",
    "Affinity ",
    "AFFINITY",
    "친화성",
    "ﬀinity",
    "straße",
    True,
    False,
    None,
    [40],
    {"v": 40},
]


@pytest.fixture
def awkward_catalog(people: dict[str, Any], orgs: dict[str, Any]) -> list[Product]:
    resins = Category.objects.get(code="resins")
    below = Category.objects.filter(parent=resins.parent).exclude(pk=resins.pk).first()
    rows = []
    for i, (a, b) in enumerate(itertools.product(AWKWARD, ["affinity", "친화성", 85, None])):
        specs: dict[str, Any] = {"dbc10": a, "mode": b, "particle_size": a}
        if i % 7 == 0:
            specs.pop("dbc10")
        rows.append(
            Product(
                code=f"PR-T{i:05d}",
                supplier=orgs["supplier_a"] if i % 2 else orgs["supplier_b"],
                category=resins if i % 3 else (below or resins),
                name_ko=f"제품 {i}",
                name_en=f"Product {i}",
                specs=specs,
                status="listed" if i % 11 else "draft",
            )
        )
    return Product.objects.bulk_create(rows)


def _records(products: list[Product], people: dict[str, Any], orgs: dict[str, Any]) -> None:
    """Up to five public track records per product, criteria passed / failed / unknown, one
    withdrawn: written directly (a fixture, not an action under test)."""
    now = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    n = 0
    for i, product in enumerate(products[:40]):
        for j in range(i % 6):
            n += 1
            _record(
                product,
                now + dt.timedelta(hours=(n * 7919) % 97),
                [
                    [True, True, False, None][(n + k) % 4] if n % 5 else True
                    for k in range((n % 3) + (j % 2))
                ],
                people,
                orgs,
                code=f"T{n:05d}",
                generated_at=now,
                withdrawn_at=now if (n % 13 == 0) else None,
            )


REQUIREMENTS = [
    [],
    [{"key": "dbc10", "comparison": "min", "value": 40}],
    [{"key": "dbc10", "comparison": "max", "value": "40"}],
    [{"key": "dbc10", "comparison": "equals", "value": 40}],
    [{"key": "dbc10", "comparison": "min", "value": "high"}],
    [{"key": "mode", "comparison": "equals", "value": " Affinity"}],
    [{"key": "mode", "comparison": "equals", "value": "친화성"}],
    [{"key": "mode", "comparison": "equals", "value": "STRASSE"}],
    [
        {"key": "dbc10", "comparison": "min", "value": 40},
        {"key": "particle_size", "comparison": "max", "value": 90},
        {"key": "mode", "comparison": "equals", "value": "affinity"},
    ],
    [{"key": "we.ird key", "comparison": "min", "value": 1}],
    [{"key": "dbc10", "comparison": "equals", "value": float("nan")}],
]


@pytest.mark.tampers  # the track-record fixture is written directly, not through the actions
@pytest.mark.parametrize("required", REQUIREMENTS)
def test_ranking_and_reasons_unchanged(
    required, awkward_catalog, make_need, people, orgs, settings
) -> None:
    _records(awkward_catalog, people, orgs)
    resins = Category.objects.get(code="resins")
    for category in (resins, resins.parent):
        need = make_need(category=category, required_specs=[], criteria=[])
        need.required_specs = required  # in memory: some (NaN) cannot be stored
        for limit in (1, 7, 50, None):
            got = [m.to_dict() for m in matching.candidates(need, limit=limit)]
            want = [m.to_dict() for m in reference_candidates(need, limit=limit)]
            assert got == want, (required, category.code, limit)


def test_only_the_final_cut_is_loaded(awkward_catalog, make_need) -> None:
    need = make_need(
        category=Category.objects.get(code="resins"),
        required_specs=[{"key": "dbc10", "comparison": "min", "value": 40}],
        criteria=[],
    )
    with CaptureQueriesContext(connection) as queries:
        ranked = matching.candidates(need, limit=5)
    assert len(ranked) == 5
    product_table = Product._meta.db_table
    loads = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].lstrip().upper().startswith("SELECT")
        and f'"{product_table}"."name_ko"' in q["sql"]
    ]
    assert len(loads) == 1 and " IN (" in loads[0]  # the five chosen, by id
    assert len(queries.captured_queries) <= 8


def _record(
    product: Product,
    at: dt.datetime,
    passed: list[bool | None],
    people: dict[str, Any],
    orgs: dict[str, Any],
    *,
    code: str = "",
    generated_at: dt.datetime | None = None,
    withdrawn_at: dt.datetime | None = None,
) -> None:
    """One public track record of ``product`` published ``at`` (report generated at
    ``generated_at``, default ``at``), one criterion per ``passed`` value."""
    code = code or f"S{TrackRecord.objects.count() + 1:05d}"
    ev = Evaluation.objects.create(
        code=f"EV-{code}",
        product=product,
        center=orgs["center"],
        requested_by=people["a_staff"],
        title="t",
        reference_product="r",
        scale="s",
        status="published",
    )
    for k, p in enumerate(passed):
        Criterion.objects.create(
            evaluation=ev, kpi=f"k{k}", comparison="minimum", value=1, passed=p
        )
    report = Report.objects.create(
        evaluation=ev,
        language="en",
        file="x.pdf",
        sha256="0" * 64,
        content_hash="0" * 64,
        verification_code=f"VC-{code}",
        generated_by=people["evaluator"],
        generated_at=generated_at or at,
    )
    TrackRecord.objects.create(
        evaluation=ev,
        report=report,
        consent_statement="ok",
        published_by=people["a_admin"],
        published_at=at,
        withdrawn_at=withdrawn_at,
    )


@pytest.mark.tampers  # the track records are written directly, not through the actions
def test_track_record_bonus_in_sql(make_need, people, orgs) -> None:
    """The bonus the database computes: the newest three *public* records (a withdrawn one never
    counts, ties in time go to the higher id, as evidence_for orders them), +15 when every
    criterion passed, +5 else (no criteria, one failed, one unknown); no records, no bonus; a
    draft product or one outside the subtree is never a candidate, whatever its records."""
    resins = Category.objects.get(code="resins")
    outside = Category.objects.exclude(pk__in=matching.subtree_ids(resins)).first()

    def product(code: str, *, status: str = "listed", category: Category = resins) -> Product:
        return Product.objects.create(
            code=code,
            supplier=orgs["supplier_a"],
            category=category,
            name_ko=code,
            name_en=code,
            specs={},
            status=status,
        )

    t = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    hour = dt.timedelta(hours=1)
    p1, p2, p3, p4, p7 = (product(c) for c in ("PR-S1", "PR-S2", "PR-S3", "PR-S4", "PR-S7"))
    draft, elsewhere = product("PR-S5", status="draft"), product("PR-S6", category=outside)
    # p1: the newest (failed) is withdrawn; then three passed, then a failed one: 3 × 15
    _record(p1, t + 5 * hour, [False], people, orgs, withdrawn_at=t + 5 * hour)
    for i in (4, 3, 2):
        _record(p1, t + i * hour, [True, True], people, orgs)
    _record(p1, t + hour, [False], people, orgs)
    # p2: four records published at the same time: the first written (lowest id) passed, the
    # three later ones count: failed, unknown, no criteria: 3 × 5
    for passed in ([True], [False, True], [None, True], []):
        _record(p2, t, passed, people, orgs)
    # p4: one record without criteria: 5
    _record(p4, t, [], people, orgs)
    # rivals whose bonus falls between the right and a wrong one, so that a cut depends on it:
    # q0 (35) ranks above p1 if the withdrawn record counted (35, tie, code), q8 (20) below p2
    # if the tie went to the lower id (25)
    q0, q8 = product("PR-S0"), product("PR-S8")
    for passed in ([True], [True], [False]):
        _record(q0, t, passed, people, orgs)
    for passed in ([True], [False]):
        _record(q8, t, passed, people, orgs)
    for p in (draft, elsewhere):
        _record(p, t, [True], people, orgs)

    need = make_need(category=resins, required_specs=[], criteria=[])
    got = [(m.product.code, m.score) for m in matching.candidates(need, limit=None)]
    assert got == [
        ("PR-S1", 20 + 45),
        ("PR-S0", 20 + 35),
        ("PR-S8", 20 + 20),
        ("PR-S2", 20 + 15),
        ("PR-S4", 20 + 5),
        ("PR-S3", 20),  # no records: equal scores ordered by code
        ("PR-S7", 20),
    ]
    for limit in (1, 3, 50, None):
        want = [m.to_dict() for m in reference_candidates(need, limit=limit)]
        assert [m.to_dict() for m in matching.candidates(need, limit=limit)] == want
    assert [m.product.code for m in matching.candidates(need, limit=3)] == [
        "PR-S1",
        "PR-S0",
        "PR-S8",
    ]
    assert {p3.pk, p7.pk} <= {m.product.pk for m in matching.candidates(need, limit=7)}
