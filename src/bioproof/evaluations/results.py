"""Bridge between stored run data and the analysis engine (``bioproof.analysis``)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from django.utils.translation import gettext

from bioproof.analysis import ENGINE_VERSION
from bioproof.analysis.errors import InputError
from bioproof.core.errors import DomainError

#: KPIs shown for a culture run when no method template names its own.
RUN_KPIS = ("mu_exp", "doubling_time", "ivcd_final", "qp", "final_titer", "peak_vcd", "peak_day")


def frame_to_table(frame: pd.DataFrame) -> dict[str, list[Any]]:
    """Column → values, NaN as None (JSON-safe); non-numeric columns kept as text."""
    table: dict[str, list[Any]] = {}
    for col in frame.columns:
        series = frame[col]
        if pd.api.types.is_numeric_dtype(series):
            values = series.to_numpy(dtype=float)
            empty = np.isnan(values)
            if empty.any():
                cells = values.astype(object)
                cells[empty] = None
                table[str(col)] = cells.tolist()
            else:
                table[str(col)] = values.tolist()
        else:
            table[str(col)] = [None if pd.isna(v) else str(v) for v in series.to_numpy()]
    return table


def table_to_frame(table: dict[str, list[Any]]) -> pd.DataFrame:
    frame = pd.DataFrame(table)
    for col in frame.columns:
        converted = pd.to_numeric(frame[col], errors="coerce")
        if converted.notna().sum() == frame[col].notna().sum():
            frame[col] = converted.astype(float)
    return frame


def layout_kpis(
    layout: str,
    table: dict[str, list[Any]] | pd.DataFrame,
    *,
    label: str,
    parameters: dict[str, float] | None = None,
) -> dict[str, Any]:
    """KPIs of one run's data file of ``layout``; engine input errors name the run."""
    from bioproof.evaluations import layouts

    try:
        frame = table.copy() if isinstance(table, pd.DataFrame) else table_to_frame(table)
        return layouts.get(layout).kpis(frame, parameters)
    except InputError as exc:
        raise DomainError(f"{label}: {exc.localized(gettext)}") from exc


__all__ = ["ENGINE_VERSION", "RUN_KPIS", "frame_to_table", "layout_kpis", "table_to_frame"]
