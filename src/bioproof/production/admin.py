from django.contrib import admin

from bioproof.core.admin import ReadOnlyAdmin
from bioproof.production import models as m


@admin.register(m.Order)
class OrderAdmin(ReadOnlyAdmin):
    list_display = ("code", "title", "customer", "facility", "grade", "status")
    list_filter = ("status", "grade")
    search_fields = ("code", "title")


@admin.register(m.Construct)
class ConstructAdmin(ReadOnlyAdmin):
    list_display = ("order", "name", "enzyme", "modification", "cap_strategy", "formulation")


@admin.register(m.MBRVersion)
class MBRVersionAdmin(ReadOnlyAdmin):
    list_display = ("recipe", "version", "status", "approved_by", "approved_at")


@admin.register(m.Batch)
class BatchAdmin(ReadOnlyAdmin):
    list_display = ("code", "order", "mbr_version", "status", "started_at")
    list_filter = ("status",)
    search_fields = ("code",)


@admin.register(m.SpecVersion)
class SpecVersionAdmin(ReadOnlyAdmin):
    list_display = ("specification", "version", "status", "approved_by")


@admin.register(m.TestResult)
class TestResultAdmin(ReadOnlyAdmin):
    list_display = ("sample", "test_key", "value", "unit", "text", "conforms", "status")


@admin.register(m.Deviation)
class DeviationAdmin(ReadOnlyAdmin):
    list_display = ("code", "kind", "classification", "status", "batch")
    list_filter = ("status", "classification", "kind")


@admin.register(m.Certificate)
class CertificateAdmin(ReadOnlyAdmin):
    list_display = ("code", "batch", "spec_version", "generated_at")
    exclude = ("verification_code",)


@admin.register(m.OrderBooking)
class OrderBookingAdmin(ReadOnlyAdmin):
    list_display = ("order", "booking", "created_by", "created_at")
