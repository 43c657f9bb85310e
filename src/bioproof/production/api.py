"""API of production: orders, constructs, batches, steps, results, deviations and CoAs — the same
authentication and visibility as the pages (``visible_to``); errors are 4xx with the message."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Router, Schema, Status, UploadedFile
from ninja.pagination import paginate

from bioproof.consortium.models import Organization
from bioproof.core.errors import DomainError
from bioproof.core.pagination import LimitOffsetPagination
from bioproof.core.policy import get_visible_or_404
from bioproof.production import actions
from bioproof.production.models import (
    Batch,
    BatchStep,
    Certificate,
    Construct,
    Deviation,
    Order,
    Sample,
    TestResult,
)
from bioproof.production.verify import public_status

router = Router()


class ProductionOrderIn(Schema):
    customer: str = Field(description="customer organization code", max_length=40)
    facility: str = Field(description="facility (center) organization code", max_length=40)
    title: str = Field(max_length=200)
    grade: str = Field(description="research, non_gmp or gmp_clinical", max_length=20)
    deliverables: list[str] = Field([], max_length=20)
    needed_by: dt.date | None = None


class ProductionOrderOut(Schema):
    code: str
    title: str
    customer: str = Field(alias="customer.code")
    facility: str = Field(alias="facility.code")
    grade: str
    status: str
    deliverables: list[str]
    needed_by: dt.date | None
    quote_krw: int | None
    quote_lead_days: int | None


class ProductionConstructOut(Schema):
    id: int
    order: str = Field(alias="order.code")
    name: str
    sequence: str
    sequence_sha256: str
    file_format: str
    report: dict[str, Any]
    enzyme: str
    modification: str
    cap_strategy: str
    cap_reagent: str
    quantity_mg: float
    formulation: str
    lipids: dict[str, Any]


class ProductionQuoteIn(Schema):
    amount_krw: int = Field(ge=0, le=10**13)
    lead_days: int = Field(ge=1, le=3650)
    note: str = Field("", max_length=2000)


class ProductionPasswordIn(Schema):
    password: str = Field(max_length=200)


class ProductionBatchOut(Schema):
    code: str
    order: str = Field(alias="order.code")
    construct_name: str = Field(alias="construct.name")
    mbr: str
    grade: str
    batch_size: float
    status: str
    started_at: dt.datetime
    review: list[dict[str, Any]]

    @staticmethod
    def resolve_mbr(obj: Batch) -> str:
        return str(obj.mbr_version)


class ProductionEntryOut(Schema):
    key: str
    value: float
    unit: str
    value_canonical: float
    canonical_unit: str
    in_limits: bool


class ProductionStepOut(Schema):
    seq: int
    key: str
    unit_procedure: str
    operation: str
    critical: bool
    status: str
    instruction: str
    values: list[dict[str, Any]]
    operator: str | None
    verifier: str | None
    equipment_code: str
    entries: list[ProductionEntryOut]

    @staticmethod
    def resolve_instruction(obj: BatchStep) -> str:
        return obj.definition.get("instruction", "")

    @staticmethod
    def resolve_values(obj: BatchStep) -> list[dict[str, Any]]:
        return obj.definition.get("values", [])

    @staticmethod
    def resolve_operator(obj: BatchStep) -> str | None:
        return obj.operator.username if obj.operator_id else None

    @staticmethod
    def resolve_verifier(obj: BatchStep) -> str | None:
        return obj.verifier.username if obj.verifier_id else None

    @staticmethod
    def resolve_entries(obj: BatchStep) -> list[Any]:
        return list(obj.entries.all())


class ProductionLotUse(Schema):
    lot: int = Field(description="material lot id", ge=1, le=2**53)
    quantity: str = Field(description="quantity with unit, e.g. '20 mL'", max_length=40)


class ProductionStepIn(Schema):
    values: dict[str, str] = Field(description="key → reading with unit, e.g. {'temp': '37 °C'}")
    equipment_code: str = Field("", max_length=40)
    materials: list[ProductionLotUse] = Field([], max_length=50)
    comment: str = Field("", max_length=2000)


class ProductionResultIn(Schema):
    test_key: str = Field(max_length=40)
    value: float | None = None
    unit: str = Field("", max_length=30)
    text: str = Field("", max_length=200)
    instrument_code: str = Field("", max_length=40)


class ProductionResultOut(Schema):
    id: int
    sample: str = Field(alias="sample.code")
    test_key: str
    value: float | None
    unit: str
    text: str
    value_spec_unit: float | None
    conforms: bool
    status: str
    instrument_code: str


class ProductionDeviationIn(Schema):
    facility: str = Field(max_length=40)
    kind: str = Field(description="process, oos, equipment, material or other", max_length=12)
    title: str = Field(max_length=200)
    description: str = Field(max_length=5000)
    batch: str | None = Field(None, max_length=20)
    step: int | None = Field(
        None, description="step number (seq) within the batch", ge=1, le=100000
    )


class ProductionDeviationOut(Schema):
    code: str
    kind: str
    title: str
    description: str
    classification: str
    status: str
    batch: str | None
    root_cause: str
    raised_at: dt.datetime

    @staticmethod
    def resolve_batch(obj: Deviation) -> str | None:
        return obj.batch.code if obj.batch_id else None


class ProductionCoaOut(Schema):
    code: str
    batch: str = Field(alias="batch.code")
    spec_version: str
    sha256: str
    content_hash: str
    generated_at: dt.datetime
    content: dict[str, Any]

    @staticmethod
    def resolve_spec_version(obj: Certificate) -> str:
        return str(obj.spec_version)


class ProductionCoaStatusOut(Schema):
    code: str
    batch: str
    product: str
    issued: dt.datetime
    status: str
    sha256: str


def _org(code: str, field: str) -> Organization:
    org = Organization.objects.filter(code=code).first()
    if org is None:
        raise DomainError(_("Unknown organization '%(c)s'.") % {"c": code[:40]}, field=field)
    return org


def _order(request: HttpRequest, code: str) -> Order:
    return get_visible_or_404(
        Order.objects.select_related("customer", "facility"), request.auth, code=code
    )


def _batch(request: HttpRequest, code: str) -> Batch:
    return get_visible_or_404(
        Batch.objects.select_related("order", "construct", "mbr_version__recipe"),
        request.auth,
        code=code,
    )


# ------------------------------------------------------------------------------- orders


@router.get("/orders", response=list[ProductionOrderOut])
@paginate(LimitOffsetPagination)
def list_orders(request: HttpRequest) -> Any:
    return Order.objects.visible_to(request.auth).select_related("customer", "facility")


@router.post("/orders", response={201: ProductionOrderOut})
def create_order(request: HttpRequest, payload: ProductionOrderIn) -> Any:
    order = actions.create_order(
        by=request.auth,
        customer=_org(payload.customer, "customer"),
        facility=_org(payload.facility, "facility"),
        title=payload.title,
        grade=payload.grade,
        deliverables=payload.deliverables,
        needed_by=payload.needed_by,
    )
    return Status(201, order)


@router.get("/orders/{code}", response=ProductionOrderOut)
def get_order(request: HttpRequest, code: str) -> Any:
    return _order(request, code)


@router.get("/orders/{code}/constructs", response=list[ProductionConstructOut])
def list_constructs(request: HttpRequest, code: str) -> Any:
    return list(
        Construct.objects.visible_to(request.auth)
        .filter(order=_order(request, code))
        .select_related("order")
    )


@router.post("/orders/{code}/constructs", response={201: ProductionConstructOut})
def add_construct(
    request: HttpRequest,
    code: str,
    file: File[UploadedFile],
    name: Form[str],
    enzyme: Form[str],
    quantity_mg: Form[float],
    formulation: Form[str] = "lnp",
    modification: Form[str] = "n1-methylpseudouridine",
    cap_strategy: Form[str] = "co_transcriptional",
    cap_reagent: Form[str] = "",
    ionizable: Form[float | None] = None,
    helper: Form[float | None] = None,
    cholesterol: Form[float | None] = None,
    peg: Form[float | None] = None,
) -> Any:
    """Upload a construct's sequence (FASTA, GenBank or SBOL3) with its product attributes."""
    from bioproof.production.sequences import MAX_BYTES

    order = _order(request, code)
    if file.size and file.size > MAX_BYTES:
        raise DomainError(
            f"File '{file.name}' is larger than {MAX_BYTES // 1024} KB.", field="file"
        )
    lipids = None
    if formulation == "lnp":
        lipids = {"ionizable": ionizable, "helper": helper, "cholesterol": cholesterol, "peg": peg}
    construct = actions.add_construct(
        by=request.auth,
        order=order,
        name=name,
        filename=file.name or "construct",
        data=file.read(MAX_BYTES + 1),
        enzyme=enzyme,
        modification=modification,
        cap_strategy=cap_strategy,
        cap_reagent=cap_reagent,
        quantity_mg=quantity_mg,
        formulation=formulation,
        lipids=lipids,
    )
    return Status(201, construct)


@router.post("/orders/{code}/submit", response=ProductionOrderOut)
def submit_order(request: HttpRequest, code: str) -> Any:
    return actions.submit_order(by=request.auth, order=_order(request, code))


@router.post("/orders/{code}/quote", response=ProductionOrderOut)
def quote_order(request: HttpRequest, code: str, payload: ProductionQuoteIn) -> Any:
    return actions.quote_order(by=request.auth, order=_order(request, code), **payload.dict())


@router.post("/orders/{code}/accept", response=ProductionOrderOut)
def accept_quote(request: HttpRequest, code: str, payload: ProductionPasswordIn) -> Any:
    return actions.accept_quote(
        by=request.auth, order=_order(request, code), password=payload.password
    )


class ProductionPlanLine(Schema):
    equipment_code: str = Field(max_length=40)
    starts_at: dt.datetime
    ends_at: dt.datetime
    operator: str = Field("", description="username of a facility staff member", max_length=150)


class ProductionScheduleIn(Schema):
    plan: list[ProductionPlanLine] = Field(max_length=50)


class ProductionScheduleOut(Schema):
    starts_at: dt.datetime
    ends_at: dt.datetime
    code: str | None = Field(None, description="the booking (facility only)")
    equipment: str | None = Field(None, description="equipment code (facility only)")
    status: str | None = Field(None, description="booking status (facility only)")


@router.get("/orders/{code}/schedule", response=list[ProductionScheduleOut])
def order_schedule(request: HttpRequest, code: str) -> Any:
    """The order's equipment bookings: the customer sees the dates only."""
    return actions.scheduling.schedule_rows(request.auth, _order(request, code))


@router.post("/orders/{code}/schedule", response={201: list[ProductionScheduleOut]})
def schedule_order(request: HttpRequest, code: str, payload: ProductionScheduleIn) -> Any:
    """Book the facility's equipment for an accepted order (facility staff; all or nothing; a
    clash is a 409 naming the booking in the way)."""
    order = _order(request, code)
    actions.schedule_order(
        by=request.auth, order=order, plan=[line.dict() for line in payload.plan]
    )
    return Status(201, actions.scheduling.schedule_rows(request.auth, order))


# ------------------------------------------------------------------------------ batches


@router.get("/batches", response=list[ProductionBatchOut])
@paginate(LimitOffsetPagination)
def list_batches(request: HttpRequest) -> Any:
    return Batch.objects.visible_to(request.auth).select_related(
        "order", "construct", "mbr_version__recipe"
    )


@router.get("/batches/{code}", response=ProductionBatchOut)
def get_batch(request: HttpRequest, code: str) -> Any:
    return _batch(request, code)


@router.get("/batches/{code}/steps", response=list[ProductionStepOut])
def list_steps(request: HttpRequest, code: str) -> Any:
    batch = _batch(request, code)
    return list(batch.steps.select_related("operator", "verifier").prefetch_related("entries"))


def _step(request: HttpRequest, code: str, seq: int) -> BatchStep:
    batch = _batch(request, code)
    if not 0 < seq <= 100000:
        raise DomainError(
            _("%(code)s has no step %(seq)s.") % {"code": batch.code, "seq": seq}, field="seq"
        )
    step = batch.steps.filter(seq=seq).first()
    if step is None:
        raise DomainError(
            _("%(code)s has no step %(seq)s.") % {"code": batch.code, "seq": seq}, field="seq"
        )
    return step


@router.post("/batches/{code}/steps/{seq}", response=ProductionStepOut)
def record_step(request: HttpRequest, code: str, seq: int, payload: ProductionStepIn) -> Any:
    step = _step(request, code, seq)
    actions.record_step(
        by=request.auth,
        step=step,
        values=payload.values,
        equipment_code=payload.equipment_code,
        materials=[{"lot": m.lot, "quantity": m.quantity} for m in payload.materials],
        comment=payload.comment,
    )
    return BatchStep.objects.select_related("operator", "verifier").get(pk=step.pk)


@router.post("/batches/{code}/steps/{seq}/verify", response=ProductionStepOut)
def verify_step(request: HttpRequest, code: str, seq: int, payload: ProductionPasswordIn) -> Any:
    return actions.verify_step(
        by=request.auth, step=_step(request, code, seq), password=payload.password
    )


@router.get("/batches/{code}/exceptions", response=list[dict[str, Any]])
def batch_exceptions(request: HttpRequest, code: str) -> Any:
    from bioproof.production import policy

    batch = _batch(request, code)
    if not policy.is_facility_member(request.auth, batch.facility_id):
        raise DomainError(_("Only the facility sees the batch record's exceptions."))
    return actions.exceptions(batch)


# ------------------------------------------------------------------------------ results


@router.get("/batches/{code}/results", response=list[ProductionResultOut])
def list_results(request: HttpRequest, code: str) -> Any:
    batch = _batch(request, code)
    return list(
        TestResult.objects.visible_to(request.auth).filter(batch=batch).select_related("sample")
    )


@router.post("/samples/{code}/results", response={201: ProductionResultOut})
def enter_result(request: HttpRequest, code: str, payload: ProductionResultIn) -> Any:
    sample = get_visible_or_404(Sample.objects.all(), request.auth, code=code)
    result = actions.enter_result(
        by=request.auth,
        sample=sample,
        test_key=payload.test_key,
        value=payload.value,
        unit=payload.unit,
        text_value=payload.text,
        instrument_code=payload.instrument_code,
    )
    return Status(201, result)


@router.post("/results/{result_id}/verify", response=ProductionResultOut)
def verify_result(request: HttpRequest, result_id: int, payload: ProductionPasswordIn) -> Any:
    if not 0 < result_id < 2**53:
        raise Http404("result")
    result = get_visible_or_404(
        TestResult.objects.select_related("sample"), request.auth, pk=result_id
    )
    return actions.verify_result(by=request.auth, result=result, password=payload.password)


# ---------------------------------------------------------------------------- deviations


@router.get("/deviations", response=list[ProductionDeviationOut])
@paginate(LimitOffsetPagination)
def list_deviations(request: HttpRequest) -> Any:
    return Deviation.objects.visible_to(request.auth).select_related("batch")


@router.get("/deviations/{code}", response=ProductionDeviationOut)
def get_deviation(request: HttpRequest, code: str) -> Any:
    return get_visible_or_404(Deviation.objects.select_related("batch"), request.auth, code=code)


@router.post("/deviations", response={201: ProductionDeviationOut})
def raise_deviation(request: HttpRequest, payload: ProductionDeviationIn) -> Any:
    batch = _batch(request, payload.batch) if payload.batch else None
    step = None
    if payload.step is not None:
        if batch is None:
            raise DomainError(_("A step is named within its batch."), field="step")
        step = _step(request, batch.code, payload.step)
    dev = actions.raise_deviation(
        by=request.auth,
        facility=_org(payload.facility, "facility"),
        kind=payload.kind,
        title=payload.title,
        description=payload.description,
        batch=batch,
        step=step,
    )
    return Status(201, dev)


# ---------------------------------------------------------------------------------- CoA


@router.get("/batches/{code}/coa", response=ProductionCoaOut)
def get_coa(request: HttpRequest, code: str) -> Any:
    batch = _batch(request, code)
    return get_visible_or_404(
        Certificate.objects.select_related("batch", "spec_version__specification"),
        request.auth,
        batch=batch,
    )


@router.get("/coa/{code}/pdf")
def coa_pdf(request: HttpRequest, code: str) -> Any:
    coa = get_visible_or_404(Certificate.objects.all(), request.auth, code=code)
    return FileResponse(
        default_storage.open(coa.file, "rb"),
        as_attachment=True,
        filename=f"{coa.code}.pdf",
        content_type="application/pdf",
    )


@router.get(
    "/coa-verification", response={200: ProductionCoaStatusOut, 404: dict[str, str]}, auth=None
)
def verify_coa(request: HttpRequest, code: str = "") -> Any:
    """Public: the status of a CoA for the holder of its verification code."""
    record = public_status(code[:40])
    if record is None:
        return Status(404, {"detail": "No certificate of analysis carries this verification code."})
    return record
