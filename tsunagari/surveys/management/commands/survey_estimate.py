"""`python -m tsunagari survey-estimate DATA.csv …`: weighted estimates with SEs (docs/surveys.md)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tsunagari.surveys.estimate_csv import InputError, Request, estimate, parse_share
from tsunagari.surveys.estimation import CALIBRATION_VARIANCES


class Command(BaseCommand):
    help = (
        "調査の回答 CSV から、重み付きの割合・平均とその標準誤差（テイラー線形化）、95% 信頼区間を推定します。"
        "空欄は無回答として、行を消さずに除きます（R の survey パッケージと同じ扱い）。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("data", type=Path, metavar="DATA.csv", help="回答の CSV（1 行 1 人、1 行目は列名）")
        what = parser.add_mutually_exclusive_group(required=True)
        what.add_argument("--distribution", metavar="VAR", help="この設問の各選択肢の割合")
        what.add_argument("--share", metavar="VAR=CODE[,CODE…]", help="この設問でこれらの選択肢を選んだ人の割合")
        what.add_argument("--mean", metavar="VAR", help="この数値の設問の平均")
        parser.add_argument("--by", metavar="VAR", help="この列の値ごと（地区・年代など）にも推定します")
        parser.add_argument("--strata", metavar="COL", help="層の列（層別抽出）")
        parser.add_argument("--weight", metavar="COL", help="重み（抽出ウェイト）の列")
        parser.add_argument(
            "--stratum-population", metavar="COL", help="層の母集団の大きさ N_h の列（有限母集団修正 1 − n_h/N_h）"
        )
        parser.add_argument("--cluster", metavar="COL", help="第 1 次抽出単位（PSU）の列（二段抽出）")
        parser.add_argument(
            "--rake",
            type=Path,
            metavar="MARGINS.csv",
            help="この周辺分布（列 margin,category,population）に重みを補正します",
        )
        parser.add_argument(
            "--rake-variance",
            choices=CALIBRATION_VARIANCES,
            default="rake",
            help="補正後の分散の求め方: rake（R の rake()、既定）、calibrate（R の calibrate()）、fixed（重みを固定とみなす）",
        )
        parser.add_argument("--min-n", type=int, metavar="N", help="回答者が N 人未満の推定値を伏せます（null）")
        parser.add_argument("--json", action="store_true", help="JSON で出力します")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            request = Request(
                data=options["data"],
                distribution=options["distribution"],
                share=parse_share(options["share"]) if options["share"] else None,
                mean=options["mean"],
                by=options["by"],
                strata=options["strata"],
                weight=options["weight"],
                stratum_population=options["stratum_population"],
                cluster=options["cluster"],
                rake=options["rake"],
                rake_variance=options["rake_variance"],
                min_n=options["min_n"],
            )
            result = estimate(request)
        except InputError as exc:
            raise CommandError(str(exc)) from None
        if options["json"]:
            self.stdout.write(json.dumps(result, ensure_ascii=False, allow_nan=False))
            return
        self.stdout.write(f"回答者 {result['n_respondents']:,} 人、自由度 {result['df']:,}")
        self.stdout.write("変数\t区分\t領域\tn\t推定値\t標準誤差\t95% 信頼区間")
        for e in result["estimates"]:
            lo, hi = e["ci95"]
            self.stdout.write(
                "\t".join(
                    [
                        e["variable"],
                        e["category"] or "",
                        e["domain"] or "全体",
                        str(e["n"]),
                        _number(e["estimate"]),
                        _number(e["se"]),
                        f"{_number(lo)} – {_number(hi)}",
                    ]
                )
            )


def _number(value: float | None) -> str:
    return "—" if value is None else f"{value:.6g}"
