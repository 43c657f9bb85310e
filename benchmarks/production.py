"""mRNA production at scale, on PostgreSQL.

1. **Executed batch record of 300 steps by 20 concurrent operators.** An MBR of 300 steps (10
   unit procedures × 30 steps, two parameters and one in-process control each). *Baseline*: one
   operator records a batch alone (the cost of one entry on this machine). *Relay*: operator i
   takes the steps whose number is i modulo 20, each as soon as the step before is done (each
   operator on its own database connection). *Contention*: all 20 operators fire at the same
   next step at once — one wins, the others get a 409 and try the next. Afterwards every step
   has exactly its three entries (nothing lost, nothing duplicated), the step order holds, and
   the audit trail verifies. Prints p50/p95/p99 of a successful step entry (target p95 < 100 ms).
2. **CoA generation**: batches with a 20-test specification, every result verified, then
   ``generate_coa`` (bilingual PDF with the embedded NanumGothic, stored with its SHA-256) timed
   per batch (target < 2 s).

    python benchmarks/production.py
    python benchmarks/production.py --steps 300 --operators 20 --coas 5
    BIOPROOF_BENCH_POSTGRES=postgres://postgres@127.0.0.1:5432/postgres \
        python benchmarks/production.py

It creates and drops its own database (``bioproof_bench_production``) on the server of
``BIOPROOF_BENCH_POSTGRES``; it never touches another database.
"""

from __future__ import annotations

import argparse
import itertools
import os
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PG = "postgres://postgres@127.0.0.1:5432/postgres"
DB_NAME = "bioproof_bench_production"
PASSWORD = "bench-pass-2026"


def _pg_admin(url: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(url.replace("postgres://", "postgresql://", 1), autocommit=True) as c:
        c.execute(sql)


def _setup_django(url: str, var_dir: str) -> None:
    os.environ["BIOPROOF_DATABASE_URL"] = url
    os.environ["BIOPROOF_VAR_DIR"] = var_dir
    os.environ["BIOPROOF_MEDIA_ROOT"] = str(Path(var_dir) / "media")
    os.environ.setdefault("BIOPROOF_SECRET_KEY", "benchmark-only")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bioproof.settings")
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    from django.conf import settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


def _procedure(n_steps: int) -> dict[str, Any]:
    per_up = 30
    ups = []
    for u in range(0, n_steps, per_up):
        steps = [
            {
                "key": f"S{s + 1:03d}",
                "instruction": f"Step {s + 1}",
                "parameters": [
                    {"key": "temp", "unit": "degC", "target": 25, "low": 15, "high": 35},
                    {"key": "time", "unit": "min", "target": 10, "low": 1, "high": 60},
                ],
                "ipc": [{"key": "ph", "unit": "dimensionless", "low": 6, "high": 8}],
            }
            for s in range(u, min(u + per_up, n_steps))
        ]
        ups.append(
            {"name": f"UP {u // per_up + 1}", "operations": [{"name": "Op", "steps": steps}]}
        )
    return {"unit_procedures": ups}


SPEC = [
    {
        "key": f"t{i:02d}",
        "stage": "DS",
        "name_ko": f"시험 {i}",
        "name_en": f"Test {i}",
        "method": "M",
        "unit": "%",
        "low": 50,
        "high": 100,
    }
    for i in range(20)
]


def _world(n_steps: int, operators: int) -> dict[str, Any]:
    from bioproof.consortium import actions as consortium
    from bioproof.consortium.models import Organization
    from bioproof.production import actions

    K = Organization.Kind
    fac = consortium.create_organization(
        by=None, code="mf", name_ko="미생물센터", name_en="MF", kind=K.CENTER
    )
    cust = consortium.create_organization(
        by=None, code="cust", name_ko="고객", name_en="Cust", kind=K.DEMAND
    )

    def user(name: str, org: Any, role: str) -> Any:
        return consortium.create_user(
            by=None, username=name, password=PASSWORD, organization=org, roles=[role]
        )

    ops = [user(f"op{i:02d}", fac, "staff") for i in range(operators)]
    qa = user("qa", fac, "approver")
    buyer, signer = user("buyer", cust, "staff"), user("signer", cust, "approver")
    mbr = actions.create_mbr(
        by=ops[0],
        facility=fac,
        code="MBR-BENCH",
        product="bench",
        batch_size=1,
        batch_unit="mL",
        procedure=_procedure(n_steps),
        bom=[],
    )
    actions.approve_mbr(by=qa, version=mbr, password=PASSWORD)
    small = actions.create_mbr(
        by=ops[0],
        facility=fac,
        code="MBR-SMALL",
        product="bench",
        batch_size=1,
        batch_unit="mL",
        procedure=_procedure(1),
        bom=[],
    )
    actions.approve_mbr(by=qa, version=small, password=PASSWORD)
    spec = actions.create_spec(
        by=ops[0], facility=fac, code="SPEC-BENCH", product="bench", tests=SPEC
    )
    actions.approve_spec(by=qa, version=spec, password=PASSWORD)
    sys.path.insert(0, str(ROOT))
    from tests.production.conftest import fasta, template

    order = actions.create_order(
        by=buyer, customer=cust, facility=fac, title="bench", grade="gmp_clinical"
    )
    actions.add_construct(
        by=buyer,
        order=order,
        name="c",
        filename="c.fa",
        data=fasta(template()),
        enzyme="XbaI",
        quantity_mg=1,
        formulation="naked",
    )
    actions.submit_order(by=buyer, order=order)
    actions.quote_order(by=ops[0], order=order, amount_krw=1, lead_days=1)
    actions.accept_quote(by=signer, order=order, password=PASSWORD)
    return {"ops": ops, "qa": qa, "order": order, "mbr": mbr, "small": small, "spec": spec}


VALUES = {"temp": "25 °C", "time": "10 min", "ph": "7"}


def _new_batch(world: dict[str, Any], mbr: Any) -> Any:
    from bioproof.production import actions

    order = world["order"]
    return actions.start_batch(
        by=world["ops"][0],
        order=order,
        construct=order.constructs.get(),
        mbr_version=mbr,
        batch_size=1,
    )


def bench_relay(world: dict[str, Any], operators: int) -> dict[str, Any]:
    """Operator i records steps i, i+20, …, each once the previous step is done."""
    from django.db import connections

    from bioproof.core.errors import DomainError
    from bioproof.production import actions
    from bioproof.production.models import BatchStep

    batch = _new_batch(world, world["mbr"])
    steps = list(batch.steps.order_by("seq").values_list("pk", "seq"))
    # the harness hands the batch from operator to operator (no polling of the database)
    done = {seq: threading.Event() for _pk, seq in steps}
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()

    def run(i: int) -> None:
        user = world["ops"][i]
        try:
            for pk, seq in steps[i::operators]:
                if seq > 1 and not done[seq - 1].wait(timeout=300):
                    errors.append(f"step {seq - 1} never finished")
                    return
                t0 = time.perf_counter()
                try:
                    actions.record_step(
                        by=user, step=BatchStep(pk=pk, batch_id=batch.pk), values=VALUES
                    )
                except DomainError as exc:
                    with lock:
                        errors.append(exc.message)
                    continue
                finally:
                    done[seq].set()
                with lock:
                    latencies.append(time.perf_counter() - t0)
        finally:
            connections.close_all()

    t0 = time.perf_counter()
    threads = [threading.Thread(target=run, args=(i,)) for i in range(operators)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    return {"batch": batch, "latencies": latencies, "errors": errors, "wall_s": wall}


def bench_contention(world: dict[str, Any], operators: int) -> dict[str, Any]:
    """All operators fire at whatever step is next; one wins each round, the rest get 409s."""
    from django.db import connections

    from bioproof.core.errors import DomainError
    from bioproof.production import actions
    from bioproof.production.models import BatchStep

    batch = _new_batch(world, world["mbr"])
    latencies: list[float] = []
    refusals: dict[int, int] = {}
    other: list[str] = []
    lock = threading.Lock()

    def run(i: int) -> None:
        user = world["ops"][i]
        try:
            while True:
                nxt = (
                    BatchStep.objects.filter(batch=batch, status="pending").order_by("seq").first()
                )
                if nxt is None:
                    return
                t0 = time.perf_counter()
                try:
                    actions.record_step(by=user, step=nxt, values=VALUES)
                except DomainError as exc:
                    with lock:
                        refusals[exc.status_code] = refusals.get(exc.status_code, 0) + 1
                        if exc.status_code != 409:
                            other.append(exc.message)
                    continue
                with lock:
                    latencies.append(time.perf_counter() - t0)
        finally:
            connections.close_all()

    t0 = time.perf_counter()
    threads = [threading.Thread(target=run, args=(i,)) for i in range(operators)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return {
        "batch": batch,
        "latencies": latencies,
        "refusals": refusals,
        "other": other,
        "wall_s": time.perf_counter() - t0,
    }


def check(batch: Any, n_steps: int) -> dict[str, Any]:
    from django.db.models import Count

    from bioproof.production.models import StepEntry

    per_step = dict(
        StepEntry.objects.filter(step__batch=batch).values_list("step__seq").annotate(n=Count("id"))
    )
    lost = sum(1 for s in range(1, n_steps + 1) if per_step.get(s, 0) == 0)
    duplicated = sum(1 for n in per_step.values() if n != 3)
    done = list(batch.steps.order_by("seq").values_list("done_at", flat=True))
    out_of_order = sum(1 for a, b in itertools.pairwise(done) if a is None or b is None or b < a)
    batch.refresh_from_db()
    return {
        "steps_without_entries": lost,
        "steps_with_wrong_entry_count": duplicated,
        "steps_out_of_order": out_of_order,
        "batch_status": batch.status,
    }


def bench_coa(world: dict[str, Any], n: int) -> list[float]:
    from bioproof.production import actions

    times = []
    qa, ops = world["qa"], world["ops"]
    for _ in range(n):
        batch = _new_batch(world, world["small"])
        actions.record_step(by=ops[0], step=batch.steps.get(), values=VALUES)
        actions.review_batch(by=qa, batch=batch, password=PASSWORD)
        sample = actions.draw_sample(by=ops[0], batch=batch, spec_version=world["spec"], stage="DS")
        for t in SPEC:
            r = actions.enter_result(
                by=ops[0], sample=sample, test_key=t["key"], value=90, unit="%"
            )
            actions.verify_result(by=ops[1], result=r, password=PASSWORD)
        t0 = time.perf_counter()
        actions.generate_coa(by=ops[0], batch=batch)
        times.append(time.perf_counter() - t0)
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--steps", type=int, default=300)
    parser.add_argument("--operators", type=int, default=20)
    parser.add_argument("--coas", type=int, default=5)
    args = parser.parse_args()
    admin = os.environ.get("BIOPROOF_BENCH_POSTGRES", DEFAULT_PG)
    base = admin.rpartition("/")[0]
    _pg_admin(admin, f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
    _pg_admin(admin, f'CREATE DATABASE "{DB_NAME}"')
    var_dir = tempfile.mkdtemp(prefix="bioproof-bench-production-")
    try:
        _setup_django(f"{base}/{DB_NAME}", var_dir)
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        world = _world(args.steps, args.operators)
        ok = True
        phases = (
            ("sequential (1 operator, baseline)", lambda w, _n: bench_relay(w, 1)),
            ("relay", bench_relay),
            ("contention", bench_contention),
        )
        for name, fn in phases:
            print(
                f"== EBR {name}: {args.steps} steps, {args.operators} operators (PostgreSQL)",
                flush=True,
            )
            res = fn(world, args.operators)
            lat = [x * 1000 for x in res["latencies"]]
            inv = check(res["batch"], args.steps)
            print(f"  entries recorded: {len(lat)}  wall: {res['wall_s']:.1f} s")
            print(
                f"  step entry p50 {_pct(lat, 0.5):.1f} ms  p95 {_pct(lat, 0.95):.1f} ms  "
                f"p99 {_pct(lat, 0.99):.1f} ms  max {max(lat):.1f} ms"
            )
            if "refusals" in res:
                print(f"  refusals by status: {res['refusals']}  other: {res['other'][:3]}")
            if res.get("errors"):
                print(f"  errors: {res['errors'][:3]}")
            print(f"  invariants: {inv}")
            ok &= (
                len(lat) == args.steps
                and inv["steps_without_entries"] == 0
                and inv["steps_with_wrong_entry_count"] == 0
                and inv["steps_out_of_order"] == 0
                and inv["batch_status"] == "executed"
            )
            if name == "relay":
                print("  relay p95 < 100 ms:", _pct(lat, 0.95) < 100)
        print(f"== CoA generation: {args.coas} batches, 20 tests each", flush=True)
        times = [t * 1000 for t in bench_coa(world, args.coas)]
        print(
            f"  generate_coa median {_pct(times, 0.5):.0f} ms  max {max(times):.0f} ms  "
            f"(< 2000 ms: "
            f"{max(times) < 2000})"
        )
        from bioproof.core import audit, verification

        chain = audit.verify()
        problems = verification.verify_rows()
        print(f"  audit chain: {chain}; regulated rows differing: {len(problems)}")
        ok &= chain.ok and not problems
        print("invariants:", "hold" if ok else "BROKEN")
        return 0 if ok else 1
    finally:
        from django.db import connections

        connections.close_all()
        _pg_admin(admin, f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
        import shutil

        shutil.rmtree(var_dir, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
