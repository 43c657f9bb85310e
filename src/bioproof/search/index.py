"""Keeping the search index in step with the records.

Hooks, called by the actions inside their transaction (so the index commits or rolls back with
the write): :func:`product_changed` (catalog: register, list), :func:`track_record_changed`
(evaluations: publish, withdraw), :func:`need_changed` (demand: post, close). A failure to index
never fails the action: it is logged, and ``bioproof search_reindex`` rebuilds everything.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Iterable, Iterator
from contextvars import ContextVar
from typing import Any

from django.db import connection, transaction

from bioproof.search import text
from bioproof.search.models import SearchDocument

logger = logging.getLogger(__name__)
_deferred: ContextVar[bool] = ContextVar("bioproof_search_deferred", default=False)


@contextlib.contextmanager
def deferred() -> Iterator[None]:
    """Within the block the hooks below index nothing: the caller rebuilds the index after it
    (``bioproof load_demo --defer-search`` queues ``search.reindex`` for the worker, so the
    demo's first page does not wait for the Korean analyser to load)."""
    token = _deferred.set(True)
    try:
        yield
    finally:
        _deferred.reset(token)


Kind = SearchDocument.Kind
Audience = SearchDocument.Audience


# ---------------------------------------------------------------------------- documents


def _names(obj: Any) -> tuple[str, str]:
    return (getattr(obj, "name_ko", "") or "", getattr(obj, "name_en", "") or "")


def _category_parts(category: Any) -> list[str]:
    parts: list[str] = []
    while category is not None:
        parts.extend(_names(category))
        category = category.parent
    return parts


def _spec_parts(category: Any, specs: dict[str, Any]) -> list[str]:
    fields = {f[0]: f for f in category.spec_fields}
    parts = []
    for key, value in (specs or {}).items():
        f = fields.get(key)
        if f is not None:
            parts.extend([f[1], f[2]])
        parts.append(str(value))
    return parts


def _verdict(criteria: Iterable[Any]) -> str:
    passed = [c.passed for c in criteria]
    if passed and all(p is True for p in passed):
        return "pass"
    if any(p is False for p in passed):
        return "fail"
    return ""


def product_verdict(product: Any) -> str:
    """The best verdict among the product's public track records ("pass" > "fail" > "")."""
    from bioproof.evaluations.models import TrackRecord

    verdicts = [
        _verdict(r.evaluation.criteria.all())
        for r in TrackRecord.objects.public()
        .filter(evaluation__product=product)
        .prefetch_related("evaluation__criteria")
        .select_related("evaluation")
    ]
    return "pass" if "pass" in verdicts else ("fail" if "fail" in verdicts else "")


def product_document(product: Any, *, verdict: str | None = None) -> dict[str, Any]:
    supplier, category = product.supplier, product.category
    names = (product.name_ko, product.name_en, product.model_number, product.code)
    listed = product.status == "listed"
    return {
        "kind": Kind.PRODUCT,
        "object_id": product.pk,
        "code": product.code,
        "title_ko": product.name_ko,
        "title_en": product.name_en,
        "subtitle_ko": f"{supplier.name_ko} · {category.name_ko}",
        "subtitle_en": f"{supplier.name_en} · {category.name_en}",
        "category_id": product.category_id,
        "supplier_id": product.supplier_id,
        "center_id": None,
        "owner_id": product.supplier_id,
        "audience": Audience.PUBLIC if listed else Audience.OWNER,
        "verdict": product_verdict(product) if verdict is None else verdict,
        "status": product.status,
        "names": text.plain_text(*names),
        "body": text.document_text(
            product.description,
            *_category_parts(category),
            *_spec_parts(category, product.specs),
            names=(*names, *_names(supplier)),
        ),
        "raw_names": " ".join([*names, *_names(supplier)]).lower(),
    }


def track_record_document(record: Any) -> dict[str, Any]:
    """A public track record, as public pages show it: the details of a confidential need
    (title, reference, scale, process context) are never in the index (``public_*``)."""
    evaluation = record.evaluation
    product, center = evaluation.product, evaluation.center
    supplier, category = product.supplier, product.category
    title = "" if evaluation.need_is_confidential else evaluation.title
    names = (product.name_ko, product.name_en, evaluation.code, title)
    return {
        "kind": Kind.TRACK_RECORD,
        "object_id": record.pk,
        "code": evaluation.code,
        "title_ko": product.name_ko,
        "title_en": product.name_en,
        "subtitle_ko": f"{evaluation.code} · {center.name_ko} · {evaluation.public_title}",
        "subtitle_en": f"{evaluation.code} · {center.name_en} · {evaluation.public_title}",
        "category_id": product.category_id,
        "supplier_id": product.supplier_id,
        "center_id": evaluation.center_id,
        "owner_id": None,
        "audience": Audience.PUBLIC,
        "verdict": _verdict(evaluation.criteria.all()),
        "status": "published",
        "names": text.plain_text(*names),
        "body": text.document_text(
            product.code,
            *(
                ()
                if evaluation.need_is_confidential
                else (evaluation.reference_product, evaluation.scale, evaluation.process_context)
            ),
            *_category_parts(category),
            names=(*names, *_names(supplier), *_names(center)),
        ),
        "raw_names": " ".join([*names, *_names(supplier), *_names(center)]).lower(),
    }


def need_document(need: Any) -> dict[str, Any]:
    organization, category = need.organization, need.category
    names = (need.title, need.code, need.incumbent)
    audience = {
        "public": Audience.PUBLIC,
        "consortium": Audience.CONSORTIUM,
    }.get(need.visibility, Audience.OWNER)
    specs = {s["key"]: s["value"] for s in need.required_specs or []}
    return {
        "kind": Kind.NEED,
        "object_id": need.pk,
        "code": need.code,
        "title_ko": need.title,
        "title_en": need.title,
        "subtitle_ko": f"{organization.name_ko} · {category.name_ko}",
        "subtitle_en": f"{organization.name_en} · {category.name_en}",
        "category_id": need.category_id,
        "supplier_id": None,
        "center_id": None,
        "owner_id": need.organization_id,
        "audience": audience,
        "verdict": "",
        "status": need.status,
        "names": text.plain_text(*names),
        "body": text.document_text(
            need.description,
            need.organism,
            need.scale,
            need.get_mode_display() if need.mode else "",
            *_category_parts(category),
            *_spec_parts(category, specs),
            names=(*names, *_names(organization)),
        ),
        "raw_names": " ".join([*names, *_names(organization)]).lower(),
    }


# ---------------------------------------------------------------------------- writing


def _fts_delete(ids: list[int]) -> None:
    if connection.vendor == "sqlite" and ids:
        with connection.cursor() as cursor:
            cursor.executemany("DELETE FROM search_fts WHERE rowid = %s", [(i,) for i in ids])


def _fts_insert(rows: list[tuple[int, str, str]]) -> None:
    if connection.vendor == "sqlite" and rows:
        with connection.cursor() as cursor:
            # A stale row (left by a flush of the document table) is replaced, never matched.
            cursor.executemany("DELETE FROM search_fts WHERE rowid = %s", [(r[0],) for r in rows])
            cursor.executemany(
                "INSERT INTO search_fts (rowid, names, body) VALUES (%s, %s, %s)", rows
            )


def _changed() -> None:
    from bioproof.search import cache

    cache.index_written()


def _add_terms(ids: list[int]) -> None:
    """PostgreSQL: add the lexemes of these documents to the vocabulary (for prefix search)."""
    if connection.vendor == "postgresql" and ids:
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO search_term (term) SELECT DISTINCT u.lexeme "
                "FROM search_searchdocument d, unnest(d.tsv) u WHERE d.id = ANY(%s) "
                "ON CONFLICT DO NOTHING",
                [ids],
            )


def write(doc: dict[str, Any]) -> SearchDocument:
    """Insert or update one document and its full-text row."""
    obj, _created = SearchDocument.objects.update_or_create(
        kind=doc["kind"], object_id=doc["object_id"], defaults=doc
    )
    _fts_insert([(obj.pk, obj.names, obj.body)])
    _add_terms([obj.pk])
    _changed()
    return obj


def remove(kind: str, object_ids: Iterable[int]) -> None:
    docs = SearchDocument.objects.filter(kind=kind, object_id__in=list(object_ids))
    _fts_delete(list(docs.values_list("pk", flat=True)))
    docs.delete()
    _changed()


def write_many(docs: Iterable[dict[str, Any]], *, batch_size: int = 1000) -> int:
    """Bulk-insert new documents (used by rebuilds: the kinds written must have been cleared)."""
    count = 0
    batch: list[SearchDocument] = []

    def flush() -> None:
        created = SearchDocument.objects.bulk_create(batch)
        if connection.vendor == "sqlite":
            if any(d.pk is None for d in created):  # very old SQLite: fetch the ids back
                ids = dict(
                    SearchDocument.objects.filter(
                        kind=batch[0].kind, object_id__in=[d.object_id for d in batch]
                    ).values_list("object_id", "pk")
                )
                for d in created:
                    d.pk = ids[d.object_id]
            _fts_insert([(d.pk, d.names, d.body) for d in created])
        else:
            _add_terms([d.pk for d in created])
        batch.clear()

    _changed()
    for doc in docs:
        batch.append(SearchDocument(**doc))
        count += 1
        if len(batch) >= batch_size:
            flush()
    if batch:
        flush()
    return count


def _safely(fn: Callable[..., None], *args: Any) -> None:
    if _deferred.get():
        return
    try:
        with transaction.atomic():
            fn(*args)
    except Exception:  # the index is derived data: never fail the action for it
        logger.exception("search index update failed; run `bioproof search_reindex`")


# ---------------------------------------------------------------------------- hooks


def _index_product(product: Any) -> None:
    from bioproof.catalog.models import Product

    product = Product.objects.select_related("supplier", "category__parent").get(pk=product.pk)
    write(product_document(product))


def _index_track_records(evaluation: Any) -> None:
    from bioproof.evaluations.models import TrackRecord

    records = TrackRecord.objects.filter(evaluation__code=evaluation.code).select_related(
        "evaluation__product__supplier",
        "evaluation__product__category__parent",
        "evaluation__center",
        "evaluation__need",
    )
    withdrawn = [r.pk for r in records if r.withdrawn_at is not None]
    remove(Kind.TRACK_RECORD, withdrawn)
    for record in records:
        if record.withdrawn_at is None:
            write(track_record_document(record))
    _index_product(evaluation.product)


def _index_need(need: Any) -> None:
    from bioproof.demand.models import Need

    need = Need.objects.select_related("organization", "category__parent").get(pk=need.pk)
    write(need_document(need))


def product_changed(product: Any) -> None:
    """Re-index a product (after it was registered, listed or changed)."""
    _safely(_index_product, product)


def track_record_changed(evaluation: Any) -> None:
    """Re-index the track records of an evaluation (all versions) and its product's verdict."""
    _safely(_index_track_records, evaluation)


def need_changed(need: Any) -> None:
    """Re-index a need (after it was posted or closed)."""
    _safely(_index_need, need)


# ---------------------------------------------------------------------------- rebuild


def _iter_products(chunk: int) -> Iterator[dict[str, Any]]:
    from bioproof.catalog.models import Category, Product
    from bioproof.evaluations.models import TrackRecord

    categories = {c.pk: c for c in Category.objects.all()}
    for c in categories.values():  # parents from the same map: no query per product
        c.parent = categories.get(c.parent_id)
    verdicts: dict[int, str] = {}
    for record in (
        TrackRecord.objects.public()
        .select_related("evaluation")
        .prefetch_related("evaluation__criteria")
    ):
        v = _verdict(record.evaluation.criteria.all())
        pid = record.evaluation.product_id
        if v == "pass" or (v == "fail" and verdicts.get(pid) != "pass"):
            verdicts[pid] = v
    for product in Product.objects.select_related("supplier").order_by("pk").iterator(chunk):
        product.category = categories[product.category_id]
        yield product_document(product, verdict=verdicts.get(product.pk, ""))


def _iter_track_records(chunk: int) -> Iterator[dict[str, Any]]:
    from bioproof.evaluations.models import TrackRecord

    records = (
        TrackRecord.objects.public()
        .select_related(
            "evaluation__product__supplier",
            "evaluation__product__category__parent",
            "evaluation__center",
            "evaluation__need",
        )
        .prefetch_related("evaluation__criteria")
        .order_by("pk")
    )
    for record in records.iterator(chunk):
        yield track_record_document(record)


def _iter_needs(chunk: int) -> Iterator[dict[str, Any]]:
    from bioproof.demand.models import Need

    needs = Need.objects.select_related("organization", "category__parent").order_by("pk")
    for need in needs.iterator(chunk):
        yield need_document(need)


def clear() -> None:
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM search_fts")
    elif connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM search_term")
    SearchDocument.objects.all().delete()
    _changed()


#: The full-text GIN indexes of the search table (PostgreSQL).
GIN_INDEXES = ("search_doc_names_tsv", "search_doc_tsv", "search_doc_raw_names_trgm")


def rebuild(
    *, chunk: int = 1000, progress: Callable[[str, int], None] | None = None
) -> dict[str, int]:
    """Drop and rebuild the whole index; returns the number of documents per kind."""
    counts: dict[str, int] = {}
    with transaction.atomic():
        clear()
        for kind, docs in (
            (Kind.PRODUCT, _iter_products(chunk)),
            (Kind.TRACK_RECORD, _iter_track_records(chunk)),
            (Kind.NEED, _iter_needs(chunk)),
        ):
            counts[str(kind)] = write_many(docs, batch_size=chunk)
            if progress is not None:
                progress(str(kind), counts[str(kind)])
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("INSERT INTO search_fts(search_fts) VALUES ('optimize')")
    elif connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # the new rows went wherever the table had room and the old ones are dead: rewrite
            # the table in id order (an exclusive lock for a few seconds), as the searches that
            # sample matches in the table's order and walk the id index expect (query._span);
            # after a reindex without it, the table had twice the size, and a common word's
            # page read 100,338 matches from GIN where walking the ids reads a few hundred
            cursor.execute("CLUSTER search_searchdocument USING search_searchdocument_pkey")
            # a bulk write leaves thousands of entries in the GIN indexes' pending lists, which
            # every search then scans linearly until autovacuum merges them: merge them now
            for name in GIN_INDEXES:
                cursor.execute("SELECT gin_clean_pending_list(%s::regclass)", [name])
            cursor.execute("ANALYZE search_searchdocument")
    return counts
