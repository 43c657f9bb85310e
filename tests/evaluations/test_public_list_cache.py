"""The public track-record list is rendered once per state of what it shows, never stale."""

from __future__ import annotations

import pytest
from django.test import Client

from bioproof.catalog import actions as catalog
from bioproof.evaluations import actions as evaluations

pytestmark = pytest.mark.django_db


def _codes(client: Client, query: str = "", lang: str = "en") -> list[str]:
    html = client.get(f"/track-records/{query}", HTTP_ACCEPT_LANGUAGE=lang).content.decode()
    table = html[html.index("<table") : html.index("</table>")]
    return [chunk.split("/")[0] for chunk in table.split('href="/track-records/')[1:]]


def test_list_follows_publication_withdrawal_and_renames(published, people) -> None:
    client = Client()
    code = published.code
    assert _codes(client) == [code]
    assert _codes(client) == [code]  # the cached body
    assert _codes(client, "?q=no-such-product") == []  # another address, another entry
    product = published.product
    catalog.update_product(
        by=people["a_staff"],
        product=product,
        name_ko="개명 배지",
        name_en="Renamed medium",
        specs=product.specs,
    )
    assert "개명 배지" in client.get("/track-records/").content.decode()
    evaluations.withdraw(by=people["a_admin"], evaluation=published, reason="superseded data")
    assert _codes(client) == []


def test_each_language_its_own_body(published) -> None:
    client = Client()
    english = client.get("/track-records/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    korean = client.get("/track-records/", HTTP_ACCEPT_LANGUAGE="ko").content.decode()
    assert "Filter" in english and "Filter" not in korean


def test_export_is_never_the_cached_page(published) -> None:
    client = Client()
    client.get("/track-records/")
    response = client.get("/track-records/?export=csv")
    assert response["Content-Type"].startswith("text/csv")
    assert published.code in b"".join(response.streaming_content).decode()


def test_home_latest_records_follow_withdrawal(published, people) -> None:
    client = Client()

    def latest() -> list[str]:
        html = client.get("/").content.decode()
        table = html[html.rindex("<table") : html.rindex("</table>")]
        return [chunk.split("/")[0] for chunk in table.split('href="/track-records/')[1:]]

    assert latest() == [published.code]
    assert latest() == [published.code]  # the kept block
    evaluations.withdraw(by=people["a_admin"], evaluation=published, reason="superseded data")
    assert latest() == []


def test_kept_bodies_are_bounded_whatever_the_addresses(published, settings) -> None:
    """Visitors choose the addresses (any ?q=…): the store of kept bodies holds a bounded number."""
    from django.core.cache import caches

    settings.CACHES = {
        **settings.CACHES,
        "pages": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "bounded-pages-test",
            "OPTIONS": {"MAX_ENTRIES": 5},
        },
    }
    client = Client()
    for i in range(30):
        assert client.get(f"/track-records/?q=probe-{i}").status_code == 200
    assert 0 < len(caches["pages"]._cache) <= 5
