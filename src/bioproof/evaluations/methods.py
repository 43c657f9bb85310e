"""The programme's shared method templates, one or more per product family.

Each names the arms and replicates, the data layouts every run carries, the KPIs tabulated and the
default acceptance criteria (relative margins are fractions of the reference mean), which follow
each KPI's better direction (:func:`_crit`). Centers derive
their own versions; see :func:`bioproof.evaluations.actions.templates.revise_template`.
"""

from __future__ import annotations

from typing import Any

CULTURE_KPIS = [
    "mu_exp",
    "doubling_time",
    "ivcd_final",
    "peak_vcd",
    "qp",
    "final_titer",
    "volumetric_productivity",
]


def _crit(kpi: str, margin: float) -> dict[str, Any]:
    """The default criterion of ``kpi`` with a relative ``margin``: non-inferiority in the KPI's
    better direction (a higher titer is no failure), equivalence for a KPI with a target."""
    from bioproof.analysis.kpis import KPIS

    k = KPIS[kpi]
    spec: dict[str, Any] = {
        "kpi": kpi,
        "comparison": k.default_comparison,
        "value": margin,
        "relative": True,
    }
    if k.better != "target":
        spec["higher_is_better"] = k.better == "higher"
    return spec


TEMPLATES: list[dict[str, Any]] = [
    {
        "code": "media-fed-batch",
        "family": "media",
        "categories": ["media", "feeds", "fermentation-media", "buffers"],
        "name_en": "Culture medium or feed — fed-batch performance",
        "name_ko": "배지·피드 — 유가배양 성능",
        "description": "Candidate and reference medium in parallel fed-batch runs of the demand "
        "company's cell line; growth, productivity and titer compared.",
        "candidate_runs": 3,
        "reference_runs": 3,
        "layouts": ["offline"],
        "kpis": CULTURE_KPIS,
        "default_criteria": [
            _crit("final_titer", 0.10),
            _crit("qp", 0.10),
            _crit("peak_vcd", 0.15),
        ],
    },
    {
        "code": "resin-dbc",
        "family": "resins",
        "categories": ["resins", "membranes"],
        "name_en": "Chromatography resin — dynamic binding capacity",
        "name_ko": "크로마토그래피 레진 — 동적 결합 용량",
        "description": "Frontal loading of clarified harvest on packed columns of candidate and "
        "reference resin; DBC at 10 % breakthrough, hold-up corrected.",
        "candidate_runs": 3,
        "reference_runs": 3,
        "layouts": ["breakthrough"],
        "kpis": ["dbc", "saturation_capacity"],
        "default_criteria": [_crit("dbc", 0.10)],
    },
    {
        "code": "resin-packing",
        "family": "resins",
        "categories": ["resins"],
        "name_en": "Chromatography resin — packed-column efficiency",
        "name_ko": "크로마토그래피 레진 — 충진 컬럼 효율",
        "description": "Columns packed with candidate and reference resin to the same bed "
        "height, tested with a non-retained tracer pulse (acetone or NaCl); plate count, HETP "
        "and asymmetry by the half-height method.",
        "candidate_runs": 3,
        "reference_runs": 3,
        "layouts": ["pulse"],
        "kpis": ["plate_count", "hetp", "asymmetry"],
        "default_criteria": [
            _crit("hetp", 0.20),
            {"kpi": "asymmetry", "comparison": "maximum", "value": 1.8, "relative": False},
        ],
    },
    {
        "code": "filter-vmax",
        "family": "filters",
        "categories": ["filters"],
        "name_en": "Filter — Vmax and flux at constant pressure",
        "name_ko": "필터 — 정압 여과 Vmax 및 플럭스",
        "description": "Constant-pressure filtration of the same feed through candidate and "
        "reference filters of known area; Vmax and Qi from the t/V-t fit.",
        "candidate_runs": 3,
        "reference_runs": 3,
        "layouts": ["filtration"],
        "kpis": ["vmax", "qi", "flux_initial", "flux_final", "flux_decay"],
        "default_criteria": [_crit("vmax", 0.15), _crit("qi", 0.15)],
    },
    {
        "code": "filter-wetted-integrity",
        "family": "filters",
        "categories": ["filters"],
        "name_en": "Filter — integrity (bubble point, diffusion) and water permeability",
        "name_ko": "필터 — 완전성 (버블 포인트, 확산) 및 순수 투과도",
        "description": "Wetted candidate and reference filters: an upstream pressure ramp with "
        "the gas flow (bubble point by the two-line method, diffusive flow at the test "
        "pressure), and clean-water flux at several TMPs (permeability at 20 °C).",
        "candidate_runs": 3,
        "reference_runs": 3,
        "layouts": ["integrity", "permeability"],
        "kpis": ["bubble_point", "diffusion_flow", "water_permeability"],
        "default_criteria": [
            _crit("bubble_point", 0.10),
            _crit("diffusion_flow", 0.20),
            _crit("water_permeability", 0.15),
        ],
    },
    {
        "code": "single-use-culture",
        "family": "single_use",
        "categories": ["single-use-bags", "tubing", "connectors"],
        "name_en": "Single-use bag or assembly — culture performance",
        "name_ko": "일회용 백·어셈블리 — 배양 성능",
        "description": "Cultures in the candidate and reference single-use article (extractables "
        "data is attached to the product); growth and titer compared.",
        "candidate_runs": 3,
        "reference_runs": 3,
        "layouts": ["offline"],
        "kpis": CULTURE_KPIS,
        "default_criteria": [_crit("final_titer", 0.10), _crit("peak_vcd", 0.15)],
    },
    {
        "code": "sensor-controlled-culture",
        "family": "sensors",
        "categories": ["sensors"],
        "name_en": "Sensor — process performance under control",
        "name_ko": "센서 — 제어 하 공정 성능",
        "description": "Runs controlled by the candidate sensor against runs controlled by the "
        "reference sensor; the controlled process must perform equivalently.",
        "candidate_runs": 3,
        "reference_runs": 3,
        "layouts": ["offline"],
        "kpis": CULTURE_KPIS,
        "default_criteria": [_crit("final_titer", 0.10), _crit("peak_vcd", 0.15)],
    },
    {
        "code": "bioreactor-transfer",
        "family": "bioreactors",
        "categories": ["bioreactors", "fermenters", "mixers"],
        "name_en": "Bioreactor or fermenter — oxygen transfer and mixing",
        "name_ko": "생물반응기·발효기 — 산소 전달 및 혼합",
        "description": "Gassing-out kLa (probe-lag corrected) and tracer mixing time at the same "
        "P/V and gas flow in candidate and reference vessels.",
        "candidate_runs": 3,
        "reference_runs": 3,
        "layouts": ["gassing_out", "mixing"],
        "kpis": ["kla", "kla_ci_low", "kla_ci_high", "mixing_time"],
        "default_criteria": [_crit("kla", 0.15), _crit("mixing_time", 0.20)],
    },
    {
        "code": "sensor-reference-accuracy",
        "family": "sensors",
        "categories": ["sensors"],
        "name_en": "Sensor — accuracy against a reference method and response time",
        "name_ko": "센서 — 기준 방법 대비 정확도 및 응답 시간",
        "description": "Paired readings of the candidate (or reference) sensor and an offline "
        "reference analyser over a run: bias, Bland–Altman limits of agreement, linearity and "
        "drift; and a step test for the response time t90.",
        "candidate_runs": 3,
        "reference_runs": 3,
        "layouts": ["sensor_agreement", "sensor_step"],
        "kpis": ["sensor_bias", "loa_low", "loa_high", "sensor_slope", "sensor_r2", "drift", "t90"],
        "default_criteria": [
            _crit("sensor_slope", 0.05),
            _crit("t90", 0.20),
            {"kpi": "sensor_r2", "comparison": "minimum", "value": 0.98, "relative": False},
        ],
    },
    {
        "code": "sensor-detection-limits",
        "family": "sensors",
        "categories": ["sensors"],
        "name_en": "Analyser or sensor — detection and quantitation limits",
        "name_ko": "분석기·센서 — 검출 및 정량 한계",
        "description": "Calibration standards measured on the candidate and reference "
        "instruments; LOD and LOQ from the residual SD and slope of the calibration line "
        "(ICH Q2(R2)).",
        "candidate_runs": 3,
        "reference_runs": 3,
        "layouts": ["calibration"],
        "kpis": ["lod", "loq"],
        "default_criteria": [_crit("loq", 0.20)],
    },
    {
        "code": "sensor-loop-control",
        "family": "sensors",
        "categories": ["sensors"],
        "name_en": "Sensor — control-loop performance (online log)",
        "name_ko": "센서 — 제어 루프 성능 (온라인 기록)",
        "description": "Runs whose pH and DO loops are closed on the candidate sensor against "
        "runs closed on the reference sensor; time in band and mean absolute deviation from the "
        "set-points, from the online historian log.",
        "candidate_runs": 3,
        "reference_runs": 3,
        "layouts": ["online"],
        "kpis": ["ph_in_band", "ph_mad", "do_in_band", "do_mad"],
        "default_criteria": [
            {"kpi": "ph_in_band", "comparison": "minimum", "value": 95.0, "relative": False},
            {"kpi": "do_in_band", "comparison": "minimum", "value": 90.0, "relative": False},
        ],
    },
    {
        "code": "fermenter-respiration",
        "family": "bioreactors",
        "categories": ["fermenters", "bioreactors"],
        "name_en": "Fermenter — respiration and process control",
        "name_ko": "발효기 — 호흡 및 공정 제어",
        "description": "The same microbial fed-batch in candidate and reference fermenters; "
        "OUR, CER and cumulative RQ from the off-gas balance, and pH/DO control from the online "
        "log.",
        "candidate_runs": 3,
        "reference_runs": 3,
        "layouts": ["offgas", "online"],
        "kpis": ["peak_our", "peak_cer", "oxygen_uptake", "rq_cumulative", "do_in_band"],
        "default_criteria": [
            _crit("peak_our", 0.15),
            _crit("rq_cumulative", 0.10),
            {"kpi": "do_in_band", "comparison": "minimum", "value": 90.0, "relative": False},
        ],
    },
    {
        "code": "media-lot-qc",
        "family": "media",
        "categories": ["media", "feeds", "fermentation-media", "buffers"],
        "name_en": "Culture medium or buffer — lot QC against specification",
        "name_ko": "배지·완충액 — 로트 품질시험 (규격 대비)",
        "description": "Release tests (pH, osmolality, endotoxin, bioburden, appearance) of "
        "candidate and reference lots against the demand company's specification; every "
        "candidate lot must conform.",
        "candidate_runs": 3,
        "reference_runs": 1,
        "layouts": ["qc"],
        "kpis": ["n_oos"],
        "default_criteria": [
            {"kpi": "n_oos", "comparison": "maximum", "value": 0.0, "relative": False},
        ],
    },
    {
        "code": "chromatography-system",
        "family": "systems",
        "categories": ["chromatography-systems"],
        "name_en": "Chromatography system — capture performance",
        "name_ko": "크로마토그래피 시스템 — 포획 성능",
        "description": "The same resin and load run on the candidate and reference systems; the "
        "breakthrough behaviour must be equivalent.",
        "candidate_runs": 3,
        "reference_runs": 3,
        "layouts": ["breakthrough"],
        "kpis": ["dbc", "saturation_capacity"],
        "default_criteria": [_crit("dbc", 0.10)],
    },
    {
        "code": "tff-system",
        "family": "systems",
        "categories": ["tff-systems"],
        "name_en": "TFF system — filtrate flux",
        "name_ko": "TFF 시스템 — 여과 플럭스",
        "description": "The same membrane and feed on the candidate and reference systems at the "
        "same transmembrane pressure; flux compared.",
        "candidate_runs": 3,
        "reference_runs": 3,
        "layouts": ["filtration"],
        "kpis": ["qi", "flux_initial", "flux_final", "flux_decay"],
        "default_criteria": [_crit("flux_initial", 0.15)],
    },
]

#: Templates of the engine-2 families. A category's default template is the first by (family,
#: code) listing it (``evaluations.actions.requests``): these codes sort after the existing
#: defaults of their categories, so no default changes.
TEMPLATES += [
    {
        "code": "bioreactor-transfer-scale-up",
        "family": "bioreactors",
        "categories": ["bioreactors", "fermenters", "mixers"],
        "name_en": "Bioreactor — kLa and mixing-time correlations for scale-up",
        "name_ko": "생물반응기 — 스케일업용 kLa 및 혼합 시간 상관식",
        "description": "kLa measured at several P/V and superficial gas velocities and mixing "
        "time at several P/V in candidate and reference vessels; kLa = a·(P/V)^b·u_g^c and "
        "θ_m = k·(P/V)^m fitted with confidence intervals, compared at a reference operating "
        "point, with the oxygen transfer capacity kLa·C* at the process temperature and "
        "pressure.",
        "candidate_runs": 3,
        "reference_runs": 3,
        "layouts": ["kla_correlation", "mixing_correlation"],
        "kpis": [
            "kla_predicted",
            "otr_max",
            "kla_pv_exponent",
            "kla_ug_exponent",
            "mixing_time_predicted",
            "mixing_exponent",
        ],
        "default_criteria": [
            _crit("kla_predicted", 0.15),
            _crit("otr_max", 0.15),
            _crit("mixing_time_predicted", 0.20),
        ],
    },
    {
        "code": "tff-membrane",
        "family": "filters",
        "categories": ["filters"],
        "name_en": "TFF membrane — flux–TMP, sieving and step yield",
        "name_ko": "TFF 멤브레인 — 플럭스-TMP, 체거름 및 단계 수율",
        "description": "The same feed concentrated on candidate and reference cassettes: a "
        "flux–TMP excursion at constant cross-flow (permeability, critical and limiting flux), "
        "paired feed/permeate samples (sieving coefficient) and the fraction table of the "
        "step (yield and mass balance).",
        "candidate_runs": 3,
        "reference_runs": 3,
        "layouts": ["tff_flux", "tff_sieving", "mass_balance"],
        "kpis": [
            "tff_permeability",
            "critical_flux",
            "limiting_flux",
            "sieving_coefficient",
            "step_yield",
            "mass_balance",
        ],
        "default_criteria": [
            _crit("critical_flux", 0.15),
            _crit("limiting_flux", 0.15),
            _crit("step_yield", 0.05),
        ],
    },
    {
        "code": "virus-filter-clearance",
        "family": "filters",
        "categories": ["filters"],
        "name_en": "Virus filter — clearance (LRV)",
        "name_ko": "바이러스 필터 — 제거율 (LRV)",
        "description": "Spiked load filtered through candidate and reference virus filters; "
        "LRV of each model virus (≥ when the filtrate is below detection), the lowest per run.",
        "candidate_runs": 3,
        "reference_runs": 3,
        "layouts": ["clearance"],
        "kpis": ["lrv_virus"],
        "default_criteria": [
            {"kpi": "lrv_virus", "comparison": "minimum", "value": 4.0, "relative": False},
            {
                "kpi": "lrv_virus",
                "comparison": "non_inferiority",
                "value": 0.5,
                "relative": False,
                "higher_is_better": True,
            },
        ],
    },
    {
        "code": "resin-process-step",
        "family": "resins",
        "categories": ["resins"],
        "name_en": "Chromatography resin — DBC vs residence time, yield and clearance",
        "name_ko": "크로마토그래피 레진 — 체류 시간별 DBC, 수율 및 불순물 제거",
        "description": "DBC10 % at several residence times (DBC_max, τ_c and the DBC at the "
        "process residence time), the fraction table of a capture run (yield, mass balance) "
        "and HCP and DNA clearance of that run on candidate and reference resins.",
        "candidate_runs": 3,
        "reference_runs": 3,
        "layouts": ["dbc_residence", "mass_balance", "clearance"],
        "kpis": [
            "dbc_at_residence",
            "dbc_max",
            "tau_c",
            "step_yield",
            "mass_balance",
            "lrv_hcp",
            "lrv_dna",
        ],
        "default_criteria": [
            _crit("dbc_at_residence", 0.10),
            _crit("step_yield", 0.05),
            {
                "kpi": "lrv_hcp",
                "comparison": "non_inferiority",
                "value": 0.3,
                "relative": False,
                "higher_is_better": True,
            },
            {
                "kpi": "lrv_dna",
                "comparison": "non_inferiority",
                "value": 0.5,
                "relative": False,
                "higher_is_better": True,
            },
        ],
    },
    {
        "code": "resin-lifetime",
        "family": "resins",
        "categories": ["resins"],
        "name_en": "Chromatography resin — lifetime over cycles",
        "name_ko": "크로마토그래피 레진 — 사이클별 수명",
        "description": "Candidate and reference resins cycled with the process's load, "
        "elution and cleaning; DBC and step yield per cycle, their trend and the cycle at "
        "which each has fallen by the stated drop (Fieller interval).",
        "candidate_runs": 2,
        "reference_runs": 2,
        "layouts": ["resin_cycles"],
        "kpis": ["dbc_cycles_to_drop", "yield_cycles_to_drop", "dbc_slope", "yield_slope"],
        "default_criteria": [_crit("dbc_cycles_to_drop", 0.20)],
    },
    {
        "code": "media-feeds-quality",
        "family": "media",
        "categories": ["media", "feeds"],
        "name_en": "Medium and feeds — amino-acid balance, death rate and product quality",
        "name_ko": "배지·피드 — 아미노산 수지, 사멸속도 및 제품 품질",
        "description": "Fed-batch runs with the candidate and reference media and feeds (each "
        "feed with its own composition): growth and titer, amino-acid specific rates by mass "
        "balance over the feeds, the death rate from dead-cell accumulation, and the product's "
        "aggregates, charge variants and glycans (FDA quality ranges x̄ ± 3·s of the reference "
        "lots, at least 90 % of candidate lots inside).",
        "candidate_runs": 3,
        "reference_runs": 3,
        "layouts": ["offline", "fed_batch_feeds", "quality_attributes"],
        "kpis": [
            "final_titer",
            "qp",
            "peak_vcd",
            "death_rate",
            "q_gln",
            "q_asn",
            "pqa_aggregates",
            "pqa_main",
            "pqa_g0f",
            "pqa_afucosylated",
        ],
        "default_criteria": [
            _crit("final_titer", 0.10),
            _crit("death_rate", 0.25),
            # FDA tier 2: x̄_r ± 3·s_r of the reference lots, ≥ 90 % of candidate lots inside
            *(
                {"kpi": kpi, "comparison": "quality_range", "value": 3.0, "min_fraction": 0.9}
                for kpi in ("pqa_aggregates", "pqa_main", "pqa_g0f", "pqa_afucosylated")
            ),
        ],
    },
    {
        "code": "single-use-extractables-integrity",
        "family": "single_use",
        "categories": ["single-use-bags", "tubing", "connectors"],
        "name_en": "Single-use article — extractables, particulates and leak integrity",
        "name_ko": "일회용 제품 — 추출물, 미립자 및 누설 완전성",
        "description": "Candidate and reference articles extracted under the BPOG/USP <1663> "
        "conditions (compounds against the analytical evaluation threshold), rinsed or filled "
        "for sub-visible particulates by USP <788>, and pressure-decay leak tested.",
        "candidate_runs": 3,
        "reference_runs": 3,
        "layouts": ["extractables", "particulates", "pressure_decay"],
        "kpis": [
            "el_above_aet",
            "el_max_ratio",
            "particles_10um_per_ml",
            "particles_25um_per_ml",
            "particle_limit_ratio",
            "leak_rate",
            "leak_limit_ratio",
        ],
        "default_criteria": [
            {"kpi": "el_above_aet", "comparison": "maximum", "value": 0.0, "relative": False},
            {
                "kpi": "particle_limit_ratio",
                "comparison": "maximum",
                "value": 1.0,
                "relative": False,
            },
            {"kpi": "leak_limit_ratio", "comparison": "maximum", "value": 1.0, "relative": False},
            _crit("particles_10um_per_ml", 0.50),
        ],
    },
]


def sync(template_model: Any) -> None:
    """Create the shared templates that do not exist yet (existing versions are never changed).

    One transaction: template rows are audited, and the audit trail is written inside the
    transaction that writes the rows (also when a test's fixture calls this outside one).
    """
    from django.db import transaction

    with transaction.atomic():
        for spec in TEMPLATES:
            if not template_model.objects.filter(code=spec["code"]).exists():
                template_model.objects.create(version=1, is_current=True, **spec)
