"""Equipment registry and bookings: the rules on every change, no double booking, approval,
waitlist, check-in, no-show release, recurring series."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import IntegrityError, connection, transaction

from bioproof.core.errors import ConflictError, DomainError, InvalidTransition, PolicyDenied
from bioproof.facilities import actions
from bioproof.facilities.models import Booking, WaitlistEntry
from bioproof.notifications.models import Notification

from .conftest import at

pytestmark = pytest.mark.django_db


def test_registry_rules_and_rates(sub50: Any, fp: dict) -> None:
    assert sub50.qualification_keys == ["bioreactor.single-use"]
    assert sub50.rates.get(customer_type="sme").per_hour_krw == 60000
    with pytest.raises(PolicyDenied):
        actions.set_status(by=fp["a_staff"], equipment=sub50, status="maintenance", reason="x")
    with pytest.raises(DomainError, match="longer than the maximum"):
        actions.update_equipment(
            by=fp["evaluator"], equipment=sub50, min_minutes=10000, max_minutes=600
        )
    with pytest.raises(ConflictError):
        actions.register_equipment(
            by=fp["evaluator"],
            center=sub50.center,
            code="acc-sub-50",
            name_ko="x",
            name_en="x",
            kind="sub",
            equipment_class="bioreactor.single-use",
        )


def test_book_and_no_overlap_with_buffer(sub50: Any, fp: dict) -> None:
    b = actions.book(by=fp["a_staff"], equipment=sub50, starts_at=at(1, 9), ends_at=at(1, 12))
    assert b.status == "confirmed" and b.code.startswith("BK-")
    assert b.customer_type == "sme" and b.block_until == at(1, 13)
    # inside the buffer hour after 12:00
    with pytest.raises(ConflictError, match="already booked"):
        actions.book(by=fp["operator"], equipment=sub50, starts_at=at(1, 12, 30), ends_at=at(1, 15))
    ok = actions.book(by=fp["operator"], equipment=sub50, starts_at=at(1, 13), ends_at=at(1, 15))
    assert ok.status == "confirmed"


def test_rules_on_create(sub50: Any, fp: dict) -> None:
    with pytest.raises(DomainError, match="at least 60 minutes"):
        actions.book(by=fp["a_staff"], equipment=sub50, starts_at=at(1, 9), ends_at=at(1, 9, 30))
    with pytest.raises(DomainError, match="at most 168 hours"):
        actions.book(by=fp["a_staff"], equipment=sub50, starts_at=at(1, 9), ends_at=at(9, 9))
    with pytest.raises(DomainError, match="2 hours ahead"):
        actions.book(
            by=fp["a_staff"],
            equipment=sub50,
            starts_at=_soon(),
            ends_at=_soon() + dt.timedelta(hours=2),
        )
    actions.set_status(
        by=fp["evaluator"], equipment=sub50, status="maintenance", reason="Agitator seal"
    )
    with pytest.raises(InvalidTransition, match="Agitator seal"):
        actions.book(by=fp["a_staff"], equipment=sub50, starts_at=at(1, 9), ends_at=at(1, 12))


def _soon() -> dt.datetime:
    from django.utils import timezone

    return timezone.now() + dt.timedelta(minutes=30)


def test_qualification_gate_names_missing_qualification_and_course(sub50: Any, fp: dict) -> None:
    with pytest.raises(
        DomainError, match=r"b_user holds no valid qualification 'bioreactor\.single-use'"
    ) as exc:
        actions.book(by=fp["b_user"], equipment=sub50, starts_at=at(1, 9), ends_at=at(1, 12))
    assert exc.value.field == "user"
    # assisted by an unqualified staff member: refused; a qualified one: confirmed
    with pytest.raises(DomainError, match="evaluator holds no valid qualification"):
        actions.book(
            by=fp["b_user"],
            equipment=sub50,
            starts_at=at(1, 9),
            ends_at=at(1, 12),
            mode="assisted",
            staff=fp["evaluator"],
        )
    b = actions.book(
        by=fp["b_user"],
        equipment=sub50,
        starts_at=at(1, 9),
        ends_at=at(1, 12),
        mode="assisted",
        staff=fp["operator"],
    )
    assert b.status == "confirmed"
    # assisted without a staff member waits for the center to assign one
    b2 = actions.book(
        by=fp["b_user"], equipment=sub50, starts_at=at(2, 9), ends_at=at(2, 12), mode="assisted"
    )
    assert b2.status == "requested"
    with pytest.raises(DomainError, match="Assign a qualified staff member"):
        actions.decide_booking(by=fp["evaluator"], booking=b2, approve=True)
    actions.decide_booking(by=fp["evaluator"], booking=b2, approve=True, staff=fp["operator"])
    b2.refresh_from_db()
    assert b2.status == "confirmed" and b2.staff == fp["operator"]


def test_qualification_expiring_before_booked_time(sub50: Any, fp: dict) -> None:
    # a_staff's qualification is valid 12 months: a booking 13 months ahead is refused
    far = at(400, 9)
    with pytest.raises(DomainError, match="holds no valid qualification"):
        actions.book(
            by=fp["a_staff"], equipment=sub50, starts_at=far, ends_at=far + dt.timedelta(hours=3)
        )


def test_gmp_refused_when_calibration_past_due(sub50: Any, fp: dict) -> None:
    b = actions.book(
        by=fp["a_staff"], equipment=sub50, starts_at=at(1, 9), ends_at=at(1, 12), gmp=True
    )
    assert b.gmp
    from django.utils import timezone

    actions.update_equipment(
        by=fp["evaluator"],
        equipment=sub50,
        calibration_due=timezone.localdate() + dt.timedelta(days=1),
    )
    with pytest.raises(DomainError, match="GMP work refused: ACC-SUB-50: calibration was due"):
        actions.book(
            by=fp["a_staff"], equipment=sub50, starts_at=at(3, 9), ends_at=at(3, 12), gmp=True
        )
    # non-GMP work is still allowed
    actions.book(by=fp["a_staff"], equipment=sub50, starts_at=at(3, 9), ends_at=at(3, 12))


def test_move_and_cancel_rules(sub50: Any, fp: dict) -> None:
    a = actions.book(by=fp["a_staff"], equipment=sub50, starts_at=at(3, 9), ends_at=at(3, 12))
    b = actions.book(by=fp["operator"], equipment=sub50, starts_at=at(3, 14), ends_at=at(3, 16))
    with pytest.raises(ConflictError):
        actions.move_booking(by=fp["a_staff"], booking=a, starts_at=at(3, 10), ends_at=at(3, 14))
    with pytest.raises(PolicyDenied):
        actions.move_booking(by=fp["b_user"], booking=a, starts_at=at(4, 9), ends_at=at(4, 12))
    moved = actions.move_booking(by=fp["a_staff"], booking=a, starts_at=at(3, 8), ends_at=at(3, 12))
    assert moved.starts_at == at(3, 8)
    actions.cancel_booking(by=fp["operator"], booking=b, reason="plan changed")
    # notice: a booking starting in 5 h can no longer be moved or cancelled by the customer
    soon = _soon() + dt.timedelta(hours=4)
    c = actions.book(
        by=fp["a_staff"], equipment=sub50, starts_at=soon, ends_at=soon + dt.timedelta(hours=2)
    )
    with pytest.raises(DomainError, match="can no longer be changed"):
        actions.move_booking(
            by=fp["a_staff"],
            booking=c,
            starts_at=soon + dt.timedelta(hours=1),
            ends_at=soon + dt.timedelta(hours=3),
        )
    with pytest.raises(DomainError, match="can no longer be cancelled"):
        actions.cancel_booking(by=fp["a_staff"], booking=c)
    actions.cancel_booking(by=fp["evaluator"], booking=c, reason="center")  # the center may


def test_blackout(sub50: Any, fp: dict) -> None:
    actions.add_blackout(
        by=fp["evaluator"], equipment=sub50, starts_at=at(5, 0), ends_at=at(6, 0), reason="PM"
    )
    with pytest.raises(ConflictError, match=r"closed .* PM"):
        actions.book(by=fp["a_staff"], equipment=sub50, starts_at=at(5, 9), ends_at=at(5, 12))
    actions.book(by=fp["a_staff"], equipment=sub50, starts_at=at(7, 9), ends_at=at(7, 12))
    with pytest.raises(InvalidTransition, match="booked in that period"):
        actions.add_blackout(
            by=fp["evaluator"], equipment=sub50, starts_at=at(7, 0), ends_at=at(8, 0), reason="PM"
        )


def test_refusals_name_the_first_obstacle_in_local_time(sub50: Any, fp: dict) -> None:
    """The one-statement conflict check: a blackout wins over a booking, the earliest booking
    is named, times are Seoul wall time, a cancelled blackout and a cancelled booking no
    longer stand in the way."""
    first = actions.book(by=fp["a_staff"], equipment=sub50, starts_at=at(9, 9), ends_at=at(9, 11))
    actions.book(by=fp["a_staff"], equipment=sub50, starts_at=at(9, 14), ends_at=at(9, 16))
    with pytest.raises(ConflictError) as refused:
        actions.book(by=fp["operator"], equipment=sub50, starts_at=at(9, 8), ends_at=at(9, 18))
    day = at(9, 0).strftime("%Y-%m-%d")
    assert f"{day} 09:00" in refused.value.message and f"{day} 11:00" in refused.value.message
    pm = actions.add_blackout(
        by=fp["evaluator"], equipment=sub50, starts_at=at(9, 18), ends_at=at(9, 20), reason="CIP"
    )
    with pytest.raises(ConflictError, match=rf"closed from {day} 18:00 to {day} 20:00: CIP"):
        actions.book(by=fp["operator"], equipment=sub50, starts_at=at(9, 8), ends_at=at(9, 19))
    actions.cancel_blackout(by=fp["evaluator"], blackout=pm)
    actions.cancel_booking(by=fp["evaluator"], booking=first, reason="center")
    ok = actions.book(by=fp["operator"], equipment=sub50, starts_at=at(9, 8), ends_at=at(9, 12))
    assert ok.status == "confirmed"


def test_approval_flow_notifies(sub50: Any, fp: dict) -> None:
    actions.update_equipment(by=fp["evaluator"], equipment=sub50, approval_required=True)
    b = actions.book(by=fp["a_staff"], equipment=sub50, starts_at=at(1, 9), ends_at=at(1, 12))
    assert b.status == "requested"
    assert Notification.objects.filter(
        recipient=fp["evaluator"], action="facilities.booking_requested"
    ).exists()
    # the competitor supplier is never told
    assert not Notification.objects.filter(recipient=fp["b_user"]).exists()
    # a requested booking holds the slot
    with pytest.raises(ConflictError):
        actions.book(by=fp["operator"], equipment=sub50, starts_at=at(1, 10), ends_at=at(1, 11))
    actions.decide_booking(
        by=fp["evaluator"], booking=b, approve=False, reason="Slot reserved for GMP campaign"
    )
    assert Notification.objects.filter(
        recipient=fp["a_staff"], action="facilities.booking_rejected"
    ).exists()
    # rejected frees the slot
    actions.book(by=fp["operator"], equipment=sub50, starts_at=at(1, 10), ends_at=at(1, 11))


def test_waitlist_told_once_when_slot_frees(sub50: Any, fp: dict) -> None:
    b = actions.book(by=fp["a_staff"], equipment=sub50, starts_at=at(2, 9), ends_at=at(2, 12))
    with pytest.raises(InvalidTransition, match="free"):
        actions.join_waitlist(
            by=fp["operator"], equipment=sub50, starts_at=at(3, 9), ends_at=at(3, 12)
        )
    entry = actions.join_waitlist(
        by=fp["operator"], equipment=sub50, starts_at=at(2, 10), ends_at=at(2, 11)
    )
    actions.cancel_booking(by=fp["a_staff"], booking=b)
    entry.refresh_from_db()
    assert entry.notified_at is not None
    assert (
        Notification.objects.filter(
            recipient=fp["operator"], action="facilities.slot_freed"
        ).count()
        == 1
    )
    assert WaitlistEntry.objects.filter(notified_at__isnull=True).count() == 0


@pytest.mark.tampers  # revokes a qualification behind training's back
def test_check_in_rechecks_qualification_and_no_show_release(sub50: Any, fp: dict) -> None:
    from bioproof.training import actions as training
    from bioproof.training.models import Qualification

    b = actions.book(by=fp["a_staff"], equipment=sub50, starts_at=at(1, 9), ends_at=at(1, 12))
    with pytest.raises(InvalidTransition, match="opens 30 minutes"):
        actions.check_in(by=fp["a_staff"], booking=b, at=at(1, 8))
    # the certificate behind the qualification is gone by the day: revoke it
    q = Qualification.objects.get(person=fp["a_staff"], key="bioreactor.single-use")
    with transaction.atomic():
        q.status = "revoked"
        q.save(update_fields=["status"])
    with pytest.raises(DomainError, match="Check-in refused: a_staff holds no valid"):
        actions.check_in(by=fp["a_staff"], booking=b, at=at(1, 9, 5))
    with transaction.atomic():
        q.status = "active"
        q.save(update_fields=["status"])
    actions.check_in(by=fp["a_staff"], booking=b, at=at(1, 9, 5))
    done = actions.complete(by=fp["a_staff"], booking=b, at=at(1, 11, 5))
    assert done.used_minutes == 120
    # a no-show is released after the window and told
    c = actions.book(by=fp["a_staff"], equipment=sub50, starts_at=at(2, 9), ends_at=at(2, 12))
    assert actions.release_no_shows(at=at(2, 9, 30)) == []
    released = actions.release_no_shows(at=at(2, 10, 1))
    assert [r.code for r in released] == [c.code]
    c.refresh_from_db()
    assert c.status == "released"
    with pytest.raises(InvalidTransition):
        actions.check_in(by=fp["a_staff"], booking=c, at=at(2, 10, 2))
    del training


def test_recurring_all_or_nothing(sub50: Any, fp: dict) -> None:
    blocker = actions.book(
        by=fp["operator"], equipment=sub50, starts_at=at(15, 9), ends_at=at(15, 12)
    )
    with pytest.raises(ConflictError, match=r"Occurrence 3 of 4 .* nothing was booked"):
        actions.book_recurring(
            by=fp["a_staff"], equipment=sub50, starts_at=at(1, 9), ends_at=at(1, 12), count=4
        )
    assert Booking.objects.exclude(pk=blocker.pk).count() == 0
    made = actions.book_recurring(
        by=fp["a_staff"], equipment=sub50, starts_at=at(1, 13), ends_at=at(1, 15), count=4
    )
    assert [b.starts_at for b in made] == [at(1 + 7 * i, 13) for i in range(4)]
    assert len({b.series_id for b in made}) == 1


def test_database_refuses_overlap_behind_the_action(sub50: Any, fp: dict) -> None:
    """PostgreSQL: the exclusion constraint refuses an overlapping row written around the check."""
    if connection.vendor != "postgresql":
        pytest.skip("the exclusion constraint is PostgreSQL's")
    b = actions.book(by=fp["a_staff"], equipment=sub50, starts_at=at(1, 9), ends_at=at(1, 12))
    with pytest.raises(IntegrityError, match="booking_no_overlap"), transaction.atomic():
        Booking.objects.create(
            code="BK-X",
            equipment=sub50,
            organization=b.organization,
            user=b.user,
            booked_by=b.user,
            mode="self",
            customer_type="sme",
            starts_at=at(1, 12, 30),
            ends_at=at(1, 14),
            block_until=at(1, 15),
            status="confirmed",
        )
    # cancelled rows do not hold the slot
    with transaction.atomic():
        Booking.objects.create(
            code="BK-Y",
            equipment=sub50,
            organization=b.organization,
            user=b.user,
            booked_by=b.user,
            mode="self",
            customer_type="sme",
            starts_at=at(1, 10),
            ends_at=at(1, 11),
            block_until=at(1, 11),
            status="cancelled",
        )
