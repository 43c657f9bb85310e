"""Benchmark of raw-data import (issue 12 defect 11, issue 14 point 4); plain prints.

1. The per-file path: 1,000 small offline CSV files (units in the headers), each read by
   ``read_offline`` and analysed by ``culture_kinetics`` (goal: < 5 s in all).
2. A ~200 MB sensor log (time, pH, DO, temperature in °F, a text column) generated in a temp
   dir and read by our reader (``read_online`` under the large-file limits: chunked polars
   parse, unit conversion, every check), by bare ``polars.read_csv`` and by pandas' C reader, in
   the same run: MB/s and our speed as a fraction of polars' (goal ≥ 1/3).
3. Peak memory of our read, in a fresh subprocess: the peak resident size (``VmHWM``, reset
   after the imports through ``/proc/self/clear_refs``) less the resident size before the
   read, as a multiple of the file (goal ≤ 3×); polars' for comparison.
4. The same log stored as Parquet (``bioproof.evaluations.rundata.table_to_parquet``): size and
   time, the compact form replacing one JSON blob per file.
5. An XLSX sheet of 100,000 rows read by our reader against python-calamine alone
   (``to_python``), goal ≤ 1.5×.

    PYTHONPATH=src .venv/bin/python benchmarks/importing.py [--mb 200] [--xlsx-rows 100000]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
SRC = str(ROOT / "src")
if SRC not in sys.path:
    sys.path.insert(0, SRC)

from bioproof.analysis import io, tabular  # noqa: E402
from bioproof.analysis.kinetics import culture_kinetics  # noqa: E402

FILES, DAYS = 1_000, 14


def best_of(n: int, fn: Callable[[], Any]) -> tuple[float, Any]:
    best, result = float("inf"), None
    for _ in range(n):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


def offline_files(rng: np.random.Generator) -> list[bytes]:
    """1,000 fed-batch runs of 14 daily samples as CSV (d, 1e6 cells/mL, %, g/L, mg/L)."""
    t = np.arange(DAYS + 1, dtype=float)
    header = "Time [d],VCD [1e6 cells/mL],Viability [%],Glucose [g/L],Lactate [g/L],Titer [mg/L]"
    files = []
    for _ in range(FILES):
        mu, peak = rng.uniform(0.5, 0.7), rng.uniform(15, 25)
        vcd = peak / (1 + (peak / 0.5 - 1) * np.exp(-mu * t))
        viability = np.clip(98 - 0.4 * t, 0, 100)
        glucose = np.clip(6.0 - 0.2 * vcd, 0.5, None)
        lactate = 0.2 + 0.1 * t
        titer = 25 * np.concatenate([[0], np.cumsum((vcd[1:] + vcd[:-1]) / 2)])
        rows = [header] + [
            f"{t[j]:g},{vcd[j]:.4f},{viability[j]:.2f},{glucose[j]:.3f},{lactate[j]:.3f},"
            f"{titer[j]:.2f}"
            for j in range(t.size)
        ]
        files.append("\n".join(rows).encode())
    return files


def per_file_path(rng: np.random.Generator) -> None:
    files = offline_files(rng)
    for i, data in enumerate(files[:20]):  # warm: imports, caches
        culture_kinetics(io.read_offline(data, filename=f"run{i}.csv"))

    def read_all() -> list[Any]:
        return [io.read_offline(f, filename=f"run{i}.csv") for i, f in enumerate(files)]

    reading, frames = best_of(3, read_all)
    analysing, _ = best_of(3, lambda: [culture_kinetics(f) for f in frames])
    total = reading + analysing
    print(
        f"per file: {FILES} offline CSV files read in {reading:.2f} s "
        f"({reading / FILES * 1e3:.2f} ms each) + kinetics {analysing:.2f} s "
        f"({analysing / FILES * 1e3:.2f} ms each) = {total:.2f} s "
        f"({'meets' if total < 5 else 'misses'} the 5 s goal)"
    )


def sensor_log(path: Path, megabytes: float) -> int:
    """A 1 Hz log of about ``megabytes`` MB: time [s], pH, DO [%], temperature [°F], remark."""
    import polars as pl

    rows = int(megabytes * 1e6 / 30)
    rng = np.random.default_rng(7)
    t = np.arange(rows, dtype=float)
    frame = pl.DataFrame(
        {
            "Time [s]": t,
            "pH": np.round(7.0 + 0.1 * np.sin(t / 3600) + rng.normal(0, 0.01, rows), 3),
            "DO [%]": np.round(40 + 5 * np.cos(t / 7200) + rng.normal(0, 0.5, rows), 2),
            "Temperature [°F]": np.round(98.6 + rng.normal(0, 0.09, rows), 2),
            "Remark": np.where(t % 600 == 0, "sample", "ok"),
        }
    )
    frame.write_csv(path)
    return rows


def _ours(path: Path) -> Any:
    with tabular.reading(limits=tabular.Limits.large(2**31)):
        return io.read_online(path, filename=path.name)


_PEAK = """
import sys
sys.path.insert(0, {src!r})
from pathlib import Path
import numpy, pandas, polars
from bioproof.analysis import io, tabular

def status(key):
    with open("/proc/self/status") as lines:
        return next(int(line.split()[1]) for line in lines if line.startswith(key + ":"))

with open("/proc/self/clear_refs", "w") as reset:  # the peak so far (the imports') is reset
    reset.write("5")
base = status("VmRSS")
path = Path({path!r})
if {which!r} == "ours":
    with tabular.reading(limits=tabular.Limits.large(2**31)):
        frame = io.read_online(path, filename=path.name)
else:
    frame = polars.read_csv(path)
print((status("VmHWM") - base) * 1024)
"""


def peak_bytes(path: Path, which: str) -> int:
    code = _PEAK.format(src=SRC, path=str(path), which=which)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return int(out.stdout.strip().splitlines()[-1])


def large_csv(directory: Path, megabytes: float) -> None:
    import pandas as pd
    import polars as pl

    path = directory / "sensor-log.csv"
    rows = sensor_log(path, megabytes)
    size = path.stat().st_size
    mb = size / 1e6
    polars_s, _ = best_of(2, lambda: pl.read_csv(path))
    pandas_s, _ = best_of(1, lambda: pd.read_csv(path, engine="c"))
    ours_s, frame = best_of(2, lambda: _ours(path))
    assert len(frame) == rows and abs(frame["temperature"].mean() - 37.0) < 0.01
    print(
        f"CSV {mb:.0f} MB ({rows:,} rows × 5 columns): ours {mb / ours_s:.0f} MB/s "
        f"({ours_s:.2f} s), polars.read_csv {mb / polars_s:.0f} MB/s ({polars_s:.2f} s), "
        f"pandas C reader {mb / pandas_s:.0f} MB/s ({pandas_s:.2f} s); ours = "
        f"{polars_s / ours_s:.2f} × polars' speed (goal ≥ 0.33)"
    )
    ours_peak, polars_peak = peak_bytes(path, "ours"), peak_bytes(path, "polars")
    print(
        f"peak memory (peak RSS less RSS before the read, fresh process): "
        f"ours {ours_peak / 2**20:.0f} MiB "
        f"= {ours_peak / size:.2f} × the file (goal ≤ 3), bare polars "
        f"{polars_peak / 2**20:.0f} MiB = {polars_peak / size:.2f} ×"
    )
    try:
        from bioproof.evaluations import rundata
    except ImportError:  # the storage module needs Django settings only for storing
        return
    to_parquet = getattr(rundata, "table_to_parquet", None)
    if to_parquet is None:
        return
    seconds, blob = best_of(1, lambda: to_parquet(frame))
    as_json = len(json.dumps({c: frame[c].head(10_000).tolist() for c in frame.columns}))
    print(
        f"Parquet of the parsed log: {len(blob) / 1e6:.0f} MB ({len(blob) / size:.2f} × the CSV) "
        f"in {seconds:.2f} s; one JSON blob would be ≈ {as_json * len(frame) / 10_000 / 1e6:.0f} MB"
    )


def xlsx(directory: Path, rows: int) -> None:
    from openpyxl import Workbook
    from python_calamine import CalamineWorkbook

    path = directory / "log.xlsx"
    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(["Time [s]", "pH", "DO [%]", "Temperature [°C]"])
    rng = np.random.default_rng(3)
    ph = np.round(7 + rng.normal(0, 0.01, rows), 3).tolist()
    do = np.round(40 + rng.normal(0, 0.5, rows), 2).tolist()
    temp = np.round(37 + rng.normal(0, 0.05, rows), 3).tolist()
    for i in range(rows):
        sheet.append([float(i), ph[i], do[i], temp[i]])
    book.save(path)

    def calamine() -> Any:
        book = CalamineWorkbook.from_path(str(path))
        return book.get_sheet_by_index(0).to_python(skip_empty_area=False)

    calamine_s, _ = best_of(3, calamine)
    ours_s, frame = best_of(3, lambda: io.read_online(path, filename=path.name))
    assert len(frame) == rows
    print(
        f"XLSX {rows:,} rows × 4 columns ({path.stat().st_size / 1e6:.1f} MB): "
        f"ours {ours_s:.2f} s, "
        f"python-calamine alone {calamine_s:.2f} s = {ours_s / calamine_s:.2f} × (goal ≤ 1.5)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=200.0, help="size of the CSV log in MB")
    parser.add_argument("--xlsx-rows", type=int, default=100_000)
    args = parser.parse_args()
    print(f"machine: {os.cpu_count()} cores; Python {sys.version.split()[0]}")
    per_file_path(np.random.default_rng(11))
    with tempfile.TemporaryDirectory(prefix="bioproof-import-") as tmp:
        large_csv(Path(tmp), args.mb)
        xlsx(Path(tmp), args.xlsx_rows)


if __name__ == "__main__":
    main()
