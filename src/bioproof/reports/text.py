"""Fonts and text formatting for the PDF report.

No font file is shipped or downloaded: every font used is built into PDF viewers.

- Latin text (the Windows-1252 set) is set in Helvetica;
- Greek letters and mathematical signs (Δ, α, μ, ≥, →, …) in Symbol;
- everything else — Hangul above all — in reportlab's built-in Korean CID font
  ``HYGothic-Medium`` (``HYSMyeongJo-Medium`` is registered as well).

The CID font covers Latin too, but reportlab gives its Latin glyphs a fixed half-em advance, which
reads as typewriter text and shows uneven gaps in viewers that substitute the font; its Greek is
full-width. So each string is split into runs and every run gets the font that prints it best.
"""

from __future__ import annotations

import datetime as dt
import math
import threading
from xml.sax.saxutils import escape
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import reportlab.pdfbase.rl_codecs  # noqa: F401 - registers the "symbol" codec
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen.canvas import Canvas

__all__ = [
    "CID_FONT",
    "LATIN",
    "LATIN_BOLD",
    "MONO",
    "MONO_BOLD",
    "SYMBOL",
    "draw_mixed",
    "font_runs",
    "format_number",
    "format_seoul",
    "mono",
    "register_fonts",
    "rich",
]

CID_FONT = "HYGothic-Medium"
CID_FONT_SERIF = "HYSMyeongJo-Medium"
LATIN = "Helvetica"
LATIN_BOLD = "Helvetica-Bold"
SYMBOL = "Symbol"
MONO = "Courier"
MONO_BOLD = "Courier-Bold"

SEOUL = "Asia/Seoul"

# Characters no font here has, replaced by a close equivalent.
_REPLACE = str.maketrans({"\u2212": "\u2013"})  # minus sign -> en dash

_lock = threading.Lock()
_registered = False


def register_fonts() -> None:
    """Register the built-in Korean CID fonts with reportlab (idempotent, thread-safe)."""
    global _registered
    with _lock:
        if not _registered:
            pdfmetrics.registerFont(UnicodeCIDFont(CID_FONT))
            pdfmetrics.registerFont(UnicodeCIDFont(CID_FONT_SERIF))
            _registered = True


def _encodes(ch: str, encoding: str) -> bool:
    try:
        ch.encode(encoding)
    except UnicodeEncodeError:
        return False
    return True


def _font_class(ch: str) -> str:
    """'latin', 'symbol' or 'cid' — which font prints ``ch``."""
    if ch.isspace() or _encodes(ch, "cp1252"):
        return "latin"
    if _encodes(ch, "symbol"):
        return "symbol"
    return "cid"


def font_runs(text: str) -> list[tuple[str, str]]:
    """Split ``text`` into ``(font class, run)`` pieces, font class as in :func:`_font_class`."""
    runs: list[tuple[str, str]] = []
    for ch in str(text).translate(_REPLACE):
        kind = _font_class(ch)
        if runs and runs[-1][0] == kind:
            runs[-1] = (kind, runs[-1][1] + ch)
        else:
            runs.append((kind, ch))
    return runs


_FACE = {"symbol": SYMBOL, "cid": CID_FONT}


def rich(text: object) -> str:
    """Escape ``text`` for a reportlab Paragraph, putting each run in the font that prints it."""
    parts = []
    for kind, run in font_runs(str(text)):
        esc = escape(run)
        parts.append(esc if kind == "latin" else f'<font face="{_FACE[kind]}">{esc}</font>')
    return "".join(parts)


def mono(text: object) -> str:
    """Monospaced markup for ASCII identifiers (hashes, codes); anything else as :func:`rich`."""
    text = str(text)
    return f'<font face="{MONO}">{escape(text)}</font>' if text.isascii() else rich(text)


def draw_mixed(
    canv: Canvas,
    x: float,
    y: float,
    text: str,
    *,
    size: float,
    bold: bool = False,
    align: str = "left",
) -> None:
    """Draw one line of mixed-script text on a canvas, left- or right-aligned at ``x``."""
    faces = {"latin": LATIN_BOLD if bold else LATIN, **_FACE}
    pieces = [(faces[kind], run) for kind, run in font_runs(text)]
    width = sum(pdfmetrics.stringWidth(run, font, size) for font, run in pieces)
    if align == "right":
        x -= width
    for font, run in pieces:
        canv.setFont(font, size)
        canv.drawString(x, y, run)
        x += pdfmetrics.stringWidth(run, font, size)


def _seoul() -> dt.tzinfo:
    try:
        return ZoneInfo(SEOUL)
    except ZoneInfoNotFoundError:  # no tz database: Korea has kept UTC+9 without DST since 1988
        return dt.timezone(dt.timedelta(hours=9), "KST")


def format_seoul(moment: dt.datetime) -> str:
    """``2026-03-12 14:05:09 KST (UTC+09:00)``; a naive time is taken as UTC."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    local = moment.astimezone(_seoul())
    offset = local.strftime("%z")
    return f"{local:%Y-%m-%d %H:%M:%S} {local.tzname()} (UTC{offset[:3]}:{offset[3:]})"


def format_number(value: object) -> str:
    """Paragraph markup for a KPI value: 4 significant digits, ``×10<super>n</super>`` for large
    or small magnitudes, thousands separators in between; ``None``/NaN → "—"."""
    if value is None:
        return "—"
    try:
        v = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return rich(value)
    if not math.isfinite(v):
        return "—"
    a = abs(v)
    if a == 0:
        return "0"
    if 1e-3 <= a < 1e4:
        return f"{v:.4g}"
    if 1e4 <= a < 1e6:
        return f"{v:,.0f}"
    mantissa, exponent = f"{v:.3e}".split("e")
    return f"{float(mantissa):.4g}×10<super>{int(exponent)}</super>"
