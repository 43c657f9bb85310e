from django.contrib import admin

from bioproof.core.admin import ReadOnlyAdmin
from bioproof.facilities import models as m


@admin.register(m.Suite)
class SuiteAdmin(ReadOnlyAdmin):
    list_display = ("code", "center", "name_en", "gmp")


@admin.register(m.Equipment)
class EquipmentAdmin(ReadOnlyAdmin):
    list_display = (
        "code",
        "center",
        "kind",
        "equipment_class",
        "status",
        "calibration_due",
        "qualification_due",
    )
    list_filter = ("status", "kind", "center")
    search_fields = ("code", "name_ko", "name_en", "registry_number")


@admin.register(m.Rate)
class RateAdmin(ReadOnlyAdmin):
    list_display = ("equipment", "customer_type", "per_hour_krw", "per_day_krw")


@admin.register(m.Blackout)
class BlackoutAdmin(ReadOnlyAdmin):
    list_display = ("equipment", "starts_at", "ends_at", "reason", "cancelled")


@admin.register(m.Booking)
class BookingAdmin(ReadOnlyAdmin):
    list_display = ("code", "equipment", "organization", "user", "starts_at", "ends_at", "status")
    list_filter = ("status", "mode")
    search_fields = ("code",)


@admin.register(m.Project)
class ProjectAdmin(ReadOnlyAdmin):
    list_display = ("code", "company", "center", "title", "status")
    list_filter = ("status",)


@admin.register(m.Quote)
class QuoteAdmin(ReadOnlyAdmin):
    list_display = ("project", "version", "status", "funding_line", "total_krw")


@admin.register(m.Invoice)
class InvoiceAdmin(ReadOnlyAdmin):
    list_display = ("code", "project", "funding_line", "total_krw", "issued_on")


@admin.register(m.FeedToken)
class FeedTokenAdmin(ReadOnlyAdmin):
    list_display = ("owner", "scope", "prefix", "created_at", "revoked_at")
    exclude = ("token_sha256",)
