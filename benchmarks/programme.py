"""Programme dashboard at scale, on PostgreSQL.

Seeds ten years of records — 100,000 evaluations (default) over 200 suppliers' products in every
category, with criteria verdicts, reports and track records for the analysed ones, 10,000
adoptions and needs with declared volumes and values, and pledges — then prints:

1. the time the job takes to compute every indicator into a snapshot (``snapshots.refresh``);
2. p50/p95/p99 of the public page, the office page, the XLSX export and the API reading that
   snapshot, through Django's test client (goal: p95 < 200 ms).

Rows are inserted in bulk *around* the audit trail (plain querysets, no row events) to load them
in a minute or two: this database is thrown away afterwards and never checked with
``audit verify``.

    python benchmarks/programme.py
    python benchmarks/programme.py --evaluations 100000 --requests 40
    BIOPROOF_BENCH_POSTGRES=postgres://postgres@127.0.0.1:5432/postgres \
        python benchmarks/programme.py

It creates and drops its own database (``bioproof_bench_programme``) on the server of
``BIOPROOF_BENCH_POSTGRES``; it never touches another database.
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


def measure(requests: int) -> dict[str, Any]:
    from django.test import Client

    from bioproof.consortium.models import User
    from bioproof.programme import snapshots

    t0 = time.perf_counter()
    snap = snapshots.refresh()
    refresh_s = time.perf_counter() - t0
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 - import every app's views before timing
    anonymous, office = Client(), Client()
    office.force_login(User.objects.get(username="office"))
    out: dict[str, Any] = {
        "refresh_s": round(refresh_s, 2),
        "snapshot_rows": sum(len(v) for v in snap.data["facts"].values()),
        "per_indicator_ms": snap.data["timings_ms"],
    }
    for name, client, url in (
        ("public page", anonymous, "/programme/"),
        ("public page, filtered", anonymous, "/programme/?year_from=2020&year_to=2024"),
        ("office page", office, "/programme/office/"),
        ("API", anonymous, "/api/programme/indicators"),
        ("XLSX export", office, "/programme/export/office.xlsx"),
    ):
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
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    admin = os.environ.get("BIOPROOF_BENCH_POSTGRES", DEFAULT_PG)
    url = admin.rsplit("/", 1)[0] + f"/{DB_NAME}"
    _pg_admin(admin, f"DROP DATABASE IF EXISTS {DB_NAME}")
    _pg_admin(admin, f"CREATE DATABASE {DB_NAME}")
    try:
        with tempfile.TemporaryDirectory() as var:
            _setup_django(url, var)
            from django.core.management import call_command

            call_command("migrate", verbosity=0)
            from django.db import transaction

            t = time.perf_counter()
            with transaction.atomic():
                seed(args.evaluations, args.adoptions, random.Random(args.seed))
            print(f"seeded {args.evaluations:,} evaluations in {time.perf_counter() - t:.1f} s")
            try:
                for key, value in measure(args.requests).items():
                    print(f"{key:>24}: {value}")
            finally:
                from django.db import connections

                connections.close_all()
    finally:
        _pg_admin(admin, f"DROP DATABASE IF EXISTS {DB_NAME}")


if __name__ == "__main__":
    main()
