from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from bioproof.core.backup import BackupError, restore_backup, verify_backup


class Command(BaseCommand):
    help = (
        "Restore a backup made by 'bioproof backup' into the configured database and media "
        "store. The backup is checked against its manifest first; a non-empty database or "
        "media store is refused unless --force. Stop the server before restoring."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("src", help="the backup directory")
        parser.add_argument(
            "--force",
            action="store_true",
            help="overwrite a database and media store that are not empty",
        )
        parser.add_argument(
            "--check",
            action="store_true",
            help="only verify the backup against its manifest; write nothing",
        )
        parser.add_argument("--database", default="default", help="database alias")

    def handle(
        self, *args: Any, src: str, force: bool, check: bool, database: str, **options: Any
    ) -> None:
        try:
            if check:
                manifest = verify_backup(src)
                self.stdout.write(
                    f"{src}: backup intact ({len(manifest['media'])} media files, audit chain "
                    f"head seq={manifest['audit_chain_head']['seq']})"
                )
                return
            summary = restore_backup(src, using=database, force=force)
        except BackupError as exc:
            raise CommandError(str(exc), returncode=1) from exc
        self.stdout.write(
            f"restored: {summary}\nnext: run 'bioproof audit verify' to check the restored records"
        )
