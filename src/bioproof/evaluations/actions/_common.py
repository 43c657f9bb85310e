"""Shared helpers of the evaluation actions."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from bioproof.consortium.models import Organization
from bioproof.core import audit
from bioproof.core.errors import DomainError, InvalidTransition
from bioproof.core.policy import require
from bioproof.evaluations import policy
from bioproof.evaluations.models import EDITABLE_STATES, Evaluation
from bioproof.evaluations.workflow import Step

S = Evaluation.Status
EVAL_FIELDS = (
    "code",
    "version",
    "product",
    "center",
    "title",
    "reference_product",
    "scale",
    "process_context",
    "status",
    "status_reason",
)
MAX_UPLOAD_BYTES = 20 * 1024 * 1024


def record(by: Any, action: str, obj: Any, org: Organization, **kw: Any) -> None:
    audit.record(actor=by, action=action, obj=obj, organization=org, **kw)


def move(
    evaluation: Evaluation,
    step: Step,
    *,
    by: Any,
    org: Organization,
    action: str,
    reason: str = "",
    extra: dict[str, Any] | None = None,
) -> None:
    """Take ``step`` (as returned by :func:`workflow.check`) to its target status, audited."""
    assert step.target is not None, step.name
    before = audit.snapshot(evaluation, ["status", "status_reason"])
    evaluation.status = step.target
    evaluation.status_reason = reason
    evaluation.save(update_fields=["status", "status_reason", "updated_at"])
    after = audit.snapshot(evaluation, ["status", "status_reason"]) | (extra or {})
    record(by, action, evaluation, org, before=before, after=after, reason=reason)


def require_editable(evaluation: Evaluation) -> None:
    if not evaluation.is_current or evaluation.status not in EDITABLE_STATES:
        raise InvalidTransition(
            _("%(code)s v%(v)s is '%(status)s' and can no longer be edited.")
            % {
                "code": evaluation.code,
                "v": evaluation.version,
                "status": evaluation.get_status_display(),
            }
        )


def require_operator(by: Any, evaluation: Evaluation) -> None:
    require(
        policy.is_center_operator(by, evaluation),
        _("Only the evaluating center's staff may do this."),
    )


def reason_given(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Give a reason."), field="reason")
    return reason
