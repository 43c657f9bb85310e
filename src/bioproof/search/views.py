"""The search page: one box over products, track records and needs, with filters."""

from __future__ import annotations

import hashlib
from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from bioproof.catalog.models import Category
from bioproof.consortium.models import Organization
from bioproof.core import versions
from bioproof.core.errors import DomainError
from bioproof.search.models import SearchDocument
from bioproof.search.query import search

PER_PAGE = 20
FILTERS = ("category", "center", "verdict", "supplier", "kind")


def _page_number(raw: str | None) -> int:
    try:
        return max(1, min(int(raw or 1), 10_000))
    except ValueError:
        return 1


def search_page(request: HttpRequest) -> HttpResponse:
    q = (request.GET.get("q") or "").strip()
    chosen = {name: (request.GET.get(name) or "").strip() for name in FILTERS}
    page = _page_number(request.GET.get("page"))
    error = ""
    results = None
    try:
        results = search(request.user, q, limit=PER_PAGE, offset=(page - 1) * PER_PAGE, **chosen)
    except DomainError as exc:
        error = exc.message
    context: dict[str, Any] = {
        "q": q,
        "chosen": chosen,
        "results": results,
        "error": error,
        "page": page,
        "filters": mark_safe(_filters(chosen)),
    }
    if results is not None and results.total:
        base = {"q": q, **{k: v for k, v in chosen.items() if v}}
        pages = (results.total + PER_PAGE - 1) // PER_PAGE
        context["pages"] = pages
        if page > 1:
            context["previous_url"] = "?" + urlencode({**base, "page": page - 1})
        if page < pages:
            context["next_url"] = "?" + urlencode({**base, "page": page + 1})
    return render(request, "search/search.html", context)


def _filters(chosen: dict[str, str]) -> str:
    """The filter menus (every category, center and supplier, the chosen ones selected), rendered
    once per state of those tables, language and choice (:mod:`bioproof.core.versions`): three
    queries and a hundred options each time otherwise, a third of an uncached search's time."""
    choice = hashlib.sha256(repr(sorted(chosen.items())).encode()).hexdigest()

    def render() -> str:
        return render_to_string(
            "search/_filters.html",
            {
                "chosen": chosen,
                "categories": Category.objects.select_related("parent"),
                "centers": Organization.objects.filter(kind=Organization.Kind.CENTER),
                "suppliers": Organization.objects.filter(kind=Organization.Kind.SUPPLIER),
                "kinds": SearchDocument.Kind.choices,
            },
        )

    key = f"search-filters:{get_language()}:{choice}"
    return versions.cached(key, (Category, Organization), render, 600, store="pages")
