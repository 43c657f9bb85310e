"""Who hears of bookings and projects (the registry keeps only those the policy lets see)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from bioproof.consortium.models import Membership
from bioproof.facilities.models import Booking, Invoice, Project, Quote, WaitlistEntry
from bioproof.notifications.registry import members, rule

Role = Membership.Role


def _user(pk: Any) -> Any:
    return get_user_model().objects.filter(pk=pk)


def _booking_url(b: Booking) -> str:
    return reverse("facilities_booking", args=[b.code])


def _project_url(p: Any) -> str:
    project = getattr(p, "project", p)
    return reverse("facilities_project", args=[project.code])


rule(
    "facilities.booking_requested",
    Booking,
    recipients=lambda event, b: members(b.equipment.center_id, Role.STAFF),
    message=_("%(actor)s asks for the booking %(object)s: approve or reject it"),
    url=_booking_url,
)
rule(
    "facilities.booking_approved",
    Booking,
    recipients=lambda event, b: [*_user(b.user_id), *_user(b.booked_by_id), *_user(b.staff_id)],
    message=_("%(actor)s approved your booking %(object)s"),
    url=_booking_url,
)
rule(
    "facilities.booking_rejected",
    Booking,
    recipients=lambda event, b: [*_user(b.user_id), *_user(b.booked_by_id)],
    message=_("%(actor)s rejected your booking %(object)s"),
    url=_booking_url,
)
rule(
    "facilities.released",
    Booking,
    recipients=lambda event, b: [*_user(b.user_id), *_user(b.booked_by_id)],
    message=_("Your booking %(object)s was released: nobody checked in"),
    url=_booking_url,
)
rule(
    "facilities.slot_freed",
    WaitlistEntry,
    recipients=lambda event, w: _user(w.user_id),
    message=_("A slot you waited for is free: %(object)s"),
    url=lambda w: reverse("facilities_equipment", args=[w.equipment.code]),
)
rule(
    "facilities.project_requested",
    Project,
    recipients=lambda event, p: members(p.center_id, Role.STAFF),
    message=_("%(actor)s requested the process-development project %(object)s: scope a quote"),
    url=_project_url,
)
rule(
    "facilities.quote_sent",
    Quote,
    recipients=lambda event, q: members(q.project.company_id, Role.APPROVER),
    message=_("%(actor)s sent the quote %(object)s: review and accept it"),
    url=_project_url,
)
rule(
    "facilities.quote_accepted",
    Quote,
    recipients=lambda event, q: members(q.project.center_id, Role.STAFF),
    message=_("%(actor)s accepted the quote %(object)s"),
    url=_project_url,
)
rule(
    "facilities.invoiced",
    Invoice,
    recipients=lambda event, i: members(i.project.company_id, Role.STAFF, Role.APPROVER),
    message=_("%(actor)s completed the project and issued the invoice %(object)s"),
    url=_project_url,
)
