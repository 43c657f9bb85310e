"""Exactly once: concurrent requests on one evaluation end in one success and clear 409s.

PostgreSQL only (SQLite serializes writers); ≥ 20 attempts at once, each thread on its own
connection.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from bioproof.consortium.actions import issue_api_token
from bioproof.consortium.models import User
from bioproof.core import files
from bioproof.core.models import AuditEvent, Signature
from bioproof.core.signatures import signatures_for
from bioproof.evaluations import actions, content
from bioproof.evaluations.models import Evaluation, Run, RunDataFile, TrackRecord
from bioproof.evaluations.samples import fed_batch_csv

from ..conftest import PASSWORD
from ..races import assert_only_ok_or_409, race, require_postgresql, seed_reference_data, tally

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.slow,
]
N = 20
S = Evaluation.Status


@pytest.fixture(autouse=True)
def _reference_data(request) -> None:
    """Transactional tests start from a flushed database: seed what the data migrations do."""
    if request.node.get_closest_marker("django_db").kwargs.get("transaction"):
        request.getfixturevalue("transactional_db")
        seed_reference_data()


@pytest.fixture(autouse=True)
def _postgresql() -> None:
    require_postgresql()


def _user(name: str) -> User:
    return User.objects.get(username=name)


def _events(action: str) -> int:
    return AuditEvent.objects.filter(action=action).count()


def _stored_files(settings) -> set[str]:
    root = Path(settings.MEDIA_ROOT)
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()}


def test_sign_and_upload_never_both_succeed(people, with_data) -> None:
    ev = actions.analyse(by=people["evaluator"], evaluation=with_data)

    def prepare(i: int):
        return Evaluation.objects.get(pk=ev.pk), _user("evaluator")

    def attempt(i: int, prepared):
        evaluation, user = prepared
        if i % 2 == 0:
            return actions.sign(
                by=user, evaluation=evaluation, meaning="authored", password=PASSWORD
            )
        run = Run.objects.get(evaluation=evaluation, label="C-1")
        return actions.upload_run_data(
            by=user, run=run, filename=f"C-1-{i}.csv", data=fed_batch_csv(seed=100 + i)
        )

    outcomes = race(N, prepare, attempt)
    assert_only_ok_or_409(outcomes)
    signed = [o for i, o in enumerate(outcomes) if i % 2 == 0 and o[0] == "ok"]
    uploaded = [o for i, o in enumerate(outcomes) if i % 2 == 1 and o[0] == "ok"]
    assert len(signed) <= 1
    assert not (signed and uploaded), "a signature and an upload both succeeded"
    ev.refresh_from_db()
    signatures = list(signatures_for(ev))
    if signed:
        assert ev.status == S.AUTHORED
        assert [s.content_hash for s in signatures] == [content.content_hash(ev)]
    else:
        assert uploaded and ev.status == S.RUNNING and signatures == []


def test_twenty_withdrawals_make_one(people, published) -> None:
    def prepare(i: int):
        return Evaluation.objects.get(pk=published.pk), _user("a_admin")

    outcomes = race(
        N, prepare, lambda i, p: actions.withdraw(by=p[1], evaluation=p[0], reason=f"r{i}")
    )
    assert_only_ok_or_409(outcomes)
    assert tally(outcomes) == {"ok": 1, 409: N - 1}
    assert _events("evaluation.withdrawn") == 1
    assert TrackRecord.objects.filter(withdrawn_at__isnull=False).count() == 1
    published.refresh_from_db()
    assert published.status == S.APPROVED


def test_publish_withdraw_toggling_leaves_a_consistent_record(people, published) -> None:
    def prepare(i: int):
        return Evaluation.objects.get(pk=published.pk), _user("a_admin")

    def attempt(i: int, p):
        if i % 2 == 0:
            return actions.withdraw(by=p[1], evaluation=p[0], reason=f"r{i}")
        return actions.publish(by=p[1], evaluation=p[0], consent=True)

    outcomes = race(N, prepare, attempt)
    assert_only_ok_or_409(outcomes)
    ev = Evaluation.objects.get(pk=published.pk)
    public = ev.track_records.public().count()
    assert (ev.status, public) in ((S.PUBLISHED, 1), (S.APPROVED, 0))
    assert _events("evaluation.published") - _events("evaluation.withdrawn") == public
    # Whatever the end state, the next step works (no record stuck public and unwithdrawable).
    admin = _user("a_admin")
    if ev.status == S.PUBLISHED:
        actions.withdraw(by=admin, evaluation=ev, reason="final")
        assert ev.track_records.public().count() == 0
    else:
        actions.publish(by=admin, evaluation=ev, consent=True)
        assert ev.track_records.public().count() == 1


def _row_files() -> set[str]:
    """Every file the run-data rows hold: the raw upload and its parsed table (Parquet)."""
    rows = RunDataFile.objects.values_list("file", "table_file")
    return {name for pair in rows for name in pair if name}


def test_twenty_uploads_to_one_run_are_numbered_without_gaps(settings, people, with_data) -> None:
    run = Run.objects.get(evaluation=with_data, label="C-1")

    def prepare(i: int):
        return Run.objects.get(pk=run.pk), _user("evaluator")

    outcomes = race(
        N,
        prepare,
        lambda i, p: actions.upload_run_data(
            by=p[1], run=p[0], filename=f"C-1-{i}.csv", data=fed_batch_csv(seed=200 + i)
        ),
    )
    assert tally(outcomes) == {"ok": N}, outcomes
    rows = RunDataFile.objects.filter(run=run, layout="offline")
    assert sorted(rows.values_list("version", flat=True)) == list(range(1, N + 2))
    assert rows.filter(is_current=True).count() == 1
    assert rows.get(is_current=True).version == N + 1
    # No orphans: every file on disk belongs to a row, every row's file hashes to its record.
    assert _stored_files(settings) == _row_files()
    for f in RunDataFile.objects.all():
        assert files.verify_stored(f.file.name, f.sha256) is None


def test_concurrent_corrections_open_one_version(people, approved) -> None:
    def prepare(i: int):
        return Evaluation.objects.get(pk=approved.pk), _user("approver")

    outcomes = race(
        N,
        prepare,
        lambda i, p: actions.start_correction(by=p[1], evaluation=p[0], reason=f"fix {i}"),
    )
    assert_only_ok_or_409(outcomes)
    assert tally(outcomes) == {"ok": 1, 409: N - 1}
    assert sorted(
        Evaluation.objects.filter(code=approved.code).values_list("version", flat=True)
    ) == [1, 2]
    assert _events("evaluation.correction_started") == 1


def test_concurrent_signatures_make_one(people, with_data) -> None:
    ev = actions.analyse(by=people["evaluator"], evaluation=with_data)

    def prepare(i: int):
        return Evaluation.objects.get(pk=ev.pk), _user("evaluator")

    outcomes = race(
        N,
        prepare,
        lambda i, p: actions.sign(by=p[1], evaluation=p[0], meaning="authored", password=PASSWORD),
    )
    assert_only_ok_or_409(outcomes)
    assert tally(outcomes) == {"ok": 1, 409: N - 1}
    assert Signature.objects.filter(object_id=ev.pk, meaning="authored").count() == 1
    assert _events("evaluation.signed_authored") == 1


def _bearer(username: str) -> Client:
    _, raw = issue_api_token(by=_user(username), name="race")
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}", HTTP_ACCEPT_LANGUAGE="en")


def test_http_uploads_to_one_run_answer_only_201_or_409(settings, people, with_data) -> None:
    url = f"/api/evaluations/{with_data.code}/runs/C-2/data"

    def attempt(i: int, client: Client):
        upload = SimpleUploadedFile(f"C-2-{i}.csv", fed_batch_csv(seed=300 + i))
        response = client.post(url, {"file": upload})
        return response.status_code, response.content

    outcomes = race(N, lambda i: _bearer("evaluator"), attempt)
    statuses = [o[1][0] if o[0] == "ok" else o for o in outcomes]
    assert all(s in (201, 409) for s in statuses), outcomes
    versions = sorted(
        RunDataFile.objects.filter(run__label="C-2", run__evaluation=with_data).values_list(
            "version", flat=True
        )
    )
    assert versions == list(range(1, len(versions) + 1))
    assert len(versions) == 1 + statuses.count(201)
    assert _stored_files(settings) == _row_files()


def test_http_withdrawals_answer_one_200_and_409s(people, published) -> None:
    url = f"/api/evaluations/{published.code}/withdraw"

    def attempt(i: int, client: Client):
        response = client.post(url, {"reason": f"r{i}"}, content_type="application/json")
        return response.status_code, response.json()

    outcomes = race(N, lambda i: _bearer("a_admin"), attempt)
    statuses = sorted(o[1][0] for o in outcomes if o[0] == "ok")
    assert len(statuses) == N, outcomes
    assert statuses == [200] + [409] * (N - 1), outcomes
    assert all(o[1][1]["detail"] for o in outcomes if o[1][0] == 409)
    assert _events("evaluation.withdrawn") == 1
