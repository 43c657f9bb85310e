"""Sample report data: two candidate and two reference CHO fed-batch runs of 14 days.

Pure data, no database: the report module is tested on its own.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
from collections.abc import Callable

import numpy as np
import pytest

from bioproof.reports.data import (
    CriterionRow,
    EvaluationReportData,
    KpiColumn,
    KpiRow,
    RunSeries,
    SignatureLine,
)

SIGNERS = ("김민준", "이서연", "박지훈")
VERIFICATION_CODE = "7Q4M-2KXD-9PTA"
CODE = "EV-2026-0007"


def fed_batch_run(
    label: str, arm: str, *, seed: int, mu: float, peak: float, qp_pg: float
) -> RunSeries:
    """Daily samples of a logistic-growth fed-batch with a death phase after day 10."""
    rng = np.random.default_rng(seed)
    t_d = np.arange(15, dtype=float)
    vcd = peak / (1 + (peak / 0.5 - 1) * np.exp(-mu * t_d))  # 1e6 cells/mL
    decline = np.clip(t_d - 10, 0, None)
    vcd = vcd * np.exp(-0.15 * decline) * (1 + rng.normal(0, 0.02, t_d.size))
    ivcd = np.concatenate([[0.0], np.cumsum((vcd[1:] + vcd[:-1]) / 2)])  # 1e6 cells·d/mL
    titer = qp_pg * ivcd / 1000  # pg/cell/d × 1e6 cells·d/mL = mg/L -> g/L
    viability = np.clip(98.5 - 0.4 * t_d - 6.0 * decline + rng.normal(0, 0.3, t_d.size), 0, 100)
    return RunSeries(
        label=label,
        arm=arm,
        time_h=tuple((t_d * 24).round(2)),
        vcd=tuple((vcd * 1e6).round(-3)),
        titer=tuple(titer.round(4)),
        viability=tuple(viability.round(2)),
    )


RUNS = (
    fed_batch_run("C-1 (BATCH-2311)", "candidate", seed=1, mu=0.62, peak=21.0, qp_pg=25.5),
    fed_batch_run("C-2 (BATCH-2312)", "candidate", seed=2, mu=0.60, peak=19.5, qp_pg=24.8),
    fed_batch_run("R-1 (BATCH-2301)", "reference", seed=4, mu=0.60, peak=20.0, qp_pg=25.0),
    fed_batch_run("R-2 (BATCH-2302)", "reference", seed=5, mu=0.59, peak=18.5, qp_pg=24.6),
)

LABELS = {
    # key: (English, Korean, unit)
    "mu_exp": ("Specific growth rate (exponential phase)", "비성장속도 (지수 성장기)", "1/d"),
    "doubling_time": ("Doubling time", "배가 시간", "h"),
    "ivcd_final": ("Integral of viable cell density", "적산 생세포 농도 (IVCD)", "1e6 cells·d/mL"),
    "qp": ("Specific productivity", "비생산성", "pg/(cell·d)"),
    "final_titer": ("Final titer", "최종 역가", "g/L"),
    "peak_vcd": ("Peak viable cell density", "최대 생세포 농도", "1e6 cells/mL"),
    "peak_day": ("Day of peak VCD", "최대 생세포 농도 도달일", "d"),
}


def kpis(run: RunSeries) -> dict[str, float | None]:
    """KPI values in the display units of :data:`LABELS` (as the analysis engine reports them)."""
    t = np.asarray(run.time_h) / 24
    vcd = np.asarray(run.vcd) / 1e6
    titer = np.asarray(run.titer)
    ivcd = float(np.sum(np.diff(t) * (vcd[1:] + vcd[:-1]) / 2))
    mu = float(np.polyfit(t[1:6], np.log(vcd[1:6]), 1)[0])
    return {
        "mu_exp": mu,
        "doubling_time": float(np.log(2) / mu * 24),
        "ivcd_final": ivcd,
        "qp": float(titer[-1] * 1e3 / ivcd),
        "final_titer": float(titer[-1]),
        "peak_vcd": float(vcd.max()),
        "peak_day": float(t[int(vcd.argmax())]),
    }


def make_report_data(language: str = "ko", **changes: object) -> EvaluationReportData:
    ko = language == "ko"
    content_hash = hashlib.sha256(b"EV-2026-0007 v1 signed content").hexdigest()
    seoul = dt.timezone(dt.timedelta(hours=9))
    meanings = ("작성", "검토", "승인") if ko else ("Authored", "Reviewed", "Approved")
    signatures = [
        SignatureLine(
            meaning=meaning,
            name=name,
            organization="동물세포 실증지원센터" if ko else "Animal Cell Center",
            signed_at=dt.datetime(2026, 3, 12, 5 + i, 5, 9, tzinfo=dt.UTC),
            content_hash=content_hash,
        )
        for i, (meaning, name) in enumerate(zip(meanings, SIGNERS, strict=True))
    ]
    criteria = [
        CriterionRow(
            "최종 역가" if ko else "Final titer",
            f"{'동등성' if ko else 'equivalence'} ±10 % (TOST, α = 0.05)",
            "Δ = 0.12 g/L, 90 % CI [−0.05, 0.29], margin [−0.33, 0.33]",
            True,
        ),
        CriterionRow(
            "비생산성" if ko else "Specific productivity",
            f"{'동등성' if ko else 'equivalence'} ±15 % (TOST, α = 0.05)",
            "Δ = 0.4 pg/cell/d, 90 % CI [−1.1, 1.9], margin [−3.7, 3.7]",
            True,
        ),
        CriterionRow(
            "최대 생세포 농도" if ko else "Peak VCD",
            f"{'비열등성' if ko else 'non-inferiority'} −10 %",
            "Δ = −2.9 %, lower bound −14.2 % < −10 %",
            False,
        ),
        CriterionRow("생존율" if ko else "Final viability", "≥ 70 %", "—", None),
    ]
    data = EvaluationReportData(
        code=CODE,
        version=1,
        title=(
            "알파 CHO 배지 50 L 유가식 배양 실증 평가"
            if ko
            else "Alpha CHO Medium — 50 L fed-batch demonstration"
        ),
        product="알파 CHO 배지 (PR-0012)" if ko else "Alpha CHO Medium (PR-0012)",
        supplier="알파바이오" if ko else "Alpha Bio",
        center="동물세포 실증지원센터" if ko else "Animal Cell Center",
        reference_product="수입 배지 (대조)" if ko else "Imported medium (incumbent)",
        scale="50 L STR",
        process_context=(
            "CHO-K1 mAb 생산주, 14일 유가식 배양, 37 °C, pH 7.0, DO 40 %"
            if ko
            else "CHO-K1 mAb producer, 14-day fed-batch, 37 °C, pH 7.0, DO 40 %"
        ),
        kpi_columns=[KpiColumn(k, v[1] if ko else v[0], v[2]) for k, v in LABELS.items()],
        kpi_rows=[KpiRow(r.label, r.arm, kpis(r)) for r in RUNS],
        criteria=criteria,
        runs=RUNS,
        deviations=[
            "C-2 5일차 pH 센서 재보정 (15분간 pH 7.25 도달, 공정 영향 없음)"
            if ko
            else "C-2 day 5: pH probe recalibrated (pH reached 7.25 for 15 min, no process impact)"
        ],
        signatures=signatures,
        verification_code=VERIFICATION_CODE,
        content_hash=content_hash,
        engine_version="bioproof-analysis 0.4.1",
        generated_at=dt.datetime(2026, 3, 13, 9, 30, tzinfo=seoul),
        verify_url="https://bioproof.example.kr/verify/7Q4M-2KXD-9PTA",
    )
    return dataclasses.replace(data, **changes) if changes else data


@pytest.fixture
def report_data() -> Callable[..., EvaluationReportData]:
    return make_report_data


@pytest.fixture
def runs() -> tuple[RunSeries, ...]:
    return RUNS
