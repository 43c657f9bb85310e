from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, File, Router, Schema, Status, UploadedFile
from ninja.pagination import paginate

from bioproof.catalog.models import Product
from bioproof.consortium.models import Organization
from bioproof.core.api_inputs import upload_filename
from bioproof.core.errors import DomainError
from bioproof.core.exports import api_filtered
from bioproof.core.pagination import LimitOffsetPagination, typed
from bioproof.core.policy import get_visible_or_404
from bioproof.evaluations import actions
from bioproof.evaluations.filters import EvaluationFilter, TrackRecordFilter
from bioproof.evaluations.models import Evaluation, MethodTemplate, Run, TrackRecord

router = Router()
public_router = Router(auth=None)


class CriterionOut(Schema):
    id: int
    kpi: str
    comparison: str
    value: float
    relative: bool
    alpha: float
    unit: str
    source: str
    passed: bool | None
    result: dict[str, Any] | None


class RunOut(Schema):
    id: int
    arm: str
    label: str
    batch_id: str
    equipment: str
    kpis: dict[str, Any] | None


class EvaluationOut(Schema):
    code: str
    version: int
    status: str
    status_reason: str
    product: str = Field(alias="product.code")
    supplier: str = Field(alias="product.supplier.code")
    center: str = Field(alias="center.code")
    title: str
    reference_product: str
    scale: str
    process_context: str
    engine_version: str
    correction_reason: str
    need: str | None = None
    demand_consent_at: dt.datetime | None = None
    demand_consent_statement: str = ""

    @staticmethod
    def resolve_need(obj: Evaluation) -> str | None:
        return obj.need.code if obj.need_id is not None else None


class EvaluationDetail(EvaluationOut):
    runs: list[RunOut]
    criteria: list[CriterionOut]

    @staticmethod
    def resolve_runs(obj: Evaluation) -> Any:
        return list(obj.runs.all())

    @staticmethod
    def resolve_criteria(obj: Evaluation) -> Any:
        return list(obj.criteria.all())


class RequestIn(Schema):
    product: str = Field(max_length=20)
    center: str = Field(max_length=40)
    title: str = Field(max_length=200)
    reference_product: str = Field(max_length=200)
    scale: str = Field(max_length=100)
    process_context: str = ""
    titer_margin: float = Field(0.10, gt=0, lt=1, description="fraction of the reference mean")
    alpha: float = Field(0.05, gt=0, lt=0.5)


class EvaluationReasonIn(Schema):
    reason: str


class PasswordIn(Schema):
    password: str


class TemplateIn(Schema):
    template: str = Field(max_length=40, description="method template code")


class EvaluationCriterionIn(Schema):
    kpi: str = Field(max_length=40)
    comparison: Literal["equivalence", "non_inferiority", "minimum", "maximum", "quality_range"]
    value: float = Field(description="margin, limit, or a quality range's k (0: min–max)")
    relative: bool = True
    alpha: float = Field(0.05, gt=0, lt=0.5)
    unit: str = Field("", max_length=30)
    higher_is_better: bool = True
    min_fraction: float | None = Field(
        None, description="quality range: minimum fraction of candidate lots inside (0.9)"
    )


class RunIn(Schema):
    arm: Literal["candidate", "reference"]
    label: str = Field(
        min_length=1,
        max_length=40,
        description="unique in the evaluation; any characters (quote it in the data URL)",
    )
    batch_id: str = Field("", max_length=60)
    equipment: str = Field("", max_length=120)
    notes: str = ""


class DataFileOut(Schema):
    id: int
    version: int
    filename: str
    sha256: str
    n_rows: int


class UploadQueuedOut(Schema):
    job: str
    status: str
    status_url: str


class SignIn(Schema):
    meaning: Literal["authored", "reviewed", "approved"]
    password: str
    comment: str = ""


class ReportIn(Schema):
    language: Literal["ko", "en"] = "ko"


class ReportOut(Schema):
    id: int
    language: str
    sha256: str
    content_hash: str
    verification_code: str
    generated_at: dt.datetime


class PublishIn(Schema):
    consent: bool
    statement: str = ""


def _evaluation(request: HttpRequest, code: str) -> Evaluation:
    return get_visible_or_404(
        Evaluation.objects.select_related("product__supplier", "center", "need__organization"),
        request.auth,
        code=code,
        is_current=True,
    )


@router.get("", response=list[EvaluationOut])
@paginate(LimitOffsetPagination)
@typed
def list_evaluations(request: HttpRequest, status: Evaluation.Status | None = None) -> Any:
    """Evaluations you may see (filters of the evaluations page: ``q``, ``status``, ``center``,
    ``product``, ``tailored``, ``sort``)."""
    qs = (
        Evaluation.objects.visible_to(request.auth)
        .current()
        .select_related("product__supplier", "center", "need")
    )
    return api_filtered(request, EvaluationFilter, qs)


@router.get("/{code}", response=EvaluationDetail)
def get_evaluation(request: HttpRequest, code: str) -> Any:
    return _evaluation(request, code)


@router.post("", response={201: EvaluationDetail})
def request_evaluation(request: HttpRequest, payload: RequestIn) -> Any:
    product = get_visible_or_404(Product.objects, request.auth, code=payload.product)
    center = Organization.objects.filter(code=payload.center).first()
    if center is None:
        raise DomainError(_("Unknown center '%(c)s'.") % {"c": payload.center}, field="center")
    evaluation = actions.request_evaluation(
        by=request.auth,
        product=product,
        center=center,
        title=payload.title,
        reference_product=payload.reference_product,
        scale=payload.scale,
        process_context=payload.process_context,
        titer_margin=payload.titer_margin,
        alpha=payload.alpha,
    )
    return Status(201, evaluation)


@router.post("/{code}/accept", response=EvaluationDetail)
def accept(request: HttpRequest, code: str) -> Any:
    return actions.accept(by=request.auth, evaluation=_evaluation(request, code))


@router.post("/{code}/request-info", response=EvaluationDetail)
def request_info(request: HttpRequest, code: str, payload: EvaluationReasonIn) -> Any:
    return actions.request_info(
        by=request.auth, evaluation=_evaluation(request, code), reason=payload.reason
    )


@router.post("/{code}/provide-info", response=EvaluationDetail)
def provide_info(request: HttpRequest, code: str, payload: EvaluationReasonIn) -> Any:
    return actions.provide_info(
        by=request.auth, evaluation=_evaluation(request, code), reason=payload.reason
    )


@router.post("/{code}/protocol/template", response=EvaluationDetail)
def set_template(request: HttpRequest, code: str, payload: TemplateIn) -> Any:
    template = MethodTemplate.objects.current().filter(code=payload.template).first()
    if template is None:
        raise DomainError(
            _("Unknown method template '%(c)s'.") % {"c": payload.template}, field="template"
        )
    return actions.set_template(
        by=request.auth, evaluation=_evaluation(request, code), template=template
    )


@router.post("/{code}/protocol/criteria", response={201: CriterionOut})
def add_criterion(request: HttpRequest, code: str, payload: EvaluationCriterionIn) -> Any:
    return Status(
        201,
        actions.add_criterion(
            by=request.auth, evaluation=_evaluation(request, code), **payload.dict()
        ),
    )


@router.post("/{code}/protocol/sign", response=EvaluationDetail)
def sign_protocol(request: HttpRequest, code: str, payload: PasswordIn) -> Any:
    evaluation = _evaluation(request, code)
    actions.sign_protocol(by=request.auth, evaluation=evaluation, password=payload.password)
    return evaluation


@router.post("/{code}/reject", response=EvaluationDetail)
def reject(request: HttpRequest, code: str, payload: EvaluationReasonIn) -> Any:
    return actions.reject(
        by=request.auth, evaluation=_evaluation(request, code), reason=payload.reason
    )


@router.post("/{code}/runs", response={201: RunOut})
def add_run(request: HttpRequest, code: str, payload: RunIn) -> Any:
    return Status(
        201,
        actions.add_run(by=request.auth, evaluation=_evaluation(request, code), **payload.dict()),
    )


@router.post("/{code}/runs/{path:label}/data", response={201: DataFileOut, 202: UploadQueuedOut})
def upload_data(
    request: HttpRequest,
    code: str,
    label: str,
    file: UploadedFile = File(...),
    layout: str = "offline",
) -> Any:
    """Upload one run's data file (CSV/XLSX) of a layout (``?layout=offline`` by default).

    A sensor log (``online``, ``offgas``; up to ``BIOPROOF_SENSOR_LOG_MAX_BYTES``) is kept and
    parsed by the job queue: 202 with the job, whose ``status_url`` shows its progress."""
    from django.urls import reverse

    from bioproof.core import jobs
    from bioproof.evaluations import jobs as _kinds  # noqa: F401  (registers the job kinds)
    from bioproof.evaluations import rundata

    run = get_object_or_404(Run, evaluation=_evaluation(request, code), label=label)
    filename = upload_filename(file.name)
    if layout in rundata.LOG_LAYOUTS:
        staged = actions.stage_run_data(
            by=request.auth, run=run, filename=filename, data=file, layout=layout
        )
        job = jobs.enqueue(
            "evaluations.upload",
            by=request.auth,
            object_url=reverse("evaluation_detail", args=[run.evaluation.code]),
            object_label=f"{run.evaluation} · {run.label} · {filename}",
            run_id=run.pk,
            staged=staged.file.name,
            staged_id=staged.pk,
            sha256=staged.sha256,
            filename=filename,
            layout=layout,
        )
        return Status(
            202,
            {
                "job": str(job.pk),
                "status": job.status,
                "status_url": reverse("job_status", args=[job.pk]),
            },
        )
    return Status(
        201,
        actions.upload_run_data(
            by=request.auth, run=run, filename=filename, data=file, layout=layout
        ),
    )


@router.post("/{code}/analyse", response=EvaluationDetail)
def analyse(request: HttpRequest, code: str) -> Any:
    return actions.analyse(by=request.auth, evaluation=_evaluation(request, code))


@router.post("/{code}/sign", response=EvaluationDetail)
def sign(request: HttpRequest, code: str, payload: SignIn) -> Any:
    return actions.sign(
        by=request.auth,
        evaluation=_evaluation(request, code),
        meaning=payload.meaning,
        password=payload.password,
        comment=payload.comment,
    )


@router.post("/{code}/reports", response={201: ReportOut})
def generate_report(request: HttpRequest, code: str, payload: ReportIn) -> Any:
    return Status(
        201,
        actions.generate_report(
            by=request.auth,
            evaluation=_evaluation(request, code),
            language=payload.language,
            verify_url=request.build_absolute_uri("/verify/"),
        ),
    )


@router.post("/{code}/publish", response=EvaluationDetail)
def publish(request: HttpRequest, code: str, payload: PublishIn) -> Any:
    evaluation = _evaluation(request, code)
    actions.publish(
        by=request.auth, evaluation=evaluation, consent=payload.consent, statement=payload.statement
    )
    return evaluation


@router.post("/{code}/consent", response=EvaluationDetail)
def consent(request: HttpRequest, code: str, payload: PublishIn) -> Any:
    """The demand company's consent to publishing a demand-tailored evaluation (its org
    admin); the supplier may publish only after it."""
    evaluation = _evaluation(request, code)
    actions.consent_demand(
        by=request.auth, evaluation=evaluation, consent=payload.consent, statement=payload.statement
    )
    return evaluation


@router.post("/{code}/withdraw", response=EvaluationDetail)
def withdraw(request: HttpRequest, code: str, payload: EvaluationReasonIn) -> Any:
    evaluation = _evaluation(request, code)
    actions.withdraw(by=request.auth, evaluation=evaluation, reason=payload.reason)
    return evaluation


class PublicCriterionOut(CriterionOut):
    """A criterion on the public track record: a confidential need's own criterion shows its
    KPI and verdict only (``confidential``), not its value or result."""

    value: float | None  # type: ignore[assignment]
    confidential: bool = False


class TrackRecordOut(Schema):
    code: str = Field(alias="evaluation.code")
    version: int = Field(alias="evaluation.version")
    product: str = Field(alias="evaluation.product.code")
    product_name_ko: str = Field(alias="evaluation.product.name_ko")
    product_name_en: str = Field(alias="evaluation.product.name_en")
    supplier: str = Field(alias="evaluation.product.supplier.code")
    center: str = Field(alias="evaluation.center.code")
    title: str = Field(alias="evaluation.public_title")
    reference_product: str = Field(alias="evaluation.public_reference_product")
    scale: str = Field(alias="evaluation.public_scale")
    process_context: str = Field(alias="evaluation.public_process_context")
    published_at: dt.datetime
    verification_code: str = Field(alias="report.verification_code")
    report_sha256: str = Field(alias="report.sha256")
    criteria: list[PublicCriterionOut]

    @staticmethod
    def resolve_criteria(obj: TrackRecord) -> Any:
        evaluation = obj.evaluation
        return [
            c if evaluation.is_public_criterion(c) else _confidential_criterion(c)
            for c in evaluation.criteria.all()
        ]


def _confidential_criterion(criterion: Any) -> dict[str, Any]:
    """A need's own criterion of a confidential need, publicly: its KPI and verdict only."""
    return {
        "id": criterion.id,
        "kpi": criterion.kpi,
        "comparison": criterion.comparison,
        "value": None,
        "relative": criterion.relative,
        "alpha": criterion.alpha,
        "unit": criterion.unit,
        "source": criterion.source,
        "passed": criterion.passed,
        "result": None,
        "confidential": True,
    }


def _public() -> Any:
    return (
        TrackRecord.objects.public()
        .select_related(
            "evaluation__product__supplier", "evaluation__center", "evaluation__need", "report"
        )
        .prefetch_related("evaluation__criteria")
    )


@public_router.get("", response=list[TrackRecordOut])
@paginate(LimitOffsetPagination)
def list_track_records(request: HttpRequest) -> Any:
    """Published track records (filters of the public page: ``q``, ``category``, ``center``,
    ``supplier``, ``sort``)."""
    return api_filtered(request, TrackRecordFilter, _public())


@public_router.get("/{code}", response=TrackRecordOut)
def get_track_record(request: HttpRequest, code: str) -> Any:
    return get_object_or_404(_public(), evaluation__code=code)
