"""Reports: plots for web pages and the PDF evaluation report (실증 평가 보고서).

A pure module — no Django, no database. The platform fills the frozen data classes of
:mod:`bioproof.reports.data` and calls

- :func:`bioproof.reports.pdf.render_evaluation_report` → PDF bytes (deterministic);
- :func:`bioproof.reports.pdf.render_protocol` → the signed protocol (평가계획) as PDF bytes;
- :func:`bioproof.reports.plots.time_course_png` / :func:`~bioproof.reports.plots.time_course_svg`
  → one variable (VCD, titer, viability) over culture time, candidate runs against the
  reference envelope;
- :func:`bioproof.reports.plots.growth_and_titer_png` → the two-panel figure of the report.

The rendering modules are imported on demand (``from bioproof.reports.pdf import …``) so that
importing the data classes stays cheap.
"""

from bioproof.reports.data import (
    CriterionRow,
    CurvePanel,
    CurveSeries,
    EvaluationReportData,
    KpiColumn,
    KpiRow,
    PlannedCriterion,
    ProtocolReportData,
    RawFile,
    RunInfo,
    RunSeries,
    SignatureLine,
)

__all__ = [
    "CriterionRow",
    "CurvePanel",
    "CurveSeries",
    "EvaluationReportData",
    "KpiColumn",
    "KpiRow",
    "PlannedCriterion",
    "ProtocolReportData",
    "RawFile",
    "RunInfo",
    "RunSeries",
    "SignatureLine",
]
