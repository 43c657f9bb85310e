"""Time-course plots of an evaluation's runs, for web pages (SVG/PNG) and the PDF report.

Candidate runs are drawn one line each; reference runs as a shaded min–max envelope with their
mean line, both interpolated on a common time grid. Only matplotlib's object API is used on the
Agg canvas (no pyplot state); each thread reuses its own :class:`~matplotlib.figure.Figure`
objects (cleared before use), so the functions are safe to call from several web-server threads
at once and do not pay for a new figure per plot.

Speed (the PDF report draws these plots every time it is issued):

- every series is cut to at most :data:`MAX_POINTS` points by a vectorised min–max decimation
  (:func:`decimate`: per bucket the lowest and the highest sample, in time order, so spikes and
  the envelope survive; a 14-day 1-minute sensor log of 20,160 points becomes 2,000);
- fixed margins instead of matplotlib's constrained layout (which measured half the figure time);
- the report takes the figure as raw RGB pixels (:func:`growth_and_titer_image`,
  :func:`curves_image`) so no PNG is encoded and decoded again on the way into the PDF.

Axis labels are in Korean for ``language="ko"`` (NanumGothic, shipped by the dependency
``koreanize-matplotlib``, the face of the PDF text) and English otherwise. Run labels are printed
as given.
"""

from __future__ import annotations

import io
import math
import threading
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import numpy as np
from matplotlib import font_manager
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from bioproof.reports.data import CurveSeries, RunSeries

__all__ = [
    "MAX_POINTS",
    "VARIABLES",
    "CurveSeries",
    "curves_image",
    "curves_png",
    "curves_svg",
    "decimate",
    "growth_and_titer_image",
    "growth_and_titer_png",
    "reference_envelope",
    "run_points",
    "time_course_png",
    "time_course_svg",
]

H_PER_D = 24.0

#: most points drawn per series (after :func:`decimate`)
MAX_POINTS = 2000
#: the report's figures: 150 dpi at their printed width (the 174 mm text width of an A4 page)
REPORT_DPI = 150
REPORT_PX = round(174 / 25.4 * REPORT_DPI)

#: variable -> factor from canonical units (cells/mL, g/L, %) to plotted units.
VARIABLES: dict[str, float] = {"vcd": 1e-6, "titer": 1.0, "viability": 1.0}

#: label -> (English, Korean). No mathtext: it would not fall back to the Korean face.
_TEXT: dict[str, tuple[str, str]] = {
    "time": ("Culture time (d)", "배양 시간 (일)"),
    "vcd": ("VCD (×10⁶ cells/mL)", "생세포 농도 (×10⁶ cells/mL)"),
    "titer": ("Titer (g/L)", "역가 (g/L)"),
    "viability": ("Viability (%)", "생존율 (%)"),
    "ref_range": ("Reference (min–max)", "대조군 (최소–최대)"),
    "ref_mean": ("Reference (mean)", "대조군 (평균)"),
    "no_data": ("No data", "데이터 없음"),
}

#: Korean-capable families, most preferred first (matched against installed fonts).
_KOREAN_FAMILIES = (
    "NanumGothic",
    "NanumBarunGothic",
    "Noto Sans CJK KR",
    "Noto Sans KR",
    "Source Han Sans KR",
    "Malgun Gothic",
    "Apple SD Gothic Neo",
    "AppleGothic",
    "UnDotum",
    "Baekmuk Gulim",
)

_CANDIDATE_COLORS = (
    "#1f77b4",
    "#d62728",
    "#2ca02c",
    "#9467bd",
    "#ff7f0e",
    "#17becf",
    "#8c564b",
    "#e377c2",
    "#bcbd22",
)
_REFERENCE_COLOR = "#555555"
_MARKERS = ("o", "s", "^", "D", "v", "P", "X", "<", ">")


_font_lock = threading.Lock()


@lru_cache(maxsize=1)
def korean_font_family() -> str | None:
    """Name of a font family that covers Hangul, or ``None``.

    NanumGothic (shipped by the dependency ``koreanize-matplotlib``, located with
    :func:`importlib.util.find_spec`, not imported) is added to matplotlib's font manager first,
    so Korean labels use the same face as the PDF text."""
    with _font_lock:
        try:
            from bioproof.reports.text import korean_font_path

            for bold in (False, True):
                path = korean_font_path(bold=bold)
                if path.is_file():
                    font_manager.fontManager.addfont(str(path))
        except RuntimeError:  # the package is missing: fall back to an installed font
            pass
        installed = {f.name for f in font_manager.fontManager.ttflist}
        return next((name for name in _KOREAN_FAMILIES if name in installed), None)


def _families() -> list[str]:
    korean = korean_font_family()
    return ["DejaVu Sans", korean] if korean else ["DejaVu Sans"]


def _text(key: str, language: str) -> str:
    en, ko = _TEXT[key]
    return ko if language == "ko" and korean_font_family() else en


def _normalise_language(language: str) -> str:
    return "ko" if str(language or "").lower().startswith("ko") else "en"


def _check_variable(variable: str) -> None:
    if variable not in VARIABLES:
        raise ValueError(
            f"unknown variable {variable!r}; expected one of: {', '.join(sorted(VARIABLES))}"
        )


def run_points(run: RunSeries, variable: str) -> tuple[np.ndarray, np.ndarray]:
    """Finite ``(time in days, value in canonical units)`` points of ``run``, sorted by time.

    Missing values (``None``/NaN) are dropped. A run without that variable (e.g. no viability)
    gives two empty arrays; a time/value length mismatch raises :class:`ValueError`.
    """
    _check_variable(variable)
    values = np.asarray(getattr(run, variable), dtype=float).ravel()
    if values.size == 0:
        return np.empty(0), np.empty(0)
    t_h = np.asarray(run.time_h, dtype=float).ravel()
    if t_h.size != values.size:
        raise ValueError(
            f"run {run.label!r}: {t_h.size} time points but {values.size} {variable} values"
        )
    keep = np.isfinite(t_h) & np.isfinite(values)
    t_d, y = t_h[keep] / H_PER_D, values[keep]
    order = np.argsort(t_d, kind="stable")
    return t_d[order], y[order]


def reference_envelope(
    runs: Sequence[RunSeries], grid_days: Sequence[float] | np.ndarray, *, variable: str = "vcd"
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Min, mean and max across the reference runs of ``runs`` on ``grid_days``.

    Each reference run is linearly interpolated (``numpy.interp``) onto the grid; a run counts
    only inside its own time span. Values are in canonical units (cells/mL, g/L, %); grid points
    no reference run covers are NaN. Candidate runs in ``runs`` are ignored.
    """
    _check_variable(variable)
    grid = np.asarray(grid_days, dtype=float).ravel()
    curves = []
    for run in runs:
        if run.arm != "reference":
            continue
        t, y = run_points(run, variable)
        if t.size:
            curves.append(np.interp(grid, t, y, left=np.nan, right=np.nan))
    if not curves:
        nan = np.full(grid.shape, np.nan)
        return nan, nan.copy(), nan.copy()
    stack = np.vstack(curves)
    finite = np.isfinite(stack)
    count = finite.sum(axis=0)
    covered = count > 0
    lo = np.where(finite, stack, np.inf).min(axis=0)
    hi = np.where(finite, stack, -np.inf).max(axis=0)
    mean = np.where(finite, stack, 0.0).sum(axis=0) / np.maximum(count, 1)
    return (
        np.where(covered, lo, np.nan),
        np.where(covered, mean, np.nan),
        np.where(covered, hi, np.nan),
    )


def decimate(
    x: Sequence[float] | np.ndarray,
    y: Sequence[float] | np.ndarray,
    max_points: int = MAX_POINTS,
) -> tuple[np.ndarray, np.ndarray]:
    """At most ``max_points`` of the points ``(x, y)``, chosen by min–max decimation.

    The points are cut into equal buckets by index; of each bucket the lowest and the highest
    sample are kept, in their original order, plus the first and the last point. A line through
    the result covers the same vertical extent in every bucket as the full series (spikes stay
    visible); at most ``max_points`` points come back. Fully vectorised (one ``reshape`` and two
    ``argmin``/``argmax``); series already short enough are returned unchanged. NaN values should
    be removed first (they would win the argmin/argmax of their bucket).
    """
    xs = np.asarray(x, dtype=float).ravel()
    ys = np.asarray(y, dtype=float).ravel()
    if xs.size != ys.size:
        raise ValueError(f"x has {xs.size} points but y has {ys.size}")
    if max_points < 4:
        raise ValueError("max_points must be at least 4")
    n = ys.size
    if n <= max_points:
        return xs, ys
    size = math.ceil(n / ((max_points - 2) // 2))  # samples per bucket
    buckets = math.ceil(n / size)
    padded = np.concatenate([ys, np.full(buckets * size - n, ys[-1])])
    blocks = padded.reshape(buckets, size)
    base = np.arange(buckets) * size
    keep = np.concatenate([[0, n - 1], base + blocks.argmin(axis=1), base + blocks.argmax(axis=1)])
    idx = np.unique(np.minimum(keep, n - 1))
    return xs[idx], ys[idx]


def _reference_grid(runs: Sequence[RunSeries], variable: str, points: int = 241) -> np.ndarray:
    """A common grid in days over the reference runs' span, including every sample time (when
    they are few; dense logs are gridded at :data:`MAX_POINTS` even steps)."""
    times = [run_points(r, variable)[0] for r in runs if r.arm == "reference"]
    times = [t for t in times if t.size]
    if not times:
        return np.empty(0)
    all_t = np.concatenate(times)
    lo, hi = all_t.min(), all_t.max()
    if all_t.size + points > MAX_POINTS:
        return np.linspace(lo, hi, MAX_POINTS)
    return np.unique(np.concatenate([np.linspace(lo, hi, points), all_t]))


def _markevery(n: int) -> int:
    return max(1, n // 40)


def _draw_time_course(
    ax: Axes, runs: Sequence[RunSeries], variable: str, language: str, *, legend: bool = True
) -> bool:
    """Draw one variable on ``ax``; return whether anything was plotted."""
    scale = VARIABLES[variable]
    family = _families()
    drawn = False

    grid = _reference_grid(runs, variable)
    if grid.size:
        lo, mean, hi = reference_envelope(runs, grid, variable=variable)
        ok = np.isfinite(lo)
        ax.fill_between(
            grid,
            lo * scale,
            hi * scale,
            where=ok,
            color=_REFERENCE_COLOR,
            alpha=0.22,
            linewidth=0,
            label=_text("ref_range", language),
            zorder=1,
        )
        ax.plot(
            grid,
            mean * scale,
            color=_REFERENCE_COLOR,
            linestyle="--",
            linewidth=1.6,
            label=_text("ref_mean", language),
            zorder=2,
        )
        drawn = True

    candidates = [r for r in runs if r.arm != "reference"]
    for i, run in enumerate(candidates):
        t, y = decimate(*run_points(run, variable))
        if not t.size:
            continue
        ax.plot(
            t,
            y * scale,
            color=_CANDIDATE_COLORS[i % len(_CANDIDATE_COLORS)],
            marker=_MARKERS[i % len(_MARKERS)],
            markevery=_markevery(t.size),
            markersize=4,
            linewidth=1.5,
            label=run.label,
            zorder=3,
        )
        drawn = True

    ax.set_xlabel(_text("time", language), fontfamily=family)
    ax.set_ylabel(_text(variable, language), fontfamily=family)
    _style_axes(ax)
    if drawn:
        ax.set_xlim(left=0)
        ax.set_ylim(bottom=0)
        if variable == "viability":
            ax.set_ylim(top=max(100.0, ax.get_ylim()[1]))
        if legend:
            ax.legend(loc="best", prop={"family": family, "size": 8}, framealpha=0.9)
    else:
        ax.text(
            0.5,
            0.5,
            _text("no_data", language),
            transform=ax.transAxes,
            ha="center",
            va="center",
            color="#888888",
            fontfamily=family,
        )
    return drawn


def _style_axes(ax: Axes) -> None:
    ax.grid(True, color="#dddddd", linewidth=0.6)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)


_local = threading.local()


def _figure(width_px: int, height_px: int, dpi: int) -> Figure:
    """A cleared figure of this size, reused per thread (creating one costs more than clearing)."""
    if width_px <= 0 or height_px <= 0 or dpi <= 0:
        raise ValueError("width_px, height_px and dpi must be positive")
    cache: dict[tuple[int, int, int], Figure] = _local.__dict__.setdefault("figures", {})
    key = (width_px, height_px, dpi)
    fig = cache.get(key)
    if fig is None:
        if len(cache) >= 8:
            cache.clear()
        fig = Figure(figsize=(width_px / dpi, height_px / dpi), dpi=dpi)
        FigureCanvasAgg(fig)
        cache[key] = fig
    else:
        fig.clear()
    return fig


def _margins(
    fig: Figure, *, left: float, right: float, top: float, bottom: float, **kw: float
) -> None:
    """Fixed margins in inches (instead of the costly constrained layout)."""
    w, h = fig.get_size_inches()
    fig.subplots_adjust(
        left=left / w, right=1 - right / w, top=1 - top / h, bottom=bottom / h, **kw
    )


def _save(fig: Figure, fmt: str) -> bytes:
    buf = io.BytesIO()
    metadata: dict[str, Any] = {"Software": None} if fmt == "png" else {"Date": None}
    fig.savefig(buf, format=fmt, metadata=metadata)
    return buf.getvalue()


def _rgb(fig: Figure) -> Any:
    """The figure's pixels as an RGB :class:`PIL.Image.Image` (no PNG encoding)."""
    from PIL import Image

    canvas = fig.canvas
    canvas.draw()
    width, height = canvas.get_width_height(physical=True)
    rgba = Image.frombuffer("RGBA", (width, height), canvas.buffer_rgba(), "raw", "RGBA", 0, 1)
    return rgba.convert("RGB")


def _time_course_figure(
    runs: Sequence[RunSeries], variable: str, language: str, width_px: int, dpi: int
) -> Figure:
    _check_variable(variable)
    fig = _figure(width_px, round(width_px * 0.6), dpi)
    _margins(fig, left=0.75, right=0.15, top=0.15, bottom=0.55)
    _draw_time_course(fig.add_subplot(), runs, variable, _normalise_language(language))
    return fig


def time_course_png(
    runs: Sequence[RunSeries],
    *,
    variable: str,
    language: str = "ko",
    width_px: int = 800,
    dpi: int = 100,
) -> bytes:
    """PNG of one variable ("vcd", "titer" or "viability") against culture time in days."""
    return _save(_time_course_figure(runs, variable, language, width_px, dpi), "png")


def time_course_svg(
    runs: Sequence[RunSeries],
    *,
    variable: str,
    language: str = "ko",
    width_px: int = 800,
    dpi: int = 100,
) -> str:
    """Same as :func:`time_course_png` as an SVG document (text drawn as paths)."""
    return _save(_time_course_figure(runs, variable, language, width_px, dpi), "svg").decode()


def _growth_and_titer_figure(
    runs: Sequence[RunSeries], language: str, width_px: int, dpi: int
) -> Figure:
    """Two panels side by side — VCD and titer against time — with one legend below them."""
    language = _normalise_language(language)
    fig = _figure(width_px, round(width_px * 0.42), dpi)
    n_labels = 2 * any(r.arm == "reference" for r in runs) + sum(r.arm != "reference" for r in runs)
    legend_rows = math.ceil(n_labels / 5) if n_labels else 0
    _margins(
        fig,
        left=0.55,
        right=0.1,
        top=0.25,
        bottom=0.5 + 0.18 * legend_rows + (0.1 if legend_rows else 0),
        wspace=0.25,
    )
    ax_vcd, ax_titer = fig.subplots(1, 2)
    drawn = _draw_time_course(ax_vcd, runs, "vcd", language, legend=False)
    _draw_time_course(ax_titer, runs, "titer", language, legend=False)
    for ax, tag in ((ax_vcd, "a"), (ax_titer, "b")):
        ax.set_title(f"({tag})", loc="left", fontsize=9)
        ax.tick_params(labelsize=8)
        ax.xaxis.label.set_size(9)
        ax.yaxis.label.set_size(9)
    if drawn:
        handles, labels = ax_vcd.get_legend_handles_labels()
        fig.legend(
            handles,
            labels,
            loc="lower center",
            bbox_to_anchor=(0.5, 0.0),
            ncol=min(len(labels), 5),
            frameon=False,
            prop={"family": _families(), "size": 8},
        )
    return fig


def growth_and_titer_png(
    runs: Sequence[RunSeries],
    language: str = "ko",
    *,
    width_px: int = REPORT_PX,
    dpi: int = REPORT_DPI,
) -> bytes:
    """Two panels side by side — VCD and titer against time — with one legend below them."""
    return _save(_growth_and_titer_figure(runs, language, width_px, dpi), "png")


def growth_and_titer_image(
    runs: Sequence[RunSeries],
    language: str = "ko",
    *,
    width_px: int = REPORT_PX,
    dpi: int = REPORT_DPI,
) -> Any:
    """:func:`growth_and_titer_png` as an RGB PIL image, for the PDF report."""
    return _rgb(_growth_and_titer_figure(runs, language, width_px, dpi))


def _curves_figure(
    curves: Sequence[CurveSeries], x_label: str, y_label: str, width_px: int, dpi: int
) -> Figure:
    fig = _figure(width_px, round(width_px * 0.6), dpi)
    _margins(fig, left=0.75, right=0.15, top=0.15, bottom=0.55)
    ax = fig.add_subplot()
    candidates = 0
    for curve in curves:
        x = np.asarray(curve.x, dtype=float)
        y = np.asarray(curve.y, dtype=float)
        ok = np.isfinite(x) & np.isfinite(y)
        x, y = decimate(x[ok], y[ok])
        if curve.arm == "reference":
            style: dict[str, Any] = {"color": _REFERENCE_COLOR, "linestyle": "--", "marker": None}
        else:
            style = {
                "color": _CANDIDATE_COLORS[candidates % len(_CANDIDATE_COLORS)],
                "linestyle": "-",
                "marker": _MARKERS[candidates % len(_MARKERS)],
                "markevery": _markevery(x.size),
            }
            candidates += 1
        ax.plot(x, y, label=curve.label, linewidth=1.4, markersize=3.5, **style)
    family = _families()
    ax.set_xlabel(x_label, fontfamily=family)
    ax.set_ylabel(y_label, fontfamily=family)
    _style_axes(ax)
    if curves:
        ax.legend(loc="best", prop={"family": family, "size": 8}, framealpha=0.9)
    return fig


def curves_svg(
    curves: Sequence[CurveSeries],
    *,
    x_label: str,
    y_label: str,
    width_px: int = 800,
    dpi: int = 100,
) -> str:
    """SVG of per-run curves: candidate runs as coloured lines with markers, reference dashed."""
    return _save(_curves_figure(curves, x_label, y_label, width_px, dpi), "svg").decode()


def curves_png(
    curves: Sequence[CurveSeries],
    *,
    x_label: str,
    y_label: str,
    width_px: int = REPORT_PX * 3 // 4,
    dpi: int = REPORT_DPI,
) -> bytes:
    """PNG of per-run curves (for the PDF report)."""
    return _save(_curves_figure(curves, x_label, y_label, width_px, dpi), "png")


def curves_image(
    curves: Sequence[CurveSeries],
    *,
    x_label: str,
    y_label: str,
    width_px: int = REPORT_PX * 3 // 4,
    dpi: int = REPORT_DPI,
) -> Any:
    """:func:`curves_png` as an RGB PIL image, for the PDF report."""
    return _rgb(_curves_figure(curves, x_label, y_label, width_px, dpi))
