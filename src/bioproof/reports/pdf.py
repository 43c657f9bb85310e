"""The PDF evaluation report (실증 평가 보고서) of a demonstration evaluation.

:func:`render_evaluation_report` lays out an :class:`~bioproof.reports.data.EvaluationReportData`
with reportlab's platypus on A4 pages. Identical input gives identical bytes (reportlab's
``invariant`` mode), so a report's hash is reproducible.

Contents: identity (product, supplier, center, demand company and need of a demand-tailored
evaluation, reference, scale, protocol), the overall conclusion in plain language (derived from
the verdicts: :func:`overall_conclusion`), the acceptance criteria with their verdicts, KPIs per
run, the runs with batch IDs, equipment and raw files with their SHA-256, figures, deviations,
signatures and the verification box (code, content hash, URL and QR code).

Fonts are embedded TrueType subsets (NanumGothic, DejaVu): see :mod:`bioproof.reports.text`.
Tables repeat their header rows across pages; short tables stay on one page with their heading;
headings never end a page alone (``keepWithNext``); a run's file rows never split from their
SHA-256 line (``NOSPLIT``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    Flowable,
    KeepTogether,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from bioproof.reports.data import (
    CriterionRow,
    EvaluationReportData,
    KpiColumn,
    KpiRow,
    RunInfo,
    SignatureLine,
)
from bioproof.reports.labels import TEXT
from bioproof.reports.layout import (
    ACCENT,
    CELL_FONT,
    FAIL_BG,
    FAIL_FG,
    FRAME_W,
    HEAD_BG,
    LABEL_BG,
    NA_BG,
    NA_FG,
    NOTE_BG,
    NOTE_EDGE,
    PASS_BG,
    PASS_FG,
    RULE,
    ZEBRA,
    Document,
    Picture,
    build,
    furniture,
    grid_style,
    keep_short,
    qr,
)
from bioproof.reports.text import format_number, format_seoul, mono, rich

__all__ = [
    "LANGUAGES",
    "TEXT",
    "overall_conclusion",
    "render_evaluation_report",
    "render_protocol",
]

LANGUAGES = ("ko", "en")
RUNS_PER_KPI_TABLE = 6


def overall_conclusion(
    criteria: Sequence[CriterionRow], language: str, *, scale: str = ""
) -> tuple[bool | None, str]:
    """The overall verdict and a plain-language conclusion derived from the criteria's verdicts.

    ``True`` when every criterion passed, ``False`` when at least one failed (a failure decides
    even if others could not be evaluated), ``None`` when none were defined or some could not be
    evaluated and none failed.
    """
    doc = Document(language)
    doc.TEXT = TEXT
    if not criteria:
        return None, doc.t("conclusion_none")

    def names(rows: Iterable[CriterionRow]) -> str:
        return ", ".join(dict.fromkeys(r.kpi_label for r in rows))

    passed = [c for c in criteria if c.passed is True]
    failed = [c for c in criteria if c.passed is False]
    open_ = [c for c in criteria if c.passed is None]
    total = len(criteria)
    parts: list[str] = []
    if failed:
        parts.append(doc.t("conclusion_fail", failed=len(failed), total=total, items=names(failed)))
        if passed:
            parts.append(doc.t("conclusion_met", items=names(passed)))
        verdict: bool | None = False
    elif open_:
        if passed:
            parts.append(doc.t("conclusion_met", items=names(passed)))
        verdict = None
    else:
        parts.append(doc.t("conclusion_pass", total=total))
        verdict = True
    if open_:
        parts.append(doc.t("conclusion_na", na=len(open_), items=names(open_)))
    if scale and verdict is not None:
        parts.append(doc.t("conclusion_scope", scale=scale))
    return verdict, " ".join(parts)


class _Report(Document):
    """Builds the flowables of one report in one language."""

    TEXT = TEXT

    def __init__(self, data: EvaluationReportData, language: str) -> None:
        super().__init__(language)
        self.data = data

    # -- sections ---------------------------------------------------------------------------

    def title_block(self) -> list[Flowable]:
        d = self.data
        lab, cell = "label", "cell"
        rows: list[list[Any]] = [
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
        ]
        style: list[tuple[Any, ...]] = [
            ("BACKGROUND", (0, 0), (0, -1), LABEL_BG),
            ("BACKGROUND", (2, 0), (2, 0), LABEL_BG),
            ("BACKGROUND", (2, 2), (2, 2), LABEL_BG),
            ("SPAN", (1, 1), (3, 1)),
        ]
        if d.demand_company:
            rows.append(
                [
                    self.p(self.t("demand_company"), lab),
                    self.p(d.demand_company, cell),
                    self.p(self.t("need"), lab),
                    self.p(d.need or "—", cell),
                ]
            )
            style.append(("BACKGROUND", (2, len(rows) - 1), (2, len(rows) - 1), LABEL_BG))
        rows.append(
            [
                self.p(self.t("reference_product"), lab),
                self.p(d.reference_product, cell),
                self.p(self.t("scale"), lab),
                self.p(d.scale, cell),
            ]
        )
        style.append(("BACKGROUND", (2, len(rows) - 1), (2, len(rows) - 1), LABEL_BG))
        for key, value in (("process_context", d.process_context), ("protocol", d.protocol)):
            rows.append([self.p(self.t(key), lab), self.p(value or "—", cell), "", ""])
            style.append(("SPAN", (1, len(rows) - 1), (3, len(rows) - 1)))
        widths = [32 * mm, 55 * mm, 32 * mm, FRAME_W - 119 * mm]
        table = Table(rows, colWidths=widths, hAlign="LEFT")
        table.setStyle(
            grid_style(
                *style,
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
                    CELL_FONT,
                    ("BACKGROUND", (0, 0), (-1, -1), NOTE_BG),
                    ("LINEBEFORE", (0, 0), (0, -1), 3, NOTE_EDGE),
                    ("LEFTPADDING", (0, 0), (-1, -1), 8),
                    ("TOPPADDING", (0, 0), (-1, -1), 6),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 7),
                ]
            )
        )
        return box

    def conclusion_section(self, number: int) -> list[Flowable]:
        d = self.data
        verdict, text = overall_conclusion(d.criteria, self.language, scale=d.scale)
        if d.conclusion:
            text = d.conclusion
        key, bg, fg = {
            True: ("overall_pass", PASS_BG, PASS_FG),
            False: ("overall_fail", FAIL_BG, FAIL_FG),
            None: ("overall_open", NA_BG, NA_FG),
        }[verdict]
        word = ParagraphStyle("overall", parent=self.s["verdict"], textColor=fg)
        box = Table(
            [
                [Paragraph(rich(f"{self.t('overall')}: {self.t(key)}"), word)],
                [self.p(text, "note")],
            ],
            colWidths=[FRAME_W],
        )
        box.setStyle(
            TableStyle(
                [
                    CELL_FONT,
                    ("BACKGROUND", (0, 0), (-1, -1), bg),
                    ("LINEBEFORE", (0, 0), (0, -1), 3, fg),
                    ("LEFTPADDING", (0, 0), (-1, -1), 8),
                    ("TOPPADDING", (0, 0), (-1, -1), 5),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 6),
                ]
            )
        )
        return [KeepTogether([self.heading(number, "conclusion"), box])]

    def criteria_section(self, number: int) -> list[Flowable]:
        criteria = list(self.data.criteria)
        heading: list[Flowable] = [self.heading(number, "criteria")]
        if not criteria:
            return [*heading, self.p(self.t("no_criteria"))]
        passed = sum(c.passed is True for c in criteria)
        failed = sum(c.passed is False for c in criteria)
        na = len(criteria) - passed - failed
        summary = [self.t("criteria_summary", passed=passed, total=len(criteria))]
        if failed:
            summary.append(self.t("criteria_failed", n=failed))
        if na:
            summary.append(self.t("criteria_na", n=na))
        heading.append(self.p(", ".join(summary) + ("." if self.language == "en" else ""), "note"))
        heading.append(Spacer(1, 2 * mm))

        rows: list[list[Any]] = [
            self.head_row("col_kpi", "col_comparison", "col_result", "col_verdict")
        ]
        style: list[tuple[Any, ...]] = []
        for i, c in enumerate(criteria, start=1):
            cell, bg = self.verdict_cell(c.passed, f"v{i}")
            rows.append(
                [
                    self.p(c.kpi_label, "cell"),
                    self.p(c.comparison, "cell"),
                    self.p(c.result, "cell"),
                    cell,
                ]
            )
            style.append(("BACKGROUND", (3, i), (3, i), bg))
        widths = [34 * mm, 46 * mm, FRAME_W - 106 * mm, 26 * mm]
        table = Table(rows, colWidths=widths, repeatRows=1, hAlign="LEFT")
        table.setStyle(grid_style(*style))
        return keep_short(heading, table, len(rows))

    def kpi_section(self, number: int) -> list[Flowable]:
        heading = self.heading(number, "kpis")
        columns = list(self.data.kpi_columns)
        rows = sorted(self.data.kpi_rows, key=lambda r: r.arm == "reference")  # stable
        if not columns or not rows:
            return [heading, self.p(self.t("no_kpis"))]
        out: list[Flowable] = []
        for i, chunk in enumerate(_kpi_chunks(rows)):
            table = self.kpi_table(columns, chunk)
            if i == 0:
                out += keep_short([heading], table, len(columns) + 2)
            else:
                out += [Spacer(1, 3 * mm), KeepTogether([table])]
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
            ("ROWBACKGROUNDS", (0, 2), (-1, -1), [colors.white, ZEBRA]),
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
        table.setStyle(grid_style(*style, header=False))
        return table

    def runs_section(self, number: int) -> list[Flowable]:
        """Per run: label and arm, batch ID, equipment; below it each raw file (name, layout,
        version, size) and its full SHA-256. A run's rows never split across pages."""
        infos = list(self.data.run_info)
        heading: list[Flowable] = [self.heading(number, "runs")]
        if not infos:
            return [*heading, self.p(self.t("no_run_info"))]
        heading += [self.p(self.t("runs_note"), "caption"), Spacer(1, 1.5 * mm)]
        rows: list[list[Any]] = [self.head_row("col_run", "col_batch", "col_equipment")]
        style: list[tuple[Any, ...]] = []
        for info in infos:
            self.run_rows(info, rows, style)
        widths = [44 * mm, 56 * mm, FRAME_W - 100 * mm]
        table = Table(rows, colWidths=widths, repeatRows=1, hAlign="LEFT")
        table.setStyle(grid_style(*style))
        return keep_short(heading, table, len(rows))

    def run_rows(self, info: RunInfo, rows: list[list[Any]], style: list[tuple[Any, ...]]) -> None:
        first = len(rows)
        arm = self.t("arm_reference" if info.arm == "reference" else "arm_candidate")
        rows.append(
            [
                Paragraph(
                    f'{rich(info.label)} <font size="7" color="#5f6b78">{rich(arm)}</font>',
                    self.s["cell_b"],
                ),
                Paragraph(mono(info.batch_id) if info.batch_id else "—", self.s["cell"]),
                self.p(info.equipment or "—", "cell"),
            ]
        )
        style.append(("BACKGROUND", (0, first), (-1, first), ZEBRA))
        files = list(info.files)
        if not files:
            rows.append([self.p(self.t("no_files"), "label"), "", ""])
            style.append(("SPAN", (0, len(rows) - 1), (-1, len(rows) - 1)))
        for f in files:
            rows.append(
                [
                    Paragraph(
                        f'{rich(f.filename)} <font size="7" color="#5f6b78">'
                        f"({rich(f.layout)}, v{f.version}, {_size(f.size)})</font>",
                        self.s["cell"],
                    ),
                    "",
                    "",
                ]
            )
            rows.append([Paragraph(f"SHA-256 {mono(f.sha256)}", self.s["hash"]), "", ""])
            r = len(rows) - 1
            style += [
                ("SPAN", (0, r - 1), (-1, r - 1)),
                ("SPAN", (0, r), (-1, r)),
                ("LINEBELOW", (0, r - 1), (-1, r - 1), 0.4, colors.white),
                ("TOPPADDING", (0, r), (-1, r), 0),
                ("LEFTPADDING", (0, r - 1), (-1, r), 10),
            ]
        style.append(("NOSPLIT", (0, first), (-1, len(rows) - 1)))

    def figure_section(self, number: int) -> list[Flowable]:
        from bioproof.reports.plots import curves_image, growth_and_titer_image

        heading = self.heading(number, "figure")
        runs = list(self.data.runs)
        figures: list[tuple[Any, str, float]] = []
        if runs:
            figures.append(
                (growth_and_titer_image(runs, self.language), self.t("figure_caption"), FRAME_W)
            )
        for panel in self.data.curve_panels:
            image = curves_image(panel.curves, x_label=panel.x_label, y_label=panel.y_label)
            figures.append((image, panel.caption, FRAME_W * 0.75))
        for caption, png in self.data.figures:
            figures.append((png, caption, FRAME_W * 0.75))
        if not figures:
            return [heading, self.p(self.t("no_runs"))]
        out: list[Flowable] = []
        for i, (image, caption, width) in enumerate(figures):
            if not (runs and i == 0):  # the first caption carries its own number
                caption = self.t("figure_n", n=i + 1, caption=caption)
            block = [Picture(image, width), self.p(caption, "caption")]
            out.append(KeepTogether([heading, *block] if i == 0 else block))
        return out

    def deviation_section(self, number: int) -> list[Flowable]:
        heading = self.heading(number, "deviations")
        items = [d for d in self.data.deviations if str(d).strip()]
        if not items:
            return [heading, self.p(self.t("none"))]
        style = ParagraphStyle(
            "dev", parent=self.s["body"], leftIndent=14, bulletIndent=0, spaceAfter=3
        )
        paragraphs = [
            Paragraph(rich(text), style, bulletText=f"{i}.")
            for i, text in enumerate(items, start=1)
        ]
        return [KeepTogether([heading, paragraphs[0]]), *paragraphs[1:]]

    def signature_section(self, number: int) -> list[Flowable]:
        return signature_table(self, number, self.data.signatures)

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
                [self.p(self.t("verify_url"), lab), link(d.verify_url, self.s[cell])],
                [self.p(self.t("generated_at"), lab), self.p(format_seoul(d.generated_at), cell)],
            ],
            colWidths=[34 * mm, FRAME_W - 34 * mm - 38 * mm],
        )
        info.setStyle(
            TableStyle(
                [
                    CELL_FONT,
                    ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                    ("LEFTPADDING", (0, 0), (-1, -1), 0),
                    ("TOPPADDING", (0, 0), (-1, -1), 2),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
                ]
            )
        )
        return [
            KeepTogether(
                [
                    self.heading(number, "verification"),
                    qr_box(info, d.verify_url),
                    Spacer(1, 2 * mm),
                    self.p(self.t("verify_note"), "caption"),
                ]
            )
        ]

    def story(self) -> list[Flowable]:
        story = self.title_block()
        sections: Iterable[Callable[[int], list[Flowable]]] = (
            self.conclusion_section,
            self.criteria_section,
            self.kpi_section,
            self.runs_section,
            self.figure_section,
            self.deviation_section,
            self.signature_section,
            self.verification_section,
        )
        for number, section in enumerate(sections, start=1):
            story += section(number)
        return story

    def decorate(self, canv: Canvas, page: int, pages: int) -> None:
        d = self.data
        furniture(
            canv,
            header_right=f"{self.t('heading')} · {d.code}",
            footer_left=(
                f"{d.code} · {self.t('version')} {d.version} · "
                f"{self.t('verification_code')} {d.verification_code}"
            ),
            footer_right=self.t("page", page=page, pages=pages),
        )


def link(url: str, style: ParagraphStyle) -> Paragraph:
    """A clickable URL."""
    return Paragraph(
        f'<link href="{escape(url, {chr(34): "&quot;"})}" color="#1f4e79">{rich(url)}</link>',
        style,
    )


def qr_box(info: Flowable, url: str) -> Table:
    """``info`` beside a QR code of ``url``, framed."""
    box = Table([[info, qr(url, 32 * mm)]], colWidths=[FRAME_W - 38 * mm, 38 * mm])
    box.setStyle(
        TableStyle(
            [
                CELL_FONT,
                ("BOX", (0, 0), (-1, -1), 0.8, ACCENT),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("ALIGN", (1, 0), (1, 0), "CENTER"),
                ("LEFTPADDING", (0, 0), (0, 0), 8),
                ("TOPPADDING", (0, 0), (-1, -1), 6),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 6),
            ]
        )
    )
    return box


def signature_table(
    doc: Document, number: int, signatures: Sequence[SignatureLine]
) -> list[Flowable]:
    """Signatures (meaning, name, organisation, time, hash) with the full SHA-256 below each;
    a signature's two rows never split across pages."""
    heading = doc.heading(number, "signatures")
    signatures = list(signatures)
    if not signatures:
        return [heading, doc.p(doc.t("no_signatures"))]
    rows: list[list[Any]] = [
        doc.head_row("col_meaning", "col_name", "col_organization", "col_signed_at", "col_hash")
    ]
    style: list[tuple[Any, ...]] = []
    for sig in signatures:
        full = str(sig.content_hash)
        short = full[:12] + ("…" if len(full) > 12 else "")
        rows += [
            [
                doc.p(sig.meaning, "cell"),
                doc.p(sig.name, "cell"),
                doc.p(sig.organization, "cell"),
                doc.p(format_seoul(sig.signed_at), "cell"),
                Paragraph(mono(short), doc.s["cell"]),
            ],
            [Paragraph(f"SHA-256 {mono(full)}", doc.s["small"]), "", "", "", ""],
        ]
        r = len(rows) - 1
        style += [
            ("SPAN", (0, r), (-1, r)),
            ("LINEBELOW", (0, r - 1), (-1, r - 1), 0.4, colors.white),
            ("TOPPADDING", (0, r), (-1, r), 0),
            ("NOSPLIT", (0, r - 1), (-1, r)),
        ]
    widths = [22 * mm, 28 * mm, 42 * mm, 48 * mm, FRAME_W - 140 * mm]
    table = Table(rows, colWidths=widths, repeatRows=1, hAlign="LEFT")
    table.setStyle(grid_style(*style))
    return keep_short([heading], table, len(rows))


def _size(n: int) -> str:
    value = float(n)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{n} B"  # pragma: no cover


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


def _check_language(language: str) -> None:
    if language not in LANGUAGES:
        raise ValueError(
            f"unsupported report language {language!r}; expected one of: {', '.join(LANGUAGES)}"
        )


def render_evaluation_report(data: EvaluationReportData, *, language: str) -> bytes:
    """The evaluation report as PDF bytes, in ``language`` ("ko" or "en").

    Deterministic: the same data and language give the same bytes.
    """
    _check_language(language)
    report = _Report(data, language)
    return build(
        report.story(),
        report.decorate,
        title=f"{report.t('heading')} {data.code} v{data.version} — {data.title}",
        subject=data.code,
        keywords=f"{data.code}, {data.verification_code}",
        language=language,
    )


def render_protocol(data: Any, *, language: str) -> bytes:
    """The signed protocol (평가계획) as PDF bytes; see :mod:`bioproof.reports.protocol`."""
    from bioproof.reports.protocol import render_protocol as render

    return render(data, language=language)
