"""``bioproof webhooks deliver``: attempt every pending webhook delivery whose time has come
(the sweeper behind the job queue's own retries; run it from cron where the queue's backend
cannot defer a job)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from bioproof.interop import webhooks


class Command(BaseCommand):
    help = "Deliver due webhook deliveries."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="op", required=True)
        due = sub.add_parser("deliver", help="attempt the pending deliveries that are due")
        due.add_argument("--limit", type=int, default=500)

    def handle(self, *args: Any, **options: Any) -> None:
        n = webhooks.deliver_due(limit=options["limit"])
        self.stdout.write(f"{n} delivery attempt(s)")
