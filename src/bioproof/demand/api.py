"""API of the demand side: needs, matches, proposals, adoptions, product documents."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Router, Schema, Status, UploadedFile
from ninja.pagination import paginate

from bioproof.catalog.models import Category, Product
from bioproof.consortium.auth import api_user as viewer
from bioproof.consortium.models import Organization
from bioproof.core.api_inputs import upload_filename
from bioproof.core.errors import DomainError, PolicyDenied
from bioproof.core.exports import api_filtered
from bioproof.core.pagination import LimitOffsetPagination, typed
from bioproof.core.policy import get_visible_or_404, is_platform_admin, org_ids
from bioproof.demand import actions, matching, policy
from bioproof.demand.filters import AdoptionFilter, NeedFilter, ProposalFilter
from bioproof.demand.models import Adoption, Need, ProductDocument, Proposal

needs_router = Router()
proposals_router = Router()
adoptions_router = Router()
documents_router = Router()


class NeedSpecIn(Schema):
    key: str = Field(max_length=100)
    comparison: str = Field(description="min, max or equals")
    value: str | float


class NeedCriterionIn(Schema):
    kpi: str = Field(max_length=40)
    comparison: str = Field(description="equivalence, non_inferiority, minimum or maximum")
    value: float
    relative: bool | None = Field(None, description="margin as a fraction of the reference mean")
    unit: str = Field("", max_length=30)


class NeedIn(Schema):
    title: str = Field(max_length=200)
    category: str = Field(max_length=40)
    incumbent: str = Field(max_length=200)
    description: str = ""
    organism: str = Field("", max_length=120)
    scale: str = Field("", max_length=100)
    mode: Need.Mode | Literal[""] = ""
    required_specs: list[NeedSpecIn] = []
    criteria: list[NeedCriterionIn] = []
    yearly_volume: float | None = None
    volume_unit: str = Field("", max_length=20)
    yearly_value_krw: int | None = Field(None, ge=0, le=10**16)
    deadline: dt.date | None = None
    visibility: Need.Visibility = Need.Visibility.CONSORTIUM
    organization: str | None = Field(
        None, max_length=40, description="demand company code; default: yours"
    )


class NeedOut(Schema):
    code: str
    organization: str = Field(alias="organization.code")
    title: str
    category: str = Field(alias="category.code")
    incumbent: str
    description: str
    organism: str
    scale: str
    mode: str
    required_specs: list[dict[str, Any]]
    criteria: list[dict[str, Any]]
    yearly_volume: float | None
    volume_unit: str
    deadline: dt.date | None
    visibility: str
    status: str
    created_at: dt.datetime


class DemandReasonIn(Schema):
    reason: str = ""


class ProposalIn(Schema):
    product: str = Field(max_length=20)
    message: str = ""


class ProposalOut(Schema):
    id: int
    need: str = Field(alias="need.code")
    product: str = Field(alias="product.code")
    supplier: str = Field(alias="supplier.code")
    status: str
    message: str
    invitation: str
    decision_reason: str
    evaluation: str | None = None
    submitted_at: dt.datetime | None
    decided_at: dt.datetime | None

    @staticmethod
    def resolve_evaluation(obj: Proposal) -> str | None:
        return obj.evaluation.code if obj.evaluation_id else None


class TailoredEvaluationIn(Schema):
    center: str = Field(max_length=40)
    title: str = Field(max_length=200)
    scale: str = Field("", max_length=100)
    process_context: str = ""
    titer_margin: float | None = Field(0.10, gt=0, lt=1)


class EvaluationRef(Schema):
    code: str
    version: int
    status: str
    product: str = Field(alias="product.code")
    center: str = Field(alias="center.code")


class SpecCheckOut(Schema):
    key: str
    comparison: str
    required: Any
    actual: Any
    status: str
    unit: str


class EvidenceOut(Schema):
    code: str
    version: int
    center: str
    verdict: str
    criteria_passed: int
    criteria_total: int


class MatchOut(Schema):
    product: str
    name_ko: str
    name_en: str
    supplier: str
    category: str
    score: int
    category_exact: bool
    specs_met: int
    specs_not_met: int
    specs_unknown: int
    specs: list[SpecCheckOut]
    track_records: list[EvidenceOut]
    proposal_status: str


class AdoptionIn(Schema):
    product: str = Field(max_length=20)
    adopted_on: dt.date
    yearly_volume: float | None = None
    volume_unit: str = Field("", max_length=20)
    yearly_value_krw: int | None = Field(None, ge=0, le=10**16)
    note: str = ""
    need: str | None = Field(None, max_length=20, description="code of your need")
    evaluation: str | None = Field(
        None, max_length=20, description="evaluation code (published or commissioned)"
    )
    organization: str | None = Field(
        None, max_length=40, description="demand company code; default: yours"
    )


class AdoptionOut(Schema):
    id: int
    organization: str = Field(alias="organization.code")
    product: str = Field(alias="product.code")
    need: str | None = None
    evaluation: str | None = None
    adopted_on: dt.date
    yearly_volume: float | None
    volume_unit: str
    note: str

    @staticmethod
    def resolve_need(obj: Adoption) -> str | None:
        return obj.need.code if obj.need_id else None

    @staticmethod
    def resolve_evaluation(obj: Adoption) -> str | None:
        return obj.evaluation.code if obj.evaluation_id else None


class DocumentOut(Schema):
    id: int
    product: str = Field(alias="product.code")
    kind: str
    version: int
    is_current: bool
    title: str
    filename: str
    sha256: str
    size: int
    uploaded_at: dt.datetime


def _demand_org(user: Any, code: str | None) -> Organization:
    orgs = Organization.objects.filter(pk__in=org_ids(user), kind=Organization.Kind.DEMAND)
    if code:
        orgs = orgs.filter(code=code)
    org = orgs.order_by("pk").first()
    if org is None:
        raise PolicyDenied(
            f"you are not a member of demand company '{code}'"
            if code
            else "your account belongs to no demand company"
        )
    return org


def _need(request: HttpRequest, code: str) -> Need:
    return get_visible_or_404(
        Need.objects.select_related("organization", "category"), viewer(request), code=code
    )


def _product(user: Any, code: str, field: str = "product") -> Product:
    product = Product.objects.visible_to(user).filter(code=code).first()
    if product is None:
        raise DomainError(_("Unknown product '%(c)s'.") % {"c": code}, field=field)
    return product


def _proposal(request: HttpRequest, pk: int) -> Proposal:
    return get_visible_or_404(
        Proposal.objects.select_related("need__organization", "product__supplier", "evaluation"),
        request.auth,
        pk=pk,
    )


# ---------------------------------------------------------------------------- needs


@needs_router.get("", response=list[NeedOut], auth=None)
@paginate(LimitOffsetPagination)
@typed
def list_needs(
    request: HttpRequest, status: Need.Status | None = None, category: str | None = None
) -> Any:
    """Needs visible to you (anonymous: public needs only), filtered and sorted as the needs
    page is (:class:`bioproof.demand.filters.NeedFilter`: ``q``, ``status``, ``category``,
    ``visibility``, ``organization``, ``deadline_before``, ``sort``)."""
    qs = Need.objects.visible_to(viewer(request)).select_related("organization", "category")
    return api_filtered(request, NeedFilter, qs)


@needs_router.get("/{code}", response=NeedOut, auth=None)
def get_need(request: HttpRequest, code: str) -> Any:
    return _need(request, code)


@needs_router.post("", response={201: NeedOut})
def post_need(request: HttpRequest, payload: NeedIn) -> Any:
    user = request.auth
    category = Category.objects.filter(code=payload.category).first()
    if category is None:
        raise DomainError(
            _("Unknown category '%(c)s'.") % {"c": payload.category}, field="category"
        )
    need = actions.post_need(
        by=user,
        organization=_demand_org(user, payload.organization),
        title=payload.title,
        category=category,
        incumbent=payload.incumbent,
        description=payload.description,
        organism=payload.organism,
        scale=payload.scale,
        mode=payload.mode,
        required_specs=[s.dict() for s in payload.required_specs],
        criteria=[c.dict(exclude_none=True) for c in payload.criteria],
        yearly_volume=payload.yearly_volume,
        volume_unit=payload.volume_unit,
        yearly_value_krw=payload.yearly_value_krw,
        deadline=payload.deadline,
        visibility=payload.visibility,
    )
    return Status(201, need)


@needs_router.post("/{code}/close", response=NeedOut)
def close_need(request: HttpRequest, code: str, payload: DemandReasonIn) -> Any:
    return actions.close_need(by=request.auth, need=_need(request, code), reason=payload.reason)


@needs_router.get("/{code}/matches", response=list[MatchOut])
def need_matches(request: HttpRequest, code: str, limit: int = 50) -> Any:
    """Ranked candidate products with the reasons (the need's company only)."""
    need = _need(request, code)
    if not (policy.can_manage_need(request.auth, need) or is_platform_admin(request.auth)):
        raise PolicyDenied("only the company that posted the need sees its matches")
    ranked = matching.candidates(need, limit=max(1, min(limit, 200)), cache=True)
    return [m.to_dict() for m in ranked]


@needs_router.get("/{code}/proposals", response=list[ProposalOut])
def need_proposals(request: HttpRequest, code: str) -> Any:
    need = _need(request, code)
    return list(
        Proposal.objects.visible_to(request.auth)
        .filter(need=need)
        .select_related("need", "product", "supplier", "evaluation")
    )


@needs_router.post("/{code}/proposals", response={201: ProposalOut})
def submit_proposal(request: HttpRequest, code: str, payload: ProposalIn) -> Any:
    need = _need(request, code)
    proposal = actions.submit_proposal(
        by=request.auth,
        need=need,
        product=_product(request.auth, payload.product),
        message=payload.message,
    )
    return Status(201, proposal)


@needs_router.post("/{code}/invitations", response={201: ProposalOut})
def invite_supplier(request: HttpRequest, code: str, payload: ProposalIn) -> Any:
    need = _need(request, code)
    proposal = actions.invite_supplier(
        by=request.auth,
        need=need,
        product=_product(request.auth, payload.product),
        message=payload.message,
    )
    return Status(201, proposal)


# ---------------------------------------------------------------------------- proposals


@proposals_router.get("", response=list[ProposalOut])
@paginate(LimitOffsetPagination)
@typed
def list_proposals(request: HttpRequest, status: Proposal.Status | None = None) -> Any:
    """Proposals your organization sent or received (filters of the proposals page:
    ``status``, ``need``, ``supplier``, ``sort``)."""
    qs = Proposal.objects.visible_to(request.auth).select_related(
        "need", "product", "supplier", "evaluation"
    )
    return api_filtered(request, ProposalFilter, qs)


@proposals_router.post("/{pk}/accept", response=ProposalOut)
def accept_proposal(request: HttpRequest, pk: int, payload: DemandReasonIn) -> Any:
    return actions.accept_proposal(
        by=request.auth, proposal=_proposal(request, pk), reason=payload.reason
    )


@proposals_router.post("/{pk}/decline", response=ProposalOut)
def decline_proposal(request: HttpRequest, pk: int, payload: DemandReasonIn) -> Any:
    return actions.decline_proposal(
        by=request.auth, proposal=_proposal(request, pk), reason=payload.reason
    )


@proposals_router.post("/{pk}/evaluation", response={201: EvaluationRef})
def request_evaluation(request: HttpRequest, pk: int, payload: TailoredEvaluationIn) -> Any:
    """Turn an accepted proposal into a demand-tailored evaluation request."""
    center = Organization.objects.filter(code=payload.center, kind=Organization.Kind.CENTER).first()
    if center is None:
        raise DomainError(_("Unknown center '%(c)s'.") % {"c": payload.center}, field="center")
    evaluation = actions.request_tailored_evaluation(
        by=request.auth,
        proposal=_proposal(request, pk),
        center=center,
        title=payload.title,
        scale=payload.scale,
        process_context=payload.process_context,
        titer_margin=payload.titer_margin,
    )
    return Status(201, evaluation)


# ---------------------------------------------------------------------------- adoptions


@adoptions_router.get("", response=list[AdoptionOut])
@paginate(LimitOffsetPagination)
def list_adoptions(request: HttpRequest) -> Any:
    """Adoptions you may see (filters of the adoptions page: ``product``, ``adopted_after``,
    ``sort``)."""
    qs = Adoption.objects.visible_to(request.auth).select_related(
        "organization", "product", "need", "evaluation"
    )
    return api_filtered(request, AdoptionFilter, qs)


@adoptions_router.post("", response={201: AdoptionOut})
def record_adoption(request: HttpRequest, payload: AdoptionIn) -> Any:
    from bioproof.evaluations.models import Evaluation

    user = request.auth
    organization = _demand_org(user, payload.organization)
    need = None
    if payload.need:
        need = Need.objects.filter(code=payload.need, organization=organization).first()
        if need is None:
            raise DomainError(_("Unknown need '%(c)s'.") % {"c": payload.need}, field="need")
    evaluation = None
    if payload.evaluation:
        evaluation = Evaluation.objects.filter(code=payload.evaluation, is_current=True).first()
        if evaluation is None:
            # the same words as for somebody else's evaluation: no way to probe which exist
            raise DomainError(str(actions.EVALUATION_NOT_ELIGIBLE), field="evaluation")
    adoption = actions.record_adoption(
        by=user,
        organization=organization,
        product=_product(user, payload.product),
        adopted_on=payload.adopted_on,
        yearly_volume=payload.yearly_volume,
        volume_unit=payload.volume_unit,
        yearly_value_krw=payload.yearly_value_krw,
        note=payload.note,
        need=need,
        evaluation=evaluation,
    )
    return Status(201, adoption)


# ---------------------------------------------------------------------------- documents


@documents_router.get("/{code}", response=list[DocumentOut], auth=None)
def list_documents(request: HttpRequest, code: str) -> Any:
    """Documents of a product you may see (every version, current first per kind)."""
    product = get_visible_or_404(Product.objects, viewer(request), code=code)
    return list(
        ProductDocument.objects.visible_to(viewer(request))
        .filter(product=product)
        .select_related("product")
    )


@documents_router.post("/{code}", response={201: DocumentOut})
def upload_document(
    request: HttpRequest,
    code: str,
    kind: Form[str],
    file: File[UploadedFile],
    title: str = Form("", max_length=200),
) -> Any:
    product = get_visible_or_404(Product.objects, request.auth, code=code)
    document = actions.upload_product_document(
        by=request.auth,
        product=product,
        kind=kind,
        title=title,
        filename=upload_filename(file.name, default=""),
        data=file,
    )
    return Status(201, document)
