"""An evaluation's page is kept per reader while what it shows is unchanged, and never stale.

The kept body holds no CSRF token: each reader's own is written into its forms when served.
"""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from bioproof.consortium import actions as consortium
from bioproof.consortium.models import Membership, User
from bioproof.core import versions
from bioproof.evaluations import actions as evaluations
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def _client(user, *, csrf: bool = False) -> Client:
    client = Client(enforce_csrf_checks=csrf)
    client.force_login(user)
    return client


def _page(client: Client, evaluation, lang: str = "en") -> str:
    response = client.get(f"/evaluations/{evaluation.code}/", HTTP_ACCEPT_LANGUAGE=lang)
    assert response.status_code == 200
    return response.content.decode()


def test_second_view_is_kept_and_the_same(with_data, people) -> None:
    client = _client(people["evaluator"])
    first = _page(client, with_data)
    with CaptureQueriesContext(connection) as kept:
        second = _page(client, with_data)
    assert TOKEN.sub("", first) == TOKEN.sub("", second)
    assert len(kept.captured_queries) < 12  # session, user, visibility, version, base page
    assert versions._csrf_placeholder() not in second


def test_each_form_carries_the_readers_current_token(with_data, people) -> None:
    """A token changes at each sign-in; a kept page must still post."""
    client = _client(people["evaluator"], csrf=True)
    _page(client, with_data)  # kept now
    client.logout()
    client.force_login(people["evaluator"])  # a new session, a new CSRF secret
    html = _page(client, with_data)
    tokens = set(TOKEN.findall(html))
    assert tokens and versions._csrf_placeholder() not in html
    response = client.post(
        f"/evaluations/{with_data.code}/deviations/",
        {"description": "Foam-over in R-C1 at 40 h", "csrfmiddlewaretoken": tokens.pop()},
    )
    assert response.status_code == 302
    assert "Foam-over in R-C1 at 40 h" in _page(client, with_data)


def test_a_reader_never_gets_another_readers_page(with_data, people) -> None:
    operator = _page(_client(people["evaluator"]), with_data)
    supplier = _page(_client(people["a_staff"]), with_data)
    assert 'id="edit-runs"' in operator
    assert 'id="edit-runs"' not in supplier
    competitor = _client(people["b_admin"])
    assert competitor.get(f"/evaluations/{with_data.code}/").status_code == 404


def test_changes_show_at_once(with_data, people) -> None:
    client = _client(people["evaluator"])
    assert "R-X9" not in _page(client, with_data)
    evaluations.add_run(by=people["evaluator"], evaluation=with_data, arm="candidate", label="R-X9")
    assert "R-X9" in _page(client, with_data)
    run = with_data.runs.get(label="R-X9")
    evaluations.exclude_run(by=people["evaluator"], run=run, reason="contaminated flask")
    assert "contaminated flask" in _page(client, with_data)


def test_a_party_renamed_shows_at_once(with_data, people, orgs) -> None:
    client = _client(people["evaluator"])
    assert "Animal Cell Center" in _page(client, with_data)
    office = User.objects.create_superuser("office", "office@example.org", PASSWORD)
    consortium.update_organization(
        by=office, organization=orgs["center"], reason="renamed", name_en="Cell Culture Center"
    )
    page = _page(client, with_data)
    assert "Cell Culture Center" in page and "Animal Cell Center" not in page


def test_language_is_part_of_the_key(with_data, people) -> None:
    client = _client(people["evaluator"])
    english = _page(client, with_data, "en")
    korean = _page(client, with_data, "ko")
    assert "Runs and data" in english and "Runs and data" not in korean


def test_losing_access_is_checked_each_time(with_data, people, orgs) -> None:
    client = _client(people["evaluator"])
    assert 'id="edit-runs"' in _page(client, with_data)
    office = User.objects.create_superuser("office", "office@example.org", PASSWORD)
    for role in ("evaluator", "staff"):
        consortium.revoke_role(
            by=office,
            user=people["evaluator"],
            organization=orgs["center"],
            role=role,
            reason="moved to another team",
        )
    # no membership left in the center: the evaluation is no longer theirs to see
    assert not Membership.objects.filter(user=people["evaluator"]).exists()
    assert client.get(f"/evaluations/{with_data.code}/").status_code == 404


def test_a_role_given_shows_at_once(with_data, people, grant) -> None:
    client = _client(people["reviewer"])
    assert 'id="edit-runs"' not in _page(client, with_data)
    grant(people["reviewer"], "center", "staff")
    assert 'id="edit-runs"' in _page(client, with_data)


def test_a_signature_shows_at_once(with_data, people) -> None:
    client = _client(people["reviewer"])
    evaluations.analyse(by=people["evaluator"], evaluation=with_data)
    before = _page(client, with_data)
    assert "Signed by author" not in before
    evaluations.sign(
        by=people["evaluator"], evaluation=with_data, meaning="authored", password=PASSWORD
    )
    assert "Signed by author" in _page(client, with_data)
