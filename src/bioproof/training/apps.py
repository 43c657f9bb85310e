from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrainingConfig(AppConfig):
    name = "bioproof.training"
    label = "training"
    verbose_name = _("Training and qualifications")

    def ready(self) -> None:
        from bioproof.core import verification
        from bioproof.training import models as m

        verification.register(m.Provider)
        verification.register(m.Course)
        verification.register(m.CourseVersion)
        verification.register(m.Session)
        verification.register(m.SessionInstructor)
        verification.register(m.Enrollment)
        verification.register(m.Attendance)
        verification.register(m.Assessment)
        verification.register(m.Certificate)
        verification.register(m.SupervisedUse)
        verification.register(m.Qualification)
        verification.register(m.Reminder)
