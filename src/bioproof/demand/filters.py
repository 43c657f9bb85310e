"""Filters and sorting of the needs, proposals and adoptions lists, shared by the pages and the
API (django-filter), and their export columns."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from bioproof.catalog.filters import category_choices
from bioproof.catalog.models import Category
from bioproof.core.exports import Column
from bioproof.demand.models import Adoption, Need, Proposal


class NeedFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Need.Status.choices)
    category = django_filters.ChoiceFilter(
        label=_("Category"), method="in_category", choices=category_choices
    )
    visibility = django_filters.ChoiceFilter(label=_("Visibility"), choices=Need.Visibility.choices)
    organization = django_filters.CharFilter(
        label=_("Demand company"), field_name="organization__code"
    )
    deadline_before = django_filters.DateFilter(
        label=_("Deadline before"), field_name="deadline", lookup_expr="lte"
    )
    sort = django_filters.OrderingFilter(
        label=_("Sort by"),
        fields=(("created_at", "created"), ("deadline", "deadline"), ("title", "title")),
        field_labels={
            "created_at": _("Posted"),
            "deadline": _("Deadline"),
            "title": _("Title"),
        },
    )

    class Meta:
        model = Need
        fields: list[str] = []

    def search(self, qs: Any, name: str, value: str) -> Any:
        value = value.strip()[:100]
        return qs.filter(
            Q(title__icontains=value) | Q(incumbent__icontains=value) | Q(code__iexact=value)
        )

    def in_category(self, qs: Any, name: str, value: str) -> Any:
        from bioproof.demand import matching

        root = Category.objects.filter(code=value).first()
        return qs.filter(category_id__in=matching.subtree_ids(root)) if root else qs.none()


class ProposalFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Proposal.Status.choices)
    need = django_filters.CharFilter(label=_("Need"), field_name="need__code")
    supplier = django_filters.CharFilter(label=_("Supplier"), field_name="supplier__code")
    sort = django_filters.OrderingFilter(
        label=_("Sort by"),
        fields=(("created_at", "created"), ("submitted_at", "submitted"), ("status", "status")),
        field_labels={
            "created_at": _("Created"),
            "submitted_at": _("Submitted"),
            "status": _("Status"),
        },
    )

    class Meta:
        model = Proposal
        fields: list[str] = []


class AdoptionFilter(django_filters.FilterSet):
    product = django_filters.CharFilter(label=_("Product"), field_name="product__code")
    adopted_after = django_filters.DateFilter(
        label=_("Adopted from"), field_name="adopted_on", lookup_expr="gte"
    )
    sort = django_filters.OrderingFilter(
        label=_("Sort by"),
        fields=(("adopted_on", "adopted"), ("recorded_at", "recorded")),
        field_labels={"adopted_on": _("Adopted on"), "recorded_at": _("Recorded")},
    )

    class Meta:
        model = Adoption
        fields: list[str] = []


NEED_COLUMNS = [
    Column(_("Code"), lambda n: n.code),
    Column(_("Title"), lambda n: n.title),
    Column(_("Demand company"), lambda n: n.organization.name),
    Column(_("Category"), lambda n: n.category.name),
    Column(_("Incumbent product to replace"), lambda n: n.incumbent),
    Column(_("Yearly volume"), lambda n: n.yearly_volume),
    Column(_("Volume unit"), lambda n: n.volume_unit),
    Column(_("Deadline"), lambda n: n.deadline),
    Column(_("Visibility"), lambda n: n.get_visibility_display()),
    Column(_("Status"), lambda n: n.get_status_display()),
]
PROPOSAL_COLUMNS = [
    Column(_("Need"), lambda p: p.need.code),
    Column(_("Demand company"), lambda p: p.need.organization.name),
    Column(_("Product"), lambda p: p.product.code),
    Column(_("Supplier"), lambda p: p.supplier.name),
    Column(_("Status"), lambda p: p.get_status_display()),
    Column(_("Message"), lambda p: p.message),
    Column(_("Submitted"), lambda p: p.submitted_at),
    Column(_("Evaluation"), lambda p: p.evaluation.code if p.evaluation_id else ""),
]
ADOPTION_COLUMNS = [
    Column(_("Demand company"), lambda a: a.organization.name),
    Column(_("Product"), lambda a: a.product.code),
    Column(_("Supplier"), lambda a: a.product.supplier.name),
    Column(_("Adopted on"), lambda a: a.adopted_on),
    Column(_("Yearly volume"), lambda a: a.yearly_volume),
    Column(_("Volume unit"), lambda a: a.volume_unit),
    Column(_("Need"), lambda a: a.need.code if a.need_id else ""),
    Column(_("Evaluation"), lambda a: a.evaluation.code if a.evaluation_id else ""),
]
