"""The inbox: a person's notifications, newest first, and their e-mail preferences."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bioproof.core.web import paginate
from bioproof.notifications import actions
from bioproof.notifications.models import Notification, Preference


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    mine = Notification.objects.filter(recipient=request.user)
    if request.GET.get("unread"):
        mine = mine.filter(read_at__isnull=True)
    page = paginate(request, mine.order_by("-created_at", "-id"), per_page=30)
    return render(
        request,
        "notifications/inbox.html",
        {"page": page, "only_unread": bool(request.GET.get("unread"))},
    )


@login_required
@require_POST
def open_notification(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark one notification read and go to what it is about."""
    notification = get_object_or_404(Notification, pk=pk, recipient=request.user)
    if notification.read_at is None:
        actions.mark_read(by=request.user, notification=notification)
    target = notification.url
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect("notification_inbox")


@login_required
@require_POST
def mark_all_read(request: HttpRequest) -> HttpResponse:
    count = actions.mark_all_read(by=request.user)
    messages.success(request, _("%(n)d notification(s) marked as read.") % {"n": count})
    return redirect("notification_inbox")


class PreferenceForm(forms.ModelForm):
    class Meta:
        model = Preference
        fields = ["email", "language"]
        widgets: dict[str, Any] = {"email": forms.RadioSelect}


@login_required
def preferences(request: HttpRequest) -> HttpResponse:
    pref = Preference.objects.filter(user=request.user).first() or Preference(
        user=request.user, language=(request.LANGUAGE_CODE or "ko")[:2]
    )
    form = PreferenceForm(request.POST or None, instance=pref)
    if request.method == "POST" and form.is_valid():
        actions.save_preferences(by=request.user, preference=form.save(commit=False))
        messages.success(request, _("Notification settings saved."))
        return redirect("notification_preferences")
    return render(
        request,
        "notifications/preferences.html",
        {"form": form, "has_email": bool(request.user.email)},
    )
