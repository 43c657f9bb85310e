"""The ``bioproof`` command.

``bioproof analyze …`` runs the analysis engine without Django; every other sub-command is
a Django management command (``bioproof audit verify``, ``bioproof migrate``,
``bioproof load_demo``…).
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "analyze":
        from bioproof.analysis.cli import main as analyze_main

        return analyze_main(argv[1:])
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bioproof.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["bioproof", *argv])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
