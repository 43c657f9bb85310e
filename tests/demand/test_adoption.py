"""Adoptions and the funnel KPIs."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from bioproof.core.errors import DomainError, PolicyDenied
from bioproof.core.models import AuditEvent
from bioproof.demand import actions, metrics
from bioproof.demand.models import Adoption

pytestmark = pytest.mark.django_db
TODAY = dt.date.today


def test_record_adoption_happy_path(need, more_people, orgs, listed_a) -> None:
    adoption = actions.record_adoption(
        by=more_people["demand"],
        organization=orgs["demand"],
        product=listed_a,
        adopted_on=timezone.localdate(),
        yearly_volume="1,200",
        volume_unit="L",
        note="line 2",
        need=need,
    )
    assert adoption.yearly_volume == 1200.0 and adoption.need == need
    event = AuditEvent.objects.get(action="adoption.recorded")
    assert event.after["product"] == listed_a.pk and event.after["yearly_volume"] == 1200.0
    assert event.organization_id == orgs["demand"].pk
    assert list(Adoption.objects.visible_to(more_people["a_staff"])) == [adoption]  # supplier
    assert not Adoption.objects.visible_to(more_people["b_admin"]).exists()
    assert not Adoption.objects.visible_to(None).exists()


def test_record_adoption_policy(more_people, orgs, more_orgs, listed_a) -> None:
    today = timezone.localdate()
    for who, org in [
        ("a_staff", orgs["supplier_a"]),
        ("demand2", orgs["demand"]),
        ("demand_viewer", orgs["demand"]),
        ("demand", more_orgs["demand2"]),
    ]:
        with pytest.raises(PolicyDenied):
            actions.record_adoption(
                by=more_people[who], organization=org, product=listed_a, adopted_on=today
            )
    assert not Adoption.objects.exists()


def test_record_adoption_bad_input(
    make_need, more_people, orgs, more_orgs, listed_a, make_product, requested
) -> None:
    by, org, today = more_people["demand"], orgs["demand"], timezone.localdate()
    draft = make_product("초안", "Draft", listed=False)
    cases = [
        ({"product": draft}, "product"),
        ({"adopted_on": today + dt.timedelta(days=3)}, "adopted_on"),
        ({"yearly_volume": "many"}, "yearly_volume"),
        ({"yearly_volume": 10}, "volume_unit"),
        ({"need": make_need(by=more_people["demand2"], organization=more_orgs["demand2"])}, "need"),
        ({"evaluation": requested}, "evaluation"),  # neither published nor commissioned by us
    ]
    for changes, field in cases:
        kwargs = {"by": by, "organization": org, "product": listed_a, "adopted_on": today}
        kwargs.update(changes)
        with pytest.raises(DomainError) as info:
            actions.record_adoption(**kwargs)
        assert info.value.field == field, changes
    assert not Adoption.objects.exists()


def test_adoption_with_published_evidence(published, people, orgs) -> None:
    from bioproof.catalog import actions as catalog

    product = published.product
    if product.status != "listed":
        catalog.list_product(by=people["a_staff"], product=product)
    record = published.track_records.public().get()
    adoption = actions.record_adoption(
        by=people["demand"],
        organization=orgs["demand"],
        product=product,
        adopted_on=timezone.localdate(),
        track_record=record,
    )
    assert adoption.evaluation == published and adoption.track_record == record


def test_funnel(make_need, more_people, orgs, listed_a, make_product) -> None:
    assert metrics.funnel()["needs"] == 0
    assert metrics.funnel()["rates"]["need_to_proposal"] is None
    n1, n2, n3, n4 = (make_need(title=f"need {i}") for i in range(4))
    other = make_product("베타", "Beta", supplier="supplier_b")
    p1 = actions.submit_proposal(by=more_people["a_staff"], need=n1, product=listed_a)
    actions.submit_proposal(by=more_people["b_admin"], need=n1, product=other)
    p3 = actions.submit_proposal(by=more_people["a_staff"], need=n2, product=listed_a)
    actions.invite_supplier(by=more_people["demand"], need=n3, product=listed_a)  # unanswered
    actions.accept_proposal(by=more_people["demand"], proposal=p1)
    actions.accept_proposal(by=more_people["demand"], proposal=p3)
    actions.request_tailored_evaluation(
        by=more_people["demand"], proposal=p1, center=orgs["center"], title="T", scale="50 L"
    )
    actions.record_adoption(
        by=more_people["demand"],
        organization=orgs["demand"],
        product=listed_a,
        adopted_on=timezone.localdate(),
        need=n1,
    )
    actions.record_adoption(
        by=more_people["demand"],
        organization=orgs["demand"],
        product=other,
        adopted_on=timezone.localdate(),
    )
    f = metrics.funnel()
    assert f["needs"] == 4
    assert f["proposals"] == 3 and f["proposals_accepted"] == 2 and f["evaluations"] == 1
    assert f["needs_with_proposal"] == 2 and f["needs_with_accepted"] == 2
    assert f["needs_with_evaluation"] == 1 and f["needs_adopted"] == 1
    assert f["adoptions"] == 1 and f["adoptions_total"] == 2
    assert f["adoptions_after_evaluation"] == 0
    assert f["rates"] == {
        "need_to_proposal": 0.5,
        "proposal_to_acceptance": 1.0,
        "acceptance_to_evaluation": 0.5,
        "evaluation_to_adoption": 1.0,
        "need_to_adoption": 0.25,
        "proposal_acceptance": round(2 / 3, 4),
    }
    assert n4.pk  # posted, never answered
    later = metrics.funnel(since=timezone.localdate() + dt.timedelta(days=1))
    assert later["needs"] == 0 and later["adoptions_total"] == 0
    assert later["since"].startswith(str(timezone.localdate() + dt.timedelta(days=1)))
