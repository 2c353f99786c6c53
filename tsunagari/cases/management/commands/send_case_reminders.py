"""`python -m tsunagari send-case-reminders`: the daily case reminders (unanswered referrals and requests, consents, tasks)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone, translation

from tsunagari.cases import notify
from tsunagari.tenancy.models import Platform
from tsunagari.tenancy.scoping import platform_scope


class Command(BaseCommand):
    help = (
        "3営業日（土日・祝日・12/29〜1/3を除く）答えのないつなぎ、期限の近い同意、期日の近いタスク、"
        "回答期限（受け付けてから2週間）が近い・過ぎた本人からの請求を、"
        "アプリ内とメールで知らせます（1日1回。同じ日に2回実行しても重複しません）。"
    )

    def handle(self, *args: Any, **options: Any) -> None:
        today = timezone.localdate()
        made = 0
        with translation.override(settings.LANGUAGE_CODE):
            for platform in Platform.objects.exclude(kind=Platform.Kind.NATIONAL).order_by("pk"):
                with platform_scope(platform, with_national=False):
                    made += notify.send_reminders(platform, today)
        self.stdout.write(f"事例のお知らせ: {made} 件")
