"""Is this equipment usable now? Asked of the facilities app when it is installed.

``bioproof.facilities.readiness.problems_for_code(code, *, at, gmp, user)`` answers with the
localized problems (not booked, not qualified, past calibration…) or ``[]``. Without the
facilities app nothing can vouch for an instrument: a GMP entry is refused with that reason, a
non-GMP entry is recorded as *unchecked* and listed as an exception in the batch record review.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.apps import apps
from django.utils.translation import gettext as _


def registry_available() -> bool:
    return apps.is_installed("bioproof.facilities")


def equipment_problems(
    code: str, *, at: dt.datetime, gmp: bool, user: Any = None
) -> tuple[list[str], bool]:
    """(problems, checked): the problems that forbid using ``code`` at ``at`` and whether the
    equipment registry was asked at all."""
    code = (code or "").strip()
    if not code:
        return [_("Name the equipment used (its code).")], False
    if not registry_available():
        if gmp:
            return [
                _(
                    "The equipment registry is unavailable, so %(code)s cannot be shown to be "
                    "booked, qualified and calibrated; a GMP record cannot use it."
                )
                % {"code": code}
            ], False
        return [], False
    from bioproof.facilities.readiness import problems_for_code

    return list(problems_for_code(code, at=at, gmp=gmp, user=user)), True
