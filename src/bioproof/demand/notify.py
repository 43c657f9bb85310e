"""Who hears of proposals: the demand company that posted the need and the supplier answering.

The registry keeps only those who can see the proposal (``Proposal.objects.visible_to``).
"""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from bioproof.consortium.models import Membership
from bioproof.demand.models import Proposal
from bioproof.notifications.registry import members, rule

Role = Membership.Role


def _need_url(proposal: Proposal) -> str:
    return reverse("need_detail", args=[proposal.need.code])


def _proposals_url(proposal: Proposal) -> str:
    return reverse("proposal_list")


rule(
    "proposal.invited",
    Proposal,
    recipients=lambda event, p: members(p.supplier_id, Role.STAFF),
    message=_("%(actor)s invites you to propose %(object)s: answer it"),
    url=_need_url,
)
rule(
    "proposal.submitted",
    Proposal,
    recipients=lambda event, p: members(p.need.organization_id, Role.STAFF),
    message=_("%(actor)s proposed %(object)s for your need: accept or decline it"),
    url=_proposals_url,
)
rule(
    "proposal.accepted",
    Proposal,
    recipients=lambda event, p: members(p.supplier_id, Role.STAFF),
    message=_("%(actor)s accepted your proposal %(object)s"),
    url=_need_url,
)
rule(
    "proposal.declined",
    Proposal,
    recipients=lambda event, p: members(p.supplier_id, Role.STAFF),
    message=_("%(actor)s declined your proposal %(object)s"),
    url=_need_url,
)
