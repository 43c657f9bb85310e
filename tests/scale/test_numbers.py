"""core.numbers.fixed formats exactly as the template filter floatformat:"-3" did."""

from __future__ import annotations

import math
import random

import pytest
from django.template.defaultfilters import floatformat
from django.utils import translation

from bioproof.core.numbers import fixed

EDGES = [
    0.0,
    -0.0,
    1.0,
    -1.0,
    34.0,
    34.2623,
    34.26,
    0.0005,
    0.0015,
    -0.0004,
    -0.0005,
    1e-7,
    -1e-7,
    2.675,
    1.0005,
    123456789.12345,
    1e16,
    1e-16,
    7,
    -3,
    10**20,
    math.inf,
    -math.inf,
    math.nan,
    5e-324,
    1.7976931348623157e308,
]


@pytest.mark.parametrize("language", ["ko", "en"])
def test_same_as_floatformat(language: str) -> None:
    rng = random.Random(14)
    values = EDGES + [
        rng.choice([1, -1]) * rng.uniform(0, 10) ** rng.randint(-6, 8) for _ in range(3000)
    ]
    values += [round(v, rng.randint(0, 5)) for v in values[:1000]]
    with translation.override(language):
        want = [floatformat(v, "-3") for v in values]
        assert fixed(values) == want
    assert fixed([None, 1.5]) == ["—", "1.500"]
