"""The reading machinery behind :func:`bioproof.analysis.io.read_table`: fast, chunked, bounded.

A CSV file is read in chunks of :data:`CHUNK_BYTES` cut at record boundaries (quotes respected),
each chunk checked (NUL bytes, UTF-8 or else CP949, line endings) and parsed by polars' CSV
reader in three modes, the first that holds:

1. **typed**: only the columns the header names are parsed, straight to ``Float64``;
2. **text**: every column as text; numbers by a non-strict cast, the cells the cast refused
   (spaces, the Unicode minus, ``1_000``) re-read one by one by :func:`io._to_float`, so
   the offending row of a bad cell is found vectorised after the failed strict cast;
3. **Python**: the standard library's ``csv`` reader (ragged rows, odd quoting), exactly the
   reader of earlier versions.

Any problem found in a faster mode re-reads the chunk in the next one, so every message
(``row 17, column 'VCD': 'abc' is not a number``) is the one the exact reader gives.
An XLSX sheet (at most 1,048,576 rows) is read by python-calamine into cells and converted by
the same column checks.

Header → column plan (names, units, conversion factors) is cached per header text
(:func:`functools.lru_cache`): instrument files of one kind repeat their headers.

:class:`Limits` bounds the bytes, rows, columns, cells and cell length; :func:`reading` sets
other limits (a sensor log of gigabytes) and a progress callback for the readers called inside,
so every ``read_<layout>`` reader streams large files without a change of signature.
"""

from __future__ import annotations

import contextlib
import contextvars
import csv
import itertools
import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np
import pandas as pd

from bioproof.analysis import io as rio
from bioproof.analysis.errors import N_, InputError, Message
from bioproof.analysis.units import (
    ColumnSpec,
    UnitError,
    check_label_unit,
    conversion,
    header_key,
    split_header,
)

#: Bytes of one chunk of a CSV file (a record is never split between chunks).
CHUNK_BYTES = 16 * 2**20
#: Below this many bytes a chunk is read by the csv module (polars' start-up costs more).
POLARS_MIN_BYTES = 128 * 2**10
_BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True)
class Limits:
    """Bounds of one read: bytes of the file, data rows, columns, rows × columns, characters of
    one cell."""

    max_bytes: int
    max_rows: int
    max_columns: int
    max_cells: int
    max_cell_chars: int

    @classmethod
    def default(cls) -> Limits:
        """The limits of every upload (``bioproof.analysis.io.MAX_*``, docs/operations.md)."""
        return cls(
            rio.MAX_FILE_BYTES, rio.MAX_ROWS, rio.MAX_COLUMNS, rio.MAX_CELLS, rio.MAX_CELL_CHARS
        )

    @classmethod
    def large(cls, max_bytes: int) -> Limits:
        """Limits of a long log of ``max_bytes`` at most: a row takes at least 8 bytes and a
        cell 2, so rows and cells follow from the size; columns and cell length stay."""
        return cls(
            int(max_bytes),
            max(rio.MAX_ROWS, int(max_bytes) // 8),
            rio.MAX_COLUMNS,
            max(rio.MAX_CELLS, int(max_bytes) // 2),
            rio.MAX_CELL_CHARS,
        )


@dataclass(frozen=True)
class _Context:
    limits: Limits | None = None
    progress: Callable[[int, int | None], None] | None = None


_context: contextvars.ContextVar[_Context | None] = contextvars.ContextVar(
    "bioproof_reading", default=None
)


@contextlib.contextmanager
def reading(
    *,
    limits: Limits | None = None,
    progress: Callable[[int, int | None], None] | None = None,
) -> Iterator[None]:
    """Within the block, readers use ``limits`` and call ``progress(bytes_read, total_or_None)``
    after each chunk."""
    token = _context.set(_Context(limits, progress))
    try:
        yield
    finally:
        _context.reset(token)


def current_limits() -> Limits:
    context = _context.get()
    return (context.limits if context else None) or Limits.default()


# ---------------------------------------------------------------------------- header plan
@dataclass(frozen=True)
class _Column:
    """A canonical column found in the header, with its conversion to canonical units."""

    spec: ColumnSpec
    index: int
    label: str
    unit: str | None
    factor: float
    offset: float


@dataclass(frozen=True)
class _Plan:
    #: per spec in order: the column found, or the error to raise when the spec is reached
    steps: tuple[_Column | InputError, ...]
    #: text column name → index, in header order
    texts: tuple[tuple[str, int], ...]
    text_error: InputError | None

    @property
    def numeric(self) -> tuple[int, ...]:
        return tuple(s.index for s in self.steps if isinstance(s, _Column))

    @property
    def used(self) -> tuple[int, ...]:
        return tuple(sorted({*self.numeric, *(j for _n, j in self.texts)}))


_MISSING = N_("missing required column '%(name)s'; add a header such as '%(example)s'")


def _example(spec: ColumnSpec) -> str:
    return spec.examples.split(",")[0]


@lru_cache(maxsize=2048)
def _plan(
    header: tuple[str | None, ...],
    columns: tuple[ColumnSpec, ...],
    text_columns: tuple[tuple[str, tuple[str, ...]], ...],
) -> _Plan:
    """Which header cell gives which column and how its unit converts (cached per header)."""
    by_alias = {alias: spec for spec in columns for alias in (spec.name, *spec.aliases)}
    text_keys = {a: name for name, aliases in text_columns for a in (name, *aliases)}
    found: dict[str, tuple[int, str, str | None]] = {}
    texts: dict[str, int] = {}
    for j, cell in enumerate(header):
        if cell is None or not cell.strip():
            continue
        label, unit = split_header(cell)
        key = header_key(label)
        if key in text_keys:
            texts.setdefault(text_keys[key], j)
            continue
        spec = by_alias.get(key)
        if spec is None:
            continue
        if spec.name in found:
            raise InputError(
                N_("columns '%(first)s' and '%(second)s' both give %(name)s; keep one"),
                row=1,
                column=label,
                params={"first": found[spec.name][1], "second": label, "name": spec.name},
            )
        found[spec.name] = (j, label, unit)
    steps: list[_Column | InputError] = []
    for spec in columns:
        if spec.name not in found:
            if spec.required:
                example = f"{spec.name.replace('_', ' ').capitalize()} [{_example(spec)}]"
                steps.append(
                    InputError(
                        N_(
                            "missing required column '%(name)s'; add a header such as '%(example)s'"
                        ),
                        row=1,
                        column=spec.name,
                        params={"name": spec.name, "example": example},
                    )
                )
            continue
        j, label, unit = found[spec.name]
        steps.append(_unit_step(spec, j, label, unit))
    text_error = next(
        (
            InputError(
                N_("missing required column '%(name)s'"),
                row=1,
                column=name,
                params={"name": name},
            )
            for name, _aliases in text_columns
            if name not in texts
        ),
        None,
    )
    return _Plan(tuple(steps), tuple(texts.items()), text_error)


def _unit_step(spec: ColumnSpec, j: int, label: str, unit: str | None) -> _Column | InputError:
    if unit is None and not spec.unitless:
        return InputError(
            N_("no unit in the header; write it like '%(example)s' (accepted: %(accepted)s)"),
            row=1,
            column=label,
            params={"example": f"{label} [{_example(spec)}]", "accepted": spec.examples},
        )
    factor, offset = 1.0, 0.0
    if unit is not None:
        try:
            if spec.unit:
                factor, offset = conversion(unit, spec.unit, molar_mass=spec.molar_mass)
            else:
                check_label_unit(unit)
        except UnitError as exc:
            return InputError(
                N_("%(reason)s; accepted units: %(accepted)s"),
                row=1,
                column=label,
                params={"reason": Message(exc.template, **exc.params), "accepted": spec.examples},
            )
    return _Column(spec, j, label, unit, factor, offset)


# ---------------------------------------------------------------------------- chunks
class _Fallback(Exception):
    """The chunk must be read again in a more exact mode."""


class _Chunk:
    """One chunk's cells: ``n`` records from spreadsheet row ``row0``."""

    n: int
    row0: int
    exact: bool

    def keep(self) -> np.ndarray:  # rows not entirely blank
        raise NotImplementedError

    def numeric(self, j: int) -> tuple[np.ndarray, np.ndarray, Callable[[int], str]]:
        """(numbers with NaN where blank or unreadable, blank mask, text of cell i)."""
        raise NotImplementedError

    def text(self, j: int) -> np.ndarray:
        raise NotImplementedError


class _CellChunk(_Chunk):
    """Cells as Python objects (the csv module's strings, calamine's values), one object array
    per column."""

    exact = True

    def __init__(self, columns: list[np.ndarray], n: int, row0: int) -> None:
        self.columns, self.row0, self.n = columns, row0, n
        self.blanks = [rio._blank(c) for c in columns]

    def keep(self) -> np.ndarray:
        if not self.blanks or not self.n:
            return np.ones(self.n, dtype=bool)
        return ~np.logical_and.reduce(self.blanks)

    def numeric(self, j: int) -> tuple[np.ndarray, np.ndarray, Callable[[int], str]]:
        if j >= len(self.columns):  # a header wider than every data row
            return np.full(self.n, np.nan), np.ones(self.n, dtype=bool), lambda i: ""
        values, blank = self.columns[j], self.blanks[j]
        return rio._numbers(values, blank), blank, lambda i: rio._cell_text(values[i])

    def text(self, j: int) -> np.ndarray:
        if j >= len(self.columns):
            return np.full(self.n, "", dtype=object)
        return np.array([rio._text(v) for v in self.columns[j]], dtype=object)


class _TypedChunk(_Chunk):
    """The header's columns parsed straight to Float64 by polars (text columns as text)."""

    exact = False

    def __init__(self, frame: Any, plan: _Plan, row0: int) -> None:
        self.frame, self.row0, self.n = frame, row0, frame.height
        self.nulls: dict[int, np.ndarray] = {}
        self.values: dict[int, np.ndarray] = {}
        for j in plan.numeric:
            s = frame.get_column(f"c{j}")
            self.values[j] = s.to_numpy()  # nulls become NaN
            # null_count is metadata: the mask is built only for a column with empty cells
            self.nulls[j] = s.is_null().to_numpy() if s.null_count() else np.zeros(self.n, bool)

    def keep(self) -> np.ndarray:
        if not self.nulls:
            return np.ones(self.n, dtype=bool)
        keep = ~np.logical_and.reduce(list(self.nulls.values()))
        if not keep.all():
            raise _Fallback  # blank in every column read: the others decide (text mode)
        return keep

    def numeric(self, j: int) -> tuple[np.ndarray, np.ndarray, Callable[[int], str]]:
        values = self.values[j]
        return values, self.nulls[j], lambda i: f"{values[i]:g}"

    def text(self, j: int) -> np.ndarray:
        return self.frame[f"c{j}"].fill_null("").str.strip_chars().to_numpy().astype(object)


class _TextChunk(_Chunk):
    """Every column as text (polars); numbers by a non-strict cast, refused cells re-read one
    by one with the exact rules of :func:`io._to_float`."""

    exact = True

    def __init__(self, frame: Any, row0: int, limits: Limits) -> None:
        import polars as pl

        self.frame, self.row0, self.n = frame, row0, frame.height
        blanks = []
        first_big: tuple[int, int] | None = None
        for j, name in enumerate(frame.columns):
            s = frame[name]
            blanks.append((s.is_null() | (s.str.strip_chars() == "")).fill_null(True).to_numpy())
            too_long = np.flatnonzero((s.str.len_chars() > limits.max_cell_chars).fill_null(False))
            if too_long.size and (first_big is None or too_long[0] < first_big[0]):
                first_big = (int(too_long[0]), j)
        if first_big is not None:
            raise _cell_too_big(row0 + first_big[0], first_big[1], limits)
        self.blanks = blanks
        self._pl = pl

    def keep(self) -> np.ndarray:
        if not self.blanks:
            return np.ones(self.n, dtype=bool)
        return ~np.logical_and.reduce(self.blanks)

    def numeric(self, j: int) -> tuple[np.ndarray, np.ndarray, Callable[[int], str]]:
        if j >= len(self.blanks):
            return np.full(self.n, np.nan), np.ones(self.n, dtype=bool), lambda i: ""
        s = self.frame[self.frame.columns[j]]
        numbers = s.cast(self._pl.Float64, strict=False).to_numpy().copy()
        blank = self.blanks[j]
        refused = np.flatnonzero(np.isnan(numbers) & ~blank)
        if refused.size:  # cells the strict cast refused: the exact rules, one by one
            cells = s.gather(refused).to_list()
            numbers[refused] = np.fromiter(map(rio._to_float, cells), float, refused.size)
        return numbers, blank, lambda i: rio._cell_text(s[int(i)])

    def text(self, j: int) -> np.ndarray:
        if j >= len(self.blanks):
            return np.full(self.n, "", dtype=object)
        cells = self.frame[self.frame.columns[j]].to_list()
        return np.array([rio._text(v) for v in cells], dtype=object)


# ---------------------------------------------------------------------------- the builder
class _Builder:
    """Collects the converted columns of successive chunks; checks every value vectorised."""

    def __init__(
        self, plan: _Plan, increasing: tuple[str, ...], min_rows: int, limits: Limits
    ) -> None:
        self.plan, self.min_rows, self.limits = plan, min_rows, limits
        names = [s.spec.name for s in plan.steps if isinstance(s, _Column)]
        self.order = next((n for n in increasing if n in names), None)
        self.names = names
        # the numeric columns (one row each) and the spreadsheet row numbers, written in place
        # chunk after chunk; room is reserved ahead (``expected``): pages never written are never
        # resident, so a generous reserve costs no memory, and no copy joins the chunks at the end
        self.block = np.empty((len(names), 0))
        self.expected = 0
        self.text_parts: dict[str, list[np.ndarray]] = {n: [] for n, _j in plan.texts}
        # spreadsheet row numbers: 4 bytes each while the limit allows (a 200 MB sensor log has
        # 6.7 million rows: 27 MB, not 53)
        self.row_type = np.int32 if limits.max_rows < 2**31 - 2 else np.int64
        self.rows = np.empty(0, self.row_type)
        self.count = 0
        self.records = 1  # the header
        self.width = 0
        self.last: tuple[float, str] | None = None  # order column: last value, its text
        self.disorder: InputError | None = None

    def add(self, chunk: _Chunk, width: int) -> None:
        """Convert and check one chunk; nothing is kept unless all of it is good."""
        self.width = max(self.width, width)
        records = self.records + chunk.n
        if records > self.limits.max_rows + 1:
            raise _too_long(self.limits)
        if records * max(self.width, 1) > self.limits.max_cells:
            raise _too_many_cells(records, self.width, self.limits)
        keep = chunk.keep()
        index = np.flatnonzero(keep)
        rows = chunk.row0 + index
        out: dict[str, np.ndarray] = {}
        disorder = self.disorder
        last = self.last
        for step in self.plan.steps:
            if isinstance(step, InputError):
                raise step.at()
            numbers, blank, text_of = chunk.numeric(step.index)
            if not keep.all():
                numbers, blank = numbers[index], blank[index]
                text_of = _through(text_of, index)
            values = _values(numbers, blank, rows, step, text_of, chunk.exact)
            out[step.spec.name] = values
            if step.spec.name == self.order and values.size:
                if disorder is None:
                    disorder = _disorder(values, rows, step, text_of, last)
                    if disorder is not None and not chunk.exact:
                        raise _Fallback
                last = (float(values[-1]), text_of(len(values) - 1))
        if self.plan.text_error is not None:
            raise self.plan.text_error.at()
        texts = {name: chunk.text(j)[index] for name, j in self.plan.texts}
        self._reserve(len(rows))
        end = self.count + len(rows)
        for k, name in enumerate(self.names):
            self.block[k, self.count : end] = out[name]
        for name, values in texts.items():
            self.text_parts[name].append(values)
        self.rows[self.count : end] = rows
        self.count = end
        self.records = records
        self.last, self.disorder = last, disorder

    def _reserve(self, n: int) -> None:
        """Room for ``n`` more rows: the expected total, else twice what there is."""
        need = self.count + n
        if need <= len(self.rows):
            return
        room = max(need, min(self.expected, self.limits.max_rows), 2 * len(self.rows))
        block, rows = np.empty((len(self.names), room)), np.empty(room, self.row_type)
        block[:, : self.count] = self.block[:, : self.count]
        rows[: self.count] = self.rows[: self.count]
        self.block, self.rows = block, rows

    def check_header(self) -> None:
        """The header's own errors, in the order the columns are checked (no data at all)."""
        for step in self.plan.steps:
            if isinstance(step, InputError):
                raise step.at()
        if self.plan.text_error is not None:
            raise self.plan.text_error.at()

    def finish(self) -> tuple[list[str], np.ndarray, dict[str, np.ndarray], np.ndarray]:
        """(numeric column names, their values as one (columns × rows) block, text columns,
        spreadsheet rows), as written chunk by chunk (no copy joins them)."""
        if self.count < self.min_rows:
            raise InputError(
                N_("needs at least %(min)s data rows, found %(n)s"),
                params={"min": self.min_rows, "n": self.count},
            )
        if self.disorder is not None:
            raise self.disorder
        texts = {name: _join(parts, object) for name, parts in self.text_parts.items()}
        return self.names, self.block[:, : self.count], texts, self.rows[: self.count]


def _join(parts: list[np.ndarray], dtype: Any) -> np.ndarray:
    if not parts:
        return np.empty(0, dtype=dtype)
    return parts[0] if len(parts) == 1 else np.concatenate(parts)


def _through(text_of: Callable[[int], str], index: np.ndarray) -> Callable[[int], str]:
    return lambda i: text_of(int(index[i]))


def _disorder(
    values: np.ndarray,
    rows: np.ndarray,
    step: _Column,
    text_of: Callable[[int], str],
    last: tuple[float, str] | None,
) -> InputError | None:
    """The first value that does not increase strictly (also across the previous chunk)."""
    if last is not None and not values[0] > last[0]:
        i, value, previous = 0, text_of(0), last[1]
    else:
        bad = np.flatnonzero(~(np.diff(values) > 0))
        if not bad.size:
            return None
        i = int(bad[0]) + 1
        value, previous = text_of(i), text_of(i - 1)
    return InputError(
        N_(
            "%(what)s out of order: %(value)s %(unit)s comes after %(previous)s %(unit)s; "
            "they must increase strictly"
        ),
        row=int(rows[i]),
        column=step.label,
        params={
            "what": Message(N_("times")) if step.spec.name == "time" else step.spec.name,
            "value": value,
            "previous": previous,
            "unit": step.unit or "",
        },
    )


def _values(
    numbers: np.ndarray,
    blank: np.ndarray,
    rows: np.ndarray,
    step: _Column,
    text_of: Callable[[int], str],
    exact: bool,
) -> np.ndarray:
    """The column in canonical units; the first bad cell raises (in a fast mode: re-read)."""
    spec, label, unit = step.spec, step.label, step.unit

    def fail(error: InputError) -> InputError:
        if not exact:
            raise _Fallback
        return error

    finite = np.isfinite(numbers)
    bad = np.flatnonzero(~blank & ~finite)
    if bad.size:
        raise fail(
            InputError(
                N_("'%(value)s' is not a number"),
                row=rows[bad[0]],
                column=label,
                params={"value": text_of(bad[0])},
            )
        )
    if spec.required or not (spec.allow_empty or spec.fill is not None):
        empty = np.flatnonzero(blank)
        if empty.size:
            raise fail(
                InputError(
                    N_("empty cell; a number is needed"),
                    row=rows[empty[0]],
                    column=label,
                    params={},
                )
            )
    with np.errstate(over="ignore", invalid="ignore"):
        values = numbers * step.factor + step.offset if step.factor != 1 or step.offset else numbers
        absurd = np.flatnonzero(
            ~blank & ~((np.abs(values) <= rio.MAX_VALUE) & (np.abs(numbers) <= rio.MAX_VALUE))
        )
    if absurd.size:
        raise fail(
            InputError(
                N_("%(value)s %(unit)s is out of range (more than 1e300 in %(canonical)s)"),
                row=rows[absurd[0]],
                column=label,
                params={
                    "value": text_of(absurd[0]),
                    "unit": unit or "",
                    "canonical": spec.unit or unit or "",
                },
            )
        )
    if spec.fill is not None and blank.any():
        values = np.where(blank, spec.fill, values)
    if spec.low is not None:
        low = np.flatnonzero(values < spec.low)
        if low.size:
            what = (
                Message(N_("negative"))
                if spec.low == 0
                else Message(N_("below %(low)s"), low=f"{spec.low:g}")
            )
            raise fail(
                InputError(
                    N_("%(value)s is %(what)s; %(label)s cannot be %(what)s"),
                    row=rows[low[0]],
                    column=label,
                    params={"value": f"{numbers[low[0]]:g}", "what": what, "label": label},
                )
            )
    if spec.high is not None:
        high = np.flatnonzero(values > spec.high)
        if high.size:
            raise fail(
                InputError(
                    N_("%(value)s is outside %(low)s–%(high)s %(unit)s"),
                    row=rows[high[0]],
                    column=label,
                    params={
                        "value": f"{numbers[high[0]]:g}",
                        "low": f"{spec.low:g}",
                        "high": f"{spec.high:g}",
                        "unit": unit or "",
                    },
                )
            )
    if values is numbers:
        values = numbers.copy() if not numbers.flags.writeable else numbers
    return values


# ---------------------------------------------------------------------------- sources
def _blocks(source: rio.Source, limits: Limits) -> tuple[Iterator[bytes], int | None]:
    """The bytes of ``source`` in blocks of :data:`CHUNK_BYTES`, refused past ``max_bytes``;
    with the total size when known."""
    if isinstance(source, bytes | bytearray | memoryview):
        if len(source) > limits.max_bytes:
            raise _too_big(limits)
        view = memoryview(source)
        step = CHUNK_BYTES
        return (bytes(view[i : i + step]) for i in range(0, len(view), step)), len(view)
    if isinstance(source, str | os.PathLike):
        path = Path(source)
        try:
            size = path.stat().st_size
            if size > limits.max_bytes:
                raise _too_big(limits)
            handle = path.open("rb")
        except OSError as exc:
            raise InputError(
                N_("cannot read the file (%(reason)s)"), params={"reason": exc.strerror or exc}
            ) from None
        return _read_blocks(handle, limits, close=True), size
    size = getattr(source, "size", None)
    if isinstance(size, int) and size > limits.max_bytes:
        raise _too_big(limits)
    return _read_blocks(source, limits, close=False), size if isinstance(size, int) else None


def _read_blocks(handle: BinaryIO, limits: Limits, *, close: bool) -> Iterator[bytes]:
    total = 0
    try:
        while True:
            try:
                block = handle.read(CHUNK_BYTES)
            except OSError as exc:
                raise InputError(
                    N_("cannot read the file (%(reason)s)"),
                    params={"reason": exc.strerror or exc},
                ) from None
            if not block:
                return
            if not isinstance(block, bytes | bytearray):
                raise InputError(N_("open the file in binary mode"))
            total += len(block)
            if total > limits.max_bytes:
                raise _too_big(limits)
            yield bytes(block)
    finally:
        if close:
            handle.close()


def _too_long(limits: Limits) -> InputError:
    return InputError(
        N_("more than %(max)s rows; split the data into several files"),
        params={"max": limits.max_rows},
    )


def _too_many_cells(rows: int, columns: int, limits: Limits) -> InputError:
    return InputError(
        N_("%(rows)s rows × %(columns)s columns is more than %(max)s cells"),
        params={"rows": rows, "columns": columns, "max": limits.max_cells},
    )


def _too_wide(row: int, limits: Limits) -> InputError:
    return InputError(
        N_("more than %(max)s columns; keep one table of data per file"),
        row=row,
        params={"max": limits.max_columns},
    )


def _cell_too_big(row: int, col: int | None, limits: Limits) -> InputError:
    return InputError(
        N_("a cell holds more than %(kib)s KiB of text"),
        row=row,
        column=None if col is None else rio._column_letter(col),
        params={"kib": limits.max_cell_chars // 1024},
    )


def _too_big(limits: Limits) -> InputError:
    return InputError(
        N_("the file is larger than %(mb)s MB"), params={"mb": limits.max_bytes // 2**20}
    )


def _records(blocks: Iterator[bytes], terminator: bytes) -> Iterator[bytes]:
    """Re-cut the blocks at record ends (a terminator outside quotes)."""
    pending: list[bytes] = []
    size = 0
    for block in blocks:
        pending.append(block)
        size += len(block)
        if size < CHUNK_BYTES:
            continue
        buf = b"".join(pending)
        cut = _cut(buf, terminator)
        if cut:
            yield buf[:cut]
            rest = buf[cut:]
            pending, size = ([rest], len(rest)) if rest else ([], 0)
        else:
            pending, size = [buf], len(buf)
    if pending:
        yield b"".join(pending)


def _cut(buf: bytes, terminator: bytes) -> int:
    """The end of the last whole record in ``buf`` (0: none); the chunk starts a record."""
    end = len(buf)
    quoted = b'"' in buf
    for _ in range(64):
        pos = buf.rfind(terminator, 0, end)
        if pos < 0:
            return 0
        if not quoted or buf.count(b'"', 0, pos) % 2 == 0:
            return pos + 1
        end = pos
    return 0


class _Text:
    """Per-file state of the CSV text checks: the encoding found so far."""

    def __init__(self) -> None:
        self.encoding = "utf-8"
        self.utf8_seen = False
        self.lines = 0  # lines before the chunk being checked (records; the caller sets it)

    def check(self, chunk: bytes) -> bytes:
        """The chunk as UTF-8 with \\n line ends; NUL bytes and unreadable text refused."""
        nul = chunk.find(b"\x00")
        if nul >= 0:
            raise InputError(
                N_("the file contains a NUL byte (binary data, not CSV text)"),
                row=self.lines + rio._line_of(chunk, nul),
            )
        if self.encoding == "cp949":
            chunk = self._cp949(chunk, None)
        elif not chunk.isascii():
            try:
                chunk.decode("utf-8")
                self.utf8_seen = True
            except UnicodeDecodeError as exc:
                chunk = self._cp949(chunk, exc.start)
        if b"\r" in chunk:
            chunk = chunk.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
        return chunk

    def _cp949(self, chunk: bytes, first_bad: int | None) -> bytes:
        if not self.utf8_seen:
            try:
                text = chunk.decode("cp949")
            except UnicodeDecodeError as exc:
                first_bad = exc.start if first_bad is None else first_bad
            else:
                self.encoding = "cp949"
                return text.encode("utf-8")
        assert first_bad is not None or self.encoding == "cp949"
        bad = first_bad if first_bad is not None else 0
        raise InputError(
            N_(
                "the CSV file is neither UTF-8 nor CP949 text (byte 0x%(byte)s); save it as "
                "'CSV UTF-8'"
            ),
            row=self.lines + rio._line_of(chunk, bad),
            params={"byte": f"{chunk[bad]:02X}"},
        )


# ---------------------------------------------------------------------------- CSV
def _lines(chunk: bytes) -> Iterator[str]:
    """The lines of a checked chunk, decoded one at a time (a line never splits a character)."""
    start = 0
    while start < len(chunk):
        nl = chunk.find(b"\n", start)
        end = len(chunk) if nl < 0 else nl + 1
        yield chunk[start:end].decode("utf-8")
        start = end


def _header(chunk: bytes) -> tuple[list[str], str, int]:
    """The first record's cells, the delimiter and the byte length of the first record."""
    first = next((line for line in _lines(chunk) if line.strip()), None)
    if first is None:
        raise InputError(N_("the file is empty"))
    delimiter = max((",", ";", "\t"), key=first.count)
    reader = csv.reader(_lines(chunk), delimiter=delimiter)
    try:
        header = next(reader, [])
    except csv.Error as exc:
        raise InputError(
            N_("cannot read the CSV text (%(reason)s)"),
            row=reader.line_num,
            params={"reason": str(exc)},
        ) from None
    # the header's length in bytes: its physical lines (a quoted cell may hold a line end)
    end = 0
    for _ in range(reader.line_num):
        nl = chunk.find(b"\n", end)
        end = len(chunk) if nl < 0 else nl + 1
    return header, delimiter, end


def _polars_chunk(
    chunk: bytes, delimiter: str, width: int, numeric: Sequence[int] | None, used: Sequence[int]
) -> Any:
    """The chunk parsed by polars: ``numeric`` columns as Float64 and the others of ``used``
    as text, or (``numeric`` None) every column as text. Raises :class:`_Fallback`."""
    import polars as pl

    if width == 0 or (len(chunk) <= 4096 and not chunk.strip(b"\n")):
        raise _Fallback  # no header cells, or only blank lines: the csv module counts them
    floats = set(numeric or ())
    schema = {f"c{j}": (pl.Float64 if j in floats else pl.String) for j in range(width)}
    try:
        return pl.read_csv(
            chunk,
            has_header=False,
            separator=delimiter,
            quote_char='"',
            schema=schema,
            columns=list(used) if numeric is not None else None,
            raise_if_empty=False,
        )
    except (pl.exceptions.PolarsError, ValueError, OverflowError):
        raise _Fallback from None


def _python_chunk(chunk: bytes, delimiter: str, row0: int, limits: Limits) -> tuple[_Chunk, int]:
    """The chunk read by the standard library's csv module, as the earlier reader did."""
    text = chunk.decode("utf-8")
    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()
    reader = csv.reader([line + "\n" for line in lines], delimiter=delimiter)
    try:
        rows = list(itertools.islice(reader, limits.max_rows + 2))
    except csv.Error as exc:
        if "field larger" in str(exc):
            raise _cell_too_big(row0 - 1 + reader.line_num, None, limits) from None
        raise InputError(
            N_("cannot read the CSV text (%(reason)s)"),
            row=row0 - 1 + reader.line_num,
            params={"reason": str(exc)},
        ) from None
    width = max(map(len, rows), default=0)
    if width > limits.max_columns:
        wide = next(i for i, r in enumerate(rows) if len(r) > limits.max_columns)
        raise _too_wide(row0 + wide, limits)
    for i, record in enumerate(rows):
        if sum(map(len, record)) > limits.max_cell_chars:
            j = next((j for j, c in enumerate(record) if len(c) > limits.max_cell_chars), None)
            if j is not None:
                raise _cell_too_big(row0 + i, j, limits)
    if any(len(r) != width for r in rows):
        rows = [r if len(r) == width else r + [""] * (width - len(r)) for r in rows]
    columns = [np.array(column, dtype=object) for column in zip(*rows, strict=True)]
    return _CellChunk(columns, len(rows), row0), width


def _read_csv(
    source: rio.Source,
    columns: tuple[ColumnSpec, ...],
    increasing: tuple[str, ...],
    min_rows: int,
    text_columns: tuple[tuple[str, tuple[str, ...]], ...],
) -> tuple[list[str], np.ndarray, dict[str, np.ndarray], np.ndarray]:
    limits = current_limits()
    progress = context.progress if (context := _context.get()) else None
    blocks, total = _blocks(source, limits)
    first = next(blocks, b"")
    if not first:
        raise InputError(N_("the file is empty"))
    if first[:2] in (b"\xff\xfe", b"\xfe\xff"):
        raise InputError(N_("the file is UTF-16 text; save it as 'CSV UTF-8'"))
    if first.startswith(_BOM):
        first = first[3:]
    terminator = b"\n" if b"\n" in first or b"\r" not in first else b"\r"
    chunks = _records(itertools.chain([first], blocks), terminator)
    state = _Text()
    done = 0
    builder: _Builder | None = None
    delimiter, width, row0 = ",", 0, 2
    for raw in chunks:
        done += len(raw)
        state.lines = row0 - 1 if builder is not None else 0
        chunk = state.check(raw)
        if builder is None:
            header, delimiter, end = _header(chunk)
            width = len(header)
            if width > limits.max_columns:
                raise _too_wide(1, limits)
            if any(len(c) > limits.max_cell_chars for c in header):
                j = next(j for j, c in enumerate(header) if len(c) > limits.max_cell_chars)
                raise _cell_too_big(1, j, limits)
            plan = _plan(tuple(header), columns, text_columns)
            builder = _Builder(plan, increasing, min_rows, limits)
            chunk = chunk[end:]
        row0 = _add_chunk(builder, chunk, delimiter, width, row0, limits)
        if total and not builder.expected and builder.count:
            # rows expected from the first chunk's bytes per row, with a margin (reserved room
            # that is never written costs no memory)
            builder.expected = int(1.25 * total * builder.count / max(done, 1)) + 1024
        if progress is not None:
            progress(done, total)
    if builder is None:
        raise InputError(N_("the file is empty"))
    if builder.records == 1:
        builder.check_header()
    return builder.finish()


def _add_chunk(
    builder: _Builder, chunk: bytes, delimiter: str, width: int, row0: int, limits: Limits
) -> int:
    """Read one chunk in the fastest mode that holds; returns the next chunk's first row."""
    if not chunk:
        return row0
    plan = builder.plan
    if len(chunk) >= POLARS_MIN_BYTES:  # a small file: the csv module is quicker than polars
        if plan.numeric:  # text only: blank rows are decided on every column (text mode)
            try:
                frame = _polars_chunk(chunk, delimiter, width, plan.numeric, plan.used)
                typed = _TypedChunk(frame, plan, row0)
                builder.add(typed, width)
                return row0 + typed.n
            except _Fallback:
                pass
        try:
            frame = _polars_chunk(chunk, delimiter, width, None, ())
            text = _TextChunk(frame, row0, limits)
            builder.add(text, width)
            return row0 + text.n
        except _Fallback:
            pass
    cells, found_width = _python_chunk(chunk, delimiter, row0, limits)
    builder.add(cells, max(width, found_width))
    return row0 + cells.n


# ---------------------------------------------------------------------------- entry point
def read(
    source: rio.Source,
    *,
    filename: str,
    columns: Sequence[ColumnSpec],
    increasing: tuple[str, ...],
    min_rows: int,
    text_columns: Mapping[str, Sequence[str]],
) -> pd.DataFrame:
    """What :func:`bioproof.analysis.io.read_table` returns (see there)."""
    ext = Path(filename).suffix.lower()
    if ext not in (".csv", ".xlsx"):
        raise InputError(
            N_("unsupported file type '%(ext)s'; upload .csv or .xlsx"),
            params={"ext": ext or filename},
        )
    specs = tuple(columns)
    texts = tuple((name, tuple(aliases)) for name, aliases in text_columns.items())
    reader = _read_csv if ext == ".csv" else _read_cells
    names, block, text_values, rows = reader(source, specs, increasing, min_rows, texts)
    # one float block, not copied by pandas (a dict of columns would be consolidated: a copy)
    frame = pd.DataFrame(block.T, columns=names, copy=False)
    for name, values in text_values.items():
        frame[name] = values
    frame.attrs["rows"] = rows.tolist() if len(rows) <= rio.MAX_ROWS else rows
    return frame


def _read_cells(
    source: rio.Source,
    columns: tuple[ColumnSpec, ...],
    increasing: tuple[str, ...],
    min_rows: int,
    text_columns: tuple[tuple[str, tuple[str, ...]], ...],
) -> tuple[list[str], np.ndarray, dict[str, np.ndarray], np.ndarray]:
    data = rio._read_bytes(source)
    if not data:
        raise InputError(N_("the file is empty"))
    raw = rio._raw_xlsx(data)
    if raw.shape[0] == 0:
        raise InputError(N_("the file is empty"))
    header = tuple(None if c is None else str(c) for c in raw.iloc[0])
    builder = _Builder(_plan(header, columns, text_columns), increasing, min_rows, Limits.default())
    body = [raw[c].to_numpy()[1:] for c in raw.columns]
    builder.add(_CellChunk(body, raw.shape[0] - 1, 2), raw.shape[1])
    return builder.finish()
