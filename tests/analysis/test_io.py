"""Reading tidy CSV/XLSX with units in the headers; every error names file, row and column."""

from __future__ import annotations

import io

import numpy as np
import pytest
from conftest import OFFLINE_HEADER, OFFLINE_ROWS, csv_bytes, xlsx_bytes

from bioproof.analysis.errors import InputError
from bioproof.analysis.io import read_offline, read_qc, read_table
from bioproof.analysis.units import conversion_factor, split_header


def _error(data: bytes, filename: str = "run1.csv") -> InputError:
    with pytest.raises(InputError) as info:
        read_offline(data, filename=filename)
    return info.value


def _with(row: int, col: int, value: object) -> bytes:
    rows = [list(r) for r in OFFLINE_ROWS]
    rows[row][col] = value
    return csv_bytes(OFFLINE_HEADER, rows)


def test_error_message_format() -> None:
    e = InputError("'abc' is not a number", file="run1.csv", row=17, column="VCD")
    assert str(e) == "file 'run1.csv', row 17, column 'VCD': 'abc' is not a number"
    assert isinstance(e, ValueError)
    assert (e.file, e.row, e.column, e.problem) == ("run1.csv", 17, "VCD", "'abc' is not a number")
    assert str(InputError("bad")) == "bad"


def test_reads_csv_to_canonical_units(offline_csv: bytes) -> None:
    frame = read_offline(offline_csv, filename="run1.csv")
    assert list(frame.columns) == ["time", "vcd", "viability", "glucose", "lactate", "titer"]
    # 3 d = 72 h; 4.0e6 cells/mL; 140 mg/L = 0.140 g/L
    assert frame["time"].tolist() == [0, 24, 48, 72]
    assert frame["vcd"].iloc[3] == pytest.approx(4.0e6)
    assert frame["titer"].iloc[3] == pytest.approx(0.140)
    assert frame.attrs["rows"] == [2, 3, 4, 5]


def test_xlsx_path_and_file_object_give_the_same_frame(tmp_path, offline_csv: bytes) -> None:
    data = xlsx_bytes(OFFLINE_HEADER, OFFLINE_ROWS)
    path = tmp_path / "run.xlsx"
    path.write_bytes(data)
    a = read_offline(path, filename="run.xlsx")
    b = read_offline(io.BytesIO(data), filename="run.xlsx")
    c = read_offline(offline_csv, filename="run.csv")
    assert np.allclose(a.to_numpy(), c.to_numpy())
    assert np.allclose(b.to_numpy(), c.to_numpy())


def test_aliases_case_space_insensitive_and_optional_columns() -> None:
    header = (
        "culture TIME (h)",
        "Viable cell density [cells/mL]",
        "viability (%)",
        "Glc [mM]",
        "LAC [mmol/L]",
        "Titre [g/L]",
        "Gln [mM]",
        "NH4+ [mg/L]",
        "Volume [mL]",
        "Remarks",
    )
    rows = [
        (0, 5e5, 99, 10, 1, 0, 4, 17.031, 1000, "ok"),
        (24, 1e6, 98, 9, 2, 0.1, 3, 34.062, 990, ""),
    ]
    frame = read_offline(csv_bytes(header, rows), filename="r.csv")
    # 10 mM glucose × 180.156 g/mol = 1.80156 g/L; 1 mM lactate × 90.078 = 0.090078 g/L
    assert frame["glucose"].iloc[0] == pytest.approx(1.80156)
    assert frame["lactate"].iloc[0] == pytest.approx(0.090078)
    # 17.031 mg/L NH3 / 17.031 g/mol = 1 mmol/L
    assert frame["ammonia"].tolist() == pytest.approx([1.0, 2.0])
    assert frame["volume"].tolist() == pytest.approx([1.0, 0.99])
    assert "Remarks" not in frame.columns


def test_semicolon_csv_cp949_and_blank_rows_keep_row_numbers() -> None:
    header = ";".join(OFFLINE_HEADER)
    text = header + "\n0;0.5;98;6;0.2;0\n\n1;abc;97;5;0.5;20\n"
    e = _error(text.encode("cp949"))
    assert (e.row, e.column) == (4, "VCD")
    assert e.problem == "'abc' is not a number"


@pytest.mark.parametrize(
    ("data", "row", "column", "words"),
    [
        (_with(2, 1, "abc"), 4, "VCD", "'abc' is not a number"),
        (_with(1, 3, ""), 3, "Glucose", "empty cell"),
        (_with(2, 1, -1), 4, "VCD", "negative"),
        (_with(1, 4, -0.1), 3, "Lactate", "negative"),
        (_with(3, 2, 105), 5, "Viability", "outside 0–100"),
        (_with(2, 0, 1), 4, "Time", "times out of order"),
        (_with(3, 0, 2), 5, "Time", "times out of order"),
    ],
)
def test_cell_errors_name_file_row_and_column(
    data: bytes, row: int, column: str, words: str
) -> None:
    e = _error(data)
    assert (e.file, e.row, e.column) == ("run1.csv", row, column)
    assert words in e.problem


def test_missing_column_unit_problems_and_too_few_rows() -> None:
    e = _error(csv_bytes(OFFLINE_HEADER[:-1], [r[:-1] for r in OFFLINE_ROWS]))
    assert (e.row, e.column) == (1, "titer") and "missing required column" in e.problem
    e = _error(csv_bytes(("Time", *OFFLINE_HEADER[1:]), OFFLINE_ROWS))
    assert (e.row, e.column) == (1, "Time") and "no unit" in e.problem and "h, min" in e.problem
    e = _error(csv_bytes(("Time [d]", "VCD [g/L]", *OFFLINE_HEADER[2:]), OFFLINE_ROWS))
    assert (e.row, e.column) == (1, "VCD") and "cannot be converted" in e.problem
    e = _error(csv_bytes(("Time [fortnights of mud]", *OFFLINE_HEADER[1:]), OFFLINE_ROWS))
    assert "unknown unit" in e.problem
    e = _error(csv_bytes(OFFLINE_HEADER, OFFLINE_ROWS[:1]))
    assert "at least 2 data rows" in e.problem and e.file == "run1.csv"
    e = _error(csv_bytes((*OFFLINE_HEADER, "Viable cell density [cells/mL]"), OFFLINE_ROWS))
    assert "both give vcd" in e.problem


def test_unsupported_or_broken_files() -> None:
    assert "unsupported file type '.txt'" in str(_error(b"x", filename="run.txt"))
    assert _error(b"x", filename="run.txt").file == "run.txt"
    assert "xlsx" in _error(b"not a zip", filename="run.xlsx").problem
    assert "empty" in _error(b"", filename="run.csv").problem
    assert "cannot read" in _error_path("/nonexistent/run.csv").problem


def _error_path(path: str) -> InputError:
    with pytest.raises(InputError) as info:
        read_offline(path, filename=path)
    return info.value


def test_first_bad_row_is_reported_when_many_are_bad() -> None:
    rows = [(i, "x" if i > 5 else 1.0, 90, 5, 1, 0) for i in range(200)]
    e = _error(csv_bytes(OFFLINE_HEADER, rows))
    assert e.row == 8  # first data row is 2; i = 6 is row 8


def test_unit_parsing() -> None:
    assert split_header("qP (pg/(cell·d))") == ("qP", "pg/(cell·d)")
    assert split_header("VCD [×10^6 cells/mL]") == ("VCD", "×10^6 cells/mL")
    assert split_header("Time") == ("Time", None)
    assert conversion_factor("×10⁶ cells/mL", "cells/mL") == pytest.approx(1e6)
    assert conversion_factor("d", "h") == 24
    assert conversion_factor("mM", "g/L", molar_mass=180.156) == pytest.approx(0.180156)


def test_read_qc_and_generic_table() -> None:
    data = csv_bytes(("Test", "Result", "Spec"), [("pH", "7.1", "6.5-7.5")])
    frame = read_qc(data, filename="lot.csv")
    assert frame.to_dict("list") == {
        "test": ["pH"],
        "result": ["7.1"],
        "specification": ["6.5-7.5"],
    }
    with pytest.raises(InputError, match="missing required column 'result'"):
        read_qc(csv_bytes(("Test", "Spec"), [("pH", "1")]), filename="lot.csv")
    with pytest.raises(InputError, match="at least 2 data rows"):
        read_table(csv_bytes(("Time [h]",), [(1,)]), filename="a.csv", columns=())
