"""Render CLI results as JSON-ready dicts or as plain-text tables (labels from :data:`KPIS`)."""

from __future__ import annotations

import math
from typing import Any

from bioproof.analysis import ENGINE_VERSION
from bioproof.analysis.kpis import KPIS
from bioproof.analysis.result import Result, jsonable


def _parts(result: Any) -> list[Result]:
    return list(result.values()) if isinstance(result, dict) else [result]


def as_json(kind: str, output: Any) -> dict[str, Any]:
    """The CLI's JSON document: kind, engine version and the results per file."""
    head = {"kind": kind, "engine_version": ENGINE_VERSION}
    if kind in ("validate", "plan", "quality"):
        return {**head, **output.to_dict()}
    if kind == "compare":
        return {**head, **jsonable(output)}
    return {**head, "results": [{"file": name, **_as_dict(res)} for name, res in output]}


def _as_dict(result: Any) -> dict[str, Any]:
    if isinstance(result, dict):
        return {key: part.to_dict() for key, part in result.items()}
    return result.to_dict()


def fmt(value: Any) -> str:
    """A number with 4 significant digits; None/NaN as '—'; booleans as yes/no."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "—"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def _table(header: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(header, widths, strict=True)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows]
    return "\n".join(lines)


def _caveats(named: list[tuple[str, list[str]]]) -> str:
    lines = [f"  {name}: {note}" for name, notes in named for note in notes]
    return "\n\nCaveats:\n" + "\n".join(lines) if lines else ""


def as_text(kind: str, output: Any) -> str:
    """A human-readable report: KPI table (rows = KPIs, columns = files) and caveats."""
    if kind == "compare":
        return _compare_text(output)
    if kind == "validate":
        return _validate_text(output)
    if kind == "plan":
        return (
            f"TOST sample size (engine {ENGINE_VERSION}): {output.runs_per_arm} runs per arm "
            f"give {output.power:.1%} power (target {output.target_power:.0%}) for SD "
            f"{output.sd:g}, margin ±{output.margin:g}, true difference {output.difference:g}, "
            f"α = {output.alpha:g}"
        )
    if kind == "qc":
        return "\n\n".join(_qc_text(name, report) for name, report in output)
    if kind == "quality":
        return _quality_text(output)
    values: list[dict[str, Any]] = []
    notes = []
    for name, result in output:
        flat: dict[str, Any] = {}
        caveats: list[str] = []
        for part in _parts(result):
            flat.update({key: getattr(part, key) for key in part.KPI_FIELDS})
            caveats += list(getattr(part, "caveats", ()))
        values.append(flat)
        notes.append((name, caveats))

    def shown(value: Any) -> bool:
        return value is not None and not (isinstance(value, float) and math.isnan(value))

    keys = [key for key in KPIS if any(shown(v.get(key)) for v in values)]
    rows = [
        [KPIS[key].label_en, KPIS[key].unit, *(fmt(v.get(key)) for v in values)] for key in keys
    ]
    table = _table(["KPI", "unit", *(name for name, _ in output)], rows)
    return f"{kind} (engine {ENGINE_VERSION})\n\n{table}{_caveats(notes)}"


def _validate_text(report: Any) -> str:
    rows = [
        [r.kpi, r.unit, r.case, fmt(r.expected), fmt(r.computed), "pass" if r.passed else "FAIL"]
        for r in report.rows
    ]
    table = _table(["KPI", "unit", "reference case", "expected", "computed", "result"], rows)
    verdict = (
        f"all {report.n_passed} KPIs pass"
        if report.passed
        else f"{report.n_failed} of {len(report.rows)} KPIs FAIL"
    )
    return f"validation (engine {report.engine_version}): {verdict}\n\n{table}"


def _qc_text(name: str, report: Any) -> str:
    verdict = "CONFORMS" if report.conforms else f"DOES NOT CONFORM ({report.n_oos} OOS)"
    rows = [
        [r.test, r.result or "—", r.specification, "pass" if r.passed else f"OOS {r.note}"]
        for r in report.rows
    ]
    return f"{name}: {verdict}\n\n" + _table(["test", "result", "specification", "verdict"], rows)


def _compare_text(output: dict[str, Any]) -> str:
    kpi = KPIS.get(output["kpi"])
    unit = kpi.unit if kpi else ""
    res = output["result"]
    lines = [f"{kpi.label_en if kpi else output['kpi']} [{unit}] — engine {ENGINE_VERSION}", ""]
    for arm in ("candidate", "reference"):
        lines.append(
            f"{arm:<10} " + ", ".join(f"{e['file']}={fmt(e['value'])}" for e in output[arm])
        )
    lines.append("")
    if output["test"] in ("tost", "tier1"):
        lines += [
            f"difference (candidate − reference): {fmt(res.difference)} {unit}",
            f"{100 - 200 * res.alpha:g} % CI: [{fmt(res.ci_low)}, {fmt(res.ci_high)}]",
            f"margins: [{fmt(res.lower_margin)}, {fmt(res.upper_margin)}]",
            f"p (TOST): {fmt(res.p_value)}   df: {fmt(res.df)}",
            f"verdict: {'EQUIVALENT' if res.equivalent else 'NOT SHOWN EQUIVALENT'}",
        ]
    elif output["test"] == "noninferiority":
        lines += [
            f"difference (candidate − reference): {fmt(res.difference)} {unit}",
            f"one-sided {100 - 100 * res.alpha:g} % bound: {fmt(res.bound)}; limit "
            f"{fmt(res.limit)}",
            f"p: {fmt(res.p_value)}   df: {fmt(res.df)}",
            f"verdict: {'NON-INFERIOR' if res.non_inferior else 'NOT SHOWN NON-INFERIOR'}",
        ]
    elif output["test"] == "ratio":
        lines += [
            f"ratio of means (candidate / reference): {fmt(res.ratio)}",
            f"{100 - 200 * res.alpha:g} % Fieller CI: [{fmt(res.ci_low)}, {fmt(res.ci_high)}]",
            f"limits: [{fmt(res.low)}, {fmt(res.high)}]",
            f"verdict: {'EQUIVALENT' if res.equivalent else 'NOT SHOWN EQUIVALENT'}",
        ]
    else:
        lines += [
            f"quality range (mean ± {fmt(res.k)}·SD): [{fmt(res.low)}, {fmt(res.high)}]",
            f"candidate lots inside: {res.n_inside}/{res.n_candidate}",
            f"verdict: {'WITHIN RANGE' if res.passed else 'OUTSIDE RANGE'}",
        ]
    return "\n".join(lines) + _caveats([("note", list(res.caveats))])


def _quality_text(result: Any) -> str:
    label = "min–max" if result.method == "minmax" else f"mean ± {fmt(result.k)}·SD"
    rows = [
        [
            KPIS[key].label_en if key in KPIS else key,
            fmt(row["low"]),
            fmt(row["high"]),
            f"{row['n_inside']}/{row['n_candidate']}",
            "pass" if row["passed"] else "FAIL",
        ]
        for key, row in result.attributes.items()
    ]
    verdict = "WITHIN RANGES" if result.passed else "OUTSIDE: " + ", ".join(result.failing)
    table = _table(["attribute", "low", "high", "inside", "verdict"], rows)
    return (
        f"quality ranges ({label} of the reference, ≥ {result.min_fraction:.0%} of candidate "
        f"lots inside; engine {ENGINE_VERSION}): {verdict}\n\n{table}"
        + _caveats([("note", list(result.caveats))])
    )
