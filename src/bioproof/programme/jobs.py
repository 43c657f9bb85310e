"""Refreshing the programme indicators on the job queue."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bioproof.core import jobs


@jobs.job("programme.refresh", title=gettext_lazy("Refreshing the programme indicators"))
def refresh(progress: Any, *, by: Any) -> dict[str, Any]:
    from bioproof.programme import snapshots

    progress(10, _("Computing the indicators from the records"))
    snap = snapshots.refresh()
    return {
        "snapshot": snap.pk,
        "message": _("Programme indicators computed in %(ms)d ms.") % {"ms": snap.duration_ms},
    }
