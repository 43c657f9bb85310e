"""Filters and sorting of the evaluations and track-record lists, shared by the pages and the
API (django-filter), and their export columns. A track record's columns are only what its
public page shows (a confidential need's details stay off)."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from bioproof.catalog.filters import category_choices
from bioproof.core.exports import Column
from bioproof.evaluations.models import Evaluation, TrackRecord


class EvaluationFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Evaluation.Status.choices)
    center = django_filters.CharFilter(label=_("Demonstration center"), field_name="center__code")
    product = django_filters.CharFilter(label=_("Product"), field_name="product__code")
    tailored = django_filters.BooleanFilter(
        label=_("Demand-tailored"), field_name="need", lookup_expr="isnull", exclude=True
    )
    sort = django_filters.OrderingFilter(
        label=_("Sort by"),
        fields=(("updated_at", "updated"), ("created_at", "created"), ("code", "code")),
        field_labels={"updated_at": _("Updated"), "created_at": _("Requested"), "code": _("Code")},
    )

    class Meta:
        model = Evaluation
        fields: list[str] = []

    def search(self, qs: Any, name: str, value: str) -> Any:
        value = value.strip()[:100]
        return qs.filter(
            Q(code__iexact=value)
            | Q(title__icontains=value)
            | Q(product__name_ko__icontains=value)
            | Q(product__name_en__icontains=value)
        )


class TrackRecordFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    category = django_filters.ChoiceFilter(
        label=_("Category"), method="in_category", choices=category_choices
    )
    center = django_filters.CharFilter(
        label=_("Demonstration center"), field_name="evaluation__center__code"
    )
    supplier = django_filters.CharFilter(
        label=_("Supplier"), field_name="evaluation__product__supplier__code"
    )
    sort = django_filters.OrderingFilter(
        label=_("Sort by"),
        fields=(("published_at", "published"), ("evaluation__code", "code")),
        field_labels={"published_at": _("Published"), "evaluation__code": _("Code")},
    )

    class Meta:
        model = TrackRecord
        fields: list[str] = []

    def search(self, qs: Any, name: str, value: str) -> Any:
        value = value.strip()[:100]
        return qs.filter(
            Q(evaluation__product__name_ko__icontains=value)
            | Q(evaluation__product__name_en__icontains=value)
            | Q(evaluation__product__supplier__name_ko__icontains=value)
            | Q(evaluation__product__supplier__name_en__icontains=value)
            | Q(evaluation__code__iexact=value)
        )

    def in_category(self, qs: Any, name: str, value: str) -> Any:
        from bioproof.catalog.filters import _subtree

        return qs.filter(evaluation__product__category_id__in=_subtree(value))


EVALUATION_COLUMNS = [
    Column(_("Code"), lambda e: e.code),
    Column(_("Version"), lambda e: e.version),
    Column(_("Title"), lambda e: e.title),
    Column(_("Product"), lambda e: e.product.code),
    Column(_("Supplier"), lambda e: e.product.supplier.name),
    Column(_("Demonstration center"), lambda e: e.center.name),
    Column(_("Status"), lambda e: e.get_status_display()),
    Column(_("Scale"), lambda e: e.scale),
    Column(_("Updated"), lambda e: e.updated_at),
]
TRACK_RECORD_COLUMNS = [
    Column(_("Code"), lambda t: t.evaluation.code),
    Column(_("Product"), lambda t: t.evaluation.product.name),
    Column(_("Supplier"), lambda t: t.evaluation.product.supplier.name),
    Column(_("Category"), lambda t: t.evaluation.product.category.name),
    Column(_("Demonstration center"), lambda t: t.evaluation.center.name),
    Column(_("Published"), lambda t: t.published_at),
]
