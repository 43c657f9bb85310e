"""``bioproof worker``: run queued background jobs (django-tasks' database worker), beat the
heartbeat of the job it runs and re-queue jobs whose worker stopped."""

from __future__ import annotations

import logging
import os
import socket
import threading
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import close_old_connections
from django.db.utils import DatabaseError
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.management.commands.db_worker import Worker

from bioproof.core import jobs

log = logging.getLogger("bioproof.jobs")


def _beat(stop: threading.Event, every: float, stale_after: float) -> None:
    """Heartbeat of this worker's running job, and recovery of others' stalled ones."""
    while not stop.wait(every):
        try:
            jobs.heartbeat()
            jobs.recover_stale(older_than=stale_after)
        except DatabaseError:  # a busy SQLite file, a dropped connection: next beat retries
            log.warning("job heartbeat skipped", exc_info=True)
        finally:
            close_old_connections()


class Command(BaseCommand):
    help = "Run background jobs from the task queue (Ctrl-C stops after the current job)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--interval", type=float, default=1.0, help="seconds between polls")
        parser.add_argument("--batch", action="store_true", help="run the queued jobs, then exit")
        parser.add_argument("--max-tasks", type=int, default=None)
        parser.add_argument(
            "--stale-after",
            type=float,
            default=120.0,
            help="re-queue a running job whose heartbeat is older than this (seconds)",
        )
        parser.add_argument("--queue-name", default="default")

    def handle(self, *args: Any, **options: Any) -> None:
        from django_tasks import task_backends

        backend = task_backends["default"]
        if not isinstance(backend, DatabaseBackend):
            raise CommandError(
                f"the task backend is {type(backend).__name__}: jobs run where they are queued, "
                "no worker is needed (BIOPROOF_TASKS=database queues them for a worker)"
            )
        stale_after = max(5.0, options["stale_after"])
        worker_id = f"{socket.gethostname()}:{os.getpid()}"[:64]
        jobs.set_worker_id(worker_id)
        recovered = jobs.recover_stale(older_than=stale_after)
        if options["verbosity"]:
            self.stdout.write(
                f"bioproof worker {worker_id}: {len(recovered)} stalled job(s) re-queued"
            )
        stop = threading.Event()
        beat = threading.Thread(
            target=_beat, args=(stop, min(15.0, stale_after / 4), stale_after), daemon=True
        )
        beat.start()
        worker = Worker(
            queue_names=options["queue_name"].split(","),
            interval=options["interval"],
            batch=options["batch"],
            backend_name="default",
            startup_delay=False,
            max_tasks=options["max_tasks"],
            worker_id=worker_id,
            excluded_queue_names=[],
        )
        try:
            if not options["batch"]:
                worker.configure_signals()
            worker.run()
        finally:
            stop.set()
            if not options["batch"]:
                worker.reset_signals()
