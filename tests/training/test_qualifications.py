from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from bioproof.core.errors import DomainError, PolicyDenied
from bioproof.training import actions, qualifications
from bioproof.training.models import Qualification, Reminder

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db
KEY = "bioreactor.single-use"


def test_is_valid_follows_the_certificate(passed: Any, tp: dict) -> None:
    person = tp["trainee_a"]
    today = timezone.localdate()
    q = Qualification.objects.get(person=person, key=KEY)
    assert qualifications.is_valid(person, KEY)
    assert Qualification.is_valid(person, KEY, at=q.expires_on)
    assert not qualifications.is_valid(person, KEY, at=q.expires_on + dt.timedelta(days=1))
    assert not qualifications.is_valid(person, KEY, at=today - dt.timedelta(days=1))
    assert not qualifications.is_valid(person, "chromatography.column")
    assert not qualifications.is_valid(tp["trainee_b"], KEY)
    # the cell-culture qualification never expires
    assert qualifications.is_valid(person, "uo.cell-culture", at=today + dt.timedelta(days=3650))
    cert = q.certificate
    actions.revoke_certificate(by=tp["coordinator"], certificate=cert, reason="revoked")
    assert not qualifications.is_valid(person, KEY)


def test_supervised_use_grants_and_lapse(t_orgs: dict, tp: dict) -> None:
    today = timezone.localdate()
    used = today - dt.timedelta(days=400)
    with pytest.raises(PolicyDenied):
        actions.record_supervised_use(
            by=tp["trainee_b"],
            password=PASSWORD,
            person=tp["trainee_a"],
            center=t_orgs["center"],
            key="tff.system",
            used_on=used,
            hours=4,
        )
    with pytest.raises(DomainError, match="Password is not correct"):
        actions.record_supervised_use(
            by=tp["instructor"],
            password="nope",
            person=tp["trainee_a"],
            center=t_orgs["center"],
            key="tff.system",
            used_on=used,
            hours=4,
        )
    actions.record_supervised_use(
        by=tp["instructor"],
        password=PASSWORD,
        person=tp["trainee_a"],
        center=t_orgs["center"],
        key="tff.system",
        used_on=used,
        hours=4,
        validity_months=24,
    )
    q = Qualification.objects.get(key="tff.system")
    assert q.supervised_use.supervisor == tp["instructor"]
    assert qualifications.is_valid(tp["trainee_a"], "tff.system")
    # a lapse rule: 12 months without use — the last use was 400 days ago
    Qualification.objects.filter(pk=q.pk).update(lapse_months=12)
    assert not qualifications.is_valid(tp["trainee_a"], "tff.system")
    actions.record_equipment_use(
        by=tp["instructor"],
        person=tp["trainee_a"],
        key="tff.system",
        used_on=today,
        center=t_orgs["center"],
    )
    assert qualifications.is_valid(tp["trainee_a"], "tff.system")


def test_reminders_at_90_60_30_days(t_orgs: dict, tp: dict, capsys: Any) -> None:
    today = timezone.localdate()
    # granted almost 24 months ago with 24 months' validity: expires in about 45 days
    actions.record_supervised_use(
        by=tp["instructor"],
        password=PASSWORD,
        person=tp["trainee_a"],
        center=t_orgs["center"],
        key="tff.system",
        used_on=qualifications.add_months(today + dt.timedelta(days=45), -24),
        hours=4,
        validity_months=24,
    )
    q = Qualification.objects.get(key="tff.system")
    days_left = (q.expires_on - today).days
    assert 42 <= days_left <= 45
    due = qualifications.due_reminders(today)
    assert [(d.qualification.pk, d.threshold_days) for d in due] == [(q.pk, 60)]
    call_command("training_reminders", "--at", today.isoformat())
    assert "1 reminders recorded" in capsys.readouterr().out
    assert qualifications.due_reminders(today) == []  # recorded once
    # 90-day reminder is never sent after the 60-day one; the 30-day one comes later
    later = q.expires_on - dt.timedelta(days=30)
    assert [d.threshold_days for d in qualifications.due_reminders(later)] == [30]
    assert qualifications.due_reminders(q.expires_on + dt.timedelta(days=1)) == []
    assert Reminder.objects.count() == 1


def test_add_months() -> None:
    assert qualifications.add_months(dt.date(2026, 1, 31), 1) == dt.date(2026, 2, 28)
    assert qualifications.add_months(dt.date(2026, 11, 15), 3) == dt.date(2027, 2, 15)
    assert qualifications.add_months(dt.date(2026, 3, 15), -22) == dt.date(2024, 5, 15)
