"""The SQLite schema snapshot (``core/schema/sqlite.sql``): what a fresh ``migrate`` writes, so a
new demo database starts in a fraction of a second; a stale snapshot is still correct (``migrate``
applies what it lacks) and a demo loaded through it passes ``audit verify``.

Each test works on its own SQLite file in a subprocess (the test database is already migrated)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from bioproof.core import schema


def _run(tmp_path: Path, code: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        # its own keys, checkpoint log and media (never the worktree's var/)
        "BIOPROOF_VAR_DIR": str(tmp_path / "var"),
        "BIOPROOF_DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "BIOPROOF_MEDIA_ROOT": str(tmp_path / "var" / "media"),
        "DJANGO_SETTINGS_MODULE": "bioproof.settings",
    }
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def test_snapshot_holds_no_audit_events_and_no_frozen_times() -> None:
    text = schema.SNAPSHOT.read_text(encoding="utf-8")
    assert 'INSERT INTO "core_auditevent"' not in text
    assert 'INSERT INTO "core_auditchainhead"' not in text
    assert "2026-" not in text  # every datetime is a placeholder set when loaded
    assert text.rstrip().endswith("COMMIT;")


@pytest.mark.slow
def test_snapshot_is_current() -> None:
    if schema.generate() != schema.SNAPSHOT.read_text(encoding="utf-8"):
        pytest.fail("schema snapshot is stale: run `bioproof schema_snapshot`")


def test_stale_snapshot_is_completed_by_migrate(tmp_path: Path) -> None:
    # a snapshot taken before search 0004 (its row and its index missing)
    stale = tmp_path / "stale.sql"
    lines = schema.SNAPSHOT.read_text(encoding="utf-8").splitlines(keepends=True)
    kept = [
        line
        for line in lines
        if "'search','0004_verdict_index'" not in line and '"search_doc_verdict"' not in line
    ]
    assert len(kept) == len(lines) - 2
    stale.write_text("".join(kept), encoding="utf-8")
    result = _run(
        tmp_path,
        f"""
        import django
        django.setup()
        from pathlib import Path
        from django.core.management import call_command
        from django.db import connection
        from django.db.migrations.executor import MigrationExecutor
        from bioproof.core import schema

        def pending():
            executor = MigrationExecutor(connection)
            plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
            return [str(m) for m, _ in plan]

        def indexes():
            with connection.cursor() as c:
                return connection.introspection.get_constraints(c, "search_searchdocument")

        schema.SNAPSHOT = Path({str(stale)!r})
        assert schema.load_snapshot()
        assert pending() == ["search.0004_verdict_index"], pending()
        assert "search_doc_verdict" not in indexes()
        call_command("migrate", interactive=False, verbosity=0)
        assert pending() == []
        assert "search_doc_verdict" in indexes()
        assert not schema.load_snapshot()  # the database has tables now
        print("OK")
        """,
    )
    assert result.returncode == 0, result.stderr
    assert "OK" in result.stdout


def test_current_snapshot_leaves_nothing_to_migrate(tmp_path: Path) -> None:
    result = _run(
        tmp_path,
        """
        import django
        django.setup()
        from django.db import connection
        from django.db.migrations.executor import MigrationExecutor
        from bioproof.core import schema

        assert schema.load_snapshot()
        executor = MigrationExecutor(connection)
        assert executor.migration_plan(executor.loader.graph.leaf_nodes()) == []
        with connection.cursor() as c:
            c.execute("SELECT min(applied) FROM django_migrations")
            assert not c.fetchone()[0].startswith("2000-"), "applied is the load time"
        print("OK")
        """,
    )
    assert result.returncode == 0, result.stderr
    assert "OK" in result.stdout


@pytest.mark.slow
def test_demo_loaded_through_the_snapshot_verifies(tmp_path: Path) -> None:
    result = _run(
        tmp_path,
        """
        import django
        django.setup()
        from django.core.management import call_command
        from bioproof.core.models import AuditEvent

        call_command("load_demo", migrate=True, defer_search=True)
        # the seeded rows' first events were written at load time, by migrate's baseline
        assert AuditEvent.objects.filter(reason__startswith="baseline").exists()
        call_command("audit", "verify")
        print("OK")
        """,
    )
    assert result.returncode == 0, result.stderr + result.stdout
    assert "audit verify: OK" in result.stdout
