"""Helpers for the analysis tests: write small CSV/XLSX files in memory."""

from __future__ import annotations

import io
from collections.abc import Sequence

import pytest


def csv_bytes(header: Sequence[str], rows: Sequence[Sequence[object]], sep: str = ",") -> bytes:
    lines = [sep.join(header)] + [sep.join(str(c) for c in row) for row in rows]
    return ("\n".join(lines) + "\n").encode()


def xlsx_bytes(header: Sequence[str], rows: Sequence[Sequence[object]]) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


OFFLINE_HEADER = (
    "Time [d]",
    "VCD [1e6 cells/mL]",
    "Viability [%]",
    "Glucose [g/L]",
    "Lactate [g/L]",
    "Titer [mg/L]",
)
OFFLINE_ROWS = (
    (0, 0.5, 98, 6.0, 0.2, 0),
    (1, 1.0, 97, 5.5, 0.5, 20),
    (2, 2.0, 96, 5.0, 0.9, 60),
    (3, 4.0, 95, 4.0, 1.4, 140),
)


@pytest.fixture
def offline_csv() -> bytes:
    return csv_bytes(OFFLINE_HEADER, OFFLINE_ROWS)
