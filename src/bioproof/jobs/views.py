"""A job's page: progress and outcome, polled by ``jobs/poll.js`` (no inline script)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from bioproof.core import jobs
from bioproof.core.web import attempt
from bioproof.jobs.models import JobRun


def _get(request: HttpRequest, job_id: Any) -> JobRun:
    run = jobs.visible_runs(request.user).filter(pk=job_id).first()
    if run is None:
        raise Http404("job")
    return run


def _title(run: JobRun) -> str:
    spec = jobs.kind(run.kind)
    return str(spec.title) if spec else run.kind


def state(run: JobRun) -> dict[str, Any]:
    result = run.result or {}
    return {
        "id": str(run.pk),
        "status": run.status,
        "status_display": str(run.get_status_display()),
        "progress": run.progress,
        "message": run.message,
        "error": run.error,
        "finished": run.finished,
        "result_url": result.get("url", ""),
        "object_url": run.object_url,
        "attempts": run.attempts,
    }


@login_required
def job_detail(request: HttpRequest, job_id: Any) -> HttpResponse:
    run = _get(request, job_id)
    return render(request, "jobs/job_detail.html", {"run": run, "title": _title(run)})


@login_required
def job_status(request: HttpRequest, job_id: Any) -> JsonResponse:
    run = _get(request, job_id)
    response = JsonResponse(state(run))
    response["Cache-Control"] = "no-store"
    return response


@login_required
def job_list(request: HttpRequest) -> HttpResponse:
    runs = list(jobs.visible_runs(request.user).order_by("-created_at")[:50])
    for run in runs:
        run.title = _title(run)
    return render(request, "jobs/job_list.html", {"runs": runs})


@login_required
@require_POST
def job_retry(request: HttpRequest, job_id: Any) -> HttpResponse:
    run = _get(request, job_id)
    attempt(request, jobs.retry, run, by=request.user)
    return redirect("job_detail", job_id=run.pk)


def follow(request: HttpRequest, run: JobRun) -> HttpResponse:
    """Where a page goes after queueing ``run``: its job page while it is pending; when it
    already finished (the immediate backend, or a quick worker), back to its object with the
    outcome or the reason it failed as a message, as a synchronous action would."""
    if run.status == JobRun.Status.SUCCEEDED and run.object_url:
        messages.success(request, run.message)
        return redirect(run.object_url)
    if run.status == JobRun.Status.FAILED and run.object_url:
        messages.error(request, run.error)
        return redirect(run.object_url)
    return redirect("job_detail", job_id=run.pk)
