"""Writes to the demand side (the only writers): policy check, validation, write and audit event,
in one transaction."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bioproof.catalog.models import Category, Product
from bioproof.consortium.models import Organization
from bioproof.core import audit, files
from bioproof.core.codes import next_code
from bioproof.core.errors import ConflictError, DomainError, InvalidTransition
from bioproof.core.locking import lock, unique_or_conflict
from bioproof.core.policy import require
from bioproof.demand import policy, rules
from bioproof.demand.models import (
    Adoption,
    Need,
    ProductDocument,
    Proposal,
    ProposalAttachment,
)
from bioproof.search import index as search_index

NEED_FIELDS = (
    "code",
    "organization",
    "title",
    "category",
    "incumbent",
    "description",
    "organism",
    "scale",
    "mode",
    "required_specs",
    "criteria",
    "yearly_volume",
    "volume_unit",
    "yearly_value_krw",
    "deadline",
    "visibility",
    "status",
)
PROPOSAL_FIELDS = ("need", "product", "supplier", "status", "message", "decision_reason")
P = Proposal.Status


#: Said both of an evaluation that does not qualify as evidence and of one that does not exist
#: (or is another company's), so a code cannot be probed for existence.
EVALUATION_NOT_ELIGIBLE = gettext_lazy(
    "Choose an evaluation of this product that was published or that you commissioned."
)


def _text(value: str | None, field: str, *, required: bool = False, max_length: int = 200) -> str:
    value = (value or "").strip()
    if required and not value:
        raise DomainError(_("This field is required."), field=field)
    if len(value) > max_length:
        raise DomainError(_("At most %(n)d characters, please.") % {"n": max_length}, field=field)
    return value


def _volume(value: Any, field: str = "yearly_volume") -> float | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        number = float(str(value).replace(",", ""))
    except ValueError:
        raise DomainError(_("'%(v)s' is not a number.") % {"v": value}, field=field) from None
    if not math.isfinite(number) or number < 0:
        raise DomainError(_("The volume must be a non-negative number."), field=field)
    return number


MAX_KRW = 10**16  # 1경 won: far above any declared yearly spend


def _krw(value: Any, field: str = "yearly_value_krw") -> int | None:
    """A yearly value in whole won (the programme's localisation by value), or None."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        number = float(str(value).replace(",", ""))
    except ValueError:
        raise DomainError(_("'%(v)s' is not a number.") % {"v": value}, field=field) from None
    if not math.isfinite(number) or number < 0 or number > MAX_KRW:
        raise DomainError(_("The value must be a non-negative amount in won."), field=field)
    return round(number)


def _choice(value: str, choices: Any, field: str) -> str:
    if value not in choices.values:
        raise DomainError(
            _("'%(v)s' is not one of %(c)s.") % {"v": value, "c": ", ".join(choices.values)},
            field=field,
        )
    return value


@transaction.atomic
def post_need(
    *,
    by: Any,
    organization: Organization,
    title: str,
    category: Category,
    incumbent: str,
    description: str = "",
    organism: str = "",
    scale: str = "",
    mode: str = "",
    required_specs: Iterable[Mapping[str, Any]] | None = None,
    criteria: Iterable[Mapping[str, Any]] | None = None,
    yearly_volume: float | str | None = None,
    volume_unit: str = "",
    yearly_value_krw: int | str | None = None,
    deadline: dt.date | None = None,
    visibility: str = Need.Visibility.CONSORTIUM,
) -> Need:
    """A demand company posts a need for a domestic alternative to ``incumbent``."""
    require(
        organization.kind == Organization.Kind.DEMAND,
        _("Only demand companies post needs."),
    )
    require(policy.is_demand_staff(by, organization), _("You do not manage this company's needs."))
    title = _text(title, "title", required=True)
    incumbent = _text(incumbent, "incumbent", required=True)
    if mode:
        _choice(mode, Need.Mode, "mode")
    _choice(visibility, Need.Visibility, "visibility")
    volume = _volume(yearly_volume)
    if volume is not None and not (volume_unit or "").strip():
        raise DomainError(
            _("Give the unit of the yearly volume (L, kg, units …)."), field="volume_unit"
        )
    if deadline is not None and deadline < timezone.localdate():
        raise DomainError(_("The deadline is in the past."), field="deadline")
    need = Need.objects.create(
        code=next_code("ND"),
        organization=organization,
        posted_by=by,
        title=title,
        category=category,
        incumbent=incumbent,
        description=(description or "").strip(),
        organism=_text(organism, "organism", max_length=120),
        scale=_text(scale, "scale", max_length=100),
        mode=mode or "",
        required_specs=rules.clean_required_specs(category, required_specs),
        criteria=rules.clean_criteria(criteria),
        yearly_volume=volume,
        volume_unit=_text(volume_unit, "volume_unit", max_length=20),
        yearly_value_krw=_krw(yearly_value_krw),
        deadline=deadline,
        visibility=visibility,
    )
    audit.record(
        actor=by,
        action="need.posted",
        obj=need,
        organization=organization,
        after=audit.snapshot(need, NEED_FIELDS),
    )
    search_index.need_changed(need)
    return need


@transaction.atomic
def close_need(*, by: Any, need: Need, reason: str = "") -> Need:
    """Close an open need: no new proposals; accepted ones may still become evaluations."""
    need = lock(need)
    require(
        policy.can_manage_need(by, need), _("Only the company that posted the need may close it.")
    )
    if need.status != Need.Status.OPEN:
        raise InvalidTransition(_("%(code)s is closed already.") % {"code": need.code})
    before = audit.snapshot(need, ["status", "status_reason"])
    need.status, need.status_reason = Need.Status.CLOSED, (reason or "").strip()
    need.save(update_fields=["status", "status_reason", "updated_at"])
    audit.record(
        actor=by,
        action="need.closed",
        obj=need,
        organization=need.organization,
        before=before,
        after=audit.snapshot(need, ["status", "status_reason"]),
        reason=need.status_reason,
    )
    search_index.need_changed(need)
    return need


def _require_open(need: Need) -> None:
    if need.status != Need.Status.OPEN:
        raise InvalidTransition(
            _("%(code)s is closed and takes no more proposals.") % {"code": need.code}
        )


def _require_listed(product: Product) -> None:
    if product.status != Product.Status.LISTED:
        raise DomainError(
            _("%(code)s is a draft: list it in the catalog before proposing it.")
            % {"code": product.code},
            field="product",
        )


def _existing(need: Need, product: Product) -> Proposal | None:
    return (
        Proposal.objects.select_for_update()
        .filter(need=need, product=product)
        .exclude(status=P.DECLINED)
        .first()
    )


@transaction.atomic
def invite_supplier(*, by: Any, need: Need, product: Product, message: str = "") -> Proposal:
    """The demand company invites a matched product's supplier to propose it (needed for a
    private need, which the supplier cannot see until invited)."""
    need = lock(need)
    require(
        policy.can_manage_need(by, need), _("Only the company that posted the need may invite.")
    )
    _require_open(need)
    _require_listed(product)
    if _existing(need, product) is not None:
        raise ConflictError(
            _("%(code)s has been invited or proposed for this need already.")
            % {"code": product.code},
            field="product",
        )
    with unique_or_conflict(
        _("%(code)s has been invited or proposed for this need already.") % {"code": product.code},
        field="product",
    ):
        proposal = Proposal.objects.create(
            need=need,
            product=product,
            supplier=product.supplier,
            status=P.INVITED,
            invitation=(message or "").strip(),
            invited_by=by,
        )
    audit.record(
        actor=by,
        action="proposal.invited",
        obj=proposal,
        organization=need.organization,
        after=audit.snapshot(proposal, PROPOSAL_FIELDS) | {"invitation": proposal.invitation},
    )
    return proposal


@transaction.atomic
def submit_proposal(*, by: Any, need: Need, product: Product, message: str = "") -> Proposal:
    """A supplier answers a need with one of its listed products (or answers an invitation)."""
    need = lock(need)
    require(
        policy.is_supplier_staff(by, product.supplier_id),
        _("Only the product's supplier may propose it."),
    )
    require(policy.can_see_need(by, need), _("This need is not open to your organization."))
    _require_open(need)
    _require_listed(product)
    message = (message or "").strip()
    proposal = _existing(need, product)
    if proposal is not None and proposal.status != P.INVITED:
        raise ConflictError(
            _("%(code)s has been proposed for this need already.") % {"code": product.code},
            field="product",
        )
    before = audit.snapshot(proposal, PROPOSAL_FIELDS) if proposal else None
    now = timezone.now()
    if proposal is None:
        with unique_or_conflict(
            _("%(code)s has been proposed for this need already.") % {"code": product.code},
            field="product",
        ):
            proposal = Proposal.objects.create(
                need=need,
                product=product,
                supplier=product.supplier,
                status=P.SUBMITTED,
                message=message,
                submitted_by=by,
                submitted_at=now,
            )
    else:
        proposal.status, proposal.message = P.SUBMITTED, message
        proposal.submitted_by, proposal.submitted_at = by, now
        proposal.save(
            update_fields=["status", "message", "submitted_by", "submitted_at", "updated_at"]
        )
    audit.record(
        actor=by,
        action="proposal.submitted",
        obj=proposal,
        organization=product.supplier,
        before=before,
        after=audit.snapshot(proposal, PROPOSAL_FIELDS),
    )
    return proposal


def _decide(by: Any, proposal: Proposal, status: str, reason: str, action: str) -> Proposal:
    need = proposal.need
    require(
        policy.can_manage_need(by, need),
        _("Only the company that posted the need may decide on its proposals."),
    )
    if proposal.status != P.SUBMITTED:
        raise InvalidTransition(
            _("Only a submitted proposal can be accepted or declined (this one is %(s)s).")
            % {"s": proposal.get_status_display()}
        )
    before = audit.snapshot(proposal, ["status", "decision_reason"])
    proposal.status, proposal.decision_reason = status, reason
    proposal.decided_by, proposal.decided_at = by, timezone.now()
    proposal.save(
        update_fields=["status", "decision_reason", "decided_by", "decided_at", "updated_at"]
    )
    audit.record(
        actor=by,
        action=action,
        obj=proposal,
        organization=need.organization,
        before=before,
        after=audit.snapshot(proposal, ["status", "decision_reason"]),
        reason=reason,
    )
    return proposal


@transaction.atomic
def accept_proposal(*, by: Any, proposal: Proposal, reason: str = "") -> Proposal:
    """The demand company accepts a proposal; it may then commission a tailored evaluation."""
    lock(proposal.need)
    proposal = lock(proposal)
    _require_open(proposal.need)
    return _decide(by, proposal, P.ACCEPTED, (reason or "").strip(), "proposal.accepted")


@transaction.atomic
def decline_proposal(*, by: Any, proposal: Proposal, reason: str) -> Proposal:
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Give the supplier a reason."), field="reason")
    lock(proposal.need)
    proposal = lock(proposal)
    return _decide(by, proposal, P.DECLINED, reason, "proposal.declined")


@transaction.atomic
def request_tailored_evaluation(
    *,
    by: Any,
    proposal: Proposal,
    center: Organization,
    title: str,
    scale: str,
    process_context: str = "",
    titer_margin: float | None = 0.10,
) -> Any:
    """Turn an accepted proposal into a demand-tailored evaluation request (수요 맞춤형).

    The demand user requests it on behalf of the proposal's supplier, who consented by
    proposing; the need's incumbent is the reference and its acceptance criteria become the
    evaluation's (``Criterion.Source.NEED``). The final-titer equivalence criterion the request
    adds by default is left out when the need has its own final-titer equivalence criterion.
    """
    from bioproof.evaluations import actions as evaluations

    lock(proposal.need)
    proposal = lock(proposal)
    need = proposal.need
    require(
        policy.can_manage_need(by, need),
        _("Only the company that posted the need may request its evaluation."),
    )
    if proposal.status != P.ACCEPTED:
        raise InvalidTransition(_("Accept the proposal before requesting an evaluation."))
    if proposal.evaluation_id is not None:
        raise InvalidTransition(
            _("An evaluation (%(code)s) was requested for this proposal already.")
            % {"code": proposal.evaluation.code}
        )
    criteria = [dict(c, alpha=0.05) for c in need.criteria]
    if any(c["kpi"] == "final_titer" and c["comparison"] == "equivalence" for c in criteria):
        titer_margin = None
    evaluation = evaluations.request_evaluation(
        by=by,
        product=proposal.product,
        center=center,
        title=title,
        reference_product=need.incumbent,
        scale=scale or need.scale,
        process_context=process_context or need.process_context,
        titer_margin=titer_margin,
        need=need,
        criteria=criteria,
    )
    proposal.evaluation = evaluation
    proposal.save(update_fields=["evaluation", "updated_at"])
    audit.record(
        actor=by,
        action="proposal.evaluation_requested",
        obj=proposal,
        organization=need.organization,
        after={
            "need": need.code,
            "product": proposal.product.code,
            "evaluation": evaluation.code,
            "center": center.code,
        },
    )
    return evaluation


@transaction.atomic
def record_adoption(
    *,
    by: Any,
    organization: Organization,
    product: Product,
    adopted_on: dt.date,
    yearly_volume: float | str | None = None,
    volume_unit: str = "",
    yearly_value_krw: int | str | None = None,
    note: str = "",
    need: Need | None = None,
    evaluation: Any = None,
    track_record: Any = None,
) -> Adoption:
    """A demand company records that it adopted a product (after an evaluation, ideally).

    The evidence is optional: a public track record of the product, or an evaluation of it that
    has a public track record or was requested from one of this company's proposals.
    """
    from bioproof.evaluations.models import TrackRecord

    require(
        policy.is_demand_staff(by, organization),
        _("Only a demand company's staff record its adoptions."),
    )
    if not Product.objects.visible_to(by).filter(pk=product.pk, status="listed").exists():
        raise DomainError(_("Choose a listed product."), field="product")
    if adopted_on is None:
        raise DomainError(_("Give the adoption date."), field="adopted_on")
    if adopted_on > timezone.localdate():
        raise DomainError(_("The adoption date is in the future."), field="adopted_on")
    volume = _volume(yearly_volume)
    if volume is not None and not (volume_unit or "").strip():
        raise DomainError(
            _("Give the unit of the yearly volume (L, kg, units …)."), field="volume_unit"
        )
    if need is not None and need.organization_id != organization.pk:
        raise DomainError(_("Choose one of your own needs."), field="need")
    if track_record is not None:
        track_record = lock(track_record)  # a concurrent withdrawal lands before or after
        if (
            track_record.withdrawn_at is not None
            or track_record.evaluation.product_id != product.pk
        ):
            raise DomainError(
                _("Choose a public track record of this product."), field="track_record"
            )
        evaluation = evaluation or track_record.evaluation
    if evaluation is not None:
        ours = Proposal.objects.filter(
            need__organization=organization, evaluation__code=evaluation.code
        ).exists()
        public = TrackRecord.objects.public().filter(evaluation__code=evaluation.code).exists()
        if evaluation.product_id != product.pk or not (ours or public):
            raise DomainError(str(EVALUATION_NOT_ELIGIBLE), field="evaluation")
    adoption = Adoption.objects.create(
        organization=organization,
        product=product,
        need=need,
        evaluation=evaluation,
        track_record=track_record,
        adopted_on=adopted_on,
        yearly_volume=volume,
        volume_unit=_text(volume_unit, "volume_unit", max_length=20),
        yearly_value_krw=_krw(yearly_value_krw),
        note=(note or "").strip(),
        recorded_by=by,
    )
    audit.record(
        actor=by,
        action="adoption.recorded",
        obj=adoption,
        organization=organization,
        after=audit.snapshot(
            adoption,
            [
                "organization",
                "product",
                "need",
                "evaluation",
                "track_record",
                "adopted_on",
                "yearly_volume",
                "volume_unit",
                "yearly_value_krw",
                "note",
            ],
        ),
    )
    return adoption


@transaction.atomic
def upload_product_document(
    *,
    by: Any,
    product: Product,
    kind: str,
    filename: str,
    data: bytes | files.Source,
    title: str = "",
) -> ProductDocument:
    """Store a product document with its SHA-256; a re-upload of the same kind adds a version.

    ``data`` is bytes or an uploaded file, streamed into the file store (size limit
    ``BIOPROOF_MAX_UPLOAD_BYTES``, refused before reading); the product row is locked so
    concurrent uploads are numbered one after another."""
    product = lock(product)
    require(
        policy.is_supplier_staff(by, product.supplier_id),
        _("Only the product's supplier may upload its documents."),
    )
    _choice(kind, ProductDocument.Kind, "kind")
    filename = (filename or "").replace("\\", "/").rsplit("/", 1)[-1].strip()
    if not filename:
        raise DomainError(_("The file has no name."), field="file")
    title = _text(title, "title")
    stored = files.store(data, prefix="product-documents", filename=filename)
    earlier = ProductDocument.objects.filter(product=product, kind=kind)
    version = (earlier.aggregate(v=Max("version"))["v"] or 0) + 1
    earlier.filter(is_current=True).update(is_current=False)
    document = ProductDocument(
        product=product,
        kind=kind,
        version=version,
        title=title,
        filename=filename[:200],
        file=stored.name,
        sha256=stored.sha256,
        size=stored.size,
        uploaded_by=by,
    )
    with unique_or_conflict(
        _("Another %(kind)s was uploaded at the same time; reload and try again.") % {"kind": kind},
        field="file",
    ):
        document.save()
    audit.record(
        actor=by,
        action="product_document.uploaded",
        obj=document,
        organization=product.supplier,
        after={
            "product": product.code,
            "kind": kind,
            "version": version,
            "filename": document.filename,
            "sha256": document.sha256,
            "size": document.size,
        },
    )
    return document


@transaction.atomic
def attach_to_proposal(
    *,
    by: Any,
    proposal: Proposal,
    kind: str,
    filename: str,
    data: bytes | files.Source,
    title: str = "",
) -> ProposalAttachment:
    """The proposing supplier attaches a CoA, SDS or quote to its proposal (until it is
    decided), streamed into the shared file store with its SHA-256; audited."""
    proposal = lock(proposal)
    require(
        policy.is_supplier_staff(by, proposal.supplier_id),
        _("Only the proposing supplier may attach documents to its proposal."),
    )
    if proposal.status not in (Proposal.Status.INVITED, Proposal.Status.SUBMITTED):
        raise InvalidTransition(_("A decided proposal takes no more documents."))
    _choice(kind, ProposalAttachment.Kind, "kind")
    filename = (filename or "").replace("\\", "/").rsplit("/", 1)[-1].strip()
    if not filename:
        raise DomainError(_("The file has no name."), field="file")
    title = _text(title, "title")
    stored = files.store(data, prefix="proposal-attachments", filename=filename)
    attachment = ProposalAttachment.objects.create(
        proposal=proposal,
        kind=kind,
        title=title,
        filename=filename[:200],
        file=stored.name,
        sha256=stored.sha256,
        size=stored.size,
        uploaded_by=by,
    )
    audit.record(
        actor=by,
        action="proposal.attachment_added",
        obj=attachment,
        organization=proposal.supplier,
        after={
            "proposal": proposal.pk,
            "need": proposal.need.code,
            "kind": kind,
            "filename": attachment.filename,
            "sha256": stored.sha256,
            "size": stored.size,
        },
    )
    return attachment
