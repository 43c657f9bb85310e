"""mRNA QC calculations against hand-computed values."""

from __future__ import annotations

import math

import pytest

from bioproof.analysis import mrna
from bioproof.analysis.errors import InputError


def test_a260_concentration_with_dilution_and_path() -> None:
    # 0.5 × 40 µg/mL × 100 / 1 cm = 2000 µg/mL
    assert mrna.rna_concentration_a260(0.5, dilution=100) == pytest.approx(2000.0)
    # NanoDrop 1 mm path: 0.25 × 40 / 0.1 = 100 µg/mL
    assert mrna.rna_concentration_a260(0.25, path_length_cm=0.1) == pytest.approx(100.0)


def test_a260_rejects_bad_input() -> None:
    with pytest.raises(InputError, match="dilution factor must be at least 1"):
        mrna.rna_concentration_a260(0.5, dilution=0.5)
    with pytest.raises(InputError, match="not a number"):
        mrna.rna_concentration_a260("abc")  # type: ignore[arg-type]


def test_ratio() -> None:
    assert mrna.a260_a280_ratio(1.0, 0.5) == pytest.approx(2.0)
    with pytest.raises(InputError):
        mrna.a260_a280_ratio(1.0, 0)


def test_molecular_weight_by_hand() -> None:
    # A 329.20 + U 306.16 + G 345.20 + C 305.18 = 1285.74; + H2O 18.02 + ppp 159.96 = 1463.72
    assert mrna.rna_molecular_weight("AUGC") == pytest.approx(1463.72, abs=1e-6)
    # DNA sense strand reads as its transcript
    assert mrna.rna_molecular_weight("ATGC") == pytest.approx(1463.72, abs=1e-6)
    # m1Ψ replaces U: 3 × (338.21 − 18.02) + 18.02 = 978.59 (5′ monophosphate)
    assert mrna.rna_molecular_weight(
        "UUU", five_prime="monophosphate", modified_u="n1-methylpseudouridine"
    ) == pytest.approx(978.59, abs=1e-6)
    # Cap 1: 345.20 + 18.02 + (79.98 + 377.25 − 18.02 + 14.03) = 816.46
    assert mrna.rna_molecular_weight("G", five_prime="cap1") == pytest.approx(816.46, abs=1e-6)


def test_molecular_weight_names_bad_position() -> None:
    with pytest.raises(InputError, match="position 3: 'N'"):
        mrna.rna_molecular_weight("AUNG")
    with pytest.raises(InputError, match="unknown 5′ end"):
        mrna.rna_molecular_weight("AUG", five_prime="cap9")


def test_encapsulation_efficiency() -> None:
    # (1000 − 50) / 1000 × 100 = 95 %
    assert mrna.encapsulation_efficiency(1000, 50) == pytest.approx(95.0)
    with pytest.raises(InputError, match="above total"):
        mrna.encapsulation_efficiency(100, 150)


def test_capping_efficiency() -> None:
    # (90 + 5) / (90 + 5 + 3 + 2) × 100 = 95 %
    assert mrna.capping_efficiency([90, 5], [3, 2]) == pytest.approx(95.0)
    with pytest.raises(InputError, match="sum to zero"):
        mrna.capping_efficiency([0], [0])


def test_ivt_yield() -> None:
    # 50 mg in 10 mL over 2 h: 5 mg/mL, 2.5 mg/mL/h
    assert mrna.ivt_yield(50, 10, 2) == pytest.approx((5.0, 2.5))
    y, rate = mrna.ivt_yield(50, 10)
    assert y == pytest.approx(5.0) and math.isnan(rate)
