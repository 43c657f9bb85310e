from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvaluationsConfig(AppConfig):
    name = "bioproof.evaluations"
    label = "evaluations"
    verbose_name = _("Demonstration evaluations")

    def ready(self) -> None:
        from bioproof.core import verification
        from bioproof.evaluations import models as m

        for model in (m.Evaluation, m.MethodTemplate, m.Protocol, m.Criterion, m.Run):
            verification.register(model)
        verification.register(m.Deviation)
        verification.register(m.RunDataFile, files={"file": "sha256", "table_file": "table_sha256"})
        verification.register(m.Report, files={"file": "sha256"})
        verification.register(m.StagedUpload, files={"file": "sha256"})
        from bioproof.core import files
        from bioproof.evaluations import rundata

        for pattern in rundata.UPLOAD_PATHS:
            files.allow_large_uploads(pattern, rundata.sensor_log_limit)
        verification.register(m.TrackRecord)
        verification.register(m.Attachment, files={"file": "sha256"})
        from bioproof.core import integrity
        from bioproof.evaluations import integrity as checks

        integrity.register(checks.signed_evaluations_unchanged)
