from __future__ import annotations

import os
from typing import Any

from django.core.management.base import BaseCommand

from bioproof import demo


class Command(BaseCommand):
    help = "Load the demo organizations, users, products and a published track record (once)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--migrate",
            action="store_true",
            help="migrate the database first, in the same process (one start-up instead of two); "
            "a new SQLite database starts from the schema snapshot (bioproof schema_snapshot)",
        )
        parser.add_argument(
            "--defer-search",
            action="store_true",
            help="queue the search index rebuild for the worker instead of indexing while loading",
        )
        parser.add_argument(
            "--background",
            action="store_true",
            help="load only organizations, accounts and products now; queue the rest of the demo "
            "(and the search rebuild) as jobs for the worker, one transaction per part",
        )
        parser.add_argument(
            "--serve",
            metavar="ADDR",
            help="then serve the site at ADDR (host:port) from this process (runserver without "
            "the reloader and the system checks: one Django start-up for the demo)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options.get("migrate"):
            from django.core.management import call_command

            from bioproof.core import schema

            # a new SQLite database: the committed snapshot, then only the migrations it lacks
            schema.load_snapshot()
            call_command("migrate", interactive=False, verbosity=0)
        background = options.get("background", False)
        summary = demo.load(defer_search=options.get("defer_search", False), background=background)
        if not summary.created:
            self.stdout.write("demo data already present")
        elif background:
            self.stdout.write(
                f"demo accounts loaded; the rest ({len(demo.PARTS)} parts) is queued for the worker"
            )
        else:
            self.stdout.write("demo data loaded")
        self.stdout.write(f"demo logins (password for all: {demo.PASSWORD}):")
        for username, org, roles in summary.users:
            self.stdout.write(f"  {username:18} {org:18} {roles}")
        if options.get("serve"):
            from django.core.management import call_command

            self.stdout.flush()
            # the test suite runs the system checks; the demo does not wait for them, nor for the
            # boot warm-up of a production worker (~4 s before the first page: bioproof.wsgi)
            os.environ.setdefault("BIOPROOF_WARM_UP", "false")
            call_command("runserver", options["serve"], use_reloader=False, skip_checks=True)
