from django.contrib import admin

from bioproof.jobs.models import JobRun


@admin.register(JobRun)
class JobRunAdmin(admin.ModelAdmin):
    list_display = ("kind", "object_label", "status", "progress", "created_by", "created_at")
    list_filter = ("status", "kind")
    readonly_fields = [f.name for f in JobRun._meta.fields]

    def has_add_permission(self, request: object) -> bool:
        return False
