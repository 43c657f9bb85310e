"""What evaluations wait for whom (the "My work" dashboard).

One query reads every open evaluation item of the person (a few columns, at most ``CAP`` rows) and
sorts it into sections in Python, and one more reads the runs missing data: a dashboard of 500
items is two round trips, not two per section. Beyond ``CAP`` rows the sections are counted by
the database.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import reduce
from operator import or_
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from bioproof.catalog.models import Product
from bioproof.consortium.models import Membership, Organization
from bioproof.core import mywork
from bioproof.core.models import Signature
from bioproof.evaluations.models import Evaluation, Report, Run, RunDataFile

Role = Membership.Role
S = Evaluation.Status
CAP = 2000
COLUMNS = (
    "pk",
    "code",
    "version",
    "title",
    "status",
    "center_id",
    "product__supplier_id",
    "updated_at",
    "has_report",
    "signed_by_me",
    "product__name_ko",
    "product__name_en",
    "center__name_ko",
    "center__name_en",
)


def _sections(user: Any, roles: dict[int, frozenset[str]]) -> list[tuple[str, Any, Q, str]]:
    """(key, title, condition, anchor) of every evaluation section open to ``user``."""
    operator = mywork.orgs_with(roles, Role.STAFF, Role.EVALUATOR)
    evaluator = mywork.orgs_with(roles, Role.EVALUATOR)
    reviewer = mywork.orgs_with(roles, Role.REVIEWER)
    approver = mywork.orgs_with(roles, Role.APPROVER)
    supplier_staff = mywork.orgs_with(roles, Role.STAFF)
    supplier_admin = mywork.orgs_with(roles)
    steps = "#next-steps"
    out = []
    if operator:
        out.append(
            (
                "screen",
                _("Requests to screen"),
                Q(center_id__in=operator, status=S.REQUESTED),
                steps,
            )
        )
    if supplier_staff:
        out.append(
            (
                "answer_info",
                _("Questions to answer before screening"),
                Q(product__supplier_id__in=supplier_staff, status=S.INFO_REQUESTED),
                steps,
            )
        )
    if approver:
        out.append(
            (
                "sign_protocol",
                _("Protocols to sign"),
                Q(center_id__in=approver, status=S.PLANNING),
                "#protocol",
            )
        )
    signable = [
        Q(center_id__in=orgs, status=status)
        for orgs, status in (
            (evaluator, S.ANALYSED),
            (reviewer, S.AUTHORED),
            (approver, S.REVIEWED),
        )
        if orgs
    ]
    if signable:
        out.append(
            ("sign", _("Evaluations to sign"), reduce(or_, signable) & Q(signed_by_me=False), steps)
        )
    if operator:
        out.append(
            (
                "issue_report",
                _("Reports to issue"),
                Q(center_id__in=operator, status=S.APPROVED, has_report=False),
                "#reports",
            )
        )
    if supplier_admin:
        out.append(
            (
                "consent",
                _("Consents to give (publish as track record)"),
                Q(product__supplier_id__in=supplier_admin, status=S.APPROVED, has_report=True),
                steps,
            )
        )
    return out


def _matches(row: dict[str, Any], condition: Q) -> bool:
    """Evaluate one of :func:`_sections`' conditions on a fetched row (AND/OR of lookups)."""
    results = []
    for child in condition.children:
        if isinstance(child, Q):
            results.append(_matches(row, child))
            continue
        lookup, value = child
        if lookup.endswith("__in"):
            results.append(row[lookup.removesuffix("__in")] in value)
        else:
            results.append(row[lookup] == value)
    ok = all(results) if condition.connector == Q.AND else any(results)
    return not ok if condition.negated else ok


def _item(row: dict[str, Any], anchor: str, english: bool) -> mywork.Item:
    product = row["product__name_en"] if english else row["product__name_ko"]
    center = row["center__name_en"] if english else row["center__name_ko"]
    return mywork.Item(
        f"{row['code']} v{row['version']}",
        f"{row['title']} · {product} · {center}",
        reverse("evaluation_detail", args=[row["code"]]) + anchor,
        row["updated_at"],
    )


@mywork.provider(tables=(Evaluation, Report, Signature, Run, RunDataFile, Product, Organization))
def evaluation_work(user: Any, roles: dict[int, frozenset[str]], limit: int) -> Iterator[Any]:
    sections = _sections(user, roles)
    english = (get_language() or "ko").startswith("en")
    if sections:
        signed_by_me = Signature.objects.filter(
            content_type=ContentType.objects.get_for_model(Evaluation),
            object_id=OuterRef("pk"),
            signer=user,
        )
        rows = list(
            Evaluation.objects.filter(is_current=True)
            .annotate(
                has_report=Exists(Report.objects.filter(evaluation=OuterRef("pk"))),
                signed_by_me=Exists(signed_by_me),
            )
            .filter(reduce(or_, (cond for _k, _t, cond, _a in sections)))
            .order_by("updated_at", "id")
            .values(*COLUMNS)[: CAP + 1]
        )
        for key, title, condition, anchor in sections:
            hits = [row for row in rows if _matches(row, condition)]
            count = len(hits)
            if len(rows) > CAP:
                count = (
                    Evaluation.objects.filter(is_current=True)
                    .annotate(
                        has_report=Exists(Report.objects.filter(evaluation=OuterRef("pk"))),
                        signed_by_me=Exists(signed_by_me),
                    )
                    .filter(condition)
                    .count()
                )
            yield mywork.Section(
                key, title, count, [_item(r, anchor, english) for r in hits[:limit]]
            )
    operator = mywork.orgs_with(roles, Role.STAFF, Role.EVALUATOR)
    if operator:
        has_data = RunDataFile.objects.filter(run=OuterRef("pk"), is_current=True)
        runs = (
            Run.objects.filter(
                evaluation__center_id__in=operator,
                evaluation__status=S.RUNNING,
                evaluation__is_current=True,
                excluded_at__isnull=True,
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
