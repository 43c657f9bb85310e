"""``bioproof audit verify | checkpoint``: prove the records are what the audit trail says."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from bioproof.core import audit, checkpoints, integrity, verification


class Command(BaseCommand):
    help = (
        "Audit trail tools. 'verify' checks the hash chain against its signed checkpoints, "
        "replays every regulated row against its audit events, recomputes signed records and, "
        "with --files, re-hashes every stored file; it exits 1 naming each failure. "
        "'checkpoint' signs the current head and appends it to the checkpoint log."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("subcommand", choices=["verify", "checkpoint"], help="what to do")
        parser.add_argument(
            "--files", action="store_true", help="also re-hash every stored file (streaming)"
        )
        parser.add_argument(
            "--checkpoints",
            metavar="FILE",
            help="verify against this copy of the checkpoints (a partner's; JSON lines or the "
            "transparency page's JSON) instead of the platform's log",
        )
        parser.add_argument("--quiet", action="store_true", help="print failures only")

    def handle(self, *args: Any, subcommand: str, **options: Any) -> None:
        if subcommand == "checkpoint":
            entry = checkpoints.checkpoint()
            if entry is None:
                self.stdout.write("nothing to anchor: the head is already checkpointed")
            else:
                self.stdout.write(f"checkpoint seq {entry.seq} hash {entry.hash} ({entry.at})")
            return
        self._verify(options)

    def _say(self, options: dict[str, Any], text: str) -> None:
        if not options["quiet"]:
            self.stdout.write(text)

    def _verify(self, options: dict[str, Any]) -> None:
        failures: list[str] = []
        chain = audit.verify()
        if chain.ok:
            self._say(options, str(chain))
        else:
            failures.append(str(chain))

        path = options.get("checkpoints")
        if path:
            from pathlib import Path

            if not Path(path).is_file():
                raise CommandError(f"--checkpoints: {path} is not a readable file")
        report = checkpoints.verify_checkpoints(path)
        failures.extend(f"checkpoint: {p}" for p in report.problems)
        if not report.problems:
            self._say(options, f"checkpoints: {report.checked} verified against the chain")
        for note in report.notes:
            self._say(options, f"note: {note}")

        progress = None if options["quiet"] else (lambda text: self.stderr.write(f"  {text}"))
        rows = verification.verify_rows(progress)
        failures.extend(f"row: {p}" for p in rows)
        if not rows:
            self._say(options, "rows: every regulated row matches its audit events")

        signed = integrity.run_checks()
        failures.extend(f"signed: {p}" for p in signed)
        if not signed:
            self._say(options, "signed records match their signatures")

        if options["files"]:
            files = verification.verify_files(None if options["quiet"] else self._file_progress)
            failures.extend(f"file: {p}" for p in files)
            if not files:
                self._say(options, "files: every stored file matches its SHA-256")

        if failures:
            shown = failures[:200]
            more = len(failures) - len(shown)
            text = "\n  ".join(shown) + (f"\n  … and {more} more" if more else "")
            raise CommandError(f"audit verify FAILED ({len(failures)}):\n  {text}", returncode=1)
        self._say(options, "audit verify: OK")

    def _file_progress(self, done: int, total: int) -> None:
        if done == total or done % 100 == 0:
            self.stderr.write(f"  files: {done}/{total} re-hashed")
            sys.stderr.flush()
