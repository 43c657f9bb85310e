"""List exports: exactly the rows the user may see, filtered as the page is, and no cell a
spreadsheet would evaluate."""

from __future__ import annotations

import io
from typing import Any

import pytest
from openpyxl import load_workbook

from bioproof.catalog import actions as catalog
from bioproof.core.exports import safe_cell


def _csv(response: Any) -> str:
    return b"".join(response.streaming_content).decode("utf-8-sig")


def test_formula_injection_is_neutralised() -> None:
    for raw in ('=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)", "\tx", "\rx"):
        assert safe_cell(raw) == "'" + raw
    assert safe_cell("plain") == "plain" and safe_cell(-3.5) == -3.5 and safe_cell(None) == ""


@pytest.mark.django_db
def test_product_export_is_what_the_user_sees(
    client: Any, people: Any, orgs: Any, media_category: Any
) -> None:
    listed = catalog.register_product(
        by=people["a_staff"],
        supplier=orgs["supplier_a"],
        category=media_category,
        name_ko="=cmd|' /C calc'!A0",
        name_en="Listed medium",
        listed=True,
    )
    draft = catalog.register_product(
        by=people["b_admin"],
        supplier=orgs["supplier_b"],
        category=media_category,
        name_ko="비밀 초안",
        name_en="Secret draft",
    )
    anonymous = _csv(client.get("/products/?export=csv"))
    assert listed.code in anonymous and draft.code not in anonymous
    assert "'=cmd|" in anonymous  # written as text
    client.force_login(people["b_admin"])
    own = client.get("/products/?export=xlsx")
    sheet = load_workbook(io.BytesIO(own.content)).active
    codes = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert sorted(codes) == sorted([listed.code, draft.code])
    names = [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert "'=cmd|' /C calc'!A0" in names
    # the page's filters apply to the export and to the API alike
    only_drafts = _csv(client.get("/products/?export=csv&status=draft"))
    assert draft.code in only_drafts and listed.code not in only_drafts
    api = client.get("/api/products?status=draft").json()
    assert [p["code"] for p in api["items"]] == [draft.code]
    sorted_page = client.get("/products/?sort=code").content.decode()
    assert sorted_page.index(listed.code) < sorted_page.index(draft.code)


@pytest.mark.django_db
def test_evaluation_export_respects_confidentiality(
    client: Any, people: Any, requested: Any
) -> None:
    client.force_login(people["a_staff"])
    assert requested.code in _csv(client.get("/evaluations/?export=csv"))
    client.force_login(people["b_admin"])
    assert requested.code not in _csv(client.get("/evaluations/?export=csv"))
    client.force_login(people["evaluator"])
    got = _csv(client.get("/evaluations/?export=csv&status=requested"))
    assert requested.code in got
    assert requested.code not in _csv(client.get("/evaluations/?export=csv&status=approved"))
