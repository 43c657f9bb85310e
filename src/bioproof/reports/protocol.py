"""The PDF of a signed evaluation protocol (평가계획).

What the protocol signature vouches for, printed to file: identity (product, supplier, center,
demand company and need, reference, scale, process context), the plan (method template, runs per
arm, data layouts, KPIs), the acceptance criteria and where each came from, the runs registered
so far (batch IDs, equipment), the signatures and the SHA-256 of the signed plan with the address
of the evaluation on the platform (URL and QR code). Same layout, fonts and determinism as the
evaluation report (:mod:`bioproof.reports.pdf`).
"""

from __future__ import annotations

from typing import Any

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph, Spacer, Table, TableStyle

from bioproof.reports.data import ProtocolReportData
from bioproof.reports.layout import (
    ACCENT,
    CELL_FONT,
    FRAME_W,
    LABEL_BG,
    Document,
    build,
    furniture,
    grid_style,
    keep_short,
)
from bioproof.reports.pdf import LANGUAGES, link, qr_box, signature_table
from bioproof.reports.pdf import TEXT as REPORT_TEXT
from bioproof.reports.text import format_seoul, mono

__all__ = ["TEXT", "render_protocol"]

TEXT: dict[str, tuple[str, str]] = {
    **REPORT_TEXT,
    "heading": ("Evaluation protocol", "평가계획서"),
    "plan": ("Plan", "평가 계획"),
    "template": ("Method template", "평가 방법 템플릿"),
    "runs_per_arm": ("Runs per arm", "구분별 배치 수"),
    "runs_per_arm_value": (
        "{candidate} candidate, {reference} reference",
        "후보 {candidate}개, 대조 {reference}개",
    ),
    "layouts": ("Data each run provides", "배치별 제출 데이터"),
    "kpis_planned": ("KPIs", "성능 지표"),
    "col_source": ("Set by", "기준 출처"),
    "planned_runs": ("Runs registered", "등록된 배치"),
    "no_planned_runs": ("No run registered yet.", "아직 등록된 배치가 없습니다."),
    "integrity": ("Signed content", "서명 대상"),
    "protocol_hash": ("Plan hash (SHA-256)", "계획 해시 (SHA-256)"),
    "signed_at": ("Signed", "서명 일시"),
    "page_url": ("On the platform", "플랫폼 주소"),
    "integrity_note": (
        "The signatures above vouch for the plan whose SHA-256 is printed here; the evaluation "
        "page shows the same value. The plan cannot change after signing.",
        "위 전자서명은 여기에 인쇄된 SHA-256 해시를 가진 계획에 대한 것이며, 평가 페이지에도 같은 "
        "값이 표시됩니다. 서명된 계획은 변경할 수 없습니다.",
    ),
    "not_signed": ("not signed", "서명 전"),
}


class _Protocol(Document):
    TEXT = TEXT

    def __init__(self, data: ProtocolReportData, language: str) -> None:
        super().__init__(language)
        self.data = data

    def kv(self, rows: list[tuple[str, Any]]) -> Table:
        table = Table(
            [[self.p(self.t(k), "label"), v] for k, v in rows],
            colWidths=[40 * mm, FRAME_W - 40 * mm],
            hAlign="LEFT",
        )
        table.setStyle(
            grid_style(
                ("BACKGROUND", (0, 0), (0, -1), LABEL_BG),
                ("LINEABOVE", (0, 0), (-1, 0), 0.8, ACCENT),
                ("LINEBELOW", (0, -1), (-1, -1), 0.8, ACCENT),
                header=False,
            )
        )
        return table

    def title_block(self) -> list[Flowable]:
        d = self.data
        cell = "cell"
        rows: list[tuple[str, Any]] = [
            ("code", Paragraph(mono(d.code), self.s[cell])),
            ("product", self.p(d.product, cell)),
            ("supplier", self.p(d.supplier, cell)),
            ("center", self.p(d.center, cell)),
        ]
        if d.demand_company:
            rows += [
                ("demand_company", self.p(d.demand_company, cell)),
                ("need", self.p(d.need or "—", cell)),
            ]
        rows += [
            ("reference_product", self.p(d.reference_product, cell)),
            ("scale", self.p(d.scale, cell)),
            ("process_context", self.p(d.process_context or "—", cell)),
        ]
        return [self.p(self.t("heading"), "title"), self.p(d.title, "subtitle"), self.kv(rows)]

    def plan_section(self, number: int) -> list[Flowable]:
        d = self.data
        cell = "cell"
        table = self.kv(
            [
                ("template", self.p(d.template or "—", cell)),
                (
                    "runs_per_arm",
                    self.p(
                        self.t(
                            "runs_per_arm_value",
                            candidate=d.candidate_runs,
                            reference=d.reference_runs,
                        ),
                        cell,
                    ),
                ),
                ("layouts", self.p(", ".join(d.layouts) or "—", cell)),
                ("kpis_planned", self.p(", ".join(d.kpis) or "—", cell)),
            ]
        )
        return keep_short([self.heading(number, "plan")], table, 4)

    def criteria_section(self, number: int) -> list[Flowable]:
        heading = self.heading(number, "criteria")
        criteria = list(self.data.criteria)
        if not criteria:
            return [heading, self.p(self.t("no_criteria"))]
        rows: list[list[Any]] = [self.head_row("col_kpi", "col_comparison", "col_source")]
        for c in criteria:
            rows.append(
                [
                    self.p(c.kpi_label, "cell"),
                    self.p(c.comparison, "cell"),
                    self.p(c.source, "cell"),
                ]
            )
        widths = [48 * mm, FRAME_W - 88 * mm, 40 * mm]
        table = Table(rows, colWidths=widths, repeatRows=1, hAlign="LEFT")
        table.setStyle(grid_style())
        return keep_short([heading], table, len(rows))

    def runs_section(self, number: int) -> list[Flowable]:
        heading = self.heading(number, "planned_runs")
        runs = list(self.data.runs)
        if not runs:
            return [heading, self.p(self.t("no_planned_runs"))]
        rows: list[list[Any]] = [self.head_row("col_run", "col_arm", "col_batch", "col_equipment")]
        for r in runs:
            arm = self.t("arm_reference" if r.arm == "reference" else "arm_candidate")
            rows.append(
                [
                    self.p(r.label, "cell_b"),
                    self.p(arm, "cell"),
                    Paragraph(mono(r.batch_id) if r.batch_id else "—", self.s["cell"]),
                    self.p(r.equipment or "—", "cell"),
                ]
            )
        widths = [34 * mm, 26 * mm, 50 * mm, FRAME_W - 110 * mm]
        table = Table(rows, colWidths=widths, repeatRows=1, hAlign="LEFT")
        table.setStyle(grid_style())
        return keep_short([heading], table, len(rows))

    def integrity_section(self, number: int) -> list[Flowable]:
        d = self.data
        lab, cell = "label", "cell"
        info = Table(
            [
                [
                    self.p(self.t("protocol_hash"), lab),
                    Paragraph(mono(d.content_hash), self.s["hash"]),
                ],
                [
                    self.p(self.t("signed_at"), lab),
                    self.p(
                        format_seoul(d.signed_at) if d.signed_at else self.t("not_signed"), cell
                    ),
                ],
                [self.p(self.t("page_url"), lab), link(d.page_url, self.s[cell])],
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
        from reportlab.platypus import KeepTogether

        return [
            KeepTogether(
                [
                    self.heading(number, "integrity"),
                    qr_box(info, d.page_url),
                    Spacer(1, 2 * mm),
                    self.p(self.t("integrity_note"), "caption"),
                ]
            )
        ]

    def story(self) -> list[Flowable]:
        story = self.title_block()
        sections = (
            self.plan_section,
            self.criteria_section,
            self.runs_section,
            lambda n: signature_table(self, n, self.data.signatures),
            self.integrity_section,
        )
        for number, section in enumerate(sections, start=1):
            story += section(number)
        return story

    def decorate(self, canv: Any, page: int, pages: int) -> None:
        d = self.data
        furniture(
            canv,
            header_right=f"{self.t('heading')} · {d.code}",
            footer_left=f"{d.code} · SHA-256 {d.content_hash[:16]}…",
            footer_right=self.t("page", page=page, pages=pages),
        )


def render_protocol(data: ProtocolReportData, *, language: str) -> bytes:
    """The signed protocol as PDF bytes in ``language`` ("ko" or "en"); deterministic."""
    if language not in LANGUAGES:
        raise ValueError(
            f"unsupported report language {language!r}; expected one of: {', '.join(LANGUAGES)}"
        )
    doc = _Protocol(data, language)
    return build(
        doc.story(),
        doc.decorate,
        title=f"{doc.t('heading')} {data.code} — {data.title}",
        subject=data.code,
        keywords=f"{data.code}, {data.content_hash[:16]}",
        language=language,
    )
