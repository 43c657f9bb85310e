"""Who hears of an evaluation's events (the three parties, by the role the next step needs).

The registry keeps only those who can see the evaluation (``Evaluation.objects.visible_to``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from bioproof.consortium.models import Membership
from bioproof.evaluations.models import Evaluation, Report
from bioproof.notifications.registry import members, rule

Role = Membership.Role


def _url(ev: Evaluation) -> str:
    return reverse("evaluation_detail", args=[ev.code])


def center_operators(ev: Evaluation) -> Any:
    return members(ev.center_id, Role.STAFF, Role.EVALUATOR)


def center_role(role: str) -> Any:
    return lambda event, ev: members(ev.center_id, role)


def supplier_side(ev: Evaluation) -> Iterable[Any]:
    """The supplier's staff, and for a demand-tailored evaluation the demand company's staff."""
    yield from members(ev.product.supplier_id, Role.STAFF)
    if ev.need_id:
        yield from members(ev.need.organization_id, Role.STAFF)
    yield ev.requested_by


def parties(event: Any, ev: Evaluation) -> Iterable[Any]:
    yield from center_operators(ev)
    yield from supplier_side(ev)


E = Evaluation
rule(
    "evaluation.requested",
    E,
    recipients=lambda event, ev: center_operators(ev),
    message=_("%(actor)s requested the evaluation %(object)s: screen it"),
    url=_url,
)
rule(
    "evaluation.info_provided",
    E,
    recipients=lambda event, ev: center_operators(ev),
    message=_("%(actor)s answered your questions on %(object)s: screen it again"),
    url=_url,
)
rule(
    "evaluation.accepted",
    E,
    recipients=lambda event, ev: supplier_side(ev),
    message=_("%(actor)s accepted the evaluation request %(object)s"),
    url=_url,
)
rule(
    "evaluation.rejected",
    E,
    recipients=lambda event, ev: supplier_side(ev),
    message=_("%(actor)s rejected the evaluation request %(object)s"),
    url=_url,
)
rule(
    "evaluation.info_requested",
    E,
    recipients=lambda event, ev: members(ev.product.supplier_id, Role.STAFF),
    message=_("%(actor)s asks for more information on %(object)s: answer it"),
    url=_url,
)
rule(
    "evaluation.protocol_signed",
    E,
    recipients=parties,
    message=_("%(actor)s signed the protocol of %(object)s: runs may start"),
    url=_url,
)
rule(
    "evaluation.analysed",
    E,
    recipients=center_role(Role.EVALUATOR),
    message=_("%(actor)s analysed %(object)s: sign it as author"),
    url=_url,
)
rule(
    "evaluation.signed_authored",
    E,
    recipients=center_role(Role.REVIEWER),
    message=_("%(actor)s signed %(object)s as author: review and sign it"),
    url=_url,
)
rule(
    "evaluation.signed_reviewed",
    E,
    recipients=center_role(Role.APPROVER),
    message=_("%(actor)s signed %(object)s as reviewer: approve and sign it"),
    url=_url,
)
rule(
    "evaluation.signed_approved",
    E,
    recipients=lambda event, ev: center_operators(ev),
    message=_("%(actor)s approved %(object)s: issue its report"),
    url=_url,
)
rule(
    "report.generated",
    Report,
    recipients=lambda event, report: members(report.evaluation.product.supplier_id),
    message=_("%(actor)s issued the report of %(object)s: consent to publish it"),
    url=lambda report: _url(report.evaluation),
    subject=lambda report: report.evaluation,
)
rule(
    "evaluation.published",
    E,
    recipients=parties,
    message=_("%(actor)s published %(object)s as a track record"),
    url=_url,
)
rule(
    "evaluation.withdrawn",
    E,
    recipients=parties,
    message=_("%(actor)s withdrew the publication of %(object)s"),
    url=_url,
)
rule(
    "evaluation.returned_for_rework",
    E,
    recipients=center_role(Role.EVALUATOR),
    message=_("%(actor)s returned %(object)s for rework: read the comment and sign it again"),
    url=_url,
)
rule(
    "evaluation.request_withdrawn",
    E,
    recipients=lambda event, ev: center_operators(ev),
    message=_("%(actor)s withdrew the evaluation request %(object)s"),
    url=_url,
)
