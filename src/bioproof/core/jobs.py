"""Background jobs: long work (analysis, PDF issuing, parsing big uploads, reindexing, file
verification, e-mail) runs on the task queue with progress a page can poll.

The queue is Django's task API (the ``django-tasks`` backport): the database backend
(``django-tasks-db``) with ``bioproof worker`` on the embedded default and on PostgreSQL, the
immediate backend in tests. django-tasks has no progress or retry of its own, so each job has a
:class:`~bioproof.jobs.models.JobRun` row — kind, arguments, status, progress, message, outcome,
error — and one queue entry (``run_job(job_id, token)``) allowed to run it.

An app declares a job kind in its ``jobs.py``::

    @jobs.job("evaluations.analyse", title=_("Analysis"), atomic=True)
    def analyse(progress, *, by, evaluation_id):
        progress(10, _("Computing KPIs"))
        ...
        return {"url": ..., "message": ...}

*Idempotent*: a job whose ``atomic`` is true runs its action and records its success in one
transaction, so a worker stopped half-way leaves nothing written and the job runs again from the
start; a job already finished is never run again. *Survives a worker restart*: a running job's
worker beats its heartbeat; ``bioproof worker`` re-queues a job whose heartbeat stopped
(:func:`recover_stale`).
"""

from __future__ import annotations

import logging
import os
import socket
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from bioproof.core.errors import DomainError, PolicyDenied
from bioproof.core.policy import is_authenticated, is_platform_admin

log = logging.getLogger(__name__)

ProgressFn = Callable[[int, str], None]


@dataclass(frozen=True)
class JobKind:
    name: str
    fn: Callable[..., Any]
    title: str | Promise
    atomic: bool


_kinds: dict[str, JobKind] = {}
_worker_id = f"{socket.gethostname()}:{os.getpid()}"


def job(
    name: str, *, title: str | Promise, atomic: bool = False
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register a job kind; the function gets ``progress`` and ``by=`` plus its arguments."""

    def register(fn: Callable[..., Any]) -> Callable[..., Any]:
        _kinds[name] = JobKind(name, fn, title, atomic)
        return fn

    return register


def kind(name: str) -> JobKind | None:
    return _kinds.get(name)


def set_worker_id(worker_id: str) -> None:
    global _worker_id
    _worker_id = worker_id


def worker_id() -> str:
    return _worker_id


def enqueue(
    name: str,
    *,
    by: Any,
    key: str = "",
    object_url: str = "",
    object_label: str = "",
    **arguments: Any,
) -> Any:
    """Queue one run of job ``name``; with ``key``, the run of the same key still pending is
    returned instead of a second one. Returns the :class:`JobRun` (refreshed: with the immediate
    backend it has already run)."""
    from bioproof.jobs.models import JobRun

    if name not in _kinds:
        raise ValueError(f"unknown job kind {name!r}")
    active = (JobRun.Status.QUEUED, JobRun.Status.RUNNING)
    with transaction.atomic():
        if key:
            existing = JobRun.objects.select_for_update().filter(key=key, status__in=active).first()
            if existing is not None:
                return existing
        run = JobRun.objects.create(
            kind=name,
            arguments=arguments,
            key=key,
            language=translation.get_language() or "ko",
            created_by=by if is_authenticated(by) else None,
            object_url=object_url,
            object_label=object_label[:200],
        )
    _submit(run)
    run.refresh_from_db()
    return run


def _submit(run: Any) -> None:
    from bioproof.jobs.models import JobRun
    from bioproof.jobs.tasks import run_job

    result = run_job.enqueue(str(run.pk), str(run.token))
    JobRun.objects.filter(pk=run.pk, token=run.token).update(task_id=str(result.id)[:64])


def visible_runs(user: Any) -> Any:
    """The jobs ``user`` may follow: their own (platform admins: all)."""
    from bioproof.jobs.models import JobRun

    if is_platform_admin(user):
        return JobRun.objects.all()
    if not is_authenticated(user):
        return JobRun.objects.none()
    return JobRun.objects.filter(created_by=user)


def retry(run: Any, *, by: Any) -> Any:
    """Queue a failed job again (same arguments, a new token)."""
    from bioproof.jobs.models import JobRun

    if not visible_runs(by).filter(pk=run.pk).exists():
        raise PolicyDenied(_("Only the person who started this job may retry it."))
    updated = JobRun.objects.filter(pk=run.pk, status=JobRun.Status.FAILED).update(
        status=JobRun.Status.QUEUED,
        token=uuid.uuid4(),
        progress=0,
        message=_("Queued again"),
        error="",
        result=None,
        finished_at=None,
        worker_id="",
    )
    if not updated:
        raise DomainError(
            _("Only a failed job can be retried; this one is '%(s)s'.")
            % {"s": run.get_status_display()}
        )
    run.refresh_from_db()
    _submit(run)
    run.refresh_from_db()
    return run


def recover_stale(*, older_than: float = 120.0) -> list[Any]:
    """Re-queue running jobs whose worker stopped beating (killed, host lost); returns them."""
    from bioproof.jobs.models import JobRun

    limit = timezone.now() - timedelta(seconds=older_than)
    stale = list(
        JobRun.objects.filter(status=JobRun.Status.RUNNING, heartbeat_at__lt=limit).only("pk")
    )
    requeued = []
    for candidate in stale:
        token = uuid.uuid4()
        updated = JobRun.objects.filter(
            pk=candidate.pk, status=JobRun.Status.RUNNING, heartbeat_at__lt=limit
        ).update(
            status=JobRun.Status.QUEUED,
            token=token,
            progress=0,
            message=_("Queued again: the worker running it stopped"),
            worker_id="",
        )
        if updated:
            run = JobRun.objects.get(pk=candidate.pk)
            _submit(run)
            requeued.append(run)
            log.warning("job %s (%s) re-queued: its worker stopped", run.pk, run.kind)
    return requeued


def heartbeat() -> int:
    """Mark this worker's running jobs as alive."""
    from bioproof.jobs.models import JobRun

    return JobRun.objects.filter(status=JobRun.Status.RUNNING, worker_id=_worker_id).update(
        heartbeat_at=timezone.now()
    )


def execute(job_id: str, token: str) -> str:
    """Run one job (called by the queue's task); returns what happened, for the queue's log."""
    from bioproof.core import verification
    from bioproof.jobs.models import JobRun

    run = JobRun.objects.select_related("created_by").filter(pk=job_id).first()
    if run is None or str(run.token) != token or run.finished:
        return "skipped: superseded or finished"
    now = timezone.now()
    claimed = JobRun.objects.filter(
        pk=job_id, token=token, status__in=(JobRun.Status.QUEUED, JobRun.Status.RUNNING)
    ).update(
        status=JobRun.Status.RUNNING,
        attempts=F("attempts") + 1,
        started_at=now,
        heartbeat_at=now,
        worker_id=_worker_id,
        progress=1,
    )
    if not claimed:
        return "skipped: claimed elsewhere"
    spec = _kinds.get(run.kind)
    by = run.created_by
    actor = verification.set_actor(by)
    try:
        with translation.override(run.language):
            if spec is None:
                _finish(
                    run,
                    token,
                    error=_("This kind of job (%(k)s) is not known to this version.")
                    % {"k": run.kind},
                )
                return "failed"

            def progress(percent: int, message: str = "") -> None:
                JobRun.objects.filter(pk=run.pk, token=token).update(
                    progress=max(1, min(99, int(percent))),
                    message=str(message)[:300],
                    heartbeat_at=timezone.now(),
                )

            try:
                if spec.atomic:
                    with transaction.atomic():
                        result = spec.fn(progress, by=by, **run.arguments)
                        _finish(run, token, result=result)
                else:
                    result = spec.fn(progress, by=by, **run.arguments)
                    _finish(run, token, result=result)
            except DomainError as exc:
                _finish(run, token, error=str(exc.message))
                return "failed"
            except Exception as exc:
                log.exception("job %s (%s) failed", run.pk, run.kind)
                _finish(
                    run,
                    token,
                    error=_("Unexpected error (%(e)s); the operators' log has the details.")
                    % {"e": type(exc).__name__},
                )
                return "failed"
            return "succeeded"
    finally:
        verification.reset_actor(actor)


def _finish(run: Any, token: str, *, result: Any = None, error: str = "") -> None:
    from bioproof.jobs.models import JobRun

    result = dict(result or {})
    message = str(result.pop("message", "")) if not error else ""
    JobRun.objects.filter(pk=run.pk, token=token).update(
        status=JobRun.Status.FAILED if error else JobRun.Status.SUCCEEDED,
        progress=100 if not error else F("progress"),
        message=(message or _("Done"))[:300] if not error else _("Failed"),
        result=result or None,
        error=error,
        finished_at=timezone.now(),
        heartbeat_at=timezone.now(),
    )
