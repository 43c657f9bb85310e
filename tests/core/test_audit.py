from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction

from bioproof.cli import main as bioproof_main
from bioproof.core import audit
from bioproof.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def _base() -> int:
    """Events already in the chain (the baseline of seeded rows written by migrate)."""
    return AuditEvent.objects.count()


def _write(n: int) -> int:
    """Append n test events; returns the seq before the first of them."""
    base = _base()
    for i in range(n):
        with transaction.atomic():
            audit.record(
                actor=None,
                action="test.event",
                after={"i": i, "x": 1.5, "k": "값"},
                reason=f"reason {i}",
            )
    return base


def _sql(statement: str, params: list[object]) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


@pytest.mark.django_db(transaction=True)
def test_record_outside_transaction_is_refused() -> None:
    with pytest.raises(RuntimeError):
        audit.record(actor=None, action="x")


def test_chain_links_each_event_to_the_previous() -> None:
    base = _write(3)
    everything = list(AuditEvent.objects.order_by("seq"))
    assert [e.seq for e in everything] == list(range(1, base + 4))
    assert everything[0].prev_hash == audit.GENESIS
    events = everything[base:]
    assert events[1].prev_hash == events[0].hash and events[2].prev_hash == events[1].hash
    assert all(audit.compute_hash(e) == e.hash for e in everything)
    result = audit.verify()
    assert result.ok and result.checked == base + 3


def test_sql_edit_is_detected_at_that_row() -> None:
    b = _write(5)
    _sql("UPDATE core_auditevent SET reason = %s WHERE seq = %s", ["tampered", b + 3])
    result = audit.verify()
    assert not result.ok
    assert result.first_broken_seq == b + 3
    assert "edited" in result.problem


def test_edit_of_before_after_json_is_detected() -> None:
    b = _write(3)
    event = AuditEvent.objects.get(seq=b + 2)
    _sql("UPDATE core_auditevent SET after = %s WHERE id = %s", ['{"i": 99}', event.id])
    assert audit.verify().first_broken_seq == b + 2


def test_deleted_middle_row_is_detected() -> None:
    b = _write(4)
    _sql("DELETE FROM core_auditevent WHERE seq = %s", [b + 2])
    result = audit.verify()
    assert not result.ok and result.first_broken_seq == b + 3
    assert "deleted" in result.problem


def test_deleted_latest_row_is_detected() -> None:
    b = _write(4)
    _sql("DELETE FROM core_auditevent WHERE seq = %s", [b + 4])
    result = audit.verify()
    assert not result.ok and "deleted" in result.problem


def test_rehashed_row_still_breaks_the_next_link() -> None:
    b = _write(3)
    event = AuditEvent.objects.get(seq=b + 2)
    event.reason = "forged"
    forged_hash = audit.compute_hash(event)
    _sql(
        "UPDATE core_auditevent SET reason = %s, hash = %s WHERE seq = %s",
        ["forged", forged_hash, b + 2],
    )
    result = audit.verify()
    assert not result.ok and result.first_broken_seq == b + 3


def test_command_exits_zero_when_intact_and_one_naming_the_row(capsys) -> None:
    b = _write(3)
    call_command("audit", "verify")
    assert f"{b + 3} events verified" in capsys.readouterr().out
    _sql("UPDATE core_auditevent SET action = %s WHERE seq = %s", ["evil", b + 2])
    with pytest.raises(CommandError) as exc:
        call_command("audit", "verify")
    assert exc.value.returncode == 1
    assert f"seq={b + 2}" in str(exc.value)


@pytest.mark.tampers  # and the command closes the connection on exit (PostgreSQL)
def test_console_script_exit_code() -> None:
    b = _write(2)
    _sql("UPDATE core_auditevent SET reason = %s WHERE seq = %s", ["x", b + 1])
    with pytest.raises(SystemExit) as exc:
        bioproof_main(["audit", "verify"])
    assert exc.value.code == 1
