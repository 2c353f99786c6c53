"""`python -m tsunagari send-notice-digest`: e-mail each person the notices they have not read yet."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import translation

from tsunagari.notices.digest import send_digests


class Command(BaseCommand):
    help = "未読のお知らせのまとめを1日1回メールで送ります（同じ日に2回実行しても重複しません）。"

    def handle(self, *args: Any, **options: Any) -> None:
        with translation.override(settings.LANGUAGE_CODE):
            sent = send_digests()
        self.stdout.write(f"お知らせのまとめ: {sent} 通")
