from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from bioproof.core import audit, integrity


class Command(BaseCommand):
    help = "Audit trail tools. 'verify' checks the hash chain and names the first broken row."

    def add_arguments(self, parser) -> None:
        parser.add_argument("subcommand", choices=["verify"], help="what to do")

    def handle(self, *args, subcommand: str, **options) -> None:
        result = audit.verify()
        if not result.ok:
            raise CommandError(str(result), returncode=1)
        problems = integrity.run_checks()
        if problems:
            raise CommandError(
                "signed records changed outside the application:\n  " + "\n  ".join(problems),
                returncode=1,
            )
        self.stdout.write(f"{result}; signed records match their signatures")
