"""Searching the index: one query over products, public track records and needs.

The query is analysed like the documents (:mod:`bioproof.search.text`); every token must match
(a token of two letters or more also matches as a prefix). When no document has them all, any
token may match instead, and on PostgreSQL, for a one-word query, also a name similar to it
(pg_trgm ``word_similarity`` ≥ 0.6, for misspellings). Filters narrow the results and the
policy filter keeps only what the user may see; each hit of the page is then checked once more
through its model's ``visible_to(user)`` (products, needs) or ``public()`` (track records).

Ranking, the same on both backends and deterministic: documents with every token in their
names first, then documents with every token elsewhere (category, supplier, specifications,
description, synonyms); within a tier the most recently indexed first. The fallback (any token)
is one tier; on PostgreSQL it is ordered by trigram similarity of the query to the names. The
count stops at :data:`MAX_RESULTS` ("500+") and so does paging, which keeps a query's cost
bounded however many documents match. See docs/search.md.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db import connection, transaction
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from bioproof.core.errors import DomainError
from bioproof.core.policy import is_authenticated, is_platform_admin, org_ids
from bioproof.search import text
from bioproof.search.models import SearchDocument

Kind = SearchDocument.Kind
MAX_LIMIT = 100
MAX_RESULTS = 500  # counted and paged up to this many; beyond, the count reads "500+"
VERDICTS = ("pass", "fail")
COLUMNS = (
    "d.id, d.kind, d.object_id, d.code, d.title_ko, d.title_en, d.subtitle_ko, d.subtitle_en, "
    "d.category_id, d.supplier_id, d.center_id, d.verdict, d.status"
)
URL_NAMES = {
    Kind.PRODUCT: "product_detail",
    Kind.TRACK_RECORD: "track_record_detail",
    Kind.NEED: "need_detail",
}


@dataclass(frozen=True)
class Hit:
    kind: str
    object_id: int
    code: str
    title_ko: str
    title_en: str
    subtitle_ko: str
    subtitle_en: str
    category_id: int | None
    supplier_id: int | None
    center_id: int | None
    verdict: str
    status: str
    score: float

    @property
    def title(self) -> str:
        return self.title_en if (get_language() or "ko").startswith("en") else self.title_ko

    @property
    def subtitle(self) -> str:
        en = (get_language() or "ko").startswith("en")
        return self.subtitle_en if en else self.subtitle_ko

    @property
    def url(self) -> str:
        return reverse(URL_NAMES[self.kind], args=[self.code])

    @property
    def kind_label(self) -> str:
        return str(Kind(self.kind).label)

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "code": self.code,
            "title_ko": self.title_ko,
            "title_en": self.title_en,
            "subtitle_ko": self.subtitle_ko,
            "subtitle_en": self.subtitle_en,
            "verdict": self.verdict or None,
            "status": self.status,
            "url": self.url,
            "score": round(self.score, 6),
        }


@dataclass(frozen=True)
class Filters:
    category: str = ""
    center: str = ""
    verdict: str = ""
    supplier: str = ""
    kind: str = ""

    @property
    def any(self) -> bool:
        return any((self.category, self.center, self.verdict, self.supplier, self.kind))


@dataclass
class Results:
    query: str
    tokens: tuple[str, ...]
    filters: Filters
    total: int
    limit: int
    offset: int
    hits: list[Hit] = field(default_factory=list)
    matched_all: bool = True
    capped: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "count": self.total,
            "count_is_capped": self.capped,
            "limit": self.limit,
            "offset": self.offset,
            "tokens": list(self.tokens),
            "matched_all_tokens": self.matched_all,
            "items": [h.to_dict() for h in self.hits],
        }


def _org_id(code: str, kind: str, field_name: str) -> int:
    from bioproof.consortium.models import Organization

    pk = Organization.objects.filter(code=code, kind=kind).values_list("pk", flat=True).first()
    if pk is None:
        raise DomainError(
            _("Unknown %(what)s '%(code)s'.") % {"what": field_name, "code": code},
            field=field_name,
        )
    return pk


def _where(user: Any, filters: Filters) -> tuple[list[str], list[Any]]:
    """SQL conditions (on alias ``d``) for the policy and the filters."""
    from bioproof.catalog.models import Category
    from bioproof.consortium.models import Organization
    from bioproof.demand.matching import subtree_ids
    from bioproof.demand.policy import sees_consortium_needs

    where: list[str] = []
    params: list[Any] = []
    if not is_platform_admin(user):
        audience = ["d.audience = 'public'"]
        if sees_consortium_needs(user):
            audience.append("d.audience = 'consortium'")
        orgs = sorted(org_ids(user))
        if orgs:
            audience.append(f"d.owner_id IN ({', '.join(['%s'] * len(orgs))})")
            params.extend(orgs)
        where.append(f"({' OR '.join(audience)})")
    if filters.kind:
        if filters.kind not in Kind.values:
            raise DomainError(
                _("Kind must be one of %(k)s.") % {"k": ", ".join(Kind.values)}, field="kind"
            )
        where.append("d.kind = %s")
        params.append(filters.kind)
    if filters.category:
        pk = Category.objects.filter(code=filters.category).values_list("pk", flat=True).first()
        if pk is None:
            raise DomainError(
                _("Unknown category '%(c)s'.") % {"c": filters.category}, field="category"
            )
        ids = subtree_ids(pk)
        where.append(f"d.category_id IN ({', '.join(['%s'] * len(ids))})")
        params.extend(ids)
    if filters.supplier:
        where.append("d.supplier_id = %s")
        params.append(_org_id(filters.supplier, Organization.Kind.SUPPLIER, "supplier"))
    if filters.center:
        where.append("d.center_id = %s")
        params.append(_org_id(filters.center, Organization.Kind.CENTER, "center"))
    if filters.verdict:
        if filters.verdict not in VERDICTS:
            raise DomainError(_("Verdict must be 'pass' or 'fail'."), field="verdict")
        where.append("d.verdict = %s")
        params.append(filters.verdict)
    return where, params


def _fts5_expression(tokens: tuple[str, ...], operator: str) -> str:
    last = len(tokens) - 1
    terms = (f'"{t}"' + ("*" if i == last and _prefix(t) else "") for i, t in enumerate(tokens))
    return f" {'AND' if operator == '&' else 'OR'} ".join(terms)


def _tsquery(tokens: tuple[str, ...], operator: str) -> str:
    last = len(tokens) - 1
    terms = (f"'{t}'" + (":*" if i == last and _prefix(t) else "") for i, t in enumerate(tokens))
    return f" {operator} ".join(terms)


def _prefix(token: str) -> bool:
    """The last token of a query, when of two letters or more (three for Latin), also matches as
    a prefix (search as you type); the others match whole tokens, which keeps the index scans
    of a long query cheap."""
    return len(token) >= (3 if token.isascii() else 2) and not token.isdigit()


@dataclass(frozen=True)
class _Tier:
    """One tier of matches, as SQL: FROM-clause, conditions (with params) and ORDER BY."""

    source: str
    conditions: tuple[str, ...]
    params: tuple[Any, ...]
    order: str
    score: float


DOCS = "search_searchdocument d"
FTS = "search_fts JOIN search_searchdocument d ON d.id = search_fts.rowid"


def _tiers(tokens: tuple[str, ...], raw: str, operator: str) -> tuple[list[_Tier], _Tier]:
    """The tiers of one pass, and their union (for counting).

    Operator ``&``: every token in the names, then every token elsewhere (not in the names).
    Operator ``|`` (the fallback): any token; on PostgreSQL, for one word, also a similar name.
    """
    if not tokens:
        browse = _Tier(DOCS, (), (), "d.id DESC", 0.0)
        return [browse], browse
    if connection.vendor == "sqlite":
        expr = _fts5_expression(tokens, operator)
        match = ("search_fts MATCH %s",)
        order = "search_fts.rowid DESC"
        union = _Tier(FTS, match, (expr,), order, 0.5)
        if operator == "|":
            return [union], union
        names = f"{{names}} : ({expr})"
        return [
            _Tier(FTS, match, (names,), order, 2.0),
            _Tier(FTS, match, (f"({expr}) NOT ({names})",), order, 1.0),
        ], union
    query = _tsquery(tokens, operator)
    in_text = "d.tsv @@ to_tsquery('simple', %s)"
    in_names = "d.names_tsv @@ to_tsquery('simple', %s)"
    union = _Tier(DOCS, (in_text,), (query,), "d.id DESC", 0.5)
    if operator == "|":
        if len(tokens) > 1 or len(raw) < 3:  # trigram only for one word (a misspelling)
            return [union], union
        fuzzy = _Tier(
            DOCS,
            (f"({in_text} OR %s <%% d.raw_names)",),
            (query, raw),
            "word_similarity(%s, d.raw_names) DESC, d.id DESC",
            0.5,
        )
        return [fuzzy], fuzzy
    return [
        _Tier(DOCS, (in_names,), (query,), "d.id DESC", 2.0),
        _Tier(DOCS, (in_text, f"NOT {in_names}"), (query, query), "d.id DESC", 1.0),
    ], union


def _where_sql(tier: _Tier, where: list[str]) -> str:
    conditions = [*tier.conditions, *where]
    return f"FROM {tier.source}" + (" WHERE " + " AND ".join(conditions) if conditions else "")


COUNT_TTL = 60.0  # seconds a count is reused by this process (hits are never cached)
_counts: dict[tuple[Any, ...], tuple[float, tuple[int, ...]]] = {}
_counts_lock = threading.Lock()


def invalidate_counts() -> None:
    """Forget the cached counts (the index writer calls this after every change)."""
    with _counts_lock:
        _counts.clear()


def _cached(sql: str, args: list[Any]) -> tuple[int, ...]:
    """Run a counting query, cached per process for :data:`COUNT_TTL`.

    The key holds the whole SQL and its parameters, the policy's among them, so a count is only
    ever reused for the same audience; writes through this process clear the cache at once,
    writes through another process show in the count within a minute.
    """
    key = (connection.alias, connection.settings_dict.get("NAME"), sql, tuple(args))
    now = time.monotonic()
    cached = _counts.get(key)
    if cached is not None and now - cached[0] < COUNT_TTL:
        return cached[1]
    with connection.cursor() as cursor:
        cursor.execute(sql, args)
        row = tuple(int(v or 0) for v in cursor.fetchone())
    with _counts_lock:
        if len(_counts) > 10_000:
            _counts.clear()
        _counts[key] = (now, row)
    return row


def _count(tier: _Tier, where: list[str], params: list[Any], cap: int) -> int:
    """How many documents match the tier (at most ``cap``)."""
    sql = f"SELECT COUNT(*) FROM (SELECT 1 {_where_sql(tier, where)} LIMIT {cap}) t"
    return _cached(sql, [*tier.params, *params])[0]


def _count_with_first(
    union: _Tier, first: _Tier, where: list[str], params: list[Any], cap: int
) -> tuple[int, int]:
    """(matches of the union, how many of them are in the first tier), both among at most
    ``cap`` rows: one index scan instead of two."""
    flag = " AND ".join(first.conditions)
    sql = (
        f"SELECT COUNT(*), COUNT(*) FILTER (WHERE t.first) FROM (SELECT ({flag}) AS first "
        f"{_where_sql(union, where)} LIMIT {cap}) t"
    )
    total, in_first = _cached(sql, [*first.params, *union.params, *params])
    return total, in_first


#: PostgreSQL: walk the id index for a page only when the count was capped (more than
#: MAX_RESULTS matches). Walking reads about limit·N/m rows for m matches of N documents; the
#: GIN bitmap reads all m and sorts them. Below the cap the bitmap's ≤ 500 rows are the cheaper.
WALK_ABOVE = MAX_RESULTS


def _page(
    tier: _Tier,
    where: list[str],
    params: list[Any],
    raw: str,
    limit: int,
    offset: int,
    walk: bool = False,
) -> list[Hit]:
    """One page of a tier. ``walk`` (PostgreSQL, many matches): read the id index backwards and
    stop after the page, rather than collect every match from the GIN index and sort them (the
    planner misjudges how many documents share several tokens, so it is told)."""
    order_params = [raw] if "%s" in tier.order else []
    sql = f"SELECT {COLUMNS} {_where_sql(tier, where)} ORDER BY {tier.order} LIMIT %s OFFSET %s"
    args = [*tier.params, *params, *order_params, limit, offset]
    if walk and connection.vendor == "postgresql" and tier.order == "d.id DESC":
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_bitmapscan = off; SET LOCAL enable_seqscan = off")
            cursor.execute(sql, args)
            rows = cursor.fetchall()
    else:
        with connection.cursor() as cursor:
            cursor.execute(sql, args)
            rows = cursor.fetchall()
    return [
        Hit(
            kind=r[1],
            object_id=r[2],
            code=r[3],
            title_ko=r[4],
            title_en=r[5],
            subtitle_ko=r[6],
            subtitle_en=r[7],
            category_id=r[8],
            supplier_id=r[9],
            center_id=r[10],
            verdict=r[11],
            status=r[12],
            score=tier.score,
        )
        for r in rows
    ]


def _collect(
    tiers: list[_Tier],
    where: list[str],
    params: list[Any],
    raw: str,
    limit: int,
    offset: int,
    total: int | None = None,
    in_first: int | None = None,
) -> list[Hit]:
    """The page [offset, offset + limit) of the tiers taken one after the other.

    ``total`` (PostgreSQL: the union's count, known before) lets a tier with many matches be
    read by walking the id index (see :func:`_page`); ``in_first``, how many of the counted
    matches are in the first tier, spares counting that tier for a first page."""
    hits: list[Hit] = []
    skip = offset
    remaining = total
    for number, tier in enumerate(tiers):
        last = number == len(tiers) - 1
        size = None
        if number == 0 and not last and not skip and in_first is not None:
            size = in_first  # exact unless the count was capped; then a sample of it
            # the count is a sample of the first MAX_RESULTS + 1 matches: when capped, a tier
            # with at least WALK_ABOVE / 2 of them has thousands of matches in all
            walk = total is not None and total > MAX_RESULTS and in_first > WALK_ABOVE // 2
            hits += _page(tier, where, params, raw, limit - len(hits), 0, walk)
            if remaining is not None and remaining <= MAX_RESULTS:
                remaining -= size
            if len(hits) >= limit:
                break
            continue
        if not last and (skip or (total is not None and total > WALK_ABOVE)):
            size = _count(tier, where, params, MAX_RESULTS + 1)
            if skip >= size:
                skip -= size
                if remaining is not None and remaining <= MAX_RESULTS:
                    remaining -= size
                continue
        elif last:
            size = remaining
        walk = size is not None and size > WALK_ABOVE
        hits += _page(tier, where, params, raw, limit - len(hits), skip, walk)
        if remaining is not None and size is not None and remaining <= MAX_RESULTS:
            remaining -= size
        skip = 0
        if len(hits) >= limit:
            break
    return hits


def _visible_queryset(user: Any, kind: str, ids: list[int]) -> Any:
    from django.db.models import CharField, Value

    from bioproof.catalog.models import Product
    from bioproof.demand.models import Need
    from bioproof.evaluations.models import TrackRecord

    source = {
        Kind.PRODUCT: lambda: Product.objects.visible_to(user),
        Kind.TRACK_RECORD: lambda: TrackRecord.objects.public(),
        Kind.NEED: lambda: Need.objects.visible_to(user),
    }[kind]()
    return (
        source.filter(pk__in=ids)
        .order_by()
        .values_list(Value(str(kind), output_field=CharField()), "pk")
    )


def _visible(user: Any, hits: list[Hit]) -> set[tuple[str, int]]:
    """(kind, id) of the hits that ``user``'s ``visible_to`` allows, in one UNION query."""
    by_kind: dict[str, list[int]] = {}
    for h in hits:
        by_kind.setdefault(h.kind, []).append(h.object_id)
    parts = [_visible_queryset(user, kind, ids) for kind, ids in sorted(by_kind.items())]
    if not parts:
        return set()
    query = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
    return {(kind, pk) for kind, pk in query}


_public_sql: dict[tuple[Any, ...], tuple[str, list[Any], list[int]]] = {}


def _visible_to_public(hits: list[Hit]) -> set[tuple[str, int]]:
    """:func:`_visible` for the public, with the SQL compiled once per shape of the page.

    The public's rules do not depend on the user, so the query that ``visible_to`` builds for
    (kinds, number of ids) is compiled once, with stand-in ids, and reused with the page's ids.
    """
    by_kind: dict[str, list[int]] = {}
    for h in hits:
        by_kind.setdefault(h.kind, []).append(h.object_id)
    if not by_kind:
        return set()
    shape = (connection.alias, tuple((k, len(v)) for k, v in sorted(by_kind.items())))
    if shape not in _public_sql:
        stand_ins = iter(range(-1, -1 - len(hits) - 1, -1))
        dummy = {k: [next(stand_ins) for _ in v] for k, v in sorted(by_kind.items())}
        parts = [_visible_queryset(AnonymousUser(), k, ids) for k, ids in dummy.items()]
        query = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
        sql, params = query.query.sql_with_params()
        order = [i for k in dummy for i in dummy[k]]
        slots = [order.index(p) if isinstance(p, int) and p < 0 else -1 for p in params]
        if sorted(i for i in slots if i >= 0) != list(range(len(order))):
            return _visible(AnonymousUser(), hits)  # not a shape we can reuse safely
        _public_sql[shape] = (sql, list(params), slots)
    sql, params, slots = _public_sql[shape]
    ids = [i for k, v in sorted(by_kind.items()) for i in v]
    args = [ids[slot] if slot >= 0 else p for p, slot in zip(params, slots, strict=True)]
    with connection.cursor() as cursor:
        cursor.execute(sql, args)
        return {(kind, pk) for kind, pk in cursor.fetchall()}


def _recheck(user: Any, hits: list[Hit]) -> list[Hit]:
    """Keep only the hits the user's ``visible_to`` allows (defence in depth).

    What the public may see every user may see, so the hits are first checked with the public
    (anonymous) rules, which are cheap, and only the rest with the user's own.
    """
    allowed = _visible_to_public(hits)
    rest = [h for h in hits if (h.kind, h.object_id) not in allowed]
    if rest and is_authenticated(user):
        allowed |= _visible(user, rest)
    return [h for h in hits if (h.kind, h.object_id) in allowed]


def search(
    user: Any,
    q: str = "",
    *,
    category: str = "",
    center: str = "",
    verdict: str = "",
    supplier: str = "",
    kind: str = "",
    limit: int = 20,
    offset: int = 0,
) -> Results:
    """Search what ``user`` may see; raise DomainError on an unknown filter value."""
    q = (q or "").strip()[:200]
    filters = Filters(
        (category or "").strip(),
        (center or "").strip(),
        (verdict or "").strip(),
        (supplier or "").strip(),
        (kind or "").strip(),
    )
    try:
        limit, offset = int(limit), int(offset)
    except (TypeError, ValueError):
        raise DomainError(_("limit and offset must be whole numbers."), field="limit") from None
    if not 1 <= limit <= MAX_LIMIT:
        raise DomainError(_("limit must be between 1 and %(n)d.") % {"n": MAX_LIMIT}, field="limit")
    if offset < 0:
        raise DomainError(_("offset must not be negative."), field="offset")
    if offset >= MAX_RESULTS:
        raise DomainError(
            _("Only the first %(n)d results can be paged through; refine your search.")
            % {"n": MAX_RESULTS},
            field="offset",
        )
    tokens = text.query_tokens(q) if q else ()
    results = Results(q, tokens, filters, 0, limit, offset)
    if (q and not tokens) or (not tokens and not filters.any):
        return results
    where, params = _where(user, filters)
    raw = q.lower()
    fallback = len(tokens) > 1 or (connection.vendor == "postgresql" and len(raw) >= 3)
    for operator in ["&", "|"] if tokens and fallback else ["&"]:
        tiers, union = _tiers(tokens, raw, operator)
        if connection.vendor == "postgresql":  # count first: it decides how to read the page
            if len(tiers) > 1:
                total, in_first = _count_with_first(union, tiers[0], where, params, MAX_RESULTS + 1)
            else:
                total, in_first = _count(union, where, params, MAX_RESULTS + 1), None
            hits = _collect(tiers, where, params, raw, limit, offset, total, in_first)
        else:
            hits = _collect(tiers, where, params, raw, limit, offset)
            if offset == 0 and len(hits) < limit:
                total = len(hits)  # the whole result is on this page: no need to count
            else:
                total = _count(union, where, params, MAX_RESULTS + 1)
        if total:
            results.hits = _recheck(user, hits)
            results.total = min(total, MAX_RESULTS)
            results.capped = total > MAX_RESULTS
            results.matched_all = operator == "&"
            break
    return results
