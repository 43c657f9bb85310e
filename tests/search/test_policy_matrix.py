"""Search finds exactly what ``visible_to`` allows (issue 11.8): the search prefilter
(``bioproof.search.query._policy``) is pinned to the app policies over the role × organization
× state matrix — supplier, competitor, center, other center, demand company, other demand
company, consortium member, outsider, anonymous and platform admin × draft and listed
products (with and without evaluations in several states), public / consortium / private
needs (invited or not), and published / withdrawn track records. Exhaustive: every user,
every word, every record.

It also checks that a search reveals nothing of what the user cannot see: neither the count,
nor the analysed tokens (whether a misread name such as ``다온`` is held by a hidden document).
"""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser

from bioproof.catalog.models import Product
from bioproof.consortium.models import User
from bioproof.demand import actions as demand
from bioproof.demand.models import Need
from bioproof.evaluations import actions as evaluations
from bioproof.evaluations.models import TrackRecord
from bioproof.search import text
from bioproof.search.query import search

pytestmark = pytest.mark.django_db

#: word → (kind, what the word names); each record's word is in its name only
WORDS = (
    "alpha",  # product_a (draft, evaluated and published at the center) and its track records
    "draftwort",  # supplier A's draft, no evaluation
    "listorama",  # supplier A's listed product
    "requexil",  # supplier A's draft, an evaluation requested at the other center
    "bimbolux",  # supplier B's draft, its evaluation rejected by the center
    "pubnavi",  # demand's public need
    "consimbra",  # demand's consortium need
    "privodex",  # demand's private need, nobody invited
    "invitaro",  # demand's private need, supplier A invited
    "gumtrela",  # the other demand company's private need
    "다온",  # a name Kiwi misreads, in a draft product of supplier A only
)


@pytest.fixture
def matrix(published, people, more_people, orgs, more_orgs, make_product, make_need) -> dict:
    """The records (``published`` gives product_a, a draft evaluated at the center, with a
    published track record), and one withdrawn track record of the same evaluation."""
    evaluations.withdraw(by=people["a_admin"], evaluation=published, reason="re-issue")
    published.refresh_from_db()
    evaluations.publish(by=people["a_admin"], evaluation=published, consent=True)
    make_product("크와즈 필터", "Draftwort Filter", category="buffers", listed=False)
    listed = make_product("크와즈 레진", "Listorama Resin", category="resins")
    req = make_product("크와즈 백", "Requexil Bag", category="single-use-bags", listed=False)
    evaluations.request_evaluation(
        by=people["a_staff"],
        product=req,
        center=orgs["center2"],
        title="t",
        reference_product="r",
        scale="s",
    )
    rej = make_product("크와즈 센서", "Bimbolux Sensor", supplier="supplier_b", listed=False)
    ev = evaluations.request_evaluation(
        by=people["b_admin"],
        product=rej,
        center=orgs["center"],
        title="t",
        reference_product="r",
        scale="s",
    )
    evaluations.reject(by=people["evaluator"], evaluation=ev, reason="out of scope")
    make_product("다온 배지", "Daon medium", listed=False)
    make_need("public", title="Pubnavi need")
    make_need("consortium", title="Consimbra need")
    make_need("private", title="Privodex need")
    invited = make_need("private", title="Invitaro need")
    demand.invite_supplier(by=people["demand"], need=invited, product=listed)
    make_need(
        "private",
        title="Gumtrela need",
        by=more_people["demand2"],
        organization=more_orgs["demand2"],
    )
    admin = User.objects.create_superuser("root", "root@example.org", "root-test-pass-2026")
    users: dict[str, Any] = {
        "supplier": people["a_staff"],
        "competitor": people["b_admin"],
        "center": people["evaluator"],
        "other center": people["other_center"],
        "demand": people["demand"],
        "other demand": more_people["demand2"],
        "consortium member": more_people["member"],
        "outsider": more_people["outsider"],
        "anonymous": AnonymousUser(),
        "platform admin": admin,
    }
    return users


def _visible(user: Any) -> set[tuple[str, int]]:
    return (
        {("product", pk) for pk in Product.objects.visible_to(user).values_list("pk", flat=True)}
        | {("need", pk) for pk in Need.objects.visible_to(user).values_list("pk", flat=True)}
        | {("track_record", pk) for pk in TrackRecord.objects.public().values_list("pk", flat=True)}
    )


def _holding(word: str) -> set[tuple[str, int]]:
    """Every record (visible or not) whose searchable text holds ``word``, from the index."""
    return {(h.kind, h.object_id) for h in search(_Admin(), word, limit=100).hits}


class _Admin:
    """A platform admin of no organization: the policies let it see every record."""

    is_authenticated = True
    is_superuser = True
    organization_ids = frozenset()


def test_search_finds_exactly_what_visible_to_allows(matrix) -> None:
    holding = {word: _holding(word) for word in WORDS}
    assert all(holding.values()), holding  # every word names at least one record
    assert len(TrackRecord.objects.all()) == 2 and len(holding["alpha"]) >= 2
    seen_hidden = seen_found = 0
    for who, user in matrix.items():
        visible = _visible(user)
        for word, records in holding.items():
            results = search(user, word, limit=100)
            found = {(h.kind, h.object_id) for h in results.hits}
            expected = records & visible
            assert found <= visible, (who, word, found - visible)
            if expected or results.matched_all:
                assert found == expected, (who, word, found, expected)
                assert results.total == len(expected), (who, word, results.total)
            else:  # PostgreSQL's one-word fallback: visible names similar to the word
                assert not found & records and results.total == len(found), (who, word)
            seen_hidden += len(records - visible)
            seen_found += len(expected)
    assert seen_hidden and seen_found  # the matrix has both kinds of cell
    # the withdrawn track record is in nobody's results
    withdrawn = TrackRecord.objects.get(withdrawn_at__isnull=False).pk
    assert ("track_record", withdrawn) not in holding["alpha"]


def test_review_cases(matrix) -> None:
    """The cells the review named: a center evaluating a draft product finds it; an invited
    supplier finds the private need; nobody else does."""
    product_a = Product.objects.get(name_en="Alpha CHO Medium")
    rejected = Product.objects.get(name_en="Bimbolux Sensor")
    for who, word, pk in (("center", "alpha", product_a.pk), ("center", "bimbolux", rejected.pk)):
        assert ("product", pk) in {(h.kind, h.object_id) for h in search(matrix[who], word).hits}
    for who in ("other center", "competitor", "anonymous", "demand"):
        assert ("product", product_a.pk) not in {
            (h.kind, h.object_id) for h in search(matrix[who], "alpha").hits
        }
    need = Need.objects.get(title="Invitaro need")
    assert [h.object_id for h in search(matrix["supplier"], "invitaro").hits] == [need.pk]
    assert not search(matrix["competitor"], "invitaro").hits


def test_tokens_reveal_nothing_hidden(matrix) -> None:
    """``다온`` is held whole only by supplier A's draft; to anyone who cannot see it the query
    reads as it would were the word in no document (the review's oracle)."""
    unknown = text.query_tokens("다온 배지", known=lambda word: False)
    assert "다온" not in unknown
    for who, user in matrix.items():
        results = search(user, "다온 배지")
        sees = who in ("supplier", "platform admin")
        assert ("다온" in results.tokens) is sees, (who, results.tokens)
        if not sees:
            assert results.tokens == unknown
            assert all(h.title_en != "Daon medium" for h in results.hits)
