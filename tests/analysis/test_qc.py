"""QC specifications: parsing, rounding, OOS flags."""

from __future__ import annotations

import pytest

from bioproof.analysis.errors import InputError
from bioproof.analysis.qc import evaluate_specs, parse_spec


@pytest.mark.parametrize(
    ("text", "kind", "low", "high", "strict"),
    [
        ("≤ 5 %", "max", None, 5, False),
        ("NMT 10 ng/dose", "max", None, 10, False),
        ("< 0.5 EU/mL", "max", None, 0.5, True),
        ("≥ 95.0 %", "min", 95, None, False),
        ("NLT 90", "min", 90, None, False),
        ("> 1e3", "min", 1000, None, True),
        ("6.5–7.5", "range", 6.5, 7.5, False),
        ("90 - 110 %", "range", 90, 110, False),
        ("0.9 to 1.1", "range", 0.9, 1.1, False),
        ("Conforms", "conforms", None, None, False),
    ],
)
def test_parse_spec(text: str, kind: str, low: float, high: float, strict: bool) -> None:
    spec = parse_spec(text)
    assert (spec.kind, spec.low, spec.high, spec.strict) == (kind, low, high, strict)


def test_parse_spec_errors() -> None:
    with pytest.raises(InputError, match="cannot read the specification"):
        parse_spec("about right")
    with pytest.raises(InputError, match="lower limit is above"):
        parse_spec("10–5")


def test_evaluate_release_panel() -> None:
    report = evaluate_specs(
        {
            "pH": "7.05",
            "Purity": "94.96",  # rounds to 95.0 (USP 7.20) → passes ≥ 95.0
            "Endotoxin": "<0.5",  # below LOQ, limit 1.0 → passes
            "Appearance": "Conforms",
            "Residual DNA": "12",
            "Integrity": "89.94 %",
        },
        {
            "pH": "6.5–7.5",
            "Purity": "≥ 95.0 %",
            "Endotoxin": "≤ 1.0",
            "Appearance": "conforms",
            "Residual DNA": "NMT 10",
            "Integrity": "≥ 90 %",  # 89.94 rounds to 90 → passes
            "Identity": "conforms",
        },
    )
    verdict = {row.test: row.passed for row in report.rows}
    assert verdict == {
        "pH": True,
        "Purity": True,
        "Endotoxin": True,
        "Appearance": True,
        "Residual DNA": False,
        "Integrity": True,
        "Identity": False,
    }
    assert report.oos_tests == ("Residual DNA", "Identity")
    assert not report.conforms and report.n_oos == 2
    assert report.to_dict()["rows"][6]["note"] == "no result reported"


def test_rounding_can_be_switched_off_and_strict_limits() -> None:
    spec = {"Purity": "≥ 95.0 %"}
    assert not evaluate_specs({"Purity": "94.96"}, spec, round_to_spec=False).conforms
    assert not evaluate_specs({"Endotoxin": "0.5"}, {"Endotoxin": "< 0.5"}).conforms
    assert not evaluate_specs({"Endotoxin": "<0.5"}, {"Endotoxin": "≥ 0.1"}).conforms
    assert not evaluate_specs({"pH": "n/a"}, {"pH": "6–8"}).conforms
    with pytest.raises(InputError, match="without a specification"):
        evaluate_specs({"Color": "blue"}, {"pH": "6–8"})
