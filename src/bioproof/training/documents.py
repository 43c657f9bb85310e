"""PDFs of training: the bilingual certificate (with a QR code to its verification page) and a
person's transcript. Fonts as in :mod:`bioproof.reports.text`: embedded TrueType subsets of
NanumGothic (shipped by the dependency ``koreanize-matplotlib``) with DejaVu Sans for the few signs
it lacks — every font is in the file, so a certificate prints the same anywhere. The
verification address comes from the setting ``BIOPROOF_PUBLIC_URL`` (the caller builds it)."""

from __future__ import annotations

import io
from typing import Any

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from bioproof.reports.layout import draw_qr
from bioproof.reports.text import BODY, centered, draw_mixed, register_fonts

ACCENT = colors.HexColor("#0b6e4f")
MUTED = colors.HexColor("#5f6b78")


def _date(value: Any) -> str:
    return value.isoformat() if value else "—"


def certificate_pdf(certificate: Any, verify_url: str) -> bytes:
    """One landscape A4 page, Korean and English side by side."""
    register_fonts()
    version = certificate.course_version
    buf = io.BytesIO()
    width, height = landscape(A4)
    c = Canvas(buf, pagesize=(width, height), pageCompression=1, initialFontName=BODY)
    c.setTitle(f"{certificate.code} — {version.title_en}")
    c.setAuthor("BioProof")
    c.setStrokeColor(ACCENT)
    c.setLineWidth(3)
    c.rect(12 * mm, 12 * mm, width - 24 * mm, height - 24 * mm)
    c.setFillColor(ACCENT)
    _centered(c, width / 2, height - 40 * mm, "수료증 · Certificate of Completion", 26, True)
    c.setFillColor(colors.black)
    _centered(c, width / 2, height - 62 * mm, certificate.holder_name, 22, True)
    _centered(c, width / 2, height - 76 * mm, version.title_ko, 15, False)
    _centered(c, width / 2, height - 86 * mm, version.title_en, 13, False)
    c.setFillColor(MUTED)
    _centered(
        c,
        width / 2,
        height - 98 * mm,
        f"{version.course.code} v{version.version} · {certificate.provider.organization.name_ko}"
        f" / {certificate.provider.organization.name_en}",
        10,
        False,
    )
    c.setFillColor(colors.black)
    session = certificate.enrollment.session
    lines = [
        ("교육 기간 / Session", f"{_date(session.starts_on)} – {_date(session.ends_on)}"),
        ("발급일 / Issued", _date(certificate.issued_on)),
        (
            "유효기간 / Valid until",
            _date(certificate.expires_on) if certificate.expires_on else "기한 없음 / no expiry",
        ),
        ("증명서 번호 / Certificate", certificate.code),
    ]
    y = height - 118 * mm
    for label, value in lines:
        draw_mixed(c, 40 * mm, y, label, size=10)
        draw_mixed(c, 95 * mm, y, value, size=10, bold=True)
        y -= 7 * mm
    quals = list(certificate.qualifications.all())
    if quals:
        draw_mixed(c, 40 * mm, y - 2 * mm, "부여 자격 / Qualifications", size=10)
        y -= 9 * mm
        for q in quals:
            until = _date(q.expires_on) if q.expires_on else "—"
            draw_mixed(c, 45 * mm, y, f"• {q.name_ko} / {q.name_en} ({q.key}, {until})", size=9)
            y -= 5.5 * mm
    qr_size = 34 * mm
    draw_qr(c, verify_url, width - 40 * mm - qr_size, 30 * mm, qr_size)
    c.setFillColor(MUTED)
    draw_mixed(c, width - 40 * mm, 25 * mm, verify_url, size=7, align="right")
    draw_mixed(
        c,
        40 * mm,
        25 * mm,
        "진위 확인: QR 코드 또는 위 주소 / Verify: scan the QR code or open the address",
        size=8,
    )
    c.showPage()
    c.save()
    return buf.getvalue()


def _centered(c: Canvas, x: float, y: float, text: str, size: float, bold: bool) -> None:
    centered(c, x, y, text, size=size, bold=bold)


def transcript_pdf(data: dict[str, Any]) -> bytes:
    """The transcript of :func:`bioproof.training.reporting.transcript` as a PDF (A4 portrait)."""
    register_fonts()
    buf = io.BytesIO()
    height = A4[1]
    c = Canvas(buf, pagesize=A4, pageCompression=1, initialFontName=BODY)
    c.setTitle(f"Transcript — {data['name']}")

    def header() -> float:
        c.setFillColor(ACCENT)
        draw_mixed(
            c, 20 * mm, height - 25 * mm, "교육 이력 · Training transcript", size=16, bold=True
        )
        c.setFillColor(colors.black)
        draw_mixed(c, 20 * mm, height - 33 * mm, f"{data['name']} ({data['username']})", size=11)
        c.setFillColor(MUTED)
        draw_mixed(c, 20 * mm, height - 39 * mm, f"as of {data['as_of']}", size=8)
        c.setFillColor(colors.black)
        return height - 50 * mm

    y = header()
    for row in data["courses"]:
        if y < 30 * mm:
            c.showPage()
            y = header()
        draw_mixed(
            c,
            20 * mm,
            y,
            f"{row['course']} v{row['course_version']} · {row['title_ko']}",
            size=10,
            bold=True,
        )
        y -= 5 * mm
        draw_mixed(c, 24 * mm, y, row["title_en"], size=9)
        y -= 5 * mm
        result = row.get("result") or {}
        text = f"{row['session']} {row['starts_on']} – {row['ends_on']} · {row['status']}" + (
            f" · attendance {result.get('attendance_pct')} % · score "
            f"{result.get('theory_score')} · {'PASS' if result.get('passed') else 'FAIL'}"
            if result
            else ""
        )
        draw_mixed(c, 24 * mm, y, text, size=8.5)
        y -= 5 * mm
        if row.get("certificate"):
            cert = row["certificate"]
            draw_mixed(
                c,
                24 * mm,
                y,
                f"{cert['code']} · {cert['state']} · issued {cert['issued_on']}"
                f" · until {cert['expires_on'] or '—'}",
                size=8.5,
            )
            y -= 5 * mm
        y -= 3 * mm
    if y < 50 * mm:
        c.showPage()
        y = header()
    draw_mixed(c, 20 * mm, y, "자격 / Qualifications", size=11, bold=True)
    y -= 6 * mm
    for q in data["qualifications"]:
        if y < 20 * mm:
            c.showPage()
            y = header()
        draw_mixed(
            c,
            24 * mm,
            y,
            f"{q['key']} · {q['name_ko']} / {q['name_en']} · {q['state']} · until "
            f"{q['expires_on'] or '—'}",
            size=8.5,
        )
        y -= 5 * mm
    c.showPage()
    c.save()
    return buf.getvalue()
