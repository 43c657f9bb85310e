"""``bioproof search_reindex``: rebuild the search index from the records."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from bioproof.search import index


class Command(BaseCommand):
    help = "Rebuild the search index (products, public track records, needs)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--chunk", type=int, default=1000, help="rows per batch")
        parser.add_argument(
            "--enqueue", action="store_true", help="queue it as a background job for the worker"
        )

    def handle(self, *args: Any, chunk: int, **options: Any) -> None:
        if chunk < 1:
            raise CommandError(f"--chunk must be 1 or more rows per batch, not {chunk}")
        if options.get("enqueue"):
            from bioproof.core import jobs

            run = jobs.enqueue("search.reindex", by=None, key="search.reindex", chunk=chunk)
            self.stdout.write(f"queued job {run.pk} (status: {run.status})")
            return
        started = time.perf_counter()

        def progress(kind: str, n: int) -> None:
            self.stdout.write(f"{kind}: {n} documents")

        counts = index.rebuild(chunk=chunk, progress=progress)
        self.stdout.write(
            self.style.SUCCESS(
                f"search index rebuilt: {sum(counts.values())} documents "
                f"in {time.perf_counter() - started:.1f} s"
            )
        )
