"""Request and response guards shared by every page and API endpoint.

- :class:`RejectNulMiddleware` answers 400 to a NUL character (``\\0``) anywhere a user can put
  text — the address, query string, cookies, form fields, file names, JSON bodies — before any
  view or database sees it (PostgreSQL refuses NUL in text and would answer 500).
- :class:`PrivateCacheMiddleware` marks every answer to a signed-in caller (session or token)
  and every file download ``Cache-Control: private, no-store`` so no shared cache or browser
  history keeps confidential data; public pages stay cacheable.
- :class:`SvgStyleMiddleware` lets generated SVG plots keep their inline ``<style>`` under the
  Content Security Policy.
- :class:`SigningFailureMiddleware` writes the wrong signing passwords of the request to the
  audit trail after the action's transaction has rolled back (see
  :func:`bioproof.core.signatures.flush_signing_failures`).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)
NUL = "\x00"
JSON_TYPES = ("application/json", "application/merge-patch+json")
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _json_nul(value: Any, path: str) -> Iterator[str]:
    if isinstance(value, str):
        if NUL in value:
            yield path or "$"
    elif isinstance(value, dict):
        for key, item in value.items():
            where = f"{path}.{key}" if path else str(key)
            if NUL in str(key):
                yield where
            else:
                yield from _json_nul(item, where)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _json_nul(item, f"{path}[{i}]")


def nul_location(request: HttpRequest) -> str | None:
    """Where the request carries a NUL character, in words; None when it carries none."""
    if NUL in request.path:
        return _("the address")
    for key, values in request.GET.lists():
        if NUL in key or any(NUL in v for v in values):
            return _("query parameter '%(name)s'") % {"name": key.replace(NUL, "\\0")}
    for key, value in request.COOKIES.items():
        if NUL in key or NUL in value:
            return _("a cookie")
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return None
    content_type = request.content_type or ""
    if content_type in JSON_TYPES:
        try:
            body = json.loads(request.body)
        except (ValueError, UnicodeDecodeError):
            return None  # not JSON: the endpoint answers its own 400
        for where in _json_nul(body, ""):
            return _("JSON field '%(name)s'") % {"name": where.replace(NUL, "\\0")}
    elif content_type in FORM_TYPES:
        for key, values in request.POST.lists():
            if NUL in key or any(NUL in v for v in values):
                return _("form field '%(name)s'") % {"name": key.replace(NUL, "\\0")}
        for key, files in request.FILES.lists():
            if any(NUL in (f.name or "") for f in files):
                return _("the name of the file in '%(name)s'") % {"name": key}
    return None


class RejectNulMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        where = nul_location(request)
        if where is None:
            return self.get_response(request)
        message = _(
            "The request contains a NUL character (\\0) in %(where)s; remove it and send again."
        ) % {"where": where}
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": message, "field": None}, status=400)
        return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")


def is_download(response: HttpResponse) -> bool:
    return bool(getattr(response, "streaming", False)) or "attachment" in response.get(
        "Content-Disposition", ""
    )


class PrivateCacheMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        signed_in = bool(user is not None and user.is_authenticated)
        if signed_in or "Authorization" in request.headers or is_download(response):
            add_never_cache_headers(response)  # max-age=0, no-cache, no-store, private
        return response


class SvgStyleMiddleware:
    """Plots are SVG documents that carry their own ``<style>``; only they may use inline
    styles (they hold no script, and ``script-src`` stays ``'self'``)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.get("Content-Type", "").startswith("image/svg+xml"):
            response._csp_update = {"style-src": ["'unsafe-inline'"]}  # type: ignore[attr-defined]
        return response


class SigningFailureMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from bioproof.core.signatures import discard_signing_failures, flush_signing_failures

        discard_signing_failures()
        try:
            return self.get_response(request)
        finally:
            try:
                flush_signing_failures()
            except Exception:  # the answer stands; the failure to audit is logged loudly
                logger.exception("could not write the request's wrong signing passwords")
