"""``bioproof analyze <kind> FILE… [--json]``: the analysis engine from the command line.

Kinds: kinetics, kla, mixing, breakthrough, filtration, compare, qc, validate, plan, sensor,
pulse, integrity, and the engine-2 families of :mod:`~bioproof.analysis.cli_families`
(scaleup, tff, resin, media, single-use). Options that carry a unit accept a pint quantity
(``--probe-tau "12 s"``, ``--area "17.7 cm^2"``); a bare number is read in the default unit
named in ``--help``. Output is a table, or JSON with ``--json``. Bad input exits with status 2
and one line on stderr, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NoReturn

from bioproof.analysis import ENGINE_VERSION
from bioproof.analysis.errors import InputError

PROG = "bioproof analyze"


class _UsageError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise _UsageError(message)


def _quantity(text: str, unit: str, default: str) -> float:
    """``text`` (``"12 s"`` or a bare number in ``default``) in ``unit``."""
    from bioproof.analysis.units import conversion_factor

    value = text.strip()
    try:
        float(value)
        value = f"{value} {default}"
    except ValueError:
        pass
    try:
        return conversion_factor(value, unit)
    except ValueError as exc:
        raise InputError(f"option value '{text}': {exc}") from None


def _fraction(text: str) -> float:
    """``"95%"`` → 0.95; ``"0.95"`` → 0.95."""
    value = text.strip()
    try:
        number = float(value.rstrip("%")) / (100 if value.endswith("%") else 1)
    except ValueError:
        raise InputError(f"'{text}' is not a fraction (0.95) or percentage (95%)") from None
    if not 0 < number < 1:
        raise InputError(f"'{text}' must lie between 0 and 1 (or 0 % and 100 %)")
    return number


def _parser() -> _Parser:
    parser = _Parser(prog=PROG, description="Run the BioProof analysis engine on data files.")
    parser.add_argument("--version", action="version", version=f"engine {ENGINE_VERSION}")
    kinds = parser.add_subparsers(dest="kind", required=True, parser_class=_Parser)

    def kind(name: str, help_text: str, files: bool = True) -> _Parser:
        sub = kinds.add_parser(name, help=help_text, description=help_text)
        if files:
            sub.add_argument("files", nargs="+", metavar="FILE", help=".csv or .xlsx")
        sub.add_argument("--json", action="store_true", help="print JSON instead of a table")
        return sub

    sub = kind("kinetics", "growth, metabolism and productivity KPIs of each run file")
    sub.add_argument("--viability-limit", default="80", help="%% for culture duration (80)")
    sub.add_argument("--phase-fraction", default="0.7", help="exponential-phase threshold (0.7)")
    sub.add_argument(
        "--feed",
        action="append",
        default=[],
        metavar="SPECIES=CONC",
        help="feed concentration, e.g. glucose=400g/L (repeatable)",
    )
    sub = kind("kla", "kLa of each gassing-out curve (time, DO)")
    sub.add_argument("--probe-tau", default="0", help="probe time constant (default unit s)")
    sub.add_argument("--confidence", default="0.95", help="confidence level (0.95)")
    sub = kind("mixing", "mixing time of each tracer response (time, signal)")
    sub.add_argument("--homogeneity", default="0.95", help="e.g. 95%% (default)")
    sub.add_argument("--injection-time", help="tracer addition time (default unit s)")
    sub = kind("breakthrough", "dynamic binding capacity of each breakthrough curve")
    sub.add_argument("--feed-concentration", required=True, help="default unit g/L")
    sub.add_argument("--column-volume", required=True, help="default unit mL")
    sub.add_argument("--holdup", default="0", help="system hold-up volume (default unit mL)")
    sub.add_argument("--level", default="10%", help="breakthrough level (10%%)")
    sub = kind("filtration", "Vmax/Qi and flux decay (time, volume) or Pmax (volume, pressure)")
    sub.add_argument("--area", required=True, help="test filter area (default unit m^2)")
    sub.add_argument("--max-pressure", help="pressure limit for Pmax (default unit bar)")
    sub.add_argument("--batch-volume", help="batch to size a filter for (default unit L)")
    sub.add_argument("--process-time", help="time allowed for the batch (default unit h)")
    sub.add_argument("--safety-factor", default="1.5", help="sizing safety factor (1.5)")
    sub = kind("compare", "candidate runs vs reference runs on one kinetics KPI", files=False)
    sub.add_argument("--candidate", nargs="+", required=True, metavar="FILE")
    sub.add_argument("--reference", nargs="+", required=True, metavar="FILE")
    sub.add_argument("--kpi", default="final_titer", help="kinetics KPI key (final_titer)")
    sub.add_argument(
        "--test",
        default="tost",
        choices=("tost", "noninferiority", "range", "tier1", "ratio"),
        help="equivalence (tost), non-inferiority, quality range, FDA tier 1 (margin = k·σ_R, "
        "--k 1.5) or ratio of means by Fieller (--margin 20%% = 0.80–1.25)",
    )
    sub.add_argument(
        "--margin",
        default="10%",
        help="'10%%' = relative to the reference mean; a bare number is absolute in the KPI's unit",
    )
    sub.add_argument("--alpha", default="0.05", help="significance level (0.05)")
    sub.add_argument("--k", default="3", help="quality range: reference mean ± k·SD (3)")
    sub.add_argument("--lower-is-better", action="store_true", help="non-inferiority direction")
    kind("qc", "evaluate QC results (columns test, result, specification) of each lot file")
    sub = kind(
        "validate",
        "run every KPI's reference case and print expected vs computed (validation evidence)",
        files=False,
    )
    sub.add_argument("--csv", metavar="FILE", help="also write the table as CSV to FILE")
    sub = kind(
        "sensor",
        "sensor files: paired Time/Reference/Sensor (bias, limits of agreement, linearity, "
        "drift), Time/Signal with --step-time (t90) or Concentration/Response (LOD, LOQ)",
    )
    sub.add_argument("--step-time", help="time of the step in a t90 file (default unit s)")
    sub = kind("pulse", "plate count, HETP and asymmetry of each tracer pulse (volume, signal)")
    sub.add_argument("--bed-height", required=True, help="packed bed height (default unit cm)")
    sub = kind(
        "integrity",
        "filter integrity (Pressure, Gas flow: bubble point, diffusion) or clean-water flux "
        "(TMP, Flux: permeability at 20 °C) of each file",
    )
    sub.add_argument("--test-pressure", help="diffusion test pressure (default unit bar)")
    sub.add_argument("--temperature", default="20", help="water temperature in °C (20)")
    sub = kind("plan", "runs per arm for a TOST to reach the target power", files=False)
    sub.add_argument("--sd", required=True, help="expected run-to-run SD (KPI unit)")
    sub.add_argument("--margin", required=True, help="equivalence margin ± (KPI unit)")
    sub.add_argument("--power", default="0.8", help="target power (0.8)")
    sub.add_argument("--alpha", default="0.05", help="significance level (0.05)")
    sub.add_argument("--difference", default="0", help="expected true difference (0)")
    from bioproof.analysis import cli_families

    cli_families.add_parsers(kind)
    return parser


def _number(text: str, name: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise InputError(f"--{name}: '{text}' is not a number") from None


def _each(files: Sequence[str], analyse: Callable[[Path], Any]) -> list[tuple[str, Any]]:
    out = []
    for file in files:
        path = Path(file)
        try:
            out.append((path.name, analyse(path)))
        except InputError as exc:
            raise exc.in_file(path.name) from None
    return out


def _kinetics(args: argparse.Namespace) -> list[tuple[str, Any]]:
    from bioproof.analysis.io import read_offline
    from bioproof.analysis.kinetics import culture_kinetics
    from bioproof.analysis.units import MOLAR_MASS, conversion_factor

    feed = {}
    for item in args.feed:
        species, _, conc = item.partition("=")
        species = species.strip().lower()
        unit = "mmol/L" if species in ("glutamine", "ammonia") else "g/L"
        if species not in (*MOLAR_MASS, "titer") or not conc:
            raise InputError(f"--feed '{item}': write e.g. glucose=400g/L")
        try:
            feed[species] = conversion_factor(conc, unit, molar_mass=MOLAR_MASS.get(species))
        except ValueError:
            feed[species] = _quantity(conc, unit, unit)
    options = {
        "viability_limit": _number(args.viability_limit, "viability-limit"),
        "phase_fraction": _fraction(args.phase_fraction),
        "feed_concentration": feed,
    }
    return _each(
        args.files,
        lambda p: culture_kinetics(read_offline(p, filename=p.name), **options),
    )


def _kla(args: argparse.Namespace) -> list[tuple[str, Any]]:
    from bioproof.analysis.gas import fit_kla
    from bioproof.analysis.io import read_kla

    tau = _quantity(args.probe_tau, "h", "s")
    confidence = _fraction(args.confidence)

    def one(path: Path) -> Any:
        frame = read_kla(path, filename=path.name)
        return fit_kla(
            frame["time"].to_numpy(), frame["do"].to_numpy(), probe_tau=tau, confidence=confidence
        )

    return _each(args.files, one)


def _mixing(args: argparse.Namespace) -> list[tuple[str, Any]]:
    from bioproof.analysis.gas import mixing_time
    from bioproof.analysis.io import read_mixing

    homogeneity = _fraction(args.homogeneity)
    injection = None if args.injection_time is None else _quantity(args.injection_time, "h", "s")

    def one(path: Path) -> Any:
        frame = read_mixing(path, filename=path.name)
        return mixing_time(
            frame["time"].to_numpy(),
            frame["signal"].to_numpy(),
            homogeneity=homogeneity,
            injection_time=injection,
        )

    return _each(args.files, one)


def _breakthrough(args: argparse.Namespace) -> list[tuple[str, Any]]:
    from bioproof.analysis.chromatography import breakthrough
    from bioproof.analysis.io import read_breakthrough

    options = {
        "feed_concentration": _quantity(args.feed_concentration, "g/L", "g/L"),
        "column_volume": _quantity(args.column_volume, "mL", "mL"),
        "holdup": _quantity(args.holdup, "mL", "mL"),
        "level": _fraction(args.level),
    }

    def one(path: Path) -> Any:
        frame = read_breakthrough(path, filename=path.name)
        return breakthrough(
            frame["volume"].to_numpy(), frame["concentration"].to_numpy(), **options
        )

    return _each(args.files, one)


def _filtration(args: argparse.Namespace) -> list[tuple[str, Any]]:
    from bioproof.analysis import filtration as f
    from bioproof.analysis.io import read_filtration

    area = _quantity(args.area, "m**2", "m**2")

    def one(path: Path) -> dict[str, Any]:
        frame = read_filtration(path, filename=path.name)
        out: dict[str, Any] = {}
        if "time" in frame.columns:
            t, v = frame["time"].to_numpy(), frame["volume"].to_numpy()
            out["vmax"] = f.vmax(t, v, area=area)
            out["flux"] = f.flux_decay(t, v, area=area)
        if "pressure" in frame.columns and args.max_pressure is not None:
            out["pmax"] = f.pmax(
                frame["volume"].to_numpy(),
                frame["pressure"].to_numpy(),
                area=area,
                max_pressure=_quantity(args.max_pressure, "bar", "bar"),
            )
        if not out:
            raise InputError(
                "needs a time column (constant pressure) or a pressure column "
                "with --max-pressure (constant flow)"
            )
        if args.batch_volume is not None:
            sizing = out.get("vmax") or out["pmax"]
            qi = getattr(sizing, "qi", None) if args.process_time is not None else None
            out["area"] = f.filter_area(
                _quantity(args.batch_volume, "L", "L"),
                vmax=sizing.vmax if "vmax" in out else sizing.capacity_at_pmax,
                qi=qi,
                process_time=None if qi is None else _quantity(args.process_time, "h", "h"),
                safety_factor=_number(args.safety_factor, "safety-factor"),
            )
        return out

    return _each(args.files, one)


def _qc(args: argparse.Namespace) -> list[tuple[str, Any]]:
    from bioproof.analysis.io import read_qc
    from bioproof.analysis.qc import evaluate_frame

    def one(path: Path) -> Any:
        return evaluate_frame(read_qc(path, filename=path.name))

    return _each(args.files, one)


def _compare(args: argparse.Namespace) -> dict[str, Any]:
    from bioproof.analysis import comparability as cmp
    from bioproof.analysis.io import read_offline
    from bioproof.analysis.kinetics import CultureKinetics, culture_kinetics

    if args.kpi not in CultureKinetics.KPI_FIELDS:
        raise InputError(
            f"--kpi '{args.kpi}' is not a kinetics KPI; use one of: "
            + ", ".join(CultureKinetics.KPI_FIELDS)
        )

    def values(files: Sequence[str]) -> list[tuple[str, float]]:
        runs = _each(files, lambda p: culture_kinetics(read_offline(p, filename=p.name)))
        return [(name, getattr(result, args.kpi)) for name, result in runs]

    cand, ref = values(args.candidate), values(args.reference)
    margin_text = args.margin.strip()
    relative = margin_text.endswith("%")
    margin = _number(margin_text.rstrip("%"), "margin") / (100 if relative else 1)
    alpha = _number(args.alpha, "alpha")
    c, r = [v for _, v in cand], [v for _, v in ref]
    if args.test == "tost":
        result = cmp.tost(c, r, margin=margin, relative=relative, alpha=alpha)
    elif args.test == "noninferiority":
        result = cmp.non_inferiority(
            c,
            r,
            margin=margin,
            relative=relative,
            alpha=alpha,
            higher_is_better=not args.lower_is_better,
        )
    elif args.test == "tier1":
        k = _number(args.k, "k") if args.k != "3" else 1.5
        result = cmp.tiered_equivalence(c, r, factor=k, alpha=alpha)
    elif args.test == "ratio":
        low = 1 - margin if relative else margin
        result = cmp.ratio_equivalence(c, r, low=low, high=1 / low, alpha=alpha)
    else:
        result = cmp.quality_range(c, r, k=_number(args.k, "k"))
    return {
        "kpi": args.kpi,
        "test": args.test,
        "candidate": [{"file": n, "value": v} for n, v in cand],
        "reference": [{"file": n, "value": v} for n, v in ref],
        "result": result,
    }


def _sensor(args: argparse.Namespace) -> list[tuple[str, Any]]:
    from bioproof.analysis import sensors
    from bioproof.analysis.io import read_mixing

    step = None if args.step_time is None else _quantity(args.step_time, "h", "s")

    def one(path: Path) -> Any:
        try:
            head = path.read_bytes()[:400].decode("utf-8", "replace").lower()
        except OSError as exc:
            raise InputError(f"cannot read the file: {exc.strerror}") from None
        if "reference" in head or "sensor" in head:
            frame = sensors.read_agreement(path, filename=path.name)
            return sensors.sensor_agreement(
                frame["time"].to_numpy(), frame["reference"].to_numpy(), frame["sensor"].to_numpy()
            )
        if "concentration" in head:
            frame = sensors.read_calibration(path, filename=path.name)
            return sensors.detection_limits(
                frame["concentration"].to_numpy(), frame["response"].to_numpy()
            )
        if step is None:
            raise InputError("a step-response file (Time, Signal) needs --step-time")
        frame = read_mixing(path, filename=path.name)
        return sensors.response_time(
            frame["time"].to_numpy(), frame["signal"].to_numpy(), step_time=step
        )

    return _each(args.files, one)


def _pulse(args: argparse.Namespace) -> list[tuple[str, Any]]:
    from bioproof.analysis.chromatography import column_efficiency, read_pulse

    height = _quantity(args.bed_height, "cm", "cm")

    def one(path: Path) -> Any:
        frame = read_pulse(path, filename=path.name)
        return column_efficiency(
            frame["volume"].to_numpy(), frame["signal"].to_numpy(), bed_height=height
        )

    return _each(args.files, one)


def _integrity(args: argparse.Namespace) -> list[tuple[str, Any]]:
    from bioproof.analysis import filtration as f

    test = None if args.test_pressure is None else _quantity(args.test_pressure, "bar", "bar")
    temperature = _number(args.temperature, "temperature")

    def one(path: Path) -> Any:
        try:
            head = path.read_bytes()[:200].decode("utf-8", "replace").lower()
        except OSError as exc:
            raise InputError(f"cannot read the file: {exc.strerror}") from None
        if "tmp" in head or "flux" in head:
            frame = f.read_permeability(path, filename=path.name)
            return f.water_permeability(
                frame["tmp"].to_numpy(), frame["flux"].to_numpy(), temperature=temperature
            )
        frame = f.read_integrity(path, filename=path.name)
        return f.integrity_test(
            frame["pressure"].to_numpy(), frame["gas_flow"].to_numpy(), test_pressure=test
        )

    return _each(args.files, one)


def _plan(args: argparse.Namespace) -> Any:
    from bioproof.analysis.comparability import tost_sample_size

    return tost_sample_size(
        sd=_number(args.sd, "sd"),
        margin=_number(args.margin, "margin"),
        power=_fraction(args.power),
        alpha=_number(args.alpha, "alpha"),
        difference=_number(args.difference, "difference"),
    )


def _validate(args: argparse.Namespace) -> Any:
    from bioproof.analysis.validation import validate

    report = validate()
    if args.csv:
        try:
            Path(args.csv).write_text(report.csv(), encoding="utf-8")
        except OSError as exc:
            raise InputError(f"--csv: cannot write '{args.csv}': {exc.strerror}") from None
    return report


_KINDS: dict[str, Callable[[argparse.Namespace], Any]] = {
    "kinetics": _kinetics,
    "kla": _kla,
    "mixing": _mixing,
    "breakthrough": _breakthrough,
    "filtration": _filtration,
    "qc": _qc,
    "compare": _compare,
    "validate": _validate,
    "plan": _plan,
    "sensor": _sensor,
    "pulse": _pulse,
    "integrity": _integrity,
}


def _family_kinds() -> dict[str, Callable[[argparse.Namespace], Any]]:
    from bioproof.analysis import cli_families

    return cli_families.KINDS


def main(argv: list[str] | None = None) -> int:
    """Run ``bioproof analyze`` with ``argv`` (without the word "analyze"); return the exit code.

    0 on success, 2 on bad input or usage (one line on stderr), 1 on an internal error.
    """
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        args = _parser().parse_args(argv)
        output = (_KINDS | _family_kinds())[args.kind](args)
    except SystemExit as exc:  # --help and --version
        return int(exc.code or 0)
    except (_UsageError, InputError) as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return 2
    except Exception as exc:  # never a traceback to a user
        print(f"{PROG}: internal error: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    from bioproof.analysis import report

    if args.json:
        print(json.dumps(report.as_json(args.kind, output), ensure_ascii=False, indent=2))
    else:
        print(report.as_text(args.kind, output))
    if args.kind == "validate" and not output.passed:
        return 1
    return 0
