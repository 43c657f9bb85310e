"""The search page's filter menus are kept per state of the organizations and categories, the
language and the choice: a new supplier shows at once, and the chosen one is selected."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from bioproof.consortium import actions as consortium
from bioproof.consortium.models import Organization

pytestmark = pytest.mark.django_db


def _menu(html: str, name: str) -> str:
    start = html.index(f'<select name="{name}"')
    return html[start : html.index("</select>", start)]


def test_a_new_supplier_shows_at_once_and_the_choice_is_selected(orgs: Any) -> None:
    client = Client()
    first = client.get("/search/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Alpha Bio" in _menu(first, "supplier") and "Gamma Filters" not in first
    consortium.create_organization(
        by=None,
        code="supplier-c",
        name_ko="감마필터",
        name_en="Gamma Filters",
        kind=Organization.Kind.SUPPLIER,
    )
    again = client.get("/search/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Gamma Filters" in _menu(again, "supplier")
    chosen = client.get("/search/?supplier=supplier-c", HTTP_ACCEPT_LANGUAGE="en")
    menu = _menu(chosen.content.decode(), "supplier")
    assert '<option value="supplier-c" selected>Gamma Filters</option>' in menu
    assert menu.count(" selected") == 1
    plain = _menu(client.get("/search/", HTTP_ACCEPT_LANGUAGE="en").content.decode(), "supplier")
    assert " selected" not in plain  # the choice is part of the key
    korean = client.get("/search/", HTTP_ACCEPT_LANGUAGE="ko").content.decode()
    assert "감마필터" in _menu(korean, "supplier")
