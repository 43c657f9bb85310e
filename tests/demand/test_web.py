"""The pages: Korean by default, clear form errors, no 500 on bad input."""

from __future__ import annotations

import pytest
from django.test import Client

from bioproof.demand.models import Adoption, Need, Proposal

pytestmark = pytest.mark.django_db


def _client(user=None, lang: str = "en") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=lang)
    if user is not None:
        client.force_login(user)
    return client


def test_post_a_need_through_the_page(more_people) -> None:
    client = _client(more_people["demand"], "ko")
    page = client.get("/needs/new/")
    assert page.status_code == 200 and 'lang="ko"' in page.content.decode()
    from bioproof.catalog.models import Category

    media = Category.objects.get(code="media")
    data = {
        "title": "국산 CHO 배지",
        "category": media.pk,
        "incumbent": "수입 배지",
        "organism": "CHO-K1",
        "scale": "200 L",
        "mode": "fed_batch",
        "required_specs": "format = powder",
        "criteria": "final_titer equivalence 10 %\npeak_vcd minimum 10",
        "yearly_volume": "5000",
        "volume_unit": "L",
        "visibility": "public",
    }
    r = client.post("/needs/new/", data)
    assert r.status_code == 302, r.content.decode()[:2000]
    need = Need.objects.get()
    assert r["Location"] == f"/needs/{need.code}/"
    assert need.criteria[0]["value"] == pytest.approx(0.1) and need.criteria[0]["relative"]
    detail = client.get(r["Location"]).content.decode()
    assert need.code in detail and "국산 CHO 배지" in detail


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"required_specs": "format is powder"}, "line 1"),
        ({"required_specs": "colour = red"}, "is not a field of"),
        ({"criteria": "happiness minimum 3"}, "unknown KPI"),
        ({"criteria": "final_titer"}, "Criteria line 1"),
        ({"yearly_volume": "-5"}, "greater than or equal"),
        ({"yearly_volume": "10", "volume_unit": ""}, "unit of the yearly volume"),
        ({"deadline": "2001-01-01"}, "past"),
        ({"deadline": "not a date"}, "valid date"),
        ({"category": "999999"}, "valid choice"),
        ({"title": ""}, "required"),
    ],
)
def test_need_form_errors_are_shown(more_people, changes, message) -> None:
    from bioproof.catalog.models import Category

    data = {
        "title": "Need",
        "category": Category.objects.get(code="media").pk,
        "incumbent": "Imported",
        "visibility": "consortium",
    }
    data.update(changes)
    r = _client(more_people["demand"]).post("/needs/new/", data)
    assert r.status_code == 200
    assert message in r.content.decode()
    assert not Need.objects.exists()


def test_need_pages_for_non_demand_users(more_people) -> None:
    assert _client(more_people["a_staff"]).get("/needs/new/").status_code == 403
    assert _client().get("/needs/new/").status_code == 302  # to login
    assert _client().get("/needs/").status_code == 200
    assert _client().get("/needs/ND-1999-0001/").status_code == 404
    assert _client().get("/needs/?status=bogus&category=nope&page=x").status_code == 200


def test_supplier_proposes_and_demand_decides_through_pages(
    need, more_people, listed_a, orgs
) -> None:
    supplier = _client(more_people["a_staff"])
    page = supplier.get(f"/needs/{need.code}/").content.decode()
    assert 'id="propose"' in page and 'id="matches"' not in page  # suppliers see no ranking
    r = supplier.post(f"/needs/{need.code}/propose/", {"product": listed_a.pk, "message": "Hi"})
    assert r.status_code == 302
    proposal = Proposal.objects.get()
    bad = supplier.post(f"/needs/{need.code}/propose/", {"product": "nope"}, follow=True)
    assert bad.status_code == 200 and "valid choice" in bad.content.decode()

    demand = _client(more_people["demand"])
    page = demand.get(f"/needs/{need.code}/").content.decode()
    assert 'id="matches"' in page and listed_a.code in page
    assert demand.post(f"/proposals/{proposal.pk}/accept/").status_code == 404  # wrong URL
    r = demand.post(f"/needs/proposals/{proposal.pk}/accept/", follow=True)
    assert "accepted" in r.content.decode().lower()
    # the competitor cannot act on it
    assert (
        _client(more_people["b_admin"])
        .post(f"/needs/proposals/{proposal.pk}/decline/", {"reason": "x"})
        .status_code
        == 404
    )
    form = demand.get(f"/needs/proposals/{proposal.pk}/evaluation/")
    assert form.status_code == 200 and need.incumbent in form.content.decode()
    bad = demand.post(f"/needs/proposals/{proposal.pk}/evaluation/", {"center": "", "title": ""})
    assert bad.status_code == 200 and "errorlist" in bad.content.decode()
    r = demand.post(
        f"/needs/proposals/{proposal.pk}/evaluation/",
        {
            "center": orgs["center"].pk,
            "title": "Tailored",
            "scale": "200 L",
            "titer_margin_pct": "",
        },
        follow=True,
    )
    proposal.refresh_from_db()
    assert proposal.evaluation is not None
    assert proposal.evaluation.code in r.content.decode()
    assert (
        _client(more_people["a_staff"])
        .get(f"/needs/proposals/{proposal.pk}/evaluation/")
        .status_code
        == 403
    )
    listing = demand.get("/needs/proposals/").content.decode()
    assert need.code in listing


def test_invite_decline_and_close_through_pages(need, more_people, listed_a) -> None:
    demand = _client(more_people["demand"])
    r = demand.post(f"/needs/{need.code}/invite/", {"product": "PR-0000-0000"}, follow=True)
    assert "Choose a listed product" in r.content.decode()
    demand.post(f"/needs/{need.code}/invite/", {"product": listed_a.code})
    proposal = Proposal.objects.get()
    assert proposal.status == "invited"
    supplier = _client(more_people["a_staff"])
    supplier.post(f"/needs/{need.code}/propose/", {"product": listed_a.pk, "message": "ok"})
    r = demand.post(f"/needs/proposals/{proposal.pk}/decline/", {"reason": ""}, follow=True)
    assert "Give the supplier a reason" in r.content.decode()
    demand.post(f"/needs/proposals/{proposal.pk}/decline/", {"reason": "price"})
    proposal.refresh_from_db()
    assert proposal.status == "declined"
    demand.post(f"/needs/{need.code}/close/", {"reason": "done"})
    need.refresh_from_db()
    assert need.status == "closed"
    r = demand.post(f"/needs/{need.code}/close/", follow=True)
    assert "closed already" in r.content.decode()


def test_adoption_pages(need, more_people, listed_a) -> None:
    demand = _client(more_people["demand"])
    assert demand.get(f"/needs/adoptions/new/?product={listed_a.code}").status_code == 200
    bad = demand.post("/needs/adoptions/new/", {"product": "nope", "adopted_on": "2020-01-01"})
    assert "No listed product has this code" in bad.content.decode()
    bad = demand.post(
        "/needs/adoptions/new/",
        {"product": listed_a.code, "adopted_on": "2020-01-01", "evaluation": "EV-1-1"},
    )
    # an unknown code reads like somebody else's evaluation: existence cannot be probed
    assert "Choose an evaluation of this product that was published" in bad.content.decode()
    r = demand.post(
        "/needs/adoptions/new/",
        {
            "product": listed_a.code,
            "adopted_on": "2020-01-01",
            "yearly_volume": "100",
            "volume_unit": "L",
            "need": need.pk,
        },
    )
    assert r.status_code == 302
    assert Adoption.objects.get().need == need
    assert listed_a.code in demand.get("/needs/adoptions/").content.decode()
    assert _client(more_people["a_staff"]).get("/needs/adoptions/new/").status_code == 403
    assert (
        listed_a.name_en
        in _client(more_people["a_staff"]).get("/needs/adoptions/").content.decode()
    )
