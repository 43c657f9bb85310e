"""TFF flux–TMP, sieving, clearance (LRV with results below detection), mass balance, DBC vs
residence time and resin lifetime to a stated drop."""

from __future__ import annotations

import math

import numpy as np
import pytest

from bioproof.analysis.cli import main
from bioproof.analysis.errors import InputError
from bioproof.analysis.resins import dbc_residence, mass_balance, resin_cycles
from bioproof.analysis.tff import (
    clearance,
    flux_curve,
    log_reductions,
    sieving_coefficient,
    transmembrane_pressure,
)

TMP = np.array([0.2, 0.4, 0.6, 0.8, 1.0, 1.2, 1.5, 2.0])


def test_tmp_and_the_flux_curve() -> None:
    assert transmembrane_pressure(1.5, 0.9, 0.2) == pytest.approx(1.0)  # (1.5 + 0.9)/2 − 0.2
    res = flux_curve(TMP, 80 * (1 - np.exp(-1.25 * TMP)))
    assert res.tff_permeability == pytest.approx(100.0)  # J_lim·k = 80·1.25
    assert res.limiting_flux == pytest.approx(80.0)
    # (1 − e^−x)/x = 0.9 at x = 0.214556: TMP_c = x/1.25, J_c = 80(1 − e^−x) = 0.9·100·TMP_c
    assert res.critical_tmp == pytest.approx(0.2145557 / 1.25, rel=1e-6)
    assert res.critical_flux == pytest.approx(80 * (1 - math.exp(-0.2145557)), rel=1e-6)
    assert res.knee_tmp == pytest.approx(math.log(10) / 1.25)
    noisy = 80 * (1 - np.exp(-1.25 * TMP)) * (1 + np.random.default_rng(4).normal(0, 0.02, 8))
    fit = flux_curve(TMP, noisy)
    assert fit.limiting_flux_ci_low < 80 < fit.limiting_flux_ci_high
    assert fit.tff_permeability_ci_low < 100 < fit.tff_permeability_ci_high
    straight = flux_curve(TMP, 50 * TMP)
    assert straight.tff_permeability == pytest.approx(50.0)
    assert math.isnan(straight.limiting_flux) and "no limiting flux" in straight.caveats[0]
    with pytest.raises(InputError):
        flux_curve(TMP[:3], TMP[:3])


def test_sieving_and_clearance_with_censoring() -> None:
    s = sieving_coefficient([10.0, 10.0, 10.0], [0.1, 0.2, 0.3])
    assert s.sieving_coefficient == pytest.approx(0.02) and s.retention == pytest.approx(98.0)
    lrv, cens = log_reductions([1e7, 1e7], [10, 10], [5.0, 0.0], [12, 12], [10.0, 10.0])
    # both at or below the LOD 10: log10(1e8/(10·12)) = 5.9208, reported as ≥
    assert lrv == pytest.approx([math.log10(1e8 / 120)] * 2) and cens.all()
    res = clearance(
        ["HCP", "DNA", "X-MuLV", "MVM"],
        [1e5, 1e4, 1e6, 1e7],
        [10, 10, 10, 10],
        [100, 50, 0, 1000],
        [12, 12, 12, 12],
        [float("nan"), 1.0, 10.0, 10.0],
    )
    assert res.lrv_hcp == pytest.approx(math.log10(1e6 / 1200))  # 2.9208
    assert res.lrv_dna == pytest.approx(math.log10(1e5 / 600))
    # the lowest virus LRV is the KPI: MVM 1e8/12000 (3.92) not X-MuLV ≥ 1e7/120 (4.92)
    assert res.lrv_virus == pytest.approx(math.log10(1e8 / 12000))
    assert res.censored == {"lrv_hcp": False, "lrv_dna": False, "lrv_virus": False}
    with pytest.raises(InputError, match="LOD"):
        clearance(["HCP"], [1.0], [1.0], [0.0], [1.0])
    with pytest.raises(InputError, match="not HCP"):
        clearance(["glucose"], [1.0], [1.0], [0.5], [1.0])


def test_mass_balance_of_a_fraction_table() -> None:
    res = mass_balance(
        ["Load", "Flow-through", "Wash", "Eluate 1", "Eluate 2", "Strip"],
        [2.0, 0.05, 0.02, 9.0, 1.0, 0.5],
        [10.0, 10.0, 2.0, 2.0, 1.0, 0.5],
    )
    # load 20 g; eluates 18 + 1 = 19 g → 95 %; + 0.5 + 0.04 + 0.25 = 19.79 g → 98.95 %
    assert res.step_yield == pytest.approx(95.0) and res.mass_balance == pytest.approx(98.95)
    with pytest.raises(InputError, match="Load"):
        mass_balance(["Eluate", "Strip"], [1.0, 1.0], [1.0, 1.0])


def test_dbc_against_residence_time() -> None:
    tau = np.array([1.0, 2.0, 3.0, 4.0, 6.0, 8.0])
    res = dbc_residence(tau, 60 * (1 - np.exp(-tau / 2)), at=4.0)
    assert (res.dbc_max, res.tau_c) == pytest.approx((60.0, 2.0))
    assert res.dbc_at_residence == pytest.approx(60 * (1 - math.exp(-2)))  # 51.880 g/L
    rng = np.random.default_rng(7)
    inside = 0
    for _ in range(400):
        fit = dbc_residence(tau, 60 * (1 - np.exp(-tau / 2)) + rng.normal(0, 1, 6), at=4.0)
        inside += fit.dbc_max_ci_low <= 60 <= fit.dbc_max_ci_high
    assert 0.91 <= inside / 400 <= 0.99  # asymptotic 95 % interval, 4 residual df
    with pytest.raises(InputError, match="3 different"):
        dbc_residence([1, 1, 2], [1, 2, 3], at=1)


def test_resin_lifetime_to_a_stated_drop_with_fieller_interval() -> None:
    c = np.arange(1.0, 11.0)
    res = resin_cycles(c, dbc=50 - 0.2 * c, step_yield=95 - 0.5 * c, drop=0.10)
    assert res.dbc_cycles_to_drop == pytest.approx(25.9)  # 1 + 0.1·49.8/0.2
    assert res.yield_cycles_to_drop == pytest.approx(19.9)  # 1 + 0.1·94.5/0.5
    assert res.dbc_decline_per_cycle == pytest.approx(0.2 / 49.8 * 100)
    rng = np.random.default_rng(11)
    c = np.arange(1.0, 21.0)
    true = 1 + 0.1 * 49.8 / 0.2
    inside = sum(
        (
            r := resin_cycles(c, dbc=50 - 0.2 * c + rng.normal(0, 0.3, c.size))
        ).dbc_cycles_to_drop_ci_low
        <= true
        <= r.dbc_cycles_to_drop_ci_high
        for _ in range(400)
    )
    assert 0.92 <= inside / 400 <= 0.98  # Fieller's interval is exact under normal errors
    flat = resin_cycles(c, dbc=50 + rng.normal(0, 0.3, c.size))
    assert math.isnan(flat.dbc_cycles_to_drop_ci_high)


def test_tff_and_resin_cli(tmp_path, capsys) -> None:
    flux = tmp_path / "flux.csv"
    rows = "\n".join(f"{p + 0.3:g},{p - 0.3:g},{80 * (1 - math.exp(-1.25 * p)):.6f}" for p in TMP)
    flux.write_text("Feed pressure [bar],Retentate pressure [bar],Flux [LMH]\n" + rows)
    assert main(["tff", str(flux), "--json"]) == 0
    assert '"limiting_flux": 80.0' in capsys.readouterr().out
    rt = tmp_path / "rt.csv"
    tau = [1, 2, 3, 4, 6, 8]
    rt.write_text(
        "Residence time [s],DBC [g/L]\n"
        + "\n".join(f"{60 * t},{60 * (1 - math.exp(-t / 2)):.8f}" for t in tau)
    )
    assert main(["resin", str(rt), "--residence-time", "240 s", "--json"]) == 0
    assert '"dbc_at_residence": 51.87' in capsys.readouterr().out
    assert main(["resin", str(rt)]) == 2


@pytest.mark.parametrize(
    "key", ["tff_flux", "tff_sieving", "mass_balance", "clearance", "dbc_residence", "resin_cycles"]
)
def test_layout_templates_parse_and_yield_their_kpis(key: str) -> None:
    from bioproof.evaluations import layouts

    layout = layouts.get(key)
    frame = layout.parse(layouts.excel_template(layout), f"{key}.xlsx")
    kpis = layout.kpis(frame, {"residence_time": 4.0, "dbc_limit": 45.0, "yield_limit": 92.0})
    assert set(kpis) - {"caveats"} == set(layout.produces), key
