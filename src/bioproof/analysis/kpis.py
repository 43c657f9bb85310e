"""Every KPI a result's ``to_dict()`` emits: key, English and Korean labels, display unit,
description and reference. The web platform renders its tables from :data:`KPIS`."""

from __future__ import annotations

from dataclasses import dataclass, replace

DORAN = "Doran, Bioprocess Engineering Principles, 2nd ed. (2013)"
GARCIA = "Garcia-Ochoa & Gomez, Biotechnol Adv 27:153 (2009)"
CARTA = "Carta & Jungbauer, Protein Chromatography, 2nd ed. (2020)"
BADMINGTON = "Badmington et al., Pharm Technol 19:64 (1995); PDA TR 26"
SEBORG = "Seborg, Edgar, Mellichamp & Doyle, Process Dynamics and Control, 4th ed. (2016)"
PDA14 = "PDA TR 14, Validation of column-based chromatography processes (2008)"


@dataclass(frozen=True)
class KPI:
    """One performance indicator: ``unit`` is the display unit of the values in ``to_dict``."""

    key: str
    label_en: str
    label_ko: str
    unit: str
    description: str
    reference: str
    #: which way is better: "higher", "lower" or "target" (neither: closeness to the reference)
    better: str = "target"

    @property
    def default_comparison(self) -> str:
        """Non-inferiority when a direction is better (a better candidate is no failure),
        equivalence when the KPI has a target."""
        return "equivalence" if self.better == "target" else "non_inferiority"


def _kpis(*rows: tuple[str, str, str, str, str, str]) -> dict[str, KPI]:
    return {row[0]: KPI(*row) for row in rows}


#: KPI key → definition, in display order.
KPIS: dict[str, KPI] = _kpis(
    # cell culture and fermentation kinetics
    (
        "mu_exp",
        "Specific growth rate (exponential phase)",
        "비성장속도 (지수 성장기)",
        "1/d",
        "Slope of ln(viable cells) vs time over the exponential phase, net of sampling and feeds",
        f"{DORAN}, §12.8",
    ),
    ("doubling_time", "Doubling time", "배가 시간", "h", "24·ln 2 / μ_exp", f"{DORAN}, §12.8"),
    (
        "mu_exp_r2",
        "R² of the exponential-phase fit",
        "지수 성장기 적합 결정계수",
        "-",
        "Coefficient of determination of the log-linear fit",
        "Draper & Smith (1998)",
    ),
    (
        "exp_phase_start",
        "Exponential phase start",
        "지수 성장기 시작",
        "d",
        "First sample of the exponential phase",
        f"{DORAN}, §12.8",
    ),
    (
        "exp_phase_end",
        "Exponential phase end",
        "지수 성장기 종료",
        "d",
        "Last sample of the exponential phase",
        f"{DORAN}, §12.8",
    ),
    (
        "mu_max_interval",
        "Maximum interval growth rate",
        "최대 구간 비성장속도",
        "1/d",
        "Largest net specific growth rate between consecutive samples",
        f"{DORAN}, §12.8",
    ),
    (
        "ivcd_final",
        "Integral of viable cell density",
        "적산 생세포 농도 (IVCD)",
        "1e6 cells·d/mL",
        "Trapezoidal integral of viable cell density over the culture",
        "Renard et al., Biotechnol Lett 10:91 (1988)",
    ),
    (
        "peak_vcd",
        "Peak viable cell density",
        "최대 생세포 농도",
        "1e6 cells/mL",
        "Highest measured viable cell density",
        "—",
    ),
    (
        "peak_day",
        "Day of peak VCD",
        "최대 생세포 농도 도달일",
        "d",
        "Culture time of the peak viable cell density",
        "—",
    ),
    (
        "qp",
        "Specific productivity",
        "비생산성",
        "pg/(cell·d)",
        "Slope of cumulative product vs cumulative integral of viable cells (titer vs IVCD)",
        "Renard et al. (1988); Doran (2013) §12.11",
    ),
    (
        "qp_r2",
        "R² of titer vs IVCD",
        "역가-IVCD 적합 결정계수",
        "-",
        "Coefficient of determination of the qP fit",
        "Draper & Smith (1998)",
    ),
    (
        "final_titer",
        "Final titer",
        "최종 역가",
        "g/L",
        "Product concentration at the last sample",
        "—",
    ),
    (
        "volumetric_productivity",
        "Volumetric productivity",
        "부피 생산성",
        "g/(L·d)",
        "Final titer divided by culture time",
        f"{DORAN}, §14.2",
    ),
    (
        "culture_duration",
        "Culture duration (viability)",
        "배양 기간 (생존율 기준)",
        "d",
        "Time until viability first falls below the limit (default 80 %), else the whole run",
        "—",
    ),
    (
        "qs_glucose",
        "Specific glucose consumption rate",
        "포도당 비소비속도",
        "pmol/(cell·d)",
        "Glucose consumed (feeds accounted for) per integral of viable cells",
        f"{DORAN}, §12.11",
    ),
    (
        "qs_glutamine",
        "Specific glutamine consumption rate",
        "글루타민 비소비속도",
        "pmol/(cell·d)",
        "Glutamine consumed per integral of viable cells",
        f"{DORAN}, §12.11",
    ),
    (
        "qp_lactate",
        "Specific lactate production rate",
        "젖산 비생성속도",
        "pmol/(cell·d)",
        "Net lactate formed per integral of viable cells",
        f"{DORAN}, §12.11",
    ),
    (
        "qp_ammonia",
        "Specific ammonia production rate",
        "암모니아 비생성속도",
        "pmol/(cell·d)",
        "Net ammonia formed per integral of viable cells",
        f"{DORAN}, §12.11",
    ),
    (
        "yield_x_glucose",
        "Cell yield on glucose (Yx/s)",
        "포도당 기준 세포 수율 (Yx/s)",
        "1e9 cells/mmol",
        "Viable cells formed per glucose consumed",
        f"{DORAN}, §12.2",
    ),
    (
        "yield_p_glucose",
        "Product yield on glucose (Yp/s)",
        "포도당 기준 생성물 수율 (Yp/s)",
        "g/g",
        "Product formed per glucose consumed",
        f"{DORAN}, §12.2",
    ),
    (
        "yield_lac_glucose",
        "Lactate yield on glucose (Ylac/glc)",
        "젖산/포도당 수율 (Ylac/glc)",
        "mol/mol",
        "Lactate formed per glucose consumed (≤ 2 by stoichiometry)",
        "Ozturk et al., Biotechnol Bioeng 39:418 (1992)",
    ),
    # gas transfer and mixing
    (
        "our",
        "Oxygen uptake rate",
        "산소 섭취 속도 (OUR)",
        "mmol/(L·h)",
        "Inert-gas balance of inlet and off-gas O₂",
        f"{DORAN}, §10.10; {GARCIA}",
    ),
    (
        "cer",
        "CO₂ evolution rate",
        "이산화탄소 발생 속도 (CER)",
        "mmol/(L·h)",
        "Inert-gas balance of inlet and off-gas CO₂",
        f"{DORAN}, §10.10",
    ),
    ("rq", "Respiratory quotient", "호흡 계수 (RQ)", "mol/mol", "CER / OUR", f"{DORAN}, §10.10"),
    (
        "peak_our",
        "Peak oxygen uptake rate",
        "최대 산소 섭취 속도",
        "mmol/(L·h)",
        "Highest OUR of the run's off-gas log",
        f"{DORAN}, §10.10",
    ),
    (
        "peak_cer",
        "Peak CO₂ evolution rate",
        "최대 이산화탄소 발생 속도",
        "mmol/(L·h)",
        "Highest CER of the run's off-gas log",
        f"{DORAN}, §10.10",
    ),
    (
        "oxygen_uptake",
        "Cumulative oxygen uptake",
        "누적 산소 섭취량",
        "mmol/L",
        "∫ OUR dt over the run (trapezoidal)",
        f"{DORAN}, §10.10",
    ),
    (
        "rq_cumulative",
        "Cumulative respiratory quotient",
        "누적 호흡 계수",
        "mol/mol",
        "∫ CER dt / ∫ OUR dt",
        "Royce & Thornhill, AIChE J 37:1680 (1991)",
    ),
    (
        "kla",
        "Volumetric oxygen transfer coefficient",
        "산소 물질전달계수 (kLa)",
        "1/h",
        "Dynamic gassing-out fit, optionally corrected for first-order probe lag",
        f"{GARCIA}; Van't Riet, Ind Eng Chem Process Des Dev 18:357 (1979)",
    ),
    (
        "kla_ci_low",
        "kLa lower confidence limit",
        "kLa 신뢰구간 하한",
        "1/h",
        "Lower limit of the kLa confidence interval (t × standard error)",
        "Bates & Watts (1988)",
    ),
    (
        "kla_ci_high",
        "kLa upper confidence limit",
        "kLa 신뢰구간 상한",
        "1/h",
        "Upper limit of the kLa confidence interval (t × standard error)",
        "Bates & Watts (1988)",
    ),
    (
        "c_star",
        "Saturation DO",
        "포화 용존산소 농도",
        "input DO unit",
        "Fitted equilibrium dissolved-oxygen reading",
        GARCIA,
    ),
    (
        "mixing_time",
        "Mixing time",
        "혼합 시간",
        "s",
        "Time after tracer addition until the response stays within the homogeneity band",
        "Van't Riet & Tramper, Basic Bioreactor Design (1991); Nienow, Chem Eng Sci 52:2557 (1997)",
    ),
    ("power", "Power input", "교반 동력", "W", "Np·ρ·N³·D⁵ or measured", f"{DORAN}, §8.5"),
    (
        "power_per_volume",
        "Power per volume",
        "단위 부피당 동력 (P/V)",
        "W/m³",
        "Power input divided by working volume",
        f"{DORAN}, §8.5",
    ),
    ("tip_speed", "Impeller tip speed", "임펠러 선단 속도", "m/s", "π·N·D", f"{DORAN}, §8.5"),
    (
        "reynolds",
        "Impeller Reynolds number",
        "임펠러 레이놀즈 수",
        "-",
        "ρ·N·D²/μ",
        f"{DORAN}, §7.2",
    ),
    # chromatography
    (
        "dbc",
        "Dynamic binding capacity",
        "동적 결합 용량 (DBC)",
        "g/L resin",
        "Feed concentration × (breakthrough volume − hold-up) / column volume at the stated %",
        CARTA,
    ),
    (
        "saturation_capacity",
        "Saturation binding capacity",
        "포화 결합 용량",
        "g/L resin",
        "Mass bound at the end of loading per column volume (from the full breakthrough curve)",
        CARTA,
    ),
    ("step_yield", "Step yield", "단계 수율", "%", "Product in the eluate / product loaded", CARTA),
    (
        "mass_balance",
        "Mass balance",
        "물질 수지 (회수율)",
        "%",
        "Product in all collected fractions / product loaded",
        CARTA,
    ),
    (
        "dbc_slope",
        "DBC trend per cycle",
        "사이클당 DBC 변화",
        "g/L resin per cycle",
        "Least-squares slope of DBC vs cycle number",
        PDA14,
    ),
    (
        "yield_slope",
        "Yield trend per cycle",
        "사이클당 수율 변화",
        "% per cycle",
        "Least-squares slope of step yield vs cycle number",
        PDA14,
    ),
    (
        "dbc_limit_cycle",
        "First cycle below the DBC limit",
        "DBC 한계 미달 최초 사이클",
        "cycle",
        "First observed cycle whose DBC falls below the limit",
        PDA14,
    ),
    (
        "dbc_limit_cycle_predicted",
        "Predicted cycle at the DBC limit",
        "DBC 한계 도달 예측 사이클",
        "cycle",
        "Cycle where the DBC trend line meets the limit",
        PDA14,
    ),
    (
        "yield_limit_cycle",
        "First cycle below the yield limit",
        "수율 한계 미달 최초 사이클",
        "cycle",
        "First observed cycle whose yield falls below the limit",
        PDA14,
    ),
    (
        "yield_limit_cycle_predicted",
        "Predicted cycle at the yield limit",
        "수율 한계 도달 예측 사이클",
        "cycle",
        "Cycle where the yield trend line meets the limit",
        PDA14,
    ),
    # filtration
    (
        "vmax",
        "Maximum filtrate volume (Vmax)",
        "최대 여과 용량 (Vmax)",
        "L/m²",
        "1 / slope of t/V vs t (standard blocking, constant pressure)",
        BADMINGTON,
    ),
    (
        "qi",
        "Initial flux (Qi)",
        "초기 플럭스 (Qi)",
        "L/(m²·h)",
        "1 / intercept of t/V vs t",
        BADMINGTON,
    ),
    (
        "capacity_at_pmax",
        "Throughput at maximum pressure",
        "최대 압력 기준 여과 용량",
        "L/m²",
        "Filtrate volume per area when a constant-flow run reaches the stated pressure",
        "Zydney & Ho, Desalination 146:75 (2002); Hermia (1982)",
    ),
    (
        "flux_initial",
        "Initial flux",
        "초기 플럭스",
        "L/(m²·h)",
        "Flux over the first interval",
        BADMINGTON,
    ),
    (
        "flux_final",
        "Final flux",
        "최종 플럭스",
        "L/(m²·h)",
        "Flux over the last interval",
        BADMINGTON,
    ),
    ("flux_decay", "Flux decay", "플럭스 감소율", "%", "1 − final flux / initial flux", BADMINGTON),
    (
        "required_area",
        "Required filter area",
        "소요 필터 면적",
        "m²",
        "Batch volume / (Vmax-limited capacity in the process time) × safety factor",
        BADMINGTON,
    ),
    (
        "lrv",
        "Log reduction value",
        "로그 감소값 (LRV)",
        "log10",
        "log10(challenge load / filtrate load)",
        "PDA TR 41 (2008); ICH Q5A(R2)",
    ),
    (
        "ph_in_band",
        "pH: time in band",
        "pH 허용 범위 내 시간",
        "%",
        "Share of logged time with |x − set-point| ≤ band (zero-order hold)",
        f"{SEBORG}, §12.2; ISA-TR5.9 (2005)",
    ),
    (
        "ph_mad",
        "pH: mean absolute deviation",
        "pH 평균 절대 편차",
        "-",
        "∫ |x − set-point| dt / duration (IAE per unit time)",
        f"{SEBORG}, §12.2",
    ),
    (
        "do_in_band",
        "DO: time in band",
        "DO 허용 범위 내 시간",
        "%",
        "Share of logged time with |x − set-point| ≤ band (zero-order hold)",
        f"{SEBORG}, §12.2; ISA-TR5.9 (2005)",
    ),
    (
        "do_mad",
        "DO: mean absolute deviation",
        "DO 평균 절대 편차",
        "% air sat.",
        "∫ |x − set-point| dt / duration (IAE per unit time)",
        f"{SEBORG}, §12.2",
    ),
    (
        "temperature_in_band",
        "Temperature: time in band",
        "온도 허용 범위 내 시간",
        "%",
        "Share of logged time with |x − set-point| ≤ band (zero-order hold)",
        f"{SEBORG}, §12.2; ISA-TR5.9 (2005)",
    ),
    (
        "temperature_mad",
        "Temperature: mean absolute deviation",
        "온도 평균 절대 편차",
        "°C",
        "∫ |x − set-point| dt / duration (IAE per unit time)",
        f"{SEBORG}, §12.2",
    ),
    (
        "n_oos",
        "Out-of-specification results",
        "규격 외 결과 수",
        "count",
        "QC tests of the lot whose result is missing, not a number or outside its specification",
        "USP General Notices 7.20; FDA Guidance, Investigating OOS Test Results (2022)",
    ),
)

BLAND = "Bland & Altman, Lancet 327:307 (1986)"

#: Sensors (bioproof.analysis.sensors).
KPIS.update(
    _kpis(
        (
            "sensor_bias",
            "Sensor bias vs reference",
            "기준 대비 센서 편향",
            "signal unit",
            "Mean of sensor − reference over the paired readings",
            f"{BLAND}; CLSI EP09c",
        ),
        (
            "loa_low",
            "Lower limit of agreement",
            "일치 한계 하한",
            "signal unit",
            "Bias − 1.96·SD of the differences (Bland–Altman)",
            BLAND,
        ),
        (
            "loa_high",
            "Upper limit of agreement",
            "일치 한계 상한",
            "signal unit",
            "Bias + 1.96·SD of the differences (Bland–Altman)",
            BLAND,
        ),
        (
            "sensor_slope",
            "Sensor linearity slope",
            "센서 직선성 기울기",
            "-",
            "Least-squares slope of sensor vs reference (1 = no proportional error)",
            "CLSI EP06 (2020)",
        ),
        (
            "sensor_r2",
            "Sensor linearity R²",
            "센서 직선성 결정계수",
            "-",
            "Coefficient of determination of sensor vs reference",
            "CLSI EP06 (2020)",
        ),
        (
            "drift",
            "Sensor drift",
            "센서 드리프트",
            "signal unit/d",
            "Least-squares slope of (sensor − reference) against time",
            "IEC 60746-1 (2003)",
        ),
        (
            "t90",
            "Response time (t90)",
            "응답 시간 (t90)",
            "s",
            "Time after a step until 90 % of the change is shown",
            "IEC 60746-1 (2003)",
        ),
        (
            "lod",
            "Limit of detection",
            "검출 한계 (LOD)",
            "concentration unit",
            "3.3·σ/S from the calibration line (σ residual SD, S slope)",
            "ICH Q2(R2) (2023) §4.3",
        ),
        (
            "loq",
            "Limit of quantitation",
            "정량 한계 (LOQ)",
            "concentration unit",
            "10·σ/S from the calibration line",
            "ICH Q2(R2) (2023) §4.4",
        ),
    )
)

#: Packed-column efficiency (bioproof.analysis.chromatography.column_efficiency).
KPIS.update(
    _kpis(
        (
            "plate_count",
            "Plate count (N)",
            "이론단수 (N)",
            "-",
            "8·ln 2·(V_R/W_h)² from a tracer pulse (half-height method)",
            f"{CARTA}, §8.3",
        ),
        (
            "hetp",
            "Height equivalent to a theoretical plate",
            "이론단 높이 (HETP)",
            "cm",
            "Bed height / plate count",
            f"{CARTA}, §8.3",
        ),
        (
            "asymmetry",
            "Peak asymmetry (As)",
            "피크 비대칭도 (As)",
            "-",
            "Tail / front half-width at 10 % of the peak height (1 = symmetric; 0.8–1.8 usual)",
            f"{CARTA}, §8.3",
        ),
    )
)

#: Filter integrity and permeability (bioproof.analysis.filtration).
KPIS.update(
    _kpis(
        (
            "bubble_point",
            "Bubble point",
            "버블 포인트",
            "bar",
            "Pressure where the diffusion and bulk-flow lines of the gas-flow ramp meet",
            "PDA TR 26 (2008) §6; ASTM F316-03",
        ),
        (
            "diffusion_flow",
            "Diffusive gas flow at the test pressure",
            "시험 압력에서의 확산 유량",
            "mL/min",
            "Gas flow through the wetted membrane at the test pressure (diffusion line)",
            "PDA TR 26 (2008) §6",
        ),
        (
            "water_permeability",
            "Clean-water permeability (20 °C)",
            "순수 투과도 (20 °C)",
            "L/(m²·h·bar)",
            "Flux / TMP (line through the origin), viscosity-corrected to 20 °C",
            "Cheryan, Ultrafiltration and Microfiltration Handbook (1998) ch. 4",
        ),
    )
)

#: Which way is better for each KPI that has a direction; every other KPI is a "target" (judged
#: by closeness to the reference: rates of consumption, R², times of events, RQ, C*, P/V …).
HIGHER = (
    "mu_exp",
    "mu_max_interval",
    "ivcd_final",
    "peak_vcd",
    "qp",
    "final_titer",
    "volumetric_productivity",
    "culture_duration",
    "yield_x_glucose",
    "yield_p_glucose",
    "peak_our",
    "peak_cer",
    "kla",
    "kla_ci_low",
    "kla_ci_high",
    "dbc",
    "saturation_capacity",
    "step_yield",
    "dbc_slope",
    "yield_slope",
    "dbc_limit_cycle",
    "dbc_limit_cycle_predicted",
    "yield_limit_cycle",
    "yield_limit_cycle_predicted",
    "vmax",
    "qi",
    "capacity_at_pmax",
    "flux_initial",
    "flux_final",
    "lrv",
    "ph_in_band",
    "do_in_band",
    "temperature_in_band",
    "sensor_r2",
    "plate_count",
    "bubble_point",
    "water_permeability",
)
LOWER = (
    "doubling_time",
    "qp_lactate",
    "qp_ammonia",
    "yield_lac_glucose",
    "mixing_time",
    "flux_decay",
    "required_area",
    "ph_mad",
    "do_mad",
    "temperature_mad",
    "n_oos",
    "t90",
    "lod",
    "loq",
    "hetp",
    "diffusion_flow",
)


def _directed(kpis: dict[str, KPI]) -> dict[str, KPI]:
    for key in HIGHER:
        kpis[key] = replace(kpis[key], better="higher")
    for key in LOWER:
        kpis[key] = replace(kpis[key], better="lower")
    return kpis


KPIS = _directed(KPIS)

VANTRIET = "Van't Riet, Ind Eng Chem Process Des Dev 18:357 (1979)"


def _directed_rows(*rows: tuple[str, ...]) -> dict[str, KPI]:
    """Rows of seven: the six of :func:`_kpis` and ``better`` ("higher", "lower", "target")."""
    return {row[0]: KPI(*row) for row in rows}


#: Bioreactor scale-up characterisation (bioproof.analysis.bioreactor).
KPIS.update(
    _directed_rows(
        (
            "kla_coefficient",
            "kLa correlation coefficient a",
            "kLa 상관식 계수 a",
            "1/h·(W/m³)^−b·(m/s)^−c",
            "a of kLa = a·(P/V)^b·u_g^c, log-linear least squares",
            VANTRIET,
            "target",
        ),
        (
            "kla_pv_exponent",
            "kLa exponent of P/V (b)",
            "kLa 상관식 P/V 지수 (b)",
            "-",
            "b of kLa = a·(P/V)^b·u_g^c (Van't Riet: ≈ 0.4 coalescing, 0.7 non-coalescing)",
            VANTRIET,
            "target",
        ),
        (
            "kla_ug_exponent",
            "kLa exponent of gas velocity (c)",
            "kLa 상관식 가스 유속 지수 (c)",
            "-",
            "c of kLa = a·(P/V)^b·u_g^c (Van't Riet: ≈ 0.5 coalescing, 0.2 non-coalescing)",
            VANTRIET,
            "target",
        ),
        (
            "kla_predicted",
            "kLa at the reference P/V and gas velocity",
            "기준 P/V·가스 유속에서의 kLa",
            "1/h",
            "exp(x_refᵀβ) of the fitted correlation, with the CI of the fitted mean",
            VANTRIET,
            "higher",
        ),
        (
            "otr_max",
            "Oxygen transfer capacity (kLa·C*)",
            "산소 전달 능력 (kLa·C*)",
            "mmol/(L·h)",
            "kLa at the reference point times C* at the process temperature and pressure",
            f"{GARCIA}; {DORAN}, §10.4",
            "higher",
        ),
        (
            "mixing_exponent",
            "Mixing-time exponent of P/V (m)",
            "혼합 시간 P/V 지수 (m)",
            "-",
            "m of θ_m = k·(P/V)^m (turbulent regime: −1/3)",
            "Nienow, Chem Eng Sci 52:2557 (1997)",
            "target",
        ),
        (
            "mixing_time_predicted",
            "Mixing time at the reference P/V",
            "기준 P/V에서의 혼합 시간",
            "s",
            "exp(ln k + m·ln P/V_ref) of the fitted power law, with the CI of the fitted mean",
            "Nienow, Chem Eng Sci 52:2557 (1997)",
            "lower",
        ),
        (
            "o2_solubility",
            "O₂ solubility C* (temperature, pressure, O₂ fraction)",
            "산소 용해도 C* (온도·압력·산소 분율 보정)",
            "mg/L",
            "Benson & Krause freshwater C*, pressure-corrected with water vapour, × y_O2/0.20946",
            "Benson & Krause, Limnol Oceanogr 29:620 (1984); APHA Standard Methods 4500-O",
            "target",
        ),
    )
)

CHERYAN = "Cheryan, Ultrafiltration and Microfiltration Handbook (1998)"
Q5A = "ICH Q5A(R2) (2023) §6; PDA TR 41"

#: Tangential-flow filtration and clearance (bioproof.analysis.tff).
KPIS.update(
    _directed_rows(
        (
            "tff_permeability",
            "Process permeability L_p (initial flux/TMP slope)",
            "공정 투과도 L_p (초기 플럭스/TMP 기울기)",
            "L/(m²·h·bar)",
            "Initial slope J_lim·k of the fitted J = J_lim(1 − e^(−k·TMP))",
            f"{CHERYAN} ch. 5",
            "higher",
        ),
        (
            "critical_flux",
            "Critical flux (10 % below the initial line)",
            "임계 플럭스 (초기 직선 대비 10 % 이탈)",
            "L/(m²·h)",
            "Flux where the fitted curve falls 10 % below L_p·TMP: 0.9·L_p·0.21456/k",
            "Field et al., J Membr Sci 100:259 (1995); Bacchin et al., J Membr Sci 281:42 (2006)",
            "higher",
        ),
        (
            "limiting_flux",
            "Limiting flux",
            "한계 플럭스",
            "L/(m²·h)",
            "Plateau J_lim of the fitted flux–TMP curve (mass-transfer controlled)",
            f"{CHERYAN} §5.2",
            "higher",
        ),
        (
            "sieving_coefficient",
            "Observed sieving coefficient",
            "관측 체거름 계수",
            "-",
            "Mean of C_permeate/C_feed over the time points",
            "van Reis & Zydney, J Membr Sci 297:16 (2007)",
            "target",
        ),
        (
            "lrv_hcp",
            "HCP clearance (LRV)",
            "HCP 제거율 (LRV)",
            "log10",
            "log10(C_in·V_in/(C_out·V_out)) of host-cell protein; ≥ when below detection",
            Q5A,
            "higher",
        ),
        (
            "lrv_dna",
            "DNA clearance (LRV)",
            "DNA 제거율 (LRV)",
            "log10",
            "log10(C_in·V_in/(C_out·V_out)) of residual DNA; ≥ when below detection",
            Q5A,
            "higher",
        ),
        (
            "lrv_virus",
            "Virus clearance (LRV)",
            "바이러스 제거율 (LRV)",
            "log10",
            "log10 of virus load in over load out (lowest of the viruses tested); ≥ when below "
            "detection",
            Q5A,
            "higher",
        ),
    )
)

#: Resin process steps (bioproof.analysis.resins).
KPIS.update(
    _directed_rows(
        (
            "dbc_max",
            "DBC plateau at long residence time",
            "긴 체류 시간에서의 DBC 상한",
            "g/L",
            "DBC_max of DBC(τ) = DBC_max(1 − e^(−τ/τ_c))",
            f"{CARTA}, ch. 5; Fahrner et al., J Biotechnol 75:273 (1999)",
            "higher",
        ),
        (
            "tau_c",
            "Characteristic residence time τ_c",
            "특성 체류 시간 τ_c",
            "min",
            "τ_c of DBC(τ) = DBC_max(1 − e^(−τ/τ_c)): shorter = faster mass transfer",
            f"{CARTA}, ch. 5",
            "lower",
        ),
        (
            "dbc_at_residence",
            "DBC at the stated residence time",
            "지정 체류 시간에서의 DBC",
            "g/L",
            "Fitted DBC(τ) at the protocol's residence time, with its delta-method CI",
            f"{CARTA}, ch. 5",
            "higher",
        ),
        (
            "dbc_cycles_to_drop",
            "Cycles until DBC drops by the stated fraction",
            "DBC가 지정 비율만큼 감소하기까지의 사이클",
            "cycles",
            "Cycle where the DBC trend line falls by the drop from its first-cycle value "
            "(Fieller CI)",
            f"{PDA14}; Fieller, J R Stat Soc B 16:175 (1954)",
            "higher",
        ),
        (
            "yield_cycles_to_drop",
            "Cycles until step yield drops by the stated fraction",
            "단계 수율이 지정 비율만큼 감소하기까지의 사이클",
            "cycles",
            "Cycle where the yield trend line falls by the drop from its first-cycle value "
            "(Fieller CI)",
            f"{PDA14}; Fieller, J R Stat Soc B 16:175 (1954)",
            "higher",
        ),
    )
)


def _media_kpis() -> dict[str, KPI]:
    """q of each amino acid, the death rate, and the product-quality attributes."""
    from bioproof.analysis.media import AMINO_ACIDS, QUALITY_ATTRIBUTES

    rates = "Altamirano et al., Biotechnol Prog 17:1032 (2001); Xing et al. (2009)"
    rows: list[tuple[str, ...]] = [
        (
            f"q_{aa}",
            f"Specific {name.lower()} consumption rate",
            f"{ko} 비소비속도",
            "pmol/(cell·d)",
            "Slope of cumulative consumption (feeds included by mass balance) vs cumulative "
            "viable cells; negative = produced",
            rates,
            "target",
        )
        for aa, (name, ko, _aliases) in AMINO_ACIDS.items()
    ]
    rows += [
        (
            "death_rate",
            "Specific death rate k_d",
            "비사멸속도 k_d",
            "1/d",
            "Slope of cumulative dead cells (incl. those sampled out) vs cumulative viable cells",
            f"Goudar et al., Biotechnol Prog 21:1109 (2005); {DORAN}, §12.12",
            "lower",
        ),
        (
            "death_rate_max",
            "Largest interval death rate",
            "최대 구간 비사멸속도",
            "1/d",
            "Largest k_d between consecutive samples",
            "Goudar et al., Biotechnol Prog 21:1109 (2005)",
            "lower",
        ),
    ]
    rows += [
        (
            key,
            name,
            ko,
            "%",
            f"Mean of the run's replicate results for {name.lower()} (% of total peak area)",
            "FDA draft guidance, Statistical Approaches to Evaluate Analytical Similarity (2017)",
            better,
        )
        for key, (name, ko, _aliases, better) in QUALITY_ATTRIBUTES.items()
    ]
    return _directed_rows(*rows)


#: Media and feeds (bioproof.analysis.media).
KPIS.update(_media_kpis())

USP1663 = "USP <1663>; Paskiet et al., PDA J Pharm Sci Technol 67:430 (2013)"

#: Single-use articles (bioproof.analysis.single_use).
KPIS.update(
    _directed_rows(
        (
            "el_above_aet",
            "Extractables/leachables at or above the AET",
            "AET 이상 추출물/침출물 수",
            "compounds",
            "Compounds whose concentration reaches AET = SCT/(doses/day·dose volume)/UF·scaling",
            USP1663,
            "lower",
        ),
        (
            "el_max_ratio",
            "Largest extractable concentration / AET",
            "추출물 최대 농도/AET 비",
            "-",
            "max(C/AET) over the compounds",
            USP1663,
            "lower",
        ),
        (
            "particles_10um_per_ml",
            "Sub-visible particles ≥10 µm",
            "10 µm 이상 미립자",
            "1/mL",
            "Mean count ≥10 µm per container divided by its volume",
            "USP <788>; Ph. Eur. 2.9.19",
            "lower",
        ),
        (
            "particles_25um_per_ml",
            "Sub-visible particles ≥25 µm",
            "25 µm 이상 미립자",
            "1/mL",
            "Mean count ≥25 µm per container divided by its volume",
            "USP <788>; Ph. Eur. 2.9.19",
            "lower",
        ),
        (
            "particle_limit_ratio",
            "Particulates / USP <788> limit",
            "미립자/USP <788> 한도 비",
            "-",
            "Largest mean count/limit (per container ≤ 100 mL, per mL above); ≤ 1 passes",
            "USP <788>",
            "lower",
        ),
        (
            "leak_rate",
            "Leak rate (pressure decay)",
            "누설률 (압력 감쇠)",
            "mbar·L/s",
            "Q = V·|dP/dt| after stabilisation (least-squares decay rate)",
            "USP <1207.2>; ASTM F2095",
            "lower",
        ),
        (
            "leak_limit_ratio",
            "Leak rate / limit",
            "누설률/한도 비",
            "-",
            "Q divided by the stated leak-rate limit; ≤ 1 passes",
            "USP <1207.2>",
            "lower",
        ),
    )
)
