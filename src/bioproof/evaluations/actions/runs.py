"""Runs, raw data, deviations and analysis of an evaluation (the only writers)."""

from __future__ import annotations

import math
from typing import Any

import pandas as pd
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from bioproof.analysis import tabular
from bioproof.core import files
from bioproof.core.errors import ConflictError, DomainError
from bioproof.core.locking import lock, unique_or_conflict
from bioproof.evaluations import criteria as criteria_rules
from bioproof.evaluations import layouts, results, rundata, workflow
from bioproof.evaluations.actions._common import (
    S,
    move,
    record,
    require_editable,
    require_operator,
)
from bioproof.evaluations.models import (
    Criterion,
    Deviation,
    Evaluation,
    Run,
    RunDataFile,
    StagedUpload,
)


@transaction.atomic
def add_run(
    *,
    by: Any,
    evaluation: Evaluation,
    arm: str,
    label: str,
    batch_id: str = "",
    equipment: str = "",
    notes: str = "",
    parameters: dict[str, Any] | None = None,
) -> Run:
    """Record a candidate or reference run with its batch, equipment and the run parameters the
    protocol's data layouts need (e.g. column volume, filter area)."""
    evaluation = lock(evaluation)
    require_operator(by, evaluation)
    require_editable(evaluation)
    if arm not in Run.Arm.values:
        raise DomainError(_("Arm must be 'candidate' or 'reference'."), field="arm")
    label = (label or "").strip()
    if not label:
        raise DomainError(_("Give the run a label."), field="label")
    if evaluation.runs.filter(label=label).exists():
        raise ConflictError(_("A run labelled %(l)s exists already.") % {"l": label}, field="label")
    cleaned = _clean_parameters(evaluation, parameters or {})
    with unique_or_conflict(
        _("A run labelled %(l)s exists already.") % {"l": label}, field="label"
    ):
        run = Run.objects.create(
            evaluation=evaluation,
            arm=arm,
            label=label,
            batch_id=(batch_id or "").strip(),
            equipment=(equipment or "").strip(),
            notes=notes or "",
            parameters=cleaned,
        )
    _invalidate_results(evaluation)
    record(
        by,
        "run.added",
        run,
        evaluation.center,
        after={
            "evaluation": evaluation.code,
            "version": evaluation.version,
            "arm": arm,
            "label": label,
            "batch_id": run.batch_id,
            "equipment": run.equipment,
            "parameters": run.parameters,
        },
    )
    return run


@transaction.atomic
def add_runs_from_protocol(
    *, by: Any, evaluation: Evaluation, batch_prefix: str = "", equipment: str = ""
) -> list[Run]:
    """Create the runs the signed protocol plans, N per arm (candidate C1…Cn, reference
    R1…Rm); labels that exist already are kept, so a second call adds nothing. Batch IDs
    and equipment may be edited afterwards, until a run has data."""
    evaluation = lock(evaluation)
    require_operator(by, evaluation)
    require_editable(evaluation)
    plan = (evaluation.protocol.plan if evaluation.protocol else {}) or {}
    template = plan.get("template") or {}
    n_candidate = int(
        template.get("candidate_runs")
        or (evaluation.template.candidate_runs if evaluation.template else 3)
    )
    n_reference = int(
        template.get("reference_runs")
        or (evaluation.template.reference_runs if evaluation.template else 3)
    )
    keys = evaluation.template.layouts if evaluation.template else ["offline"]
    params = layouts.parameters_for(keys)
    defaults = {p.key: p.default for p in params if p.default is not None}
    if len(defaults) < len(params):
        missing = ", ".join(f"{p.key} [{p.unit}]" for p in params if p.default is None)
        raise DomainError(
            _("This protocol's runs need parameters (%(p)s); add them one by one.") % {"p": missing}
        )
    existing = set(evaluation.runs.values_list("label", flat=True))
    wanted = [(Run.Arm.CANDIDATE, f"C{i}") for i in range(1, n_candidate + 1)] + [
        (Run.Arm.REFERENCE, f"R{i}") for i in range(1, n_reference + 1)
    ]
    prefix = (batch_prefix or "").strip()[:40]
    created = [
        Run(
            evaluation=evaluation,
            arm=arm,
            label=label,
            batch_id=f"{prefix}{label}" if prefix else "",
            equipment=(equipment or "").strip()[:120],
            parameters=dict(defaults),
        )
        for arm, label in wanted
        if label not in existing
    ]
    if not created:
        raise DomainError(_("The protocol's runs exist already."))
    with unique_or_conflict(_("Runs were added at the same time; reload the page.")):
        for run in created:
            run.save()
    _invalidate_results(evaluation)
    for run in created:
        record(
            by,
            "run.added",
            run,
            evaluation.center,
            after={
                "evaluation": evaluation.code,
                "version": evaluation.version,
                "arm": run.arm,
                "label": run.label,
                "batch_id": run.batch_id,
                "equipment": run.equipment,
                "parameters": run.parameters,
                "from_protocol": True,
            },
        )
    return created


RUN_EDIT_FIELDS = ("batch_id", "equipment", "notes")


@transaction.atomic
def update_run(
    *, by: Any, run: Run, batch_id: str = "", equipment: str = "", notes: str = ""
) -> Run:
    """Edit a run's batch ID, equipment and notes — only before it has data (afterwards a
    change is a deviation or an exclusion, never a silent edit)."""
    evaluation = lock(run.evaluation)
    run = lock(run)
    require_operator(by, evaluation)
    require_editable(evaluation)
    if run.data_files.exists():
        raise ConflictError(
            _("%(run)s has data already; record a deviation or exclude the run instead.")
            % {"run": run.label}
        )
    before = {k: getattr(run, k) for k in RUN_EDIT_FIELDS}
    run.batch_id = (batch_id or "").strip()[:60]
    run.equipment = (equipment or "").strip()[:120]
    run.notes = notes or ""
    after = {k: getattr(run, k) for k in RUN_EDIT_FIELDS}
    if before == after:
        raise DomainError(_("Nothing was changed."))
    run.save(update_fields=list(RUN_EDIT_FIELDS))
    record(
        by,
        "run.updated",
        run,
        evaluation.center,
        before={"evaluation": evaluation.code, "label": run.label} | before,
        after={"evaluation": evaluation.code, "label": run.label} | after,
    )
    return run


@transaction.atomic
def exclude_run(*, by: Any, run: Run, reason: str) -> Run:
    """Leave a run out of the analysis with a reason (a contaminated batch, a failed sensor).
    The run, its data and the reason stay, in the signed content and the report; results are
    recomputed without it. On a signed evaluation this is done in a correction (version n+1)."""
    evaluation = lock(run.evaluation)
    run = lock(run)
    require_operator(by, evaluation)
    require_editable(evaluation)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Give the reason for excluding the run."), field="reason")
    if run.excluded_at is not None:
        raise ConflictError(_("%(run)s is excluded already.") % {"run": run.label})
    run.excluded_at = timezone.now()
    run.excluded_reason = reason[:2000]
    run.kpis = None
    run.save(update_fields=["excluded_at", "excluded_reason", "kpis"])
    _invalidate_results(evaluation)
    record(
        by,
        "run.excluded",
        run,
        evaluation.center,
        before={"evaluation": evaluation.code, "label": run.label, "excluded": False},
        after={"evaluation": evaluation.code, "label": run.label, "excluded": True},
        reason=run.excluded_reason,
    )
    return run


def _clean_parameters(evaluation: Evaluation, raw: dict[str, Any]) -> dict[str, float]:
    """Numbers for the parameters the protocol's layouts know; required ones must be given."""
    keys = evaluation.template.layouts if evaluation.template else ["offline"]
    params = {p.key: p for p in layouts.parameters_for(keys)}
    cleaned: dict[str, float] = {}
    for key, value in raw.items():
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        if key not in params:
            raise DomainError(
                _("Run parameter '%(k)s' is not used by this protocol (known: %(known)s).")
                % {"k": key, "known": ", ".join(params) or _("none")},
                field="parameters",
            )
        try:
            number = float(str(value).replace(",", ""))
        except ValueError:
            number = float("nan")
        if not math.isfinite(number) or number < 0:
            raise DomainError(
                _("Run parameter '%(k)s': '%(v)s' is not a non-negative number (%(u)s).")
                % {"k": key, "v": value, "u": params[key].unit},
                field="parameters",
            )
        cleaned[key] = number
    missing = [k for k, p in params.items() if p.default is None and k not in cleaned]
    if missing:
        raise DomainError(
            _("Give the run parameter(s): %(p)s.")
            % {"p": ", ".join(f"{k} [{params[k].unit}]" for k in missing)},
            field="parameters",
        )
    return cleaned


def _invalidate_results(evaluation: Evaluation) -> None:
    """New data makes earlier results stale: clear them and return to 'running'."""
    if evaluation.status == S.ANALYSED:
        evaluation.runs.update(kpis=None)
        evaluation.criteria.update(result=None, passed=None)
        evaluation.status = S.RUNNING
        evaluation.save(update_fields=["status", "updated_at"])


@transaction.atomic
def upload_run_data(
    *,
    by: Any,
    run: Run,
    filename: str,
    data: bytes | files.Source,
    layout: str = "offline",
    parsed: pd.DataFrame | None = None,
) -> RunDataFile:
    """Store a raw data file (CSV/XLSX) of one layout with its SHA-256 and its parsed table.

    ``data`` is bytes or a file (an upload, a staged file); a size above the layout's limit is
    refused before it is read (:func:`rundata.upload_limit`: a sensor log may be gigabytes and
    is never read whole). The file is parsed before anything is written, so a bad file leaves
    nothing behind; ``parsed`` is the frame the layout's reader already returned for this very
    file (the upload job parses outside the transaction to show progress). The raw file and the
    parsed table (Parquet, :mod:`bioproof.evaluations.rundata`) take their content-addressed
    names when the transaction commits. A re-upload of the same layout adds a new version and
    keeps the old one; concurrent uploads are numbered one after another (the evaluation row is
    locked).
    """
    evaluation = lock(run.evaluation)
    run = lock(run)
    require_operator(by, evaluation)
    require_editable(evaluation)
    spec = layouts.get(layout)
    limit = rundata.upload_limit(layout)
    if isinstance(data, bytes | bytearray):
        source: Any = files.read_limited(bytes(data), filename=filename, max_bytes=limit)
        if not source:
            raise DomainError(_("File '%(f)s' is empty.") % {"f": filename}, field="file")
    else:
        source = data
        size = getattr(source, "size", None)
        if isinstance(size, int) and size > limit:
            raise files.too_large(filename, limit)
        if size == 0:
            raise DomainError(_("File '%(f)s' is empty.") % {"f": filename}, field="file")
    if parsed is None:
        if hasattr(source, "seek"):
            source.seek(0)
        with tabular.reading(limits=rundata.reading_limits(layout)):
            parsed = spec.parse(source, filename)
    frame = parsed
    stored = files.store(source, prefix="run-data", filename=filename, max_bytes=limit)
    table = rundata.store_table(frame, filename=filename)
    previous = run.data_files.filter(layout=layout)
    version = (previous.aggregate(v=Max("version"))["v"] or 0) + 1
    previous.filter(is_current=True).update(is_current=False)
    data_file = RunDataFile(
        run=run,
        version=version,
        layout=layout,
        filename=filename[:200],
        file=stored.name,
        sha256=stored.sha256,
        size=stored.size,
        table_file=table.name,
        table_sha256=table.sha256,
        n_rows=len(frame),
        uploaded_by=by,
    )
    with unique_or_conflict(
        _("Another upload to %(run)s was saved at the same time; reload and try again.")
        % {"run": run.label},
        field="file",
    ):
        data_file.save()
    data_file.set_frame(frame)
    _invalidate_results(evaluation)
    record(
        by,
        "run_data.uploaded",
        data_file,
        evaluation.center,
        after={
            "evaluation": evaluation.code,
            "run": run.label,
            "layout": layout,
            "filename": filename,
            "version": version,
            "sha256": stored.sha256,
            "table_sha256": table.sha256,
            "rows": len(frame),
        },
    )
    return data_file


@transaction.atomic
def stage_run_data(
    *, by: Any, run: Run, filename: str, data: files.Source, layout: str = "offline"
) -> StagedUpload:
    """Keep an uploaded run-data file (streamed into the file store, hashed) for the job that
    parses it; refused at once when the layout is unknown or the file is above its limit."""
    evaluation = lock(run.evaluation)
    require_operator(by, evaluation)
    require_editable(evaluation)
    layouts.get(layout)
    limit = rundata.upload_limit(layout)
    stored = files.store(data, prefix="job-uploads", filename=filename, max_bytes=limit)
    staged = StagedUpload.objects.create(
        run=run,
        layout=layout,
        filename=filename[:200],
        file=stored.name,
        sha256=stored.sha256,
        size=stored.size,
        uploaded_by=by,
    )
    record(
        by,
        "run_data.staged",
        staged,
        evaluation.center,
        after={
            "evaluation": evaluation.code,
            "run": run.label,
            "layout": layout,
            "filename": filename,
            "sha256": stored.sha256,
            "size": stored.size,
        },
    )
    return staged


@transaction.atomic
def discard_staged(*, by: Any, staged: StagedUpload) -> None:
    """Remove a staged upload once its data file is stored; its file goes on commit unless
    another staged upload holds the same content."""
    name = staged.file.name
    run = staged.run
    after = {"run": run.label, "filename": staged.filename, "sha256": staged.sha256}
    record(by, "run_data.staged_removed", staged, run.evaluation.center, after=after)
    staged.delete()

    def remove() -> None:
        if not StagedUpload.objects.filter(file=name).exists():
            default_storage.delete(name)

    files.schedule(remove)


@transaction.atomic
def record_deviation(
    *, by: Any, evaluation: Evaluation, description: str, run: Run | None = None
) -> Deviation:
    evaluation = lock(evaluation)
    require_operator(by, evaluation)
    require_editable(evaluation)
    description = (description or "").strip()
    if not description:
        raise DomainError(_("Describe the deviation."), field="description")
    if run is not None and run.evaluation_id != evaluation.pk:
        raise DomainError(_("That run belongs to another evaluation."), field="run")
    deviation = Deviation.objects.create(
        evaluation=evaluation, run=run, description=description, recorded_by=by
    )
    _invalidate_results(evaluation)
    record(
        by,
        "deviation.recorded",
        deviation,
        evaluation.center,
        after={
            "evaluation": evaluation.code,
            "run": run.label if run else None,
            "description": description,
        },
    )
    return deviation


@transaction.atomic
def analyse(*, by: Any, evaluation: Evaluation) -> Evaluation:
    """Compute per-run KPIs for every data layout and per-criterion verdicts with the analysis
    engine; the engine version is recorded."""
    evaluation = lock(evaluation)
    step = workflow.check(evaluation, "analyse", by)
    runs = list(evaluation.runs.filter(excluded_at__isnull=True))
    files: dict[int, dict[str, RunDataFile]] = {}
    for f in RunDataFile.objects.filter(run__evaluation=evaluation, is_current=True):
        files.setdefault(f.run_id, {})[f.layout] = f
    required = set(evaluation.template.layouts) if evaluation.template else set()
    missing = [
        f"{r.label} ({', '.join(sorted(required - set(files.get(r.pk, {})))) or _('data')})"
        for r in runs
        if not files.get(r.pk) or required - set(files[r.pk])
    ]
    if not runs or missing:
        raise DomainError(
            _("Upload data for every run first (missing: %(runs)s).")
            % {"runs": ", ".join(missing) or _("no runs")}
        )
    for run in runs:
        kpis: dict[str, Any] = {}
        for layout, f in sorted(files[run.pk].items()):
            kpis |= results.layout_kpis(
                layout, f.frame(), label=run.label, parameters=run.parameters
            )
        run.kpis = kpis
    Run.objects.bulk_update(runs, ["kpis"])
    criteria = list(evaluation.criteria.all())
    verdicts = {}
    for criterion in criteria:
        values = {
            arm: [r.kpis.get(criterion.kpi) for r in runs if r.arm == arm] for arm in Run.Arm.values
        }
        needed = values["candidate"] + (
            values["reference"] if criterion.comparison in criteria_rules.TWO_ARM else []
        )
        if any(v is None for v in needed):
            raise DomainError(
                _("KPI %(k)s could not be computed for every run.") % {"k": criterion.kpi}
            )
        criterion.result, criterion.passed = criteria_rules.evaluate(
            criterion, values["candidate"], values["reference"]
        )
        verdicts[f"{criterion.kpi}:{criterion.comparison}"] = criterion.passed
    Criterion.objects.bulk_update(criteria, ["result", "passed"])
    evaluation.engine_version = results.ENGINE_VERSION
    evaluation.analysed_at = timezone.now()
    evaluation.save(update_fields=["engine_version", "analysed_at", "updated_at"])
    move(
        evaluation,
        step,
        by=by,
        org=evaluation.center,
        action="evaluation.analysed",
        extra={"engine_version": evaluation.engine_version, "verdicts": verdicts},
    )
    return evaluation
