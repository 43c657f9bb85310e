"""In-app notifications and each person's e-mail preferences.

A notification is derived from an audit event (the record of what happened) by the rules in the
apps' ``notify.py``; it is not itself a regulated record. Its text is rendered in the reader's
language when shown or sent.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    # no database constraint: the audit table answers to its chain alone, and a notification must
    # neither block nor mask a deleted event (``audit verify`` names it)
    event = models.ForeignKey(
        "core.AuditEvent", on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    action = models.CharField(max_length=80)
    actor_name = models.CharField(max_length=200, blank=True)
    object_repr = models.CharField(max_length=255, blank=True)
    url = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "read_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "event"], name="one_notification_per_event"
            )
        ]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")

    def __str__(self) -> str:
        return f"{self.action} → {self.recipient_id}"

    @property
    def text(self) -> str:
        from bioproof.notifications import registry

        return registry.text(self)


class Preference(models.Model):
    class Email(models.TextChoices):
        IMMEDIATE = "immediate", _("Each notification by e-mail")
        DAILY = "daily", _("One daily digest by e-mail")
        OFF = "off", _("No e-mail (in BioProof only)")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preference"
    )
    email = models.CharField(
        _("e-mail"), max_length=10, choices=Email.choices, default=Email.IMMEDIATE
    )
    language = models.CharField(
        _("language of e-mails"), max_length=2, choices=settings.LANGUAGES, default="ko"
    )

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")

    def __str__(self) -> str:
        return f"{self.user_id}: {self.email}"
