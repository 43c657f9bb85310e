"""Benchmark of the analysis engine's batch paths (plain prints).

Synthetic data set: 1,000 fed-batch runs of 14 days (daily offline samples with feeds and
sampling volumes, hourly online off-gas signals) and 10,000 dynamic gassing-out curves with a
first-order probe lag. Goals on a 2-core machine: all runs' kinetics in < 1 s, 10,000 kLa fits
with confidence intervals in < 1 s, and the per-file path (read one CSV with units in its
headers, then its kinetics; what an upload does) for 1,000 files in < 5 s; every layout added
in engine 1.2 analysed for 1,000 runs in < 1 s.

    .venv/bin/python benchmarks/analysis.py
"""

from __future__ import annotations

import time

import numpy as np

from bioproof.analysis.bioreactor import kla_correlation, mixing_correlation, oxygen_solubility
from bioproof.analysis.chromatography import column_efficiency
from bioproof.analysis.filtration import integrity_test, water_permeability
from bioproof.analysis.gas import fit_kla_batch, gas_balance
from bioproof.analysis.io import read_offline
from bioproof.analysis.kinetics import culture_kinetics, kinetics_batch
from bioproof.analysis.media import amino_acid_rates, death_rate, quality_attributes
from bioproof.analysis.resins import dbc_residence, mass_balance, resin_cycles
from bioproof.analysis.sensors import detection_limits, response_time, sensor_agreement
from bioproof.analysis.single_use import (
    analytical_evaluation_threshold,
    extractables,
    particulates,
    pressure_decay,
)
from bioproof.analysis.tff import clearance, flux_curve, sieving_coefficient

RUNS, DAYS, CURVES = 1_000, 14, 10_000


def fed_batch_runs(rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Logistic growth with a death phase, qP-driven titer, daily 2 mL samples and feeds."""
    t_d = np.arange(DAYS + 1, dtype=float)
    mu = rng.uniform(0.5, 0.7, (RUNS, 1))
    peak = rng.uniform(15, 25, (RUNS, 1))
    vcd = peak / (1 + (peak / 0.5 - 1) * np.exp(-mu * t_d))
    vcd *= np.exp(-0.15 * np.clip(t_d - 10, 0, None)) * (1 + rng.normal(0, 0.02, vcd.shape))
    ivcd = np.concatenate(
        [np.zeros((RUNS, 1)), np.cumsum((vcd[:, 1:] + vcd[:, :-1]) / 2, axis=1)], axis=1
    )
    viability = np.clip(98 - 0.4 * t_d - 6 * np.clip(t_d - 10, 0, None), 0, 100)
    feed = np.where((t_d >= 3) & (t_d < DAYS), 0.03, 0.0) * np.ones((RUNS, 1))  # L per day
    glucose = np.clip(6.0 - 0.2 * vcd + 0.5 * (t_d % 2), 0.5, None)
    return {
        "time": np.broadcast_to(t_d * 24, (RUNS, t_d.size)).copy(),
        "vcd": vcd * 1e6,
        "viability": np.broadcast_to(viability, vcd.shape).copy(),
        "titer": rng.uniform(20, 30, (RUNS, 1)) * ivcd / 1000,
        "glucose": glucose,
        "lactate": 0.2 + 1.5 * np.sin(np.pi * np.clip(t_d, 0, 12) / 12) * np.ones((RUNS, 1)),
        "volume": np.where(t_d == 0, 1.0, np.nan) * np.ones((RUNS, 1)),
        "feed_volume": feed,
        "sample_volume": np.full(vcd.shape, 0.002),
    }


def online_signals(rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Hourly off-gas O2/CO2 of every run (mole fractions), 0.5 L/min air into 1 L."""
    hours = DAYS * 24 + 1
    load = np.sin(np.linspace(0, np.pi, hours)) * rng.uniform(0.5, 1.5, (RUNS, 1))
    return {
        "o2_out": 0.2095 - 0.01 * load + rng.normal(0, 1e-4, (RUNS, hours)),
        "co2_out": np.clip(0.0004 + 0.01 * load + rng.normal(0, 1e-4, (RUNS, hours)), 0, 1),
    }


def gassing_out_curves(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """60 readings every 5 s after re-aeration; kLa 20–200 /h; 10 s probe; noise 0.5 %."""
    t = np.arange(0, 300, 5.0) / 3600
    kla = rng.uniform(20, 200, (CURVES, 1))
    tau = 10 / 3600
    g = (np.exp(-kla * t) - kla * tau * np.exp(-t / tau)) / (1 - kla * tau)
    do = 100 - 95 * g + rng.normal(0, 0.5, (CURVES, t.size))
    return t, do, kla[:, 0]


def run_files(runs: dict[str, np.ndarray], count: int) -> list[bytes]:
    """The first ``count`` runs as offline CSV files (units in the headers, 1e6 cells/mL, d)."""
    files = []
    for i in range(count):
        lines = [
            "Time [d],VCD [1e6 cells/mL],Viability [%],Glucose [g/L],Lactate [g/L],Titer [g/L]"
        ]
        for j in range(runs["time"].shape[1]):
            lines.append(
                f"{runs['time'][i, j] / 24:g},{runs['vcd'][i, j] / 1e6:.4f},"
                f"{runs['viability'][i, j]:.2f},{runs['glucose'][i, j]:.3f},"
                f"{runs['lactate'][i, j]:.3f},{runs['titer'][i, j]:.4f}"
            )
        files.append("\n".join(lines).encode())
    return files


def layout_runs(rng: np.random.Generator) -> None:
    """Each layout added in engine 1.2, analysed for 1,000 runs (goal < 1 s each)."""
    hours = np.arange(0, 169, 24.0)
    refs = 7.0 - 0.1 * np.sin(hours / 50) + np.zeros((RUNS, 1))
    sens = refs + rng.normal(0.01, 0.005, refs.shape)
    t_s = np.arange(0, 240.0, 2.0)
    step = np.where(t_s < 20, 7.0, 6.0 + np.exp(-(t_s - 20) / rng.uniform(5, 15, (RUNS, 1))))
    conc = np.arange(6.0)
    resp = 2 + 10 * conc + rng.normal(0, 0.1, (RUNS, conc.size))
    vol = np.arange(5.0, 15.0, 0.05)
    pulse = np.exp(-((vol - 10) ** 2) / (2 * rng.uniform(0.15, 0.3, (RUNS, 1)) ** 2))
    ramp = np.arange(1.0, 5.01, 0.25)
    gas = np.where(ramp <= 3.2, 0.5 + 2 * ramp, 6.9 + 40 * (ramp - 3.2))
    gas = gas + rng.normal(0, 0.05, (RUNS, ramp.size))
    tmp = np.array([0.25, 0.5, 0.75, 1.0])
    water = 200 * tmp + rng.normal(0, 2, (RUNS, tmp.size))
    cases = {
        "integrity": lambda i: integrity_test(ramp, gas[i], test_pressure=2.5),
        "permeability": lambda i: water_permeability(tmp, water[i], temperature=22.0),
        "pulse": lambda i: column_efficiency(vol, pulse[i], bed_height=20.0),
        "sensor_agreement": lambda i: sensor_agreement(hours, refs[i], sens[i]),
        "sensor_step": lambda i: response_time(t_s / 3600, step[i], step_time=20 / 3600),
        "calibration": lambda i: detection_limits(conc, resp[i]),
    }
    cases |= family_cases(rng)
    for name, analyse in cases.items():
        seconds, _ = best_of(3, lambda analyse=analyse: [analyse(i) for i in range(RUNS)])
        verdict = "meets" if seconds < 1 else "misses"
        print(f"layout {name}: {RUNS} runs in {seconds:.3f} s ({verdict} the 1 s goal)")
    temps = rng.uniform(20, 40, RUNS)
    seconds, _ = best_of(3, lambda: oxygen_solubility(temps, pressure=130.0, o2_fraction=0.4))
    print(f"C* (vectorised): {RUNS} temperatures in {seconds * 1e3:.2f} ms")


def family_cases(rng: np.random.Generator) -> dict[str, object]:
    """Engine-2 family layouts: synthetic noisy data for 1,000 runs each (per-run calls)."""
    pv = np.repeat([50.0, 100.0, 200.0], 3)
    ug = np.tile([0.002, 0.005, 0.01], 3)
    kla = 93.6 * pv**0.4 * ug**0.5 * np.exp(rng.normal(0, 0.05, (RUNS, pv.size)))
    p_mix = np.array([20.0, 50.0, 100.0, 200.0, 400.0])
    theta = 300 * p_mix ** (-1 / 3) * np.exp(rng.normal(0, 0.05, (RUNS, p_mix.size)))
    tmp = np.array([0.2, 0.4, 0.6, 0.8, 1.0, 1.2, 1.5, 2.0])
    flux = 80 * (1 - np.exp(-1.25 * tmp)) * (1 + rng.normal(0, 0.02, (RUNS, tmp.size)))
    feed = rng.uniform(10, 60, (RUNS, 6))
    permeate = feed * rng.uniform(0.001, 0.003, (RUNS, 6))
    tau = np.array([1.0, 2.0, 3.0, 4.0, 6.0, 8.0])
    dbc = 60 * (1 - np.exp(-tau / 2)) + rng.normal(0, 1, (RUNS, tau.size))
    cyc = np.arange(1.0, 51.0)
    dbc_c = 50 - 0.15 * cyc + rng.normal(0, 0.3, (RUNS, cyc.size))
    yld = 95 - 0.07 * cyc + rng.normal(0, 0.3, (RUNS, cyc.size))
    days = np.arange(15.0)
    vcd = 20e6 / (1 + 39 * np.exp(-0.6 * days)) * np.ones((RUNS, 1))
    vol = 1.0 + 0.02 * days
    aa = {
        a: np.clip(8 - 0.3 * days, 0.2, None) + rng.normal(0, 0.05, (RUNS, days.size))
        for a in ("gln", "asn", "leu", "ser", "ala")
    }
    added = np.where(days < 14, 0.02, 0.0)
    feeds = {"A": (added, {a: 100.0 for a in aa}), "B": (added / 2, {"gln": 200.0})}
    via = np.clip(99 - 0.3 * days - 3 * np.clip(days - 10, 0, None), 50, 100)
    pqa = rng.normal(40, 1, (RUNS, 3))
    conc = rng.lognormal(-3, 1, (RUNS, 30))
    names = [f"c{i}" for i in range(30)]
    counts = rng.poisson(1200, (RUNS, 3)), rng.poisson(40, (RUNS, 3))
    t_s = np.arange(0.0, 301.0, 10.0)
    press = 110 - 0.01 * t_s + rng.normal(0, 0.02, (RUNS, t_s.size))
    aet = analytical_evaluation_threshold(1.5, doses_per_day=1, dose_volume=10.0)

    def clear(i: int) -> object:
        return clearance(
            ["HCP", "DNA", "MVM"],
            [1e5, 1e4, 1e7],
            [10, 10, 10],
            feed[i, :3],
            [12, 12, 12],
            [np.nan, 1.0, 10.0],
        )

    def fed(i: int) -> object:
        rates = amino_acid_rates(
            days * 24, vcd[i], vol, {a: v[i] for a, v in aa.items()}, feeds=feeds
        )
        return rates, death_rate(days * 24, vcd[i], vol, viability=via, feed_volume=added * 1.5)

    return {
        "kla_correlation": lambda i: kla_correlation(
            pv, ug, kla[i], reference_power_per_volume=100, reference_gas_velocity=0.005
        ),
        "mixing_correlation": lambda i: mixing_correlation(
            p_mix, theta[i], reference_power_per_volume=100
        ),
        "tff_flux": lambda i: flux_curve(tmp, flux[i]),
        "tff_sieving": lambda i: sieving_coefficient(feed[i], permeate[i]),
        "clearance": clear,
        "mass_balance": lambda i: mass_balance(
            ["Load", "Flow-through", "Eluate", "Strip"],
            [2.0, 0.05, feed[i, 0] / 6, 0.5],
            [10.0, 10.0, 2.0, 0.5],
        ),
        "dbc_residence": lambda i: dbc_residence(tau, dbc[i], at=4.0),
        "resin_cycles": lambda i: resin_cycles(cyc, dbc=dbc_c[i], step_yield=yld[i]),
        "fed_batch_feeds": fed,
        "quality_attributes": lambda i: quality_attributes(
            {"pqa_g0f": pqa[i], "pqa_aggregates": pqa[i] / 30}
        ),
        "extractables": lambda i: extractables(names, conc[i], aet=aet),
        "particulates": lambda i: particulates(counts[0][i], counts[1][i], container_volume=10.0),
        "pressure_decay": lambda i: pressure_decay(
            t_s, press[i], test_volume=2.0, stabilisation=60.0, limit=0.05
        ),
    }


def best_of(repeats: int, fn) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return min(times), result


def main() -> None:
    rng = np.random.default_rng(2026)
    runs = fed_batch_runs(rng)
    online = online_signals(rng)
    t, do, kla_true = gassing_out_curves(rng)

    def kinetics() -> object:
        return kinetics_batch(
            runs["time"],
            runs["vcd"],
            runs["viability"],
            runs["titer"],
            glucose=runs["glucose"],
            lactate=runs["lactate"],
            volume=runs["volume"],
            feed_volume=runs["feed_volume"],
            sample_volume=runs["sample_volume"],
            feed_concentration={"glucose": 400.0},
        )

    def offgas() -> object:
        return gas_balance(0.5, 1.0, 0.2095, 0.0004, online["o2_out"], online["co2_out"])

    seconds, result = best_of(5, kinetics)
    print(
        f"kinetics: {RUNS} fed-batch runs × {DAYS + 1} samples in {seconds:.4f} s "
        f"= {RUNS / seconds:,.0f} runs/s (median μ_exp {np.nanmedian(result.mu_exp):.3f} /d)"
    )
    seconds_gas, _ = best_of(5, offgas)
    hours = online["o2_out"].size
    print(
        f"off-gas:  OUR/CER/RQ for {RUNS} runs × {DAYS * 24 + 1} h in {seconds_gas:.4f} s "
        f"= {hours / seconds_gas:,.0f} points/s"
    )
    print(f"kinetics + off-gas: {RUNS / (seconds + seconds_gas):,.0f} runs/s")

    files = run_files(runs, RUNS)
    start = time.perf_counter()
    frames = [read_offline(f, filename=f"run{i}.csv") for i, f in enumerate(files)]
    reading = time.perf_counter() - start
    start = time.perf_counter()
    for frame in frames:
        culture_kinetics(frame)
    per_file = time.perf_counter() - start
    total = reading + per_file
    print(
        f"per file: {RUNS} CSV files read in {reading:.2f} s ({reading / RUNS * 1e3:.1f} ms each) "
        f"+ kinetics {per_file:.2f} s ({per_file / RUNS * 1e3:.2f} ms each) = {total:.2f} s "
        f"({'meets' if total < 5 else 'misses'} the 5 s goal)"
    )

    layout_runs(rng)

    seconds, fits = best_of(3, lambda: fit_kla_batch(t, do, probe_tau=10 / 3600))
    error = np.abs(fits.kla / kla_true - 1)
    print(
        f"kLa:      {CURVES} curves × {t.size} points (probe lag, 95 % CI) in {seconds:.4f} s "
        f"= {CURVES / seconds:,.0f} curves/s (converged {fits.converged.mean():.1%}, "
        f"median |error| {np.median(error):.2%})"
    )
    seconds, _ = best_of(3, lambda: fit_kla_batch(t, do))
    print(
        f"kLa:      {CURVES} curves without lag correction in {seconds:.4f} s "
        f"= {CURVES / seconds:,.0f} curves/s"
    )


if __name__ == "__main__":
    main()
