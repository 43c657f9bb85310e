"""Regulated records are read-only in the admin: actions are the only writers.

Every model of the platform's apps is registered with :class:`ReadOnlyAdmin` (inlines with
:class:`ReadOnlyInline`): no add, change or delete (so no bulk delete action either). Changes
are made on the platform's own pages, which call the audited actions; the admin links to them.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from bioproof.core.models import AuditEvent, Signature


class ReadOnlyMixin:
    """No add, change or delete permission for anyone, superusers included."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ReadOnlyAdmin(ReadOnlyMixin, admin.ModelAdmin):
    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        return {}


class ReadOnlyInline(ReadOnlyMixin, admin.TabularInline):
    extra = 0
    max_num = 0
    can_delete = False


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ("seq", "at", "actor_username", "action", "object_repr")
    list_filter = ("action",)
    search_fields = ("object_repr", "actor_username", "object_id")


@admin.register(Signature)
class SignatureAdmin(ReadOnlyAdmin):
    list_display = ("object_code", "object_version", "meaning", "signer_name", "signed_at")
