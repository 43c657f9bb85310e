from django.contrib import admin

from bioproof.core.admin import ReadOnlyAdmin
from bioproof.interop import models as m


@admin.register(m.InstrumentFile)
class InstrumentFileAdmin(ReadOnlyAdmin):
    list_display = ("instrument", "raw_filename", "raw_sha256", "run", "organization", "created_at")
    list_filter = ("instrument",)


@admin.register(m.ApiTokenScope)
class ApiTokenScopeAdmin(ReadOnlyAdmin):
    list_display = ("token", "scopes", "per_minute", "set_at")


@admin.register(m.WebhookSubscription)
class WebhookSubscriptionAdmin(ReadOnlyAdmin):
    list_display = ("organization", "url", "event_types", "is_active", "created_at")
    exclude = ("secret",)


@admin.register(m.WebhookDelivery)
class WebhookDeliveryAdmin(ReadOnlyAdmin):
    list_display = ("event_type", "subscription", "status", "attempts", "next_attempt_at")
    list_filter = ("status",)


@admin.register(m.BiofoundryProject)
class BiofoundryProjectAdmin(ReadOnlyAdmin):
    list_display = ("code", "title", "organization", "created_at")
    search_fields = ("code", "steps__code")


@admin.register(m.BiofoundryLink)
class BiofoundryLinkAdmin(ReadOnlyAdmin):
    list_display = ("step", "booking", "facility_project", "created_by", "created_at")
