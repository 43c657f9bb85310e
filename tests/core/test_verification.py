"""`audit verify` replays the record: each way around the application is named.

Every test here writes behind the application's back (SQL, the file system, a re-hashed chain)
the way an operator with that access could, and expects `bioproof audit verify` to fail naming
the table, key and field.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.test import Client

from bioproof.core import audit, checkpoints, verification
from bioproof.core.models import AuditChainHead, AuditCheckpoint, AuditEvent, Signature
from bioproof.evaluations.models import Criterion, Evaluation, Report, RunDataFile, TrackRecord

pytestmark = [pytest.mark.django_db, pytest.mark.tampers]


def _sql(statement: str, params: list[Any] | None = None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params or [])


def _fails(*needles: str) -> str:
    with pytest.raises(CommandError) as exc:
        call_command("audit", "verify", "--quiet")
    text = str(exc.value)
    assert exc.value.returncode == 1
    for needle in needles:
        assert needle in text, text
    return text


def _anchor() -> checkpoints.Checkpoint:
    entry = checkpoints.checkpoint()
    assert entry is not None
    return entry


def test_intact_record_verifies_with_files(published: Evaluation, capsys: Any) -> None:
    _anchor()
    call_command("audit", "verify", "--files")
    out = capsys.readouterr()
    assert "rows: every regulated row matches" in out.out
    assert "files: every stored file matches" in out.out
    assert "checkpoints: 1 verified" in out.out
    # six raw data files, their six parsed tables (Parquet) and the report
    assert "files: 13/13 re-hashed" in out.err


def test_newest_events_deleted_and_head_moved_back(approved: Evaluation) -> None:
    anchored = _anchor()
    # The attacker deletes the newest event and moves the head back so the chain is consistent.
    previous = AuditEvent.objects.get(seq=anchored.seq - 1)
    _sql("DELETE FROM core_auditevent WHERE seq = %s", [anchored.seq])
    _sql(
        "UPDATE core_auditchainhead SET last_seq = %s, last_hash = %s",
        [previous.seq, previous.hash],
    )
    assert audit.verify().ok  # the chain alone cannot tell …
    _fails(f"event seq {anchored.seq}", "truncated")  # … the checkpoint can


def test_whole_chain_rehashed_after_an_edit(approved: Evaluation) -> None:
    _anchor()
    _sql("UPDATE core_auditevent SET reason = %s WHERE seq = %s", ["forged", 2])
    prev = audit.GENESIS
    for event in AuditEvent.objects.order_by("seq"):
        event.prev_hash = prev
        event.hash = audit.compute_hash(event)
        _sql(
            "UPDATE core_auditevent SET prev_hash = %s, hash = %s WHERE id = %s",
            [event.prev_hash, event.hash, event.id],
        )
        prev = event.hash
    _sql("UPDATE core_auditchainhead SET last_hash = %s", [prev])
    assert audit.verify().ok
    _fails("the chain was rewritten")


def test_signatures_deleted_then_verdict_flipped(approved: Evaluation) -> None:
    criterion = approved.criteria.first()
    _sql("DELETE FROM core_signature")
    _sql(
        "UPDATE evaluations_criterion SET passed = %s WHERE id = %s",
        [not criterion.passed, criterion.pk],
    )
    text = _fails("core_signature", "deleted outside the application", "evaluations_criterion")
    assert f"evaluations_criterion pk={criterion.pk} field 'passed'" in text


def test_parsed_data_table_edited(approved: Evaluation, settings: Any) -> None:
    """The parsed table is a Parquet file whose SHA-256 the row holds: a table rewritten on
    disk fails ``--files``; a row pointed at another hash fails the row check."""
    from bioproof.evaluations import rundata

    data_file = RunDataFile.objects.filter(run__evaluation=approved).first()
    frame = data_file.frame().copy()
    frame.iloc[0, 0] = 999999.0
    Path(settings.MEDIA_ROOT, data_file.table_file.name).write_bytes(
        rundata.table_to_parquet(frame)
    )
    call_command("audit", "verify", "--quiet")
    with pytest.raises(CommandError) as exc:
        call_command("audit", "verify", "--files", "--quiet")
    assert f"evaluations_rundatafile pk={data_file.pk}" in str(exc.value)
    _sql(
        "UPDATE evaluations_rundatafile SET table_sha256 = %s WHERE id = %s",
        ["0" * 64, data_file.pk],
    )
    _fails(f"evaluations_rundatafile pk={data_file.pk} field 'table_sha256'")


def test_raw_file_and_report_replaced_on_disk(published: Evaluation, settings: Any) -> None:
    data_file = RunDataFile.objects.filter(run__evaluation=published).first()
    report = Report.objects.get(evaluation=published)
    Path(settings.MEDIA_ROOT, data_file.file.name).write_bytes(b"time,VCD\n0,1\n")
    Path(settings.MEDIA_ROOT, report.file.name).write_bytes(b"%PDF-1.4 forged")
    call_command("audit", "verify", "--quiet")  # rows are intact; only --files reads the files
    with pytest.raises(CommandError) as exc:
        call_command("audit", "verify", "--files", "--quiet")
    text = str(exc.value)
    assert f"evaluations_rundatafile pk={data_file.pk}" in text
    assert f"evaluations_report pk={report.pk}" in text
    assert "not the recorded" in text


def test_track_record_inserted(approved: Evaluation, people: dict[str, Any]) -> None:
    from bioproof.evaluations import actions

    report = actions.generate_report(by=people["evaluator"], evaluation=approved, language="en")
    _sql(
        "INSERT INTO evaluations_trackrecord (evaluation_id, report_id, consent_statement, "
        "published_by_id, published_at, withdrawal_reason) VALUES (%s, %s, %s, %s, %s, %s)",
        [approved.pk, report.pk, "forged", people["a_admin"].pk, "2026-01-01 00:00:00", ""],
    )
    record = TrackRecord.objects.get()
    _fails(f"evaluations_trackrecord pk={record.pk}", "no audit event")


def test_membership_inserted(people: dict[str, Any], orgs: dict[str, Any]) -> None:
    _sql(
        "INSERT INTO consortium_membership (user_id, organization_id, role) VALUES (%s, %s, %s)",
        [people["b_admin"].pk, orgs["supplier_a"].pk, "org_admin"],
    )
    _fails("consortium_membership", "no audit event")


def test_signed_evaluation_status_set_back(approved: Evaluation) -> None:
    _sql("UPDATE evaluations_evaluation SET status = %s WHERE id = %s", ["running", approved.pk])
    _fails(f"evaluations_evaluation pk={approved.pk} field 'status'", '"running"')


def test_protocol_plan_and_signature_changed(approved: Evaluation) -> None:
    protocol = approved.protocol
    _sql("UPDATE evaluations_protocol SET plan = %s WHERE id = %s", ['{"runs": 1}', protocol.pk])
    signature = Signature.objects.filter(object_code=approved.code).first()
    _sql("UPDATE core_signature SET signer_name = %s WHERE id = %s", ["Someone Else", signature.pk])
    _fails(
        f"evaluations_protocol pk={protocol.pk} field 'plan'",
        f"core_signature pk={signature.pk} field 'signer_name'",
    )


def test_password_set_behind_the_application(people: dict[str, Any]) -> None:
    from django.contrib.auth.hashers import make_password

    reviewer = people["reviewer"]
    _sql(
        "UPDATE consortium_user SET password = %s WHERE id = %s", [make_password("x"), reviewer.pk]
    )
    text = _fails(f"consortium_user pk={reviewer.pk} field 'password'")
    assert "pbkdf2" not in text and "md5$" not in text  # the hash itself is never shown


def test_row_deleted_behind_the_application(approved: Evaluation) -> None:
    deviation_free = Criterion.objects.filter(evaluation=approved).last()
    _sql("DELETE FROM evaluations_criterion WHERE id = %s", [deviation_free.pk])
    _fails(f"evaluations_criterion pk={deviation_free.pk}", "deleted outside the application")


def test_checkpoint_log_edited_or_removed(approved: Evaluation, settings: Any) -> None:
    _anchor()
    log = Path(settings.BIOPROOF_CHECKPOINT_LOG)
    line = json.loads(log.read_text())
    line["hash"] = "0" * 64
    log.write_text(json.dumps(line) + "\n")
    _fails("signature does not verify")
    log.unlink()
    _fails("log was removed or replaced")


# --- what the application itself writes stays verifiable -----------------------------------------


def test_update_and_bulk_create_are_recorded(approved: Evaluation) -> None:
    """QuerySet.update() and bulk_create() on a regulated model write row events too."""
    with transaction.atomic():
        Criterion.objects.filter(evaluation=approved).update(alpha=0.1)
    assert not verification.verify_rows()
    before = AuditEvent.objects.filter(action=verification.ROW_SAVED).count()
    with transaction.atomic():
        Evaluation.objects.filter(pk=approved.pk).update(title="renamed")
    assert AuditEvent.objects.filter(action=verification.ROW_SAVED).count() == before + 1
    assert not verification.verify_rows()


def test_every_regulated_table_is_registered() -> None:
    tables = {entry.table for entry in verification.registered()}
    assert {
        "consortium_organization",
        "consortium_user",
        "consortium_membership",
        "consortium_apitoken",
        "catalog_product",
        "catalog_category",
        "demand_need",
        "demand_proposal",
        "demand_adoption",
        "demand_productdocument",
        "evaluations_evaluation",
        "evaluations_criterion",
        "evaluations_run",
        "evaluations_rundatafile",
        "evaluations_protocol",
        "evaluations_report",
        "evaluations_trackrecord",
        "evaluations_methodtemplate",
        "core_signature",
    } <= tables


@pytest.mark.django_db(transaction=True)
def test_a_commit_writes_a_signed_checkpoint_outside_the_database(
    people: dict[str, Any], settings: Any
) -> None:
    head = AuditChainHead.objects.get()
    log = Path(settings.BIOPROOF_CHECKPOINT_LOG)
    entries = checkpoints.read_log(log)
    assert entries and entries[-1].seq == head.last_seq and entries[-1].hash == head.last_hash
    assert checkpoints.verify_signature(entries[-1].message(), entries[-1].signature)
    assert AuditCheckpoint.objects.filter(seq=head.last_seq).exists()
    # A partner's copy from the transparency page verifies the same chain.
    copy = log.parent / "partner.json"
    copy.write_bytes(Client().get("/transparency/checkpoints.json").content)
    call_command("audit", "verify", "--quiet", "--checkpoints", str(copy))


def test_transparency_page_and_key_are_public(approved: Evaluation) -> None:
    _anchor()
    client = Client()
    page = client.get("/transparency/")
    assert page.status_code == 200
    assert checkpoints.key_id().encode() in page.content
    keys = client.get("/.well-known/jwks.json").json()["keys"]
    assert keys[0]["crv"] == "Ed25519" and keys[0]["kid"] == checkpoints.key_id()


def test_verify_against_a_missing_partner_copy_is_a_clear_error() -> None:
    with pytest.raises(CommandError, match="not a readable file"):
        call_command("audit", "verify", "--checkpoints", "/nonexistent/copy.json")


def test_baseline_takes_in_a_field_added_by_a_migration_only(approved: Evaluation) -> None:
    """A state recorded before a field existed is completed by migrate's baseline, nothing else."""
    event = (
        AuditEvent.objects.filter(action=verification.ROW_SAVED, object_type="evaluations.run")
        .order_by("-seq")
        .first()
    )
    assert verification.baseline() == 0  # everything is described already
    with transaction.atomic():
        # The state as an earlier release recorded it, before 'notes' existed.
        after = {k: v for k, v in event.after.items() if k != "notes"}
        audit.append(
            actor=None,
            action=verification.ROW_SAVED,
            object_type=event.object_type,
            object_id=event.object_id,
            after=after,
        )
    assert verification.verify_rows()  # 'notes' is not described …
    assert verification.baseline() == 1  # … until migrate's baseline records it
    assert not verification.verify_rows()


def test_baseline_of_many_rows_is_one_lock_and_a_few_inserts(approved: Evaluation) -> None:
    """A migration that adds a field to a large table: every row gets a new state, in bulk, and
    the chain and the rows verify afterwards."""
    from django.test.utils import CaptureQueriesContext

    from bioproof.evaluations.models import Run

    assert {verification.ROW_SAVED} == audit.STATE_ACTIONS
    runs = list(Run.objects.values_list("pk", flat=True))
    with transaction.atomic():
        # states as an earlier release recorded them, before 'notes' existed
        for pk in runs:
            event = (
                AuditEvent.objects.filter(object_type="evaluations.run", object_id=str(pk))
                .order_by("-seq")
                .first()
            )
            audit.append(
                actor=None,
                action=verification.ROW_SAVED,
                object_type="evaluations.run",
                object_id=str(pk),
                after={k: v for k, v in event.after.items() if k != "notes"},
            )
    assert len(verification.verify_rows()) == len(runs)
    head_before = AuditChainHead.objects.get().last_seq
    with CaptureQueriesContext(connection) as queries:
        assert verification.baseline() == len(runs)
    inserts = [q for q in queries.captured_queries if q["sql"].startswith("INSERT")]
    assert len(inserts) == 1  # the runs' states, one statement (up to a thousand rows)
    assert AuditChainHead.objects.get().last_seq == head_before + len(runs)
    assert not verification.verify_rows()
    assert audit.verify().ok
    assert verification.baseline() == 0


def test_append_states_writes_row_states_only() -> None:
    with transaction.atomic(), pytest.raises(ValueError):
        audit.append_states([{"action": "evaluation.published", "object_type": "x"}])


def test_models_and_migrations_agree() -> None:
    """The registry wraps managers; the migration state must still see the same managers."""
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)
