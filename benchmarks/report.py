"""Benchmark of the PDF evaluation report (issue 14 point 5: ≤ 1 s warm for 6 runs).

For 1, 6 and 100 runs (half candidate, half reference) it prints:

- **cold**: the first report of a fresh Python process (imports of matplotlib and reportlab,
  font registration and the first render), measured in a subprocess;
- **warm**: the median of the following reports in one process;
- **bare**: a bare matplotlib save of the same plots (the same series, plain ``Figure.plot`` and
  ``savefig`` to PNG at the report's pixel size, no decimation, no PDF) — the floor to compare
  with; and the ratio warm / bare.

Each run has 15 daily offline samples (VCD, titer, viability) and an online DO log of 14 days at
one sample a minute (20,160 points), plotted as a layout curve panel: the dense figure that
made half of a report's time before. Report data are built once (as the platform builds them from
one query of the evaluation's current files); only rendering is timed.

    PYTHONPATH=src .venv/bin/python benchmarks/report.py
    PYTHONPATH=src .venv/bin/python benchmarks/report.py --runs 6 --repeat 7
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import io
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from bioproof.reports.data import (  # noqa: E402
    CriterionRow,
    CurvePanel,
    CurveSeries,
    EvaluationReportData,
    KpiColumn,
    KpiRow,
    RawFile,
    RunInfo,
    RunSeries,
    SignatureLine,
)

MINUTES = 14 * 24 * 60  # one DO sample a minute for 14 days


def make_data(n_runs: int, seed: int = 7) -> EvaluationReportData:
    """A report of ``n_runs`` fed-batch runs with their online DO logs (vectorised synthesis)."""
    rng = np.random.default_rng(seed)
    t_d = np.arange(15, dtype=float)
    t_min = np.arange(MINUTES + 1, dtype=float)
    runs, curves, kpis, infos = [], [], [], []
    for i in range(n_runs):
        arm = "candidate" if i % 2 == 0 else "reference"
        label = f"{'C' if arm == 'candidate' else 'R'}-{i // 2 + 1}"
        mu, peak = rng.uniform(0.55, 0.65), rng.uniform(17, 22)
        vcd = peak / (1 + (peak / 0.5 - 1) * np.exp(-mu * t_d))
        vcd *= np.exp(-0.15 * np.clip(t_d - 10, 0, None)) * (1 + rng.normal(0, 0.02, t_d.size))
        ivcd = np.concatenate([[0.0], np.cumsum((vcd[1:] + vcd[:-1]) / 2)])
        titer = 25 * ivcd / 1000
        viability = np.clip(98.5 - 0.4 * t_d - 6 * np.clip(t_d - 10, 0, None), 0, 100)
        runs.append(
            RunSeries(label, arm, tuple(t_d * 24), tuple(vcd * 1e6), tuple(titer), tuple(viability))
        )
        do = 40 + 3 * np.sin(t_min / 37.0) + rng.normal(0, 0.8, t_min.size)
        do[rng.integers(0, t_min.size, 20)] -= 15  # sparging hiccups: spikes must survive
        curves.append(CurveSeries(label, arm, tuple(t_min / 60), tuple(do)))
        kpis.append(KpiRow(label, arm, {"final_titer": float(titer[-1]), "peak_vcd": vcd.max()}))
        digest = hashlib.sha256(f"{label}-{seed}".encode()).hexdigest()
        infos.append(
            RunInfo(
                label,
                arm,
                f"B-2026-{i:04d}",
                "SUB 50 L #2",
                (
                    RawFile(f"{label}-offline.csv", "Offline samples", 1, digest, 1_842),
                    RawFile(f"{label}-online.csv", "Online time series", 1, digest[::-1], 903_551),
                ),
            )
        )
    signed = dt.datetime(2026, 3, 12, 5, tzinfo=dt.UTC)
    return EvaluationReportData(
        code="EV-2026-0007",
        version=1,
        title="알파 CHO 배지 50 L 유가식 배양 실증 평가",
        product="알파 CHO 배지 (PR-0012)",
        supplier="알파바이오",
        center="동물세포 실증지원센터",
        reference_product="수입 배지 (대조)",
        scale="50 L STR",
        process_context="CHO-K1 mAb, 14일 유가식 배양, 37 °C, pH 7.0, DO 40 %",
        kpi_columns=[
            KpiColumn("final_titer", "최종 역가", "g/L"),
            KpiColumn("peak_vcd", "최대 생세포 농도", "cells/mL"),
        ],
        kpi_rows=kpis,
        criteria=[
            CriterionRow("최종 역가", "동등성 ±10 % (TOST, α = 0.05)", "Δ = 0.12 g/L", True),
            CriterionRow("최대 생세포 농도", "비열등성 −10 %", "Δ = −2.9 %", True),
        ],
        runs=runs,
        deviations=["C-2 5일차 pH 센서 재보정"],
        signatures=[
            SignatureLine(m, n, "동물세포 실증지원센터", signed, "ab" * 32)
            for m, n in (("작성", "김민준"), ("검토", "이서연"), ("승인", "박지훈"))
        ],
        verification_code="7Q4M-2KXD-9PTA",
        content_hash="cd" * 32,
        engine_version="bioproof-analysis 1.2",
        generated_at=signed,
        verify_url="https://bioproof.example.kr/verify/?code=7Q4M-2KXD-9PTA",
        curve_panels=[CurvePanel("온라인 DO", "Time (h)", "DO (%)", curves)],
        run_info=infos,
        demand_company="수요바이오",
        need="ND-2026-0003 — 200 L CHO 배지",
    )


def render(data: EvaluationReportData) -> bytes:
    from bioproof.reports.pdf import render_evaluation_report

    return render_evaluation_report(data, language="ko")


def bare_save(data: EvaluationReportData) -> bytes:
    """The same plots, bare: plain lines of every series, PNG at the report's pixel sizes."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    out = io.BytesIO()
    fig = Figure(figsize=(1370 / 200, 575 / 200), dpi=200)
    FigureCanvasAgg(fig)
    ax_vcd, ax_titer = fig.subplots(1, 2)
    for run in data.runs:
        t = np.asarray(run.time_h) / 24
        ax_vcd.plot(t, np.asarray(run.vcd) / 1e6, label=run.label)
        ax_titer.plot(t, run.titer)
    fig.savefig(out, format="png")
    for panel in data.curve_panels:
        fig = Figure(figsize=(1030 / 200, 618 / 200), dpi=200)
        FigureCanvasAgg(fig)
        ax = fig.add_subplot()
        for curve in panel.curves:
            ax.plot(curve.x, curve.y, label=curve.label)
        fig.savefig(out, format="png")
    return out.getvalue()


def timed(fn, repeat: int) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    """Median wall-clock and CPU seconds of ``fn`` (CPU time is what a shared, loaded machine
    does not distort)."""
    wall, cpu = [], []
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        fn()
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return statistics.median(wall), statistics.median(cpu)


def cold(n_runs: int) -> float:
    """Seconds from a fresh interpreter's first import to its first report (data excluded)."""
    code = (
        "import time, sys; sys.path.insert(0, 'benchmarks'); import report as b; "
        f"d = b.make_data({n_runs}); s = time.perf_counter(); b.render(d); "
        "print(time.perf_counter() - s)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    return float(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, nargs="*", default=[1, 6, 100])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    print(f"load average: {' '.join(f'{x:.1f}' for x in os.getloadavg())} on {os.cpu_count()} CPUs")
    print(
        f"{'runs':>5} {'cold s':>8} {'warm s':>8} {'warm cpu':>9} {'bare s':>8} {'bare cpu':>9} "
        f"{'warm/bare':>10} {'KB':>6}"
    )
    for n in args.runs:
        data = make_data(n)
        cold_s = cold(n)
        pdf = render(data)  # warm-up of this process
        warm_s, warm_cpu = timed(lambda d=data: render(d), args.repeat)
        bare_s, bare_cpu = timed(lambda d=data: bare_save(d), args.repeat)
        print(
            f"{n:>5} {cold_s:>8.3f} {warm_s:>8.3f} {warm_cpu:>9.3f} {bare_s:>8.3f} "
            f"{bare_cpu:>9.3f} {warm_cpu / bare_cpu:>10.2f} {len(pdf) / 1024:>6.0f}"
        )
    print("warm/bare: CPU seconds of the whole PDF over a bare matplotlib save of its plots")
    print("goal: warm ≤ 1 s for 6 runs (issue 14.5)")


if __name__ == "__main__":
    main()
