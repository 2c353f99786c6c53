"""`python -m tsunagari reindex`: rebuild the search index of the whole directory, or of some services."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from tsunagari.search.index import reindex_services


class Command(BaseCommand):
    help = "Rebuild the search index (every service, or the services given by id)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("service_ids", nargs="*", help="Service ids (UUIDs); all services when none is given.")

    def handle(self, *args: Any, service_ids: list[str], **options: Any) -> None:
        started = time.perf_counter()
        count = reindex_services(service_ids or None)
        self.stdout.write(f"Indexed {count} services in {time.perf_counter() - started:.1f} s.")
