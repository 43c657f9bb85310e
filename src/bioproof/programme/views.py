"""Programme pages: the public, members' and programme office's dashboards (one view, three
audiences), the office's drill-down to the records behind a figure, exports, targets, pledges."""

from __future__ import annotations

import csv
import io
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from bioproof.catalog.models import Category
from bioproof.consortium.models import Organization
from bioproof.core.policy import get_visible_or_404, is_platform_admin
from bioproof.core.web import attempt, form_errors, paginate
from bioproof.evaluations.models import Evaluation
from bioproof.programme import actions, charts, indicators, policy, snapshots
from bioproof.programme.forms import (
    CoreItemFormSet,
    FilterForm,
    PledgeForm,
    ReasonForm,
    TargetFormSet,
    WithdrawForm,
)
from bioproof.programme.models import CoreItem, Pledge, PledgeEvidence, Target, TargetSet

K = {policy.PUBLIC: indicators.K_MIN, policy.MEMBERS: indicators.K_MIN, policy.OFFICE: 1}
TYPE_LABELS = {
    "sme": gettext_lazy("SME"),
    "large": gettext_lazy("Large company"),
    "university": gettext_lazy("University / institute"),
    "center": gettext_lazy("Demonstration center"),
    "other": gettext_lazy("Other"),
}
HEADLINE = (
    ("evaluations", gettext_lazy("Evaluations"), "count"),
    ("pass_rate", gettext_lazy("Pass rate"), "%"),
    ("lead_time_median", gettext_lazy("Lead time, median (days)"), "days"),
    ("lead_time_p90", gettext_lazy("Lead time, 90th percentile (days)"), "days"),
    ("track_records", gettext_lazy("Published track records"), "count"),
    ("adoptions", gettext_lazy("Adoptions"), "count"),
    ("adoption_value_krw", gettext_lazy("Adopted yearly value"), "KRW"),
    ("localisation_value", gettext_lazy("Localisation rate (by value)"), "%"),
    ("trainees_enrolled", gettext_lazy("Trainees enrolled"), "count"),
    ("trainees_passed", gettext_lazy("Trainees passed"), "count"),
    ("investment_pledged", gettext_lazy("Investment pledged"), "KRW"),
    ("investment_executed", gettext_lazy("Investment executed"), "KRW"),
    ("utilisation", gettext_lazy("Equipment utilisation (booked)"), "%"),
    ("service_revenue_krw", gettext_lazy("Service revenue"), "KRW"),
    ("mrna_released", gettext_lazy("mRNA batches released"), "count"),
)
# series key → (title, unit, target indicator)
SERIES = (
    ("evaluations", gettext_lazy("Evaluations per year"), "count", None),
    ("pass_rate", gettext_lazy("Pass rate per year"), "%", None),
    (
        "track_records",
        gettext_lazy("Published track records (cumulative)"),
        "count",
        Target.Indicator.TRACK_RECORDS,
    ),
    ("adoptions", gettext_lazy("Adoptions (cumulative)"), "count", Target.Indicator.ADOPTIONS),
    (
        "localisation_value",
        gettext_lazy("Localisation rate by value"),
        "%",
        Target.Indicator.LOCALISATION,
    ),
    (
        "trainees_passed",
        gettext_lazy("Trainees passed (cumulative)"),
        "count",
        Target.Indicator.TRAINEES,
    ),
    (
        "investment_executed",
        gettext_lazy("Private investment executed (cumulative)"),
        "KRW",
        Target.Indicator.INVESTMENT,
    ),
    ("service_revenue", gettext_lazy("Service revenue per year"), "KRW", None),
    ("mrna_released", gettext_lazy("mRNA batches released (cumulative)"), "count", None),
)
# table key → (title, dimension, unit, lowest audience, drill-down indicator)
TABLES = (
    (
        "evaluations_by_status",
        gettext_lazy("Evaluations by state"),
        "status",
        "count",
        policy.PUBLIC,
        "evaluations",
    ),
    (
        "evaluations_by_category",
        gettext_lazy("Evaluations by category"),
        "category",
        "count",
        policy.PUBLIC,
        "evaluations",
    ),
    (
        "evaluations_by_center",
        gettext_lazy("Evaluations by center"),
        "center",
        "count",
        policy.MEMBERS,
        "evaluations",
    ),
    (
        "evaluations_by_quarter",
        gettext_lazy("Evaluations by quarter"),
        "q",
        "count",
        policy.MEMBERS,
        "evaluations",
    ),
    (
        "pass_rate_by_category",
        gettext_lazy("Pass rate by category"),
        "category",
        "%",
        policy.MEMBERS,
        "evaluations",
    ),
    (
        "lead_time_by_center",
        gettext_lazy("Median lead time by center (days)"),
        "center",
        "days",
        policy.MEMBERS,
        "evaluations",
    ),
    (
        "track_records_by_category",
        gettext_lazy("Track records by category"),
        "category",
        "count",
        policy.PUBLIC,
        "track_records",
    ),
    (
        "adoptions_by_category",
        gettext_lazy("Adoptions by category"),
        "category",
        "count",
        policy.MEMBERS,
        "adoptions",
    ),
    (
        "localisation_by_item_value",
        gettext_lazy("Localisation rate by core item (value)"),
        "item",
        "%",
        policy.PUBLIC,
        "adoptions",
    ),
    (
        "localisation_by_item_volume",
        gettext_lazy("Localisation rate by core item (volume)"),
        "item",
        "%",
        policy.MEMBERS,
        "adoptions",
    ),
    (
        "trainees_by_type",
        gettext_lazy("Trainees by organization type"),
        "type",
        "count",
        policy.PUBLIC,
        "trainees",
    ),
    (
        "trainees_by_course",
        gettext_lazy("Trainees passed by course"),
        "course",
        "count",
        policy.MEMBERS,
        "trainees",
    ),
    (
        "investment_by_category",
        gettext_lazy("Investment executed by category"),
        "pledge_category",
        "KRW",
        policy.MEMBERS,
        "investment",
    ),
    (
        "utilisation_by_center",
        gettext_lazy("Equipment utilisation by center (booked)"),
        "center",
        "%",
        policy.PUBLIC,
        "utilisation",
    ),
    (
        "used_by_center",
        gettext_lazy("Equipment utilisation by center (used)"),
        "center",
        "%",
        policy.MEMBERS,
        "utilisation",
    ),
    (
        "revenue_by_funding_line",
        gettext_lazy("Service revenue by funding line"),
        "funding_line",
        "KRW",
        policy.MEMBERS,
        "service_revenue",
    ),
    (
        "mrna_released_by_facility",
        gettext_lazy("mRNA batches released by facility"),
        "center",
        "count",
        policy.PUBLIC,
        "mrna_released",
    ),
)
ORDER = (policy.PUBLIC, policy.MEMBERS, policy.OFFICE)


def _descendants(category: Category) -> frozenset[int]:
    children: dict[int | None, list[int]] = {}
    for cid, parent in Category.objects.values_list("id", "parent_id"):
        children.setdefault(parent, []).append(cid)
    out, todo = set(), [category.pk]
    while todo:
        node = todo.pop()
        if node not in out:
            out.add(node)
            todo.extend(children.get(node, []))
    return frozenset(out)


def _filters(request: HttpRequest) -> tuple[FilterForm, indicators.Filters]:
    form = FilterForm(request.GET or None)
    if not request.GET:
        return form, indicators.Filters()
    if not form.is_valid():
        form_errors(request, form)
        return form, indicators.Filters()
    d = form.cleaned_data
    return form, indicators.Filters(
        year_from=d.get("year_from"),
        year_to=d.get("year_to"),
        center=d["center"].pk if d.get("center") else None,
        categories=_descendants(d["category"]) if d.get("category") else None,
    )


def _labeller() -> dict[str, Any]:
    centers = {o.pk: o.name for o in Organization.objects.filter(kind=Organization.Kind.CENTER)}
    categories = {c.pk: c.name for c in Category.objects.all()}
    items = {i.code: i.name for i in CoreItem.objects.filter(target_set__is_current=True)}
    statuses = dict(Evaluation.Status.choices)
    pledge_categories = dict(Pledge.Category.choices)
    from bioproof.facilities.models import FundingLine

    funding_lines = dict(FundingLine.choices)
    none = _("not assigned")
    return {
        "center": lambda v: centers.get(v, none),
        "category": lambda v: categories.get(v, none),
        "item": lambda v: items.get(v, v),
        "status": lambda v: statuses.get(v, v),
        "type": lambda v: TYPE_LABELS.get(v, v),
        "pledge_category": lambda v: pledge_categories.get(v, v),
        "funding_line": lambda v: funding_lines.get(v, v),
        "q": lambda v: v or none,
        "course": lambda v: v or none,
    }


def _targets() -> dict[str, dict[int, float]]:
    out: dict[str, dict[int, float]] = {}
    for t in Target.objects.filter(target_set__is_current=True):
        out.setdefault(t.indicator, {})[t.year] = t.value
    return out


def build(user: Any, level: str, filters: indicators.Filters) -> dict[str, Any]:
    """Everything a dashboard, its export and the API show for ``level``."""
    snap, facts = snapshots.current()
    summary = snapshots.summary(snap, facts, filters, K[level])
    label = _labeller()
    targets = _targets()
    rank = ORDER.index(level)
    headline = [
        {"key": key, "title": title, "unit": unit, "figure": summary["headline"][key]}
        for key, title, unit in HEADLINE
    ]
    charts_out = []
    for key, title, unit, target in SERIES:
        series = [(str(y), f.value) for y, f in summary["series"][key]]
        tgt = {str(y): v for y, v in targets.get(target, {}).items()} if target else {}
        charts_out.append(
            {
                "key": key,
                "title": title,
                "svg": charts.bars(series, title=str(title), unit=unit, targets=tgt),
                "rows": series,
                "figures": [(str(y), f) for y, f in summary["series"][key]],
                "targets": tgt,
                "unit": unit,
            }
        )
    tables = []
    for key, title, dim, unit, lowest, drill in TABLES:
        if ORDER.index(lowest) > rank:
            continue
        rows = [
            {"label": label[dim](value), "value": value, "figure": fig}
            for value, fig in summary["tables"][key]
        ]
        tables.append(
            {"key": key, "title": title, "dim": dim, "unit": unit, "rows": rows, "drill": drill}
        )
    return {
        "level": level,
        "k": K[level],
        "snapshot": snap,
        "stale": snapshots.is_stale(snap),
        "headline": headline,
        "charts": charts_out,
        "tables": tables,
        "definitions": list(indicators.INDICATORS.values()),
        "targets_version": TargetSet.objects.filter(is_current=True).first(),
    }


def _denied(request: HttpRequest, message: str) -> HttpResponse:
    return render(request, "core/denied.html", {"message": message}, status=403)


def _level(request: HttpRequest, level: str) -> HttpResponse | None:
    """A 403 page when ``request.user`` may not open the ``level`` dashboard, else None."""
    if policy.may_open(request.user, level):
        return None
    if level == policy.OFFICE:
        return _denied(request, _("Only the programme office may open this page."))
    return _denied(request, _("This page is for consortium members and the programme office."))


def dashboard(request: HttpRequest, level: str = policy.PUBLIC) -> HttpResponse:
    if denied := _level(request, level):
        return denied
    form, filters = _filters(request)
    context = build(request.user, level, filters)
    context.update(
        {
            "form": form,
            "query": request.GET.urlencode(),
            "audience": policy.audience(request.user),
        }
    )
    return render(request, "programme/dashboard.html", context)


def _fmt(figure: indicators.Figure) -> Any:
    return "" if figure.value is None else round(figure.value, 4)


def _export_rows(context: dict[str, Any]) -> list[tuple[str, list[list[Any]]]]:
    note = _("fewer than %(k)d organizations: not shown") % {"k": context["k"]}
    sheets = [
        (
            _("Headline"),
            [[_("Indicator"), _("Value"), _("Unit"), _("Organizations")]]
            + [
                [
                    str(h["title"]),
                    _fmt(h["figure"]) if not h["figure"].suppressed else note,
                    h["unit"],
                    len(h["figure"].orgs),
                ]
                for h in context["headline"]
            ],
        )
    ]
    for chart in context["charts"]:
        sheets.append(
            (
                str(chart["title"]),
                [[_("Year"), _("Value"), _("Target"), _("Unit")]]
                + [
                    [
                        year,
                        "" if value is None else round(value, 4),
                        chart["targets"].get(year, ""),
                        chart["unit"],
                    ]
                    for year, value in chart["rows"]
                ],
            )
        )
    for table in context["tables"]:
        sheets.append(
            (
                str(table["title"]),
                [[_("Breakdown"), _("Value"), _("Unit"), _("Organizations")]]
                + [
                    [
                        str(r["label"]),
                        note if r["figure"].suppressed else _fmt(r["figure"]),
                        table["unit"],
                        len(r["figure"].orgs),
                    ]
                    for r in table["rows"]
                ],
            )
        )
    return sheets


def _safe(value: Any) -> Any:
    """Text a spreadsheet would read as a formula is prefixed with an apostrophe."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def export(request: HttpRequest, level: str, fmt: str) -> HttpResponse:
    """The dashboard's tables in the shape of a programme report (XLSX: one sheet per table;
    CSV: the tables one after another, each under its title)."""
    if level not in ORDER or fmt not in ("csv", "xlsx"):
        raise Http404
    if denied := _level(request, level):
        return denied
    _form, filters = _filters(request)
    context = build(request.user, level, filters)
    sheets = _export_rows(context)
    stamp = context["snapshot"].computed_at.strftime("%Y%m%d-%H%M")
    meta = [
        [_("BioProof programme indicators")],
        [_("Audience"), level],
        [_("Computed at (UTC)"), context["snapshot"].computed_at.isoformat()],
        [_("Filters"), request.GET.urlencode() or "—"],
    ]
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out)
        for row in meta:
            writer.writerow([_safe(v) for v in row])
        for title, rows in sheets:
            writer.writerow([])
            writer.writerow([_safe(title)])
            for row in rows:
                writer.writerow([_safe(v) for v in row])
        response = HttpResponse(out.getvalue().encode("utf-8-sig"), content_type="text/csv")
        response["Content-Disposition"] = f'attachment; filename="programme-{level}-{stamp}.csv"'
        return response
    if fmt != "xlsx":
        raise Http404
    from openpyxl import Workbook

    book = Workbook()
    info = book.active
    info.title = _("About")[:31]
    for row in meta:
        info.append([_safe(v) for v in row])
    for d in context["definitions"]:
        info.append([_safe(str(d.title)), _safe(str(d.formula)), d.unit, d.sources])
    used: set[str] = set()
    for i, (title, rows) in enumerate(sheets, start=1):
        name = "".join(c for c in str(title) if c not in "[]:*?/\\")[:28] or f"T{i}"
        if name in used:
            name = f"{name[:25]} {i}"
        used.add(name)
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append([_safe(v) for v in row])
    buf = io.BytesIO()
    book.save(buf)
    response = HttpResponse(
        buf.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="programme-{level}-{stamp}.xlsx"'
    return response


# --------------------------------------------------------------------------- drill-down (office)


def _records(user: Any, key: str, filters: indicators.Filters) -> tuple[Any, str]:
    """The records a figure counts, through their app's ``visible_to``."""
    from bioproof.demand.models import Adoption
    from bioproof.evaluations.models import TrackRecord
    from bioproof.training.models import Enrollment

    def years(qs: Any, field: str) -> Any:
        if filters.year_from:
            qs = qs.filter(**{f"{field}__year__gte": filters.year_from})
        if filters.year_to:
            qs = qs.filter(**{f"{field}__year__lte": filters.year_to})
        return qs

    def where(qs: Any, center: str | None, category: str | None) -> Any:
        if filters.center is not None and center:
            qs = qs.filter(**{center: filters.center})
        if filters.categories is not None and category:
            qs = qs.filter(**{f"{category}__in": filters.categories})
        return qs

    if key == "evaluations":
        qs = Evaluation.objects.visible_to(user).filter(is_current=True)
        qs = where(years(qs, "created_at"), "center_id", "product__category_id")
        return qs.select_related("product", "center").order_by("-created_at"), "evaluations"
    if key == "track_records":
        qs = TrackRecord.objects.public().filter(withdrawn_at__isnull=True)
        qs = where(
            years(qs, "published_at"), "evaluation__center_id", "evaluation__product__category_id"
        )
        return qs.select_related("evaluation__product").order_by("-published_at"), "track_records"
    if key == "adoptions":
        qs = Adoption.objects.visible_to(user)
        qs = where(years(qs, "adopted_on"), "evaluation__center_id", "product__category_id")
        return qs.select_related("product", "organization").order_by("-adopted_on"), "adoptions"
    if key == "trainees":
        qs = Enrollment.objects.visible_to(user).filter(status="confirmed")
        qs = where(years(qs, "session__starts_on"), "session__center_id", None)
        return (
            qs.select_related(
                "session__course_version__course", "organization", "trainee"
            ).order_by("-session__starts_on"),
            "trainees",
        )
    if key == "investment":
        qs = Pledge.objects.visible_to(user).filter(withdrawn_at__isnull=True)
        if filters.year_from:
            qs = qs.filter(year__gte=filters.year_from)
        if filters.year_to:
            qs = qs.filter(year__lte=filters.year_to)
        return qs.select_related("organization").order_by("-year", "code"), "investment"
    if key == "utilisation":
        from bioproof.facilities.models import Booking

        qs = Booking.objects.visible_to(user).filter(
            status__in=("confirmed", "checked_in", "completed", "released")
        )
        qs = where(years(qs, "starts_at"), "equipment__center_id", None)
        return qs.select_related("equipment", "organization").order_by("-starts_at"), "bookings"
    if key == "service_revenue":
        from bioproof.facilities.models import Invoice

        qs = Invoice.objects.visible_to(user)
        qs = where(years(qs, "issued_on"), "project__center_id", None)
        return qs.select_related("project__company").order_by("-issued_on"), "invoices"
    if key == "mrna_released":
        from bioproof.production.models import Batch, Disposition

        qs = Disposition.objects.filter(
            decision="release", batch__in=Batch.objects.visible_to(user)
        )
        qs = where(years(qs, "decided_at"), "batch__facility_id", None)
        return qs.select_related("batch__order__customer").order_by("-decided_at"), "releases"
    raise Http404


def records(request: HttpRequest, key: str) -> HttpResponse:
    if denied := _level(request, policy.OFFICE):
        return denied
    _form, filters = _filters(request)
    if key not in indicators.INDICATORS and key != "trainees":
        raise Http404
    qs, kind = _records(request.user, key, filters)
    return render(
        request,
        "programme/records.html",
        {
            # counted only as far as the numbered pages: a figure stands on up to 1M bookings
            "page": paginate(request, qs, per_page=50, bounded_count=True),
            "kind": kind,
            "indicator": indicators.INDICATORS.get(key),
            "query": request.GET.urlencode(),
        },
    )


@require_POST
def refresh(request: HttpRequest) -> HttpResponse:
    """The programme office recomputes the indicators now (through the job queue)."""
    if not is_platform_admin(request.user):
        return _denied(request, _("Only the programme office refreshes the indicators."))
    from bioproof.core import jobs

    jobs.enqueue("programme.refresh", by=request.user, key="programme.refresh")
    messages.success(request, _("The indicators are being recomputed."))
    return redirect("programme_office")


# --------------------------------------------------------------------------- targets


def targets(request: HttpRequest) -> HttpResponse:
    current = TargetSet.objects.filter(is_current=True).first()
    versions = TargetSet.objects.select_related("created_by")[:20]
    can_edit = is_platform_admin(request.user)
    item_forms = target_forms = reason_form = None
    if can_edit:
        items_initial = [
            {
                "code": i.code,
                "name_ko": i.name_ko,
                "name_en": i.name_en,
                "category": i.category.code,
                "volume_unit": i.volume_unit,
                "target_share_pct": i.target_share_pct,
                "target_year": i.target_year,
            }
            for i in (current.core_items.select_related("category") if current else [])
        ]
        targets_initial = [
            {"indicator": t.indicator, "year": t.year, "value": t.value}
            for t in (current.targets.all() if current else [])
        ]
        data = request.POST if request.method == "POST" else None
        item_forms = CoreItemFormSet(data, initial=items_initial, prefix="items")
        target_forms = TargetFormSet(data, initial=targets_initial, prefix="targets")
        reason_form = ReasonForm(data)
        if request.method == "POST":
            valid = all(f.is_valid() for f in (item_forms, target_forms, reason_form))
            if valid:
                items = [
                    {**f.cleaned_data, "category": f.cleaned_data["category"].code}
                    for f in item_forms
                    if f.cleaned_data and not f.cleaned_data.get("DELETE")
                ]
                rows = [
                    f.cleaned_data
                    for f in target_forms
                    if f.cleaned_data and not f.cleaned_data.get("DELETE")
                ]
                done = attempt(
                    request,
                    actions.publish_targets,
                    by=request.user,
                    reason=reason_form.cleaned_data["reason"],
                    items=items,
                    targets=rows,
                    form=reason_form,
                    success=_("A new version of the targets is published."),
                )
                if done is not None:
                    return redirect("programme_targets")
            else:
                for f in (reason_form, *item_forms, *target_forms):
                    form_errors(request, f)
    elif request.method == "POST":
        return _denied(request, _("Only the programme office edits the programme targets."))
    return render(
        request,
        "programme/targets.html",
        {
            "current": current,
            "items": current.core_items.select_related("category") if current else [],
            "target_rows": current.targets.all() if current else [],
            "versions": versions,
            "can_edit": can_edit,
            "item_forms": item_forms,
            "target_forms": target_forms,
            "reason_form": reason_form,
        },
    )


# --------------------------------------------------------------------------- pledges


@login_required
def pledges(request: HttpRequest) -> HttpResponse:
    user = request.user
    orgs = (
        Organization.objects.filter(is_consortium_member=True)
        if is_platform_admin(user)
        else Organization.objects.filter(pk__in=policy.member_org_ids(user))
    )
    visible = Pledge.objects.visible_to(user)
    form = PledgeForm(request.POST or None, request.FILES or None)
    form.fields["organization"].queryset = orgs.order_by("code")
    form.fields["pledge"].queryset = visible.filter(kind=Pledge.Kind.PLEDGE, withdrawn_at=None)
    if request.method == "POST":
        if not orgs.exists():
            return _denied(request, _("Only consortium members record investments."))
        if form.is_valid():
            d = form.cleaned_data
            upload = d.get("evidence")
            done = attempt(
                request,
                actions.record_pledge,
                by=user,
                organization=d["organization"],
                kind=d["kind"],
                amount_krw=d["amount_krw"],
                year=d["year"],
                site=d["site"],
                category=d["category"],
                note=d["note"],
                pledge=d.get("pledge"),
                evidence=[(upload.name, upload)] if upload else [],
                form=form,
                success=_("Recorded."),
            )
            if done is not None:
                return redirect("programme_pledges")
    qs = visible.select_related("organization", "pledge").prefetch_related("evidence")
    return render(
        request,
        "programme/pledges.html",
        {"page": paginate(request, qs), "form": form if orgs.exists() else None},
    )


@login_required
@require_POST
def withdraw(request: HttpRequest, code: str) -> HttpResponse:
    pledge = get_visible_or_404(Pledge.objects.all(), request.user, code=code)
    form = WithdrawForm(request.POST)
    if form.is_valid():
        attempt(
            request,
            actions.withdraw_pledge,
            by=request.user,
            pledge=pledge,
            reason=form.cleaned_data["reason"],
            success=_("Withdrawn."),
        )
    else:
        form_errors(request, form)
    return redirect("programme_pledges")


@login_required
@require_POST
def add_evidence(request: HttpRequest, code: str) -> HttpResponse:
    pledge = get_visible_or_404(Pledge.objects.all(), request.user, code=code)
    upload = request.FILES.get("evidence")
    if upload is None:
        messages.error(request, _("Choose a file."))
    else:
        attempt(
            request,
            actions.add_evidence,
            by=request.user,
            pledge=pledge,
            filename=upload.name,
            data=upload,
            success=_("Evidence added."),
        )
    return redirect("programme_pledges")


@login_required
def evidence(request: HttpRequest, pk: int) -> FileResponse:
    row = PledgeEvidence.objects.filter(
        pledge__in=Pledge.objects.visible_to(request.user), pk=pk
    ).first()
    if row is None:
        raise Http404
    return FileResponse(row.file.open("rb"), as_attachment=True, filename=row.filename)
