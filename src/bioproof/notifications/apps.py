from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "bioproof.notifications"
    label = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from django.db.models.signals import post_save
        from django.utils.module_loading import autodiscover_modules

        from bioproof.core.models import AuditEvent
        from bioproof.notifications import registry

        # Each app maps its audit actions to recipients in ``<app>/notify.py``.
        autodiscover_modules("notify")
        post_save.connect(
            registry.on_audit_event, sender=AuditEvent, dispatch_uid="notifications-from-audit"
        )
