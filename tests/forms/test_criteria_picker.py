"""The acceptance-criteria KPI picker: units through pint, a wrong dimension refused with a
message naming the KPI and its unit, percentages read as percentages, no duplicate criteria when
a template and a need merge."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import translation

from bioproof.core.errors import DomainError
from bioproof.core.i18n import human_unit, josa
from bioproof.evaluations import actions as evaluations
from bioproof.evaluations import criteria
from bioproof.evaluations.forms import CriterionForm


def _form(**data: Any) -> CriterionForm:
    base = {"comparison": "minimum", "alpha": 0.05, "direction": ""}
    form = CriterionForm(base | data, kpis=["peak_vcd", "final_titer", "step_yield"])
    assert form.is_valid(), form.errors
    return form


def test_peak_vcd_in_grams_per_litre_is_refused_naming_kpi_and_unit() -> None:
    spec = _form(kpi="peak_vcd", value=5, unit="g/L").criterion()
    with translation.override("en"), pytest.raises(DomainError) as err:
        criteria.clean(spec, source="center")
    assert "Peak viable cell density is measured in ×10⁶ cells/mL" in err.value.message
    assert "'g/L' is a different kind of quantity" in err.value.message
    assert err.value.field == "unit"
    with translation.override("ko"), pytest.raises(DomainError) as err:
        criteria.clean(spec, source="center")
    assert "최대 생세포 농도" in err.value.message and "g/L" in err.value.message


def test_limits_convert_to_the_kpi_unit() -> None:
    # 5e6 cells/mL = 5 × 10⁶ cells/mL; 5000 mg/L = 5 g/L
    vcd = criteria.clean(_form(kpi="peak_vcd", value=5e6, unit="cells/mL").criterion(), source="x")
    assert vcd["value"] == pytest.approx(5.0) and vcd["unit"] == "1e6 cells/mL"
    titer = criteria.clean(
        _form(kpi="final_titer", value=5000, unit="mg/L").criterion(), source="x"
    )
    assert titer["value"] == pytest.approx(5.0) and titer["unit"] == "g/L"
    # the KPI's own unit when none is given
    same = criteria.clean(_form(kpi="final_titer", value=3, unit="").criterion(), source="x")
    assert same["value"] == 3


def test_percent_is_percent() -> None:
    # a limit on a KPI measured in %: 150 % stays 150 %
    limit = criteria.clean(
        _form(kpi="step_yield", comparison="maximum", value=150, unit="%").criterion(),
        source="x",
    )
    assert limit["value"] == pytest.approx(150.0) and limit["relative"] is False
    # a relative margin of 150 % is 1.5 × the reference mean
    margin = criteria.clean(
        _form(kpi="final_titer", comparison="equivalence", value=150, relative=True).criterion(),
        source="x",
    )
    assert margin["value"] == pytest.approx(1.5) and margin["relative"] is True
    # … and 10 % is 0.10 of it
    ten = criteria.clean(
        _form(
            kpi="final_titer", comparison="non_inferiority", value=10, unit="%", relative=True
        ).criterion(),
        source="x",
    )
    assert ten["value"] == pytest.approx(0.10) and ten["higher_is_better"] is True
    # a relative margin written in g/L is refused
    with pytest.raises(DomainError):
        _form(
            kpi="final_titer", comparison="equivalence", value=1, unit="g/L", relative=True
        ).criterion()


def test_picker_shows_unit_and_direction() -> None:
    with translation.override("en"):
        labels = dict(CriterionForm(kpis=["peak_vcd"]).fields["kpi"].choices)
    assert labels["peak_vcd"] == "Peak viable cell density (×10⁶ cells/mL, higher is better)"


def test_an_unreadable_unit_is_refused_not_evaluated() -> None:
    with pytest.raises(DomainError) as err:
        criteria.clean(
            {"kpi": "final_titer", "comparison": "minimum", "value": 1, "unit": "__import__"},
            source="x",
        )
    assert err.value.field == "unit"


def test_picker_posts_through_the_action_and_refuses_a_wrong_unit(
    client: Any, people: Any, requested: Any
) -> None:
    evaluations.accept(by=people["evaluator"], evaluation=requested)
    client.force_login(people["evaluator"])
    url = f"/evaluations/{requested.code}/protocol/criteria/"
    before = requested.criteria.count()
    kpi = "peak_vcd" if "peak_vcd" in (requested.template.kpis or []) else None
    if kpi is None:
        pytest.skip("the media template has no peak VCD")
    r = client.post(
        url,
        {"kpi": kpi, "comparison": "minimum", "value": "5", "unit": "g/L", "alpha": "0.05"},
        follow=True,
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert requested.criteria.count() == before
    assert "is a different kind of quantity" in r.content.decode()
    if requested.criteria.filter(kpi=kpi, comparison="minimum").exists():
        return
    r = client.post(
        url,
        {"kpi": kpi, "comparison": "minimum", "value": "5e6", "unit": "cells/mL", "alpha": "0.05"},
        follow=True,
    )
    added = requested.criteria.get(kpi=kpi, comparison="minimum")
    assert added.value == pytest.approx(5.0) and added.source == "center"


def test_human_units_and_korean_particles() -> None:
    assert human_unit("1e6 cells/mL") == "×10⁶ cells/mL"
    assert human_unit("1e9 cells/mmol") == "×10⁹ cells/mmol"
    assert human_unit("-") == ""
    assert josa("제품", "을") == "제품을" and josa("배지", "을") == "배지를"
    assert josa("레진", "은") == "레진은" and josa("필터", "은") == "필터는"
    assert josa("센터", "이") == "센터가" and josa("EV-2026-0001", "이") == "EV-2026-0001이"
    assert josa("서울", "으로") == "서울로" and josa("공장", "으로") == "공장으로"


def test_spec_errors_have_no_particle_stand_ins() -> None:
    """The message catalogue keeps the English placeholders (tests/core/test_i18n.py), so a
    Korean message is phrased with no particle after a value rather than "'x'은(는)"."""
    from bioproof.catalog.models import Category
    from bioproof.catalog.specs import clean_specs

    resins = Category(
        code="x",
        name_ko="레진",
        name_en="Resins",
        spec_fields=[
            ("particle_size", "Mean particle size", "평균 입자 크기", "number", "µm"),
            ("mode", "Mode", "분리 모드", "choice:affinity|HIC", ""),
        ],
    )
    for bad, expected in (
        ({"particle_size": "작음"}, "숫자가 아닌 값입니다 ('작음')"),
        ({"particle_size": "-1"}, "0 이상의 숫자를 입력하십시오"),
        ({"mode": "magic"}, "허용 값(affinity, HIC)에 없는 값입니다 ('magic')"),
        ({"colour": "red"}, "정의되지 않은 사양 항목입니다: 'colour'"),
    ):
        with translation.override("ko"), pytest.raises(DomainError) as err:
            clean_specs(resins, bad)
        assert expected in err.value.message and "(는)" not in err.value.message
    with translation.override("en"), pytest.raises(DomainError) as err:
        clean_specs(resins, {"particle_size": "abc"})
    assert err.value.message == "Specification 'particle_size': 'abc' is not a number."
