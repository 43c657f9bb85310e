"""Who is calling the API: one resolver used by every endpoint.

A caller is known by ``Authorization: Bearer <token>`` (partners, scripts) or by the browser
session (Django's CSRF check applies to its unsafe methods). The token is looked up by
:func:`bioproof.consortium.actions.user_for_token`, the only code that reads token hashes.

- :class:`ApiAuth` guards endpoints that need a signed-in caller (401 otherwise).
- :func:`api_user` serves endpoints open to anonymous callers: it answers the token's or the
  session's user, or the anonymous user; a token that is given but not valid is refused (401)
  rather than silently treated as anonymous.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest
from ninja.errors import AuthenticationError, HttpError
from ninja.security.base import AuthBase
from ninja.utils import check_csrf

from bioproof.consortium.actions import user_for_token

SAFE_METHODS = ("GET", "HEAD", "OPTIONS", "TRACE")


def bearer_token(request: HttpRequest) -> str | None:
    """The token of an ``Authorization: Bearer …`` header ("" when empty); None without one."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer":
        return None
    return token.strip()


def resolve(request: HttpRequest) -> Any | None:
    """The caller: the token's user, else the session's user (authenticated or anonymous).

    None when a bearer token is given but is unknown, revoked or belongs to an inactive user.
    The resolved user is also set as ``request.user``.
    """
    token = bearer_token(request)
    if token is None:
        return getattr(request, "user", None) or AnonymousUser()
    user = user_for_token(token) if token else None
    if user is not None:
        request.user = user
    return user


def api_user(request: HttpRequest) -> Any:
    """The caller of an endpoint open to anonymous callers; raises 401 for a bad token."""
    user = resolve(request)
    if user is None:
        raise AuthenticationError()
    return user


class ApiAuth(AuthBase):
    """Bearer token or browser session; the session's unsafe methods need the CSRF token."""

    openapi_type = "http"
    openapi_scheme = "bearer"
    openapi_description = (
        "Authorization: Bearer <token> (issued to your account), or the browser session "
        "with its CSRF token."
    )

    def __call__(self, request: HttpRequest) -> Any | None:
        user = resolve(request)
        if user is None or not user.is_authenticated:
            return None
        if (
            bearer_token(request) is None
            and request.method not in SAFE_METHODS
            and not getattr(request, "_ninja_csrf_exempt", False)
            and check_csrf(request) is not None
        ):
            raise HttpError(403, "CSRF check failed")
        return user
