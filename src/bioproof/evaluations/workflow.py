"""The evaluation state machine: one table of steps, checked by every action and shown in the UI."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bioproof.core.errors import InvalidTransition, PolicyDenied
from bioproof.evaluations import policy
from bioproof.evaluations.models import Evaluation

S = Evaluation.Status


@dataclass(frozen=True)
class Step:
    name: str
    label: str | Promise
    sources: frozenset[str]
    target: str | None
    permitted: Callable[[Any, Evaluation], bool]
    who: str | Promise
    needs_password: bool = False
    needs_reason: bool = False
    #: whether the step concerns this evaluation at all (else it is neither offered nor taken)
    applies: Callable[[Evaluation], bool] = lambda evaluation: True


def _signer(meaning: str) -> Callable[[Any, Evaluation], bool]:
    return lambda user, ev: policy.can_sign(user, ev, meaning)


STEPS: dict[str, Step] = {
    s.name: s
    for s in [
        Step(
            "accept",
            gettext_lazy("Accept request"),
            frozenset({S.REQUESTED}),
            S.PLANNING,
            policy.is_center_operator,
            gettext_lazy("center staff"),
        ),
        Step(
            "request_info",
            gettext_lazy("Ask for more information"),
            frozenset({S.REQUESTED}),
            S.INFO_REQUESTED,
            policy.is_center_operator,
            gettext_lazy("center staff"),
            needs_reason=True,
        ),
        Step(
            "provide_info",
            gettext_lazy("Answer and resubmit"),
            frozenset({S.INFO_REQUESTED}),
            S.REQUESTED,
            policy.is_supplier_staff,
            gettext_lazy("supplier staff"),
            needs_reason=True,
        ),
        Step(
            "reject",
            gettext_lazy("Reject request"),
            frozenset({S.REQUESTED, S.INFO_REQUESTED}),
            S.REJECTED,
            policy.is_center_operator,
            gettext_lazy("center staff"),
            needs_reason=True,
        ),
        Step(
            "withdraw_request",
            gettext_lazy("Withdraw the request"),
            frozenset({S.REQUESTED, S.INFO_REQUESTED}),
            S.CANCELLED,
            policy.can_withdraw_request,
            gettext_lazy("requester"),
            needs_reason=True,
        ),
        Step(
            "sign_protocol",
            gettext_lazy("Approve and sign the protocol"),
            frozenset({S.PLANNING}),
            S.RUNNING,
            _signer("approved"),
            gettext_lazy("center approver"),
            needs_password=True,
        ),
        Step(
            "analyse",
            gettext_lazy("Analyse"),
            frozenset({S.RUNNING, S.ANALYSED}),
            S.ANALYSED,
            policy.is_center_operator,
            gettext_lazy("center staff"),
        ),
        Step(
            "sign_authored",
            gettext_lazy("Sign as author"),
            frozenset({S.ANALYSED}),
            S.AUTHORED,
            _signer("authored"),
            gettext_lazy("center evaluator"),
            needs_password=True,
        ),
        Step(
            "sign_reviewed",
            gettext_lazy("Sign as reviewer"),
            frozenset({S.AUTHORED}),
            S.REVIEWED,
            _signer("reviewed"),
            gettext_lazy("center reviewer"),
            needs_password=True,
        ),
        Step(
            "return_for_rework",
            gettext_lazy("Return for rework"),
            frozenset({S.AUTHORED}),
            None,
            _signer("reviewed"),
            gettext_lazy("center reviewer"),
            needs_reason=True,
        ),
        Step(
            "sign_approved",
            gettext_lazy("Sign as approver"),
            frozenset({S.REVIEWED}),
            S.APPROVED,
            _signer("approved"),
            gettext_lazy("center approver"),
            needs_password=True,
        ),
        Step(
            "consent_demand",
            gettext_lazy("Consent to publishing (demand company)"),
            frozenset({S.APPROVED}),
            None,
            policy.is_demand_admin,
            gettext_lazy("demand company's admin"),
            applies=lambda ev: ev.need_id is not None and ev.demand_consent_at is None,
        ),
        Step(
            "publish",
            gettext_lazy("Consent and publish as track record"),
            frozenset({S.APPROVED}),
            S.PUBLISHED,
            policy.is_supplier_admin,
            gettext_lazy("supplier admin"),
        ),
        Step(
            "withdraw",
            gettext_lazy("Withdraw publication"),
            frozenset({S.PUBLISHED}),
            S.APPROVED,
            policy.can_withdraw,
            gettext_lazy("supplier admin, center approver or demand company's admin"),
            needs_reason=True,
        ),
        Step(
            "correct",
            gettext_lazy("Start a correction (new version)"),
            frozenset({S.AUTHORED, S.REVIEWED, S.APPROVED}),
            None,
            policy.can_correct,
            gettext_lazy("center approver"),
            needs_reason=True,
        ),
    ]
}


def check(evaluation: Evaluation, step_name: str, user: Any) -> Step:
    """Raise unless ``user`` may take ``step_name`` on ``evaluation`` now."""
    step = STEPS[step_name]
    if not evaluation.is_current:
        raise InvalidTransition(
            _("%(code)s version %(v)s has been superseded; work on the current version.")
            % {"code": evaluation.code, "v": evaluation.version}
        )
    if evaluation.status not in step.sources or not step.applies(evaluation):
        raise InvalidTransition(
            _("'%(step)s' is not possible while the evaluation is '%(status)s'.")
            % {"step": step.label, "status": evaluation.get_status_display()}
        )
    if not step.permitted(user, evaluation):
        raise PolicyDenied(
            _("Only the %(who)s may do '%(step)s'.") % {"who": step.who, "step": step.label}
        )
    return step


@dataclass(frozen=True)
class Option:
    step: Step
    allowed: bool
    why_not: str = ""


def options(evaluation: Evaluation, user: Any) -> list[Option]:
    """Steps open from the current state, each allowed for ``user`` or with the reason why not."""
    out = []
    for step in STEPS.values():
        if (
            evaluation.status not in step.sources
            or not evaluation.is_current
            or not step.applies(evaluation)
        ):
            continue
        if step.permitted(user, evaluation):
            out.append(Option(step, True))
        else:
            out.append(Option(step, False, _("needs the %(who)s") % {"who": step.who}))
    return out
