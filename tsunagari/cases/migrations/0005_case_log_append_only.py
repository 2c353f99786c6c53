"""The database refuses UPDATE and DELETE on the case log (cases_caselogentry), on SQLite and PostgreSQL.

PostgreSQL also refuses TRUNCATE of a table that holds rows (an empty one may be truncated, which
Django's test runner does between transactional tests). Other databases get no trigger; the hash
chain (verify-case-log) still shows any change.
"""

from django.db import migrations

SQLITE = [
    """CREATE TRIGGER cases_caselogentry_no_update BEFORE UPDATE ON cases_caselogentry
    BEGIN SELECT RAISE(ABORT, 'cases_caselogentry is append-only'); END""",
    """CREATE TRIGGER cases_caselogentry_no_delete BEFORE DELETE ON cases_caselogentry
    BEGIN SELECT RAISE(ABORT, 'cases_caselogentry is append-only'); END""",
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS cases_caselogentry_no_update",
    "DROP TRIGGER IF EXISTS cases_caselogentry_no_delete",
]
POSTGRESQL = [
    """CREATE OR REPLACE FUNCTION cases_caselog_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'TRUNCATE' AND NOT EXISTS (SELECT 1 FROM cases_caselogentry) THEN
            RETURN NULL;
        END IF;
        RAISE EXCEPTION 'cases_caselogentry is append-only (% refused)', TG_OP;
    END $$""",
    """CREATE TRIGGER cases_caselogentry_append_only BEFORE UPDATE OR DELETE ON cases_caselogentry
    FOR EACH ROW EXECUTE FUNCTION cases_caselog_append_only()""",
    """CREATE TRIGGER cases_caselogentry_no_truncate BEFORE TRUNCATE ON cases_caselogentry
    FOR EACH STATEMENT EXECUTE FUNCTION cases_caselog_append_only()""",
]
POSTGRESQL_REVERSE = [
    "DROP TRIGGER IF EXISTS cases_caselogentry_append_only ON cases_caselogentry",
    "DROP TRIGGER IF EXISTS cases_caselogentry_no_truncate ON cases_caselogentry",
    "DROP FUNCTION IF EXISTS cases_caselog_append_only()",
]


def run(statements: dict[str, list[str]]):  # type: ignore[no-untyped-def]
    def apply(apps, schema_editor):  # type: ignore[no-untyped-def]
        for sql in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql, params=None)

    return apply


class Migration(migrations.Migration):
    dependencies = [("cases", "0004_meetings_provisions_case_log")]

    operations = [
        migrations.RunPython(
            run({"sqlite": SQLITE, "postgresql": POSTGRESQL}),
            run({"sqlite": SQLITE_REVERSE, "postgresql": POSTGRESQL_REVERSE}),
            elidable=False,
        )
    ]
