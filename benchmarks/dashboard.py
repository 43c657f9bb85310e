"""The "My work" dashboard for a person with 500 open items: page p50/p95 (goal p95 < 100 ms on
PostgreSQL).

Builds, through the actions, a center whose evaluator (also approver) has 300 requests to screen,
100 protocols to sign and 100 runs missing data, plus a competing supplier's noise, then requests
the home page (the dashboard, the inbox count, the evaluations and track records lists) with
Django's test client (in process: the view, its queries and the template, no network) and prints
p50/p95 over the requests, and the same for the dashboard's sections alone. Connections persist
(``BIOPROOF_DB_CONN_MAX_AGE=60``, as advised for deployment at scale).

    .venv/bin/python benchmarks/dashboard.py   # PostgreSQL at BIOPROOF_BENCH_POSTGRES
    .venv/bin/python benchmarks/dashboard.py --db sqlite

PostgreSQL: creates and drops its own database (``h_workday_bench`` by default, ``--name``) on the
server of ``BIOPROOF_BENCH_POSTGRES``; it never touches any other database.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

SCREEN, PLANNING, RUNNING_EVALS, RUNS_EACH = 300, 100, 20, 5


def setup(db: str, name: str) -> str:
    var = tempfile.mkdtemp(prefix="bioproof-dash-")
    os.environ["BIOPROOF_VAR_DIR"] = var
    os.environ["BIOPROOF_TASKS"] = "immediate"
    # as README's "Deployment at scale" advises: a request does not open a new connection
    os.environ.setdefault("BIOPROOF_DB_CONN_MAX_AGE", "60")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bioproof.settings")
    if db == "postgres":
        import psycopg

        server = os.environ.get(
            "BIOPROOF_BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432/postgres"
        )
        with psycopg.connect(server, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
        parts = urlsplit(server)
        os.environ["BIOPROOF_DATABASE_URL"] = urlunsplit(parts._replace(path=f"/{name}"))
    else:
        os.environ["BIOPROOF_DATABASE_URL"] = f"sqlite:///{Path(var) / 'bench.sqlite3'}"
    import django

    django.setup()
    from django.conf import settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    return var


def build() -> object:
    from django.db import transaction

    from bioproof.catalog import actions as catalog
    from bioproof.catalog.models import Category
    from bioproof.consortium import actions as consortium
    from bioproof.evaluations import actions as ev

    password = "bench-pass-2026"
    started = time.perf_counter()
    with transaction.atomic():
        org = {
            key: consortium.create_organization(
                by=None, code=key, name_ko=key, name_en=key, kind=kind
            )
            for key, kind in (
                ("supplier", "supplier"),
                ("rival", "supplier"),
                ("center", "center"),
            )
        }

        def user(name: str, where: str, *roles: str) -> object:
            return consortium.create_user(
                by=None, username=name, password=password, organization=org[where], roles=roles
            )

        me = user("evaluator", "center", "staff", "evaluator", "approver")
        supplier = user("supplier", "supplier", "staff")
        rival = user("rival", "rival", "staff")
        media = Category.objects.get(code="media")
        products = [
            catalog.register_product(
                by=who, supplier=org[o], category=media, name_ko=f"배지 {o}", name_en=f"Medium {o}"
            )
            for who, o in ((supplier, "supplier"), (rival, "rival"))
        ]

        def request(i: int, product: object, who: object) -> object:
            return ev.request_evaluation(
                by=who,
                product=product,
                center=org["center"],
                title=f"evaluation {i}",
                reference_product="incumbent",
                scale="50 L",
            )

        for i in range(SCREEN):
            request(i, *((products[0], supplier) if i % 2 else (products[1], rival)))
        for i in range(PLANNING + RUNNING_EVALS):
            evaluation = request(SCREEN + i, products[0], supplier)
            ev.accept(by=me, evaluation=evaluation)
            if i < RUNNING_EVALS:
                ev.sign_protocol(by=me, evaluation=evaluation, password=password)
                for r in range(RUNS_EACH):
                    ev.add_run(
                        by=me,
                        evaluation=evaluation,
                        arm="candidate" if r % 2 else "reference",
                        label=f"R{r}",
                    )
    print(f"built in {time.perf_counter() - started:.1f} s")
    return me


def measure(me: object, n: int) -> None:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from bioproof.core import mywork

    sections = mywork.for_user(me)
    print("open items:", {s.key: s.count for s in sections}, "total", mywork.total(sections))
    client = Client()
    client.force_login(me)
    for _ in range(20):  # warm-up: templates, translations, connections
        assert client.get("/").status_code == 200
    with CaptureQueriesContext(connection) as queries:
        client.get("/")
    print(f"queries per page: {len(queries)}")
    pages, parts = [], []
    for _ in range(n):
        t = time.perf_counter()
        response = client.get("/")
        pages.append((time.perf_counter() - t) * 1000)
        assert response.status_code == 200
        me_fresh = type(me).objects.get(pk=me.pk)
        t = time.perf_counter()
        mywork.for_user(me_fresh)
        parts.append((time.perf_counter() - t) * 1000)

    def show(label: str, values: list[float]) -> None:
        q = statistics.quantiles(values, n=100)
        print(f"{label}: p50 {statistics.median(values):.1f} ms, p95 {q[94]:.1f} ms (n={n})")

    show("dashboard page", pages)
    show("dashboard sections alone", parts)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", choices=["postgres", "sqlite"], default="postgres")
    parser.add_argument("--name", default="h_workday_bench", help="PostgreSQL database to create")
    parser.add_argument("-n", type=int, default=300, help="requests measured")
    args = parser.parse_args()
    setup(args.db, args.name)
    from django.db import connection

    print(f"database: {connection.vendor}")
    try:
        measure(build(), args.n)
    finally:
        if args.db == "postgres":
            connection.close()
            import psycopg

            server = os.environ.get(
                "BIOPROOF_BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432/postgres"
            )
            with psycopg.connect(server, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{args.name}"')
    return 0


if __name__ == "__main__":
    sys.exit(main())
