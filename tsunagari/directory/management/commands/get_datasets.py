"""`python -m tsunagari get-datasets [NAME …] [--from DIR]`: put the public data sets into DATASETS_DIR.

Each data set is pinned in tsunagari/lib/datasets.json (official repository, commit, SHA-256 of
every file). With --from, the files are copied from a folder that already holds them; without it,
a data set that is not already in place is downloaded from its official source. Every file is
checked against its checksum, and nothing half-written is left behind.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from tsunagari.lib.datasets import DEFAULT_SOURCE, DatasetError, load_manifest, obtain, problems

DONE = {
    "present": "決められた版がそろっています",
    "copied": "写して確かめました",
    "downloaded": "ダウンロードして確かめました",
}


class Command(BaseCommand):
    help = (
        "公開データセット（くらし支援ナビ、HSDS 3.0、Geolonia 住所データ）を DATASETS_DIR に用意します。"
        "--from で指定したフォルダから写すか、公式の配布元から決められた版をダウンロードし、"
        "すべてのファイルをチェックサム（SHA-256）で確かめます。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        names = list(load_manifest())
        parser.add_argument(
            "names", nargs="*", metavar="NAME", help=f"用意するデータセット（省略するとすべて: {', '.join(names)}）"
        )
        parser.add_argument(
            "--from",
            dest="source_dir",
            type=Path,
            help="データセットのフォルダ（kurashi-navi/ などを含むフォルダ）から写します。ダウンロードはしません",
        )
        parser.add_argument(
            "--base-url",
            default=DEFAULT_SOURCE,
            help=f"ダウンロード元（既定: {DEFAULT_SOURCE}。同じパスで配信するミラーも使えます）",
        )
        parser.add_argument("--check", action="store_true", help="確かめるだけで、写しもダウンロードもしません")

    def handle(
        self, *args: Any, names: list[str], source_dir: Path | None, base_url: str, check: bool, **options: Any
    ) -> None:
        manifest = load_manifest()
        unknown = [name for name in names if name not in manifest]
        if unknown:
            raise CommandError(f"データセット「{'、'.join(unknown)}」はありません。使える名前: {', '.join(manifest)}")
        if source_dir is not None and not source_dir.is_dir():
            raise CommandError(f"--from のフォルダ {source_dir} がありません。パスを確かめてください。")
        target = Path(settings.DATASETS_DIR)
        self.stdout.write(f"データセットの置き場所（DATASETS_DIR）: {target}")
        failed = []
        for name in names or list(manifest):
            dataset = manifest[name]
            if check:
                found = problems(dataset, target / name)
                if found:
                    failed.append(name)
                    self.stdout.write(self.style.ERROR(f"{name}: 決められた版と違います"))
                    for problem in found:
                        self.stdout.write(f"  {problem}")
                else:
                    self.stdout.write(f"{name}: {DONE['present']}（{dataset.licence}）")
                continue
            self.stdout.write(f"{name}: {dataset.title}（{dataset.licence}）…")
            try:
                done = obtain(dataset, target, source_dir=source_dir, base_url=base_url, report=self.stdout.write)
            except DatasetError as exc:
                failed.append(name)
                self.stderr.write(self.style.ERROR(f"{name}: {exc}"))
                continue
            self.stdout.write(f"{name}: {DONE[done]}（{target / name}）")
        if failed:
            raise CommandError(
                f"{'、'.join(failed)} を用意できませんでした。上のメッセージを確かめてから、もう一度実行してください。"
            )
