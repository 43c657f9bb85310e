"""``bioproof instrument list | convert``: the instruments BioProof reads, and an export turned
into Allotrope ASM JSON offline (nothing stored), with the layout table it would import as."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from bioproof.core.errors import DomainError
from bioproof.interop import instruments


class Command(BaseCommand):
    help = "List supported instruments or convert an instrument export to Allotrope ASM."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="op", required=True)
        sub.add_parser("list", help="supported instruments and the layout each feeds")
        conv = sub.add_parser("convert", help="an export → ASM JSON on stdout (or --out)")
        conv.add_argument("file")
        conv.add_argument("--instrument", required=True, choices=sorted(instruments.SPECS))
        conv.add_argument("--out", help="write the ASM here instead of stdout")
        conv.add_argument(
            "--table", action="store_true", help="print the layout table (CSV) instead"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["op"] == "list":
            for key, spec in instruments.SPECS.items():
                self.stdout.write(
                    f"{key:32s} {spec.layout:8s} {' '.join(spec.extensions):18s} "
                    f"{instruments.label(key)}"
                )
            return
        path = Path(options["file"])
        try:
            data = path.read_bytes()[: instruments.MAX_BYTES + 1]
        except OSError as exc:
            raise CommandError(f"{path}: {exc.strerror}") from None
        try:
            asm = instruments.convert(options["instrument"], path.name, data)
            if options["table"]:
                spec = instruments.spec(options["instrument"])
                items = instruments.measurements(asm)
                if spec.layout == "offline":
                    out = instruments.offline_csv(instruments.offline_rows([(path.name, items)]))
                elif spec.layout == "qc":
                    out = instruments.qc_csv(options["instrument"], items)
                else:
                    out = instruments.pulse_csv(asm)
                self.stdout.write(out.decode(), ending="")
                return
        except DomainError as exc:
            raise CommandError(exc.message) from None
        text = json.dumps(asm, ensure_ascii=False, indent=1, sort_keys=True)
        if options.get("out"):
            Path(options["out"]).write_text(text + "\n", encoding="utf-8")
            self.stdout.write(f"{options['out']}: {asm.get('$asm.manifest')}")
        else:
            self.stdout.write(text)
