"""An anonymous visitor's search page is kept per index generation and state of the public
tables, and its hits are checked again on every request."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client

from bioproof.catalog import actions as catalog
from bioproof.catalog.models import Product
from bioproof.search import query

pytestmark = pytest.mark.django_db


def _codes(client: Client, q: str) -> list[str]:
    html = client.get("/search/", {"q": q}, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    return [row.split('"', 1)[0] for row in html.split('data-code="')[1:]]


@pytest.fixture
def renders(monkeypatch) -> list[str]:
    """The bodies rendered (misses of the kept page)."""
    from bioproof.search import views

    calls: list[str] = []
    original = views._body

    def body(request):
        calls.append(request.get_full_path())
        return original(request)

    monkeypatch.setattr(views, "_body", body)
    return calls


def test_kept_until_a_product_is_listed(
    make_product, renders, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        first = make_product("보관 배지 1", "Kept medium 1")
    client = Client()
    assert _codes(client, "Kept") == [first.code]
    assert _codes(client, "Kept") == [first.code]
    assert len(renders) == 1  # the second was the kept page
    with django_capture_on_commit_callbacks(execute=True):
        second = make_product("보관 배지 2", "Kept medium 2")
    assert sorted(_codes(client, "Kept")) == sorted([first.code, second.code])


def _hide_behind_the_applications_back(product: Product) -> None:
    """No event, no index write: neither the version nor the index generation moves."""
    with connection.cursor() as cursor:
        cursor.execute("UPDATE catalog_product SET status = 'draft' WHERE id = %s", [product.pk])


@pytest.mark.tampers
def test_a_product_hidden_behind_the_applications_back_is_never_shown(
    make_product, renders, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        product = make_product("숨김 배지", "Hidden medium")
    client = Client()
    assert _codes(client, "Hidden") == [product.code]
    _hide_behind_the_applications_back(product)
    assert _codes(client, "Hidden") == []


def test_unlisting_shows_at_once(make_product, people, django_capture_on_commit_callbacks) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        product = make_product("내림 배지", "Unlisted medium")
    client = Client()
    assert _codes(client, "Unlisted") == [product.code]
    with django_capture_on_commit_callbacks(execute=True):
        catalog.unlist_product(by=people["a_staff"], product=product, reason="withdrawn")
    assert _codes(client, "Unlisted") == []


def test_signed_in_users_get_their_own_page(
    make_product, people, renders, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        draft = make_product("초안 배지", "Draft medium", listed=False)
    assert _codes(Client(), "Draft") == []
    supplier = Client()
    supplier.force_login(people["a_staff"])
    assert _codes(supplier, "Draft") == [draft.code]
    assert _codes(supplier, "Draft") == [draft.code]
    assert len(renders) == 3  # the visitor's, then the supplier's each time


def test_not_kept_when_results_may_not_be_reused(
    make_product, renders, settings, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        make_product("무보관 배지", "Unkept medium")
    settings.BIOPROOF_SEARCH_CACHE_SECONDS = 0
    client = Client()
    _codes(client, "Unkept")
    _codes(client, "Unkept")
    assert len(renders) == 2


@pytest.mark.tampers
def test_all_visible_is_the_recheck(make_product, django_capture_on_commit_callbacks) -> None:
    from django.contrib.auth.models import AnonymousUser

    with django_capture_on_commit_callbacks(execute=True):
        product = make_product("확인 배지", "Checked medium")
    hits = query.search(AnonymousUser(), "Checked").hits
    assert hits and query.all_visible(AnonymousUser(), hits)
    _hide_behind_the_applications_back(product)
    assert not query.all_visible(AnonymousUser(), hits)
