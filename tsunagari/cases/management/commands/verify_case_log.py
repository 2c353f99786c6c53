"""`python -m tsunagari verify-case-log`: recompute every platform's case-log hash chain."""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from tsunagari.cases import caselog
from tsunagari.cases.models import CaseLogHead
from tsunagari.tenancy.scoping import scopes_disabled


class Command(BaseCommand):
    help = (
        "事例の閲覧・変更記録（ハッシュチェーン）を検証します。書き換え・削除された行があれば名前を挙げて失敗します。"
        "最後の行のハッシュを別の場所に控えておけば、チェーン全体の作り直しも見つけられます。"
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--platform", help="検証するプラットフォームのスラッグ（省略時はすべて）")

    def handle(self, *args: Any, **options: Any) -> None:
        with translation.override(settings.LANGUAGE_CODE), scopes_disabled():
            heads = CaseLogHead.objects.select_related("platform").order_by("platform_id")
            if options["platform"]:
                heads = heads.filter(platform__slug=options["platform"])
            failed = False
            for head in heads:
                started = time.perf_counter()
                verdict = caselog.verify(head.platform_id)
                seconds = time.perf_counter() - started
                slug = head.platform.slug
                if verdict.ok:
                    self.stdout.write(
                        f"{slug}: {verdict.rows} 行、チェーンは無傷です（{seconds:.2f} 秒）。最後のハッシュ {head.hash}"
                    )
                else:
                    failed = True
                    for problem in verdict.problems:
                        self.stderr.write(f"{slug}: {problem}")
        if failed:
            raise CommandError("事例の記録に改ざんまたは削除が見つかりました。")
