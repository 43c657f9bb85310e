"""Reports of center services: utilisation per equipment and month, revenue by customer type and
funding line, and their XLSX export.

Utilisation of an equipment in a month:

- *booked hours*: hours of bookings that held it (confirmed, checked in, completed, and released
  no-shows, which held the slot until released), clipped to the month;
- *used hours*: minutes recorded at check-out of completed bookings / 60;
- *no-shows*: released bookings;
- *available hours*: the month's hours minus blackout hours (clipped);
- *booked %* = booked / available × 100; *used %* = used / available × 100.

Revenue (KRW, VAT excluded) in a year: invoices issued (their subtotal) plus completed bookings
outside projects charged at the rate of the booking's customer type per hour used (plus the
assisted surcharge per hour for assisted use); grouped by customer type × funding line.
"""

from __future__ import annotations

import datetime as dt
import io
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from bioproof.consortium.models import Organization
from bioproof.facilities.models import (
    Blackout,
    Booking,
    CustomerType,
    Equipment,
    FundingLine,
    Invoice,
    Rate,
)

BOOKED = ("confirmed", "checked_in", "completed", "released")


def _month_bounds(year: int, month: int) -> tuple[dt.datetime, dt.datetime]:
    tz = timezone.get_default_timezone()
    start = timezone.make_aware(dt.datetime(year, month, 1), tz)
    nxt = dt.datetime(year + (month == 12), month % 12 + 1, 1)
    return start, timezone.make_aware(nxt, tz)


def _clip(s: dt.datetime, e: dt.datetime, a: dt.datetime, b: dt.datetime) -> float:
    return max(0.0, (min(e, b) - max(s, a)).total_seconds() / 3600)


def utilisation(center: Organization, year: int) -> list[dict[str, Any]]:
    """One row per equipment and month with any booking or blackout (see the module doc)."""
    equipment = {e.pk: e for e in Equipment.objects.filter(center=center)}
    y0, _ = _month_bounds(year, 1)
    _, y1 = _month_bounds(year, 12)
    acc: dict[tuple[int, int], dict[str, float]] = defaultdict(
        lambda: {"booked": 0.0, "used": 0.0, "no_shows": 0, "blackout": 0.0}
    )
    months = [_month_bounds(year, m) for m in range(1, 13)]
    for eq_id, s, e, status, used in Booking.objects.filter(
        equipment__center=center, status__in=BOOKED, starts_at__lt=y1, ends_at__gt=y0
    ).values_list("equipment_id", "starts_at", "ends_at", "status", "used_minutes"):
        for m, (a, b) in enumerate(months, 1):
            hours = _clip(s, e, a, b)
            if hours <= 0:
                continue
            row = acc[(eq_id, m)]
            row["booked"] += hours
            if status == "released" and a <= s < b:
                row["no_shows"] += 1
            if status == "completed" and used and a <= s < b:
                row["used"] += used / 60
    for eq_id, s, e in Blackout.objects.filter(
        equipment__center=center, cancelled=False, starts_at__lt=y1, ends_at__gt=y0
    ).values_list("equipment_id", "starts_at", "ends_at"):
        for m, (a, b) in enumerate(months, 1):
            hours = _clip(s, e, a, b)
            if hours > 0:
                acc[(eq_id, m)]["blackout"] += hours
    out = []
    for (eq_id, m), row in sorted(acc.items(), key=lambda kv: (equipment[kv[0][0]].code, kv[0][1])):
        a, b = months[m - 1]
        available = (b - a).total_seconds() / 3600 - row["blackout"]
        out.append(
            {
                "equipment": equipment[eq_id].code,
                "month": f"{year}-{m:02d}",
                "available_h": round(available, 1),
                "booked_h": round(row["booked"], 1),
                "used_h": round(row["used"], 1),
                "no_shows": row["no_shows"],
                "booked_pct": round(100 * row["booked"] / available, 1) if available else 0.0,
                "used_pct": round(100 * row["used"] / available, 1) if available else 0.0,
            }
        )
    return out


def booking_charge(hours: Decimal, rate: Rate | None, assisted: bool) -> int:
    if rate is None:
        return 0
    per_hour = rate.per_hour_krw + (rate.assisted_surcharge_krw if assisted else 0)
    return int((hours * per_hour).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def revenue(center: Organization, year: int) -> list[dict[str, Any]]:
    """KRW by customer type × funding line (see the module doc)."""
    totals: dict[tuple[str, str], dict[str, int]] = defaultdict(
        lambda: {"invoices_krw": 0, "bookings_krw": 0}
    )
    for ct, fl, sub in Invoice.objects.filter(
        project__center=center, issued_on__year=year
    ).values_list("customer_type", "funding_line", "subtotal_krw"):
        totals[(ct, fl)]["invoices_krw"] += sub
    rates = {
        (r.equipment_id, r.customer_type): r for r in Rate.objects.filter(equipment__center=center)
    }
    y0, _ = _month_bounds(year, 1)
    _, y1 = _month_bounds(year, 12)
    for b in Booking.objects.filter(
        equipment__center=center,
        status="completed",
        project__isnull=True,
        starts_at__gte=y0,
        starts_at__lt=y1,
    ).values("equipment_id", "customer_type", "funding_line", "used_minutes", "mode"):
        hours = Decimal(b["used_minutes"] or 0) / 60
        charge = booking_charge(
            hours, rates.get((b["equipment_id"], b["customer_type"])), b["mode"] == "assisted"
        )
        totals[(b["customer_type"], b["funding_line"])]["bookings_krw"] += charge
    out = []
    for (ct, fl), row in sorted(totals.items()):
        out.append(
            {
                "customer_type": ct,
                "customer_type_label": str(CustomerType(ct).label),
                "funding_line": fl,
                "funding_line_label": str(FundingLine(fl).label),
                **row,
                "total_krw": row["invoices_krw"] + row["bookings_krw"],
            }
        )
    return out


def xlsx(
    center: Organization, year: int, util: list[dict[str, Any]], rev: list[dict[str, Any]]
) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "utilisation"
    ws.append(
        [
            _("Equipment"),
            _("Month"),
            _("Available (h)"),
            _("Booked (h)"),
            _("Used (h)"),
            _("No-shows"),
            _("Booked %"),
            _("Used %"),
        ]
    )
    for r in util:
        ws.append(
            [
                r["equipment"],
                r["month"],
                r["available_h"],
                r["booked_h"],
                r["used_h"],
                r["no_shows"],
                r["booked_pct"],
                r["used_pct"],
            ]
        )
    ws2 = wb.create_sheet("revenue")
    ws2.append(
        [
            _("Customer type"),
            _("Funding line"),
            _("Invoices (KRW)"),
            _("Bookings (KRW)"),
            _("Total (KRW)"),
        ]
    )
    for r in rev:
        ws2.append(
            [
                r["customer_type_label"],
                r["funding_line_label"],
                r["invoices_krw"],
                r["bookings_krw"],
                r["total_krw"],
            ]
        )
    ws3 = wb.create_sheet("about")
    ws3.append([_("Center"), center.name_en])
    ws3.append([_("Year"), year])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
