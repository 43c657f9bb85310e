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
from bioproof.core.policy import is_platform_admin, require
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


EDITABLE_FIELDS = ("name_ko", "name_en", "model_number", "description", "specs")


@transaction.atomic
def update_product(
    *,
    by: Any,
    product: Product,
    name_ko: str,
    name_en: str,
    model_number: str = "",
    description: str = "",
    specs: dict[str, Any] | None = None,
) -> Product:
    """The supplier edits its product's names, model number, description and specifications
    (validated against the category's spec fields); audited with before → after."""
    product = lock(product)
    require(can_manage_product(by, product.supplier_id), _("You do not manage this product."))
    name_ko, name_en = (name_ko or "").strip(), (name_en or "").strip()
    if not name_ko and not name_en:
        raise DomainError(_("Give the product a Korean or English name."), field="name_ko")
    before = audit.snapshot(product, EDITABLE_FIELDS)
    product.name_ko = (name_ko or name_en)[:200]
    product.name_en = (name_en or name_ko)[:200]
    product.model_number = (model_number or "").strip()[:100]
    product.description = description or ""
    product.specs = clean_specs(product.category, specs)
    after = audit.snapshot(product, EDITABLE_FIELDS)
    changed = [k for k in EDITABLE_FIELDS if before[k] != after[k]]
    if not changed:
        raise DomainError(_("Nothing was changed."))
    product.save(update_fields=[*EDITABLE_FIELDS, "updated_at"])
    audit.record(
        actor=by,
        action="product.updated",
        obj=product,
        organization=product.supplier,
        before={k: before[k] for k in changed},
        after={k: after[k] for k in changed},
    )
    search_index.product_changed(product)
    return product


@transaction.atomic
def unlist_product(*, by: Any, product: Product, reason: str) -> Product:
    """Take a listed product out of the public catalog (back to draft), with a reason. Its
    evaluations and published track records stay as they are."""
    product = lock(product)
    require(can_manage_product(by, product.supplier_id), _("You do not manage this product."))
    if product.status != Product.Status.LISTED:
        raise InvalidTransition(_("Only a listed product can be unlisted."))
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Give the reason for this change."), field="reason")
    before = audit.snapshot(product, ["status"])
    product.status = Product.Status.DRAFT
    product.save(update_fields=["status", "updated_at"])
    audit.record(
        actor=by,
        action="product.unlisted",
        obj=product,
        organization=product.supplier,
        before=before,
        after=audit.snapshot(product, ["status"]),
        reason=reason[:1000],
    )
    search_index.product_changed(product)
    return product


CATEGORY_EDIT_FIELDS = ("name_ko", "name_en")


@transaction.atomic
def update_category(
    *, by: Any, category: Category, reason: str, name_ko: str, name_en: str
) -> Category:
    """The programme office renames a category; audited, and its products are re-indexed."""
    require(is_platform_admin(by), _("Only the programme office edits categories."))
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Give the reason for this change."), field="reason")
    name_ko, name_en = (name_ko or "").strip(), (name_en or "").strip()
    if not name_ko:
        raise DomainError(_("The category needs a Korean name."), field="name_ko")
    if not name_en:
        raise DomainError(_("The category needs an English name."), field="name_en")
    category = Category.objects.select_for_update().get(pk=category.pk)
    before = audit.snapshot(category, CATEGORY_EDIT_FIELDS)
    category.name_ko, category.name_en = name_ko[:120], name_en[:120]
    after = audit.snapshot(category, CATEGORY_EDIT_FIELDS)
    if before == after:
        raise DomainError(_("Nothing was changed."))
    category.save(update_fields=list(CATEGORY_EDIT_FIELDS))
    changed = [k for k in CATEGORY_EDIT_FIELDS if before[k] != after[k]]
    audit.record(
        actor=by,
        action="category.updated",
        obj=category,
        before={k: before[k] for k in changed},
        after={k: after[k] for k in changed},
        reason=reason[:1000],
    )
    # Search documents of products, track records and needs carry their category's names
    # (and its parent's).
    from bioproof.demand.models import Need
    from bioproof.evaluations.models import Evaluation

    ids = {category.pk, *Category.objects.filter(parent=category).values_list("pk", flat=True)}
    for product in Product.objects.filter(category_id__in=ids).only("pk"):
        search_index.product_changed(product)
    for evaluation in (
        Evaluation.objects.filter(product__category_id__in=ids, track_records__isnull=False)
        .select_related("product")
        .distinct()
    ):
        search_index.track_record_changed(evaluation)
    for need in Need.objects.filter(category_id__in=ids).only("pk"):
        search_index.need_changed(need)
    return category
