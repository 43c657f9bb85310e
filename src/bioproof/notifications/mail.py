"""E-mail of notifications: one message per notification, or one daily digest per person.

Sent by the job queue (``notifications.email``, ``notifications.digest``) through Django's e-mail
backend (``BIOPROOF_EMAIL_URL``), in the recipient's language (their preference).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.template.loader import render_to_string
from django.utils import timezone, translation

from bioproof.notifications.models import Notification, Preference


def _language(user: Any) -> str:
    pref = Preference.objects.filter(user=user).values_list("language", flat=True).first()
    return pref or settings.LANGUAGE_CODE


def _absolute(url: str) -> str:
    return f"{settings.BIOPROOF_SITE_URL}{url}" if url.startswith("/") else url


def _message(user: Any, template: str, context: dict[str, Any]) -> EmailMessage:
    with translation.override(_language(user)):
        subject = render_to_string(f"notifications/email/{template}_subject.txt", context)
        body = render_to_string(f"notifications/email/{template}.txt", context)
    return EmailMessage(
        " ".join(subject.split())[:200], body, settings.DEFAULT_FROM_EMAIL, [user.email]
    )


def _item(notification: Notification, language: str) -> dict[str, str]:
    from bioproof.notifications.registry import text_in

    return {
        "text": text_in(notification, language),
        "url": _absolute(notification.url),
        "at": timezone.localtime(notification.created_at).strftime("%Y-%m-%d %H:%M"),
    }


def send_each(ids: list[int], progress: Callable[[int, str], None] | None = None) -> int:
    """Send the not yet e-mailed notifications ``ids``, one message each; how many were sent."""
    pending = list(
        Notification.objects.filter(pk__in=ids, emailed_at__isnull=True)
        .exclude(recipient__email="")
        .select_related("recipient")
    )
    sent = 0
    with get_connection() as connection:
        for i, notification in enumerate(pending, 1):
            user = notification.recipient
            item = _item(notification, _language(user))
            message = _message(user, "notification", {"user": user, "item": item})
            message.connection = connection
            message.send()
            Notification.objects.filter(pk=notification.pk).update(emailed_at=timezone.now())
            sent += 1
            if progress:
                progress(int(100 * i / len(pending)), f"{i}/{len(pending)}")
    return sent


def send_digests(progress: Callable[[int, str], None] | None = None) -> int:
    """One message per person who chose the daily digest, listing what they have not been sent;
    how many messages were sent."""
    daily = Preference.objects.filter(email=Preference.Email.DAILY).values_list("user_id")
    pending = (
        Notification.objects.filter(recipient_id__in=daily, emailed_at__isnull=True)
        .exclude(recipient__email="")
        .select_related("recipient")
        .order_by("recipient_id", "created_at")
    )
    by_user: dict[Any, list[Notification]] = defaultdict(list)
    for notification in pending:
        by_user[notification.recipient].append(notification)
    sent = 0
    with get_connection() as connection:
        for i, (user, items) in enumerate(by_user.items(), 1):
            language = _language(user)
            message = _message(
                user,
                "digest",
                {"user": user, "items": [_item(n, language) for n in items], "count": len(items)},
            )
            message.connection = connection
            message.send()
            Notification.objects.filter(pk__in=[n.pk for n in items]).update(
                emailed_at=timezone.now()
            )
            sent += 1
            if progress:
                progress(int(100 * i / len(by_user)), f"{i}/{len(by_user)}")
    return sent
