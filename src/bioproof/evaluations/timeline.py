"""An evaluation's timeline: the steps taken (when, by whom) and who may take the next one."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from bioproof.consortium.models import User, preload_roles
from bioproof.core import audit
from bioproof.core.models import AuditEvent
from bioproof.evaluations import workflow
from bioproof.evaluations.models import Evaluation

LABELS: dict[str, str | Promise] = {
    "evaluation.requested": _("Requested"),
    "evaluation.info_requested": _("More information requested"),
    "evaluation.info_provided": _("Information provided"),
    "evaluation.rejected": _("Rejected"),
    "evaluation.accepted": _("Accepted"),
    "evaluation.template_set": _("Method template chosen"),
    "evaluation.protocol_signed": _("Protocol signed"),
    "evaluation.analysed": _("Analysed"),
    "evaluation.signed_authored": _("Signed by author"),
    "evaluation.signed_reviewed": _("Signed by reviewer"),
    "evaluation.signed_approved": _("Signed by approver"),
    "report.generated": _("Report issued"),
    "evaluation.published": _("Published as track record"),
    "evaluation.withdrawn": _("Publication withdrawn"),
    "evaluation.correction_started": _("Correction started"),
    "evaluation.returned_for_rework": _("Returned for rework"),
    "evaluation.request_withdrawn": _("Request withdrawn"),
}


@dataclass(frozen=True)
class Done:
    label: str | Promise
    at: datetime
    who: str
    reason: str


@dataclass(frozen=True)
class Next:
    label: str | Promise
    who: str | Promise
    people: list[str]
    you: bool


def build(evaluation: Evaluation, user: Any, *, people_limit: int = 5) -> dict[str, Any]:
    events = list(audit.history(evaluation).filter(action__in=LABELS))
    report_ids = [str(pk) for pk in evaluation.reports.values_list("pk", flat=True)]
    if report_ids:
        events += list(
            AuditEvent.objects.filter(
                object_type="evaluations.report", object_id__in=report_ids, action__in=LABELS
            ).select_related("actor")
        )
    events.sort(key=lambda e: e.seq)
    done = [
        Done(
            LABELS[e.action],
            e.at,
            (e.actor.get_full_name() or e.actor.username) if e.actor else e.actor_username,
            e.reason,
        )
        for e in events
    ]
    orgs = {evaluation.center_id, evaluation.product.supplier_id}
    if evaluation.need_id:
        orgs.add(evaluation.need.organization_id)
    candidates = preload_roles(  # one query for everyone's roles, not one per person
        list(
            User.objects.filter(is_active=True, memberships__organization_id__in=orgs)
            .distinct()
            .order_by("username")[:200]
        )
    )
    upcoming = []
    for option in workflow.options(evaluation, user):
        step = option.step
        if step.name in (
            "withdraw",
            "correct",
            "reject",
            "request_info",
            "withdraw_request",
            "return_for_rework",
        ):
            continue  # exceptional paths, not "next"
        names = [
            p.get_full_name() or p.username for p in candidates if step.permitted(p, evaluation)
        ]
        upcoming.append(Next(step.label, step.who, names[:people_limit], option.allowed))
    return {"done": done, "next": upcoming}
