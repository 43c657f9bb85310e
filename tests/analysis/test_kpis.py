"""Every KPI any result emits is described in KPIS, in English and Korean."""

from __future__ import annotations

import re

from bioproof.analysis import (
    ENGINE_VERSION,
    bioreactor,
    chromatography,
    control,
    filtration,
    gas,
    kinetics,
    media,
    qc,
    resins,
    single_use,
    tff,
)
from bioproof.analysis.kpis import KPIS
from bioproof.analysis.result import Result

HANGUL = re.compile(r"[\uac00-\ud7a3]")


def _result_classes() -> list[type[Result]]:
    modules = (kinetics, gas, chromatography, filtration, control, qc)
    modules += (bioreactor, tff, resins, media, single_use)
    return [
        obj
        for module in modules
        for obj in vars(module).values()
        if isinstance(obj, type) and issubclass(obj, Result) and obj is not Result
    ]


def test_every_kpi_field_is_listed() -> None:
    classes = _result_classes()
    assert len(classes) >= 25
    for cls in classes:
        fields = set(cls.__dataclass_fields__)
        for key in cls.KPI_FIELDS:
            assert key in KPIS, f"{cls.__name__}.{key} missing from KPIS"
            assert key in fields, f"{cls.__name__} has no field {key}"


def test_kpi_definitions_are_complete() -> None:
    for key, kpi in KPIS.items():
        assert kpi.key == key
        assert kpi.label_en and kpi.unit and kpi.description and kpi.reference
        assert HANGUL.search(kpi.label_ko), key
    assert KPIS["mu_exp"].label_ko.startswith("비성장속도")
    assert KPIS["qp"].unit == "pg/(cell·d)"
    assert re.fullmatch(r"\d+\.\d+\.\d+", ENGINE_VERSION)
