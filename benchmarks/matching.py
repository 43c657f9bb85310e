"""Matching in process at 10k and 100k products: how ``candidates(need)`` grows (issue 14).

Seeds a PostgreSQL database of its own with the data of ``benchmarks/pages.py`` (its ``seed``:
bulk inserts and ``COPY`` around the audit trail, 10,000 public track records with 3 criteria
each), once per ``--products`` scale, and times ``bioproof.demand.matching.candidates(need)``
in this process for the resins need (2 required specifications) and the all-materials need (no
requirement): ``--warm`` calls, then p50 and p95 over ``--calls`` calls. Prints the growth ratio
from the first scale to the last (goal ≤ 2× from 10k to 100k).

    .venv/bin/python benchmarks/matching.py                          # 10k then 100k
    .venv/bin/python benchmarks/matching.py --explain                # + EXPLAIN ANALYZE at each
    .venv/bin/python benchmarks/matching.py --json out.json          # the ranked lists too
    .venv/bin/python benchmarks/matching.py --compare before.json    # same ranking and reasons?

``--compare`` checks that the ranked lists (``Match.to_dict()``) equal those another run (an
older version of the code) wrote with ``--json`` on the same seeded data (the seed is fixed).
The server is ``BIOPROOF_BENCH_POSTGRES`` (default ``postgres://postgres@127.0.0.1:5432/postgres``);
the script creates and drops only its own database (``--name``, default ``bioproof_matching``).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import pages  # benchmarks/pages.py: database, Django set-up and the seed

NEEDS = (("resins", "need_leaf"), ("all materials", "need_root"))


def timed(need: Any, calls: int, warm: int) -> dict[str, Any]:
    from bioproof.demand import matching

    for _ in range(warm):
        matching.candidates(need)
    times = []
    for _ in range(calls):
        started = time.perf_counter()
        ranked = matching.candidates(need)
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return {
        "p50": statistics.median(times),
        "p95": times[min(len(times) - 1, int(0.95 * len(times)))],
        "ranked": [m.to_dict() for m in ranked],
    }


def explain(need: Any, threshold_ms: float) -> None:
    """EXPLAIN ANALYZE every query of one call that took longer than ``threshold_ms``."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from bioproof.demand import matching

    with CaptureQueriesContext(connection) as queries:
        matching.candidates(need)
    print(f"    {len(queries.captured_queries)} queries", flush=True)
    for q in queries.captured_queries:
        ms = float(q["time"]) * 1000
        if ms < threshold_ms:
            continue
        print(f"    --- {ms:.1f} ms: {' '.join(q['sql'].split())[:160]}…", flush=True)
        with connection.cursor() as cur:
            cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + q["sql"])
            for (line,) in cur.fetchall():
                print("      " + (line if len(line) <= 200 else line[:200] + "…"))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--products", type=lambda s: [int(x) for x in s.split(",")], default=[10_000, 100_000]
    )
    parser.add_argument("--track-records", type=int, default=10_000)
    parser.add_argument("--calls", type=int, default=15)
    parser.add_argument("--warm", type=int, default=3)
    parser.add_argument("--explain", action="store_true", help="EXPLAIN ANALYZE the slow queries")
    parser.add_argument("--explain-ms", type=float, default=5.0)
    parser.add_argument("--name", default="bioproof_matching")
    parser.add_argument("--json", help="write the figures and ranked lists here")
    parser.add_argument("--compare", help="a --json file of another run: same ranked lists?")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()

    var = tempfile.mkdtemp(prefix="bioproof-matching-")
    results: dict[str, dict[str, Any]] = {}
    load_before = os.getloadavg()
    for i, n in enumerate(args.products):
        url = pages.setup_database(args.name)
        if i == 0:
            pages.django_setup(url, var)
        else:
            from django.core.management import call_command

            call_command("migrate", verbosity=0)
        seed_args = argparse.Namespace(
            products=n,
            track_records=args.track_records,
            runs=0,  # one run per evaluation: matching never reads runs
            needs=2,  # needs[0]: all materials, no requirement; needs[1]: resins, two
            users=110,
            runs_detail=[],
        )
        world = pages.seed(seed_args)
        from bioproof.demand.models import Need

        for label, key in NEEDS:
            need = Need.objects.select_related("category").get(code=world[key])
            r = timed(need, args.calls, args.warm)
            results[f"{n}:{label}"] = r
            print(
                f"  {n:>7} products · {label:14} p50 {r['p50']:7.1f} ms  p95 {r['p95']:7.1f} ms",
                flush=True,
            )
            if args.explain:
                explain(need, args.explain_ms)
        from django.db import connections

        connections.close_all()
        if not args.keep or i < len(args.products) - 1:
            import psycopg

            server = os.environ.get(
                "BIOPROOF_BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432/postgres"
            )
            with psycopg.connect(server, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{args.name}" WITH (FORCE)')
    load_after = os.getloadavg()

    first, last = args.products[0], args.products[-1]
    print()
    print(
        f"in process, PostgreSQL, {os.cpu_count()} CPUs, load average before "
        f"{load_before[0]:.2f}, after {load_after[0]:.2f}; p50 of {args.calls} calls"
    )
    print(f"| need | {first:,} | {last:,} | growth |")
    print("|---|---|---|---|")
    for label, _key in NEEDS:
        a, b = results[f"{first}:{label}"]["p50"], results[f"{last}:{label}"]["p50"]
        print(f"| {label} | {a:.1f} ms | {b:.1f} ms | {b / a:.2f}× |")
    status = 0
    if args.compare:
        other = json.loads(Path(args.compare).read_text())["results"]
        for key, r in results.items():
            if key not in other:
                print(f"compare: {key} not in {args.compare}")
                continue
            same = r["ranked"] == other[key]["ranked"]
            print(f"compare {key}: {'identical' if same else 'DIFFERENT'} ranking and reasons")
            status |= not same
    if args.json:
        Path(args.json).write_text(
            json.dumps(
                {"load": [load_before, load_after], "results": results},
                indent=1,
                ensure_ascii=False,
            )
        )
    return status


if __name__ == "__main__":
    raise SystemExit(main())
