"""Units at the edges: parse a header unit with pint and convert to the canonical unit.

Canonical units of the engine: time h, cell density cells/mL, viability %, glucose/lactate/titer
g/L, glutamine/ammonia mmol/L, volumes L. A mass concentration converts to a molar one (and back)
through the molar mass of the column's compound (:data:`MOLAR_MASS`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import pint

#: Molar masses [g/mol] used to convert between g/L and mmol/L.
MOLAR_MASS = {
    "glucose": 180.156,  # C6H12O6
    "lactate": 90.078,  # lactic acid C3H6O3, as enzymatic analysers report lactate
    "glutamine": 146.146,  # C5H10N2O3
    "ammonia": 17.031,  # NH3
}

_SUPERSCRIPTS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻", "0123456789-")


@lru_cache(maxsize=1)
def registry() -> pint.UnitRegistry:
    """The engine's pint registry, with ``cell`` (plural ``cells``) as a counting unit."""
    ureg = pint.UnitRegistry(autoconvert_offset_to_baseunit=True)
    ureg.define("cell = [cell_count] = _ = cells")
    if "LMH" not in ureg:  # recent pint ships it (litre per square metre per hour)
        ureg.define("LMH = liter / meter ** 2 / hour")
    return ureg


def normalise_unit_text(text: str) -> str:
    """Spreadsheet spellings → pint syntax (``×10⁶ cells/mL`` → ``1e6 cells/mL``)."""
    s = text.strip().translate(_SUPERSCRIPTS)
    s = s.replace("μ", "u").replace("µ", "u").replace("·", "*").replace("⋅", "*")
    s = re.sub(r"^\s*[x×*]\s*10\s*\^?\s*(-?\d+)", r"1e\1 ", s)
    s = re.sub(r"(?<![\w.])10\s*\^\s*(-?\d+)", r"1e\1", s)
    s = re.sub(r"(?<![\w.])10(-?\d+)(?=\s*cell)", r"1e\1", s)  # "106 cells/mL" from lost ^
    s = s.replace("×", "*")
    return re.sub(r"\s+", " ", s).strip()


def conversion_factor(unit: str, canonical: str, *, molar_mass: float | None = None) -> float:
    """The factor that turns values in ``unit`` into ``canonical`` units.

    Raises ``ValueError`` with a readable reason when ``unit`` is unknown or of another kind;
    g/L ↔ mmol/L conversions use ``molar_mass`` [g/mol] when given.
    """
    ureg = registry()
    text = normalise_unit_text(unit)
    if not text:
        raise ValueError("the unit is empty")
    try:
        quantity = ureg.Quantity(text)
        target = ureg.Quantity(canonical)
    except (pint.errors.PintError, SyntaxError, TypeError, ValueError, AttributeError) as exc:
        raise ValueError(f"unknown unit '{unit}'") from exc
    if quantity.dimensionality == target.dimensionality:
        return float((quantity / target).to("dimensionless").magnitude)
    if molar_mass is not None:
        mm = ureg.Quantity(molar_mass, "g/mol")
        for converted in (quantity * mm, quantity / mm):
            if converted.dimensionality == target.dimensionality:
                return float((converted / target).to("dimensionless").magnitude)
    raise ValueError(f"unit '{unit}' cannot be converted to {canonical}")


@dataclass(frozen=True)
class ColumnSpec:
    """One canonical column a reader looks for.

    ``aliases`` are header names compared after lower-casing and removing spaces, ``_``, ``-`` and
    ``.``; ``unit`` is the canonical unit (``""``: any unit, values kept as given);
    ``examples`` lists accepted units for error messages; ``low``/``high`` are inclusive
    bounds in canonical units; ``required`` columns must be present and filled; ``fill`` is the
    value an empty cell of an optional column takes (``None`` = keep NaN); ``unitless`` columns
    (pH) need no unit in the header.
    """

    name: str
    unit: str
    aliases: tuple[str, ...]
    examples: str
    required: bool = True
    low: float | None = None
    high: float | None = None
    molar_mass: float | None = None
    fill: float | None = None
    allow_empty: bool = False
    #: a quantity without unit (pH): the header may omit the bracket
    unitless: bool = False


def header_key(name: str) -> str:
    """Comparison key of a header name: lower case without spaces, ``_``, ``-``, ``.``."""
    return re.sub(r"[\s_\-.]+", "", name.lower())


def split_header(header: str) -> tuple[str, str | None]:
    """``'VCD [1e6 cells/mL]'`` → ``('VCD', '1e6 cells/mL')``; ``'Time (d)'`` → ``('Time', 'd')``.

    The unit is the last bracketed group (``[...]`` or ``(...)``, nested parentheses allowed);
    no bracket → unit ``None``.
    """
    text = str(header).strip()
    if text.endswith("]") and "[" in text:
        start = text.rfind("[")
        return text[:start].strip(), text[start + 1 : -1].strip()
    if text.endswith(")"):
        depth = 0
        for i in range(len(text) - 1, -1, -1):
            depth += {")": 1, "(": -1}.get(text[i], 0)
            if depth == 0:
                if i == 0:
                    break
                return text[:i].strip(), text[i + 1 : -1].strip()
    return text, None
