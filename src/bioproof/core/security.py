"""Login lock-outs (django-axes) written to the audit trail.

django-axes counts wrong login passwords per user name and, at ``BIOPROOF_LOGIN_FAILURE_LIMIT``,
refuses that account's logins for ``BIOPROOF_LOCKOUT_MINUTES`` (answer 429). Each lock-out
signal becomes an audit event ``login.locked_out`` naming the user (when the name exists), the
client address and the count of failures.
"""

from __future__ import annotations

from typing import Any

from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from bioproof.core import audit


def client_ip(request: HttpRequest) -> str:
    """The client's address: behind the TLS proxy (``BIOPROOF_PROXY_SSL_HEADER`` set) the last
    address of ``X-Forwarded-For``, the one the proxy appended; else the socket's peer."""
    if getattr(settings, "SECURE_PROXY_SSL_HEADER", None):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        last = forwarded.split(",")[-1].strip()
        if last:
            return last[:64]
    return request.META.get("REMOTE_ADDR", "") or ""


@receiver(user_locked_out, dispatch_uid="bioproof.core.security.audit_login_lockout")
def audit_login_lockout(
    sender: Any, request: Any = None, username: str | None = None, ip_address: str = "", **kw: Any
) -> None:
    user = get_user_model().objects.filter(username=username).first() if username else None
    with transaction.atomic():
        audit.record(
            actor=None,
            action="login.locked_out",
            obj=user,
            organization=getattr(user, "primary_organization", None) if user else None,
            after={
                "username": (username or "")[:150],
                "ip_address": ip_address or "",
                "failures": getattr(request, "axes_failures_since_start", None),
            },
        )


def lockout_response(
    request: HttpRequest, original_response: Any = None, credentials: Any = None
) -> HttpResponse:
    """The page a locked-out login gets (429), in the user's language."""
    return render(
        request,
        "core/locked_out.html",
        {
            "failure_limit": settings.BIOPROOF_LOGIN_FAILURE_LIMIT,
            "lockout_minutes": settings.BIOPROOF_LOCKOUT_MINUTES,
        },
        status=429,
    )
