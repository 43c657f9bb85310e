"""Demo data of production: the microbial center's mRNA GMP facility with its MBR for an mRNA-LNP
product (version 2 after a change control), a QA-approved specification, one SARS-CoV-2 spike
mRNA-LNP clinical lot taken from order to release (with one deviation and its CAPA, the CoA and a
shipment), and one order in progress. Called by :func:`bioproof.demo.load`; every write goes
through the actions.

The lot's equipment steps ask the facilities app whether MF-IVT-01, MF-TFF-01, MF-LNP-01 and the
QC instruments are usable; where the registry is missing or refuses one, the demo stops that
batch at the step concerned (the refusal is the lesson) and says so in its summary.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from bioproof.consortium import actions as consortium
from bioproof.consortium.models import Organization, User
from bioproof.core.errors import DomainError
from bioproof.production import actions

PRODUCTION_USERS = [
    # username, org, roles, first, last
    ("mf.operator", "mf-center", ["staff"], "Haneul", "Song"),
    ("mf.analyst", "mf-center", ["staff"], "Jisoo", "Ahn"),
    ("mf.qa", "mf-center", ["approver"], "Mirae", "Kwon"),
    ("celltrion.approver", "celltrion", ["approver"], "Dongmin", "Seo"),
    ("kribb.researcher", "kribb", ["staff"], "Nari", "Yoo"),
]

UTR5 = "GGGAAATAAGAGAGAAAAGAAGAGTAAGAAGAAATATAAGAGCCACC"
UTR3 = (
    "GCTGGAGCCTCGGTGGCCTAGCTTCTTGCCCCTTGGGCCTCCCCCCAGCCCCTCCTCCCCTTCCTGCACCC"
    "GTACCCCCGTGGTCTTTGAATAAAGTCTGAGTGGGCGGC"
)
CODONS = ["GCC", "GAG", "AAG", "CTG", "GTG", "ACC", "TCC", "CGC", "GGC", "CAG", "TTC", "AAC"]


def demo_template(codons: int = 1273) -> str:
    """A synthetic template shaped like a spike mRNA construct (demo sequence, not the real ORF):
    5′ UTR · ATG + ``codons`` codons + TAA · 3′ UTR · A100 · XbaI site."""
    orf = "ATG" + "".join(CODONS[(i * 7) % len(CODONS)] for i in range(codons)) + "TAA"
    return UTR5 + orf + UTR3 + "A" * 100 + "TCTAGAGCGGCCGC"


def _fasta(seq: str, name: str) -> bytes:
    return (
        f">{name}\n" + "\n".join(seq[i : i + 70] for i in range(0, len(seq), 70)) + "\n"
    ).encode()


def _p(
    key: str,
    name: str,
    unit: str,
    low: float,
    high: float,
    target: float | None = None,
    cpp: bool = False,
) -> dict[str, Any]:
    return {
        "key": key,
        "name": name,
        "unit": unit,
        "low": low,
        "high": high,
        "target": target,
        "cpp": cpp,
    }


def _ipc(key: str, name: str, unit: str, low: float | None, high: float | None) -> dict[str, Any]:
    return {"key": key, "name": name, "unit": unit, "low": low, "high": high}


def procedure(ivt_hours_high: float = 3.0) -> dict[str, Any]:
    """The facility's mRNA-LNP master recipe (ISA-88: procedure → unit procedures → operations →
    steps) for a 10 mL IVT reaction."""

    def up(name: str, *ops: tuple[str, list[dict[str, Any]]]) -> dict[str, Any]:
        return {"name": name, "operations": [{"name": n, "steps": s} for n, s in ops]}

    return {
        "unit_procedures": [
            up(
                "Template linearization",
                (
                    "Restriction digest",
                    [
                        {
                            "key": "LIN-01",
                            "instruction": "Digest plasmid DNA with XbaI, 37 °C.",
                            "materials": ["Plasmid DNA template"],
                            "parameters": [
                                _p("temp", "Digest temperature", "degC", 36, 38, 37, True),
                                _p("time", "Digest time", "h", 2, 6, 4),
                            ],
                            "ipc": [_ipc("complete", "Linearized fraction (gel)", "%", 95, None)],
                        },
                    ],
                ),
            ),
            up(
                "In vitro transcription (co-transcriptional capping, CleanCap AG)",
                (
                    "IVT",
                    [
                        {
                            "key": "IVT-01",
                            "instruction": "IVT with m1Ψ-UTP and CleanCap AG in the IVT reactor.",
                            "critical": True,
                            "equipment_class": "ivt-reactor",
                            "materials": ["NTP mix (m1Ψ)", "CleanCap AG", "T7 RNA polymerase"],
                            "parameters": [
                                _p("temp", "Reaction temperature", "degC", 36, 38, 37, True),
                                _p("time", "Reaction time", "h", 1.5, ivt_hours_high, 2, True),
                                _p("mg", "Mg2+ (as Mg(OAc)2)", "mmol/L", 10, 20, 16, True),
                            ],
                            "ipc": [_ipc("yield", "IVT yield (A260)", "mg/mL", 4, 12)],
                        },
                    ],
                ),
            ),
            up(
                "DNase I digestion",
                (
                    "DNase",
                    [
                        {
                            "key": "DNA-01",
                            "instruction": "Add DNase I, 37 °C for 15 min.",
                            "materials": ["DNase I"],
                            "parameters": [_p("time", "Digestion time", "min", 10, 30, 15)],
                        },
                    ],
                ),
            ),
            up(
                "Purification",
                (
                    "Tangential-flow filtration",
                    [
                        {
                            "key": "TFF-01",
                            "instruction": "Concentrate and diafilter (100 kDa), citrate buffer.",
                            "critical": True,
                            "equipment_class": "tff",
                            "parameters": [
                                _p("tmp", "Transmembrane pressure", "bar", 0.5, 1.5, 1.0, True),
                                _p("dv", "Diavolumes", "dimensionless", 8, 12, 10),
                            ],
                            "ipc": [_ipc("cond", "Permeate conductivity", "mS/cm", 0, 2)],
                        },
                    ],
                ),
            ),
            up(
                "LNP formulation",
                (
                    "Microfluidic mixing",
                    [
                        {
                            "key": "LNP-01",
                            "instruction": "Mix mRNA with lipids in ethanol, 3:1, 12 mL/min.",
                            "critical": True,
                            "equipment_class": "microfluidic-mixer",
                            "materials": ["Lipid mix"],
                            "parameters": [
                                _p(
                                    "frr",
                                    "Flow-rate ratio aq:EtOH",
                                    "dimensionless",
                                    2.8,
                                    3.2,
                                    3.0,
                                    True,
                                ),
                                _p("tfr", "Total flow rate", "mL/min", 10, 14, 12, True),
                            ],
                            "ipc": [_ipc("size", "Particle size (DLS)", "nm", 60, 120)],
                        },
                    ],
                ),
                (
                    "Buffer exchange",
                    [
                        {
                            "key": "LNP-02",
                            "instruction": "Dialyse into Tris-sucrose; 0.2 µm filter.",
                            "parameters": [_p("time", "Dialysis time", "h", 4, 24, 18)],
                        },
                    ],
                ),
            ),
            up(
                "Fill",
                (
                    "Aseptic fill",
                    [
                        {
                            "key": "FIL-01",
                            "instruction": "Fill 0.5 mL into 2R vials; stopper and cap.",
                            "ipc": [
                                _ipc("vol", "Fill volume (check-weigh)", "mL", 0.48, 0.55),
                                _ipc("vials", "Vials filled", "dimensionless", 10, 1000),
                            ],
                        },
                    ],
                ),
            ),
        ]
    }


BOM = [
    {"material": "Plasmid DNA template", "quantity": 0.5, "unit": "mg"},
    {"material": "NTP mix (m1Ψ)", "quantity": 2.0, "unit": "mL"},
    {"material": "CleanCap AG", "quantity": 0.4, "unit": "mL"},
    {"material": "T7 RNA polymerase", "quantity": 0.2, "unit": "mL"},
    {"material": "DNase I", "quantity": 0.1, "unit": "mL"},
    {"material": "Lipid mix", "quantity": 5.0, "unit": "mL"},
]

SPEC_TESTS: list[dict[str, Any]] = [
    {
        "key": "appearance",
        "stage": "DS",
        "name_ko": "성상",
        "name_en": "Appearance",
        "method": "Visual",
        "kind": "text",
        "expected": "Clear, colourless",
    },
    {
        "key": "identity",
        "stage": "DS",
        "name_ko": "확인시험(서열)",
        "name_en": "Identity (sequence)",
        "method": "RT-PCR / Sanger",
        "kind": "text",
        "expected": "Conforms",
    },
    {
        "key": "content",
        "stage": "DS",
        "name_ko": "mRNA 함량",
        "name_en": "mRNA content",
        "method": "UV A260",
        "unit": "mg/mL",
        "low": 0.9,
        "high": 1.1,
        "instrument": True,
    },
    {
        "key": "a260_280",
        "stage": "DS",
        "name_ko": "A260/A280",
        "name_en": "A260/A280",
        "method": "UV",
        "unit": "dimensionless",
        "low": 1.8,
        "high": 2.2,
        "instrument": True,
    },
    {
        "key": "integrity",
        "stage": "DS",
        "name_ko": "완전성(주 피크)",
        "name_en": "Integrity (% main peak)",
        "method": "Capillary electrophoresis",
        "unit": "%",
        "low": 80,
        "instrument": True,
    },
    {
        "key": "capping",
        "stage": "DS",
        "name_ko": "5′ 캡핑 효율",
        "name_en": "5′ capping efficiency",
        "method": "RNase H LC-MS",
        "unit": "%",
        "low": 90,
        "instrument": True,
    },
    {
        "key": "polya",
        "stage": "DS",
        "name_ko": "Poly(A) 길이",
        "name_en": "Poly(A) tail length",
        "method": "RNase T1 LC-MS",
        "kind": "text",
        "expected": "80-120 nt",
    },
    {
        "key": "dsrna",
        "stage": "DS",
        "name_ko": "dsRNA",
        "name_en": "dsRNA",
        "method": "J2 ELISA",
        "unit": "ng/ug",
        "high": 1.0,
    },
    {
        "key": "dna",
        "stage": "DS",
        "name_ko": "잔류 DNA 주형",
        "name_en": "Residual DNA template",
        "method": "qPCR",
        "unit": "ng/mg",
        "high": 10,
    },
    {
        "key": "protein",
        "stage": "DS",
        "name_ko": "잔류 단백질",
        "name_en": "Residual protein",
        "method": "Micro BCA",
        "unit": "ng/mg",
        "high": 100,
    },
    {
        "key": "endotoxin",
        "stage": "DS",
        "name_ko": "엔도톡신",
        "name_en": "Endotoxin",
        "method": "LAL",
        "unit": "EU/mL",
        "high": 10,
    },
    {
        "key": "bioburden",
        "stage": "DS",
        "name_ko": "미생물 한도",
        "name_en": "Bioburden",
        "method": "USP <61>",
        "kind": "text",
        "expected": "< 10 CFU/10 mL",
    },
    {
        "key": "ph",
        "stage": "DS",
        "name_ko": "pH",
        "name_en": "pH",
        "method": "Potentiometry",
        "unit": "dimensionless",
        "low": 6.5,
        "high": 7.5,
    },
    {
        "key": "appearance",
        "stage": "DP",
        "name_ko": "성상",
        "name_en": "Appearance",
        "method": "Visual",
        "kind": "text",
        "expected": "White to off-white opalescent",
    },
    {
        "key": "size",
        "stage": "DP",
        "name_ko": "입자 크기",
        "name_en": "Particle size (Z-avg)",
        "method": "DLS",
        "unit": "nm",
        "low": 60,
        "high": 120,
        "instrument": True,
    },
    {
        "key": "pdi",
        "stage": "DP",
        "name_ko": "다분산지수",
        "name_en": "Polydispersity index",
        "method": "DLS",
        "unit": "dimensionless",
        "high": 0.2,
        "instrument": True,
    },
    {
        "key": "ee",
        "stage": "DP",
        "name_ko": "봉입률",
        "name_en": "Encapsulation efficiency",
        "method": "RiboGreen",
        "unit": "%",
        "low": 85,
    },
    {
        "key": "lipids",
        "stage": "DP",
        "name_ko": "지질 함량·확인",
        "name_en": "Lipid content and identity",
        "method": "HPLC-CAD",
        "kind": "text",
        "expected": "Conforms",
    },
    {
        "key": "osmolality",
        "stage": "DP",
        "name_ko": "삼투압",
        "name_en": "Osmolality",
        "method": "Freezing point",
        "unit": "mOsm/kg",
        "low": 280,
        "high": 400,
    },
    {
        "key": "sterility",
        "stage": "DP",
        "name_ko": "무균",
        "name_en": "Sterility",
        "method": "USP <71>",
        "kind": "text",
        "expected": "No growth",
    },
    {
        "key": "endotoxin",
        "stage": "DP",
        "name_ko": "엔도톡신",
        "name_en": "Endotoxin",
        "method": "LAL",
        "unit": "EU/mL",
        "high": 10,
    },
]

STEP_VALUES: dict[str, dict[str, str]] = {
    "LIN-01": {"temp": "37.0 °C", "time": "4 h", "complete": "99 %"},
    "IVT-01": {"temp": "37.1 °C", "time": "125 min", "mg": "16 mmol/L", "yield": "7.2 mg/mL"},
    "DNA-01": {"time": "15 min"},
    "TFF-01": {"tmp": "1.1 bar", "dv": "10", "cond": "0.8 mS/cm"},
    "LNP-01": {"frr": "3.0", "tfr": "12 mL/min", "size": "84 nm"},
    "LNP-02": {"time": "18 h"},
    # the deviation of the demo: a fill volume above its in-process limit
    "FIL-01": {"vol": "0.57 mL", "vials": "120"},
}
EQUIPMENT = {"IVT-01": "MF-IVT-01", "TFF-01": "MF-TFF-01", "LNP-01": "MF-LNP-01"}
LOT_USE = {
    "LIN-01": [("Plasmid DNA template", "1 mg")],
    "IVT-01": [
        ("NTP mix (m1Ψ)", "4 mL"),
        ("CleanCap AG", "0.8 mL"),
        ("T7 RNA polymerase", "0.4 mL"),
    ],
    "DNA-01": [("DNase I", "0.2 mL")],
    "LNP-01": [("Lipid mix", "10 mL")],
}
RESULTS: dict[str, dict[str, Any]] = {
    "DS": {
        "appearance": {"text_value": "Clear, colourless"},
        "identity": {"text_value": "Conforms"},
        "content": {"value": 1.02, "unit": "mg/mL", "instrument_code": "MF-UV-01"},
        "a260_280": {"value": 2.05, "unit": "dimensionless", "instrument_code": "MF-UV-01"},
        "integrity": {"value": 91.4, "unit": "%", "instrument_code": "MF-CE-01"},
        "capping": {"value": 96.2, "unit": "%", "instrument_code": "MF-LCMS-01"},
        "polya": {"text_value": "80-120 nt"},
        "dsrna": {"value": 0.2, "unit": "ng/ug"},
        "dna": {"value": 2.1, "unit": "ng/mg"},
        "protein": {"value": 35, "unit": "ng/mg"},
        "endotoxin": {"value": 0.8, "unit": "EU/mL"},
        "bioburden": {"text_value": "< 10 CFU/10 mL"},
        "ph": {"value": 7.0, "unit": "dimensionless"},
    },
    "DP": {
        "appearance": {"text_value": "White to off-white opalescent"},
        "size": {"value": 86, "unit": "nm", "instrument_code": "MF-DLS-01"},
        "pdi": {"value": 0.09, "unit": "dimensionless", "instrument_code": "MF-DLS-01"},
        "ee": {"value": 94.5, "unit": "%"},
        "lipids": {"text_value": "Conforms"},
        "osmolality": {"value": 310, "unit": "mOsm/kg"},
        "sterility": {"text_value": "No growth"},
        "endotoxin": {"value": 0.5, "unit": "EU/mL"},
    },
}
LIPIDS = {
    "ionizable": 50,
    "helper": 10,
    "cholesterol": 38.5,
    "peg": 1.5,
    "ionizable_name": "SM-102",
    "helper_name": "DSPC",
    "peg_name": "DMG-PEG2000",
}


def load(
    orgs: dict[str, Organization], users: dict[str, User], password: str, password_hash: str = ""
) -> list[str]:
    """Create the production demo; returns notes for the summary (e.g. where a batch stopped)."""
    for u, o, r, f, last in PRODUCTION_USERS:
        if u in users:  # the facilities demo already made the center's operator
            continue
        users[u] = consortium.create_user(
            by=None,
            username=u,
            password=password,
            password_hash=password_hash,
            organization=orgs[o],
            roles=r,
            first_name=f,
            last_name=last,
        )
    mf = orgs["mf-center"]
    op, op2, analyst, qa = (
        users["mf.operator"],
        users["mf.evaluator"],
        users["mf.analyst"],
        users["mf.qa"],
    )
    today = timezone.localdate()
    # MBR v1, then change control v2 (wider IVT time window after PPQ data), both approved by QA.
    v1 = actions.create_mbr(
        by=op,
        facility=mf,
        code="MBR-MRNA-LNP-01",
        product="mRNA-LNP (m1Ψ, CleanCap AG)",
        batch_size=10,
        batch_unit="mL",
        procedure=procedure(3.0),
        bom=BOM,
    )
    actions.approve_mbr(by=qa, version=v1, password=password)
    v2 = actions.revise_mbr(
        by=op,
        recipe=v1.recipe,
        reason="CC-2026-003: IVT time window 1.5-4 h from PPQ data",
        batch_size=10,
        batch_unit="mL",
        procedure=procedure(4.0),
        bom=BOM,
    )
    v2 = actions.approve_mbr(by=qa, version=v2, password=password)
    spec = actions.create_spec(
        by=analyst,
        facility=mf,
        code="SPEC-MRNA-LNP-01",
        product="mRNA-LNP (m1Ψ, CleanCap AG)",
        tests=SPEC_TESTS,
    )
    spec = actions.approve_spec(by=qa, version=spec, password=password)
    lots = {}
    for i, line in enumerate(BOM, 1):
        lots[line["material"]] = actions.receive_lot(
            by=op,
            facility=mf,
            material=line["material"],
            lot=f"RM-26-{i:03d}",
            quantity=line["quantity"] * 20,
            unit=line["unit"],
            expires_on=today + dt.timedelta(days=365),
        )

    # The clinical lot: order → quote → acceptance → batch.
    cust, signer = users["celltrion.user"], users["celltrion.approver"]
    order = actions.create_order(
        by=cust,
        customer=orgs["celltrion"],
        facility=mf,
        title="SARS-CoV-2 spike mRNA-LNP, phase I clinical lot",
        grade="gmp_clinical",
        deliverables=["120 vials × 0.5 mL", "CoA", "Batch record summary"],
        needed_by=today + dt.timedelta(days=90),
    )
    actions.add_construct(
        by=cust,
        order=order,
        name="S-2P-m1Psi",
        filename="spike_s2p.fasta",
        data=_fasta(demo_template(), "S-2P demo sequence"),
        enzyme="XbaI",
        modification="n1-methylpseudouridine",
        cap_strategy="co_transcriptional",
        cap_reagent="CleanCap AG",
        quantity_mg=10,
        formulation="lnp",
        lipids=LIPIDS,
    )
    actions.submit_order(by=cust, order=order)
    actions.quote_order(
        by=op,
        order=order,
        amount_krw=185_000_000,
        lead_days=75,
        note="GMP clinical lot incl. release testing and 6-month stability start",
    )
    actions.accept_quote(by=signer, order=order, password=password)
    batch = actions.start_batch(
        by=op, order=order, construct=order.constructs.get(), mbr_version=v2, batch_size=20
    )
    notes = []
    try:
        _campaign(orgs, users, password, order)
        _run(batch, op, op2, analyst, qa, lots, spec, password, today)
    except DomainError as exc:
        notes.append(f"{batch.code} stopped: {exc.message}")

    # An order in progress: a university's research-grade construct, quoted, awaiting acceptance.
    uni = users["kribb.researcher"]
    o2 = actions.create_order(
        by=uni,
        customer=orgs["kribb"],
        facility=mf,
        title="eGFP reporter mRNA (naked)",
        grade="research",
        deliverables=["1 mg lyophilised"],
        needed_by=today + dt.timedelta(days=30),
    )
    actions.add_construct(
        by=uni,
        order=o2,
        name="eGFP",
        filename="egfp.fasta",
        data=_fasta(demo_template(239), "eGFP demo sequence"),
        enzyme="XbaI",
        modification="none",
        cap_strategy="enzymatic",
        quantity_mg=1,
        formulation="naked",
    )
    actions.submit_order(by=uni, order=o2)
    actions.quote_order(by=op, order=o2, amount_krw=4_500_000, lead_days=21)
    return notes


def _campaign(
    orgs: dict[str, Organization], users: dict[str, User], password: str, order: Any
) -> None:
    """The facility's GMP campaign in the equipment registry: the operator and the analyst are
    qualified (supervised use signed by the center's evaluator) and the accepted ``order`` is
    scheduled (``actions.schedule_order``) on the suite's equipment and the QC instruments
    around now, so every readiness check of the lot passes."""
    from django.apps import apps

    if not apps.is_installed("bioproof.facilities"):
        return
    from bioproof.facilities.models import Equipment
    from bioproof.training import actions as training

    mf, signer = orgs["mf-center"], users["mf.evaluator"]
    now = timezone.now().replace(second=0, microsecond=0)
    plan = [
        (users["mf.operator"], ["MF-IVT-01", "MF-TFF-01", "MF-LNP-01"]),
        (users["mf.analyst"], ["MF-UV-01", "MF-CE-01", "MF-DLS-01", "MF-LCMS-01"]),
    ]
    lines: list[dict[str, Any]] = []
    for person, codes in plan:
        held = set()
        for equipment in Equipment.objects.filter(code__in=codes):
            for key in [equipment.equipment_class, *equipment.qualification_keys]:
                if key in held:
                    continue
                held.add(key)
                training.record_supervised_use(
                    by=signer,
                    password=password,
                    person=person,
                    center=mf,
                    key=key,
                    used_on=timezone.localdate() - dt.timedelta(days=60),
                    hours=8,
                    validity_months=24,
                )
        for code in sorted(codes):
            lines.append(
                {
                    "equipment_code": code,
                    "starts_at": now - dt.timedelta(hours=1),
                    "ends_at": now + dt.timedelta(hours=7),
                    "operator": person.username,
                }
            )
    # The accepted order's bookings, through the scheduling action (all or nothing).
    actions.schedule_order(by=users["mf.operator"], order=order, plan=lines)


def _run(
    batch: Any,
    op: User,
    op2: User,
    analyst: User,
    qa: User,
    lots: dict,
    spec: Any,
    password: str,
    today: dt.date,
) -> None:
    for step in batch.steps.order_by("seq"):
        actions.record_step(
            by=op,
            step=step,
            values=STEP_VALUES[step.key],
            equipment_code=EQUIPMENT.get(step.key, ""),
            materials=[{"lot": lots[m], "quantity": q} for m, q in LOT_USE.get(step.key, [])],
        )
        if step.critical:
            actions.verify_step(by=op2, step=step, password=password)
    deviation = batch.deviations.get()
    actions.classify_deviation(by=qa, deviation=deviation, classification="minor")
    actions.record_root_cause(
        by=op,
        deviation=deviation,
        investigation="Check-weigh records of vials 1-12 and the filler calibration log reviewed.",
        root_cause="Pump stroke left at 0.57 mL from the previous campaign (line clearance).",
    )
    capa = actions.add_capa(
        by=op,
        deviation=deviation,
        kind="corrective",
        description="Add the pump stroke setting to the line-clearance checklist.",
        owner=op2,
        due_on=today + dt.timedelta(days=14),
    )
    actions.complete_capa(
        by=op2, action=capa, outcome="Checklist LC-07 rev. 3 in force; operators trained."
    )
    actions.check_effectiveness(
        by=op,
        deviation=deviation,
        effectiveness="Next fill runs within 0.48-0.55 mL; dose per vial within label.",
    )
    actions.close_deviation(by=qa, deviation=deviation, password=password)
    actions.review_batch(by=qa, batch=batch, password=password)
    for stage in ("DS", "DP"):
        sample = actions.draw_sample(by=analyst, batch=batch, spec_version=spec, stage=stage)
        for key, kw in RESULTS[stage].items():
            result = actions.enter_result(by=analyst, sample=sample, test_key=key, **kw)
            actions.verify_result(by=op2, result=result, password=password)
    actions.generate_coa(
        by=analyst, batch=batch, verify_url="http://127.0.0.1:8000/production/coa/verify/"
    )
    actions.dispose(by=qa, batch=batch, decision="release", password=password)
    shipment = actions.create_shipment(
        by=op,
        batch=batch,
        recipient="Celltrion clinical supply, Incheon",
        quantity="120 vials × 0.5 mL",
        condition="-70 °C, dry ice",
        location="Microbial center GMP dispatch",
    )
    actions.record_custody(
        by=op,
        shipment=shipment,
        event="handed_over",
        received_by="Cold-chain courier",
        location="Osong",
        temperature_c=-74,
    )
    actions.record_custody(
        by=op,
        shipment=shipment,
        event="delivered",
        received_by="Celltrion QA receiving",
        location="Incheon",
        temperature_c=-71,
    )
