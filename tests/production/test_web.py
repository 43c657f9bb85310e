"""Pages: the same visibility as the API; bad input shown as a message; notifications reach only
those who may see the order."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from bioproof.notifications.models import Notification
from bioproof.production import actions
from bioproof.production.models import Batch, Construct, Order

from .conftest import GOOD, PASSWORD, fasta, template

pytestmark = pytest.mark.django_db


def client(user: Any) -> Client:
    c = Client(HTTP_ACCEPT_LANGUAGE="en")
    c.force_login(user)
    return c


def test_order_pages_visibility(order: Order, pp) -> None:
    url = f"/production/orders/{order.code}/"
    assert client(pp["cust"]).get(url).status_code == 200
    assert client(pp["op1"]).get(url).status_code == 200
    assert client(pp["b_admin"]).get(url).status_code == 404
    assert client(pp["evaluator"]).get(url).status_code == 404
    assert Client().get(url).status_code == 302  # to the login page
    listing = client(pp["b_admin"]).get("/production/").content.decode()
    assert order.code not in listing
    assert order.code in client(pp["cust"]).get("/production/").content.decode()


def test_construct_upload_error_shown_and_nothing_written(order: Order, pp) -> None:
    c = client(pp["cust"])
    bad = template()[:70] + "N" + template()[71:]
    r = c.post(
        f"/production/orders/{order.code}/",
        {
            "action": "construct",
            "name": "bad",
            "file": SimpleUploadedFile("bad.fa", fasta(bad)),
            "enzyme": "XbaI",
            "modification": "none",
            "cap_strategy": "enzymatic",
            "quantity_mg": "1",
            "formulation": "naked",
        },
    )
    assert r.status_code == 200
    assert (
        "Position 71: &#x27;N&#x27;" in r.content.decode()
        or "Position 71: 'N'" in r.content.decode()
    )
    assert Construct.objects.filter(name="bad").count() == 0


def test_korean_message_for_bad_sequence(order: Order, pp) -> None:
    c = Client(HTTP_ACCEPT_LANGUAGE="ko")
    c.force_login(pp["cust"])
    r = c.post(
        f"/production/orders/{order.code}/",
        {
            "action": "construct",
            "name": "bad",
            "file": SimpleUploadedFile("bad.fa", fasta(template(polya=20))),
            "enzyme": "XbaI",
            "modification": "none",
            "cap_strategy": "enzymatic",
            "quantity_mg": "1",
            "formulation": "naked",
        },
    )
    assert "poly(A) 길이 20 nt" in r.content.decode()


def test_step_entry_through_the_page(batch: Batch, pp) -> None:
    step = batch.steps.get(key="LIN-01")
    c = client(pp["op1"])
    url = f"/production/batches/{batch.code}/act/"
    r = c.post(url, {"action": "record", "step": step.pk, "v_temp": "hot"}, follow=True)
    assert "is not a number" in r.content.decode()
    c.post(url, {"action": "record", "step": step.pk, "v_temp": GOOD["LIN-01"]["temp"]})
    step.refresh_from_db()
    assert step.status == "done"
    page = client(pp["cust"]).get(f"/production/batches/{batch.code}/")
    assert page.status_code == 200 and "step-form" not in page.content.decode()
    assert client(pp["b_admin"]).get(f"/production/batches/{batch.code}/").status_code == 404
    assert (
        client(pp["b_admin"]).post(url, {"action": "review", "password": PASSWORD}).status_code
        == 404
    )


def test_notifications_reach_only_those_who_see(order: Order, pp) -> None:
    actions.submit_order(by=pp["cust"], order=order)
    notified = set(Notification.objects.values_list("recipient__username", flat=True))
    assert {"op1", "op2"} <= notified
    assert "b_admin" not in notified and "evaluator" not in notified
