"""Training at scale, on PostgreSQL.

1. **Enrollment under concurrency**: 2,000 enrollments (default) into 50 sessions of 30 seats,
   sent by 16 threads (each with its own database connection) in a shuffled order. Afterwards no
   session may hold more confirmed seats than its capacity, every session must be full before
   anybody waits, and each waitlist must be numbered 1..k in the order its rows were written.
   Prints throughput and latency.
2. **Certificate verification page**: 100,000 certificates (default), then the public page
   ``/training/verify/<code>/`` rendered through Django's test client for random codes (valid,
   expired, revoked), sequentially and from 8 threads. Prints p50/p95/p99. Target: p95 < 50 ms.

The certificates of step 2 are inserted in bulk *around* the audit trail (plain querysets, no row
events) to load 100,000 of them in a minute: this database is thrown away afterwards and is never
checked with ``audit verify``.

    python benchmarks/training.py
    python benchmarks/training.py --enrollments 2000 --sessions 50 --certificates 100000
    BIOPROOF_BENCH_POSTGRES=postgres://postgres@127.0.0.1:5432/postgres \
        python benchmarks/training.py

It creates and drops its own database (``bioproof_bench_training``) on the server of
``BIOPROOF_BENCH_POSTGRES``; it never touches another database.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PG = "postgres://postgres@127.0.0.1:5432/postgres"
DB_NAME = "bioproof_bench_training"


def _pg_admin(url: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(url.replace("postgres://", "postgresql://", 1), autocommit=True) as c:
        c.execute(sql)


def _setup_django(url: str, var_dir: str) -> None:
    os.environ["BIOPROOF_DATABASE_URL"] = url
    os.environ["BIOPROOF_VAR_DIR"] = var_dir
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


def _world(sessions: int, capacity: int) -> dict[str, Any]:
    from django.utils import timezone

    from bioproof.consortium import actions as consortium
    from bioproof.consortium.models import Organization
    from bioproof.training import actions

    center = consortium.create_organization(
        by=None,
        code="bench-center",
        name_ko="벤치 센터",
        name_en="Bench Center",
        kind=Organization.Kind.CENTER,
    )
    staff = consortium.create_user(
        by=None,
        username="bench.staff",
        password="bench-pass-2026",
        organization=center,
        roles=["staff"],
    )
    provider = actions.register_provider(by=None, organization=center)
    course = actions.create_course(
        by=staff,
        provider=provider,
        code="BENCH-101",
        title_ko="벤치 과정",
        title_en="Bench course",
        level="basic",
        modules=[{"title": "m", "kind": "theory", "hours": 1}],
        capacity=capacity,
        checklist=["item"],
        grants=[
            {"key": "bench.equipment", "validity_months": 12},
            {"key": "bench.unit-op", "validity_months": None},
        ],
        certificate_validity_months=12,
    )
    course = actions.set_course_status(by=staff, course=course, status="published")
    start = timezone.localdate() + dt.timedelta(days=30)
    made = [
        actions.create_session(
            by=staff,
            course=course,
            center=center,
            starts_on=start,
            ends_on=start,
            instructors=[staff],
        )
        for _ in range(sessions)
    ]
    return {
        "center": center,
        "staff": staff,
        "provider": provider,
        "course": course,
        "sessions": made,
    }


def _trainees(n: int) -> list[Any]:
    from bioproof.consortium.models import User

    users = [
        User(username=f"trainee{i:06d}", first_name="Trainee", last_name=str(i)) for i in range(n)
    ]
    for u in users:
        u.set_unusable_password()
    User.objects.bulk_create(users, batch_size=2000)
    return list(User.objects.filter(username__startswith="trainee").order_by("username"))


def bench_enrollment(world: dict[str, Any], n: int, threads: int, seed: int) -> dict[str, Any]:
    from django.db import connections

    from bioproof.training import actions
    from bioproof.training.models import Enrollment

    sessions = world["sessions"]
    users = _trainees(n)
    rng = random.Random(seed)
    # every trainee enrolls in one session; sessions equally popular
    jobs = [(u, sessions[i % len(sessions)]) for i, u in enumerate(users)]
    rng.shuffle(jobs)
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()

    def one(job: tuple[Any, Any]) -> None:
        user, session = job
        t0 = time.perf_counter()
        try:
            actions.enroll(by=user, session=session)
        except Exception as exc:  # counted and shown
            with lock:
                errors.append(f"{type(exc).__name__}: {exc}")
        with lock:
            latencies.append(time.perf_counter() - t0)

    def close(_: int) -> None:
        connections.close_all()

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=threads) as pool:
        list(pool.map(one, jobs))
        list(pool.map(close, range(threads * 4)))
    elapsed = time.perf_counter() - started
    overbooked, not_full, bad_order = 0, 0, 0
    for s in sessions:
        rows = list(
            Enrollment.objects.filter(session=s)
            .order_by("id")
            .values_list("status", "waitlist_position")
        )
        confirmed = sum(1 for st, _ in rows if st == "confirmed")
        waiting = [p for st, p in rows if st == "waitlisted"]
        overbooked += confirmed > s.capacity
        not_full += bool(waiting) and confirmed < s.capacity
        bad_order += waiting != list(range(1, len(waiting) + 1))
    return {
        "enrollments": n,
        "sessions": len(sessions),
        "capacity": sessions[0].capacity,
        "threads": threads,
        "seconds": round(elapsed, 2),
        "per_second": round(n / elapsed, 1),
        "p50_ms": round(_pct(latencies, 0.5) * 1000, 1),
        "p95_ms": round(_pct(latencies, 0.95) * 1000, 1),
        "errors": len(errors),
        "first_error": errors[0] if errors else "",
        "confirmed": Enrollment.objects.filter(status="confirmed").count(),
        "waitlisted": Enrollment.objects.filter(status="waitlisted").count(),
        "sessions_overbooked": overbooked,
        "sessions_waiting_with_free_seats": not_full,
        "waitlists_out_of_order": bad_order,
    }


def _bulk_certificates(world: dict[str, Any], n: int, seed: int) -> list[str]:
    """n certificates (a tenth revoked, a tenth expired) inserted around the audit trail."""
    from django.db import transaction
    from django.db.models import QuerySet
    from django.utils import timezone

    from bioproof.consortium.models import User
    from bioproof.training.models import (
        Assessment,
        Certificate,
        Enrollment,
        Qualification,
        Session,
    )

    rng = random.Random(seed)
    today = timezone.localdate()
    version = world["course"].current
    staff = world["staff"]
    holders = list(User.objects.filter(username__startswith="trainee").order_by("id")[:2000])
    per_session = len(holders)
    extra = (n + per_session - 1) // per_session
    plain = lambda model: QuerySet(model=model)  # noqa: E731 - no row events: benchmark data only
    sessions = plain(Session).bulk_create(
        [
            Session(
                code=f"TSB-{i:05d}",
                course_version=version,
                center=world["center"],
                starts_on=today - dt.timedelta(days=400),
                ends_on=today - dt.timedelta(days=400),
                capacity=per_session,
                created_by=staff,
            )
            for i in range(extra)
        ]
    )
    codes: list[str] = []
    made = 0
    for session in sessions:
        with transaction.atomic():
            count = min(per_session, n - made)
            people = holders[:count]
            enrollments = plain(Enrollment).bulk_create(
                [
                    Enrollment(
                        session=session,
                        trainee=p,
                        status="confirmed",
                        certificate_name=f"{p.first_name} {p.last_name}",
                    )
                    for p in people
                ]
            )
            results = plain(Assessment).bulk_create(
                [
                    Assessment(
                        enrollment=e,
                        theory_score=80,
                        checklist={"item": True},
                        attendance_pct=100,
                        passed=True,
                        status="final",
                        created_by=staff,
                    )
                    for e in enrollments
                ]
            )
            certs = []
            for e, r in zip(enrollments, results, strict=True):
                made += 1
                roll = rng.random()
                issued = today - dt.timedelta(days=rng.randint(0, 700))
                certs.append(
                    Certificate(
                        code=f"CT-BENCH-{made:06d}",
                        assessment=r,
                        enrollment=e,
                        holder=e.trainee,
                        holder_name=e.certificate_name,
                        publish_name=roll < 0.5,
                        provider=world["provider"],
                        course_version=version,
                        issued_on=issued,
                        expires_on=issued + dt.timedelta(days=365),
                        status="revoked" if roll < 0.1 else "valid",
                        revoked_reason="benchmark revocation" if roll < 0.1 else "",
                        credential_id=f"urn:uuid:bench-{made}",
                        credential_jwt="x",
                    )
                )
            certs = plain(Certificate).bulk_create(certs)
            plain(Qualification).bulk_create(
                [
                    Qualification(
                        person_id=c.holder_id,
                        key=k,
                        name_ko=k,
                        name_en=k,
                        certificate=c,
                        granted_on=c.issued_on,
                        expires_on=c.expires_on if k == "bench.equipment" else None,
                    )
                    for c in certs
                    for k in ("bench.equipment", "bench.unit-op")
                ]
            )
            codes += [c.code for c in certs]
        if made >= n:
            break
    return codes


def bench_verification(world: dict[str, Any], n: int, requests: int, seed: int) -> dict[str, Any]:
    from django.db import connection, connections
    from django.test import Client

    t0 = time.perf_counter()
    codes = _bulk_certificates(world, n, seed)
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    load_s = time.perf_counter() - t0
    rng = random.Random(seed + 1)
    sample = [rng.choice(codes) for _ in range(requests)]
    client = Client()
    for code in sample[:50]:  # warm up
        client.get(f"/training/verify/{code}/")
    seq: list[float] = []
    statuses: dict[str, int] = {}
    for code in sample:
        t = time.perf_counter()
        r = client.get(f"/training/verify/{code}/")
        seq.append(time.perf_counter() - t)
        assert r.status_code == 200, (code, r.status_code)
        body = r.content.decode()
        for s in ("valid", "expired", "revoked"):
            if f'data-status="{s}"' in body:
                statuses[s] = statuses.get(s, 0) + 1
    par: list[float] = []
    lock = threading.Lock()

    def one(code: str) -> None:
        c = Client()
        t = time.perf_counter()
        c.get(f"/training/verify/{code}/")
        with lock:
            par.append(time.perf_counter() - t)

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(one, sample))
        list(pool.map(lambda _: connections.close_all(), range(32)))
    par_s = time.perf_counter() - started
    return {
        "certificates": len(codes),
        "load_seconds": round(load_s, 1),
        "requests": requests,
        "statuses": statuses,
        "sequential_p50_ms": round(_pct(seq, 0.5) * 1000, 2),
        "sequential_p95_ms": round(_pct(seq, 0.95) * 1000, 2),
        "sequential_p99_ms": round(_pct(seq, 0.99) * 1000, 2),
        "threads8_p50_ms": round(_pct(par, 0.5) * 1000, 2),
        "threads8_p95_ms": round(_pct(par, 0.95) * 1000, 2),
        "threads8_per_second": round(requests / par_s, 1),
        "mean_ms": round(statistics.mean(seq) * 1000, 2),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--enrollments", type=int, default=2000)
    parser.add_argument("--sessions", type=int, default=50)
    parser.add_argument("--capacity", type=int, default=30)
    parser.add_argument("--threads", type=int, default=16)
    parser.add_argument("--certificates", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    admin = os.environ.get("BIOPROOF_BENCH_POSTGRES", DEFAULT_PG)
    base = admin.rpartition("/")[0]
    _pg_admin(admin, f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
    _pg_admin(admin, f'CREATE DATABASE "{DB_NAME}"')
    var_dir = tempfile.mkdtemp(prefix="bioproof-bench-training-")
    try:
        _setup_django(f"{base}/{DB_NAME}", var_dir)
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        world = _world(args.sessions, args.capacity)
        print(
            f"== enrollment: {args.enrollments} into {args.sessions} sessions of "
            f"{args.capacity} seats, {args.threads} threads (PostgreSQL)",
            flush=True,
        )
        result = bench_enrollment(world, args.enrollments, args.threads, args.seed)
        for k, v in result.items():
            print(f"  {k}: {v}")
        print(
            f"== verification page: {args.certificates} certificates, {args.requests} requests",
            flush=True,
        )
        result2 = bench_verification(world, args.certificates, args.requests, args.seed)
        for k, v in result2.items():
            print(f"  {k}: {v}")
        ok = (
            result["sessions_overbooked"] == 0
            and result["waitlists_out_of_order"] == 0
            and result["sessions_waiting_with_free_seats"] == 0
            and result["errors"] == 0
        )
        print("enrollment invariants:", "hold" if ok else "BROKEN")
        print("verification p95 < 50 ms:", result2["sequential_p95_ms"] < 50)
        return 0 if ok else 1
    finally:
        from django.db import connections

        connections.close_all()
        _pg_admin(admin, f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
        import shutil

        shutil.rmtree(var_dir, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
