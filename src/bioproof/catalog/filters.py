"""The product list's filters and sorting, shared by the page and the API (django-filter), and
its export columns."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from bioproof.catalog.models import Category, Product
from bioproof.core.exports import Column


def _subtree(category_code: str) -> list[int]:
    root = Category.objects.filter(code=category_code).first()
    if root is None:
        return []
    return [root.pk, *Category.objects.filter(parent=root).values_list("pk", flat=True)]


def category_choices() -> list[tuple[str, str]]:
    """Every category by code, a parent before its children (a parent selects its subtree)."""
    cats = list(Category.objects.select_related("parent").order_by("parent_id", "id"))
    roots = [c for c in cats if c.parent_id is None]
    out: list[tuple[str, str]] = []
    for root in roots:
        out.append((root.code, root.name))
        out += [(c.code, f"— {c.name}") for c in cats if c.parent_id == root.pk]
    return out


class ProductFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    category = django_filters.ChoiceFilter(
        label=_("Category"), method="in_category", choices=category_choices
    )
    supplier = django_filters.CharFilter(label=_("Supplier"), field_name="supplier__code")
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Product.Status.choices)
    sort = django_filters.OrderingFilter(
        label=_("Sort by"),
        fields=(
            ("code", "code"),
            ("name_ko", "name"),
            ("created_at", "created"),
            ("updated_at", "updated"),
        ),
        field_labels={
            "code": _("Code"),
            "name_ko": _("Name"),
            "created_at": _("Registered"),
            "updated_at": _("Updated"),
        },
    )

    class Meta:
        model = Product
        fields: list[str] = []

    def search(self, qs: Any, name: str, value: str) -> Any:
        value = value.strip()[:100]
        return qs.filter(
            Q(name_ko__icontains=value)
            | Q(name_en__icontains=value)
            | Q(code__iexact=value)
            | Q(model_number__icontains=value)
        )

    def in_category(self, qs: Any, name: str, value: str) -> Any:
        return qs.filter(category_id__in=_subtree(value))


COLUMNS = [
    Column(_("Code"), lambda p: p.code),
    Column(_("Name (Korean)"), lambda p: p.name_ko),
    Column(_("Name (English)"), lambda p: p.name_en),
    Column(_("Supplier"), lambda p: p.supplier.name),
    Column(_("Category"), lambda p: p.category.name),
    Column(_("Model / catalog number"), lambda p: p.model_number),
    Column(_("Status"), lambda p: p.get_status_display()),
    Column(_("Specifications"), lambda p: "; ".join(f"{k}={v}" for k, v in p.specs.items())),
    Column(_("Updated"), lambda p: p.updated_at),
]
