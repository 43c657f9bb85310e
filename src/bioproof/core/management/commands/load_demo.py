from __future__ import annotations

from django.core.management.base import BaseCommand

from bioproof import demo


class Command(BaseCommand):
    help = "Load the demo organizations, users, products and a published track record (once)."

    def handle(self, *args, **options) -> None:
        summary = demo.load()
        self.stdout.write("demo data loaded" if summary.created else "demo data already present")
        self.stdout.write(f"demo logins (password for all: {demo.PASSWORD}):")
        for username, org, roles in summary.users:
            self.stdout.write(f"  {username:18} {org:18} {roles}")
