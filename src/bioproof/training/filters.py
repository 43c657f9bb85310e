"""Filters and sorting of the course and session lists, shared by the pages and the API
(django-filter), and their export columns."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from bioproof.core.exports import Column
from bioproof.training.models import Course, CourseVersion, Session


def _current(course: Course) -> CourseVersion | None:
    return next((v for v in course.versions.all() if v.version == course.current_version), None)


class CourseFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    level = django_filters.ChoiceFilter(
        label=_("Level"), choices=CourseVersion.Level.choices, method="at_level"
    )
    provider = django_filters.CharFilter(
        label=_("Provider"), field_name="provider__organization__code"
    )
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Course.Status.choices)
    sort = django_filters.OrderingFilter(
        label=_("Sort by"),
        fields=(("code", "code"), ("created_at", "created")),
        field_labels={"code": _("Code"), "created_at": _("Created")},
    )

    class Meta:
        model = Course
        fields: list[str] = []

    def _current_version(self, **kw: Any) -> Any:
        return Exists(
            CourseVersion.objects.filter(
                course=OuterRef("pk"), version=OuterRef("current_version"), **kw
            )
        )

    def search(self, qs: Any, name: str, value: str) -> Any:
        value = value.strip()[:100]
        titles = CourseVersion.objects.filter(course=OuterRef("pk")).filter(
            Q(title_ko__icontains=value) | Q(title_en__icontains=value)
        )
        return qs.filter(Q(code__icontains=value) | Q(Exists(titles)))

    def at_level(self, qs: Any, name: str, value: str) -> Any:
        return qs.filter(self._current_version(level=value))


class SessionFilter(django_filters.FilterSet):
    course = django_filters.CharFilter(label=_("Course"), field_name="course_version__course__code")
    center = django_filters.CharFilter(label=_("Center"), field_name="center__code")
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Session.Status.choices)
    starts_after = django_filters.DateFilter(
        label=_("Starting from"), field_name="starts_on", lookup_expr="gte"
    )
    sort = django_filters.OrderingFilter(
        label=_("Sort by"),
        fields=(("starts_on", "starts"), ("code", "code")),
        field_labels={"starts_on": _("First day"), "code": _("Code")},
    )

    class Meta:
        model = Session
        fields: list[str] = []


COURSE_COLUMNS = [
    Column(_("Code"), lambda c: c.code),
    Column(_("Title (Korean)"), lambda c: getattr(_current(c), "title_ko", "")),
    Column(_("Title (English)"), lambda c: getattr(_current(c), "title_en", "")),
    Column(_("Level"), lambda c: getattr(_current(c), "get_level_display", lambda: "")()),
    Column(_("Provider"), lambda c: c.provider.organization.name),
    Column(_("Version"), lambda c: c.current_version),
    Column(_("Fee (KRW)"), lambda c: getattr(_current(c), "fee_krw", None)),
    Column(_("Status"), lambda c: c.get_status_display()),
]
