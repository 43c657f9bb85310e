"""Programme dashboard at scale, on PostgreSQL.

Seeds ten years of records — 100,000 evaluations (default) over 200 suppliers' products in every
category, with criteria verdicts, reports and track records for the analysed ones, 10,000
adoptions and needs with declared volumes and values, and pledges; 100 equipment of the two
centers with 1,000,000 bookings (``--bookings``: completed with used minutes, cancelled,
no-shows released, rejected; customer types and funding lines) and 5,000 invoiced projects —
then prints:

1. the time the job takes to compute every indicator into a snapshot (``snapshots.refresh``)
   and each indicator's share of it;
2. p50/p95/p99 of the public page, the office page (whole, by center, by center and period), the
   XLSX export, the API reading that snapshot and the office's drill-down to the bookings behind
   utilisation (first page, page 10, a keyset page five years back, by center and year), through
   Django's test client (goal: p95 < 200 ms).

Rows are inserted in bulk *around* the audit trail (plain querysets and COPY, no row events) to
load them in a few minutes: this database is thrown away afterwards and never checked with
``audit verify``.

    python benchmarks/programme.py
    python benchmarks/programme.py --evaluations 100000 --bookings 1000000 --requests 40
    python benchmarks/programme.py --evaluations 2000 --bookings 100000 --only drill --keep
    BIOPROOF_BENCH_POSTGRES=postgres://postgres@127.0.0.1:5432/postgres \
        python benchmarks/programme.py

It creates and drops its own database (``bioproof_bench_programme``; ``--keep`` leaves it for
EXPLAIN ANALYZE) on the server of ``BIOPROOF_BENCH_POSTGRES``; it never touches another database.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PG = "postgres://postgres@127.0.0.1:5432/postgres"
DB_NAME = "bioproof_bench_programme"
STATES = ["requested", "planning", "running", "analysed", "approved", "published", "rejected"]
# Equipment of the two centers: (kind, equipment class, working volume L, buffer min, modes).
# Center 0 is the microbial-fermentation center, center 1 the animal-cell-culture center.
EQUIPMENT_CLASSES = (
    (("fermenter", "bioreactor.microbial", 50, 60, "both"), 0),
    (("str", "bioreactor.stirred-tank", 500, 120, "assisted"), 0),
    (("sub", "bioreactor.single-use", 50, 60, "both"), 1),
    (("str", "bioreactor.stirred-tank", 200, 120, "assisted"), 1),
    (("chromatography", "purification.chromatography", None, 30, "both"), None),
    (("tff", "purification.tff", None, 30, "both"), None),
    (("analytical", "analytics.hplc", None, 15, "self"), None),
    (("filling", "fill-finish.line", None, 120, "assisted"), 1),
    (("ivt", "mrna.ivt", 1, 30, "assisted"), 1),
    (("lnp", "mrna.lnp", 1, 30, "assisted"), 1),
)
# booking lengths (h) and their weights: short analytical slots to multi-day runs
LENGTHS_H = (1, 2, 3, 4, 6, 8, 12, 24, 48)
LENGTH_WEIGHTS = (6, 10, 8, 12, 10, 8, 4, 2, 1)
BOOKING_COLUMNS = (
    "code",
    "equipment_id",
    "organization_id",
    "user_id",
    "booked_by_id",
    "staff_id",
    "mode",
    "gmp",
    "purpose",
    "customer_type",
    "funding_line",
    "starts_at",
    "ends_at",
    "block_until",
    "status",
    "checked_in_at",
    "completed_at",
    "used_minutes",
    "cancelled_at",
    "reason",
    "created_at",
)


def _pg_admin(url: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(url.replace("postgres://", "postgresql://", 1), autocommit=True) as c:
        c.execute(sql)


def _setup_django(url: str, var_dir: str) -> None:
    os.environ["BIOPROOF_DATABASE_URL"] = url
    os.environ["BIOPROOF_VAR_DIR"] = var_dir
    os.environ["BIOPROOF_TASKS"] = "immediate"
    os.environ.setdefault("BIOPROOF_SECRET_KEY", "benchmark-only")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bioproof.settings")
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    from django.conf import settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.ALLOWED_HOSTS = ["*"]


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def seed(n_evaluations: int, n_adoptions: int, rng: random.Random) -> None:
    from django.db.models import QuerySet
    from django.utils import timezone

    from bioproof.catalog.models import Category, Product
    from bioproof.consortium.models import Organization, User
    from bioproof.demand.models import Adoption, Need
    from bioproof.evaluations.models import Criterion, Evaluation, Report, TrackRecord
    from bioproof.programme import actions
    from bioproof.programme.models import Pledge

    def plain(model: Any) -> QuerySet:
        return QuerySet(model=model)  # no row events: benchmark data only

    now = timezone.now()
    office = User.objects.create_superuser("office", "o@example.org", "bench-pass-2026")
    kinds = (
        [("center", Organization.Kind.CENTER)] * 2
        + [("supplier", Organization.Kind.SUPPLIER)] * 200
        + [("demand", Organization.Kind.DEMAND)] * 40
    )
    orgs = plain(Organization).bulk_create(
        Organization(
            code=f"{k}-{i}",
            name_ko=f"{k} {i}",
            name_en=f"{k} {i}",
            kind=kind,
            is_consortium_member=k == "demand",
        )
        for i, (k, kind) in enumerate(kinds)
    )
    centers = [o for o in orgs if o.kind == "center"]
    suppliers = [o for o in orgs if o.kind == "supplier"]
    demand = [o for o in orgs if o.kind == "demand"]
    leaves = list(Category.objects.filter(parent__isnull=False))
    products = plain(Product).bulk_create(
        Product(
            code=f"P-{i:06d}",
            supplier=suppliers[i % len(suppliers)],
            category=leaves[i % len(leaves)],
            name_ko=f"제품 {i}",
            name_en=f"Product {i}",
            status="listed",
        )
        for i in range(2000)
    )
    start = now - dt.timedelta(days=3650)
    evaluations = []
    for i in range(n_evaluations):
        created = start + dt.timedelta(seconds=rng.uniform(0, 3650 * 86400))
        status = rng.choice(STATES)
        evaluations.append(
            Evaluation(
                code=f"EV-B-{i:07d}",
                product=products[rng.randrange(len(products))],
                center=centers[i % 2],
                requested_by=office,
                title=f"bench {i}",
                reference_product="imported",
                scale="50 L",
                status=status,
                analysed_at=created + dt.timedelta(days=rng.uniform(20, 120))
                if status in ("analysed", "approved", "published")
                else None,
            )
        )
    evaluations = plain(Evaluation).bulk_create(evaluations, batch_size=5000)
    plain(Evaluation).filter(pk__in=[e.pk for e in evaluations]).update(created_at=now)
    decided = [e for e in evaluations if e.analysed_at]
    plain(Criterion).bulk_create(
        (
            Criterion(
                evaluation=e,
                kpi="titer",
                comparison="non_inferiority",
                value=10,
                passed=rng.random() < 0.8,
            )
            for e in decided
        ),
        batch_size=5000,
    )
    reports = plain(Report).bulk_create(
        (
            Report(
                evaluation=e,
                language="ko",
                file=f"reports/bench/{e.code}.pdf",
                sha256="0" * 64,
                content_hash="0" * 64,
                verification_code=f"V{e.pk:09d}",
                generated_by=office,
                generated_at=e.analysed_at + dt.timedelta(days=rng.uniform(1, 30)),
            )
            for e in decided
        ),
        batch_size=5000,
    )
    plain(TrackRecord).bulk_create(
        (
            TrackRecord(
                evaluation=r.evaluation,
                report=r,
                consent_statement="bench",
                published_by=office,
                published_at=r.generated_at,
            )
            for r in reports
            if r.evaluation.status == "published"
        ),
        batch_size=5000,
    )
    needs = plain(Need).bulk_create(
        Need(
            code=f"ND-B-{i:05d}",
            organization=demand[i % len(demand)],
            posted_by=office,
            title=f"need {i}",
            category=leaves[i % len(leaves)],
            incumbent="imported",
            yearly_volume=rng.uniform(100, 10000),
            volume_unit="L",
            yearly_value_krw=rng.randrange(10**7, 10**10),
        )
        for i in range(1000)
    )
    plain(Adoption).bulk_create(
        (
            Adoption(
                organization=demand[i % len(demand)],
                product=products[rng.randrange(len(products))],
                need=needs[i % len(needs)],
                adopted_on=(start + dt.timedelta(days=rng.uniform(0, 3650))).date(),
                yearly_volume=rng.uniform(10, 500),
                volume_unit="L",
                yearly_value_krw=rng.randrange(10**6, 10**9),
                recorded_by=office,
            )
            for i in range(n_adoptions)
        ),
        batch_size=5000,
    )
    actions.publish_targets(
        by=office,
        reason="bench",
        items=[
            {
                "code": c.code,
                "name_ko": c.name_ko,
                "name_en": c.name_en,
                "category": c.code,
                "volume_unit": "L",
                "target_share_pct": 20,
            }
            for c in leaves
        ],
        targets=[{"indicator": "investment_krw", "year": 2030, "value": 17.7e12}],
    )
    plain(Pledge).bulk_create(
        Pledge(
            code=f"PL-B-{i:05d}",
            organization=demand[i % len(demand)],
            kind="pledge" if i % 2 == 0 else "execution",
            amount_krw=rng.randrange(10**9, 10**12),
            year=2020 + i % 10,
            site="bench",
            category="facility",
            recorded_by=office,
        )
        for i in range(400)
    )


def seed_facilities(n_bookings: int, n_equipment: int, n_projects: int, rng: random.Random) -> None:
    """Equipment of the two centers, ``n_bookings`` over ten years, projects with invoices.

    Bookings are generated one equipment at a time, each after the previous one's end plus the
    equipment's buffer, so the exclusion constraint (no two holding bookings of an equipment
    overlap) holds, and loaded with COPY. Past bookings are completed (check-in and used
    minutes), cancelled, released no-shows or rejected; future ones confirmed, awaiting approval
    or cancelled; the one under way is checked in.
    """
    from django.db import connection
    from django.db.models import QuerySet
    from django.utils import timezone

    from bioproof.consortium.models import Organization, User
    from bioproof.facilities.models import Equipment, Invoice, Project, Quote

    def plain(model: Any) -> QuerySet:
        return QuerySet(model=model)  # no row events: benchmark data only

    now = timezone.now()
    start = (now - dt.timedelta(days=3650)).replace(minute=0, second=0, microsecond=0)
    centers = list(Organization.objects.filter(kind="center").order_by("code"))
    plain(Organization).bulk_create(
        Organization(
            code=f"university-{i}",
            name_ko=f"대학 {i}",
            name_en=f"University {i}",
            kind=Organization.Kind.UNIVERSITY,
        )
        for i in range(20)
    )
    customers = list(Organization.objects.exclude(kind="center").order_by("id"))

    def customer_type(org: Any) -> str:
        if org.kind == Organization.Kind.UNIVERSITY:
            return "academic"
        if org.is_consortium_member:
            return "member"
        return "large" if org.pk % 4 == 0 else "sme"

    users = plain(User).bulk_create(
        User(username=f"bk-user-{o.code}", password="!", email=f"{o.code}@example.org")
        for o in customers
    )
    staff = plain(User).bulk_create(
        User(username=f"bk-staff-{c.code}-{i}", password="!", email=f"s{i}@{c.code}.example.org")
        for c in centers
        for i in range(10)
    )
    staff_of = {c.pk: staff[i * 10 : (i + 1) * 10] for i, c in enumerate(centers)}
    equipment = []
    for i in range(n_equipment):
        (kind, klass, volume, buffer, modes), home = EQUIPMENT_CLASSES[i % len(EQUIPMENT_CLASSES)]
        center = centers[home if home is not None else i % 2]
        equipment.append(
            Equipment(
                center=center,
                code=f"EQ-B-{i:03d}",
                name_ko=f"장비 {i}",
                name_en=f"Equipment {i} ({kind})",
                kind=kind,
                equipment_class=klass,
                working_volume_l=volume,
                buffer_minutes=buffer,
                modes=modes,
                max_minutes=3 * 24 * 60,
                gmp=kind in ("filling", "ivt", "lnp"),
            )
        )
    equipment = plain(Equipment).bulk_create(equipment)
    print(f"  {len(customers)} customer organizations, {len(equipment)} equipment", flush=True)

    # ------------------------------------------------------------------ bookings (COPY)
    per_eq = [
        n_bookings // len(equipment) + (1 if i < n_bookings % len(equipment) else 0)
        for i in range(len(equipment))
    ]
    span_min = 3650 * 24 * 60
    mean_len_min = (
        60
        * sum(h * w for h, w in zip(LENGTHS_H, LENGTH_WEIGHTS, strict=True))
        / sum(LENGTH_WEIGHTS)
    )
    lengths = [h * 60 for h in LENGTHS_H]
    n_customers = len(customers)
    # a few regular customers book most of the hours (Zipf-like weights)
    weights = [1 / (k + 1) for k in range(n_customers)]
    types = [customer_type(o) for o in customers]
    t0 = time.perf_counter()
    code = 0
    sql = f"COPY facilities_booking ({', '.join(BOOKING_COLUMNS)}) FROM STDIN"
    with connection.cursor() as cur, cur.copy(sql) as copy:
        for e, count in zip(equipment, per_eq, strict=True):
            if not count:
                continue
            buffer = dt.timedelta(minutes=e.buffer_minutes)
            mean_gap = max(0.0, span_min / count - mean_len_min - e.buffer_minutes)
            t = start + dt.timedelta(minutes=15 * rng.randrange(0, 96))
            crew = staff_of[e.center_id]
            picks = rng.choices(range(n_customers), weights=weights, k=count)
            sizes = rng.choices(lengths, weights=LENGTH_WEIGHTS, k=count)
            for k in range(count):
                length = dt.timedelta(minutes=sizes[k])
                ends = t + length
                c = picks[k]
                assisted = e.modes == "assisted" or (e.modes == "both" and rng.random() < 0.35)
                if ends <= now:
                    r = rng.random()
                    status = (
                        "completed"
                        if r < 0.80
                        else "cancelled"
                        if r < 0.92
                        else "released"
                        if r < 0.97
                        else "rejected"
                    )
                elif t <= now:
                    status = "checked_in"
                else:
                    r = rng.random()
                    status = "confirmed" if r < 0.75 else "requested" if r < 0.9 else "cancelled"
                checked_in = completed = used = cancelled = None
                if status in ("completed", "checked_in"):
                    checked_in = t + dt.timedelta(minutes=rng.randrange(0, 20))
                if status == "completed":
                    used = int(sizes[k] * rng.uniform(0.6, 1.0))
                    completed = checked_in + dt.timedelta(minutes=used)
                if status == "cancelled":
                    cancelled = t - dt.timedelta(hours=rng.uniform(1, 240))
                code += 1
                copy.write_row(
                    (
                        f"BK-B-{code:07d}",
                        e.pk,
                        customers[c].pk,
                        users[c].pk,
                        users[c].pk,
                        crew[code % len(crew)].pk if assisted else None,
                        "assisted" if assisted else "self",
                        e.gmp,
                        "bench",
                        types[c],
                        "test_service" if assisted and rng.random() < 0.7 else "self_use",
                        t,
                        ends,
                        ends + buffer,
                        status,
                        checked_in,
                        completed,
                        used,
                        cancelled,
                        "",
                        t - dt.timedelta(days=rng.uniform(1, 30)),
                    )
                )
                gap = rng.expovariate(1 / mean_gap) if mean_gap else 0.0
                t = ends + buffer + dt.timedelta(minutes=15 * round(gap / 15))
    print(f"  {code:,} bookings copied in {time.perf_counter() - t0:.1f} s", flush=True)

    # ------------------------------------------------------------------ projects and invoices
    office = User.objects.get(username="office")
    projects, quotes, invoices = [], [], []
    for i in range(n_projects):
        c = rng.choices(range(n_customers), weights=weights)[0]
        projects.append(
            Project(
                code=f"PD-B-{i:05d}",
                company=customers[c],
                center=centers[i % 2],
                title=f"process development {i}",
                organism="CHO-K1" if i % 2 else "E. coli BL21",
                process_steps="upstream, downstream",
                scale="50 L",
                status="invoiced",
                requested_by=users[c],
            )
        )
    projects = plain(Project).bulk_create(projects, batch_size=5000)
    for p in projects:
        subtotal = rng.randrange(10**6, 2 * 10**8, 1000)
        vat = round(subtotal / 10)
        ctype = customer_type(p.company)
        line = "test_service" if rng.random() < 0.6 else "self_use"
        quotes.append(
            Quote(
                project=p,
                version=1,
                status="accepted",
                customer_type=ctype,
                funding_line=line,
                subtotal_krw=subtotal,
                vat_krw=vat,
                total_krw=subtotal + vat,
                created_by=office,
            )
        )
    quotes = plain(Quote).bulk_create(quotes, batch_size=5000)
    for i, q in enumerate(quotes):
        issued = (start + dt.timedelta(days=rng.uniform(30, 3650))).date()
        invoices.append(
            Invoice(
                code=f"INV-B-{i:05d}",
                project=q.project,
                quote=q,
                customer_type=q.customer_type,
                funding_line=q.funding_line,
                lines=[
                    {
                        "kind": "equipment",
                        "description": "bench",
                        "quantity": "1.00",
                        "unit": "d",
                        "unit_price_krw": q.subtotal_krw,
                        "amount_krw": q.subtotal_krw,
                    }
                ],
                subtotal_krw=q.subtotal_krw,
                vat_krw=q.vat_krw,
                total_krw=q.total_krw,
                summary="bench",
                issued_on=min(issued, now.date()),
                issued_by=office,
            )
        )
    plain(Invoice).bulk_create(invoices, batch_size=5000)


def _deep_cursor() -> str:
    """The keyset cursor of the utilisation drill-down after its row five years back."""
    from django.utils import timezone

    from bioproof.core.pagination import encode_cursor, keyset_ordering
    from bioproof.facilities.models import Booking

    qs = Booking.objects.order_by("-starts_at")
    row = qs.filter(starts_at__lt=timezone.now() - dt.timedelta(days=5 * 365)).first()
    fields = keyset_ordering(qs)
    return encode_cursor(row, fields) if row and fields else ""


def pages() -> list[tuple[str, str, str]]:
    """(name, who, url) of every page measured: ``anonymous`` or ``office``."""
    year = dt.date.today().year
    period = f"year_from={year - 5}&year_to={year - 1}"
    drill = "/programme/office/records/utilisation/"
    return [
        ("public page", "anonymous", "/programme/"),
        ("public page, period", "anonymous", f"/programme/?{period}"),
        ("office page", "office", "/programme/office/"),
        ("office page, center", "office", "/programme/office/?center=center-1"),
        ("office page, center+period", "office", f"/programme/office/?center=center-0&{period}"),
        ("API", "anonymous", "/api/programme/indicators"),
        ("XLSX export", "office", "/programme/export/office.xlsx"),
        ("drill utilisation", "office", drill),
        ("drill utilisation, page 10", "office", f"{drill}?page=10"),
        ("drill utilisation, 5 y back", "office", f"{drill}?after={_deep_cursor()}"),
        ("drill utilisation, center", "office", f"{drill}?center=center-1"),
        (
            "drill utilisation, center+year",
            "office",
            f"{drill}?center=center-0&year_from={year - 3}&year_to={year - 3}",
        ),
        ("drill service revenue", "office", "/programme/office/records/service_revenue/"),
    ]


def measure(requests: int, only: str | None = None) -> dict[str, Any]:
    from django.test import Client

    from bioproof.consortium.models import User
    from bioproof.programme import snapshots

    t0 = time.perf_counter()
    snap = snapshots.refresh()
    refresh_s = time.perf_counter() - t0
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 - import every app's views before timing
    clients = {"anonymous": Client(), "office": Client()}
    clients["office"].force_login(User.objects.get(username="office"))
    timings = snap.data["timings_ms"]
    total = sum(timings.values()) or 1
    out: dict[str, Any] = {
        "refresh_s": round(refresh_s, 2),
        "snapshot_rows": sum(len(v) for v in snap.data["facts"].values()),
        "per_indicator_ms": timings,
        "per_indicator_share_pct": {k: round(100 * v / total, 1) for k, v in timings.items()},
    }
    for name, who, url in pages():
        if only and only not in name:
            continue
        client = clients[who]
        t = time.perf_counter()
        client.get(url)  # the first request summarises the snapshot for these filters
        first_ms = (time.perf_counter() - t) * 1000
        times = []
        for _ in range(requests):
            t = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - t) * 1000)
            assert response.status_code == 200, (url, response.status_code)
        out[name] = {
            "first_ms": round(first_ms, 1),
            "p50_ms": round(_pct(times, 0.5), 1),
            "p95_ms": round(_pct(times, 0.95), 1),
            "p99_ms": round(_pct(times, 0.99), 1),
        }
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--evaluations", type=int, default=100_000)
    parser.add_argument("--adoptions", type=int, default=10_000)
    parser.add_argument("--bookings", type=int, default=1_000_000)
    parser.add_argument("--equipment", type=int, default=100)
    parser.add_argument("--projects", type=int, default=5_000)
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument("--only", default=None, help="measure only pages whose name has this")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--keep", action="store_true", help="keep the database (for EXPLAIN)")
    args = parser.parse_args()
    admin = os.environ.get("BIOPROOF_BENCH_POSTGRES", DEFAULT_PG)
    url = admin.rsplit("/", 1)[0] + f"/{DB_NAME}"
    _pg_admin(admin, f"DROP DATABASE IF EXISTS {DB_NAME}")
    _pg_admin(admin, f"CREATE DATABASE {DB_NAME}")
    print("load before:", " ".join(f"{x:.2f}" for x in os.getloadavg()), flush=True)
    try:
        with tempfile.TemporaryDirectory() as var:
            _setup_django(url, var)
            from django.core.management import call_command

            call_command("migrate", verbosity=0)
            from django.db import connection, transaction

            rng = random.Random(args.seed)
            t = time.perf_counter()
            with transaction.atomic():
                seed(args.evaluations, args.adoptions, rng)
            print(f"seeded {args.evaluations:,} evaluations in {time.perf_counter() - t:.1f} s")
            t = time.perf_counter()
            with transaction.atomic():
                seed_facilities(args.bookings, args.equipment, args.projects, rng)
            print(
                f"seeded {args.bookings:,} bookings, {args.equipment} equipment, "
                f"{args.projects:,} invoiced projects in {time.perf_counter() - t:.1f} s"
            )
            t = time.perf_counter()
            with connection.cursor() as cur:
                cur.execute("VACUUM ANALYZE")  # what autovacuum does after a bulk load
            print(f"VACUUM ANALYZE in {time.perf_counter() - t:.1f} s", flush=True)
            try:
                for key, value in measure(args.requests, args.only).items():
                    print(f"{key:>32}: {value}", flush=True)
            finally:
                from django.db import connections

                connections.close_all()
    finally:
        if not args.keep:
            _pg_admin(admin, f"DROP DATABASE IF EXISTS {DB_NAME}")
        print("load after:", " ".join(f"{x:.2f}" for x in os.getloadavg()))


if __name__ == "__main__":
    main()
