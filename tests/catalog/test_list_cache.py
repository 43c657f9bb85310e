"""The catalog list: anonymous visitors share a body rendered once per catalog state; signed-in
users get their own (their organization's unlisted products), never a shared one."""

from __future__ import annotations

import pytest
from django.test import Client

from bioproof.catalog import actions as catalog
from bioproof.catalog.models import Category, Product

pytestmark = pytest.mark.django_db


def _codes(client: Client, query: str = "") -> list[str]:
    html = client.get(f"/products/{query}").content.decode()
    table = html[html.index("<table") : html.index("</table>")]
    return [chunk.split("/")[0] for chunk in table.split('href="/products/')[1:]]


def _product(people, orgs, name: str, listed: bool, org: str = "supplier_a") -> Product:
    return catalog.register_product(
        by=people["a_staff"] if org == "supplier_a" else people["b_admin"],
        supplier=orgs[org],
        category=Category.objects.get(code="media"),
        name_ko=name,
        name_en=name,
        specs={},
        listed=listed,
    )


def test_anonymous_list_follows_listing_and_unlisting(people, orgs) -> None:
    listed = _product(people, orgs, "listed", True)
    draft = _product(people, orgs, "draft", False)
    anonymous = Client()
    assert _codes(anonymous) == [listed.code]
    assert _codes(anonymous) == [listed.code]  # the shared body
    catalog.list_product(by=people["a_staff"], product=draft)
    assert set(_codes(anonymous)) == {listed.code, draft.code}
    catalog.unlist_product(by=people["a_staff"], product=listed, reason="discontinued")
    assert _codes(anonymous) == [draft.code]


def test_signed_in_users_never_get_the_shared_body(people, orgs) -> None:
    listed = _product(people, orgs, "listed", True)
    draft_a = _product(people, orgs, "draft A", False)
    anonymous, a_staff, b_admin = Client(), Client(), Client()
    a_staff.force_login(people["a_staff"])
    b_admin.force_login(people["b_admin"])
    assert _codes(anonymous) == [listed.code]
    assert set(_codes(a_staff)) == {listed.code, draft_a.code}  # its own draft
    assert _codes(b_admin) == [listed.code]  # a competitor's draft: never
    assert _codes(anonymous) == [listed.code]  # nor the anonymous visitors


def test_export_is_never_the_cached_page(people, orgs) -> None:
    listed = _product(people, orgs, "listed", True)
    client = Client()
    client.get("/products/")
    response = client.get("/products/?export=csv")
    assert response["Content-Type"].startswith("text/csv")
    assert listed.code in b"".join(response.streaming_content).decode()


def test_anonymous_product_page_follows_edits_and_unlisting(people, orgs) -> None:
    product = _product(people, orgs, "listed", True)
    url = f"/products/{product.code}/"
    anonymous, supplier = Client(), Client()
    supplier.force_login(people["a_staff"])
    assert "listed" in anonymous.get(url).content.decode()
    assert 'id="unlist-product"' not in anonymous.get(url).content.decode()  # kept
    assert 'id="unlist-product"' in supplier.get(url).content.decode()  # rendered for them
    assert 'id="unlist-product"' not in anonymous.get(url).content.decode()
    catalog.update_product(
        by=people["a_staff"], product=product, name_ko="개명", name_en="Renamed", specs={}
    )
    page = anonymous.get(url).content.decode()
    assert "<title>개명" in page or "개명" in page.split("</title>")[0]
    catalog.unlist_product(by=people["a_staff"], product=product, reason="discontinued")
    assert anonymous.get(url).status_code == 404
    assert supplier.get(url).status_code == 200


def test_a_draft_is_not_found_until_listed(people, orgs) -> None:
    draft = _product(people, orgs, "draft", False)
    url = f"/products/{draft.code}/"
    anonymous = Client()
    assert anonymous.get(url).status_code == 404
    catalog.list_product(by=people["a_staff"], product=draft)
    assert anonymous.get(url).status_code == 200
