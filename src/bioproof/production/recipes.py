"""Validation of MBR procedures (ISA-88: procedure → unit procedures → operations → steps), bills
of materials and specification tests. Bounded; units read by the analysis engine's unit grammar
(never evaluated)."""

from __future__ import annotations

import math
import re
from typing import Any

from django.utils.translation import gettext as _

from bioproof.analysis.units import UnitError, parse_unit
from bioproof.core.errors import DomainError

MAX_UNIT_PROCEDURES = 20
MAX_OPERATIONS = 50
MAX_STEPS = 1000
MAX_VALUES_PER_STEP = 30
KEY_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$")


def _err(where: str, message: str, field: str = "procedure") -> DomainError:
    return DomainError(f"{where}: {message}", field=field)


def _str(value: Any, where: str, what: str, *, max_length: int = 200, required: bool = True) -> str:
    text = str(value or "").strip()
    if required and not text:
        raise _err(where, _("%(what)s is required.") % {"what": what})
    if len(text) > max_length:
        raise _err(
            where, _("%(what)s is longer than %(n)d characters.") % {"what": what, "n": max_length}
        )
    return text


def _num(value: Any, where: str, what: str, *, optional: bool = False) -> float | None:
    if value is None or value == "":
        if optional:
            return None
        raise _err(where, _("%(what)s is required.") % {"what": what})
    try:
        x = float(value)
    except (TypeError, ValueError):
        raise _err(
            where, _("%(what)s '%(v)s' is not a number.") % {"what": what, "v": value}
        ) from None
    if not math.isfinite(x):
        raise _err(where, _("%(what)s '%(v)s' is not a number.") % {"what": what, "v": value})
    return x


def clean_unit(unit: Any, where: str, field: str = "procedure") -> str:
    text = str(unit or "").strip()
    if not text:
        raise _err(where, _("the unit is required."), field)
    try:
        parse_unit(text)
    except UnitError as exc:
        raise _err(where, _(exc.template) % exc.params, field) from None
    return text


def _limits(item: dict[str, Any], where: str, *, target: bool) -> dict[str, Any]:
    low = _num(item.get("low"), where, _("the low limit"), optional=True)
    high = _num(item.get("high"), where, _("the high limit"), optional=True)
    if low is None and high is None:
        raise _err(where, _("give a low limit, a high limit or both."))
    if low is not None and high is not None and low > high:
        raise _err(
            where,
            _("the low limit %(lo)g is above the high limit %(hi)g.") % {"lo": low, "hi": high},
        )
    out: dict[str, Any] = {"low": low, "high": high}
    if target:
        t = _num(item.get("target"), where, _("the target"), optional=True)
        if t is not None and ((low is not None and t < low) or (high is not None and t > high)):
            raise _err(where, _("the target %(t)g lies outside its limits.") % {"t": t})
        out["target"] = t
    return out


def clean_procedure(procedure: Any, bom_materials: set[str]) -> dict[str, Any]:
    """The validated procedure; raises DomainError naming the unit procedure, operation, step and
    field."""
    if not isinstance(procedure, dict) or not isinstance(procedure.get("unit_procedures"), list):
        raise DomainError(_("The procedure must list its unit procedures."), field="procedure")
    ups = procedure["unit_procedures"]
    if not ups or len(ups) > MAX_UNIT_PROCEDURES:
        raise DomainError(
            _("A procedure has 1 to %(n)d unit procedures.") % {"n": MAX_UNIT_PROCEDURES},
            field="procedure",
        )
    keys: set[str] = set()
    n_steps = 0
    out_ups = []
    for i, up in enumerate(ups, 1):
        up_where = _("unit procedure %(n)d") % {"n": i}
        up_name = _str(up.get("name"), up_where, _("the name"), max_length=100)
        ops = up.get("operations") or []
        if not isinstance(ops, list) or not ops or len(ops) > MAX_OPERATIONS:
            raise _err(
                up_where, _("a unit procedure has 1 to %(n)d operations.") % {"n": MAX_OPERATIONS}
            )
        out_ops = []
        for j, op in enumerate(ops, 1):
            op_where = f"{up_where} '{up_name}', " + _("operation %(n)d") % {"n": j}
            op_name = _str(op.get("name"), op_where, _("the name"), max_length=100)
            steps = op.get("steps") or []
            if not isinstance(steps, list) or not steps:
                raise _err(op_where, _("an operation has at least one step."))
            out_steps = []
            for step in steps:
                n_steps += 1
                if n_steps > MAX_STEPS:
                    raise DomainError(
                        _("A procedure has at most %(n)d steps.") % {"n": MAX_STEPS},
                        field="procedure",
                    )
                out_steps.append(_clean_step(step, f"{op_where} '{op_name}'", keys, bom_materials))
            out_ops.append({"name": op_name, "steps": out_steps})
        out_ups.append({"name": up_name, "operations": out_ops})
    return {"unit_procedures": out_ups}


def _clean_step(step: Any, where: str, keys: set[str], bom_materials: set[str]) -> dict[str, Any]:
    if not isinstance(step, dict):
        raise _err(where, _("a step must be an object."))
    key = str(step.get("key") or "").strip()
    where = f"{where}, " + _("step %(k)s") % {"k": key or "?"}
    if not KEY_RE.match(key):
        raise _err(where, _("the step key must be 1–40 letters, digits, '.', '-' or '_'."))
    if key in keys:
        raise _err(where, _("step key %(k)s is used twice.") % {"k": key})
    keys.add(key)
    values: list[dict[str, Any]] = []
    seen: set[str] = set()
    for kind in ("parameters", "ipc"):
        for item in step.get(kind) or []:
            vkey = str(item.get("key") or "").strip()
            vwhere = f"{where}, '{vkey or '?'}'"
            if not KEY_RE.match(vkey):
                raise _err(vwhere, _("the key must be 1–40 letters, digits, '.', '-' or '_'."))
            if vkey in seen:
                raise _err(vwhere, _("key %(k)s is used twice in this step.") % {"k": vkey})
            seen.add(vkey)
            values.append(
                {
                    "key": vkey,
                    "kind": "parameter" if kind == "parameters" else "ipc",
                    "name": _str(item.get("name") or vkey, vwhere, _("the name"), max_length=100),
                    "unit": clean_unit(item.get("unit"), vwhere),
                    "cpp": bool(item.get("cpp")) if kind == "parameters" else False,
                    **_limits(item, vwhere, target=kind == "parameters"),
                }
            )
    if len(values) > MAX_VALUES_PER_STEP:
        raise _err(where, _("a step records at most %(n)d values.") % {"n": MAX_VALUES_PER_STEP})
    materials = [str(m).strip() for m in step.get("materials") or []]
    for m in materials:
        if m not in bom_materials:
            raise _err(where, _("material '%(m)s' is not in the bill of materials.") % {"m": m})
    return {
        "key": key,
        "instruction": _str(step.get("instruction"), where, _("the instruction"), max_length=2000),
        "critical": bool(step.get("critical")),
        "equipment_class": _str(
            step.get("equipment_class"),
            where,
            _("the equipment class"),
            max_length=60,
            required=False,
        ),
        "values": values,
        "materials": materials,
    }


def clean_bom(bom: Any) -> list[dict[str, Any]]:
    if not isinstance(bom, list) or len(bom) > 200:
        raise DomainError(_("The bill of materials is a list of at most 200 lines."), field="bom")
    out, seen = [], set()
    for i, line in enumerate(bom, 1):
        where = _("BOM line %(n)d") % {"n": i}
        material = _str(line.get("material"), where, _("the material"), max_length=100)
        if material in seen:
            raise _err(where, _("material '%(m)s' is listed twice.") % {"m": material}, "bom")
        seen.add(material)
        qty = _num(line.get("quantity"), where, _("the quantity"))
        if qty is None or qty <= 0:
            raise _err(where, _("the quantity must be positive."), "bom")
        out.append(
            {
                "material": material,
                "quantity": qty,
                "unit": clean_unit(line.get("unit"), where, "bom"),
            }
        )
    return out


def scaled_bom(bom: list[dict[str, Any]], scale: float) -> list[dict[str, Any]]:
    """The BOM for a batch ``scale`` times the nominal batch size (linear scaling)."""
    return [{**line, "quantity": round(line["quantity"] * scale, 6)} for line in bom]


STAGES = ("DS", "DP")


def clean_spec_tests(tests: Any) -> list[dict[str, Any]]:
    """Specification tests: key, names, stage (DS/DP), method, kind numeric (unit and limits) or
    text (the expected result, e.g. 'Conforms'), and whether an instrument must be named."""
    if not isinstance(tests, list) or not tests or len(tests) > 100:
        raise DomainError(_("A specification has 1 to 100 tests."), field="tests")
    out, seen = [], set()
    for i, t in enumerate(tests, 1):
        key = str(t.get("key") or "").strip()
        where = _("test %(n)d (%(k)s)") % {"n": i, "k": key or "?"}
        if not KEY_RE.match(key):
            raise _err(where, _("the key must be 1–40 letters, digits, '.', '-' or '_'."), "tests")
        stage = str(t.get("stage") or "").upper()
        if stage not in STAGES:
            raise _err(where, _("the stage must be DS or DP."), "tests")
        if (key, stage) in seen:
            raise _err(where, _("this test is listed twice for %(s)s.") % {"s": stage}, "tests")
        seen.add((key, stage))
        kind = t.get("kind") or "numeric"
        item: dict[str, Any] = {
            "key": key,
            "stage": stage,
            "name_ko": _str(t.get("name_ko") or key, where, _("the Korean name"), max_length=200),
            "name_en": _str(t.get("name_en") or key, where, _("the English name"), max_length=200),
            "method": _str(t.get("method"), where, _("the method"), max_length=200),
            "kind": kind,
            "instrument": bool(t.get("instrument")),
        }
        if kind == "numeric":
            item["unit"] = clean_unit(t.get("unit"), where, "tests")
            item.update(_limits(t, where, target=False))
        elif kind == "text":
            item["expected"] = _str(
                t.get("expected"), where, _("the expected result"), max_length=200
            )
        else:
            raise _err(where, _("the kind must be 'numeric' or 'text'."), "tests")
        out.append(item)
    return out


def limits_text(item: dict[str, Any]) -> str:
    if item.get("kind") == "text":
        return item["expected"]
    low, high, unit = item.get("low"), item.get("high"), item.get("unit", "")
    if low is not None and high is not None:
        return f"{low:g}–{high:g} {unit}".strip()
    if low is not None:
        return f"≥ {low:g} {unit}".strip()
    return f"≤ {high:g} {unit}".strip()
