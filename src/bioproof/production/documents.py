"""The certificate of analysis: a bilingual (Korean/English) A4 PDF with the NanumGothic font
embedded (the faces and their registration are :mod:`bioproof.reports.text`'s, shared by every
PDF), a QR code drawn without a font and the verification code."""

from __future__ import annotations

import io
from typing import Any

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from bioproof.reports.layout import qr
from bioproof.reports.text import BODY, BODY_BOLD, register_fonts

FONT = BODY  # the embedded NanumGothic faces every BioProof PDF uses (bioproof.reports.text)
FONT_BOLD = BODY_BOLD


def coa_pdf(content: dict[str, Any], *, code: str, verification: str, verify_url: str) -> bytes:
    register_fonts()
    buf = io.BytesIO()
    doc = SimpleDocTemplate(
        buf,
        pagesize=A4,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=15 * mm,
        bottomMargin=15 * mm,
        title=f"{code} — Certificate of Analysis",
        author="BioProof",
    )
    base = ParagraphStyle("base", fontName=FONT, fontSize=8.5, leading=11)
    title = ParagraphStyle(
        "title",
        parent=base,
        fontName=FONT_BOLD,
        fontSize=16,
        leading=20,
        textColor=colors.HexColor("#0b6e4f"),
    )
    p = lambda t, s=base: Paragraph(str(t).replace("&", "&amp;").replace("<", "&lt;"), s)  # noqa: E731
    story: list[Any] = [p("시험성적서 · Certificate of Analysis", title), Spacer(1, 3 * mm)]
    head = [
        ("성적서 번호 / CoA", code),
        ("배치 / Batch", content["batch"]),
        ("제품 / Product", content["product"]),
        ("구조체 / Construct", f"{content['construct']} ({content['length']} nt)"),
        ("변형 · 캡 / Modification · cap", f"{content['modification']} · {content['cap']}"),
        ("제형 / Formulation", content["formulation"]),
        ("등급 / Grade", content["grade"]),
        ("배치 크기 / Batch size", content["batch_size"]),
        ("제조일 / Manufactured", str(content["manufactured"])),
        (
            "주문 / Order",
            f"{content['order']} — {content['customer_ko']} / {content['customer_en']}",
        ),
        ("제조소 / Facility", f"{content['facility_ko']} / {content['facility_en']}"),
        ("기준 / Specification", content["specification"]),
        ("제조기록 / MBR", content["mbr"]),
    ]
    t = Table([[p(a), p(b)] for a, b in head], colWidths=[55 * mm, 125 * mm])
    t.setStyle(
        TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("BOTTOMPADDING", (0, 0), (-1, -1), 1)])
    )
    story += [t, Spacer(1, 4 * mm)]
    rows = [
        [
            p(h)
            for h in (
                "단계\nStage",
                "시험항목 / Test",
                "시험방법 / Method",
                "기준 / Limits",
                "결과 / Result",
                "판정 / Verdict",
            )
        ]
    ]
    for r in content["tests"]:
        rows.append(
            [
                p(r["stage"]),
                p(f"{r['name_ko']} / {r['name_en']}"),
                p(r["method"]),
                p(r["limits"]),
                p(r["result"]),
                p("적합 / Pass" if r["conforms"] else "부적합 / Fail"),
            ]
        )
    table = Table(
        rows, colWidths=[12 * mm, 50 * mm, 38 * mm, 30 * mm, 28 * mm, 22 * mm], repeatRows=1
    )
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.3, colors.HexColor("#9aa5b1")),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e6f2ee")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    story += [table, Spacer(1, 5 * mm)]
    url = f"{verify_url}?code={verification}"
    foot = Table(
        [
            [
                qr(url, 26 * mm),
                p(
                    f"검증 코드 / Verification code: {verification}<br/>{url}<br/>"
                    "이 성적서는 검증된 시험 결과와 승인된 기준 버전에서 생성되었습니다. "
                    "This certificate was generated from verified results against the approved "
                    "specification version; its status (released, quarantined, rejected) is shown "
                    "to holders of the verification code."
                ),
            ]
        ],
        colWidths=[30 * mm, 150 * mm],
    )
    foot.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "MIDDLE")]))
    story.append(foot)
    doc.build(story)
    return buf.getvalue()
