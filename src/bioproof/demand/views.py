"""Pages of the demand side: needs, matching, proposals, adoptions, product documents."""

from __future__ import annotations

import functools
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bioproof.catalog.models import Category, Product
from bioproof.consortium.models import Organization
from bioproof.core.errors import DomainError
from bioproof.core.exports import filtered_list
from bioproof.core.policy import get_visible_or_404, is_platform_admin, org_ids
from bioproof.core.web import attempt, form_errors
from bioproof.demand import actions, matching, policy, rules
from bioproof.demand.filters import (
    ADOPTION_COLUMNS,
    NEED_COLUMNS,
    PROPOSAL_COLUMNS,
    AdoptionFilter,
    NeedFilter,
    ProposalFilter,
)
from bioproof.demand.forms import (
    AdoptionForm,
    AttachmentForm,
    DocumentForm,
    NeedCriterionFormSet,
    NeedForm,
    ProposalForm,
    ReasonForm,
    TailoredEvaluationForm,
)
from bioproof.demand.models import (
    Adoption,
    Need,
    ProductDocument,
    Proposal,
    ProposalAttachment,
)


def _denied(request: HttpRequest, message: str) -> HttpResponse:
    return render(request, "core/denied.html", {"message": message}, status=403)


def _demand_org(request: HttpRequest) -> Organization | None:
    """The user's demand company in which they are staff (or None)."""
    user = request.user
    if not user.is_authenticated:
        return None
    for org in Organization.objects.filter(
        pk__in=org_ids(user), kind=Organization.Kind.DEMAND
    ).order_by("pk"):
        if policy.is_demand_staff(user, org):
            return org
    return None


def _get_need(request: HttpRequest, code: str) -> Need:
    return get_visible_or_404(
        Need.objects.select_related("organization", "category", "posted_by"),
        request.user,
        code=code,
    )


def _get_proposal(request: HttpRequest, pk: int) -> Proposal:
    return get_visible_or_404(
        Proposal.objects.select_related(
            "need__organization", "need__category", "product__supplier"
        ),
        request.user,
        pk=pk,
    )


def need_list(request: HttpRequest) -> HttpResponse:
    needs = Need.objects.visible_to(request.user).select_related("organization", "category")
    mine = request.GET.get("mine") == "1" and request.user.is_authenticated
    if mine:
        needs = needs.filter(organization_id__in=org_ids(request.user))
    filterset, page, export = filtered_list(
        request, NeedFilter, needs, columns=NEED_COLUMNS, filename="needs"
    )
    if export is not None:
        return export
    return render(
        request,
        "demand/need_list.html",
        {
            "page": page,
            "filter": filterset,
            "mine": mine,
            "can_post": _demand_org(request) is not None,
        },
    )


@login_required
def need_create(request: HttpRequest) -> HttpResponse:
    organization = _demand_org(request)
    if organization is None:
        return _denied(request, _("Only demand companies' staff post needs."))
    form = NeedForm(request.POST or None)
    # the picker's rows; a post without them (a script, an older page) gives criteria as text
    picked = request.method != "POST" or "criteria-TOTAL_FORMS" in request.POST
    picker = NeedCriterionFormSet(
        request.POST if request.method == "POST" and picked else None, prefix="criteria"
    )
    if request.method == "POST" and form.is_valid() & (not picked or picker.is_valid()):
        d = form.cleaned_data
        try:
            specs = rules.parse_spec_lines(d["required_specs"])
            # criteria picked from the KPIs, then any typed as text; clean_criteria refuses a
            # KPI given twice with the same comparison
            criteria = [c for f in picker.forms if picked and (c := f.criterion())]
            criteria += rules.parse_criterion_lines(d["criteria"])
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            need = attempt(
                request,
                actions.post_need,
                form=form,
                by=request.user,
                organization=organization,
                title=d["title"],
                category=d["category"],
                incumbent=d["incumbent"],
                description=d["description"],
                organism=d["organism"],
                scale=d["scale"],
                mode=d["mode"],
                required_specs=specs,
                criteria=criteria,
                yearly_volume=d["yearly_volume"],
                volume_unit=d["volume_unit"],
                yearly_value_krw=d["yearly_value_krw"],
                deadline=d["deadline"],
                visibility=d["visibility"],
                success=_("Need posted."),
            )
            if need is not None:
                return redirect("need_detail", code=need.code)
    return render(
        request,
        "demand/need_form.html",
        {
            "form": form,
            "picker": picker,
            "categories": Category.objects.select_related("parent"),
        },
    )


def _spec_rows(need: Need) -> list[dict[str, Any]]:
    fields = rules.spec_fields(need.category)
    rows = []
    for s in need.required_specs:
        f = fields.get(s["key"], [s["key"], "", "", "", ""])
        label = matching.SpecCheck(
            s["key"], s["comparison"], s["value"], None, "", f[1], f[2]
        ).label
        rows.append(
            {
                "label": label,
                "key": s["key"],
                "comparison": s["comparison"],
                "value": s["value"],
                "unit": f[4],
            }
        )
    return rows


def need_detail(request: HttpRequest, code: str) -> HttpResponse:
    need = _get_need(request, code)
    user = request.user
    manages = policy.can_manage_need(user, need)
    proposals = (
        Proposal.objects.visible_to(user)
        .filter(need=need)
        .select_related("product__supplier", "evaluation")
        .prefetch_related("attachments")
        .order_by("-created_at", "-id")
    )
    context: dict[str, Any] = {
        "attachment_form": AttachmentForm(),
        "supplier_orgs": set(getattr(user, "organization_ids", None) or []),
        "need": need,
        "spec_rows": _spec_rows(need),
        "manages": manages,
        "proposals": proposals,
        "decline_form": ReasonForm(),
    }
    if manages or is_platform_admin(user):
        # the rendered table is kept while what it shows is unchanged (the template's cache
        # tag, keyed on the state version); the matches are computed only when it is not
        context["matches_version"] = matching.page_version()
        context["matches"] = functools.cache(
            lambda: matching.candidates(need, limit=50, cache=True)
        )
    if user.is_authenticated and need.status == Need.Status.OPEN:
        form = ProposalForm(user=user)
        if form.fields["product"].queryset.exists():
            context["proposal_form"] = form
    return render(request, "demand/need_detail.html", context)


@login_required
@require_POST
def need_propose(request: HttpRequest, code: str) -> HttpResponse:
    need = _get_need(request, code)
    form = ProposalForm(request.POST, user=request.user)
    if form.is_valid():
        attempt(
            request,
            actions.submit_proposal,
            by=request.user,
            need=need,
            product=form.cleaned_data["product"],
            message=form.cleaned_data["message"],
            success=_("Proposal sent to the demand company."),
        )
    else:
        form_errors(request, form)
    return redirect("need_detail", code=need.code)


@login_required
@require_POST
def need_invite(request: HttpRequest, code: str) -> HttpResponse:
    need = _get_need(request, code)
    product = (
        Product.objects.visible_to(request.user)
        .filter(code=(request.POST.get("product") or "").strip())
        .first()
    )
    if product is None:
        messages.error(request, _("Choose a listed product to invite."))
    else:
        attempt(
            request,
            actions.invite_supplier,
            by=request.user,
            need=need,
            product=product,
            message=request.POST.get("message", ""),
            success=_("The supplier was invited to propose %(code)s.") % {"code": product.code},
        )
    return redirect("need_detail", code=need.code)


@login_required
@require_POST
def need_close(request: HttpRequest, code: str) -> HttpResponse:
    need = _get_need(request, code)
    attempt(
        request,
        actions.close_need,
        by=request.user,
        need=need,
        reason=request.POST.get("reason", ""),
        success=_("Need closed."),
    )
    return redirect("need_detail", code=need.code)


@login_required
def proposal_list(request: HttpRequest) -> HttpResponse:
    proposals = Proposal.objects.visible_to(request.user).select_related(
        "need__organization", "product__supplier", "evaluation", "supplier"
    )
    filterset, page, export = filtered_list(
        request, ProposalFilter, proposals, columns=PROPOSAL_COLUMNS, filename="proposals"
    )
    if export is not None:
        return export
    return render(request, "demand/proposal_list.html", {"page": page, "filter": filterset})


@login_required
@require_POST
def proposal_accept(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = _get_proposal(request, pk)
    attempt(
        request,
        actions.accept_proposal,
        by=request.user,
        proposal=proposal,
        reason=request.POST.get("reason", ""),
        success=_("Proposal accepted. You can now request a demand-tailored evaluation."),
    )
    return redirect("need_detail", code=proposal.need.code)


@login_required
@require_POST
def proposal_decline(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = _get_proposal(request, pk)
    attempt(
        request,
        actions.decline_proposal,
        by=request.user,
        proposal=proposal,
        reason=request.POST.get("reason", ""),
        success=_("Proposal declined."),
    )
    return redirect("need_detail", code=proposal.need.code)


@login_required
def proposal_evaluate(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = _get_proposal(request, pk)
    need = proposal.need
    if not policy.can_manage_need(request.user, need):
        return _denied(
            request, _("Only the company that posted the need may request its evaluation.")
        )
    form = TailoredEvaluationForm(
        request.POST or None,
        initial={
            "title": f"{need.code} {proposal.product.name}",
            "scale": need.scale,
            "process_context": need.process_context,
        },
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        margin = d["titer_margin_pct"]
        evaluation = attempt(
            request,
            actions.request_tailored_evaluation,
            form=form,
            by=request.user,
            proposal=proposal,
            center=d["center"],
            title=d["title"],
            scale=d["scale"],
            process_context=d["process_context"],
            titer_margin=None if margin is None else margin / 100,
        )
        if evaluation is not None:
            messages.success(
                request,
                _("Demand-tailored evaluation %(code)s requested at %(center)s.")
                % {"code": evaluation.code, "center": d["center"].name},
            )
            return redirect("need_detail", code=need.code)
    return render(
        request, "demand/evaluation_form.html", {"form": form, "proposal": proposal, "need": need}
    )


@login_required
def adoption_list(request: HttpRequest) -> HttpResponse:
    adoptions = Adoption.objects.visible_to(request.user).select_related(
        "organization", "product__supplier", "need", "evaluation"
    )
    filterset, page, export = filtered_list(
        request, AdoptionFilter, adoptions, columns=ADOPTION_COLUMNS, filename="adoptions"
    )
    if export is not None:
        return export
    return render(
        request,
        "demand/adoption_list.html",
        {"page": page, "filter": filterset, "can_record": _demand_org(request) is not None},
    )


@login_required
def adoption_create(request: HttpRequest) -> HttpResponse:
    from bioproof.evaluations.models import Evaluation

    organization = _demand_org(request)
    if organization is None:
        return _denied(request, _("Only demand companies' staff record adoptions."))
    form = AdoptionForm(
        request.POST or None,
        organization=organization,
        initial={"product": request.GET.get("product", ""), "need": request.GET.get("need")},
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        product = Product.objects.visible_to(request.user).filter(code=d["product"].strip()).first()
        evaluation = None
        if d["evaluation"]:
            evaluation = (
                Evaluation.objects.filter(code=d["evaluation"].strip().upper(), is_current=True)
                .select_related("product")
                .first()
            )
        if product is None:
            form.add_error("product", _("No listed product has this code."))
        elif d["evaluation"] and evaluation is None:
            # the same words as for somebody else's evaluation: no way to probe which exist
            form.add_error("evaluation", actions.EVALUATION_NOT_ELIGIBLE)
        else:
            adoption = attempt(
                request,
                actions.record_adoption,
                form=form,
                by=request.user,
                organization=organization,
                product=product,
                adopted_on=d["adopted_on"],
                yearly_volume=d["yearly_volume"],
                volume_unit=d["volume_unit"],
                yearly_value_krw=d["yearly_value_krw"],
                note=d["note"],
                need=d["need"],
                evaluation=evaluation,
                success=_("Adoption recorded."),
            )
            if adoption is not None:
                return redirect("adoption_list")
    return render(request, "demand/adoption_form.html", {"form": form})


def product_documents(request: HttpRequest, code: str) -> HttpResponse:
    product = get_visible_or_404(
        Product.objects.select_related("supplier", "category"), request.user, code=code
    )
    can_upload = policy.is_supplier_staff(request.user, product.supplier_id)
    form = DocumentForm(request.POST or None, request.FILES or None) if can_upload else None
    if request.method == "POST":
        if not can_upload:
            raise PermissionDenied
        if form.is_valid():
            upload = form.cleaned_data["file"]
            document = attempt(
                request,
                actions.upload_product_document,
                form=form,
                by=request.user,
                product=product,
                kind=form.cleaned_data["kind"],
                title=form.cleaned_data["title"],
                filename=upload.name,
                data=upload,
                success=_("Document uploaded."),
            )
            if document is not None:
                return redirect("product_documents", code=product.code)
    documents = ProductDocument.objects.visible_to(request.user).filter(product=product)
    return render(
        request,
        "demand/product_documents.html",
        {"product": product, "documents": documents.select_related("uploaded_by"), "form": form},
    )


def document_download(request: HttpRequest, code: str, pk: int) -> FileResponse:
    document = get_object_or_404(
        ProductDocument.objects.visible_to(request.user), pk=pk, product__code=code
    )
    return FileResponse(document.file.open("rb"), as_attachment=True, filename=document.filename)


@login_required
@require_POST
def proposal_attach(request: HttpRequest, pk: int) -> HttpResponse:
    """The proposing supplier attaches a CoA, SDS or quote to its proposal."""
    proposal = get_object_or_404(Proposal.objects.visible_to(request.user), pk=pk)
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        attempt(
            request,
            actions.attach_to_proposal,
            by=request.user,
            proposal=proposal,
            kind=form.cleaned_data["kind"],
            title=form.cleaned_data["title"],
            filename=upload.name,
            data=upload,
            success=_("Document attached."),
        )
    else:
        form_errors(request, form)
    return redirect(reverse("need_detail", args=[proposal.need.code]) + "#proposals")


@login_required
def proposal_attachment_download(request: HttpRequest, pk: int, attachment_id: int) -> FileResponse:
    """Whoever sees the proposal (its supplier, the demand company) downloads its documents."""
    proposal = get_object_or_404(Proposal.objects.visible_to(request.user), pk=pk)
    attachment = get_object_or_404(ProposalAttachment, pk=attachment_id, proposal=proposal)
    return FileResponse(
        attachment.file.open("rb"), as_attachment=True, filename=attachment.filename
    )
