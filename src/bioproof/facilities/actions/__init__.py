"""Writes to center services (the only writers): policy check, validation, write and audit event
in one transaction. Booking writes lock the equipment row before they check."""

from bioproof.facilities.actions.bookings import (
    book,
    book_recurring,
    cancel_booking,
    check_booking,
    check_in,
    complete,
    create_feed,
    decide_booking,
    join_waitlist,
    move_booking,
    release_no_shows,
    revoke_feed,
)
from bioproof.facilities.actions.equipment import (
    add_blackout,
    cancel_blackout,
    create_suite,
    register_equipment,
    set_rate,
    set_status,
    update_equipment,
)

__all__ = [
    "add_blackout",
    "book",
    "book_recurring",
    "cancel_blackout",
    "cancel_booking",
    "check_booking",
    "check_in",
    "complete",
    "create_feed",
    "create_suite",
    "decide_booking",
    "join_waitlist",
    "move_booking",
    "register_equipment",
    "release_no_shows",
    "revoke_feed",
    "set_rate",
    "set_status",
    "update_equipment",
]
