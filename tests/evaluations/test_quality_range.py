"""Issue 12 (media family): the quality-range criterion (FDA tier 2) — validation, verdict,
explanation, form/API errors and an analysed evaluation."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from bioproof.catalog import actions as catalog
from bioproof.catalog.models import Category
from bioproof.consortium.actions import issue_api_token
from bioproof.core.errors import DomainError
from bioproof.evaluations import actions, criteria, methods, reporting
from bioproof.evaluations.forms import CriterionForm
from bioproof.evaluations.samples import RESIN_PARAMETERS, RESIN_RUNS, breakthrough_csv

from ..conftest import PASSWORD

# reference 12, 13, 14 %: x̄ = 13, s = 1 (n − 1) → x̄ ± 3 s = [10, 16], x̄ ± 2 s = [11, 15],
# min–max = [12, 14]
REF = [12.0, 13.0, 14.0]


def _criterion(value: float = 3.0, min_fraction: float = 0.9) -> SimpleNamespace:
    spec = criteria.clean(
        {
            "kpi": "pqa_main",
            "comparison": "quality_range",
            "value": value,
            "min_fraction": min_fraction,
        },
        source="request",
    )
    return SimpleNamespace(**spec, result=None, passed=None)


def test_quality_range_verdicts_against_hand_computed_ranges() -> None:
    c = _criterion(3.0)
    assert c.value == 3.0 and c.alpha == pytest.approx(0.1) and c.unit == "%"
    assert criteria.quality_min_fraction(c) == 0.9
    # 11 and 15.5 inside [10, 16], 16.5 outside: 2/3 = 66.7 % < 90 % → fails
    result, passed = criteria.evaluate(c, [11.0, 15.5, 16.5], REF)
    assert (result["low"], result["high"]) == pytest.approx((10.0, 16.0))
    assert result["n_inside"] == 2 and result["fraction_inside"] == pytest.approx(2 / 3)
    assert passed is False and result["method"] == "sd" and result["k"] == 3.0
    # the same lots pass when 60 % inside is enough
    _, passed = criteria.evaluate(_criterion(3.0, 0.6), [11.0, 15.5, 16.5], REF)
    assert passed is True
    # k = 2 → [11, 15]: 11 lies on the bound (inside), 15.5 outside
    result, passed = criteria.evaluate(_criterion(2.0, 0.5), [11.0, 15.5], REF)
    assert (result["low"], result["high"]) == pytest.approx((11.0, 15.0))
    assert result["n_inside"] == 1 and passed is True
    # value 0: the reference min–max [12, 14], bounds included
    mm = _criterion(0.0)
    result, passed = criteria.evaluate(mm, [12.0, 14.0, 13.5], REF)
    assert (result["low"], result["high"], result["n_inside"]) == (12.0, 14.0, 3)
    assert passed is True and result["method"] == "minmax" and result["k"] is None
    with pytest.raises(DomainError, match="2 reference"):
        criteria.evaluate(c, [13.0], [13.0])


def test_quality_range_sentence_and_report_text() -> None:
    c = _criterion(3.0)
    c.result, c.passed = criteria.evaluate(c, [12.5, 13.0, 15.9], REF)
    with translation.override("en"):
        assert criteria.explain(c) == (
            "3 of 3 candidate lots inside the reference range 10–16 % (x̄ ± 3 s): within the "
            "quality range (at least 90 % required)."
        )
    comparison, result = reporting.criterion_text(c, "en")
    assert comparison == (
        "FDA quality range x̄ ± 3·s of the reference lots, ≥ 90 % of candidate lots inside"
    )
    assert result.startswith("range 10–16 %; 3/3 lots inside.")
    c.result, c.passed = criteria.evaluate(c, [11.0, 15.5, 16.5], REF)
    with translation.override("en"):
        assert criteria.explain(c).startswith("Only 2 of 3 candidate lots inside")
    with translation.override("ko"):
        assert "품질 범위" in criteria.explain(c)
    assert reporting.criterion_text(c, "ko")[0].startswith("FDA 품질 범위 x̄ ± 3·s")


@pytest.mark.parametrize(
    ("spec", "field"),
    [
        ({"value": -1}, "value"),
        ({"value": 11}, "value"),
        ({"value": "three"}, "value"),
        ({"value": 3, "min_fraction": 0.4}, "min_fraction"),
        ({"value": 3, "min_fraction": 1.2}, "min_fraction"),
        ({"value": 3, "range": "percentile"}, "value"),
    ],
)
def test_bad_quality_range_parameters_are_refused(spec, field) -> None:
    with pytest.raises(DomainError) as exc:
        criteria.clean({"kpi": "pqa_g0f", "comparison": "quality_range", **spec}, source="request")
    assert exc.value.field == field


def test_defaults_and_the_media_template() -> None:
    c = criteria.clean({"kpi": "pqa_g0f", "comparison": "quality_range"}, source="template")
    assert (c["value"], c["alpha"]) == (3.0, pytest.approx(0.1))
    mm = criteria.clean(
        {"kpi": "pqa_g0f", "comparison": "quality_range", "range": "minmax", "value": 3},
        source="template",
    )
    assert mm["value"] == 0.0
    template = next(t for t in methods.TEMPLATES if t["code"] == "media-feeds-quality")
    by_kpi = {c["kpi"]: c["comparison"] for c in template["default_criteria"]}
    for kpi in ("pqa_aggregates", "pqa_main", "pqa_g0f", "pqa_afucosylated"):
        assert by_kpi[kpi] == "quality_range"
        assert kpi in template["kpis"]
    for spec in template["default_criteria"]:
        criteria.clean(spec, source="template")  # every default is valid


def test_form_turns_percent_into_a_fraction() -> None:
    form = CriterionForm(
        {
            "kpi": "pqa_main",
            "comparison": "quality_range",
            "value": 2.5,
            "alpha": 0.05,
            "min_fraction": 80,
        },
        kpis=["pqa_main"],
    )
    assert form.is_valid(), form.errors
    spec = form.criterion()
    assert spec["min_fraction"] == pytest.approx(0.8)
    assert criteria.clean(spec, source="center")["alpha"] == pytest.approx(0.2)


@pytest.fixture
def resin_planning(people, orgs):
    resin = catalog.register_product(
        by=people["a_staff"],
        supplier=orgs["supplier_a"],
        category=Category.objects.get(code="resins"),
        name_ko="알파 프로틴 A 레진",
        name_en="Alpha Protein A resin",
        specs={"mode": "affinity", "particle_size": 50},
    )
    ev = actions.request_evaluation(
        by=people["a_staff"],
        product=resin,
        center=orgs["center"],
        title="Resin DBC",
        reference_product="Imported Protein A",
        scale="1 mL column",
        titer_margin=None,
    )
    actions.accept(by=people["evaluator"], evaluation=ev)
    return ev


@pytest.mark.django_db
def test_api_and_form_errors_then_an_analysed_quality_range(resin_planning, people) -> None:
    ev = resin_planning
    _, raw = issue_api_token(by=people["evaluator"], name="test")
    api = Client(HTTP_AUTHORIZATION=f"Bearer {raw}", HTTP_ACCEPT_LANGUAGE="en")
    url = f"/api/evaluations/{ev.code}/protocol/criteria"
    bad = api.post(
        url,
        {"kpi": "dbc", "comparison": "quality_range", "value": 3, "min_fraction": 0.3},
        content_type="application/json",
    )
    assert 400 <= bad.status_code < 500 and bad.status_code != 404, bad.content
    assert "between 50 % and 100 %" in bad.content.decode()
    web = Client(HTTP_ACCEPT_LANGUAGE="ko")
    web.force_login(people["evaluator"])
    page = web.post(
        reverse("criterion_add", args=[ev.code]),
        {"kpi": "dbc", "comparison": "quality_range", "value": -2, "alpha": 0.05},
        follow=True,
    )
    assert "품질 범위" in page.content.decode()  # the localized error, on the page
    assert not ev.criteria.filter(comparison="quality_range").exists()  # nothing written
    ok = api.post(
        url,
        {"kpi": "dbc", "comparison": "quality_range", "value": 3, "min_fraction": 0.9},
        content_type="application/json",
    )
    assert ok.status_code == 201, ok.content
    actions.sign_protocol(by=people["approver"], evaluation=ev, password=PASSWORD)
    for arm, label, params in RESIN_RUNS:
        run = actions.add_run(
            by=people["evaluator"], evaluation=ev, arm=arm, label=label, parameters=RESIN_PARAMETERS
        )
        actions.upload_run_data(
            by=people["evaluator"],
            run=run,
            filename=f"{label}.csv",
            data=breakthrough_csv(**params),
            layout="breakthrough",
        )
    actions.analyse(by=people["evaluator"], evaluation=ev)
    criterion = ev.criteria.get(kpi="dbc", comparison="quality_range")
    runs = list(ev.runs.all())
    ref = np.array([r.kpis["dbc"] for r in runs if r.arm == "reference"])
    cand = np.array([r.kpis["dbc"] for r in runs if r.arm == "candidate"])
    low, high = ref.mean() - 3 * ref.std(ddof=1), ref.mean() + 3 * ref.std(ddof=1)
    inside = int(((cand >= low) & (cand <= high)).sum())
    r = criterion.result
    assert (r["low"], r["high"]) == pytest.approx((low, high))
    assert r["n_inside"] == inside and criterion.passed is (inside / 3 >= 0.9)
    # the candidate resin binds ≈ 62 vs ≈ 60 mg/mL with a reference SD ≈ 0.5: outside x̄ ± 3 s
    assert criterion.passed is False
    with translation.override("en"):
        assert criteria.explain(criterion).startswith(f"Only {inside} of 3 candidate lots")
    page = web.get(reverse("evaluation_detail", args=[ev.code]))
    assert "FDA 품질 범위" in page.content.decode()
