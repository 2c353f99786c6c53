"""`python -m tsunagari import-cases FILE --platform SLUG --organisation ORG`: load a case ledger kept in Excel."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tsunagari.cases.ledger import HEADINGS, LedgerInvalid, import_ledger
from tsunagari.directory.importers.common import ImportFailed
from tsunagari.tenancy.scoping import platform_scope

from ._ledger_args import find_organisation, find_platform

SHOWN = 50  # problems listed; the count says how many there are in all


class Command(BaseCommand):
    help = (
        "Excel で付けていた相談受付台帳（CSV: UTF-8 か Shift_JIS、または .xlsx）を取り込みます。"
        f"見出し: {','.join(HEADINGS)}（「氏名」「生年月日」は必須）。"
        "1つでも問題があれば何も保存しません。ひな形: docs/templates/cases-ledger-template.csv"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="台帳のファイル（.csv または .xlsx）")
        parser.add_argument("--platform", metavar="SLUG", required=True, help="取り込み先プラットフォームのURL名")
        parser.add_argument(
            "--organisation",
            "--organization",
            metavar="ID",
            help="台帳を持つ団体（ID か名前）。その団体の人が見られます",
        )

    def handle(self, *args: Any, file: Path, platform: str, organisation: str | None, **options: Any) -> None:
        chosen = find_platform(platform)
        with platform_scope(chosen, with_national=False):
            holder = find_organisation(chosen, organisation, required=True)
            try:
                result = import_ledger(file, platform=chosen, organization=holder)
            except ImportFailed as error:
                raise CommandError(str(error)) from None
            except LedgerInvalid as error:
                for problem in error.problems[:SHOWN]:
                    self.stderr.write(f"  - {problem}")
                if len(error.problems) > SHOWN:
                    self.stderr.write(f"  …ほか {len(error.problems) - SHOWN} 件")
                raise CommandError(
                    f"{file.name}: 直すところが {len(error.problems)} 件あります。何も保存していません。"
                    "直してから、もう一度実行してください。"
                ) from None
        self.stdout.write(
            self.style.SUCCESS(
                f"{file.name} から {result.persons} 人（添付ファイル {result.attachments} 件）を"
                f" {holder.name} の台帳として取り込みました。"
            )
        )
        if result.ignored_columns:
            self.stdout.write(f"  読み飛ばした列: {'、'.join(result.ignored_columns)}")
