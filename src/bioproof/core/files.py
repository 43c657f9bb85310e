"""One file store for every upload and every generated file (run data, product documents,
issued report PDFs) and the streaming checks of uploads that are only hashed (``/verify/``).

What holds for a stored file:

- **Bounded before read.** A size the client declares (``UploadedFile.size``, the request's
  ``Content-Length``) above the limit is refused before a byte is read; otherwise the source is
  read in chunks and refused as soon as the count passes the limit. The limit is
  ``settings.BIOPROOF_MAX_UPLOAD_BYTES`` (50 MiB by default) unless a call passes ``max_bytes``.
  :class:`UploadLimitMiddleware` refuses a request body above the limit (plus room for the
  form's other fields) from its ``Content-Length`` with HTTP 413, before Django parses it.
- **Content-addressed.** The final name is ``<prefix>/<sha[:2]>/<sha>/<file name>``, where
  ``sha`` is the SHA-256 computed while streaming; identical content shares one file.
- **Written on commit.** :func:`store` streams the bytes to ``tmp/<random>.part`` in the same
  storage and moves the file to its final name only when the surrounding transaction commits
  (``transaction.on_commit``). If the transaction rolls back, the pending move is dropped with
  Django's list of commit callbacks and the temporary file is deleted at that moment (the
  callback object removes its file when it is discarded without having run). A worker killed
  mid-write leaves only a ``tmp/…part`` file, never a final name: a final name always hashes to
  its content. :func:`cleanup_stale_temp` (``bioproof files cleanup``) deletes temporary files
  older than a day.
- **Clear failures.** A full disk or an unreachable bucket while writing gives a
  :class:`~bioproof.core.errors.FileStoreError` (503) with a message and leaves nothing behind.

Storage: every operation goes through Django's storage API (``default_storage`` unless a
``storage`` is passed), so an S3-compatible bucket works by configuring
``STORAGES["default"]`` with django-storages' ``S3Storage`` (``file_overwrite=True``, the
default, so a content-addressed name is written in place). On the local file system the final
move is an atomic ``os.replace``; on other back ends it is a copy then a delete of the
temporary object (an S3 PUT is atomic, so a reader never sees a partial final object).

``audit verify --files`` calls :func:`verify_stored` for each stored file.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import logging
import os
import re
import uuid
import weakref
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import IO, Any

from django.conf import settings
from django.core.files.base import File
from django.core.files.storage import FileSystemStorage, Storage, default_storage
from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _

from bioproof.core.errors import DomainError, FileStoreError, FileTooLarge

log = logging.getLogger(__name__)

CHUNK = 64 * 1024
TEMP_DIR = "tmp"
DEFAULT_MAX_BYTES = 50 * 1024 * 1024
#: Room for the other fields and the multipart framing of a form that carries one file.
FORM_OVERHEAD_BYTES = 1024 * 1024
STALE_AFTER = timedelta(days=1)
_FINAL_NAME = re.compile(r"(?:^|/)([0-9a-f]{2})/([0-9a-f]{64})/[^/]+$")

Source = bytes | IO[bytes] | File


@dataclass(frozen=True)
class StoredFile:
    """A file kept by :func:`store`: its final storage name, SHA-256 and size in bytes."""

    name: str
    sha256: str
    size: int


#: Paths that may carry a larger body (a sensor log) and the function giving their limit.
_LARGE_UPLOADS: list[tuple[re.Pattern[str], Callable[[], int]]] = []


def allow_large_uploads(pattern: str, limit: Callable[[], int]) -> None:
    """Let requests whose path matches ``pattern`` (a regular expression) carry up to
    ``limit()`` bytes past :class:`UploadLimitMiddleware`; every other path keeps
    :func:`max_upload_bytes`. The endpoint checks its own limit again while streaming."""
    _LARGE_UPLOADS.append((re.compile(pattern), limit))


def request_limit(path: str) -> int:
    """The body limit of a request to ``path`` (see :func:`allow_large_uploads`)."""
    limit = max_upload_bytes()
    for pattern, large in _LARGE_UPLOADS:
        if pattern.match(path):
            limit = max(limit, int(large()))
    return limit


def max_upload_bytes(override: int | None = None) -> int:
    """The upload limit: ``override`` if given, else ``settings.BIOPROOF_MAX_UPLOAD_BYTES``."""
    if override is not None:
        return int(override)
    return int(getattr(settings, "BIOPROOF_MAX_UPLOAD_BYTES", DEFAULT_MAX_BYTES))


def _mb(n: int) -> str:
    return f"{n / 2**20:.0f}" if n >= 2**20 else f"{n / 2**20:.2f}"


def too_large(filename: str, limit: int) -> FileTooLarge:
    return FileTooLarge(
        _("File '%(f)s' is larger than %(mb)s MB; nothing was saved.")
        % {"f": filename, "mb": _mb(limit)},
        field="file",
    )


def _declared_size(source: Any) -> int | None:
    if isinstance(source, bytes | bytearray | memoryview):
        return len(source)
    size = getattr(source, "size", None)
    return size if isinstance(size, int) else None


def iter_chunks(source: Source, *, filename: str, max_bytes: int | None = None) -> Iterator[bytes]:
    """Yield the bytes of ``source`` in chunks, refusing (:class:`FileTooLarge`) a declared size
    above the limit before reading and an actual one as soon as the count passes it."""
    limit = max_upload_bytes(max_bytes)
    declared = _declared_size(source)
    if declared is not None and declared > limit:
        raise too_large(filename, limit)
    if isinstance(source, bytes | bytearray | memoryview):
        view = memoryview(source)
        for start in range(0, len(view), CHUNK):
            yield bytes(view[start : start + CHUNK])
        return
    if hasattr(source, "seek"):
        with contextlib.suppress(OSError, ValueError):
            source.seek(0)
    chunks = (
        source.chunks(CHUNK) if hasattr(source, "chunks") else iter(lambda: source.read(CHUNK), b"")  # type: ignore[union-attr]
    )
    count = 0
    for chunk in chunks:
        count += len(chunk)
        if count > limit:
            raise too_large(filename, limit)
        yield chunk


def read_limited(source: Source, *, filename: str, max_bytes: int | None = None) -> bytes:
    """The whole content of ``source`` as bytes, for a parser that needs it in memory; refused
    before reading when the declared size is above the limit, and while reading otherwise."""
    if isinstance(source, bytes):
        if len(source) > max_upload_bytes(max_bytes):
            raise too_large(filename, max_upload_bytes(max_bytes))
        return source
    return b"".join(iter_chunks(source, filename=filename, max_bytes=max_bytes))


def sha256_of(source: Source, *, filename: str = "", max_bytes: int | None = None) -> str:
    """Streaming SHA-256 of an upload that is only compared, never kept (``/verify/``)."""
    digest = hashlib.sha256()
    for chunk in iter_chunks(source, filename=filename, max_bytes=max_bytes):
        digest.update(chunk)
    return digest.hexdigest()


def safe_filename(filename: str) -> str:
    """The last path segment of ``filename`` made safe for a storage name (≤ 100 characters)."""
    base = (filename or "").replace("\\", "/").rsplit("/", 1)[-1].strip()
    try:
        name = get_valid_filename(base)
    except Exception:  # SuspiciousFileOperation for "", ".", ".."
        name = "file"
    if len(name) > 100:
        stem, dot, ext = name.rpartition(".")
        name = (stem[: 99 - len(ext)] + "." + ext) if dot and len(ext) < 20 else name[-100:]
    return name


class _HashingReader(File):
    """A file object the storage reads from while the hash and size are computed.

    File-system storage iterates :meth:`chunks`; other back ends (boto3's ``upload_fileobj``)
    call ``read(size)``; both see the bytes once, in order, and never seek."""

    def __init__(self, chunks: Iterator[bytes]) -> None:
        super().__init__(None, name="upload")
        self._chunks = chunks
        self._buffer = b""
        self.digest = hashlib.sha256()
        self.count = 0

    def _next(self) -> bytes:
        chunk = next(self._chunks, b"")
        self.digest.update(chunk)
        self.count += len(chunk)
        return chunk

    def chunks(self, chunk_size: int | None = None) -> Iterator[bytes]:
        if self._buffer:
            yield self._buffer
            self._buffer = b""
        while chunk := self._next():
            yield chunk

    def __iter__(self) -> Iterator[bytes]:
        return self.chunks()

    def multiple_chunks(self, chunk_size: int | None = None) -> bool:
        return True

    def read(self, size: int | None = -1) -> bytes:
        if size is None or size < 0:
            return b"".join(self.chunks())
        while len(self._buffer) < size and (chunk := self._next()):
            self._buffer += chunk
        out, self._buffer = self._buffer[:size], self._buffer[size:]
        return out

    def seekable(self) -> bool:
        return False

    def readable(self) -> bool:
        return True

    @property
    def size(self) -> int:  # type: ignore[override]
        return self.count

    def open(self, mode: str | None = None) -> _HashingReader:  # type: ignore[override]
        return self

    def close(self) -> None:
        pass


def _full_disk(exc: OSError) -> bool:
    return getattr(exc, "errno", None) in (errno.ENOSPC, errno.EDQUOT)


def _store_error(filename: str, exc: Exception) -> FileStoreError:
    if isinstance(exc, OSError) and _full_disk(exc):
        return FileStoreError(
            _("The file store is full; '%(f)s' was not saved. Tell the administrator.")
            % {"f": filename},
            field="file",
        )
    return FileStoreError(
        _("The file store could not save '%(f)s' (%(e)s); nothing was saved.")
        % {"f": filename, "e": exc.__class__.__name__},
        field="file",
    )


def _delete_quietly(storage: Storage, name: str) -> None:
    try:
        storage.delete(name)
    except Exception:  # best effort; a stale temp is swept by cleanup
        log.warning("could not delete temporary file %s", name, exc_info=True)


class _PendingMove:
    """The on-commit callback that moves a temporary file to its final name.

    Django drops the callbacks of a transaction (or savepoint) that rolls back; this object is
    then released and :meth:`__del__` deletes the temporary file at once.
    """

    def __init__(self, storage: Storage, temp: str, final: str, sha256: str) -> None:
        self.storage, self.temp, self.final, self.sha256 = storage, temp, final, sha256
        self.done = False

    def __call__(self) -> None:
        self.done = True
        try:
            _move_into_place(self.storage, self.temp, self.final, self.sha256)
        except Exception:
            log.exception("could not move %s to %s", self.temp, self.final)
            raise

    def discard(self) -> None:
        if not self.done:
            self.done = True
            _delete_quietly(self.storage, self.temp)

    def __del__(self) -> None:
        self.discard()


def _move_into_place(storage: Storage, temp: str, final: str, sha256: str) -> None:
    if storage.exists(final) and verify_stored(final, sha256, storage=storage) is None:
        storage.delete(temp)  # identical content is stored already
        return
    if isinstance(storage, FileSystemStorage):
        target = storage.path(final)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        os.replace(storage.path(temp), target)  # atomic on one file system
        return
    if storage.exists(final):
        storage.delete(final)  # a damaged object under this name; replace it
    with storage.open(temp, "rb") as handle:
        saved = storage.save(final, handle)
    storage.delete(temp)
    if saved != final:  # pragma: no cover - a back end that renames instead of overwriting
        storage.delete(saved)
        raise RuntimeError(f"storage saved {final} as {saved}")


# Files stored in a transaction that has not committed yet, by final name: reading one back in
# the same transaction (a loader that stores and then analyses) opens the temporary file.
_pending: weakref.WeakValueDictionary[str, _PendingMove] = weakref.WeakValueDictionary()


def open_stored(name: str, mode: str = "rb", *, storage: Storage | None = None) -> IO[Any]:
    """Open a stored file by its final name, also before the transaction that stored it has
    committed (then its temporary file)."""
    storage = storage or default_storage
    move = _pending.get(name)
    if move is not None and not move.done and move.storage is storage:
        return storage.open(move.temp, mode)
    return storage.open(name, mode)


def schedule(move: Callable[[], None]) -> None:
    """Run ``move`` when the surrounding transaction commits (at once outside a transaction).

    Tests that run inside a transaction which never commits replace this (tests/conftest.py)."""
    transaction.on_commit(move, robust=True)


def store(
    source: Source,
    *,
    prefix: str,
    filename: str,
    max_bytes: int | None = None,
    storage: Storage | None = None,
) -> StoredFile:
    """Stream ``source`` into the store under ``prefix``; the file takes its final,
    content-addressed name when the surrounding transaction commits.

    Raises :class:`FileTooLarge` (nothing read beyond the limit), a :class:`DomainError` for an
    empty file, or :class:`FileStoreError` (full disk …); in every case nothing is left behind.
    """
    storage = storage or default_storage
    name = safe_filename(filename)
    reader = _HashingReader(iter_chunks(source, filename=filename, max_bytes=max_bytes))
    temp = f"{TEMP_DIR}/{uuid.uuid4().hex}.part"
    try:
        temp = storage.save(temp, reader)
    except DomainError:
        _delete_quietly(storage, temp)
        raise
    except Exception as exc:  # OSError (full disk), a bucket's client error …
        _delete_quietly(storage, temp)
        raise _store_error(filename, exc) from exc
    if reader.count == 0:
        _delete_quietly(storage, temp)
        raise DomainError(_("File '%(f)s' is empty.") % {"f": filename}, field="file")
    sha = reader.digest.hexdigest()
    final = f"{prefix.strip('/')}/{sha[:2]}/{sha}/{name}"
    move = _PendingMove(storage, temp, final, sha)
    _pending[final] = move
    try:
        schedule(move)
    except BaseException:
        move.discard()
        raise
    return StoredFile(name=final, sha256=sha, size=reader.count)


def verify_stored(name: str, sha256: str, *, storage: Storage | None = None) -> str | None:
    """Re-hash the stored file ``name`` (streaming); a message naming the problem, or None.

    A content-addressed name must also carry the recorded hash."""
    storage = storage or default_storage
    match = _FINAL_NAME.search(name or "")
    if match and match.group(2) != sha256:
        return _("%(name)s: the name carries a hash other than the recorded %(sha)s.") % {
            "name": name,
            "sha": sha256,
        }
    digest = hashlib.sha256()
    try:
        with storage.open(name, "rb") as handle:
            for chunk in iter(lambda: handle.read(CHUNK), b""):
                digest.update(chunk)
    except FileNotFoundError:
        return _("%(name)s: the file is missing.") % {"name": name}
    except OSError as exc:
        return _("%(name)s: the file cannot be read (%(e)s).") % {"name": name, "e": exc}
    if digest.hexdigest() != sha256:
        return _("%(name)s: the content's SHA-256 is %(got)s, not the recorded %(sha)s.") % {
            "name": name,
            "got": digest.hexdigest(),
            "sha": sha256,
        }
    return None


def cleanup_stale_temp(
    *, older_than: timedelta = STALE_AFTER, storage: Storage | None = None
) -> list[str]:
    """Delete temporary files (left by a killed worker) older than ``older_than``; their names.

    A temporary file is never served nor taken for a final one, so removing it loses nothing."""
    storage = storage or default_storage
    try:
        _dirs, names = storage.listdir(TEMP_DIR)
    except FileNotFoundError:
        return []
    cutoff = timezone.now() - older_than
    removed = []
    for base in sorted(names):
        name = f"{TEMP_DIR}/{base}"
        try:
            if storage.get_modified_time(name) < cutoff:
                storage.delete(name)
                removed.append(name)
        except FileNotFoundError:
            continue
    return removed


class UploadLimitMiddleware:
    """Refuse a request whose declared body is above the upload limit (plus room for the
    form's other fields) with HTTP 413 and a message, before Django reads any of it. The limit
    is :func:`request_limit` of the path: larger for the endpoints :func:`allow_large_uploads`
    names (run data, which may be a sensor log), the general one elsewhere.

    Django reads no more than the ``Content-Length`` it is given, so no body can grow the
    process past this limit (or past ``DATA_UPLOAD_MAX_MEMORY_SIZE`` for non-file fields)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        limit = request_limit(request.path)
        if length > limit + FORM_OVERHEAD_BYTES:
            message = _("The upload is larger than %(mb)s MB; nothing was saved.") % {
                "mb": _mb(limit)
            }
            if request.path.startswith("/api/"):
                response: HttpResponse = JsonResponse({"detail": message}, status=413)
            else:
                response = HttpResponse(message, status=413, content_type="text/plain")
            response["Connection"] = "close"
            return response
        return self.get_response(request)
