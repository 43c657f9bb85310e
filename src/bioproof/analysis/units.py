"""Units at the edges: read a header unit with a small grammar and convert with pint.

Canonical units of the engine: time h, cell density cells/mL, viability %, glucose/lactate/titer
g/L, glutamine/ammonia mmol/L, volumes L, temperature °C. A mass concentration converts to a
molar one (and back) through the molar mass of the column's compound (:data:`MOLAR_MASS`).

A unit text is never handed to pint's expression parser and never evaluated. It is read by
:func:`parse_unit`, a grammar of whitelisted tokens:

    unit       := [multiplier] [product]
    multiplier := number | ("x" | "×" | "*") power | power
    power      := "10" ("^" | "**" | "E" | "e" | superscript) integer   (after x/×/*)
                | "10" ("^" | "**" | superscript) integer               (alone)
    number     := digits ["." digits] [("e" | "E") integer]            (10e6 = 1e7)
    product    := factor (("*" | "·" | "/" | " ") factor)*
    factor     := name [exponent] | "(" product ")"
    exponent   := ("^" | "**") integer | superscript integer | integer (m2, h-1)

A header such as ``106 cells/mL`` (10³…10⁹ whose superscript was lost on pasting) reads as
10⁶ cells/mL. ``name`` is a unit (with prefix or plural) known to the engine's pint registry,
looked up by name only; integers of unit exponents lie within ±4, the multiplier within
1e-15…1e15, the whole text within 64 characters and 8 factors. Offset units (°F, K → °C) are
converted with their offset (:func:`conversion`), never with a bare factor.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache

import pint

from bioproof.analysis.errors import N_

#: Molar masses [g/mol] used to convert between g/L and mmol/L.
MOLAR_MASS = {
    "glucose": 180.156,  # C6H12O6
    "lactate": 90.078,  # lactic acid C3H6O3, as enzymatic analysers report lactate
    "glutamine": 146.146,  # C5H10N2O3
    "ammonia": 17.031,  # NH3
}

#: Bounds of the grammar (see the module docstring).
MAX_UNIT_CHARS = 64
MAX_FACTORS = 8
MAX_EXPONENT = 4
MAX_MULTIPLIER_EXPONENT = 15

_SUPERSCRIPTS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺", "0123456789-+")
_SUPER_CHARS = "⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺"
_SPELLINGS = {
    "℃": "degC",
    "℉": "degF",
    "°C": "degC",
    "°F": "degF",
    "ºC": "degC",
    "ºF": "degF",
    "%": "percent",
    "‰": "permille",
}


class UnitError(ValueError):
    """A unit text the grammar refuses or pint cannot convert; ``template`` and ``params``
    give the message for translation (``str(e)`` is the English text)."""

    def __init__(self, template: str, **params: object) -> None:
        self.template = template
        self.params = params
        super().__init__(template % params)


@lru_cache(maxsize=1)
def registry() -> pint.UnitRegistry:
    """The engine's pint registry: ``cell`` (plural ``cells``) counts, ``EU`` is the endotoxin
    unit (not exa-enzyme-unit) and ``Osm`` the osmole."""
    ureg = pint.UnitRegistry(autoconvert_offset_to_baseunit=True)
    ureg.define("cell = [cell_count] = _ = cells")
    ureg.define("endotoxin_unit = [endotoxin] = EU")
    ureg.define("osmole = [osmole] = osmol = Osm")
    if "LMH" not in ureg:  # recent pint ships it (litre per square metre per hour)
        ureg.define("LMH = liter / meter ** 2 / hour")
    return ureg


# ---------------------------------------------------------------- the grammar
_MULTIPLIER = re.compile(
    r"""\s*(?:
        (?P<times>[x×*X]\s*10\s*(?:\^|\*\*|[eE])\s*(?P<texp>[-+]?\d{1,3}))
      | (?P<pow>10\s*(?:\^|\*\*)\s*(?P<pexp>[-+]?\d{1,3}))
      | (?P<lost>10(?P<lexp>[3-9])(?=\s*cell))  # "106 cells/mL": a superscript lost on paste
      | (?P<num>(?:\d{1,16}(?:\.\d{0,16})?|\.\d{1,16})(?:[eE][-+]?\d{1,3})?)
    )(?![\d.])""",
    re.X,
)
_TOKEN = re.compile(
    r"""\s*(?:
        (?P<name>[A-Za-zΩ_]+)
      | (?P<op>\*\*|\^|[*·⋅/()])
      | (?P<int>[-+]?\d{1,3}(?!\d))
    )""",
    re.X,
)


@dataclass(frozen=True)
class ParsedUnit:
    """A unit text read by the grammar: a multiplier and a pint unit (dimensionless for a
    pure number such as ``1e6``); ``offset`` marks a temperature scale (°C, °F)."""

    text: str
    multiplier: float
    unit: pint.Unit
    offset: bool = False


def normalise_unit_text(text: str) -> str:
    """Spreadsheet spellings in one form: ``×10⁶  cells/mL`` → ``×10^6 cells/mL``, ``°C`` →
    ``degC``, ``µ`` → ``u``, ``%`` → ``percent``, runs of spaces → one space."""
    s = " ".join(str(text).split())
    for spelling, name in _SPELLINGS.items():
        s = s.replace(spelling, f" {name} ")
    s = s.replace("µ", "u").replace("μ", "u")
    s = re.sub(f"[{_SUPER_CHARS}]+", lambda g: "^" + g[0].translate(_SUPERSCRIPTS) + " ", s)
    return " ".join(s.split())


def _refuse(text: str, why: str, **params: object) -> UnitError:
    return UnitError(why, unit=text, **params)


_BAD_UNIT = N_(
    "cannot read the unit '%(unit)s' at '%(at)s'; write it like 'mg/L', '1e6 cells/mL' or 'h'"
)
_RANGE = N_("the multiplier in '%(unit)s' lies outside 1e-%(max)s…1e%(max)s")


def _multiplier(match: re.Match[str], raw: str) -> float:
    if match["times"] or match["pow"] or match["lost"]:
        exponent = int(match["texp"] or match["pexp"] or match["lexp"])
        if abs(exponent) > MAX_MULTIPLIER_EXPONENT:
            raise _refuse(raw, _RANGE, max=MAX_MULTIPLIER_EXPONENT)
        return 10.0**exponent
    value = float(match["num"])
    limit = 10.0**MAX_MULTIPLIER_EXPONENT
    if not (math.isfinite(value) and (value == 0 or 1 / limit <= value <= limit)):
        raise _refuse(raw, _RANGE, max=MAX_MULTIPLIER_EXPONENT)
    return value


@lru_cache(maxsize=4096)
def parse_unit(text: str) -> ParsedUnit:
    """Read ``text`` with the grammar (module docstring); :class:`UnitError` if refused.

    Cached per text: a file's headers repeat across thousands of uploads.
    """
    raw = str(text)
    if len(raw) > MAX_UNIT_CHARS:
        raise _refuse(
            raw[:40] + "…",
            N_("the unit '%(unit)s' is longer than %(max)s characters"),
            max=MAX_UNIT_CHARS,
        )
    s = normalise_unit_text(raw)
    if not s:
        raise _refuse(raw, N_("the unit is empty"))
    multiplier, pos = 1.0, 0
    if (m := _MULTIPLIER.match(s)) is not None:
        multiplier, pos = _multiplier(m, raw), m.end()
    tokens: list[tuple[str, str]] = []
    rest, i = s[pos:], 0
    while i < len(rest):
        if rest[i] == " ":
            i += 1
            continue
        t = _TOKEN.match(rest, i)
        if t is None or t.end() == i:
            raise _refuse(raw, _BAD_UNIT, at=rest[i : i + 12])
        kind = t.lastgroup or ""
        tokens.append((kind, t[kind]))
        i = t.end()
    product = _Product(tokens, raw, registry())
    unit = product.parse()
    if product.offset and (product.factors > 1 or multiplier != 1.0):
        raise _refuse(raw, N_("the temperature unit in '%(unit)s' must stand alone"))
    return ParsedUnit(raw, multiplier, unit, product.offset)


_UNKNOWN = N_("unknown unit '%(name)s' in '%(unit)s'")


@lru_cache(maxsize=1024)
def _lookup(name: str) -> tuple[pint.Unit, bool] | None:
    """A single unit name (prefix and plural allowed) in the registry, looked up by name only,
    and whether it is an offset scale; ``None`` when unknown."""
    ureg = registry()
    try:
        if len(name) > 32 or name not in ureg:
            return None
        unit = ureg.Unit(ureg.get_name(name))
        offset = ureg.Quantity(0.0, unit).to_base_units().magnitude != 0
    except (pint.errors.PintError, ValueError, AttributeError, KeyError):
        return None
    return unit, bool(offset)


def _unit_name(name: str, raw: str, product: _Product) -> pint.Unit:
    found = _lookup(name)
    if found is None:
        raise _refuse(raw, _UNKNOWN, name=name)
    product.offset = product.offset or found[1]
    return found[0]


class _Product:
    """Recursive descent over the tokens of a unit product (depth ≤ 2, ≤ 8 factors)."""

    def __init__(self, tokens: list[tuple[str, str]], raw: str, ureg: pint.UnitRegistry) -> None:
        self.tokens, self.raw, self.ureg = tokens, raw, ureg
        self.i = 0
        self.factors = 0
        self.offset = False

    def _peek(self) -> tuple[str, str] | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def _bad(self) -> UnitError:
        kind_value = self._peek()
        at = kind_value[1] if kind_value else "end"
        return _refuse(self.raw, _BAD_UNIT, at=at)

    def parse(self) -> pint.Unit:
        if not self.tokens:
            return self.ureg.dimensionless
        unit = self._product(0)
        if self._peek() is not None:
            raise self._bad()
        return unit

    def _product(self, depth: int) -> pint.Unit:
        # "1/h": the leading 1 was read as the multiplier
        unit = self.ureg.dimensionless if self._peek() == ("op", "/") else self._factor(depth)
        while (tok := self._peek()) is not None and tok != ("op", ")"):
            if tok[0] == "op" and tok[1] == "/":
                self.i += 1
                unit = unit / self._factor(depth)
            elif tok[0] == "op" and tok[1] in "*·⋅":
                self.i += 1
                unit = unit * self._factor(depth)
            elif tok[0] == "name" or tok == ("op", "("):
                unit = unit * self._factor(depth)  # "g L-1": a space multiplies
            else:
                raise self._bad()
        return unit

    def _factor(self, depth: int) -> pint.Unit:
        tok = self._peek()
        if tok is None:
            raise self._bad()
        self.i += 1
        if tok == ("op", "("):
            if depth >= 2:
                raise self._bad()
            unit = self._product(depth + 1)
            if self._peek() != ("op", ")"):
                raise self._bad()
            self.i += 1
        elif tok[0] == "name":
            self.factors += 1
            if self.factors > MAX_FACTORS:
                raise _refuse(
                    self.raw, N_("the unit '%(unit)s' has more than %(max)s parts"), max=MAX_FACTORS
                )
            unit = self._name(tok[1])
        else:
            self.i -= 1
            raise self._bad()
        exponent = self._exponent()
        if exponent != 1:
            if self.offset:
                raise _refuse(self.raw, N_("the temperature unit in '%(unit)s' must stand alone"))
            unit = unit**exponent
        return unit

    def _exponent(self) -> int:
        tok = self._peek()
        if tok is None:
            return 1
        if tok[0] == "op" and tok[1] in ("^", "**"):
            self.i += 1
            tok = self._peek()
            if tok is None or tok[0] != "int":
                raise self._bad()
        elif tok[0] != "int":
            return 1
        self.i += 1
        value = int(tok[1])
        if value == 0 or abs(value) > MAX_EXPONENT:
            raise _refuse(
                self.raw,
                N_("the power %(power)s in '%(unit)s' lies outside ±%(max)s"),
                power=value,
                max=MAX_EXPONENT,
            )
        return value

    def _name(self, name: str) -> pint.Unit:
        return _unit_name(name, self.raw, self)


@lru_cache(maxsize=4096)
def conversion(
    unit: str, canonical: str, *, molar_mass: float | None = None
) -> tuple[float, float]:
    """``(factor, offset)`` turning values in ``unit`` into ``canonical``: ``x * factor + offset``.

    Offset units (°F, K → °C) keep their offset (98.6 °F → 37 °C); g/L ↔ mmol/L use
    ``molar_mass`` [g/mol] when given. Raises :class:`UnitError` (a ``ValueError``) with a
    readable reason when the unit is refused, unknown or of another kind.
    """
    parsed = parse_unit(unit)
    target = parse_unit(canonical)
    ureg = registry()
    if parsed.offset or target.offset:
        if parsed.multiplier != 1.0 or target.multiplier != 1.0:
            raise UnitError(N_("the temperature unit in '%(unit)s' must stand alone"), unit=unit)
        try:
            zero = ureg.Quantity(0.0, parsed.unit).to(target.unit).magnitude
            hundred = ureg.Quantity(100.0, parsed.unit).to(target.unit).magnitude
        except pint.errors.PintError:
            raise UnitError(
                N_("unit '%(unit)s' cannot be converted to %(target)s"), unit=unit, target=canonical
            ) from None
        return float((hundred - zero) / 100.0), float(zero)
    source_q = ureg.Quantity(parsed.multiplier, parsed.unit)
    target_q = ureg.Quantity(target.multiplier, target.unit)
    candidates = [source_q]
    if molar_mass is not None:
        mm = ureg.Quantity(molar_mass, "g/mol")
        candidates += [source_q * mm, source_q / mm]
    for q in candidates:
        if q.dimensionality == target_q.dimensionality:
            factor = float((q / target_q).to("dimensionless").magnitude)
            if not math.isfinite(factor):
                break
            return factor, 0.0
    raise UnitError(
        N_("unit '%(unit)s' cannot be converted to %(target)s"), unit=unit, target=canonical
    )


def conversion_factor(unit: str, canonical: str, *, molar_mass: float | None = None) -> float:
    """The factor that turns values in ``unit`` into ``canonical`` units.

    Raises ``ValueError`` (:class:`UnitError`) when ``unit`` is refused, unknown, of another kind,
    or an offset scale (use :func:`conversion` for temperatures). A leading number is part of
    the unit (``"400 g/L"`` → 400 in g/L).
    """
    factor, offset = conversion(unit, canonical, molar_mass=molar_mass)
    if offset != 0.0:
        raise UnitError(
            N_("unit '%(unit)s' has an offset from %(target)s; it is not a plain factor"),
            unit=unit,
            target=canonical,
        )
    return factor


_LABEL = re.compile(r"[\w%‰°º./·*^()⁰¹²³⁴⁵⁶⁷⁸⁹⁻+\- ]{1,32}")


def check_label_unit(unit: str) -> None:
    """A unit kept as given (any-unit columns such as a tracer signal): pint-readable by the
    grammar, or a short plain label (``a.u.``, ``RFU``); never evaluated."""
    try:
        parse_unit(unit)
    except UnitError:
        if not _LABEL.fullmatch(unit.strip()):
            raise
    return


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
