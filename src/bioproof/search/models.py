"""The search index: one row per searchable record (product, public track record, need).

The row carries what a result shows (code, names, subtitle), what filters and policy need
(category, supplier, center, verdict, audience, owner) and the analysed text (``names`` and
``body``: tokens separated by spaces, see :mod:`bioproof.search.text`). The full-text index over
that text is vendor-specific and lives outside the ORM (migration 0002):

- SQLite: the FTS5 virtual table ``search_fts(names, body)`` whose rowid is this row's id;
- PostgreSQL: the generated columns ``names_tsv`` and ``tsv`` (of ``names`` and of ``body``,
  which repeats the names) with GIN indexes, and a trigram GIN index on ``raw_names`` (pg_trgm)
  for misspelt names.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class SearchDocument(models.Model):
    class Kind(models.TextChoices):
        PRODUCT = "product", _("Product")
        TRACK_RECORD = "track_record", _("Track record")
        NEED = "need", _("Need")

    class Audience(models.TextChoices):
        PUBLIC = "public", _("Everyone")
        CONSORTIUM = "consortium", _("Suppliers and consortium members")
        OWNER = "owner", _("The owning organization")

    kind = models.CharField(max_length=20, choices=Kind.choices)
    object_id = models.BigIntegerField()
    code = models.CharField(max_length=30)
    title_ko = models.CharField(max_length=300)
    title_en = models.CharField(max_length=300)
    subtitle_ko = models.CharField(max_length=300, blank=True)
    subtitle_en = models.CharField(max_length=300, blank=True)
    category_id = models.BigIntegerField(null=True)
    supplier_id = models.BigIntegerField(null=True)
    center_id = models.BigIntegerField(null=True)
    owner_id = models.BigIntegerField(null=True)
    audience = models.CharField(max_length=12, choices=Audience.choices)
    verdict = models.CharField(max_length=8, blank=True)
    status = models.CharField(max_length=20, blank=True)
    names = models.TextField(blank=True)
    body = models.TextField(blank=True)
    raw_names = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "object_id"], name="unique_search_document")
        ]
        indexes = [
            models.Index(fields=["category_id"], name="search_doc_category"),
            models.Index(fields=["supplier_id"], name="search_doc_supplier"),
            models.Index(fields=["center_id"], name="search_doc_center"),
            # words and a verdict: one in seven documents has a verdict, so without this index
            # the matches of the words are fetched from the table only to be filtered out
            # (레진 + pass: 13.6 → 5.1 ms on 111,000 documents, PostgreSQL)
            models.Index(fields=["verdict"], name="search_doc_verdict"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.code}"

    @property
    def title(self) -> str:
        return self.title_en if (get_language() or "ko").startswith("en") else self.title_ko

    @property
    def subtitle(self) -> str:
        en = (get_language() or "ko").startswith("en")
        return self.subtitle_en if en else self.subtitle_ko
