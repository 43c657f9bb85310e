from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogConfig(AppConfig):
    name = "bioproof.catalog"
    label = "catalog"
    verbose_name = _("Product catalog")

    def ready(self) -> None:
        from bioproof.catalog.models import Category, Product
        from bioproof.core import verification

        verification.register(Category)
        verification.register(Product)
