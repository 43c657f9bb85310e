from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST

from bioproof.analysis.kpis import KPIS
from bioproof.catalog.models import Category, Product
from bioproof.consortium.models import Membership, Organization, User
from bioproof.core import audit, jobs, versions
from bioproof.core.errors import DomainError
from bioproof.core.exports import filtered_list
from bioproof.core.models import Signature
from bioproof.core.numbers import fill_cells
from bioproof.core.policy import get_visible_or_404
from bioproof.core.signatures import signatures_for
from bioproof.core.web import attempt, form_errors
from bioproof.demand.forms import AttachmentForm
from bioproof.demand.models import Need
from bioproof.evaluations import (
    actions,
    content,
    layouts,
    policy,
    reporting,
    timeline,
    workflow,
)
from bioproof.evaluations import jobs as eval_jobs
from bioproof.evaluations.actions import templates as template_actions
from bioproof.evaluations.filters import EVALUATION_COLUMNS, EvaluationFilter
from bioproof.evaluations.forms import (
    CriterionForm,
    DeviationForm,
    PublishForm,
    ReportForm,
    RequestForm,
    RunForm,
    TemplateForm,
    UploadForm,
)
from bioproof.evaluations.models import (
    EDITABLE_STATES,
    Attachment,
    Criterion,
    Deviation,
    Evaluation,
    MethodTemplate,
    Protocol,
    Report,
    Run,
    RunDataFile,
    TrackRecord,
)
from bioproof.interop.models import InstrumentFile
from bioproof.jobs.views import follow as follow_job
from bioproof.reports.plots import curves_svg, time_course_svg


def _get(request: HttpRequest, code: str, version: int | None = None) -> Evaluation:
    qs = Evaluation.objects.select_related("product__supplier", "product__category", "center")
    lookup = {"code": code, "version": version} if version else {"code": code, "is_current": True}
    return get_visible_or_404(qs, request.user, **lookup)


@login_required
def evaluation_list(request: HttpRequest) -> HttpResponse:
    evaluations = (
        Evaluation.objects.visible_to(request.user)
        .current()
        .select_related("product__supplier", "center")
    )
    filterset, page, export = filtered_list(
        request, EvaluationFilter, evaluations, columns=EVALUATION_COLUMNS, filename="evaluations"
    )
    if export is not None:
        return export
    return render(request, "evaluations/evaluation_list.html", {"page": page, "filter": filterset})


@login_required
def evaluation_request(request: HttpRequest) -> HttpResponse:
    form = RequestForm(
        request.POST or None, user=request.user, initial={"product": request.GET.get("product")}
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        evaluation = attempt(
            request,
            actions.request_evaluation,
            form=form,
            by=request.user,
            product=d["product"],
            center=d["center"],
            title=d["title"],
            reference_product=d["reference_product"],
            scale=d["scale"],
            process_context=d["process_context"],
            titer_margin=(
                d["titer_margin_pct"] / 100 if d["titer_margin_pct"] is not None else None
            ),
            success=_("Evaluation requested."),
        )
        if evaluation is not None:
            return redirect("evaluation_detail", code=evaluation.code)
    return render(request, "evaluations/evaluation_request.html", {"form": form})


@login_required
def evaluation_detail(request: HttpRequest, code: str, version: int | None = None) -> HttpResponse:
    """An evaluation's page. Its body is kept per reader and language while the tables it shows
    are unchanged (:func:`bioproof.core.versions.kept_html`): what a reader may do (the workflow's
    options, the timeline's "you", the operator's forms) depends on who reads it. The visibility
    check runs on every request."""
    evaluation = _get(request, code, version)
    body = versions.kept_html(
        f"evaluation:{evaluation.pk}:{request.user.pk}",
        EVALUATION_DETAIL_TABLES,
        request,
        "evaluations/_evaluation_detail_body.html",
        lambda: _detail_context(request, evaluation),
    )
    return render(
        request,
        "evaluations/evaluation_detail.html",
        {"evaluation": evaluation, "body": mark_safe(body)},
    )


#: Every table the evaluation's page reads: its own rows, the product and parties, the people
#: (the timeline names who may take the next step), signatures, and the audit history (events on
#: these tables).
EVALUATION_DETAIL_TABLES = (
    Evaluation,
    Run,
    RunDataFile,
    InstrumentFile,
    Criterion,
    Deviation,
    Attachment,
    Report,
    TrackRecord,
    Protocol,
    MethodTemplate,
    Signature,
    Product,
    Category,
    Organization,
    Need,
    User,
    Membership,
)


def _detail_context(request: HttpRequest, evaluation: Evaluation) -> dict[str, Any]:
    lang = request.LANGUAGE_CODE or "ko"
    kpi_keys = reporting.kpi_keys(evaluation)
    files: dict[int, list[RunDataFile]] = {}
    current = RunDataFile.objects.filter(run__evaluation=evaluation, is_current=True)
    for f in current.order_by("layout"):
        files.setdefault(f.run_id, []).append(f)
    # the count of instrument exports per run links to the run's page (interop)
    runs = list(evaluation.runs.annotate(n_instrument_files=Count("instrument_files")))
    for run in runs:
        run.current_files = files.get(run.pk, [])
        run.kpi_values = [(run.kpis or {}).get(k) for k in kpi_keys]
    fill_cells(runs)
    layout_keys = evaluation.template.layouts if evaluation.template else ["offline"]
    signatures = list(signatures_for(evaluation))
    current_hash = content.content_hash(evaluation) if signatures else ""
    operator = policy.is_center_operator(request.user, evaluation)
    planning = (
        operator and evaluation.is_current and evaluation.status == Evaluation.Status.PLANNING
    )
    criteria = list(evaluation.criteria.all())
    if planning:
        for c in criteria:
            c.plan_text = _plan_text(c, runs)
    return {
        "evaluation": evaluation,
        "runs": runs,
        "kpi_headers": [(reporting.kpi_label(k, lang), reporting.kpi_unit(k)) for k in kpi_keys],
        "criteria": [
            (
                c,
                *reporting.criterion_text(c, lang, human_units=True),
                reporting.kpi_label(c.kpi, lang),
            )
            for c in criteria
        ],
        "options": workflow.options(evaluation, request.user),
        "timeline": timeline.build(evaluation, request.user),
        "editable": evaluation.is_current and evaluation.status in EDITABLE_STATES,
        "operator": operator,
        "planning": planning,
        "templates": MethodTemplate.objects.current(),
        "layouts": [layouts.get(k) for k in layout_keys],
        "run_parameters": layouts.parameters_for(layout_keys),
        "layout_keys": layout_keys,
        "curve_layouts": [layouts.get(k) for k in layout_keys if layouts.get(k).plot is not None],
        "kpi_choices": [
            (k, reporting.kpi_label(k, lang), reporting.kpi_unit(k)) for k in sorted(KPIS)
        ],
        "criterion_form": CriterionForm(kpis=_picker_kpis(evaluation)),
        "protocol_signatures": (
            list(signatures_for(evaluation.protocol)) if evaluation.protocol else []
        ),
        "signatures": signatures,
        "intact": all(s.content_hash == current_hash for s in signatures),
        "deviations": evaluation.deviations.select_related("run", "recorded_by"),
        "reports": evaluation.reports.all(),
        "track_record": evaluation.track_records.public().first(),
        "versions": Evaluation.objects.visible_to(request.user)
        .filter(code=evaluation.code)
        .order_by("version"),
        "history": audit.history(evaluation),
        "attachments": list(
            Attachment.objects.filter(evaluation__code=evaluation.code).select_related(
                "uploaded_by"
            )
        ),
        "attachment_form": AttachmentForm(),
        "may_attach": evaluation.is_current
        and evaluation.status in ("requested", "info_requested", "planning")
        and (
            operator
            or policy.can_withdraw_request(request.user, evaluation)
            or policy.is_demand_staff(request.user, evaluation)
        ),
        "has_data": bool(files),
        "run_form": RunForm(),
        "deviation_form": DeviationForm(),
        "report_form": ReportForm(),
        "publish_form": PublishForm(),
    }


def _plan_text(criterion: Any, runs: list[Any]) -> str:
    """Runs per arm the criterion needs for 80 % power at its margin, and the SD assumed
    (:func:`bioproof.analysis.planning.criterion_plan`)."""
    from bioproof.analysis.planning import DEFAULT_CV, criterion_plan

    reference = [(r.kpis or {}).get(criterion.kpi) for r in runs if r.arm == Run.Arm.REFERENCE]
    plan = criterion_plan(
        criterion.comparison,
        criterion.value,
        relative=criterion.relative,
        reference=[v for v in reference if isinstance(v, int | float)],
        alpha=criterion.alpha,
    )
    if plan.sd_source == "none":
        if criterion.comparison in ("minimum", "maximum", "ratio_equivalence", "quality_range"):
            return "—"
        return _("— (an absolute margin needs an SD: upload reference runs first)")
    source = {
        "reference": _("SD of the %(n)s reference runs") % {"n": plan.n_reference},
        "assumed_cv": _("assumed CV %(cv)s %% of the reference mean, no reference data yet")
        % {"cv": f"{100 * DEFAULT_CV:g}"},
        "tier1": _("margin in units of σ_R: independent of the SD"),
    }[plan.sd_source]
    if plan.runs_per_arm is None:
        return _("more than 200 per arm (margin %(r)s SD; %(source)s)") % {
            "r": f"{plan.margin_over_sd:.2g}",
            "source": source,
        }
    return _("%(n)s per arm for 80 %% power (margin %(r)s SD; %(source)s)") % {
        "n": plan.runs_per_arm,
        "r": f"{plan.margin_over_sd:.2g}",
        "source": source,
    }


#: Workflow step → (action, success message). The form fields each step takes follow from the
#: step (``needs_reason``, ``needs_password``); ``sign_<meaning>`` steps other than the
#: protocol's go to :func:`actions.sign` with the signer's comment.
_STEP_ACTIONS: dict[str, tuple[Callable[..., Any], Promise]] = {
    "accept": (actions.accept, _lazy("Accepted.")),
    "reject": (actions.reject, _lazy("Rejected.")),
    "request_info": (actions.request_info, _lazy("Question sent to the requester.")),
    "provide_info": (actions.provide_info, _lazy("Answer sent; the request is back in screening.")),
    "sign_protocol": (actions.sign_protocol, _lazy("Protocol signed; runs may start.")),
    "analyse": (actions.analyse, _lazy("Analysis complete.")),
    "consent_demand": (
        actions.consent_demand,
        _lazy("Consent recorded; the supplier may now publish the result."),
    ),
    "publish": (actions.publish, _lazy("Published as a track record.")),
    "withdraw": (actions.withdraw, _lazy("Publication withdrawn.")),
    "correct": (actions.start_correction, _lazy("Version opened for correction.")),
    "withdraw_request": (actions.withdraw_request, _lazy("Request withdrawn.")),
    "return_for_rework": (
        actions.return_for_rework,
        _lazy("Returned for rework; a new version is open for the author."),
    ),
}


@login_required
@require_POST
def evaluation_step(request: HttpRequest, code: str, step: str) -> HttpResponse:
    evaluation = _get(request, code)
    if step not in workflow.STEPS:
        raise Http404(step)
    post = request.POST
    spec = workflow.STEPS[step]
    values: dict[str, Any] = {}
    if spec.needs_reason:
        values["reason"] = post.get("reason", "")
    if spec.needs_password:
        values["password"] = post.get("password", "")
    if step in _STEP_ACTIONS:
        fn, success = _STEP_ACTIONS[step]
    else:  # sign_authored, sign_reviewed, sign_approved
        fn, success = actions.sign, _lazy("Signature applied.")
        values |= {"meaning": step.removeprefix("sign_"), "comment": post.get("comment", "")}
    if step in ("publish", "consent_demand"):
        values["consent"] = post.get("consent") == "on"
    if step == "analyse":
        # long work: checked here, run by the worker; the job's page shows progress
        if attempt(request, workflow.check, evaluation, step, request.user) is None:
            return redirect("evaluation_detail", code=evaluation.code)
        run = jobs.enqueue(
            "evaluations.analyse",
            by=request.user,
            key=f"evaluations.analyse:{evaluation.pk}",
            object_url=reverse("evaluation_detail", args=[evaluation.code]),
            object_label=str(evaluation),
            evaluation_id=evaluation.pk,
        )
        return follow_job(request, run)
    result = attempt(request, fn, by=request.user, evaluation=evaluation, success=success, **values)
    if step in ("correct", "return_for_rework") and result is not None:
        return redirect("evaluation_detail", code=result.code)
    return redirect("evaluation_detail", code=evaluation.code)


@login_required
@require_POST
def run_add(request: HttpRequest, code: str) -> HttpResponse:
    evaluation = _get(request, code)
    form = RunForm(request.POST)
    parameters = {
        key.removeprefix("param_"): value
        for key, value in request.POST.items()
        if key.startswith("param_") and value.strip()
    }
    if form.is_valid():
        attempt(
            request,
            actions.add_run,
            by=request.user,
            evaluation=evaluation,
            success=_("Run added."),
            parameters=parameters,
            **form.cleaned_data,
        )
    else:
        form_errors(request, form)
    return redirect("evaluation_detail", code=evaluation.code)


@login_required
@require_POST
def runs_from_protocol(request: HttpRequest, code: str) -> HttpResponse:
    """Create the protocol's runs, N per arm, in one step."""
    evaluation = _get(request, code)
    created = attempt(
        request,
        actions.add_runs_from_protocol,
        by=request.user,
        evaluation=evaluation,
        batch_prefix=request.POST.get("batch_prefix", ""),
        equipment=request.POST.get("equipment", ""),
    )
    if created:
        messages.success(request, _("%(n)d runs added from the protocol.") % {"n": len(created)})
    return redirect(reverse("evaluation_detail", args=[evaluation.code]) + "#runs")


@login_required
@require_POST
def run_edit(request: HttpRequest, code: str, run_id: int) -> HttpResponse:
    evaluation = _get(request, code)
    run = get_object_or_404(Run, pk=run_id, evaluation=evaluation)
    attempt(
        request,
        actions.update_run,
        by=request.user,
        run=run,
        batch_id=request.POST.get("batch_id", ""),
        equipment=request.POST.get("equipment", ""),
        notes=request.POST.get("notes", run.notes),
        success=_("Run %(run)s updated.") % {"run": run.label},
    )
    return redirect(reverse("evaluation_detail", args=[evaluation.code]) + "#runs")


@login_required
@require_POST
def run_exclude(request: HttpRequest, code: str, run_id: int) -> HttpResponse:
    evaluation = _get(request, code)
    run = get_object_or_404(Run, pk=run_id, evaluation=evaluation)
    attempt(
        request,
        actions.exclude_run,
        by=request.user,
        run=run,
        reason=request.POST.get("reason", ""),
        success=_("Run %(run)s excluded from the analysis.") % {"run": run.label},
    )
    return redirect(reverse("evaluation_detail", args=[evaluation.code]) + "#runs")


@login_required
@require_POST
def run_upload(request: HttpRequest, code: str, run_id: int) -> HttpResponse:
    evaluation = _get(request, code)
    run = get_object_or_404(Run, pk=run_id, evaluation=evaluation)
    form = UploadForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        if not policy.is_center_operator(request.user, evaluation):
            messages.error(request, _("Only the evaluating center's staff may do this."))
            return redirect("evaluation_detail", code=evaluation.code)
        # parsing a large file is the worker's: the request only keeps the file and queues it
        layout = form.cleaned_data["layout"] or "offline"
        staged = attempt(
            request, eval_jobs.stage_upload, upload, by=request.user, run=run, layout=layout
        )
        if staged is None:
            return redirect("evaluation_detail", code=evaluation.code)
        job = jobs.enqueue(
            "evaluations.upload",
            by=request.user,
            object_url=reverse("evaluation_detail", args=[evaluation.code]),
            object_label=f"{evaluation} · {run.label} · {upload.name}",
            run_id=run.pk,
            staged=staged.file.name,
            staged_id=staged.pk,
            sha256=staged.sha256,
            filename=upload.name,
            layout=layout,
        )
        return follow_job(request, job)
    else:
        form_errors(request, form)
    return redirect("evaluation_detail", code=evaluation.code)


@login_required
@require_POST
def deviation_add(request: HttpRequest, code: str) -> HttpResponse:
    evaluation = _get(request, code)
    attempt(
        request,
        actions.record_deviation,
        by=request.user,
        evaluation=evaluation,
        description=request.POST.get("description", ""),
        success=_("Deviation recorded."),
    )
    return redirect("evaluation_detail", code=evaluation.code)


@login_required
@require_POST
def report_generate(request: HttpRequest, code: str) -> HttpResponse:
    evaluation = _get(request, code)
    verify_url = request.build_absolute_uri(reverse("verify"))
    language = request.POST.get("language", "ko")
    if language not in ("ko", "en"):
        messages.error(request, _("Report language must be 'ko' or 'en'."))
        return redirect("evaluation_detail", code=evaluation.code)
    run = jobs.enqueue(
        "evaluations.report",
        by=request.user,
        key=f"evaluations.report:{evaluation.pk}:{language}",
        object_url=reverse("evaluation_detail", args=[evaluation.code]),
        object_label=str(evaluation),
        evaluation_id=evaluation.pk,
        language=language,
        verify_url=verify_url,
    )
    return follow_job(request, run)


@login_required
def report_download(request: HttpRequest, code: str, report_id: int) -> FileResponse:
    evaluations = Evaluation.objects.visible_to(request.user).filter(code=code)
    report = get_object_or_404(Report, pk=report_id, evaluation__in=evaluations)
    return FileResponse(
        report.file.open("rb"),
        as_attachment=True,
        filename=report.file.name.rsplit("/", 1)[-1],
        content_type="application/pdf",
    )


@login_required
def data_file_download(request: HttpRequest, code: str, file_id: int) -> FileResponse:
    evaluations = Evaluation.objects.visible_to(request.user).filter(code=code)
    data_file = get_object_or_404(RunDataFile, pk=file_id, run__evaluation__in=evaluations)
    return FileResponse(data_file.file.open("rb"), as_attachment=True, filename=data_file.filename)


@login_required
def plot_svg(
    request: HttpRequest, code: str, variable: str, version: int | None = None
) -> HttpResponse:
    evaluation = _get(request, code, version)
    if variable not in ("vcd", "titer", "viability"):
        raise Http404(variable)
    series = reporting.run_series(evaluation)
    if not series:
        raise Http404("no data")
    svg = time_course_svg(series, variable=variable, language=request.LANGUAGE_CODE or "ko")
    return HttpResponse(svg, content_type="image/svg+xml")


@login_required
@require_POST
def protocol_template(request: HttpRequest, code: str) -> HttpResponse:
    evaluation = _get(request, code)
    template = MethodTemplate.objects.current().filter(pk=request.POST.get("template")).first()
    if template is None:
        messages.error(request, _("Choose a method template."))
    else:
        attempt(
            request,
            actions.set_template,
            by=request.user,
            evaluation=evaluation,
            template=template,
            success=_("Template applied to the protocol."),
        )
    return redirect("evaluation_detail", code=evaluation.code)


def _picker_kpis(evaluation: Evaluation) -> list[str]:
    """The KPIs the picker offers: the method template's, else every KPI."""
    return list(evaluation.template.kpis) if evaluation.template else []


@login_required
@require_POST
def criterion_add(request: HttpRequest, code: str) -> HttpResponse:
    evaluation = _get(request, code)
    form = CriterionForm(request.POST, kpis=_picker_kpis(evaluation))
    if form.is_valid():
        try:
            spec = form.criterion()
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            attempt(
                request,
                actions.add_criterion,
                by=request.user,
                evaluation=evaluation,
                success=_("Criterion added."),
                **spec,
            )
    else:
        form_errors(request, form)
    return redirect("evaluation_detail", code=evaluation.code)


@login_required
@require_POST
def criterion_remove(request: HttpRequest, code: str, criterion_id: int) -> HttpResponse:
    evaluation = _get(request, code)
    criterion = get_object_or_404(Criterion, pk=criterion_id, evaluation=evaluation)
    attempt(
        request,
        actions.remove_criterion,
        by=request.user,
        criterion=criterion,
        reason=request.POST.get("reason", ""),
        success=_("Criterion removed."),
    )
    return redirect("evaluation_detail", code=evaluation.code)


def layout_template(request: HttpRequest, key: str) -> HttpResponse:
    """Downloadable Excel template of a data layout (public: it holds no data)."""
    try:
        layout = layouts.get(key)
    except DomainError as exc:
        raise Http404(str(exc)) from exc
    response = HttpResponse(
        layouts.excel_template(layout),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="bioproof-{layout.key}.xlsx"'
    return response


@login_required
def layout_plot_svg(request: HttpRequest, code: str, layout: str) -> HttpResponse:
    """Per-run curves of one data layout (breakthrough, t/V, DO, tracer) of the current version."""
    evaluation = _get(request, code)
    try:
        spec = layouts.get(layout)
    except DomainError as exc:
        raise Http404(str(exc)) from exc
    if spec.plot is None:
        raise Http404(layout)
    curves = reporting.layout_curves(evaluation, layout)
    if not curves:
        raise Http404("no data")
    svg = curves_svg(curves, x_label=spec.plot[2], y_label=spec.plot[3])
    return HttpResponse(svg, content_type="image/svg+xml")


@login_required
def template_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "evaluations/template_list.html",
        {
            "templates": MethodTemplate.objects.current().order_by("family", "code"),
            "can_revise": template_actions.can_revise(request.user),
        },
    )


@login_required
def template_detail(request: HttpRequest, code: str) -> HttpResponse:
    versions = list(MethodTemplate.objects.filter(code=code).order_by("-version"))
    if not versions:
        raise Http404(code)
    current = next((t for t in versions if t.is_current), versions[0])
    initial = {
        "name_ko": current.name_ko,
        "name_en": current.name_en,
        "description": current.description,
        "candidate_runs": current.candidate_runs,
        "reference_runs": current.reference_runs,
        "layouts": ", ".join(current.layouts),
        "kpis": ", ".join(current.kpis),
        "default_criteria": "\n".join(
            f"{c['kpi']} {c['comparison']} "
            + (f"{c['value'] * 100:g}%" if c.get("relative") else f"{c['value']:g}")
            + ("" if c.get("higher_is_better", True) else " lower")
            for c in current.default_criteria
        ),
    }
    form = TemplateForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            criteria = template_actions.parse_criteria_lines(d["default_criteria"])
        except DomainError as exc:
            form.add_error("default_criteria", exc.message)
        else:
            revised = attempt(
                request,
                actions.revise_template,
                form=form,
                by=request.user,
                template=current,
                reason=d["reason"],
                name_ko=d["name_ko"],
                name_en=d["name_en"],
                description=d["description"],
                candidate_runs=d["candidate_runs"],
                reference_runs=d["reference_runs"],
                layouts=[k.strip() for k in d["layouts"].split(",") if k.strip()],
                kpis=[k.strip() for k in d["kpis"].split(",") if k.strip()],
                default_criteria=criteria,
                success=_("Template revised."),
            )
            if revised is not None:
                return redirect("template_detail", code=revised.code)
    lang = request.LANGUAGE_CODE or "ko"
    return render(
        request,
        "evaluations/template_detail.html",
        {
            "template": current,
            "versions": versions,
            "form": form,
            "can_revise": template_actions.can_revise(request.user),
            "layouts": [layouts.get(k) for k in current.layouts],
            "kpis": [
                (k, reporting.kpi_label(k, lang), reporting.kpi_unit(k)) for k in current.kpis
            ],
            "known_layouts": list(layouts.all_layouts()),
        },
    )


@login_required
def protocol_pdf(request: HttpRequest, code: str) -> HttpResponse:
    """The signed protocol (평가계획) as a PDF, in the page's language; for whoever may see the
    evaluation (the same visibility as its page), 404 before the protocol is signed."""
    evaluation = _get(request, code)
    if evaluation.protocol is None:
        raise Http404(_("The protocol of %(code)s is not signed yet.") % {"code": code})
    language = "en" if (request.LANGUAGE_CODE or "ko").startswith("en") else "ko"
    pdf = reporting.render_protocol_pdf(evaluation, language=language)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{code}-protocol-{language}.pdf"'
    return response


@require_POST
def attachment_add(request: HttpRequest, code: str) -> HttpResponse:
    """Attach a CoA, SDS or quote to the request (the requester, or the center)."""
    evaluation = _get(request, code)
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        attempt(
            request,
            actions.attach,
            by=request.user,
            evaluation=evaluation,
            kind=form.cleaned_data["kind"],
            title=form.cleaned_data["title"],
            filename=upload.name,
            data=upload,
            success=_("Document attached."),
        )
    else:
        form_errors(request, form)
    return redirect(reverse("evaluation_detail", args=[evaluation.code]) + "#attachments")


@login_required
def attachment_download(request: HttpRequest, code: str, attachment_id: int) -> FileResponse:
    """An attachment is seen by whoever sees its evaluation (its three parties)."""
    attachment = get_object_or_404(
        Attachment.objects.filter(evaluation__in=Evaluation.objects.visible_to(request.user)),
        pk=attachment_id,
        evaluation__code=code,
    )
    return FileResponse(
        attachment.file.open("rb"), as_attachment=True, filename=attachment.filename
    )
