from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FacilitiesConfig(AppConfig):
    name = "bioproof.facilities"
    label = "facilities"
    verbose_name = _("Center services")

    def ready(self) -> None:
        from bioproof.core import verification
        from bioproof.facilities import jobs, notify  # noqa: F401  (registers jobs and rules)
        from bioproof.facilities import models as m

        for model in (
            m.Suite,
            m.Equipment,
            m.Rate,
            m.Blackout,
            m.Project,
            m.Quote,
            m.QuoteLine,
            m.WorkPackage,
            m.BookingSeries,
            m.Booking,
            m.WaitlistEntry,
            m.FeedToken,
            m.Invoice,
            m.RunBooking,
            m.ScheduleProposal,
        ):
            verification.register(model, secret=("token_sha256",) if model is m.FeedToken else ())
        verification.register(m.Deliverable, files={"file": "sha256"})
