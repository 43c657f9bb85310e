"""In the browser: a customer orders and accepts the quote with a signature, operators execute
steps with a second-person check, an analyst enters and a second analyst verifies a result, QA
releases, the customer downloads the CoA and a visitor verifies it. Bad input gets a clear
message and leaves nothing written."""

from __future__ import annotations

from typing import Any

import pytest

from bioproof.production import actions
from bioproof.production.models import Batch, Construct, Order

from .conftest import PASSWORD, SPEC_TESTS, fasta, template

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_order_to_release_in_the_browser(
    new_page: Any, pp: dict, mbr: Any, spec: Any, lot: Any, ready: Any, tmp_path: Any
) -> None:
    bad, good = tmp_path / "bad.fasta", tmp_path / "spike.fasta"
    bad.write_bytes(fasta(template(polya=20)))
    good.write_bytes(fasta(template()))

    cust = new_page("cust", PASSWORD)
    cust.goto("/production/orders/new/")
    cust.fill("#id_title", "Spike mRNA-LNP")
    cust.select_option("#id_facility", "center2")
    cust.select_option("#id_grade", "gmp_clinical")
    cust.click("main button[type=submit]")
    cust.wait_for_selector("#order-status[data-status='draft']")
    order = Order.objects.get()

    def upload(path: Any) -> None:
        cust.fill("#id_name", "spike")
        cust.set_input_files("#id_file", str(path))
        cust.fill("#id_enzyme", "XbaI")
        cust.fill("#id_quantity_mg", "5")
        cust.select_option("#id_formulation", "lnp")
        for field, value in (
            ("ionizable", "50"),
            ("helper", "10"),
            ("cholesterol", "38.5"),
            ("peg", "1.5"),
        ):
            cust.fill(f"#id_{field}", value)
        cust.click("#add-construct")

    upload(bad)
    cust.wait_for_selector("text=poly(A) 길이 20 nt")
    assert not Construct.objects.exists()
    upload(good)
    cust.wait_for_selector("#constructs td:has-text('spike')")
    cust.click("#submit-order")
    cust.wait_for_selector("#order-status[data-status='submitted']")

    op1 = new_page("op1", PASSWORD)
    op1.goto(f"/production/orders/{order.code}/")
    op1.fill("#id_quote-amount_krw", "50000000")
    op1.fill("#id_quote-lead_days", "60")
    op1.click("#send-quote")
    op1.wait_for_selector("#order-status[data-status='quoted']")

    signer = new_page("cust_signer", PASSWORD)
    signer.goto(f"/production/orders/{order.code}/")
    signer.fill("#id_password", PASSWORD)
    signer.click("#accept-quote")
    signer.wait_for_selector("#order-status[data-status='accepted']")

    op1.goto(f"/production/orders/{order.code}/")
    op1.fill("#id_batch_size", "20")
    op1.click("#start-batch button[type=submit]")
    op1.wait_for_selector("#batch-status[data-status='in_progress']")
    batch = Batch.objects.get()

    op1.fill("input[name=v_temp]", "45 mL")  # wrong unit: refused with its reason
    op1.click("#record-step")
    op1.wait_for_selector("ul.messages")
    assert "mL" in op1.inner_text("ul.messages")
    assert batch.steps.get(key="LIN-01").status == "pending"
    op1.fill("input[name=v_temp]", "37 °C")
    op1.click("#record-step")
    op1.wait_for_selector("tr[data-step='IVT-01'] >> nth=0")
    op1.wait_for_selector("input[name=v_yield]")
    op1.fill("input[name=v_temp]", "37 °C")
    op1.fill("input[name=v_time]", "2 h")
    op1.fill("input[name=v_yield]", "6 mg/mL")
    op1.fill("input[name=equipment_code]", "MF-IVT-01")
    op1.fill("input[name=lot_quantity]", "20 mL")
    op1.click("#record-step")
    op1.wait_for_selector("tr[data-step='IVT-01'] form.verify-step")

    op2 = new_page("op2", PASSWORD)
    op2.goto(f"/production/batches/{batch.code}/")
    op2.fill("tr[data-step='IVT-01'] input[name=password]", PASSWORD)
    op2.click("tr[data-step='IVT-01'] form.verify-step button")
    op2.wait_for_selector("tr[data-step='IVT-01']:not(:has(form.verify-step))")
    assert batch.steps.get(key="IVT-01").status == "verified"

    # the rest of the record and QC through the actions, one result through the pages
    for step in batch.steps.filter(status="pending").order_by("seq"):
        values = {"PUR-01": {"cond": "1 mS/cm"}, "FILL-01": {"vol": "0.5 mL"}}[step.key]
        actions.record_step(by=pp["op1"], step=step, values=values)
    actions.review_batch(by=pp["qa"], batch=batch, password=PASSWORD)
    ds = actions.draw_sample(by=pp["op1"], batch=batch, spec_version=spec, stage="DS")
    dp = actions.draw_sample(by=pp["op1"], batch=batch, spec_version=spec, stage="DP")
    op1.goto(f"/production/batches/{batch.code}/")
    form = f"form.result-form:has(input[name=sample][value='{ds.pk}'])"
    op1.select_option(f"{form} select[name=test_key]", "capping")
    op1.fill(f"{form} input[name=value]", "96")
    op1.fill(f"{form} input[name=unit]", "%")
    op1.click(f"{form} button")
    op1.wait_for_selector("#results td:has-text('capping')")
    for t in SPEC_TESTS:
        if t["key"] == "capping":
            continue
        sample = ds if t["stage"] == "DS" else dp
        kw = (
            {"text_value": "Conforms"}
            if t.get("kind") == "text"
            else {
                "value": 1.0 if t["key"] == "content" else 95,
                "unit": "mg/mL" if t["key"] == "content" else "%",
            }
        )
        r = actions.enter_result(
            by=pp["op1"], sample=sample, test_key=t["key"], instrument_code="MF-UV-01", **kw
        )
        actions.verify_result(by=pp["op2"], result=r, password=PASSWORD)
    op2.goto(f"/production/batches/{batch.code}/")
    op2.fill("#results input[name=password]", PASSWORD)
    op2.click("#results button")
    op2.wait_for_selector("#results:not(:has(input[name=password]))")
    op1.goto(f"/production/batches/{batch.code}/")
    op1.click("#issue-coa")
    op1.wait_for_selector("#coa-link")

    qa = new_page("qa", PASSWORD)
    qa.goto(f"/production/batches/{batch.code}/")
    qa.select_option("#dispose-form select[name=decision]", "release")
    qa.fill("#dispose-form input[name=password]", PASSWORD)
    qa.click("#sign-disposition")
    qa.wait_for_selector("#batch-status[data-status='released']")

    cust.goto(f"/production/batches/{batch.code}/")
    with cust.expect_download() as download:
        cust.click("#coa-link")
    assert download.value.suggested_filename.endswith(".pdf")
    batch.refresh_from_db()
    visitor = new_page()
    visitor.goto("/production/coa/verify/")
    visitor.fill("#id_code", batch.coa.verification_code)
    visitor.click("main button[type=submit]")
    visitor.wait_for_selector("#verification-result[data-status='released']")
