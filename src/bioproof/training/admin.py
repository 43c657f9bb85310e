from django.contrib import admin

from bioproof.core.admin import ReadOnlyAdmin
from bioproof.training import models as m


@admin.register(m.Provider)
class ProviderAdmin(ReadOnlyAdmin):
    list_display = ("organization", "is_active", "created_at")


@admin.register(m.Course)
class CourseAdmin(ReadOnlyAdmin):
    list_display = ("code", "provider", "status", "current_version")
    list_filter = ("status",)
    search_fields = ("code",)


@admin.register(m.CourseVersion)
class CourseVersionAdmin(ReadOnlyAdmin):
    list_display = ("course", "version", "title_ko", "title_en", "level", "capacity")


@admin.register(m.Session)
class SessionAdmin(ReadOnlyAdmin):
    list_display = (
        "code",
        "course_version",
        "center",
        "starts_on",
        "ends_on",
        "capacity",
        "status",
    )
    list_filter = ("status",)
    search_fields = ("code",)


@admin.register(m.Enrollment)
class EnrollmentAdmin(ReadOnlyAdmin):
    list_display = ("session", "trainee", "organization", "status", "waitlist_position")
    list_filter = ("status",)


@admin.register(m.Assessment)
class AssessmentAdmin(ReadOnlyAdmin):
    list_display = ("enrollment", "version", "status", "theory_score", "attendance_pct", "passed")


@admin.register(m.Certificate)
class CertificateAdmin(ReadOnlyAdmin):
    list_display = ("code", "holder_name", "course_version", "issued_on", "expires_on", "status")
    list_filter = ("status",)
    search_fields = ("code", "holder_name")
    exclude = ("credential_jwt",)


@admin.register(m.Qualification)
class QualificationAdmin(ReadOnlyAdmin):
    list_display = ("person", "key", "granted_on", "expires_on", "status")
    list_filter = ("status",)
    search_fields = ("key", "person__username")


@admin.register(m.SupervisedUse)
class SupervisedUseAdmin(ReadOnlyAdmin):
    list_display = ("person", "key", "center", "supervisor", "used_on")


@admin.register(m.Attendance)
class AttendanceAdmin(ReadOnlyAdmin):
    list_display = ("enrollment", "day", "status", "recorded_by")
    list_filter = ("status",)


@admin.register(m.Reminder)
class ReminderAdmin(ReadOnlyAdmin):
    list_display = ("qualification", "threshold_days", "expires_on", "recorded_at")
