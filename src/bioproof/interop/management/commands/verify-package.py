"""``bioproof verify-package FILE [--jwks FILE] [--checkpoints FILE]``: check an evidence
package offline — member hashes, the manifest's signature against the platform's published key,
the audit excerpt (each event's hash recomputed, links) against the published checkpoints, and
the content against the audit trail. Exit 0 when everything holds, 1 naming every mismatch."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from bioproof.interop.packages.verify import verify_file


class Command(BaseCommand):
    help = "Verify an evidence package (RO-Crate zip) offline."
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="the evidence package (.zip)")
        parser.add_argument("--jwks", help="a saved copy of the platform's /.well-known/jwks.json")
        parser.add_argument(
            "--checkpoints",
            help="a saved copy of /transparency/checkpoints.json (or of the checkpoint log)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        report = verify_file(
            options["file"],
            jwks_path=options.get("jwks"),
            checkpoints_path=options.get("checkpoints"),
        )
        for note in report.notes:
            self.stdout.write(f"note: {note}")
        if report.problems:
            for problem in report.problems:
                self.stderr.write(f"MISMATCH: {problem}")
            raise CommandError(
                f"{options['file']}: {len(report.problems)} problem(s); the package does not verify"
            )
        counts = ", ".join(f"{v} {k}" for k, v in sorted(report.counts.items()))
        self.stdout.write(f"{options['file']}: package verifies ({counts})")
