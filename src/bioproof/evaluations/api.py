from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, File, Router, Schema, Status, UploadedFile
from ninja.pagination import LimitOffsetPagination, paginate

from bioproof.catalog.models import Product
from bioproof.consortium.models import Organization
from bioproof.core.errors import DomainError
from bioproof.core.policy import get_visible_or_404
from bioproof.evaluations import actions
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
    product: str
    center: str
    title: str
    reference_product: str
    scale: str
    process_context: str = ""
    titer_margin: float = Field(0.10, gt=0, lt=1, description="fraction of the reference mean")
    alpha: float = Field(0.05, gt=0, lt=0.5)


class ReasonIn(Schema):
    reason: str


class PasswordIn(Schema):
    password: str


class TemplateIn(Schema):
    template: str = Field(description="method template code")


class CriterionIn(Schema):
    kpi: str
    comparison: Literal["equivalence", "non_inferiority", "minimum", "maximum"]
    value: float
    relative: bool = True
    alpha: float = 0.05
    unit: str = ""
    higher_is_better: bool = True


class RunIn(Schema):
    arm: Literal["candidate", "reference"]
    label: str
    batch_id: str = ""
    equipment: str = ""
    notes: str = ""


class DataFileOut(Schema):
    id: int
    version: int
    filename: str
    sha256: str
    n_rows: int


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
        Evaluation.objects.select_related("product__supplier", "center"),
        request.auth,
        code=code,
        is_current=True,
    )


@router.get("", response=list[EvaluationOut])
@paginate(LimitOffsetPagination)
def list_evaluations(request: HttpRequest, status: str | None = None) -> Any:
    qs = (
        Evaluation.objects.visible_to(request.auth)
        .current()
        .select_related("product__supplier", "center")
    )
    return qs.filter(status=status) if status else qs


@router.get("/{code}", response=EvaluationDetail)
def get_evaluation(request: HttpRequest, code: str) -> Any:
    return _evaluation(request, code)


@router.post("", response={201: EvaluationDetail})
def request_evaluation(request: HttpRequest, payload: RequestIn) -> Any:
    product = get_visible_or_404(Product.objects, request.auth, code=payload.product)
    center = Organization.objects.filter(code=payload.center).first()
    if center is None:
        raise DomainError(f"unknown center '{payload.center}'", field="center")
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
def request_info(request: HttpRequest, code: str, payload: ReasonIn) -> Any:
    return actions.request_info(
        by=request.auth, evaluation=_evaluation(request, code), reason=payload.reason
    )


@router.post("/{code}/provide-info", response=EvaluationDetail)
def provide_info(request: HttpRequest, code: str, payload: ReasonIn) -> Any:
    return actions.provide_info(
        by=request.auth, evaluation=_evaluation(request, code), reason=payload.reason
    )


@router.post("/{code}/protocol/template", response=EvaluationDetail)
def set_template(request: HttpRequest, code: str, payload: TemplateIn) -> Any:
    template = MethodTemplate.objects.current().filter(code=payload.template).first()
    if template is None:
        raise DomainError(f"unknown method template '{payload.template}'", field="template")
    return actions.set_template(
        by=request.auth, evaluation=_evaluation(request, code), template=template
    )


@router.post("/{code}/protocol/criteria", response={201: CriterionOut})
def add_criterion(request: HttpRequest, code: str, payload: CriterionIn) -> Any:
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
def reject(request: HttpRequest, code: str, payload: ReasonIn) -> Any:
    return actions.reject(
        by=request.auth, evaluation=_evaluation(request, code), reason=payload.reason
    )


@router.post("/{code}/runs", response={201: RunOut})
def add_run(request: HttpRequest, code: str, payload: RunIn) -> Any:
    return Status(
        201,
        actions.add_run(by=request.auth, evaluation=_evaluation(request, code), **payload.dict()),
    )


@router.post("/{code}/runs/{label}/data", response={201: DataFileOut})
def upload_data(
    request: HttpRequest,
    code: str,
    label: str,
    file: UploadedFile = File(...),
    layout: str = "offline",
) -> Any:
    """Upload one run's data file (CSV/XLSX) of a layout (``?layout=offline`` by default)."""
    run = get_object_or_404(Run, evaluation=_evaluation(request, code), label=label)
    return Status(
        201,
        actions.upload_run_data(
            by=request.auth,
            run=run,
            filename=file.name or "upload",
            data=file,
            layout=layout,
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


@router.post("/{code}/withdraw", response=EvaluationDetail)
def withdraw(request: HttpRequest, code: str, payload: ReasonIn) -> Any:
    evaluation = _evaluation(request, code)
    actions.withdraw(by=request.auth, evaluation=evaluation, reason=payload.reason)
    return evaluation


class TrackRecordOut(Schema):
    code: str = Field(alias="evaluation.code")
    version: int = Field(alias="evaluation.version")
    product: str = Field(alias="evaluation.product.code")
    product_name_ko: str = Field(alias="evaluation.product.name_ko")
    product_name_en: str = Field(alias="evaluation.product.name_en")
    supplier: str = Field(alias="evaluation.product.supplier.code")
    center: str = Field(alias="evaluation.center.code")
    scale: str = Field(alias="evaluation.scale")
    process_context: str = Field(alias="evaluation.process_context")
    published_at: dt.datetime
    verification_code: str = Field(alias="report.verification_code")
    report_sha256: str = Field(alias="report.sha256")
    criteria: list[CriterionOut]

    @staticmethod
    def resolve_criteria(obj: TrackRecord) -> Any:
        return list(obj.evaluation.criteria.all())


def _public() -> Any:
    return (
        TrackRecord.objects.public()
        .select_related("evaluation__product__supplier", "evaluation__center", "report")
        .prefetch_related("evaluation__criteria")
    )


@public_router.get("", response=list[TrackRecordOut])
@paginate(LimitOffsetPagination)
def list_track_records(request: HttpRequest) -> Any:
    return _public()


@public_router.get("/{code}", response=TrackRecordOut)
def get_track_record(request: HttpRequest, code: str) -> Any:
    return get_object_or_404(_public(), evaluation__code=code)
