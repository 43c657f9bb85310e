"""Keyset pagination: walking a list by cursor gives exactly the rows of the offset pages, in
order, without repeats; the policy still applies; a bad cursor is a 422 (API) or the first page
(HTML), never a 500."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from bioproof.catalog.models import Category, Product
from bioproof.core import pagination

pytestmark = [pytest.mark.django_db, pytest.mark.tampers]  # the catalog is bulk-created


@pytest.fixture
def catalog(orgs) -> list[Product]:
    media = Category.objects.get(code="media")
    same = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)
    rows = [
        Product(
            code=f"PR-K{i:04d}",
            supplier=orgs["supplier_a"] if i % 3 else orgs["supplier_b"],
            category=media,
            name_ko=f"배지 {i}",
            name_en=f"Medium {i}",
            status="draft" if i % 5 == 0 else "listed",
        )
        for i in range(130)
    ]
    created = Product.objects.bulk_create(rows)
    # ties on created_at: the keyset must break them by id
    Product.objects.filter(pk__in=[p.pk for p in created[:30]]).update(created_at=same)
    return created


def _walk_api(client: Client, limit: int) -> list[str]:
    codes: list[str] = []
    cursor = None
    for _ in range(100):
        params = {"limit": limit, **({"cursor": cursor} if cursor else {})}
        body = client.get("/api/products", params).json()
        codes += [p["code"] for p in body["items"]]
        cursor = body["next_cursor"]
        if not cursor:
            return codes
    raise AssertionError("cursor walk did not end")


def test_api_cursor_walk_equals_offset_walk(catalog) -> None:
    client = Client()
    expected = list(
        Product.objects.filter(status="listed")
        .order_by("-created_at", "-id")
        .values_list("code", flat=True)
    )
    by_offset: list[str] = []
    for offset in range(0, 140, 7):
        by_offset += [
            p["code"]
            for p in client.get("/api/products", {"limit": 7, "offset": offset}).json()["items"]
        ]
    assert by_offset == expected
    walked = _walk_api(client, 7)
    assert walked == expected and len(set(walked)) == len(walked)
    assert client.get("/api/products", {"limit": 1000}).json()["next_cursor"] is None


def test_api_cursor_keeps_the_policy(catalog, people) -> None:
    client = Client()
    client.force_login(people["a_staff"])  # supplier A sees its drafts, not B's
    walked = _walk_api(client, 5)
    visible = set(Product.objects.visible_to(people["a_staff"]).values_list("code", flat=True))
    assert set(walked) == visible
    drafts_b = {
        p.code
        for p in catalog
        if p.status == "draft" and p.supplier_id != people["a_staff"].primary_organization.pk
    }
    assert drafts_b and not drafts_b & set(walked)


@pytest.mark.parametrize(
    "cursor",
    ["!!!", "e30", "WzFd", "WyJ4IiwxXQ", "W251bGwsMV0", "x" * 600, "WyIyMDI2LTAxLTAxIiwxXQ"],
)
def test_api_bad_cursor_is_422(catalog, cursor) -> None:
    response = Client().get("/api/products", {"cursor": cursor})
    assert response.status_code == 422, response.content


def test_html_list_switches_to_keyset_and_walks_to_the_end(catalog, settings, monkeypatch) -> None:
    monkeypatch.setattr(pagination, "KEYSET_AFTER_PAGE", 2)
    client = Client()
    expected = list(
        Product.objects.filter(status="listed")
        .order_by("-created_at", "-id")
        .values_list("code", flat=True)
    )
    seen: list[str] = []
    page1 = client.get("/products/")
    assert page1.status_code == 200
    assert "5쪽 중 1쪽" in page1.content.decode()  # an exact count: Page 1 of 5 (Korean)
    seen += [p.code for p in page1.context["page"]]
    page2 = client.get("/products/", {"page": 2})
    seen += [p.code for p in page2.context["page"]]
    cursor = page2.context["page"].next_cursor
    assert cursor and f"after={cursor}" in page2.content.decode()
    while cursor:
        response = client.get("/products/", {"after": cursor})
        page = response.context["page"]
        assert page.keyset
        seen += [p.code for p in page]
        cursor = page.next_cursor
    assert seen == expected
    # an edited cursor falls back to the first page
    again = client.get("/products/", {"after": "garbage"})
    assert [p.code for p in again.context["page"]] == expected[:25]


def test_keyset_refuses_orderings_it_cannot_walk() -> None:
    from django.db.models import F

    assert pagination.keyset_ordering(Product.objects.order_by(F("code").desc())) is None
    assert pagination.keyset_ordering(Product.objects.order_by("supplier__code")) is None
    assert pagination.keyset_ordering(Product.objects.values("code")) is None
    assert pagination.keyset_ordering(Product.objects.all()) == [
        ("created_at", True),
        ("id", True),
    ]


def test_cursor_pages_skip_the_count(catalog) -> None:
    client = Client()
    first = client.get("/api/products", {"limit": 5}).json()
    assert first["count"] == Product.objects.filter(status="listed").count()
    second = client.get("/api/products", {"limit": 5, "cursor": first["next_cursor"]}).json()
    assert second["count"] is None and len(second["items"]) == 5


def test_bounded_count_stops_past_the_numbered_pages(catalog, monkeypatch) -> None:
    from django.db import connection
    from django.test import RequestFactory
    from django.test.utils import CaptureQueriesContext

    monkeypatch.setattr(pagination, "KEYSET_AFTER_PAGE", 3)
    qs = Product.objects.filter(status="listed").order_by("-created_at", "-id")
    expected = list(qs.values_list("code", flat=True))  # 104 rows
    factory = RequestFactory()
    with CaptureQueriesContext(connection) as ctx:
        page = pagination.html_page(factory.get("/", {"page": 1}), qs, 10, bounded_count=True)
        rows = [p.code for p in page]
    count_sql = next(q["sql"] for q in ctx.captured_queries if "COUNT(" in q["sql"])
    assert "LIMIT 31" in count_sql  # 3 pages of 10, plus one to know there are more
    assert rows == expected[:10]
    assert page.paginator.more and page.paginator.total_label == "3+"
    # a page number past the numbered pages is the last numbered page; its next link a cursor
    third = pagination.html_page(factory.get("/", {"page": 9}), qs, 10, bounded_count=True)
    assert third.number == 3 and [p.code for p in third] == expected[20:30]
    seen, cursor = [p.code for p in third], third.next_cursor
    while cursor:
        page = pagination.html_page(factory.get("/", {"after": cursor}), qs, 10, bounded_count=True)
        seen += [p.code for p in page]
        cursor = page.next_cursor
    assert seen == expected[20:]
    # a short list is counted exactly
    small = qs.filter(code__lt="PR-K0020")
    page = pagination.html_page(factory.get("/"), small, 10, bounded_count=True)
    assert page.paginator.count == small.count() == 16 and not page.paginator.more
    assert page.paginator.total_label == "2"


def test_cursor_states_the_first_fields_bound(catalog) -> None:
    qs = Product.objects.order_by("-created_at", "-id")
    row = qs[40]
    cursor = pagination.encode_cursor(row, pagination.keyset_ordering(qs))
    sql = str(pagination.after_cursor(qs, cursor).query)
    where = sql.split("WHERE", 1)[1]
    # created_at <= … alone (an index scan starts there), then the tie-break by id
    assert '"catalog_product"."created_at" <=' in where
    assert list(pagination.after_cursor(qs, cursor).values_list("pk", flat=True)) == list(
        qs.values_list("pk", flat=True)[41:]
    )


def test_deep_offset_pages_read_by_key_give_the_same_rows(catalog, people, monkeypatch) -> None:
    """Past DEEP_OFFSET a page is read as its keys first, then the rows: the same rows in the
    same order as a plain OFFSET, for the API and the HTML list, and the policy still holds."""
    monkeypatch.setattr(pagination, "DEEP_OFFSET", 10)
    client = Client()
    client.force_login(people["a_staff"])  # supplier A sees its drafts, not B's
    visible = Product.objects.visible_to(people["a_staff"]).order_by("-created_at", "-id")
    expected = list(visible.values_list("code", flat=True))
    for offset in (0, 9, 10, 11, 37, len(expected) - 3, len(expected) + 5):
        body = client.get("/api/products", {"limit": 7, "offset": offset}).json()
        assert [p["code"] for p in body["items"]] == expected[offset : offset + 7], offset
        assert body["count"] == len(expected)
    rows = pagination.deep_slice(visible, 20, 45)
    assert isinstance(rows, list) and [p.code for p in rows] == expected[20:45]
    html = client.get("/products/", {"page": 3}).content.decode()  # rows 50-74: by key
    for code in expected[50:75]:
        assert code in html
    for code in set(expected[:50] + expected[75:]):
        assert code not in html
    hidden = Product.objects.exclude(pk__in=visible.values("pk")).values_list("code", flat=True)
    assert hidden and not any(code in html for code in hidden)


def test_visible_count_equals_counting_the_visible_list(catalog, people) -> None:
    from django.contrib.auth.models import AnonymousUser

    for user in [*people.values(), AnonymousUser()]:
        assert Product.objects.visible_count(user) == Product.objects.visible_to(user).count()


def test_home_count_follows_listing(catalog, people, client) -> None:
    """The home page's count is kept per organization and catalog state, never stale."""
    import re

    from bioproof.catalog import actions as catalog_actions

    user = people["a_staff"]
    client.force_login(user)

    def shown() -> int:
        html = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
        return int(re.search(r"(\d+) products? visible to you", html).group(1))

    assert shown() == Product.objects.visible_to(user).count()
    assert shown() == Product.objects.visible_to(user).count()
    draft = catalog_actions.register_product(
        by=user,
        supplier=user.memberships.first().organization,
        category=Product.objects.first().category,
        name_ko="새 초안",
        name_en="New draft",
        specs={},
        listed=False,
    )
    assert shown() == Product.objects.visible_to(user).count()
    assert draft in Product.objects.visible_to(user)
