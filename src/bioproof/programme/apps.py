from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgrammeConfig(AppConfig):
    name = "bioproof.programme"
    label = "programme"
    verbose_name = _("Programme dashboard")

    def ready(self) -> None:
        from bioproof.core import verification
        from bioproof.programme import jobs  # noqa: F401  (registers the refresh job)
        from bioproof.programme import models as m

        verification.register(m.TargetSet)
        verification.register(m.CoreItem)
        verification.register(m.Target)
        verification.register(m.Pledge)
        verification.register(m.PledgeEvidence, files={"file": "sha256"})
