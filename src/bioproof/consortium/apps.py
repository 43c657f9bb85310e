from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConsortiumConfig(AppConfig):
    name = "bioproof.consortium"
    label = "consortium"
    verbose_name = _("Consortium")

    def ready(self) -> None:
        from bioproof.consortium.models import ApiToken, Membership, Organization, User
        from bioproof.core import verification

        verification.register(Organization)
        # Signing credentials are regulated: a password set behind the application's back is named.
        verification.register(User, exclude=["last_login"], secret=["password"])
        verification.register(Membership)
        verification.register(ApiToken, exclude=["last_used_at"], secret=["key_hash"])
