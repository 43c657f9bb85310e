"""``bioproof backup`` / ``bioproof restore``: consistent while the server writes, verified
against the manifest before anything is written, and a round trip that ``bioproof audit verify``
accepts with byte-identical media."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import pytest

from bioproof.core import backup

ROOT = Path(__file__).resolve().parents[2]
SITE = ROOT / "tests" / "core" / "backup_site.py"
PG_URL = "postgres://postgres@127.0.0.1:5432/"
# The platform key lives outside the database and outside backups (a secrets store); every site
# of these tests, source and restored, uses the same one, as a restore on a new host would.
KEY_FILE = Path(tempfile.mkdtemp(prefix="bioproof-key-")) / "platform-ed25519.pem"


def _env(var: Path, db_url: str = "") -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BIOPROOF_")}
    env.update(
        BIOPROOF_VAR_DIR=str(var),
        BIOPROOF_MEDIA_ROOT=str(var / "media"),
        BIOPROOF_SECRET_KEY="backup-tests",
        BIOPROOF_SIGNING_KEY_FILE=str(KEY_FILE),
        DJANGO_SETTINGS_MODULE="bioproof.settings",
        PYTHONPATH=str(ROOT),
    )
    if db_url:
        env["BIOPROOF_DATABASE_URL"] = db_url
    return env


def bioproof(env: dict[str, str], *args: str, check: bool = True) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [sys.executable, "-m", "bioproof", *args], env=env, capture_output=True, text=True
    )
    if check:
        assert result.returncode == 0, result.stderr + result.stdout
    return result


def site(env: dict[str, str], *args: str) -> list[str]:
    result = subprocess.run(
        [sys.executable, str(SITE), *args], env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    return [line for line in result.stdout.splitlines() if line.startswith("committed ")]


def tree(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def make_site(var: Path, db_url: str = "", uploads: int = 3) -> dict[str, str]:
    env = _env(var, db_url)
    bioproof(env, "migrate", "-v0")
    site(env, "seed")
    site(env, "upload", str(uploads))
    return env


@pytest.fixture(scope="module")
def source(tmp_path_factory: Any) -> tuple[dict[str, str], Path, Path]:
    """A SQLite site with three uploads, and one backup of it."""
    var = tmp_path_factory.mktemp("site")
    env = make_site(var)
    dest = tmp_path_factory.mktemp("bk") / "backup"
    out = bioproof(env, "backup", str(dest)).stdout
    assert "3 media files" in out
    return env, var, dest


@pytest.mark.slow
def test_sqlite_round_trip(source: Any, tmp_path: Path) -> None:
    env, var, dest = source
    manifest = json.loads((dest / "manifest.json").read_text())
    assert manifest["database"]["vendor"] == "sqlite"
    assert manifest["bioproof_version"]
    assert manifest["audit_chain_head"]["seq"] > 0
    assert len(manifest["media"]) == 3
    for entry in manifest["media"]:
        data = (dest / "media" / entry["path"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == entry["sha256"] and len(data) == entry["size"]

    assert manifest["checkpoint_log"]["entries"] > 0

    target = _env(tmp_path / "restored")
    out = bioproof(target, "restore", str(dest)).stdout
    assert "restored" in out and "checkpoint log restored" in out
    assert tree(tmp_path / "restored" / "media") == tree(var / "media")
    verified = bioproof(target, "audit", "verify", "--files").stdout
    assert f"{manifest['audit_chain_head']['seq']} events verified" in verified
    assert "every regulated row matches" in verified
    assert site(target, "list") == site(env, "list")


@pytest.mark.slow
def test_restore_refuses_non_empty_database_unless_forced(source: Any, tmp_path: Path) -> None:
    env, _var, dest = source
    result = bioproof(env, "restore", str(dest), check=False)
    assert result.returncode == 1
    assert "the database is not empty" in result.stderr and "--force" in result.stderr
    # a later upload survives the refusal; --force then rolls the site back to the backup
    site(env, "upload", "1")
    assert len(site(env, "list")) == 4
    out = bioproof(env, "restore", "--force", str(dest)).stdout
    assert len(site(env, "list")) == 3
    # the site's own checkpoint log is kept: it anchors the upload the restore rolled back, so
    # `audit verify` names the lost events instead of hiding them
    assert "the checkpoint log" in out and "was kept" in out
    lost = bioproof(env, "audit", "verify", check=False)
    assert lost.returncode == 1
    assert "is missing: the chain was truncated" in lost.stdout + lost.stderr


@pytest.mark.slow
@pytest.mark.parametrize("damage", ["media", "dump", "extra", "missing", "manifest", "absent"])
def test_restore_refuses_backup_not_matching_manifest(
    source: Any, tmp_path: Path, damage: str
) -> None:
    _, _var, dest = source
    bad = tmp_path / "bad"
    shutil.copytree(dest, bad)
    manifest = json.loads((bad / "manifest.json").read_text())
    first = manifest["media"][0]["path"]
    if damage == "media":
        path = bad / "media" / first
        data = bytearray(path.read_bytes())
        data[0] ^= 1
        path.write_bytes(bytes(data))
        expected = f"media file {first} does not match"
    elif damage == "dump":
        with (bad / "database.sqlite3").open("ab") as fh:
            fh.write(b"\0")
        expected = "database dump database.sqlite3 does not match"
    elif damage == "extra":
        (bad / "media" / "planted.txt").write_text("x")
        expected = "planted.txt is not in the manifest"
    elif damage == "missing":
        (bad / "media" / first).unlink()
        expected = f"media file {first} is missing"
    elif damage == "manifest":
        (bad / "manifest.json").write_text("{not json")
        expected = "is not valid JSON"
    else:
        (bad / "manifest.json").unlink()
        expected = "has no manifest.json"
    target_var = tmp_path / "target"
    result = bioproof(_env(target_var), "restore", str(bad), check=False)
    assert result.returncode == 1
    assert expected in result.stderr
    assert "Traceback" not in result.stderr
    # nothing written: no database file, no media
    assert not (target_var / "bioproof.sqlite3").exists()
    assert not (target_var / "media").exists() or not any((target_var / "media").rglob("*"))
    check = bioproof(_env(target_var), "restore", "--check", str(bad), check=False)
    assert check.returncode == 1


def test_backup_refuses_non_empty_destination(tmp_path: Path, db: Any) -> None:
    (tmp_path / "x").write_text("keep")
    with pytest.raises(backup.BackupError, match="not an empty directory"):
        backup.create_backup(tmp_path)
    assert (tmp_path / "x").read_text() == "keep"


def test_read_manifest_rejects_unsafe_paths(tmp_path: Path) -> None:
    manifest = {
        "format": backup.FORMAT,
        "format_version": backup.FORMAT_VERSION,
        "database": {"vendor": "sqlite", "file": "database.sqlite3", "sha256": "0", "size": 1},
        "audit_chain_head": {"seq": 0, "hash": "0"},
        "media": [{"path": "../../etc/passwd", "sha256": "0", "size": 1}],
    }
    (tmp_path / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(backup.BackupError, match="unsafe path"):
        backup.read_manifest(tmp_path)


@pytest.mark.slow
def test_backup_while_writing_loses_nothing_committed(tmp_path: Path) -> None:
    """A writer keeps uploading (another process, like the server) while the backup runs:
    every upload acknowledged before the backup started is in the restored site."""
    var = tmp_path / "live"
    env = make_site(var, uploads=0)
    writer = subprocess.Popen(
        [sys.executable, str(SITE), "write"],
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert writer.stdin is not None and writer.stdout is not None
    acknowledged: list[str] = []
    try:
        while len(acknowledged) < 30:
            line = writer.stdout.readline()
            assert line, writer.stderr.read() if writer.stderr else "writer stopped"
            acknowledged.append(line.strip())
        before_backup = list(acknowledged)
        dest = tmp_path / "backup"
        started = time.monotonic()
        backup_proc = subprocess.Popen(
            [sys.executable, "-m", "bioproof", "backup", str(dest)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        during = 0
        while backup_proc.poll() is None:
            line = writer.stdout.readline()
            assert line, "writer stopped"
            during += 1
        _out, err = backup_proc.communicate()
        assert backup_proc.returncode == 0, err
        elapsed = time.monotonic() - started
    finally:
        writer.stdin.close()
        writer.wait(timeout=60)
    assert writer.returncode == 0, writer.stderr.read() if writer.stderr else ""
    assert during > 0, f"the writer committed nothing during the {elapsed:.1f} s backup"

    target = _env(tmp_path / "restored")
    bioproof(target, "restore", str(dest))
    restored = set(site(target, "list"))
    missing = [line for line in before_backup if line not in restored]
    assert not missing, f"{len(missing)} acknowledged uploads lost: {missing[:3]}"
    media = tmp_path / "restored" / "media"
    for line in before_backup:
        _, _pk, sha, name = line.split(" ", 3)
        assert hashlib.sha256((media / name).read_bytes()).hexdigest() == sha
    bioproof(target, "audit", "verify")
    print(
        f"backup while writing: {len(before_backup)} uploads acknowledged before, {during} "
        f"committed during the {elapsed:.1f} s backup; restored {len(restored)}, none lost"
    )


def _pg_available() -> str:
    if shutil.which("pg_dump") is None or shutil.which("pg_restore") is None:
        return "pg_dump/pg_restore not installed"
    try:
        import psycopg

        psycopg.connect(PG_URL + "postgres", connect_timeout=3).close()
    except Exception as exc:
        return f"PostgreSQL not reachable: {exc}"
    return ""


@pytest.mark.slow
@pytest.mark.skipif(bool(_pg_available()), reason=_pg_available() or "ok")
def test_postgresql_round_trip(tmp_path: Path) -> None:
    import psycopg

    names = ("h_admin_backup_src", "h_admin_backup_dst")
    with psycopg.connect(PG_URL + "postgres", autocommit=True) as conn:
        for name in names:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
    try:
        env = make_site(tmp_path / "pg-src", PG_URL + names[0])
        dest = tmp_path / "backup"
        bioproof(env, "backup", str(dest))
        manifest = json.loads((dest / "manifest.json").read_text())
        assert manifest["database"]["vendor"] == "postgresql"
        target = _env(tmp_path / "pg-dst", PG_URL + names[1])
        bioproof(target, "restore", str(dest))
        assert tree(tmp_path / "pg-dst" / "media") == tree(tmp_path / "pg-src" / "media")
        assert site(target, "list") == site(env, "list")
        out = bioproof(target, "audit", "verify").stdout
        assert f"{manifest['audit_chain_head']['seq']} events verified" in out
        refused = bioproof(target, "restore", str(dest), check=False)
        assert refused.returncode == 1 and "not empty" in refused.stderr
        bioproof(target, "restore", "--force", str(dest))
        bioproof(target, "audit", "verify")
    finally:
        with psycopg.connect(PG_URL + "postgres", autocommit=True) as conn:
            for name in names:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
