"""Pages and API endpoints at the programme's scale, each against a bare Django view (issue 14).

Seeds a PostgreSQL database of its own with ``--products`` products (default 10,000; the issue's
scale is ``--products 100000``), 10,000 public track records (3 criteria each), 60,000 runs,
1,000 needs and 500 users — bulk inserts, minutes not hours — then serves it with
``gunicorn -w 4`` (persistent database connections, the Redis cache when ``--redis`` is given)
and measures, in the same run, every page of the issue's table and a bare Django view returning
a small JSON through the same server and middleware (the limit):

* 1 client: ``--requests`` sequential requests per page after a warm-up: p50, p95 and p50 as a
  multiple of the bare view's p50 (goal ≤ 20×);
* ``--clients`` concurrent clients (default 50), each sending ``--each`` requests: completed /
  sent, requests per second and that throughput as a fraction of the bare view's (goal ≥ 20 %
  for product detail, search, track-record list and home): of the bare view's first burst, and
  of its burst measured again just before the page's (the load generator shares the machine, so
  the bare view's throughput drifts between bursts).

    .venv/bin/python benchmarks/pages.py                       # 10k products
    .venv/bin/python benchmarks/pages.py --products 100000     # the issue's scale
    .venv/bin/python benchmarks/pages.py --runs-detail 1,100   # evaluation detail, 1 and 100 runs

The server is ``BIOPROOF_BENCH_POSTGRES`` (default ``postgres://postgres@127.0.0.1:5432/postgres``);
the script creates and drops only its own database (``--name``, default ``bioproof_pages``).
The load generator runs on the same machine: on a small machine it competes with the server,
and the figures say so (the load average is printed before and after).
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src"
BARE_URL = "/bench/bare"
PASSWORD = "bench-pass-2026"


# ------------------------------------------------------------------------------------ database


def setup_database(name: str) -> str:
    import psycopg

    server = os.environ.get(
        "BIOPROOF_BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432/postgres"
    )
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return urlunsplit(urlsplit(server)._replace(path=f"/{name}"))


def django_setup(url: str, var: str, *, migrate: bool = True) -> None:
    os.environ["BIOPROOF_DATABASE_URL"] = url
    os.environ["BIOPROOF_VAR_DIR"] = var
    os.environ["BIOPROOF_MEDIA_ROOT"] = str(Path(var) / "media")
    os.environ["BIOPROOF_CHECKPOINT_LOG"] = str(Path(var) / "checkpoints.jsonl")
    os.environ["BIOPROOF_SIGNING_KEY_FILE"] = str(Path(var) / "platform.pem")
    os.environ["BIOPROOF_TASKS"] = "immediate"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bioproof.settings")
    sys.path.insert(0, str(SRC))
    import django

    django.setup()
    if not migrate:  # --reuse: migrated when seeded; a migrate now would baseline every bulk
        return  # row into the audit chain (no audit events were written for them), for minutes
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _spec(field: list[Any], rng: random.Random) -> Any:
    kind = field[3]
    if kind == "number":
        return round(rng.uniform(1, 120), 1)
    if kind.startswith("choice:"):
        return rng.choice(kind[7:].split("|"))
    return rng.choice(["CHO-K1", "E. coli", "PES", "PVDF", "Protein A", "silicone"])


def seed(args: argparse.Namespace) -> dict[str, Any]:
    """Bulk inserts (no actions, no audit: a benchmark database, never a real one)."""
    from django.contrib.auth.hashers import make_password
    from django.db import connection, transaction

    from bioproof.catalog.models import Category, Product
    from bioproof.consortium.models import Membership, Organization, User
    from bioproof.demand.models import Need
    from bioproof.evaluations.models import Criterion, Evaluation, Report, Run

    rng = random.Random(14)
    started = time.perf_counter()
    now = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
    K = Organization.Kind
    with transaction.atomic():
        orgs = Organization.objects.bulk_create(
            [Organization(code="center", name_ko="센터", name_en="Center", kind=K.CENTER)]
            + [
                Organization(
                    code=f"sup{i:03d}", name_ko=f"공급{i}", name_en=f"Sup {i}", kind=K.SUPPLIER
                )
                for i in range(50)
            ]
            + [
                Organization(
                    code=f"dem{i}", name_ko=f"수요{i}", name_en=f"Demand {i}", kind=K.DEMAND
                )
                for i in range(5)
            ]
        )
        center, suppliers, demands = orgs[0], orgs[1:51], orgs[51:]
        hashed = make_password(PASSWORD)
        users = User.objects.bulk_create(
            [User(username=f"u{i:03d}", password=hashed) for i in range(args.users)]
        )
        member_of = [center] * 50 + [demands[i % 5] for i in range(50)]
        member_of += [suppliers[i % 50] for i in range(len(users) - 100)]
        Membership.objects.bulk_create(
            Membership(user=u, organization=o, role=r)
            for u, o in zip(users, member_of, strict=True)
            for r in ("org_admin", "staff", "evaluator", "reviewer", "approver")
        )
        print(
            f"· organizations and {len(users)} users: {time.perf_counter() - started:.0f} s",
            flush=True,
        )

        leaves = list(Category.objects.filter(parent__isnull=False))
        created = now - dt.timedelta(days=400)
        columns = (
            "code, supplier_id, category_id, name_ko, name_en, model_number, description, "
            "specs, status, created_at, updated_at"
        )
        with (
            connection.cursor() as cur,
            cur.cursor.copy(f"COPY catalog_product ({columns}) FROM STDIN") as copy,
        ):  # COPY: minutes, not hours, at 100k rows on a busy machine
            for i in range(args.products):
                cat = leaves[i % len(leaves)]
                at = created + dt.timedelta(minutes=5 * i)
                copy.write_row(
                    (
                        f"PR-B{i:07d}",
                        suppliers[i % 50].pk,
                        cat.pk,
                        f"제품 {i} {cat.name_ko}",
                        f"Product {i} {cat.name_en}",
                        f"M-{i}",
                        f"A {cat.name_en} for benchmarking, lot {i}. " * 3,
                        json.dumps({f[0]: _spec(f, rng) for f in cat.spec_fields}),
                        "draft" if i % 10 == 0 else "listed",
                        at,
                        at,
                    )
                )
        print(f"· {args.products} products: {time.perf_counter() - started:.0f} s", flush=True)

        # a seeded shuffle (not ORDER BY random()): two runs hold the same records, so
        # benchmarks/matching.py can compare the ranked lists of two versions of the code
        listed = list(
            Product.objects.filter(status="listed").order_by("pk").values_list("pk", flat=True)
        )
        rng.shuffle(listed)
        listed = listed[: args.track_records]
        requester = users[100]
        n = args.track_records

        def copy_rows(table: str, columns: str, rows: Any) -> None:
            with (
                connection.cursor() as cur,
                cur.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy,
            ):
                for row in rows:
                    copy.write_row(row)

        copy_rows(
            "evaluations_evaluation",
            "code, version, is_current, correction_reason, product_id, center_id, "
            "requested_by_id, demand_consent_statement, title, reference_product, scale, "
            "process_context, status, status_reason, engine_version, created_at, updated_at",
            (
                (
                    f"EV-B{i:06d}",
                    1,
                    True,
                    "",
                    listed[i % len(listed)],
                    center.pk,
                    requester.pk,
                    "",
                    f"Benchmark evaluation {i}",
                    "Incumbent",
                    "50 L",
                    "",
                    "published",
                    "",
                    "",
                    now - dt.timedelta(minutes=7 * i),
                    now,
                )
                for i in range(n)
            ),
        )
        evaluations = list(
            Evaluation.objects.filter(code__startswith="EV-B").order_by("code").only("pk", "code")
        )
        copy_rows(
            "evaluations_criterion",
            "evaluation_id, kpi, comparison, value, relative, alpha, unit, higher_is_better, "
            "source, passed",
            (
                (ev.pk, kpi, "minimum", 1, False, 0.05, "", True, "request", rng.random() > 0.2)
                for ev in evaluations
                for kpi in ("final_titer", "peak_vcd", "viability")
            ),
        )
        copy_rows(
            "evaluations_report",
            "evaluation_id, language, file, sha256, content_hash, verification_code, "
            "generated_by_id, generated_at",
            (
                (
                    ev.pk,
                    "ko",
                    f"r/{ev.code}.pdf",
                    "0" * 64,
                    "0" * 64,
                    f"VC-B{i:06d}",
                    requester.pk,
                    now,
                )
                for i, ev in enumerate(evaluations)
            ),
        )
        report_of = dict(
            Report.objects.filter(verification_code__startswith="VC-B").values_list(
                "evaluation_id", "pk"
            )
        )
        copy_rows(
            "evaluations_trackrecord",
            "evaluation_id, report_id, consent_statement, published_by_id, published_at, "
            "withdrawal_reason",
            (
                (
                    ev.pk,
                    report_of[ev.pk],
                    "consent",
                    requester.pk,
                    now - dt.timedelta(minutes=7 * i),
                    "",
                )
                for i, ev in enumerate(evaluations)
            ),
        )
        per = max(1, args.runs // max(1, len(evaluations)))
        kpis = ("final_titer", "peak_vcd", "viability", "qp", "mu_max", "yield_x_s")
        with (
            connection.cursor() as cur,
            cur.cursor.copy(
                "COPY evaluations_run (evaluation_id, arm, label, batch_id, equipment, notes, "
                "parameters, kpis, created_at, excluded_reason) FROM STDIN"
            ) as copy,
        ):
            for ev in evaluations:
                for j in range(per):
                    copy.write_row(
                        (
                            ev.pk,
                            "candidate" if j % 2 else "reference",
                            f"R-{j}",
                            "",
                            "",
                            "",
                            "{}",
                            json.dumps({k: rng.uniform(0.1, 100) for k in kpis}),
                            now,
                            "",
                        )
                    )
        print(
            f"· {len(evaluations)} evaluations, criteria, reports, track records and "
            f"{per * len(evaluations)} runs: {time.perf_counter() - started:.0f} s",
            flush=True,
        )

        resins = Category.objects.get(code="resins")
        materials = Category.objects.get(code="materials")
        needs = Need.objects.bulk_create(
            Need(
                code=f"ND-B{i:05d}",
                organization=demands[i % 5],
                posted_by=users[50 + i % 50],
                title=f"Need {i}",
                category=resins if i % 2 else materials,
                incumbent="Imported",
                required_specs=(
                    [
                        {"key": "particle_size", "comparison": "max", "value": 90},
                        {"key": "mode", "comparison": "equals", "value": "affinity"},
                    ]
                    if i % 2
                    else []
                ),
                visibility="public",
            )
            for i in range(args.needs)
        )
        detail = {}
        for n_runs in args.runs_detail:
            ev = Evaluation.objects.create(
                code=f"EV-D{n_runs:04d}",
                product_id=listed[0],
                center=center,
                requested_by=requester,
                title=f"{n_runs} runs",
                reference_product="Incumbent",
                scale="50 L",
                status="analysed",
            )
            Criterion.objects.bulk_create(
                Criterion(evaluation=ev, kpi=k, comparison="minimum", value=1, relative=False)
                for k in kpis
            )
            Run.objects.bulk_create(
                Run(
                    evaluation=ev,
                    arm="candidate" if j % 2 else "reference",
                    label=f"R-{j:03d}",
                    kpis={k: rng.uniform(0.1, 100) for k in kpis},
                )
                for j in range(n_runs)
            )
            detail[n_runs] = ev.code
    with connection.cursor() as cur:
        # what autovacuum does to a live database after bulk inserts: statistics and the
        # visibility map (without it no count or deep offset is an index-only scan)
        cur.execute("VACUUM ANALYZE")
    print(f"· seeded in {time.perf_counter() - started:.0f} s", flush=True)
    return {
        "center_user": users[0],
        "demand_user": users[50 + 1 % 50],  # posted need 1 (resins) and 51 (resins)…
        "need_leaf": needs[1].code,
        "need_root": needs[0].code,
        "need_root_user": users[50],
        "product": Product.objects.filter(status="listed").order_by("-id").first().code,
        "detail": detail,
    }


def world_of(args: argparse.Namespace) -> dict[str, Any]:
    """The accounts and codes ``seed`` returned, read back from a database it seeded
    (``--reuse``)."""
    from bioproof.catalog.models import Product
    from bioproof.consortium.models import User
    from bioproof.evaluations.models import Evaluation

    users = {u.username: u for u in User.objects.filter(username__in=["u000", "u050", "u051"])}
    if len(users) != 3:
        raise SystemExit(f"--reuse: database {args.name!r} was not seeded by this script")
    return {
        "center_user": users["u000"],
        "demand_user": users["u051"],
        "need_leaf": "ND-B00001",
        "need_root": "ND-B00000",
        "need_root_user": users["u050"],
        "product": Product.objects.filter(status="listed").order_by("-id").first().code,
        "detail": {
            n: code
            for n in args.runs_detail
            if Evaluation.objects.filter(code=(code := f"EV-D{n:04d}")).exists()
        },
    }


def search_index(enabled: bool) -> None:
    if not enabled:
        return
    from bioproof.search import index

    started = time.perf_counter()
    counts = index.rebuild()
    print(f"· search index {counts}: {time.perf_counter() - started:.0f} s", flush=True)


def session_for(user: Any) -> str:
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value


# -------------------------------------------------------------------------------------- server

WSGI = """
from bioproof.wsgi import application  # the deployment's entry point: sets Django up, warms up

from django.conf import settings  # noqa: E402
from django.http import JsonResponse  # noqa: E402
from django.urls import include, path  # noqa: E402


def bare(request):
    return JsonResponse({"ok": True, "n": 1})


# the bare view beside the application's URLs: same process, same middleware
urlpatterns = [path("bench/bare", bare), path("", include("bioproof.urls"))]
settings.ROOT_URLCONF = __name__

import os, pathlib  # noqa: E401, E402

# this worker has booted and warmed up: measuring starts when every worker has
pathlib.Path(os.environ["BENCH_READY_DIR"], f"ready-{os.getpid()}").touch()
"""


def serve(env: dict[str, str], port: int, workers: int, var: str) -> subprocess.Popen[bytes]:
    Path(var, "bench_wsgi.py").write_text(WSGI)
    cmd = [
        sys.executable,
        "-m",
        "gunicorn",
        "-w",
        str(workers),
        "-b",
        f"127.0.0.1:{port}",
        "--pythonpath",
        f"{var},{SRC}",
        "--timeout",
        "120",
        "--log-level",
        "warning",
        "bench_wsgi:application",
    ]
    ready = Path(var, "ready")
    ready.mkdir(exist_ok=True)
    for marker in ready.iterdir():
        marker.unlink()
    proc = subprocess.Popen(cmd, env={**env, "BENCH_READY_DIR": str(ready)}, start_new_session=True)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        # every worker warmed up (~4 s each at boot): measured earlier, the first pages (the bare
        # view's) would share the cores with the others' warm-up
        if len(list(ready.iterdir())) >= workers:
            try:
                status, _ = fetch(port, BARE_URL, "")
                if status == 200:
                    return proc
            except OSError:
                pass
        time.sleep(0.3)
    proc.kill()
    raise SystemExit("gunicorn did not start")


# ------------------------------------------------------------------------------------- clients


def fetch(port: int, url: str, session: str, timeout: float = 60) -> tuple[int, float]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    headers = {"Cookie": f"sessionid={session}"} if session else {}
    started = time.perf_counter()
    try:
        conn.request("GET", url, headers=headers)
        response = conn.getresponse()
        response.read()
        return response.status, time.perf_counter() - started
    finally:
        conn.close()


def one_client(port: int, url: str, session: str, n: int, warm: int = 8) -> dict[str, float]:
    for _ in range(warm):  # every worker process has served the page once or more
        fetch(port, url, session)
    times = []
    for _ in range(n):
        status, seconds = fetch(port, url, session)
        if status != 200:
            raise SystemExit(f"{url}: HTTP {status}")
        times.append(seconds)
    times.sort()
    return {
        "p50": statistics.median(times) * 1000,
        "p95": times[min(len(times) - 1, int(0.95 * len(times)))] * 1000,
    }


def many_clients(port: int, url: str, session: str, clients: int, each: int) -> dict[str, float]:
    ok = [0]
    lock = threading.Lock()

    def worker() -> None:
        for _ in range(each):
            try:
                status, _seconds = fetch(port, url, session, timeout=30)
            except OSError:
                continue
            if status == 200:
                with lock:
                    ok[0] += 1

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    return {"sent": clients * each, "ok": ok[0], "rps": ok[0] / elapsed}


# ---------------------------------------------------------------------------------------- main


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--products", type=int, default=10_000)
    parser.add_argument("--track-records", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=60_000)
    parser.add_argument("--needs", type=int, default=1_000)
    parser.add_argument("--users", type=int, default=500)
    parser.add_argument(
        "--runs-detail", type=lambda s: [int(x) for x in s.split(",")], default=[1, 100]
    )
    parser.add_argument("--requests", type=int, default=20, help="sequential requests per page")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--each", type=int, default=4, help="requests per concurrent client")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--port", type=int, default=8614)
    parser.add_argument("--name", default="bioproof_pages")
    parser.add_argument("--redis", default="", help="e.g. redis://127.0.0.1:6379/14")
    parser.add_argument("--no-search", action="store_true", help="skip the search index")
    parser.add_argument(
        "--search-cache",
        type=int,
        default=0,
        help="seconds the search may reuse a result between index writes (the deployment's "
        "default is 300; 0, the default here, measures every search)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="serve the database --name as an earlier --keep/--seed-only run left it (no seeding;"
        " implies --keep)",
    )
    parser.add_argument(
        "--seed-only", action="store_true", help="seed (and index), keep the database, stop"
    )
    parser.add_argument("--only", default="", help="measure only pages whose label contains this")
    parser.add_argument("--json", help="write the results here too")
    args = parser.parse_args()

    var = tempfile.mkdtemp(prefix="bioproof-pages-")
    if args.reuse:
        args.keep = True
        server_url = os.environ.get(
            "BIOPROOF_BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432/postgres"
        )
        django_setup(
            urlunsplit(urlsplit(server_url)._replace(path=f"/{args.name}")), var, migrate=False
        )
        world = world_of(args)
    else:
        django_setup(setup_database(args.name), var)
        world = seed(args)
        search_index(not args.no_search)
    if args.seed_only:
        print(f"· seeded and kept: --reuse --name {args.name}")
        return 0
    sessions = {
        "center": session_for(world["center_user"]),
        "demand": session_for(world["demand_user"]),
        "root": session_for(world["need_root_user"]),
    }
    from django.db import connections

    from bioproof.catalog.models import Product
    from bioproof.core.pagination import encode_cursor, keyset_ordering

    listed = Product.objects.filter(status="listed")
    deep = listed.count() - 50
    products = Product.objects.count()  # what is served (--reuse: what the seed wrote)
    fields = keyset_ordering(listed)
    row = listed.order_by("-created_at", "-id")[deep - 1]
    cursor = encode_cursor(row, fields)
    connections.close_all()

    env = {
        **os.environ,
        "BIOPROOF_DB_CONN_MAX_AGE": "600",
        "BIOPROOF_SEARCH_CACHE_SECONDS": str(args.search_cache),
        "PYTHONPATH": str(SRC),
    }
    if args.redis:
        env["BIOPROOF_CACHE_URL"] = args.redis
    deep_page = deep // 25
    pages = [
        ("bare Django view (the limit)", BARE_URL, ""),
        ("home, anonymous", "/", ""),
        ("home, center user", "/", "center"),
        ("product detail", f"/products/{world['product']}/", ""),
        ("catalog list, first page", "/products/", ""),
        (f"catalog list, page {deep_page} by offset", f"/products/?page={deep_page}", ""),
        ("catalog list, same depth by cursor", f"/products/?after={cursor}", ""),
        ("API products, first 100", "/api/products?limit=100", ""),
        (f"API products, offset {deep}", f"/api/products?limit=50&offset={deep}", ""),
        ("API products, same depth by cursor", f"/api/products?limit=50&cursor={cursor}", ""),
        ("track-record list", "/track-records/", ""),
        ("search '배지'", "/search/?q=%EB%B0%B0%EC%A7%80", ""),
        ("need detail with matches (resins)", f"/needs/{world['need_leaf']}/", "demand"),
        ("API need matches (resins)", f"/api/needs/{world['need_leaf']}/matches", "demand"),
        ("API need matches (all materials)", f"/api/needs/{world['need_root']}/matches", "root"),
    ] + [
        (f"evaluation detail, {n} runs", f"/evaluations/{code}/", "center")
        for n, code in world["detail"].items()
    ]
    if args.no_search:
        pages = [p for p in pages if not p[0].startswith("search")]
    if args.only:
        pages = [pages[0]] + [p for p in pages[1:] if args.only in p[0]]
    load_before = os.getloadavg()
    server = serve(env, args.port, args.workers, var)
    results = []
    try:
        for label, path, who in pages:
            session = sessions.get(who, "")
            single = one_client(args.port, path, session, args.requests)
            # the bare view's burst again just before this page's: the load generator shares the
            # machine, and the bare view's throughput drifts between bursts of the same code
            adjacent = many_clients(args.port, BARE_URL, "", args.clients, args.each)["rps"]
            burst = many_clients(args.port, path, session, args.clients, args.each)
            results.append({"page": label, "url": path, **single, **burst, "bare_rps": adjacent})
            print(
                f"  {label:42} p50 {single['p50']:7.1f} ms  p95 {single['p95']:7.1f} ms  "
                f"{args.clients} clients: {burst['ok']}/{burst['sent']} ok, "
                f"{burst['rps']:6.1f} req/s",
                flush=True,
            )
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=60)
    load_after = os.getloadavg()
    bare = results[0]
    print()
    print(
        f"{products} products · gunicorn -w {args.workers} · {os.cpu_count()} CPUs · "
        f"load average before {load_before[0]:.1f}, after {load_after[0]:.1f}"
    )
    print(
        f"| page | p50 ms | × bare | p95 ms | {args.clients} clients ok | req/s | % of bare "
        "| % of bare just before |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for r in results:
        print(
            f"| {r['page']} | {r['p50']:.1f} | {r['p50'] / bare['p50']:.1f} | {r['p95']:.1f} | "
            f"{r['ok']}/{r['sent']} | {r['rps']:.1f} | {100 * r['rps'] / bare['rps']:.0f} % "
            f"| {100 * r['rps'] / r['bare_rps']:.0f} % |"
        )
    if args.json:
        Path(args.json).write_text(
            json.dumps(
                {"products": products, "load": [load_before, load_after], "results": results},
                indent=1,
            )
        )
    if not args.keep:
        import psycopg

        server_url = os.environ.get(
            "BIOPROOF_BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432/postgres"
        )
        with psycopg.connect(server_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{args.name}" WITH (FORCE)')
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
