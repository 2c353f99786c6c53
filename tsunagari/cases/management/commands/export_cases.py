"""`python -m tsunagari export-cases OUT.csv --platform SLUG`: the platform's case records, decrypted, audited."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tsunagari.cases.ledger import attachments_folder, export_ledger
from tsunagari.tenancy.scoping import platform_scope

from ._ledger_args import find_organisation, find_platform


class Command(BaseCommand):
    help = (
        "プラットフォームの支援対象者の記録を、取り込みと同じ見出しの CSV（UTF-8、BOM 付き）に"
        "復号して書き出します。ファイルは作った人だけが読めるようにし、監査ログに記録します。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("out", type=Path, help="書き出すファイル（.csv）")
        parser.add_argument("--platform", metavar="SLUG", required=True, help="プラットフォームのURL名")
        parser.add_argument(
            "--organisation", "--organization", metavar="ID", help="この団体が登録した人だけ（ID か名前）"
        )

    def handle(self, *args: Any, out: Path, platform: str, organisation: str | None, **options: Any) -> None:
        chosen = find_platform(platform)
        if out.is_dir() or not out.parent.is_dir():
            raise CommandError(f"{out}: 書き出し先のフォルダがありません（ファイル名まで指定してください）。")
        with platform_scope(chosen, with_national=False):
            holder = find_organisation(chosen, organisation, required=False)
            try:
                count = export_ledger(out, platform=chosen, organization=holder)
            except FileExistsError as error:
                raise CommandError(str(error)) from None
        self.stdout.write(
            self.style.SUCCESS(
                f"{out} に {count} 人分を書き出しました（復号済み・このファイルは作った人だけが読めます。"
                f"添付ファイルがあれば {attachments_folder(out)} に）。"
                "個人情報です。用が済んだら消してください。"
            )
        )
