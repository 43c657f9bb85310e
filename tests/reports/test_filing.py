"""What makes the PDFs fileable, without a database: embedded fonts, extractable Korean, tables
that repeat their header and headings that never end a page, the conclusion, the protocol PDF,
the training documents; and the plot decimation that keeps a report fast."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import types
from collections.abc import Callable

import numpy as np
import pytest

from bioproof.reports.data import (
    CriterionRow,
    CurvePanel,
    CurveSeries,
    EvaluationReportData,
    PlannedCriterion,
    ProtocolReportData,
    RawFile,
    RunInfo,
    SignatureLine,
)
from bioproof.reports.pdf import TEXT, overall_conclusion, render_evaluation_report
from bioproof.reports.plots import MAX_POINTS, _curves_figure, decimate, korean_font_family
from bioproof.reports.protocol import render_protocol

from .pdfcheck import assert_fonts_embedded, reader, text_of

MakeData = Callable[..., EvaluationReportData]
HASH = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"


def _run_info(n: int) -> list[RunInfo]:
    return [
        RunInfo(
            f"C-{i}" if i % 2 else f"R-{i}",
            "candidate" if i % 2 else "reference",
            f"BATCH-{i:04d}",
            f"SUB 50 L #{i % 3 + 1}",
            (RawFile(f"run-{i}.csv", "오프라인 시료", 1, HASH, 18_432),),
        )
        for i in range(n)
    ]


# -- fonts and text ----------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["ko", "en"])
def test_every_font_is_embedded_and_korean_extracts(report_data: MakeData, language: str) -> None:
    pdf = render_evaluation_report(report_data(language, run_info=_run_info(2)), language=language)
    fonts = assert_fonts_embedded(pdf)
    assert {re.sub(r"^[A-Z]{6}\+", "", name.lstrip("/")) for name in fonts} >= {
        "NanumGothic",
        "NanumGothicBold",
        "DejaVuSansMono",
    }
    text = text_of(pdf)
    if language == "ko":
        for phrase in ("실증 평가 보고서", "동물세포 실증지원센터", "최대 생세포 농도", "김민준"):
            assert phrase in text, phrase
    assert "−" in text  # the minus sign, printed by the DejaVu fallback face
    assert HASH in text and "BATCH-0001" in text and "SUB 50 L #2" in text


def test_page_headers_repeat_and_headings_never_end_a_page(report_data: MakeData) -> None:
    data = report_data(
        "en",
        run_info=_run_info(60),
        deviations=[f"Deviation {i}: " + "pump stopped and restarted " * 12 for i in range(15)],
    )
    pages = [
        page.extract_text() for page in reader(render_evaluation_report(data, language="en")).pages
    ]
    assert len(pages) >= 4
    # the runs table spans pages and repeats its header row on each
    with_rows = [p for p in pages if "BATCH-00" in p]
    assert len(with_rows) >= 2
    assert all("Batch ID" in p for p in with_rows)
    # a file's SHA-256 line stays on the page of its file name
    for page in with_rows:
        assert page.count("run-") <= page.count(HASH)
    headings = {f"{n}. {TEXT[k][0]}" for n in range(1, 12) for k in TEXT}
    for page in pages[:-1]:
        body = page[: page.rfind("BioProof")].strip().splitlines()  # before the page furniture
        assert body and body[-1].strip() not in headings, body[-1]


def test_verification_url_and_qr_are_the_given_address(report_data: MakeData) -> None:
    url = "https://verify.bioproof.example.kr/verify/?code=7Q4M-2KXD-9PTA"
    pdf = render_evaluation_report(report_data("en", verify_url=url), language="en")
    assert url in "".join(text_of(pdf).split())
    uris = [
        str(a.get_object()["/A"]["/URI"])
        for page in reader(pdf).pages
        for a in page.get("/Annots") or []
        if "/A" in a.get_object()
    ]
    assert uris == [url]


# -- the conclusion -------------------------------------------------------------------------------


def _criteria(*verdicts: bool | None) -> list[CriterionRow]:
    names = ("Final titer", "Peak VCD", "qP", "Viability")
    return [CriterionRow(names[i], "equivalence", "Δ", v) for i, v in enumerate(verdicts)]


def test_overall_conclusion_follows_the_verdicts() -> None:
    verdict, text = overall_conclusion(_criteria(True, True), "en", scale="50 L STR")
    assert verdict is True and "met all 2 acceptance criteria" in text and "50 L STR" in text

    verdict, text = overall_conclusion(_criteria(True, False, None), "en")
    assert verdict is False
    assert "did not meet 1 of the 3" in text and "Peak VCD" in text
    assert "Met: Final titer." in text and "could not be evaluated (qP)" in text

    verdict, text = overall_conclusion(_criteria(True, None), "ko")
    assert verdict is None and "판정할 수 없었습니다" in text and "은(는)" not in text

    verdict, text = overall_conclusion([], "ko")
    assert verdict is None and "종합 판정 없이" in text


def test_report_prints_the_conclusion(report_data: MakeData) -> None:
    text = text_of(render_evaluation_report(report_data("en"), language="en"))
    assert "Overall verdict: Does not meet the acceptance criteria" in text
    assert "Peak VCD" in text


# -- the protocol PDF -----------------------------------------------------------------------------


def _protocol(language: str, **changes: object) -> ProtocolReportData:
    signed = dt.datetime(2026, 3, 2, 1, 0, tzinfo=dt.UTC)
    data = ProtocolReportData(
        code="EV-2026-0007",
        title="알파 CHO 배지 50 L 유가식 배양 실증 평가",
        product="알파 CHO 배지 (PR-0012)",
        supplier="알파바이오",
        center="동물세포 실증지원센터",
        reference_product="수입 배지",
        scale="50 L STR",
        process_context="CHO-K1, 14일 유가식",
        template="CHO 배지 실증 (media-cho v2)",
        layouts=["오프라인 시료 (세포배양)"],
        kpis=["최종 역가 (g/L)", "최대 생세포 농도 (cells/mL)"],
        candidate_runs=3,
        reference_runs=3,
        runs=[RunInfo("C-1", "candidate", "LOT-C1", "SUB 50 L #2")],
        criteria=[
            PlannedCriterion("최종 역가", "동등성 ±10 % (TOST, α = 0.05)", "수요기업 요구"),
            PlannedCriterion(
                "최대 생세포 농도", "모든 후보 배치 ≥ 10 cells/mL", "평가 방법 템플릿"
            ),
        ],
        signatures=[SignatureLine("승인", "박지훈", "동물세포 실증지원센터", signed, HASH)],
        content_hash=HASH,
        signed_at=signed,
        generated_at=signed,
        page_url="https://bioproof.example.kr/evaluations/EV-2026-0007/",
        demand_company="수요바이오",
        need="ND-2026-0003 — 200 L CHO 배지",
    )
    return dataclasses.replace(data, **changes) if changes else data


@pytest.mark.parametrize("language", ["ko", "en"])
def test_protocol_pdf_content(language: str) -> None:
    pdf = render_protocol(_protocol(language), language=language)
    assert_fonts_embedded(pdf)
    text = text_of(pdf)
    for phrase in ("수요바이오", "LOT-C1", "SUB 50 L #2", "최종 역가", "박지훈", "수요기업 요구"):
        assert phrase in text, phrase
    assert ("평가계획서" if language == "ko" else "Evaluation protocol") in text
    assert ("후보 3개, 대조 3개" if language == "ko" else "3 candidate, 3 reference") in text
    flat = "".join(text.split())
    assert HASH in flat and "https://bioproof.example.kr/evaluations/EV-2026-0007/" in flat


def test_protocol_pdf_is_deterministic_and_refuses_other_languages() -> None:
    assert render_protocol(_protocol("ko"), language="ko") == render_protocol(
        _protocol("ko"), language="ko"
    )
    with pytest.raises(ValueError, match="unsupported"):
        render_protocol(_protocol("ko"), language="de")


# -- training documents -------------------------------------------------------------------------


def _certificate() -> types.SimpleNamespace:
    org = types.SimpleNamespace(name_ko="한국바이오인력센터", name_en="K-Bio Training Center")
    course = types.SimpleNamespace(code="UP-101")
    version = types.SimpleNamespace(
        course=course,
        version=2,
        title_ko="동물세포 배양 및 생물반응기 운전",
        title_en="Cell culture",
    )
    session = types.SimpleNamespace(starts_on=dt.date(2026, 3, 2), ends_on=dt.date(2026, 3, 6))
    qualification = types.SimpleNamespace(
        name_ko="생물반응기 운전", name_en="Bioreactor operation", key="bioreactor", expires_on=None
    )
    return types.SimpleNamespace(
        code="CT-2026-0001",
        course_version=version,
        holder_name="김민준",
        provider=types.SimpleNamespace(organization=org),
        enrollment=types.SimpleNamespace(session=session),
        issued_on=dt.date(2026, 3, 6),
        expires_on=dt.date(2028, 3, 6),
        qualifications=types.SimpleNamespace(all=lambda: [qualification]),
    )


def test_certificate_and_transcript_embed_their_fonts() -> None:
    from bioproof.training import documents

    url = "https://bioproof.example.kr/training/verify/CT-2026-0001/"
    pdf = documents.certificate_pdf(_certificate(), url)
    assert_fonts_embedded(pdf)
    text = text_of(pdf)
    for phrase in ("수료증", "김민준", "동물세포 배양 및 생물반응기 운전", "생물반응기 운전", url):
        assert phrase in text, phrase

    transcript = documents.transcript_pdf(
        {
            "name": "김민준",
            "username": "kim",
            "as_of": "2026-03-10",
            "courses": [
                {
                    "course": "UP-101",
                    "course_version": 2,
                    "title_ko": "동물세포 배양",
                    "title_en": "Cell culture",
                    "session": "S-1",
                    "starts_on": "2026-03-02",
                    "ends_on": "2026-03-06",
                    "status": "completed",
                    "result": {"attendance_pct": 100, "theory_score": 92, "passed": True},
                    "certificate": {
                        "code": "CT-2026-0001",
                        "state": "valid",
                        "issued_on": "2026-03-06",
                        "expires_on": "2028-03-06",
                    },
                }
            ],
            "qualifications": [
                {
                    "key": "bioreactor",
                    "name_ko": "생물반응기 운전",
                    "name_en": "Bioreactor operation",
                    "state": "valid",
                    "expires_on": None,
                }
            ],
        }
    )
    assert_fonts_embedded(transcript)
    assert "교육 이력" in text_of(transcript) and "동물세포 배양" in text_of(transcript)


# -- decimation ---------------------------------------------------------------------------------


def test_decimation_keeps_extremes_ends_and_order() -> None:
    rng = np.random.default_rng(3)
    x = np.arange(20_160, dtype=float) / 60  # 14 days of 1-minute samples, in hours
    y = 40 + rng.normal(0, 1, x.size)
    y[7_777], y[12_345] = -50.0, 140.0  # one dip and one spike
    xd, yd = decimate(x, y)
    assert 1_000 < xd.size <= MAX_POINTS
    assert xd[0] == x[0] and xd[-1] == x[-1]
    assert np.all(np.diff(xd) > 0)
    assert yd.min() == -50.0 and yd.max() == 140.0
    # every bucket's extremes survive: the decimated line spans the same range per window
    for lo, hi in ((0, 5_000), (5_000, 10_000), (15_000, 20_160)):
        window = (xd >= x[lo]) & (xd <= x[hi - 1])
        assert yd[window].max() == y[lo:hi].max()
        assert yd[window].min() == y[lo:hi].min()


def test_decimation_leaves_short_series_alone_and_checks_input() -> None:
    x, y = np.arange(10.0), np.arange(10.0) ** 2
    xd, yd = decimate(x, y)
    assert np.array_equal(xd, x) and np.array_equal(yd, y)
    with pytest.raises(ValueError, match="points"):
        decimate([1, 2], [1])


def test_report_figures_draw_at_most_max_points_per_series() -> None:
    t = np.arange(20_160) / 60
    curves = [
        CurveSeries(f"C-{i}", "candidate" if i % 2 else "reference", t, np.sin(t + i))
        for i in range(4)
    ]
    fig = _curves_figure(curves, "Time (h)", "DO (%)", 771, 150)
    lengths = [line.get_xdata().size for line in fig.axes[0].get_lines()]
    assert len(lengths) == 4 and max(lengths) <= MAX_POINTS


def test_plots_label_korean_with_the_shipped_font(report_data: MakeData) -> None:
    assert korean_font_family() == "NanumGothic"
    t = np.arange(100.0)
    panel = CurvePanel("온라인 DO", "시간 (h)", "DO (%)", [CurveSeries("C-1", "candidate", t, t)])
    pdf = render_evaluation_report(report_data("ko", curve_panels=[panel]), language="ko")
    assert "그림 2. 온라인 DO" in text_of(pdf)
