"""Background jobs of center services."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from bioproof.core.jobs import job


@job("facilities.release_no_shows", title=_("Release no-show bookings"))
def release_no_shows_job(progress: Any, *, by: Any = None) -> dict[str, Any]:
    from bioproof.facilities import actions

    released = actions.release_no_shows(by=by)
    progress(100, "")
    return {"released": [b.code for b in released]}
