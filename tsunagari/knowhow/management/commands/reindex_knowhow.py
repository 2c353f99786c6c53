"""`python -m tsunagari reindex-knowhow`: rebuild the know-how library's search index."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from tsunagari.knowhow.search import reindex_all


class Command(BaseCommand):
    help = "ノウハウ集の検索索引を作り直します。"

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"ノウハウ集の索引: {reindex_all()} 件")
