"""Tell which format a file or folder is in, from what is inside it rather than from its name."""

from __future__ import annotations

from pathlib import Path

from .common import ImportFailed, heading, read_table
from .flat_csv import ALIASES, COLUMNS

# Headings of the Tsunagari template (docs/templates/services-template.csv) and their aliases.
TEMPLATE_HEADINGS = frozenset(heading(h) for h in (*COLUMNS, *ALIASES))

__all__ = ["FORMATS", "detect_format"]

# Format name → what it is, for messages and --help.
FORMATS = {
    "kurashi-navi": "くらし支援ナビのオープンデータ（フォルダ）",
    "csv": "つながりの一括登録CSV（日本語の見出し）",
    "hsds": "HSDS 3.0 の表形式（datapackage.json のあるフォルダ）",
    "cpsvj": "行政サービス・制度情報（CPSV-J 形式のCSV）",
}

CPSVJ_HEADINGS = frozenset({"service_id", "name"})
CPSVJ_LABELS = frozenset({"サービスID", "タイトル(制度名)"})
KURASHI_HEADINGS = frozenset({"municipalityId", "categoryId"})


def detect_format(path: Path) -> str:
    """The format of `path`, or ImportFailed saying in Japanese what was expected."""
    if not path.exists():
        raise ImportFailed(f"「{path}」が見つかりません。パスを確かめてください。")
    if path.is_dir():
        if (path / "offices.csv").exists():
            return "kurashi-navi"
        if (path / "datapackage.json").exists():
            return "hsds"
        raise ImportFailed(
            f"フォルダ「{path}」の形式が分かりません。くらし支援ナビなら offices.csv、"
            "HSDS なら datapackage.json があるフォルダを指定してください。"
        )
    if path.name == "datapackage.json":
        return "hsds"
    header = set(read_table(path).header)
    if header >= KURASHI_HEADINGS:
        return "kurashi-navi"
    if header >= CPSVJ_HEADINGS or header >= CPSVJ_LABELS:
        return "cpsvj"
    # Two headings of the template are enough: the parser then says which required one is missing.
    if len({heading(h).removesuffix("(必須)") for h in header} & TEMPLATE_HEADINGS) >= 2:
        return "csv"
    raise ImportFailed(
        f"「{path.name}」の形式が分かりません。1行目の見出しが、つながりのテンプレート"
        "（docs/templates/services-template.csv。「団体名」「窓口・サービス名」の列）か、"
        "CPSV-J 形式（service_id, name の列）になっているか確かめてください。"
        "形式は --format（kurashi-navi, csv, hsds, cpsvj）で指定することもできます。"
    )
