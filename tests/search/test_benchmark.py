"""The search benchmark runs end to end on a small catalog (SQLite) and rejects bad arguments."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "search.py"


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(SCRIPT), *args], capture_output=True, text=True, timeout=300
    )


@pytest.mark.slow
def test_both_models_are_reported() -> None:
    done = _run(
        "--db", "sqlite", "--products", "300", "--track-records", "30", "--needs", "10",
        "--seconds", "0.5", "--clients", "1,3", "--workers", "2", "--processes", "2",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    rows = [line.split() for line in done.stdout.splitlines() if line.strip()[:1].isdigit()]
    served = [(r[0], r[1]) for r in rows if r[2] == "workers"]
    processes = [(r[0], r[1]) for r in rows if r[2] == "processes"]
    own = [r[0] for r in rows if r[1:3] == ["own", "threads"]]
    assert served == [("1", "1"), ("3", "2")] and processes == served and own == ["1", "3"]
    assert all(0 <= float(r[-3]) <= 100 for r in rows)  # cache hits, counted in every model
    assert all(float(r[-4]) > 0 for r in rows)  # queries/s
    # the machine's state beside the figures: busy and stolen CPU of each level (Linux), and a
    # calibration of the database round trip and of Python's speed
    if Path("/proc/stat").exists():
        assert all(0 < float(r[-2]) <= 100 and 0 <= float(r[-1]) <= 100 for r in rows)
    machine = next(line for line in done.stdout.splitlines() if "machine:" in line)
    assert re.search(r"SELECT 1 round trip \d+\.\d µs .* Python work \d+\.\d ms", machine)


def test_bad_arguments_are_named() -> None:
    done = _run("--clients", "1,x")
    assert done.returncode == 2 and "--clients" in done.stderr
    assert "Traceback" not in done.stderr
    done = _run("--workers", "-1")
    assert done.returncode == 2 and "--workers" in done.stderr
    done = _run("--processes", "-2")
    assert done.returncode == 2 and "--processes" in done.stderr
