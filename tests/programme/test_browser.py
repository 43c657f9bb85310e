"""The public dashboard on a phone: no page wider than the viewport, charts drawn."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser


def test_public_dashboard_fits_a_phone(new_page) -> None:
    page = new_page()
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/programme/")
    assert page.locator("svg.chart").count() >= 5
    width = page.evaluate("document.scrollingElement.scrollWidth")
    assert width <= 390, width
