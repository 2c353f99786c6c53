"""Fast inserts of plain rows, and their history rows, for the importer's first load.

`bulk_create` spends most of its time building model instances and preparing every value
through several layers of field methods: for the ~100,000 rows (half of them history) of the
national data that was over 20 s on PostgreSQL. Here rows are dicts of column values, only the
field types that need it (UUIDs, dates, JSON) go through Django's own conversion, and the rows go
in with COPY on PostgreSQL and one prepared `executemany` per batch on SQLite. The result is the
same rows `bulk_create` + simple-history's `bulk_history_create` write.
"""

from __future__ import annotations

import datetime
import operator
from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, models
from django.db.backends.base.base import BaseDatabaseWrapper

__all__ = ["insert_history", "insert_rows"]

BATCH = 2000
# Values of these types reach the database driver unchanged on SQLite and PostgreSQL.
_PLAIN_TYPES = frozenset(
    {
        "AutoField",
        "BigAutoField",
        "BigIntegerField",
        "BooleanField",
        "CharField",
        "EmailField",
        "IntegerField",
        "PositiveIntegerField",
        "PositiveSmallIntegerField",
        "SlugField",
        "SmallIntegerField",
        "TextField",
        "URLField",
    }
)

Converter = Callable[[Any], Any]


def _converter(field: models.Field[Any, Any], conn: BaseDatabaseWrapper) -> Converter | None:
    """How a value of `field` goes to the driver; None when it goes as it is."""
    target = field.target_field if field.is_relation else field  # type: ignore[attr-defined]
    kind = target.get_internal_type()
    if kind in _PLAIN_TYPES:
        return None
    if kind == "UUIDField":
        # What UUIDField.get_db_prep_value does, without its layers: PostgreSQL takes UUIDs,
        # SQLite stores the 32 hex digits.
        return None if conn.features.has_native_uuid_field else operator.attrgetter("hex")
    # Dates and times repeat (every row of an import has the same created_at), so remember them.
    memo: dict[Any, Any] = {}

    def convert(value: Any) -> Any:
        try:
            return memo[value]
        except KeyError:
            memo[value] = converted = field.get_db_prep_save(value, conn)
            return converted
        except TypeError:  # unhashable: a JSON list or dict
            return field.get_db_prep_save(value, conn)

    return convert


def insert_rows(model: type[models.Model], rows: Iterable[dict[str, Any]], *, using: str = DEFAULT_DB_ALIAS) -> None:
    """Insert rows given as {attname: value}; columns left out take the field's default.

    Nothing is sent through signals or `save()`: callers set auto_now fields themselves.
    """
    conn = connections[using]
    columns = [f for f in model._meta.concrete_fields if not (f.primary_key and isinstance(f, models.AutoField))]
    quote = conn.ops.quote_name
    table = quote(model._meta.db_table)
    names = ", ".join(quote(f.column or f.name) for f in columns)
    plan = [(f.attname, f.get_default(), _converter(f, conn)) for f in columns]

    def values(row: dict[str, Any]) -> list[Any]:
        out = []
        for attname, default, convert in plan:
            value = row.get(attname, default)
            out.append(value if convert is None or value is None else convert(value))
        return out

    with conn.cursor() as cursor:
        if conn.vendor == "postgresql":
            # COPY: Django's psycopg cursors bind client-side, so executemany would make the
            # server parse one INSERT per row; COPY streams the rows (3× faster here).
            # Identifiers come from model metadata, quoted by the backend.
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(values(row))
            return
        # Identifiers come from model metadata, quoted by the backend; values go as parameters.
        sql = f"INSERT INTO {table} ({names}) VALUES ({', '.join(['%s'] * len(columns))})"  # noqa: S608
        batch: list[list[Any]] = []
        for row in rows:
            batch.append(values(row))
            if len(batch) >= BATCH:
                # One statement for many rows: SQLite prepares it once.
                cursor.executemany(sql, batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)


def insert_history(
    model: type[models.Model],
    rows: Iterable[dict[str, Any]],
    *,
    history_type: str,
    reason: str,
    when: datetime.datetime,
) -> None:
    """The django-simple-history rows for `rows` just written, as `bulk_history_create` makes them."""
    history = getattr(model, "history", None)
    if history is None or not getattr(settings, "SIMPLE_HISTORY_ENABLED", True):
        return
    extra = {
        "history_date": when,
        "history_change_reason": reason,
        "history_type": history_type,
        "history_user_id": None,
    }
    insert_rows(history.model, ({**row, **extra} for row in rows))
