"""iCal feeds (RFC 5545, the ``icalendar`` library) behind secret-token URLs.

A feed URL carries a random token; only its SHA-256 is stored, so a leaked database does not
leak feeds, and the owner revokes a feed at any time (a revoked or unknown token is a 404). A
feed shows what its owner may see through the booking policy *now* (a person who leaves an
organization stops seeing its bookings): bookings the owner may see in detail carry their code,
equipment and purpose; others on an equipment or center feed are only "Booked".

Bounded: bookings from 90 days ago to 400 days ahead, at most 5,000 events.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import BooleanField, Case, Q, Value, When
from django.utils import timezone
from icalendar import Calendar, Event

from bioproof.facilities import policy
from bioproof.facilities.actions.bookings import hash_token
from bioproof.facilities.models import HOLDING, Booking, FeedToken

MAX_EVENTS = 5000
PAST = dt.timedelta(days=90)
AHEAD = dt.timedelta(days=400)


def render_token(token: str) -> bytes | None:
    """The feed's iCalendar bytes, or None for an unknown or revoked token."""
    if not token or len(token) > 100:
        return None
    feed = (
        FeedToken.objects.filter(token_sha256=hash_token(token), revoked_at__isnull=True)
        .select_related("owner", "equipment", "center")
        .first()
    )
    if feed is None or not feed.owner.is_active:
        return None
    return render(feed)


def render(feed: FeedToken) -> bytes:
    now = timezone.now()
    owner = feed.owner
    qs = Booking.objects.filter(
        status__in=HOLDING, starts_at__gte=now - PAST, starts_at__lt=now + AHEAD
    )
    if feed.scope == FeedToken.Scope.USER:
        qs = qs.filter(Q(user=owner) | Q(staff=owner) | Q(booked_by=owner))
        name = f"BioProof — {owner.username}"
    elif feed.scope == FeedToken.Scope.EQUIPMENT:
        qs = qs.filter(equipment=feed.equipment)
        name = f"BioProof — {feed.equipment.code}"
    else:
        qs = qs.filter(equipment__center=feed.center)
        name = f"BioProof — {feed.center.name_en}"
    rows = (
        qs.annotate(
            mine=Case(
                When(policy.booking_visibility(owner), then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            )
        )
        .select_related("equipment")
        .order_by("starts_at")[:MAX_EVENTS]
    )
    cal = Calendar()
    cal.add("prodid", "-//BioProof//Center services//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", "Asia/Seoul")
    for b in rows:
        ev = Event()
        ev.add("uid", f"{b.code}@bioproof")
        ev.add("dtstamp", now)
        ev.add("dtstart", b.starts_at)
        ev.add("dtend", b.ends_at)
        ev.add("status", "TENTATIVE" if b.status == "requested" else "CONFIRMED")
        if b.mine:
            ev.add("summary", f"{b.code} · {b.equipment.code}")
            ev.add("location", b.equipment.location or b.equipment.code)
            if b.purpose:
                ev.add("description", b.purpose)
        else:
            ev.add("summary", f"{b.equipment.code}: Booked")
        cal.add_component(ev)
    return cal.to_ical()
