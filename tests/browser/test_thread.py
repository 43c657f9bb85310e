"""A person walks the thread: login → request → runs and data → analysis → three signatures →
report → consent → public track-record page without login."""

from __future__ import annotations

import pytest

from bioproof.evaluations.models import Evaluation
from bioproof.evaluations.samples import DEMO_RUNS, fed_batch_csv

from ..conftest import PASSWORD
from .steps import review_and_approve

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),  # _reference_data restores the reference rows
]


def test_supplier_to_public_track_record(new_page, people, orgs, product_a) -> None:
    page = new_page("a_staff", PASSWORD)
    assert "로그아웃" in page.content()  # Korean by default
    page.goto(f"/products/{product_a.code}/")
    page.click("a[href*='/evaluations/new/']")
    page.select_option("#id_center", str(orgs["center"].pk))
    page.fill("#id_title", "Browser thread")
    page.fill("#id_reference_product", "Imported medium")
    page.fill("#id_scale", "50 L STR")
    page.click("main form button[type=submit]")
    page.wait_for_selector("#status")
    code = Evaluation.objects.get(title="Browser thread").code
    assert code in page.content()

    page = new_page("evaluator", PASSWORD)
    page.goto(f"/evaluations/{code}/")
    page.click("button[data-step=accept]")
    page.wait_for_selector("#status.s-planning")
    assert page.locator("table.criteria tbody tr").count() >= 1  # from the request + template

    approver = new_page("approver", PASSWORD)
    approver.goto(f"/evaluations/{code}/")
    approver.fill("#password-sign_protocol", PASSWORD)
    approver.click("button[data-step=sign_protocol]")
    approver.wait_for_selector("#status.s-running")

    page.goto(f"/evaluations/{code}/")
    for arm, label, _params in DEMO_RUNS:
        if not page.is_visible("#id_label"):
            page.click("#add-run summary")
        page.select_option("#id_arm", arm)
        page.fill("#id_label", label)
        page.fill("#id_batch_id", f"B-{label}")
        page.click("#add-run button[type=submit]")
        page.wait_for_selector(f"tr[data-run='{label}']")
    for _arm, label, params in DEMO_RUNS:
        row = page.locator(f"tr[data-run='{label}']")
        row.locator("input[type=file]").set_input_files(
            {"name": f"{label}.csv", "mimeType": "text/csv", "buffer": fed_batch_csv(**params)}
        )
        row.locator("button[type=submit]").click()
        page.wait_for_selector(f"tr[data-run='{label}'] a[href*='/data/']")
    page.click("button[data-step=analyse]")
    page.wait_for_selector(".verdict.pass")
    page.fill("#password-sign_authored", PASSWORD)
    page.click("button[data-step=sign_authored]")
    page.wait_for_selector("#signatures")

    review_and_approve(new_page, code)

    page.goto(f"/evaluations/{code}/")
    page.select_option("#id_language", "en")
    page.click("button[data-step=report]")
    vcode = page.locator(".vcode").first.inner_text()
    assert len(vcode) == 14

    admin = new_page("a_admin", PASSWORD)
    admin.goto(f"/evaluations/{code}/")
    admin.check("input[name=consent]")
    admin.click("button[data-step=publish]")
    admin.wait_for_selector("#status.s-published")

    public = new_page()
    public.goto(f"/track-records/{code}/")
    text = public.content()
    assert "알파 CHO 배지" in text and vcode in text
    assert public.locator(".verdict.pass").count() >= 1
    assert public.locator(".verdict.fail").count() == 0
    public.click("button[data-lang=en]")
    public.wait_for_selector("html[lang=en]")
    assert "Alpha CHO Medium" in public.content()
