"""Partner API guard: a bearer token's scopes (read-only, per module) and its rate limit.

Runs for ``/api/…`` and ``/api/v1/…`` only. A token with an :class:`ApiTokenScope` may call a
module's safe methods with ``read`` or ``read:<module>`` (or any write scope of it), and its
unsafe methods with ``write`` or ``write:<module>``; otherwise 403 naming the scope needed.
Every token is limited to ``per_minute`` requests per fixed minute window (default
``BIOPROOF_API_RATE_LIMIT``, 120), counted in Django's cache: beyond it, 429 with
``Retry-After``. Tokens without a scope row keep full access (and the default limit).
"""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _

from bioproof.consortium.auth import SAFE_METHODS, bearer_token

WINDOW_SECONDS = 60


def module_of(path: str) -> str | None:
    """The API module of ``path`` (``/api/v1/evaluations/…`` → ``evaluations``), or None."""
    parts = [p for p in path.split("/") if p]
    if not parts or parts[0] != "api":
        return None
    rest = parts[1:]
    if rest and rest[0] == "v1":
        rest = rest[1:]
    return rest[0] if rest else ""


def allowed(scopes: list[str], module: str, method: str) -> bool:
    if not module or module in ("docs", "openapi.json"):
        return method in SAFE_METHODS
    writes = {"write", f"write:{module}"}
    if method in SAFE_METHODS:
        return bool({"read", f"read:{module}"} & set(scopes)) or bool(writes & set(scopes))
    return bool(writes & set(scopes))


def _limited(token_id: int, per_minute: int) -> int:
    """Seconds to wait when over the limit, else 0."""
    now = time.time()
    window = int(now // WINDOW_SECONDS)
    key = f"interop:rate:{token_id}:{window}"
    cache.add(key, 0, timeout=WINDOW_SECONDS * 2)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=WINDOW_SECONDS * 2)
        count = 1
    if count > per_minute:
        return max(1, int((window + 1) * WINDOW_SECONDS - now + 0.999))
    return 0


class ApiScopeMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        module = module_of(request.path)
        raw = bearer_token(request) if module is not None else None
        if raw:
            refused = self._check(request, raw, module or "")
            if refused is not None:
                return refused
        return self.get_response(request)

    def _check(self, request: HttpRequest, raw: str, module: str) -> HttpResponse | None:
        from bioproof.consortium.actions import token_for
        from bioproof.interop.models import ApiTokenScope

        found = token_for(raw)
        token = found.pk if found is not None else None
        if token is None:
            return None  # the API's own authentication answers 401
        scope = ApiTokenScope.objects.filter(token_id=token).first()
        per_minute = (
            scope.per_minute if scope else int(getattr(settings, "BIOPROOF_API_RATE_LIMIT", 120))
        )
        wait = _limited(token, per_minute)
        if wait:
            response = JsonResponse(
                {
                    "detail": _(
                        "Rate limit of %(n)d requests per minute reached; retry in %(s)d s."
                    )
                    % {"n": per_minute, "s": wait}
                },
                status=429,
            )
            response["Retry-After"] = str(wait)
            return response
        if scope is not None and not allowed(scope.scopes, module, request.method or "GET"):
            need = "read" if request.method in SAFE_METHODS else "write"
            return JsonResponse(
                {
                    "detail": _(
                        "This token's scopes (%(scopes)s) do not allow %(method)s on "
                        "'%(module)s'; it needs %(need)s or %(need)s:%(module)s."
                    )
                    % {
                        "scopes": ", ".join(scope.scopes) or "—",
                        "method": request.method,
                        "module": module or "/",
                        "need": need,
                    }
                },
                status=403,
            )
        return None
