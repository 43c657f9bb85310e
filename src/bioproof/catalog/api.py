from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from bioproof.catalog import actions
from bioproof.catalog.filters import ProductFilter
from bioproof.catalog.models import Category, Product
from bioproof.consortium.auth import api_user
from bioproof.consortium.models import Organization
from bioproof.core.errors import DomainError
from bioproof.core.exports import api_filtered
from bioproof.core.pagination import LimitOffsetPagination
from bioproof.core.policy import get_visible_or_404
from bioproof.evaluations.models import Evaluation

router = Router()


class ProductOut(Schema):
    code: str
    supplier: str = Field(alias="supplier.code")
    category: str = Field(alias="category.code")
    name_ko: str
    name_en: str
    model_number: str
    description: str
    specs: dict[str, Any]
    status: str


class ProductIn(Schema):
    category: str = Field(max_length=40)
    name_ko: str = Field("", max_length=200)
    name_en: str = Field("", max_length=200)
    model_number: str = Field("", max_length=100)
    description: str = ""
    specs: dict[str, Any] = {}
    listed: bool = False
    supplier: str | None = Field(
        None, max_length=40, description="supplier organization code; default: yours"
    )


class ProductPagination(LimitOffsetPagination):
    # the visibility policy reads evaluations (a center sees what it evaluates)
    count_models = (Product, Category, Organization, Evaluation)


@router.get("", response=list[ProductOut], auth=None)
@paginate(ProductPagination)
def list_products(request: HttpRequest, category: str | None = None) -> Any:
    """Products visible to you, filtered and sorted as the products page is
    (:class:`bioproof.catalog.filters.ProductFilter`: ``q``, ``category`` (with its
    subcategories), ``supplier``, ``status``, ``sort``)."""
    qs = Product.objects.visible_to(api_user(request)).select_related("supplier", "category")
    return api_filtered(request, ProductFilter, qs)


@router.get("/{code}", response=ProductOut, auth=None)
def get_product(request: HttpRequest, code: str) -> Any:
    return get_visible_or_404(
        Product.objects.select_related("supplier", "category"), api_user(request), code=code
    )


@router.post("", response={201: ProductOut})
def register_product(request: HttpRequest, payload: ProductIn) -> Any:
    user = request.auth
    category = Category.objects.filter(code=payload.category).first()
    if category is None:
        raise DomainError(
            _("Unknown category '%(c)s'.") % {"c": payload.category}, field="category"
        )
    supplier = user.primary_organization
    if payload.supplier:
        supplier = next(
            (
                m.organization
                for m in user.memberships.select_related("organization")
                if m.organization.code == payload.supplier
            ),
            None,
        )
        if supplier is None:
            raise DomainError(
                _("You are not a member of '%(o)s'.") % {"o": payload.supplier}, field="supplier"
            )
    if supplier is None:
        raise DomainError(_("Your account belongs to no organization."), field="supplier")
    product = actions.register_product(
        by=user,
        supplier=supplier,
        category=category,
        name_ko=payload.name_ko,
        name_en=payload.name_en,
        model_number=payload.model_number,
        description=payload.description,
        specs=payload.specs,
        listed=payload.listed,
    )
    return Status(201, product)
