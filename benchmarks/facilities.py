"""Center services at scale.

1. **Scheduler** (no database): 200 work packages (40 projects × a chain of 5) × 30 equipment
   (6 classes) × 12 weeks, 10 assisting staff with 3 classes each, existing bookings on every
   equipment, each package due 0–``--slack`` hours (default a week) after its chain's earliest
   end; OR-Tools CP-SAT minimizes total lateness. Prints the wall time (target < 10 s),
   the objective, the proven bound and the optimality gap.
2. **Booking race** (PostgreSQL): 50 clients (threads, each with its own connection) book random
   overlapping 3-hour windows (start on any quarter hour of one day) of the same equipment for
   30 s (``--think``: a mean pause between a client's attempts; default none, a closed loop).
   Afterwards no two holding bookings of the equipment may overlap (checked in SQL), every
   refusal is a 409 with a message, there are 0 server errors. Prints attempts, successes,
   p50/p95/p99 latency (target p95 < 100 ms).
3. **Center calendar page** (PostgreSQL): a center with 100 equipment and 20,000 bookings over a
   year (inserted in bulk *around* the audit trail: this database is thrown away), the day, week
   and month views of ``/facilities/centers/<code>/`` through Django's test client for a member
   of a customer organization. Prints p50/p95 (target p95 < 150 ms).

    python benchmarks/facilities.py                 # all three
    python benchmarks/facilities.py --only solver   # no database needed
    BIOPROOF_BENCH_POSTGRES=postgres://postgres@127.0.0.1:5432/postgres \
        python benchmarks/facilities.py

It creates and drops its own database (``bioproof_bench_facilities``) on the server of
``BIOPROOF_BENCH_POSTGRES``; it never touches another database.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
DEFAULT_PG = "postgres://postgres@127.0.0.1:5432/postgres"
DB_NAME = "bioproof_bench_facilities"
PASSWORD = "bench-pass-2026-x"


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else 0.0


# --------------------------------------------------------------------------- 1. scheduler


def scheduler_instance(
    seed: int = 7, slack: int = 168
) -> tuple[list[Any], int, dict[int, list[tuple[int, int]]]]:
    from bioproof.facilities import solver

    rng = random.Random(seed)
    n_eq, classes, n_staff = 30, 6, 10
    horizon = 12 * 7 * 24
    eq_class = [i % classes for i in range(n_eq)]
    staff_classes = [set(rng.sample(range(classes), 3)) for _ in range(n_staff)]
    tasks = []
    for p in range(40):
        release = rng.randrange(0, horizon // 2)
        prev, t_end = None, release
        for k in range(5):
            c = rng.randrange(classes)
            dur = rng.choice([8, 12, 24, 48, 72, 96])
            t_end += dur
            key = p * 5 + k
            tasks.append(
                solver.Task(
                    key=key,
                    duration=dur,
                    release=release,
                    due=t_end + rng.randrange(0, slack + 1),
                    equipment=tuple(i for i in range(n_eq) if eq_class[i] == c),
                    staff=tuple(s for s in range(n_staff) if c in staff_classes[s]),
                    needs_staff=rng.random() < 0.6,
                    predecessors=(prev,) if prev is not None else (),
                )
            )
            prev = key
    busy = {
        e: [(a, a + 48) for a in sorted(rng.sample(range(0, horizon - 48, 48), 8))]
        for e in range(n_eq)
    }
    return tasks, horizon, busy


def bench_solver(time_limit: float, slack: int) -> dict[str, Any]:
    from bioproof.facilities import solver

    tasks, horizon, busy = scheduler_instance(slack=slack)
    t0 = time.perf_counter()
    sol = solver.solve(
        tasks,
        horizon=horizon,
        busy_equipment=busy,
        buffers={e: 2 for e in range(30)},
        time_limit=time_limit,
        workers=2,
    )
    wall = time.perf_counter() - t0
    late = sum(1 for a in sol.assignments if a.lateness > 0)
    return {
        "work_packages": len(tasks),
        "due_slack_h": f"0–{slack}",
        "equipment": 30,
        "weeks": 12,
        "status": sol.status,
        "wall_seconds": round(wall, 2),
        "total_lateness_h": sol.objective,
        "lower_bound_h": sol.bound,
        "optimality_gap_pct": round(sol.gap * 100, 2),
        "late_work_packages": late,
        "under_10_s": wall < 10,
    }


# --------------------------------------------------------------------------- database parts


def _pg_admin(url: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(url.replace("postgres://", "postgresql://", 1), autocommit=True) as c:
        c.execute(sql)


def _setup_django(url: str, var_dir: str) -> None:
    os.environ["BIOPROOF_DATABASE_URL"] = url
    os.environ["BIOPROOF_VAR_DIR"] = var_dir
    os.environ.setdefault("BIOPROOF_SECRET_KEY", "benchmark-only")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bioproof.settings")
    import django

    django.setup()
    from django.conf import settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.ALLOWED_HOSTS = ["*"]


def _world(clients: int) -> dict[str, Any]:
    from bioproof.consortium import actions as consortium
    from bioproof.consortium.models import Organization
    from bioproof.facilities import actions

    K = Organization.Kind
    center = consortium.create_organization(
        by=None, code="bench-center", name_ko="센터", name_en="Bench Center", kind=K.CENTER
    )
    company = consortium.create_organization(
        by=None, code="bench-co", name_ko="회사", name_en="Bench Co", kind=K.SUPPLIER
    )
    staff = consortium.create_user(
        by=None, username="bench.staff", password=PASSWORD, organization=center, roles=["staff"]
    )
    operator = consortium.create_user(
        by=None, username="bench.op", password=PASSWORD, organization=center, roles=["staff"]
    )
    from bioproof.training import actions as training

    training.record_supervised_use(
        by=staff,
        password=PASSWORD,
        person=operator,
        center=center,
        key="bioreactor.single-use",
        used_on=dt.date.today() - dt.timedelta(days=1),
        hours=4,
        validity_months=24,
    )
    users = [
        consortium.create_user(
            by=None, username=f"client{i}", password=PASSWORD, organization=company, roles=["staff"]
        )
        for i in range(clients)
    ]
    equipment = [
        actions.register_equipment(
            by=staff,
            center=center,
            code=f"BEN-EQ-{i:03d}",
            name_ko=f"장비 {i}",
            name_en=f"Equipment {i}",
            kind="sub",
            equipment_class="bioreactor.single-use",
            buffer_minutes=30,
            max_minutes=7 * 24 * 60,
        )
        for i in range(100)
    ]
    return {
        "center": center,
        "company": company,
        "staff": staff,
        "operator": operator,
        "users": users,
        "equipment": equipment,
    }


def _race_clients(
    world: dict[str, Any],
    ids: list[int],
    start_wall: float,
    seconds: float,
    seed: int,
    think: float,
) -> dict[str, Any]:
    """Run the clients ``ids`` as threads of this process (each with its own connection) from
    ``start_wall`` (``time.time()``) for ``seconds``; return their latencies and outcomes."""
    from django.db import connections
    from django.utils import timezone

    from bioproof.core.errors import DomainError
    from bioproof.facilities import actions

    eq = world["equipment"][0]
    day = timezone.localdate() + dt.timedelta(days=3)
    base = timezone.make_aware(dt.datetime.combine(day, dt.time(0)))
    out: dict[str, Any] = {
        "latencies": [],
        "outcomes": {"ok": 0, "409": 0, "other_4xx": 0, "500": 0},
        "messages_missing": 0,
        "first_500": "",
    }
    lock = threading.Lock()

    def client(i: int) -> None:
        rng = random.Random(seed + i)
        user = world["users"][i]
        time.sleep(max(0.0, start_wall - time.time()))
        stop = time.perf_counter() + seconds
        try:
            while time.perf_counter() < stop:
                start = base + dt.timedelta(minutes=15 * rng.randrange(0, 84))
                t0 = time.perf_counter()
                kind = "ok"
                try:
                    actions.book(
                        by=user,
                        equipment=eq,
                        starts_at=start,
                        ends_at=start + dt.timedelta(hours=3),
                        mode="assisted",
                        staff=world["operator"],
                    )
                except DomainError as exc:
                    kind = "409" if exc.status_code == 409 else "other_4xx"
                    if not exc.message:
                        with lock:
                            out["messages_missing"] += 1
                except Exception as exc:  # a server error: counted, the first one shown
                    kind = "500"
                    with lock:
                        out["first_500"] = out["first_500"] or repr(exc)
                dt_ = time.perf_counter() - t0
                with lock:
                    out["outcomes"][kind] += 1
                    out["latencies"].append(dt_)
                if think:
                    time.sleep(rng.uniform(0.5, 1.5) * think)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=client, args=(i,)) for i in ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return out


def _race_process(world: dict[str, Any], ids: list[int], queue: Any, *args: Any) -> None:
    queue.put(_race_clients(world, ids, *args))


def bench_race(
    world: dict[str, Any],
    clients: int,
    seconds: float,
    seed: int,
    think: float = 0.0,
    processes: int = 1,
) -> dict[str, Any]:
    """``clients`` clients spread over ``processes`` processes (threads within each, as a
    server's workers run requests); a client books, hears the answer, pauses ``think`` s on
    average (0: at once) and books again."""
    import multiprocessing

    from django.db import connection, connections

    processes = max(1, min(processes, clients))
    shares = [list(range(p, clients, processes)) for p in range(processes)]
    start_wall = time.time() + 0.5 + 0.1 * processes
    t0 = time.perf_counter()
    if processes == 1:
        results = [_race_clients(world, shares[0], start_wall, seconds, seed, think)]
    else:
        connections.close_all()  # the children open their own
        ctx = multiprocessing.get_context("fork")
        queue = ctx.Queue()
        procs = [
            ctx.Process(
                target=_race_process,
                args=(world, share, queue, start_wall, seconds, seed, think),
            )
            for share in shares
        ]
        for proc in procs:
            proc.start()
        results = [queue.get() for _ in procs]
        for proc in procs:
            proc.join()
    elapsed = time.perf_counter() - t0
    latencies = [x for r in results for x in r["latencies"]]
    outcomes = {k: sum(r["outcomes"][k] for r in results) for k in results[0]["outcomes"]}
    with connection.cursor() as cur:
        cur.execute(
            """SELECT count(*) FROM facilities_booking a JOIN facilities_booking b
               ON a.equipment_id = b.equipment_id AND a.id < b.id
               AND tstzrange(a.starts_at, a.block_until) && tstzrange(b.starts_at, b.block_until)
               WHERE a.status IN ('requested','confirmed','checked_in','completed')
               AND b.status IN ('requested','confirmed','checked_in','completed')"""
        )
        overlaps = cur.fetchone()[0]
    attempts = sum(outcomes.values())
    return {
        "clients": clients,
        "processes": processes,
        "think_time_s": think,
        "seconds": round(seconds, 1),
        "attempts": attempts,
        "bookings_made": outcomes["ok"],
        "refused_409": outcomes["409"],
        "other_4xx": outcomes["other_4xx"],
        "server_errors": outcomes["500"],
        "first_server_error": next((r["first_500"] for r in results if r["first_500"]), ""),
        "refusals_without_message": sum(r["messages_missing"] for r in results),
        "overlapping_pairs": overlaps,
        "per_second": round(attempts / seconds, 1),
        "p50_ms": round(_pct(latencies, 0.5) * 1000, 1),
        "p95_ms": round(_pct(latencies, 0.95) * 1000, 1),
        "p99_ms": round(_pct(latencies, 0.99) * 1000, 1),
        "wall_s": round(elapsed, 1),
    }


def _bulk_bookings(world: dict[str, Any], n: int, seed: int) -> None:
    """n bookings over the year around today, 4–8 h each, no overlaps (slots per equipment)."""
    from django.db import transaction
    from django.db.models import QuerySet
    from django.utils import timezone

    from bioproof.facilities.models import Booking

    rng = random.Random(seed)
    eqs = world["equipment"]
    per_eq = n // len(eqs)
    start0 = timezone.make_aware(
        dt.datetime.combine(timezone.localdate() - dt.timedelta(days=182), dt.time(8))
    )
    rows = []
    user, company = world["users"][0], world["company"]
    for e in eqs:
        t = start0
        for k in range(per_eq):  # ~44 h apart: 200 per equipment span the year
            t += dt.timedelta(hours=rng.choice([30, 34, 38, 42, 46]))
            length = dt.timedelta(hours=rng.choice([4, 6, 8]))
            rows.append(
                Booking(
                    code=f"BK-B-{e.pk}-{k}",
                    equipment=e,
                    organization=company,
                    user=user,
                    booked_by=user,
                    mode="self",
                    customer_type="sme",
                    starts_at=t,
                    ends_at=t + length,
                    block_until=t + length + dt.timedelta(minutes=30),
                    status=rng.choice(["confirmed", "completed", "completed", "cancelled"]),
                )
            )
            t += length + dt.timedelta(minutes=30)
    with transaction.atomic():
        QuerySet(model=Booking).bulk_create(rows, batch_size=2000)


def bench_calendar(world: dict[str, Any], n: int, requests: int, seed: int) -> dict[str, Any]:
    from django.test import Client
    from django.utils import timezone

    _bulk_bookings(world, n, seed)
    from bioproof.consortium import actions as consortium

    viewer = consortium.create_user(
        by=None,
        username="viewer",
        password=PASSWORD,
        organization=world["company"],
        roles=["viewer"],
    )
    client = Client()
    client.force_login(viewer)
    out: dict[str, Any] = {"equipment": len(world["equipment"]), "bookings": n}
    rng = random.Random(seed)
    for view in ("day", "week", "month"):
        times = []
        for _ in range(requests):
            day = timezone.localdate() + dt.timedelta(days=rng.randrange(-150, 150))
            t0 = time.perf_counter()
            r = client.get(f"/facilities/centers/bench-center/?view={view}&date={day}")
            times.append(time.perf_counter() - t0)
            assert r.status_code == 200, r.status_code
        out[f"{view}_p50_ms"] = round(_pct(times, 0.5) * 1000, 1)
        out[f"{view}_p95_ms"] = round(_pct(times, 0.95) * 1000, 1)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", choices=["solver", "race", "calendar"], default=None)
    parser.add_argument("--time-limit", type=float, default=8.0)
    parser.add_argument(
        "--slack", type=int, default=168, help="due = chain end + 0..slack hours (48: tight)"
    )
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument(
        "--think", type=float, default=0.0, help="mean pause between a client's attempts (s)"
    )
    parser.add_argument(
        "--processes",
        type=int,
        default=4,
        help="client processes (threads within each), as a server's workers: gunicorn -w 4",
    )
    parser.add_argument("--bookings", type=int, default=20_000)
    parser.add_argument("--requests", type=int, default=60)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    if args.only in (None, "solver"):
        print("== scheduler: 200 work packages × 30 equipment × 12 weeks (CP-SAT)", flush=True)
        for k, v in bench_solver(args.time_limit, args.slack).items():
            print(f"  {k}: {v}")
    if args.only == "solver":
        return 0
    admin = os.environ.get("BIOPROOF_BENCH_POSTGRES", DEFAULT_PG)
    base = admin.rpartition("/")[0]
    _pg_admin(admin, f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
    _pg_admin(admin, f'CREATE DATABASE "{DB_NAME}"')
    var_dir = tempfile.mkdtemp(prefix="bioproof-bench-facilities-")
    try:
        _setup_django(f"{base}/{DB_NAME}", var_dir)
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        world = _world(args.clients)
        if args.only in (None, "race"):
            print(
                f"== booking race: {args.clients} clients, {args.seconds:.0f} s, one equipment "
                "(PostgreSQL)",
                flush=True,
            )
            result = bench_race(
                world, args.clients, args.seconds, args.seed, args.think, args.processes
            )
            for k, v in result.items():
                print(f"  {k}: {v}")
            ok = result["overlapping_pairs"] == 0 and result["server_errors"] == 0
            print("  no double booking, no server error:", "holds" if ok else "BROKEN")
        if args.only in (None, "calendar"):
            print(
                f"== center calendar: 100 equipment, {args.bookings} bookings (PostgreSQL)",
                flush=True,
            )
            for k, v in bench_calendar(world, args.bookings, args.requests, args.seed).items():
                print(f"  {k}: {v}")
    finally:
        from django.db import connections

        connections.close_all()
        _pg_admin(admin, f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
