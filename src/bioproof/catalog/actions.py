"""Writes to the catalog (the only writers)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from bioproof.catalog.models import Category, Product
from bioproof.catalog.policy import can_manage_product
from bioproof.catalog.specs import clean_specs
from bioproof.consortium.models import Organization
from bioproof.core import audit
from bioproof.core.codes import next_code
from bioproof.core.errors import DomainError, InvalidTransition
from bioproof.core.locking import lock
from bioproof.core.policy import require
from bioproof.search import index as search_index

PRODUCT_FIELDS = (
    "code",
    "supplier",
    "category",
    "name_ko",
    "name_en",
    "model_number",
    "description",
    "specs",
    "status",
)


@transaction.atomic
def register_product(
    *,
    by: Any,
    supplier: Organization,
    category: Category,
    name_ko: str,
    name_en: str,
    model_number: str = "",
    description: str = "",
    specs: dict[str, Any] | None = None,
    listed: bool = False,
) -> Product:
    """A supplier registers a product (draft unless ``listed``)."""
    require(
        supplier.kind == Organization.Kind.SUPPLIER,
        _("Only supplier organizations register products."),
    )
    require(can_manage_product(by, supplier.pk), _("You do not manage this supplier's products."))
    name_ko, name_en = (name_ko or "").strip(), (name_en or "").strip()
    if not name_ko and not name_en:
        raise DomainError(_("Give the product a Korean or English name."), field="name_ko")
    product = Product.objects.create(
        code=next_code("PR"),
        supplier=supplier,
        category=category,
        name_ko=name_ko or name_en,
        name_en=name_en or name_ko,
        model_number=(model_number or "").strip(),
        description=description or "",
        specs=clean_specs(category, specs),
        status=Product.Status.LISTED if listed else Product.Status.DRAFT,
    )
    audit.record(
        actor=by,
        action="product.registered",
        obj=product,
        organization=supplier,
        after=audit.snapshot(product, PRODUCT_FIELDS),
    )
    search_index.product_changed(product)
    return product


@transaction.atomic
def list_product(*, by: Any, product: Product) -> Product:
    """Move a draft product to the public catalog."""
    product = lock(product)
    require(can_manage_product(by, product.supplier_id), _("You do not manage this product."))
    if product.status != Product.Status.DRAFT:
        raise InvalidTransition(_("Only a draft product can be listed."))
    before = audit.snapshot(product, ["status"])
    product.status = Product.Status.LISTED
    product.save(update_fields=["status", "updated_at"])
    audit.record(
        actor=by,
        action="product.listed",
        obj=product,
        organization=product.supplier,
        before=before,
        after=audit.snapshot(product, ["status"]),
    )
    search_index.product_changed(product)
    return product
