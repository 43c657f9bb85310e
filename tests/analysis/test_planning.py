"""Runs per arm shown while a protocol is drafted (issue 12: sample-size planning)."""

from __future__ import annotations

import math

import pytest

from bioproof.analysis.comparability import tost_power, tost_sample_size
from bioproof.analysis.planning import criterion_plan, pooled_power


def test_plans_match_the_published_and_the_welch_numbers() -> None:
    # Δ/σ = 1, α 0.05, 80 %: 18 per arm for equivalence (Chow, Shao & Wang 2008 §3.2)
    eq = criterion_plan("equivalence", 0.10, relative=True)  # 10 % margin at an assumed CV 10 %
    assert (eq.runs_per_arm, eq.sd_source, eq.margin_over_sd) == (18, "assumed_cv", 1.0)
    assert eq.runs_per_arm == tost_sample_size(sd=1.0, margin=1.0).runs_per_arm
    # one-sided: normal approximation 2(z_0.95 + z_0.8)² = 12.4 → 13; the t test needs 14
    ni = criterion_plan("non_inferiority", 0.10, relative=True)
    assert ni.runs_per_arm == 14
    assert pooled_power(1.0, 14, one_sided=True) >= 0.8 > pooled_power(1.0, 13, one_sided=True)
    # the pooled computation agrees with the Welch quadrature for equal arms within 0.01
    for n in (4, 8, 16):
        assert pooled_power(1.0, n) == pytest.approx(tost_power(1, 1, n, n, -1, 1), abs=0.01)
    tier1 = criterion_plan("tier1_equivalence", 1.5, relative=False)
    assert (
        tier1.sd_source == "tier1"
        and tier1.runs_per_arm == criterion_plan("equivalence", 0.15, relative=True).runs_per_arm
    )
    ref = criterion_plan("equivalence", 0.5, relative=False, reference=[10.0, 10.5, 9.5])
    assert ref.sd_source == "reference" and ref.runs_per_arm == 18  # SD 0.5, margin 0.5
    assert criterion_plan("equivalence", 0.5, relative=False).runs_per_arm is None
    assert criterion_plan("maximum", 1.0, relative=False).sd_source == "none"
    tiny = criterion_plan("equivalence", 0.01, relative=True)
    assert tiny.runs_per_arm is None and math.isclose(tiny.margin_over_sd, 0.1)


def test_protocol_page_shows_runs_per_arm(client, people, requested) -> None:
    from bioproof.evaluations import actions

    actions.accept(by=people["evaluator"], evaluation=requested)
    client.force_login(people["evaluator"])
    page = client.get(f"/evaluations/{requested.code}/", HTTP_ACCEPT_LANGUAGE="en")
    text = page.content.decode()
    assert page.status_code == 200
    # media-fed-batch: titer and qP non-inferior by 10 % → 14 per arm at an assumed CV of 10 %
    assert "14 per arm for 80 % power (margin 1 SD; assumed CV 10 % of the reference mean" in text
    # peak VCD by 15 % → margin 1.5 SD
    assert "per arm for 80 % power (margin 1.5 SD" in text
    client.force_login(people["a_staff"])  # not the center: no planning column
    assert "per arm for 80 %" not in client.get(f"/evaluations/{requested.code}/").content.decode()
