"""Instrument exports → Allotrope ASM (with allotropy) → the evaluation data layouts.

Pure library (no database): :func:`convert` turns an export into an ASM document, bounded and
with every failure of the converter turned into a message naming the instrument and the file;
:func:`measurements` reads the quantities BioProof uses out of any ASM document; the ``to_*``
functions lay them out as the CSV an evaluation layout reads (``bioproof.evaluations.layouts``):

=====================  ===============================  ===========================================
instrument kind        layout                           columns
=====================  ===============================  ===========================================
cell counter           ``offline``                      Time [h], VCD [1e6 cells/mL], Viability [%]
bioanalyzer            ``offline``                      Glucose, Lactate [g/L], Titer [g/L],
                                                        Glutamine, Ammonia [mmol/L]
spectrophotometer      ``qc``                           concentration, A260/280 per sample
electrophoresis        ``qc``                           concentration, RIN/DIN per sample
chromatography         ``pulse``                        Volume [mL], UV [mAU]
=====================  ===============================  ===========================================

Offline rows from several files (a cell counter and a bioanalyzer) are joined by sample
identifier; a sample's time is its earliest measurement time, in hours after the run's first
sample (or after ``start`` when given).
"""

from __future__ import annotations

import csv
import datetime as dt
import gc
import io
import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

from django.utils.translation import gettext as _

from bioproof.analysis.units import MOLAR_MASS
from bioproof.interop.errors import InstrumentFileError

MAX_BYTES = 20 * 1024 * 1024
MAX_MEASUREMENTS = 20_000
MAX_DEPTH = 40


@dataclass(frozen=True)
class Spec:
    vendor: str
    kind: str
    layout: str
    extensions: tuple[str, ...]
    technique: str  # the ASM manifest's technique, e.g. "cell-counting"


SPECS: dict[str, Spec] = {
    s.vendor: s
    for s in (
        Spec("BECKMAN_VI_CELL_BLU", "cell_counter", "offline", (".csv",), "cell-counting"),
        Spec(
            "BECKMAN_VI_CELL_XR",
            "cell_counter",
            "offline",
            (".txt", ".xls", ".xlsx"),
            "cell-counting",
        ),
        Spec("ROCHE_CEDEX_BIOHT", "bioanalyzer", "offline", (".txt",), "solution-analyzer"),
        Spec("NOVABIO_FLEX2", "bioanalyzer", "offline", (".csv",), "solution-analyzer"),
        Spec(
            "THERMO_FISHER_NANODROP_8000",
            "spectrophotometer",
            "qc",
            (".txt", ".csv", ".tsv"),
            "spectrophotometry",
        ),
        Spec(
            "THERMO_FISHER_NANODROP_EIGHT",
            "spectrophotometer",
            "qc",
            (".txt", ".tsv"),
            "spectrophotometry",
        ),
        Spec(
            "THERMO_FISHER_NANODROP_ONE",
            "spectrophotometer",
            "qc",
            (".csv", ".xlsx"),
            "spectrophotometry",
        ),
        Spec("AGILENT_TAPESTATION_ANALYSIS", "electrophoresis", "qc", (".xml",), "electrophoresis"),
        Spec("CYTIVA_UNICORN", "chromatography", "pulse", (".zip",), "liquid-chromatography"),
    )
}


def label(instrument: str) -> str:
    from bioproof.interop.models import Instrument

    try:
        return str(Instrument(instrument).label)
    except ValueError:
        return instrument


def spec(instrument: str) -> Spec:
    found = SPECS.get(instrument)
    if found is None:
        raise InstrumentFileError(
            _("Instrument '%(i)s' is not supported; supported: %(list)s.")
            % {"i": instrument[:60], "list": ", ".join(label(v) for v in SPECS)},
            field="instrument",
        )
    return found


class _YoungGC:
    """Stands in for ``gc`` inside allotropy's ``warnings_tools`` only: its decorator runs a
    full ``gc.collect()`` after every parse (about 1 s in a large Django process); collecting
    the youngest generation frees the parse's own objects, which is what it is for."""

    @staticmethod
    def collect(generation: int = 2) -> int:
        return gc.collect(0)


def _quiet_full_collections() -> None:
    try:
        from allotropy.parsers.utils import warnings_tools
    except ImportError:  # another allotropy layout: leave it as it is
        return
    if getattr(warnings_tools, "gc", None) is gc:
        warnings_tools.gc = _YoungGC()


def converter_version() -> str:
    from importlib.metadata import version

    return version("allotropy")


def convert(instrument: str, filename: str, data: bytes) -> dict[str, Any]:
    """The ASM document of one export; :class:`InstrumentFileError` naming the instrument and
    file otherwise (unsupported instrument, wrong extension, too large, or a file the
    converter cannot read — whatever the converter raised)."""
    found = spec(instrument)
    name = PurePath(filename or "").name[:200]
    ext = PurePath(name).suffix.lower()
    if ext not in found.extensions:
        raise InstrumentFileError(
            _("'%(f)s': a %(i)s export is a %(ext)s file.")
            % {"f": name, "i": label(instrument), "ext": " / ".join(found.extensions)},
            field="file",
        )
    if len(data) > MAX_BYTES:
        raise InstrumentFileError(
            _("'%(f)s' is larger than %(mb)d MB, the limit for instrument files.")
            % {"f": name, "mb": MAX_BYTES // (1024 * 1024)},
            field="file",
        )
    if not data:
        raise InstrumentFileError(_("'%(f)s' is empty.") % {"f": name}, field="file")
    from allotropy.parser_factory import Vendor
    from allotropy.to_allotrope import allotrope_from_io

    _quiet_full_collections()

    try:
        asm = allotrope_from_io(io.BytesIO(data), name, Vendor[instrument])
    except Exception as exc:  # allotropy raises anything from its parsers: contain it
        reason = " ".join(str(exc).split())[:240] or type(exc).__name__
        raise InstrumentFileError(
            _("'%(f)s' is not a readable %(i)s export (%(reason)s). Check the instrument chosen.")
            % {"f": name, "i": label(instrument), "reason": reason},
            field="file",
        ) from None
    manifest = str(asm.get("$asm.manifest", ""))
    if found.technique not in manifest:
        raise InstrumentFileError(
            _("'%(f)s' converted to an unexpected document (%(m)s) for %(i)s.")
            % {"f": name, "m": manifest[:120], "i": label(instrument)},
            field="file",
        )
    return asm


# --- reading quantities out of ASM --------------------------------------------------------------


@dataclass
class Measurement:
    sample: str
    time: dt.datetime | None
    values: dict[str, tuple[float, str]] = field(default_factory=dict)
    identifier: str = ""


_CELL_KEYS = {
    "viable cell density (cell counter)": "vcd",
    "viable cell density": "vcd",
    "viability (cell counter)": "viability",
    "viability": "viability",
    "total cell density (cell counter)": "total_cell_density",
}
_ANALYTES = {
    "glucose": "glucose",
    "lactate": "lactate",
    "glutamine": "glutamine",
    "glutamate": "glutamate",
    "ammonia": "ammonia",
    "ammonium": "ammonia",
    "igg": "titer",
    "igg human": "titer",
    "immunoglobulin g": "titer",
}


def _quantity(value: Any) -> tuple[float, str] | None:
    if isinstance(value, Mapping) and "value" in value:
        try:
            number = float(value["value"])
        except (TypeError, ValueError):
            return None
        if math.isfinite(number):
            return number, str(value.get("unit", ""))
    return None


def _time(text: Any) -> dt.datetime | None:
    if not isinstance(text, str):
        return None
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def _measurement_documents(
    node: Any, inherited_time: Any = None, depth: int = 0
) -> Iterator[tuple[dict[str, Any], Any]]:
    if depth > MAX_DEPTH:
        raise InstrumentFileError(_("The converted document is nested too deeply."))
    if isinstance(node, Mapping):
        time = node.get("measurement time", inherited_time)
        for key, value in node.items():
            if key == "measurement document" and isinstance(value, list):
                for doc in value:
                    if isinstance(doc, dict):
                        yield doc, doc.get("measurement time", time)
            elif isinstance(value, Mapping | list):
                yield from _measurement_documents(value, time, depth + 1)
    elif isinstance(node, list):
        for item in node:
            yield from _measurement_documents(item, inherited_time, depth + 1)


def _collect(doc: Mapping[str, Any], out: dict[str, tuple[float, str]]) -> None:
    for key, name in _CELL_KEYS.items():
        q = _quantity(doc.get(key))
        if q is not None and name not in out:
            out[name] = q
    for q_key in ("mass concentration", "A260/A280", "RNA integrity number"):
        q = _quantity(doc.get(q_key))
        if q is not None:
            out.setdefault(q_key, q)
    processed = (doc.get("processed data aggregate document") or {}).get(
        "processed data document"
    ) or []
    for sub in processed if isinstance(processed, list) else []:
        if isinstance(sub, Mapping):
            _collect(sub, out)
    analytes = (doc.get("analyte aggregate document") or {}).get("analyte document") or []
    for analyte in analytes if isinstance(analytes, list) else []:
        if not isinstance(analyte, Mapping):
            continue
        name = _ANALYTES.get(str(analyte.get("analyte name", "")).strip().lower())
        if name is None:
            continue
        q = _quantity(analyte.get("mass concentration")) or _quantity(
            analyte.get("molar concentration")
        )
        if q is not None:
            out[name] = q


def measurements(asm: Mapping[str, Any]) -> list[Measurement]:
    """Every measurement document of ``asm`` with its sample, time and known quantities."""
    out: list[Measurement] = []
    for doc, time in _measurement_documents(asm):
        if len(out) >= MAX_MEASUREMENTS:
            raise InstrumentFileError(
                _("More than %(n)d measurements in one file.") % {"n": MAX_MEASUREMENTS}
            )
        sample_doc = doc.get("sample document") or {}
        sample = str(sample_doc.get("sample identifier") or "").strip()
        m = Measurement(
            sample, _time(time or (doc.get("injection document") or {}).get("injection time"))
        )
        m.identifier = str(doc.get("measurement identifier") or "")
        _collect(doc, m.values)
        out.append(m)
    by_id = {m.identifier: m for m in out if m.identifier}
    for calc in _calculated(asm):
        source = (
            (calc.get("data source aggregate document") or {}).get("data source document") or [{}]
        )[0]
        m = by_id.get(str((source or {}).get("data source identifier", "")))
        q = _quantity(calc.get("calculated result"))
        name = str(calc.get("calculated data name", ""))[:60]
        if m is not None and q is not None and name:
            m.values.setdefault(name, q)
    return out


def _calculated(node: Any, depth: int = 0) -> Iterator[Mapping[str, Any]]:
    if depth > MAX_DEPTH:
        return
    if isinstance(node, Mapping):
        for key, value in node.items():
            if key == "calculated data document" and isinstance(value, list):
                yield from (v for v in value if isinstance(v, Mapping))
            elif isinstance(value, Mapping | list):
                yield from _calculated(value, depth + 1)
    elif isinstance(node, list):
        for item in node:
            yield from _calculated(item, depth + 1)


# --- laying ASM out as layout tables ------------------------------------------------------------

OFFLINE_HEADER = (
    ("time", "Time [h]"),
    ("vcd", "VCD [1e6 cells/mL]"),
    ("viability", "Viability [%]"),
    ("glucose", "Glucose [g/L]"),
    ("lactate", "Lactate [g/L]"),
    ("titer", "Titer [g/L]"),
    ("glutamine", "Glutamine [mmol/L]"),
    ("ammonia", "Ammonia [mmol/L]"),
)
_MASS = {"g/L": 1.0, "mg/L": 1e-3, "mg/mL": 1.0, "g/l": 1.0, "mg/dL": 1e-2}
_MOLAR = {"mmol/L": 1.0, "mol/L": 1e3, "µmol/L": 1e-3, "umol/L": 1e-3, "mM": 1.0}


def _canonical(name: str, value: float, unit: str, where: str) -> float:
    """``value`` in the unit of its offline column (the header above)."""
    if name == "vcd":
        factors = {"10^6 cells/mL": 1.0, "cells/mL": 1e-6, "10^5 cells/mL": 0.1}
    elif name == "viability":
        factors = {"%": 1.0}
    elif name in ("glucose", "lactate", "titer"):
        if unit in _MASS:
            return value * _MASS[unit]
        if unit in _MOLAR and name in MOLAR_MASS:
            return value * _MOLAR[unit] * MOLAR_MASS[name] / 1000.0
        factors = {}
    else:  # glutamine, ammonia in mmol/L
        if unit in _MOLAR:
            return value * _MOLAR[unit]
        if unit in _MASS and name in MOLAR_MASS:
            return value * _MASS[unit] / MOLAR_MASS[name] * 1000.0
        factors = {}
    if unit not in factors:
        raise InstrumentFileError(
            _("%(where)s: %(q)s in unit '%(u)s' cannot be converted.")
            % {"where": where, "q": name, "u": unit}
        )
    return value * factors[unit]


def offline_rows(
    sources: list[tuple[str, list[Measurement]]], *, start: dt.datetime | None = None
) -> list[dict[str, float | None]]:
    """Offline rows joined by sample identifier across files (``sources``: filename and its
    measurements), sorted by time; a sample without a measurement time is refused."""
    samples: dict[str, dict[str, Any]] = {}
    for filename, items in sources:
        for m in items:
            if not m.values:
                continue
            where = f"'{filename}', sample '{m.sample or '?'}'"
            if not m.sample:
                raise InstrumentFileError(
                    _("%(where)s: the measurement has no sample identifier.") % {"where": where}
                )
            if m.time is None:
                raise InstrumentFileError(
                    _("%(where)s: the measurement has no time.") % {"where": where}
                )
            row = samples.setdefault(m.sample, {"_time": m.time})
            row["_time"] = min(row["_time"], m.time)
            for name, (value, unit) in m.values.items():
                if name in dict(OFFLINE_HEADER):
                    row[name] = _canonical(name, value, unit, where)
    if not samples:
        raise InstrumentFileError(_("The files hold no cell counts or metabolite values."))
    origin = start or min(r["_time"] for r in samples.values())
    rows = []
    for row in sorted(samples.values(), key=lambda r: r["_time"]):
        out = {name: row.get(name) for name, _h in OFFLINE_HEADER}
        out["time"] = (row["_time"] - origin).total_seconds() / 3600.0
        rows.append(out)
    return rows


def offline_csv(rows: list[dict[str, float | None]]) -> bytes:
    """The offline layout's CSV; columns no file measured are left out (the layout then names
    the required column that is missing)."""
    present = [
        (name, header)
        for name, header in OFFLINE_HEADER
        if name == "time" or any(r.get(name) is not None for r in rows)
    ]
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow([h for _n, h in present])
    for r in rows:
        writer.writerow(["" if r.get(n) is None else repr(float(r[n])) for n, _h in present])
    return buf.getvalue().encode()


def qc_csv(instrument: str, items: list[Measurement]) -> bytes:
    """QC rows (Test, Result, Specification) of a spectrophotometer or electrophoresis file."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["Test", "Result", "Specification"])
    n = 0
    for m in items:
        for name, (value, unit) in m.values.items():
            test = f"{m.sample or '?'} {name}"
            shown = "" if unit in ("(unitless)", "#") else unit
            writer.writerow([test[:120], f"{value:g} {shown}".strip(), ""])
            n += 1
    if n == 0:
        raise InstrumentFileError(
            _("The %(i)s file holds no concentration or ratio to report.")
            % {"i": label(instrument)}
        )
    return buf.getvalue().encode()


def pulse_csv(asm: Mapping[str, Any]) -> bytes:
    """Volume [mL] and UV [mAU] of the first chromatogram whose axis is retention volume."""
    for doc, _time in _measurement_documents(asm):
        cube = doc.get("chromatogram data cube")
        if not isinstance(cube, Mapping):
            continue
        structure = cube.get("cube-structure") or {}
        dims = structure.get("dimensions") or [{}]
        measures = structure.get("measures") or [{}]
        if dims[0].get("concept") != "retention volume":
            continue
        data = cube.get("data") or {}
        xs = (data.get("dimensions") or [[]])[0]
        ys = (data.get("measures") or [[]])[0]
        if len(xs) != len(ys) or not xs:
            continue
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        unit = dims[0].get("unit", "mL")
        writer.writerow([f"Volume [{unit}]", f"UV [{measures[0].get('unit', 'mAU')}]"])
        for x, y in zip(xs, ys, strict=True):
            writer.writerow([repr(float(x)), repr(float(y))])
        return buf.getvalue().encode()
    raise InstrumentFileError(_("The chromatography file holds no UV trace over volume."))
