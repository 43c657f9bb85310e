"""Template filters for text written for people: ``{{ kpi.unit|human_unit }}`` and
``{{ name|josa:"을" }}`` (Korean particle chosen from the word's last syllable)."""

from __future__ import annotations

from django import template

from bioproof.core import i18n

register = template.Library()


@register.filter
def human_unit(unit: str) -> str:
    return i18n.human_unit(str(unit or ""))


@register.filter
def josa(word: str, particle: str) -> str:
    return i18n.josa(str(word or ""), str(particle or ""))
