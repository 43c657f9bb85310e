from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvaluationsConfig(AppConfig):
    name = "bioproof.evaluations"
    label = "evaluations"
    verbose_name = _("Demonstration evaluations")

    def ready(self) -> None:
        from bioproof.core import integrity
        from bioproof.evaluations import integrity as checks

        integrity.register(checks.signed_evaluations_unchanged)
