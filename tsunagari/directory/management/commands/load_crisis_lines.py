"""`python -m tsunagari load-crisis-lines [--replace]`: copy our curated national lines into the database.

Until then they are shown from tsunagari/directory/data/crisis-lines.json; once loaded, they are
rows of the national platform that a coordinator edits in the admin (docs/safety.md).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction

from tsunagari.directory.crisis import due_for_check, load_curated
from tsunagari.directory.models import CrisisLine
from tsunagari.tenancy.models import national_platform
from tsunagari.tenancy.scoping import scopes_disabled


class Command(BaseCommand):
    help = (
        "Tsunagari が用意した全国の相談電話（いのちの電話、#いのちSOS、24時間子供SOSダイヤルなど）を"
        "データベースに取り込み、管理画面で編集できるようにします。編集済みの行はそのまま残します。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--replace", action="store_true", help="編集済みの行もファイルの内容で上書きします")

    def handle(self, *args: Any, replace: bool, **options: Any) -> None:
        with transaction.atomic():
            platform = national_platform()
            created, updated = load_curated(platform.pk, replace=replace)
        self.stdout.write(f"全国の相談電話: {created} 件を追加、{updated} 件を上書きしました。")
        with scopes_disabled():
            late = due_for_check(list(CrisisLine.objects.filter(platform=platform)))
        if late:
            self.stdout.write(
                f"{len(late)} 件は確認から時間がたっています。公式ページで番号と受付時間を確かめてください: "
                + "、".join(str(line) for line in late)
            )
