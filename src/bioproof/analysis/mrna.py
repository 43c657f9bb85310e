"""mRNA drug-substance and drug-product calculations (pure functions, no Django).

Every function states its formula, units, direction and reference; bad input raises
:class:`~bioproof.analysis.errors.InputError` with a translatable message. See docs/science.md,
section "mRNA production (QC) calculations".
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from bioproof.analysis.errors import N_, InputError

#: RNA extinction: 1 A260 unit (1 cm) = 40 µg/mL single-stranded RNA.
RNA_UG_PER_ML_PER_A260 = 40.0

#: Nucleoside 5′-monophosphate masses (free acid) [g/mol].
NMP_MASS = {
    "A": 347.22,  # AMP C10H14N5O7P
    "C": 323.20,  # CMP C9H14N3O8P
    "G": 363.22,  # GMP C10H14N5O8P
    "U": 324.18,  # UMP C9H13N2O9P
}
#: Modified uridines replacing U [g/mol] (monophosphate, free acid).
MODIFIED_U_MASS = {
    "none": NMP_MASS["U"],
    "pseudouridine": 324.18,  # ΨMP, isomer of UMP
    "n1-methylpseudouridine": 338.21,  # m1ΨMP = ΨMP + CH2 (14.03)
}
WATER = 18.02
HPO3 = 79.98
M7GMP = 377.25  # 7-methylguanosine 5′-monophosphate C11H16N5O8P
CH2 = 14.03

#: 5′-end additions over a 5′-monophosphate chain [g/mol].
FIVE_PRIME = {
    "monophosphate": 0.0,
    "triphosphate": 2 * HPO3,  # pppN: two more phosphates = 159.96
    "cap0": HPO3 + M7GMP - WATER,  # m7GpppN = 439.21
    "cap1": HPO3 + M7GMP - WATER + CH2,  # m7GpppNm (CleanCap AG gives Cap 1) = 453.24
}


def _positive(value: float, name: str, *, allow_zero: bool = False) -> float:
    try:
        x = float(value)
    except (TypeError, ValueError):
        raise InputError(
            N_("%(name)s '%(value)s' is not a number"), params={"name": name, "value": value}
        ) from None
    if not math.isfinite(x) or x < 0 or (x == 0 and not allow_zero):
        raise InputError(
            N_("%(name)s must be a positive number, not %(value)s"),
            params={"name": name, "value": value},
        )
    return x


def rna_concentration_a260(
    a260: float, *, path_length_cm: float = 1.0, dilution: float = 1.0
) -> float:
    """RNA concentration [µg/mL] from absorbance at 260 nm.

    ``c = A260 × 40 µg/mL × dilution / path length [cm]`` (Beer–Lambert with the conventional
    ssRNA factor of 40 µg/mL per A260 unit at 1 cm). Direction: a target (specification).
    Reference: Sambrook & Russell, *Molecular Cloning* 3rd ed., Appendix A8.20; Thermo Fisher
    T042 "Assessment of nucleic acid purity".
    """
    a = _positive(a260, "A260", allow_zero=True)
    path = _positive(path_length_cm, N_("path length"))
    dil = _positive(dilution, N_("dilution factor"))
    if dil < 1:
        raise InputError(N_("the dilution factor must be at least 1, not %(v)s"), params={"v": dil})
    return a * RNA_UG_PER_ML_PER_A260 * dil / path


def a260_a280_ratio(a260: float, a280: float) -> float:
    """Purity ratio A260/A280 [-]; pure RNA ≈ 2.0 (target, usually 1.8–2.2).

    Reference: Thermo Fisher T042 "Assessment of nucleic acid purity"."""
    a = _positive(a260, "A260")
    b = _positive(a280, "A280")
    return a / b


def rna_molecular_weight(
    sequence: str, *, five_prime: str = "triphosphate", modified_u: str = "none"
) -> float:
    """Average molecular weight [g/mol] of a single-stranded RNA from its sequence.

    ``M = Σ nᵢ·(M(NMPᵢ) − M(H₂O)) + M(H₂O) + Δ5′``: each residue is its nucleoside
    monophosphate less the water lost in the phosphodiester bond; one water for the chain's
    ends; Δ5′ = 0 for a 5′-monophosphate, 2·M(HPO₃) = 159.96 for the 5′-triphosphate of an IVT
    transcript, M(HPO₃) + M(m7GMP) − M(H₂O) = 439.21 for Cap 0 (m7GpppN) and + 14.03 for Cap 1.
    Residue masses A 329.20, C 305.18, G 345.20, U 306.16 g/mol (m1Ψ 320.19). A DNA sense strand
    (T) is read as its transcript (U). Direction: identity (a target).
    Reference: Thermo Fisher "DNA and RNA molecular weights and conversions" (ssRNA:
    An×329.2 + Un×306.2 + Cn×305.2 + Gn×345.2 + 159); monophosphate masses from PubChem.
    """
    seq = "".join(str(sequence).split()).upper().replace("T", "U")
    if not seq:
        raise InputError(N_("the sequence is empty"))
    bad = next((i for i, ch in enumerate(seq) if ch not in "ACGU"), None)
    if bad is not None:
        raise InputError(
            N_("position %(pos)d: '%(ch)s' is not A, C, G or U"),
            params={"pos": bad + 1, "ch": seq[bad]},
        )
    if five_prime not in FIVE_PRIME:
        raise InputError(
            N_("unknown 5′ end '%(v)s' (monophosphate, triphosphate, cap0, cap1)"),
            params={"v": five_prime},
        )
    if modified_u not in MODIFIED_U_MASS:
        raise InputError(N_("unknown uridine modification '%(v)s'"), params={"v": modified_u})
    masses = {**NMP_MASS, "U": MODIFIED_U_MASS[modified_u]}
    total = sum(seq.count(b) * (masses[b] - WATER) for b in "ACGU")
    return total + WATER + FIVE_PRIME[five_prime]


def encapsulation_efficiency(f_total: float, f_free: float) -> float:
    """LNP encapsulation efficiency [%] from RiboGreen fluorescence (higher is better).

    ``EE = (F_total − F_free) / F_total × 100``; F_total measured after lysis with Triton X-100,
    F_free on intact particles, both blank-corrected in the same units.
    Reference: Thermo Fisher Quant-iT RiboGreen RNA assay (R11490) manual; Schoenmaker et al.,
    Int. J. Pharm. 601 (2021) 120586.
    """
    ft = _positive(f_total, N_("total fluorescence"))
    ff = _positive(f_free, N_("free fluorescence"), allow_zero=True)
    if ff > ft:
        raise InputError(
            N_("free fluorescence %(free)s is above total fluorescence %(total)s"),
            params={"free": ff, "total": ft},
        )
    return (ft - ff) / ft * 100.0


def capping_efficiency(capped_areas: Iterable[float], uncapped_areas: Iterable[float]) -> float:
    """5′ capping efficiency [%] from LC-MS peak areas of the 5′ cleavage fragments (higher is
    better): ``capped / (capped + uncapped) × 100`` with each side the sum of its species
    (Cap 0 + Cap 1; ppp + pp + p + OH ends).
    Reference: Beverly et al., Anal. Bioanal. Chem. 408 (2016) 5021 (RNase H cleavage, LC-MS).
    """
    capped = sum(_positive(a, N_("peak area"), allow_zero=True) for a in capped_areas)
    uncapped = sum(_positive(a, N_("peak area"), allow_zero=True) for a in uncapped_areas)
    if capped + uncapped <= 0:
        raise InputError(N_("the peak areas sum to zero"))
    return capped / (capped + uncapped) * 100.0


def ivt_yield(mass_mg: float, volume_ml: float, hours: float | None = None) -> tuple[float, float]:
    """IVT yield per reaction volume [mg/mL] and its rate [mg/mL/h] (higher is better).

    ``yield = m / V``; ``rate = m / (V × t)`` (rate is NaN when ``hours`` is not given).
    Reference: ISA-88 batch accounting; typical T7 IVT yields 5–10 mg/mL in 2–4 h
    (Kwon et al., Biomaterials 156 (2018) 172).
    """
    m = _positive(mass_mg, N_("mass"), allow_zero=True)
    v = _positive(volume_ml, N_("reaction volume"))
    y = m / v
    if hours is None:
        return y, math.nan
    t = _positive(hours, N_("reaction time"))
    return y, y / t
