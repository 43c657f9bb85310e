"""Demo data of center services: both centers' suites and equipment (fermenters 5–500 L,
single-use bioreactors 50–2,000 L, chromatography and TFF skids, the mRNA IVT/LNP GMP suite,
analytics), rates, qualified operators, bookings past (used, a no-show) and future (confirmed,
awaiting approval, a weekly series), a blackout, the demonstration evaluation's runs linked to
the bookings they used, and one process-development project from request to invoice. Called by
:func:`bioproof.demo.load`; every write goes through the actions."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from bioproof.consortium import actions as consortium
from bioproof.consortium.models import Organization, User
from bioproof.facilities import actions
from bioproof.facilities.models import Equipment
from bioproof.training import actions as training

FACILITIES_USERS = [
    # username, org, roles, first, last
    ("acc.operator", "acc-center", ["staff"], "Jisoo", "Ahn"),
    ("mf.operator", "mf-center", ["staff"], "Minjun", "Seo"),
]

K = Equipment.Kind
# center, suite, code, ko, en, kind, class, volume L, gmp, extra rules
EQUIPMENT: list[tuple[Any, ...]] = [
    (
        "mf-center",
        "MF-USP",
        "MF-FER-005",
        "5 L 발효조",
        "5 L fermenter",
        K.FERMENTER,
        "fermenter.stainless",
        5,
        False,
        {},
    ),
    (
        "mf-center",
        "MF-USP",
        "MF-FER-050",
        "50 L 발효조",
        "50 L fermenter",
        K.FERMENTER,
        "fermenter.stainless",
        50,
        False,
        {"buffer_minutes": 240},
    ),
    (
        "mf-center",
        "MF-USP",
        "MF-FER-500",
        "500 L 스테인리스 발효조",
        "500 L stainless fermenter",
        K.FERMENTER,
        "fermenter.stainless",
        500,
        True,
        {"buffer_minutes": 480, "approval_required": True, "modes": "assisted"},
    ),
    (
        "mf-center",
        "MF-DSP",
        "MF-CHR-01",
        "크로마토그래피 스키드",
        "Chromatography skid",
        K.CHROMATOGRAPHY,
        "chromatography.system",
        None,
        False,
        {"buffer_minutes": 60},
    ),
    (
        "mf-center",
        "MF-DSP",
        "MF-TFF-01",
        "TFF 스키드 (GMP)",
        "TFF skid (GMP)",
        K.TFF,
        "tff.system",
        None,
        True,
        {"buffer_minutes": 60},
    ),
    (
        "mf-center",
        "MF-GMP-MRNA",
        "MF-IVT-01",
        "mRNA IVT 반응기",
        "mRNA IVT reactor",
        K.IVT,
        "uo.mrna-ivt",
        2,
        True,
        {"buffer_minutes": 120, "approval_required": True},
    ),
    (
        "mf-center",
        "MF-GMP-MRNA",
        "MF-LNP-01",
        "미세유체 LNP 제형기",
        "Microfluidic LNP mixer",
        K.LNP,
        "lnp.microfluidic",
        None,
        True,
        {"buffer_minutes": 120},
    ),
    (
        "mf-center",
        "MF-GMP-MRNA",
        "MF-FIL-01",
        "무균 충전 라인",
        "Aseptic filling line",
        K.FILLING,
        "filling.aseptic",
        None,
        True,
        {"modes": "assisted", "approval_required": True},
    ),
    (
        "mf-center",
        "MF-QC",
        "MF-UV-01",
        "UV 분광광도계",
        "UV spectrophotometer",
        K.ANALYTICAL,
        "qc.uv-vis",
        None,
        True,
        {"min_minutes": 30},
    ),
    (
        "mf-center",
        "MF-QC",
        "MF-CE-01",
        "모세관 전기영동",
        "Capillary electrophoresis",
        K.ANALYTICAL,
        "qc.ce",
        None,
        True,
        {"min_minutes": 30},
    ),
    (
        "mf-center",
        "MF-QC",
        "MF-DLS-01",
        "동적광산란 입도분석기",
        "DLS particle sizer",
        K.ANALYTICAL,
        "qc.dls",
        None,
        True,
        {"min_minutes": 30},
    ),
    (
        "mf-center",
        "MF-QC",
        "MF-LCMS-01",
        "LC-MS",
        "LC-MS",
        K.ANALYTICAL,
        "qc.lcms",
        None,
        True,
        {"modes": "assisted"},
    ),
    (
        "acc-center",
        "ACC-USP",
        "ACC-SUB-050-1",
        "50 L 일회용 바이오리액터 #1",
        "50 L single-use bioreactor #1",
        K.SUB,
        "bioreactor.single-use",
        50,
        False,
        {"buffer_minutes": 240},
    ),
    (
        "acc-center",
        "ACC-USP",
        "ACC-SUB-050-2",
        "50 L 일회용 바이오리액터 #2",
        "50 L single-use bioreactor #2",
        K.SUB,
        "bioreactor.single-use",
        50,
        False,
        {"buffer_minutes": 240},
    ),
    (
        "acc-center",
        "ACC-USP",
        "ACC-SUB-200",
        "200 L 일회용 바이오리액터",
        "200 L single-use bioreactor",
        K.SUB,
        "bioreactor.single-use",
        200,
        True,
        {"buffer_minutes": 480},
    ),
    (
        "acc-center",
        "ACC-USP",
        "ACC-SUB-500",
        "500 L 일회용 바이오리액터",
        "500 L single-use bioreactor",
        K.SUB,
        "bioreactor.single-use",
        500,
        True,
        {"buffer_minutes": 480, "approval_required": True},
    ),
    (
        "acc-center",
        "ACC-USP",
        "ACC-SUB-2000",
        "2,000 L 일회용 바이오리액터",
        "2,000 L single-use bioreactor",
        K.SUB,
        "bioreactor.single-use",
        2000,
        True,
        {"buffer_minutes": 720, "approval_required": True, "modes": "assisted"},
    ),
    (
        "acc-center",
        "ACC-DSP",
        "ACC-CHR-01",
        "크로마토그래피 스키드",
        "Chromatography skid",
        K.CHROMATOGRAPHY,
        "chromatography.system",
        None,
        True,
        {"buffer_minutes": 60},
    ),
    (
        "acc-center",
        "ACC-DSP",
        "ACC-TFF-01",
        "TFF 스키드",
        "TFF skid",
        K.TFF,
        "tff.system",
        None,
        True,
        {"buffer_minutes": 60},
    ),
    (
        "acc-center",
        "ACC-QC",
        "ACC-HPLC-01",
        "HPLC (Protein A 역가)",
        "HPLC (Protein A titer)",
        K.ANALYTICAL,
        "qc.hplc",
        None,
        True,
        {"min_minutes": 30},
    ),
]
SUITES = [
    ("mf-center", "MF-USP", "상류공정 동", "Upstream hall", "B1", False),
    ("mf-center", "MF-DSP", "하류공정 동", "Downstream hall", "B1", False),
    ("mf-center", "MF-GMP-MRNA", "mRNA GMP 제조실", "mRNA GMP suite", "2F, grade B/C", True),
    ("mf-center", "MF-QC", "품질관리 실험실", "QC laboratory", "3F", True),
    ("acc-center", "ACC-USP", "세포배양 동", "Cell-culture hall", "1F", False),
    ("acc-center", "ACC-DSP", "정제 동", "Purification hall", "1F", True),
    ("acc-center", "ACC-QC", "분석 실험실", "Analytical laboratory", "2F", True),
]
# hourly rate per volume class (KRW); day = 20 × hour; member −30 %, academic −40 %, large +20 %
FACTOR = {"member": 0.7, "academic": 0.6, "sme": 1.0, "large": 1.2}


def _hourly(volume: Any, kind: str) -> int:
    if kind == K.ANALYTICAL:
        return 60000
    if kind in (K.CHROMATOGRAPHY, K.TFF, K.LNP, K.IVT, K.FILLING):
        return 90000
    v = float(volume or 5)
    return int(40000 + 60 * v) // 1000 * 1000


def _at(days: int, hour: int = 9) -> dt.datetime:
    day = timezone.localdate() + dt.timedelta(days=days)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def load(
    orgs: dict[str, Organization], users: dict[str, User], password: str, password_hash: str = ""
) -> None:
    for u, o, r, f, last in FACILITIES_USERS:
        if u in users:  # made with the demo's essentials
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
    staff = {"acc-center": users["acc.evaluator"], "mf-center": users["mf.evaluator"]}
    suites = {
        code: actions.create_suite(
            by=staff[c], center=orgs[c], code=code, name_ko=ko, name_en=en, location=loc, gmp=gmp
        )
        for c, code, ko, en, loc, gmp in SUITES
    }
    today = timezone.localdate()
    eq: dict[str, Equipment] = {}
    for n, (c, suite, code, ko, en, kind, cls, vol, gmp, rules) in enumerate(EQUIPMENT, 1):
        eq[code] = actions.register_equipment(
            by=staff[c],
            center=orgs[c],
            suite=suites[suite],
            code=code,
            name_ko=ko,
            name_en=en,
            kind=kind,
            equipment_class=cls,
            working_volume_l=vol,
            location=suites[suite].location,
            registry_number=f"NFEC-2024-{n:02d}-{104300 + n * 17:06d}",
            calibration_due=today + dt.timedelta(days=30 + 11 * n),
            qualification_due=today + dt.timedelta(days=200 + 7 * n),
            required_qualifications=["cleanroom.grade-b"] if suite == "MF-GMP-MRNA" else [],
            gmp=gmp,
            notice_book_hours=24,
            notice_change_hours=48,
            notice_cancel_hours=48,
            **rules,
        )
        hour = _hourly(vol, kind)
        for ct, f in FACTOR.items():
            actions.set_rate(
                by=staff[c],
                equipment=eq[code],
                customer_type=ct,
                per_hour_krw=int(hour * f),
                per_day_krw=int(hour * f * 20),
                assisted_surcharge_krw=int(45000 * f),
            )
    # one instrument past its calibration: booked for research, refused for GMP work
    actions.update_equipment(
        by=staff["acc-center"],
        equipment=eq["ACC-HPLC-01"],
        calibration_due=today - dt.timedelta(days=3),
    )
    actions.set_status(
        by=staff["acc-center"],
        equipment=eq["ACC-SUB-500"],
        status="maintenance",
        reason="Load-cell replacement; requalification (OQ) afterwards",
        until=_at(10, 18),
    )
    actions.add_blackout(
        by=staff["mf-center"],
        equipment=eq["MF-FER-500"],
        starts_at=_at(14, 0),
        ends_at=_at(17, 0),
        reason="Annual CIP/SIP validation",
    )
    # operators qualified by signed supervised use (four months ago)
    used_on = today - dt.timedelta(days=120)
    quals = [
        ("acc.evaluator", "acc.operator", "acc-center", "bioreactor.single-use"),
        ("acc.operator", "acc.evaluator", "acc-center", "bioreactor.single-use"),
        ("acc.evaluator", "acc.operator", "acc-center", "chromatography.system"),
        ("acc.evaluator", "hanbit.staff", "acc-center", "bioreactor.single-use"),
        ("mf.evaluator", "mf.operator", "mf-center", "fermenter.stainless"),
        ("mf.evaluator", "mf.operator", "mf-center", "uo.mrna-ivt"),
        ("mf.evaluator", "mf.operator", "mf-center", "qc.uv-vis"),
    ]
    for signer, person, center, key in quals:
        training.record_supervised_use(
            by=users[signer],
            password=password,
            person=users[person],
            center=orgs[center],
            key=key,
            used_on=used_on,
            hours=6,
            validity_months=24,
        )
    acc_op, mf_op = users["acc.operator"], users["mf.operator"]

    # the demonstration evaluation's runs used bookings of the two 50 L SUBs (linked)
    from bioproof.evaluations.models import Run

    runs = list(Run.objects.filter(evaluation__center=orgs["acc-center"]).order_by("id")[:6])
    for i, run in enumerate(runs):
        code = "ACC-SUB-050-1" if i % 2 == 0 else "ACC-SUB-050-2"
        start = _at(-95 + (i // 2) * 15, 9)
        b = actions.book(
            by=users["acc.evaluator"],
            equipment=eq[code],
            starts_at=start,
            ends_at=start + dt.timedelta(days=14),
            mode="assisted",
            staff=acc_op,
            user=users["hanbit.staff"],
            organization=orgs["hanbit-bio"],
            purpose=f"Evaluation run {run.label}",
            funding_line="test_service",
        )
        actions.check_in(by=acc_op, booking=b, at=start)
        actions.complete(by=acc_op, booking=b, at=start + dt.timedelta(days=13, hours=20))
        actions.link_run(by=users["acc.evaluator"], run=run, booking=b)

    # self-use by a supplier, past and future; a weekly series; a no-show released
    past = actions.book(
        by=users["acc.evaluator"],
        equipment=eq["ACC-SUB-200"],
        starts_at=_at(-6, 9),
        ends_at=_at(-6, 17),
        user=users["hanbit.staff"],
        organization=orgs["hanbit-bio"],
        purpose="Media hold study",
    )
    actions.check_in(by=users["hanbit.staff"], booking=past, at=_at(-6, 9))
    actions.complete(by=users["hanbit.staff"], booking=past, at=_at(-6, 15))
    actions.book(
        by=users["acc.evaluator"],
        equipment=eq["ACC-SUB-200"],
        starts_at=_at(-3, 9),
        ends_at=_at(-3, 12),
        user=users["hanbit.staff"],
        organization=orgs["hanbit-bio"],
        purpose="Probe check",
    )
    actions.release_no_shows(by=None, at=_at(-3, 11))
    actions.book(
        by=users["hanbit.staff"],
        equipment=eq["ACC-SUB-050-1"],
        starts_at=_at(3, 9),
        ends_at=_at(3, 18),
        purpose="Seed expansion, self-use",
    )
    actions.book_recurring(
        by=mf_op,
        equipment=eq["MF-UV-01"],
        starts_at=_at(2, 10),
        ends_at=_at(2, 12),
        count=6,
        purpose="Weekly mRNA concentration (A260) checks",
    )
    actions.book(
        by=users["celltrion.user"],
        equipment=eq["ACC-SUB-2000"],
        starts_at=_at(21, 8),
        ends_at=_at(35, 8),
        mode="assisted",
        purpose="Biosimilar scale-down comparability (assisted)",
    )  # awaits the center's approval and a staff member

    # one process-development project from request to invoice (animal-cell center)
    project = actions.request_project(
        by=users["hanbit.staff"],
        company=orgs["hanbit-bio"],
        center=orgs["acc-center"],
        title="HB-CD1 fed-batch feed optimisation, 50 L",
        organism="CHO-K1 (IgG1 mAb)",
        process_steps="Seed train; 2 × 50 L fed-batch, two feed regimes; titer and quality (HPLC)",
        scale="50 L single-use STR",
        timeline="6 weeks",
        confidentiality="Feed composition and titers confidential to Hanbit and the center.",
    )
    quote = actions.draft_quote(
        by=users["acc.evaluator"],
        project=project,
        funding_line="test_service",
        lines=[
            {
                "kind": "equipment",
                "equipment": eq["ACC-SUB-050-2"],
                "quantity": 2,
                "unit": "day",
                "assisted": True,
            },
            {
                "kind": "staff",
                "description": "Process engineer",
                "quantity": 24,
                "unit": "h",
                "unit_price_krw": 65000,
            },
            {
                "kind": "consumable",
                "description": "50 L SUB bag and sensors",
                "quantity": 2,
                "unit": "ea",
                "unit_price_krw": 2900000,
            },
            {
                "kind": "analytics",
                "description": "Protein A HPLC titer",
                "quantity": 16,
                "unit": "sample",
                "unit_price_krw": 45000,
            },
        ],
    )
    actions.send_quote(by=users["acc.evaluator"], quote=quote)
    actions.accept_quote(by=users["hanbit.admin"], quote=quote, password=password)
    wp1 = actions.add_work_package(
        by=users["acc.evaluator"],
        project=project,
        title="Regime A fed-batch",
        equipment_class="bioreactor.single-use",
        duration_hours=24,
        release_at=_at(-12, 0),
        due_at=_at(-9, 0),
    )
    b = actions.book(
        by=users["acc.evaluator"],
        equipment=eq["ACC-SUB-050-2"],
        starts_at=_at(-12, 9),
        ends_at=_at(-11, 9),
        mode="assisted",
        staff=acc_op,
        user=users["hanbit.staff"],
        organization=orgs["hanbit-bio"],
        project=project,
        work_package=wp1,
        funding_line="test_service",
        purpose=str(wp1),
    )
    actions.check_in(by=acc_op, booking=b, at=_at(-12, 9))
    actions.complete(by=acc_op, booking=b, at=_at(-11, 7))
    actions.add_deliverable(
        by=users["acc.evaluator"],
        project=project,
        title="Feed optimisation summary",
        filename="feed-optimisation-summary.csv",
        data=b"regime,titer_g_per_L,viability_pct\nA,3.8,91\nB,4.3,89\n",
    )
    actions.complete_project(
        by=users["acc.evaluator"],
        project=project,
        summary="Regime B raised titer by 13 % at comparable viability; data package delivered.",
    )
    # a second project accepted and waiting for the scheduler
    p2 = actions.request_project(
        by=users["celltrion.user"],
        company=orgs["celltrion"],
        center=orgs["acc-center"],
        title="Perfusion media screen, 50 L",
        organism="CHO-S",
        process_steps="3 × 50 L runs, purification, analytics",
        scale="50 L",
    )
    q2 = actions.draft_quote(
        by=users["acc.evaluator"],
        project=p2,
        funding_line="self_use",
        lines=[
            {"kind": "equipment", "equipment": eq["ACC-SUB-050-1"], "quantity": 9, "unit": "day"}
        ],
    )
    actions.send_quote(by=users["acc.evaluator"], quote=q2)  # awaiting Celltrion's acceptance
