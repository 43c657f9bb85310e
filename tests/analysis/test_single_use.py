"""Single-use articles: extractables against the AET, USP <788> particulates, pressure decay."""

from __future__ import annotations

import numpy as np
import pytest

from bioproof.analysis import single_use as su
from bioproof.analysis.cli import main
from bioproof.analysis.errors import InputError


def test_aet_and_compounds_above_it() -> None:
    # PQRI parenteral: SCT 1.5 µg/day, one 10 mL dose a day, UF 2 → 0.075 µg/mL
    aet = su.analytical_evaluation_threshold(1.5, doses_per_day=1, dose_volume=10.0)
    assert aet == pytest.approx(0.075)
    # an extract of 50 mL per article for a bag holding 500 mL of product: × 10
    assert su.analytical_evaluation_threshold(
        1.5, doses_per_day=2, dose_volume=5.0, uncertainty_factor=1.0, scaling=10.0
    ) == pytest.approx(1.5)
    res = su.extractables(["BHT", "Irgafos 168", "DEHP"], [0.01, 0.2, 0.075], aet=aet)
    assert res.el_above_aet == 2 and res.above == ("Irgafos 168", "DEHP")  # ≥ AET counts
    assert res.el_max_ratio == pytest.approx(0.2 / 0.075)
    with pytest.raises(InputError, match="uncertainty"):
        su.analytical_evaluation_threshold(
            1.5, doses_per_day=1, dose_volume=1, uncertainty_factor=0.5
        )


def test_usp_788_limits_small_and_large_volume() -> None:
    small = su.particulates([1200, 1500, 900], [30, 50, 40], container_volume=10.0)
    assert small.limit_basis == "per container" and small.limit_10um == 6000
    assert small.particle_limit_ratio == pytest.approx(0.2) and small.passed
    # 250 mL bag: limits per mL, 25 (≥10 µm) and 3 (≥25 µm); 7000/250 = 28 > 25 fails
    large = su.particulates([7000], [100], container_volume=250.0)
    assert large.particles_10um_per_ml == pytest.approx(28.0)
    assert large.particle_limit_ratio == pytest.approx(28 / 25) and not large.passed
    assert "microscopic" in large.caveats[0]
    micro = su.particulates([2000], [310], container_volume=50.0, method="microscopic")
    assert micro.particle_limit_ratio == pytest.approx(310 / 300) and not micro.passed


def test_pressure_decay_leak_rate() -> None:
    t = np.arange(0.0, 301.0, 10.0)
    p = np.where(t < 60, 110 - 0.05 * t, 107 - 0.01 * (t - 60))
    res = su.pressure_decay(t, p, test_volume=2.0, stabilisation=60.0, limit=0.05)
    # Q = V·ΔP/Δt = 2 L · 0.01 mbar/s after stabilisation; the fill transient is left out
    assert res.leak_rate == pytest.approx(0.02) and res.leak_limit_ratio == pytest.approx(0.4)
    unstable = su.pressure_decay(t, p, test_volume=2.0)
    assert unstable.leak_rate > 0.02
    warming = su.pressure_decay(t, 100 + 0.001 * t, test_volume=1.0)
    assert warming.leak_rate == 0 and "temperature" in warming.caveats[0]
    with pytest.raises(InputError, match="fewer than 3"):
        su.pressure_decay(t[:4], p[:4], test_volume=1.0, stabilisation=100.0)


def test_single_use_cli_and_layouts(tmp_path, capsys) -> None:
    (tmp_path / "pd.csv").write_text("Time [min],Pressure [kPa]\n0,11\n1,10.94\n2,10.88\n3,10.82\n")
    args = ["single-use", str(tmp_path / "pd.csv"), "--test-volume", "2000 mL", "--json"]
    assert main([*args, "--stabilisation", "0"]) == 0
    # 0.6 mbar per minute = 0.01 mbar/s × 2 L
    import json

    doc = json.loads(capsys.readouterr().out)["results"][0]
    assert doc["leak_rate"] == pytest.approx(0.02)
    (tmp_path / "el.csv").write_text("Compound,Concentration [ng/mL]\nBHT,100\n")
    assert main(["single-use", str(tmp_path / "el.csv")]) == 2
    assert "--dose-volume" in capsys.readouterr().err
    from bioproof.evaluations import layouts

    params = {"dose_volume": 10.0, "container_volume": 10.0, "test_volume": 2.0, "leak_limit": 0.05}
    for key in ("extractables", "particulates", "pressure_decay"):
        layout = layouts.get(key)
        kpis = layout.kpis(layout.parse(layouts.excel_template(layout), f"{key}.xlsx"), params)
        assert set(kpis) - {"caveats"} == set(layout.produces), key
