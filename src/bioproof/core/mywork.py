""" "My work": what waits for a person, by role, gathered from every app.

Each app declares providers in its ``work.py`` (imported at start-up)::

    @mywork.provider(tables=(Evaluation, Product, Organization))
    def screening(user, roles, limit):
        qs = ...  # built from the app's policy and the user's roles per organization
        yield mywork.section("screen", _("Requests to screen"), qs, item=..., limit=limit)

A section carries its total count and its first ``limit`` items, each linking to the step.

A provider names every regulated table it reads (``tables``): the home page keeps a person's
sections while those tables, their memberships and their account are unchanged
(:func:`tables`, :mod:`bioproof.core.versions`). A section must therefore not depend on the
clock; one that does ("due this week") needs its own key.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import Model, QuerySet
from django.utils.functional import Promise

from bioproof.consortium.models import Membership, User


@dataclass(frozen=True)
class Item:
    label: str
    detail: str
    url: str
    when: datetime | None = None


@dataclass(frozen=True)
class Section:
    key: str
    title: str | Promise
    count: int
    items: list[Item] = field(default_factory=list)

    @property
    def more(self) -> int:
        return self.count - len(self.items)


Provider = Callable[[Any, dict[int, frozenset[str]], int], Iterable[Section]]
_providers: list[Provider] = []
_tables: set[type[Model]] = {Membership, User}  # the roles and the account every section reads


def provider(*, tables: Iterable[type[Model]]) -> Callable[[Provider], Provider]:
    """Register a provider that reads ``tables`` (regulated models, checked when first kept)."""

    def register(fn: Provider) -> Provider:
        if fn not in _providers:
            _providers.append(fn)
        _tables.update(tables)
        return fn

    return register


def tables() -> tuple[type[Model], ...]:
    """Every table some provider reads, with the memberships and accounts."""
    return tuple(sorted(_tables, key=lambda m: m._meta.label))


def orgs_with(roles: dict[int, frozenset[str]], *wanted: str) -> list[int]:
    """Organizations where the user holds one of ``wanted`` (org admins hold every role)."""
    want = {*wanted, Membership.Role.ORG_ADMIN}
    return sorted(org for org, held in roles.items() if held & want)


def section(
    key: str,
    title: str | Promise,
    queryset: QuerySet[Any],
    *,
    item: Callable[[Any], Item],
    limit: int,
) -> Section:
    """A section from a queryset: its count and its first ``limit`` rows as items."""
    rows = list(queryset[: limit + 1])
    if len(rows) <= limit:
        count = len(rows)
    else:
        count = queryset.order_by().count()
        rows = rows[:limit]
    return Section(key, title, count, [item(r) for r in rows])


def for_user(user: Any, *, limit: int = 10) -> list[Section]:
    """Every non-empty section waiting for ``user``."""
    if not getattr(user, "is_authenticated", False):
        return []
    roles = user.roles_by_org
    if not roles:
        return []
    out: list[Section] = []
    for fn in _providers:
        out.extend(s for s in fn(user, roles, limit) if s.count)
    return out


def total(sections: Iterable[Section]) -> int:
    return sum(s.count for s in sections)
