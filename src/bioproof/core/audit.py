"""The audit trail: one hash-chained table of every write made by an action.

Each :class:`~bioproof.core.models.AuditEvent` stores who (actor), for which organization,
what (action, object), the values before and after, and why (reason). Its ``hash`` is the
SHA-256 of the canonical JSON of all those fields plus the previous event's hash, so an edit,
insertion or deletion made behind the application's back breaks the chain at that row, and
:func:`verify` names the first broken row.
"""

from __future__ import annotations

import datetime as dt
import decimal
import hashlib
import json
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from bioproof.core.models import AuditChainHead, AuditEvent

GENESIS = "0" * 64


def _default(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return (
            value.astimezone(dt.UTC).isoformat() if timezone.is_aware(value) else value.isoformat()
        )
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, set | frozenset | tuple):
        return list(value)
    if isinstance(value, bytes):
        return hashlib.sha256(value).hexdigest()
    return str(value)


def canonical_json(value: Any) -> str:
    """Deterministic JSON: sorted keys, no spaces, UTF-8, non-JSON types made plain."""
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_default
    )


def jsonable(value: Any) -> Any:
    """The value as it will read back from a JSON column (so hashing is stable)."""
    return None if value is None else json.loads(canonical_json(value))


def sha256_hex(data: bytes | str) -> str:
    return hashlib.sha256(data.encode() if isinstance(data, str) else data).hexdigest()


def snapshot(instance: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    """The named fields of ``instance`` as a JSON-ready dict (foreign keys by id)."""
    out: dict[str, Any] = {}
    for name in fields:
        field = instance._meta.get_field(name)
        out[name] = getattr(instance, field.attname)
    return jsonable(out)


def _event_payload(event: AuditEvent) -> dict[str, Any]:
    return {
        "seq": event.seq,
        "at": event.at,
        "actor_id": event.actor_id,
        "actor_username": event.actor_username,
        "organization_id": event.organization_id,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "object_repr": event.object_repr,
        "before": event.before,
        "after": event.after,
        "reason": event.reason,
        "prev_hash": event.prev_hash,
    }


def compute_hash(event: AuditEvent) -> str:
    return sha256_hex(canonical_json(_event_payload(event)))


def record(
    *,
    actor: Any,
    action: str,
    obj: models.Model | None = None,
    organization: Any = None,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
    reason: str = "",
) -> AuditEvent:
    """Append one event to the chain; must run inside the action's transaction."""
    return append(
        actor=actor,
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=str(obj)[:255] if obj is not None else "",
        organization=organization,
        before=before,
        after=after,
        reason=reason,
    )


def append(
    *,
    actor: Any,
    action: str,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
    organization: Any = None,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
    reason: str = "",
) -> AuditEvent:
    """Append an event naming its object by type and key (row events use this directly).

    The head row is locked for the rest of the transaction, so concurrent writers append one
    after the other; when the transaction commits, a signed checkpoint of the new head is written
    outside the database (:mod:`bioproof.core.checkpoints`).
    """
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        raise RuntimeError("audit.record() must be called inside the action's transaction")
    head, _ = AuditChainHead.objects.select_for_update().get_or_create(
        id=1, defaults={"last_seq": 0, "last_hash": GENESIS}
    )
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    event = AuditEvent(
        seq=head.last_seq + 1,
        # Microsecond precision survives every backend, so the hash reads back the same.
        at=timezone.now(),
        actor=actor,
        actor_username=getattr(actor, "username", "") if actor else "",
        organization=organization,
        action=action,
        object_type=object_type,
        object_id=object_id,
        object_repr=object_repr,
        before=jsonable(dict(before)) if before is not None else None,
        after=jsonable(dict(after)) if after is not None else None,
        reason=reason or "",
        prev_hash=head.last_hash,
    )
    event.hash = compute_hash(event)
    event.save()
    head.last_seq, head.last_hash = event.seq, event.hash
    head.save(update_fields=["last_seq", "last_hash"])
    _checkpoint_on_commit(connection)
    return event


#: the actions :func:`append_states` writes: no receiver of an event's ``post_save`` acts on them
#: (notifications and webhooks follow business actions), so they may be inserted in bulk
STATE_ACTIONS = frozenset({"row.saved"})


def append_states(events: Iterable[Mapping[str, Any]], *, batch: int = 1000) -> int:
    """Append many row-state events under one lock of the head: what :func:`append` does for
    each, with the events inserted ``batch`` at a time and the head written once; how many.

    For the baseline after ``migrate`` (a migration adding a field to a regulated table of
    100,000 rows gives each row a new state): one at a time, each event locks and writes the
    head, three statements per row. Each mapping holds :func:`append`'s keyword arguments;
    ``action`` must be in :data:`STATE_ACTIONS`. Not anchored: the next action's checkpoint
    covers these events.
    """
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        raise RuntimeError("audit.append_states() must be called inside a transaction")
    head, _ = AuditChainHead.objects.select_for_update().get_or_create(
        id=1, defaults={"last_seq": 0, "last_hash": GENESIS}
    )
    seq, prev = head.last_seq, head.last_hash
    pending: list[AuditEvent] = []
    count = 0
    for spec in events:
        if spec["action"] not in STATE_ACTIONS:
            raise ValueError(f"append_states() writes row states only, not {spec['action']!r}")
        actor = spec.get("actor")
        if actor is not None and not getattr(actor, "is_authenticated", False):
            actor = None
        before, after = spec.get("before"), spec.get("after")
        event = AuditEvent(
            seq=seq + 1,
            at=timezone.now(),
            actor=actor,
            actor_username=getattr(actor, "username", "") if actor else "",
            organization=spec.get("organization"),
            action=spec["action"],
            object_type=spec.get("object_type", ""),
            object_id=spec.get("object_id", ""),
            object_repr=spec.get("object_repr", ""),
            before=jsonable(dict(before)) if before is not None else None,
            after=jsonable(dict(after)) if after is not None else None,
            reason=spec.get("reason") or "",
            prev_hash=prev,
        )
        event.hash = compute_hash(event)
        seq, prev = event.seq, event.hash
        pending.append(event)
        if len(pending) >= batch:
            AuditEvent.objects.bulk_create(pending)
            count += len(pending)
            pending = []
    if pending:
        AuditEvent.objects.bulk_create(pending)
        count += len(pending)
    if count:
        head.last_seq, head.last_hash = seq, prev
        head.save(update_fields=["last_seq", "last_hash"])
    return count


def _checkpoint_on_commit(connection: Any) -> None:
    """Once per outermost transaction: anchor the head when it commits."""
    if any(entry[1] is _after_commit for entry in connection.run_on_commit):
        return
    transaction.on_commit(_after_commit, robust=True)


def _after_commit() -> None:
    from bioproof.core import checkpoints

    checkpoints.checkpoint_quietly()


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    checked: int
    first_broken_seq: int | None = None
    first_broken_id: int | None = None
    problem: str = ""

    def __str__(self) -> str:
        if self.ok:
            return f"audit chain intact: {self.checked} events verified"
        return (
            f"audit chain BROKEN at event seq={self.first_broken_seq} "
            f"(id={self.first_broken_id}): {self.problem}"
        )


def verify(chunk_size: int = 5000) -> VerifyResult:
    """Walk the chain in order and report the first row that does not verify."""
    expected_prev = GENESIS
    expected_seq = 1
    checked = 0
    for event in AuditEvent.objects.order_by("seq").iterator(chunk_size=chunk_size):
        if event.seq != expected_seq:
            return VerifyResult(
                False,
                checked,
                event.seq,
                event.id,
                f"expected seq {expected_seq}: events {expected_seq}..{event.seq - 1} "
                "were deleted or renumbered",
            )
        if event.prev_hash != expected_prev:
            return VerifyResult(
                False, checked, event.seq, event.id, "prev_hash does not match the previous event"
            )
        if compute_hash(event) != event.hash:
            return VerifyResult(
                False,
                checked,
                event.seq,
                event.id,
                "content does not match its hash: the row was edited outside the application",
            )
        expected_prev = event.hash
        expected_seq += 1
        checked += 1
    head = AuditChainHead.objects.filter(id=1).first()
    if head is not None and (head.last_seq != checked or head.last_hash != expected_prev):
        return VerifyResult(
            False,
            checked,
            checked + 1,
            None,
            f"the chain head records {head.last_seq} events but {checked} remain: "
            "the latest events were deleted",
        )
    return VerifyResult(True, checked)


def history(obj: models.Model, *, rows: bool = False) -> models.QuerySet[AuditEvent]:
    """Events about one object, oldest first; ``rows=True`` adds its row-state events."""
    from bioproof.core.verification import ROW_ACTIONS

    events = AuditEvent.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk))
    if not rows:
        events = events.exclude(action__in=ROW_ACTIONS)
    return events.select_related("actor", "organization")
