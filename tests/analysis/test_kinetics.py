"""Kinetics against hand-computed values, fed-batch balances and invariants."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from bioproof.analysis.errors import InputError
from bioproof.analysis.kinetics import culture_kinetics, kinetics_batch

DAY = 24.0


def frame(**columns: list[float]) -> pd.DataFrame:
    return pd.DataFrame({k: np.asarray(v, dtype=float) for k, v in columns.items()})


def doubling_run() -> pd.DataFrame:
    """VCD doubles daily: 0.5, 1, 2, 4 (1e6 cells/mL) on days 0–3; titer = 25 pg/cell/d × IVCD."""
    ivcd = [0.0, 0.75, 2.25, 5.25]  # 1e6 cells·d/mL: (0.5+1)/2, +(1+2)/2, +(2+4)/2
    return frame(
        time=[0, 24, 48, 72],
        vcd=[0.5e6, 1e6, 2e6, 4e6],
        viability=[98, 97, 96, 95],
        glucose=[6.0, 5.5, 5.0, 4.0],
        lactate=[0.2, 0.5, 0.9, 1.4],
        titer=[25 * x / 1000 for x in ivcd],  # 25 pg/cell/d × 1e6 cells·d/mL = 25 mg/L
    )


def test_batch_run_hand_computed() -> None:
    k = culture_kinetics(doubling_run())
    assert k.mu_exp == pytest.approx(math.log(2))  # ln(1/0.5)/1 d every interval
    assert k.doubling_time == pytest.approx(24.0)  # 24·ln2/ln2
    assert k.exp_phase_points == 4 and (k.exp_phase_start, k.exp_phase_end) == (0, 3)
    assert k.ivcd_final == pytest.approx(5.25)
    assert k.ivcd == pytest.approx((0, 0.75, 2.25, 5.25))
    assert k.peak_vcd == 4.0 and k.peak_day == 3.0
    assert k.qp == pytest.approx(25.0)
    assert k.final_titer == pytest.approx(0.13125)  # 25 × 5.25 mg/L
    assert k.volumetric_productivity == pytest.approx(0.13125 / 3)
    assert k.culture_duration == 3.0  # viability never below 80 %
    # glucose: 2.0 g/L used over 5.25e6 cells·d/mL: 2e-3 g/mL / 5.25e6 = 3.8095e-10 g/(cell·d)
    # / 180.156 g/mol = 2.1146 pmol/(cell·d)
    assert k.qs_glucose == pytest.approx(2e-3 / 5.25e6 / 180.156 * 1e12)
    assert k.qp_lactate == pytest.approx(1.2e-3 / 5.25e6 / 90.078 * 1e12)
    # Ylac/glc = (1.2/90.078)/(2.0/180.156) = 1.2000 mol/mol
    assert k.yield_lac_glucose == pytest.approx(1.2 / 90.078 / (2.0 / 180.156))
    # Yx/s: 3.5e9 cells/L formed / 11.1015 mmol/L glucose = 0.31527e9 cells/mmol
    assert k.yield_x_glucose == pytest.approx(3.5 / (2.0 / 180.156 * 1e3))
    assert k.yield_p_glucose == pytest.approx(0.13125 / 2.0)
    assert math.isnan(k.qs_glutamine) and k.to_dict()["qs_glutamine"] is None
    assert k.caveats == ()


def test_to_dict_is_json_and_has_the_contract_keys() -> None:
    d = culture_kinetics(doubling_run()).to_dict()
    json.dumps(d, allow_nan=False)
    for key in (
        "mu_exp",
        "doubling_time",
        "ivcd_final",
        "peak_vcd",
        "peak_day",
        "qp",
        "final_titer",
        "volumetric_productivity",
        "culture_duration",
    ):
        assert isinstance(d[key], float), key


def test_culture_duration_interpolates_the_viability_crossing() -> None:
    run = frame(time=[0, 24, 48], vcd=[1e6, 2e6, 1e6], viability=[99, 90, 70], titer=[0, 0.1, 0.2])
    # 90 % at day 1, 70 % at day 2: 80 % at 1 + (90 − 80)/(90 − 70) = 1.5 d
    assert culture_kinetics(run).culture_duration == pytest.approx(1.5)
    assert culture_kinetics(run, viability_limit=60).culture_duration == 2.0


def test_exponential_phase_stops_where_growth_slows() -> None:
    # intervals: ln2, ln2, ln2, ln(1.2), −ln2: phase = first three intervals (days 0–3)
    run = frame(
        time=[0, 24, 48, 72, 96, 120],
        vcd=[1e6, 2e6, 4e6, 8e6, 9.6e6, 4.8e6],
        viability=[99, 99, 98, 97, 95, 85],
        titer=[0, 0.1, 0.2, 0.3, 0.4, 0.5],
    )
    k = culture_kinetics(run)
    assert (k.exp_phase_start, k.exp_phase_end, k.exp_phase_points) == (0, 3, 4)
    assert k.mu_exp == pytest.approx(math.log(2))
    assert k.mu_max_interval == pytest.approx(math.log(2))
    assert k.mu_interval == pytest.approx(
        (math.log(2), math.log(2), math.log(2), math.log(1.2), -math.log(2))
    )


def fed_batch() -> tuple[pd.DataFrame, float]:
    """μ = 0.5/d with 0.05 L samples and 0.1 L feed (100 g/L glucose) after days 1 and 2.

    Total cells: 1e6/mL × (1.0 − 0.05) L start day 0 → × e^0.5 by day 1 in 0.95 L, etc.
    Glucose: 1.0 g consumed per interval.
    """
    v = [1.0, 0.95, 1.0, 1.05]  # V_{i+1} = V_i − 0.05 + feed_i
    feed = [0.0, 0.1, 0.1, 0.0]
    cells_after = 1.0 * (1.0 - 0.05)  # 1e6 cells/mL × L
    x, glc_mass = [1.0], [5.0 * 1.0]
    for i in range(3):
        cells = cells_after * math.exp(0.5)
        x.append(cells / v[i + 1])
        cells_after = x[-1] * (v[i + 1] - 0.05)
        s_prev = glc_mass[-1] / v[i]
        mass = glc_mass[-1] - 0.05 * s_prev + feed[i] * 100.0 - 1.0
        glc_mass.append(mass)
    glucose = [m / vol for m, vol in zip(glc_mass, v, strict=True)]
    run = frame(
        time=[0, 24, 48, 72],
        vcd=[xi * 1e6 for xi in x],
        viability=[98, 98, 97, 96],
        glucose=glucose,
        titer=[0, 0.1, 0.2, 0.3],
        volume=[1.0, np.nan, np.nan, np.nan],
        feed_volume=feed,
        sample_volume=[0.05] * 4,
    )
    return run, 3.0


def test_fed_batch_growth_rate_and_consumption_account_for_feeds_and_samples() -> None:
    run, used = fed_batch()
    k = culture_kinetics(run, feed_concentration={"glucose": 100.0})
    assert k.mu_interval == pytest.approx((0.5, 0.5, 0.5))
    assert k.mu_exp == pytest.approx(0.5)
    cells = np.array(run["vcd"]) / 1e6
    v = np.array([1.0, 0.95, 1.0, 1.05])
    start = cells[:-1] * (v[:-1] - 0.05)
    end = cells[1:] * v[1:]
    total_ivc = ((start + end) / 2).sum()  # Δt = 1 d
    assert k.qs_glucose == pytest.approx(used / total_ivc / 180.156 * 1e3)
    assert not any("glucose rose" in c for c in k.caveats)
    # ignoring the feed's glucose understates consumption and says so
    naive = culture_kinetics(run)
    assert naive.qs_glucose < k.qs_glucose
    assert any("glucose rose" in c for c in naive.caveats)


def test_feed_volumes_without_culture_volume_are_an_input_error() -> None:
    run, _ = fed_batch()
    with pytest.raises(InputError, match="add a 'volume' column"):
        culture_kinetics(run.drop(columns="volume"))


def test_frame_errors_name_the_row_and_column() -> None:
    run = doubling_run()
    run.loc[2, "vcd"] = np.nan
    with pytest.raises(InputError) as info:
        culture_kinetics(run)
    assert (info.value.row, info.value.column) == (4, "vcd")
    run = doubling_run()
    run.loc[3, "time"] = 30.0
    with pytest.raises(InputError, match="times out of order"):
        culture_kinetics(run)
    with pytest.raises(InputError, match="missing column 'titer'"):
        culture_kinetics(doubling_run().drop(columns="titer"))


def test_batch_rows_equal_single_runs_and_padding_is_ignored() -> None:
    a = doubling_run()
    b = fed_batch()[0].drop(columns=["volume", "feed_volume", "sample_volume"]).iloc[:3]
    t = np.full((2, 4), np.nan)
    t[0], t[1, :3] = a["time"], b["time"]

    def stack(col: str) -> np.ndarray:
        out = np.full((2, 4), np.nan)
        out[0], out[1, :3] = a[col], b[col]
        return out

    batch = kinetics_batch(
        t, stack("vcd"), stack("viability"), stack("titer"), glucose=stack("glucose")
    )
    for i, run in enumerate((a, b)):
        single = culture_kinetics(run.drop(columns=[c for c in ("lactate",) if c in run]))
        assert batch.row(i).to_dict() == single.to_dict()
    with pytest.raises(InputError, match="padded with NaN at the end"):
        kinetics_batch([[0, np.nan, 48]], [[1, 1, 1]], [[90, 90, 90]], [[0, 0, 0]])


growth = st.lists(st.floats(0.05, 1.2), min_size=3, max_size=10)


@settings(max_examples=60, deadline=None)
@given(rates=growth, scale=st.floats(0.1, 10))
@example(rates=[1.0, 1.0, 1.0, 0.5, 0.75, 1.0], scale=2.2382754317417435)  # tied fastest intervals
def test_scaling_time_scales_mu_inversely(rates: list[float], scale: float) -> None:
    t = np.arange(len(rates) + 1) * DAY
    x = 1e6 * np.exp(np.concatenate([[0], np.cumsum(rates)]))
    run = frame(time=t, vcd=x, viability=np.full(t.size, 95), titer=np.linspace(0, 1, t.size))
    slow = run.assign(time=t * scale)
    a, b = culture_kinetics(run), culture_kinetics(slow)
    assert b.mu_exp == pytest.approx(a.mu_exp / scale, rel=1e-9)
    assert b.doubling_time == pytest.approx(a.doubling_time * scale, rel=1e-9)
    assert b.ivcd_final == pytest.approx(a.ivcd_final * scale, rel=1e-9)


@settings(max_examples=60, deadline=None)
@given(
    vcd=st.floats(1e4, 1e8),
    times=st.lists(st.floats(0.5, 100), min_size=1, max_size=12),
)
def test_ivcd_of_a_constant_culture_is_vcd_times_time(vcd: float, times: list[float]) -> None:
    t = np.concatenate([[0.0], np.cumsum(times)])
    run = frame(time=t, vcd=np.full(t.size, vcd), viability=np.full(t.size, 90), titer=t * 0)
    k = culture_kinetics(run)
    assert k.ivcd_final == pytest.approx(vcd / 1e6 * t[-1] / DAY, rel=1e-9)
    assert k.mu_interval == pytest.approx(tuple(np.zeros(t.size - 1)), abs=1e-12)
    assert math.isnan(k.mu_exp) and k.to_dict()["doubling_time"] is None


def test_glutamine_and_ammonia_rates_in_mmol() -> None:
    run = doubling_run().assign(glutamine=[4.0, 3.5, 2.5, 1.0], ammonia=[0.5, 1.0, 2.0, 3.5])
    k = culture_kinetics(run)
    # 3.0 mmol/L over 5.25e6 cells·d/mL: 3e-6 mol/mL / 5.25e6 = 0.5714 pmol/(cell·d)
    assert k.qs_glutamine == pytest.approx(3.0 / 5.25)
    assert k.qp_ammonia == pytest.approx(3.0 / 5.25)
