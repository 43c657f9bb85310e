"""Fonts and text formatting for every PDF BioProof prints.

Every font is a TrueType file registered with reportlab's :class:`TTFont` and embedded as a
subset (``FontFile2``), so a report prints and archives the same everywhere (PDF/A-minded: no
font left to the viewer, no standard-14 Helvetica, no non-embedded CID font):

- **NanumGothic** / **NanumGothicBold** (SIL Open Font License), shipped by the dependency
  ``koreanize-matplotlib``: Hangul, Latin, Greek and most signs — the body face;
- **DejaVu Sans** / **DejaVu Sans Bold** (shipped with matplotlib): the few signs NanumGothic
  lacks (the minus sign U+2212, superscript digits, Å, µ, …);
- **DejaVu Sans Mono** for hashes and codes.

The files are located with :func:`importlib.util.find_spec` (no package is imported for its side
effects). Each string is split into runs and every run gets the first face that has its glyphs.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import math
import threading
from functools import cache
from pathlib import Path
from xml.sax.saxutils import escape
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from reportlab import rl_config
from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

__all__ = [
    "BODY",
    "BODY_BOLD",
    "FALLBACK",
    "FALLBACK_BOLD",
    "LATIN",
    "LATIN_BOLD",
    "MONO",
    "MONO_BOLD",
    "centered",
    "draw_mixed",
    "font_files",
    "font_runs",
    "format_number",
    "format_seoul",
    "korean_font_path",
    "mono",
    "register_fonts",
    "rich",
    "string_width",
]

BODY = "NanumGothic"
BODY_BOLD = "NanumGothic-Bold"
FALLBACK = "DejaVuSans"
FALLBACK_BOLD = "DejaVuSans-Bold"
MONO = "DejaVuSansMono"
MONO_BOLD = "DejaVuSansMono-Bold"
# Kept for callers that name the Latin faces: the body face prints Latin too.
LATIN = BODY
LATIN_BOLD = BODY_BOLD

SEOUL = "Asia/Seoul"

# Every PDF of BioProof imports this module. Streams stay Flate-compressed but skip reportlab's
# pure-Python ASCII85 step (measured ~15 % of a report): the PDF is binary, as PDFs usually are.
rl_config.useA85 = 0

_lock = threading.Lock()
_registered = False


def _package_dir(package: str) -> Path:
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(f"the package {package!r} (a dependency of BioProof) is not installed")
    return Path(next(iter(spec.submodule_search_locations)))


def korean_font_path(bold: bool = False) -> Path:
    """The NanumGothic TrueType file shipped by ``koreanize-matplotlib``."""
    name = "NanumGothicBold.ttf" if bold else "NanumGothic.ttf"
    return _package_dir("koreanize_matplotlib") / "fonts" / name


def font_files() -> dict[str, Path]:
    """Registered font name → TrueType file."""
    dejavu = _package_dir("matplotlib") / "mpl-data" / "fonts" / "ttf"
    return {
        BODY: korean_font_path(),
        BODY_BOLD: korean_font_path(bold=True),
        FALLBACK: dejavu / "DejaVuSans.ttf",
        FALLBACK_BOLD: dejavu / "DejaVuSans-Bold.ttf",
        MONO: dejavu / "DejaVuSansMono.ttf",
        MONO_BOLD: dejavu / "DejaVuSansMono-Bold.ttf",
    }


def register_fonts() -> None:
    """Register the embedded TrueType faces with reportlab (idempotent, thread-safe).

    ``<b>`` in a Paragraph of the body face selects the bold file (a font family mapping)."""
    global _registered
    if _registered:
        return
    with _lock:
        if _registered:
            return
        for name, path in font_files().items():
            pdfmetrics.registerFont(TTFont(name, str(path)))
        for family, regular, bold in (
            (BODY, BODY, BODY_BOLD),
            (FALLBACK, FALLBACK, FALLBACK_BOLD),
            (MONO, MONO, MONO_BOLD),
        ):
            addMapping(family, 0, 0, regular)
            addMapping(family, 1, 0, bold)
            addMapping(family, 0, 1, regular)
            addMapping(family, 1, 1, bold)
        _registered = True


@cache
def _coverage(font: str) -> frozenset[int]:
    register_fonts()
    return frozenset(pdfmetrics.getFont(font).face.charToGlyph)


def _font_class(ch: str) -> str:
    """'body' or 'fallback' — which face prints ``ch`` (the body face when neither has it)."""
    code = ord(ch)
    if code < 0x80 or code in _coverage(BODY):
        return "body"
    if code in _coverage(FALLBACK):
        return "fallback"
    return "body"


def font_runs(text: str) -> list[tuple[str, str]]:
    """Split ``text`` into ``(font class, run)`` pieces, font class as in :func:`_font_class`."""
    text = str(text)
    body = _coverage(BODY)
    if all(ord(ch) < 0x80 or ord(ch) in body for ch in text):
        return [("body", text)] if text else []
    runs: list[tuple[str, str]] = []
    for ch in text:
        kind = _font_class(ch)
        if runs and runs[-1][0] == kind:
            runs[-1] = (kind, runs[-1][1] + ch)
        else:
            runs.append((kind, ch))
    return runs


def rich(text: object) -> str:
    """Escape ``text`` for a reportlab Paragraph, putting each run in the face that prints it."""
    parts = []
    for kind, run in font_runs(str(text)):
        esc = escape(run)
        parts.append(esc if kind == "body" else f'<font face="{FALLBACK}">{esc}</font>')
    return "".join(parts)


def mono(text: object) -> str:
    """Monospaced markup for ASCII identifiers (hashes, codes); anything else as :func:`rich`."""
    text = str(text)
    return f'<font face="{MONO}">{escape(text)}</font>' if text.isascii() else rich(text)


def _pieces(text: str, bold: bool) -> list[tuple[str, str]]:
    faces = {
        "body": BODY_BOLD if bold else BODY,
        "fallback": FALLBACK_BOLD if bold else FALLBACK,
    }
    return [(faces[kind], run) for kind, run in font_runs(text)]


def string_width(text: str, size: float, *, bold: bool = False) -> float:
    """Width in points of ``text`` as :func:`draw_mixed` draws it."""
    register_fonts()
    return sum(pdfmetrics.stringWidth(run, font, size) for font, run in _pieces(text, bold))


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
    """Draw one line of mixed-script text on a canvas, left-, centre- or right-aligned at ``x``."""
    register_fonts()
    pieces = _pieces(str(text), bold)
    if align in ("right", "center"):
        width = sum(pdfmetrics.stringWidth(run, font, size) for font, run in pieces)
        x -= width if align == "right" else width / 2
    for font, run in pieces:
        canv.setFont(font, size)
        canv.drawString(x, y, run)
        x += pdfmetrics.stringWidth(run, font, size)


def centered(
    canv: Canvas, x: float, y: float, text: str, *, size: float, bold: bool = False
) -> None:
    """Draw ``text`` centred on ``x``."""
    draw_mixed(canv, x, y, text, size=size, bold=bold, align="center")


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
