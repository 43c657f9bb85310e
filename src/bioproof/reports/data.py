"""Plain data handed to the report module by the platform.

Everything here is already resolved: labels are in the report language, times are aware
datetimes, numbers are in the canonical units of the analysis engine (h, cells/mL, g/L, %).
The report module never touches the database; the platform fills these classes and calls
:func:`bioproof.reports.pdf.render_evaluation_report` or the functions in
:mod:`bioproof.reports.plots`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

ARMS = ("candidate", "reference")


@dataclass(frozen=True)
class RunSeries:
    """Offline time course of one run (one cultivation) in canonical units."""

    label: str  # e.g. "C-1 (BATCH-2311)"
    arm: str  # "candidate" or "reference"
    time_h: Sequence[float]  # hours
    vcd: Sequence[float]  # viable cell density, cells/mL
    titer: Sequence[float]  # g/L
    viability: Sequence[float] = ()  # %


@dataclass(frozen=True)
class KpiColumn:
    """One KPI column of the per-run KPI table."""

    key: str
    label: str  # already in the report language
    unit: str


@dataclass(frozen=True)
class KpiRow:
    """KPI values of one run, by :attr:`KpiColumn.key`; ``None`` = not computed."""

    run_label: str
    arm: str  # "candidate" | "reference"
    values: Mapping[str, float | None]


@dataclass(frozen=True)
class CriterionRow:
    """One acceptance criterion and its verdict, as human text."""

    kpi_label: str  # e.g. "Final titer" / "최종 역가"
    comparison: str  # e.g. "equivalence ±10 % (TOST, α = 0.05)"
    result: str  # e.g. "Δ = 0.12 g/L, 90 % CI [−0.05, 0.29]"
    passed: bool | None  # None = not evaluable


@dataclass(frozen=True)
class SignatureLine:
    """One electronic signature on the evaluation."""

    meaning: str  # already localised, e.g. "Reviewed" / "검토"
    name: str
    organization: str
    signed_at: datetime  # aware; printed in Asia/Seoul with the zone
    content_hash: str  # sha256 hex


@dataclass(frozen=True)
class RawFile:
    """One raw data file of a run, as stored (its SHA-256 proves which bytes were analysed)."""

    filename: str
    layout: str  # already in the report language, e.g. "Offline samples (cell culture)"
    version: int
    sha256: str
    size: int  # bytes


@dataclass(frozen=True)
class RunInfo:
    """Identity of one run: its batch, the equipment it ran on and its raw files."""

    label: str
    arm: str  # "candidate" | "reference"
    batch_id: str
    equipment: str
    files: Sequence[RawFile] = ()


@dataclass(frozen=True)
class CurveSeries:
    """One run's curve of a data layout (breakthrough, t/V, DO re-oxygenation, tracer)."""

    label: str
    arm: str
    x: Sequence[float]
    y: Sequence[float]


@dataclass(frozen=True)
class CurvePanel:
    """One figure of layout curves: caption, axis labels and the runs' curves."""

    caption: str
    x_label: str
    y_label: str
    curves: Sequence[CurveSeries]


@dataclass(frozen=True)
class EvaluationReportData:
    """Everything printed in a demonstration evaluation report (실증 평가 보고서)."""

    code: str  # "EV-2026-0007"
    version: int
    title: str
    product: str
    supplier: str
    center: str
    reference_product: str
    scale: str
    process_context: str
    kpi_columns: Sequence[KpiColumn]
    kpi_rows: Sequence[KpiRow]
    criteria: Sequence[CriterionRow]
    runs: Sequence[RunSeries]
    deviations: Sequence[str]
    signatures: Sequence[SignatureLine]
    verification_code: str  # e.g. "7Q4M-2KXD-9PTA"
    content_hash: str  # sha256 of the signed content
    engine_version: str
    generated_at: datetime
    verify_url: str  # public URL where the code can be checked
    correction_reason: str = ""  # set for version >= 2
    protocol: str = ""  # method template and protocol hash, as text
    figures: Sequence[tuple[str, bytes]] = ()  # (caption, PNG) of extra figures
    curve_panels: Sequence[CurvePanel] = ()  # layout curves, drawn by the report itself
    run_info: Sequence[RunInfo] = ()  # batch IDs, equipment and raw files of every run
    demand_company: str = ""  # the demand company of a demand-tailored evaluation
    need: str = ""  # the need it answers, e.g. "ND-2026-0003 — CHO medium for 2,000 L"
    conclusion: str = ""  # overrides the conclusion derived from the verdicts


@dataclass(frozen=True)
class PlannedCriterion:
    """One acceptance criterion of a signed protocol (before any result)."""

    kpi_label: str
    comparison: str
    source: str  # already localised: "Method template", "Demand company's need", …


@dataclass(frozen=True)
class ProtocolReportData:
    """The signed evaluation plan (평가계획): what the protocol signature vouches for."""

    code: str
    title: str
    product: str
    supplier: str
    center: str
    reference_product: str
    scale: str
    process_context: str
    template: str  # "name (code vN)" or ""
    layouts: Sequence[str]  # data layouts each run provides, localised
    kpis: Sequence[str]  # KPI labels with units
    candidate_runs: int
    reference_runs: int
    runs: Sequence[RunInfo]  # runs registered so far (batch, equipment)
    criteria: Sequence[PlannedCriterion]
    signatures: Sequence[SignatureLine]
    content_hash: str  # sha256 of the signed plan
    signed_at: datetime | None
    generated_at: datetime
    page_url: str  # where the evaluation (and this protocol) is seen on the platform
    demand_company: str = ""
    need: str = ""
