"""Issue 12 defects 6, 7 and 9: simulation tests against independently computed values."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from bioproof.analysis.comparability import tost, tost_power
from bioproof.analysis.kinetics import kinetics_batch
from bioproof.analysis.profiles import profile_comparison
from bioproof.analysis.stats import line_fit


# --- 7. μ_exp on noisy exponential runs -----------------------------------------------------
def test_mu_exp_on_5_percent_noise_exponential_runs_matches_a_plain_log_linear_fit() -> None:
    rng = np.random.default_rng(7)
    runs, days = 2000, np.arange(8.0)
    x = 0.3e6 * np.exp(0.6 * days) * (1 + rng.normal(0, 0.05, (runs, days.size)))
    res = kinetics_batch(
        np.broadcast_to(days * 24, x.shape), x, np.full(x.shape, 98.0), np.zeros(x.shape)
    )
    plain = line_fit(days, np.log(x))  # the whole run is exponential: the best estimate
    assert np.mean(res.mu_exp) == pytest.approx(0.6, abs=0.002)  # bias < 0.3 %
    assert np.std(res.mu_exp) < 1.1 * np.std(plain.slope)
    assert np.mean(res.exp_phase_points < days.size) < 0.03  # the phase is rarely truncated


def test_mu_exp_still_stops_at_a_lag_and_a_slowdown() -> None:
    # interval rates 0.1, 0.7, 0.7, 0.7, 0.7, 0.2 /d: the phase is days 1–5
    rates = np.array([0.1, 0.7, 0.7, 0.7, 0.7, 0.2])
    x = 1e6 * np.exp(np.concatenate([[0.0], np.cumsum(rates)]))
    days = np.arange(7.0)
    res = kinetics_batch(days * 24, x, np.full(7, 98.0), np.zeros(7)).row(0)
    assert (res.exp_phase_start, res.exp_phase_end) == (1.0, 5.0)
    assert res.mu_exp == pytest.approx(0.7)


# --- 9. TOST power ----------------------------------------------------------------------------
def _simulated_power(sd_c, sd_r, n_c, n_r, low, high, alpha=0.05, draws=400_000) -> float:
    rng = np.random.default_rng(0)
    c = rng.normal(0, sd_c, (draws, n_c))
    r = rng.normal(0, sd_r, (draws, n_r))
    vc, vr = c.var(axis=1, ddof=1) / n_c, r.var(axis=1, ddof=1) / n_r
    se = np.sqrt(vc + vr)
    df = (vc + vr) ** 2 / (vc**2 / (n_c - 1) + vr**2 / (n_r - 1))
    t = stats.t.ppf(1 - alpha, df)
    d = c.mean(axis=1) - r.mean(axis=1)
    return float(((d - t * se > low) & (d + t * se < high)).mean())


@pytest.mark.parametrize(
    ("sd_c", "sd_r", "n_c", "n_r", "margin"),
    [(1.0, 1.0, 3, 6, 1.5), (1.0, 2.0, 3, 8, 2.0), (0.5, 1.0, 3, 10, 1.2), (1.0, 1.0, 5, 5, 1.5)],
)
def test_tost_power_matches_400000_simulated_studies(sd_c, sd_r, n_c, n_r, margin) -> None:
    exact = tost_power(sd_c, sd_r, n_c, n_r, -margin, margin)
    # Monte Carlo SE ≤ 0.0008; quadrature error < 0.002
    assert exact == pytest.approx(
        _simulated_power(sd_c, sd_r, n_c, n_r, -margin, margin), abs=0.003
    )


def test_tost_reports_the_exact_power_not_the_plug_in_shortcut() -> None:
    # arms of 3 and 6 with SD 1 (exactly: values ±1 about their means), margin ±1.5
    cand = [9.0, 10.0, 11.0]
    ref = [8.5, 9.5, 10.0, 10.0, 10.5, 11.5]  # SD² = (2·1.5² + 2·0.5²)/5 = 1
    res = tost(cand, ref, margin=1.5, relative=False)
    assert res.sd_candidate == pytest.approx(1.0) and res.sd_reference == pytest.approx(1.0)
    # the shortcut F_t(U/se − t) − F_t(L/se + t) gives 0.002; the true power is 0.265
    assert res.power == pytest.approx(0.265, abs=0.005)


# --- 6. profile comparison false-alarm rate ---------------------------------------------------
def _process(rng: np.random.Generator, runs: int) -> np.ndarray:
    """Runs of one process: 2 latent factors (level, growth rate) + noise, 2 variables × 15 d."""
    t = np.linspace(0, 14, 15)
    level = rng.normal(0, 1, (runs, 1))
    rate = rng.normal(0, 1, (runs, 1))
    vcd = 10 + 1.0 * level + 0.3 * rate * t + rng.normal(0, 0.4, (runs, t.size))
    titer = 2 + 0.1 * level * t / 14 + 0.15 * rate + rng.normal(0, 0.05, (runs, t.size))
    return np.stack([vcd, titer], axis=1)


@pytest.mark.slow
def test_same_process_candidates_are_flagged_at_about_alpha() -> None:
    rng = np.random.default_rng(12)
    trials, alarms_model, alarms_env = 600, 0, 0
    for _ in range(trials):
        profiles = _process(rng, 11)
        res = profile_comparison(profiles[:1], profiles[1:], alpha=0.05)
        alarms_model += not res.within_model[0]
        alarms_env += not res.within_envelope[0]
    # stated: the model alarms at α = 0.05 ± 0.03 for a same-process run, the envelope at
    # most α (binomial SE at 600 trials is 0.009); the in-sample SPE limit gave ≈ 0.58 here
    assert alarms_model / trials == pytest.approx(0.05, abs=0.03)
    assert alarms_env / trials <= 0.05 + 0.01
