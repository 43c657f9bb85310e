"""``bioproof notifications_digest``: send the daily digests (run it once a day, e.g. a timer)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from bioproof.core import jobs


class Command(BaseCommand):
    help = "Send each person who chose the daily digest one e-mail of their new notifications."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--enqueue", action="store_true", help="queue it for the worker instead of sending now"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["enqueue"]:
            run = jobs.enqueue("notifications.digest", by=None, key="notifications.digest")
            self.stdout.write(f"queued job {run.pk}")
            return
        from bioproof.notifications import mail

        self.stdout.write(f"{mail.send_digests()} digest(s) sent")
