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
bounded however many documents match. What the index answers (count and page) is cached until
the next index write (:mod:`bioproof.search.cache`); the check through ``visible_to`` runs on
every search. See docs/search.md.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from bioproof.core.errors import DomainError
from bioproof.core.policy import is_authenticated, is_platform_admin, org_ids
from bioproof.search import cache, prepared, text
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


def _policy(user: Any) -> tuple[list[str], list[Any]]:
    """SQL conditions (on alias ``d``) for what the user may find: the models' ``visible_to``
    rules, read from the app policies and mapped onto the index's columns — a document's
    audience holds the rules that depend on the record alone (listed product, public or
    consortium need, public track record), ``owner_id`` the owning organization (the
    product's supplier, the need's company), and the rules that depend on other records
    (a center evaluating a draft product, a supplier invited to a private need) are the
    policies' own subqueries. tests/search/test_policy_matrix.py checks over the role ×
    organization × state matrix that this finds exactly what ``visible_to`` allows."""
    key = (connection.alias, audience(user))
    if key not in _policies:  # compiling the subqueries through the ORM costs more than a hit
        if len(_policies) > 5000:
            _policies.clear()
        _policies[key] = _compile_policy(user)
    conditions, params = _policies[key]
    return list(conditions), list(params)


_policies: dict[tuple[Any, ...], tuple[list[str], list[Any]]] = {}


def _compile_policy(user: Any) -> tuple[list[str], list[Any]]:
    from bioproof.catalog.policy import evaluated_by
    from bioproof.consortium.models import Organization
    from bioproof.demand.policy import invited_to, sees_consortium_needs

    if is_platform_admin(user):
        return [], []
    audience = ["d.audience = 'public'"]
    params: list[Any] = []
    if sees_consortium_needs(user):
        audience.append("d.audience = 'consortium'")
    orgs = sorted(org_ids(user))
    if orgs:
        audience.append(f"d.owner_id IN ({', '.join(['%s'] * len(orgs))})")
        params.extend(orgs)
        kinds = set(Organization.objects.filter(pk__in=orgs).values_list("kind", flat=True))
        grants = (
            # only a center evaluates, and only a supplier is invited: the other organizations'
            # statements carry no subquery that can only come back empty
            (Kind.PRODUCT, evaluated_by(user), Organization.Kind.CENTER),
            (Kind.NEED, invited_to(user), Organization.Kind.SUPPLIER),
        )
        for kind, ids, holder in grants:
            if holder not in kinds:
                continue
            sql, sub = ids.order_by().query.sql_with_params()
            audience.append(
                f"(d.kind = '{kind}' AND d.audience = 'owner' AND d.object_id IN ({sql}))"
            )
            params.extend(sub)
    return [f"({' OR '.join(audience)})"], params


def _filter(filters: Filters) -> tuple[list[str], list[Any]]:
    """SQL conditions (on alias ``d``) for the filters; DomainError on an unknown value."""
    from bioproof.catalog.models import Category
    from bioproof.consortium.models import Organization
    from bioproof.demand.matching import subtree_ids

    where: list[str] = []
    params: list[Any] = []
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


#: PostgreSQL: a prefix is expanded into at most this many lexemes of the vocabulary; a
#: shorter prefix with more completions is left to GIN's own (slower) partial match.
MAX_EXPANSIONS = 64
_expanded: dict[tuple[Any, ...], tuple[str, ...] | None] = {}
_known: dict[tuple[Any, ...], bool] = {}


def _until_next_write(memo: dict[tuple[Any, ...], Any], key: str, compute: Any) -> Any:
    """``compute()``, remembered in ``memo`` by this process until the next index write (the
    memo's key holds the index generation); not while this transaction holds index writes of
    its own, whose rows nobody else sees."""
    remembered = (cache.generation(), connection.settings_dict.get("NAME"), key)
    if remembered in memo:
        return memo[remembered]
    found = compute()
    if cache.usable():
        if len(memo) > 10_000:
            memo.clear()
        memo[remembered] = found
    return found


def _expansions(prefix: str) -> tuple[str, ...] | None:
    """The lexemes of the index that start with ``prefix`` (PostgreSQL's ``search_term``), or
    None when there are more than :data:`MAX_EXPANSIONS`. Remembered by this process until the
    next index write."""

    def terms() -> tuple[str, ...] | None:
        pattern = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT term FROM search_term WHERE term LIKE %s ORDER BY term LIMIT %s",
                [pattern, MAX_EXPANSIONS + 1],
            )
            found = tuple(r[0] for r in cursor.fetchall())
        return None if len(found) > MAX_EXPANSIONS else found

    return _until_next_write(_expanded, prefix, terms)


PUBLIC = (["(d.audience = 'public')"], [])  # what everyone may find (:func:`_policy`)


def _indexed(term: str, policy: list[str], params: list[Any]) -> bool:
    """Whether a document the user may find (``policy``, :func:`_policy`) holds the token
    ``term`` (PostgreSQL: the full-text index, or the vocabulary for a platform admin; SQLite:
    the FTS5 index), for a query's words that Kiwi misreads as names would be
    (:func:`bioproof.search.text.query_tokens`). Asking the whole index would tell anyone
    whether a name occurs in a draft product or a private need they cannot see: the query's
    tokens (shown by the page and the API) and hence its results would differ. A word in a
    public document is held for every audience (one answer shared by all); remembered by this
    process until the next index write."""
    if policy and (policy, params) != PUBLIC and _indexed(term, *PUBLIC):
        return True

    def held() -> bool:
        where = "".join(f" AND {c}" for c in policy)
        with connection.cursor() as cursor:
            if connection.vendor == "sqlite":
                cursor.execute(
                    "SELECT EXISTS (SELECT 1 FROM search_fts JOIN search_searchdocument d "
                    f"ON d.id = search_fts.rowid WHERE search_fts MATCH %s{where})",
                    [f'"{term}"', *params],
                )
            elif not policy:
                cursor.execute("SELECT EXISTS (SELECT 1 FROM search_term WHERE term = %s)", [term])
            else:
                cursor.execute(
                    "SELECT EXISTS (SELECT 1 FROM search_searchdocument d WHERE "
                    f"d.tsv @@ {prepared.TSQUERY}{where})",
                    [_lexeme(term), *params],
                )
            return bool(cursor.fetchone()[0])

    return _until_next_write(_known, repr((term, policy, params)), held)


def _lexeme(term: str) -> str:
    return "'" + term.replace("\\", "\\\\").replace("'", "''") + "'"


def _tsquery(tokens: tuple[str, ...], operator: str) -> str:
    """A tsquery of the tokens joined by ``operator``; the last token, when long enough, also
    as a prefix: as the vocabulary's completions of it (``('medium' | 'media')``), or GIN's
    partial match (``'me':*``) when it has too many."""
    terms = [_lexeme(t) for t in tokens]
    last = tokens[-1]
    if _prefix(last):
        expanded = _expansions(last)
        if expanded is None:
            terms[-1] = _lexeme(last) + ":*"
        elif expanded:  # none: the word is in no document, and matches nothing as it is
            joined = " | ".join(_lexeme(t) for t in expanded)
            terms[-1] = f"({joined})" if len(expanded) > 1 else joined
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
    in_text = f"d.tsv @@ {prepared.TSQUERY}"
    in_names = f"d.names_tsv @@ {prepared.TSQUERY}"
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


@dataclass(frozen=True)
class Sample:
    """What counting a query's matches found (PostgreSQL): ``total`` matches, at most
    MAX_RESULTS + 1; ``in_first``, how many of them are in the first tier (two tiers); ``span``,
    how many documents the scan that found them went through (:func:`_span`); ``documents``,
    the ids of the whole index."""

    total: int
    in_first: int | None = None
    span: int = 1
    documents: int = 1

    @property
    def capped(self) -> bool:
        return self.total > MAX_RESULTS


# two scalar subqueries: SQLite answers MAX and MIN from the index only one per query
_DOCUMENTS = (
    "((SELECT MAX(id) FROM search_searchdocument) "
    "- (SELECT MIN(id) FROM search_searchdocument) + 1)"
)


def _span_sql(alias: str) -> str:
    """Three columns over the counted matches (``alias``): the ids they span, the table blocks
    they span, and the table's blocks (PostgreSQL; NULL elsewhere, where nothing walks)."""
    ids = f"MAX({alias}.id) - MIN({alias}.id) + 1 AS ids"
    if connection.vendor != "postgresql":
        return f"{ids}, NULL AS blocks, NULL AS table_blocks"
    block = f"({alias}.ctid::text::point)[0]"
    return (
        f"{ids}, MAX({block}) - MIN({block}) + 1 AS blocks, "
        "pg_relation_size('search_searchdocument') / current_setting('block_size')::int "
        "AS table_blocks"
    )


def _span(ids: Any, blocks: Any, table_blocks: Any, documents: int) -> int:
    """How many documents the scan went through to find the counted matches.

    GIN's bitmap returns matches in the table's physical order. Where that order is the ids'
    (documents written one after another), the ids the matches span say it. Where it is not — a
    reindex or updates put rows wherever there was room — the first matches in physical order
    span ids far apart, and the id span would make the words look rarer than they are (a word
    in one document in ten looked like one in a hundred after ``search_reindex``, and a page
    that should have walked read 100,338 matches from GIN in 95 ms; walking, 0.1 ms). The blocks
    the scan read, times the documents per block, say it then. The smaller of the two is
    taken: out of id order the ids overstate the span (matches found early lie far apart in
    id), and the blocks understate it at most by the table's share of dead space, which errs
    towards walking, the cheaper mistake (a walk stops after one page)."""
    span = int(ids or 1)
    if blocks and table_blocks:
        span = min(span, math.ceil(int(blocks) * documents / max(int(table_blocks), 1)))
    return max(span, 1)


def _count(tier: _Tier, where: list[str], params: list[Any], cap: int) -> int:
    """How many documents match the tier (at most ``cap``)."""
    return _sample(tier, None, where, params, cap).total


def _sample(
    union: _Tier, first: _Tier | None, where: list[str], params: list[Any], cap: int
) -> Sample:
    """Count the matches of ``union`` up to ``cap`` and, in the same index scan, those of the
    ``first`` tier among them and the ids they span."""
    flag = " AND ".join(first.conditions) if first is not None else "FALSE"
    ctid = ", d.ctid" if connection.vendor == "postgresql" else ""
    sql = (
        f"SELECT COUNT(*), COUNT(*) FILTER (WHERE t.first), {_span_sql('t')}, {_DOCUMENTS} "
        f"FROM (SELECT d.id{ctid}, ({flag}) AS first {_where_sql(union, where)} LIMIT {cap}) t"
    )
    flag_params = list(first.params) if first is not None else []
    args = [*flag_params, *union.params, *params]
    [row] = prepared.rows(sql, args)
    return _sample_of(row, first is not None)


def _sample_of(row: tuple[Any, ...], two_tiers: bool) -> Sample:
    """A Sample from a counting statement's columns: total, in first tier, then the three of
    :func:`_span_sql` and :data:`_DOCUMENTS`."""
    total, in_first, ids, blocks, table_blocks, documents = row[:6]
    documents = int(documents or 1)
    return Sample(
        int(total),
        int(in_first or 0) if two_tiers else None,
        _span(ids, blocks, table_blocks, documents),
        documents,
    )


def _walk(share: int, sample: Sample, rows: int) -> bool:
    """Whether to read a tier by walking the id index backwards rather than from GIN.

    Only for a capped count (more than MAX_RESULTS matches; below it GIN's bitmap reads at most
    that many rows). The sample's matches came in physical order, which the index keeps close
    to id order, so ``share / span`` estimates the tier's matches per document id. A walk to
    the ``rows``-th match reads about ``rows / density`` documents; the bitmap reads every match,
    ``density · documents``. Both cost about the same per row read (measured), so the smaller
    wins: walking pays once a tier has more than √(rows · documents) matches (≈ 1,500 for a
    first page of 20 among 111,000 documents)."""
    if not sample.capped or share <= 0:
        return False
    density = share / max(sample.span, share)
    return rows / density < density * sample.documents


#: Walking is forced for one statement (the planner, misjudging how many documents share
#: several tokens, would collect and sort every match): these settings hold for it only.
WALK = ("enable_bitmapscan = off", "enable_seqscan = off")
#: A page read from GIN (a tier of few matches) is ordered by this, which the id index cannot
#: give: the plan is then GIN's bitmap and a top-N sort, whatever the words, and can be prepared.
#: (Ordered by ``d.id`` itself, a generic plan could walk the id index for a rare word.)
GIN_ORDER = "d.id + 0 DESC"


@dataclass
class _Check:
    """PostgreSQL: the re-check (:func:`_recheck`) folded into the statements that read a page,
    so a search that misses the cache needs no round trip of its own for it. ``sql`` is the
    user's audience's UNION of ``visible_to`` over a relation ``page(kind, object_id)``;
    ``allowed`` collects the (kind, id) it let through; ``complete`` turns false when a page was
    read without it (ordered by similarity), and the hits are then re-checked as usual."""

    sql: str
    params: list[Any]
    allowed: set[tuple[str, int]] = field(default_factory=set)
    complete: bool = True

    def wrap(self, page_sql: str) -> str:
        """``page_sql`` (selecting :data:`COLUMNS`) with a last column: may the user see it."""
        return (
            f"WITH page AS MATERIALIZED ({page_sql}) SELECT page.*, "
            f"(page.kind, page.object_id) IN (SELECT * FROM ({self.sql}) ok) FROM page"
        )

    def keep(self, rows: list[tuple[Any, ...]], kind: int = 1) -> list[tuple[Any, ...]]:
        """Record the verdicts (last column) of rows whose kind and id are at ``kind``,
        ``kind + 1``, and return the rows without it."""
        for r in rows:
            if r[-1]:
                self.allowed.add((r[kind], r[kind + 1]))
        return [r[:-1] for r in rows]


_checks: dict[tuple[Any, ...], tuple[str, list[Any]]] = {}


def _check_for(user: Any) -> _Check | None:
    """The folded re-check for ``user`` (PostgreSQL), compiled once per audience."""
    from django.db.models.expressions import RawSQL

    if connection.vendor != "postgresql":
        return None
    key = (connection.alias, audience(user))
    if key not in _checks:
        page = {k: RawSQL("SELECT object_id FROM page WHERE kind = %s", [k]) for k in Kind.values}
        sql, params = _union(user, page).query.sql_with_params()
        if len(_checks) > 5000:
            _checks.clear()
        _checks[key] = (sql, list(params))
    sql, params = _checks[key]
    return _Check(sql, list(params))


def _page(
    tier: _Tier,
    where: list[str],
    params: list[Any],
    raw: str,
    limit: int,
    offset: int,
    walk: bool = False,
    check: _Check | None = None,
) -> list[Hit]:
    """One page of a tier. ``walk`` (PostgreSQL, many matches): read the id index backwards and
    stop after the page, rather than collect every match from the GIN index and sort them.
    ``check``: re-check the page's hits in the same statement (pages ordered by id)."""
    order_params = [raw] if "%s" in tier.order else []
    by_id = tier.order == "d.id DESC"
    postgres = connection.vendor == "postgresql"
    walk = walk and postgres and by_id
    # words read from GIN: ``d.id + 0`` cannot be read from the id index, so the one plan left,
    # and the generic plan prepared below, is GIN's bitmap and a top-N sort
    gin = postgres and by_id and not walk and bool(tier.conditions)
    order = GIN_ORDER if gin else tier.order
    sql = f"SELECT {COLUMNS} {_where_sql(tier, where)} ORDER BY {order} LIMIT %s OFFSET %s"
    args = [*tier.params, *params, *order_params, limit, offset]
    if check is not None and not by_id:
        check.complete = False
    checked = check is not None and by_id
    if checked:
        sql, args = check.wrap(sql), [*args, *check.params]
    # walking or from GIN, the plan is forced and prepared, planned once per connection; ordered
    # by similarity (the one-word fallback) or browsing by filters alone, its best plan depends
    # on the values: planned each time
    rows = prepared.rows(sql, args, local=WALK if walk else (), prepare=walk or gin)
    if checked:
        rows = sorted(check.keep(rows), key=lambda r: r[0], reverse=True)
    return [_hit(r, tier.score) for r in rows]


def _hit(r: tuple[Any, ...], score: float) -> Hit:
    """A hit from a row of :data:`COLUMNS` (after the id, in the order of Hit's fields)."""
    return Hit(*r[1:13], score=score)


def _sample_and_page(
    tiers: list[_Tier],
    union: _Tier,
    where: list[str],
    params: list[Any],
    limit: int,
    offset: int,
    check: _Check | None = None,
) -> tuple[Sample, list[Hit]]:
    """PostgreSQL, tiers ordered by id: :func:`_sample` and, when the count is not capped, the
    page too, in one statement — the counted rows are every match, so the page is theirs, in
    tier order (first tier first, then newest first). When capped, the page is left to
    :func:`_collect`, which knows then how to read it."""
    first = tiers[0] if len(tiers) > 1 else None
    flag = " AND ".join(first.conditions) if first is not None else "FALSE"
    sql = (
        f"WITH m AS MATERIALIZED (SELECT d.id, d.ctid, ({flag}) AS first "
        f"{_where_sql(union, where)} LIMIT {MAX_RESULTS + 1}), "
        "c AS (SELECT COUNT(*) AS total, COUNT(*) FILTER (WHERE m.first) AS in_first, "
        f"{_span_sql('m')} FROM m), "
        f"p AS (SELECT m.id, m.first FROM m, c WHERE c.total <= {MAX_RESULTS} "
        "ORDER BY m.first DESC, m.id DESC LIMIT %s OFFSET %s) "
    )
    visible = ""
    if check is not None:
        sql += (
            ", page AS MATERIALIZED (SELECT d.kind, d.object_id FROM p "
            "JOIN search_searchdocument d ON d.id = p.id) "
        )
        visible = f", (d.kind, d.object_id) IN (SELECT * FROM ({check.sql}) ok)"
    sql += (
        f"SELECT c.total, c.in_first, c.ids, c.blocks, c.table_blocks, {_DOCUMENTS}, p.first, "
        f"{COLUMNS}{visible} "
        "FROM c LEFT JOIN p ON TRUE LEFT JOIN search_searchdocument d ON d.id = p.id "
        "ORDER BY p.first DESC, p.id DESC"
    )
    flag_params = list(first.params) if first is not None else []
    check_params = check.params if check is not None else []
    rows = prepared.rows(sql, [*flag_params, *union.params, *params, limit, offset, *check_params])
    sample = _sample_of(rows[0], first is not None)
    rows = [r for r in rows if r[7] is not None]  # no match: one row of counts only
    if check is not None:
        rows = check.keep(rows, kind=8)
    scores = (tiers[0].score, tiers[-1].score)  # (first tier, the other)
    hits = [_hit(r[7:], scores[0] if r[6] else scores[1]) for r in rows]
    return sample, hits


def _collect(
    tiers: list[_Tier],
    where: list[str],
    params: list[Any],
    raw: str,
    limit: int,
    offset: int,
    sample: Sample | None = None,
    check: _Check | None = None,
) -> list[Hit]:
    """The page [offset, offset + limit) of the tiers taken one after the other.

    PostgreSQL passes what counting found (:class:`Sample`). Below the cap it gives each tier's
    size exactly, so an empty tier is never queried and no tier is counted again; above it,
    it decides whether a tier is read by walking the id index (:func:`_walk`), and a tier is
    counted only when a later page must skip past it.
    """
    hits: list[Hit] = []
    skip = offset
    for number, tier in enumerate(tiers):
        last = number == len(tiers) - 1
        share: int | None = None  # this tier's matches among the counted ones
        if sample is not None and (len(tiers) == 1 or sample.in_first is not None):
            first = sample.in_first or 0
            share = (
                sample.total if len(tiers) == 1 else first if number == 0 else sample.total - first
            )
        exact = sample is not None and not sample.capped
        size: int | None = share if exact else None
        if size is None and not last and skip:
            size = _count(tier, where, params, MAX_RESULTS + 1)
        if size is not None and skip >= size:
            skip -= size
            continue
        walk = sample is not None and share is not None and _walk(share, sample, skip + limit)
        hits += _page(tier, where, params, raw, limit - len(hits), skip, walk, check)
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


def audience(user: Any) -> tuple[Any, ...]:
    """What the models' ``visible_to`` rules read of a user: signed in or not, platform admin,
    organizations, and whether the user sees consortium needs. Two users with the same
    audience see the same rows (tests/search assert it of every model the index holds), so the
    re-check's SQL, once compiled for one of them, serves the other."""
    from bioproof.demand.policy import sees_consortium_needs

    if not is_authenticated(user):
        return ("public",)
    if is_platform_admin(user):
        return ("admin",)
    return ("member", tuple(sorted(org_ids(user))), sees_consortium_needs(user))


def _by_kind(hits: list[Hit]) -> dict[str, list[int]]:
    by_kind: dict[str, list[int]] = {}
    for h in hits:
        by_kind.setdefault(h.kind, []).append(h.object_id)
    return dict(sorted(by_kind.items()))


_compiled: dict[tuple[Any, ...], tuple[str, list[Any], list[int]] | None] = {}


def _compile(user: Any, by_kind: dict[str, list[int]]) -> tuple[str, list[Any], list[int]] | None:
    """The re-check query of ``user`` for a page of this shape (kinds, number of ids of each),
    compiled with stand-in ids: (SQL, parameters, for each parameter the position of the page
    id it stands for or -1). None when the stand-ins cannot be told apart from the rest."""
    stand_ins = iter(range(-1, -2 - sum(len(v) for v in by_kind.values()), -1))
    dummy = {k: [next(stand_ins) for _ in v] for k, v in by_kind.items()}
    sql, params = _union(user, dummy).query.sql_with_params()
    order = [i for ids in dummy.values() for i in ids]
    slots = [order.index(p) if isinstance(p, int) and p < 0 else -1 for p in params]
    if sorted(i for i in slots if i >= 0) != list(range(len(order))):
        return None
    return sql, list(params), slots


def _union(user: Any, by_kind: dict[str, list[int]]) -> Any:
    parts = [_visible_queryset(user, kind, ids) for kind, ids in by_kind.items()]
    return parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]


def _recheck(user: Any, hits: list[Hit]) -> list[Hit]:
    """Keep only the hits the user's ``visible_to`` allows (defence in depth): one query, the
    UNION of each kind's ``visible_to(user).filter(pk__in=…)``. Building it through the ORM
    costs more than running it, so it is compiled once per (audience, shape of the page) and
    reused with the page's ids; the rules themselves (subqueries included) run in the database
    on every search."""
    by_kind = _by_kind(hits)
    if not by_kind:
        return []
    shape = (
        connection.alias,
        audience(user),
        tuple((k, len(v)) for k, v in by_kind.items()),
    )
    if shape not in _compiled:
        if len(_compiled) > 5000:
            _compiled.clear()
        _compiled[shape] = _compile(user, by_kind)
    compiled = _compiled[shape]
    if compiled is None:
        allowed = {(kind, pk) for kind, pk in _union(user, by_kind)}
    else:
        sql, params, slots = compiled
        ids = [i for v in by_kind.values() for i in v]
        args = [ids[slot] if slot >= 0 else p for p, slot in zip(params, slots, strict=True)]
        allowed = {(kind, pk) for kind, pk in prepared.rows(sql, args)}
    return [h for h in hits if (h.kind, h.object_id) in allowed]


def all_visible(user: Any, hits: list[Hit]) -> bool:
    """Whether ``user`` may still see every one of ``hits`` (the re-check of :func:`_recheck`,
    for a page kept with its hits)."""
    return len(_recheck(user, hits)) == len(hits)


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
    policy, policy_params = _policy(user)
    tokens = (
        text.query_tokens(q, known=lambda word: _indexed(word, policy, policy_params)) if q else ()
    )
    results = Results(q, tokens, filters, 0, limit, offset)
    if (q and not tokens) or (not tokens and not filters.any):
        return results
    raw = q.lower()
    key, found, check = None, None, None
    if cache.usable():
        key = cache.key(tokens, raw, filters, policy, policy_params, limit, offset)
        found = cache.get(key)
    if found is None:
        check = _check_for(user)
        found = _find(tokens, raw, filters, policy, policy_params, limit, offset, check)
        if key is not None:
            cache.put(key, found)
    total, hits, matched_all = found
    if total:
        if check is not None and check.complete:  # re-checked as the page was read
            results.hits = [h for h in hits if (h.kind, h.object_id) in check.allowed]
        else:
            results.hits = _recheck(user, hits)
        results.total = min(total, MAX_RESULTS)
        results.capped = total > MAX_RESULTS
        results.matched_all = matched_all
    return results


def _public_count(term: str) -> Sample:
    """PostgreSQL: the documents open to everyone that hold the word ``term`` (counted up to
    MAX_RESULTS + 1), cached until the next index write."""
    key = cache.key("public-count", term, MAX_RESULTS) if cache.usable() else None
    found = cache.get(key) if key is not None else None
    if found is None:
        tier = _Tier(DOCS, (f"d.tsv @@ {prepared.TSQUERY}",), (_lexeme(term),), "", 0.0)
        found = _sample(tier, None, ["d.audience = 'public'"], [], MAX_RESULTS + 1)
        if key is not None:
            cache.put(key, found)
    return found


def _common_word(tokens: tuple[str, ...]) -> Sample | None:
    """The first word of the query that alone is in more than MAX_RESULTS public documents, if
    any: the any-word fallback (without filters: every audience
    includes the public) then has more matches than the cap and need not be counted. The
    words' counts are shared by every query that has them, so a long tail of queries (brand,
    type, series) costs one count per word, not one per query."""
    for token in tokens:
        sample = _public_count(token)
        if sample.capped:
            return sample
    return None


def _find(
    tokens: tuple[str, ...],
    raw: str,
    filters: Filters,
    policy: list[str],
    policy_params: list[Any],
    limit: int,
    offset: int,
    check: _Check | None = None,
) -> tuple[int, list[Hit], bool]:
    """(matches, at most MAX_RESULTS + 1; the page of hits, not filtered by the re-check;
    whether every token matched) — what the index says, cached by :func:`search`. ``check``
    (PostgreSQL) collects the re-check's verdicts on the page as it is read."""
    conditions, params = _filter(filters)
    where, params = [*policy, *conditions], [*policy_params, *params]
    fallback = len(tokens) > 1 or (connection.vendor == "postgresql" and len(raw) >= 3)
    for operator in ["&", "|"] if tokens and fallback else ["&"]:
        tiers, union = _tiers(tokens, raw, operator)
        if connection.vendor == "postgresql":  # count first: it decides how to read the page
            common = _common_word(tokens) if operator == "|" and not conditions else None
            hits: list[Hit] = []
            paged = False  # whether counting gave the page too
            if common is not None:
                sample = common
            elif all(t.order == "d.id DESC" for t in tiers):
                sample, hits = _sample_and_page(tiers, union, where, params, limit, offset, check)
                paged = not sample.capped
            else:  # ordered by similarity (the one-word fallback)
                first = tiers[0] if len(tiers) > 1 else None
                sample = _sample(union, first, where, params, MAX_RESULTS + 1)
            total = sample.total
            if total and not paged:
                hits = _collect(tiers, where, params, raw, limit, offset, sample, check)
        else:
            hits = _collect(tiers, where, params, raw, limit, offset)
            if offset == 0 and len(hits) < limit:
                total = len(hits)  # the whole result is on this page: no need to count
            else:
                total = _count(union, where, params, MAX_RESULTS + 1)
        if total:
            return total, hits, operator == "&"
    return 0, [], True
