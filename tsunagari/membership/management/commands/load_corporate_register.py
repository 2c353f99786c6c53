"""`python -m tsunagari load-corporate-register PATH...`: load the NTA's corporate number register offline."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tsunagari.membership.register import RegisterFileError, load_register


class Command(BaseCommand):
    help = (
        "国税庁 法人番号公表サイトの全件データ（「CSV形式・Unicode」、都道府県ごとの zip か、それを解凍した CSV）を"
        "読み込み、申請の法人番号と名称の照合に使います。ファイルかフォルダを指定してください。"
        "いまの登録をすべて置き換えます。誤った行が1つでもあれば、何も変えません。インターネットには接続しません。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("paths", nargs="+", help="CSV・zip ファイル、またはそれらの入ったフォルダ")

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        try:
            result = load_register(options["paths"])
        except RegisterFileError as error:
            raise CommandError(
                "法人番号データを読み込めませんでした。登録は前のままです。\n" + "\n".join(error.messages)
            ) from None
        seconds = time.monotonic() - started
        as_of = f"、最終更新日 {result.register_date:%Y-%m-%d}" if result.register_date else ""
        self.stdout.write(
            self.style.SUCCESS(
                f"{len(result.files)} ファイルから {result.rows:,} 件を読み込みました{as_of}"
                f"（{seconds:.1f} 秒、毎秒 {result.rows / max(seconds, 0.001):,.0f} 件）。"
            )
        )
