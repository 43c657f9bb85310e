"""Synthetic fed-batch CHO offline data for the demo, the docs and the tests.

Logistic growth with a death phase, Luedeking–Piret-like product formation (qP constant), glucose
consumption with daily feeds and lactate formation — plausible, deterministic, never presented as
measured data.
"""

from __future__ import annotations

import io

import numpy as np
import pandas as pd

HEADER = [
    "Time [d]",
    "VCD [1e6 cells/mL]",
    "Viability [%]",
    "Glucose [g/L]",
    "Lactate [g/L]",
    "Titer [mg/L]",
]


def fed_batch_frame(
    *, seed: int = 0, mu: float = 0.6, peak: float = 20.0, qp_pg: float = 25.0, days: int = 14
) -> pd.DataFrame:
    """Daily samples of one synthetic fed-batch run (units as in :data:`HEADER`)."""
    rng = np.random.default_rng(seed)
    t = np.arange(days + 1, dtype=float)
    x0 = 0.5
    vcd = peak / (1 + (peak / x0 - 1) * np.exp(-mu * t))
    decline = np.clip(t - 10, 0, None)
    vcd = vcd * np.exp(-0.15 * decline) * (1 + rng.normal(0, 0.02, t.size))
    viability = np.clip(98.5 - 0.4 * t - 6.0 * decline + rng.normal(0, 0.3, t.size), 0, 100)
    ivcd = np.concatenate([[0.0], np.cumsum(np.diff(t) * (vcd[1:] + vcd[:-1]) / 2)])
    titer_mg_l = qp_pg * ivcd * (1 + rng.normal(0, 0.01, t.size))  # pg/cell/d × 1e6 c·d/mL = mg/L
    titer_mg_l[0] = 0.0
    glucose = np.clip(6.0 - 0.25 * vcd + 0.8 * (t % 2) + rng.normal(0, 0.05, t.size), 0.5, None)
    lactate = np.clip(0.2 + 1.6 * np.sin(np.pi * np.clip(t, 0, 12) / 12), 0.05, None)
    return pd.DataFrame(
        np.column_stack([t, vcd, viability, glucose, lactate, np.maximum.accumulate(titer_mg_l)]),
        columns=HEADER,
    ).round(4)


def fed_batch_csv(**kw: float) -> bytes:
    buf = io.StringIO()
    fed_batch_frame(**kw).to_csv(buf, index=False)
    return buf.getvalue().encode()


def fed_batch_xlsx(**kw: float) -> bytes:
    buf = io.BytesIO()
    fed_batch_frame(**kw).to_excel(buf, index=False)
    return buf.getvalue()


#: (arm, label, parameters): candidate close to reference → equivalent titer.
DEMO_RUNS = [
    ("candidate", "C-1", {"seed": 1, "mu": 0.62, "qp_pg": 25.5}),
    ("candidate", "C-2", {"seed": 2, "mu": 0.60, "qp_pg": 24.8}),
    ("candidate", "C-3", {"seed": 3, "mu": 0.61, "qp_pg": 25.2}),
    ("reference", "R-1", {"seed": 4, "mu": 0.60, "qp_pg": 25.0}),
    ("reference", "R-2", {"seed": 5, "mu": 0.59, "qp_pg": 24.6}),
    ("reference", "R-3", {"seed": 6, "mu": 0.61, "qp_pg": 25.4}),
]


def breakthrough_frame(
    *,
    dbc: float = 60.0,
    column_volume: float = 1.0,
    feed: float = 2.0,
    holdup: float = 0.5,
    width: float = 2.5,
    seed: int = 0,
) -> pd.DataFrame:
    """A logistic frontal-loading breakthrough curve whose DBC at 10 % is ``dbc`` [g/L resin].

    ``C/C₀ = 1/(1 + exp(−(V − V₅₀)/w))``; ``V₁₀ = dbc·V_c/C₀ + V_hold`` and
    ``V₅₀ = V₁₀ + w·ln 9``. Volumes in mL, concentrations in g/L.
    """
    rng = np.random.default_rng(seed)
    v10 = dbc * column_volume / feed + holdup
    v50 = v10 + width * np.log(9.0)
    volume = np.arange(0.0, v50 + 6 * width, 1.0)
    ratio = 1.0 / (1.0 + np.exp(-(volume - v50) / width))
    noise = rng.normal(0, 0.002, volume.size)
    conc = np.clip(feed * (ratio + noise), 0, None)
    return pd.DataFrame({"Volume [mL]": volume, "Concentration [g/L]": conc.round(5)})


def breakthrough_csv(**kw: float) -> bytes:
    buf = io.StringIO()
    breakthrough_frame(**kw).to_csv(buf, index=False)
    return buf.getvalue().encode()


#: Resin runs: candidate DBC ≈ 62 g/L against reference ≈ 60 g/L → non-inferior at −10 %.
RESIN_RUNS = [
    ("candidate", "C-1", {"dbc": 62.0, "seed": 1}),
    ("candidate", "C-2", {"dbc": 61.0, "seed": 2}),
    ("candidate", "C-3", {"dbc": 63.0, "seed": 3}),
    ("reference", "R-1", {"dbc": 60.0, "seed": 4}),
    ("reference", "R-2", {"dbc": 59.5, "seed": 5}),
    ("reference", "R-3", {"dbc": 60.5, "seed": 6}),
]
RESIN_PARAMETERS = {"feed_concentration": 2.0, "column_volume": 1.0, "holdup": 0.5}


def online_csv(*, seed: int = 0, hours: int = 48, do_dips: int = 2) -> bytes:
    """An hourly online log (pH, DO, temperature) around 7.0 / 40 % / 37 °C; DO falls to 20 %
    for ``do_dips`` hours (each dip counts out of band at the default ±10 %)."""
    rng = np.random.default_rng(seed)
    t = np.arange(hours + 1, dtype=float)
    do = 40.0 + rng.normal(0, 1.5, t.size)
    do[10 : 10 + do_dips] = 20.0
    frame = pd.DataFrame(
        {
            "Time [h]": t,
            "pH": (7.0 + rng.normal(0, 0.02, t.size)).round(3),
            "DO [%]": do.round(2),
            "Temperature [°C]": (37.0 + rng.normal(0, 0.05, t.size)).round(2),
        }
    )
    return frame.to_csv(index=False).encode()


def offgas_csv(*, peak_drop: float = 1.0, hours: int = 24) -> bytes:
    """An off-gas log of a microbial fed-batch: the O₂ drop (percentage points) rises linearly to
    ``peak_drop`` at the end; CO₂ rises by 0.95 × the O₂ drop (RQ ≈ 0.94 after the inert-gas
    correction). 1 L/min into 1 L."""
    t = np.arange(hours + 1, dtype=float)
    drop = peak_drop * t / hours
    frame = pd.DataFrame(
        {
            "Time [h]": t,
            "Gas flow [L/min]": 1.0,
            "Volume [L]": 1.0,
            "O2 in [%]": 20.95,
            "CO2 in [%]": 0.04,
            "O2 out [%]": (20.95 - drop).round(4),
            "CO2 out [%]": (0.04 + 0.95 * drop).round(4),
        }
    )
    return frame.to_csv(index=False).encode()


def qc_csv(*, ph: str = "7.1", endotoxin: str = "< 0.05") -> bytes:
    """QC results of one medium lot against its release specification."""
    frame = pd.DataFrame(
        {
            "Test": ["pH", "Osmolality", "Endotoxin", "Appearance"],
            "Result": [ph, "298 mOsm/kg", endotoxin, "Conforms"],
            "Specification": ["7.0–7.4", "280–320 mOsm/kg", "≤ 0.5 EU/mL", "conforms"],
        }
    )
    return frame.to_csv(index=False).encode()
