"""``bioproof files cleanup``: delete the file store's stale temporary files."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from bioproof.core import files


class Command(BaseCommand):
    help = (
        "File store tools. 'cleanup' deletes temporary files (tmp/*.part) older than --hours, "
        "left by a worker killed while writing; no stored file is touched."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("subcommand", choices=["cleanup"], help="what to do")
        parser.add_argument(
            "--hours",
            type=float,
            default=files.STALE_AFTER.total_seconds() / 3600,
            help="age in hours above which a temporary file is stale (default 24)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        hours = options["hours"]
        if hours < 1:
            raise CommandError(
                "--hours must be at least 1: a younger temporary file may belong to an upload "
                "still in progress."
            )
        removed = files.cleanup_stale_temp(older_than=timedelta(hours=hours))
        for name in removed:
            self.stdout.write(f"removed {name}")
        self.stdout.write(f"{len(removed)} stale temporary file(s) removed.")
