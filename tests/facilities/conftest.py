"""Fixtures of center services: the animal-cell center's equipment, a qualified self-user of a
supplier, an unqualified one, a qualified center operator."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from bioproof.consortium.models import Organization, User
from bioproof.facilities import actions
from bioproof.facilities.models import Equipment
from bioproof.training import actions as training

from ..conftest import PASSWORD

__all__ = ["PASSWORD", "at"]


def at(days: int = 1, hour: int = 9, minute: int = 0) -> dt.datetime:
    """A local (Asia/Seoul) time ``days`` from today."""
    day = timezone.localdate() + dt.timedelta(days=days)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def qualify(center_staff: User, person: User, center: Organization, key: str) -> None:
    training.record_supervised_use(
        by=center_staff,
        password=PASSWORD,
        person=person,
        center=center,
        key=key,
        used_on=timezone.localdate() - dt.timedelta(days=1),
        hours=4,
        validity_months=12,
    )


@pytest.fixture
def fp(people: dict[str, User], make_user: Any, orgs: dict[str, Organization]) -> dict[str, User]:
    """Facilities people: ``evaluator`` (center staff) qualifies ``operator`` (center staff too)
    and ``a_staff`` (supplier A) on single-use bioreactors; ``b_user`` is unqualified."""
    p = dict(people)
    p["operator"] = make_user("operator", "center", "staff")
    p["b_user"] = make_user("b_user", "supplier_b", "staff")
    p["a_approver"] = make_user("a_approver", "supplier_a", "approver")
    for who in ("operator", "a_staff"):
        qualify(p["evaluator"], p[who], orgs["center"], "bioreactor.single-use")
    return p


@pytest.fixture
def sub50(fp: dict[str, User], orgs: dict[str, Organization]) -> Equipment:
    eq = actions.register_equipment(
        by=fp["evaluator"],
        center=orgs["center"],
        code="ACC-SUB-50",
        name_ko="50 L 일회용 바이오리액터",
        name_en="50 L single-use bioreactor",
        kind="sub",
        equipment_class="bioreactor.single-use",
        working_volume_l=50,
        registry_number="NFEC-2024-01-123456",
        calibration_due=timezone.localdate() + dt.timedelta(days=60),
        qualification_due=timezone.localdate() + dt.timedelta(days=200),
        gmp=True,
        min_minutes=60,
        max_minutes=7 * 24 * 60,
        buffer_minutes=60,
        notice_book_hours=2,
        notice_change_hours=24,
        notice_cancel_hours=24,
    )
    for ct, hour, day in (("member", 50000, 1000000), ("sme", 60000, 1200000)):
        actions.set_rate(
            by=fp["evaluator"],
            equipment=eq,
            customer_type=ct,
            per_hour_krw=hour,
            per_day_krw=day,
            assisted_surcharge_krw=20000,
        )
    return eq
