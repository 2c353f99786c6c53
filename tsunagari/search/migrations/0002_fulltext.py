"""The full-text index: FTS5 on SQLite, a generated tsvector with GIN on PostgreSQL.

The SQL is tsunagari.lib.fulltext's (shared with the know-how library's index). On SQLite, Django
rebuilds a table to alter it; a later migration that alters search_servicedocument must create the
triggers again.
"""

from django.db import migrations

from tsunagari.lib.fulltext import fulltext_index


class Migration(migrations.Migration):
    dependencies = [("search", "0001_initial")]

    operations = [fulltext_index("search_servicedocument", "search_fts")]
