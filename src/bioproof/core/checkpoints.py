"""Signed checkpoints of the audit chain, kept outside the database.

The chain's hashes make an edit in the middle visible, but someone with write access to the
database alone could delete the newest events and move the head back, or re-hash the whole chain
after an edit. A *checkpoint* closes that gap: after every transaction that appended events, the
new head (sequence number and hash) is signed with the platform's Ed25519 key — which lives in a
file or an environment variable, never in the database — and appended to a log file outside the
database (``BIOPROOF_CHECKPOINT_LOG``). The same checkpoints are listed on the public transparency
page (``/transparency/``) so partners can keep their own copies.

``bioproof audit verify`` checks every checkpoint's signature and that the chain still holds the
event each one names: truncation, a head moved back and a re-hashed chain all break a checkpoint.

The key also signs other platform statements (certificates, evidence packages); its public half is
published as a JSON Web Key Set at ``/.well-known/jwks.json``.
"""

from __future__ import annotations

import base64
import datetime as dt
import fcntl
import hashlib
import json
import logging
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

log = logging.getLogger(__name__)


# --- the platform key ---------------------------------------------------------------------------


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@lru_cache(maxsize=4)
def _load_key(pem: bytes) -> Ed25519PrivateKey:
    key = serialization.load_pem_private_key(pem, password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError("the platform signing key must be an Ed25519 private key")
    return key


def signing_key() -> Ed25519PrivateKey:
    """The platform's Ed25519 key: ``BIOPROOF_SIGNING_KEY`` (PEM) or the key file.

    The embedded default generates the file once under ``var/keys/`` (mode 0600); production sets
    ``BIOPROOF_SIGNING_KEY_FILE`` to a path on a volume the database's operators cannot write.
    """
    pem = getattr(settings, "BIOPROOF_SIGNING_KEY", "")
    if pem:
        return _load_key(pem.encode())
    path = Path(settings.BIOPROOF_SIGNING_KEY_FILE)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        key = Ed25519PrivateKey.generate()
        data = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass  # another process made it first: read theirs
        else:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
    return _load_key(path.read_bytes())


def public_key() -> Ed25519PublicKey:
    return signing_key().public_key()


def public_key_bytes() -> bytes:
    return public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def key_id(raw_public: bytes | None = None) -> str:
    """A short, stable name of a public key: the first 16 hex digits of its SHA-256."""
    return hashlib.sha256(raw_public or public_key_bytes()).hexdigest()[:16]


def public_key_pem() -> str:
    return (
        public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


def jwks() -> dict[str, Any]:
    """The public key as a JSON Web Key Set (RFC 7517, OKP keys of RFC 8037)."""
    raw = public_key_bytes()
    return {
        "keys": [
            {
                "kty": "OKP",
                "crv": "Ed25519",
                "x": _b64url(raw),
                "kid": key_id(raw),
                "use": "sig",
                "alg": "EdDSA",
            }
        ]
    }


def sign(message: bytes) -> str:
    """Sign ``message`` with the platform key; the signature in base64url."""
    return _b64url(signing_key().sign(message))


def verify_signature(message: bytes, signature: str, raw_public: bytes | None = None) -> bool:
    try:
        key = Ed25519PublicKey.from_public_bytes(raw_public or public_key_bytes())
        key.verify(_b64url_decode(signature), message)
    except (InvalidSignature, ValueError):
        return False
    return True


# --- checkpoints --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Checkpoint:
    seq: int
    hash: str
    at: str
    key_id: str
    signature: str

    def message(self) -> bytes:
        return _message(self.seq, self.hash, self.at, self.key_id)

    def to_dict(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "hash": self.hash,
            "at": self.at,
            "key_id": self.key_id,
            "signature": self.signature,
        }


def _message(seq: int, hash_: str, at: str, kid: str) -> bytes:
    body = {"seq": seq, "hash": hash_, "at": at, "key_id": kid, "chain": "bioproof-audit"}
    return json.dumps(body, sort_keys=True, separators=(",", ":")).encode()


def log_path() -> Path:
    return Path(settings.BIOPROOF_CHECKPOINT_LOG)


def checkpoint() -> Checkpoint | None:
    """Sign the committed head and append it to the log (and the transparency table).

    Returns None when the chain is empty or the head is already anchored.
    """
    from bioproof.core.models import AuditChainHead, AuditCheckpoint

    head = AuditChainHead.objects.filter(id=1).first()
    if head is None or head.last_seq == 0:
        return None
    newest = AuditCheckpoint.objects.order_by("-seq").values_list("seq", flat=True).first()
    if newest is not None and newest >= head.last_seq:
        return None
    kid = key_id()
    at = timezone.now().astimezone(dt.UTC).isoformat()
    entry = Checkpoint(head.last_seq, head.last_hash, at, kid, "")
    entry = Checkpoint(entry.seq, entry.hash, at, kid, sign(entry.message()))
    _append_to_log(entry)
    try:
        with transaction.atomic():
            _relaxed_commit()
            AuditCheckpoint.objects.create(
                seq=entry.seq, hash=entry.hash, at=at, key_id=kid, signature=entry.signature
            )
    except IntegrityError:
        pass  # another process anchored the same head a moment earlier
    return entry


def _relaxed_commit() -> None:
    """The transparency copy of a checkpoint need not wait for the WAL flush (PostgreSQL's
    ``synchronous_commit = off``, for this transaction only): the fsync'ed log line written
    just before is the anchor, a copy lost in a crash is re-anchored by the next commit and
    ``verify_checkpoints`` reads the log. Saves a commit's flush on every write."""
    connection = transaction.get_connection()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")


def checkpoint_quietly() -> None:
    """Run after a commit: a checkpoint that cannot be written is logged, never raised."""
    try:
        checkpoint()
    except Exception:  # the write has committed; the next commit's checkpoint covers it
        log.exception("audit checkpoint could not be written")


def _append_to_log(entry: Checkpoint) -> None:
    path = log_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    line = (json.dumps(entry.to_dict(), sort_keys=True, separators=(",", ":")) + "\n").encode()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        os.write(fd, line)
        os.fsync(fd)
    finally:
        os.close(fd)


class CheckpointFormatError(ValueError):
    pass


def read_log(path: Path | str | None = None) -> list[Checkpoint]:
    """Checkpoints from a log (JSON lines, or the transparency page's JSON document)."""
    path = Path(path) if path is not None else log_path()
    if not path.exists():
        return []
    text = path.read_text(encoding="utf-8")
    stripped = text.lstrip()
    if stripped.startswith("{") and '"checkpoints"' in stripped[:200]:
        try:
            items: Iterable[Any] = json.loads(text)["checkpoints"]
        except (ValueError, KeyError) as exc:
            raise CheckpointFormatError(f"{path}: not a checkpoint document ({exc})") from exc
    else:
        items = _lines(path, text)
    out = []
    for item in items:
        try:
            out.append(
                Checkpoint(
                    int(item["seq"]),
                    str(item["hash"]),
                    str(item["at"]),
                    str(item["key_id"]),
                    str(item["signature"]),
                )
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise CheckpointFormatError(f"{path}: malformed checkpoint {item!r:.80}") from exc
    return out


def _lines(path: Path, text: str) -> Iterator[Any]:
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            yield json.loads(line)
        except ValueError as exc:
            # A line cut short by a crash mid-write is the log's last line; anything else is damage.
            raise CheckpointFormatError(f"{path}, line {number}: not JSON ({exc.msg})") from exc


@dataclass(frozen=True)
class CheckpointReport:
    checked: int
    problems: list[str]
    notes: list[str]


def verify_checkpoints(path: Path | str | None = None) -> CheckpointReport:
    """Check each checkpoint's signature and that the chain holds the event it anchors."""
    from bioproof.core.models import AuditCheckpoint, AuditEvent

    problems: list[str] = []
    notes: list[str] = []
    try:
        entries = read_log(path)
    except CheckpointFormatError as exc:
        return CheckpointReport(0, [str(exc)], [])
    where = str(path or log_path())
    if not entries:
        if path is None and AuditCheckpoint.objects.exists():
            problems.append(
                f"checkpoint log {where} is missing or empty but the database lists "
                "checkpoints: the log was removed or replaced"
            )
        elif AuditEvent.objects.exists():
            notes.append(f"no checkpoints in {where}: the chain is only self-consistent")
        return CheckpointReport(0, problems, notes)
    raw = public_key_bytes()
    kid = key_id(raw)
    seqs = {e.seq for e in entries}
    hashes = dict(AuditEvent.objects.filter(seq__in=seqs).values_list("seq", "hash"))
    for entry in entries:
        if entry.key_id != kid:
            problems.append(
                f"checkpoint seq {entry.seq} ({entry.at}) is signed by key {entry.key_id}, "
                f"not the platform key {kid}"
            )
            continue
        if not verify_signature(entry.message(), entry.signature, raw):
            problems.append(
                f"checkpoint seq {entry.seq} ({entry.at}): signature does not verify "
                "(the log was edited)"
            )
            continue
        found = hashes.get(entry.seq)
        if found is None:
            problems.append(
                f"event seq {entry.seq} anchored by the checkpoint of {entry.at} is missing: "
                "the chain was truncated or renumbered"
            )
        elif found != entry.hash:
            problems.append(
                f"event seq {entry.seq} does not match the checkpoint of {entry.at}: expected "
                f"hash {entry.hash[:16]}…, found {found[:16]}… (the chain was rewritten)"
            )
    newest = max(seqs)
    last = AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
    if last > newest:
        notes.append(
            f"{last - newest} newest event(s) after checkpoint seq {newest} are not anchored yet "
            "(`bioproof audit checkpoint` anchors them)"
        )
    if path is None:
        in_db = set(AuditCheckpoint.objects.values_list("seq", "hash"))
        in_log = {(e.seq, e.hash) for e in entries}
        extra = in_db - in_log
        if extra:
            notes.append(
                f"{len(extra)} checkpoint(s) on the transparency page are not in the log "
                f"(first: seq {min(extra)[0]})"
            )
    return CheckpointReport(len(entries), problems, notes)
