"""The flat CSV a coordinator fills in a spreadsheet: one service per row, Japanese headings.

The template is docs/templates/services-template.csv and every column is explained in
docs/import.md. Files saved by Excel in Japan (Shift_JIS/CP932) are read as well as UTF-8.
Every problem names the row and the column and says what to write instead.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote

from django.utils import timezone

from .common import (
    NO_AREAS,
    AreaIndex,
    ImportFailed,
    Invalid,
    ParsedWithNotes,
    clean_corporate_number,
    clean_date,
    clean_email,
    clean_int,
    clean_phone,
    clean_postal_code,
    clean_url,
    fold,
    generated_id,
    hours_to_schedules,
    one_line,
    read_table,
    split_list,
    text,
)
from .records import (
    AreaRecord,
    ChannelRecord,
    LocationRecord,
    OrganizationRecord,
    Problem,
    ServiceRecord,
    SourceInfo,
)
from .vocabulary import Vocabulary, attributes, language_code, needs, targets

__all__ = ["COLUMNS", "REQUIRED", "SOURCE", "parse"]

SOURCE = SourceInfo(
    slug="tsunagari-csv",
    name="一括登録CSV",
    data_changed_note="プラットフォームの事務局が一括登録CSVで登録しました。",
)

# Heading → what it holds. The order is the template's (docs/templates/services-template.csv).
COLUMNS: dict[str, str] = {
    "ID": "id",
    "団体名": "organization",
    "法人番号": "corporate_number",
    "窓口・サービス名": "name",
    "やさしい名前": "plain_name",
    "説明": "description",
    "困りごと": "needs",
    "対象": "targets",
    "特徴": "attributes",
    "電話": "phone",
    "LINE": "line",
    "SNS": "sns",
    "チャット": "chat",
    "メール": "email",
    "相談フォーム": "form",
    "公式ページ": "url",
    "郵便番号": "postal_code",
    "都道府県": "prefecture",
    "市区町村コード": "municipality",
    "住所": "address",
    "受付時間": "hours",
    "休み": "closed",
    "対象地域": "areas",
    "料金": "fees",
    "年齢下限": "minimum_age",
    "年齢上限": "maximum_age",
    "言語": "languages",
    "利用条件": "eligibility",
    "申し込み方法": "application",
    "最終確認日": "verified_on",
    "確認者": "verified_by",
    "状態": "publication",
}
# Other headings people write for the same columns.
ALIASES = {
    "団体": "organization",
    "窓口名": "name",
    "サービス名": "name",
    "電話番号": "phone",
    "メールアドレス": "email",
    "ホームページ": "url",
    "URL": "url",
    "市区町村": "municipality",
}
REQUIRED = ("organization", "name")
PUBLICATION = {
    "": "published",
    "公開": "published",
    "published": "published",
    "下書き": "draft",
    "非公開": "draft",
    "draft": "draft",
}
FREE = frozenset({"無料", "無料です", "0円", "なし"})
_LINE_ID = re.compile(r"@?[A-Za-z0-9._-]{2,40}")


def parse(path: Path) -> ParsedWithNotes:
    """Read a flat CSV of services; problems for every value that cannot be used."""
    result = ParsedWithNotes(source=SOURCE, services_file=path.name)
    try:
        table = read_table(path)
    except ImportFailed as exc:
        result.problems.append(Problem(path.name, None, None, str(exc)))
        return result
    keys, problems = _columns(table.header, path.name)
    result.notes.extend(p for p in problems if p.row is not None)
    result.problems.extend(p for p in problems if p.row is None)
    if result.problems:
        return result
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
    written = {key: table.header[i] for i, key in enumerate(keys) if key}
    reader = _RowReader(path.name, areas, result, written)
    for number, cells in table.rows:
        row = {key: (cells[i] if i < len(cells) else "") for i, key in enumerate(keys) if key}
        reader.read(number, row)
    result.counts = {"rows": len(table.rows), **reader.counts}
    return result


def _columns(header: list[str], file: str) -> tuple[list[str | None], list[Problem]]:
    """Heading → key for each column; unknown columns are ignored (and said so)."""
    known = {**{_fold_heading(h): k for h, k in COLUMNS.items()}, **{_fold_heading(h): k for h, k in ALIASES.items()}}
    keys: list[str | None] = []
    problems = []
    for heading in header:
        key = known.get(_fold_heading(heading))
        if key is None and heading:
            problems.append(Problem(file, 1, heading, f"列「{heading}」は使わないので読み飛ばしました。"))
        if key is not None and key in keys:
            problems.append(Problem(file, None, heading, f"列「{heading}」が2つあります。1つにしてください。"))
        keys.append(key)
    headings = {k: h for h, k in COLUMNS.items()}
    for key in REQUIRED:
        if key not in keys:
            problems.append(
                Problem(
                    file,
                    None,
                    headings[key],
                    f"必須の列「{headings[key]}」がありません。1行目の見出しを確かめてください。",
                )
            )
    return keys, problems


def _fold_heading(heading: str) -> str:
    folded = unicodedata.normalize("NFKC", heading)
    return re.sub(r"\s|\(必須\)|※", "", folded).upper()


HEADINGS = {key: heading for heading, key in COLUMNS.items()}


class _RowReader:
    def __init__(self, file: str, areas: AreaIndex, result: ParsedWithNotes, headings: dict[str, str]) -> None:
        self.file = file
        # Problems name a column as the person wrote it (電話番号), not as the template does (電話).
        self.headings = {**HEADINGS, **headings}
        self.areas = areas
        self.result = result
        self.seen_ids: dict[str, int] = {}
        self.counts = dict.fromkeys(("services", "hours_parsed", "hours_unparsed", "hours_missing", "locations"), 0)

    def read(self, number: int, row: dict[str, str]) -> None:
        problems: list[Problem] = []

        def problem(key: str, message: str) -> None:
            problems.append(Problem(self.file, number, self.headings[key], message))

        def value(key: str, clean: Callable[[str], Any] | None = None) -> Any:
            raw = text(row.get(key, ""))
            if clean is None:
                return raw
            if not raw:
                return None
            try:
                return clean(raw)
            except Invalid as exc:
                problem(key, str(exc))
                return None

        organization = one_line(row.get("organization"))
        name = one_line(row.get("name"))
        if not organization:
            problem("organization", "団体名を書いてください。")
        if not name:
            problem("name", "窓口・サービス名を書いてください。")
        address = one_line(row.get("address"))
        source_id = fold(row.get("id", "")) or generated_id(organization, name, address)
        if source_id in self.seen_ids:
            problem("id", f"ID「{source_id}」が{self.seen_ids[source_id]}行目と同じです。IDは行ごとに変えてください。")
        else:
            self.seen_ids[source_id] = number

        corporate_number = value("corporate_number", clean_corporate_number) or ""
        prefecture = value("prefecture", self.areas.prefecture_code) or None
        municipality = value("municipality", self.areas.municipality_code) or None
        if prefecture and municipality and self.areas.municipalities[municipality].prefecture_code != prefecture:
            problem(
                "municipality",
                f"市区町村コード「{row['municipality']}」は{self.areas.prefectures[prefecture]}の市区町村ではありません。",
            )
        postal_code = value("postal_code", clean_postal_code) or ""
        phones = [
            p for raw in split_list(text(row.get("phone"))) if (p := self._clean(raw, clean_phone, "phone", problem))
        ]
        email = value("email", clean_email) or ""
        url = value("url", lambda v: clean_url(v, "公式ページのURL")) or ""
        form = value("form", lambda v: clean_url(v, "相談フォームのURL")) or ""
        line = value("line", _line_url) or ""
        sns = [
            u
            for raw in split_list(text(row.get("sns")))
            if (u := self._clean(raw, lambda v: clean_url(v, "SNSのURL"), "sns", problem))
        ]
        chat = value("chat", lambda v: clean_url(v, "チャットのURL")) or ""
        minimum_age = value("minimum_age", lambda v: clean_int(v, "年齢下限"))
        maximum_age = value("maximum_age", lambda v: clean_int(v, "年齢上限"))
        if isinstance(minimum_age, int) and isinstance(maximum_age, int) and minimum_age > maximum_age:
            problem("maximum_age", f"年齢上限（{maximum_age}）が年齢下限（{minimum_age}）より小さくなっています。")
        verified_on = value("verified_on", lambda v: clean_date(v, "最終確認日")) or None
        if verified_on and verified_on > timezone.localdate():
            problem("verified_on", f"最終確認日「{row['verified_on']}」が未来の日付です。確認した日を書いてください。")
        publication = PUBLICATION.get(fold(row.get("publication", "")).lower())
        if publication is None:
            problem("publication", f"状態「{row['publication']}」は使えません。「公開」か「下書き」と書いてください。")
        need_codes = self._codes(row, "needs", needs(), problem)
        target_codes = self._codes(row, "targets", targets(), problem)
        attribute_codes = self._codes(row, "attributes", attributes(), problem)
        languages = []
        for word in split_list(text(row.get("languages"))):
            code = language_code(word)
            if code is None:
                problem(
                    "languages",
                    f"言語「{word}」が分かりません。「英語」のような名前か、en のような言語コードで書いてください。",
                )
            elif code not in languages:
                languages.append(code)
        areas = self._areas(text(row.get("areas")), municipality, prefecture, problem)

        if problems:
            self.result.problems.extend(problems)
            self.result.invalid_rows.add((self.file, number))
            return

        hours_text, closed_text = text(row.get("hours")), text(row.get("closed"))
        parsed, schedules = hours_to_schedules(hours_text, closed_text)
        self._count_hours(number, parsed, hours_text)
        if parsed is not None and parsed.parsed and parsed.open_24h:
            attribute_codes.append("open_24h")
        fees = text(row.get("fees"))
        if fold(fees) in FREE:
            # Only a plain 「無料」: 「子どもは無料、大人は300円」 is not free for everyone.
            attribute_codes.append("free")
        if any(code != "ja" for code in languages):
            attribute_codes.append("multilingual")
        if not areas:
            self.result.notes.append(
                Problem(
                    self.file,
                    number,
                    self.headings["areas"],
                    "対象地域も市区町村コードも都道府県もないため、地域で探したときには出てきません。",
                )
            )
        locations = []
        if address or postal_code:
            split = self.areas.split_address(address, prefecture_code=prefecture, municipality_code=municipality)
            locations.append(
                LocationRecord(
                    source_id=source_id,
                    name=name,
                    postal_code=postal_code,
                    region=split.region,
                    city=split.city,
                    address_1=split.rest,
                    municipality_code=split.municipality_code,
                )
            )
            self.counts["locations"] += 1
        channels = [ChannelRecord("phone", phone) for phone in phones]
        if line:
            channels.append(ChannelRecord("line", line, label="LINE相談"))
        channels.extend(ChannelRecord("sns", u, label="SNS相談") for u in sns)
        if chat:
            channels.append(ChannelRecord("chat", chat, label="チャット相談"))
        if email:
            channels.append(ChannelRecord("email", email))
        if form:
            channels.append(ChannelRecord("web_form", form, label="相談フォーム"))
        self.counts["services"] += 1
        self.result.services.append(
            ServiceRecord(
                row=number,
                source_id=source_id,
                organization=OrganizationRecord(
                    source_id=f"corp-{corporate_number}"
                    if corporate_number
                    else generated_id("organization", organization),
                    name=organization,
                    corporate_number=corporate_number,
                    municipality_code=municipality,
                ),
                name=name,
                alternate_name=one_line(row.get("plain_name")),
                description=text(row.get("description")),
                url=url,
                email=email,
                publication=publication or "published",
                fees_description=fees,
                eligibility_description=text(row.get("eligibility")),
                application_process=text(row.get("application")),
                minimum_age=minimum_age,
                maximum_age=maximum_age,
                languages=languages,
                hours_text=hours_text,
                closed_days_text=closed_text,
                hours_parsed=None if parsed is None else parsed.parsed,
                last_verified_on=verified_on,
                last_verified_by=one_line(row.get("verified_by")),
                locations=locations,
                channels=channels,
                schedules=schedules,
                areas=areas,
                needs=need_codes,
                targets=target_codes,
                attributes=list(dict.fromkeys(attribute_codes)),
            )
        )

    @staticmethod
    def _clean(raw: str, clean: Callable[[str], str], key: str, problem: Callable[[str, str], None]) -> str:
        try:
            return clean(raw)
        except Invalid as exc:
            problem(key, str(exc))
            return ""

    def _codes(
        self, row: dict[str, str], key: str, vocabulary: Vocabulary, problem: Callable[[str, str], None]
    ) -> list[str]:
        codes = []
        for word in split_list(text(row.get(key))):
            code = vocabulary.lookup(word)
            if code is None:
                problem(
                    key,
                    f"{self.headings[key]}「{word}」が分かりません。コードか名前で書いてください"
                    f"（例: {vocabulary.examples()}。一覧は docs/import.md）。",
                )
            elif code not in codes:
                codes.append(code)
        return codes

    def _areas(
        self, value: str, municipality: str | None, prefecture: str | None, problem: Callable[[str, str], None]
    ) -> list[AreaRecord]:
        """対象地域: codes or names of municipalities and prefectures, or 全国; by default the row's own."""
        areas: list[AreaRecord] = []
        for word in split_list(value):
            folded = fold(word)
            try:
                if folded in ("全国", "日本全国"):
                    areas.append(AreaRecord(kind="nationwide"))
                elif re.fullmatch(r"\d{5,6}", folded):
                    areas.append(
                        AreaRecord(kind="municipality", municipality_code=self.areas.municipality_code(folded))
                    )
                elif re.fullmatch(r"\d{1,2}", folded) or folded in self.areas.prefecture_by_name:
                    areas.append(AreaRecord(kind="prefecture", prefecture_code=self.areas.prefecture_code(folded)))
                elif code := self.areas.municipality_by_name(folded, prefecture):
                    areas.append(AreaRecord(kind="municipality", municipality_code=code))
                else:
                    raise Invalid(
                        f"対象地域「{word}」が分かりません。市区町村コード（例: 142042）、都道府県名（例: 神奈川県）、"
                        "市区町村名（例: 神奈川県鎌倉市）か「全国」で書いてください。"
                    )
            except Invalid as exc:
                problem("areas", str(exc))
        if not value and municipality:
            areas.append(AreaRecord(kind="municipality", municipality_code=municipality))
        elif not value and prefecture:
            areas.append(AreaRecord(kind="prefecture", prefecture_code=prefecture))
        return areas

    def _count_hours(self, number: int, parsed: Any, hours_text: str) -> None:
        if parsed is None:
            self.counts["hours_missing"] += 1
        elif parsed.parsed:
            self.counts["hours_parsed"] += 1
        else:
            self.counts["hours_unparsed"] += 1
            self.result.notes.append(
                Problem(
                    self.file,
                    number,
                    self.headings["hours"],
                    f"受付時間「{one_line(hours_text)}」を曜日と時刻に直せませんでした。文章のまま載せます"
                    "（「月曜日～金曜日 9:00～17:00」のように書くと、今あいているかを表示できます）。",
                )
            )


def _line_url(value: str) -> str:
    """A LINE link, or an official account id (@tsunagari) made into its add-friend link."""
    folded = fold(value)
    if folded.startswith(("https://", "http://")):
        return clean_url(folded, "LINEのURL")
    if _LINE_ID.fullmatch(folded):
        account = folded if folded.startswith("@") else "@" + folded
        return "https://line.me/R/ti/p/" + quote(account)
    raise Invalid(
        f"LINE「{value}」を読み取れません。友だち追加のURL（https://lin.ee/…）か、@から始まるIDで書いてください。"
    )
