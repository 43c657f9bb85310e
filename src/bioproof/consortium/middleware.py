"""After an administrator's password reset, the user may only change their password."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _


class PasswordChangeRequiredMiddleware:
    """Send a session whose user ``must_change_password`` to the change-password page.

    Logging out, switching the language and static files stay available; the API answers 403.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and getattr(user, "must_change_password", False)
        ):
            allowed = (
                reverse("password_change"),
                reverse("logout"),
                reverse("set_language"),
            )
            path = request.path_info
            if path not in allowed and not path.startswith("/static/"):
                message = _(
                    "Your password was reset by an administrator: choose a new password to "
                    "continue."
                )
                if path.startswith("/api/"):
                    return JsonResponse({"detail": message}, status=403)
                return redirect("password_change")
        return self.get_response(request)
