from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from bioproof.catalog.models import Product
from bioproof.core import mywork
from bioproof.evaluations.models import Evaluation, TrackRecord


def home(request: HttpRequest) -> HttpResponse:
    context: dict[str, object] = {
        "track_records": TrackRecord.objects.public().select_related(
            "evaluation__product__supplier", "evaluation__center", "evaluation__need"
        )[:5],
    }
    if request.user.is_authenticated:
        evaluations = Evaluation.objects.visible_to(request.user).current()
        context["my_evaluations"] = evaluations.select_related("product", "center")[:10]
        context["product_count"] = Product.objects.visible_count(request.user)
        context["my_work"] = mywork.for_user(request.user)
    return render(request, "core/home.html", context)
