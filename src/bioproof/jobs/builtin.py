"""Platform job kinds: ``audit verify`` (with ``--files``) on the queue."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bioproof.core import jobs
from bioproof.core.errors import DomainError


@jobs.job("core.audit_verify", title=gettext_lazy("Verifying the audit trail"))
def audit_verify(progress: Any, *, by: Any, files: bool = True) -> dict[str, Any]:
    from bioproof.core import audit, checkpoints, integrity, verification

    failures: list[str] = []
    progress(5, _("Checking the hash chain"))
    chain = audit.verify()
    if not chain.ok:
        failures.append(str(chain))
    progress(15, _("Checking the signed checkpoints"))
    failures.extend(f"checkpoint: {p}" for p in checkpoints.verify_checkpoints(None).problems)
    progress(25, _("Replaying every regulated row against its audit events"))
    failures.extend(f"row: {p}" for p in verification.verify_rows())
    progress(45, _("Recomputing signed records"))
    failures.extend(f"signed: {p}" for p in integrity.run_checks())
    checked = 0
    if files:

        def each(done: int, total: int) -> None:
            nonlocal checked
            checked = total
            if done == total or done % 20 == 0:
                progress(
                    50 + 49 * done // max(total, 1),
                    _("Files: %(d)d of %(t)d re-hashed") % {"d": done, "t": total},
                )

        failures.extend(f"file: {p}" for p in verification.verify_files(each))
    if failures:
        shown = "\n".join(failures[:50])
        more = len(failures) - 50
        raise DomainError(
            _("audit verify FAILED (%(n)d):") % {"n": len(failures)}
            + "\n"
            + shown
            + (f"\n… +{more}" if more > 0 else "")
        )
    return {
        "events": chain.checked,
        "files": checked,
        "message": _("audit verify: OK (%(e)d events, %(f)d files).")
        % {"e": chain.checked, "f": checked},
    }


@jobs.job("demo.load_part", title=gettext_lazy("Loading the demo data"), atomic=True)
def demo_load_part(progress: Any, *, by: Any, part: int) -> dict[str, Any]:
    """One part of the demo (``load_demo --background``); queues the next one when it commits."""
    from bioproof import demo

    demo.load_part(part)
    return {"part": part}
