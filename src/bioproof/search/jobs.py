"""Rebuilding the search index on the job queue."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bioproof.core import jobs


@jobs.job("search.reindex", title=gettext_lazy("Rebuilding the search index"))
def reindex(progress: Any, *, by: Any, chunk: int = 1000) -> dict[str, Any]:
    from bioproof.search import index

    done: list[str] = []

    def step(kind: str, n: int) -> None:
        done.append(kind)
        progress(
            min(95, 10 + 25 * len(done)), _("%(kind)s: %(n)d documents") % {"kind": kind, "n": n}
        )

    counts = index.rebuild(chunk=chunk, progress=step)
    total = sum(counts.values())
    return {
        "documents": total,
        "message": _("Search index rebuilt: %(n)d documents.") % {"n": total},
    }
