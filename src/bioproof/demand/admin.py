from django.contrib import admin

from bioproof.core.admin import ReadOnlyAdmin
from bioproof.demand.models import Adoption, Need, ProductDocument, Proposal


@admin.register(Need)
class NeedAdmin(ReadOnlyAdmin):
    list_display = ("code", "title", "organization", "category", "visibility", "status")
    list_filter = ("status", "visibility")
    search_fields = ("code", "title", "incumbent")


@admin.register(Proposal)
class ProposalAdmin(ReadOnlyAdmin):
    list_display = ("need", "product", "supplier", "status", "evaluation")
    list_filter = ("status",)


@admin.register(Adoption)
class AdoptionAdmin(ReadOnlyAdmin):
    list_display = ("organization", "product", "adopted_on", "yearly_volume", "volume_unit")


@admin.register(ProductDocument)
class ProductDocumentAdmin(ReadOnlyAdmin):
    list_display = ("product", "kind", "version", "filename", "is_current", "uploaded_at")
    list_filter = ("kind",)
