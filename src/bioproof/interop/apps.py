from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InteropConfig(AppConfig):
    name = "bioproof.interop"
    label = "interop"
    verbose_name = _("Partner exchange and open data")

    def ready(self) -> None:
        from bioproof.core import verification
        from bioproof.interop import models as m

        verification.register(m.InstrumentFile, files={"raw": "raw_sha256", "asm": "asm_sha256"})
        verification.register(m.ApiTokenScope)
        verification.register(m.BiofoundryProject)
        verification.register(m.BiofoundryStep)
        verification.register(m.BiofoundryLink)
        verification.register(m.WebhookSubscription, secret=("secret",))

        from django.db.models.signals import post_save

        from bioproof.core.models import AuditEvent
        from bioproof.interop import webhooks

        post_save.connect(
            webhooks.on_audit_event, sender=AuditEvent, dispatch_uid="interop-webhooks"
        )
        from bioproof.interop import jobs  # noqa: F401  (registers the job kinds)
