"""`python -m tsunagari purge-chat`: delete expired chat conversations and saved texts past retention (cron)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from tsunagari.finder.retention import purge


class Command(BaseCommand):
    help = (
        "期限が切れたチャットの会話と、保存期間（既定は SAVED_TEXT_RETENTION_DAYS の30日）を過ぎた住民の文章を"
        "削除します。何度実行しても同じ結果です（cron 向け）。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--days",
            type=int,
            default=None,
            help=f"保存した文章を何日後に消すか（既定 {settings.SAVED_TEXT_RETENTION_DAYS}）。",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        days = options["days"]
        if days is not None and days < 0:
            raise CommandError("--days には 0 以上の日数を指定してください。")
        purged = purge(days=days)
        self.stdout.write(
            self.style.SUCCESS(
                f"期限切れの会話 {purged.conversations} 件と、保存期間を過ぎた文章 {purged.saved_texts} 件を削除しました。"
            )
        )
