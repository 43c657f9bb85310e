"""Calendar windows (day / week / month) and the server-rendered SVG timeline shared by the
equipment and center calendars and the scheduler's Gantt view (SVG attributes, no inline
styles: the content security policy forbids them)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

VIEWS = ("day", "week", "month")
LABEL_W = 170
CHART_W = 980
ROW_H = 22


@dataclass
class Block:
    start: dt.datetime
    end: dt.datetime
    label: str
    css: str
    url: str = ""
    title: str = ""


@dataclass
class Row:
    label: str
    url: str = ""
    blocks: list[Block] = field(default_factory=list)


def window(view: str, day: dt.date) -> tuple[dt.datetime, dt.datetime, dt.date, dt.date]:
    """The [start, end) of the view around ``day`` (local midnight), and previous/next days."""
    if view not in VIEWS:
        view = "week"
    if view == "day":
        first, n = day, 1
    elif view == "week":
        first, n = day - dt.timedelta(days=day.weekday()), 7
    else:
        first = day.replace(day=1)
        n = ((first + dt.timedelta(days=32)).replace(day=1) - first).days
    tz = timezone.get_default_timezone()
    start = timezone.make_aware(dt.datetime.combine(first, dt.time()), tz)
    end = timezone.make_aware(dt.datetime.combine(first + dt.timedelta(days=n), dt.time()), tz)
    step = {"day": 1, "week": 7}.get(view)
    if step:
        prev, nxt = first - dt.timedelta(days=step), first + dt.timedelta(days=step)
    else:
        prev = (first - dt.timedelta(days=1)).replace(day=1)
        nxt = (first + dt.timedelta(days=32)).replace(day=1)
    return start, end, prev, nxt


def svg(rows: list[Row], start: dt.datetime, end: dt.datetime) -> dict[str, Any]:
    """Pixel geometry of the timeline for the template (x, width per block; ticks)."""
    span = (end - start).total_seconds()
    hours = span / 3600

    def x(at: dt.datetime) -> float:
        return LABEL_W + max(0.0, min(1.0, (at - start).total_seconds() / span)) * CHART_W

    tick_h = 1 if hours <= 24 else (24 if hours <= 24 * 45 else 24 * 7)
    ticks = []
    t = start
    while t < end:
        local = timezone.localtime(t)
        ticks.append(
            {
                "x": round(x(t), 1),
                "label": local.strftime("%H") if tick_h == 1 else local.strftime("%m-%d"),
            }
        )
        t += dt.timedelta(hours=tick_h)
    out_rows = []
    for i, row in enumerate(rows):
        y = 20 + i * ROW_H
        blocks = []
        for b in row.blocks:
            x0, x1 = x(b.start), x(b.end)
            blocks.append(
                {
                    "x": round(x0, 1),
                    "w": round(max(1.5, x1 - x0), 1),
                    "label": b.label if x1 - x0 > 40 else "",
                    "title": b.title or b.label,
                    "css": b.css,
                    "url": b.url,
                }
            )
        out_rows.append({"y": y, "label": row.label, "url": row.url, "blocks": blocks})
    return {
        "width": LABEL_W + CHART_W + 10,
        "height": 30 + len(rows) * ROW_H,
        "label_w": LABEL_W,
        "chart_w": CHART_W,
        "row_h": ROW_H - 4,
        "ticks": ticks,
        "rows": out_rows,
    }


def render(geometry: dict[str, Any], label: str = "Calendar") -> SafeString:
    """The timeline as SVG markup, built directly (thousands of blocks render in milliseconds;
    every text is escaped)."""
    g = geometry
    out = [
        f'<svg class="timeline" xmlns="http://www.w3.org/2000/svg" width="{g["width"]}" '
        f'height="{g["height"]}" viewBox="0 0 {g["width"]} {g["height"]}" role="img" '
        f'aria-label="{escape(label)}">'
    ]
    h = g["height"]
    for t in g["ticks"]:
        out.append(
            f'<line class="tick" x1="{t["x"]}" y1="12" x2="{t["x"]}" y2="{h}"/>'
            f'<text class="ticklabel" x="{t["x"]}" y="10">{escape(t["label"])}</text>'
        )
    rh = g["row_h"]
    for r in g["rows"]:
        y = r["y"]
        text = f'<text class="rowlabel" x="2" y="{y + 13}">{escape(r["label"])}</text>'
        out.append(f'<a href="{escape(r["url"])}">{text}</a>' if r["url"] else text)
        for b in r["blocks"]:
            title = escape(b["title"])
            rect = (
                f'<rect class="{b["css"]}" x="{b["x"]}" y="{y}" width="{b["w"]}" height="{rh}" '
                f'rx="2" data-block="{title}"><title>{title}</title></rect>'
            )
            if b["label"]:
                rect += (
                    f'<text class="blabel" x="{b["x"] + 3}" y="{y + 13}">'
                    f"{escape(b['label'][:18])}</text>"
                )
            out.append(f'<a href="{escape(b["url"])}">{rect}</a>' if b["url"] else rect)
    out.append("</svg>")
    return mark_safe("".join(out))  # every interpolated text is escaped above
