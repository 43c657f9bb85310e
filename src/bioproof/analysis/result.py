"""Base class of the frozen result dataclasses and their JSON-safe conversion."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import fields
from typing import Any, ClassVar

import numpy as np


def jsonable(value: Any) -> Any:
    """``value`` as plain JSON types: NaN and ±inf become ``None``, arrays become lists."""
    if isinstance(value, Result):
        return value.to_dict()
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        number = float(value)
        return number if math.isfinite(number) else None
    if isinstance(value, np.ndarray):
        if value.dtype.kind == "f":
            return np.where(np.isfinite(value), value, None).tolist()
        return [jsonable(v) for v in value.tolist()]
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    raise TypeError(f"cannot convert {type(value).__name__} to JSON")


class Result:
    """Mixin of every result dataclass: ``to_dict()`` and the list of its KPI fields."""

    #: Field names that are KPIs (listed in :data:`bioproof.analysis.kpis.KPIS`).
    KPI_FIELDS: ClassVar[tuple[str, ...]] = ()

    def to_dict(self) -> dict[str, Any]:
        """Fields as a JSON-serialisable dict (plain floats/ints/bools/str/lists; NaN → None)."""
        return {f.name: jsonable(getattr(self, f.name)) for f in fields(self)}  # type: ignore[arg-type]
