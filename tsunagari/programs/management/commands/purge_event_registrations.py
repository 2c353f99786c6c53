"""`python -m tsunagari purge-event-registrations`: remove residents' names and contacts after events (cron)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from tsunagari.programs.actions import purge_registrations


class Command(BaseCommand):
    help = (
        "イベント終了後、一定の日数（既定は EVENT_REGISTRATION_RETENTION_DAYS の90日）を過ぎた住民の申し込みから、"
        "名前・メールアドレス・電話番号を消します。申し込み数と出欠は残ります。何度実行しても同じ結果です（cron 向け）。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--days",
            type=int,
            default=None,
            help=f"イベント終了から何日後に消すか（既定 {settings.EVENT_REGISTRATION_RETENTION_DAYS}）。",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        days = options["days"]
        if days is not None and days < 0:
            raise CommandError("--days には 0 以上の日数を指定してください。")
        purged = purge_registrations(days=days)
        self.stdout.write(self.style.SUCCESS(f"住民の申し込み {purged} 件から個人情報を消しました。"))
