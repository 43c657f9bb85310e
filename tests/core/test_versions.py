"""State versions: a cache keyed on them follows every change of the named tables, only those."""

from __future__ import annotations

import pytest
from django.db import transaction

from bioproof.catalog import actions as catalog
from bioproof.catalog.models import Category, Product
from bioproof.core import versions
from bioproof.core.models import AuditChainHead
from bioproof.demand.models import Need

pytestmark = pytest.mark.django_db


def _edit(product: Product, by, name: str) -> Product:
    return catalog.update_product(
        by=by, product=product, name_ko=name, name_en=name, specs=product.specs
    )


def test_version_changes_with_the_named_tables_only(product_a, people, make_user) -> None:
    before = versions.state_version(Product)
    assert versions.state_version(Product) == before  # stable while nothing changes
    make_user("someone", "demand", "staff")  # a write to another regulated table
    assert versions.state_version(Product) == before
    _edit(product_a, people["a_staff"], "새 이름")
    after = versions.state_version(Product)
    assert after != before
    assert versions.state_version(Product, Category) == after  # the newest of the two


def test_unregulated_models_are_refused() -> None:
    from django.contrib.sessions.models import Session

    with pytest.raises(ValueError, match="not regulated"):
        versions.state_version(Session)


def test_cached_recomputes_after_a_change_and_not_before(product_a, people) -> None:
    calls = []

    def compute() -> str:
        calls.append(1)
        return Product.objects.get(pk=product_a.pk).name_en

    assert versions.cached("t", [Product], compute) == product_a.name_en
    assert versions.cached("t", [Product], compute) == product_a.name_en
    assert len(calls) == 1
    _edit(product_a, people["a_staff"], "Renamed")
    assert versions.cached("t", [Product], compute) == "Renamed"
    assert len(calls) == 2
    # another key is another entry
    versions.cached("u", [Product], compute)
    assert len(calls) == 3


def test_a_rolled_back_change_never_names_a_later_state(product_a, people) -> None:
    """A rolled-back transaction gives its sequence numbers back; the next change takes the same
    number, but its version differs, so what was cached inside the rollback is never served."""
    seen = {}

    class Rollback(Exception):
        pass

    with pytest.raises(Rollback), transaction.atomic():
        _edit(product_a, people["a_staff"], "Rolled back")
        seen["seq"] = AuditChainHead.objects.get().last_seq
        seen["version"] = versions.state_version(Product)
        versions.cached("r", [Product], lambda: "rolled back")
        raise Rollback
    product_a.refresh_from_db()
    _edit(product_a, people["a_staff"], "Kept")
    assert AuditChainHead.objects.get().last_seq == seen["seq"]  # the same number again…
    assert versions.state_version(Product) != seen["version"]  # …but not the same version
    assert versions.cached("r", [Product], lambda: "kept") == "kept"


def test_one_statement(django_assert_num_queries, db) -> None:
    with django_assert_num_queries(1):
        versions.state_version(Product, Category, Need)


def test_api_count_is_kept_per_audience_and_follows_changes(product_a, people, client) -> None:
    from bioproof.consortium.actions import issue_api_token

    def count(headers: dict[str, str] | None = None) -> int:
        return client.get("/api/products?limit=1", headers=headers or {}).json()["count"]

    def register(name: str, listed: bool) -> Product:
        return catalog.register_product(
            by=people["a_staff"],
            supplier=product_a.supplier,
            category=product_a.category,
            name_ko=name,
            name_en=name,
            specs={},
            listed=listed,
        )

    listed = Product.objects.filter(status="listed").count()
    assert count() == listed
    register("초안", listed=False)
    assert count() == listed  # a draft: not for anonymous callers
    token = issue_api_token(by=people["a_staff"], name="t")
    supplier_view = count({"Authorization": f"Bearer {token[1]}"})
    assert supplier_view == Product.objects.visible_to(people["a_staff"]).count() > listed
    assert count() == listed  # the supplier's count is not the anonymous one
    register("신규", listed=True)
    assert count() == listed + 1


@pytest.mark.tampers
def test_an_old_newest_event_is_found_without_walking_the_chain() -> None:
    """A table with many events whose newest is far behind the head (needs posted long ago,
    products written since): on PostgreSQL the plan must go to that table's newest event through
    the (object_type, -seq) index, never walk the chain's unique index backwards filtering on
    the table (77 ms through 220,000 events; estimates after bulk writes invite it)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from bioproof.core.models import AuditEvent

    if connection.vendor != "postgresql":
        pytest.skip("the plan is PostgreSQL's")
    head = AuditChainHead.objects.get_or_create(id=1, defaults={"last_seq": 0, "last_hash": "0"})
    seq = head[0].last_seq
    rows = [
        AuditEvent(
            seq=seq + 1 + i,
            at="2026-01-01T00:00:00Z",
            action="row.saved",
            object_type="demand.need" if i < 3000 else "catalog.product",
            object_id=str(i),
            prev_hash="x",
            hash=f"bench-{i}",
        )
        for i in range(6000)
    ]
    AuditEvent.objects.bulk_create(rows, batch_size=2000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE core_auditevent")
    with CaptureQueriesContext(connection) as queries:
        assert versions.state_version(Need) == f"bench-{2999}"
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN ANALYZE " + queries.captured_queries[0]["sql"])
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "core_audit_type_negseq" in plan, plan
    assert "Rows Removed by Filter" not in plan, plan
