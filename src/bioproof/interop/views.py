"""Interop pages and downloads: evidence packages, the open-data catalogue."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse

from bioproof.interop.errors import NotFound
from bioproof.interop.packages import build


def _zip(data: bytes, name: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def track_record_package(request: HttpRequest, code: str) -> HttpResponse:
    """The evidence package of a public track record (no login; a confidential need's record
    only to its parties)."""
    try:
        record = build.track_record_for(code, request.user)
    except NotFound as exc:
        raise Http404(exc.message) from None
    data = build.track_record_package(record)
    return _zip(data, f"{code}-v{record.evaluation.version}-evidence.zip")


def certificate_package(request: HttpRequest, code: str) -> HttpResponse:
    """The holder's evidence package of a certificate."""
    if not request.user.is_authenticated:
        raise Http404
    try:
        cert = build.certificate_for(code, request.user)
    except NotFound as exc:
        raise Http404(exc.message) from None
    return _zip(build.certificate_package(cert), f"{cert.code}-evidence.zip")


def open_data_catalogue(request: HttpRequest) -> HttpResponse:
    """The DCAT JSON-LD catalogue of public records (stable URL, no login)."""
    import json

    from bioproof.interop.catalogue import catalogue

    body = json.dumps(catalogue(), ensure_ascii=False, indent=1)
    response = HttpResponse(body, content_type="application/ld+json; charset=utf-8")
    response["Cache-Control"] = "public, max-age=300"
    return response
