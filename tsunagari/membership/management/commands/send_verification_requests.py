"""`python -m tsunagari send-verification-requests`: ask members to confirm listings due for a check (cron)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tsunagari.membership.actions import send_verification_requests
from tsunagari.tenancy.models import Platform
from tsunagari.tenancy.scoping import platform_scope


class Command(BaseCommand):
    help = (
        "確認期限（プラットフォームごとの設定、既定6か月）を過ぎた掲載について、会員団体に確認をお願いする"
        "メールを送ります。何度実行しても同じ掲載に重ねて送りません（cron 向け）。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--platform", help="このプラットフォーム（URL 名）だけ。省略するとすべて。")

    def handle(self, *args: Any, **options: Any) -> None:
        platforms = Platform.objects.exclude(kind=Platform.Kind.NATIONAL).order_by("slug")
        if options["platform"]:
            platforms = platforms.filter(slug=options["platform"])
            if not platforms.exists():
                raise CommandError(f"プラットフォーム「{options['platform']}」はありません。")
        total = 0
        for platform in platforms:
            with platform_scope(platform, with_national=False):
                asked = send_verification_requests(platform)
            if asked:
                self.stdout.write(f"{platform.slug}: {asked} 件の掲載について確認をお願いしました。")
            total += asked
        self.stdout.write(self.style.SUCCESS(f"合計 {total} 件。"))
