"""Integrity check for ``audit verify``: signed evaluations still match what was signed."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from django.contrib.contenttypes.models import ContentType

from bioproof.core.models import AuditEvent, Signature
from bioproof.evaluations.content import content_hash
from bioproof.evaluations.models import Evaluation


def signed_evaluations_unchanged() -> Iterator[str]:
    ct = ContentType.objects.get_for_model(Evaluation)
    by_eval: dict[int, list[Signature]] = defaultdict(list)
    for sig in Signature.objects.filter(content_type=ct).order_by("id"):
        by_eval[sig.object_id].append(sig)
    if not by_eval:
        return
    applied = {
        e.after.get("signature_id"): e.after.get("content_hash")
        for e in AuditEvent.objects.filter(
            action="signature.applied", object_type="evaluations.evaluation"
        )
        if isinstance(e.after, dict)
    }
    evaluations = Evaluation.objects.filter(pk__in=by_eval).select_related("product", "center")
    for ev in evaluations:
        current = content_hash(ev)
        for sig in by_eval[ev.pk]:
            if applied.get(sig.pk) != sig.content_hash:
                yield (
                    f"signature {sig.pk} on {ev.code} v{ev.version} ({sig.meaning}) does not "
                    "match the audit event that recorded it: the signature row was edited"
                )
            elif sig.content_hash != current:
                yield (
                    f"{ev.code} v{ev.version} changed after it was signed ({sig.meaning} by "
                    f"{sig.signer_name}): signed hash {sig.content_hash[:12]}…, now {current[:12]}…"
                )
