from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProductionConfig(AppConfig):
    name = "bioproof.production"
    label = "production"
    verbose_name = _("mRNA production")

    def ready(self) -> None:
        from bioproof.core import verification
        from bioproof.production import models as m

        for model in (
            m.Order,
            m.MasterRecipe,
            m.MBRVersion,
            m.MaterialLot,
            m.Batch,
            m.BatchStep,
            m.StepEntry,
            m.Consumption,
            m.Specification,
            m.SpecVersion,
            m.Sample,
            m.TestResult,
            m.Deviation,
            m.CapaAction,
            m.Disposition,
            m.Shipment,
            m.CustodyEvent,
            m.OrderBooking,
        ):
            verification.register(model)
        verification.register(m.Construct, files={"file": "file_sha256"})
        verification.register(m.Certificate, files={"file": "sha256"})
