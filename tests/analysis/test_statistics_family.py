"""Statistics family: one-sided and nonparametric tolerance intervals, FDA tier-1 margin,
Fieller ratio equivalence and sample-size planning, against published or hand-worked values."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from bioproof.analysis.comparability import (
    nonparametric_tolerance,
    one_sided_tolerance,
    ratio_equivalence,
    tiered_equivalence,
    tost,
    tost_power,
    tost_sample_size,
)
from bioproof.analysis.errors import InputError


def test_one_sided_tolerance_factor_matches_the_nist_table() -> None:
    # NIST/SEMATECH e-Handbook 7.2.6.3: n = 10, p = 0.90, γ = 0.95 → k = 2.355
    x = np.arange(10.0)
    res = one_sided_tolerance(x, coverage=0.90, confidence=0.95)
    assert res.k == pytest.approx(2.355, abs=5e-4)
    assert res.bound == pytest.approx(4.5 - res.k * x.std(ddof=1))
    upper = one_sided_tolerance(x, side="upper", coverage=0.90, confidence=0.95)
    assert upper.bound == pytest.approx(4.5 + res.k * x.std(ddof=1))


def test_nonparametric_tolerance_needs_59_one_sided_and_93_two_sided() -> None:
    # Wilks: 1 − 0.95^59 = 0.9515 ≥ 0.95 > 1 − 0.95^58; two-sided 1 − 93·0.95^92 + 92·0.95^93
    assert nonparametric_tolerance(np.arange(59.0), side="lower").n_required == 59
    two = nonparametric_tolerance(np.arange(93.0))
    assert two.n_required == 93 and two.sufficient
    assert (two.low, two.high) == (0.0, 92.0)
    small = nonparametric_tolerance(np.arange(20.0))
    assert not small.sufficient and small.confidence == pytest.approx(
        1 - 20 * 0.95**19 + 19 * 0.95**20
    )
    assert "93 are needed" in small.caveats[0]


def test_tier1_margin_is_one_and_a_half_reference_sds() -> None:
    ref = [100.0, 102.0, 98.0, 101.0, 99.0, 100.0, 103.0, 97.0, 100.0, 100.0]
    cand = [100.5, 101.0, 99.5, 100.0, 101.5, 100.0]
    res = tiered_equivalence(cand, ref)
    sd_r = np.std(ref, ddof=1)  # = √(28/9) = 1.7638
    assert res.upper_margin == pytest.approx(1.5 * sd_r) and res.lower_margin == -res.upper_margin
    same = tost(cand, ref, margin=1.5 * sd_r, relative=False)
    assert (res.ci_low, res.ci_high, res.equivalent) == (same.ci_low, same.ci_high, True)
    assert res.method.startswith("FDA tier 1")


def test_fieller_interval_solves_the_quadratic() -> None:
    c, r = [10.0, 11.0, 12.0], [10.0, 10.5, 11.5]
    res = ratio_equivalence(c, r)
    mc, mr = 11.0, 32 / 3
    vc, vr = 1 / 3, (7 / 6) / 2 / 3  # s_c² = 1, s_r² = 0.58333
    rho = mc / mr
    df = (vc + rho**2 * vr) ** 2 / (vc**2 / 2 + (rho**2 * vr) ** 2 / 2)
    t = stats.t.ppf(0.95, df)
    # (mc − ρ·mr)² − t²(vc + ρ²vr) = 0 → (mr² − t²vr)ρ² − 2·mc·mr·ρ + (mc² − t²vc) = 0
    roots = np.sort(np.roots([mr * mr - t * t * vr, -2 * mc * mr, mc * mc - t * t * vc]))
    assert (res.ci_low, res.ci_high) == pytest.approx(tuple(roots))
    assert res.ratio == pytest.approx(1.03125) and res.equivalent
    with pytest.raises(InputError, match="0 < low < 1 < high"):
        ratio_equivalence(c, r, low=1.1)


def test_fieller_interval_covers_the_true_ratio_at_the_stated_rate() -> None:
    rng = np.random.default_rng(5)
    hits = 0
    for _ in range(400):
        res = ratio_equivalence(rng.normal(12, 1, 6), rng.normal(10, 1, 6))
        hits += res.ci_low < 1.2 < res.ci_high
    assert hits / 400 == pytest.approx(0.90, abs=0.04)  # (1 − 2α) = 90 % interval


def test_sample_size_for_80_percent_power() -> None:
    # Δ/σ = 1, α = 0.05: normal approximation 2(1.645 + 1.282)²/1 = 17.1 → 18 per arm
    plan = tost_sample_size(sd=1.0, margin=1.0)
    assert plan.runs_per_arm == 18 and plan.power >= 0.8
    assert tost_power(1.0, 1.0, 17, 17, -1.0, 1.0) < 0.8
    with pytest.raises(InputError, match="inside the margin"):
        tost_sample_size(sd=1.0, margin=1.0, difference=1.0)


def test_cli_compare_tier1_and_ratio_and_plan(tmp_path, capsys) -> None:
    import json

    from test_cli import run_file

    from bioproof.analysis.cli import main

    cand = [str(run_file(tmp_path, f"c{i}.csv", 25 + i * 0.2, i)) for i in range(3)]
    ref = [str(run_file(tmp_path, f"r{i}.csv", 25 - i * 0.2, 10 + i)) for i in range(3)]
    base = ["compare", "--candidate", *cand, "--reference", *ref, "--kpi", "qp"]
    assert main([*base, "--test", "ratio", "--margin", "20%", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)["result"]
    assert (doc["low"], doc["high"]) == (0.8, 1.25) and doc["ci_low"] < doc["ratio"]
    assert main([*base, "--test", "tier1"]) == 0
    assert "margins" in capsys.readouterr().out
    assert main(["plan", "--sd", "1", "--margin", "1", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["runs_per_arm"] == 18
    assert main(["plan", "--sd", "1", "--margin", "1", "--difference", "2"]) == 2
