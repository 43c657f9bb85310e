"""Pages of center services: the equipment registry, calendars (equipment and center; day, week,
month), booking, a booking's page with its next steps, my bookings and calendar feeds (iCal),
process-development projects, the scheduler's Gantt view and the reports."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import BooleanField, Case, Q, Value, When
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bioproof.consortium.models import Organization
from bioproof.core.errors import DomainError
from bioproof.core.policy import get_visible_or_404, is_platform_admin
from bioproof.core.web import attempt, form_errors, paginate
from bioproof.facilities import actions, calendar, feeds, policy, reporting, scheduling
from bioproof.facilities.forms import (
    BlackoutForm,
    BookingForm,
    CompleteForm,
    DecideForm,
    DeliverableForm,
    MoveForm,
    PasswordForm,
    ProjectForm,
    QuoteForm,
    ReasonForm,
    StatusForm,
    WaitlistForm,
    WorkPackageForm,
)
from bioproof.facilities.models import (
    HOLDING,
    Blackout,
    Booking,
    Equipment,
    FeedToken,
    Project,
    Quote,
    ScheduleProposal,
    WorkPackage,
)


def _denied(request: HttpRequest, message: str) -> HttpResponse:
    return render(request, "core/denied.html", {"message": message}, status=403)


def _center(code: str) -> Organization:
    return get_object_or_404(Organization, code=code, kind=Organization.Kind.CENTER)


def _day(request: HttpRequest) -> dt.date:
    try:
        return dt.date.fromisoformat(request.GET.get("date", ""))
    except ValueError:
        return timezone.localdate()


def _timeline(
    request: HttpRequest, equipment: list[Equipment], view: str, day: dt.date
) -> dict[str, Any]:
    """Rows per equipment: bookings the user may see in detail by code, others as 'booked'."""
    start, end, prev, nxt = calendar.window(view, day)
    ids = [e.pk for e in equipment]
    rows = {
        e.pk: calendar.Row(e.code, reverse("facilities_equipment", args=[e.code]))
        for e in equipment
    }
    bookings = (
        Booking.objects.filter(
            equipment_id__in=ids, status__in=HOLDING, starts_at__lt=end, ends_at__gt=start
        )
        .annotate(
            mine=Case(
                When(policy.booking_visibility(request.user), then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            )
        )
        .values_list("equipment_id", "code", "starts_at", "ends_at", "status", "mine")
    )
    booking_url = reverse("facilities_booking", args=["~code~"])  # one reverse, not thousands
    tz = timezone.get_current_timezone()
    for eq_id, code, s, e, status, mine in bookings:
        rows[eq_id].blocks.append(
            calendar.Block(
                s,
                e,
                code if mine else _("booked"),
                f"b-{status}" if mine else "b-busy",
                booking_url.replace("~code~", code) if mine else "",
                f"{code} {s.astimezone(tz):%m-%d %H:%M}–{e.astimezone(tz):%m-%d %H:%M}"
                if mine
                else _("booked"),
            )
        )
    for eq_id, s, e, reason in Blackout.objects.filter(
        equipment_id__in=ids, cancelled=False, starts_at__lt=end, ends_at__gt=start
    ).values_list("equipment_id", "starts_at", "ends_at", "reason"):
        rows[eq_id].blocks.append(calendar.Block(s, e, reason, "b-blackout", "", reason))
    return {
        "view": view if view in calendar.VIEWS else "week",
        "day": day,
        "prev": prev,
        "next": nxt,
        "start": start,
        "end": end,
        "svg_html": calendar.render(calendar.svg(list(rows.values()), start, end), _("Calendar")),
        "views": calendar.VIEWS,
    }


# ---------------------------------------------------------------------------- registry


def equipment_list(request: HttpRequest) -> HttpResponse:
    centers = Organization.objects.filter(kind=Organization.Kind.CENTER, equipment__isnull=False)
    equipment = Equipment.objects.visible_to(request.user).select_related("center", "suite")
    center = request.GET.get("center")
    if center:
        equipment = equipment.filter(center__code=center)
    return render(
        request,
        "facilities/equipment_list.html",
        {
            "page": paginate(request, equipment.order_by("center__code", "code"), 50),
            "centers": centers.distinct().order_by("code"),
            "center": center,
            "today": timezone.localdate(),
        },
    )


def equipment_detail(request: HttpRequest, code: str) -> HttpResponse:
    eq = get_visible_or_404(
        Equipment.objects.select_related("center", "suite"), request.user, code=code
    )
    is_staff = policy.is_center_staff(request.user, eq.center_id)
    ctx = {
        "eq": eq,
        "rates": eq.rates.order_by("customer_type"),
        "blackouts": eq.blackouts.filter(cancelled=False, ends_at__gte=timezone.now()),
        "is_staff": is_staff,
        "form": BookingForm(equipment=eq),
        "waitlist_form": WaitlistForm(),
        "status_form": StatusForm(initial={"status": eq.status}) if is_staff else None,
        "blackout_form": BlackoutForm() if is_staff else None,
        **_timeline(request, [eq], request.GET.get("view", "week"), _day(request)),
    }
    return render(request, "facilities/equipment_detail.html", ctx)


def center_calendar(request: HttpRequest, code: str) -> HttpResponse:
    center = _center(code)
    equipment = list(Equipment.objects.filter(center=center).order_by("code"))
    ctx = {
        "center": center,
        **_timeline(request, equipment, request.GET.get("view", "day"), _day(request)),
    }
    return render(request, "facilities/center_calendar.html", ctx)


@login_required
@require_POST
def equipment_status(request: HttpRequest, code: str) -> HttpResponse:
    eq = get_object_or_404(Equipment, code=code)
    form = StatusForm(request.POST)
    if form.is_valid():
        attempt(
            request,
            actions.set_status,
            by=request.user,
            equipment=eq,
            success=_("Status saved."),
            **form.cleaned_data,
        )
    else:
        form_errors(request, form)
    return redirect("facilities_equipment", code)


@login_required
@require_POST
def blackout_add(request: HttpRequest, code: str) -> HttpResponse:
    eq = get_object_or_404(Equipment, code=code)
    form = BlackoutForm(request.POST)
    if form.is_valid():
        attempt(
            request,
            actions.add_blackout,
            by=request.user,
            equipment=eq,
            success=_("Blackout added."),
            **form.cleaned_data,
        )
    else:
        form_errors(request, form)
    return redirect("facilities_equipment", code)


# ---------------------------------------------------------------------------- bookings


@login_required
@require_POST
def booking_create(request: HttpRequest, code: str) -> HttpResponse:
    eq = get_visible_or_404(Equipment.objects.select_related("center"), request.user, code=code)
    form = BookingForm(request.POST, equipment=eq)
    if form.is_valid():
        data = dict(form.cleaned_data)
        repeat = data.pop("repeat_weeks") or 1
        if repeat > 1:
            made = attempt(
                request, actions.book_recurring, by=request.user, equipment=eq, count=repeat, **data
            )
            if made:
                messages.success(request, _("%(n)d bookings made.") % {"n": len(made)})
                return redirect("facilities_booking", made[0].code)
        else:
            booking = attempt(request, actions.book, by=request.user, equipment=eq, **data)
            if booking:
                messages.success(request, _("Booked: %(code)s") % {"code": booking.code})
                return redirect("facilities_booking", booking.code)
    else:
        form_errors(request, form)
    return redirect("facilities_equipment", code)


@login_required
@require_POST
def waitlist_join(request: HttpRequest, code: str) -> HttpResponse:
    eq = get_visible_or_404(Equipment.objects.all(), request.user, code=code)
    form = WaitlistForm(request.POST)
    if form.is_valid():
        attempt(
            request,
            actions.join_waitlist,
            by=request.user,
            equipment=eq,
            success=_("You will be told if the slot frees."),
            **form.cleaned_data,
        )
    else:
        form_errors(request, form)
    return redirect("facilities_equipment", code)


def _booking(request: HttpRequest, code: str) -> Booking:
    return get_visible_or_404(
        Booking.objects.select_related("equipment__center", "organization", "user", "staff"),
        request.user,
        code=code,
    )


@login_required
def booking_detail(request: HttpRequest, code: str) -> HttpResponse:
    b = _booking(request, code)
    is_staff = policy.is_center_staff(request.user, b.equipment.center_id)
    return render(
        request,
        "facilities/booking_detail.html",
        {
            "b": b,
            "is_staff": is_staff,
            "may_change": policy.may_change_booking(request.user, b),
            "move_form": MoveForm(
                initial={
                    "starts_at": timezone.localtime(b.starts_at),
                    "ends_at": timezone.localtime(b.ends_at),
                }
            ),
            "reason_form": ReasonForm(),
            "decide_form": DecideForm(center_id=b.equipment.center_id) if is_staff else None,
        },
    )


@login_required
@require_POST
def booking_action(request: HttpRequest, code: str, op: str) -> HttpResponse:
    b = _booking(request, code)
    by = request.user
    if op == "move":
        form = MoveForm(request.POST)
        if not form.is_valid():
            form_errors(request, form)
            return redirect("facilities_booking", code)
        attempt(
            request,
            actions.move_booking,
            by=by,
            booking=b,
            success=_("Moved."),
            **form.cleaned_data,
        )
    elif op == "cancel":
        reason = request.POST.get("reason", "")
        attempt(
            request,
            actions.cancel_booking,
            by=by,
            booking=b,
            reason=reason,
            success=_("Cancelled."),
        )
    elif op in ("approve", "reject"):
        form = DecideForm(request.POST, center_id=b.equipment.center_id)
        form.is_valid()
        attempt(
            request,
            actions.decide_booking,
            by=by,
            booking=b,
            approve=op == "approve",
            reason=form.cleaned_data.get("reason", ""),
            staff=form.cleaned_data.get("staff"),
            success=_("Approved.") if op == "approve" else _("Rejected."),
        )
    elif op == "check-in":
        attempt(request, actions.check_in, by=by, booking=b, success=_("Checked in."))
    elif op == "complete":
        attempt(request, actions.complete, by=by, booking=b, success=_("Use recorded."))
    else:
        raise Http404(op)
    return redirect("facilities_booking", code)


@login_required
def my_bookings(request: HttpRequest) -> HttpResponse:
    mine = (
        Booking.objects.filter(
            Q(user=request.user) | Q(booked_by=request.user) | Q(staff=request.user)
        )
        .select_related("equipment", "organization")
        .order_by("-starts_at")
    )
    pending = Booking.objects.none()
    center_ids = [
        o for o in request.user.organization_ids if policy.is_center_staff(request.user, o)
    ]
    if center_ids:
        pending = (
            Booking.objects.filter(equipment__center_id__in=center_ids, status="requested")
            .select_related("equipment", "organization")
            .order_by("starts_at")
        )
    feeds_qs = FeedToken.objects.filter(owner=request.user, revoked_at__isnull=True).select_related(
        "equipment", "center"
    )
    return render(
        request,
        "facilities/my_bookings.html",
        {
            "page": paginate(request, mine, 30),
            "pending": pending,
            "feeds": feeds_qs,
            "new_feed_url": request.session.pop("facilities_new_feed", ""),
        },
    )


# ---------------------------------------------------------------------------- iCal feeds


@login_required
@require_POST
def feed_create(request: HttpRequest) -> HttpResponse:
    scope = request.POST.get("scope", "user")
    eq = Equipment.objects.filter(code=request.POST.get("equipment", "")).first()
    center = Organization.objects.filter(code=request.POST.get("center", "")).first()
    made = attempt(
        request, actions.create_feed, by=request.user, scope=scope, equipment=eq, center=center
    )
    if made:
        _feed, token = made
        request.session["facilities_new_feed"] = request.build_absolute_uri(
            reverse("facilities_feed", args=[token])
        )
        messages.success(
            request, _("Calendar feed created: copy its address now, it is shown once.")
        )
    return redirect("facilities_my")


@login_required
@require_POST
def feed_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    feed = get_object_or_404(FeedToken, pk=pk, owner=request.user)
    attempt(request, actions.revoke_feed, by=request.user, feed=feed, success=_("Feed revoked."))
    return redirect("facilities_my")


def feed(request: HttpRequest, token: str) -> HttpResponse:
    body = feeds.render_token(token)
    if body is None:
        raise Http404("feed")
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="bioproof.ics"'
    return response


# ---------------------------------------------------------------------------- projects


@login_required
def project_list(request: HttpRequest) -> HttpResponse:
    projects = Project.objects.visible_to(request.user).select_related("company", "center")
    return render(
        request,
        "facilities/project_list.html",
        {"page": paginate(request, projects, 30), "form": ProjectForm()},
    )


@login_required
@require_POST
def project_request(request: HttpRequest) -> HttpResponse:
    form = ProjectForm(request.POST)
    company = request.user.primary_organization
    if form.is_valid():
        project = attempt(
            request,
            actions.request_project,
            by=request.user,
            company=company,
            form=form,
            **form.cleaned_data,
        )
        if project:
            return redirect("facilities_project", project.code)
    form_errors(request, form)
    return redirect("facilities_projects")


def _project(request: HttpRequest, code: str) -> Project:
    return get_visible_or_404(
        Project.objects.select_related("company", "center"), request.user, code=code
    )


@login_required
def project_detail(request: HttpRequest, code: str) -> HttpResponse:
    p = _project(request, code)
    quotes = list(p.quotes.prefetch_related("lines").order_by("-version"))
    return render(
        request,
        "facilities/project_detail.html",
        {
            "p": p,
            "quotes": quotes,
            "is_center": policy.is_center_staff(request.user, p.center_id),
            "may_accept": policy.may_accept_quote(request.user, p),
            "work_packages": p.work_packages.prefetch_related("predecessors"),
            "bookings": p.bookings.select_related("equipment").order_by("starts_at"),
            "deliverables": p.deliverables.all(),
            "invoice": getattr(p, "invoice", None) if hasattr(p, "invoice") else None,
            "quote_form": QuoteForm(),
            "password_form": PasswordForm(),
            "wp_form": WorkPackageForm(),
            "deliverable_form": DeliverableForm(),
            "complete_form": CompleteForm(),
        },
    )


def parse_quote_lines(text: str) -> list[dict[str, Any]]:
    """``kind | equipment code or description | quantity | unit | unit price or 'assisted'``."""
    out = []
    for n, raw in enumerate(text.splitlines(), 1):
        if not raw.strip():
            continue
        parts = [p.strip() for p in raw.split("|")]
        if len(parts) < 4:
            raise DomainError(
                _("Line %(n)d: write kind | item | quantity | unit | price.") % {"n": n},
                field="lines",
            )
        kind, item, qty, unit = parts[:4]
        extra = parts[4] if len(parts) > 4 else ""
        line: dict[str, Any] = {"kind": kind, "quantity": qty, "unit": unit}
        if kind == "equipment":
            line.update(equipment=item, assisted=extra.lower() == "assisted")
        else:
            line.update(description=item, unit_price_krw=extra)
        out.append(line)
    return out


@login_required
@require_POST
def project_action(request: HttpRequest, code: str, op: str) -> HttpResponse:
    p = _project(request, code)
    by = request.user
    if op == "quote":
        form = QuoteForm(request.POST)
        if form.is_valid():
            try:
                lines = parse_quote_lines(form.cleaned_data["lines"])
            except DomainError as exc:
                messages.error(request, exc.message)
            else:
                attempt(
                    request,
                    actions.draft_quote,
                    by=by,
                    project=p,
                    lines=lines,
                    funding_line=form.cleaned_data["funding_line"],
                    customer_type=form.cleaned_data["customer_type"] or None,
                    valid_until=form.cleaned_data["valid_until"],
                    success=_("Quote drafted."),
                )
        else:
            form_errors(request, form)
    elif op in ("send", "accept"):
        quote = get_object_or_404(Quote, project=p, version=request.POST.get("version"))
        if op == "send":
            attempt(request, actions.send_quote, by=by, quote=quote, success=_("Quote sent."))
        else:
            attempt(
                request,
                actions.accept_quote,
                by=by,
                quote=quote,
                password=request.POST.get("password", ""),
                success=_("Quote accepted and signed."),
            )
    elif op == "work-package":
        form = WorkPackageForm(request.POST)
        if form.is_valid():
            preds = WorkPackage.objects.filter(
                project=p, position__in=request.POST.getlist("predecessors")
            )
            attempt(
                request,
                actions.add_work_package,
                by=by,
                project=p,
                predecessors=list(preds),
                success=_("Work package added."),
                **form.cleaned_data,
            )
        else:
            form_errors(request, form)
    elif op == "deliverable":
        form = DeliverableForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            attempt(
                request,
                actions.add_deliverable,
                by=by,
                project=p,
                title=form.cleaned_data["title"],
                filename=upload.name,
                data=upload,
                success=_("Deliverable added."),
            )
        else:
            form_errors(request, form)
    elif op == "complete":
        form = CompleteForm(request.POST)
        if form.is_valid():
            attempt(
                request,
                actions.complete_project,
                by=by,
                project=p,
                summary=form.cleaned_data["summary"],
                success=_("Project completed; invoice issued."),
            )
        else:
            form_errors(request, form)
    else:
        raise Http404(op)
    return redirect("facilities_project", code)


@login_required
def deliverable_download(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    from django.http import FileResponse

    p = _project(request, code)
    d = get_object_or_404(p.deliverables, pk=pk)
    return FileResponse(d.file.open("rb"), as_attachment=True, filename=d.filename)


# ---------------------------------------------------------------------------- scheduler


@login_required
def schedule(request: HttpRequest, code: str) -> HttpResponse:
    center = _center(code)
    if not (policy.is_center_staff(request.user, center) or is_platform_admin(request.user)):
        return _denied(request, _("Only the center's staff plan its schedule."))
    if request.method == "POST":
        proposal = attempt(request, scheduling.propose, by=request.user, center=center)
        if proposal:
            return redirect("facilities_proposal", code, proposal.pk)
    return render(
        request,
        "facilities/schedule.html",
        {
            "center": center,
            "open": scheduling.open_work_packages(center),
            "proposals": ScheduleProposal.objects.visible_to(request.user).filter(center=center)[
                :10
            ],
        },
    )


@login_required
def proposal_detail(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    center = _center(code)
    proposal = get_visible_or_404(
        ScheduleProposal.objects.all(), request.user, pk=pk, center=center
    )
    wps = {
        w.pk: w
        for w in WorkPackage.objects.filter(
            pk__in=[a["work_package"] for a in proposal.assignments]
        ).select_related("project")
    }
    eqs = {e.pk: e for e in Equipment.objects.filter(center=center)}
    if request.method == "POST":
        adjustments = {
            wp_id: request.POST.get(f"start_{wp_id}", "").strip() or None for wp_id in wps
        }
        original = {
            a["work_package"]: timezone.localtime(dt.datetime.fromisoformat(a["start"])).strftime(
                "%Y-%m-%dT%H:%M"
            )
            for a in proposal.assignments
        }
        adjustments = {k: v for k, v in adjustments.items() if v and v != original.get(k)}
        made = attempt(
            request, scheduling.commit, by=request.user, proposal=proposal, adjustments=adjustments
        )
        if made is not None:
            messages.success(request, _("%(n)d bookings made.") % {"n": len(made)})
            return redirect("facilities_center_calendar", code)
    items = sorted(proposal.assignments, key=lambda a: a["start"])
    rows: dict[int, calendar.Row] = {}
    table = []
    for a in items:
        s, e = dt.datetime.fromisoformat(a["start"]), dt.datetime.fromisoformat(a["end"])
        wp, eq = wps.get(a["work_package"]), eqs.get(a["equipment"])
        if wp is None or eq is None:
            continue
        rows.setdefault(eq.pk, calendar.Row(eq.code))
        rows[eq.pk].blocks.append(
            calendar.Block(
                s, e, str(wp), "b-late" if a["lateness_h"] else "b-proposed", "", f"{wp} {wp.title}"
            )
        )
        table.append(
            {
                "a": a,
                "wp": wp,
                "eq": eq,
                "start": timezone.localtime(s),
                "end": timezone.localtime(e),
            }
        )
    svg = None
    if items:
        start = min(dt.datetime.fromisoformat(a["start"]) for a in items)
        end = max(dt.datetime.fromisoformat(a["end"]) for a in items)
        svg = calendar.render(
            calendar.svg(
                sorted(rows.values(), key=lambda r: r.label), start, end + dt.timedelta(hours=1)
            ),
            _("Gantt"),
        )
    gap = 0.0
    if proposal.objective_hours > 0:
        gap = (proposal.objective_hours - proposal.bound_hours) / proposal.objective_hours
    return render(
        request,
        "facilities/proposal.html",
        {
            "center": center,
            "proposal": proposal,
            "table": table,
            "svg_html": svg,
            "gap_pct": round(gap * 100, 1),
        },
    )


# ---------------------------------------------------------------------------- reports


@login_required
def reports(request: HttpRequest, code: str) -> HttpResponse:
    center = _center(code)
    if not (policy.is_center_staff(request.user, center) or is_platform_admin(request.user)):
        return _denied(request, _("Only the center's staff see its reports."))
    year = int(request.GET.get("year") or timezone.localdate().year)
    util = reporting.utilisation(center, year)
    revenue = reporting.revenue(center, year)
    if request.GET.get("format") == "xlsx":
        data = reporting.xlsx(center, year, util, revenue)
        response = HttpResponse(
            data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
        response["Content-Disposition"] = (
            f'attachment; filename="facilities-{center.code}-{year}.xlsx"'
        )
        return response
    return render(
        request,
        "facilities/reports.html",
        {"center": center, "year": year, "util": util, "revenue": revenue},
    )
