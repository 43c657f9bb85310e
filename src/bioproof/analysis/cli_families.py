"""``bioproof analyze`` kinds of the engine-2 families: scaleup (kLa and mixing-time
correlations, C*), tff, resin, media and single-use. Registered by
:mod:`bioproof.analysis.cli`; same conventions (pint quantities, ``--json``, exit 2 on bad
input)."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import Any


def _base() -> Any:
    from bioproof.analysis import cli

    return cli


def _head(path: Path, size: int = 400) -> str:
    from bioproof.analysis.errors import InputError

    try:
        with path.open("rb") as handle:
            return handle.read(size).decode("utf-8", "replace").lower()
    except OSError as exc:
        raise InputError(f"cannot read the file: {exc.strerror}") from None


def add_parsers(kind: Callable[..., argparse.ArgumentParser]) -> None:
    """Add the engine-2 kinds with ``kind(name, help, files=True)`` of the main parser."""
    sub = kind(
        "scaleup",
        "bioreactor scale-up: P/V, gas velocity, kLa files (kLa = a·(P/V)^b·u_g^c with CIs, "
        "OTR = kLa·C*) or P/V, mixing time files (θ = k·(P/V)^m)",
    )
    sub.add_argument("--reference-pv", required=True, help="reference P/V (default unit W/m^3)")
    sub.add_argument("--reference-ug", help="reference gas velocity (default unit mm/s)")
    sub.add_argument("--temperature", default="37", help="process temperature in °C (37)")
    sub.add_argument("--pressure", default="101.325", help="absolute pressure (default unit kPa)")
    sub.add_argument("--o2-fraction", default="20.946%", help="O2 in the gas (20.946%%)")
    sub.add_argument("--salinity", default="0", help="salinity in g/kg, NaCl equivalent (0)")
    sub.add_argument("--mixing-exponent", help="fix the mixing exponent, e.g. -0.3333")
    kind(
        "tff",
        "TFF and clearance files: TMP (or feed/retentate/permeate pressures) with Flux "
        "(permeability, critical and limiting flux), Feed/Permeate concentrations (sieving), "
        "Fraction/Concentration/Volume (yield, mass balance) or Analyte/Load/Product (LRV)",
    )
    sub = kind(
        "resin",
        "resin files: Residence time/DBC (DBC_max, τ_c, DBC at --residence-time), Cycle with DBC "
        "and/or Step yield (lifetime to --drop), Fraction table (yield) or Analyte table (LRV)",
    )
    sub.add_argument("--residence-time", help="residence time for the DBC (default unit min)")
    sub.add_argument("--drop", default="10%", help="drop that ends resin life (10%%)")
    kind(
        "media",
        "media files: a fed-batch log with its feeds (Stream, Time, Volume, VCD, Viability, "
        "amino acids: q of each amino acid, death rate) or product-quality results (attributes "
        "in %%: per-run means)",
    )
    sub = kind(
        "quality",
        "candidate vs reference lots on every product-quality attribute as quality ranges "
        "(mean ± k·SD or min–max of the reference)",
        files=False,
    )
    sub.add_argument("--candidate", nargs="+", required=True, metavar="FILE")
    sub.add_argument("--reference", nargs="+", required=True, metavar="FILE")
    sub.add_argument("--k", default="3", help="range = reference mean ± k·SD (3)")
    sub.add_argument("--minmax", action="store_true", help="range = reference min–max")
    sub.add_argument("--min-fraction", default="90%", help="candidate lots inside (90%%)")
    sub = kind(
        "single-use",
        "single-use article files: Compound/Concentration (against the AET), particle counts "
        "≥10 µm/≥25 µm per container (USP <788>) or Time/Pressure (pressure-decay leak rate)",
    )
    sub.add_argument("--sct", default="1.5", help="safety concern threshold in µg/day (1.5)")
    sub.add_argument("--doses-per-day", default="1", help="doses per day (1)")
    sub.add_argument("--dose-volume", help="dose volume (default unit mL)")
    sub.add_argument("--uf", default="2", help="uncertainty factor (2)")
    sub.add_argument("--scaling", default="1", help="product volume / extract volume (1)")
    sub.add_argument("--container-volume", help="container volume (default unit mL)")
    sub.add_argument("--microscopic", action="store_true", help="USP <788> method 2 limits")
    sub.add_argument("--test-volume", help="pressure-decay test volume (default unit L)")
    sub.add_argument("--stabilisation", default="60", help="stabilisation (default unit s)")
    sub.add_argument("--leak-limit", help="leak-rate limit in mbar·L/s")


def _scaleup(args: argparse.Namespace) -> list[tuple[str, Any]]:
    from bioproof.analysis import bioreactor as b

    cli = _base()
    ref_pv = cli._quantity(args.reference_pv, "W/m**3", "W/m**3")
    ref_ug = None if args.reference_ug is None else cli._quantity(args.reference_ug, "m/s", "mm/s")
    c_star = b.oxygen_solubility(
        cli._number(args.temperature, "temperature"),
        pressure=cli._quantity(args.pressure, "kPa", "kPa"),
        o2_fraction=cli._fraction(args.o2_fraction),
        salinity=cli._number(args.salinity, "salinity"),
    )
    exponent = None if args.mixing_exponent is None else cli._number(args.mixing_exponent, "k")

    def one(path: Path) -> Any:
        if "kla" in _head(path):
            if ref_ug is None:
                raise cli.InputError("a kLa file needs --reference-ug")
            frame = b.read_kla_correlation(path, filename=path.name)
            fit = b.kla_correlation(
                frame["power_per_volume"].to_numpy(),
                frame["gas_velocity"].to_numpy(),
                frame["kla"].to_numpy(),
                reference_power_per_volume=ref_pv,
                reference_gas_velocity=ref_ug,
                c_star=c_star.o2_solubility_mmol,
            )
            return {"kla": fit, "c_star": c_star}
        frame = b.read_mixing_correlation(path, filename=path.name)
        return b.mixing_correlation(
            frame["power_per_volume"].to_numpy(),
            frame["mixing_time"].to_numpy(),
            reference_power_per_volume=ref_pv,
            exponent=exponent,
        )

    return cli._each(args.files, one)


def _tables(path: Path, head: str) -> Any:
    """Fraction tables (yield) and analyte tables (LRV), shared by tff and resin."""
    from bioproof.analysis import resins, tff

    if "analyte" in head or "impurity" in head:
        frame = tff.read_clearance(path, filename=path.name)
        lod = frame["lod"].to_numpy() if "lod" in frame.columns else None
        return tff.clearance(
            list(frame["analyte"]),
            frame["load_concentration"].to_numpy(),
            frame["load_volume"].to_numpy(),
            frame["product_concentration"].to_numpy(),
            frame["product_volume"].to_numpy(),
            lod,
        )
    if "fraction" in head:
        frame = resins.read_mass_balance(path, filename=path.name)
        return resins.mass_balance(
            list(frame["fraction"]), frame["concentration"].to_numpy(), frame["volume"].to_numpy()
        )
    return None


def _tff(args: argparse.Namespace) -> list[tuple[str, Any]]:
    from bioproof.analysis import tff

    cli = _base()

    def one(path: Path) -> Any:
        head = _head(path)
        table = _tables(path, head)
        if table is not None:
            return table
        if "flux" in head:
            frame = tff.read_tff_flux(path, filename=path.name)
            return tff.flux_curve(frame["tmp"].to_numpy(), frame["flux"].to_numpy())
        frame = tff.read_sieving(path, filename=path.name)
        return tff.sieving_coefficient(frame["feed"].to_numpy(), frame["permeate"].to_numpy())

    return cli._each(args.files, one)


def _resin(args: argparse.Namespace) -> list[tuple[str, Any]]:
    from bioproof.analysis import chromatography, resins

    cli = _base()
    drop = cli._fraction(args.drop)

    def one(path: Path) -> Any:
        head = _head(path)
        table = _tables(path, head)
        if table is not None:
            return table
        if "residence" in head:
            if args.residence_time is None:
                raise cli.InputError("a DBC vs residence time file needs --residence-time")
            frame = resins.read_dbc_residence(path, filename=path.name)
            return resins.dbc_residence(
                frame["residence_time"].to_numpy(),
                frame["dbc"].to_numpy(),
                at=cli._quantity(args.residence_time, "min", "min"),
            )
        frame = resins.read_cycles(path, filename=path.name)
        series = {k: frame[k].to_numpy() for k in ("dbc", "step_yield") if k in frame.columns}
        cycles = frame["cycle"].to_numpy()
        return {
            "trend": chromatography.resin_lifetime(cycles, **series),
            "lifetime": resins.resin_cycles(cycles, **series, drop=drop),
        }

    return cli._each(args.files, one)


def _media(args: argparse.Namespace) -> list[tuple[str, Any]]:
    from bioproof.analysis import media

    cli = _base()

    def one(path: Path) -> Any:
        head = _head(path)
        if "stream" in head or "source" in head or "event" in head:
            frame = media.read_feeds(path, filename=path.name)
            samples, feeds, _notes = media.split_feeds(frame)
            t, vcd, v = (samples[c].to_numpy() for c in ("time", "vcd", "volume"))
            added = sum((vol for vol, _c in feeds.values()), start=0 * v)
            measured = {aa: samples[aa].to_numpy() for aa in media.AMINO_ACIDS if aa in samples}
            out = {
                "death": media.death_rate(
                    t,
                    vcd,
                    v,
                    dead=samples["dead"].to_numpy() if "dead" in samples else None,
                    viability=samples["viability"].to_numpy() if "viability" in samples else None,
                    feed_volume=added,
                )
            }
            if measured:
                out["amino_acids"] = media.amino_acid_rates(t, vcd, v, measured, feeds=feeds)
            return out
        frame = media.read_quality(path, filename=path.name)
        return media.quality_attributes(
            {k: frame[k].to_numpy() for k in media.QUALITY_ATTRIBUTES if k in frame.columns}
        )

    return cli._each(args.files, one)


def _quality(args: argparse.Namespace) -> Any:
    import numpy as np

    from bioproof.analysis import media

    cli = _base()

    def lots(files: list[str]) -> dict[str, Any]:
        runs = cli._each(files, lambda p: media.read_quality(p, filename=p.name))
        keys = {k for _n, frame in runs for k in frame.columns if k in media.QUALITY_ATTRIBUTES}
        return {
            k: np.array([frame[k].mean() if k in frame.columns else np.nan for _n, frame in runs])
            for k in keys
        }

    return media.quality_ranges(
        lots(args.candidate),
        lots(args.reference),
        k=cli._number(args.k, "k"),
        method="minmax" if args.minmax else "sd",
        min_fraction=cli._fraction(args.min_fraction) if args.min_fraction != "100%" else 1.0,
    )


def _single_use(args: argparse.Namespace) -> list[tuple[str, Any]]:
    from bioproof.analysis import single_use as su

    cli = _base()

    def need(value: str | None, option: str) -> str:
        if value is None:
            raise cli.InputError(f"this file needs {option}")
        return value

    def one(path: Path) -> Any:
        head = _head(path)
        if "compound" in head or "extractable" in head or "leachable" in head:
            aet = su.analytical_evaluation_threshold(
                cli._number(args.sct, "sct"),
                doses_per_day=cli._number(args.doses_per_day, "doses-per-day"),
                dose_volume=cli._quantity(need(args.dose_volume, "--dose-volume"), "mL", "mL"),
                uncertainty_factor=cli._number(args.uf, "uf"),
                scaling=cli._number(args.scaling, "scaling"),
            )
            frame = su.read_extractables(path, filename=path.name)
            return su.extractables(list(frame["compound"]), frame["concentration"], aet=aet)
        if "pressure" in head:
            frame = su.read_pressure_decay(path, filename=path.name)
            return su.pressure_decay(
                frame["time"].to_numpy(),
                frame["pressure"].to_numpy(),
                test_volume=cli._quantity(need(args.test_volume, "--test-volume"), "L", "L"),
                stabilisation=cli._quantity(args.stabilisation, "s", "s"),
                limit=None if args.leak_limit is None else cli._number(args.leak_limit, "leak"),
            )
        frame = su.read_particulates(path, filename=path.name)
        return su.particulates(
            frame["count_10um"].to_numpy(),
            frame["count_25um"].to_numpy(),
            container_volume=cli._quantity(
                need(args.container_volume, "--container-volume"), "mL", "mL"
            ),
            method="microscopic" if args.microscopic else "light_obscuration",
        )

    return cli._each(args.files, one)


KINDS: dict[str, Callable[[argparse.Namespace], Any]] = {
    "single-use": _single_use,
    "media": _media,
    "quality": _quality,
    "scaleup": _scaleup,
    "tff": _tff,
    "resin": _resin,
}
