"""Requests, screening and the protocol (평가계획) of an evaluation (the only writers)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from bioproof.catalog.models import Product
from bioproof.consortium.models import Organization
from bioproof.core import audit, files
from bioproof.core.codes import next_code
from bioproof.core.errors import DomainError, InvalidTransition
from bioproof.core.locking import lock
from bioproof.core.policy import require
from bioproof.core.signatures import apply_signature
from bioproof.evaluations import content, layouts, policy, workflow
from bioproof.evaluations import criteria as criteria_rules
from bioproof.evaluations.actions._common import (
    EVAL_FIELDS,
    S,
    move,
    reason_given,
    record,
    require_operator,
)
from bioproof.evaluations.models import (
    Attachment,
    Criterion,
    Evaluation,
    MethodTemplate,
    Protocol,
)


@transaction.atomic
def request_evaluation(
    *,
    by: Any,
    product: Product,
    center: Organization,
    title: str,
    reference_product: str,
    scale: str,
    process_context: str = "",
    titer_margin: float | None = 0.10,
    alpha: float = 0.05,
    need: Any = None,
    criteria: Iterable[Mapping[str, Any]] = (),
) -> Evaluation:
    """Request a demonstration evaluation of ``product`` at ``center``.

    The supplier requests it; or, for a demand-tailored evaluation, the demand company that posted
    ``need`` requests it for a product whose supplier answered the need (policy
    :func:`~bioproof.evaluations.policy.can_request`). ``criteria`` (KPI, comparison, value,
    relative, alpha, unit) come from the need; ``titer_margin`` adds the final-titer non-inferiority
    criterion (one-sided Welch test, margin as a fraction of the reference mean) unless it is None.
    """
    require(
        policy.can_request(by, product, need),
        _(
            "Only the product's supplier, or the demand company whose need it answers, may "
            "request this."
        ),
    )
    if center.kind != Organization.Kind.CENTER:
        raise DomainError(
            _("%(org)s is not a demonstration center.") % {"org": center}, field="center"
        )
    for field, value in (
        ("title", title),
        ("reference_product", reference_product),
        ("scale", scale),
    ):
        if not (value or "").strip():
            raise DomainError(_("This field is required."), field=field)
    if not 0 < float(alpha) < 0.5:
        raise DomainError(_("α must be between 0 and 0.5."), field="alpha")
    specs = [
        criteria_rules.clean(c, source=Criterion.Source.NEED if need else Criterion.Source.REQUEST)
        for c in criteria
    ]
    if titer_margin is not None:
        if not 0 < float(titer_margin) < 1:
            raise DomainError(
                _("The titer margin must be between 0 and 100 %."), field="titer_margin"
            )
        specs.append(
            criteria_rules.clean(
                # a higher titer is no failure: non-inferiority, the KPI's default
                criteria_rules.default_criterion("final_titer", float(titer_margin), alpha=alpha)
                | {"unit": "g/L"},
                source=Criterion.Source.REQUEST,
            )
        )
    evaluation = Evaluation.objects.create(
        code=next_code("EV"),
        product=product,
        center=center,
        requested_by=by,
        need=need,
        title=title.strip(),
        reference_product=reference_product.strip(),
        scale=scale.strip(),
        process_context=(process_context or "").strip(),
    )
    Criterion.objects.bulk_create([Criterion(evaluation=evaluation, **c) for c in specs])
    record(
        by,
        "evaluation.requested",
        evaluation,
        by.primary_organization or product.supplier,
        after=audit.snapshot(evaluation, EVAL_FIELDS)
        | {"need": getattr(need, "code", None), "criteria": specs},
    )
    return evaluation


@transaction.atomic
def accept(
    *, by: Any, evaluation: Evaluation, template: MethodTemplate | None = None
) -> Evaluation:
    """Screen the request in; the protocol is prepared next (from ``template`` or the default
    template of the product's category)."""
    evaluation = lock(evaluation)
    step = workflow.check(evaluation, "accept", by)
    template = template or _template_for_category(evaluation.product.category)
    move(evaluation, step, by=by, org=evaluation.center, action="evaluation.accepted")
    if template is not None:
        _apply_template(evaluation, template, by=by)
    return evaluation


def _template_for_category(category: Any) -> MethodTemplate | None:
    """The first current template listing the category or one of its ancestors (few rows)."""
    codes = set()
    while category is not None:
        codes.add(category.code)
        category = category.parent
    for template in MethodTemplate.objects.current().order_by("family", "code"):
        if codes & set(template.categories):
            return template
    return None


@transaction.atomic
def reject(*, by: Any, evaluation: Evaluation, reason: str) -> Evaluation:
    evaluation = lock(evaluation)
    step = workflow.check(evaluation, "reject", by)
    move(
        evaluation,
        step,
        by=by,
        org=evaluation.center,
        action="evaluation.rejected",
        reason=reason_given(reason),
    )
    return evaluation


@transaction.atomic
def request_info(*, by: Any, evaluation: Evaluation, reason: str) -> Evaluation:
    """The center asks the requester for more information before deciding."""
    evaluation = lock(evaluation)
    step = workflow.check(evaluation, "request_info", by)
    move(
        evaluation,
        step,
        by=by,
        org=evaluation.center,
        action="evaluation.info_requested",
        reason=reason_given(reason),
    )
    return evaluation


@transaction.atomic
def provide_info(*, by: Any, evaluation: Evaluation, reason: str) -> Evaluation:
    """The supplier answers the center's question; the request returns to screening."""
    evaluation = lock(evaluation)
    step = workflow.check(evaluation, "provide_info", by)
    move(
        evaluation,
        step,
        by=by,
        org=evaluation.product.supplier,
        action="evaluation.info_provided",
        reason=reason_given(reason),
    )
    return evaluation


def _require_planning(evaluation: Evaluation) -> None:
    if not evaluation.is_current or evaluation.status != S.PLANNING:
        raise InvalidTransition(_("The protocol can be changed only while it is in preparation."))


def _apply_template(evaluation: Evaluation, template: MethodTemplate, *, by: Any) -> None:
    existing = {(c.kpi, c.comparison) for c in evaluation.criteria.all()}
    added = [
        criteria_rules.clean(c, source=Criterion.Source.TEMPLATE)
        for c in template.default_criteria
        if (c["kpi"], c["comparison"]) not in existing
    ]
    Criterion.objects.bulk_create([Criterion(evaluation=evaluation, **c) for c in added])
    before = {"template": evaluation.template_id}
    evaluation.template = template
    evaluation.save(update_fields=["template", "updated_at"])
    record(
        by,
        "evaluation.template_set",
        evaluation,
        evaluation.center,
        before=before,
        after={"template": f"{template.code} v{template.version}", "criteria_added": added},
    )


@transaction.atomic
def set_template(*, by: Any, evaluation: Evaluation, template: MethodTemplate) -> Evaluation:
    evaluation = lock(evaluation)
    template = lock(template)
    require_operator(by, evaluation)
    _require_planning(evaluation)
    if not template.is_current:
        raise DomainError(_("Choose the current version of the template."), field="template")
    _apply_template(evaluation, template, by=by)
    return evaluation


@transaction.atomic
def add_criterion(*, by: Any, evaluation: Evaluation, **spec: Any) -> Criterion:
    evaluation = lock(evaluation)
    require_operator(by, evaluation)
    _require_planning(evaluation)
    cleaned = criteria_rules.clean(spec, source=Criterion.Source.CENTER)
    if evaluation.criteria.filter(kpi=cleaned["kpi"], comparison=cleaned["comparison"]).exists():
        raise DomainError(_("This KPI already has a criterion of that kind."), field="kpi")
    criterion = Criterion.objects.create(evaluation=evaluation, **cleaned)
    record(
        by,
        "criterion.added",
        criterion,
        evaluation.center,
        after={"evaluation": evaluation.code} | cleaned,
    )
    return criterion


@transaction.atomic
def remove_criterion(*, by: Any, criterion: Criterion, reason: str) -> None:
    evaluation = lock(criterion.evaluation)
    criterion = lock(criterion)
    require_operator(by, evaluation)
    _require_planning(evaluation)
    before = {
        "evaluation": evaluation.code,
        "kpi": criterion.kpi,
        "comparison": criterion.comparison,
        "value": criterion.value,
        "source": criterion.source,
    }
    record(
        by,
        "criterion.removed",
        criterion,
        evaluation.center,
        before=before,
        reason=reason_given(reason),
    )
    criterion.delete()


@transaction.atomic
def sign_protocol(*, by: Any, evaluation: Evaluation, password: str) -> Protocol:
    """Freeze the plan (template version, runs, layouts, KPIs, criteria) and sign it; runs may
    start only after this."""
    evaluation = lock(evaluation)
    step = workflow.check(evaluation, "sign_protocol", by)
    if evaluation.template is not None:  # a revision either lands before the plan or sees it frozen
        evaluation.template = lock(evaluation.template)
    if not evaluation.criteria.exists():
        raise DomainError(_("Add at least one acceptance criterion to the protocol."))
    keys = evaluation.template.layouts if evaluation.template else ["offline"]
    produced = frozenset().union(*(layouts.get(k).produces for k in keys))
    orphans = sorted({c.kpi for c in evaluation.criteria.all()} - produced)
    if orphans:
        raise DomainError(
            _(
                "The protocol's data (%(layouts)s) cannot give the KPI(s) %(kpis)s; remove those "
                "criteria or choose another template."
            )
            % {"layouts": ", ".join(keys), "kpis": ", ".join(orphans)}
        )
    plan = content.protocol_plan(evaluation)
    protocol = Protocol.objects.create(
        code=evaluation.code,
        template=evaluation.template,
        plan=plan,
        content_hash=content.digest(plan),
    )
    apply_signature(
        by=by,
        password=password,
        obj=protocol,
        code=evaluation.code,
        version=evaluation.version,
        meaning="approved",
        content_hash=protocol.content_hash,
        organization=evaluation.center,
    )
    if evaluation.template is not None and not evaluation.template.frozen:
        evaluation.template.frozen = True
        evaluation.template.save(update_fields=["frozen"])
    evaluation.protocol = protocol
    evaluation.save(update_fields=["protocol", "updated_at"])
    move(
        evaluation,
        step,
        by=by,
        org=evaluation.center,
        action="evaluation.protocol_signed",
        extra={"protocol_hash": protocol.content_hash},
    )
    return protocol


@transaction.atomic
def withdraw_request(*, by: Any, evaluation: Evaluation, reason: str) -> Evaluation:
    """The requester withdraws a request the center has not accepted yet (audited, with the
    reason; the center is told)."""
    evaluation = lock(evaluation)
    step = workflow.check(evaluation, "withdraw_request", by)
    reason = reason_given(reason)
    move(
        evaluation,
        step,
        by=by,
        org=by.primary_organization or evaluation.product.supplier,
        action="evaluation.request_withdrawn",
        reason=reason,
    )
    return evaluation


@transaction.atomic
def attach(
    *,
    by: Any,
    evaluation: Evaluation,
    kind: str,
    filename: str,
    data: bytes | files.Source,
    title: str = "",
) -> Attachment:
    """Attach a CoA, SDS or quote to a request: the requester side with the request or with an
    answer to the center's questions, the center (a quote) until the protocol is signed. The
    file goes through the shared file store (streamed size check, SHA-256); audited."""
    evaluation = lock(evaluation)
    requester = policy.can_withdraw_request(by, evaluation) or policy.is_demand_staff(
        by, evaluation
    )
    operator = policy.is_center_operator(by, evaluation)
    require(requester or operator, _("Only the request's parties may attach documents."))
    if not evaluation.is_current or evaluation.status not in (
        S.REQUESTED,
        S.INFO_REQUESTED,
        S.PLANNING,
    ):
        raise InvalidTransition(
            _("Documents are attached while the request is screened or planned.")
        )
    if kind not in Attachment.Kind.values:
        raise DomainError(
            _("'%(v)s' is not one of %(c)s.") % {"v": kind, "c": ", ".join(Attachment.Kind.values)},
            field="kind",
        )
    filename = (filename or "").replace("\\", "/").rsplit("/", 1)[-1].strip()
    if not filename:
        raise DomainError(_("The file has no name."), field="file")
    if operator and not requester:
        stage = Attachment.Stage.CENTER
    elif evaluation.status == S.INFO_REQUESTED:
        stage = Attachment.Stage.REPLY
    else:
        stage = Attachment.Stage.REQUEST
    stored = files.store(data, prefix="request-attachments", filename=filename)
    attachment = Attachment.objects.create(
        evaluation=evaluation,
        kind=kind,
        stage=stage,
        title=(title or "").strip()[:200],
        filename=filename[:200],
        file=stored.name,
        sha256=stored.sha256,
        size=stored.size,
        uploaded_by=by,
    )
    record(
        by,
        "evaluation.attachment_added",
        attachment,
        evaluation.center,
        after={
            "evaluation": evaluation.code,
            "kind": kind,
            "stage": stage,
            "filename": attachment.filename,
            "sha256": stored.sha256,
            "size": stored.size,
        },
    )
    return attachment
