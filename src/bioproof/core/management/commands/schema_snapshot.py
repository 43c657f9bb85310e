"""``bioproof schema_snapshot``: regenerate the SQLite schema snapshot (core/schema/sqlite.sql)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = (
        "Migrate a temporary SQLite database in a fresh process and write its schema and rows to "
        "src/bioproof/core/schema/sqlite.sql (what `load_demo --migrate` loads on a new SQLite "
        "database before migrate). --check exits non-zero when the committed file is stale."
    )
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--check", action="store_true", help="compare only; exit 1 when the file is stale"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from bioproof.core import schema

        text = schema.generate()
        current = schema.SNAPSHOT.read_text(encoding="utf-8") if schema.SNAPSHOT.exists() else ""
        if options["check"]:
            if text != current:
                raise CommandError("schema snapshot is stale: run `bioproof schema_snapshot`")
            self.stdout.write("schema snapshot is current")
            return
        if text == current:
            self.stdout.write(f"{schema.SNAPSHOT} is current")
            return
        schema.SNAPSHOT.write_text(text, encoding="utf-8")
        self.stdout.write(f"wrote {schema.SNAPSHOT} ({len(text.splitlines())} lines)")
