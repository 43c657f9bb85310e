"""Read-only views of organizations, users, memberships and API tokens.

Roles, password resets, deactivation, organization edits and token revocation are audited
actions (``bioproof.consortium.actions``) made on the platform's pages; each change view links
to the page that makes the change.
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from bioproof.consortium.models import ApiToken, Membership, Organization, User
from bioproof.core.admin import ReadOnlyAdmin, ReadOnlyInline

# Roles come from memberships; Django's groups and permissions are not used, so they are not
# offered as an unaudited way to grant rights.
if admin.site.is_registered(Group):
    admin.site.unregister(Group)


class MembershipInline(ReadOnlyInline):
    model = Membership
    fields = ("organization", "role")


def _members_link(org: Organization) -> str:
    return format_html(
        '<a href="{}">{}</a>',
        reverse("organization_members", args=[org.code]),
        _("Manage members and roles of %(o)s") % {"o": org.name},
    )


@admin.register(User)
class BioProofUserAdmin(ReadOnlyAdmin, UserAdmin):
    inlines = [MembershipInline]
    list_display = ("username", "first_name", "last_name", "is_active", "must_change_password")
    list_filter = ("is_active", "is_superuser", "must_change_password")
    fieldsets = (
        (None, {"fields": ("username", "manage")}),
        (_("Personal info"), {"fields": ("first_name", "last_name", "email")}),
        (
            _("Status"),
            {"fields": ("is_active", "must_change_password", "is_staff", "is_superuser")},
        ),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    readonly_fields = ("manage",)

    @admin.display(description=_("Changes"))
    def manage(self, obj: User) -> str:
        links = [
            _members_link(m.organization)
            for m in obj.memberships.select_related("organization").distinct()
        ]
        unique = list(dict.fromkeys(links))
        return format_html("<br>".join(["{}"] * len(unique)), *unique) if unique else "—"


@admin.register(Organization)
class OrganizationAdmin(ReadOnlyAdmin):
    list_display = ("code", "name_ko", "name_en", "kind", "is_consortium_member")
    list_filter = ("kind", "is_consortium_member")
    search_fields = ("code", "name_ko", "name_en")
    readonly_fields = ("manage",)

    @admin.display(description=_("Changes"))
    def manage(self, obj: Organization) -> str:
        return format_html(
            '<a href="{}">{}</a><br>{}',
            reverse("organization_edit", args=[obj.code]),
            _("Edit this organization"),
            _members_link(obj),
        )


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdmin):
    list_display = ("name", "user", "prefix", "created_at", "last_used_at", "revoked_at")
    exclude = ("key_hash",)
    readonly_fields = ("manage",)

    @admin.display(description=_("Changes"))
    def manage(self, obj: ApiToken) -> str:
        org = obj.user.primary_organization
        return _members_link(org) if org else "—"
