"""A chromatography resin walks the full evaluation in the browser: the resin template's
breakthrough layout, run parameters, DBC non-inferiority, signatures, report and publication."""

from __future__ import annotations

import pytest

from bioproof.catalog import actions as catalog
from bioproof.catalog.models import Category
from bioproof.evaluations.models import Evaluation
from bioproof.evaluations.samples import RESIN_PARAMETERS, RESIN_RUNS, breakthrough_csv

from ..conftest import PASSWORD
from .steps import review_and_approve

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),  # _reference_data restores the reference rows
]


def test_resin_evaluation(new_page, people, orgs) -> None:
    resin = catalog.register_product(
        by=people["a_staff"],
        supplier=orgs["supplier_a"],
        category=Category.objects.get(code="resins"),
        name_ko="알파 프로틴 A 레진",
        name_en="Alpha Protein A Resin",
        specs={"mode": "affinity"},
        listed=True,
    )

    supplier = new_page("a_staff", PASSWORD)
    supplier.goto(f"/products/{resin.code}/")
    supplier.click("a[href*='/evaluations/new/']")
    supplier.select_option("#id_center", str(orgs["center"].pk))
    supplier.fill("#id_title", "Protein A DBC")
    supplier.fill("#id_reference_product", "Imported Protein A resin")
    supplier.fill("#id_scale", "1 mL column")
    supplier.fill("#id_titer_margin_pct", "")  # a resin is not judged by titer
    supplier.click("main form button[type=submit]")
    supplier.wait_for_selector("#status")
    code = Evaluation.objects.get(title="Protein A DBC").code

    center = new_page("evaluator", PASSWORD)
    center.goto(f"/evaluations/{code}/")
    center.click("button[data-step=accept]")
    center.wait_for_selector("#status.s-planning")
    assert "resin-dbc" in center.content()

    approver = new_page("approver", PASSWORD)
    approver.goto(f"/evaluations/{code}/")
    approver.fill("#password-sign_protocol", PASSWORD)
    approver.click("button[data-step=sign_protocol]")
    approver.wait_for_selector("#status.s-running")

    center.goto(f"/evaluations/{code}/")
    for arm, label, _params in RESIN_RUNS:
        if not center.is_visible("#id_label"):
            center.click("#add-run summary")
        center.select_option("#id_arm", arm)
        center.fill("#id_label", label)
        for key, value in RESIN_PARAMETERS.items():
            center.fill(f"#param_{key}", str(value))
        center.click("#add-run button[type=submit]")
        center.wait_for_selector(f"tr[data-run='{label}']")
    for _arm, label, params in RESIN_RUNS:
        row = center.locator(f"tr[data-run='{label}']")
        row.locator("input[type=file]").set_input_files(
            {"name": f"{label}.csv", "mimeType": "text/csv", "buffer": breakthrough_csv(**params)}
        )
        row.locator("button[type=submit]").click()
        center.wait_for_selector(f"tr[data-run='{label}'] a[href*='/data/']")
    center.click("button[data-step=analyse]")
    center.wait_for_selector("#status.s-analysed")
    assert center.locator(".verdict.pass").count() >= 1, center.locator(".messages").inner_text()
    assert center.locator("img[src*='curves/breakthrough.svg']").count() == 1
    center.fill("#password-sign_authored", PASSWORD)
    center.click("button[data-step=sign_authored]")
    center.wait_for_selector("#status.s-authored")

    review_and_approve(new_page, code)

    center.goto(f"/evaluations/{code}/")
    center.select_option("#id_language", "ko")
    center.click("button[data-step=report]")
    vcode = center.locator(".vcode").first.inner_text()

    admin = new_page("a_admin", PASSWORD)
    admin.goto(f"/evaluations/{code}/")
    admin.check("input[name=consent]")
    admin.click("button[data-step=publish]")
    admin.wait_for_selector("#status.s-published")

    public = new_page()
    public.goto(f"/verify/?code={vcode}")
    assert public.locator("#verification-result .pass").count() >= 1
    public.goto(f"/track-records/{code}/")
    assert "알파 프로틴 A 레진" in public.content()
    assert public.locator(".verdict.pass").count() >= 1
