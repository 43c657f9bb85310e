"""Read tidy CSV/XLSX tables with units in the headers into canonical-unit frames.

A header is a name and a unit in ``[...]`` or ``(...)``: ``VCD [1e6 cells/mL]``, ``Time (d)``,
``Titer [mg/L]``. Names are matched case- and space-insensitively against each column's aliases;
units are converted with pint (:mod:`bioproof.analysis.units`). Every problem raises
:class:`~bioproof.analysis.errors.InputError` naming the file, the spreadsheet row (header = row
1) and the column. Validation is vectorised: the first bad row is found with NumPy.
"""

from __future__ import annotations

import io
import math
import os
import re
import zipfile
import zlib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import BinaryIO

import numpy as np
import pandas as pd

from bioproof.analysis.errors import N_, InputError
from bioproof.analysis.units import (
    MOLAR_MASS,
    ColumnSpec,
)

Source = str | os.PathLike[str] | bytes | bytearray | BinaryIO

#: Limits of every reader (docs/operations.md): bytes of a file, data rows (the header is one
#: more), columns, rows × columns, characters of one cell, |value| in canonical units, and for
#: .xlsx the parts of the zip, their unpacked size and the unpacked/packed ratio (checked
#: above XLSX_RATIO_FLOOR unpacked bytes).
MAX_FILE_BYTES = 32 * 2**20
MAX_ROWS = 100_000
MAX_COLUMNS = 200
MAX_CELLS = 1_000_000
MAX_CELL_CHARS = 64 * 1024
MAX_VALUE = 1e300
XLSX_MAX_MEMBERS = 500
XLSX_MAX_UNCOMPRESSED = 128 * 2**20
XLSX_MAX_RATIO = 200
XLSX_RATIO_FLOOR = 16 * 2**20

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
            N_("no pH, DO or temperature column; add e.g. 'pH', 'DO [%%]' or 'Temperature [°C]'"),
            row=1,
            params={},
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

    CSV is read in chunks by polars (:mod:`bioproof.analysis.tabular`); the limits are those of
    this module unless :func:`bioproof.analysis.tabular.reading` sets others (a sensor log).
    """
    from bioproof.analysis import tabular

    name = Path(filename).name
    try:
        return tabular.read(
            source,
            filename=filename,
            columns=columns,
            increasing=(increasing,) if isinstance(increasing, str) else tuple(increasing),
            min_rows=min_rows,
            text_columns=dict(text_columns or {}),
        )
    except InputError as exc:
        raise exc.in_file(name) from None


def _read_bytes(source: Source) -> bytes:
    if isinstance(source, bytes | bytearray):
        data = bytes(source)
    elif isinstance(source, str | os.PathLike):
        path = Path(source)
        try:
            if path.stat().st_size > MAX_FILE_BYTES:
                raise _too_big()
            data = path.read_bytes()
        except OSError as exc:
            raise InputError(
                N_("cannot read the file (%(reason)s)"), params={"reason": exc.strerror or exc}
            ) from None
    else:
        data = source.read(MAX_FILE_BYTES + 1)
        if not isinstance(data, bytes):
            raise InputError(N_("open the file in binary mode"))
    if len(data) > MAX_FILE_BYTES:
        raise _too_big()
    return data


def _too_big() -> InputError:
    return InputError(
        N_("the file is larger than %(mb)s MB"), params={"mb": MAX_FILE_BYTES // 2**20}
    )


def _line_of(data: bytes, index: int) -> int:
    """Spreadsheet row (1-based) of byte ``index``: \n, \r\n and lone \r end a line."""
    head = data[:index]
    return head.count(b"\n") + head.count(b"\r") - head.count(b"\r\n") + 1


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def _column_index(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ch - 64
    return n


def _too_wide(row: int) -> InputError:
    return InputError(
        N_("more than %(max)s columns; keep one table of data per file"),
        row=row,
        params={"max": MAX_COLUMNS},
    )


def _too_long() -> InputError:
    return InputError(
        N_("more than %(max)s rows; split the data into several files"), params={"max": MAX_ROWS}
    )


def _too_many_cells(rows: int, columns: int) -> InputError:
    return InputError(
        N_("%(rows)s rows × %(columns)s columns is more than %(max)s cells"),
        params={"rows": rows, "columns": columns, "max": MAX_CELLS},
    )


def _cell_too_big(row: int, col: int | None) -> InputError:
    return InputError(
        N_("a cell holds more than %(kib)s KiB of text"),
        row=row,
        column=None if col is None else _column_letter(col),
        params={"kib": MAX_CELL_CHARS // 1024},
    )


_TAG = re.compile(rb"<(/?)(?:[\w.-]+:)?(row|c)(?=[\s/>])([^>]*)>")
_C_TAG = re.compile(rb"<(?:[\w.-]+:)?c[\s/>]")
_C_WITH_REF = re.compile(rb"""<(?:[\w.-]+:)?c\s[^>]*?(?<=\s)r=["']([A-Z]{1,3})([0-9]{1,7})["']""")
_ROW_TAG = re.compile(rb"<(?:[\w.-]+:)?row[\s/>]")
_ROW_WITH_REF = re.compile(rb"""<(?:[\w.-]+:)?row\s[^>]*?(?<=\s)r=["']([0-9]{1,7})["']""")
_R_ATTR = re.compile(rb"""(?:^|\s)r\s*=\s*["']([^"']*)["']""")
_DIMENSION = re.compile(rb"""<(?:[\w.-]+:)?dimension\s[^>]*?(?<=\s)ref\s*=\s*["']([^"']*)["']""")
_POSITION = re.compile(rb"([A-Za-z]{0,3})([0-9]{1,7})")


def _position(ref: bytes) -> tuple[int, int]:
    """``b"XFD12"`` → (12, 16384): 1-based row and column (column 0 when absent), read as
    calamine reads it; a reference beyond 3 letters or 7 digits is refused."""
    m = _POSITION.fullmatch(ref.strip())
    if m is None:
        raise InputError(
            N_("the sheet refers to the cell '%(ref)s', which cannot be read"),
            params={"ref": ref[:20].decode("ascii", "replace")},
        )
    return int(m[2]), _column_index(m[1].upper())


def _check_extent(max_row: int, max_col: int, ref: str, *, declared: bool = False) -> None:
    if max_row > MAX_ROWS + 1 or max_col > MAX_COLUMNS or max_row * max_col > MAX_CELLS:
        if declared:
            raise InputError(
                N_(
                    "the sheet declares the range %(ref)s; at most %(rows)s rows, %(columns)s "
                    "columns and %(cells)s cells are read"
                ),
                params={
                    "ref": ref,
                    "rows": MAX_ROWS + 1,
                    "columns": MAX_COLUMNS,
                    "cells": MAX_CELLS,
                },
            )
        raise InputError(
            N_(
                "the sheet reaches cell %(cell)s; at most %(rows)s rows, %(columns)s columns "
                "and %(cells)s cells are read"
            ),
            params={"cell": ref, "rows": MAX_ROWS + 1, "columns": MAX_COLUMNS, "cells": MAX_CELLS},
        )


def _scan_sheet(xml: bytes) -> None:
    """Refuse a worksheet whose declared or actual extent is beyond the limits, before calamine
    allocates its grid (one cell at XFD1048576 would make it ask for hundreds of GiB).

    Cell positions follow calamine: a ``<row r>`` sets the row, ``</row>`` moves to the next,
    a ``<c r>`` sets the column and a cell without ``r`` takes the next one.
    """
    data_at = xml.find(b"<sheetData")
    head = xml[:data_at] if data_at >= 0 else xml  # <dimension> comes before the data
    if (dim := _DIMENSION.search(head)) is not None:
        ref = dim[1][:40].decode("ascii", "replace")
        parts = dim[1].split(b":")
        if not 1 <= len(parts) <= 2:
            raise InputError(
                N_("the sheet declares the range %(ref)s, which cannot be read"),
                params={"ref": ref},
            )
        rows, cols = _position(parts[-1])
        _check_extent(rows, cols, ref, declared=True)
    if (fast := _fast_extent(xml)) is not None:
        n_cells, n_rows, max_row, max_col = fast
        if n_cells > MAX_CELLS or n_rows > MAX_ROWS + 1:
            raise _too_many_cells(n_rows, n_cells // max(1, n_rows))
        _check_extent(max_row, max_col, f"{_column_letter(max(max_col, 1) - 1)}{max_row}")
        return
    n_cells = len(_C_TAG.findall(xml))
    n_rows = len(_ROW_TAG.findall(xml))
    if n_cells > MAX_CELLS or n_rows > MAX_ROWS + 1:
        raise _too_many_cells(n_rows, n_cells // max(1, n_rows))
    cell_refs = _C_WITH_REF.findall(xml)
    row_refs = _ROW_WITH_REF.findall(xml)
    if len(cell_refs) == n_cells and len(row_refs) == n_rows:  # every position written out
        max_row = max((int(r) for _c, r in cell_refs), default=0)
        max_row = max(max_row, max((int(r) for r in row_refs), default=0))
        max_col = max((_column_index(c) for c in {c for c, _r in cell_refs}), default=0)
    else:
        max_row, max_col = _walk_positions(xml)
    _check_extent(max_row, max_col, f"{_column_letter(max(max_col, 1) - 1)}{max_row}")


_TAG_ENDS = np.frombuffer(b" \t\n\r/>", np.uint8)


def _fast_extent(xml: bytes) -> tuple[int, int, int, int] | None:
    """(cells, rows, last row, last column) of a sheet whose ``<c>`` and ``<row>`` tags are
    unprefixed and each written with its ``r="…"`` first (as Excel, openpyxl and LibreOffice
    write them), found with NumPy over the bytes; ``None`` for any other sheet (the regular
    expressions and the position walk of :func:`_scan_sheet` then decide)."""
    start, end = xml.find(b"<sheetData"), xml.rfind(b"</sheetData>")
    if start < 0 or end < 0 or xml.find(b":", start, end) >= 0:  # maybe prefixed tags
        return None
    if xml.find(b"<c", end) >= 0 or xml.rfind(b"<row", 0, start) >= 0:  # cells outside
        return None
    size = len(xml)
    data = np.frombuffer(xml + b"\0" * 16, np.uint8)
    opening = np.flatnonzero(data[:size] == ord("<"))
    opening = opening[np.isin(data[opening + 1], np.frombuffer(b"cr", np.uint8))]
    after = data[opening[:, None] + np.arange(1, 9)]  # the 8 bytes after each "<c…", "<r…"
    is_cell = (after[:, 0] == ord("c")) & np.isin(after[:, 1], _TAG_ENDS)
    is_row = (after[:, :3] == np.frombuffer(b"row", np.uint8)).all(axis=1)
    is_row &= np.isin(after[:, 3], _TAG_ENDS)
    with_r = np.frombuffer(b' r="', np.uint8)
    cell_refs = is_cell & (after[:, 1:5] == with_r).all(axis=1)
    row_refs = is_row & (after[:, 3:7] == with_r).all(axis=1)
    n_cells, n_rows = int(is_cell.sum()), int(is_row.sum())
    if int(cell_refs.sum()) != n_cells or int(row_refs.sum()) != n_rows:
        return None
    cells = _last_ref(data, opening[cell_refs] + 6, letters=True)
    rows = _last_ref(data, opening[row_refs] + 8, letters=False)
    if cells is None or rows is None:
        return None
    return n_cells, n_rows, max(cells[0], rows[0]), cells[1]


def _last_ref(data: np.ndarray, at: np.ndarray, *, letters: bool) -> tuple[int, int] | None:
    """The largest row number and column index among the references (``AB12"``) starting at
    ``at``: 1–3 capital letters when ``letters``, then 1–7 digits and a quote; None if any
    reference is not of that form."""
    if not at.size:
        return 0, 0
    text = data[at[:, None] + np.arange(11)]
    index = np.arange(11)[None, :]
    n_letters = np.argmin((text >= 65) & (text <= 90), axis=1)
    is_digit = (text >= 48) & (text <= 57)
    end = np.argmin(is_digit | (index < n_letters[:, None]), axis=1)
    n_digits = end - n_letters
    ok = (n_digits >= 1) & (n_digits <= 7) & (text[np.arange(len(at)), end] == ord('"'))
    ok &= ((n_letters >= 1) & (n_letters <= 3)) if letters else (n_letters == 0)
    if not ok.all():
        return None
    # the largest number has the most digits: only those references are read
    top = np.flatnonzero(n_digits == n_digits.max())
    part, first, last = text[top].astype(np.int64), n_letters[top], end[top]
    row = np.zeros(len(top), np.int64)
    for k in range(10):
        row = np.where((k >= first) & (k < last), row * 10 + part[:, k] - 48, row)
    column = 0
    if letters:
        top = np.flatnonzero(n_letters == n_letters.max())
        part, count = text[top].astype(np.int64), n_letters[top]
        col = np.zeros(len(top), np.int64)
        for k in range(3):
            col = np.where(k < count, col * 26 + part[:, k] - 64, col)
        column = int(col.max())
    return int(row.max()), column


def _walk_positions(xml: bytes) -> tuple[int, int]:
    """The extent (rows, columns) of a sheet whose cells or rows omit their ``r``."""
    row_i = col_i = max_row = max_col = 0
    for close, name, attrs in _TAG.findall(xml):
        if name == b"row":
            if close:
                row_i, col_i = row_i + 1, 0
                continue
            if (r := _R_ATTR.search(attrs)) is not None:
                row_i = _position(r[1])[0] - 1
            if attrs.endswith(b"/"):
                row_i, col_i = row_i + 1, 0
        elif not close:
            if (r := _R_ATTR.search(attrs)) is not None:
                row, col = _position(r[1])
                row_idx, col_idx = row - 1, col - 1
                col_i = col_idx
            else:
                row_idx, col_idx = row_i, col_i
            col_i += 1
            max_row, max_col = max(max_row, row_idx + 1), max(max_col, col_idx + 1)
            if max_row > MAX_ROWS + 1 or max_col > MAX_COLUMNS:
                break
    return max_row, max_col


def _check_zip(data: bytes) -> bool:
    """Refuse zip bombs before calamine opens the workbook: too many members, declared sizes or
    ratio beyond the limits, members whose real size differs from the declared one. Returns
    whether a cell could exceed :data:`MAX_CELL_CHARS` at all."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    # NotImplementedError: a directory entry claims a zip version Python cannot read (fuzz-found)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError) as exc:
        raise InputError(
            N_("not a readable .xlsx workbook (%(reason)s)"), params={"reason": str(exc)}
        ) from None
    with archive:
        members = archive.infolist()
        if len(members) > XLSX_MAX_MEMBERS:
            raise InputError(
                N_("the workbook has more than %(max)s parts"), params={"max": XLSX_MAX_MEMBERS}
            )
        total = sum(m.file_size for m in members)
        packed = max(1, sum(m.compress_size for m in members))
        if total > XLSX_MAX_UNCOMPRESSED or (
            total > XLSX_RATIO_FLOOR and total / packed > XLSX_MAX_RATIO
        ):
            raise InputError(
                N_(
                    "the workbook unpacks to %(mb)s MB (%(ratio)s× its size); at most %(max)s MB "
                    "are read"
                ),
                params={
                    "mb": round(total / 2**20, 1),
                    "ratio": round(total / packed),
                    "max": XLSX_MAX_UNCOMPRESSED // 2**20,
                },
            )
        try:
            long_text = False
            for member in members:
                if member.flag_bits & 0x1:
                    raise InputError(N_("the workbook is encrypted; save it without a password"))
                content = archive.read(member)  # stops at the declared size; checks the CRC
                if len(content) != member.file_size:
                    raise zipfile.BadZipFile(f"{member.filename}: size differs from the directory")
                if member.filename.lower().endswith(".xml") and b"sheetData" in content:
                    _scan_sheet(content)
                    # text in a sheet: inline strings and formula results
                    long_text |= member.file_size > MAX_CELL_CHARS and (
                        b"inlineStr" in content or b't="str"' in content
                    )
                elif member.file_size > MAX_CELL_CHARS and not member.filename.lower().endswith(
                    (".png", ".jpeg", ".jpg", ".emf", ".wmf", ".gif", ".bin")
                ):
                    long_text = True  # shared strings (or any other part that might hold text)
        except InputError:
            raise
        except (
            zipfile.BadZipFile,
            OSError,
            ValueError,
            EOFError,
            RuntimeError,
            NotImplementedError,
            zlib.error,
        ) as exc:
            raise InputError(
                N_("not a readable .xlsx workbook (%(reason)s)"), params={"reason": str(exc)}
            ) from None
    return long_text


def _raw_xlsx(data: bytes) -> pd.DataFrame:
    from python_calamine import CalamineError, CalamineWorkbook

    check_cells = _check_zip(data)
    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        rows = book.get_sheet_by_index(0).to_python(skip_empty_area=False)
    except (CalamineError, ValueError, OSError, IndexError, OverflowError) as exc:
        raise InputError(
            N_("not a readable .xlsx workbook (%(reason)s)"), params={"reason": str(exc)}
        ) from None
    if not rows:
        raise InputError(N_("the first sheet is empty"))
    lengths = set(map(len, rows))
    width = max(lengths)
    if len(rows) > MAX_ROWS + 1:
        raise _too_long()
    if width > MAX_COLUMNS:
        raise _too_wide(1)
    if len(lengths) != 1:  # ragged: pandas pads the short rows
        rows = pd.DataFrame(rows, dtype=object).to_numpy()
    grid = np.empty((len(rows), width), dtype=object)
    grid[:] = rows
    if check_cells:  # the text cells' lengths, in row order (C-level map, no Python loop)
        cells = grid.ravel()
        text = np.flatnonzero(np.fromiter(map(str.__instancecheck__, cells), bool, cells.size))
        sizes = np.fromiter(map(len, cells[text]), np.int64, text.size)
        if (big := np.flatnonzero(sizes > MAX_CELL_CHARS)).size:
            i, j = divmod(int(text[big[0]]), width)
            raise _cell_too_big(i + 1, j)
    return pd.DataFrame(grid, copy=False)


def _is_blank(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    return isinstance(value, float) and value != value  # NaN


def _blank(values: pd.Series | np.ndarray) -> np.ndarray:
    cells = values if isinstance(values, np.ndarray) else values.to_numpy()
    blank = np.asarray(cells == "", dtype=bool)  # C speed; a sparse sheet is mostly ""
    rest = np.flatnonzero(~blank)
    if rest.size:
        others = cells[rest]
        try:  # CSV: all text
            blank[rest] = np.fromiter((not v.strip() for v in others), dtype=bool, count=rest.size)
        except AttributeError:  # XLSX: numbers, dates, None
            try:  # all numbers (or number texts): only NaN is blank; vectorised
                blank[rest] = np.isnan(others.astype(float))
            except (TypeError, ValueError, OverflowError):
                blank[rest] = np.fromiter(map(_is_blank, others), dtype=bool, count=rest.size)
    return blank


def _to_float(value: object) -> float:
    """A cell as a number (NaN when it is none): text stripped, the Unicode minus as '-'."""
    if isinstance(value, str):
        value = value.strip().replace("\u2212", "-")
    elif not isinstance(value, int | float):
        return math.nan
    try:
        return float(value)
    except (ValueError, OverflowError):
        return math.nan


def _numbers(cells: pd.Series | np.ndarray, blank: np.ndarray) -> np.ndarray:
    """The cells as floats, NaN where blank or unreadable (vectorised when all are readable)."""
    values = cells if isinstance(cells, np.ndarray) else cells.to_numpy()
    out = np.full(len(values), np.nan)
    filled = values[~blank]
    try:
        out[~blank] = filled.astype(float)
    except (ValueError, TypeError, OverflowError):
        out[~blank] = np.fromiter(map(_to_float, filled), dtype=float, count=len(filled))
    return out


def _cell_text(value: object, limit: int = 40) -> str:
    text = "" if value is None else str(value).strip()
    return text if len(text) <= limit else text[:limit] + "…"


def _text(value: object) -> str:
    return "" if value is None else str(value).strip()
