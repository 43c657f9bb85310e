"""The PDF evaluation report: content, metadata, determinism."""

from __future__ import annotations

import hashlib
import io
import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from bioproof.reports.data import EvaluationReportData, KpiRow, RunSeries
from bioproof.reports.pdf import render_evaluation_report

from .conftest import CODE, SIGNERS, VERIFICATION_CODE, fed_batch_run, kpis

pypdf = pytest.importorskip("pypdf")

MakeData = Callable[..., EvaluationReportData]


def read(pdf: bytes) -> tuple[pypdf.PdfReader, str]:
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return reader, "\n".join(page.extract_text() for page in reader.pages)


@pytest.fixture(scope="module")
def rendered() -> dict[str, bytes]:
    from .conftest import make_report_data

    return {
        lang: render_evaluation_report(make_report_data(lang), language=lang)
        for lang in ("ko", "en")
    }


@pytest.mark.parametrize("language", ["ko", "en"])
def test_report_is_a_pdf_with_pages(rendered: dict[str, bytes], language: str) -> None:
    pdf = rendered[language]
    assert pdf.startswith(b"%PDF-")
    assert pdf.rstrip().endswith(b"%%EOF")
    reader, _ = read(pdf)
    assert len(reader.pages) >= 1


@pytest.mark.parametrize(
    ("language", "heading", "phrases"),
    [
        (
            "ko",
            "실증 평가 보고서",
            ["판정 기준", "전자서명", "일탈", "진위 확인", "적합", "부적합"],
        ),
        (
            "en",
            "Demonstration evaluation report",
            ["Acceptance criteria", "Signatures", "Deviations", "Verification", "Pass", "Fail"],
        ),
    ],
)
def test_report_text(
    rendered: dict[str, bytes], language: str, heading: str, phrases: list[str]
) -> None:
    _, text = read(rendered[language])
    if language == "ko":
        assert "실증" in text
    assert heading in text
    assert CODE in text
    assert VERIFICATION_CODE in text
    for name in SIGNERS:
        assert name in text
    for phrase in phrases:
        assert phrase in text
    for run in ("C-1 (BATCH-2311)", "C-2 (BATCH-2312)", "R-1 (BATCH-2301)", "R-2 (BATCH-2302)"):
        assert run in text
    assert "https://bioproof.example.kr/verify/7Q4M-2KXD-9PTA" in text
    assert "bioproof-analysis 0.4.1" in text


def test_hashes_full_and_short_and_times_in_seoul(
    rendered: dict[str, bytes], report_data: MakeData
) -> None:
    data = report_data("en")
    _, text = read(rendered["en"])
    flat = re.sub(r"\s+", "", text)
    assert data.content_hash in flat
    assert f"{data.content_hash[:12]}…" in text
    # signatures at 05:05:09, 06:05:09, 07:05:09 UTC
    for hour in (14, 15, 16):
        assert f"2026-03-12 {hour}:05:09 KST" in text
    assert "2026-03-13 09:30:00 KST" in text  # generated_at given in +09:00


def test_kpi_values_are_printed(rendered: dict[str, bytes]) -> None:
    _, text = read(rendered["en"])
    assert "Final titer" in text
    assert "Specific growth rate" in text
    assert "Candidate" in text
    assert "Reference" in text
    assert "Integral of viable cell density" in text


@pytest.mark.parametrize(
    ("language", "footer"), [("en", "page {n} of {total}"), ("ko", "{n} / {total} 쪽")]
)
def test_page_numbers_in_footer(report_data: MakeData, language: str, footer: str) -> None:
    pdf = render_evaluation_report(report_data(language), language=language)
    reader, _ = read(pdf)
    total = len(reader.pages)
    for n, page in enumerate(reader.pages, start=1):
        page_text = re.sub(r"\s+", " ", page.extract_text())
        assert footer.format(n=n, total=total) in page_text
        assert CODE in page_text
        assert VERIFICATION_CODE in page_text


def test_metadata(rendered: dict[str, bytes], report_data: MakeData) -> None:
    reader, _ = read(rendered["ko"])
    meta = reader.metadata
    assert meta.author == "BioProof"
    assert meta.subject == CODE
    assert CODE in meta.title
    assert report_data("ko").title in meta.title


def test_identical_input_gives_identical_bytes(report_data: MakeData) -> None:
    for language in ("ko", "en"):
        first = render_evaluation_report(report_data(language), language=language)
        second = render_evaluation_report(report_data(language), language=language)
        assert hashlib.sha256(first).hexdigest() == hashlib.sha256(second).hexdigest()


def test_different_input_gives_different_bytes(report_data: MakeData) -> None:
    a = render_evaluation_report(report_data("en"), language="en")
    b = render_evaluation_report(
        report_data("en", verification_code="AAAA-BBBB-CCCC"), language="en"
    )
    assert a != b


@pytest.mark.parametrize("language", ["fr", "", "KO", "ko-KR"])
def test_unsupported_language_is_refused(report_data: MakeData, language: str) -> None:
    with pytest.raises(ValueError, match=r"unsupported report language .*expected one of: ko, en"):
        render_evaluation_report(report_data("en"), language=language)


def test_correction_reason_for_a_new_version(report_data: MakeData) -> None:
    reason = "R-2 배치 역가 재분석 결과 반영 (HPLC 재측정)"
    v2 = report_data("ko", version=2, correction_reason=reason)
    _, text = read(render_evaluation_report(v2, language="ko"))
    assert "정정 사유" in text
    assert reason in text
    _, text = read(render_evaluation_report(report_data("ko"), language="ko"))
    assert "정정 사유" not in text


def test_empty_sections_say_so(report_data: MakeData) -> None:
    bare = report_data("en", runs=(), kpi_rows=(), criteria=(), deviations=(), signatures=())
    _, text = read(render_evaluation_report(bare, language="en"))
    for phrase in (
        "No acceptance criteria were defined.",
        "No KPI values.",
        "No time-course data.",
        "None.",
        "Not signed.",
    ):
        assert phrase in text
    _, text = read(render_evaluation_report(report_data("ko", deviations=()), language="ko"))
    assert "없음." in text


def test_user_text_is_escaped_not_interpreted(report_data: MakeData) -> None:
    tricky = report_data("en", title="Medium <b>A</b> & co", deviations=["pH < 6.8 & DO > 90 %"])
    _, text = read(render_evaluation_report(tricky, language="en"))
    assert "Medium <b>A</b> & co" in text
    assert "pH < 6.8 & DO > 90 %" in text


def test_many_runs_and_long_content_span_pages(report_data: MakeData) -> None:
    runs = [
        fed_batch_run(f"C-{i}", "candidate", seed=i, mu=0.6, peak=20, qp_pg=25) for i in range(1, 6)
    ]
    runs += [
        fed_batch_run(f"R-{i}", "reference", seed=10 + i, mu=0.6, peak=19, qp_pg=24)
        for i in range(1, 5)
    ]
    data = report_data(
        "en",
        runs=runs,
        kpi_rows=[KpiRow(r.label, r.arm, {**kpis(r), "qp": None}) for r in runs],
        deviations=[f"Deviation {i}: " + "pump stopped and restarted " * 15 for i in range(12)],
    )
    reader, text = read(render_evaluation_report(data, language="en"))
    assert len(reader.pages) >= 3
    for run in runs:
        assert run.label in text
    assert "Deviation 11:" in text
    assert "—" in text  # the missing qp values


def test_runs_with_gaps_render(report_data: MakeData) -> None:
    r = report_data("en").runs[0]
    gappy = RunSeries(r.label, r.arm, r.time_h, [None, *r.vcd[1:]], r.titer, viability=())
    data = report_data("en", runs=[gappy, *report_data("en").runs[1:]])
    assert render_evaluation_report(data, language="en").startswith(b"%PDF")


def test_module_does_not_import_django() -> None:
    code = (
        "import sys, bioproof.reports, bioproof.reports.pdf, bioproof.reports.plots; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'django'))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_bytes_do_not_depend_on_the_process(rendered: dict[str, bytes]) -> None:
    code = (
        "import hashlib, sys; from tests.reports.conftest import make_report_data; "
        "from bioproof.reports.pdf import render_evaluation_report as r; "
        "sys.stdout.write(hashlib.sha256(r(make_report_data('ko'), language='ko')).hexdigest())"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONHASHSEED": "12345"},
        cwd=Path(__file__).resolve().parents[2],
    )
    assert out.stdout == hashlib.sha256(rendered["ko"]).hexdigest()
