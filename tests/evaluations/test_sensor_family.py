"""Sensor family end to end: accuracy against a reference method and the t90 step test,
through the sensor-reference-accuracy template, its layouts, criteria and Excel templates."""

from __future__ import annotations

import io

import numpy as np
import pytest
from openpyxl import load_workbook

from bioproof.analysis.cli import main
from bioproof.catalog import actions as catalog
from bioproof.catalog.models import Category
from bioproof.evaluations import actions, layouts
from bioproof.evaluations.models import MethodTemplate

from ..conftest import PASSWORD

pytestmark = pytest.mark.django_db


def agreement_csv(offset: float, seed: int) -> bytes:
    rng = np.random.default_rng(seed)
    t = np.arange(0, 169, 24.0)
    ref = 7.0 - 0.1 * np.sin(t / 50)
    sensor = ref + offset + rng.normal(0, 0.005, t.size)
    rows = "\n".join(f"{a:g},{b:.4f},{c:.4f}" for a, b, c in zip(t, ref, sensor, strict=True))
    return f"Time [h],Reference,Sensor\n{rows}\n".encode()


def step_csv(tau_s: float) -> bytes:
    t = np.arange(0, 240.0, 2.0)
    y = np.where(t < 20, 7.0, 6.0 + np.exp(-(t - 20) / tau_s))
    return (
        "Time [s],Signal [pH]\n" + "\n".join(f"{a:g},{b:.5f}" for a, b in zip(t, y, strict=True))
    ).encode()


def test_sensor_accuracy_evaluation(people, orgs) -> None:
    sensor = catalog.register_product(
        by=people["a_staff"],
        supplier=orgs["supplier_a"],
        category=Category.objects.get(code="sensors"),
        name_ko="pH 센서",
        name_en="pH sensor",
    )
    ev = actions.request_evaluation(
        by=people["a_staff"],
        product=sensor,
        center=orgs["center"],
        title="pH sensor accuracy",
        reference_product="Incumbent pH probe",
        scale="2 L",
        titer_margin=None,
    )
    actions.accept(
        by=people["evaluator"],
        evaluation=ev,
        template=MethodTemplate.objects.current().get(code="sensor-reference-accuracy"),
    )
    actions.sign_protocol(by=people["approver"], evaluation=ev, password=PASSWORD)
    for i, (arm, tau) in enumerate([("candidate", 9.0)] * 3 + [("reference", 10.0)] * 3):
        run = actions.add_run(
            by=people["evaluator"],
            evaluation=ev,
            arm=arm,
            label=f"{arm[0].upper()}-{i}",
            parameters={"step_time": 20.0},
        )
        for layout, data in (
            ("sensor_agreement", agreement_csv(0.01, i)),
            ("sensor_step", step_csv(tau)),
        ):
            actions.upload_run_data(
                by=people["evaluator"], run=run, filename=f"{layout}.csv", data=data, layout=layout
            )
    actions.analyse(by=people["evaluator"], evaluation=ev)
    run = ev.runs.get(label="C-0")
    assert run.kpis["sensor_bias"] == pytest.approx(0.01, abs=0.005)
    assert run.kpis["t90"] == pytest.approx(9 * np.log(10), abs=0.2)  # τ·ln 10
    verdicts = {c.kpi: (c.comparison, c.passed) for c in ev.criteria.all()}
    assert verdicts["t90"] == ("non_inferiority", True)  # faster is better: lower t90 passes
    assert verdicts["sensor_r2"] == ("minimum", True)
    assert verdicts["sensor_slope"][0] == "equivalence"


def test_sensor_layouts_have_excel_templates_and_a_cli_kind(tmp_path, capsys) -> None:
    for key in ("sensor_agreement", "sensor_step", "calibration", "pulse"):
        book = load_workbook(io.BytesIO(layouts.excel_template(layouts.get(key))))
        header = [c.value for c in book["data"][1]]
        assert header == [h for h, _ in layouts.get(key).columns]
        # the worked example parses and analyses with the layout's own reader
        frame = layouts.get(key).parse(_as_csv(book), f"{key}.csv")
        assert layouts.get(key).kpis(frame, {"step_time": 20.0, "bed_height": 20.0})
    f = tmp_path / "a.csv"
    f.write_bytes(agreement_csv(0.02, 1))
    assert main(["sensor", str(f), "--json"]) == 0
    assert "sensor_bias" in capsys.readouterr().out


def _as_csv(book) -> bytes:
    rows = book["data"].iter_rows(values_only=True)
    return "\n".join(",".join("" if v is None else str(v) for v in row) for row in rows).encode()


def test_filter_integrity_layouts_parse_their_templates() -> None:
    for key, params in (("integrity", {"test_pressure": 2.5}), ("permeability", {})):
        layout = layouts.get(key)
        book = load_workbook(io.BytesIO(layouts.excel_template(layout)))
        kpis = layout.kpis(layout.parse(_as_csv(book), f"{key}.csv"), params)
        assert set(kpis) - {"caveats"} == set(layout.produces)
    integrity = layouts.get("integrity")
    book = load_workbook(io.BytesIO(layouts.excel_template(integrity)))
    kpis = integrity.kpis(integrity.parse(_as_csv(book), "i.csv"), {"test_pressure": 2.5})
    # the example ramp: 0.5 + 2·P, then +40 per bar above 3.2 bar
    assert kpis["bubble_point"] == pytest.approx(3.2) and kpis["diffusion_flow"] == 5.5


def test_new_templates_do_not_change_a_category_s_default() -> None:
    from bioproof.evaluations.actions.requests import _template_for_category

    defaults = {
        code: _template_for_category(Category.objects.get(code=code)).code
        for code in ("resins", "filters", "sensors")
    }
    assert defaults == {
        "resins": "resin-dbc",
        "filters": "filter-vmax",
        "sensors": "sensor-controlled-culture",
    }
    codes = set(MethodTemplate.objects.current().values_list("code", flat=True))
    assert {
        "resin-packing",
        "filter-wetted-integrity",
        "sensor-reference-accuracy",
        "sensor-detection-limits",
    } <= codes
