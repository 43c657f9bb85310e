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

from bioproof.core import files, jobs
from bioproof.core.errors import DomainError
from bioproof.evaluations.models import Evaluation, Run, RunDataFile, StagedUpload


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


def stage_upload(upload: Any, *, by: Any, run: Run, layout: str) -> StagedUpload:
    """Keep an uploaded file for the job that parses it: streamed into the file store (hashed,
    ``audit verify --files`` covers it) with a :class:`StagedUpload` row; refused at once above
    the layout's limit."""
    from bioproof.evaluations import actions

    return actions.stage_run_data(by=by, run=run, filename=upload.name, data=upload, layout=layout)


def _done(run: Run, data_file: RunDataFile, filename: str) -> dict[str, Any]:
    return {
        "url": _url(run.evaluation) + "#runs",
        "message": _("%(f)s stored for %(run)s: %(n)d rows (version %(v)d).")
        % {"f": filename, "run": run.label, "n": data_file.n_rows, "v": data_file.version},
    }


@jobs.job("evaluations.upload", title=gettext_lazy("Parsing uploaded run data"), atomic=False)
def upload(
    progress: Any,
    *,
    by: Any,
    run_id: int,
    filename: str,
    layout: str,
    staged: str = "",
    staged_id: int | None = None,
    sha256: str = "",
) -> dict[str, Any]:
    """Parse a staged upload outside any transaction (its progress is visible while a sensor
    log of gigabytes is read in chunks), then store the data file, its Parquet table and the
    removal of the staged upload in one transaction. Run again after that transaction
    committed (a worker stopped before recording its success), it finds the stored file."""
    from bioproof.analysis import tabular
    from bioproof.analysis.errors import InputError
    from bioproof.evaluations import actions, layouts, rundata

    run = Run.objects.select_related("evaluation").filter(pk=run_id).first()
    if run is None:
        raise DomainError(_("The run no longer exists."))
    row = StagedUpload.objects.filter(pk=staged_id).first() if staged_id else None
    if row is None:
        done = RunDataFile.objects.filter(run=run, layout=layout, sha256=sha256 or "-")
        if (data_file := done.order_by("-version").first()) is not None:
            return _done(run, data_file, filename)
        if staged_id or not default_storage.exists(staged):
            raise DomainError(
                _("The uploaded file %(f)s is no longer kept; upload it again.") % {"f": filename}
            )
    name = row.file.name if row is not None else staged
    size = row.size if row is not None else default_storage.size(name)
    spec = layouts.get(layout)

    def step(done: int, total: int | None) -> None:
        share = done / max(total or size, 1)
        progress(
            5 + int(75 * share),
            _("Parsing and checking %(f)s: %(done)s of %(total)s MB")
            % {"f": filename, "done": f"{done / 1e6:.0f}", "total": f"{size / 1e6:.0f}"},
        )

    progress(5, _("Reading %(f)s") % {"f": filename})
    with default_storage.open(name, "rb") as handle:
        try:
            with tabular.reading(limits=rundata.reading_limits(layout), progress=step):
                frame = spec.parse(handle, filename)
        except (DomainError, InputError):
            if row is not None:  # a bad file stays bad: nothing is kept for a retry
                actions.discard_staged(by=by, staged=row)
            raise
        progress(85, _("Storing %(f)s and its parsed table") % {"f": filename})
        with transaction.atomic():
            data_file = actions.upload_run_data(
                by=by, run=run, filename=filename, data=handle, layout=layout, parsed=frame
            )
            if row is not None:
                if data_file.sha256 != row.sha256:
                    raise DomainError(
                        _("The staged file %(f)s changed after it was uploaded; upload it again.")
                        % {"f": filename}
                    )
                actions.discard_staged(by=by, staged=row)
            else:  # queued by an earlier version: a staged copy outside the file store
                files.schedule(lambda: default_storage.delete(name))
    return _done(run, data_file, filename)
