"""Read tidy CSV/XLSX tables with units in the headers into canonical-unit frames.

A header is a name and a unit in ``[...]`` or ``(...)``: ``VCD [1e6 cells/mL]``, ``Time (d)``,
``Titer [mg/L]``. Names are matched case- and space-insensitively against each column's aliases;
units are converted with pint (:mod:`bioproof.analysis.units`). Every problem raises
:class:`~bioproof.analysis.errors.InputError` naming the file, the spreadsheet row (header = row
1) and the column. Validation is vectorised: the first bad row is found with NumPy.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import BinaryIO

import numpy as np
import pandas as pd

from bioproof.analysis.errors import InputError
from bioproof.analysis.units import (
    MOLAR_MASS,
    ColumnSpec,
    conversion_factor,
    header_key,
    split_header,
)

Source = str | os.PathLike[str] | bytes | bytearray | BinaryIO

_TIME = "h, min, s, d"
_CONC = "g/L, mg/L, mmol/L, mM"
_MMOL = "mmol/L, mM, g/L, mg/L"
_VOL = "L, mL"

#: Columns of an offline-sample file (one run of a cell culture or fermentation).
OFFLINE_COLUMNS: tuple[ColumnSpec, ...] = (
    ColumnSpec("time", "h", ("time", "culturetime", "elapsedtime", "processtime", "t"), _TIME),
    ColumnSpec(
        "vcd",
        "cells/mL",
        ("vcd", "viablecelldensity", "viablecellconcentration", "viablecells", "xv"),
        "cells/mL, 1e6 cells/mL, 1e5 cells/mL",
        low=0.0,
    ),
    ColumnSpec("viability", "percent", ("viability", "via", "viab"), "%", low=0.0, high=100.0),
    ColumnSpec(
        "glucose",
        "g/L",
        ("glucose", "glc", "gluc"),
        _CONC,
        low=0.0,
        molar_mass=MOLAR_MASS["glucose"],
    ),
    ColumnSpec(
        "lactate",
        "g/L",
        ("lactate", "lac", "lacticacid"),
        _CONC,
        low=0.0,
        molar_mass=MOLAR_MASS["lactate"],
    ),
    ColumnSpec(
        "titer",
        "g/L",
        ("titer", "titre", "product", "productconcentration", "igg", "mab"),
        "g/L, mg/L, mg/mL",
        low=0.0,
    ),
    ColumnSpec(
        "glutamine",
        "mmol/L",
        ("glutamine", "gln"),
        _MMOL,
        required=False,
        low=0.0,
        molar_mass=MOLAR_MASS["glutamine"],
    ),
    ColumnSpec(
        "ammonia",
        "mmol/L",
        ("ammonia", "ammonium", "nh3", "nh4", "nh4+"),
        _MMOL,
        required=False,
        low=0.0,
        molar_mass=MOLAR_MASS["ammonia"],
    ),
    ColumnSpec(
        "volume",
        "L",
        ("volume", "culturevolume", "workingvolume"),
        _VOL,
        required=False,
        low=0.0,
        allow_empty=True,
    ),
    ColumnSpec(
        "feed_volume",
        "L",
        ("feedvolume", "feed", "feedadded", "fedvolume"),
        _VOL,
        required=False,
        low=0.0,
        fill=0.0,
    ),
    ColumnSpec(
        "sample_volume",
        "L",
        ("samplevolume", "sampledvolume", "sample", "sampling"),
        _VOL,
        required=False,
        low=0.0,
        fill=0.0,
    ),
)


_ANY = "any one unit, e.g. %, mg/L, mS/cm"

#: Dissolved-oxygen readings of one gassing-out curve (time from re-aeration).
KLA_COLUMNS = (
    ColumnSpec("time", "h", ("time", "t", "elapsedtime"), _TIME),
    ColumnSpec("do", "", ("do", "dissolvedoxygen", "po2", "dot", "o2", "oxygen"), _ANY),
)
#: Tracer response of one mixing experiment.
MIXING_COLUMNS = (
    ColumnSpec("time", "h", ("time", "t", "elapsedtime"), _TIME),
    ColumnSpec(
        "signal", "", ("signal", "conductivity", "ph", "tracer", "response", "reading"), _ANY
    ),
)
#: Breakthrough curve: loaded volume and effluent concentration.
BREAKTHROUGH_COLUMNS = (
    ColumnSpec("volume", "mL", ("volume", "loadvolume", "loadedvolume", "load", "v"), "mL, L"),
    ColumnSpec(
        "concentration",
        "g/L",
        ("concentration", "c", "effluent", "outlet", "protein", "titer", "titre"),
        "g/L, mg/mL, mg/L",
    ),
)
#: Filtration run: cumulative filtrate volume with time (constant pressure) and/or pressure
#: (constant flow).
FILTRATION_COLUMNS = (
    ColumnSpec("time", "h", ("time", "t", "elapsedtime"), _TIME, required=False),
    ColumnSpec(
        "volume", "L", ("volume", "filtrate", "filtratevolume", "throughput", "v"), _VOL, low=0.0
    ),
    ColumnSpec(
        "pressure",
        "bar",
        ("pressure", "p", "tmp", "dp", "differentialpressure"),
        "bar, kPa, psi",
        required=False,
        low=0.0,
    ),
)

#: Online log of one run: time and any of pH, dissolved oxygen and temperature.
ONLINE_COLUMNS = (
    ColumnSpec("time", "h", ("time", "t", "elapsedtime", "processtime"), _TIME),
    ColumnSpec(
        "ph",
        "",
        ("ph",),
        "no unit",
        required=False,
        low=0.0,
        high=14.0,
        allow_empty=True,
        unitless=True,
    ),
    ColumnSpec(
        "do",
        "percent",
        ("do", "dissolvedoxygen", "po2", "dot"),
        "% (of air saturation)",
        required=False,
        low=0.0,
        allow_empty=True,
    ),
    ColumnSpec(
        "temperature",
        "degC",
        ("temperature", "temp", "culturetemperature"),
        "°C",
        required=False,
        allow_empty=True,
    ),
)
_FRACTION = "% (mole fraction × 100)"
#: Off-gas log of one run: inlet gas flow, broth volume, inlet and dry outlet O2/CO2.
OFFGAS_COLUMNS = (
    ColumnSpec("time", "h", ("time", "t", "elapsedtime", "processtime"), _TIME),
    ColumnSpec(
        "gas_flow",
        "L/min",
        ("gasflow", "airflow", "inletflow", "flow", "aeration"),
        "L/min, mL/min",
        low=0.0,
    ),
    ColumnSpec(
        "volume",
        "L",
        ("volume", "brothvolume", "workingvolume", "culturevolume"),
        _VOL,
        low=0.0,
    ),
    ColumnSpec("o2_in", "percent", ("o2in", "inleto2", "o2inlet"), _FRACTION, low=0.0, high=100.0),
    ColumnSpec(
        "co2_in", "percent", ("co2in", "inletco2", "co2inlet"), _FRACTION, low=0.0, high=100.0
    ),
    ColumnSpec(
        "o2_out",
        "percent",
        ("o2out", "outleto2", "o2outlet", "offgaso2"),
        _FRACTION,
        low=0.0,
        high=100.0,
    ),
    ColumnSpec(
        "co2_out",
        "percent",
        ("co2out", "outletco2", "co2outlet", "offgasco2"),
        _FRACTION,
        low=0.0,
        high=100.0,
    ),
)

#: Text columns of a QC results file and their header aliases.
QC_COLUMNS = {
    "test": ("test", "attribute", "parameter", "item", "시험항목"),
    "result": ("result", "value", "measured", "결과"),
    "specification": ("specification", "spec", "acceptancecriteria", "limit", "기준"),
}


def read_kla(source: Source, *, filename: str) -> pd.DataFrame:
    """One gassing-out curve: ``time`` [h], ``do`` (unit as given)."""
    return read_table(source, filename=filename, columns=KLA_COLUMNS, increasing="time", min_rows=4)


def read_mixing(source: Source, *, filename: str) -> pd.DataFrame:
    """One tracer response: ``time`` [h], ``signal`` (unit as given)."""
    return read_table(
        source, filename=filename, columns=MIXING_COLUMNS, increasing="time", min_rows=5
    )


def read_breakthrough(source: Source, *, filename: str) -> pd.DataFrame:
    """One breakthrough curve: ``volume`` [mL] loaded, effluent ``concentration`` [g/L]."""
    return read_table(
        source, filename=filename, columns=BREAKTHROUGH_COLUMNS, increasing="volume", min_rows=3
    )


def read_filtration(source: Source, *, filename: str) -> pd.DataFrame:
    """A filtration run: ``volume`` [L] with ``time`` [h] and/or ``pressure`` [bar]."""
    return read_table(
        source,
        filename=filename,
        columns=FILTRATION_COLUMNS,
        increasing=("time", "volume"),
        min_rows=3,
    )


def read_online(source: Source, *, filename: str) -> pd.DataFrame:
    """An online log: ``time`` [h] and any of ``ph``, ``do`` [%], ``temperature`` [°C].

    At least one of the three signals must be present; empty cells (a signal not logged at that
    time) are kept as NaN.
    """
    frame = read_table(
        source, filename=filename, columns=ONLINE_COLUMNS, increasing="time", min_rows=2
    )
    if not {"ph", "do", "temperature"} & set(frame.columns):
        raise InputError(
            "no pH, DO or temperature column; add e.g. 'pH', 'DO [%]' or 'Temperature [°C]'",
            row=1,
        ).in_file(Path(filename).name)
    return frame


def read_offgas(source: Source, *, filename: str) -> pd.DataFrame:
    """An off-gas log: ``time`` [h], ``gas_flow`` [L/min], ``volume`` [L] and inlet and dry
    outlet ``o2_in``, ``co2_in``, ``o2_out``, ``co2_out`` [% = mole fraction × 100]."""
    return read_table(
        source, filename=filename, columns=OFFGAS_COLUMNS, increasing="time", min_rows=2
    )


def read_qc(source: Source, *, filename: str) -> pd.DataFrame:
    """QC results of one lot: text columns ``test``, ``result``, ``specification``."""
    return read_table(source, filename=filename, columns=(), min_rows=1, text_columns=QC_COLUMNS)


def read_offline(source: Source, *, filename: str) -> pd.DataFrame:
    """Offline samples of one run as a frame in canonical units.

    Required columns: ``time`` [h], ``vcd`` [cells/mL], ``viability`` [%], ``glucose`` [g/L],
    ``lactate`` [g/L], ``titer`` [g/L]; optional: ``glutamine`` [mmol/L], ``ammonia`` [mmol/L],
    ``volume``, ``feed_volume``, ``sample_volume`` [L] (culture volume just before the sample;
    feed added and volume removed at that time point; empty volume cells are left NaN and
    reconstructed by :func:`~bioproof.analysis.kinetics.culture_kinetics`, empty feed or sample
    cells mean 0). Times must increase strictly; there must be at least 2 data rows.

    ``source`` is a path, bytes or a binary file object; the format follows the extension of
    ``filename`` (``.csv`` or ``.xlsx``). Raises :class:`InputError` naming file, row, column.
    """
    return read_table(source, filename=filename, columns=OFFLINE_COLUMNS, increasing="time")


def read_table(
    source: Source,
    *,
    filename: str,
    columns: Sequence[ColumnSpec],
    increasing: str | Sequence[str] = (),
    min_rows: int = 2,
    text_columns: Mapping[str, Sequence[str]] | None = None,
) -> pd.DataFrame:
    """Read ``source`` and return the ``columns`` it defines, converted to canonical units.

    ``increasing`` names a column whose values must increase strictly (e.g. time), or several:
    the first present is checked;
    ``text_columns`` maps required text columns to their header aliases; their cells are kept
    as stripped strings and need no unit. Unrecognised columns are ignored. The frame's
    ``attrs["rows"]`` holds the spreadsheet row number of each data row.
    """
    name = Path(filename).name
    try:
        raw = _raw_cells(source, filename)
        order = (increasing,) if isinstance(increasing, str) else tuple(increasing)
        return _to_frame(raw, columns, order, min_rows, dict(text_columns or {}))
    except InputError as exc:
        raise exc.in_file(name) from None


def _read_bytes(source: Source) -> bytes:
    if isinstance(source, bytes | bytearray):
        return bytes(source)
    if isinstance(source, str | os.PathLike):
        try:
            return Path(source).read_bytes()
        except OSError as exc:
            raise InputError(f"cannot read the file ({exc.strerror or exc})") from None
    data = source.read()
    if not isinstance(data, bytes):
        raise InputError("open the file in binary mode")
    return data


def _raw_cells(source: Source, filename: str) -> pd.DataFrame:
    """All cells as objects, row 0 = spreadsheet row 1 (blank rows kept for numbering)."""
    ext = Path(filename).suffix.lower()
    if ext not in (".csv", ".xlsx"):
        raise InputError(f"unsupported file type '{ext or filename}'; upload .csv or .xlsx")
    data = _read_bytes(source)
    if ext == ".csv":
        return _raw_csv(data)
    return _raw_xlsx(data)


def _raw_csv(data: bytes) -> pd.DataFrame:
    for encoding in ("utf-8-sig", "cp949"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise InputError("the CSV file is neither UTF-8 nor CP949 text")
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines:
        raise InputError("the file is empty")
    first = lines[0]
    delimiter = max((",", ";", "\t"), key=first.count)
    rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    width = max((len(r) for r in rows), default=0)
    return pd.DataFrame([r + [""] * (width - len(r)) for r in rows], dtype=object)


def _raw_xlsx(data: bytes) -> pd.DataFrame:
    from python_calamine import CalamineError, CalamineWorkbook

    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        rows = book.get_sheet_by_index(0).to_python(skip_empty_area=False)
    except (CalamineError, ValueError, OSError) as exc:
        raise InputError(f"not a readable .xlsx workbook ({exc})") from None
    if not rows:
        raise InputError("the first sheet is empty")
    return pd.DataFrame(rows, dtype=object)


def _blank(values: pd.Series) -> np.ndarray:
    text = values.astype(str).str.strip()
    return (values.isna() | (text == "")).to_numpy()


def _to_frame(
    raw: pd.DataFrame,
    columns: Sequence[ColumnSpec],
    increasing: tuple[str, ...],
    min_rows: int,
    text_columns: Mapping[str, Sequence[str]],
) -> pd.DataFrame:
    if raw.shape[0] == 0:
        raise InputError("the file is empty")
    header = raw.iloc[0]
    body = raw.iloc[1:]
    body = body.loc[~np.all([_blank(body[c]) for c in body.columns], axis=0)] if len(body) else body
    rows = body.index.to_numpy() + 1  # spreadsheet row numbers

    by_alias = {alias: spec for spec in columns for alias in (spec.name, *spec.aliases)}
    text_keys = {a: name for name, aliases in text_columns.items() for a in (name, *aliases)}
    found: dict[str, tuple[object, str, str | None]] = {}
    texts: dict[str, object] = {}
    for col, cell in header.items():
        if cell is None or not str(cell).strip():
            continue
        label, unit = split_header(str(cell))
        key = header_key(label)
        if key in text_keys:
            texts.setdefault(text_keys[key], col)
            continue
        spec = by_alias.get(key)
        if spec is None:
            continue
        if spec.name in found:
            raise InputError(
                f"columns '{found[spec.name][1]}' and '{label}' both give {spec.name}; keep one",
                row=1,
                column=label,
            )
        found[spec.name] = (col, label, unit)

    out: dict[str, np.ndarray | pd.Series] = {}
    for spec in columns:
        if spec.name not in found:
            if spec.required:
                example = (
                    f"{spec.name.replace('_', ' ').capitalize()} [{spec.examples.split(',')[0]}]"
                )
                raise InputError(
                    f"missing required column '{spec.name}'; add a header such as '{example}'",
                    row=1,
                    column=spec.name,
                )
            continue
        col, label, unit = found[spec.name]
        out[spec.name] = _convert(body[col], rows, spec, label, unit)
    for text_name in text_columns:
        if text_name not in texts:
            raise InputError(f"missing required column '{text_name}'", row=1, column=text_name)
    for text_name, col in texts.items():
        out[text_name] = body[col].map(lambda v: "" if v is None else str(v).strip()).to_numpy()

    if len(rows) < min_rows:
        raise InputError(f"needs at least {min_rows} data rows, found {len(rows)}")
    order = next((name for name in increasing if name in out), None)
    if order is not None:
        steps = np.diff(np.asarray(out[order]))
        bad = np.flatnonzero(~(steps > 0))
        if bad.size:
            i = bad[0] + 1
            col, label, unit = found[order]
            cells = body[col]
            raise InputError(
                f"{'times' if order == 'time' else order + ' values'} out of order: "
                f"{str(cells.iloc[i]).strip()} {unit} comes after "
                f"{str(cells.iloc[i - 1]).strip()} {unit}; they must increase strictly",
                row=rows[i],
                column=label,
            )
    frame = pd.DataFrame(out)
    frame.attrs["rows"] = rows.tolist()
    return frame


def _convert(
    cells: pd.Series, rows: np.ndarray, spec: ColumnSpec, label: str, unit: str | None
) -> np.ndarray:
    if unit is None and not spec.unitless:
        raise InputError(
            f"no unit in the header; write it like '{label} [{spec.examples.split(',')[0]}]' "
            f"(accepted: {spec.examples})",
            row=1,
            column=label,
        )
    factor = 1.0
    if spec.unit and unit is not None:
        try:
            factor = conversion_factor(unit, spec.unit, molar_mass=spec.molar_mass)
        except ValueError as exc:
            raise InputError(
                f"{exc}; accepted units: {spec.examples}", row=1, column=label
            ) from None
    blank = _blank(cells)
    numbers = pd.to_numeric(
        cells.map(lambda v: v.strip() if isinstance(v, str) else v), errors="coerce"
    ).to_numpy(dtype=float)
    bad = np.flatnonzero(~blank & ~np.isfinite(numbers))
    if bad.size:
        raise InputError(f"'{cells.iloc[bad[0]]}' is not a number", row=rows[bad[0]], column=label)
    if spec.required or not (spec.allow_empty or spec.fill is not None):
        empty = np.flatnonzero(blank)
        if empty.size:
            raise InputError("empty cell; a number is needed", row=rows[empty[0]], column=label)
    values = numbers * factor
    if spec.fill is not None:
        values = np.where(blank, spec.fill, values)
    if spec.low is not None:
        low = np.flatnonzero(values < spec.low)
        if low.size:
            what = "negative" if spec.low == 0 else f"below {spec.low:g}"
            raise InputError(
                f"{numbers[low[0]]:g} is {what}; {label} cannot be {what}",
                row=rows[low[0]],
                column=label,
            )
    if spec.high is not None:
        high = np.flatnonzero(values > spec.high)
        if high.size:
            raise InputError(
                f"{numbers[high[0]]:g} is outside {spec.low:g}–{spec.high:g} {unit}",
                row=rows[high[0]],
                column=label,
            )
    return values
