"""Pages of production: orders and constructs, batch records (step entry, second-person
verification, review), QC results, deviations, CoA and release, the public CoA verification."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bioproof.consortium.models import Organization
from bioproof.core.errors import DomainError
from bioproof.core.policy import get_visible_or_404, is_platform_admin
from bioproof.core.web import attempt, paginate
from bioproof.production import actions, policy
from bioproof.production.actions.orders import ORDER_TRANSITIONS
from bioproof.production.actions.quality import DEVIATION_TRANSITIONS
from bioproof.production.forms import ConstructForm, OrderForm, PasswordForm, QuoteForm, VerifyForm
from bioproof.production.models import (
    Batch,
    BatchStep,
    Certificate,
    Deviation,
    MaterialLot,
    MBRVersion,
    Order,
    Sample,
    SpecVersion,
    TestResult,
)
from bioproof.production.verify import public_status


def _order(request: HttpRequest, code: str) -> Order:
    return get_visible_or_404(
        Order.objects.select_related("customer", "facility"), request.user, code=code
    )


def _batch(request: HttpRequest, code: str) -> Batch:
    return get_visible_or_404(
        Batch.objects.select_related(
            "order__customer", "facility", "construct", "mbr_version__recipe"
        ),
        request.user,
        code=code,
    )


@login_required
def order_list(request: HttpRequest) -> HttpResponse:
    orders = Order.objects.visible_to(request.user).select_related("customer", "facility")
    batches = Batch.objects.visible_to(request.user).select_related("order")[:50]
    return render(
        request,
        "production/order_list.html",
        {"page": paginate(request, orders), "batches": batches},
    )


@login_required
def order_create(request: HttpRequest) -> HttpResponse:
    facilities = Organization.objects.filter(kind=Organization.Kind.CENTER)
    form = OrderForm(request.POST or None)
    form.fields["facility"].choices = [(f.code, f.name) for f in facilities]
    customer = request.user.primary_organization
    if request.method == "POST" and form.is_valid() and customer is not None:
        d = form.cleaned_data
        order = attempt(
            request,
            actions.create_order,
            by=request.user,
            customer=customer,
            facility=facilities.get(code=d["facility"]),
            title=d["title"],
            grade=d["grade"],
            deliverables=d["deliverables"].splitlines(),
            needed_by=d["needed_by"],
            form=form,
        )
        if order:
            return redirect("production_order", code=order.code)
    return render(request, "production/order_form.html", {"form": form})


def _plan_from_text(raw: str) -> list[dict[str, str]]:
    """One booking a line: ``EQUIPMENT-CODE; start; end[; operator]`` (times YYYY-MM-DD HH:MM)."""
    plan = []
    for line in str(raw).splitlines()[: actions.scheduling.MAX_PLAN + 1]:
        if not line.strip():
            continue
        parts = [p.strip() for p in line.split(";")]
        parts += [""] * (4 - len(parts))
        plan.append(
            {
                "equipment_code": parts[0],
                "starts_at": parts[1],
                "ends_at": parts[2],
                "operator": parts[3],
            }
        )
    return plan


@login_required
def order_detail(request: HttpRequest, code: str) -> HttpResponse:
    order = _order(request, code)
    form = ConstructForm(request.POST or None, request.FILES or None)
    quote = QuoteForm(request.POST or None, prefix="quote")
    action = request.POST.get("action", "")
    if request.method == "POST":
        if action == "construct" and form.is_valid():
            d = form.cleaned_data
            lipids = (
                {k: d[k] for k in ("ionizable", "helper", "cholesterol", "peg")}
                if d["formulation"] == "lnp"
                else None
            )
            if attempt(
                request,
                actions.add_construct,
                by=request.user,
                order=order,
                name=d["name"],
                filename=d["file"].name,
                data=d["file"].read(),
                enzyme=d["enzyme"],
                modification=d["modification"],
                cap_strategy=d["cap_strategy"],
                cap_reagent=d["cap_reagent"],
                quantity_mg=d["quantity_mg"],
                formulation=d["formulation"],
                lipids=lipids,
                form=form,
                success=_("Construct added."),
            ):
                return redirect("production_order", code=code)
        elif action == "submit":
            attempt(
                request,
                actions.submit_order,
                by=request.user,
                order=order,
                success=_("Order submitted."),
            )
            return redirect("production_order", code=code)
        elif action == "quote" and quote.is_valid():
            attempt(
                request,
                actions.quote_order,
                by=request.user,
                order=order,
                **quote.cleaned_data,
                success=_("Quote sent."),
            )
            return redirect("production_order", code=code)
        elif action == "start_batch":
            mbr = (
                MBRVersion.objects.visible_to(request.user)
                .filter(status="approved", pk=_int(request.POST.get("mbr")))
                .first()
            )
            construct = order.constructs.filter(pk=_int(request.POST.get("construct"))).first()
            if mbr is None or construct is None:
                messages.error(request, _("Choose an approved MBR version and a construct."))
            else:
                batch = attempt(
                    request,
                    actions.start_batch,
                    by=request.user,
                    order=order,
                    construct=construct,
                    mbr_version=mbr,
                    batch_size=request.POST.get("batch_size", ""),
                    success=_("Batch record started."),
                )
                if batch:
                    return redirect("production_batch", code=batch.code)
            return redirect("production_order", code=code)
        elif action == "schedule":
            attempt(
                request,
                actions.schedule_order,
                by=request.user,
                order=order,
                plan=_plan_from_text(request.POST.get("plan", "")),
                success=_("Equipment booked for the order."),
            )
            return redirect("production_order", code=code)
        elif action == "accept":
            attempt(
                request,
                actions.accept_quote,
                by=request.user,
                order=order,
                password=request.POST.get("password", ""),
                success=_("Quote accepted and signed."),
            )
            return redirect("production_order", code=code)
    order.refresh_from_db()
    return render(
        request,
        "production/order_detail.html",
        {
            "order": order,
            "constructs": order.constructs.all(),
            "form": form,
            "quote_form": quote,
            "password_form": PasswordForm(),
            "next": [a for a, (s, _t) in ORDER_TRANSITIONS.items() if order.status in s],
            "is_customer": policy.is_customer_staff(request.user, order),
            "is_signatory": policy.is_customer_signatory(request.user, order),
            "is_facility": policy.is_facility_staff(request.user, order.facility_id),
            "batches": order.batches.visible_to(request.user),
            "schedule": actions.scheduling.schedule_rows(request.user, order),
            "is_facility_view": policy.is_facility_member(request.user, order.facility_id)
            or is_platform_admin(request.user),
            "mbrs": MBRVersion.objects.visible_to(request.user)
            .filter(status="approved", recipe__facility_id=order.facility_id)
            .select_related("recipe"),
        },
    )


def _values_from_post(request: HttpRequest, step: BatchStep) -> dict[str, Any]:
    return {v["key"]: request.POST.get(f"v_{v['key']}", "") for v in step.definition["values"]}


@login_required
def batch_detail(request: HttpRequest, code: str) -> HttpResponse:
    batch = _batch(request, code)
    steps = list(batch.steps.select_related("operator", "verifier").prefetch_related("entries"))
    next_step = next((s for s in steps if s.status == "pending"), None)
    facility = policy.is_facility_member(request.user, batch.facility_id)
    results = (
        TestResult.objects.visible_to(request.user)
        .filter(batch=batch)
        .select_related("sample", "analyst", "verifier")
    )
    return render(
        request,
        "production/batch_detail.html",
        {
            "batch": batch,
            "steps": steps,
            "next_step": next_step,
            "facility": facility,
            "exceptions": actions.exceptions(batch) if facility else [],
            "samples": batch.samples.all() if facility else [],
            "results": results,
            "deviations": Deviation.objects.visible_to(request.user).filter(batch=batch),
            "coa": Certificate.objects.visible_to(request.user).filter(batch=batch).first(),
            "blockers": actions.release_blockers(batch) if facility else [],
            "lots": MaterialLot.objects.filter(facility_id=batch.facility_id, remaining__gt=0)
            if facility
            else [],
            "specs": SpecVersion.objects.visible_to(request.user).filter(status="approved")
            if facility
            else [],
            "password_form": PasswordForm(),
        },
    )


def _int(raw: Any) -> int:
    text = str(raw or "")
    return int(text) if text.isdigit() and len(text) < 18 else 0


def _child(queryset: Any, raw: Any) -> Any:
    """One row of a batch's children named by a posted id; 404 for anything else."""
    try:
        pk = int(str(raw))
    except (TypeError, ValueError):
        raise Http404 from None
    if not 0 < pk < 2**62:
        raise Http404
    return get_object_or_404(queryset, pk=pk)


@login_required
@require_POST
def batch_action(request: HttpRequest, code: str) -> HttpResponse:
    batch = _batch(request, code)
    action = request.POST.get("action", "")
    password = request.POST.get("password", "")
    u = request.user
    if action == "record":
        step = _child(batch.steps, request.POST.get("step"))
        materials = []
        if request.POST.get("lot"):
            lot = _child(
                MaterialLot.objects.filter(facility_id=batch.facility_id), request.POST["lot"]
            )
            materials = [{"lot": lot, "quantity": request.POST.get("lot_quantity", "")}]
        attempt(
            request,
            actions.record_step,
            by=u,
            step=step,
            values=_values_from_post(request, step),
            equipment_code=request.POST.get("equipment_code", ""),
            materials=materials,
            comment=request.POST.get("comment", ""),
            success=_("Step recorded."),
        )
    elif action == "verify":
        attempt(
            request,
            actions.verify_step,
            by=u,
            step=_child(batch.steps, request.POST.get("step")),
            password=password,
            success=_("Step verified."),
        )
    elif action == "review":
        attempt(
            request,
            actions.review_batch,
            by=u,
            batch=batch,
            password=password,
            success=_("Batch record reviewed."),
        )
    elif action == "sample":
        spec = (
            SpecVersion.objects.visible_to(u)
            .filter(status="approved", pk=_int(request.POST.get("spec")))
            .first()
        )
        if spec is None:
            messages.error(request, _("Choose an approved specification."))
        else:
            attempt(
                request,
                actions.draw_sample,
                by=u,
                batch=batch,
                spec_version=spec,
                stage=request.POST.get("stage", ""),
                success=_("Sample drawn."),
            )
    elif action == "result":
        sample = _child(batch.samples, request.POST.get("sample"))
        attempt(
            request,
            actions.enter_result,
            by=u,
            sample=sample,
            test_key=request.POST.get("test_key", ""),
            value=request.POST.get("value") or None,
            unit=request.POST.get("unit", ""),
            text_value=request.POST.get("text_value", ""),
            instrument_code=request.POST.get("instrument_code", ""),
            success=_("Result entered."),
        )
    elif action == "verify_result":
        attempt(
            request,
            actions.verify_result,
            by=u,
            result=_child(batch.results, request.POST.get("result")),
            password=password,
            success=_("Result verified."),
        )
    elif action == "coa":
        attempt(
            request,
            actions.generate_coa,
            by=u,
            batch=batch,
            verify_url=request.build_absolute_uri("/production/coa/verify/"),
            success=_("Certificate of analysis issued."),
        )
    elif action == "dispose":
        attempt(
            request,
            actions.dispose,
            by=u,
            batch=batch,
            decision=request.POST.get("decision", ""),
            password=password,
            reason=request.POST.get("reason", ""),
            success=_("Disposition signed."),
        )
    else:
        messages.error(request, _("Unknown action."))
    return redirect("production_batch", code=code)


@login_required
def deviation_detail(request: HttpRequest, code: str) -> HttpResponse:
    dev = get_visible_or_404(
        Deviation.objects.select_related("batch", "step", "result"), request.user, code=code
    )
    if request.method == "POST" and policy.is_facility_member(request.user, dev.facility_id):
        a, p = request.POST.get("action", ""), request.POST
        calls = {
            "classify": lambda: actions.classify_deviation(
                by=request.user, deviation=dev, classification=p.get("classification", "")
            ),
            "record_root_cause": lambda: actions.record_root_cause(
                by=request.user,
                deviation=dev,
                investigation=p.get("investigation", ""),
                root_cause=p.get("root_cause", ""),
            ),
            "check_effectiveness": lambda: actions.check_effectiveness(
                by=request.user, deviation=dev, effectiveness=p.get("effectiveness", "")
            ),
            "close": lambda: actions.close_deviation(
                by=request.user, deviation=dev, password=p.get("password", "")
            ),
            "assess_for_release": lambda: actions.assess_for_release(
                by=request.user, deviation=dev, assessment=p.get("assessment", "")
            ),
        }
        if a in calls:
            attempt(request, calls[a], success=_("Saved."))
        return redirect("production_deviation", code=code)
    return render(
        request,
        "production/deviation_detail.html",
        {
            "dev": dev,
            "capa": dev.actions.visible_to(request.user).select_related("owner"),
            "next": [a for a, (s, _t) in DEVIATION_TRANSITIONS.items() if dev.status in s],
            "facility": policy.is_facility_member(request.user, dev.facility_id),
        },
    )


@login_required
def coa_pdf(request: HttpRequest, code: str) -> HttpResponse:
    coa = get_visible_or_404(Certificate.objects.all(), request.user, code=code)
    return FileResponse(
        default_storage.open(coa.file, "rb"),
        as_attachment=True,
        filename=f"{coa.code}.pdf",
        content_type="application/pdf",
    )


def coa_verify(request: HttpRequest) -> HttpResponse:
    """Public: the status of a CoA, to whoever holds its verification code (nothing else)."""
    form = VerifyForm(request.GET or None)
    record = None
    code = ""
    if form.is_valid():
        code = form.cleaned_data["code"]
        record = public_status(code)
    return render(
        request,
        "production/verify.html",
        {"form": form, "record": record, "searched": form.is_bound, "code": code},
    )


__all__ = ["DomainError", "Sample"]
