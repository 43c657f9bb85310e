"""The verification registry: every regulated row is what its audit events say.

Each app registers its regulated models in its ``AppConfig.ready()``::

    from bioproof.core import verification
    verification.register(Run, files={"file": "sha256"})

From then on every ``save()`` and ``delete()`` of such a model appends a *row event* to the audit
chain (``row.saved`` / ``row.deleted``) whose ``after`` is the row's content as the database
holds it (read back, so every backend hashes what it stores). ``bioproof audit verify`` replays
them: each row's current content must equal its newest row event, no row may lack its event and no
event may lack its row. An edit, insertion or deletion made behind the application's back (SQL, a
restored file, a forged admin write) is named by table, key and field, expected against found.

``QuerySet.update()`` and ``bulk_create()`` send no model signals, so :func:`register` gives the
model's managers a queryset whose ``update()`` and ``bulk_create()`` record the rows they touched
(in the same transaction). Raw SQL is the one way left around the trail, and ``audit verify``
names what it changed.

Large values (a parsed data table, a long text) are recorded by their SHA-256 so the chain stays
compact; secret values (a password hash) only by the SHA-256 of the value, never the value.
"""

from __future__ import annotations

import contextvars
import hashlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db import models, transaction
from django.db.models.signals import post_delete, post_save

ROW_SAVED = "row.saved"
ROW_DELETED = "row.deleted"
ROW_ACTIONS = (ROW_SAVED, ROW_DELETED)
#: A value whose canonical JSON is longer than this is recorded by its SHA-256.
INLINE_LIMIT = 512

_actor: contextvars.ContextVar[Any] = contextvars.ContextVar("bioproof_audit_actor", default=None)


@dataclass(frozen=True)
class Regulated:
    """How one model is verified."""

    model: type[models.Model]
    fields: tuple[str, ...]
    secret: frozenset[str] = frozenset()
    files: Mapping[str, str] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return self.model._meta.label_lower

    @property
    def table(self) -> str:
        return self.model._meta.db_table


_registry: dict[str, Regulated] = {}


def register(
    model: type[models.Model],
    *,
    exclude: Iterable[str] = (),
    secret: Iterable[str] = (),
    files: Mapping[str, str] | None = None,
) -> Regulated:
    """Declare ``model`` regulated: its rows are replayed by ``audit verify``.

    ``exclude`` names fields that change without meaning (a last-login time); ``secret`` names
    fields recorded only by hash; ``files`` maps a FileField to the field holding its SHA-256, so
    ``audit verify --files`` re-hashes the stored file.
    """
    excluded = set(exclude)
    names = tuple(
        f.attname
        for f in model._meta.concrete_fields
        if f.name not in excluded and f.attname not in excluded
    )
    entry = Regulated(model, names, frozenset(secret), dict(files or {}))
    _registry[entry.label] = entry
    for manager in model._meta.managers:
        _audit_manager(manager)
    post_save.connect(_on_save, sender=model, dispatch_uid=f"verification-save-{entry.label}")
    post_delete.connect(_on_delete, sender=model, dispatch_uid=f"verification-del-{entry.label}")
    return entry


def registered() -> list[Regulated]:
    return sorted(_registry.values(), key=lambda r: r.label)


def entry_for(model: type[models.Model]) -> Regulated | None:
    return _registry.get(model._meta.label_lower)


def _audit_manager(manager: models.Manager[Any]) -> None:
    """Give this model's manager (and the related managers built from it) an audited queryset."""
    cls = type(manager)
    if getattr(cls, "_bioproof_audited", False):
        return
    audited_qs = _audited_queryset(manager._queryset_class)

    def __eq__(self: Any, other: Any) -> bool:
        # Migrations compare managers; the wrapped class must equal the one the state rebuilds.
        return isinstance(other, cls) and self._constructor_args == other._constructor_args

    manager.__class__ = type(
        cls.__name__,
        (cls,),
        {
            "_queryset_class": audited_qs,
            "_bioproof_audited": True,
            "__eq__": __eq__,
            "__hash__": cls.__hash__,
            "__module__": cls.__module__,
        },
    )


def _audited_queryset(qs_class: type[models.QuerySet[Any]]) -> type[models.QuerySet[Any]]:
    if getattr(qs_class, "_bioproof_audited", False):
        return qs_class

    def update(self: models.QuerySet[Any], **kwargs: Any) -> int:
        entry = _registry.get(self.model._meta.label_lower)
        touched = (
            {self.model._meta.get_field(k).attname for k in kwargs} & set(entry.fields)
            if entry
            else set()
        )
        if not touched:
            return qs_class.update(self, **kwargs)
        with transaction.atomic(using=self.db):
            # The keys first: the update may move the rows out of the filter (is_current=False).
            keys = list(self.values_list("pk", flat=True))
            count = qs_class.update(self, **kwargs)
            rows_written(self.model, keys)
        return count

    def bulk_create(self: models.QuerySet[Any], objs: Any, *args: Any, **kwargs: Any) -> Any:
        with transaction.atomic(using=self.db):
            created = qs_class.bulk_create(self, objs, *args, **kwargs)
            rows_written(self.model, [o.pk for o in created if o.pk is not None])
        return created

    return type(
        qs_class.__name__,
        (qs_class,),
        {
            "update": update,
            "bulk_create": bulk_create,
            "_bioproof_audited": True,
            "__module__": qs_class.__module__,
        },
    )


# --- recording --------------------------------------------------------------------------------


def set_actor(user: Any) -> contextvars.Token[Any]:
    """Name the person on whose behalf row events are written (middleware, CLI, actions)."""
    return _actor.set(user if getattr(user, "is_authenticated", False) else None)


def reset_actor(token: contextvars.Token[Any]) -> None:
    _actor.reset(token)


def current_actor() -> Any:
    return _actor.get()


def _digest(value: Any) -> str:
    from bioproof.core.audit import canonical_json

    return hashlib.sha256(canonical_json(value).encode()).hexdigest()


def _normalise(entry: Regulated, values: Mapping[str, Any]) -> dict[str, Any]:
    from bioproof.core.audit import canonical_json, jsonable

    out: dict[str, Any] = {}
    for name in entry.fields:
        value = jsonable(values[name])
        if name in entry.secret:
            out[name] = {"sha256": _digest(value)} if value not in (None, "") else value
        elif value is not None and len(canonical_json(value)) > INLINE_LIMIT:
            out[name] = {"sha256": _digest(value), "digest_of": "value"}
        else:
            out[name] = value
    return out


def _read_rows(entry: Regulated, pks: Iterable[Any] | None = None) -> Iterator[dict[str, Any]]:
    qs = entry.model._base_manager.all()
    keys = None if pks is None else list(pks)
    if keys is not None:
        qs = qs.filter(pk__in=keys)
    pk_name = entry.model._meta.pk.attname
    rows = qs.order_by(pk_name).values(*entry.fields)
    if keys is not None and len(keys) <= 100:
        # The rows one write just saved: one query (a server-side cursor would cost three round
        # trips on PostgreSQL for every regulated save).
        yield from rows
        return
    yield from rows.iterator(chunk_size=2000)


def _write_state(entry: Regulated, values: Mapping[str, Any], repr_: str) -> None:
    from bioproof.core import audit

    pk = values[entry.model._meta.pk.attname]
    audit.append(
        actor=current_actor(),
        action=ROW_SAVED,
        object_type=entry.label,
        object_id=str(pk),
        object_repr=repr_,
        after=_normalise(entry, values),
    )


def _on_save(sender: type[models.Model], instance: models.Model, **kwargs: Any) -> None:
    if kwargs.get("raw"):
        return  # fixtures loaded with loaddata: verify reports them as rows without events
    entry = _registry[sender._meta.label_lower]
    update_fields = kwargs.get("update_fields")
    if update_fields is not None and not (
        {sender._meta.get_field(f).attname for f in update_fields} & set(entry.fields)
    ):
        return  # only unregulated fields (e.g. last_login) were written
    for values in _read_rows(entry, [instance.pk]):
        _write_state(entry, values, str(instance)[:255])


def _on_delete(sender: type[models.Model], instance: models.Model, **kwargs: Any) -> None:
    from bioproof.core import audit

    entry = _registry[sender._meta.label_lower]
    audit.append(
        actor=current_actor(),
        action=ROW_DELETED,
        object_type=entry.label,
        object_id=str(instance.pk),
        object_repr=str(instance)[:255],
        after=None,
    )


def rows_written(model_or_qs: type[models.Model] | models.QuerySet[Any], pks: Any = None) -> int:
    """Record the current state of rows written by ``update()`` or ``bulk_create()``.

    Pass a queryset (its rows are recorded) or a model and the primary keys (or instances).
    Returns how many rows were recorded.
    """
    if isinstance(model_or_qs, models.QuerySet):
        model = model_or_qs.model
        keys = list(model_or_qs.values_list("pk", flat=True))
    else:
        model = model_or_qs
        keys = [getattr(p, "pk", p) for p in (pks or [])]
    entry = _registry.get(model._meta.label_lower)
    if entry is None or not keys:
        return 0
    count = 0
    for values in _read_rows(entry, keys):
        _write_state(entry, values, f"{model._meta.object_name} {values[model._meta.pk.attname]}")
        count += 1
    return count


def baseline() -> int:
    """Record the state of regulated rows whose events do not describe them; how many were recorded.

    Runs after ``migrate``: rows written by data migrations (seeded method templates), rows that
    predate the registry, and rows whose newest state lacks a field a migration has since added
    get a state. Run ``audit verify`` *before* an upgrade's migrate, since a change made behind the
    application's back before it would be taken in here.
    """
    from bioproof.core import audit

    entries = registered()
    latest = _latest_states({e.label for e in entries})
    actor = current_actor()

    def states() -> Iterator[dict[str, Any]]:
        for entry in entries:
            wanted = set(entry.fields)
            for values in _read_rows(entry):
                pk = values[entry.model._meta.pk.attname]
                state = latest.get((entry.label, str(pk)), _MISSING)
                if state is _MISSING:
                    reason = "baseline: first recorded after migrate"
                elif state is not None and not wanted <= set(state):
                    reason = "baseline: fields added by a migration"
                else:
                    continue
                yield {
                    "actor": actor,
                    "action": ROW_SAVED,
                    "object_type": entry.label,
                    "object_id": str(pk),
                    "object_repr": f"{entry.model._meta.object_name} {pk}",
                    "after": _normalise(entry, values),
                    "reason": reason,
                }

    # one lock of the chain's head and events inserted a thousand at a time: a deploy whose
    # migration adds a field to a table of 100,000 rows takes seconds, not minutes
    with transaction.atomic():
        return audit.append_states(states())


# --- verifying --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """One row that does not match its audit events."""

    table: str
    key: str
    field: str
    expected: Any
    found: Any
    message: str

    def __str__(self) -> str:
        where = f"{self.table} pk={self.key}"
        if self.field:
            where += f" field {self.field!r}"
        detail = ""
        if self.field:
            detail = f": expected {_short(self.expected)}, found {_short(self.found)}"
        return f"{where}: {self.message}{detail}"


def _short(value: Any) -> str:
    from bioproof.core.audit import canonical_json

    text = canonical_json(value)
    return text if len(text) <= 80 else text[:77] + "…"


def _latest_states(labels: set[str]) -> dict[tuple[str, str], dict[str, Any] | None]:
    """The newest row event of every (type, id): its ``after``, or None when deleted."""
    from bioproof.core.models import AuditEvent

    latest: dict[tuple[str, str], dict[str, Any] | None] = {}
    events = (
        AuditEvent.objects.filter(action__in=ROW_ACTIONS, object_type__in=labels)
        .order_by("seq")
        .values_list("object_type", "object_id", "action", "after")
    )
    for object_type, object_id, action, after in events.iterator(chunk_size=5000):
        latest[(object_type, object_id)] = after if action == ROW_SAVED else None
    return latest


def verify_rows(progress: Callable[[str], None] | None = None) -> list[Problem]:
    """Compare every regulated row with its newest row event (and every event with its row)."""
    entries = registered()
    latest = _latest_states({e.label for e in entries})
    problems: list[Problem] = []
    for entry in entries:
        seen: set[str] = set()
        rows = 0
        for values in _read_rows(entry):
            key = str(values[entry.model._meta.pk.attname])
            seen.add(key)
            rows += 1
            recorded = latest.get((entry.label, key), False)
            if recorded is False:
                problems.append(
                    Problem(
                        entry.table,
                        key,
                        "",
                        None,
                        None,
                        "row has no audit event (inserted outside the application)",
                    )
                )
                continue
            if recorded is None:
                problems.append(
                    Problem(
                        entry.table,
                        key,
                        "",
                        None,
                        None,
                        "row exists but its audit events say it was deleted",
                    )
                )
                continue
            current = _normalise(entry, values)
            for name in entry.fields:
                if recorded.get(name, _MISSING) != current[name]:
                    problems.append(
                        Problem(
                            entry.table,
                            key,
                            name,
                            recorded.get(name),
                            current[name],
                            "changed outside the application",
                        )
                    )
        for (label, key), state in latest.items():
            if label == entry.label and state is not None and key not in seen:
                problems.append(
                    Problem(
                        entry.table,
                        key,
                        "",
                        None,
                        None,
                        "row was deleted outside the application (its audit events say it exists)",
                    )
                )
        if progress:
            progress(f"{entry.table}: {rows} rows")
    return problems


_MISSING = object()


def stored_files() -> Iterator[tuple[Regulated, str, str, str]]:
    """Every stored file of a regulated row: (entry, key, file name, recorded SHA-256)."""
    for entry in registered():
        for file_field, hash_field in entry.files.items():
            pk_name = entry.model._meta.pk.attname
            rows = (
                entry.model._base_manager.exclude(**{file_field: ""})
                .order_by(pk_name)
                .values_list(pk_name, file_field, hash_field)
            )
            for pk, name, sha in rows.iterator(chunk_size=2000):
                yield entry, str(pk), name, sha


def verify_files(progress: Callable[[int, int], None] | None = None) -> list[Problem]:
    """Re-hash every stored file of every regulated row against its recorded SHA-256."""
    from bioproof.core import files

    items = list(stored_files())
    problems: list[Problem] = []
    for i, (entry, key, name, sha) in enumerate(items, 1):
        problem = files.verify_stored(name, sha)
        if problem:
            problems.append(Problem(entry.table, key, "", None, None, problem))
        if progress:
            progress(i, len(items))
    return problems
