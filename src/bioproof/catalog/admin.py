from __future__ import annotations

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from bioproof.catalog.models import Category, Product
from bioproof.core.admin import ReadOnlyAdmin


@admin.register(Category)
class CategoryAdmin(ReadOnlyAdmin):
    list_display = ("code", "name_ko", "name_en", "parent")
    readonly_fields = ("manage",)

    @admin.display(description=_("Changes"))
    def manage(self, obj: Category) -> str:
        return format_html(
            '<a href="{}">{}</a>', reverse("category_edit", args=[obj.code]), _("Edit names")
        )


@admin.register(Product)
class ProductAdmin(ReadOnlyAdmin):
    list_display = ("code", "name_ko", "supplier", "category", "status")
    list_filter = ("status", "category")
    search_fields = ("code", "name_ko", "name_en")
