"""Need visibility as a matrix: viewer × visibility, through the queryset, pages, API and search.

public → everyone, anonymous too; consortium → users of suppliers or of consortium-member
organizations (and the posting company); private → the posting company, and a supplier once the
company invited its product (until declined).
"""

from __future__ import annotations

import pytest
from django.test import Client

from bioproof.demand import actions
from bioproof.demand.models import Need
from bioproof.search.query import search

pytestmark = pytest.mark.django_db

VIEWERS = [
    None,
    "a_staff",
    "b_admin",
    "evaluator",
    "demand",
    "demand_viewer",
    "demand2",
    "member",
    "outsider",
]
EXPECTED = {
    # viewer:        public, consortium, private
    None: (True, False, False),
    "a_staff": (True, True, False),  # supplier
    "b_admin": (True, True, False),  # supplier
    "evaluator": (True, False, False),  # center, not a consortium member here
    "demand": (True, True, True),  # the posting company
    "demand_viewer": (True, True, True),  # the posting company, viewer role
    "demand2": (True, False, False),  # another demand company, not a member
    "member": (True, True, False),  # consortium-member university
    "outsider": (True, False, False),  # association, not a member
}


@pytest.fixture
def three_needs(make_need, more_people) -> dict[str, Need]:
    return {
        v: make_need(v, title=f"Zeolite feed {v} need", incumbent=f"Imported thing {v}")
        for v in ("public", "consortium", "private")
    }


def _client(people, who) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    if who is not None:
        client.force_login(people[who])
    return client


@pytest.mark.parametrize("who", VIEWERS)
def test_need_visibility_matrix(three_needs, more_people, who) -> None:
    user = more_people[who] if who else None
    client = _client(more_people, who)
    listing = client.get("/needs/").content.decode()
    api_list = {n["code"] for n in client.get("/api/needs?limit=100").json()["items"]}
    from django.contrib.auth.models import AnonymousUser

    found = {h.code for h in search(user or AnonymousUser(), "zeolite").hits}
    for expected, (visibility, need) in zip(EXPECTED[who], three_needs.items(), strict=True):
        qs_visible = Need.objects.visible_to(user).filter(pk=need.pk).exists()
        assert qs_visible is expected, (who, visibility)
        page = client.get(f"/needs/{need.code}/")
        assert page.status_code == (200 if expected else 404), (who, visibility)
        api = client.get(f"/api/needs/{need.code}")
        assert api.status_code == (200 if expected else 404), (who, visibility)
        assert (need.code in listing) is expected, (who, visibility)
        assert (need.code in api_list) is expected, (who, visibility)
        assert (need.code in found) is expected, (who, visibility, "search")
        api_search = client.get("/api/search", {"q": "zeolite"}).json()
        assert (need.code in {i["code"] for i in api_search["items"]}) is expected


def test_private_need_opens_to_an_invited_supplier_until_declined(
    three_needs, more_people, listed_a
) -> None:
    private = three_needs["private"]
    supplier = more_people["a_staff"]
    assert not Need.objects.visible_to(supplier).filter(pk=private.pk).exists()
    invitation = actions.invite_supplier(by=more_people["demand"], need=private, product=listed_a)
    assert Need.objects.visible_to(supplier).filter(pk=private.pk).exists()
    assert _client(more_people, "a_staff").get(f"/needs/{private.code}/").status_code == 200
    # the competitor still sees nothing
    assert _client(more_people, "b_admin").get(f"/needs/{private.code}/").status_code == 404
    proposal = actions.submit_proposal(by=supplier, need=private, product=listed_a, message="hi")
    assert proposal.pk == invitation.pk
    actions.decline_proposal(by=more_people["demand"], proposal=proposal, reason="not now")
    assert not Need.objects.visible_to(supplier).filter(pk=private.pk).exists()


def test_consortium_membership_opens_consortium_needs(three_needs, more_people, more_orgs) -> None:
    outsider = more_people["outsider"]
    consortium = three_needs["consortium"]
    assert not Need.objects.visible_to(outsider).filter(pk=consortium.pk).exists()
    more_orgs["outsider"].is_consortium_member = True
    more_orgs["outsider"].save()
    outsider = type(outsider).objects.get(pk=outsider.pk)  # fresh user: no cached answer
    assert Need.objects.visible_to(outsider).filter(pk=consortium.pk).exists()


def test_proposals_are_seen_only_by_both_parties(need, more_people, listed_a) -> None:
    from bioproof.demand.models import Proposal

    proposal = actions.submit_proposal(by=more_people["a_staff"], need=need, product=listed_a)
    for who, expected in [
        ("a_staff", True),
        ("demand", True),
        ("b_admin", False),
        ("demand2", False),
        ("evaluator", False),
    ]:
        visible = Proposal.objects.visible_to(more_people[who]).filter(pk=proposal.pk).exists()
        assert visible is expected, who
    assert not Proposal.objects.visible_to(None).exists()
    page = _client(more_people, "b_admin").get(f"/needs/{need.code}/").content.decode()
    assert listed_a.code not in page
