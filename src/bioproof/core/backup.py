"""Consistent backups of the database and the media store, and their verified restore.

A backup is a directory::

    manifest.json        what the backup holds, written last (no manifest: not a backup)
    database.sqlite3     SQLite: a copy made with SQLite's online backup API
    database.pgdump      PostgreSQL: ``pg_dump --format=custom`` of one exported snapshot
    media/…              every file of the media store, byte for byte

The manifest lists every file with its SHA-256 and size, the database dump's SHA-256, the
audit chain's head (seq and hash) in the dumped database, and the BioProof version. The database
is dumped first, from one consistent snapshot taken while the server may keep writing; the media
store is copied after it, so every file a committed row refers to is already there (uploads are
written before their transaction commits). Files added during the copy are included too; they
are harmless extras.

A restore verifies the whole backup against its manifest before writing anything, and refuses
to overwrite a database or media store that is not empty unless forced.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from django.core.files import File
from django.core.files.storage import Storage, default_storage
from django.db import connections, transaction

import bioproof

MANIFEST = "manifest.json"
FORMAT = "bioproof-backup"
FORMAT_VERSION = 1
MEDIA_DIR = "media"
SQLITE_FILE = "database.sqlite3"
PG_FILE = "database.pgdump"
CHECKPOINT_FILE = "checkpoints.jsonl"
GENESIS = "0" * 64
CHUNK = 1024 * 1024


class BackupError(Exception):
    """A backup or restore that cannot be carried out; the message says why and what to do."""


@dataclass(frozen=True)
class BackupSummary:
    path: Path
    vendor: str
    files: int
    media_bytes: int
    audit_seq: int
    audit_hash: str
    notes: tuple[str, ...] = ()

    def __str__(self) -> str:
        text = (
            f"{self.path}: {self.vendor} database, {self.files} media files "
            f"({self.media_bytes} bytes), audit chain head seq={self.audit_seq} "
            f"hash={self.audit_hash[:16]}…"
        )
        return "\n".join([text, *(f"note: {n}" for n in self.notes)])


# ------------------------------------------------------------------------------ helpers


def _sha256_file(path: Path) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    with path.open("rb") as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def _copy_stream(src: BinaryIO, dest: Path) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    dest.parent.mkdir(parents=True, exist_ok=True)
    with dest.open("wb") as out:
        while chunk := src.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
            out.write(chunk)
        out.flush()
        os.fsync(out.fileno())
    return digest.hexdigest(), size


def _walk(storage: Storage, top: str = "") -> Iterator[str]:
    """Every file name in ``storage`` (forward slashes), sorted, via the storage API."""
    try:
        dirs, files = storage.listdir(top)
    except FileNotFoundError:
        return
    for name in sorted(files):
        yield f"{top}/{name}" if top else name
    for name in sorted(dirs):
        yield from _walk(storage, f"{top}/{name}" if top else name)


def _vendor(using: str) -> str:
    vendor = connections[using].vendor
    if vendor not in {"sqlite", "postgresql"}:
        raise BackupError(f"backups support SQLite and PostgreSQL, not {vendor}")
    return vendor


def _safe_member(name: str) -> str:
    """A manifest path must stay inside the backup (no absolute paths, no '..')."""
    parts = Path(name).parts
    if not name or Path(name).is_absolute() or ".." in parts or "\\" in name:
        raise BackupError(f"manifest names an unsafe path: {name!r}")
    return name


# ------------------------------------------------------------------------------ database dump


def _sqlite_name(using: str) -> str:
    name = str(connections[using].settings_dict["NAME"])
    if name == ":memory:" or "mode=memory" in name:
        raise BackupError("the SQLite database is in memory; there is nothing on disk to back up")
    return name


def _chain_head_sqlite(conn: sqlite3.Connection) -> tuple[int, str]:
    try:
        row = conn.execute(
            "SELECT last_seq, last_hash FROM core_auditchainhead WHERE id = 1"
        ).fetchone()
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"the database has no audit chain table ({exc})") from exc
    return (int(row[0]), str(row[1])) if row else (0, GENESIS)


def _dump_sqlite(using: str, dest: Path) -> tuple[int, str]:
    """Copy the live database with SQLite's online backup API (one consistent snapshot)."""
    name = _sqlite_name(using)
    if not Path(name).exists():
        raise BackupError(f"the SQLite database {name} does not exist")
    source = sqlite3.connect(name, timeout=60)
    target = sqlite3.connect(dest)
    try:
        # pages=-1 copies the whole database in one step under one read transaction, so the
        # copy is the state at one instant; in WAL mode writers carry on meanwhile.
        source.backup(target, pages=-1)
        target.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
        head = _chain_head_sqlite(target)
        target.commit()
    finally:
        target.close()
        source.close()
    return head


def _pg_env(using: str) -> dict[str, str]:
    s = connections[using].settings_dict
    env = dict(os.environ)
    for key, value in (
        ("PGHOST", s.get("HOST")),
        ("PGPORT", s.get("PORT")),
        ("PGUSER", s.get("USER")),
        ("PGPASSWORD", s.get("PASSWORD")),
        ("PGDATABASE", s.get("NAME")),
    ):
        if value:
            env[key] = str(value)
    return env


def _pg_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(
            f"{name} was not found on PATH: install the PostgreSQL client tools of the server's "
            "major version (Debian/Ubuntu: apt-get install postgresql-client)"
        )
    return path


def _run(cmd: list[str], env: dict[str, str], what: str) -> None:
    result = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip().splitlines()[-5:]
        raise BackupError(f"{what} failed (exit {result.returncode}): " + " | ".join(detail))


def _dump_postgresql(using: str, dest: Path) -> tuple[int, str]:
    """``pg_dump`` of a snapshot exported by our own transaction, whose chain head we read."""
    pg_dump = _pg_tool("pg_dump")
    connection = connections[using]
    with transaction.atomic(using=using), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        cursor.execute("SELECT last_seq, last_hash FROM core_auditchainhead WHERE id = 1")
        row = cursor.fetchone()
        _run(
            [
                pg_dump,
                "--format=custom",
                "--no-owner",
                "--no-privileges",
                f"--snapshot={snapshot}",
                f"--file={dest}",
            ],
            _pg_env(using),
            "pg_dump",
        )
    return (int(row[0]), str(row[1])) if row else (0, GENESIS)


# ------------------------------------------------------------------------------ checkpoints


def _checkpoint_log_path() -> Path:
    from bioproof.core import checkpoints

    return Path(checkpoints.log_path())


def _copy_checkpoint_log(dest: Path, head_seq: int) -> dict[str, Any] | None:
    """Copy the signed checkpoints that anchor the dumped chain (seq <= its head).

    The log lives outside the database; a restore on a new host needs it (and the platform key,
    which is never in a backup) for ``audit verify`` to check the chain against it. Checkpoints
    signed after the snapshot name events the dump does not hold, so they are left out.
    """
    source = _checkpoint_log_path()
    if not source.is_file():
        return None
    kept: list[str] = []
    for line in source.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        try:
            seq = int(json.loads(line)["seq"])
        except (ValueError, KeyError, TypeError) as exc:
            raise BackupError(f"the checkpoint log {source} has a malformed line: {exc}") from exc
        if seq <= head_seq:
            kept.append(line)
    dest.write_text("".join(f"{line}\n" for line in kept), encoding="utf-8")
    sha, size = _sha256_file(dest)
    return {"file": CHECKPOINT_FILE, "sha256": sha, "size": size, "entries": len(kept)}


def _restore_checkpoint_log(src: Path, entry: dict[str, Any] | None) -> list[str]:
    if not entry:
        return []
    target = _checkpoint_log_path()
    data = (src / entry["file"]).read_bytes()
    if not target.is_file() or target.stat().st_size == 0:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        return [f"checkpoint log restored to {target} ({entry['entries']} checkpoints)"]
    current = target.read_bytes()
    if current == data:
        return []
    if current.startswith(data):
        return [
            f"the checkpoint log {target} was kept: it anchors events after this backup, which "
            "the restore does not hold; 'audit verify' names them (record the loss)"
        ]
    return [
        f"the checkpoint log {target} was kept and differs from the backup's copy; compare it "
        f"with {src / entry['file']}"
    ]


# ------------------------------------------------------------------------------ backup


def create_backup(
    dest: Path | str, *, using: str = "default", storage: Storage | None = None
) -> BackupSummary:
    """Write a backup of the database and media store into ``dest`` (new or empty directory)."""
    dest = Path(dest)
    storage = storage or default_storage
    if dest.exists() and (not dest.is_dir() or any(dest.iterdir())):
        raise BackupError(f"{dest} exists and is not an empty directory; choose a new one")
    vendor = _vendor(using)
    created = not dest.exists()
    dest.mkdir(parents=True, exist_ok=True)
    try:
        db_file = SQLITE_FILE if vendor == "sqlite" else PG_FILE
        if vendor == "sqlite":
            seq, head_hash = _dump_sqlite(using, dest / db_file)
        else:
            seq, head_hash = _dump_postgresql(using, dest / db_file)
        db_sha, db_size = _sha256_file(dest / db_file)

        files: list[dict[str, Any]] = []
        for name in _walk(storage):
            try:
                with storage.open(name, "rb") as fh:
                    sha, size = _copy_stream(fh, dest / MEDIA_DIR / name)
            except FileNotFoundError:  # deleted while we walked
                continue
            files.append({"path": name, "sha256": sha, "size": size})

        checkpoint_log = _copy_checkpoint_log(dest / CHECKPOINT_FILE, seq)

        manifest = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "bioproof_version": bioproof.__version__,
            "created_at": dt.datetime.now(dt.UTC).isoformat(),
            "database": {"vendor": vendor, "file": db_file, "sha256": db_sha, "size": db_size},
            "audit_chain_head": {"seq": seq, "hash": head_hash},
            "media": files,
            "checkpoint_log": checkpoint_log,
        }
        tmp = dest / (MANIFEST + ".tmp")
        tmp.write_text(json.dumps(manifest, indent=2, ensure_ascii=False), encoding="utf-8")
        tmp.replace(dest / MANIFEST)
    except BaseException:
        if created:
            shutil.rmtree(dest, ignore_errors=True)
        else:
            for child in dest.iterdir():
                shutil.rmtree(child) if child.is_dir() else child.unlink()
        raise
    return BackupSummary(dest, vendor, len(files), sum(f["size"] for f in files), seq, head_hash)


# ------------------------------------------------------------------------------ verification


def read_manifest(src: Path | str) -> dict[str, Any]:
    src = Path(src)
    path = src / MANIFEST
    if not src.is_dir():
        raise BackupError(f"{src} is not a backup directory")
    if not path.exists():
        raise BackupError(f"{src} has no {MANIFEST}: not a backup, or an unfinished one")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise BackupError(f"{path} is not valid JSON: {exc}") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"{path} is not a BioProof backup manifest")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise BackupError(
            f"{path}: backup format version {manifest.get('format_version')!r} is not "
            f"supported (this BioProof reads version {FORMAT_VERSION})"
        )
    try:
        db = manifest["database"]
        head = manifest["audit_chain_head"]
        assert db["vendor"] in {"sqlite", "postgresql"}
        assert db["file"] in {SQLITE_FILE, PG_FILE}
        assert isinstance(db["sha256"], str) and isinstance(db["size"], int)
        assert isinstance(head["seq"], int) and isinstance(head["hash"], str)
        for entry in manifest["media"]:
            _safe_member(entry["path"])
            assert isinstance(entry["sha256"], str) and isinstance(entry["size"], int)
        log = manifest.get("checkpoint_log")
        if log is not None:
            assert log["file"] == CHECKPOINT_FILE
            assert isinstance(log["sha256"], str) and isinstance(log["size"], int)
    except (KeyError, TypeError, AssertionError) as exc:
        raise BackupError(f"{path} is incomplete or malformed ({exc!r})") from exc
    return manifest


def verify_backup(src: Path | str) -> dict[str, Any]:
    """Check every file of the backup against the manifest; return the manifest or raise."""
    src = Path(src)
    manifest = read_manifest(src)
    problems: list[str] = []
    db = manifest["database"]
    db_path = src / db["file"]
    if not db_path.is_file():
        problems.append(f"database dump {db['file']} is missing")
    elif _sha256_file(db_path) != (db["sha256"], db["size"]):
        problems.append(f"database dump {db['file']} does not match its SHA-256 or size")
    log = manifest.get("checkpoint_log")
    if log is not None:
        if not (src / log["file"]).is_file():
            problems.append(f"checkpoint log {log['file']} is missing")
        elif _sha256_file(src / log["file"]) != (log["sha256"], log["size"]):
            problems.append(f"checkpoint log {log['file']} does not match its SHA-256 or size")
    listed = set()
    for entry in manifest["media"]:
        name = entry["path"]
        listed.add(name)
        path = src / MEDIA_DIR / name
        if not path.is_file():
            problems.append(f"media file {name} is missing")
        elif _sha256_file(path) != (entry["sha256"], entry["size"]):
            problems.append(f"media file {name} does not match its SHA-256 or size")
    media_root = src / MEDIA_DIR
    if media_root.is_dir():
        for path in sorted(media_root.rglob("*")):
            if path.is_file() and path.relative_to(media_root).as_posix() not in listed:
                problems.append(f"media file {path.relative_to(media_root)} is not in the manifest")
    if problems:
        shown = problems[:20] + ([f"… and {len(problems) - 20} more"] if len(problems) > 20 else [])
        raise BackupError(
            f"{src} does not match its manifest; nothing was restored:\n  " + "\n  ".join(shown)
        )
    return manifest


# ------------------------------------------------------------------------------ restore


def _sqlite_is_empty(name: str) -> bool:
    if not Path(name).exists() or Path(name).stat().st_size == 0:
        return True
    conn = sqlite3.connect(f"file:{name}?mode=ro", uri=True)
    try:
        return (
            conn.execute(
                "SELECT count(*) FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'"
            ).fetchone()[0]
            == 0
        )
    finally:
        conn.close()


def _pg_is_empty(using: str) -> bool:
    with connections[using].cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = "
            "current_schema() AND table_type = 'BASE TABLE'"
        )
        return cursor.fetchone()[0] == 0


def _media_is_empty(storage: Storage) -> bool:
    return next(_walk(storage), None) is None


def _restore_sqlite(using: str, dump: Path) -> None:
    name = _sqlite_name(using)
    Path(name).parent.mkdir(parents=True, exist_ok=True)
    source = sqlite3.connect(f"file:{dump}?mode=ro&immutable=1", uri=True)
    target = sqlite3.connect(name, timeout=60)
    try:
        source.backup(target, pages=-1)
        target.execute("PRAGMA journal_mode=WAL")
    finally:
        target.close()
        source.close()


def _restore_postgresql(using: str, dump: Path, force: bool) -> None:
    pg_restore = _pg_tool("pg_restore")
    env = _pg_env(using)
    cmd = [pg_restore, "--no-owner", "--no-privileges", "--single-transaction", "--exit-on-error"]
    if force:
        cmd += ["--clean", "--if-exists"]
    cmd += ["--dbname", env.get("PGDATABASE", ""), str(dump)]
    _run(cmd, env, "pg_restore")


def restore_backup(
    src: Path | str,
    *,
    using: str = "default",
    storage: Storage | None = None,
    force: bool = False,
) -> BackupSummary:
    """Restore a verified backup into the configured database and media store.

    Nothing is written unless the whole backup matches its manifest, the database vendor
    matches, and (unless ``force``) the database and the media store are empty.
    """
    src = Path(src)
    storage = storage or default_storage
    manifest = verify_backup(src)
    db = manifest["database"]
    vendor = _vendor(using)
    if db["vendor"] != vendor:
        raise BackupError(
            f"the backup holds a {db['vendor']} database but BioProof is configured for "
            f"{vendor}; nothing was restored"
        )
    connections[using].close()
    if not force:
        empty = _sqlite_is_empty(_sqlite_name(using)) if vendor == "sqlite" else _pg_is_empty(using)
        connections[using].close()
        if not empty:
            raise BackupError(
                "the database is not empty; restore into a fresh database, or pass --force to "
                "overwrite it (its current content is lost); nothing was restored"
            )
        if not _media_is_empty(storage):
            raise BackupError(
                "the media store is not empty; restore into a fresh media directory, or pass "
                "--force to overwrite it; nothing was restored"
            )
    if vendor == "sqlite":
        _restore_sqlite(using, src / db["file"])
    else:
        _restore_postgresql(using, src / db["file"], force)

    for entry in manifest["media"]:
        name = entry["path"]
        if storage.exists(name):
            storage.delete(name)
        with (src / MEDIA_DIR / name).open("rb") as fh:
            saved = storage.save(name, File(fh, name=name))
        if saved != name:
            raise BackupError(f"the media store saved {name} as {saved}; restore stopped")
        digest = hashlib.sha256()
        with storage.open(name, "rb") as fh:
            while chunk := fh.read(CHUNK):
                digest.update(chunk)
        if digest.hexdigest() != entry["sha256"]:
            raise BackupError(f"media file {name} reads back with a different SHA-256")
    notes = _restore_checkpoint_log(src, manifest.get("checkpoint_log"))

    connections[using].close()
    from bioproof.core.models import AuditChainHead

    head = AuditChainHead.objects.using(using).filter(id=1).first()
    seq, head_hash = (head.last_seq, head.last_hash) if head else (0, GENESIS)
    expected = manifest["audit_chain_head"]
    if (seq, head_hash) != (expected["seq"], expected["hash"]):
        raise BackupError(
            f"the restored audit chain head (seq {seq}) differs from the manifest's "
            f"(seq {expected['seq']})"
        )
    return BackupSummary(
        src,
        vendor,
        len(manifest["media"]),
        sum(e["size"] for e in manifest["media"]),
        seq,
        head_hash,
        tuple(notes),
    )


__all__ = [
    "BackupError",
    "BackupSummary",
    "create_backup",
    "read_manifest",
    "restore_backup",
    "verify_backup",
]
