from __future__ import annotations

from django import template
from django.utils.translation import get_language
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def figure(fig: object, unit: str = "") -> str:
    """A dashboard figure for people: ``—`` when there is no data, a note when it is hidden by
    the k rule, thousands separators, ``%`` and 억/조 won for money."""
    if getattr(fig, "suppressed", False):
        return _("not shown (fewer than 3 organizations)")
    value = getattr(fig, "value", fig)
    if value is None:
        return "—"
    value = float(value)
    if unit == "%":
        return f"{value:.1f} %"
    if unit == "KRW":
        return won(value)
    if unit == "days":
        return _("%(v)s days") % {"v": f"{value:,.1f}"}
    return f"{value:,.0f}" if value.is_integer() else f"{value:,.2f}"


def won(value: float) -> str:
    """Money as people say it: 조/억 원 in Korean, trillion/billion won in English."""
    if (get_language() or "ko").startswith("ko"):
        if value >= 1e12:
            return f"{value / 1e12:,.2f}조 원"
        if value >= 1e8:
            return f"{value / 1e8:,.1f}억 원"
        return f"{value:,.0f}원"
    if value >= 1e12:
        return f"{value / 1e12:,.2f} trillion won"
    if value >= 1e9:
        return f"{value / 1e9:,.2f} billion won"
    if value >= 1e6:
        return f"{value / 1e6:,.1f} million won"
    return f"{value:,.0f} won"
