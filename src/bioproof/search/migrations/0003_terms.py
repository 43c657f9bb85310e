"""PostgreSQL: the vocabulary of the index (every lexeme of ``tsv``), for prefix search.

A prefix query (``medi:*``) makes GIN merge the posting lists of every matching entry into a
bitmap before it can intersect them with the other words, which costs 5–10 ms on 100,000
documents. Expanding the prefix to the lexemes that exist (``medium | media``) lets GIN skip
through exact posting lists instead (≈ 1 ms). ``COLLATE "C"`` makes the primary key serve
``LIKE 'prefix%'``. Kept in step by bioproof.search.index; SQLite's FTS5 has its own prefix
index and needs none.
"""

from django.db import migrations

from bioproof.search.vendor_sql import VendorRunSQL

POSTGRES_FORWARD = [
    'CREATE TABLE IF NOT EXISTS search_term (term text COLLATE "C" PRIMARY KEY)',
    "INSERT INTO search_term (term) SELECT DISTINCT u.lexeme FROM search_searchdocument d, "
    "unnest(d.tsv) u ON CONFLICT DO NOTHING",
]
POSTGRES_BACKWARD = ["DROP TABLE IF EXISTS search_term"]


class Migration(migrations.Migration):
    dependencies = [("search", "0002_fulltext")]

    operations = [VendorRunSQL("postgresql", POSTGRES_FORWARD, POSTGRES_BACKWARD)]
