"""`python -m tsunagari export-hsds OUTDIR [--platform SLUG]`: write the HSDS 3.0 export (docs/hsds.md)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tsunagari.directory.export import ExportError, export_hsds
from tsunagari.directory.importers.hsds import validate_package
from tsunagari.tenancy.models import Platform

# Problems listed when --check finds any; the count says how many there are in all.
SHOWN = 30


class Command(BaseCommand):
    help = (
        "公開中の支援情報を Open Referral HSDS 3.0 の形で書き出します（表形式の datapackage と JSON）。"
        "--platform を付けると、そのプラットフォームの公開ページに載る窓口だけを書き出します。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("outdir", type=Path, help="書き出し先のフォルダ（なければ作ります）")
        parser.add_argument("--platform", metavar="SLUG", help="このプラットフォームの公開ページに載る窓口だけ")
        parser.add_argument(
            "--check", action="store_true", help="書き出した表を HSDS 3.0 の公式スキーマで検証します（数秒かかります）"
        )

    def handle(self, *args: Any, outdir: Path, platform: str | None, check: bool, **options: Any) -> None:
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
        if check:
            problems = validate_package(result.outdir)
            for problem in problems[:SHOWN]:
                self.stdout.write(f"  - {problem}")
            if problems:
                raise CommandError(f"HSDS 3.0 の表形式スキーマに合わないところが {len(problems):,} 件あります。")
            self.stdout.write("  HSDS 3.0 の表形式スキーマで検証しました: 問題はありません。")
