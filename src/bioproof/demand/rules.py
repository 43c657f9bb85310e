"""Validation of a need's required specifications and acceptance criteria.

A required specification is ``{key, comparison, value}``: ``key`` one of the category's spec
fields, ``comparison`` ``min`` or ``max`` (number fields only: the product's value must be at
least / at most ``value``) or ``equals`` (any field: equal, case-insensitive for text). The value is
validated with :func:`bioproof.catalog.specs.clean_specs`, so a choice must be one of its choices.

An acceptance criterion is ``{kpi, comparison, value, relative, unit}`` as the demonstration
evaluation will test it (see :mod:`bioproof.evaluations.criteria`).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from typing import Any

from django.utils.translation import gettext as _

from bioproof.catalog.specs import clean_specs
from bioproof.core.errors import DomainError

SPEC_COMPARISONS = ("min", "max", "equals")
CRITERION_COMPARISONS = ("equivalence", "non_inferiority", "minimum", "maximum")
FALLBACK_KPIS = frozenset(
    {"final_titer", "mu_exp", "ivcd_final", "qp", "peak_vcd", "doubling_time"}
)


def known_kpis() -> dict[str, str]:
    """KPI key → canonical unit, from ``bioproof.analysis.kpis.KPIS`` when importable."""
    try:
        from bioproof.analysis.kpis import KPIS
    except ImportError:
        return {k: "" for k in sorted(FALLBACK_KPIS)}
    return {k: str(getattr(v, "unit", "") or "") for k, v in KPIS.items()}


def spec_fields(category: Any) -> dict[str, list[str]]:
    return {f[0]: list(f) for f in category.spec_fields}


def clean_required_specs(category: Any, raw: Iterable[Mapping[str, Any]] | None) -> list[dict]:
    """Validate required specs against the category's spec fields; raise naming the row."""
    fields = spec_fields(category)
    out: list[dict[str, Any]] = []
    seen: set[tuple[str, str]] = set()
    for number, item in enumerate(raw or [], start=1):
        if not isinstance(item, Mapping):
            raise DomainError(
                _("Required specification %(n)d: give key, comparison and value.") % {"n": number},
                field="required_specs",
            )
        key = str(item.get("key", "")).strip()
        comparison = str(item.get("comparison", "")).strip()
        value = item.get("value")
        if key not in fields:
            known = ", ".join(fields) or _("none")
            raise DomainError(
                _(
                    "Required specification %(n)d: '%(k)s' is not a field of %(c)s "
                    "(known: %(known)s)."
                )
                % {"n": number, "k": key, "c": category.name, "known": known},
                field="required_specs",
            )
        if comparison not in SPEC_COMPARISONS:
            raise DomainError(
                _("Required specification %(n)d: comparison must be min, max or equals.")
                % {"n": number},
                field="required_specs",
            )
        kind = fields[key][3]
        if comparison in ("min", "max") and kind != "number":
            raise DomainError(
                _("Required specification %(n)d: '%(k)s' is not a number; use 'equals'.")
                % {"n": number, "k": key},
                field="required_specs",
            )
        if value is None or (isinstance(value, str) and not value.strip()):
            raise DomainError(
                _("Required specification %(n)d: give a value for '%(k)s'.")
                % {"n": number, "k": key},
                field="required_specs",
            )
        try:
            cleaned = clean_specs(category, {key: value})[key]
        except DomainError as exc:
            raise DomainError(
                _("Required specification %(n)d: %(e)s") % {"n": number, "e": exc.message},
                field="required_specs",
            ) from None
        if (key, comparison) in seen:
            raise DomainError(
                _("Required specification %(n)d: '%(k)s %(c)s' is given twice.")
                % {"n": number, "k": key, "c": comparison},
                field="required_specs",
            )
        seen.add((key, comparison))
        out.append({"key": key, "comparison": comparison, "value": cleaned})
    return out


def clean_criteria(raw: Iterable[Mapping[str, Any]] | None) -> list[dict[str, Any]]:
    """Validate acceptance criteria; raise DomainError naming the row and what to fix."""
    kpis = known_kpis()
    out: list[dict[str, Any]] = []
    seen: set[tuple[str, str]] = set()
    for number, item in enumerate(raw or [], start=1):
        if not isinstance(item, Mapping):
            raise DomainError(
                _("Criterion %(n)d: give kpi, comparison and value.") % {"n": number},
                field="criteria",
            )
        kpi = str(item.get("kpi", "")).strip()
        comparison = str(item.get("comparison", "")).strip()
        if kpi not in kpis:
            raise DomainError(
                _("Criterion %(n)d: unknown KPI '%(k)s' (known: %(known)s).")
                % {"n": number, "k": kpi, "known": ", ".join(sorted(kpis))},
                field="criteria",
            )
        if comparison not in CRITERION_COMPARISONS:
            raise DomainError(
                _("Criterion %(n)d: comparison must be one of %(c)s.")
                % {"n": number, "c": ", ".join(CRITERION_COMPARISONS)},
                field="criteria",
            )
        try:
            value = float(item.get("value"))  # type: ignore[arg-type]
        except (TypeError, ValueError):
            raise DomainError(
                _("Criterion %(n)d: the value '%(v)s' is not a number.")
                % {"n": number, "v": item.get("value")},
                field="criteria",
            ) from None
        margin = comparison in ("equivalence", "non_inferiority")
        relative = bool(item.get("relative", margin)) if margin else False
        if not math.isfinite(value) or (margin and value <= 0):
            raise DomainError(
                _("Criterion %(n)d: a margin must be a positive number.") % {"n": number},
                field="criteria",
            )
        # units and relative margins as the evaluation will read them (one rule, one place)
        from bioproof.evaluations import criteria as evaluation_criteria

        try:
            engine = evaluation_criteria.clean(
                {
                    "kpi": kpi,
                    "comparison": comparison,
                    "value": value,
                    "relative": relative,
                    "unit": str(item.get("unit") or "").strip()[:30],
                },
                source="need",
            )
        except DomainError as exc:
            raise DomainError(
                _("Criterion %(n)d: %(e)s") % {"n": number, "e": exc.message},
                field="criteria",
            ) from None
        value = engine["value"]
        if (kpi, comparison) in seen:
            raise DomainError(
                _("Criterion %(n)d: %(k)s already has a %(c)s criterion.")
                % {"n": number, "k": kpi, "c": comparison},
                field="criteria",
            )
        seen.add((kpi, comparison))
        unit = engine["unit"] or kpis.get(kpi, "")
        out.append(
            {
                "kpi": kpi,
                "comparison": comparison,
                "value": value,
                "relative": relative,
                "unit": unit,
            }
        )
    return out


SPEC_LINE = re.compile(r"^\s*(?P<key>[\w-]+)\s*(?P<op>>=|<=|=|≥|≤)\s*(?P<value>.+?)\s*$")
OPS = {">=": "min", "≥": "min", "<=": "max", "≤": "max", "=": "equals"}


def parse_spec_lines(text: str) -> list[dict[str, str]]:
    """``key >= value`` (min), ``key <= value`` (max), ``key = value`` (equals), one per line."""
    out = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        match = SPEC_LINE.match(line)
        if match is None:
            raise DomainError(
                _(
                    "Specifications line %(n)d: write 'field >= value', 'field <= value' or "
                    "'field = value'."
                )
                % {"n": number},
                field="required_specs",
            )
        out.append({"key": match["key"], "comparison": OPS[match["op"]], "value": match["value"]})
    return out


CRITERION_LINE = re.compile(
    r"^\s*(?P<kpi>\w+)\s+(?P<comparison>\w+)\s+±?(?P<value>[-+0-9.eE]+)\s*(?P<rest>.*?)\s*$"
)


def parse_criterion_lines(text: str) -> list[dict[str, Any]]:
    """``kpi comparison value [%|unit]`` per line, e.g. ``final_titer equivalence 10 %`` (a
    relative margin of 10 %) or ``peak_vcd minimum 15 1e6 cells/mL`` (a limit in that unit)."""
    out: list[dict[str, Any]] = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        match = CRITERION_LINE.match(line)
        if match is None:
            raise DomainError(
                _(
                    "Criteria line %(n)d: write 'kpi comparison value', e.g. "
                    "'final_titer equivalence 10 %%'."
                )
                % {"n": number},
                field="criteria",
            )
        try:
            value = float(match["value"])
        except ValueError:
            raise DomainError(
                _("Criteria line %(n)d: '%(v)s' is not a number.")
                % {"n": number, "v": match["value"]},
                field="criteria",
            ) from None
        rest = match["rest"]
        relative = rest.startswith("%")
        out.append(
            {
                "kpi": match["kpi"],
                "comparison": match["comparison"],
                "value": value / 100 if relative else value,
                "relative": relative,
                "unit": "" if relative else rest,
            }
        )
    return out


def spec_lines(specs: Iterable[Mapping[str, Any]]) -> str:
    ops = {"min": ">=", "max": "<=", "equals": "="}
    return "\n".join(f"{s['key']} {ops[s['comparison']]} {s['value']}" for s in specs)
