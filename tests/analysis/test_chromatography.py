"""Breakthrough DBC, step yield and resin lifetime."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bioproof.analysis.chromatography import breakthrough, resin_lifetime, step_yield
from bioproof.analysis.errors import InputError

V = np.arange(0.0, 61.0)  # mL loaded
RATIO = np.clip((V - 20) / 20, 0, 1)  # ramp from 20 mL to 40 mL


def test_dbc_and_saturation_capacity_hand_computed() -> None:
    res = breakthrough(V, 2.0 * RATIO, feed_concentration=2.0, column_volume=5.0, holdup=2.0)
    # 10 % at V = 20 + 0.1·20 = 22 mL; DBC = 2 g/L × (22 − 2) mL / 5 mL = 8 g/L
    assert res.breakthrough_volume == pytest.approx(22.0)
    assert res.dbc == pytest.approx(8.0)
    assert res.level == 10.0
    # 50 %: 30 mL → 2 × 28 / 5 = 11.2; 5 %: 21 mL → 7.6
    assert res.dbc_by_level == pytest.approx({"5": 7.6, "10": 8.0, "50": 11.2})
    # ∫(1 − C/C0) dV = 20 + 20/2 = 30 mL → 2 × (30 − 2) / 5 = 11.2 g/L
    assert res.saturation_capacity == pytest.approx(11.2)


def test_breakthrough_not_reached_gives_a_lower_bound() -> None:
    res = breakthrough(V[:21], np.zeros(21), feed_concentration=2.0, column_volume=5.0)
    assert np.isnan(res.dbc) and "DBC ≥ 8" in res.caveats[0]


@settings(max_examples=50, deadline=None)
@given(shift=st.floats(0, 50), level=st.floats(0.01, 0.9))
def test_dbc_invariant_to_holdup_when_corrected(shift: float, level: float) -> None:
    base = breakthrough(V, RATIO, feed_concentration=1.0, column_volume=5.0, level=level)
    moved = breakthrough(
        V + shift, RATIO, feed_concentration=1.0, column_volume=5.0, holdup=shift, level=level
    )
    assert moved.dbc == pytest.approx(base.dbc, abs=1e-9)


def test_step_yield_and_mass_balance() -> None:
    res = step_yield(
        10.0, 1.0, 4.0, 2.25, fractions={"flow-through": (0.2, 1.0), "strip": (1, 0.5)}
    )
    # loaded 10 g; eluate 9 g → 90 %; balance (9 + 0.2 + 0.5)/10 = 97 %
    assert res.step_yield == pytest.approx(90.0)
    assert res.mass_balance == pytest.approx(97.0)
    assert res.caveats == ()
    low = step_yield(10.0, 1.0, 4.0, 2.0, fractions={"strip": (0.1, 1.0)})
    assert any("outside 90–110" in c for c in low.caveats)


def test_resin_lifetime_trend_and_limit_crossing() -> None:
    cycles = np.arange(1, 51)
    dbc = 50 - 0.1 * cycles  # exact line
    res = resin_lifetime(cycles, dbc=dbc, dbc_limit=46.0)
    assert res.dbc_slope == pytest.approx(-0.1)
    # line meets 46 at (46 − 50)/(−0.1) = 40; first observed below 46 is cycle 41
    assert res.dbc_limit_cycle_predicted == pytest.approx(40.0)
    assert res.dbc_limit_cycle == 41
    assert np.isnan(res.yield_slope)
    flat = resin_lifetime([1, 2, 3, 4], step_yield=[90, 91, 90, 91], yield_limit=80)
    assert np.isnan(flat.yield_limit_cycle) and np.isnan(flat.yield_limit_cycle_predicted)
    assert any("no significant trend" in c for c in flat.caveats)
    with pytest.raises(InputError, match="DBC or step yield"):
        resin_lifetime([1, 2, 3])
