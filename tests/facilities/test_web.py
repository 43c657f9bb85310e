"""Pages of center services: calendars, booking through the form (a clash is a message on the
page, never a 500), the booking page's steps, iCal feeds behind revocable secret tokens, projects
and reports."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from icalendar import Calendar

from bioproof.facilities import actions
from bioproof.facilities.models import Booking, FeedToken

from .conftest import PASSWORD, at

pytestmark = pytest.mark.django_db


def client_for(user: Any) -> Client:
    c = Client(HTTP_ACCEPT_LANGUAGE="en")
    c.force_login(user)
    return c


def test_equipment_pages_and_calendars(sub50: Any, fp: dict) -> None:
    b = actions.book(by=fp["a_staff"], equipment=sub50, starts_at=at(1, 9), ends_at=at(1, 12))
    anon = Client()
    assert anon.get("/facilities/").status_code == 200
    page = anon.get("/facilities/equipment/ACC-SUB-50/")
    assert page.status_code == 200 and b"NFEC-2024-01-123456" in page.content
    day = at(1).date().isoformat()
    for view in ("day", "week", "month"):
        r = client_for(fp["b_user"]).get(f"/facilities/centers/center/?view={view}&date={day}")
        assert r.status_code == 200
        # a competitor sees the slot taken, not whose booking it is
        assert b.code.encode() not in r.content and b"b-busy" in r.content
    r = client_for(fp["a_staff"]).get(f"/facilities/centers/center/?view=week&date={day}")
    assert b.code.encode() in r.content


def test_booking_form_and_clash_message(sub50: Any, fp: dict) -> None:
    c = client_for(fp["a_staff"])
    data = {
        "starts_at": at(2, 9).strftime("%Y-%m-%dT%H:%M"),
        "ends_at": at(2, 12).strftime("%Y-%m-%dT%H:%M"),
        "mode": "self",
        "funding_line": "self_use",
        "repeat_weeks": "1",
    }
    r = c.post("/facilities/equipment/ACC-SUB-50/book/", data)
    b = Booking.objects.get()
    assert r.status_code == 302 and r["Location"].endswith(f"/bookings/{b.code}/")
    r = client_for(fp["operator"]).post("/facilities/equipment/ACC-SUB-50/book/", data, follow=True)
    assert r.status_code == 200 and b"already booked" in r.content
    assert Booking.objects.count() == 1
    # the booking page and its steps
    assert c.get(f"/facilities/bookings/{b.code}/").status_code == 200
    assert client_for(fp["b_user"]).get(f"/facilities/bookings/{b.code}/").status_code == 404
    r = c.post(f"/facilities/bookings/{b.code}/cancel/", {"reason": "x"}, follow=True)
    b.refresh_from_db()
    assert b.status == "cancelled"


def test_ical_feed_token_hashed_and_revocable(sub50: Any, fp: dict) -> None:
    b = actions.book(by=fp["a_staff"], equipment=sub50, starts_at=at(1, 9), ends_at=at(1, 12))
    feed, token = actions.create_feed(by=fp["a_staff"], scope="user")
    assert token not in feed.token_sha256 and len(feed.token_sha256) == 64
    r = Client().get(f"/facilities/feeds/{token}.ics")
    assert r.status_code == 200 and r["Content-Type"].startswith("text/calendar")
    cal = Calendar.from_ical(r.content)
    events = [e for e in cal.walk("VEVENT")]
    assert [str(e["uid"]) for e in events] == [f"{b.code}@bioproof"]
    assert events[0].decoded("dtstart") == at(1, 9)
    # an equipment feed of a competitor shows the slot, not the booking
    _f2, t2 = actions.create_feed(by=fp["b_user"], scope="equipment", equipment=sub50)
    other = Calendar.from_ical(Client().get(f"/facilities/feeds/{t2}.ics").content)
    assert [str(e["summary"]) for e in other.walk("VEVENT")] == ["ACC-SUB-50: Booked"]
    actions.revoke_feed(by=fp["a_staff"], feed=feed)
    assert Client().get(f"/facilities/feeds/{token}.ics").status_code == 404
    assert Client().get("/facilities/feeds/not-a-token.ics").status_code == 404
    assert FeedToken.objects.filter(revoked_at__isnull=False).count() == 1


def test_project_pages_and_reports(sub50: Any, fp: dict, orgs: dict) -> None:
    c = client_for(fp["a_staff"])
    r = c.post(
        "/facilities/projects/new/",
        {
            "center": orgs["center"].pk,
            "title": "Media screen",
            "organism": "E. coli BL21",
            "process_steps": "5 L fed-batch",
            "scale": "5 L",
        },
    )
    assert r.status_code == 302
    code = r["Location"].rstrip("/").rsplit("/", 1)[1]
    ev = client_for(fp["evaluator"])
    r = ev.post(
        f"/facilities/projects/{code}/quote/",
        {
            "lines": "equipment | ACC-SUB-50 | 10 | h | assisted\nstaff | Engineer | 5 | h | 50000",
            "funding_line": "test_service",
        },
        follow=True,
    )
    assert r.status_code == 200 and b"1050000" in r.content  # 10 × 80,000 + 5 × 50,000
    assert client_for(fp["b_user"]).get(f"/facilities/projects/{code}/").status_code == 404
    r = ev.post(
        f"/facilities/projects/{code}/quote/",
        {"lines": "bad line", "funding_line": "self_use"},
        follow=True,
    )
    assert b"Line 1" in r.content
    ev.post(f"/facilities/projects/{code}/send/", {"version": 1})
    r = client_for(fp["a_approver"]).post(
        f"/facilities/projects/{code}/accept/", {"version": 1, "password": PASSWORD}, follow=True
    )
    assert b"accepted" in r.content.lower()
    r = ev.get("/facilities/centers/center/reports/")
    assert r.status_code == 200
    r = ev.get("/facilities/centers/center/reports/?format=xlsx")
    assert r.status_code == 200 and r.content[:2] == b"PK"
    assert client_for(fp["a_staff"]).get("/facilities/centers/center/reports/").status_code == 403
    assert ev.get("/facilities/centers/center/schedule/").status_code == 200
    assert c.get("/facilities/my/").status_code == 200
