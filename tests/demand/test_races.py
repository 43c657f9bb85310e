"""Exactly once on the demand side and in the catalog: 20 concurrent attempts each.

PostgreSQL only (SQLite serializes writers).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bioproof.catalog import actions as catalog
from bioproof.catalog.models import Product
from bioproof.consortium.models import User
from bioproof.core import files
from bioproof.core.models import AuditEvent
from bioproof.demand import actions
from bioproof.demand.models import Need, ProductDocument, Proposal

from ..races import assert_only_ok_or_409, race, require_postgresql, seed_reference_data, tally

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]
N = 20


@pytest.fixture(autouse=True)
def _setup(transactional_db) -> None:
    require_postgresql()
    seed_reference_data()


def _user(name: str) -> User:
    return User.objects.get(username=name)


def test_twenty_document_uploads_are_numbered_without_gaps(settings, people, listed_a) -> None:
    def prepare(i: int):
        return Product.objects.get(pk=listed_a.pk), _user("a_staff")

    outcomes = race(
        N,
        prepare,
        lambda i, p: actions.upload_product_document(
            by=p[1], product=p[0], kind="coa", filename=f"coa-{i}.pdf", data=b"%PDF " + bytes([i])
        ),
    )
    assert tally(outcomes) == {"ok": N}, outcomes
    docs = ProductDocument.objects.filter(product=listed_a, kind="coa")
    assert sorted(docs.values_list("version", flat=True)) == list(range(1, N + 1))
    assert docs.filter(is_current=True).count() == 1
    root = Path(settings.MEDIA_ROOT)
    on_disk = {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()}
    assert on_disk == set(docs.values_list("file", flat=True))
    for doc in docs:
        assert files.verify_stored(doc.file.name, doc.sha256) is None


def test_twenty_proposals_of_one_product_make_one(people, need, listed_a) -> None:
    def prepare(i: int):
        return Need.objects.get(pk=need.pk), Product.objects.get(pk=listed_a.pk), _user("a_staff")

    outcomes = race(
        N,
        prepare,
        lambda i, p: actions.submit_proposal(by=p[2], need=p[0], product=p[1], message=f"m{i}"),
    )
    assert_only_ok_or_409(outcomes)
    assert tally(outcomes) == {"ok": 1, 409: N - 1}
    assert Proposal.objects.filter(need=need, product=listed_a).count() == 1


def test_twenty_acceptances_make_one_and_a_close_stops_them(people, need, listed_a) -> None:
    proposal = actions.submit_proposal(by=people["a_staff"], need=need, product=listed_a)

    def prepare(i: int):
        return Proposal.objects.get(pk=proposal.pk), Need.objects.get(pk=need.pk), _user("demand")

    def attempt(i: int, p):
        if i == 0:
            return actions.close_need(by=p[2], need=p[1], reason="filled")
        return actions.accept_proposal(by=p[2], proposal=p[0])

    outcomes = race(N, prepare, attempt)
    assert_only_ok_or_409(outcomes)
    assert outcomes[0][0] == "ok"
    accepted = [o for o in outcomes[1:] if o[0] == "ok"]
    assert len(accepted) <= 1
    assert AuditEvent.objects.filter(action="proposal.accepted").count() == len(accepted)
    assert AuditEvent.objects.filter(action="need.closed").count() == 1


def test_twenty_listings_make_one(people, product_a) -> None:
    def prepare(i: int):
        return Product.objects.get(pk=product_a.pk), _user("a_staff")

    outcomes = race(N, prepare, lambda i, p: catalog.list_product(by=p[1], product=p[0]))
    assert_only_ok_or_409(outcomes)
    assert tally(outcomes) == {"ok": 1, 409: N - 1}
    assert AuditEvent.objects.filter(action="product.listed").count() == 1
