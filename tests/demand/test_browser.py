"""A demand company, in the browser: posts a need, finds a domestic product by a Korean search,
invites its supplier, accepts the proposal and requests a demand-tailored evaluation."""

from __future__ import annotations

import pytest

from bioproof.catalog.models import Category
from bioproof.demand.models import Need, Proposal
from bioproof.evaluations.models import Criterion

from ..conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _categories(db) -> None:
    """A transactional test flushes the tables after it, data-migration rows included: put the
    category tree back when an earlier transactional test took it away."""
    from bioproof.catalog.categories import CATEGORIES

    by_code: dict[str, Category] = {}
    for code, parent, name_en, name_ko, fields in CATEGORIES:
        by_code[code], _ = Category.objects.update_or_create(
            code=code,
            defaults={
                "parent": by_code.get(parent),
                "name_en": name_en,
                "name_ko": name_ko,
                "spec_fields": [list(f) for f in fields],
            },
        )


def test_demand_company_finds_a_product_and_requests_an_evaluation(
    new_page, people, orgs, listed_a
) -> None:
    demand = new_page("demand", PASSWORD)
    assert "로그아웃" in demand.content()  # Korean by default

    # 1. post a need
    demand.goto("/needs/new/")
    demand.fill("#id_title", "국산 CHO 배지 대체")
    demand.select_option("#id_category", str(Category.objects.get(code="media").pk))
    demand.fill("#id_incumbent", "수입 CD CHO 배지")
    demand.fill("#id_organism", "CHO-K1")
    demand.fill("#id_scale", "200 L")
    demand.fill("#id_required_specs", "format = powder")
    demand.fill("#id_criteria", "final_titer equivalence 10 %\npeak_vcd minimum 10")
    demand.select_option("#id_visibility", "consortium")
    demand.click("#need-form button[type=submit]")
    demand.wait_for_selector("#need-status")
    need = Need.objects.get()
    assert need.code in demand.content()

    # 2. find the product with a Korean query in the header search box
    demand.fill("header input[name=q]", "배지")
    demand.press("header input[name=q]", "Enter")
    demand.wait_for_selector(f"#results tr[data-code='{listed_a.code}']")
    demand.click(f"#results tr[data-code='{listed_a.code}'] td:nth-child(3) a")
    demand.wait_for_url(f"**/products/{listed_a.code}/")
    assert "알파 CHO 배지" in demand.content()

    # 3. the need's matching ranks it; invite its supplier
    demand.goto(f"/needs/{need.code}/")
    row = demand.locator(f"#matches tr[data-product='{listed_a.code}']")
    assert "spec-met" in row.inner_html()
    row.locator(f"button[data-invite='{listed_a.code}']").click()
    demand.wait_for_selector(f"#proposals tr[data-product='{listed_a.code}']")

    # 4. the supplier answers the invitation
    supplier = new_page("a_staff", PASSWORD)
    supplier.goto(f"/needs/{need.code}/")
    supplier.select_option("#id_product", str(listed_a.pk))
    supplier.fill("#id_message", "국산 분말 배지로 제안합니다.")
    supplier.click("#propose button[type=submit]")
    supplier.wait_for_selector("#proposals .s-submitted")

    # 5. the demand company accepts and requests the demand-tailored evaluation
    demand.goto(f"/needs/{need.code}/")
    demand.click("button[data-step=accept]")
    demand.wait_for_selector("#proposals .s-accepted")
    demand.click("a[data-step=evaluate]")
    demand.select_option("#id_center", str(orgs["center"].pk))
    demand.fill("#id_title", "수요 맞춤형 배지 평가")
    demand.click("#evaluation-form button[type=submit]")
    demand.wait_for_selector("#need-status")
    proposal = Proposal.objects.get()
    assert proposal.status == "accepted" and proposal.evaluation is not None
    evaluation = proposal.evaluation
    assert evaluation.code in demand.content()
    assert evaluation.reference_product == "수입 CD CHO 배지"
    sources = set(evaluation.criteria.values_list("kpi", "source"))
    assert sources == {("final_titer", Criterion.Source.NEED), ("peak_vcd", Criterion.Source.NEED)}
