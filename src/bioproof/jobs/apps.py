from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JobsConfig(AppConfig):
    name = "bioproof.jobs"
    label = "jobs"
    verbose_name = _("Background jobs")

    def ready(self) -> None:
        # Each app declares its job kinds in ``<app>/jobs.py`` (registered on import).
        from django.utils.module_loading import autodiscover_modules

        autodiscover_modules("jobs")
        from bioproof.jobs import builtin  # noqa: F401
