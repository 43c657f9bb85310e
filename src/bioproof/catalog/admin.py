from django.contrib import admin

from bioproof.catalog.models import Category, Product
from bioproof.core.admin import ReadOnlyAdmin


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("code", "name_ko", "name_en", "parent")


@admin.register(Product)
class ProductAdmin(ReadOnlyAdmin):
    list_display = ("code", "name_ko", "supplier", "category", "status")
    list_filter = ("status", "category")
    search_fields = ("code", "name_ko", "name_en")
