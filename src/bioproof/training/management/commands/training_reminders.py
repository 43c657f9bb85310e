"""``bioproof training_reminders [--at YYYY-MM-DD] [--dry-run]``: record the qualification
expiry reminders due (90/60/30 days before), each audited; the notification module sends them."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from bioproof.training import actions
from bioproof.training.qualifications import due_reminders


class Command(BaseCommand):
    help = "Record the qualification expiry reminders that are due."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--at", help="the day to compute for (default: today, Asia/Seoul)")
        parser.add_argument("--dry-run", action="store_true", help="list, record nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        at = None
        if options.get("at"):
            try:
                at = dt.date.fromisoformat(options["at"])
            except ValueError:
                raise CommandError(f"--at: '{options['at']}' is not a date (YYYY-MM-DD)") from None
        if options["dry_run"]:
            due = due_reminders(at)
            for d in due:
                q = d.qualification
                self.stdout.write(
                    f"{q.person.username}\t{q.key}\texpires {q.expires_on}\t"
                    f"{d.days_left} d left\t({d.threshold_days}-day reminder)"
                )
            self.stdout.write(f"{len(due)} reminders due (dry run: nothing recorded)")
            return
        made = actions.record_reminders(by=None, at=at)
        for r in made:
            q = r.qualification
            self.stdout.write(
                f"{q.person.username}\t{q.key}\texpires {q.expires_on}\t"
                f"({r.threshold_days}-day reminder)"
            )
        self.stdout.write(f"{len(made)} reminders recorded")
