from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "bioproof.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from bioproof.core import verification
        from bioproof.core.models import Signature

        verification.register(Signature)
        post_migrate.connect(_baseline_after_migrate, sender=self)


def _baseline_after_migrate(using: str = "default", **kwargs: object) -> None:
    """Rows written by data migrations get their first row event (see verification.baseline)."""
    from bioproof.core import verification

    if using == "default":
        verification.baseline()
