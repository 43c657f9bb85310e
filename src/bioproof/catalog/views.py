from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models import Exists, OuterRef
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bioproof.catalog import actions
from bioproof.catalog.filters import COLUMNS, ProductFilter
from bioproof.catalog.forms import CategoryForm, ProductForm, UnlistForm
from bioproof.catalog.models import Category, Product
from bioproof.catalog.policy import can_manage_product
from bioproof.consortium.models import Organization
from bioproof.core import versions
from bioproof.core.exports import filtered_list
from bioproof.core.policy import get_visible_or_404, is_platform_admin
from bioproof.core.web import attempt, form_errors
from bioproof.demand.models import Need
from bioproof.evaluations.models import Evaluation, TrackRecord


def product_list(request: HttpRequest) -> HttpResponse:
    """The catalog. For anonymous visitors (listed products only: the same list for all) the
    body is rendered once per state of the tables it shows, language and address
    (:mod:`bioproof.core.versions`) and kept until one of them changes; a signed-in user also
    sees the unlisted products their organization may see, rendered for them."""
    if request.GET.get("export"):
        export = _product_page(request)[2]
        if export is not None:
            return export
    if request.user.is_authenticated:
        body = _product_body(request)
    else:
        tables = (Product, Organization, Category)
        body = versions.for_address("products", request, tables, lambda: _product_body(request))
    return render(request, "catalog/product_list.html", {"body": mark_safe(body)})


def _product_page(request: HttpRequest) -> tuple[Any, Any, HttpResponse | None]:
    products = Product.objects.visible_to(request.user).select_related("supplier", "category")
    return filtered_list(request, ProductFilter, products, columns=COLUMNS, filename="products")


def _product_body(request: HttpRequest) -> str:
    filterset, page, _export = _product_page(request)
    return render_to_string(
        "catalog/_product_list_body.html", {"page": page, "filter": filterset}, request
    )


def product_detail(request: HttpRequest, code: str) -> HttpResponse:
    """A product's page. For anonymous visitors (listed products only) it is rendered once per
    state of the tables it shows and language (:mod:`bioproof.core.versions`); a signed-in user
    may manage it or see it unlisted: rendered for them."""
    if request.user.is_authenticated:
        title, body = _product_detail_parts(request, code)
    else:
        title, body = versions.for_address(
            f"product:{code}",
            request,
            PRODUCT_DETAIL_TABLES,
            lambda: _product_detail_parts(request, code),
        )
    return render(request, "catalog/product_detail.html", {"title": title, "body": mark_safe(body)})


# every table the page reads (the need: a confidential need's scale is not shown)
PRODUCT_DETAIL_TABLES = (Product, Organization, Category, Evaluation, TrackRecord, Need)


def _product_detail_parts(request: HttpRequest, code: str) -> tuple[str, str]:
    """The page's title and body; ``Http404`` when the product is not visible (never kept)."""
    product = get_visible_or_404(
        Product.objects.select_related("supplier", "category"), request.user, code=code
    )
    fields = {f[0]: f for f in product.category.spec_fields}
    lang_en = (request.LANGUAGE_CODE or "ko").startswith("en")
    specs = [
        (fields[k][1] if lang_en else fields[k][2]) if k in fields else k for k in product.specs
    ]
    spec_rows = [
        (label, v, fields.get(k, ("", "", "", "", ""))[4])
        for label, (k, v) in zip(specs, product.specs.items(), strict=True)
    ]
    body = render_to_string(
        "catalog/_product_detail_body.html",
        {
            "product": product,
            "spec_rows": spec_rows,
            "can_manage": can_manage_product(request.user, product.supplier_id),
            "track_records": product.evaluations.filter(
                Exists(TrackRecord.objects.public().filter(evaluation_id=OuterRef("pk")))
            ).select_related("center", "need"),
        },
        request,
    )
    return str(product.name), body


def _supplier_or_denied(request: HttpRequest) -> Organization | HttpResponse:
    supplier = request.user.primary_organization
    if supplier is None or supplier.kind != Organization.Kind.SUPPLIER:
        return render(
            request,
            "core/denied.html",
            {"message": _("Only supplier organizations register products.")},
            status=403,
        )
    return supplier


def _chosen_category(request: HttpRequest) -> Category | None:
    """The category of the form: posted, or chosen by ``?category=<code or id>``."""
    raw = request.POST.get("category") or request.GET.get("category") or ""
    leaves = Category.objects.filter(parent__isnull=False)
    if raw.isdigit():
        return leaves.filter(pk=int(raw)).first()
    return leaves.filter(code=raw).first() if raw else None


@login_required
def product_create(request: HttpRequest) -> HttpResponse:
    """Register a product: choose the category, then fill its specification fields."""
    supplier = _supplier_or_denied(request)
    if isinstance(supplier, HttpResponse):
        return supplier
    category = _chosen_category(request)
    form = ProductForm(request.POST or None, category=category)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        product = attempt(
            request,
            actions.register_product,
            form=form,
            by=request.user,
            supplier=supplier,
            category=d["category"],
            name_ko=d["name_ko"],
            name_en=d["name_en"],
            model_number=d["model_number"],
            description=d["description"],
            specs=form.specs(),
            listed=d["listed"],
            success=_("Product registered."),
        )
        if product is not None:
            return redirect("product_detail", code=product.code)
    return render(
        request,
        "catalog/product_form.html",
        {
            "form": form,
            "category": category,
            "categories": Category.objects.filter(parent__isnull=False),
        },
    )


@login_required
def product_edit(request: HttpRequest, code: str) -> HttpResponse:
    """The supplier edits its product (names, description, specification fields)."""
    product = get_visible_or_404(
        Product.objects.select_related("category"), request.user, code=code
    )
    if not can_manage_product(request.user, product.supplier_id):
        return render(
            request,
            "core/denied.html",
            {"message": _("You do not manage this product.")},
            status=403,
        )
    form = ProductForm(
        request.POST or None,
        category=product.category,
        editing=True,
        initial=ProductForm.initial_for(product),
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        done = attempt(
            request,
            actions.update_product,
            form=form,
            by=request.user,
            product=product,
            name_ko=d["name_ko"],
            name_en=d["name_en"],
            model_number=d["model_number"],
            description=d["description"],
            specs=form.specs(),
            success=_("Product updated."),
        )
        if done is not None:
            return redirect("product_detail", code=product.code)
    return render(
        request,
        "catalog/product_form.html",
        {"form": form, "category": product.category, "product": product},
    )


@login_required
@require_POST
def product_unlist(request: HttpRequest, code: str) -> HttpResponse:
    product = get_visible_or_404(Product.objects, request.user, code=code)
    form = UnlistForm(request.POST)
    if form.is_valid():
        attempt(
            request,
            actions.unlist_product,
            by=request.user,
            product=product,
            reason=form.cleaned_data["reason"],
            success=_("Product taken out of the public catalog."),
        )
    else:
        form_errors(request, form)
    return redirect("product_detail", code=product.code)


@login_required
@require_POST
def product_list_action(request: HttpRequest, code: str) -> HttpResponse:
    product = get_visible_or_404(Product.objects, request.user, code=code)
    attempt(
        request,
        actions.list_product,
        by=request.user,
        product=product,
        success=_("Product listed in the public catalog."),
    )
    return redirect("product_detail", code=product.code)


@login_required
def category_edit(request: HttpRequest, code: str) -> HttpResponse:
    """The programme office renames a category (audited, with a reason)."""
    if not is_platform_admin(request.user):
        return render(
            request,
            "core/denied.html",
            {"message": _("Only the programme office edits categories.")},
            status=403,
        )
    category = get_object_or_404(Category, code=code)
    form = CategoryForm(
        request.POST or None, initial={"name_ko": category.name_ko, "name_en": category.name_en}
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        done = attempt(
            request,
            actions.update_category,
            form=form,
            by=request.user,
            category=category,
            name_ko=d["name_ko"],
            name_en=d["name_en"],
            reason=d["reason"],
            success=_("Category %(c)s updated.") % {"c": category.code},
        )
        if done is not None:
            return redirect("office")
    return render(request, "catalog/category_form.html", {"category": category, "form": form})
