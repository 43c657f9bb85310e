"""Every engine-2 family layout's analysis, fed its own template with perturbed numbers
(zeros, repeats, huge and tiny values), returns KPIs or refuses with an InputError — never
another exception (which would fail the platform's analysis job with a traceback)."""

from __future__ import annotations

import math
from functools import cache

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bioproof.analysis.errors import InputError

FAMILY = [
    "kla_correlation",
    "mixing_correlation",
    "tff_flux",
    "tff_sieving",
    "mass_balance",
    "clearance",
    "dbc_residence",
    "resin_cycles",
    "fed_batch_feeds",
    "quality_attributes",
    "extractables",
    "particulates",
    "pressure_decay",
]
PARAMS = {
    "reference_power_per_volume": 100.0,
    "reference_gas_velocity": 5.0,
    "residence_time": 4.0,
    "dose_volume": 10.0,
    "container_volume": 10.0,
    "test_volume": 2.0,
    "leak_limit": 0.05,
}
VALUES = st.one_of(
    st.sampled_from([0.0, 1e-300, 1e-12, 1.0, 1e12, 1e300, 100.0]),
    st.floats(min_value=0.0, max_value=1e6, allow_nan=False),
)


@cache
def _template_frame(key: str) -> pd.DataFrame:
    from bioproof.evaluations import layouts

    layout = layouts.get(key)
    return layout.parse(layouts.excel_template(layout), f"{key}.xlsx")


@pytest.mark.parametrize("key", FAMILY)
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_family_layouts_only_refuse_with_input_errors(key: str, data: st.DataObject) -> None:
    from bioproof.evaluations import layouts

    layout = layouts.get(key)
    frame = _template_frame(key).copy()
    numeric = [c for c in frame.columns if frame[c].dtype.kind == "f"]
    for column in data.draw(st.lists(st.sampled_from(numeric), max_size=3)) if numeric else []:
        row = data.draw(st.integers(0, len(frame) - 1))
        frame.loc[frame.index[row], column] = data.draw(VALUES)
    if data.draw(st.booleans()) and numeric:  # a whole column constant
        frame[data.draw(st.sampled_from(numeric))] = data.draw(VALUES)
    try:
        kpis = layout.kpis(frame, PARAMS)
    except InputError:
        return
    for name, value in kpis.items():
        if name != "caveats":
            assert isinstance(value, int | float) and not math.isnan(value), (name, value)
            assert np.isfinite(value) or abs(value) == math.inf, (name, value)
