"""Confidentiality matrix: role × organization × record state, through web pages and the API.

A supplier never sees a competitor's draft products, evaluation requests, runs, data or results;
neither does another center, a demand company or the public — until a track record is published,
and then only through the public pages.
"""

from __future__ import annotations

import pytest
from django.test import Client

from bioproof.evaluations.models import RunDataFile

pytestmark = pytest.mark.django_db

INSIDERS = ["a_staff", "a_admin", "evaluator", "reviewer", "approver"]
OUTSIDERS = ["b_admin", "other_center", "demand", None]  # None = anonymous


def _client(people, who) -> Client:
    client = Client()
    if who is not None:
        client.force_login(people[who])
    return client


def _urls(evaluation) -> dict[str, str]:
    data_file = RunDataFile.objects.filter(run__evaluation=evaluation).first()
    urls = {
        "web evaluation": f"/evaluations/{evaluation.code}/",
        "api evaluation": f"/api/evaluations/{evaluation.code}",
        "web product": f"/products/{evaluation.product.code}/",
        "api product": f"/api/products/{evaluation.product.code}",
    }
    if data_file is not None:
        urls["web data file"] = f"/evaluations/{evaluation.code}/data/{data_file.pk}/"
        urls["web plot"] = f"/evaluations/{evaluation.code}/plot/vcd.svg"
    report = evaluation.reports.first()
    if report is not None:
        urls["web report"] = f"/evaluations/{evaluation.code}/reports/{report.pk}/"
    return urls


def _lists(client: Client) -> str:
    return "".join(
        client.get(u).content.decode()
        for u in ("/evaluations/", "/api/evaluations", "/products/", "/api/products", "/")
    )


@pytest.fixture(params=["requested", "with_data", "approved"])
def evaluation(request):
    return request.getfixturevalue(request.param)


@pytest.mark.parametrize("who", INSIDERS)
def test_insiders_see_everything(people, evaluation, who) -> None:
    client = _client(people, who)
    for name, url in _urls(evaluation).items():
        assert client.get(url).status_code == 200, (who, name, url)
    assert evaluation.code in _lists(client)


@pytest.mark.parametrize("who", OUTSIDERS)
def test_outsiders_see_nothing_unpublished(people, evaluation, who) -> None:
    client = _client(people, who)
    for name, url in _urls(evaluation).items():
        status = client.get(url).status_code
        # Anonymous users are sent to log in (302) or refused (401); members get 404 — the
        # record's existence is not revealed.
        assert status in (302, 401, 404), (who, name, url, status)
    listing = _lists(client)
    assert evaluation.code not in listing
    assert evaluation.product.code not in listing  # the draft product stays hidden too


@pytest.mark.parametrize("who", OUTSIDERS)
def test_outsiders_cannot_act(people, requested, who) -> None:
    client = _client(people, who)
    for url in (
        f"/evaluations/{requested.code}/step/accept/",
        f"/api/evaluations/{requested.code}/accept",
    ):
        assert client.post(url).status_code in (302, 401, 404)
    requested.refresh_from_db()
    assert requested.status == "requested"


def test_competitor_search_by_code_on_public_pages_finds_nothing(people, approved) -> None:
    client = _client(people, "b_admin")
    page = client.get(f"/track-records/?q={approved.code}").content.decode()
    assert f"/track-records/{approved.code}/" not in page
    assert client.get(f"/track-records/{approved.code}/").status_code == 404
    assert client.get(f"/api/track-records/{approved.code}").status_code == 404


@pytest.mark.parametrize("who", OUTSIDERS)
def test_published_result_is_public_but_raw_data_stays_private(people, published, who) -> None:
    client = _client(people, who)
    assert client.get(f"/track-records/{published.code}/").status_code == 200
    assert client.get(f"/api/track-records/{published.code}").status_code == 200
    assert client.get(f"/track-records/{published.code}/report.pdf").status_code == 200
    data_file = RunDataFile.objects.filter(run__evaluation=published).first()
    assert client.get(f"/evaluations/{published.code}/data/{data_file.pk}/").status_code in (
        302,
        404,
    )
    assert client.get(f"/api/evaluations/{published.code}").status_code in (401, 404)


def test_center_staff_of_another_center_cannot_accept_via_api(people, requested) -> None:
    client = _client(people, "other_center")
    assert client.post(f"/api/evaluations/{requested.code}/accept").status_code == 404


def test_supplier_cannot_take_center_steps(people, requested) -> None:
    client = _client(people, "a_admin")
    response = client.post(f"/api/evaluations/{requested.code}/accept", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 403
    assert "center staff" in response.json()["detail"]
