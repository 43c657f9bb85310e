"""Server-rendered SVG charts: readable without JavaScript, scale to a phone (viewBox), text in
the page's font so Korean labels render as the browser's Korean font."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

W, H = 640, 240
LEFT, RIGHT, TOP, BOTTOM = 64, 12, 16, 36


def _fmt(value: float, unit: str) -> str:
    if unit == "KRW":
        from bioproof.programme.templatetags.programme import won

        return won(value)
    if unit == "%":
        return f"{value:.1f}%"
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def bars(
    series: Sequence[tuple[object, float | None]],
    *,
    title: str,
    unit: str,
    targets: Mapping[object, float] | None = None,
) -> SafeString:
    """A bar per (label, value); a missing value (suppressed or no data) is drawn as a dashed
    outline; targets are marked by a dash across the bar's column with their value."""
    targets = dict(targets or {})
    labels = list(dict.fromkeys([label for label, _v in series] + sorted(targets, key=str)))
    values = dict(series)
    top = max([v for v in values.values() if v is not None] + list(targets.values()) + [0.0])
    top = top * 1.1 or 1.0
    n = max(len(labels), 1)
    plot_w, plot_h = W - LEFT - RIGHT, H - TOP - BOTTOM
    step = plot_w / n
    bar_w = max(4.0, step * 0.6)
    parts = [
        f'<svg class="chart" viewBox="0 0 {W} {H}" role="img" aria-label="{escape(title)}" '
        'xmlns="http://www.w3.org/2000/svg" preserveAspectRatio="xMidYMid meet">',
        f"<title>{escape(title)}</title>",
        f'<line x1="{LEFT}" y1="{TOP + plot_h}" x2="{W - RIGHT}" y2="{TOP + plot_h}" '
        'stroke="#888" stroke-width="1"/>',
        f'<text x="{LEFT - 6}" y="{TOP + 10}" text-anchor="end" font-size="11" '
        f'fill="#555">{escape(_fmt(top / 1.1, unit))}</text>',
        f'<text x="{LEFT - 6}" y="{TOP + plot_h}" text-anchor="end" font-size="11" '
        'fill="#555">0</text>',
    ]
    for i, label in enumerate(labels):
        x = LEFT + i * step + (step - bar_w) / 2
        value = values.get(label)
        if value is not None:
            h = plot_h * value / top
            parts.append(
                f'<rect x="{x:.1f}" y="{TOP + plot_h - h:.1f}" width="{bar_w:.1f}" '
                f'height="{h:.1f}" fill="#0b6e4f"><title>{escape(label)}: '
                f"{escape(_fmt(value, unit))}</title></rect>"
            )
            parts.append(
                f'<text x="{x + bar_w / 2:.1f}" y="{TOP + plot_h - h - 3:.1f}" font-size="10" '
                f'text-anchor="middle" fill="#222">{escape(_fmt(value, unit))}</text>'
            )
        elif label in values:
            parts.append(
                f'<rect x="{x:.1f}" y="{TOP + plot_h - 12:.1f}" width="{bar_w:.1f}" height="12" '
                'fill="none" stroke="#999" stroke-dasharray="3 2"><title>'
                f"{escape(label)}: {escape(_('not shown'))}</title></rect>"
            )
        if label in targets:
            ty = TOP + plot_h - plot_h * targets[label] / top
            parts.append(
                f'<line x1="{x - 3:.1f}" y1="{ty:.1f}" x2="{x + bar_w + 3:.1f}" y2="{ty:.1f}" '
                'stroke="#c0392b" stroke-width="2" stroke-dasharray="5 3"><title>'
                f"{escape(_('target'))} {escape(label)}: {escape(_fmt(targets[label], unit))}"
                "</title></line>"
            )
        parts.append(
            f'<text x="{x + bar_w / 2:.1f}" y="{H - BOTTOM + 16}" font-size="11" '
            f'text-anchor="middle" fill="#333">{escape(label)}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))
