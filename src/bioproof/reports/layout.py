"""Page layout shared by the PDFs of :mod:`bioproof.reports`: styles, tables, page furniture.

Every document is A4 portrait, built with reportlab's platypus in ``invariant`` mode (identical
input gives identical bytes), with the embedded TrueType faces of :mod:`bioproof.reports.text`.

Speed: reportlab's streams are Flate-compressed without the pure-Python ASCII85 step
(``rl_config.useA85 = 0``: the PDF is binary, which every viewer and archive accepts); images go in
as raw RGB pixels (:class:`Picture`), not as PNG files to decode again.
"""

from __future__ import annotations

import io
import itertools
from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import Any

from reportlab.graphics.barcode import qrencoder
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    KeepTogether,
    PageTemplate,
    Paragraph,
    Table,
    TableStyle,
)

from bioproof.reports.text import (
    BODY,
    BODY_BOLD,
    MONO,
    MONO_BOLD,
    draw_mixed,
    register_fonts,
    rich,
)

INK = colors.HexColor("#1d2733")
MUTED = colors.HexColor("#5f6b78")
ACCENT = colors.HexColor("#1f4e79")
RULE = colors.HexColor("#c5ced8")
LABEL_BG = colors.HexColor("#eef2f6")
HEAD_BG = colors.HexColor("#1f4e79")
ZEBRA = colors.HexColor("#f6f8fa")
PASS_BG, PASS_FG = colors.HexColor("#dcefdc"), colors.HexColor("#1b5e20")
FAIL_BG, FAIL_FG = colors.HexColor("#f8d7d5"), colors.HexColor("#a4161a")
NA_BG, NA_FG = colors.HexColor("#ececec"), colors.HexColor("#4a4a4a")
NOTE_BG, NOTE_EDGE = colors.HexColor("#fff5e0"), colors.HexColor("#d9a13b")

PAGE_W, PAGE_H = A4
MARGIN_X = 18 * mm
MARGIN_TOP = 22 * mm
MARGIN_BOTTOM = 20 * mm
FRAME_W = PAGE_W - 2 * MARGIN_X
#: a table of at most this many rows is kept on one page with its heading
SHORT_TABLE_ROWS = 14


def styles() -> dict[str, ParagraphStyle]:
    base = ParagraphStyle(
        "body", fontName=BODY, bulletFontName=BODY, fontSize=9.5, leading=13.5, textColor=INK
    )

    def derive(name: str, **kw: Any) -> ParagraphStyle:
        return ParagraphStyle(name, parent=base, **kw)

    head = {"fontName": BODY_BOLD, "fontSize": 8.5, "leading": 11, "textColor": colors.white}
    return {
        "body": base,
        "title": derive("title", fontName=BODY_BOLD, fontSize=20, leading=25, textColor=ACCENT),
        "subtitle": derive("subtitle", fontSize=12.5, leading=17, spaceBefore=2, spaceAfter=8),
        "h1": derive(
            "h1",
            fontName=BODY_BOLD,
            fontSize=12.5,
            leading=16,
            textColor=ACCENT,
            spaceBefore=12,
            spaceAfter=3,
            keepWithNext=1,
        ),
        "cell": derive("cell", fontSize=8.5, leading=11),
        "cell_b": derive("cell_b", fontName=BODY_BOLD, fontSize=8.5, leading=11),
        "cell_r": derive("cell_r", fontSize=8.5, leading=11, alignment=TA_RIGHT),
        "label": derive("label", fontSize=8.5, leading=11, textColor=MUTED),
        "head": derive("head", **head),
        "head_c": derive("head_c", alignment=TA_CENTER, **head),
        "head_r": derive("head_r", alignment=TA_RIGHT, **head),
        "small": derive("small", fontSize=7, leading=9, textColor=MUTED),
        "caption": derive("caption", fontSize=8.5, leading=12, textColor=MUTED, spaceBefore=3),
        "note": derive("note", fontSize=9, leading=13),
        "verdict": derive("verdict", fontName=BODY_BOLD, fontSize=11, leading=15),
        "code": derive("code", fontName=MONO_BOLD, fontSize=16, leading=20, textColor=ACCENT),
        "hash": derive("hash", fontName=MONO, fontSize=7, leading=9),
    }


#: plain-string cells (e.g. the empty cells under a span) in the embedded face, not Helvetica
CELL_FONT = ("FONTNAME", (0, 0), (-1, -1), BODY)


def grid_style(*extra: tuple[Any, ...], header: bool = True) -> TableStyle:
    cmds: list[tuple[Any, ...]] = [
        CELL_FONT,
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


def keep_short(heading: Sequence[Flowable], table: Table, rows: int) -> list[Flowable]:
    """The heading (and any note under it) with its table: on one page when the table is short,
    else the heading stays with the table's first rows (``keepWithNext``) and the header row
    repeats on every page (``repeatRows``)."""
    if rows <= SHORT_TABLE_ROWS:
        return [KeepTogether([*heading, table])]
    return [*heading, table]


class Picture(Flowable):
    """A raster image (a PIL image or PNG bytes) drawn at a given width, aspect kept."""

    def __init__(self, image: Any, width: float) -> None:
        super().__init__()
        source = io.BytesIO(image) if isinstance(image, bytes | bytearray) else image
        self.reader = ImageReader(source)
        iw, ih = self.reader.getSize()
        self.width, self.height = width, width * ih / iw

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        return self.width, self.height

    def draw(self) -> None:
        self.canv.drawImage(self.reader, 0, 0, self.width, self.height)


@lru_cache(maxsize=64)
def qr_runs(value: str) -> tuple[int, tuple[tuple[int, int, int], ...]]:
    """The QR code of ``value`` (error correction M) as its module count and the dark runs of
    each row, ``(row, first column, length)``; encoded once per value."""
    code = qrencoder.QRCode(None, qrencoder.QRErrorCorrectLevel.M)
    code.addData(value or " ")
    code.make()
    runs = []
    for r, row in enumerate(code.modules):
        c = 0
        for dark, group in itertools.groupby(bool(m) for m in row):
            n = sum(1 for _ in group)
            if dark:
                runs.append((r, c, n))
            c += n
    return code.getModuleCount(), tuple(runs)


def draw_qr(canv: Canvas, value: str, x: float, y: float, size: float, border: int = 2) -> None:
    """Draw the QR code of ``value`` as vector rectangles, ``size`` points square at (x, y).

    Drawn straight on the canvas (not through reportlab's graphics renderer, whose default
    state names a non-embedded Helvetica)."""
    count, runs = qr_runs(value)
    box = size / (count + 2 * border)
    canv.saveState()
    canv.setFillColor(colors.black)
    path = canv.beginPath()
    for r, c, n in runs:
        path.rect(x + (c + border) * box, y + size - (r + border + 1) * box, n * box, box)
    canv.drawPath(path, stroke=0, fill=1)
    canv.restoreState()


class QrCode(Flowable):
    """A QR code flowable (see :func:`draw_qr`)."""

    def __init__(self, value: str, size: float) -> None:
        super().__init__()
        self.value, self.width, self.height = value, size, size

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        return self.width, self.height

    def draw(self) -> None:
        draw_qr(self.canv, self.value, 0, 0, self.width)


def qr(value: str, size: float) -> QrCode:
    return QrCode(value, size)


def numbered_canvas(decorate: Callable[[Canvas, int, int], None]) -> type[Canvas]:
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


def furniture(canv: Canvas, *, header_right: str, footer_left: str, footer_right: str) -> None:
    """Running header (BioProof · document and code) and footer (identity · page n of m)."""
    canv.saveState()
    canv.setFillColor(MUTED)
    canv.setStrokeColor(RULE)
    canv.setLineWidth(0.5)
    top = PAGE_H - 13 * mm
    draw_mixed(canv, MARGIN_X, top, "BioProof", size=8.5, bold=True)
    draw_mixed(canv, PAGE_W - MARGIN_X, top, header_right, size=8, align="right")
    canv.line(MARGIN_X, top - 2.5 * mm, PAGE_W - MARGIN_X, top - 2.5 * mm)
    bottom = 11 * mm
    canv.line(MARGIN_X, bottom + 4 * mm, PAGE_W - MARGIN_X, bottom + 4 * mm)
    draw_mixed(canv, MARGIN_X, bottom, footer_left, size=8)
    draw_mixed(canv, PAGE_W - MARGIN_X, bottom, footer_right, size=8, align="right")
    canv.restoreState()


def build(
    story: list[Flowable],
    decorate: Callable[[Canvas, int, int], None],
    *,
    title: str,
    subject: str,
    keywords: str,
    language: str,
) -> bytes:
    """Lay ``story`` out on A4 pages and return the PDF bytes (deterministic)."""
    register_fonts()
    buf = io.BytesIO()
    doc = BaseDocTemplate(
        buf,
        pagesize=A4,
        leftMargin=MARGIN_X,
        rightMargin=MARGIN_X,
        topMargin=MARGIN_TOP,
        bottomMargin=MARGIN_BOTTOM,
        title=title,
        author="BioProof",
        subject=subject,
        creator="BioProof report engine",
        keywords=keywords,
        lang="ko-KR" if language == "ko" else "en",
        invariant=1,
        displayDocTitle=1,
        pageCompression=1,
        initialFontName=BODY,  # else the canvas preamble names a non-embedded Helvetica
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
    doc.build(story, canvasmaker=numbered_canvas(decorate))
    return buf.getvalue()


class Document:
    """Helpers of one document in one language; ``TEXT`` maps key → (English, Korean)."""

    TEXT: dict[str, tuple[str, str]] = {}

    def __init__(self, language: str) -> None:
        self.language = language
        self.s = styles()

    def t(self, key: str, **kw: Any) -> str:
        en, ko = self.TEXT[key]
        text = ko if self.language == "ko" else en
        return text.format(**kw) if kw else text

    def p(self, text: object, style: str = "body", *, markup: bool = False) -> Paragraph:
        return Paragraph(str(text) if markup else rich(text), self.s[style])

    def heading(self, number: int, key: str) -> Paragraph:
        return self.p(f"{number}. {self.t(key)}", "h1")

    def head_row(self, *keys: str) -> list[Paragraph]:
        return [self.p(self.t(k), "head") for k in keys]

    def verdict_cell(self, passed: bool | None, name: str) -> tuple[Paragraph, Any]:
        """The verdict word in its colour, and its cell background."""
        key, bg, fg = {
            True: ("pass", PASS_BG, PASS_FG),
            False: ("fail", FAIL_BG, FAIL_FG),
            None: ("not_evaluable", NA_BG, NA_FG),
        }[passed]
        style = ParagraphStyle(name, parent=self.s["cell"], fontName=BODY_BOLD, textColor=fg)
        return Paragraph(rich(self.t(key)), style), bg
