"""Regulated records are read-only in the admin: actions are the only writers."""

from django.contrib import admin

from bioproof.core.models import AuditEvent, Signature


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ("seq", "at", "actor_username", "action", "object_repr")
    list_filter = ("action",)
    search_fields = ("object_repr", "actor_username", "object_id")


@admin.register(Signature)
class SignatureAdmin(ReadOnlyAdmin):
    list_display = ("object_code", "object_version", "meaning", "signer_name", "signed_at")
