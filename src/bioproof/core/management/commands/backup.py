from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from bioproof.core.backup import BackupError, create_backup


class Command(BaseCommand):
    help = (
        "Back up the database (SQLite online backup API, or pg_dump of one snapshot) and every "
        "media file into DEST, with a manifest of SHA-256 hashes and the audit chain head. "
        "Safe while the server runs."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("dest", help="a new (or empty) directory to write the backup into")
        parser.add_argument("--database", default="default", help="database alias")

    def handle(self, *args: Any, dest: str, database: str, **options: Any) -> None:
        try:
            summary = create_backup(dest, using=database)
        except BackupError as exc:
            raise CommandError(str(exc), returncode=1) from exc
        self.stdout.write(f"backup written: {summary}")
