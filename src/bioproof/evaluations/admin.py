from django.contrib import admin

from bioproof.core.admin import ReadOnlyAdmin
from bioproof.evaluations.models import Evaluation, Report, TrackRecord


@admin.register(Evaluation)
class EvaluationAdmin(ReadOnlyAdmin):
    list_display = ("code", "version", "product", "center", "status", "is_current")
    list_filter = ("status", "center")
    search_fields = ("code", "title")


@admin.register(Report)
class ReportAdmin(ReadOnlyAdmin):
    list_display = ("evaluation", "language", "verification_code", "generated_at")


@admin.register(TrackRecord)
class TrackRecordAdmin(ReadOnlyAdmin):
    list_display = ("evaluation", "published_at", "withdrawn_at")
