"""The file store: streamed, size-checked, content-addressed, written on commit only."""

from __future__ import annotations

import errno
import hashlib
import io
import os
import time
from pathlib import Path
from typing import Any

import pytest
from django.core.files.storage import FileSystemStorage, default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.handlers.wsgi import WSGIHandler
from django.core.management import call_command
from django.db import transaction
from django.test import Client, RequestFactory

from bioproof.core import files
from bioproof.core.errors import DomainError, FileStoreError, FileTooLarge

from ..races import seed_reference_data

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _reference_data(request) -> None:
    """Transactional tests start from a flushed database: seed what the data migrations do."""
    if request.node.get_closest_marker("django_db").kwargs.get("transaction"):
        request.getfixturevalue("transactional_db")
        seed_reference_data()


def _all_files(settings: Any) -> list[str]:
    root = Path(settings.MEDIA_ROOT)
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def test_commit_leaves_exactly_one_file_named_by_its_hash(settings) -> None:
    data = b"time,vcd\n0,1.0\n"
    sha = hashlib.sha256(data).hexdigest()
    with transaction.atomic():
        stored = files.store(data, prefix="run-data", filename="../../etc/C 1.csv")
        # Before commit only a temporary file exists; the final name is not there yet.
        assert not default_storage.exists(stored.name)
        assert [n.startswith("tmp/") and n.endswith(".part") for n in _all_files(settings)] == [
            True
        ]
    assert stored.sha256 == sha and stored.size == len(data)
    assert stored.name == f"run-data/{sha[:2]}/{sha}/C_1.csv"
    assert _all_files(settings) == [stored.name]
    assert files.verify_stored(stored.name, sha) is None


def test_rollback_leaves_no_file(settings) -> None:
    with pytest.raises(RuntimeError), transaction.atomic():
        files.store(b"abc", prefix="run-data", filename="a.csv")
        assert len(_all_files(settings)) == 1  # the temporary file
        raise RuntimeError("the action failed after storing")
    assert _all_files(settings) == []


def test_savepoint_rollback_removes_only_its_files(settings) -> None:
    with transaction.atomic():
        kept = files.store(b"kept", prefix="p", filename="k.txt")
        try:
            with transaction.atomic():
                files.store(b"dropped", prefix="p", filename="d.txt")
                raise ValueError
        except ValueError:
            pass
    assert _all_files(settings) == [kept.name]


def test_identical_content_is_stored_once(settings) -> None:
    with transaction.atomic():
        a = files.store(b"same", prefix="p", filename="x.csv")
    with transaction.atomic():
        b = files.store(b"same", prefix="p", filename="x.csv")
    assert a == b
    assert _all_files(settings) == [a.name]


def test_a_damaged_final_file_is_replaced(settings) -> None:
    with transaction.atomic():
        stored = files.store(b"good content", prefix="p", filename="x.csv")
    Path(settings.MEDIA_ROOT, stored.name).write_bytes(b"good")  # truncated by an old bug
    assert "SHA-256" in files.verify_stored(stored.name, stored.sha256)
    with transaction.atomic():
        files.store(b"good content", prefix="p", filename="x.csv")
    assert files.verify_stored(stored.name, stored.sha256) is None


class _Endless(io.RawIOBase):
    """A client that keeps sending; counts what was read."""

    def __init__(self) -> None:
        self.read_bytes = 0

    def readable(self) -> bool:
        return True

    def read(self, n: int = -1) -> bytes:
        n = 65536 if n is None or n < 0 else n
        self.read_bytes += n
        return b"x" * n


def test_declared_oversize_is_refused_before_reading(settings) -> None:
    settings.BIOPROOF_MAX_UPLOAD_BYTES = 1000

    class Declared(_Endless):
        size = 10**9

    source = Declared()
    with pytest.raises(FileTooLarge) as exc, transaction.atomic():
        files.store(source, prefix="p", filename="big.csv")
    assert source.read_bytes == 0
    assert "big.csv" in exc.value.message and "larger than" in exc.value.message
    assert exc.value.status_code == 413
    assert _all_files(settings) == []


def test_streamed_oversize_is_refused_while_reading(settings) -> None:
    source = _Endless()
    with pytest.raises(FileTooLarge), transaction.atomic():
        files.store(source, prefix="p", filename="stream.bin", max_bytes=200_000)
    assert source.read_bytes <= 200_000 + files.CHUNK
    assert _all_files(settings) == []


def test_per_call_limit_overrides_the_setting(settings) -> None:
    settings.BIOPROOF_MAX_UPLOAD_BYTES = 10
    with transaction.atomic():
        stored = files.store(b"x" * 100, prefix="p", filename="a", max_bytes=100)
    assert stored.size == 100
    with pytest.raises(FileTooLarge):
        files.read_limited(b"x" * 11, filename="a")


def test_empty_file_is_refused(settings) -> None:
    with pytest.raises(DomainError, match="empty"), transaction.atomic():
        files.store(b"", prefix="p", filename="e.csv")
    assert _all_files(settings) == []


class _FullDisk(FileSystemStorage):
    """Writes part of the file, then the disk is full."""

    def _save(self, name: str, content: Any) -> str:
        path = self.path(name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as handle:
            handle.write(next(iter(content.chunks())))
        raise OSError(errno.ENOSPC, "No space left on device")


def test_full_disk_leaves_nothing_and_says_so(settings) -> None:
    storage = _FullDisk(location=settings.MEDIA_ROOT)
    with pytest.raises(FileStoreError) as exc, transaction.atomic():
        files.store(b"y" * 200_000, prefix="p", filename="run.csv", storage=storage)
    assert "full" in exc.value.message and "run.csv" in exc.value.message
    assert exc.value.status_code == 503
    assert _all_files(settings) == []


def test_full_disk_during_an_api_upload_is_a_message_not_a_500(
    settings, monkeypatch, people, with_data
) -> None:
    from bioproof.consortium.actions import issue_api_token
    from bioproof.evaluations.models import RunDataFile
    from bioproof.evaluations.samples import fed_batch_csv

    monkeypatch.setattr(FileSystemStorage, "_save", _FullDisk._save)
    _, raw = issue_api_token(by=people["evaluator"], name="t")
    before = RunDataFile.objects.count()
    response = Client(HTTP_AUTHORIZATION=f"Bearer {raw}", HTTP_ACCEPT_LANGUAGE="en").post(
        f"/api/evaluations/{with_data.code}/runs/C-1/data",
        {"file": SimpleUploadedFile("C-1.csv", fed_batch_csv(seed=9))},
    )
    assert response.status_code == 503, response.content
    assert "full" in response.json()["detail"]
    assert RunDataFile.objects.count() == before
    assert not list(Path(settings.MEDIA_ROOT, "tmp").glob("*"))


def test_killed_worker_temp_file_is_never_a_final_file_and_is_cleaned(settings) -> None:
    data = b"complete content"
    sha = hashlib.sha256(data).hexdigest()
    tmp = Path(settings.MEDIA_ROOT, "tmp")
    tmp.mkdir(parents=True)
    stale, fresh = tmp / "dead.part", tmp / "busy.part"
    stale.write_bytes(data[:5])  # a worker killed mid-write
    fresh.write_bytes(b"an upload in progress")
    old = time.time() - 2 * 86400
    os.utime(stale, (old, old))
    # The temp file is not under any final name, and storing the same content is unaffected.
    with transaction.atomic():
        stored = files.store(data, prefix="p", filename="f.csv")
    assert files.verify_stored(stored.name, sha) is None
    out = io.StringIO()
    call_command("files", "cleanup", stdout=out)
    assert "removed tmp/dead.part" in out.getvalue()
    assert not stale.exists() and fresh.exists()
    assert files.cleanup_stale_temp() == []


def test_verify_stored_names_each_problem(settings) -> None:
    with transaction.atomic():
        stored = files.store(b"abc", prefix="p", filename="a.csv")
    assert files.verify_stored(stored.name, stored.sha256) is None
    assert "missing" in files.verify_stored("p/nothing.csv", stored.sha256)
    wrong = "0" * 64
    assert "hash other than" in files.verify_stored(stored.name, wrong)
    Path(settings.MEDIA_ROOT, stored.name).write_bytes(b"abd")
    problem = files.verify_stored(stored.name, stored.sha256)
    assert stored.name in problem and stored.sha256 in problem


class _CountingInput:
    """A WSGI input stream that sends an endless body and counts what Django reads."""

    def __init__(self) -> None:
        self.read_bytes = 0

    def read(self, n: int = -1) -> bytes:
        n = 65536 if n is None or n < 0 else n
        self.read_bytes += n
        return b"x" * n

    def readline(self, n: int = -1) -> bytes:
        return self.read(n)


def test_verify_refuses_an_oversized_streamed_body_before_reading_it(settings) -> None:
    environ = RequestFactory()._base_environ(
        PATH_INFO="/verify/",
        REQUEST_METHOD="POST",
        CONTENT_TYPE="multipart/form-data; boundary=BoUnDaRy",
        CONTENT_LENGTH=str(200 * 2**20),  # an anonymous 200 MB POST
        HTTP_ACCEPT_LANGUAGE="en",
    )
    stream = _CountingInput()
    environ["wsgi.input"] = stream
    statuses = []
    body = b"".join(
        WSGIHandler()(environ, lambda status, headers, exc_info=None: statuses.append(status))
    )
    assert statuses[0].startswith("413")
    assert b"larger than 50 MB" in body
    assert stream.read_bytes == 0


def test_api_upload_above_the_limit_is_413_with_a_message(settings, people, with_data) -> None:
    from bioproof.consortium.actions import issue_api_token
    from bioproof.evaluations.models import RunDataFile

    settings.BIOPROOF_MAX_UPLOAD_BYTES = 4096
    _, raw = issue_api_token(by=people["evaluator"], name="t")
    before = RunDataFile.objects.count()
    response = Client(HTTP_AUTHORIZATION=f"Bearer {raw}", HTTP_ACCEPT_LANGUAGE="en").post(
        f"/api/evaluations/{with_data.code}/runs/C-1/data",
        {"file": SimpleUploadedFile("C-1.csv", b"t,v\n" + b"1,2\n" * 5000)},
    )
    assert response.status_code == 413, response.content
    assert "C-1.csv" in response.json()["detail"]
    assert RunDataFile.objects.count() == before


def test_verify_page_hashes_in_chunks_and_refuses_a_file_above_the_limit(
    settings, published
) -> None:
    report = published.reports.get()
    with report.file.open("rb") as handle:
        pdf = handle.read()
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    ok = client.post(
        "/verify/", {"code": report.verification_code, "pdf": SimpleUploadedFile("r.pdf", pdf)}
    )
    assert ok.status_code == 200 and ok.context["match"] is True
    settings.BIOPROOF_MAX_UPLOAD_BYTES = len(pdf) - 1
    refused = client.post(
        "/verify/", {"code": report.verification_code, "pdf": SimpleUploadedFile("r.pdf", pdf)}
    )
    assert refused.status_code == 200 and refused.context["match"] is None
    assert "r.pdf" in refused.context["form"].errors["pdf"][0]
    assert "larger than" in refused.context["form"].errors["pdf"][0]


class _ReadingStorage(FileSystemStorage):
    """A back end that pulls the content with read(size), as boto3's upload_fileobj does."""

    def _save(self, name: str, content: Any) -> str:
        assert not content.seekable()
        path = self.path(name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as handle:
            while block := content.read(10_000):
                assert len(block) <= 10_000
                handle.write(block)
        return name


def test_a_back_end_reading_by_size_gets_every_byte_once(settings) -> None:
    data = bytes(range(256)) * 1000
    storage = _ReadingStorage(location=settings.MEDIA_ROOT)
    with transaction.atomic():
        stored = files.store(io.BytesIO(data), prefix="p", filename="b.bin", storage=storage)
    assert stored.size == len(data) and stored.sha256 == hashlib.sha256(data).hexdigest()
    assert files.verify_stored(stored.name, stored.sha256, storage=storage) is None
