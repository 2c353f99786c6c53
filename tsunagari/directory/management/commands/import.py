"""`python -m tsunagari import PATH`: import support windows from a file or folder, all or nothing."""

# ruff: noqa: N999 - the module name is the command's name, `import`, which the brief fixes.

from __future__ import annotations

import getpass
import time
import unicodedata
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from tsunagari.directory.importers.run import FORMATS, ImportFailed, run_import
from tsunagari.directory.importers.writer import KINDS, ImportOutcome

# Without -v 2, long lists stop here; the ImportRun row keeps them all.
SHOWN = 30

ROW_COUNTS = (
    ("rows", "読み込んだ行"),
    ("services", "窓口・サービスにした行"),
    ("crisis_lines", "緊急・24時間の相談先"),
)
# Data sets that `get-datasets` puts into DATASETS_DIR and that can be imported by name.
IMPORTABLE_DATASETS = ("kurashi-navi",)


def _pad(text: str, width: int, *, right: bool = False) -> str:
    """Pad to a width in terminal columns: Japanese characters take two, so str.ljust misaligns."""
    columns = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
    space = " " * max(0, width - columns)
    return space + text if right else text + space


def _who() -> str:
    """Who ran the command, for the history and the ImportRun row."""
    try:
        return f"{getpass.getuser()}（import コマンド）"
    except (KeyError, OSError):  # no user name in a bare container
        return "import コマンド"


class Command(BaseCommand):
    help = (
        "相談窓口のデータを取り込みます（くらし支援ナビのフォルダ、一括登録CSV、HSDS、CPSV-J）。"
        "問題が一つでもあれば何も書き込みません（--skip-invalid で問題のある行だけ飛ばせます）。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", nargs="?", help="取り込むファイルかフォルダ")
        parser.add_argument(
            "--dataset",
            choices=IMPORTABLE_DATASETS,
            help="get-datasets で用意したデータセットを名前で取り込みます（PATH の代わり）",
        )
        parser.add_argument("--format", choices=list(FORMATS), help="形式（省略すると中身から判断します）")
        parser.add_argument("--platform", help="取り込み先プラットフォームのURL名（省略すると全国の公開データ）")
        parser.add_argument("--skip-invalid", action="store_true", help="問題のある行を飛ばして、残りを取り込みます")
        parser.add_argument("--source", help="データセットのID（省略すると形式ごとに決まったID）")
        parser.add_argument("--dry-run", action="store_true", help="確かめるだけで、何も書き込みません")
        parser.add_argument(
            "--publisher",
            default="",
            help="CPSV-J: ファイルの公開元（provider も city_id もない国の制度の所管として使います。省略すると取り込み先の名前）",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        path = options["path"]
        if options["dataset"]:
            if path:
                raise CommandError("PATH と --dataset は、どちらか一方だけを指定してください。")
            path = Path(settings.DATASETS_DIR) / options["dataset"]
            if not path.is_dir():
                raise CommandError(
                    f"データセット「{options['dataset']}」が {settings.DATASETS_DIR} にありません。"
                    f"先に `python -m tsunagari get-datasets {options['dataset']}` を実行してください。"
                )
        elif not path:
            raise CommandError("取り込むファイルかフォルダ（PATH）か、--dataset を指定してください。")
        try:
            outcome = run_import(
                path,
                fmt=options["format"],
                platform_slug=options["platform"],
                skip_invalid=options["skip_invalid"],
                actor=_who(),
                source_slug=options["source"],
                dry_run=options["dry_run"],
                publisher=options["publisher"],
            )
        except ImportFailed as exc:
            raise CommandError(str(exc)) from exc
        verbose = options["verbosity"] >= 2
        self.summarise(outcome, time.perf_counter() - started, verbose=verbose)
        if not outcome.ok:
            raise CommandError(
                f"問題が {len(outcome.problems)} 件あったため、何も取り込みませんでした。"
                "直してからもう一度実行するか、--skip-invalid で問題のある行を飛ばしてください。"
            )
        rows = sum(
            c.created + c.updated + c.unchanged
            for kind, c in outcome.counts.items()
            if kind in ("services", "crisis_lines")
        )
        if outcome.problems and not rows:
            raise CommandError("すべての行に問題があったため、何も取り込みませんでした。")

    def summarise(self, outcome: ImportOutcome, seconds: float, *, verbose: bool) -> None:
        write = self.stdout.write
        fmt = FORMATS.get(outcome.format, outcome.format)
        if outcome.dry_run:
            head = f"確認のみ（書き込んでいません）: {fmt} → {outcome.platform_name}（{outcome.platform_slug}）"
        elif outcome.ok:
            head = f"{fmt} を {outcome.platform_name}（{outcome.platform_slug}）に取り込みました（{seconds:.1f} 秒）。"
        else:
            head = f"{fmt} の取り込みを中止しました。"
        write(self.style.SUCCESS(head) if outcome.ok else self.style.ERROR(head))
        for message in outcome.messages:
            write(f"  {message}")
        rows = outcome.parse_counts
        for key, label in ROW_COUNTS:
            if key in rows:
                write(f"  {label}: {rows[key]:,} 件")
        if outcome.ok:
            write("")
            write("  " + _pad("", 30) + "".join(_pad(h, 10, right=True) for h in ("新規", "更新", "変更なし", "削除")))
            for kind, label in KINDS.items():
                c = outcome.counts[kind]
                if c.created or c.updated or c.unchanged or c.deleted:
                    numbers = (c.created, c.updated, c.unchanged, c.deleted)
                    write("  " + _pad(label, 30) + "".join(_pad(f"{n:,}", 10, right=True) for n in numbers))
            withdrawn = outcome.counts["services"].deleted
            if withdrawn:
                write(f"  ファイルになくなった窓口 {withdrawn:,} 件は「廃止」にしました（削除はしていません）。")
            if not outcome.changed and not outcome.dry_run:
                write("  前回の取り込みから変わったところはありませんでした。")
        if "hours_parsed" in rows:
            write("")
            write(
                f"  受付時間: 曜日と時刻に直せた {rows['hours_parsed']:,} 件、"
                f"直せなかった {rows.get('hours_unparsed', 0):,} 件（文章のまま表示）、"
                f"記載なし {rows.get('hours_missing', 0):,} 件"
            )
        if "area_municipality" in rows:
            write(
                f"  対象地域: 市区町村 {rows['area_municipality']:,} 件、"
                f"都道府県 {rows.get('area_prefecture', 0):,} 件、"
                f"市区町村を特定できず都道府県にした {rows.get('area_unresolved', 0):,} 件"
            )
        if rows.get("needs_review"):
            write(f"  要確認（review_required）: {rows['needs_review']:,} 件（公開し、確認が必要と表示します）")
        if outcome.skipped_rows:
            write("")
            write(self.style.WARNING(f"  飛ばした行 {len(outcome.skipped_rows):,} 件:"))
            self.listing([f"{file} {row}行目" for file, row in outcome.skipped_rows], verbose)
        if outcome.problems:
            write("")
            write(self.style.ERROR(f"問題 {len(outcome.problems):,} 件:"))
            self.listing([str(p) for p in outcome.problems], verbose)
        if outcome.notes:
            write("")
            write(self.style.WARNING(f"注意 {len(outcome.notes):,} 件（取り込みはしました）:"))
            self.listing([str(p) for p in outcome.notes], verbose)
        if outcome.run_id:
            write("")
            write(f"  記録: ImportRun #{outcome.run_id}")

    def listing(self, lines: list[str], verbose: bool) -> None:
        shown = lines if verbose else lines[:SHOWN]
        for line in shown:
            self.stdout.write(f"  - {line}")
        if len(lines) > len(shown):
            self.stdout.write(f"  …ほか {len(lines) - len(shown):,} 件（すべて見るには -v 2）")
