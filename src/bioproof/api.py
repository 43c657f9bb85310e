"""The HTTP API (django-ninja); OpenAPI at /api/docs and /api/openapi.json.

Authentication: the browser session, or ``Authorization: Bearer <token>`` for partners.
Domain errors answer 4xx with ``{"detail": "...", "field": "..."}``.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI

from bioproof.catalog.api import router as catalog_router
from bioproof.consortium.auth import ApiAuth
from bioproof.core.errors import DomainError
from bioproof.demand import api as demand_api
from bioproof.evaluations.api import public_router
from bioproof.evaluations.api import router as evaluations_router
from bioproof.facilities.api import router as facilities_router
from bioproof.interop.api import router as interop_router
from bioproof.production.api import router as production_router
from bioproof.programme.api import router as programme_router
from bioproof.search.api import router as search_router
from bioproof.training.api import router as training_router

# One resolver for every endpoint (bioproof.consortium.auth): endpoints open to anonymous
# callers (auth=None) ask it for the caller with api_user(request).
AUTH = [ApiAuth()]

api = NinjaAPI(
    title="BioProof API",
    version="1",
    description="Products, demonstration evaluations and public track records.",
    auth=AUTH,
    urls_namespace="api",
)


@api.exception_handler(DomainError)
def domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return api.create_response(
        request, {"detail": exc.message, "field": exc.field}, status=exc.status_code
    )


api.add_router("/products", catalog_router, tags=["products"])
api.add_router("/evaluations", evaluations_router, tags=["evaluations"])
api.add_router("/track-records", public_router, tags=["track records (public)"])
api.add_router("/needs", demand_api.needs_router, tags=["needs"])
api.add_router("/proposals", demand_api.proposals_router, tags=["proposals"])
api.add_router("/adoptions", demand_api.adoptions_router, tags=["adoptions"])
api.add_router("/product-documents", demand_api.documents_router, tags=["product documents"])
api.add_router("/search", search_router, tags=["search"])
api.add_router("/training", training_router, tags=["training"])
api.add_router("/programme", programme_router, tags=["programme"])
api.add_router("/production", production_router, tags=["mRNA production"])
api.add_router("/facilities", facilities_router, tags=["center services"])
api.add_router("/interop", interop_router, tags=["interop (partners, open data)"])
