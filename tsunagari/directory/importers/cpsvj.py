"""CPSV-J style CSV: the 行政サービス・制度情報 many municipalities publish (子育て支援制度 etc.).

The first row holds the English column names (service_id, provider, prefecture_id, city_id,
name, abstract, provisions, target, how_to_apply, detail_url, contact, tags, …); some files
repeat them in Japanese in a second row (サービスID, 制度所管組織, …) and give a data type per
column in a third (string, text, url, date). Both extra rows are recognised and skipped. A file
whose first row is the Japanese labels is read too. Unknown columns are ignored.

Real files list national programmes too: a row with neither city_id nor prefecture_id is a
programme of the whole country (a nationwide service area), and one that also has no provider
is the publisher's (the national portal's list of national programmes has ten such rows). A
detail_url cell may hold several URLs on several lines; every one is kept.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from .common import (
    NO_AREAS,
    AreaIndex,
    ImportFailed,
    Invalid,
    ParsedWithNotes,
    clean_date,
    clean_email,
    clean_phone,
    clean_url,
    fold,
    generated_id,
    heading,
    one_line,
    read_table,
    split_list,
    text,
)
from .records import AreaRecord, ChannelRecord, OrganizationRecord, Problem, ServiceRecord, SourceInfo
from .vocabulary import needs, targets

__all__ = ["COLUMNS", "SOURCE", "parse"]

SOURCE = SourceInfo(
    slug="cpsv-j",
    name="行政サービス・制度情報（CPSV-J 形式）",
    data_changed_note="つながりで項目の対応付け（タグを困りごとコードに）を行いました。",
)

# Column → its Japanese labels, as the published files write them (compared after NFKC).
COLUMNS: dict[str, tuple[str, ...]] = {
    "service_id": ("サービスID", "ID"),
    "service_number": ("制度番号",),
    "origin_id": ("元制度番号",),
    "alteration_flag": ("制度変更区分", "変更区分"),
    "provider": ("制度所管組織", "所管組織", "提供者"),
    "prefecture_id": ("都道府県", "都道府県コード"),
    "city_id": ("市町村", "市区町村", "市区町村コード", "市町村コード"),
    "name": ("タイトル（制度名）", "制度名", "タイトル"),
    "abstract": ("概要",),
    "provisions": ("支援内容",),
    "target": ("対象者",),
    "how_to_apply": ("利用・申請方法", "申請方法"),
    "application_start_date": ("受付開始日",),
    "application_close_date": ("受付終了日",),
    "application_period": ("申請期間", "受付期間"),
    "required_documents": ("必要書類",),
    "eligibility": ("利用条件", "要件"),
    "detail_url": ("詳細参照先", "URL"),
    "url": ("詳細参照先",),
    "contact": ("お問い合わせ先", "問い合わせ先"),
    "information_release_date": ("公開日",),
    "tags": ("タグ",),
    "theme": ("テーマ",),
    "category": ("タグ（カテゴリー）", "カテゴリー"),
    "person_type": ("タグ（対象者分類）", "対象者分類"),
    "entity_type": ("タグ（事業者分類）", "事業者分類"),
    "keyword_type": ("タグ（キーワード）", "キーワード"),
    "issue_type": ("タグ（テーマ）",),
}
TAG_COLUMNS = ("tags", "theme", "category", "keyword_type", "issue_type")
TYPE_WORDS = frozenset(
    {
        "string",
        "text",
        "url",
        "uri",
        "anyuri",
        "date",
        "datetime",
        "integer",
        "int",
        "number",
        "decimal",
        "boolean",
        "code",
        "id",
        "identifier",
        "文字列",
        "テキスト",
        "日付",
        "数値",
        "真偽値",
        "コード",
    }
)
_PHONE = re.compile(r"(?:0\d{1,4}[-‐ー－(（]\d{1,4}[-‐ー－)）]\d{3,4}|0120[-‐ー－]?\d{2,3}[-‐ー－]?\d{3,4}|0\d{9,10})")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_LABELS = {heading(label): column for column, labels in COLUMNS.items() for label in labels}


def parse(path: Path, *, publisher: str = "") -> ParsedWithNotes:
    """Read a CPSV-J style CSV of public services into records.

    ``publisher`` names who published the file: rows with no provider and no area (national
    programmes) are imported as its programmes. Without it they are refused.
    """
    result = ParsedWithNotes(source=SOURCE, services_file=path.name)
    try:
        table = read_table(path)
    except ImportFailed as exc:
        result.problems.append(Problem(path.name, None, None, str(exc)))
        return result
    columns = _columns(table.header)
    if "name" not in columns:
        result.problems.append(
            Problem(
                path.name,
                None,
                "name",
                "列 name（制度名）がありません。1行目が service_id, name … の見出しか確かめてください。",
            )
        )
        return result
    rows = table.rows
    skipped = []
    if rows and _is_label_row(rows[0][1], columns):
        skipped.append("日本語の見出し")
        rows = rows[1:]
    if rows and _is_type_row(rows[0][1]):
        skipped.append("データ型")
        rows = rows[1:]
    if skipped:
        result.notes.append(Problem(path.name, None, None, f"{'と'.join(skipped)}の行を見出しとして読み飛ばしました。"))
    unknown = [h for h, c in zip(table.header, columns, strict=True) if c is None and h]
    if unknown:
        result.notes.append(Problem(path.name, 1, None, f"使わない列を読み飛ばしました: {'、'.join(unknown)}"))
    areas = AreaIndex.from_db()
    if not areas:
        result.problems.append(
            Problem(
                path.name,
                None,
                None,
                NO_AREAS,
            )
        )
        return result
    reader = _RowReader(path.name, areas, result, publisher=one_line(publisher))
    for number, cells in rows:
        reader.read(number, {c: cells[i] for i, c in enumerate(columns) if c and i < len(cells)})
    result.counts = {"rows": len(rows), **reader.counts}
    if reader.counts["area_nationwide"]:
        result.notes.append(
            Problem(
                path.name,
                None,
                "city_id",
                f"city_id も prefecture_id もない{reader.counts['area_nationwide']}行は国の制度として、"
                "対象地域を全国にしました。",
            )
        )
    if reader.counts["national"]:
        result.notes.append(
            Problem(
                path.name,
                None,
                "provider",
                f"そのうち provider もない{reader.counts['national']}行は、公開元「{reader.publisher}」の制度として"
                "読みました（--publisher で指定できます）。",
            )
        )
    return result


def _columns(header: list[str]) -> list[str | None]:
    """Each heading as a CPSV-J column name: English names as they are, Japanese labels mapped."""
    columns: list[str | None] = []
    for cell in header:
        name = cell.strip().lower()
        column = name if name in COLUMNS else _LABELS.get(heading(cell))
        # detail_url and url are the same thing in different versions; keep the first one.
        if column == "url" and "detail_url" in columns:
            column = None
        columns.append(column if column not in columns else None)
    return columns


def _is_label_row(cells: list[str], columns: list[str | None]) -> bool:
    """A second header row with the Japanese label of each column (サービスID, 制度名, …)."""
    filled = [(cell, column) for cell, column in zip(cells, columns, strict=False) if cell.strip()]
    matches = sum(1 for cell, column in filled if column and _same_column(_LABELS.get(heading(cell)), column))
    return bool(filled) and matches >= max(2, len(filled) // 2)


def _same_column(a: str | None, b: str) -> bool:
    return a == b or {a, b} <= {"url", "detail_url"}


def _is_type_row(cells: list[str]) -> bool:
    """A row of data types (string, text, url, date, …), as some portals publish under the header."""
    words = [re.sub(r"^(xsd|ic):|\[\]$", "", fold(cell).lower()) for cell in cells if cell.strip()]
    return (
        bool(words)
        and all(re.fullmatch(r"[a-z]+|[^\x00-\x7f]+", w) for w in words)
        and sum(w in TYPE_WORDS for w in words) >= max(1, len(words) * 3 // 4)
    )


class _RowReader:
    def __init__(self, file: str, areas: AreaIndex, result: ParsedWithNotes, *, publisher: str) -> None:
        self.file = file
        self.areas = areas
        self.result = result
        self.publisher = publisher
        self.seen_ids: dict[str, int] = {}
        self.counts = dict.fromkeys(
            ("services", "national", "area_municipality", "area_prefecture", "area_nationwide"), 0
        )

    def read(self, number: int, row: dict[str, str]) -> None:
        problems: list[Problem] = []

        def value(column: str, clean: Callable[[str], Any]) -> Any:
            raw = text(row.get(column))
            if not raw:
                return None
            try:
                return clean(raw)
            except Invalid as exc:
                problems.append(Problem(self.file, number, column, str(exc)))
                return None

        name = one_line(row.get("name"))
        if not name:
            problems.append(Problem(self.file, number, "name", "制度名（name）を書いてください。"))
        prefecture = value("prefecture_id", self.areas.prefecture_code)
        municipality = value("city_id", self._municipality)
        if prefecture and municipality and self.areas.municipalities[municipality].prefecture_code != prefecture:
            problems.append(
                Problem(
                    self.file,
                    number,
                    "city_id",
                    f"city_id「{row['city_id']}」は{self.areas.prefectures[prefecture]}の市区町村ではありません。",
                )
            )
        provider = one_line(row.get("provider"))
        if not provider and municipality:
            provider = self.areas.municipalities[municipality].name
        elif not provider and prefecture:
            provider = self.areas.prefectures[prefecture]
        nationwide = not text(row.get("city_id")) and not text(row.get("prefecture_id"))
        national = nationwide and not provider
        if national:
            provider = self.publisher
        if not provider:
            problems.append(
                Problem(
                    self.file,
                    number,
                    "provider",
                    "制度を所管する組織（provider）か city_id を書いてください。国の制度なら、"
                    "取り込むときに --publisher でファイルの公開元（例: デジタル庁）を指定してください。",
                )
            )
        urls = value("detail_url", _urls) or value("url", _urls) or []
        dates = {
            c: value(c, partial(_date, column=c))
            for c in ("application_start_date", "application_close_date", "information_release_date")
        }
        source_id = fold(row.get("service_id", "")) or generated_id(provider, name, municipality or "")
        if source_id in self.seen_ids:
            problems.append(
                Problem(
                    self.file,
                    number,
                    "service_id",
                    f"service_id「{source_id}」が{self.seen_ids[source_id]}行目と同じです。",
                )
            )
        else:
            self.seen_ids[source_id] = number
        if problems:
            self.result.problems.extend(problems)
            self.result.invalid_rows.add((self.file, number))
            return

        contact = text(row.get("contact"))
        channels = self._channels(contact)
        application = [text(row.get("how_to_apply"))]
        start, close = dates["application_start_date"], dates["application_close_date"]
        if start or close:
            application.append(f"受付期間: {start or ''}～{close or ''}".replace("-", "/"))
        if period := text(row.get("application_period")):
            application.append(f"受付期間: {period}")
        if documents := text(row.get("required_documents")):
            # Exported as HSDS required_document from this line (hsds.REQUIRED_DOCUMENTS_PREFIX).
            application.append(f"必要書類: {documents}")
        if contact and not channels:
            application.append(f"問い合わせ先: {contact}")
        description = text(row.get("abstract"))
        if provisions := text(row.get("provisions")):
            description = f"{description}\n【支援内容】{provisions}".strip()
        if len(urls) > 1:
            # HSDS gives a service one url; the others stay with the description, each on its line.
            description = "\n".join([description, "【ほかの参照先】", *urls[1:]]).strip()
        tags = " ".join(text(row.get(c)) for c in TAG_COLUMNS)
        need_codes = [code for tag in split_list(tags.replace(" ", "、")) for code in needs().find_in(tag)]
        target_codes = targets().find_in(f"{text(row.get('person_type'))} {text(row.get('target'))}")
        self.counts["services"] += 1
        self.result.services.append(
            ServiceRecord(
                row=number,
                source_id=source_id,
                organization=OrganizationRecord(
                    source_id=generated_id("provider", provider, municipality or prefecture or ""),
                    name=provider,
                    municipality_code=municipality,
                ),
                name=name,
                description=description,
                url=urls[0] if urls else "",
                status="defunct" if "廃止" in text(row.get("alteration_flag")) else "active",
                eligibility_description="\n".join(
                    p for p in (text(row.get("target")), text(row.get("eligibility"))) if p
                ),
                application_process="\n".join(p for p in application if p),
                last_verified_on=dates["information_release_date"],
                last_verified_by="公開元のデータ（CPSV-J の公開日）" if dates["information_release_date"] else "",
                channels=channels,
                areas=self._areas(municipality, prefecture, national=national),
                needs=list(dict.fromkeys(need_codes)),
                targets=target_codes,
            )
        )

    def _municipality(self, value: str) -> str:
        """city_id: a 5- or 6-digit local government code (the 6th digit is computed when missing)."""
        folded = fold(value)
        if re.fullmatch(r"\d{5,6}", folded):
            return self.areas.municipality_code(folded)
        code = self.areas.municipality_by_name(folded)
        if code is None:
            raise Invalid(
                f"city_id「{value}」は5桁か6桁の全国地方公共団体コードで書いてください"
                "（例: 鎌倉市は 14204 か 142042）。"
            )
        return code

    def _areas(self, municipality: str | None, prefecture: str | None, *, national: bool) -> list[AreaRecord]:
        if national:
            self.counts["national"] += 1
        if municipality:
            self.counts["area_municipality"] += 1
            return [AreaRecord(kind="municipality", municipality_code=municipality)]
        if prefecture:
            self.counts["area_prefecture"] += 1
            return [AreaRecord(kind="prefecture", prefecture_code=prefecture)]
        self.counts["area_nationwide"] += 1
        return [AreaRecord(kind="nationwide")]

    @staticmethod
    def _channels(contact: str) -> list[ChannelRecord]:
        """Phone numbers and e-mail addresses found in the free-text contact, with it as their note."""
        note = one_line(contact)
        channels = []
        for match in _PHONE.findall(contact):
            try:
                channels.append(ChannelRecord("phone", clean_phone(match), description=note[:500]))
            except Invalid:
                continue
        for match in _EMAIL.findall(contact):
            try:
                channels.append(ChannelRecord("email", clean_email(match), description=note[:500]))
            except Invalid:
                continue
        return channels


def _urls(value: str) -> list[str]:
    """detail_url: one URL, or several on several lines (or separated by spaces), every one checked."""
    return list(
        dict.fromkeys(clean_url(part, "詳細参照先のURL") for part in re.split(r"[\s、,]+", fold(value)) if part)
    )


def _date(value: str, column: str) -> datetime.date:
    """Dates as written in CPSV-J files: 2024-04-01, 2024/4/1, or with a time after them."""
    return clean_date(fold(value).split("T")[0].split(" ")[0], column)
