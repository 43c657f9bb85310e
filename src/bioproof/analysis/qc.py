"""QC specifications: evaluate results against ``≤``, ``≥``, range and "conforms" limits.

Specification texts: ``≤ 5``, ``<= 5``, ``NMT 5`` (not more than), ``< 5``, ``≥ 90``, ``NLT 90``,
``> 90``, ``90–110`` / ``90 - 110`` / ``90 to 110`` (inclusive), ``conforms`` (also "complies",
"pass"). A unit may follow the numbers (``≤ 5 %``); a result with another unit is converted to
the specification's unit first (``5 mg/mL`` against ``≤ 5000 mg/L`` is 5000 mg/L, at the limit;
units read by the grammar of :mod:`bioproof.analysis.units`, so ``1.2 x10E6 cells/mL`` is
1.2 × 10⁶ cells/mL while the number ``10e6`` is 1 × 10⁷). The Unicode minus (−0.3) is a minus.
Numeric results are rounded to the limit's decimal places before comparison, half up (USP
General Notices 7.20, *Rounding Rules*). A censored result such as ``< 0.5`` (below the
quantitation limit) conforms to an upper limit at or above 0.5.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Context, Decimal, InvalidOperation
from typing import Any, ClassVar

from bioproof.analysis.errors import N_, InputError
from bioproof.analysis.result import Result
from bioproof.analysis.units import UnitError, conversion

_PASS_WORDS = {"conforms", "conform", "complies", "comply", "pass", "passes", "meets", "적합"}
_NUMBER = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?"
_MAX = re.compile(rf"^(?:≤|<=|=<|NMT|not more than|max\.?|<)\s*({_NUMBER})\s*(.*)$", re.I)
_MIN = re.compile(rf"^(?:≥|>=|=>|NLT|not less than|min\.?|>)\s*({_NUMBER})\s*(.*)$", re.I)
_RANGE = re.compile(rf"^({_NUMBER})\s*(?:–|—|-|~|to|\.\.)\s*({_NUMBER})\s*(.*)$", re.I)


@dataclass(frozen=True)
class Specification(Result):
    """A parsed acceptance criterion: ``kind`` is ``max``, ``min``, ``range`` or ``conforms``;
    ``strict`` marks ``<``/``>``; ``decimals`` are the limit's decimal places for rounding."""

    text: str
    kind: str
    low: float | None
    high: float | None
    strict: bool
    unit: str
    decimals: int | None


def _decimals(number: str) -> int | None:
    if "e" in number.lower():
        return None
    return min(15, len(number.split(".")[1])) if "." in number else 0


#: |values| above this are refused (results and limits alike)
MAX_VALUE = 1e300
_WIDE = Context(prec=400)  # enough digits to round any value up to MAX_VALUE to 15 decimals


def _clean(text: object) -> str:
    """One space between words; the Unicode minus (U+2212) as '-'."""
    return " ".join(str(text).replace("\u2212", "-").split())


def parse_spec(text: str) -> Specification:
    """Parse a specification text (see the module docstring); InputError if unreadable."""
    s = _clean(text)
    if len(s) > 200:
        raise InputError(
            N_("the specification '%(spec)s…' is longer than 200 characters"),
            params={"spec": s[:40]},
        )
    spec = _parse_spec(s)
    for limit in (spec.low, spec.high):
        if limit is not None and not abs(limit) <= MAX_VALUE:
            raise InputError(
                N_("specification '%(spec)s': the limit is out of range"), params={"spec": s}
            )
    return spec


def _parse_spec(s: str) -> Specification:
    if s.lower() in _PASS_WORDS or s.lower() in {"conforms to reference", "conforms to standard"}:
        return Specification(s, "conforms", None, None, False, "", None)
    if match := _MAX.match(s):
        strict = s.startswith("<") and not s.startswith("<=")
        return Specification(
            s, "max", None, float(match[1]), strict, match[2].strip(), _decimals(match[1])
        )
    if match := _MIN.match(s):
        strict = s.startswith(">") and not s.startswith(">=")
        return Specification(
            s, "min", float(match[1]), None, strict, match[2].strip(), _decimals(match[1])
        )
    if match := _RANGE.match(s):
        low, high = float(match[1]), float(match[2])
        if low > high:
            raise InputError(
                N_("specification '%(spec)s': the lower limit is above the upper limit"),
                params={"spec": s},
            )
        decimals = [d for d in (_decimals(match[1]), _decimals(match[2])) if d is not None]
        return Specification(
            s, "range", low, high, False, match[3].strip(), max(decimals) if decimals else None
        )
    raise InputError(
        N_(
            "cannot read the specification '%(spec)s'; write e.g. '≤ 5', '≥ 90', '90–110' or "
            "'conforms'"
        ),
        params={"spec": s},
    )


def _rounded(value: Decimal, decimals: int | None) -> Decimal:
    if decimals is None:
        return value
    quantum = Decimal(1).scaleb(-decimals)
    return value.quantize(quantum, rounding=ROUND_HALF_UP, context=_WIDE)


def _in_spec_unit(value: Decimal, unit: str, spec_unit: str) -> Decimal:
    """``value`` [``unit``] in ``spec_unit`` (UnitError if they do not convert)."""
    factor, offset = conversion(unit, spec_unit)
    return _WIDE.add(_WIDE.multiply(value, Decimal(f"{factor:.12g}")), Decimal(f"{offset:.12g}"))


@dataclass(frozen=True)
class QCRow(Result):
    """One test: the reported result, the value compared (after rounding), the verdict and
    the out-of-specification flag (``passed`` is False also when the result is missing)."""

    test: str
    result: str
    value: float | None
    specification: str
    passed: bool
    oos: bool
    note: str


@dataclass(frozen=True)
class QCReport(Result):
    """All tests of a lot: ``conforms`` when every test passed; OOS tests listed by name."""

    KPI_FIELDS: ClassVar[tuple[str, ...]] = ("n_oos",)

    conforms: bool
    n_tests: int
    n_oos: int
    oos_tests: tuple[str, ...]
    rows: tuple[QCRow, ...]


def _evaluate_one(test: str, result: object, spec: Specification, round_to_spec: bool) -> QCRow:
    raw = "" if result is None else str(result).strip()
    if raw == "":
        return QCRow(test, raw, None, spec.text, False, True, "no result reported")
    if spec.kind == "conforms":
        ok = raw.lower() in _PASS_WORDS
        return QCRow(test, raw, None, spec.text, ok, not ok, "" if ok else "does not conform")
    text = _clean(raw).replace(",", "")
    censored = text[:1] == "<" and text[1:2] != "="
    match = re.fullmatch(rf"({_NUMBER})\s*(.{{0,64}})", text.lstrip("<≤= "))
    if match is None:
        return QCRow(test, raw, None, spec.text, False, True, "the result is not a number")
    unit = match[2].strip()
    try:
        number = Decimal(match[1])
        if unit and spec.unit and unit != spec.unit:
            number = _in_spec_unit(number, unit, spec.unit)
        if not abs(number) <= Decimal(MAX_VALUE):
            return QCRow(test, raw, None, spec.text, False, True, "the result is out of range")
        exact = _rounded(number, spec.decimals if round_to_spec else None)
    except UnitError:
        note = f"the result's unit '{unit}' does not convert to the specification's '{spec.unit}'"
        return QCRow(test, raw, None, spec.text, False, True, note)
    except (InvalidOperation, ValueError, OverflowError):
        return QCRow(test, raw, None, spec.text, False, True, "the result is not a number")
    value = float(exact)
    if censored:
        ok = spec.kind == "max" and (exact < spec.high or (not spec.strict and exact <= spec.high))
        note = "" if ok else "a result below a quantitation limit cannot show this criterion"
        return QCRow(test, raw, value, spec.text, ok, not ok, note)
    if spec.kind == "max":
        ok = exact < spec.high if spec.strict else exact <= spec.high
    elif spec.kind == "min":
        ok = exact > spec.low if spec.strict else exact >= spec.low
    else:
        ok = spec.low <= exact <= spec.high
    return QCRow(test, raw, value, spec.text, ok, not ok, "" if ok else "out of specification")


def evaluate_specs(
    results: Mapping[str, object] | Iterable[tuple[str, object]],
    specifications: Mapping[str, str | Specification],
    *,
    round_to_spec: bool = True,
) -> QCReport:
    """Evaluate a lot's results (test → value or text) against its specifications
    (test → text or :class:`Specification`). Every specified test must have a result; a missing
    or non-numeric result is out of specification. Numeric results are rounded to the limit's
    decimals first (USP General Notices 7.20) unless ``round_to_spec`` is False.
    """
    values = dict(results.items() if isinstance(results, Mapping) else results)
    unknown = sorted(set(values) - set(specifications))
    if unknown:
        raise InputError(
            N_("results for tests without a specification: %(tests)s"),
            params={"tests": ", ".join(unknown)},
        )
    rows = []
    for test, spec in specifications.items():
        parsed = spec if isinstance(spec, Specification) else parse_spec(spec)
        rows.append(_evaluate_one(test, values.get(test), parsed, round_to_spec))
    oos = tuple(r.test for r in rows if r.oos)
    return QCReport(
        conforms=not oos,
        n_tests=len(rows),
        n_oos=len(oos),
        oos_tests=oos,
        rows=tuple(rows),
    )


def evaluate_frame(frame: Any) -> QCReport:
    """Evaluate a lot's QC table (columns ``test``, ``result``, ``specification``, as read by
    :func:`bioproof.analysis.io.read_qc`). Every test must be named once and every specification
    must parse; errors name the spreadsheet row (``frame.attrs["rows"]``, else data rows from 2).
    """
    rows = frame.attrs.get("rows") or list(range(2, len(frame) + 2))
    specs: dict[str, Specification] = {}
    results: dict[str, object] = {}
    for i, (test, result, spec) in enumerate(
        zip(frame["test"], frame["result"], frame["specification"], strict=True)
    ):
        test = "" if test is None else str(test).strip()
        if not test or test in specs:
            if not test:
                raise InputError(N_("empty test name"), row=rows[i], column="test")
            raise InputError(
                N_("test '%(test)s' appears twice"),
                row=rows[i],
                column="test",
                params={"test": test},
            )
        try:
            specs[test] = parse_spec(str(spec))
        except InputError as exc:
            raise exc.at(row=rows[i], column="specification") from None
        results[test] = result
    return evaluate_specs(results, specs)
