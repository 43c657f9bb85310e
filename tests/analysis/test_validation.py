"""``bioproof analyze validate``: every KPI's reference case, expected vs computed."""

from __future__ import annotations

import csv
import json

from bioproof.analysis import chromatography
from bioproof.analysis.cli import main
from bioproof.analysis.kpis import KPIS
from bioproof.analysis.validation import validate


def test_validate_covers_every_kpi_and_passes(tmp_path, capsys) -> None:
    out = tmp_path / "validation.csv"
    assert main(["validate", "--csv", str(out)]) == 0
    text = capsys.readouterr().out
    assert f"all {len(KPIS)} KPIs pass" in text
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert {r["kpi"] for r in rows} == set(KPIS)  # every KPI has a reference case
    assert all(r["result"] == "pass" for r in rows)
    titer = next(r for r in rows if r["kpi"] == "final_titer")
    assert float(titer["expected"]) == 0.225 and titer["basis"]


def test_validate_reports_a_broken_formula_as_a_failure(monkeypatch, capsys) -> None:
    real = chromatography.step_yield

    def off_by_one_percent(*args, **kwargs):
        res = real(*args, **kwargs)
        return type(res)(
            res.step_yield * 1.01,
            *[
                getattr(res, f)
                for f in ("mass_balance", "load_mass", "eluate_mass", "fraction_masses", "caveats")
            ],
        )

    monkeypatch.setattr(chromatography, "step_yield", off_by_one_percent)
    report = validate()
    failed = [r.kpi for r in report.rows if not r.passed]
    assert failed == ["step_yield"] and not report.passed
    assert main(["validate", "--json"]) == 1
    doc = json.loads(capsys.readouterr().out)
    assert doc["n_failed"] == 1 and doc["kind"] == "validate"
