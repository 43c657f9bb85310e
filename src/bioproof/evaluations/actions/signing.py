"""Signatures, reports, publication and corrections of an evaluation (the only writers)."""

from __future__ import annotations

import secrets
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bioproof.core import files
from bioproof.core.errors import DomainError, InvalidTransition, PolicyDenied
from bioproof.core.locking import lock, unique_or_conflict
from bioproof.core.policy import require
from bioproof.core.signatures import apply_signature, signatures_for
from bioproof.evaluations import content, policy, workflow
from bioproof.evaluations.actions._common import S, move, reason_given, record
from bioproof.evaluations.models import (
    Criterion,
    Deviation,
    Evaluation,
    Report,
    Run,
    RunDataFile,
    TrackRecord,
)
from bioproof.search import index as search_index


@transaction.atomic
def sign(
    *, by: Any, evaluation: Evaluation, meaning: str, password: str, comment: str = ""
) -> Evaluation:
    """Apply the next signature (authored → reviewed → approved); re-asks the password.

    The evaluation row is locked first, so a concurrent upload, correction or second signature
    either happened before (and the hash covers it, or the state refuses) or waits."""
    evaluation = lock(evaluation)
    step = workflow.check(evaluation, f"sign_{meaning}", by)
    if signatures_for(evaluation).filter(signer=by).exists():
        raise PolicyDenied(
            _("You signed this version already; another person must sign as %(m)s.")
            % {"m": meaning}
        )
    digest = content.content_hash(evaluation)
    earlier = signatures_for(evaluation).exclude(content_hash=digest).first()
    if earlier is not None:
        raise DomainError(
            _("The evaluation changed since %(name)s signed it; it cannot be signed.")
            % {"name": earlier.signer_name}
        )
    apply_signature(
        by=by,
        password=password,
        obj=evaluation,
        code=evaluation.code,
        version=evaluation.version,
        meaning=meaning,
        content_hash=digest,
        organization=evaluation.center,
        comment=comment,
    )
    move(
        evaluation,
        step,
        by=by,
        org=evaluation.center,
        action=f"evaluation.signed_{meaning}",
        extra={"content_hash": digest},
    )
    return evaluation


def _verification_code() -> str:
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    raw = "".join(secrets.choice(alphabet) for _ in range(12))
    return "-".join(raw[i : i + 4] for i in range(0, 12, 4))


@transaction.atomic
def generate_report(
    *, by: Any, evaluation: Evaluation, language: str, verify_url: str = ""
) -> Report:
    """Render the signed PDF report in Korean or English and keep it with its SHA-256."""
    from bioproof.evaluations.reporting import render_pdf

    evaluation = lock(evaluation)
    require(
        policy.is_center_operator(by, evaluation) or policy.can_sign(by, evaluation, "approved"),
        _("Only the evaluating center may issue the report."),
    )
    if evaluation.status not in (S.APPROVED, S.PUBLISHED):
        raise InvalidTransition(_("A report is issued once the evaluation is approved."))
    if language not in ("ko", "en"):
        raise DomainError(_("Report language must be 'ko' or 'en'."), field="language")
    code = _verification_code()
    now = timezone.now()
    digest = content.content_hash(evaluation)
    pdf = render_pdf(
        evaluation,
        language=language,
        verification_code=code,
        content_hash=digest,
        generated_at=now,
        verify_url=verify_url,
    )
    stored = files.store(
        pdf,
        prefix="reports",
        filename=f"{evaluation.code}-v{evaluation.version}-{language}.pdf",
        max_bytes=max(len(pdf), files.max_upload_bytes()),
    )
    report = Report(
        evaluation=evaluation,
        language=language,
        file=stored.name,
        sha256=stored.sha256,
        content_hash=digest,
        verification_code=code,
        generated_by=by,
        generated_at=now,
    )
    with unique_or_conflict(_("Two reports drew the same verification code; issue it again.")):
        report.save()
    record(
        by,
        "report.generated",
        report,
        evaluation.center,
        after={
            "evaluation": evaluation.code,
            "version": evaluation.version,
            "language": language,
            "sha256": report.sha256,
            "verification_code": code,
            "content_hash": digest,
        },
    )
    return report


@transaction.atomic
def consent_demand(
    *, by: Any, evaluation: Evaluation, consent: bool, statement: str = ""
) -> Evaluation:
    """The demand company whose need a demand-tailored evaluation answers consents to its
    publication (its org admin); the supplier may publish only after this. The consent is for
    this version: a correction needs it again. The need's confidential details stay off every
    public page either way (``Evaluation.public_*``)."""
    # lock the row and read its consent afresh: two admins consenting at once end in one
    # consent and one clear refusal
    locked = Evaluation.objects.select_for_update().filter(pk=evaluation.pk)
    evaluation.demand_consent_at = locked.values_list("demand_consent_at", flat=True).get()
    if evaluation.need_id is None:
        raise DomainError(_("This evaluation answers no demand company's need; no consent is due."))
    if evaluation.demand_consent_at is not None:
        raise InvalidTransition(
            _("%(org)s consented to publishing this version already.")
            % {"org": evaluation.need.organization.name}
        )
    workflow.check(evaluation, "consent_demand", by)
    if not consent:
        raise DomainError(
            _("Publishing needs the demand company's explicit consent."), field="consent"
        )
    need = evaluation.need
    statement = statement.strip() or _(
        "%(org)s consents to publishing the result of %(code)s v%(v)s as a track record; the "
        "confidential details of its need %(need)s are not shown publicly."
    ) % {
        "org": need.organization.name,
        "code": evaluation.code,
        "v": evaluation.version,
        "need": need.code,
    }
    evaluation.demand_consent_at = timezone.now()
    evaluation.demand_consent_by = by
    evaluation.demand_consent_statement = statement
    evaluation.save(
        update_fields=[
            "demand_consent_at",
            "demand_consent_by",
            "demand_consent_statement",
            "updated_at",
        ]
    )
    record(
        by,
        "evaluation.demand_consented",
        evaluation,
        need.organization,
        after={
            "code": evaluation.code,
            "version": evaluation.version,
            "need": need.code,
            "consent_statement": statement,
        },
    )
    return evaluation


@transaction.atomic
def publish(
    *,
    by: Any,
    evaluation: Evaluation,
    consent: bool,
    report: Report | None = None,
    statement: str = "",
) -> TrackRecord:
    """The supplier consents and the approved evaluation becomes a public track record."""
    evaluation = lock(evaluation)
    step = workflow.check(evaluation, "publish", by)
    if evaluation.need_id is not None and evaluation.demand_consent_at is None:
        raise InvalidTransition(
            _(
                "%(org)s, whose need this demand-tailored evaluation answers, has not consented "
                "to publishing it yet."
            )
            % {"org": evaluation.need.organization.name}
        )
    if not consent:
        raise DomainError(_("Publishing needs the supplier's explicit consent."), field="consent")
    report = report or evaluation.reports.first()
    if report is None or report.evaluation_id != evaluation.pk:
        raise DomainError(_("The center has not issued the report of this version yet."))
    statement = statement.strip() or _(
        "%(org)s consents to publishing the result of %(code)s v%(v)s as a track record."
    ) % {"org": evaluation.product.supplier.name, "code": evaluation.code, "v": evaluation.version}
    with unique_or_conflict(_("This evaluation is published already.")):
        record = TrackRecord.objects.create(
            evaluation=evaluation,
            report=report,
            consent_statement=statement,
            published_by=by,
            published_at=timezone.now(),
        )
    move(
        evaluation,
        step,
        by=by,
        org=evaluation.product.supplier,
        action="evaluation.published",
        extra={
            "track_record": record.pk,
            "report": report.verification_code,
            "consent_statement": statement,
        },
    )
    search_index.track_record_changed(evaluation)
    return record


@transaction.atomic
def withdraw(*, by: Any, evaluation: Evaluation, reason: str) -> TrackRecord:
    evaluation = lock(evaluation)
    step = workflow.check(evaluation, "withdraw", by)
    reason = reason_given(reason)
    record = evaluation.track_records.public().first()
    if record is None:
        raise InvalidTransition(_("This evaluation has no public track record to withdraw."))
    record.withdrawn_at, record.withdrawn_by, record.withdrawal_reason = timezone.now(), by, reason
    record.save(update_fields=["withdrawn_at", "withdrawn_by", "withdrawal_reason"])
    if policy.is_supplier_admin(by, evaluation):
        org = evaluation.product.supplier
    elif policy.is_demand_admin(by, evaluation):
        org = evaluation.need.organization
    else:
        org = evaluation.center
    move(
        evaluation,
        step,
        by=by,
        org=org,
        action="evaluation.withdrawn",
        reason=reason,
        extra={"track_record": record.pk},
    )
    search_index.track_record_changed(evaluation)
    return record


@transaction.atomic
def start_correction(*, by: Any, evaluation: Evaluation, reason: str) -> Evaluation:
    """Open version n+1 of a signed evaluation under the same signed protocol; version n stays
    readable and unchanged. Runs, current data files (same stored bytes), criteria and
    deviations are carried over; results are computed again."""
    evaluation = lock(evaluation)
    workflow.check(evaluation, "correct", by)
    return _open_version(by, evaluation, reason_given(reason), "evaluation.correction_started")


@transaction.atomic
def return_for_rework(*, by: Any, evaluation: Evaluation, reason: str) -> Evaluation:
    """A reviewer returns an evaluation signed by its author for rework, with a comment: the
    signed version stays readable and version n+1 opens with the comment as its reason (runs,
    data, criteria and deviations carried over), for the author to rework and sign again. The
    author hears of it (audit event → notification)."""
    evaluation = lock(evaluation)
    workflow.check(evaluation, "return_for_rework", by)
    reason = reason_given(reason)
    return _open_version(by, evaluation, reason, "evaluation.returned_for_rework")


def _open_version(by: Any, evaluation: Evaluation, reason: str, action: str) -> Evaluation:
    with unique_or_conflict(
        _("Version %(v)s of %(code)s was opened at the same time; reload the page.")
        % {"v": evaluation.version + 1, "code": evaluation.code}
    ):
        new = _new_version(evaluation, reason)
    Criterion.objects.bulk_create(
        [
            Criterion(
                evaluation=new,
                kpi=c.kpi,
                comparison=c.comparison,
                value=c.value,
                relative=c.relative,
                alpha=c.alpha,
                unit=c.unit,
                higher_is_better=c.higher_is_better,
                source=c.source,
            )
            for c in evaluation.criteria.all()
        ]
    )
    run_map = {
        run.pk: Run(
            evaluation=new,
            arm=run.arm,
            label=run.label,
            batch_id=run.batch_id,
            equipment=run.equipment,
            notes=run.notes,
            parameters=run.parameters,
            excluded_at=run.excluded_at,
            excluded_reason=run.excluded_reason,
        )
        for run in evaluation.runs.all()
    }
    Run.objects.bulk_create(run_map.values())
    RunDataFile.objects.bulk_create(
        [
            RunDataFile(
                run=run_map[f.run_id],
                version=1,
                layout=f.layout,
                filename=f.filename,
                file=f.file.name,
                sha256=f.sha256,
                size=f.size,
                table_file=f.table_file.name,
                table_sha256=f.table_sha256,
                n_rows=f.n_rows,
                uploaded_by=f.uploaded_by,
            )
            for f in RunDataFile.objects.filter(run__evaluation=evaluation, is_current=True)
        ]
    )
    Deviation.objects.bulk_create(
        [
            Deviation(
                evaluation=new,
                run=run_map.get(d.run_id),
                description=d.description,
                recorded_by=d.recorded_by,
            )
            for d in evaluation.deviations.all()
        ]
    )
    Evaluation.objects.filter(pk=evaluation.pk).update(is_current=False, status=S.SUPERSEDED)
    record(
        by,
        action,
        new,
        evaluation.center,
        reason=reason,
        before={"version": evaluation.version, "status": evaluation.status},
        after={"version": new.version, "status": new.status},
    )
    return new


def _new_version(evaluation: Evaluation, reason: str) -> Evaluation:
    return Evaluation.objects.create(
        code=evaluation.code,
        version=evaluation.version + 1,
        previous=evaluation,
        correction_reason=reason,
        product=evaluation.product,
        center=evaluation.center,
        requested_by=evaluation.requested_by,
        need=evaluation.need,
        title=evaluation.title,
        reference_product=evaluation.reference_product,
        scale=evaluation.scale,
        process_context=evaluation.process_context,
        template=evaluation.template,
        protocol=evaluation.protocol,
        status=S.RUNNING,
    )
