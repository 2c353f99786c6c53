"""The know-how library's full-text index: FTS5 on SQLite, a generated tsvector with GIN on PostgreSQL.

The same SQL as the directory's search index (tsunagari.lib.fulltext). A later migration that
alters knowhow_entrydocument on SQLite rebuilds the table and drops the triggers: it must create
them again.
"""

from django.db import migrations

from tsunagari.lib.fulltext import fulltext_index


class Migration(migrations.Migration):
    dependencies = [("knowhow", "0001_initial")]

    operations = [fulltext_index("knowhow_entrydocument", "knowhow_fts")]
