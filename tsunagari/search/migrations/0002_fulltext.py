"""The full-text index: FTS5 on SQLite, a generated tsvector with GIN on PostgreSQL.

Documents hold tokens already segmented by tsunagari.lib.japanese, separated by spaces, so both
engines only need to split on spaces: unicode61 on SQLite (with `_` kept inside the filter tokens),
the 'simple' configuration on PostgreSQL. Filter tokens are added to the tsvector as they are
(array_to_tsvector), so `n_hikikomori` stays one lexeme there too.

On SQLite, Django rebuilds a table to alter it; a later migration that alters
search_servicedocument must create the triggers again (the CREATE TRIGGER statements of SQLITE_FORWARD).
"""

from django.db import migrations

SQLITE_FORWARD = [
    """
    CREATE VIRTUAL TABLE search_fts USING fts5(
        body, facets,
        content='search_servicedocument', content_rowid='id',
        tokenize="unicode61 remove_diacritics 0 tokenchars '_'"
    )
    """,
    """
    CREATE TRIGGER search_fts_insert AFTER INSERT ON search_servicedocument BEGIN
        INSERT INTO search_fts(rowid, body, facets) VALUES (new.id, new.body, new.facets);
    END
    """,
    """
    CREATE TRIGGER search_fts_delete AFTER DELETE ON search_servicedocument BEGIN
        INSERT INTO search_fts(search_fts, rowid, body, facets) VALUES ('delete', old.id, old.body, old.facets);
    END
    """,
    """
    CREATE TRIGGER search_fts_update AFTER UPDATE ON search_servicedocument BEGIN
        INSERT INTO search_fts(search_fts, rowid, body, facets) VALUES ('delete', old.id, old.body, old.facets);
        INSERT INTO search_fts(rowid, body, facets) VALUES (new.id, new.body, new.facets);
    END
    """,
    "INSERT INTO search_fts(search_fts) VALUES ('rebuild')",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS search_fts_insert",
    "DROP TRIGGER IF EXISTS search_fts_delete",
    "DROP TRIGGER IF EXISTS search_fts_update",
    "DROP TABLE IF EXISTS search_fts",
]
POSTGRESQL_FORWARD = [
    """
    ALTER TABLE search_servicedocument ADD COLUMN tsv tsvector GENERATED ALWAYS AS (
        to_tsvector('simple'::regconfig, body) || array_to_tsvector(string_to_array(facets, ' '))
    ) STORED
    """,
    "CREATE INDEX search_servicedocument_tsv ON search_servicedocument USING gin (tsv)",
]
POSTGRESQL_BACKWARD = [
    "DROP INDEX IF EXISTS search_servicedocument_tsv",
    "ALTER TABLE search_servicedocument DROP COLUMN IF EXISTS tsv",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("search", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_FORWARD, "postgresql": POSTGRESQL_FORWARD}),
            _run({"sqlite": SQLITE_BACKWARD, "postgresql": POSTGRESQL_BACKWARD}),
        ),
    ]
