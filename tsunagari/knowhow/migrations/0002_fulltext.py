"""The know-how library's full-text index: FTS5 on SQLite, a generated tsvector with GIN on PostgreSQL.

Built like tsunagari.search's (search/migrations/0002_fulltext.py): documents hold tokens already
segmented by tsunagari.lib.japanese, separated by spaces, so both engines only split on spaces.
A later migration that alters knowhow_entrydocument on SQLite rebuilds the table and drops the
triggers: it must create them again.
"""

from django.db import migrations

SQLITE_FORWARD = [
    """
    CREATE VIRTUAL TABLE knowhow_fts USING fts5(
        body, facets,
        content='knowhow_entrydocument', content_rowid='id',
        tokenize="unicode61 remove_diacritics 0 tokenchars '_'"
    )
    """,
    """
    CREATE TRIGGER knowhow_fts_insert AFTER INSERT ON knowhow_entrydocument BEGIN
        INSERT INTO knowhow_fts(rowid, body, facets) VALUES (new.id, new.body, new.facets);
    END
    """,
    """
    CREATE TRIGGER knowhow_fts_delete AFTER DELETE ON knowhow_entrydocument BEGIN
        INSERT INTO knowhow_fts(knowhow_fts, rowid, body, facets) VALUES ('delete', old.id, old.body, old.facets);
    END
    """,
    """
    CREATE TRIGGER knowhow_fts_update AFTER UPDATE ON knowhow_entrydocument BEGIN
        INSERT INTO knowhow_fts(knowhow_fts, rowid, body, facets) VALUES ('delete', old.id, old.body, old.facets);
        INSERT INTO knowhow_fts(rowid, body, facets) VALUES (new.id, new.body, new.facets);
    END
    """,
    "INSERT INTO knowhow_fts(knowhow_fts) VALUES ('rebuild')",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS knowhow_fts_insert",
    "DROP TRIGGER IF EXISTS knowhow_fts_delete",
    "DROP TRIGGER IF EXISTS knowhow_fts_update",
    "DROP TABLE IF EXISTS knowhow_fts",
]
POSTGRESQL_FORWARD = [
    """
    ALTER TABLE knowhow_entrydocument ADD COLUMN tsv tsvector GENERATED ALWAYS AS (
        to_tsvector('simple'::regconfig, body) || array_to_tsvector(string_to_array(facets, ' '))
    ) STORED
    """,
    "CREATE INDEX knowhow_entrydocument_tsv ON knowhow_entrydocument USING gin (tsv)",
]
POSTGRESQL_BACKWARD = [
    "DROP INDEX IF EXISTS knowhow_entrydocument_tsv",
    "ALTER TABLE knowhow_entrydocument DROP COLUMN IF EXISTS tsv",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("knowhow", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_FORWARD, "postgresql": POSTGRESQL_FORWARD}),
            _run({"sqlite": SQLITE_BACKWARD, "postgresql": POSTGRESQL_BACKWARD}),
        ),
    ]
