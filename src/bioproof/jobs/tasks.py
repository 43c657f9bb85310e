"""The one queue task: run a :class:`~bioproof.jobs.models.JobRun` (see
:mod:`bioproof.core.jobs`)."""

from __future__ import annotations

from django_tasks import task


@task()
def run_job(job_id: str, token: str) -> str:
    from bioproof.core import jobs

    return jobs.execute(job_id, token)
