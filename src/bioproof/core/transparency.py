"""The public transparency page: the audit chain's signed checkpoints and the platform key.

Partners keep copies of these checkpoints (``/transparency/checkpoints.json``); with a copy,
``bioproof audit verify --checkpoints FILE`` proves the chain they saw was not rewritten since.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from bioproof.core import checkpoints
from bioproof.core.models import AuditCheckpoint
from bioproof.core.web import paginate


def transparency(request: HttpRequest) -> HttpResponse:
    page = paginate(request, AuditCheckpoint.objects.order_by("-seq"), per_page=50)
    context = {
        "page": page,
        "public_key_pem": checkpoints.public_key_pem(),
        "key_id": checkpoints.key_id(),
    }
    return render(request, "core/transparency.html", context)


def checkpoints_json(request: HttpRequest) -> JsonResponse:
    """Every checkpoint, oldest first, with the key that verifies them."""
    rows = AuditCheckpoint.objects.order_by("seq").values(
        "seq", "hash", "at", "key_id", "signature"
    )
    return JsonResponse(
        {
            "chain": "bioproof-audit",
            "public_key": checkpoints.jwks()["keys"][0],
            "checkpoints": list(rows),
        },
        json_dumps_params={"ensure_ascii": False},
    )


def jwks(request: HttpRequest) -> JsonResponse:
    """The platform's public signing key as a JSON Web Key Set (RFC 7517 / RFC 8037)."""
    return JsonResponse(checkpoints.jwks())
