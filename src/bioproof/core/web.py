"""Small helpers shared by the web views."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django import forms
from django.contrib import messages
from django.http import HttpRequest

from bioproof.core.errors import DomainError

T = TypeVar("T")


def attempt(
    request: HttpRequest,
    fn: Callable[..., T],
    /,
    *args: Any,
    success: str = "",
    form: forms.Form | None = None,
    **kwargs: Any,
) -> T | None:
    """Call an action; on a DomainError show its message (on the form if given), return None."""
    try:
        result = fn(*args, **kwargs)
    except DomainError as exc:
        if form is not None:
            field = exc.field if exc.field in form.fields else None
            form.add_error(field, exc.message)
        else:
            messages.error(request, exc.message)
        return None
    if success:
        messages.success(request, success)
    return result


def paginate(
    request: HttpRequest, queryset: Any, per_page: int = 25, *, bounded_count: bool = False
) -> Any:
    """Page numbers for the first pages, then keyset (see ``bioproof.core.pagination``);
    ``bounded_count`` counts only as far as the numbered pages (lists of millions)."""
    from bioproof.core.pagination import html_page

    return html_page(request, queryset, per_page, bounded_count=bounded_count)


def form_errors(request: HttpRequest, form: forms.Form) -> None:
    """Show a bound form's errors as messages, each naming its field."""
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        for error in errors:
            messages.error(request, f"{label}: {error}" if label else str(error))


class AuditActorMiddleware:
    """Name the signed-in user on the row events written while serving the request."""

    def __init__(self, get_response: Callable[[HttpRequest], Any]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> Any:
        from bioproof.core import verification

        token = verification.set_actor(getattr(request, "user", None))
        try:
            return self.get_response(request)
        finally:
            verification.reset_actor(token)
