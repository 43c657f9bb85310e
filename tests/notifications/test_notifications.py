"""Notifications come from audit events, reach the people the next step needs, and never anyone
who cannot see the object (role × organization matrix)."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import transaction

from bioproof.core import audit
from bioproof.demand import actions as demand
from bioproof.evaluations import actions as ev_actions
from bioproof.evaluations.models import Evaluation
from bioproof.notifications import registry
from bioproof.notifications.models import Notification, Preference
from tests.conftest import PASSWORD


@pytest.fixture
def everyone(people: dict[str, Any], make_user: Any) -> dict[str, Any]:
    """The fixture's people plus viewers and admins of every organization."""
    more = {
        "a_viewer": make_user("a_viewer", "supplier_a", "viewer"),
        "b_staff": make_user("b_staff", "supplier_b", "staff"),
        "center_viewer": make_user("center_viewer", "center", "viewer"),
        "center_admin": make_user("center_admin", "center", "org_admin"),
        "center2_admin": make_user("center2_admin", "center2", "org_admin"),
        "demand_admin": make_user("demand_admin", "demand", "org_admin"),
        "demand_viewer": make_user("demand_viewer", "demand", "viewer"),
    }
    return people | more


def recipients(action: str) -> set[str]:
    return set(
        Notification.objects.filter(action=action).values_list("recipient__username", flat=True)
    )


def assert_only_visible() -> None:
    """Every notification's recipient can see its object through the app's policy."""
    rules = registry.rules()
    for n in Notification.objects.select_related("event", "recipient"):
        rule = rules[n.action]
        obj = rule.model._base_manager.get(pk=n.event.object_id)
        subject = rule.subject(obj) if rule.subject else obj
        assert registry.can_see(n.recipient, subject), (n.action, n.recipient.username)


CENTER_OPERATORS = {"evaluator", "center_admin"}
SUPPLIER_STAFF = {"a_admin", "a_staff"}


def test_the_evaluation_thread_notifies_the_next_actor(
    everyone: dict[str, Any], product_a: Any, orgs: Any
) -> None:
    p = everyone
    ev = ev_actions.request_evaluation(
        by=p["a_staff"],
        product=product_a,
        center=orgs["center"],
        title="t",
        reference_product="r",
        scale="50 L",
    )
    # the center's operators screen it; not the other center, not the competitor, not viewers
    assert recipients("evaluation.requested") == CENTER_OPERATORS
    ev_actions.request_info(by=p["evaluator"], evaluation=ev, reason="Which cell line?")
    assert recipients("evaluation.info_requested") == SUPPLIER_STAFF
    ev_actions.provide_info(by=p["a_staff"], evaluation=ev, reason="CHO-K1")
    assert recipients("evaluation.info_provided") == CENTER_OPERATORS
    ev_actions.accept(by=p["evaluator"], evaluation=ev)
    assert recipients("evaluation.accepted") == SUPPLIER_STAFF  # a_staff requested it
    ev_actions.sign_protocol(by=p["approver"], evaluation=ev, password=PASSWORD)
    assert recipients("evaluation.protocol_signed") == CENTER_OPERATORS | SUPPLIER_STAFF
    from bioproof.evaluations.samples import DEMO_RUNS, fed_batch_csv

    for arm, label, params in DEMO_RUNS:
        run = ev_actions.add_run(by=p["evaluator"], evaluation=ev, arm=arm, label=label)
        ev_actions.upload_run_data(
            by=p["evaluator"], run=run, filename=f"{label}.csv", data=fed_batch_csv(**params)
        )
    ev_actions.analyse(by=p["center_admin"], evaluation=ev)
    assert recipients("evaluation.analysed") == {"evaluator"}
    ev_actions.sign(by=p["evaluator"], evaluation=ev, meaning="authored", password=PASSWORD)
    assert recipients("evaluation.signed_authored") == {"reviewer", "center_admin"}
    ev_actions.sign(by=p["reviewer"], evaluation=ev, meaning="reviewed", password=PASSWORD)
    assert recipients("evaluation.signed_reviewed") == {"approver", "center_admin"}
    ev_actions.sign(by=p["approver"], evaluation=ev, meaning="approved", password=PASSWORD)
    assert recipients("evaluation.signed_approved") == CENTER_OPERATORS
    ev_actions.generate_report(by=p["evaluator"], evaluation=ev, language="en")
    assert recipients("report.generated") == {"a_admin"}  # the supplier's consent
    ev_actions.publish(by=p["a_admin"], evaluation=ev, consent=True)
    assert recipients("evaluation.published") == CENTER_OPERATORS | {"a_staff"}
    outsiders = {"b_admin", "b_staff", "other_center", "center2_admin", "demand", "demand_admin"}
    assert not outsiders & set(Notification.objects.values_list("recipient__username", flat=True))
    assert_only_visible()


def test_proposals_notify_the_other_side_only(
    everyone: dict[str, Any], product_a: Any, media_category: Any
) -> None:
    from bioproof.catalog import actions as catalog

    p = everyone
    catalog.list_product(by=p["a_staff"], product=product_a)
    need = demand.post_need(
        by=p["demand"],
        organization=p["demand"].primary_organization,
        title="CHO medium",
        category=media_category,
        incumbent="Imported",
        visibility="private",
    )
    demand.invite_supplier(by=p["demand"], need=need, product=product_a)
    assert recipients("proposal.invited") == SUPPLIER_STAFF
    proposal = demand.submit_proposal(by=p["a_staff"], need=need, product=product_a)
    assert recipients("proposal.submitted") == {"demand", "demand_admin"}  # not viewers
    demand.accept_proposal(by=p["demand_admin"], proposal=proposal)
    assert recipients("proposal.accepted") == SUPPLIER_STAFF
    assert_only_visible()


def test_a_rule_never_reaches_someone_who_cannot_see(
    everyone: dict[str, Any], requested: Evaluation
) -> None:
    from bioproof.consortium.models import User

    registry.rule(
        "tests.shout",
        Evaluation,
        recipients=lambda event, ev: User.objects.all(),
        message="%(actor)s shouted about %(object)s",
        url=lambda ev: "/",
    )
    try:
        with transaction.atomic():
            audit.record(actor=everyone["a_staff"], action="tests.shout", obj=requested)
    finally:
        registry.unregister("tests.shout")
    got = recipients("tests.shout")
    # the three parties' members (all roles, viewers too) — and no one else, not the actor
    assert got == {"a_admin", "a_viewer", "evaluator", "reviewer", "approver"} | {
        "center_viewer",
        "center_admin",
    }


def test_email_immediate_daily_and_off(everyone: dict[str, Any], product_a: Any, orgs: Any) -> None:
    p = everyone
    for name, email, mode, lang in (
        ("evaluator", "ev@center.kr", "immediate", "ko"),
        ("center_admin", "admin@center.kr", "daily", "en"),
    ):
        p[name].email = email
        p[name].save(update_fields=["email"])
        Preference.objects.create(user=p[name], email=mode, language=lang)
    mail.outbox.clear()
    ev = ev_actions.request_evaluation(
        by=p["a_staff"],
        product=product_a,
        center=orgs["center"],
        title="t",
        reference_product="r",
        scale="50 L",
    )
    assert [m.to for m in mail.outbox] == [["ev@center.kr"]]
    message = mail.outbox[0]
    assert "평가" in message.subject and ev.code in message.subject
    assert f"/evaluations/{ev.code}/" in message.body
    mail.outbox.clear()
    call_command("notifications_digest", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert [m.to for m in mail.outbox] == [["admin@center.kr"]]
    assert "1 new notification" in mail.outbox[0].subject and ev.code in mail.outbox[0].body
    mail.outbox.clear()
    call_command("notifications_digest", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert mail.outbox == []


def test_inbox_unread_count_and_open(client: Any, everyone: dict[str, Any], requested: Any) -> None:
    client.force_login(everyone["evaluator"])
    page = client.get("/notifications/").content.decode()
    assert requested.code in page and "data-unread>1<" in client.get("/").content.decode()
    n = Notification.objects.get(recipient=everyone["evaluator"])
    response = client.post(f"/notifications/{n.pk}/open/")
    assert response.status_code == 302 and response["Location"] == f"/evaluations/{requested.code}/"
    n.refresh_from_db()
    assert n.read_at is not None
    assert "data-unread" not in client.get("/").content.decode()
    client.force_login(everyone["b_admin"])
    assert client.post(f"/notifications/{n.pk}/open/").status_code == 404
    assert requested.code not in client.get("/notifications/").content.decode()


def test_preferences_page_saves(client: Any, everyone: dict[str, Any]) -> None:
    client.force_login(everyone["a_staff"])
    assert client.get("/notifications/settings/").status_code == 200
    r = client.post("/notifications/settings/", {"email": "daily", "language": "en"})
    assert r.status_code == 302
    pref = Preference.objects.get(user=everyone["a_staff"])
    assert (pref.email, pref.language) == ("daily", "en")
    r = client.post("/notifications/settings/", {"email": "hourly", "language": "en"})
    assert r.status_code == 200 and "hourly" in r.content.decode()
