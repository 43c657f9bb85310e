"""The reading tests again with every CSV read by polars (typed, text and csv-module modes) and
cut into many small chunks, so the fast paths give the same frames and the same messages as the
csv module; plus what only the chunked reader does (limits, progress, encodings across chunks)."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest
from conftest import OFFLINE_HEADER, OFFLINE_ROWS, csv_bytes
from test_bounded_reading import *  # noqa: F403  (collected again under the polars modes)
from test_io import *  # noqa: F403

from bioproof.analysis import tabular
from bioproof.analysis.errors import InputError
from bioproof.analysis.io import read_offline, read_online


@pytest.fixture(autouse=True, params=["polars", "polars-chunked"])
def polars_mode(request, monkeypatch) -> str:
    monkeypatch.setattr(tabular, "POLARS_MIN_BYTES", 0)
    if request.param == "polars-chunked":
        monkeypatch.setattr(tabular, "CHUNK_BYTES", 64)
    return request.param


def _log(n: int, *, time_unit: str = "s") -> bytes:
    t = np.arange(n, dtype=float)
    frame = pd.DataFrame(
        {
            f"Time [{time_unit}]": t,
            "pH": np.round(7 + 0.01 * np.sin(t), 3),
            "DO [%]": np.round(40 + np.cos(t), 2),
            "Temperature [°F]": np.round(98.6 + 0.0 * t, 1),
            "Remarks": ["ok"] * n,
        }
    )
    return frame.to_csv(index=False).encode()


def test_a_long_log_reads_the_same_in_every_mode(polars_mode: str) -> None:
    data = _log(3000)
    frame = read_online(data, filename="log.csv")
    assert list(frame.columns) == ["time", "ph", "do", "temperature"]
    assert frame["time"].to_numpy() == pytest.approx(np.arange(3000) / 3600)
    assert frame["temperature"].to_numpy() == pytest.approx(np.full(3000, 37.0))
    assert frame.attrs["rows"][:2] == [2, 3] and frame.attrs["rows"][-1] == 3001
    frame["ph"] *= 2  # the frame's arrays are writable (not polars' read-only buffers)


def test_a_bad_cell_deep_in_a_log_names_its_row(polars_mode: str) -> None:
    lines = _log(3000).decode().splitlines()
    lines[2500] = lines[2500].replace(",", ",abc", 1)  # pH of data row 2500 → 'abc…'
    with pytest.raises(InputError) as info:
        read_online("\n".join(lines).encode(), filename="log.csv")
    e = info.value
    assert (e.file, e.row, e.column) == ("log.csv", 2501, "pH")
    assert e.problem.startswith("'abc") and e.problem.endswith("is not a number")


def test_spaces_unicode_minus_and_underscores_read_as_numbers(polars_mode: str) -> None:
    rows = [list(r) for r in OFFLINE_ROWS]
    rows[0][1] = " 0.5 "
    rows[1][3] = "5_5e-1"  # Python reads 5_5e-1 = 5.5
    data = csv_bytes(OFFLINE_HEADER, rows)
    frame = read_offline(data, filename="r.csv")
    assert frame["vcd"].iloc[0] == pytest.approx(0.5e6)
    assert frame["glucose"].iloc[1] == pytest.approx(5.5)
    rows[2][4] = "\u22120.1"  # Unicode minus: a negative lactate
    with pytest.raises(InputError, match="negative") as info:
        read_offline(csv_bytes(OFFLINE_HEADER, rows), filename="r.csv")
    assert (info.value.row, info.value.column) == (4, "Lactate")


def test_time_out_of_order_across_chunks(polars_mode: str) -> None:
    lines = _log(3000).decode().splitlines()
    lines[2000] = lines[1990]  # time goes back at data row 2000 (spreadsheet row 2001)
    with pytest.raises(InputError, match="out of order") as info:
        read_online("\n".join(lines).encode(), filename="log.csv")
    assert (info.value.row, info.value.column) == (2001, "Time")


def test_blank_lines_quotes_and_cp949_keep_row_numbers(polars_mode: str) -> None:
    body = "\n".join(f'{i},"{7 + i / 1000:.3f}",,한글' for i in range(500))
    text = "Time [s],pH,DO [%],메모\n\n" + body.replace("\n499,", "\n\n499,") + "\n"
    frame = read_online(text.encode("cp949"), filename="k.csv")
    assert len(frame) == 500 and frame.attrs["rows"][0] == 3 and frame.attrs["rows"][-1] == 503
    assert frame["do"].isna().all()


def test_limits_and_progress_of_a_large_read(polars_mode: str) -> None:
    data = _log(2000)
    seen: list[tuple[int, int | None]] = []
    small = tabular.Limits(len(data) - 1, 10**6, 200, 10**7, 65536)
    with tabular.reading(limits=small), pytest.raises(InputError, match="larger than"):
        read_online(io.BytesIO(data), filename="log.csv")
    few_rows = tabular.Limits(len(data), 1000, 200, 10**7, 65536)
    with tabular.reading(limits=few_rows), pytest.raises(InputError, match="more than 1000 rows"):
        read_online(data, filename="log.csv")
    with tabular.reading(
        limits=tabular.Limits.large(len(data)), progress=lambda *a: seen.append(a)
    ):
        assert len(read_online(io.BytesIO(data), filename="log.csv")) == 2000
    assert seen and seen[-1][0] == len(data)
    assert [done for done, _total in seen] == sorted(done for done, _total in seen)


def test_nul_and_encoding_errors_deep_in_a_log_name_their_row(polars_mode: str) -> None:
    lines = _log(3000).decode().splitlines()
    nul = list(lines)
    nul[2200] = nul[2200].replace(",", ",\x00", 1)
    with pytest.raises(InputError, match="NUL byte") as info:
        read_online("\n".join(nul).encode(), filename="log.csv")
    assert info.value.row == 2201
    data = "\n".join(lines).encode()
    cut = data.index(b"\n", len(data) // 2) + 1  # a byte no encoding reads, mid-file
    with pytest.raises(InputError, match="neither UTF-8 nor CP949") as info:
        read_online(data[:cut] + b"\xff\xfe\xff" + data[cut:], filename="log.csv")
    assert info.value.row == data[:cut].count(b"\n") + 1


def test_a_header_the_csv_module_cannot_read_is_refused(polars_mode: str) -> None:
    with pytest.raises(InputError, match="row 1"):
        read_online(b'"Time [s],pH\n' + b"0,7\n" * 10, filename="log.csv")


def test_a_large_log_keeps_its_row_numbers_in_four_bytes(polars_mode: str, monkeypatch) -> None:
    """A 200 MB sensor log has ~6.7 million rows: their numbers in int32 (27 MB, not 53), the
    same numbers, a blank row skipped, across chunks."""
    monkeypatch.setattr(tabular.rio, "MAX_ROWS", 10)  # kept as an array beyond this many rows
    lines = _log(2000).decode().splitlines()
    lines.insert(1000, ",,,,")  # spreadsheet row 1001 is blank: its number is skipped
    with tabular.reading(limits=tabular.Limits.large(2**31)):
        frame = read_online("\n".join(lines).encode(), filename="log.csv")
    rows = frame.attrs["rows"]
    assert rows.dtype == np.int32 and len(rows) == 2000
    assert list(rows[:2]) == [2, 3] and rows[-1] == 2002 and 1001 not in set(rows.tolist())
    assert rows[998] == 1000 and rows[999] == 1002
