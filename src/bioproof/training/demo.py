"""Demo data of training: providers, a course catalogue, past and future sessions, trainees with
certificates valid, expiring and revoked. Called by :func:`bioproof.demo.load`; every write goes
through the actions. Kept fast: two new accounts, one password check per signed session."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from bioproof.consortium import actions as consortium
from bioproof.consortium.models import Organization, User
from bioproof.training import actions
from bioproof.training.models import Session

TRAINING_USERS = [
    # username, org, roles, first, last
    ("knibrt.instructor", "yonsei-knibrt", ["staff"], "Seojun", "Bae"),
    ("sb.operator", "samsung-biologics", ["staff"], "Yerin", "Oh"),
]


def _module(title: str, kind: str, hours: float) -> dict[str, Any]:
    return {"title": title, "kind": kind, "hours": hours}


def _grant(key: str, ko: str, en: str, months: int | None, lapse: int | None = None) -> dict:
    return {
        "key": key,
        "name_ko": ko,
        "name_en": en,
        "validity_months": months,
        "lapse_months": lapse,
    }


COURSES: list[tuple[str, str, dict[str, Any]]] = [
    (
        "acc-center",
        "USP-101",
        {
            "title_ko": "상류공정: 동물세포 배양과 바이오리액터 운전",
            "title_en": "Upstream: cell culture and bioreactor operation",
            "description_ko": "CHO 세포 해동부터 50 L 일회용 바이오리액터 유가배양까지.",
            "description_en": "From thawing CHO cells to a 50 L single-use fed-batch run.",
            "level": "intermediate",
            "modules": [
                _module("Cell culture and media", "theory", 6),
                _module("Seed train and inoculation", "practical", 8),
                _module("50 L SUB operation and sampling", "practical", 10),
            ],
            "fee_krw": 450000,
            "capacity": 8,
            "min_attendance_pct": 90,
            "min_score": 70,
            "checklist": [
                "Aseptic connection (tube welder)",
                "Inoculation at target VCD",
                "pH/DO probe calibration",
                "Sampling and cell count",
            ],
            "grants": [
                _grant(
                    "bioreactor.single-use", "일회용 바이오리액터", "Single-use bioreactor", 24, 12
                ),
                _grant("uo.cell-culture", "동물세포 배양", "Animal cell culture", None),
            ],
            "certificate_validity_months": 24,
            "cancellation_days": 7,
        },
    ),
    (
        "yonsei-knibrt",
        "DSP-201",
        {
            "title_ko": "하류공정: 크로마토그래피와 TFF",
            "title_en": "Downstream: chromatography and TFF",
            "description_ko": "Protein A 포획, 이온교환 정제, 한외여과/정용여과.",
            "description_en": "Protein A capture, ion-exchange polishing, UF/DF.",
            "level": "intermediate",
            "modules": [
                _module("Chromatography principles, DBC", "theory", 6),
                _module("Column packing and HETP", "practical", 6),
                _module("TFF: flux excursion, UF/DF", "practical", 6),
            ],
            "fee_krw": 400000,
            "capacity": 10,
            "min_attendance_pct": 80,
            "min_score": 70,
            "checklist": ["Column packing (asymmetry 0.8–1.8)", "TFF integrity test"],
            "grants": [
                _grant(
                    "chromatography.system", "크로마토그래피 시스템", "Chromatography system", 24
                ),
                _grant("tff.system", "TFF 시스템", "TFF system", 24),
            ],
            "certificate_validity_months": 24,
            "cancellation_days": 7,
        },
    ),
    (
        "acc-center",
        "QC-110",
        {
            "title_ko": "품질관리 분석: 역가, 순도, 세포 수",
            "title_en": "QC analytics: titer, purity, cell counts",
            "description_ko": "Protein A HPLC, SEC, 세포 계수기 운용.",
            "description_en": "Protein A HPLC, SEC and cell counters.",
            "level": "basic",
            "modules": [
                _module("Method basics and data integrity", "theory", 4),
                _module("HPLC and SEC runs", "practical", 8),
            ],
            "fee_krw": 250000,
            "capacity": 6,
            "min_attendance_pct": 100,
            "min_score": 75,
            "checklist": ["System suitability", "Integration review"],
            "grants": [_grant("qc.hplc", "HPLC 분석", "HPLC analysis", 36)],
            "certificate_validity_months": 36,
            "cancellation_days": 5,
        },
    ),
    (
        "yonsei-knibrt",
        "GMP-100",
        {
            "title_ko": "무균공정과 GMP: 무균 복장 적격성",
            "title_en": "Aseptic processing and GMP: gowning qualification",
            "description_ko": "클린룸 거동, 무균 복장, 배지 충전 시험 참관.",
            "description_en": "Clean-room behaviour, aseptic gowning, media-fill walkthrough.",
            "level": "basic",
            "modules": [
                _module("GMP and Annex 1", "theory", 4),
                _module("Gowning with contact plates", "practical", 4),
            ],
            "fee_krw": 150000,
            "capacity": 12,
            "min_attendance_pct": 100,
            "min_score": 80,
            "checklist": ["Gowning (contact plates < 1 CFU)"],
            "grants": [_grant("cleanroom.grade-b", "B등급 청정구역 출입", "Grade B clean room", 3)],
            "certificate_validity_months": 3,
            "cancellation_days": 3,
        },
    ),
    (
        "mf-center",
        "MF-120",
        {
            "title_ko": "미생물 발효: 대장균 고밀도 유가배양",
            "title_en": "Microbial fermentation: high-density E. coli fed-batch",
            "description_ko": "30 L 스테인리스 발효조, kLa, 산소 전달.",
            "description_en": "30 L stainless fermenter, kLa and oxygen transfer.",
            "level": "intermediate",
            "modules": [
                _module("Growth kinetics and feeding", "theory", 6),
                _module("30 L fermenter SIP and run", "practical", 12),
            ],
            "fee_krw": 400000,
            "capacity": 6,
            "min_attendance_pct": 90,
            "min_score": 70,
            "checklist": ["SIP cycle", "Exponential feed start"],
            "grants": [
                _grant("fermenter.stainless", "스테인리스 발효조", "Stainless fermenter", 24, 12)
            ],
            "certificate_validity_months": 24,
            "cancellation_days": 7,
        },
    ),
    (
        "acc-center",
        "MRNA-301",
        {
            "title_ko": "mRNA: IVT 합성과 LNP 제형",
            "title_en": "mRNA: in-vitro transcription and LNP formulation",
            "description_ko": "IVT, dsRNA 제거, 미세유체 혼합 LNP, 봉입률.",
            "description_en": "IVT, dsRNA removal, microfluidic LNP mixing, encapsulation.",
            "level": "advanced",
            "modules": [
                _module("mRNA design and IVT", "theory", 6),
                _module("IVT and purification", "practical", 8),
                _module("Microfluidic LNP formulation", "practical", 8),
            ],
            "prerequisites": [{"course": "GMP-100"}],
            "fee_krw": 600000,
            "capacity": 6,
            "min_attendance_pct": 100,
            "min_score": 75,
            "checklist": ["IVT set-up", "LNP mixing", "RiboGreen encapsulation assay"],
            "grants": [
                _grant("uo.mrna-ivt", "mRNA IVT", "mRNA IVT", 24),
                _grant("lnp.microfluidic", "미세유체 LNP 제형기", "Microfluidic LNP mixer", 24),
            ],
            "certificate_validity_months": 24,
            "cancellation_days": 10,
        },
    ),
]


def _past_session(
    course: Any,
    coordinator: User,
    center: Organization,
    instructor: User,
    days_ago: int,
    length: int,
) -> Session:
    """A session that took place: planned today through the action, for the past dates."""
    today = timezone.localdate()
    start = today - dt.timedelta(days=days_ago)
    return actions.create_session(
        by=coordinator,
        course=course,
        center=center,
        starts_on=start,
        ends_on=start + dt.timedelta(days=length - 1),
        room="Training suite 1",
        instructors=[instructor],
    )


def load(
    orgs: dict[str, Organization], users: dict[str, User], password: str, password_hash: str = ""
) -> list[tuple]:
    """Create the training demo; returns the extra logins (username, org, roles).
    ``password_hash``: ``password`` already hashed (the demo hashes it once for every account)."""
    for u, o, r, f, last in TRAINING_USERS:
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
    providers = {
        code: actions.register_provider(by=None, organization=orgs[code])
        for code in ("acc-center", "mf-center", "yonsei-knibrt")
    }
    staff = {
        "acc-center": users["acc.evaluator"],
        "mf-center": users["mf.evaluator"],
        "yonsei-knibrt": users["knibrt.instructor"],
    }
    courses = {}
    for provider_code, code, fields in COURSES:
        course = actions.create_course(
            by=staff[provider_code], provider=providers[provider_code], code=code, **fields
        )
        courses[code] = actions.set_course_status(
            by=staff[provider_code], course=course, status="published"
        )
    acc, mf = orgs["acc-center"], orgs["mf-center"]
    today = timezone.localdate()

    # A USP-101 session that took place three weeks ago: three pass, one fails.
    usp = _past_session(courses["USP-101"], staff["acc-center"], acc, staff["acc-center"], 21, 3)
    results = [
        ("hanbit.staff", 86, True),
        ("celltrion.user", 92, True),
        ("sb.operator", 78, True),
        ("cheongram.admin", 58, False),
    ]
    _run_past(usp, results, users, staff["acc-center"], password)
    # A GMP-100 gowning session: the grade-B qualification expires within 90 days.
    gmp = _past_session(
        courses["GMP-100"], staff["yonsei-knibrt"], acc, staff["yonsei-knibrt"], 10, 1
    )
    _run_past(
        gmp,
        [("hanbit.staff", 90, True), ("sb.operator", 84, True)],
        users,
        staff["yonsei-knibrt"],
        password,
    )
    # One certificate revoked: a recount found the trainee had not done the practical.
    from bioproof.training.models import Certificate

    revoked = Certificate.objects.get(enrollment__session=usp, holder=users["sb.operator"])
    actions.revoke_certificate(
        by=staff["acc-center"],
        certificate=revoked,
        reason="Practical checklist signed in error: the inoculation was done by the instructor.",
    )
    # An expiring qualification from supervised use 23 months ago (24 months' validity).
    actions.record_supervised_use(
        by=staff["mf-center"],
        password=password,
        person=users["celltrion.user"],
        center=mf,
        key="fermenter.stainless",
        name_ko="스테인리스 발효조",
        name_en="Stainless fermenter",
        used_on=_months_ago(today, 23),
        hours=6,
        validity_months=24,
        note="300 L SIP and E. coli fed-batch run under supervision.",
    )
    # Future sessions open for enrollment, one of them full with a waitlist.
    plan = [
        ("USP-101", acc, 30, 3, 2),
        ("DSP-201", acc, 45, 3, None),
        ("QC-110", acc, 20, 2, None),
        ("GMP-100", acc, 14, 1, None),
        ("MF-120", mf, 40, 3, None),
        ("MRNA-301", acc, 60, 3, None),
    ]
    future = {}
    for code, center, start_in, length, capacity in plan:
        provider_code = courses[code].provider.organization.code
        start = today + dt.timedelta(days=start_in)
        future[code] = actions.create_session(
            by=staff[provider_code],
            course=courses[code],
            center=center,
            starts_on=start,
            ends_on=start + dt.timedelta(days=length - 1),
            capacity=capacity,
            room="Training suite 2",
            instructors=[staff[provider_code]],
        )
    actions.enroll(by=users["cheongram.admin"], session=future["USP-101"])  # the retake
    actions.enroll(by=users["seum.admin"], session=future["USP-101"])
    actions.enroll(by=users["narae.admin"], session=future["USP-101"])  # waitlisted
    actions.enroll(
        by=users["hanbit.admin"],
        session=future["MRNA-301"],
        trainee=users["hanbit.staff"],
        organization=orgs["hanbit-bio"],
    )  # a company nomination (GMP-100 passed)
    return [(u, o, ", ".join(r)) for u, o, r, *_ in TRAINING_USERS]


def _months_ago(day: dt.date, months: int) -> dt.date:
    from bioproof.training.qualifications import add_months

    return add_months(day, -months)


def _run_past(
    session: Session,
    results: list[tuple[str, float, bool]],
    users: dict[str, User],
    instructor: User,
    password: str,
) -> None:
    version = session.course_version
    for username, score, passes in results:
        enrollment = actions.enroll(
            by=instructor, session=session, trainee=users[username], publish_name=passes
        )
        actions.record_attendance(
            by=instructor,
            session=session,
            records=[(enrollment, d, "present", "") for d in session.days],
        )
        done = version.checklist if passes else version.checklist[:-1]
        actions.save_assessment(
            by=instructor, enrollment=enrollment, theory_score=score, checklist=done
        )
    actions.sign_session_results(by=instructor, session=session, password=password)
