from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "bioproof.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from bioproof.core import security  # noqa: F401  (connects the lock-out audit)
