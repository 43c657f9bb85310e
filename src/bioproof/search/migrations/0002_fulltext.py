"""The vendor-specific full-text index over search_searchdocument (names, body).

SQLite: an FTS5 virtual table whose rowid is the document's id (kept in step by
bioproof.search.index). PostgreSQL: generated tsvector columns for the names and for the whole
text, each with a GIN index, and a pg_trgm trigram index on raw_names.
"""

from django.db import migrations

from bioproof.search.vendor_sql import VendorRunSQL

SQLITE_FORWARD = [
    "CREATE VIRTUAL TABLE IF NOT EXISTS search_fts USING fts5("
    "names, body, tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3')",
]
SQLITE_BACKWARD = ["DROP TABLE IF EXISTS search_fts"]

POSTGRES_FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "ALTER TABLE search_searchdocument ADD COLUMN names_tsv tsvector GENERATED ALWAYS AS ("
    "to_tsvector('simple'::regconfig, coalesce(names, ''))) STORED",
    "ALTER TABLE search_searchdocument ADD COLUMN tsv tsvector GENERATED ALWAYS AS ("
    "to_tsvector('simple'::regconfig, coalesce(body, ''))) STORED",
    "CREATE INDEX search_doc_names_tsv ON search_searchdocument USING GIN (names_tsv)",
    "CREATE INDEX search_doc_tsv ON search_searchdocument USING GIN (tsv)",
    "CREATE INDEX search_doc_raw_names_trgm ON search_searchdocument "
    "USING GIN (raw_names gin_trgm_ops)",
]
POSTGRES_BACKWARD = [
    "DROP INDEX IF EXISTS search_doc_raw_names_trgm",
    "DROP INDEX IF EXISTS search_doc_tsv",
    "DROP INDEX IF EXISTS search_doc_names_tsv",
    "ALTER TABLE search_searchdocument DROP COLUMN IF EXISTS tsv",
    "ALTER TABLE search_searchdocument DROP COLUMN IF EXISTS names_tsv",
]


class Migration(migrations.Migration):

    dependencies = [("search", "0001_initial")]

    operations = [
        VendorRunSQL("sqlite", SQLITE_FORWARD, SQLITE_BACKWARD),
        VendorRunSQL("postgresql", POSTGRES_FORWARD, POSTGRES_BACKWARD),
    ]
