"""The API's limit/offset pagination, bounded so an out-of-range value is a 422, never a 500.

Without bounds an offset past the database's integer range (``offset=10**30``) reaches the SQL
``OFFSET`` and the database refuses it.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
import typing
from collections.abc import Callable, Iterator
from typing import Any, ParamSpec, TypeVar

from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest
from django.utils.functional import cached_property
from ninja import Field, Schema
from ninja.pagination import LimitOffsetPagination as _NinjaLimitOffsetPagination

P = ParamSpec("P")
R = TypeVar("R")
MAX_LIMIT = 1000
MAX_OFFSET = 1_000_000_000
MAX_CURSOR = 500


class LimitOffsetPagination(_NinjaLimitOffsetPagination):
    """``limit``/``offset`` for the first pages; ``cursor`` (the previous page's
    ``next_cursor``) for any page at the cost of the first one (keyset: ``offset`` is then
    ignored; such a page carries no ``count``). Every page carries ``next_cursor`` (null on
    the last page, and on lists whose ordering cannot be walked by keyset)."""

    class Input(Schema):
        limit: int = Field(100, ge=1, le=MAX_LIMIT, description=f"at most {MAX_LIMIT} items")
        offset: int = Field(0, ge=0, le=MAX_OFFSET)
        cursor: str | None = Field(
            None,
            max_length=MAX_CURSOR,
            description="the next_cursor of the previous page: the page after it (keyset)",
        )

    class Output(Schema):
        items: list[Any]
        count: int | None = Field(None, description="the list's size (not on cursor pages)")
        next_cursor: str | None = None

    #: the regulated models every listed query reads (subqueries included): when given, the count
    #: is kept per query while they are unchanged (:func:`bioproof.core.versions.cached_count`)
    count_models: tuple[type, ...] = ()

    def __init__(self, **kwargs: object) -> None:
        super().__init__(max_limit=MAX_LIMIT, **kwargs)

    def _items_count(self, queryset: Any) -> int:
        if self.count_models and hasattr(queryset, "query"):
            from bioproof.core import versions

            return versions.cached_count(queryset, self.count_models)
        return super()._items_count(queryset)

    def paginate_queryset(self, queryset: Any, pagination: Any, request: Any, **params: Any) -> Any:
        from ninja.errors import HttpError

        limit = min(pagination.limit, self.max_limit)
        fields = keyset_ordering(queryset) if hasattr(queryset, "query") else None
        if pagination.cursor:
            if fields is None:
                raise HttpError(422, "this list cannot be paged by cursor; use offset")
            try:
                rows, next_cursor = keyset_slice(queryset, limit, pagination.cursor)
            except CursorError as exc:
                raise HttpError(422, f"cursor: {exc}") from exc
            # no count on a cursor page: counting every visible row is what a deep page by
            # cursor avoids (100k products: the count cost more than the page)
            return {"items": rows, "count": None, "next_cursor": next_cursor}
        offset = pagination.offset
        if fields is None:
            return {
                "items": queryset[offset : offset + limit],
                "count": self._items_count(queryset),
                "next_cursor": None,
            }
        rows = list(deep_slice(_ordered(queryset, fields), offset, offset + limit + 1))
        more = len(rows) > limit
        rows = rows[:limit]
        return {
            "items": rows,
            "count": self._items_count(queryset),
            "next_cursor": encode_cursor(rows[-1], fields) if more and rows else None,
        }


# From this offset on, a page is read in two steps (deep_slice).
DEEP_OFFSET = 1000


def deep_slice(queryset: Any, start: int, stop: int) -> Any:
    """``queryset[start:stop]``; past ``DEEP_OFFSET`` rows, read as the page's primary keys
    first (``OFFSET`` over the ordering's index alone, without reading the rows it skips) and
    then those rows by key, in the same ordering and through the same queryset (its filters,
    the policy's included, apply again). At 100,000 products, offset 89,950: 94 ms → ~15 ms;
    the rows skipped are still walked in the index, so the cost still grows with the offset
    (the cursor does not)."""
    if start < DEEP_OFFSET or not hasattr(queryset, "query") or queryset.query.is_sliced:
        return queryset[start:stop]
    pks = list(queryset.values_list("pk", flat=True)[start:stop])
    return list(queryset.filter(pk__in=pks)) if pks else []


def typed(fn: Callable[P, R]) -> Callable[P, R]:
    """Resolve ``fn``'s string annotations in its own module, for ``@paginate`` to see them.

    ``@paginate`` wraps the view, and django-ninja resolves the wrapper's annotations in the
    wrapper's module, where names such as ``Need`` do not exist. Put ``@typed`` under it.
    """
    fn.__annotations__ = typing.get_type_hints(fn)
    return fn


# ----------------------------------------------------------------------------- keyset (cursor)
#
# Deep pages by OFFSET read and throw away every row before them; a keyset page starts right
# after the last row of the previous page (``WHERE (created_at, id) < (…)`` on the list's own
# ordering, which an index serves). The cursor is the ordering values of that last row, encoded
# (not secret: they are values of a row the reader saw; the policy filter still applies).


class CursorError(ValueError):
    """A cursor that does not decode to this list's ordering."""


def keyset_ordering(queryset: Any) -> list[tuple[str, bool]] | None:
    """``[(field, descending), …]`` of the queryset's ordering, ending with the primary key, or
    ``None`` when the ordering cannot be walked by keyset (expressions, relations, nullable
    columns)."""
    model = queryset.model
    if getattr(queryset, "_fields", None) or queryset.query.distinct_fields:
        return None  # values() rows or DISTINCT ON
    names = list(queryset.query.order_by or model._meta.ordering or ())
    fields: list[tuple[str, bool]] = []
    for name in names:
        if not isinstance(name, str):
            return None
        desc = name.startswith("-")
        attname = name.lstrip("-")
        if attname == "pk":
            attname = model._meta.pk.name
        if "__" in attname or "?" in attname:
            return None
        try:
            field = model._meta.get_field(attname)
        except Exception:
            return None
        if field.null or (field.is_relation and not field.many_to_one):
            return None
        fields.append((field.attname, desc))
    pk = model._meta.pk.attname
    if not any(name == pk for name, _ in fields):
        fields.append((pk, fields[-1][1] if fields else False))
    return fields


def _ordered(queryset: Any, fields: list[tuple[str, bool]]) -> Any:
    return queryset.order_by(*[("-" if desc else "") + name for name, desc in fields])


def encode_cursor(obj: Any, fields: list[tuple[str, bool]]) -> str:
    values = []
    for name, _desc in fields:
        value = getattr(obj, name)
        values.append(value.isoformat() if hasattr(value, "isoformat") else value)
    raw = json.dumps(values, separators=(",", ":"), default=str).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, queryset: Any, fields: list[tuple[str, bool]]) -> list[Any]:
    if not cursor or len(cursor) > MAX_CURSOR:
        raise CursorError("cursor too long")
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        values = json.loads(raw)
    except (ValueError, binascii.Error) as exc:
        raise CursorError("not a cursor") from exc
    if not isinstance(values, list) or len(values) != len(fields):
        raise CursorError("cursor does not match this list")
    out = []
    opts = queryset.model._meta
    for (name, _desc), value in zip(fields, values, strict=True):
        field = next(f for f in opts.concrete_fields if f.attname == name)
        if isinstance(value, (dict, list)) or value is None:
            raise CursorError("cursor does not match this list")
        try:
            target = field.target_field if field.is_relation else field
            python = target.to_python(value)
            target.get_prep_value(python)
        except Exception as exc:
            raise CursorError("cursor does not match this list") from exc
        if isinstance(python, dt.datetime) and python.tzinfo is None:
            raise CursorError("cursor does not match this list")
        out.append(python)
    return out


def after_cursor(queryset: Any, cursor: str) -> Any:
    """The rows of ``queryset`` after the cursor's row, in the queryset's ordering (keyset)."""
    fields = keyset_ordering(queryset)
    if fields is None:
        raise CursorError("this list cannot be paged by cursor")
    values = decode_cursor(cursor, queryset, fields)
    condition = Q()
    for i, (name, desc) in enumerate(fields):
        step = Q(**{f"{name}__{'lt' if desc else 'gt'}": values[i]})
        for prev, (prev_name, _) in enumerate(fields[:i]):
            step &= Q(**{prev_name: values[prev]})
        condition |= step
    # the first field's bound is implied by the condition, but only stated alone does it start
    # an index scan at the cursor: without it PostgreSQL scanned 500k index entries before a
    # page of bookings five years back (230 ms at 1M bookings)
    first, first_desc = fields[0]
    bound = Q(**{f"{first}__{'lte' if first_desc else 'gte'}": values[0]})
    return _ordered(queryset, fields).filter(bound & condition)


def keyset_slice(
    queryset: Any, limit: int, cursor: str | None = None
) -> tuple[list[Any], str | None]:
    """One page of ``limit`` rows (after ``cursor`` when given) and the next page's cursor."""
    fields = keyset_ordering(queryset)
    if fields is None:
        raise CursorError("this list cannot be paged by cursor")
    qs = after_cursor(queryset, cursor) if cursor else _ordered(queryset, fields)
    rows = list(qs[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, (encode_cursor(rows[-1], fields) if more and rows else None)


class KeysetPage:
    """A page of an HTML list reached by cursor (``?after=…``): no page number, no count."""

    keyset = True
    number = None

    def __init__(self, rows: list[Any], next_cursor: str | None, per_page: int) -> None:
        self.object_list = rows
        self.next_cursor = next_cursor
        self.has_next = next_cursor is not None
        self.per_page = per_page

    def __iter__(self) -> Iterator[Any]:
        return iter(self.object_list)

    def __len__(self) -> int:
        return len(self.object_list)

    def __bool__(self) -> bool:
        return bool(self.object_list)


# Page numbers are served by OFFSET up to here; the link to the next page past it is a cursor.
KEYSET_AFTER_PAGE = 10


class DeepPaginator(Paginator):
    """A paginator whose deep pages are read by primary key first (:func:`deep_slice`)."""

    def page(self, number: Any) -> Any:
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        return self._get_page(deep_slice(self.object_list, bottom, top), number, self)


class BoundedPaginator(DeepPaginator):
    """Counts no further than the numbered pages (``KEYSET_AFTER_PAGE`` of them): a list of a
    million rows is counted up to ``limit + 1`` (``SELECT COUNT(*) FROM (… LIMIT n)``), its
    ``total_label`` reads "10+" and its page numbers stop at the last numbered page (the next
    link past it is a cursor anyway)."""

    def __init__(self, object_list: Any, per_page: int) -> None:
        super().__init__(object_list, per_page)
        self.limit = KEYSET_AFTER_PAGE * per_page

    @cached_property
    def count(self) -> int:
        return self.object_list[: self.limit + 1].count()

    @property
    def more(self) -> bool:
        """Whether rows past the counted ones exist (the count stopped)."""
        return self.count > self.limit

    @property
    def total_label(self) -> str:
        return f"{KEYSET_AFTER_PAGE}+" if self.more else str(self.num_pages)

    def validate_number(self, number: Any) -> int:
        number = super().validate_number(number)
        return min(number, KEYSET_AFTER_PAGE) if self.more else number


def html_page(
    request: HttpRequest, queryset: Any, per_page: int = 25, *, bounded_count: bool = False
) -> Any:
    """The page of an HTML list: page numbers (``?page=n``) for the first pages, then keyset
    (``?after=<cursor>``), so a deep page costs what the first does. A page object gets
    ``next_cursor`` when its next link should be a cursor. With ``bounded_count`` the list is
    counted only as far as its numbered pages (:class:`BoundedPaginator`): for lists of
    millions, where counting every row costs more than the page."""
    cursor = request.GET.get("after")
    if cursor and keyset_ordering(queryset) is not None:
        try:
            rows, next_cursor = keyset_slice(queryset, per_page, cursor)
            return KeysetPage(rows, next_cursor, per_page)
        except CursorError:
            pass  # a stale or edited cursor: the first page
    paginator = (BoundedPaginator if bounded_count else DeepPaginator)(queryset, per_page)
    page = paginator.get_page(request.GET.get("page"))
    page.next_cursor = None
    fields = keyset_ordering(queryset)
    if fields is not None and page.has_next() and page.number >= KEYSET_AFTER_PAGE:
        rows = list(page.object_list)
        if rows:
            page.next_cursor = encode_cursor(rows[-1], fields)
    return page
