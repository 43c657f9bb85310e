"""Issue 12 defect 10: KPI direction, default criteria and plain-language verdicts."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.utils import translation

from bioproof.analysis.comparability import non_inferiority, tost
from bioproof.analysis.kpis import KPIS
from bioproof.evaluations import criteria, methods
from bioproof.evaluations.reporting import criterion_text


def test_every_kpi_declares_a_direction_and_defaults_follow_it() -> None:
    assert {k.better for k in KPIS.values()} <= {"higher", "lower", "target"}
    assert KPIS["final_titer"].better == "higher" and KPIS["mixing_time"].better == "lower"
    assert criteria.default_criterion("final_titer", 0.1)["comparison"] == "non_inferiority"
    assert criteria.default_criterion("mixing_time", 0.2)["higher_is_better"] is False
    assert criteria.default_criterion("rq_cumulative", 0.1)["comparison"] == "equivalence"
    for template in methods.TEMPLATES:
        for c in template["default_criteria"]:
            if c["comparison"] in ("equivalence", "non_inferiority"):
                better = KPIS[c["kpi"]].better
                assert c["comparison"] == KPIS[c["kpi"]].default_comparison, c
                if better != "target":
                    assert c["higher_is_better"] == (better == "higher"), c
    cleaned = criteria.clean(
        {"kpi": "flux_decay", "comparison": "non_inferiority", "value": 0.1}, source="request"
    )
    assert cleaned["higher_is_better"] is False  # the direction comes from the KPI


def _criterion(comparison: str, result, passed: bool, *, unit: str = "g/L", alpha=0.05):
    return SimpleNamespace(
        comparison=comparison,
        result=result.to_dict() if hasattr(result, "to_dict") else result,
        passed=passed,
        unit=unit,
        alpha=alpha,
        value=0.11,
        relative=False,
        higher_is_better=True,
    )


def test_equivalence_failure_names_the_bound_the_margin_and_the_side() -> None:
    # candidate mean 1.10, reference mean 1.00: d = 0.10, se = √(2·0.01/3) = 0.08165,
    # df = 4, t_0.95,4 = 2.1318 → upper bound 0.10 + 0.1741 = 0.274 > +0.11
    res = tost([1.0, 1.1, 1.2], [0.9, 1.0, 1.1], margin=0.11, relative=False)
    assert res.outside == "upper" and res.candidate_side == "higher"
    assert res.ci_high == pytest.approx(0.10 + 2.1318 * 0.08165, abs=1e-3)
    c = _criterion("equivalence", res, False)
    with translation.override("en"):
        text = criteria.explain(c)
    assert text == (
        "The 90 % CI upper bound 0.274 g/L exceeds the +0.11 g/L margin: not shown "
        "equivalent; the candidate is higher."
    )
    with translation.override("ko"):
        ko = criteria.explain(c)
    assert "0.274" in ko and "+0.11" in ko and ko != text
    _comparison, result = criterion_text(c, "en")
    assert result.endswith(text)  # the page and the report show the sentence


def test_non_inferiority_and_limit_sentences() -> None:
    res = non_inferiority([1.0, 1.1, 1.2], [0.9, 1.0, 1.1], margin=0.11, relative=False)
    c = _criterion("non_inferiority", res, bool(res.non_inferior))
    with translation.override("en"):
        text = criteria.explain(c)
    # lower bound 0.10 − 0.1741 = −0.0741 > −0.11: non-inferior
    assert res.non_inferior and "−0.0741" not in text and "-0.0741" in text
    assert "above the -0.11 g/L margin: non-inferior (higher is better)" in text
    minimum = _criterion(
        "minimum",
        {"limit": 90.0, "min": 83.3, "max": 95.0, "n_candidate": 3, "failing_runs": 2},
        False,
        unit="%",
    )
    with translation.override("en"):
        assert criteria.explain(minimum) == (
            "2 of 3 candidate runs fall below the minimum 90 % (lowest 83.3 %)."
        )


def test_tier1_and_ratio_criteria_are_validated_judged_and_explained() -> None:
    tier = criteria.clean({"kpi": "final_titer", "comparison": "tier1_equivalence"}, source="x")
    assert tier["value"] == 1.5 and tier["relative"] is False
    with pytest.raises(Exception, match="between 0 and 1"):
        criteria.clean(
            {"kpi": "final_titer", "comparison": "ratio_equivalence", "value": 1.25}, source="x"
        )
    ref = [1.00, 1.02, 0.98, 1.01, 0.99, 1.00]
    cand = [1.00, 1.01, 0.99]
    c = SimpleNamespace(**tier, passed=None, result=None)
    c.result, c.passed = criteria.evaluate(c, cand, ref)
    sd_r = 0.0141421  # √(0.001/5)
    assert c.passed and c.result["upper_margin"] == pytest.approx(1.5 * sd_r, rel=1e-5)
    ratio = SimpleNamespace(
        **criteria.clean(
            {"kpi": "final_titer", "comparison": "ratio_equivalence", "value": 0.8}, source="x"
        ),
        passed=None,
        result=None,
    )
    ratio.result, ratio.passed = criteria.evaluate(ratio, cand, ref)
    assert ratio.passed and ratio.result["high"] == pytest.approx(1.25)
    with translation.override("en"):
        assert "Fieller CI of the ratio of means" in criteria.explain(ratio)
        assert criterion_text(ratio, "en")[0].startswith("ratio equivalence 0.8–1.25")
        assert "shown equivalent" in criteria.explain(c)
