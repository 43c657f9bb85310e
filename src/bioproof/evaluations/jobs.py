"""Long evaluation work on the job queue: analysis, PDF reports and parsing uploaded data.

Each job calls the action (the only writer) inside the job's transaction, so a job is done
entirely or not at all and may run again after a worker stops (see :mod:`bioproof.core.jobs`).
"""

from __future__ import annotations

from typing import Any

from django.core.files.storage import default_storage
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bioproof.core import jobs
from bioproof.core.errors import DomainError
from bioproof.evaluations.models import Evaluation, Run

STAGING = "job-uploads"


def _evaluation(evaluation_id: int) -> Evaluation:
    evaluation = Evaluation.objects.filter(pk=evaluation_id).first()
    if evaluation is None:
        raise DomainError(_("The evaluation no longer exists."))
    return evaluation


def _url(evaluation: Evaluation) -> str:
    return reverse("evaluation_detail", args=[evaluation.code])


@jobs.job("evaluations.analyse", title=gettext_lazy("Analysis"), atomic=True)
def analyse(progress: Any, *, by: Any, evaluation_id: int) -> dict[str, Any]:
    from bioproof.evaluations import actions

    evaluation = _evaluation(evaluation_id)
    progress(10, _("Computing every run's KPIs and every criterion's verdict"))
    evaluation = actions.analyse(by=by, evaluation=evaluation)
    passed = evaluation.criteria.filter(passed=True).count()
    total = evaluation.criteria.count()
    return {
        "url": _url(evaluation) + "#results",
        "message": _("%(code)s analysed: %(p)d of %(n)d criteria met.")
        % {"code": evaluation.code, "p": passed, "n": total},
    }


@jobs.job("evaluations.report", title=gettext_lazy("Issuing the PDF report"), atomic=True)
def report(
    progress: Any, *, by: Any, evaluation_id: int, language: str, verify_url: str = ""
) -> dict[str, Any]:
    from bioproof.evaluations import actions

    evaluation = _evaluation(evaluation_id)
    progress(10, _("Rendering the report, its plots and its verification code"))
    issued = actions.generate_report(
        by=by, evaluation=evaluation, language=language, verify_url=verify_url
    )
    return {
        "url": reverse("report_download", args=[evaluation.code, issued.pk]),
        "report_id": issued.pk,
        "message": _("Report %(code)s issued.") % {"code": issued.verification_code},
    }


def stage_upload(upload: Any) -> str:
    """Keep an uploaded file for the job that parses it; returns its storage name."""
    import uuid

    return default_storage.save(f"{STAGING}/{uuid.uuid4().hex}/{upload.name[-100:]}", upload)


@jobs.job("evaluations.upload", title=gettext_lazy("Parsing uploaded run data"), atomic=True)
def upload(
    progress: Any, *, by: Any, run_id: int, staged: str, filename: str, layout: str
) -> dict[str, Any]:
    from bioproof.evaluations import actions

    run = Run.objects.select_related("evaluation").filter(pk=run_id).first()
    if run is None:
        raise DomainError(_("The run no longer exists."))
    if not default_storage.exists(staged):
        raise DomainError(
            _("The uploaded file %(f)s is no longer kept; upload it again.") % {"f": filename}
        )
    progress(10, _("Reading %(f)s") % {"f": filename})
    with default_storage.open(staged, "rb") as fh:
        data = fh.read()
    progress(30, _("Parsing and checking %(f)s") % {"f": filename})
    stored = actions.upload_run_data(by=by, run=run, filename=filename, data=data, layout=layout)
    # the staged copy goes once the data file is committed (kept for a retry otherwise)
    transaction.on_commit(lambda: default_storage.delete(staged), robust=True)
    return {
        "url": _url(run.evaluation) + "#runs",
        "message": _("%(f)s stored for %(run)s: %(n)d rows (version %(v)d).")
        % {"f": filename, "run": run.label, "n": stored.n_rows, "v": stored.version},
    }
