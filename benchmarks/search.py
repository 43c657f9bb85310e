"""Search at scale: p50/p95 latency and queries/s at 1, 10 and 50 concurrent clients.

Loads synthetic bilingual data (default 100,000 products and 10,000 published track records,
plus 1,000 needs), builds the search index, then runs a fixed mix of Korean and English queries
(a fifth with filters, three tenths a long tail of brand + type + series queries; anonymous,
supplier and demand users) from N closed-loop clients, for a fixed time per level, in two models:

- *served*: the clients' searches are taken, in the order they come, by a server of W worker
  threads, each with its own database connection — a WSGI server's thread pool behind its
  accept queue (W = ``--workers``, default twice the cores); latency includes the wait;
- *served by processes* (``--processes P``, off by default): the same with P worker processes,
  as ``gunicorn -w P`` runs, each with its own connection and result cache (unless
  ``BIOPROOF_CACHE_URL`` names a shared one);
- *own threads*: every client runs its searches itself, a thread and a database connection per
  client, all in one Python process — 50 clients are then 50 threads taking turns at the GIL.

    python benchmarks/search.py                      # SQLite and PostgreSQL
    python benchmarks/search.py --db sqlite --products 20000 --track-records 2000
    BIOPROOF_BENCH_POSTGRES=postgres://postgres@127.0.0.1:5432/postgres python benchmarks/search.py

SQLite uses a temporary file; PostgreSQL creates and drops its own database (``bioproof_bench``
by default) on the server of ``BIOPROOF_BENCH_POSTGRES`` (default
``postgres://postgres@127.0.0.1:5432/postgres``); it never touches any other database. Each
backend runs in a child process (Django's settings are per process). The goal: p95 < 100 ms at
50 clients on PostgreSQL.

Beside the figures it prints the machine's state, since a virtual machine's speed drifts between
runs: the median round trip of ``SELECT 1`` and the time of a fixed piece of Python before the
levels, and for each level the share of the CPU that was busy and the share stolen by the
hypervisor (Linux). Compare runs whose machines read alike, or alternate the variants.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PG = "postgres://postgres@127.0.0.1:5432/postgres"

BRANDS = [
    ("한빛", "Hanbit"),
    ("세진", "Sejin"),
    ("누리", "Nuri"),
    ("다온", "Daon"),
    ("미르", "Mir"),
    ("가람", "Garam"),
    ("온새", "Onsae"),
    ("해솔", "Haesol"),
    ("라온", "Raon"),
    ("별빛", "Byeolbit"),
    ("푸름", "Pureum"),
    ("마루", "Maru"),
    ("아라", "Ara"),
    ("새봄", "Saebom"),
    ("하늘", "Haneul"),
    ("은하", "Eunha"),
    ("단비", "Danbi"),
    ("나래", "Narae"),
    ("초록", "Chorok"),
    ("한결", "Hangyeol"),
]
# category code → (Korean type, English type, specs maker)
TYPES: dict[str, list[tuple[str, str]]] = {
    "media": [
        ("CHO 배지", "CHO Medium"),
        ("HEK293 배지", "HEK293 Medium"),
        ("무혈청 배지", "Serum-free Medium"),
        ("세포배양 배지", "Cell Culture Medium"),
    ],
    "feeds": [("유가배양 피드", "Fed-batch Feed"), ("아미노산 첨가제", "Amino Acid Supplement")],
    "fermentation-media": [("대장균 발효 배지", "E. coli Fermentation Medium")],
    "buffers": [("인산 완충액", "Phosphate Buffer"), ("트리스 완충액", "Tris Buffer")],
    "resins": [
        ("프로틴 A 레진", "Protein A Resin"),
        ("양이온교환 레진", "Cation Exchange Resin"),
        ("혼합모드 레진", "Mixed-mode Resin"),
    ],
    "membranes": [("한외여과 멤브레인", "Ultrafiltration Membrane")],
    "single-use-bags": [("일회용 백", "Single-use Bag"), ("배양 백", "Culture Bag")],
    "tubing": [("실리콘 튜빙", "Silicone Tubing")],
    "connectors": [("무균 커넥터", "Aseptic Connector")],
    "filters": [
        ("멸균 필터", "Sterile Filter"),
        ("뎁스 필터", "Depth Filter"),
        ("바이러스 필터", "Virus Filter"),
    ],
    "sensors": [("pH 센서", "pH Sensor"), ("용존산소 센서", "DO Sensor")],
    "bioreactors": [
        ("일회용 생물반응기", "Single-use Bioreactor"),
        ("스테인리스 생물반응기", "Stainless Bioreactor"),
    ],
    "fermenters": [("발효기", "Fermenter")],
    "chromatography-systems": [("크로마토그래피 시스템", "Chromatography System")],
    "tff-systems": [("접선유동여과 시스템", "TFF System")],
    "mixers": [("일회용 믹서", "Single-use Mixer")],
}
QUERIES = [
    "배지",
    "CHO 배지",
    "무혈청 배지",
    "레진",
    "프로틴 A 레진",
    "필터",
    "멸균 필터",
    "일회용 백",
    "생물반응기",
    "센서",
    "발효기",
    "완충액",
    "멤브레인",
    "크로마토그래피",
    "medium",
    "culture media",
    "protein a resin",
    "sterile filter",
    "single-use bag",
    "bioreactor",
    "sensor",
    "buffer",
    "한빛 배지",
    "Sejin resin",
    "누리바이오",
    "Daon Bio filter",
    "HB-1234",
    "혼합모드",
    "virus filter",
    "바이러스",
    "fermenter",
    "튜빙",
    "connector",
    "믹서",
]
FILTERED = [
    ("배지", {"category": "media"}),
    ("레진", {"verdict": "pass"}),
    ("필터", {"category": "parts"}),
    ("medium", {"kind": "track_record"}),
    ("", {"center": "bench-center-1", "verdict": "pass"}),
    ("센서", {"supplier": "bench-s-3"}),
]


# ---------------------------------------------------------------------------- child: one backend


def _setup_django(url: str) -> None:
    os.environ["BIOPROOF_DATABASE_URL"] = url
    os.environ.setdefault("BIOPROOF_SECRET_KEY", "benchmark-only")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bioproof.settings")
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()


def _load(products: int, track_records: int, needs: int, seed: int) -> dict[str, Any]:
    from django.db import transaction
    from django.utils import timezone

    from bioproof.catalog.models import Category, Product
    from bioproof.consortium.models import Membership, Organization, User
    from bioproof.demand.models import Need
    from bioproof.evaluations.models import Criterion, Evaluation, Report, TrackRecord

    rng = random.Random(seed)
    K = Organization.Kind
    with transaction.atomic():
        suppliers = Organization.objects.bulk_create(
            Organization(
                code=f"bench-s-{i}",
                name_ko=f"{BRANDS[i % 20][0]}바이오{i // 20 or ''}",
                name_en=f"{BRANDS[i % 20][1]} Bio{i // 20 or ''}",
                kind=K.SUPPLIER,
                is_consortium_member=i % 2 == 0,
            )
            for i in range(200)
        )
        centers = Organization.objects.bulk_create(
            Organization(
                code=f"bench-center-{i}",
                name_ko=f"실증지원센터 {i}",
                name_en=f"Demonstration Center {i}",
                kind=K.CENTER,
            )
            for i in range(2)
        )
        demands = Organization.objects.bulk_create(
            Organization(
                code=f"bench-d-{i}",
                name_ko=f"수요기업 {i}",
                name_en=f"Demand Co {i}",
                kind=K.DEMAND,
                is_consortium_member=True,
            )
            for i in range(10)
        )
        users = User.objects.bulk_create(
            User(username=name, password="!")
            for name in ("bench-supplier", "bench-demand", "bench-center")
        )
        Membership.objects.bulk_create(
            [
                Membership(user=users[0], organization=suppliers[3], role="staff"),
                Membership(user=users[1], organization=demands[0], role="staff"),
                Membership(user=users[2], organization=centers[0], role="staff"),
            ]
        )
        categories = {c.code: c for c in Category.objects.all()}
        rows = []
        for i in range(products):
            code = rng.choice(list(TYPES))
            ko, en = rng.choice(TYPES[code])
            brand_ko, brand_en = BRANDS[rng.randrange(20)]
            series = f"{rng.choice('ABCDEFGHKMNPRSTX')}{rng.randrange(10, 999)}"
            specs: dict[str, Any] = {}
            if code == "media":
                specs = {
                    "format": rng.choice(["powder", "liquid"]),
                    "chemically_defined": rng.choice(["yes", "no"]),
                }
            elif code == "resins":
                specs = {
                    "dbc10": rng.randrange(20, 80),
                    "particle_size": rng.randrange(40, 120),
                    "mode": rng.choice(["affinity", "ion-exchange", "mixed-mode"]),
                }
            elif code == "filters":
                specs = {
                    "pore_size": rng.choice([0.1, 0.2, 0.45]),
                    "filter_type": rng.choice(["sterile", "depth", "virus"]),
                }
            elif code in ("bioreactors", "single-use-bags"):
                key = "working_volume" if code == "bioreactors" else "volume"
                specs = {key: rng.choice([50, 200, 500, 1000, 2000])}
            rows.append(
                Product(
                    code=f"PR-B-{i + 1:06d}",
                    supplier=suppliers[rng.randrange(200)],
                    category=categories[code],
                    name_ko=f"{brand_ko} {ko} {series}",
                    name_en=f"{brand_en} {en} {series}",
                    model_number=f"{brand_en[:2].upper()}-{rng.randrange(1000, 9999)}",
                    description=(
                        f"{brand_ko} {ko}는 바이오의약품 생산 공정용 제품입니다."
                        if i % 5 == 0
                        else ""
                    ),
                    specs=specs,
                    status="listed" if i % 10 else "draft",
                )
            )
        Product.objects.bulk_create(rows, batch_size=5000)
        listed = list(Product.objects.filter(status="listed").values_list("pk", flat=True))
        now = timezone.now()
        evaluations = Evaluation.objects.bulk_create(
            [
                Evaluation(
                    code=f"EV-B-{i + 1:06d}",
                    product_id=rng.choice(listed),
                    center=centers[i % 2],
                    requested_by=users[0],
                    title=f"실증 평가 {i + 1}",
                    reference_product="수입 제품",
                    scale=rng.choice(["50 L", "200 L", "2,000 L"]),
                    status="published",
                )
                for i in range(track_records)
            ],
            batch_size=5000,
        )
        if any(e.pk is None for e in evaluations):
            evaluations = list(Evaluation.objects.order_by("pk"))
        Criterion.objects.bulk_create(
            [
                Criterion(
                    evaluation=e,
                    kpi=kpi,
                    comparison=comparison,
                    value=value,
                    relative=comparison == "equivalence",
                    passed=rng.random() < (0.85 if kpi == "final_titer" else 0.9),
                )
                for e in evaluations
                for kpi, comparison, value in (
                    ("final_titer", "equivalence", 0.1),
                    ("peak_vcd", "minimum", 10.0),
                )
            ],
            batch_size=5000,
        )
        reports = Report.objects.bulk_create(
            [
                Report(
                    evaluation=e,
                    language="ko",
                    file="reports/bench.pdf",
                    sha256="0" * 64,
                    content_hash="0" * 64,
                    verification_code=f"BENCH-{e.pk:08d}",
                    generated_by=users[2],
                    generated_at=now,
                )
                for e in evaluations
            ],
            batch_size=5000,
        )
        if any(r.pk is None for r in reports):
            reports = list(Report.objects.order_by("pk"))
        TrackRecord.objects.bulk_create(
            [
                TrackRecord(
                    evaluation=e,
                    report=r,
                    consent_statement="benchmark",
                    published_by=users[0],
                    published_at=now,
                )
                for e, r in zip(evaluations, reports, strict=True)
            ],
            batch_size=5000,
        )
        Need.objects.bulk_create(
            [
                Need(
                    code=f"ND-B-{i + 1:05d}",
                    organization=demands[i % 10],
                    posted_by=users[1],
                    title=f"국산 {rng.choice(TYPES[c])[0]} 대체 수요 {i + 1}",
                    category=categories[c],
                    incumbent="수입 제품",
                    visibility=rng.choice(["public", "consortium", "private"]),
                    deadline=dt.date.today() + dt.timedelta(days=90),
                )
                for i, c in enumerate(rng.choice(list(TYPES)) for _ in range(needs))
            ],
            batch_size=5000,
        )
    return _users()


def _users() -> dict[str, Any]:
    """The benchmark's three kinds of user."""
    from django.contrib.auth.models import AnonymousUser

    from bioproof.consortium.models import User

    return {
        "anonymous": AnonymousUser(),
        "supplier": User.objects.get(username="bench-supplier"),
        "demand": User.objects.get(username="bench-demand"),
    }


def _workload(seed: int, n: int) -> list[tuple[str, dict[str, str], str]]:
    rng = random.Random(seed)
    who = ["anonymous", "anonymous", "supplier", "demand"]
    out = []
    for _ in range(n):
        draw = rng.random()
        if draw < 0.2:
            q, filters = rng.choice(FILTERED)
        elif draw < 0.5:  # the long tail: a brand, a type and maybe a series, seldom repeated
            code = rng.choice(list(TYPES))
            ko, en = rng.choice(TYPES[code])
            brand = BRANDS[rng.randrange(20)]
            korean = rng.random() < 0.5
            q = f"{brand[0] if korean else brand[1]} {ko if korean else en}"
            if rng.random() < 0.5:
                q += f" {rng.choice('ABCDEFGHKMNPRSTX')}{rng.randrange(10, 999)}"
            filters = {}
        else:
            q, filters = rng.choice(QUERIES), {}
        out.append((q, dict(filters), rng.choice(who)))
    return out


class _Misses:
    """Counts the searches that went to the index rather than the result cache."""

    def __init__(self) -> None:
        from bioproof.search import query

        self.count = 0
        self._find = query._find
        query._find = self

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        self.count += 1  # the GIL makes this exact enough for a ratio
        return self._find(*args, **kwargs)


class _Server:
    """A server taking searches in the order they come: ``workers`` threads of this process
    (a WSGI server's thread pool behind its accept queue) or, with ``url``, that many worker
    processes (as ``gunicorn -w``), each with its own database connection and result cache."""

    def __init__(self, workers: int, users: dict[str, Any], url: str = "") -> None:
        self.workers = workers
        self.processes = bool(url)
        self.missed = 0  # searches that missed the cache (processes: they count their own)
        if self.processes:
            import multiprocessing

            self.pool: Any = ProcessPoolExecutor(
                max_workers=workers,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_process_start,
                initargs=(url,),
            )
            started: set[int] = set()
            while len(started) < workers:  # each started and connected before the clock
                started |= {
                    f.result() for f in [self.pool.submit(_process_ready) for _ in range(workers)]
                }
        else:
            self.users = users
            self.pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="server")
            self._on_every_thread(lambda: self._search(users["anonymous"], "배지", {}))

    @staticmethod
    def _search(user: Any, q: str, filters: dict[str, str]) -> Any:
        from bioproof.search import query

        return query.search(user, q, limit=20, **filters)

    def _on_every_thread(self, job: Any) -> None:
        # every worker takes one of these, since each waits for all the others at the barrier
        meet = threading.Barrier(self.workers)

        def task() -> None:
            meet.wait()
            job()

        for future in [self.pool.submit(task) for _ in range(self.workers)]:
            future.result()

    def search(self, who: str, q: str, filters: dict[str, str]) -> None:
        if self.processes:
            missed = self.pool.submit(_process_search, who, q, filters).result()
            self.missed += missed  # not around the wait: other clients add theirs meanwhile
        else:
            self.pool.submit(self._search, self.users[who], q, filters).result()

    def close(self) -> None:
        from django.db import connection

        if not self.processes:
            self._on_every_thread(lambda: connection.close())  # each worker its own
        self.pool.shutdown()


_process: dict[str, Any] = {}


def _process_start(url: str) -> None:
    """A server process: Django, Kiwi, the benchmark's users, a cache-miss counter."""
    _setup_django(url)
    from bioproof.search import text

    text.kiwi()
    _process["users"] = _users()
    _process["misses"] = _Misses()
    _process_search("anonymous", "배지", {})  # connect


def _process_ready() -> int:
    time.sleep(0.2)  # long enough for the other workers to take theirs
    return os.getpid()


def _process_search(who: str, q: str, filters: dict[str, str]) -> int:
    """One search in a server process; 1 when it missed the result cache."""
    from bioproof.search import query

    before = _process["misses"].count
    query.search(_process["users"][who], q, limit=20, **filters)
    return int(_process["misses"].count > before)


def _cpu_times() -> list[int] | None:
    """The machine's CPU time counters (Linux ``/proc/stat``: user, nice, system, idle, iowait,
    irq, softirq, steal), or None where there are none to read."""
    try:
        with open("/proc/stat") as f:
            return [int(x) for x in f.readline().split()[1:9]]
    except (OSError, ValueError):
        return None


def _cpu_shares(before: list[int] | None, after: list[int] | None) -> dict[str, float | None]:
    """Busy and stolen shares (%) of all the machine's CPU time between two readings: busy is
    everything but idle, I/O wait and steal; steal is time the hypervisor gave to another
    machine, which shows a slow phase of a virtual machine rather than of the code."""
    if before is None or after is None:
        return {"busy_pct": None, "steal_pct": None}
    delta = [b - a for a, b in zip(before, after, strict=True)]
    total = sum(delta) or 1
    idle, iowait, steal = delta[3], delta[4], delta[7]
    return {
        "busy_pct": round(100 * (total - idle - iowait - steal) / total, 1),
        "steal_pct": round(100 * steal / total, 1),
    }


def _calibrate() -> dict[str, float]:
    """What this machine does right now, for comparing runs made on different days: the median
    round trip of ``SELECT 1`` on the benchmark's connection (µs) and the best of five times of
    a fixed piece of pure Python (ms)."""
    from django.db import connection

    times = []
    with connection.cursor() as cursor:
        for _ in range(500):
            t0 = time.perf_counter()
            cursor.execute("SELECT 1")
            cursor.fetchall()
            times.append(time.perf_counter() - t0)
    python = []
    for _ in range(5):
        t0 = time.perf_counter()
        sorted(str(i * 7919 % 100_003) for i in range(200_000))
        python.append(time.perf_counter() - t0)
    return {
        "round_trip_us": round(statistics.median(times) * 1e6, 1),
        "python_ms": round(min(python) * 1000, 1),
    }


def _level(
    clients: int,
    seconds: float,
    users: dict[str, Any],
    seed: int,
    workers: int = 0,
    url: str = "",
) -> dict[str, Any]:
    """One level: ``clients`` closed-loop clients for ``seconds``. ``workers`` 0: every client
    runs its searches itself (a thread and a connection per client); else the clients' searches
    are served by a :class:`_Server` of that many workers — threads, or processes when ``url``
    (the database) is given — and latency includes the wait."""
    from django.db import connection

    from bioproof.search import query
    from bioproof.search.query import search

    misses = query._find if isinstance(query._find, _Misses) else _Misses()
    server = _Server(workers, users, url) if workers else None

    latencies: list[list[float]] = [[] for _ in range(clients)]
    errors: list[str] = []
    start_line = threading.Barrier(clients + 1)
    stop_at = [0.0]

    def client(i: int) -> None:
        # a stream of its own per client, level and model: a level never replays the long tail
        # of queries that an earlier level or model has put in the result cache
        model = (300 if url else 600) if workers else 0
        work = _workload(seed * 1_000_003 + clients * 1_000 + model + i, 5000)
        if server is None:  # each thread opens its own connection: connect before the clock
            search(users["anonymous"], "배지", limit=1)
        start_line.wait()
        k = 0
        try:
            while time.perf_counter() < stop_at[0]:
                q, filters, who = work[k % len(work)]
                k += 1
                t0 = time.perf_counter()
                if server is None:
                    query.search(users[who], q, limit=20, **filters)
                else:
                    server.search(who, q, filters)
                latencies[i].append(time.perf_counter() - t0)
        except Exception as exc:  # report, do not hang the barrier of others
            errors.append(repr(exc))
        finally:
            if server is None:
                connection.close()

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    stop_at[0] = time.perf_counter() + 3600  # placeholder until everyone is connected
    start_line.wait()
    missed = misses.count
    cpu_before = _cpu_times()
    began = time.perf_counter()
    stop_at[0] = began + seconds
    for t in threads:
        t.join()
    wall = time.perf_counter() - began
    cpu = _cpu_shares(cpu_before, _cpu_times())
    missed_by_processes = server.missed if server is not None else 0
    if server is not None:
        server.close()
    flat = sorted(x for per in latencies for x in per)
    if errors:
        raise RuntimeError(f"{len(errors)} client errors, first: {errors[0]}")
    q = statistics.quantiles(flat, n=100, method="inclusive")
    return {
        "clients": clients,
        "workers": workers,
        "queries": len(flat),
        "p50_ms": round(q[49] * 1000, 1),
        "p95_ms": round(q[94] * 1000, 1),
        "qps": round(len(flat) / wall, 1),
        "processes": bool(url) and bool(workers),
        "cache_hits_pct": round(
            100 * (1 - (misses.count - missed + missed_by_processes) / max(len(flat), 1)), 1
        ),
        **cpu,
    }


def child(args: argparse.Namespace) -> None:
    _setup_django(args.url)
    from django.core.management import call_command
    from django.db import connection

    from bioproof.search import index, text

    timings: dict[str, Any] = {"backend": connection.vendor}
    t0 = time.perf_counter()
    call_command("migrate", verbosity=0)
    timings["migrate_s"] = round(time.perf_counter() - t0, 1)
    t0 = time.perf_counter()
    users = _load(args.products, args.track_records, args.needs, args.seed)
    timings["load_s"] = round(time.perf_counter() - t0, 1)
    text.kiwi()
    t0 = time.perf_counter()
    counts = index.rebuild(chunk=2000)
    timings["index_s"] = round(time.perf_counter() - t0, 1)
    timings["documents"] = counts
    with connection.cursor() as cursor:  # fresh statistics after the bulk load
        cursor.execute("ANALYZE")
    connection.close()
    for q in QUERIES:  # warm caches (query analysis, database pages)
        from bioproof.search.query import search

        search(users["anonymous"], q)
    from bioproof.search.query import search

    sample = search(users["anonymous"], "배지")
    timings["machine"] = _calibrate()
    timings["sample"] = {
        "q": "배지",
        "count": sample.total,
        "top": [h.title_ko for h in sample.hits[:3]],
    }
    connection.close()
    timings["levels"] = [
        _level(c, args.seconds, users, args.seed, workers, url)
        for c in args.clients
        for workers, url in (
            ([(min(args.workers, c), "")] if args.workers else [])
            + ([(min(args.processes, c), args.url)] if args.processes else [])
            + [(0, "")]
        )
    ]
    print("RESULT " + json.dumps(timings, ensure_ascii=False), flush=True)


# ---------------------------------------------------------------------------- parent


def _pg_admin(url: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(url.replace("postgres://", "postgresql://", 1), autocommit=True) as c:
        c.execute(sql)


def run_backend(name: str, args: argparse.Namespace) -> dict[str, Any] | None:
    argv = [
        sys.executable,
        __file__,
        "--child",
        "--products",
        str(args.products),
        "--track-records",
        str(args.track_records),
        "--needs",
        str(args.needs),
        "--seconds",
        str(args.seconds),
        "--seed",
        str(args.seed),
        "--clients",
        ",".join(map(str, args.clients)),
        "--workers",
        str(args.workers),
        "--processes",
        str(args.processes),
    ]
    cleanup = None
    if name == "sqlite":
        tmp = tempfile.mkdtemp(prefix="bioproof-bench-")
        url = f"sqlite:///{tmp}/bench.sqlite3"
        cleanup = lambda: subprocess.run(["rm", "-rf", tmp], check=False)  # noqa: E731
    else:
        admin = os.environ.get("BIOPROOF_BENCH_POSTGRES", DEFAULT_PG)
        base, _, _dbname = admin.rpartition("/")
        if args.pg_database in ("test", "postgres", _dbname) or not args.pg_database.startswith(
            "bioproof_bench"
        ):
            raise SystemExit("the benchmark database must be named bioproof_bench…")
        _pg_admin(admin, f'DROP DATABASE IF EXISTS "{args.pg_database}"')
        _pg_admin(admin, f'CREATE DATABASE "{args.pg_database}"')
        url = f"{base}/{args.pg_database}"
        cleanup = lambda: _pg_admin(admin, f'DROP DATABASE IF EXISTS "{args.pg_database}"')  # noqa: E731
    print(f"== {name}: {args.products} products, {args.track_records} track records", flush=True)
    try:
        proc = subprocess.run(
            [*argv, "--url", url],
            capture_output=True,
            text=True,
            env={**os.environ, **({"BIOPROOF_SEARCH_CACHE_SECONDS": "0"} if args.no_cache else {})},
            check=False,
        )
    finally:
        cleanup()
    for line in proc.stdout.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[len("RESULT ") :])
    print(proc.stdout[-3000:], proc.stderr[-5000:], file=sys.stderr)
    return None


def report(result: dict[str, Any]) -> None:
    docs = result["documents"]
    print(
        f"   load {result['load_s']} s, index {result['index_s']} s "
        f"({docs['product']} products, {docs['track_record']} track records, "
        f"{docs['need']} needs); '배지' → {result['sample']['count']} results"
    )
    machine = result["machine"]
    print(
        f"   machine: SELECT 1 round trip {machine['round_trip_us']} µs (median), "
        f"fixed Python work {machine['python_ms']} ms (best of 5)"
    )
    print(
        f"   {'clients':>7} {'served by':>13} {'queries':>8} {'p50 ms':>8} {'p95 ms':>8} "
        f"{'q/s':>8} {'cached %':>8} {'busy %':>7} {'steal %':>7}"
    )
    for level in result["levels"]:
        unit = "processes" if level.get("processes") else "workers"
        served = f"{level['workers']} {unit}" if level["workers"] else "own threads"
        print(
            f"   {level['clients']:>7} {served:>13} {level['queries']:>8} {level['p50_ms']:>8} "
            f"{level['p95_ms']:>8} {level['qps']:>8} {level['cache_hits_pct']:>8} "
            f"{_shown(level['busy_pct']):>7} {_shown(level['steal_pct']):>7}"
        )


def _shown(value: float | None) -> str:
    return "n/a" if value is None else str(value)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument("--track-records", type=int, default=10_000)
    parser.add_argument("--needs", type=int, default=1_000)
    parser.add_argument("--seconds", type=float, default=15.0, help="per concurrency level")
    parser.add_argument("--clients", default="1,10,50")
    parser.add_argument(
        "--workers",
        type=int,
        default=2 * (os.cpu_count() or 1),
        help="worker threads of the served model (default: twice the cores); 0: only the "
        "model where every client runs its own searches",
    )
    parser.add_argument(
        "--processes",
        type=int,
        default=0,
        help="worker processes of a second served model (as gunicorn -w; each with its own "
        "result cache unless BIOPROOF_CACHE_URL names a shared one); default 0: not run",
    )
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--pg-database", default="bioproof_bench")
    parser.add_argument(
        "--no-cache",
        action="store_true",
        help="turn the result cache off: every search goes to the index",
    )
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    args = parser.parse_args()
    try:
        args.clients = [int(c) for c in str(args.clients).split(",") if c.strip()]
    except ValueError:
        parser.error(f"--clients: whole numbers separated by commas, not {args.clients!r}")
    if not args.clients or min(args.clients) < 1 or args.workers < 0 or args.processes < 0:
        parser.error(
            "--clients must name levels of 1 or more clients, --workers and --processes 0 or more"
        )
    if args.child:
        child(args)
        return 0
    ok = True
    for name in ["sqlite", "postgres"] if args.db == "both" else [args.db]:
        started = time.perf_counter()
        result = run_backend(name, args)
        if result is None:
            ok = False
            print(f"   {name}: FAILED")
            continue
        report(result)
        print(f"   ({time.perf_counter() - started:.0f} s in all)", flush=True)
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
