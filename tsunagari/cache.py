"""The embedded shared cache: Django's database cache with an increment two processes cannot interleave.

Without Redis, the "default" cache is a table in the database, so every app process reads and
counts the same rate-limit counters (django-ratelimit, allauth) and the same directory version.
Django's `DatabaseCache.incr` reads then writes; two processes counting at once could both read 4
and both write 5, letting a client past a limit. Here the read and the write run in one
transaction that holds the row: SQLite's IMMEDIATE transactions (settings.py) take the write lock
at BEGIN, PostgreSQL locks the row with SELECT … FOR UPDATE.

`migrate` creates the table (`create_cache_tables`, connected to post_migrate), so `make demo`
and the tests need no extra step.
"""

from __future__ import annotations

from typing import Any

from django.core.cache.backends.db import DatabaseCache as DjangoDatabaseCache
from django.core.management import call_command
from django.db import connections, router, transaction

__all__ = ["DatabaseCache", "create_cache_tables"]


class DatabaseCache(DjangoDatabaseCache):
    """Django's database cache; `incr` is atomic across processes."""

    def incr(self, key: Any, delta: int = 1, version: int | None = None) -> int:
        db = router.db_for_write(self.cache_model_class)
        connection = connections[db]
        with transaction.atomic(using=db):
            if connection.vendor != "sqlite":
                table = connection.ops.quote_name(self._table)  # type: ignore[attr-defined]
                with connection.cursor() as cursor:
                    cursor.execute(
                        f"SELECT cache_key FROM {table} WHERE cache_key = %s FOR UPDATE",  # noqa: S608 - quoted table name
                        [self.make_and_validate_key(key, version=version)],
                    )
            return super().incr(key, delta, version)


def create_cache_tables(using: str = "default", **_kwargs: Any) -> None:
    """post_migrate: the database cache's table, when a database cache is configured (idempotent)."""
    call_command("createcachetable", database=using, verbosity=0)
