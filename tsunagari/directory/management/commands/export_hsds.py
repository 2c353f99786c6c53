"""`python -m tsunagari export-hsds OUTDIR [--platform SLUG]`: write the HSDS 3.0 export (docs/hsds.md)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tsunagari.directory.export import ExportError, export_hsds
from tsunagari.tenancy.models import Platform


class Command(BaseCommand):
    help = (
        "公開中の支援情報を Open Referral HSDS 3.0 の形で書き出します（表形式の datapackage と JSON）。"
        "--platform を付けると、そのプラットフォームの公開ページに載る窓口だけを書き出します。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("outdir", type=Path, help="書き出し先のフォルダ（なければ作ります）")
        parser.add_argument("--platform", metavar="SLUG", help="このプラットフォームの公開ページに載る窓口だけ")

    def handle(self, *args: Any, outdir: Path, platform: str | None, **options: Any) -> None:
        chosen = None
        if platform:
            chosen = Platform.objects.filter(slug=platform).first()
            if chosen is None:
                known = (
                    "、".join(Platform.objects.order_by("slug").values_list("slug", flat=True)) or "（まだありません）"
                )
                raise CommandError(f"プラットフォーム「{platform}」が見つかりません。使える名前: {known}")
        started = time.monotonic()
        try:
            result = export_hsds(outdir, chosen)
        except ExportError as exc:
            raise CommandError(str(exc)) from None
        seconds = time.monotonic() - started
        self.stdout.write(
            f"{result.outdir} に書き出しました: 窓口・サービス {result.services:,}件、団体 {result.organizations:,}件、"
            f"{len(result.counts)}表、{result.bytes / 1_000_000:.1f} MB（{seconds:.1f}秒）。"
        )
        for dataset in result.datasets:
            self.stdout.write(f"  出典: {dataset.attribution or dataset.name}")
