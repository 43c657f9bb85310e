"""QC specifications: evaluate results against ``≤``, ``≥``, range and "conforms" limits.

Specification texts: ``≤ 5``, ``<= 5``, ``NMT 5`` (not more than), ``< 5``, ``≥ 90``, ``NLT 90``,
``> 90``, ``90–110`` / ``90 - 110`` / ``90 to 110`` (inclusive), ``conforms`` (also "complies",
"pass"). A unit may follow the numbers (``≤ 5 %``); results are compared in the specification's
unit. Numeric results are rounded to the limit's decimal places before comparison, half up (USP
General Notices 7.20, *Rounding Rules*). A censored result such as ``< 0.5`` (below the
quantitation limit) conforms to an upper limit at or above 0.5.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any, ClassVar

from bioproof.analysis.errors import InputError
from bioproof.analysis.result import Result

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
    return len(number.split(".")[1]) if "." in number else 0


def parse_spec(text: str) -> Specification:
    """Parse a specification text (see the module docstring); InputError if unreadable."""
    s = " ".join(str(text).split())
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
            raise InputError(f"specification '{s}': the lower limit is above the upper limit")
        decimals = [d for d in (_decimals(match[1]), _decimals(match[2])) if d is not None]
        return Specification(
            s, "range", low, high, False, match[3].strip(), max(decimals) if decimals else None
        )
    raise InputError(
        f"cannot read the specification '{s}'; write e.g. '≤ 5', '≥ 90', '90–110' or 'conforms'"
    )


def _rounded(value: str, decimals: int | None) -> float:
    if decimals is None:
        return float(value)
    quantum = Decimal(1).scaleb(-decimals)
    return float(Decimal(value).quantize(quantum, rounding=ROUND_HALF_UP))


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
    text = raw.replace(",", "")
    censored = text[:1] == "<" and text[1:2] != "="
    match = re.fullmatch(rf"({_NUMBER})\s*(\S*)", text.lstrip("<≤= "))
    if match is None or (match[2] and spec.unit and match[2] != spec.unit):
        return QCRow(test, raw, None, spec.text, False, True, "the result is not a number")
    try:
        value = _rounded(match[1], spec.decimals if round_to_spec else None)
    except (InvalidOperation, ValueError):
        return QCRow(test, raw, None, spec.text, False, True, "the result is not a number")
    if censored:
        ok = spec.kind == "max" and (value < spec.high or (not spec.strict and value <= spec.high))
        note = "" if ok else "a result below a quantitation limit cannot show this criterion"
        return QCRow(test, raw, value, spec.text, ok, not ok, note)
    if spec.kind == "max":
        ok = value < spec.high if spec.strict else value <= spec.high
    elif spec.kind == "min":
        ok = value > spec.low if spec.strict else value >= spec.low
    else:
        ok = spec.low <= value <= spec.high
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
        raise InputError(f"results for tests without a specification: {', '.join(unknown)}")
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
            problem = "empty test name" if not test else f"test '{test}' appears twice"
            raise InputError(problem, row=rows[i], column="test")
        try:
            specs[test] = parse_spec(str(spec))
        except InputError as exc:
            raise InputError(exc.problem, row=rows[i], column="specification") from None
        results[test] = result
    return evaluate_specs(results, specs)
