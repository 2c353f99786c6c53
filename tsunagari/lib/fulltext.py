"""The SQL of a full-text index over a document table with `body` and `facets` columns.

Used by migrations (search 0002, knowhow 0002): what these functions emit must never change, as
databases already migrated hold it. A new kind of index gets a new function.

SQLite: an FTS5 table with external content and triggers that keep it in step; PostgreSQL: a
generated tsvector column with a GIN index. Documents hold tokens already segmented by
tsunagari.lib.japanese, separated by spaces, so both engines only split on spaces (unicode61 with
`_` kept inside filter tokens; the 'simple' configuration, filter tokens added as they are).
"""

# ruff: noqa: S608 - the SQL is built from the two names below, constants of the migrations, checked first

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from django.db import migrations


def fulltext_index(table: str, fts: str) -> migrations.RunPython:
    """The migration operation that creates (and, backwards, drops) the index of `table`."""
    for name in (table, fts):
        if not re.fullmatch(r"[a-z_]+", name):
            raise ValueError(f"not a plain SQL name: {name!r}")
    sqlite_forward = [
        f"""
    CREATE VIRTUAL TABLE {fts} USING fts5(
        body, facets,
        content='{table}', content_rowid='id',
        tokenize="unicode61 remove_diacritics 0 tokenchars '_'"
    )
    """,
        f"""
    CREATE TRIGGER {fts}_insert AFTER INSERT ON {table} BEGIN
        INSERT INTO {fts}(rowid, body, facets) VALUES (new.id, new.body, new.facets);
    END
    """,
        f"""
    CREATE TRIGGER {fts}_delete AFTER DELETE ON {table} BEGIN
        INSERT INTO {fts}({fts}, rowid, body, facets) VALUES ('delete', old.id, old.body, old.facets);
    END
    """,
        f"""
    CREATE TRIGGER {fts}_update AFTER UPDATE ON {table} BEGIN
        INSERT INTO {fts}({fts}, rowid, body, facets) VALUES ('delete', old.id, old.body, old.facets);
        INSERT INTO {fts}(rowid, body, facets) VALUES (new.id, new.body, new.facets);
    END
    """,
        f"INSERT INTO {fts}({fts}) VALUES ('rebuild')",
    ]
    sqlite_backward = [
        f"DROP TRIGGER IF EXISTS {fts}_insert",
        f"DROP TRIGGER IF EXISTS {fts}_delete",
        f"DROP TRIGGER IF EXISTS {fts}_update",
        f"DROP TABLE IF EXISTS {fts}",
    ]
    postgresql_forward = [
        f"""
    ALTER TABLE {table} ADD COLUMN tsv tsvector GENERATED ALWAYS AS (
        to_tsvector('simple'::regconfig, body) || array_to_tsvector(string_to_array(facets, ' '))
    ) STORED
    """,
        f"CREATE INDEX {table}_tsv ON {table} USING gin (tsv)",
    ]
    postgresql_backward = [f"DROP INDEX IF EXISTS {table}_tsv", f"ALTER TABLE {table} DROP COLUMN IF EXISTS tsv"]
    return migrations.RunPython(
        _run({"sqlite": sqlite_forward, "postgresql": postgresql_forward}),
        _run({"sqlite": sqlite_backward, "postgresql": postgresql_backward}),
    )


def _run(statements_by_vendor: dict[str, list[str]]) -> Callable[[Any, Any], None]:
    def run(apps: Any, schema_editor: Any) -> None:
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run
