"""The parsed table of a run's data file, stored as Parquet in the file store.

A parsed table (column → values in canonical units) used to be one JSON blob per file in the
database; a 1 Hz sensor log of two weeks made a blob of tens of MB that every page listing the
run's files loaded. It is now a Parquet file (columnar, zstd-compressed, written by polars)
kept by :func:`bioproof.core.files.store` under ``run-tables/<sha[:2]>/<sha>/<name>.parquet``.
The row holds its name and SHA-256 (``RunDataFile.table_file`` / ``table_sha256``), so the row
events prove the hash and ``audit verify --files`` re-hashes the file.

Readers get the same column → values mapping as before from ``RunDataFile.table`` (cached on
the instance), a DataFrame from ``RunDataFile.frame()``, and at most :data:`PREVIEW_POINTS`
evenly spaced rows for a plot from ``RunDataFile.preview()``.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import IO, Any

import numpy as np
import pandas as pd

from bioproof.core import files

PREFIX = "run-tables"
#: Layouts that are instrument logs (long time series): uploads up to
#: ``settings.BIOPROOF_SENSOR_LOG_MAX_BYTES``, read in chunks; the others keep the general limit.
LOG_LAYOUTS = frozenset({"online", "offgas"})
#: Run-data upload endpoints (web and API) whose bodies may be a sensor log.
UPLOAD_PATHS = (r"^/evaluations/[^/]+/runs/\d+/data/$", r"^/api/evaluations/[^/]+/runs/.+/data$")
#: Other layouts' uploads (they are read whole, not streamed).
MAX_TABLE_UPLOAD_BYTES = 20 * 1024 * 1024
#: Rows a plot draws at most (a long log is thinned to evenly spaced rows, the last kept).
PREVIEW_POINTS = 2000
#: A Parquet file held in memory up to this size, then spooled to a temporary file.
_SPOOL_BYTES = 16 * 2**20


def sensor_log_limit() -> int:
    from django.conf import settings

    return int(getattr(settings, "BIOPROOF_SENSOR_LOG_MAX_BYTES", 2 * 1024**3))


def upload_limit(layout: str) -> int:
    """The largest file accepted for ``layout``: a sensor log's limit, else the general one."""
    if layout in LOG_LAYOUTS:
        return max(sensor_log_limit(), files.max_upload_bytes())
    return min(MAX_TABLE_UPLOAD_BYTES, files.max_upload_bytes())


def reading_limits(layout: str) -> Any:
    """The reader's limits for ``layout`` (a sensor log: rows and cells follow its size)."""
    from bioproof.analysis import tabular

    if layout in LOG_LAYOUTS:
        return tabular.Limits.large(upload_limit(layout))
    return tabular.Limits.default()


def table_to_parquet(frame: pd.DataFrame) -> bytes:
    """The frame as Parquet bytes (see :func:`write_parquet`)."""
    handle = write_parquet(frame)
    try:
        return handle.read()
    finally:
        handle.close()


def write_parquet(frame: pd.DataFrame) -> IO[bytes]:
    """The frame as a Parquet file (rewound): numeric columns as Float64 with NaN as null (as the
    JSON table held ``None``), others as text; column order kept."""
    import polars as pl

    columns = []
    for name in frame.columns:
        series = frame[name]
        if pd.api.types.is_numeric_dtype(series):
            values = series.to_numpy(dtype=float)
            columns.append(pl.Series(str(name), values, dtype=pl.Float64, nan_to_null=True))
        else:
            text = [None if v is None or v != v else str(v) for v in series.to_numpy()]
            columns.append(pl.Series(str(name), text, dtype=pl.String))
    handle = tempfile.SpooledTemporaryFile(max_size=_SPOOL_BYTES)  # noqa: SIM115 (returned)
    pl.DataFrame(columns).write_parquet(handle, compression="zstd", statistics=False)
    handle.seek(0)
    return handle


def store_table(frame: pd.DataFrame, *, filename: str) -> files.StoredFile:
    """Write the frame as Parquet into the file store (content-addressed, on commit)."""
    handle = write_parquet(frame)
    try:
        name = f"{Path(filename).stem or 'table'}.parquet"
        return files.store(handle, prefix=PREFIX, filename=name, max_bytes=2**62)
    finally:
        handle.close()


def read_frame(name: str) -> pd.DataFrame:
    """The stored Parquet table ``name`` as a pandas frame (NaN where a cell was empty)."""
    import polars as pl

    with files.open_stored(name) as handle:
        table = pl.read_parquet(handle)
    out: dict[str, Any] = {}
    for column in table.columns:
        series = table.get_column(column)
        if series.dtype.is_numeric():
            out[column] = series.cast(pl.Float64).to_numpy()
        else:
            out[column] = np.array(series.to_list(), dtype=object)
    return pd.DataFrame(out)


def frame_to_table(frame: pd.DataFrame) -> dict[str, list[Any]]:
    """Column → values, NaN as None: the mapping the JSON table held."""
    from bioproof.evaluations.results import frame_to_table as to_table

    return to_table(frame)


def preview(frame: pd.DataFrame, points: int = PREVIEW_POINTS) -> pd.DataFrame:
    """At most ``points`` evenly spaced rows of ``frame`` (first and last kept)."""
    if len(frame) <= points:
        return frame
    index = np.unique(np.linspace(0, len(frame) - 1, points).round().astype(int))
    return frame.iloc[index].reset_index(drop=True)
