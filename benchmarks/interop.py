"""Interop benchmark (plain prints).

1. **Instrument files**: converting 1,000 real instrument exports with allotropy (the nine
   example files of tests/interop/data, round-robin), then importing 1,000 files into runs as
   500 imports of a cell-counter + bioanalyzer pair (convert both, join by sample, lay out the
   offline table, parse it through the layout, store raw + ASM with their SHA-256, audit).
2. **Evidence package**: building and verifying the package of a published track record with
   12 runs (6 candidate, 6 reference), each < 2 s as the issue asks.

A throw-away SQLite database in a temporary directory (migrated first, ~1 min):

    PYTHONPATH=src .venv/bin/python benchmarks/interop.py [--files 1000]
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "interop" / "data"
REAL = [
    ("Beckman_Vi-Cell-BLU_example02.csv", "BECKMAN_VI_CELL_BLU"),
    ("Beckman_Vi-Cell-XR_example07_instrumentOutput.txt", "BECKMAN_VI_CELL_XR"),
    ("roche_cedex_bioht_example01.txt", "ROCHE_CEDEX_BIOHT"),
    ("roche_cedex_bioht_v5_example01.txt", "ROCHE_CEDEX_BIOHT"),
    ("SampleResults2022-06-28_142558.csv", "NOVABIO_FLEX2"),
    ("Thermo_NanoDrop_mRNA.txt", "THERMO_FISHER_NANODROP_8000"),
    ("thermo_nanodrop_eight_RNA.txt", "THERMO_FISHER_NANODROP_EIGHT"),
    ("agilent_tapestation_analysis_example_03.xml", "AGILENT_TAPESTATION_ANALYSIS"),
    ("unicorn_single_uv.zip", "CYTIVA_UNICORN"),
]
PASSWORD = "bench-pass-2026"


def setup(tmp: str) -> None:
    os.environ["BIOPROOF_DATABASE_URL"] = f"sqlite:///{tmp}/bench.sqlite3"
    os.environ["BIOPROOF_VAR_DIR"] = tmp
    os.environ["BIOPROOF_MEDIA_ROOT"] = f"{tmp}/media"
    os.environ.setdefault("BIOPROOF_SECRET_KEY", "benchmark-only")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bioproof.settings")
    sys.path.insert(0, str(ROOT / "src"))
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.BIOPROOF_SIGNING_KEY_FILE = f"{tmp}/keys/platform.pem"
    settings.BIOPROOF_CHECKPOINT_LOG = f"{tmp}/audit/checkpoints.jsonl"
    settings.MEDIA_ROOT = f"{tmp}/media"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    call_command("migrate", verbosity=0)


def people() -> dict:
    from bioproof.catalog import actions as catalog
    from bioproof.catalog.models import Category
    from bioproof.consortium import actions as consortium
    from bioproof.consortium.models import Organization

    K = Organization.Kind
    orgs = {
        key: consortium.create_organization(by=None, code=key, name_ko=key, name_en=key, kind=kind)
        for key, kind in (("supplier", K.SUPPLIER), ("center", K.CENTER))
    }

    def user(name: str, org: str, *roles: str):
        return consortium.create_user(
            by=None, username=name, password=PASSWORD, organization=orgs[org], roles=list(roles)
        )

    out = {
        "admin": user("s_admin", "supplier", "org_admin"),
        "staff": user("s_staff", "supplier", "staff"),
        "evaluator": user("evaluator", "center", "staff", "evaluator"),
        "reviewer": user("reviewer", "center", "reviewer"),
        "approver": user("approver", "center", "approver"),
    }
    out["product"] = catalog.register_product(
        by=out["staff"],
        supplier=orgs["supplier"],
        category=Category.objects.get(code="media"),
        name_ko="배지",
        name_en="Medium",
        specs={"format": "powder"},
    )
    out["center"] = orgs["center"]
    return out


def evaluation(p: dict, title: str):
    from bioproof.evaluations import actions as ev

    e = ev.request_evaluation(
        by=p["staff"],
        product=p["product"],
        center=p["center"],
        title=title,
        reference_product="Imported medium",
        scale="50 L STR",
        process_context="CHO fed-batch",
    )
    ev.accept(by=p["evaluator"], evaluation=e)
    ev.sign_protocol(by=p["approver"], evaluation=e, password=PASSWORD)
    return e


def bench_instruments(p: dict, count: int) -> None:
    from bioproof.evaluations import actions as ev
    from bioproof.interop import actions, instruments

    files = [(DATA / name).read_bytes() for name, _i in REAL]
    instruments.convert(REAL[0][1], REAL[0][0], files[0])  # import allotropy's parsers once
    started = time.perf_counter()
    per_kind: dict[str, list[float]] = {}
    for i in range(count):
        name, instrument = REAL[i % len(REAL)]
        t0 = time.perf_counter()
        asm = instruments.convert(instrument, name, files[i % len(REAL)])
        instruments.measurements(asm)
        per_kind.setdefault(instrument, []).append(time.perf_counter() - t0)
    total = time.perf_counter() - started
    print(
        f"convert {count} instrument files (allotropy → ASM → measurements): {total:.1f} s, "
        f"{count / total:.0f} files/s"
    )
    for kind, times in per_kind.items():
        print(f"    {kind:32s} median {statistics.median(times) * 1000:7.1f} ms")

    e = evaluation(p, "instrument import")
    run = ev.add_run(by=p["evaluator"], evaluation=e, arm="candidate", label="C-1")
    pair = [
        (
            "BECKMAN_VI_CELL_BLU",
            "derived_Vi-Cell-BLU_paired_with_cedex_v5.csv",
            (DATA / "derived_Vi-Cell-BLU_paired_with_cedex_v5.csv").read_bytes(),
        ),
        (
            "ROCHE_CEDEX_BIOHT",
            "roche_cedex_bioht_v5_example01.txt",
            (DATA / "roche_cedex_bioht_v5_example01.txt").read_bytes(),
        ),
    ]
    imports = count // 2
    times = []
    started = time.perf_counter()
    for _ in range(imports):
        t0 = time.perf_counter()
        actions.import_instrument_files(by=p["evaluator"], run=run, uploads=pair)
        times.append(time.perf_counter() - t0)
    total = time.perf_counter() - started
    print(
        f"import {imports * 2} instrument files ({imports} cell counter + bioanalyzer pairs "
        f"into a run, stored, hashed, audited): {total:.1f} s, "
        f"{imports * 2 / total:.0f} files/s, median import {statistics.median(times) * 1000:.0f} ms"
    )


def bench_package(p: dict) -> None:
    from django.contrib.auth.models import AnonymousUser

    from bioproof.core import checkpoints
    from bioproof.evaluations import actions as ev
    from bioproof.evaluations.samples import fed_batch_csv
    from bioproof.interop.packages import build, verify

    e = evaluation(p, "twelve runs")
    for arm, prefix, base in (("candidate", "C", 0), ("reference", "R", 100)):
        for k in range(1, 7):
            run = ev.add_run(by=p["evaluator"], evaluation=e, arm=arm, label=f"{prefix}-{k}")
            csv = fed_batch_csv(seed=base + k, mu=0.58 + 0.01 * k, qp_pg=24.5 + 0.2 * k)
            ev.upload_run_data(by=p["evaluator"], run=run, filename=f"{prefix}{k}.csv", data=csv)
    e = ev.analyse(by=p["evaluator"], evaluation=e)
    for who, meaning in (
        ("evaluator", "authored"),
        ("reviewer", "reviewed"),
        ("approver", "approved"),
    ):
        ev.sign(by=p[who], evaluation=e, meaning=meaning, password=PASSWORD)
    ev.generate_report(by=p["evaluator"], evaluation=e, language="en")
    ev.publish(by=p["admin"], evaluation=e, consent=True)
    checkpoints.checkpoint()
    builds, checks = [], []
    for _ in range(5):
        t0 = time.perf_counter()
        record = build.track_record_for(e.code, AnonymousUser())
        data = build.track_record_package(record)
        builds.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        report = verify.verify_package(io.BytesIO(data), jwks=checkpoints.jwks())
        checks.append(time.perf_counter() - t0)
        assert report.ok, report.problems
    print(
        f"evidence package of a 12-run track record: {len(data) / 1024:.0f} KiB, "
        f"{report.counts.get('members')} members, {report.counts.get('events')} audit events"
    )
    print(
        f"    build  median {statistics.median(builds):.2f} s (max {max(builds):.2f} s; goal < 2 s)"
    )
    print(
        f"    verify median {statistics.median(checks):.2f} s (max {max(checks):.2f} s; goal < 2 s)"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--files", type=int, default=1000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        setup(tmp)
        p = people()
        bench_package(p)
        if args.files:
            bench_instruments(p, args.files)


if __name__ == "__main__":
    main()
