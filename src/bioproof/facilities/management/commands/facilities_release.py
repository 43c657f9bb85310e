"""``bioproof facilities_release [--at "YYYY-MM-DD HH:MM"]``: release confirmed bookings nobody
checked in within their equipment's no-show window (each audited; those waiting are told)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from bioproof.core.errors import DomainError
from bioproof.facilities import actions
from bioproof.facilities.actions.common import when


class Command(BaseCommand):
    help = "Release no-show bookings."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--at", help="the time to compute for (default: now, Asia/Seoul)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            at = when(options["at"], "at") if options.get("at") else None
        except DomainError as exc:
            raise CommandError(f"--at: {exc.message}") from None
        released = actions.release_no_shows(by=None, at=at)
        for b in released:
            self.stdout.write(f"{b.code}\t{b.equipment.code}\t{b.starts_at:%Y-%m-%d %H:%M}")
        self.stdout.write(f"{len(released)} bookings released")
