"""The core locking helper and the races it settles in core: codes and signatures."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.utils import timezone

from bioproof.consortium.models import Organization, User
from bioproof.core.codes import next_code
from bioproof.core.errors import ConflictError
from bioproof.core.locking import lock, lock_all, unique_or_conflict
from bioproof.core.models import CodeSequence, Signature
from bioproof.core.signatures import apply_signature

from ..conftest import PASSWORD
from ..races import assert_only_ok_or_409, race, require_postgresql, seed_reference_data, tally

N = 20


@pytest.fixture(autouse=True)
def _reference_data(request) -> None:
    """Transactional tests start from a flushed database: seed what the data migrations do."""
    if request.node.get_closest_marker("django_db").kwargs.get("transaction"):
        request.getfixturevalue("transactional_db")
        seed_reference_data()


@pytest.mark.django_db
def test_lock_refreshes_the_callers_instance_in_place(orgs) -> None:
    org = orgs["center"]
    Organization.objects.filter(pk=org.pk).update(name_en="Renamed meanwhile")
    with transaction.atomic():
        locked = lock(org)
        assert locked is org and org.name_en == "Renamed meanwhile"
        fresh = lock(Organization.objects.filter(code="center"))
        assert fresh.pk == org.pk and fresh is not org
        assert [o.pk for o in lock_all(Organization.objects.all())] == sorted(
            Organization.objects.values_list("pk", flat=True)
        )


@pytest.mark.django_db(transaction=True)
def test_lock_outside_a_transaction_is_a_programming_error() -> None:
    seq = CodeSequence.objects.create(prefix="QQ", year=2026)
    with pytest.raises(RuntimeError, match=r"inside transaction\.atomic"):
        lock(seq)


@pytest.mark.django_db
def test_lock_of_a_deleted_row_is_a_409(orgs) -> None:
    seq = CodeSequence.objects.create(prefix="QQ", year=2026)
    CodeSequence.objects.filter(pk=seq.pk).delete()
    with pytest.raises(ConflictError, match="no longer exists") as exc, transaction.atomic():
        lock(seq)
    assert exc.value.status_code == 409


@pytest.mark.django_db
def test_unique_violation_becomes_a_409_and_the_transaction_goes_on() -> None:
    with transaction.atomic():
        CodeSequence.objects.create(prefix="UQ", year=2026)
        with (
            pytest.raises(ConflictError, match="taken") as exc,
            unique_or_conflict("taken", field="prefix"),
        ):
            CodeSequence.objects.create(prefix="UQ", year=2026)
        assert exc.value.field == "prefix"
        # The savepoint rolled back only the failed insert: the transaction is still usable.
        assert CodeSequence.objects.filter(prefix="UQ").count() == 1


# --- PostgreSQL races: 20 threads, each on its own connection ---


@pytest.mark.parametrize("existing", [False, True], ids=["first-of-year", "existing"])
@pytest.mark.django_db(transaction=True)
@pytest.mark.slow
def test_code_sequence_gives_consecutive_codes_under_contention(existing) -> None:
    require_postgresql()
    if existing:
        next_code("ZY")
    prefix = "ZY" if existing else "ZZ"
    outcomes = race(N, lambda i: None, lambda i, _: next_code(prefix))
    assert tally(outcomes) == {"ok": N}, outcomes
    year = timezone.localdate().year
    start = 2 if existing else 1
    assert sorted(o[1] for o in outcomes) == [
        f"{prefix}-{year}-{n:04d}" for n in range(start, start + N)
    ]


@pytest.mark.django_db(transaction=True)
@pytest.mark.slow
def test_concurrent_signatures_of_one_record_make_one(people, orgs) -> None:
    require_postgresql()
    target = orgs["supplier_a"]

    def prepare(i: int):
        return User.objects.get(username="approver"), Organization.objects.get(pk=target.pk)

    def attempt(i: int, p):
        user, obj = p
        return apply_signature(
            by=user,
            password=PASSWORD,
            obj=obj,
            code="ORG",
            version=1,
            meaning="approved",
            content_hash="a" * 64,
            organization=obj,
        )

    outcomes = race(N, prepare, attempt)
    assert_only_ok_or_409(outcomes)
    assert tally(outcomes) == {"ok": 1, 409: N - 1}
    assert Signature.objects.filter(object_id=target.pk).count() == 1
