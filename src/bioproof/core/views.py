from __future__ import annotations

from typing import Any

from django.db.models import Model
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.safestring import mark_safe

from bioproof.catalog.models import Product
from bioproof.consortium.models import Membership, Organization, User
from bioproof.core import mywork, versions
from bioproof.core.policy import is_platform_admin, org_ids
from bioproof.demand.models import Need
from bioproof.evaluations.models import Evaluation, TrackRecord
from bioproof.evaluations.public_views import TRACK_RECORD_LIST_TABLES


def home(request: HttpRequest) -> HttpResponse:
    context: dict[str, object] = {
        # read only when the rendered block is not kept for this state (the template's cache)
        "track_records": TrackRecord.objects.public().select_related(
            "evaluation__product__supplier", "evaluation__center", "evaluation__need"
        )[:5],
        "track_records_version": versions.state_version(*TRACK_RECORD_LIST_TABLES),
    }
    if request.user.is_authenticated:
        context["mine"] = mark_safe(
            versions.kept_html(
                f"home-mine:{request.user.pk}",
                home_mine_tables(),
                request,
                "core/_home_mine.html",
                lambda: _mine(request.user),
            )
        )
    return render(request, "core/home.html", context)


def home_mine_tables() -> tuple[type[Model], ...]:
    """What a signed-in person's part of the home page reads: every "My work" provider's tables,
    their evaluations (the parties' organizations, the need) and the products they see."""
    return tuple({*mywork.tables(), Evaluation, Product, Organization, Need, Membership, User})


def _mine(user: Any) -> dict[str, Any]:
    evaluations = Evaluation.objects.visible_to(user).current()
    return {
        "my_evaluations": evaluations.select_related("product", "center")[:10],
        "product_count": _visible_products(user),
        "my_work": mywork.for_user(user),
    }


def _visible_products(user: Any) -> int:
    """How many products ``user`` sees, counted once per state of the products and evaluations
    for the same organizations (:mod:`bioproof.core.versions`): 18 ms at 100,000 products for a
    center, which sees every product it evaluates."""
    if is_platform_admin(user):
        return Product.objects.visible_count(user)
    orgs = ",".join(str(pk) for pk in sorted(org_ids(user)))
    return versions.cached(
        f"visible-products:{orgs}",
        (Product, Evaluation),
        lambda: Product.objects.visible_count(user),
        600,
    )
