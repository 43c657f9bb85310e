"""Validation of a product's specification values against its category's spec fields."""

from __future__ import annotations

import math
from typing import Any

from django.utils.translation import gettext as _

from bioproof.core.errors import DomainError


def _fields(category: Any) -> dict[str, list[str]]:
    return {f[0]: f for f in category.spec_fields}


def clean_specs(category: Any, raw: dict[str, Any] | None) -> dict[str, Any]:
    """Return the specs with numbers as floats; raise DomainError naming the offending field."""
    raw = raw or {}
    if not isinstance(raw, dict):
        raise DomainError(_("Specifications must be a mapping of field to value."), field="specs")
    fields = _fields(category)
    cleaned: dict[str, Any] = {}
    for key, value in raw.items():
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        if key not in fields:
            known = ", ".join(fields) or _("none")
            raise DomainError(
                _("Specification %(field)s is not defined for %(c)s (known: %(known)s).")
                % {
                    "field": f"'{key}'",
                    "c": category.name,
                    "known": known,
                },
                field="specs",
            )
        _key, _label_en, _label_ko, kind, unit = fields[key]
        if kind == "number":
            try:
                number = float(str(value).replace(",", ""))
            except ValueError:
                raise DomainError(
                    _("Specification '%(k)s': %(value)s is not a number.")
                    % {"k": key, "value": f"'{value}'"},
                    field="specs",
                ) from None
            if not math.isfinite(number) or number < 0:
                raise DomainError(
                    _("Specification %(field)s must be a non-negative number (%(u)s).")
                    % {"field": f"'{key}'", "u": unit},
                    field="specs",
                )
            cleaned[key] = number
        elif kind.startswith("choice:"):
            choices = kind.split(":", 1)[1].split("|")
            if str(value) not in choices:
                raise DomainError(
                    _("Specification '%(k)s': %(value)s is not one of %(c)s.")
                    % {
                        "k": key,
                        "value": f"'{value}'",
                        "c": ", ".join(choices),
                    },
                    field="specs",
                )
            cleaned[key] = str(value)
        else:
            cleaned[key] = str(value).strip()[:500]
    return cleaned


def parse_spec_lines(text: str) -> dict[str, str]:
    """Parse ``key = value`` lines (web form) into a dict; raise on a malformed line."""
    out: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        if "=" not in line:
            raise DomainError(
                _("Specifications line %(n)d: write 'field = value'.") % {"n": number},
                field="specs",
            )
        key, value = line.split("=", 1)
        out[key.strip()] = value.strip()
    return out
