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

from bioproof.catalog.models import Category, Product
from bioproof.consortium.models import Organization
from bioproof.core import versions
from bioproof.core.errors import DomainError
from bioproof.demand.models import Need
from bioproof.evaluations.models import Evaluation, TrackRecord
from bioproof.search import cache
from bioproof.search.models import SearchDocument
from bioproof.search.query import Hit, all_visible, search

PER_PAGE = 20
FILTERS = ("category", "center", "verdict", "supplier", "kind")


def _page_number(raw: str | None) -> int:
    try:
        return max(1, min(int(raw or 1), 10_000))
    except ValueError:
        return 1


#: every regulated table an anonymous visitor's search page reads: the public rows the hits are
#: checked against (listed products, public track records and needs) and the filter menus
SEARCH_PAGE_TABLES = (Product, TrackRecord, Evaluation, Need, Organization, Category)


def search_page(request: HttpRequest) -> HttpResponse:
    """The search page. For anonymous visitors, while the result cache is on, the page at an
    address is kept per index generation and state of the public tables it checks its hits
    against (:mod:`bioproof.core.versions`), as long as a cached result may be reused
    (``BIOPROOF_SEARCH_CACHE_SECONDS``); a signed-in user's hits are checked for them."""
    if request.user.is_authenticated or not cache.usable():
        body, _hits = _body(request)
    else:
        body, hits = versions.for_address(
            f"search:{cache.generation()}",
            request,
            SEARCH_PAGE_TABLES,
            lambda: _body(request),
            timeout=cache.ttl(),
        )
        # what the page lists is checked again on every request, as a cached result's hits
        # are: a row hidden behind the application's back (no event, so no new version) is
        # never shown from a kept page (one query; the page is rendered afresh then)
        if hits and not all_visible(request.user, hits):
            body, _hits = _body(request)
    return render(request, "search/search.html", {"body": mark_safe(body)})


def _body(request: HttpRequest) -> tuple[str, list[Hit]]:
    """The page's body and the hits it lists."""
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
    hits = list(results.hits) if results is not None else []
    return render_to_string("search/_search_body.html", context, request), hits


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
