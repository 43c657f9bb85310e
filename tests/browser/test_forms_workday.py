"""In the browser: the KPI picker refuses a limit in a unit of another kind (peak VCD in g/L)
and accepts it in cells/mL; on a phone (390 × 844) no main page is wider than the viewport, for
each role, and the navigation collapses behind a menu button."""

from __future__ import annotations

from typing import Any

import pytest

from bioproof.evaluations import actions as evaluations

from ..conftest import PASSWORD

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
]


def test_criteria_picker_refuses_a_wrong_unit(new_page: Any, people: Any, requested: Any) -> None:
    evaluations.accept(by=people["evaluator"], evaluation=requested)
    before = requested.criteria.count()
    page = new_page("evaluator", PASSWORD)
    page.goto(f"/evaluations/{requested.code}/")
    page.click("#add-criterion summary")
    option = page.locator("#id_kpi option[value=peak_vcd]")
    assert "×10⁶ cells/mL" in option.inner_text()  # the KPI's unit and direction are shown
    page.select_option("#id_kpi", "peak_vcd")
    page.select_option("#id_comparison", "minimum")
    page.fill("#id_value", "5")
    page.fill("#id_unit", "g/L")
    page.click(".criterion-picker button[type=submit]")
    alert = page.locator("ul.messages li.error")
    alert.wait_for()
    text = alert.inner_text()
    assert "g/L" in text and "최대 생세포 농도" in text and "다른 종류" in text
    assert requested.criteria.count() == before
    if not requested.criteria.filter(kpi="peak_vcd", comparison="minimum").exists():
        page.click("#add-criterion summary")
        page.select_option("#id_kpi", "peak_vcd")
        page.select_option("#id_comparison", "minimum")
        page.fill("#id_value", "5000000")
        page.fill("#id_unit", "cells/mL")
        page.click(".criterion-picker button[type=submit]")
        page.locator("ul.messages li.success").wait_for()
        added = requested.criteria.get(kpi="peak_vcd", comparison="minimum")
        assert added.value == pytest.approx(5.0)


PAGES = [
    "/",
    "/products/",
    "/needs/",
    "/track-records/",
    "/training/",
    "/search/?q=배지",
]
SIGNED_IN = ["/evaluations/", "/needs/proposals/", "/notifications/", "/training/my/"]


def _width(page: Any) -> int:
    return int(page.evaluate("document.scrollingElement.scrollWidth"))


def test_phone_viewport_nothing_wider_than_the_screen(
    _reference_data: None,
    browser: Any,
    live_server: Any,
    people: Any,
    requested: Any,
    product_a: Any,
) -> None:
    for username in (None, "a_staff", "evaluator", "demand"):
        context = browser.new_context(
            base_url=live_server.url,
            locale="ko-KR",
            viewport={"width": 390, "height": 844},
            is_mobile=True,
            has_touch=True,
        )
        context.set_default_timeout(20_000)
        page = context.new_page()
        try:
            urls = list(PAGES)
            if username:
                page.goto("/login/")
                page.fill("#id_username", username)
                page.fill("#id_password", PASSWORD)
                page.click("main button[type=submit]")
                page.wait_for_url(f"{live_server.url}/")
                urls += SIGNED_IN
                if username in ("a_staff", "evaluator"):
                    urls += [f"/evaluations/{requested.code}/", f"/products/{product_a.code}/"]
            for url in urls:
                page.goto(url)
                assert _width(page) <= 390, (username, url, _width(page))
            # the menu is collapsed and opens with its button
            page.goto("/")
            assert page.locator("#site-nav").is_hidden()
            page.click("[data-nav-toggle]")
            assert page.locator("#site-nav").is_visible()
            assert page.locator("[data-nav-toggle]").get_attribute("aria-expanded") == "true"
            assert _width(page) <= 390
        finally:
            context.close()
