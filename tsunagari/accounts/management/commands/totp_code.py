"""`totp-code EMAIL`: the code a demo account's authenticator app would show now."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from tsunagari.accounts.mfa import current_code
from tsunagari.accounts.models import User


class Command(BaseCommand):
    help = "デモアカウントの現在の多要素認証コード（TOTP）を表示します。本番では使えません。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email")

    def handle(self, *args: Any, **options: Any) -> None:
        if getattr(settings, "PRODUCTION", False):
            raise CommandError("本番環境（PRODUCTION=true）では使えません。")
        user = User.objects.filter(email__iexact=options["email"]).first()
        code = current_code(user) if user else None
        if code is None:
            raise CommandError("このメールアドレスの多要素認証は設定されていません。")
        self.stdout.write(code)
