"""The PDF evaluation report (실증 평가 보고서) of a demonstration evaluation.

:func:`render_evaluation_report` lays out an :class:`~bioproof.reports.data.EvaluationReportData`
with reportlab's platypus on A4 pages. Identical input gives identical bytes (reportlab's
``invariant`` mode), so a report's hash is reproducible.

Fonts: see :mod:`bioproof.reports.text` — Helvetica for Latin, Symbol for Greek and maths,
reportlab's built-in Korean CID font for Hangul; no font file is shipped or downloaded.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Sequence
from typing import Any
from xml.sax.saxutils import escape

from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    Image,
    KeepTogether,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from bioproof.reports.data import EvaluationReportData, KpiColumn, KpiRow, SignatureLine
from bioproof.reports.plots import growth_and_titer_png
from bioproof.reports.text import (
    LATIN,
    LATIN_BOLD,
    MONO,
    MONO_BOLD,
    draw_mixed,
    format_number,
    format_seoul,
    mono,
    register_fonts,
    rich,
)

__all__ = ["LANGUAGES", "TEXT", "render_evaluation_report"]

LANGUAGES = ("ko", "en")

#: Static text of the report: key -> (English, Korean).
TEXT: dict[str, tuple[str, str]] = {
    "heading": ("Demonstration evaluation report", "실증 평가 보고서"),
    "code": ("Evaluation code", "평가 번호"),
    "version": ("Version", "버전"),
    "product": ("Product", "평가 제품"),
    "supplier": ("Supplier", "공급기업"),
    "center": ("Demonstration center", "실증지원센터"),
    "reference_product": ("Reference product", "대조 제품"),
    "scale": ("Scale", "규모"),
    "process_context": ("Process context", "공정 조건"),
    "protocol": ("Protocol", "평가계획"),
    "correction": ("Correction", "정정"),
    "correction_text": (
        "Version {version} replaces version {previous}. Reason for the correction:",
        "이 보고서(버전 {version})는 버전 {previous}을(를) 대체합니다. 정정 사유:",
    ),
    "criteria": ("Acceptance criteria", "판정 기준"),
    "col_kpi": ("KPI", "지표"),
    "col_comparison": ("Comparison", "비교 방법"),
    "col_result": ("Result", "결과"),
    "col_verdict": ("Verdict", "판정"),
    "pass": ("Pass", "적합"),
    "fail": ("Fail", "부적합"),
    "not_evaluable": ("Not evaluable", "판정 불가"),
    "criteria_summary": (
        "{passed} of {total} criteria met",
        "판정 기준 {total}개 중 {passed}개 적합",
    ),
    "criteria_failed": ("{n} not met", "{n}개 부적합"),
    "criteria_na": ("{n} not evaluable", "{n}개 판정 불가"),
    "no_criteria": ("No acceptance criteria were defined.", "정의된 판정 기준이 없습니다."),
    "kpis": ("KPIs per run", "배치별 성능 지표"),
    "arm_candidate": ("Candidate", "후보"),
    "arm_reference": ("Reference", "대조"),
    "no_kpis": ("No KPI values.", "성능 지표 값이 없습니다."),
    "figure": ("Growth and titer", "세포 성장 및 역가"),
    "figure_caption": (
        "Figure 1. Viable cell density (a) and titer (b) over culture time. Candidate runs are "
        "drawn as lines with markers, reference runs as their min–max range (shaded) and mean "
        "(dashed).",
        "그림 1. 배양 시간에 따른 생세포 농도(a)와 역가(b). 후보 배치는 선과 표식으로, 대조 "
        "배치는 최소–최대 범위(음영)와 평균(점선)으로 표시하였다.",
    ),
    "no_runs": ("No time-course data.", "시계열 데이터가 없습니다."),
    "deviations": ("Deviations", "일탈"),
    "none": ("None.", "없음."),
    "signatures": ("Signatures", "전자서명"),
    "col_meaning": ("Meaning", "서명 의미"),
    "col_name": ("Name", "성명"),
    "col_organization": ("Organization", "소속"),
    "col_signed_at": ("Signed at", "서명 일시"),
    "col_hash": ("Signed content", "서명 대상"),
    "no_signatures": ("Not signed.", "서명 없음."),
    "verification": ("Verification", "진위 확인"),
    "verification_code": ("Verification code", "확인 코드"),
    "content_hash": ("Content hash (SHA-256)", "내용 해시 (SHA-256)"),
    "engine_version": ("Analysis engine", "분석 엔진"),
    "verify_url": ("Verify at", "확인 주소"),
    "generated_at": ("Generated", "발행 일시"),
    "verify_note": (
        "Enter the verification code at the address above, or scan the QR code, to check that "
        "this report is authentic and current.",
        "위 주소에서 확인 코드를 입력하거나 QR 코드를 스캔하여 이 보고서가 진본이며 최신 "
        "버전인지 확인할 수 있습니다.",
    ),
    "page": ("page {page} of {pages}", "{page} / {pages} 쪽"),
}

INK = colors.HexColor("#1d2733")
MUTED = colors.HexColor("#5f6b78")
ACCENT = colors.HexColor("#1f4e79")
RULE = colors.HexColor("#c5ced8")
LABEL_BG = colors.HexColor("#eef2f6")
HEAD_BG = colors.HexColor("#1f4e79")
PASS_BG, PASS_FG = colors.HexColor("#dcefdc"), colors.HexColor("#1b5e20")
FAIL_BG, FAIL_FG = colors.HexColor("#f8d7d5"), colors.HexColor("#a4161a")
NA_BG, NA_FG = colors.HexColor("#ececec"), colors.HexColor("#4a4a4a")
NOTE_BG, NOTE_EDGE = colors.HexColor("#fff5e0"), colors.HexColor("#d9a13b")

PAGE_W, PAGE_H = A4
MARGIN_X = 18 * mm
MARGIN_TOP = 22 * mm
MARGIN_BOTTOM = 20 * mm
FRAME_W = PAGE_W - 2 * MARGIN_X
RUNS_PER_KPI_TABLE = 6

# ---------------------------------------------------------------------------------------------
# styles


def _styles() -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("body", fontName=LATIN, fontSize=9.5, leading=13.5, textColor=INK)

    def derive(name: str, **kw: Any) -> ParagraphStyle:
        return ParagraphStyle(name, parent=base, **kw)

    return {
        "body": base,
        "title": derive("title", fontName=LATIN_BOLD, fontSize=20, leading=25, textColor=ACCENT),
        "subtitle": derive("subtitle", fontSize=12.5, leading=17, spaceBefore=2, spaceAfter=8),
        "h1": derive(
            "h1",
            fontName=LATIN_BOLD,
            fontSize=12.5,
            leading=16,
            textColor=ACCENT,
            spaceBefore=12,
            spaceAfter=3,
            keepWithNext=1,
        ),
        "cell": derive("cell", fontSize=8.5, leading=11),
        "cell_r": derive("cell_r", fontSize=8.5, leading=11, alignment=TA_RIGHT),
        "label": derive("label", fontSize=8.5, leading=11, textColor=MUTED),
        "head": derive(
            "head", fontName=LATIN_BOLD, fontSize=8.5, leading=11, textColor=colors.white
        ),
        "head_c": derive(
            "head_c",
            fontName=LATIN_BOLD,
            fontSize=8.5,
            leading=11,
            textColor=colors.white,
            alignment=TA_CENTER,
        ),
        "head_r": derive(
            "head_r",
            fontName=LATIN_BOLD,
            fontSize=8.5,
            leading=11,
            textColor=colors.white,
            alignment=TA_RIGHT,
        ),
        "small": derive("small", fontSize=7, leading=9, textColor=MUTED),
        "caption": derive("caption", fontSize=8.5, leading=12, textColor=MUTED, spaceBefore=3),
        "note": derive("note", fontSize=9, leading=13),
        "code": derive("code", fontName=MONO_BOLD, fontSize=16, leading=20, textColor=ACCENT),
        "hash": derive("hash", fontName=MONO, fontSize=7, leading=9),
    }


def _grid_style(*extra: tuple[Any, ...], header: bool = True) -> TableStyle:
    cmds: list[tuple[Any, ...]] = [
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LINEBELOW", (0, 0), (-1, -1), 0.4, RULE),
        ("LEFTPADDING", (0, 0), (-1, -1), 4),
        ("RIGHTPADDING", (0, 0), (-1, -1), 4),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]
    if header:
        cmds.append(("BACKGROUND", (0, 0), (-1, 0), HEAD_BG))
    return TableStyle([*cmds, *extra])


# ---------------------------------------------------------------------------------------------
# the report


class _Report:
    """Builds the flowables of one report in one language."""

    def __init__(self, data: EvaluationReportData, language: str) -> None:
        self.data = data
        self.language = language
        self.s = _styles()

    def t(self, key: str, **kw: Any) -> str:
        en, ko = TEXT[key]
        text = ko if self.language == "ko" else en
        return text.format(**kw) if kw else text

    def p(self, text: object, style: str = "body", *, markup: bool = False) -> Paragraph:
        return Paragraph(str(text) if markup else rich(text), self.s[style])

    def heading(self, number: int, key: str) -> Paragraph:
        return self.p(f"{number}. {self.t(key)}", "h1")

    # -- sections ---------------------------------------------------------------------------

    def title_block(self) -> list[Flowable]:
        d = self.data
        lab, cell = "label", "cell"
        rows = [
            [
                self.p(self.t("code"), lab),
                Paragraph(mono(d.code), self.s[cell]),
                self.p(self.t("version"), lab),
                self.p(d.version, cell),
            ],
            [self.p(self.t("product"), lab), self.p(d.product, cell), "", ""],
            [
                self.p(self.t("supplier"), lab),
                self.p(d.supplier, cell),
                self.p(self.t("center"), lab),
                self.p(d.center, cell),
            ],
            [
                self.p(self.t("reference_product"), lab),
                self.p(d.reference_product, cell),
                self.p(self.t("scale"), lab),
                self.p(d.scale, cell),
            ],
            [
                self.p(self.t("process_context"), lab),
                self.p(d.process_context or "—", cell),
                "",
                "",
            ],
            [
                self.p(self.t("protocol"), lab),
                self.p(d.protocol or "—", cell),
                "",
                "",
            ],
        ]
        widths = [32 * mm, 55 * mm, 32 * mm, FRAME_W - 119 * mm]
        table = Table(rows, colWidths=widths, hAlign="LEFT")
        table.setStyle(
            _grid_style(
                ("BACKGROUND", (0, 0), (0, -1), LABEL_BG),
                ("BACKGROUND", (2, 0), (2, 0), LABEL_BG),
                ("BACKGROUND", (2, 2), (2, 3), LABEL_BG),
                ("SPAN", (1, 1), (3, 1)),
                ("SPAN", (1, 4), (3, 4)),
                ("SPAN", (1, 5), (3, 5)),
                ("LINEABOVE", (0, 0), (-1, 0), 0.8, ACCENT),
                ("LINEBELOW", (0, -1), (-1, -1), 0.8, ACCENT),
                header=False,
            )
        )
        out: list[Flowable] = [
            self.p(self.t("heading"), "title"),
            self.p(d.title, "subtitle"),
            table,
        ]
        if d.version >= 2 or d.correction_reason:
            out += [Spacer(1, 4 * mm), self.correction_box()]
        return out

    def correction_box(self) -> Flowable:
        d = self.data
        title_style = ParagraphStyle(
            "correction", parent=self.s["h1"], spaceBefore=0, textColor=colors.HexColor("#7a4d00")
        )
        body = [
            Paragraph(
                rich(f"{self.t('correction')} — {self.t('version')} {d.version}"), title_style
            ),
            self.p(
                self.t("correction_text", version=d.version, previous=max(d.version - 1, 1)), "note"
            ),
            self.p(d.correction_reason or "—", "note"),
        ]
        box = Table([[body]], colWidths=[FRAME_W])
        box.setStyle(
            TableStyle(
                [
                    ("BACKGROUND", (0, 0), (-1, -1), NOTE_BG),
                    ("LINEBEFORE", (0, 0), (0, -1), 3, NOTE_EDGE),
                    ("LEFTPADDING", (0, 0), (-1, -1), 8),
                    ("TOPPADDING", (0, 0), (-1, -1), 6),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 7),
                ]
            )
        )
        return box

    def criteria_section(self, number: int) -> list[Flowable]:
        criteria = list(self.data.criteria)
        out: list[Flowable] = [self.heading(number, "criteria")]
        if not criteria:
            return [*out, self.p(self.t("no_criteria"))]
        passed = sum(c.passed is True for c in criteria)
        failed = sum(c.passed is False for c in criteria)
        na = len(criteria) - passed - failed
        summary = [self.t("criteria_summary", passed=passed, total=len(criteria))]
        if failed:
            summary.append(self.t("criteria_failed", n=failed))
        if na:
            summary.append(self.t("criteria_na", n=na))
        out.append(self.p(", ".join(summary) + ("." if self.language == "en" else ""), "note"))
        out.append(Spacer(1, 2 * mm))

        head = [
            self.p(self.t(k), "head")
            for k in ("col_kpi", "col_comparison", "col_result", "col_verdict")
        ]
        rows: list[list[Any]] = [head]
        style: list[tuple[Any, ...]] = []
        for i, c in enumerate(criteria, start=1):
            key, bg, fg = {
                True: ("pass", PASS_BG, PASS_FG),
                False: ("fail", FAIL_BG, FAIL_FG),
                None: ("not_evaluable", NA_BG, NA_FG),
            }[c.passed]
            verdict = ParagraphStyle(
                f"v{i}", parent=self.s["cell"], fontName=LATIN_BOLD, textColor=fg
            )
            rows.append(
                [
                    self.p(c.kpi_label, "cell"),
                    self.p(c.comparison, "cell"),
                    self.p(c.result, "cell"),
                    Paragraph(rich(self.t(key)), verdict),
                ]
            )
            style.append(("BACKGROUND", (3, i), (3, i), bg))
        widths = [34 * mm, 46 * mm, FRAME_W - 106 * mm, 26 * mm]
        table = Table(rows, colWidths=widths, repeatRows=1, hAlign="LEFT")
        table.setStyle(_grid_style(*style))
        return [*out, table]

    def kpi_section(self, number: int) -> list[Flowable]:
        out: list[Flowable] = [self.heading(number, "kpis")]
        columns = list(self.data.kpi_columns)
        rows = sorted(self.data.kpi_rows, key=lambda r: r.arm == "reference")  # stable
        if not columns or not rows:
            return [*out, self.p(self.t("no_kpis"))]
        for i, chunk in enumerate(_kpi_chunks(rows)):
            if i:
                out.append(Spacer(1, 3 * mm))
            out.append(self.kpi_table(columns, chunk))
        return out

    def kpi_table(self, columns: Sequence[KpiColumn], runs: Sequence[KpiRow]) -> Table:
        """KPIs as rows, runs as columns, under an arm band (candidate / reference)."""
        label_w = 52 * mm
        run_w = (FRAME_W - label_w) / max(len(runs), 3)
        arms = [self.t("arm_reference" if r.arm == "reference" else "arm_candidate") for r in runs]
        band = [self.p(self.t("col_kpi"), "head"), *[self.p(a, "head_c") for a in arms]]
        head = ["", *[self.p(r.run_label, "head_r") for r in runs]]
        body = []
        for col in columns:
            label = rich(col.label)
            if col.unit:
                label += f' <font size="7" color="#5f6b78">({rich(col.unit)})</font>'
            values = [
                Paragraph(format_number(r.values.get(col.key)), self.s["cell_r"]) for r in runs
            ]
            body.append([Paragraph(label, self.s["cell"]), *values])
        style: list[tuple[Any, ...]] = [
            ("BACKGROUND", (0, 0), (-1, 1), HEAD_BG),
            ("SPAN", (0, 0), (0, 1)),
            ("VALIGN", (0, 0), (0, 1), "BOTTOM"),
            ("LINEBELOW", (1, 0), (-1, 0), 0.4, colors.HexColor("#5b7fa6")),
            ("ROWBACKGROUNDS", (0, 2), (-1, -1), [colors.white, colors.HexColor("#f6f8fa")]),
        ]
        # merge neighbouring run columns of the same arm in the band row
        start = 0
        for i in range(1, len(runs) + 1):
            if i == len(runs) or runs[i].arm != runs[start].arm:
                if i - start > 1:
                    style.append(("SPAN", (start + 1, 0), (i, 0)))
                style.append(("LINEBEFORE", (start + 1, 0), (start + 1, -1), 0.8, RULE))
                start = i
        table = Table(
            [band, head, *body],
            colWidths=[label_w] + [run_w] * len(runs),
            repeatRows=2,
            hAlign="LEFT",
        )
        table.setStyle(_grid_style(*style, header=False))
        return table

    def figure_section(self, number: int) -> list[Flowable]:
        heading = self.heading(number, "figure")
        runs = list(self.data.runs)
        figures = [(png, caption) for caption, png in self.data.figures]
        if runs:
            figures.insert(0, (growth_and_titer_png(runs, self.language), self.t("figure_caption")))
        if not figures:
            return [heading, self.p(self.t("no_runs"))]
        out: list[Flowable] = []
        for i, (png, caption) in enumerate(figures):
            image = Image(io.BytesIO(png))
            width = FRAME_W if runs and i == 0 else FRAME_W * 0.75
            scale = width / image.imageWidth
            image.drawWidth, image.drawHeight = width, image.imageHeight * scale
            block = [image, self.p(caption, "caption")]
            out.append(KeepTogether([heading, *block] if i == 0 else block))
        return out

    def deviation_section(self, number: int) -> list[Flowable]:
        out: list[Flowable] = [self.heading(number, "deviations")]
        items = [d for d in self.data.deviations if str(d).strip()]
        if not items:
            return [*out, self.p(self.t("none"))]
        style = ParagraphStyle(
            "dev", parent=self.s["body"], leftIndent=14, bulletIndent=0, spaceAfter=3
        )
        return out + [
            Paragraph(rich(text), style, bulletText=f"{i}.")
            for i, text in enumerate(items, start=1)
        ]

    def signature_section(self, number: int) -> list[Flowable]:
        out: list[Flowable] = [self.heading(number, "signatures")]
        signatures = list(self.data.signatures)
        if not signatures:
            return [*out, self.p(self.t("no_signatures"))]
        head = [
            self.p(self.t(k), "head")
            for k in ("col_meaning", "col_name", "col_organization", "col_signed_at", "col_hash")
        ]
        rows: list[list[Any]] = [head]
        style: list[tuple[Any, ...]] = []
        for sig in signatures:
            rows += self.signature_rows(sig)
            r = len(rows) - 1
            style += [
                ("SPAN", (0, r), (-1, r)),
                ("LINEBELOW", (0, r - 1), (-1, r - 1), 0.4, colors.white),
                ("TOPPADDING", (0, r), (-1, r), 0),
            ]
        widths = [22 * mm, 28 * mm, 42 * mm, 48 * mm, FRAME_W - 140 * mm]
        table = Table(rows, colWidths=widths, repeatRows=1, hAlign="LEFT")
        table.setStyle(_grid_style(*style))
        return [*out, table]

    def signature_rows(self, sig: SignatureLine) -> list[list[Any]]:
        full = str(sig.content_hash)
        short = full[:12] + ("…" if len(full) > 12 else "")
        return [
            [
                self.p(sig.meaning, "cell"),
                self.p(sig.name, "cell"),
                self.p(sig.organization, "cell"),
                self.p(format_seoul(sig.signed_at), "cell"),
                Paragraph(mono(short), self.s["cell"]),
            ],
            [Paragraph(f"SHA-256 {mono(full)}", self.s["small"]), "", "", "", ""],
        ]

    def verification_section(self, number: int) -> list[Flowable]:
        d = self.data
        lab, cell = "label", "cell"
        info = Table(
            [
                [
                    self.p(self.t("verification_code"), lab),
                    Paragraph(mono(d.verification_code), self.s["code"]),
                ],
                [
                    self.p(self.t("content_hash"), lab),
                    Paragraph(mono(d.content_hash), self.s["hash"]),
                ],
                [self.p(self.t("engine_version"), lab), self.p(d.engine_version, cell)],
                [
                    self.p(self.t("verify_url"), lab),
                    Paragraph(
                        f'<link href="{escape(d.verify_url, {chr(34): "&quot;"})}" '
                        f'color="#1f4e79">{rich(d.verify_url)}</link>',
                        self.s[cell],
                    ),
                ],
                [self.p(self.t("generated_at"), lab), self.p(format_seoul(d.generated_at), cell)],
            ],
            colWidths=[34 * mm, FRAME_W - 34 * mm - 38 * mm],
        )
        info.setStyle(
            TableStyle(
                [
                    ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                    ("LEFTPADDING", (0, 0), (-1, -1), 0),
                    ("TOPPADDING", (0, 0), (-1, -1), 2),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
                ]
            )
        )
        box = Table([[info, _qr(d.verify_url, 32 * mm)]], colWidths=[FRAME_W - 38 * mm, 38 * mm])
        box.setStyle(
            TableStyle(
                [
                    ("BOX", (0, 0), (-1, -1), 0.8, ACCENT),
                    ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                    ("ALIGN", (1, 0), (1, 0), "CENTER"),
                    ("LEFTPADDING", (0, 0), (0, 0), 8),
                    ("TOPPADDING", (0, 0), (-1, -1), 6),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 6),
                ]
            )
        )
        return [
            KeepTogether(
                [
                    self.heading(number, "verification"),
                    box,
                    Spacer(1, 2 * mm),
                    self.p(self.t("verify_note"), "caption"),
                ]
            )
        ]

    def story(self) -> list[Flowable]:
        story = self.title_block()
        sections: Iterable[Callable[[int], list[Flowable]]] = (
            self.criteria_section,
            self.kpi_section,
            self.figure_section,
            self.deviation_section,
            self.signature_section,
            self.verification_section,
        )
        for number, section in enumerate(sections, start=1):
            story += section(number)
        return story

    # -- page furniture --------------------------------------------------------------------

    def decorate(self, canv: Canvas, page: int, pages: int) -> None:
        d = self.data
        canv.saveState()
        canv.setFillColor(MUTED)
        canv.setStrokeColor(RULE)
        canv.setLineWidth(0.5)
        top = PAGE_H - 13 * mm
        draw_mixed(canv, MARGIN_X, top, "BioProof", size=8.5, bold=True)
        draw_mixed(
            canv, PAGE_W - MARGIN_X, top, f"{self.t('heading')} · {d.code}", size=8, align="right"
        )
        canv.line(MARGIN_X, top - 2.5 * mm, PAGE_W - MARGIN_X, top - 2.5 * mm)
        bottom = 11 * mm
        canv.line(MARGIN_X, bottom + 4 * mm, PAGE_W - MARGIN_X, bottom + 4 * mm)
        left = (
            f"{d.code} · {self.t('version')} {d.version} · "
            f"{self.t('verification_code')} {d.verification_code}"
        )
        draw_mixed(canv, MARGIN_X, bottom, left, size=8)
        draw_mixed(
            canv,
            PAGE_W - MARGIN_X,
            bottom,
            self.t("page", page=page, pages=pages),
            size=8,
            align="right",
        )
        canv.restoreState()


def _kpi_chunks(rows: Sequence[KpiRow]) -> list[list[KpiRow]]:
    """One table if all runs fit, else each arm on its own table(s) of at most 6 runs."""
    n = RUNS_PER_KPI_TABLE
    if len(rows) <= n:
        return [list(rows)]
    chunks = []
    for arm_rows in (
        [r for r in rows if r.arm != "reference"],
        [r for r in rows if r.arm == "reference"],
    ):
        chunks += [arm_rows[i : i + n] for i in range(0, len(arm_rows), n)]
    return chunks


def _qr(value: str, size: float) -> Drawing:
    widget = QrCodeWidget(value or " ", barLevel="M", barBorder=2)
    x0, y0, x1, y1 = widget.getBounds()
    drawing = Drawing(size, size, transform=[size / (x1 - x0), 0, 0, size / (y1 - y0), 0, 0])
    drawing.add(widget)
    return drawing


def _numbered_canvas(decorate: Callable[[Canvas, int, int], None]) -> type[Canvas]:
    """A canvas class that defers page furniture until the page count is known."""

    class NumberedCanvas(Canvas):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._pages: list[dict[str, Any]] = []

        def showPage(self) -> None:
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._pages)
            for number, state in enumerate(self._pages, start=1):
                self.__dict__.update(state)
                decorate(self, number, total)
                super().showPage()
            super().save()

    return NumberedCanvas


def render_evaluation_report(data: EvaluationReportData, *, language: str) -> bytes:
    """The evaluation report as PDF bytes, in ``language`` ("ko" or "en").

    Deterministic: the same data and language give the same bytes.
    """
    if language not in LANGUAGES:
        raise ValueError(
            f"unsupported report language {language!r}; expected one of: {', '.join(LANGUAGES)}"
        )
    register_fonts()
    report = _Report(data, language)
    buf = io.BytesIO()
    heading = report.t("heading")
    doc = BaseDocTemplate(
        buf,
        pagesize=A4,
        leftMargin=MARGIN_X,
        rightMargin=MARGIN_X,
        topMargin=MARGIN_TOP,
        bottomMargin=MARGIN_BOTTOM,
        title=f"{heading} {data.code} v{data.version} — {data.title}",
        author="BioProof",
        subject=data.code,
        creator="BioProof report engine",
        keywords=f"{data.code}, {data.verification_code}",
        lang="ko-KR" if language == "ko" else "en",
        invariant=1,
        displayDocTitle=1,
    )
    # no frame padding, so tables of width FRAME_W line up with the header and footer rules
    frame = Frame(
        MARGIN_X,
        MARGIN_BOTTOM,
        FRAME_W,
        PAGE_H - MARGIN_TOP - MARGIN_BOTTOM,
        leftPadding=0,
        rightPadding=0,
        topPadding=0,
        bottomPadding=0,
        id="body",
    )
    doc.addPageTemplates([PageTemplate(id="page", frames=[frame])])
    doc.build(report.story(), canvasmaker=_numbered_canvas(report.decorate))
    return buf.getvalue()
