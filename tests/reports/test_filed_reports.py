"""Reports people can file (issue 13.7): the issued evaluation report and the protocol PDF, read
back with pypdf — fonts embedded, Korean text extracts, batch IDs, equipment, raw files with their
SHA-256, demand company, conclusion, verification URL from ``BIOPROOF_PUBLIC_URL``."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from bioproof.demand import actions as demand
from bioproof.evaluations import actions, reporting
from bioproof.evaluations.models import Evaluation, RunDataFile

from .pdfcheck import assert_fonts_embedded, reader, text_of

pytestmark = pytest.mark.django_db

PUBLIC = "https://bioproof.example.kr"


def _flat(text: str) -> str:
    """Extracted text without line breaks (a long line may wrap in a table cell)."""
    return "".join(text.split())


def _uris(pdf: bytes) -> list[str]:
    out = []
    for page in reader(pdf).pages:
        for annot in page.get("/Annots") or []:
            action = annot.get_object().get("/A")
            if action is not None and "/URI" in action:
                out.append(str(action["/URI"]))
    return out


@pytest.fixture
def public_url(settings: Any) -> str:
    settings.BIOPROOF_PUBLIC_URL = PUBLIC + "/"  # a final slash is tolerated
    return PUBLIC


@pytest.mark.parametrize("language", ["ko", "en"])
def test_issued_report_holds_what_a_file_needs(
    approved: Evaluation, people: dict, public_url: str, language: str
) -> None:
    report = actions.generate_report(
        by=people["evaluator"],
        evaluation=approved,
        language=language,
        verify_url="http://wrong-host.invalid/verify/",  # a request's address is not printed
    )
    pdf = report.file.read()
    fonts = assert_fonts_embedded(pdf)
    assert any("NanumGothic" in name for name in fonts)
    text = text_of(pdf)
    flat = _flat(text)

    # Korean text extracts as Korean (ToUnicode of the embedded subsets)
    if language == "ko":
        for phrase in ("실증 평가 보고서", "종합 결론", "판정 기준", "배치, 장비 및 원본 데이터"):
            assert phrase in text, phrase
    else:
        for phrase in (
            "Demonstration evaluation report",
            "Conclusion",
            "Runs, equipment and raw data",
        ):
            assert phrase in text or _flat(phrase) in flat, phrase

    # every run's batch ID, and every current raw file with its full SHA-256
    files = RunDataFile.objects.filter(run__evaluation=approved, is_current=True)
    assert files.count() >= 4
    for run in approved.runs.all():
        assert run.batch_id and run.batch_id in text
    for f in files:
        assert f.filename in text
        assert f.sha256 in flat

    # the overall conclusion follows the verdicts
    verdicts = list(approved.criteria.values_list("passed", flat=True))
    expected = (
        ("판정 기준 충족" if language == "ko" else "Meets the acceptance criteria")
        if all(v is True for v in verdicts)
        else ("판정 기준 미충족" if language == "ko" else "Does not meet the acceptance criteria")
    )
    assert expected in text

    # the verification URL (text, link and QR) comes from the setting
    url = f"{public_url}/verify/?code={report.verification_code}"
    assert url in flat
    assert url in _uris(pdf)
    assert "wrong-host" not in text and "testserver" not in text


def test_equipment_of_the_runs_is_printed(
    with_data: Evaluation, people: dict, public_url: str
) -> None:
    actions.add_run(
        by=people["evaluator"],
        evaluation=with_data,
        arm="candidate",
        label="C-9",
        batch_id="LOT-C9-2026",
        equipment="SUB 50 L #2 (Thermo HyPerforma)",
    )
    pdf = reporting.render_pdf(
        with_data,
        language="en",
        verification_code="ABCD-EFGH-JKLM",
        content_hash="0" * 64,
        generated_at=dt.datetime(2026, 3, 1, tzinfo=dt.UTC),
    )
    text = text_of(pdf)
    assert "LOT-C9-2026" in text
    assert "SUB 50 L #2 (Thermo HyPerforma)" in text
    assert "no raw data" in text  # C-9 has no file yet, and says so


def test_demand_company_of_a_tailored_evaluation(
    people: dict, orgs: dict, product_a: Any, public_url: str
) -> None:
    from bioproof.catalog.models import Category

    need = demand.post_need(
        by=people["demand"],
        organization=orgs["demand"],
        title="Domestic CHO medium for 200 L",
        category=Category.objects.get(code="media"),
        incumbent="Imported CD CHO medium",
    )
    evaluation = actions.request_evaluation(
        by=people["a_staff"],
        product=product_a,
        center=orgs["center"],
        title="Alpha for Demand Bio",
        reference_product="Imported CD CHO medium",
        scale="200 L",
        need=need,
    )
    for language, company in (("ko", "수요바이오"), ("en", "Demand Bio")):
        pdf = reporting.render_pdf(
            evaluation,
            language=language,
            verification_code="ABCD-EFGH-JKLM",
            content_hash="0" * 64,
            generated_at=dt.datetime(2026, 3, 1, tzinfo=dt.UTC),
        )
        assert_fonts_embedded(pdf)
        text = text_of(pdf)
        assert company in text
        assert need.code in text
        assert ("수요기업" if language == "ko" else "Demand company") in text


def test_report_without_a_need_names_no_demand_company(approved: Evaluation) -> None:
    data = reporting.build_report_data(
        approved,
        language="en",
        verification_code="ABCD-EFGH-JKLM",
        content_hash="0" * 64,
        generated_at=dt.datetime(2026, 3, 1, tzinfo=dt.UTC),
    )
    assert data.demand_company == "" and data.need == ""
    assert [r.batch_id for r in data.run_info] == [
        r.batch_id for r in approved.runs.order_by("arm", "label")
    ]


# -- the protocol PDF ------------------------------------------------------------------------


def _client(user: Any = None, language: str = "ko") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    if user is not None:
        client.force_login(user)
    return client


@pytest.mark.parametrize("language", ["ko", "en"])
def test_protocol_pdf_downloads_from_the_protocol_page(
    with_data: Evaluation, people: dict, public_url: str, language: str
) -> None:
    client = _client(people["a_staff"], language)
    page = client.get(f"/evaluations/{with_data.code}/").content.decode()
    assert f"/evaluations/{with_data.code}/protocol.pdf" in page  # linked from the page

    response = client.get(f"/evaluations/{with_data.code}/protocol.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    pdf = response.content
    assert_fonts_embedded(pdf)
    text = text_of(pdf)
    flat = _flat(text)
    assert ("평가계획서" if language == "ko" else "Evaluation protocol") in text
    assert with_data.protocol.content_hash in flat  # what the signature vouches for
    assert people["approver"].get_full_name() in text or "Approver" in text
    for criterion in with_data.criteria.all():
        assert reporting.kpi_label(criterion.kpi, language) in text
    for run in with_data.runs.all():
        assert run.batch_id in text
    assert f"{public_url}/evaluations/{with_data.code}/" in flat


def test_protocol_pdf_only_for_who_may_see_the_protocol(
    with_data: Evaluation, requested_other: Evaluation, people: dict
) -> None:
    url = f"/evaluations/{with_data.code}/protocol.pdf"
    for who in ("a_staff", "evaluator", "approver"):
        assert _client(people[who]).get(url).status_code == 200, who
    for who in ("b_admin", "other_center", "demand"):  # a competitor, another center, a stranger
        assert _client(people[who]).get(url).status_code == 404, who
    anonymous = _client().get(url)
    assert anonymous.status_code == 302 and "/login/" in anonymous["Location"]
    # not signed yet: nothing to download
    unsigned = f"/evaluations/{requested_other.code}/protocol.pdf"
    assert _client(people["a_staff"]).get(unsigned).status_code == 404


@pytest.fixture
def requested_other(people: dict, orgs: dict, product_a: Any) -> Evaluation:
    return actions.request_evaluation(
        by=people["a_staff"],
        product=product_a,
        center=orgs["center"],
        title="Second request",
        reference_product="Imported medium",
        scale="5 L",
    )


# -- units written for people (issue 13.6) --------------------------------------------------


@pytest.mark.parametrize("language", ["ko", "en"])
def test_report_and_protocol_print_units_for_people(
    approved: Evaluation, people: dict, language: str
) -> None:
    """×10⁶ cells/mL, not 1e6 cells/mL: NanumGothic lacks the superscript digit, the PDF prints
    it in DejaVu Sans, and the extracted text reads as the web page does."""
    assert "peak_vcd" in reporting.kpi_keys(approved)
    assert reporting.kpi_unit("peak_vcd") == "1e6 cells/mL"
    report = actions.generate_report(by=people["evaluator"], evaluation=approved, language=language)
    protocol = reporting.render_protocol_pdf(approved, language=language)
    for pdf in (report.file.read(), protocol):
        assert_fonts_embedded(pdf)
        flat = _flat(text_of(pdf))
        assert "×10⁶cells/mL" in flat
        assert "1e6cells" not in flat and "1e9cells" not in flat
