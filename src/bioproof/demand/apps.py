from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemandConfig(AppConfig):
    name = "bioproof.demand"
    label = "demand"
    verbose_name = _("Demand and supply matching")

    def ready(self) -> None:
        from bioproof.core import verification
        from bioproof.demand.models import (
            Adoption,
            Need,
            ProductDocument,
            Proposal,
            ProposalAttachment,
        )

        verification.register(Need)
        verification.register(Proposal)
        verification.register(Adoption)
        verification.register(ProposalAttachment, files={"file": "sha256"})
        verification.register(ProductDocument, files={"file": "sha256"})
