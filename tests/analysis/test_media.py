"""Media and feeds: amino-acid rates by mass balance over several feeds, the death rate, and
product-quality attributes compared as quality ranges."""

from __future__ import annotations

import math

import numpy as np
import pytest

from bioproof.analysis.cli import main
from bioproof.analysis.errors import InputError
from bioproof.analysis.media import (
    amino_acid_rates,
    death_rate,
    quality_attributes,
    quality_range_row,
    quality_ranges,
    read_feeds,
    split_feeds,
)

T = np.array([0.0, 24.0, 48.0])
V = np.array([1.0, 1.1, 1.2])
X = np.full(3, 2e6)
# Gln consumed at 0.5 pmol/(cell·d): IVC 2.2 then 2.4 (1e9 cells·d) → 1.1 and 1.2 mmol
# feed A 0.1 L × 100 mM on day 0, feed B 0.1 L × 50 mM on day 1, no sampling
C1 = (4.0 + 10.0 - 1.1) / 1.1
C2 = (C1 * 1.1 + 5.0 - 1.2) / 1.2
FEEDS = {"A": ([0.1, 0.0, 0.0], {"gln": 100.0}), "B": ([0.0, 0.1, 0.0], {"gln": 50.0})}


def test_amino_acid_rate_balances_two_feeds_of_different_composition() -> None:
    res = amino_acid_rates(T, X, V, {"gln": [4.0, C1, C2]}, feeds=FEEDS)
    assert res.q_gln == pytest.approx(0.5)
    assert res.consumed["gln"] == pytest.approx((0.0, 1.1, 2.3))
    assert res.fed["gln"] == pytest.approx(15.0)  # 10 + 5 mmol
    assert math.isnan(res.q_ala)
    # ignoring the feeds, the same data would read as production: the balance matters
    blind = amino_acid_rates(T, X, V, {"gln": [4.0, C1, C2]})
    assert blind.q_gln < 0
    # sampling: 0.1 L taken at day 1 leaves V₂ = 1.1 + 0.1 − 0.1 = 1.1 L
    v_s = np.array([1.0, 1.1, 1.1])
    c2s = (C1 * (1.1 - 0.1) + 5.0 - 0.5 * 2.2) / 1.1  # IVC of interval 2: 2e9·1.1 L·1 d
    sampled = amino_acid_rates(T, X, v_s, {"gln": [4.0, C1, c2s]}, feeds=FEEDS)
    assert sampled.q_gln == pytest.approx(0.5)
    low = amino_acid_rates(T, X, V, {"gln": [4.0, C1, 0.05]}, feeds=FEEDS)
    assert low.depleted == ("gln",)
    with pytest.raises(InputError, match="unknown amino acid"):
        amino_acid_rates(T, X, V, {"xyz": [1, 2, 3]})


def test_death_rate_from_dead_cell_accumulation() -> None:
    # 2e6 viable/mL in 1 L, dead 0 → 0.2e6 → 0.4e6 per day: k_d = 0.2e9/2e9 = 0.1 /d
    res = death_rate(T, X, np.ones(3), dead=[0.0, 0.2e6, 0.4e6])
    assert res.death_rate == pytest.approx(0.1) and res.intervals == pytest.approx((0.1, 0.1))
    # the same as viability: X_d = X_v(100/via − 1) → via = 100·2/2.2 = 90.909 %
    via = death_rate(T, X, np.ones(3), viability=[100.0, 100 / 1.1, 100 / 1.2])
    assert via.death_rate == pytest.approx(0.1)
    # 0.1 L sampled at day 1 removes 0.02e9 dead cells, which still count as generated
    v = np.array([1.0, 1.0, 0.9])
    sampled = death_rate(T, X, v, dead=[0.0, 0.2e6, (0.4e9 - 0.02e9) / 0.9 / 1e3])
    ivc2 = 2e9 * 0.9
    assert sampled.intervals[1] == pytest.approx(0.2e9 / ivc2)
    lysis = death_rate(T, X, np.ones(3), dead=[0.0, 0.3e6, 0.2e6])
    assert "lysis" in lysis.caveats[0]


def test_quality_attributes_and_quality_ranges() -> None:
    pqa = quality_attributes({"pqa_aggregates": [1.2, 1.4], "pqa_main": [64.0, 66.0]})
    assert pqa.pqa_aggregates == pytest.approx(1.3) and pqa.replicates == 2
    ref = {"pqa_g0f": [40.0, 41.0, 42.0, 43.0, 44.0], "pqa_main": [60.0, 61.0, 62.0]}
    res = quality_ranges({"pqa_g0f": [40.0, 45.0, 47.0], "pqa_main": [61.0]}, ref, k=3)
    sd = np.std([40, 41, 42, 43, 44], ddof=1)  # 1.5811
    row = res.attributes["pqa_g0f"]
    assert (row["low"], row["high"]) == pytest.approx((42 - 3 * sd, 42 + 3 * sd))
    assert row["n_inside"] == 2 and not row["passed"]  # 47 > 46.74
    assert res.failing == ("pqa_g0f",) and not res.passed
    minmax = quality_ranges({"pqa_main": [60.5, 61.5]}, ref, method="minmax")
    assert minmax.passed and minmax.attributes["pqa_main"]["high"] == 62.0
    with pytest.raises(InputError, match="0–100"):
        quality_attributes({"pqa_g0f": [140.0]})


FEEDS_CSV = f"""Stream,Time [d],Volume [L],VCD [1e6 cells/mL],Viability [%],Gln [mM]
Culture,0,1.0,2,99,4
Feed A,0,0.1,,,100
Culture,1,1.1,2,95,{C1:.10f}
Feed B,1,0.1,,,50
Culture,2,1.2,2,90,{C2:.10f}
"""


def test_feeds_file_layout_and_cli(tmp_path, capsys) -> None:
    frame = read_feeds(FEEDS_CSV.encode(), filename="f.csv")
    samples, feeds, notes = split_feeds(frame)
    assert list(samples["time"]) == [0.0, 24.0, 48.0] and not notes
    assert feeds["Feed B"][0] == pytest.approx([0.0, 0.1, 0.0])
    from bioproof.evaluations import layouts

    kpis = layouts.get("fed_batch_feeds").kpis(frame, {})
    assert kpis["q_gln"] == pytest.approx(0.5)
    path = tmp_path / "f.csv"
    path.write_text(FEEDS_CSV)
    assert main(["media", str(path), "--json"]) == 0
    import json

    doc = json.loads(capsys.readouterr().out)["results"][0]
    assert doc["amino_acids"]["q_gln"] == pytest.approx(0.5, rel=1e-9)
    assert doc["death"]["death_rate"] > 0
    bad = FEEDS_CSV.replace("Culture,1,1.1,2,", "Culture,1,1.1,,")
    with pytest.raises(InputError, match="VCD"):
        read_feeds(bad.encode(), filename="b.csv")
    for name, text in (
        ("c.csv", "G0F [%]\n48\n"),
        ("r1.csv", "G0F [%]\n40\n"),
        ("r2.csv", "G0F [%]\n42\n"),
    ):
        (tmp_path / name).write_text(text)
    args = ["quality", "--candidate", str(tmp_path / "c.csv"), "--reference"]
    args += [str(tmp_path / "r1.csv"), str(tmp_path / "r2.csv"), "--minmax"]
    assert main(args) == 0
    assert "OUTSIDE: pqa_g0f" in capsys.readouterr().out


@pytest.mark.parametrize("key", ["fed_batch_feeds", "quality_attributes"])
def test_media_layout_templates_parse(key: str) -> None:
    from bioproof.evaluations import layouts

    layout = layouts.get(key)
    kpis = layout.kpis(layout.parse(layouts.excel_template(layout), f"{key}.xlsx"), {})
    assert set(kpis) - {"caveats"} <= set(layout.produces) and len(kpis) >= 5


def test_quality_range_row_hand_computed() -> None:
    # reference 12, 13, 14: x̄ = 13, s = 1 → x̄ ± 3 s = [10, 16]; 16.5 outside → 2/3 inside
    row = quality_range_row([11.0, 15.5, 16.5, float("nan")], [12.0, 13.0, 14.0], k=3)
    assert (row["low"], row["high"]) == pytest.approx((10.0, 16.0))
    assert (row["n_candidate"], row["n_inside"]) == (3, 2)
    assert row["fraction_inside"] == pytest.approx(2 / 3) and row["passed"] is False
    assert quality_range_row([11.0, 15.5, 16.5], [12, 13, 14], min_fraction=0.6)["passed"]
    mm = quality_range_row([12.0, 14.0], [12.0, 13.0, 14.0], method="minmax", min_fraction=1)
    assert (mm["low"], mm["high"], mm["n_inside"], mm["passed"]) == (12.0, 14.0, 2, True)
    # quality_ranges gives the same row for an attribute
    many = quality_ranges({"pqa_main": [11.0, 15.5, 16.5]}, {"pqa_main": [12.0, 13.0, 14.0]})
    assert many.attributes["pqa_main"]["fraction_inside"] == pytest.approx(2 / 3)
    with pytest.raises(InputError, match="2 reference"):
        quality_range_row([1.0], [1.0])
    with pytest.raises(InputError, match="k must be positive"):
        quality_range_row([1.0], [1.0, 2.0], k=0)
