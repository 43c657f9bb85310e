"""Instrument exports → ASM → evaluation layouts, on real export files (allotropy's public test
data, MIT licence: tests/interop/data/LICENCE.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bioproof.core.audit import sha256_hex
from bioproof.evaluations.models import RunDataFile
from bioproof.interop import actions, instruments
from bioproof.interop.errors import InstrumentFileError
from bioproof.interop.models import InstrumentFile

DATA = Path(__file__).parent / "data"


def _read(name: str) -> bytes:
    return (DATA / name).read_bytes()


# (file, instrument, sample, quantity, value as printed in the raw export, its unit)
REAL = [
    ("Beckman_Vi-Cell-BLU_example02.csv", "BECKMAN_VI_CELL_BLU", "CLB001", "vcd", 0.69, None),
    ("Beckman_Vi-Cell-BLU_example02.csv", "BECKMAN_VI_CELL_BLU", "CLB003", "viability", 94.83, "%"),
    (
        "Beckman_Vi-Cell-XR_example07_instrumentOutput.txt",
        "BECKMAN_VI_CELL_XR",
        None,
        "viability",
        97.0,
        "%",
    ),
    ("roche_cedex_bioht_example01.txt", "ROCHE_CEDEX_BIOHT", "SMPL1", "glutamine", 2.45, "mmol/L"),
    (
        "roche_cedex_bioht_v5_example01.txt",
        "ROCHE_CEDEX_BIOHT",
        "SAMPLE_01",
        "glucose",
        8.572,
        "g/L",
    ),
    ("SampleResults2022-06-28_142558.csv", "NOVABIO_FLEX2", "SMPL_1234", "glucose", 2.65, "g/L"),
    ("Thermo_NanoDrop_mRNA.txt", "THERMO_FISHER_NANODROP_8000", "SAMPLE1", "260/280", 1.449, None),
    (
        "thermo_nanodrop_eight_RNA.txt",
        "THERMO_FISHER_NANODROP_EIGHT",
        None,
        "mass concentration",
        704.986,
        None,
    ),
    (
        "agilent_tapestation_analysis_example_03.xml",
        "AGILENT_TAPESTATION_ANALYSIS",
        "036190228000049_B1",
        "PercentageCfDNA",
        49.0,
        None,
    ),
]


@pytest.mark.parametrize(("name", "instrument", "sample", "quantity", "value", "unit"), REAL)
def test_each_converter_reads_a_real_export(
    name: str, instrument: str, sample: str | None, quantity: str, value: float, unit: str | None
) -> None:
    raw = _read(name)
    asm = instruments.convert(instrument, name, raw)
    assert instruments.spec(instrument).technique in asm["$asm.manifest"]
    found = [
        m.values[quantity]
        for m in instruments.measurements(asm)
        if quantity in m.values and (sample is None or m.sample == sample)
    ]
    assert found, (name, quantity)
    number, got_unit = found[0]
    assert number == pytest.approx(value)
    if unit:
        assert got_unit == unit
    # the value is the one printed in the instrument's own file
    text = raw.decode("utf-8", "replace") if not raw.startswith(b"\xff\xfe") else ""
    printed = {f"{value:g}", str(value), f"{value:g}".replace(".", ",")}  # decimal comma too
    assert any(p in text for p in printed)


def test_chromatography_export_gives_a_uv_trace() -> None:
    asm = instruments.convert(
        "CYTIVA_UNICORN", "unicorn_single_uv.zip", _read("unicorn_single_uv.zip")
    )
    table = instruments.pulse_csv(asm).decode().splitlines()
    assert table[0] == "Volume [mL],UV [mAU]"
    assert len(table) == 78  # the 77 points of the UV cube


def test_offline_rows_join_cell_counter_and_bioanalyzer_by_sample() -> None:
    sources = []
    for name, instrument in (
        ("derived_Vi-Cell-BLU_paired_with_cedex_v5.csv", "BECKMAN_VI_CELL_BLU"),
        ("roche_cedex_bioht_v5_example01.txt", "ROCHE_CEDEX_BIOHT"),
    ):
        sources.append(
            (name, instruments.measurements(instruments.convert(instrument, name, _read(name))))
        )
    rows = instruments.offline_rows(sources)
    assert len(rows) == 8
    first = rows[0]
    assert first["time"] == 0.0
    assert first["vcd"] == pytest.approx(0.69)  # 10^6 cells/mL from the Vi-CELL
    assert first["glucose"] == pytest.approx(8.572)  # g/L from the Cedex
    # ammonia reported as 0.153453 g/L → mmol/L with M(NH3) = 17.031 g/mol
    assert first["ammonia"] == pytest.approx(0.153453 / 17.031 * 1000)
    assert all(r["titer"] is not None for r in rows)
    assert [r["time"] for r in rows] == sorted(r["time"] for r in rows)


@pytest.mark.parametrize(
    ("instrument", "name", "message"),
    [
        ("NOVABIO_FLEX2", "Beckman_Vi-Cell-BLU_example02.csv", "not a readable Nova Biomedical"),
        ("ROCHE_CEDEX_BIOHT", "Thermo_NanoDrop_mRNA.txt", "not a readable Roche Cedex Bio HT"),
        ("BECKMAN_VI_CELL_BLU", "roche_cedex_bioht_example01.txt", "a Beckman Coulter Vi-CELL BLU"),
        ("NO_SUCH_INSTRUMENT", "x.csv", "Instrument 'NO_SUCH_INSTRUMENT' is not supported"),
    ],
)
def test_wrong_instrument_or_unsupported_is_named(instrument: str, name: str, message: str) -> None:
    data = _read(name) if (DATA / name).exists() else b"a,b\n1,2\n"
    with pytest.raises(InstrumentFileError) as exc:
        instruments.convert(instrument, name, data)
    assert message in exc.value.message
    if (DATA / name).exists() and "supported" not in message:
        assert name in exc.value.message


@pytest.mark.parametrize(
    "data",
    [b"", b"\x00\x01garbage" * 10, b'"Sample ID","Cell count"\n"A",\n', "é".encode("utf-16") * 50],
)
def test_malformed_exports_are_refused_cleanly(data: bytes) -> None:
    with pytest.raises(InstrumentFileError) as exc:
        instruments.convert("BECKMAN_VI_CELL_BLU", "export.csv", data)
    assert "export.csv" in exc.value.message


def test_size_is_bounded(monkeypatch: Any) -> None:
    monkeypatch.setattr(instruments, "MAX_BYTES", 100)
    with pytest.raises(InstrumentFileError, match="larger than"):
        instruments.convert("BECKMAN_VI_CELL_BLU", "a.csv", b"x" * 101)


def test_converter_crash_is_contained(monkeypatch: Any) -> None:
    import allotropy.to_allotrope as to_allotrope

    def boom(*a: Any, **k: Any) -> None:
        raise ZeroDivisionError("inside the parser")

    monkeypatch.setattr(to_allotrope, "allotrope_from_io", boom)
    with pytest.raises(InstrumentFileError, match="inside the parser"):
        instruments.convert("BECKMAN_VI_CELL_BLU", "a.csv", b"a,b\n")


# --- importing into a run ------------------------------------------------------------------------


def test_import_cell_counter_and_bioanalyzer_into_a_run(run: Any, people: Any) -> None:
    uploads = [
        (
            "BECKMAN_VI_CELL_BLU",
            "derived_Vi-Cell-BLU_paired_with_cedex_v5.csv",
            _read("derived_Vi-Cell-BLU_paired_with_cedex_v5.csv"),
        ),
        (
            "ROCHE_CEDEX_BIOHT",
            "roche_cedex_bioht_v5_example01.txt",
            _read("roche_cedex_bioht_v5_example01.txt"),
        ),
    ]
    data_file, kept = actions.import_instrument_files(
        by=people["evaluator"], run=run, uploads=uploads
    )
    assert data_file.layout == "offline" and data_file.n_rows == 8
    assert data_file.table["vcd"][0] == pytest.approx(0.69e6)  # canonical cells/mL
    assert len(kept) == 2
    for item, (_i, _n, raw) in zip(kept, uploads, strict=True):
        assert item.raw_sha256 == sha256_hex(raw)
        with item.raw.open("rb") as fh:
            assert fh.read() == raw
        with item.asm.open("rb") as fh:
            assert sha256_hex(fh.read()) == item.asm_sha256
        assert item.data_file == data_file and item.run == run
    from bioproof.core import verification

    assert verification.verify_files() == []


def test_qc_import_from_a_spectrophotometer(run: Any, people: Any) -> None:
    data_file, kept = actions.import_instrument_files(
        by=people["evaluator"],
        run=run,
        uploads=[
            (
                "THERMO_FISHER_NANODROP_8000",
                "Thermo_NanoDrop_mRNA.txt",
                _read("Thermo_NanoDrop_mRNA.txt"),
            )
        ],
    )
    assert data_file.layout == "qc"
    assert any("SAMPLE1" in t for t in data_file.table["test"])
    assert kept[0].instrument == "THERMO_FISHER_NANODROP_8000" and kept[0].data_file == data_file


def test_failed_import_leaves_nothing(run: Any, people: Any) -> None:
    before = (InstrumentFile.objects.count(), RunDataFile.objects.count())
    # a cell counter alone gives no glucose, lactate or titer: the layout names the column
    with pytest.raises(Exception) as exc:
        actions.import_instrument_files(
            by=people["evaluator"],
            run=run,
            uploads=[
                (
                    "BECKMAN_VI_CELL_BLU",
                    "Beckman_Vi-Cell-BLU_example02.csv",
                    _read("Beckman_Vi-Cell-BLU_example02.csv"),
                )
            ],
        )
    assert "lucose" in str(exc.value) or "Titer" in str(exc.value) or "titer" in str(exc.value)
    # one good file and one of the wrong instrument: nothing is kept of either
    with pytest.raises(InstrumentFileError, match=r"roche_cedex_bioht_example01\.txt"):
        actions.import_instrument_files(
            by=people["evaluator"],
            run=run,
            uploads=[
                (
                    "BECKMAN_VI_CELL_BLU",
                    "Beckman_Vi-Cell-BLU_example02.csv",
                    _read("Beckman_Vi-Cell-BLU_example02.csv"),
                ),
                (
                    "NOVABIO_FLEX2",
                    "roche_cedex_bioht_example01.txt",
                    _read("roche_cedex_bioht_example01.txt"),
                ),
            ],
        )
    with pytest.raises(InstrumentFileError, match="different data layouts"):
        actions.import_instrument_files(
            by=people["evaluator"],
            run=run,
            uploads=[
                ("BECKMAN_VI_CELL_BLU", "a.csv", b"x"),
                ("THERMO_FISHER_NANODROP_8000", "b.txt", b"x"),
            ],
        )
    assert (InstrumentFile.objects.count(), RunDataFile.objects.count()) == before


def test_only_the_center_imports(run: Any, people: Any) -> None:
    from bioproof.core.errors import PolicyDenied

    with pytest.raises(PolicyDenied):
        actions.import_instrument_files(
            by=people["a_staff"],
            run=run,
            uploads=[("NOVABIO_FLEX2", "a.csv", b"x")],
        )


def test_asm_goes_into_the_evidence_package(run: Any, people: Any) -> None:
    from bioproof.interop.packages import asm_members

    data_file, kept = actions.import_instrument_files(
        by=people["evaluator"],
        run=run,
        uploads=[
            (
                "THERMO_FISHER_NANODROP_8000",
                "Thermo_NanoDrop_mRNA.txt",
                _read("Thermo_NanoDrop_mRNA.txt"),
            )
        ],
    )
    members: dict[str, bytes] = {}
    objects = asm_members([data_file], members, {})
    asm = [n for n in members if n.endswith("asm.json")]
    raw = [n for n in members if "/raw-" in n]
    assert len(asm) == 1 and len(raw) == 1
    assert sha256_hex(members[asm[0]]) == kept[0].asm_sha256
    assert members[raw[0]] == _read("Thermo_NanoDrop_mRNA.txt")
    assert objects == [("interop.instrumentfile", [kept[0].pk])]
