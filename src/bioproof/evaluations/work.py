"""What evaluations wait for whom (the "My work" dashboard)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from bioproof.consortium.models import Membership
from bioproof.core import mywork
from bioproof.core.models import Signature
from bioproof.evaluations.models import Evaluation, Report, Run, RunDataFile

Role = Membership.Role
S = Evaluation.Status


def _item(anchor: str) -> Any:
    def make(ev: Evaluation) -> mywork.Item:
        return mywork.Item(
            f"{ev.code} v{ev.version}",
            f"{ev.title} · {ev.product.name} · {ev.center.name}",
            reverse("evaluation_detail", args=[ev.code]) + anchor,
            ev.updated_at,
        )

    return make


def _evaluations(**filters: Any) -> Any:
    return (
        Evaluation.objects.filter(is_current=True, **filters)
        .select_related("product", "center")
        .order_by("updated_at", "id")
    )


@mywork.provider
def evaluation_work(user: Any, roles: dict[int, frozenset[str]], limit: int) -> Iterator[Any]:
    operator = mywork.orgs_with(roles, Role.STAFF, Role.EVALUATOR)
    evaluator = mywork.orgs_with(roles, Role.EVALUATOR)
    reviewer = mywork.orgs_with(roles, Role.REVIEWER)
    approver = mywork.orgs_with(roles, Role.APPROVER)
    supplier_staff = mywork.orgs_with(roles, Role.STAFF)
    supplier_admin = mywork.orgs_with(roles)
    steps = "#next-steps"
    if operator:
        yield mywork.section(
            "screen",
            _("Requests to screen"),
            _evaluations(center_id__in=operator, status=S.REQUESTED),
            item=_item(steps),
            limit=limit,
        )
    if supplier_staff:
        yield mywork.section(
            "answer_info",
            _("Questions to answer before screening"),
            _evaluations(product__supplier_id__in=supplier_staff, status=S.INFO_REQUESTED),
            item=_item(steps),
            limit=limit,
        )
    if approver:
        yield mywork.section(
            "sign_protocol",
            _("Protocols to sign"),
            _evaluations(center_id__in=approver, status=S.PLANNING),
            item=_item("#protocol"),
            limit=limit,
        )
    signable = [(evaluator, S.ANALYSED), (reviewer, S.AUTHORED), (approver, S.REVIEWED)]
    if any(orgs for orgs, _status in signable):
        signed_by_me = Signature.objects.filter(
            content_type=ContentType.objects.get_for_model(Evaluation),
            object_id=OuterRef("pk"),
            signer=user,
        )
        from django.db.models import Q

        wanted = Q(pk__in=[])
        for orgs, status in signable:
            if orgs:
                wanted |= Q(center_id__in=orgs, status=status)
        yield mywork.section(
            "sign",
            _("Evaluations to sign"),
            _evaluations().filter(wanted).exclude(Exists(signed_by_me)),
            item=_item(steps),
            limit=limit,
        )
    if operator:
        has_data = RunDataFile.objects.filter(run=OuterRef("pk"), is_current=True)
        runs = (
            Run.objects.filter(
                evaluation__center_id__in=operator,
                evaluation__status=S.RUNNING,
                evaluation__is_current=True,
            )
            .exclude(Exists(has_data))
            .select_related("evaluation")
            .order_by("evaluation__updated_at", "id")
        )
        yield mywork.section(
            "runs_missing_data",
            _("Runs missing data"),
            runs,
            item=lambda run: mywork.Item(
                f"{run.evaluation.code} · {run.label}",
                f"{run.get_arm_display()} · {run.batch_id or '—'}",
                reverse("evaluation_detail", args=[run.evaluation.code]) + "#runs",
                run.created_at,
            ),
            limit=limit,
        )
        has_report = Report.objects.filter(evaluation=OuterRef("pk"))
        yield mywork.section(
            "issue_report",
            _("Reports to issue"),
            _evaluations(center_id__in=operator, status=S.APPROVED).exclude(Exists(has_report)),
            item=_item("#reports"),
            limit=limit,
        )
    if supplier_admin:
        has_report = Report.objects.filter(evaluation=OuterRef("pk"))
        yield mywork.section(
            "consent",
            _("Consents to give (publish as track record)"),
            _evaluations(product__supplier_id__in=supplier_admin, status=S.APPROVED).filter(
                Exists(has_report)
            ),
            item=_item(steps),
            limit=limit,
        )
