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
