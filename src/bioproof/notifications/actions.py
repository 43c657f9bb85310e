"""Writes to a person's own inbox and settings (the only writers).

Notifications and preferences hold no regulated data (not registered with the verification
registry); each action acts on the caller's own rows only.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from bioproof.notifications.models import Notification, Preference


@transaction.atomic
def mark_read(*, by: Any, notification: Notification) -> None:
    """Mark one of ``by``'s notifications read (a no-op when it already is)."""
    Notification.objects.filter(pk=notification.pk, recipient=by, read_at__isnull=True).update(
        read_at=timezone.now()
    )


@transaction.atomic
def mark_all_read(*, by: Any) -> int:
    """Mark every unread notification of ``by`` read; how many were."""
    return Notification.objects.filter(recipient=by, read_at__isnull=True).update(
        read_at=timezone.now()
    )


@transaction.atomic
def save_preferences(*, by: Any, preference: Preference) -> Preference:
    """Store ``by``'s notification settings (a validated, unsaved or changed instance)."""
    if preference.user_id != by.pk:
        raise PermissionError("a person changes only their own notification settings")
    preference.save()
    return preference
