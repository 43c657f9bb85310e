"""Bounded reading: bombs, oversized cells, unsafe units, absurd values and odd encodings are
refused with an InputError naming file, row and column; offset units and QC units convert."""

from __future__ import annotations

import io
import pickle
import re
import time
import zipfile

import pytest
from conftest import OFFLINE_HEADER, OFFLINE_ROWS, csv_bytes, xlsx_bytes

from bioproof.analysis import io as reader
from bioproof.analysis.errors import InputError
from bioproof.analysis.io import read_kla, read_offline, read_online
from bioproof.analysis.qc import evaluate_specs, parse_spec
from bioproof.analysis.units import UnitError, conversion, conversion_factor, parse_unit

GOOD = csv_bytes(OFFLINE_HEADER, OFFLINE_ROWS)


def _refused(data: bytes, filename: str = "run.csv", reader_fn=read_offline) -> InputError:
    started = time.perf_counter()
    with pytest.raises(InputError) as info:
        reader_fn(data, filename=filename)
    assert time.perf_counter() - started < 2.0, "a refusal must be quick"
    assert info.value.file == filename
    return info.value


def _with_header(index: int, header: str) -> bytes:
    names = list(OFFLINE_HEADER)
    names[index] = header
    return csv_bytes(names, OFFLINE_ROWS)


def _rewrite_sheet(data: bytes, edit) -> bytes:
    """The workbook with its first worksheet's XML passed through ``edit``."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for item in src.infolist():
            content = src.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                content = edit(content)
            dst.writestr(item, content, compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


# ---------------------------------------------------------------- xlsx bombs
def test_declared_dimension_bomb_is_refused_before_calamine() -> None:
    from openpyxl import Workbook

    book = Workbook()
    book.active["XFD1048576"] = 1
    buf = io.BytesIO()
    book.save(buf)
    assert len(buf.getvalue()) < 10_000
    e = _refused(buf.getvalue(), "bomb.xlsx")
    assert "XFD1048576" in e.problem and "at most 100001 rows" in e.problem


def test_far_cell_without_a_declared_dimension_is_refused() -> None:
    data = _rewrite_sheet(
        xlsx_bytes(OFFLINE_HEADER, OFFLINE_ROWS),
        lambda xml: re.sub(rb"<dimension[^>]*/>", b"", xml).replace(
            b"</sheetData>",
            b'<row r="1048576"><c r="XFD1048576" t="n"><v>1</v></c></row></sheetData>',
        ),
    )
    e = _refused(data, "far.xlsx")
    assert "XFD1048576" in e.problem


def test_zip_bomb_and_lying_sizes_are_refused() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", b"<Types/>")
        z.writestr("xl/worksheets/sheet1.xml", b" " * (200 * 2**20))  # 200 MiB of spaces
    e = _refused(out.getvalue(), "zipbomb.xlsx")
    assert "unpacks to 200.0 MB" in e.problem
    # a member whose real content is longer than the directory says stops at the declared size
    good = bytearray(xlsx_bytes(OFFLINE_HEADER, OFFLINE_ROWS))
    e = _refused(bytes(good[: len(good) // 2]), "cut.xlsx")
    assert "not a readable .xlsx workbook" in e.problem


def test_unreadable_zip_version_is_refused() -> None:
    """A directory entry claiming zip version 8.4 made zipfile raise NotImplementedError (found by
    the slow fuzz profile); it is an unreadable workbook like any other."""
    data = bytearray(xlsx_bytes(OFFLINE_HEADER, OFFLINE_ROWS))
    entry = data.index(b"PK\x01\x02")
    data[entry + 6] = 84  # "version needed to extract"
    e = _refused(bytes(data), "version.xlsx")
    assert "not a readable .xlsx workbook" in e.problem


def test_many_columns_rows_and_cells_are_refused(monkeypatch) -> None:
    wide = ",".join(f"c{i}" for i in range(reader.MAX_COLUMNS + 1))
    e = _refused((wide + "\n").encode())
    assert e.row == 1 and "more than 200 columns" in e.problem
    monkeypatch.setattr(reader, "MAX_ROWS", 10)
    rows = [(i, 1, 90, 5, 1, 0) for i in range(20)]
    assert "more than 10 rows" in _refused(csv_bytes(OFFLINE_HEADER, rows)).problem
    e = _refused(xlsx_bytes(OFFLINE_HEADER, rows), "r.xlsx")
    assert "the sheet declares the range A1:F21; at most 11 rows" in e.problem


# ---------------------------------------------------------------- CSV text
def test_oversized_cells_are_refused_with_row_and_column() -> None:
    big = "9" * (reader.MAX_CELL_CHARS + 1)
    rows = [list(r) for r in OFFLINE_ROWS]
    rows[2][3] = big
    e = _refused(csv_bytes(OFFLINE_HEADER, rows))
    assert (e.row, e.column) == (4, "D") and "64 KiB" in e.problem
    rows[2][3] = "9" * 200_000  # beyond the csv module's own field limit
    assert "64 KiB" in _refused(csv_bytes(OFFLINE_HEADER, rows)).problem
    # Excel stops at 32,767 characters; a crafted workbook does not
    data = _rewrite_sheet(
        xlsx_bytes(OFFLINE_HEADER, OFFLINE_ROWS),
        lambda xml: xml.replace(
            b"</sheetData>",
            b'<row r="6"><c r="B6" t="inlineStr"><is><t>'
            + big.encode()
            + b"</t></is></c></row></sheetData>",
        ),
    )
    e = _refused(data, "big.xlsx")
    assert (e.row, e.column) == (6, "B") and "64 KiB" in e.problem


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
def test_every_line_ending_reads_the_same(newline: str) -> None:
    frame = read_offline(GOOD.decode().replace("\n", newline).encode(), filename="run.csv")
    assert frame["time"].tolist() == [0, 24, 48, 72]
    assert frame.attrs["rows"] == [2, 3, 4, 5]


def test_nul_utf16_and_unknown_encodings_are_refused() -> None:
    text = GOOD.decode()
    e = _refused(text.replace("\n2,", "\n2\x00,").encode())
    assert e.row == 4 and "NUL" in e.problem
    assert "UTF-16" in _refused(text.encode("utf-16")).problem
    e = _refused(text.encode() + b"4,\xff\xfe\xff,1,1,1,1\n")
    assert e.row == 6 and "neither UTF-8 nor CP949" in e.problem
    # CP949 (Korean Excel's CSV) is read
    korean = ("시간 " + text).encode("cp949")
    with pytest.raises(InputError, match="missing required column 'time'"):
        read_offline(korean, filename="k.csv")


def test_too_large_file_is_refused(monkeypatch) -> None:
    monkeypatch.setattr(reader, "MAX_FILE_BYTES", 100)
    assert "larger than" in _refused(GOOD).problem


# ---------------------------------------------------------------- units
@pytest.mark.parametrize(
    "unit",
    [
        "9**9**9 s",
        "__import__('os')",
        "10**1000 h",
        "1e400 h",
        "h" * 80,
        "h^9",
        "(((h)))",
        "lambda: h",
        "h; import os",
        "{h}",
    ],
)
def test_unsafe_or_absurd_units_are_refused_quickly(unit: str) -> None:
    e = _refused(_with_header(0, f"Time [{unit}]"))
    assert (e.row, e.column) == (1, "Time") and "accepted units" in e.problem


def test_unit_grammar_reads_spreadsheet_spellings() -> None:
    assert conversion_factor("x10E6 cells/mL", "cells/mL") == pytest.approx(1e6)
    assert conversion_factor("×10^6 cells/mL", "cells/mL") == pytest.approx(1e6)
    assert conversion_factor("×10⁶ cells/mL", "cells/mL") == pytest.approx(1e6)
    assert conversion_factor("10e6 cells/mL", "cells/mL") == pytest.approx(1e7)  # a number
    assert conversion_factor("106 cells/mL", "cells/mL") == pytest.approx(1e6)  # lost ⁶
    assert conversion_factor("100 cells/mL", "cells/mL") == pytest.approx(100)
    assert conversion_factor("1/h", "1/d") == pytest.approx(24)
    assert conversion_factor("mmol/(L·h)", "mmol/L/h") == pytest.approx(1)
    assert conversion_factor("g L-1", "mg/mL") == pytest.approx(1)
    assert conversion_factor("µL", "mL") == pytest.approx(1e-3)
    assert conversion_factor("m²", "cm^2") == pytest.approx(1e4)
    assert conversion_factor("EU/mL", "EU/L") == pytest.approx(1000)  # endotoxin, not exa-U
    with pytest.raises(UnitError, match="cannot be converted"):
        conversion_factor("EU/mL", "mg/L")
    with pytest.raises(UnitError, match="offset"):
        conversion_factor("degF", "degC")
    assert parse_unit.cache_info().maxsize and conversion("d", "h") == (24.0, 0.0)


def test_offset_units_keep_their_offset() -> None:
    for unit, value in (("°F", 98.6), ("degF", 98.6), ("K", 310.15), ("℃", 37.0)):
        data = f"Time [h],Temperature [{unit}]\n0,{value}\n1,{value}\n".encode()
        frame = read_online(data, filename="t.csv")
        assert frame["temperature"].tolist() == pytest.approx([37.0, 37.0], abs=1e-9), unit
    # hand-computed: (212 − 32) × 5/9 = 100; 0 K = −273.15 °C
    assert conversion("degF", "degC")[0] * 212 + conversion("degF", "degC")[1] == pytest.approx(100)
    assert conversion("K", "degC") == pytest.approx((1.0, -273.15))
    for unit in ("1e6 degC", "degC/h", "degC^2"):
        e = _refused(f"Time [h],Temperature [{unit}]\n0,1\n1,2\n".encode(), "t.csv", read_online)
        assert e.column == "Temperature"


def test_any_unit_columns_take_plain_labels_but_not_code() -> None:
    rows = [(t, 100 - t) for t in range(0, 40, 5)]
    assert len(read_kla(csv_bytes(("Time [s]", "DO [a.u.]"), rows), filename="k.csv")) == 8
    assert len(read_kla(csv_bytes(("Time [s]", "DO [mg/L]"), rows), filename="k.csv")) == 8
    e = _refused(csv_bytes(("Time [s]", "DO [__import__('os')]"), rows), "k.csv", read_kla)
    assert e.column == "DO"


# ---------------------------------------------------------------- values
@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("1e400", "is not a number"),
        ("inf", "is not a number"),
        ("nan", "is not a number"),
        ("1e308", "out of range"),
        ("9" * 320, "is not a number"),  # overflows to inf
    ],
)
def test_non_finite_and_absurd_values_are_refused(value: str, fragment: str) -> None:
    rows = [list(r) for r in OFFLINE_ROWS]
    rows[1][3] = value
    e = _refused(csv_bytes(OFFLINE_HEADER, rows))
    assert (e.row, e.column) == (3, "Glucose") and fragment in e.problem


def test_conversion_overflow_is_refused() -> None:
    rows = [list(r) for r in OFFLINE_ROWS]
    rows[1][1] = "1e290"  # × 1e15 cells/mL is beyond 1e300 only after conversion
    e = _refused(csv_bytes(("Time [d]", "VCD [1e15 cells/mL]", *OFFLINE_HEADER[2:]), rows))
    assert (e.row, e.column) == (3, "VCD") and "out of range" in e.problem


def test_unicode_minus_is_a_minus_in_cells() -> None:
    rows = [list(r) for r in OFFLINE_ROWS]
    rows[1][1] = "−1"
    e = _refused(csv_bytes(OFFLINE_HEADER, rows))
    assert "negative" in e.problem and e.row == 3


# ---------------------------------------------------------------- messages
def test_messages_translate_and_survive_pickling() -> None:
    e = _refused(_with_header(0, "Time [blorps]"))
    ko = {
        "file '%(file)s'": "파일 '%(file)s'",
        "row %(row)s": "%(row)s행",
        "column '%(column)s'": "'%(column)s' 열",
        "%(reason)s; accepted units: %(accepted)s": "%(reason)s. 허용 단위: %(accepted)s",
        "unknown unit '%(name)s' in '%(unit)s'": "'%(unit)s'에 알 수 없는 단위 '%(name)s'",
    }
    text = e.localized(lambda s: ko.get(s, s))
    assert text.startswith("파일 'run.csv', 1행, 'Time' 열: 'blorps'에 알 수 없는 단위")
    assert "허용 단위: h, min, s, d" in text
    again = pickle.loads(pickle.dumps(e))
    assert str(again) == str(e) and again.localized(lambda s: ko.get(s, s)) == text
    # a translation that lost a placeholder falls back to English instead of failing
    assert e.localized(lambda s: "broken %(nothing)s").endswith(e.problem)


# ---------------------------------------------------------------- QC
def test_qc_results_are_converted_to_the_specification_unit() -> None:
    report = evaluate_specs(
        {
            "Titer": "5 mg/mL",  # = 5000 mg/L: at the limit, passes
            "Titer high": "5.001 mg/mL",  # 5001 mg/L
            "Charge": "−0.3",  # Unicode minus
            "VCD a": "10e6 cells/mL",  # the number 10e6 = 1.0e7
            "VCD b": "1.2 x10E6 cells/mL",  # a multiplier unit: 1.2e6
            "VCD c": "1.2 ×10^6 cells/mL",
            "Temperature": "98.6 °F",  # 37.0 °C
            "Endotoxin": "0.3 EU/mL",
            "Huge": "1e400",
        },
        {
            "Titer": "≤ 5000 mg/L",
            "Titer high": "≤ 5000 mg/L",
            "Charge": "−0.5–0",
            "VCD a": "≥ 1.0e7 cells/mL",
            "VCD b": "1.15–1.25 ×10^6 cells/mL",
            "VCD c": "≥ 1.2e6 cells/mL",
            "Temperature": "36.5–37.5 °C",
            "Endotoxin": "≤ 0.5 mg/L",
            "Huge": "≤ 5",
        },
    )
    rows = {r.test: r for r in report.rows}
    assert rows["Titer"].passed and rows["Titer"].value == 5000
    assert not rows["Titer high"].passed and rows["Titer high"].value == 5001
    assert rows["Charge"].passed and rows["Charge"].value == -0.3
    assert rows["VCD a"].passed and rows["VCD a"].value == 1e7
    assert rows["VCD b"].passed and rows["VCD b"].value == pytest.approx(1.2)
    assert rows["VCD c"].passed and rows["VCD c"].value == pytest.approx(1.2e6)
    assert rows["Temperature"].passed and rows["Temperature"].value == 37.0
    assert not rows["Endotoxin"].passed and "does not convert" in rows["Endotoxin"].note
    assert not rows["Huge"].passed and rows["Huge"].note == "the result is out of range"
    assert parse_spec("−1–1").low == -1
    with pytest.raises(InputError, match="out of range"):
        parse_spec("≤ 1e400")


def test_every_reader_message_has_a_korean_translation() -> None:
    """Each message marked with N_ in the reading layer is in the Korean catalogue."""
    import ast
    from pathlib import Path

    import polib

    import bioproof

    root = Path(bioproof.__file__).parent
    catalogue = {
        e.msgid: e.msgstr for e in polib.pofile(str(root / "locale/ko/LC_MESSAGES/django.po"))
    }
    marked = set()
    for module in ("errors", "units", "io", "tabular", "qc"):
        tree = ast.parse((root / "analysis" / f"{module}.py").read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "N_":
                marked.add(node.args[0].value)
    assert len(marked) > 50
    assert not [m for m in marked if not catalogue.get(m)]
