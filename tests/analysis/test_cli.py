"""``bioproof analyze`` end to end: tables, JSON, exit code 2 with one line on bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from conftest import OFFLINE_HEADER, csv_bytes

from bioproof.analysis.cli import main


def run_file(tmp_path: Path, name: str, qp: float, seed: int) -> Path:
    rng = np.random.default_rng(seed)
    t = np.arange(8.0)
    vcd = 0.5 * np.exp(0.5 * t) * (1 + rng.normal(0, 0.01, t.size))
    ivcd = np.concatenate([[0], np.cumsum((vcd[1:] + vcd[:-1]) / 2)])
    rows = [
        (d, round(x, 4), 95, 5 - 0.1 * d, 0.2 + 0.1 * d, round(qp * i, 3))
        for d, x, i in zip(t, vcd, ivcd, strict=True)
    ]
    path = tmp_path / name
    path.write_bytes(csv_bytes(OFFLINE_HEADER, rows))
    return path


def test_kinetics_table_and_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = run_file(tmp_path, "run1.csv", 25, 1)
    assert main(["kinetics", str(f)]) == 0
    out = capsys.readouterr().out
    assert "Specific productivity" in out and "pg/(cell·d)" in out and "run1.csv" in out
    assert main(["kinetics", str(f), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["kind"] == "kinetics" and doc["engine_version"]
    assert doc["results"][0]["file"] == "run1.csv"
    assert doc["results"][0]["qp"] == pytest.approx(25, rel=0.01)


def test_compare_candidate_vs_reference(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cand = [str(run_file(tmp_path, f"c{i}.csv", 25 + i * 0.2, i)) for i in range(3)]
    ref = [str(run_file(tmp_path, f"r{i}.csv", 25 - i * 0.2, 10 + i)) for i in range(3)]
    args = ["compare", "--candidate", *cand, "--reference", *ref, "--kpi", "qp", "--margin", "10%"]
    assert main([*args, "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["result"]["equivalent"] is True
    assert [e["file"] for e in doc["candidate"]] == ["c0.csv", "c1.csv", "c2.csv"]
    assert main(args) == 0
    assert "EQUIVALENT" in capsys.readouterr().out
    assert main([*args[:-2], "--test", "range"]) == 0
    assert "quality range" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["kinetics", "missing.csv"], "file 'missing.csv': cannot read the file"),
        (["kinetics", "x.txt"], "unsupported file type"),
        (["kinetic", "x.csv"], "invalid choice"),
        (["compare", "--candidate", "a.csv"], "required"),
        (["kla", "x.csv", "--probe-tau", "12 parsecs"], "option value '12 parsecs'"),
    ],
)
def test_bad_input_exits_2_with_one_line(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1 and "Traceback" not in err


def test_bad_cell_names_file_row_and_column(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    f = tmp_path / "run1.csv"
    f.write_bytes(csv_bytes(OFFLINE_HEADER, [(0, 1, 95, 5, 1, 0), (1, "abc", 95, 5, 1, 0)]))
    assert main(["kinetics", str(f)]) == 2
    err = capsys.readouterr().err.strip()
    assert (
        err
        == "bioproof analyze: error: file 'run1.csv', row 3, column 'VCD': 'abc' is not a number"
    )


def test_kla_mixing_breakthrough_filtration_qc(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    t = np.arange(0, 301, 10.0)
    kla = tmp_path / "kla.csv"
    kla.write_bytes(csv_bytes(("Time [s]", "DO [%]"), [(x, 100 - 90 * np.exp(-x / 60)) for x in t]))
    assert main(["kla", str(kla), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["results"][0]["kla"] == pytest.approx(60.0)

    ts = np.arange(0, 100.1, 0.5)
    mix = tmp_path / "mix.csv"
    mix.write_bytes(
        csv_bytes(("Time [s]", "Conductivity [mS/cm]"), [(x, 1 - np.exp(-x / 5)) for x in ts])
    )
    assert main(["mixing", str(mix), "--homogeneity", "95%", "--json"]) == 0
    mixing = json.loads(capsys.readouterr().out)["results"][0]["mixing_time"]
    assert mixing == pytest.approx(5 * np.log(20), abs=0.1)

    v = np.arange(0.0, 61.0)
    bt = tmp_path / "bt.csv"
    bt.write_bytes(
        csv_bytes(
            ("Volume [mL]", "Concentration [mg/mL]"),
            zip(v, 2 * np.clip((v - 20) / 20, 0, 1), strict=True),
        )
    )
    argv = [
        "breakthrough",
        str(bt),
        "--feed-concentration",
        "2 g/L",
        "--column-volume",
        "5",
        "--holdup",
        "2 mL",
        "--json",
    ]
    assert main(argv) == 0
    assert json.loads(capsys.readouterr().out)["results"][0]["dbc"] == pytest.approx(8.0)

    th = np.array([0.0, 15, 30, 60, 120])
    filt = tmp_path / "vmax.csv"
    filt.write_bytes(
        csv_bytes(
            ("Time [min]", "Filtrate [mL]"),
            zip(th, 1000 * (th / 60) / (0.5 + th / 300), strict=True),
        )
    )
    argv = [
        "filtration",
        str(filt),
        "--area",
        "100 cm^2",
        "--batch-volume",
        "1000 L",
        "--process-time",
        "4 h",
        "--json",
    ]
    assert main(argv) == 0
    res = json.loads(capsys.readouterr().out)["results"][0]
    assert res["vmax"]["vmax"] == pytest.approx(500) and res["vmax"]["qi"] == pytest.approx(200)
    assert res["area"]["required_area"] == pytest.approx(4.875)
    assert main(argv[:-1]) == 0
    assert "Maximum filtrate volume" in capsys.readouterr().out

    lot = tmp_path / "lot.csv"
    lot.write_bytes(
        csv_bytes(
            ("Test", "Result", "Specification"),
            [("pH", "7.1", "6.5–7.5"), ("Purity", "93", "≥ 95 %")],
        )
    )
    assert main(["qc", str(lot)]) == 0
    out = capsys.readouterr().out
    assert "DOES NOT CONFORM (1 OOS)" in out and "Purity" in out


def test_python_dash_m_runs_the_cli(tmp_path: Path) -> None:
    f = run_file(tmp_path, "run1.csv", 25, 1)
    done = subprocess.run(
        [sys.executable, "-m", "bioproof.analysis", "kinetics", str(f), "--json"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["results"][0]["file"] == "run1.csv"
    bad = subprocess.run(
        [sys.executable, "-m", "bioproof.analysis", "kinetics", str(tmp_path / "none.csv")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1


def test_feed_option_and_help(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = str(run_file(tmp_path, "run1.csv", 25, 1))
    assert main(["kinetics", f, "--feed", "glucose=400 g/L", "--json"]) == 0
    capsys.readouterr()
    assert main(["kinetics", f, "--feed", "sugar=4"]) == 2
    assert "--feed 'sugar=4'" in capsys.readouterr().err
    assert main(["--help"]) == 0
    assert "kinetics" in capsys.readouterr().out
