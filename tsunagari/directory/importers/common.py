"""What the parsers share: reading spreadsheets in any Japanese encoding, checking values, areas.

Checks return the cleaned value or raise `Invalid` with a Japanese sentence that tells the person
what to write instead; the parser turns it into a `records.Problem` with the file, row and column.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email

from tsunagari.directory.models import stable_id
from tsunagari.directory.opening import format_closed_dates, opening_byday
from tsunagari.lib.hours import ParsedHours, parse_hours
from tsunagari.tenancy.reference import check_digit

from .records import ParseResult, Problem, ScheduleRecord

__all__ = [
    "NO_AREAS",
    "AreaIndex",
    "ImportFailed",
    "Invalid",
    "ParsedWithNotes",
    "Table",
    "check_digit",
    "clean_corporate_number",
    "clean_date",
    "clean_email",
    "clean_int",
    "clean_phone",
    "clean_postal_code",
    "clean_url",
    "generated_id",
    "hours_to_schedules",
    "read_table",
    "says_free",
    "split_list",
    "text",
]


# The areas are loaded by `migrate` (tenancy migration 0003); a database without them was never migrated.
NO_AREAS = "市区町村がまだ登録されていません。先に `python -m tsunagari migrate` を実行してください。"


class ImportFailed(Exception):  # noqa: N818 - reads as a sentence: raise ImportFailed("…")
    """The import cannot even start (no such file, unknown format or platform); said in Japanese."""


class Invalid(ValueError):  # noqa: N818 - raise Invalid("…") reads as what it says
    """A value that cannot be used; the message tells the person what to write."""


@dataclass
class ParsedWithNotes(ParseResult):
    """A ParseResult that also carries warnings: things imported anyway but worth a look.

    records.ParseResult has no place for warnings yet (unparsed hours, areas guessed, columns
    ignored); the writer reads `notes` when it is there, so other parsers need not care.
    """

    notes: list[Problem] = field(default_factory=list)
    # Which file the services and the crisis lines came from, for problems found while writing
    # (records.ServiceRecord knows its row but not its file).
    services_file: str = ""
    crisis_lines_file: str = ""


# --------------------------------------------------------------------------
# Reading tables
# --------------------------------------------------------------------------


@dataclass
class Table:
    """A CSV file read whole: its header, its data rows with their spreadsheet row numbers."""

    file: str
    encoding: str
    header: list[str]
    rows: list[tuple[int, list[str]]]  # (row number as a spreadsheet shows it, cells)

    def dicts(self, columns: list[str] | None = None) -> Iterator[tuple[int, dict[str, str]]]:
        """Each row as {column: value}, with missing cells as ""."""
        names = columns or self.header
        for number, cells in self.rows:
            yield number, {name: (cells[i] if i < len(cells) else "") for i, name in enumerate(names) if name}


_XLSX_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"


def decode(data: bytes, file: str) -> tuple[str, str]:
    """The text of a file saved by Excel or anything else used in Japan, and the encoding used.

    Raises ImportFailed with advice when the bytes are a spreadsheet or no known encoding fits.
    """
    if data.startswith((_XLSX_MAGIC, _OLE_MAGIC)):
        raise ImportFailed(
            f"{file}: Excel のファイル（.xlsx / .xls）はそのままでは読めません。"
            "Excel で「名前を付けて保存」→「CSV UTF-8（コンマ区切り）」で保存し直してください。"
        )
    if data.startswith(b"\xef\xbb\xbf"):
        candidates: tuple[str, ...] = ("utf-8-sig",)
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        # Excel's 「Unicode テキスト」 is UTF-16 with a BOM (and tabs between cells).
        candidates = ("utf-16",)
    else:
        candidates = ("utf-8", "cp932")
    first_error: UnicodeDecodeError | None = None
    for encoding in candidates:
        # cp932 is Microsoft's Shift_JIS, what Excel in Japan writes by default; it is a superset
        # of shift_jis (① and 髙 are only in cp932), so one attempt covers both.
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError as exc:
            first_error = first_error or exc
    line = data[: first_error.start].count(b"\n") + 1 if first_error else 1
    raise ImportFailed(
        f"{file}: 文字コードを読み取れませんでした（{line}行目あたりに読めない文字があります）。"
        "UTF-8 か Shift_JIS で保存し直してください（Excel なら「CSV UTF-8（コンマ区切り）」）。"
    )


def read_table(path: Path, *, file: str | None = None) -> Table:
    """Read a CSV (or tab-separated) file in UTF-8, UTF-8 with BOM, UTF-16 or Shift_JIS/CP932.

    Rows are numbered as a spreadsheet shows them (header = 1), so a value with line breaks
    inside still counts as one row. Rows with nothing in them are dropped.
    """
    name = file or path.name
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ImportFailed(f"{name}: ファイルを開けませんでした（{exc.strerror}）。") from exc
    content, encoding = decode(data, name)
    first_line = content.split("\n", 1)[0]
    delimiter = "\t" if first_line.count("\t") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(content, newline=""), delimiter=delimiter)
    try:
        records = list(reader)
    except csv.Error as exc:
        raise ImportFailed(f"{name}: CSV として読めませんでした（{exc}）。") from exc
    numbered = [(i, cells) for i, cells in enumerate(records, start=1) if any(cell.strip() for cell in cells)]
    if not numbered:
        raise ImportFailed(f"{name}: ファイルが空です。")
    (_n, header), rows = numbered[0], numbered[1:]
    return Table(file=name, encoding=encoding, header=[heading(cell) for cell in header], rows=rows)


def heading(cell: str) -> str:
    """A column heading as typed, made comparable: full-width letters folded, spaces and BOM gone."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", cell.replace("\ufeff", "")))


# --------------------------------------------------------------------------
# Values
# --------------------------------------------------------------------------


def text(value: str | None) -> str:
    """A cell's text: surrounding spaces gone, Windows line breaks made plain."""
    return (value or "").replace("\r\n", "\n").replace("\r", "\n").strip()


def one_line(value: str | None) -> str:
    """A cell that must fit on one line (a name, an address): line breaks become spaces."""
    return re.sub(r"\s*\n\s*", " ", text(value))


def fold(value: str) -> str:
    """Full-width digits and letters to half-width, for codes, numbers and dates."""
    return unicodedata.normalize("NFKC", value).strip()


# Not "/" or "・": URLs hold slashes, and labels such as 「DV・家族や同居人からの暴力」 hold dots.
_LIST_SEPARATORS = re.compile(r"[、，,;；\n]+")


def split_list(value: str) -> list[str]:
    """Split a cell that holds several values: 「食べ物、住まい」, "food;housing"."""
    return [part.strip() for part in _LIST_SEPARATORS.split(value) if part.strip()]


_DASHES = str.maketrans(dict.fromkeys("‐‑‒–—―ー−－ｰ", "-"))


def clean_postal_code(value: str) -> str:
    """「〒248-8686」「2488686」 → "248-8686"."""
    digits = fold(value).translate(_DASHES).lstrip("〒").replace("-", "").replace(" ", "")
    if not re.fullmatch(r"\d{7}", digits):
        raise Invalid("郵便番号は7桁の数字で書いてください（例: 248-8686）。")
    return f"{digits[:3]}-{digits[3:]}"


_SHORT_NUMBERS = re.compile(r"#?\d{3,4}")  # 110, 189, #8008, #7119


def clean_phone(value: str) -> str:
    """A Japanese phone number as written with hyphens, checked to have a plausible length."""
    number = re.sub(r"[\s()（）]+", "-", fold(value).translate(_DASHES)).strip("-")
    number = re.sub(r"-{2,}", "-", number)
    digits = re.sub(r"\D", "", number)
    if _SHORT_NUMBERS.fullmatch(number):
        return number
    if not re.fullmatch(r"\+?[\d-]+", number) or not (10 <= len(digits) <= 11 or number.startswith("+")):
        raise Invalid(
            f"電話番号「{value}」を読み取れません。市外局番から数字とハイフンで書いてください（例: 0467-23-3000）。"
        )
    return number


_url_validator = URLValidator(schemes=["http", "https"])


def clean_url(value: str, what: str = "URL") -> str:
    url = fold(value)
    if not _is_url(url):
        raise Invalid(f"{what}「{value}」は正しいURLではありません。https:// から始めて書いてください。")
    return url


@lru_cache(maxsize=16384)
def _is_url(url: str) -> bool:
    # Django's validator is thorough and slow; the same few thousand pages repeat in big files.
    try:
        _url_validator(url)
    except ValidationError:
        return False
    return True


def clean_email(value: str) -> str:
    address = fold(value)
    try:
        validate_email(address)
    except ValidationError:
        raise Invalid(f"メールアドレス「{value}」を読み取れません（例: soudan@city.example.lg.jp）。") from None
    return address


def clean_date(value: str, what: str = "日付") -> datetime.date:
    """YYYY-MM-DD or YYYY/MM/DD (also 2026年7月1日, which people type)."""
    folded = fold(value)
    match = re.fullmatch(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?", folded)
    if match:
        try:
            return datetime.date(*(int(part) for part in match.groups()))
        except ValueError:
            pass
    raise Invalid(f"{what}「{value}」は 2026-07-01 か 2026/07/01 の形で書いてください。")


def clean_int(value: str, what: str, *, low: int = 0, high: int = 130) -> int:
    folded = fold(value).removesuffix("歳").removesuffix("才")
    if not re.fullmatch(r"\d{1,3}", folded) or not low <= int(folded) <= high:
        raise Invalid(f"{what}は{low}から{high}までの数字で書いてください（「{value}」は使えません）。")
    return int(folded)


def clean_corporate_number(value: str) -> str:
    """A 13-digit 法人番号 whose first digit checks the other twelve (国税庁の検査用数字)."""
    digits = fold(value).replace("-", "").replace(" ", "")
    if not re.fullmatch(r"\d{13}", digits):
        raise Invalid("法人番号は13桁の数字で書いてください（国税庁法人番号公表サイトで確かめられます）。")
    body = digits[1:]
    total = sum(int(d) * (1 if i % 2 else 2) for i, d in enumerate(body[::-1], start=1))
    if int(digits[0]) != 9 - total % 9:
        raise Invalid(f"法人番号「{value}」は検査用数字が合いません。打ち間違いがないか確かめてください。")
    return digits


_FREE_CONDITIONS = re.compile(r"条件|場合があります|場合が|による|除く|一部")


def says_free(*texts: str) -> bool:
    """True when a sentence says the consultation is free without attaching conditions to it.

    「無料法律相談・費用立替には収入・資産などの利用条件があります」 is not a promise of free help.
    """
    for sentence in re.split(r"[。\n]", "。".join(texts)):
        if "無料" in sentence and not _FREE_CONDITIONS.search(sentence):
            return True
    return False


def generated_id(*parts: str) -> str:
    """A source id for a row that has none, stable for the same identifying values."""
    return "gen-" + stable_id("generated", *(one_line(p) for p in parts)).hex[:20]


# --------------------------------------------------------------------------
# Opening hours
# --------------------------------------------------------------------------

BYDAY = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


def hours_to_schedules(opening_text: str, closed_text: str) -> tuple[ParsedHours | None, list[ScheduleRecord]]:
    """Parse published hours; schedules only when the whole text was understood.

    Schedules from half-understood text would let the portal say "open now" on a misreading, so
    an unparsed text keeps only its words (Service.hours_text) and hours_parsed = False.
    """
    parsed = parse_hours(opening_text, closed_text)
    if parsed is None or not parsed.parsed:
        return parsed, []
    notes = []
    if parsed.days_assumed:
        notes.append("曜日の記載がないため、月曜日から金曜日と読みました。")
    if parsed.holiday_hours:
        spans = "・".join(f"{a:%H:%M}～{b:%H:%M}" for a, b in parsed.holiday_hours)
        notes.append(f"祝日は {spans}。")
    if parsed.year_end_hours:
        spans = "・".join(f"{a:%H:%M}～{b:%H:%M}" for a, b in parsed.year_end_hours)
        notes.append(f"年末年始（12月29日～1月3日）は {spans}。")
    description = "".join(notes)

    def schedule(byday: str, opens_at: datetime.time | None, closes_at: datetime.time | None) -> ScheduleRecord:
        return ScheduleRecord(
            byday=byday,
            opens_at=opens_at,
            closes_at=closes_at,
            open_24h=parsed.open_24h,
            closed_on_holidays=parsed.closed_on_holidays,
            closed_year_end=parsed.closed_year_end,
            closed_dates=format_closed_dates(parsed.closed_dates),
            closed_unlisted_days=parsed.closed_unlisted_days,
            description=description,
        )

    if parsed.open_24h:
        return parsed, [schedule(",".join(BYDAY), None, None)]
    return parsed, [
        schedule(opening_byday(opening), opening.opens_at, opening.closes_at) for opening in parsed.openings
    ]


# --------------------------------------------------------------------------
# Areas
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Municipality:
    code: str
    name: str
    prefecture_code: str


@dataclass(frozen=True)
class SplitAddress:
    region: str  # prefecture name
    city: str  # municipality as written, with its 郡 when there is one
    rest: str
    municipality_code: str | None


class AreaIndex:
    """Prefectures and municipalities by code and by name, for checking codes and reading addresses."""

    def __init__(self, prefectures: dict[str, str], municipalities: Iterable[Municipality]) -> None:
        self.prefectures = prefectures  # code → name
        self.municipalities = {m.code: m for m in municipalities}
        # The first five digits identify a municipality; the sixth only checks them. Matching on
        # five also accepts the codes of files that got the check digit wrong (くらし支援ナビ's
        # municipalities.csv has 160 such, e.g. 082120 for 常陸太田市, which is 082121).
        self._by_five = {code[:5]: code for code in self.municipalities}
        self.prefecture_by_name: dict[str, str] = {}
        for code, name in prefectures.items():
            self.prefecture_by_name[name] = code
            # 東京 for 東京都, 大阪 for 大阪府, 神奈川 for 神奈川県; 北海道 stays whole.
            if name != "北海道":
                self.prefecture_by_name.setdefault(name[:-1], code)
        self._by_name: dict[str, dict[str, str]] = {}  # prefecture code → municipality name → code
        self._anywhere: dict[str, list[str]] = {}
        for m in self.municipalities.values():
            self._by_name.setdefault(m.prefecture_code, {})[m.name] = m.code
            self._anywhere.setdefault(m.name, []).append(m.code)

    @classmethod
    def from_db(cls) -> AreaIndex:
        """Read-only: the prefectures and municipalities already loaded."""
        from tsunagari.tenancy.models import Municipality as MunicipalityRow
        from tsunagari.tenancy.models import Prefecture

        return cls(
            dict(Prefecture.objects.values_list("code", "name")),
            (
                Municipality(code, name, pref)
                for code, name, pref in MunicipalityRow.objects.values_list("code", "name", "prefecture_id")
            ),
        )

    def __bool__(self) -> bool:
        return bool(self.municipalities)

    def municipality_code(self, value: str) -> str:
        """A 6-digit code from 6 digits, or from the 5 digits most lists print (the check digit added)."""
        code = fold(value).replace("-", "")
        if not re.fullmatch(r"\d{5,6}", code):
            raise Invalid(f"市区町村コード「{value}」は5桁か6桁の数字で書いてください（例: 鎌倉市は 142042）。")
        stored = self._by_five.get(code[:5])
        if len(code) == 6 and code != stored and code[5] != check_digit(code[:5]):
            raise Invalid(
                f"市区町村コード「{value}」は検査数字（6桁目）が合いません。打ち間違いがないか確かめてください。"
            )
        if stored is None:
            raise Invalid(f"市区町村コード「{value}」の市区町村が見つかりません（例: 鎌倉市は 142042）。")
        return stored

    def prefecture_code(self, value: str) -> str:
        """A 2-digit prefecture code from a code ("13", "1") or a name (東京都, 東京)."""
        folded = fold(value)
        if re.fullmatch(r"\d{1,2}", folded) and folded.zfill(2) in self.prefectures:
            return folded.zfill(2)
        if folded in self.prefecture_by_name:
            return self.prefecture_by_name[folded]
        raise Invalid(
            f"都道府県「{value}」が分かりません。「神奈川県」のように書くか、2桁のコード（例: 14）で書いてください。"
        )

    def municipality_by_name(self, name: str, prefecture_code: str | None = None) -> str | None:
        """The code of 「鎌倉市」 or 「神奈川県鎌倉市」, when the name is not ambiguous."""
        folded = fold(name)
        for code, pref_name in self.prefectures.items():
            # Whole names only: 京都市 must not read as 京都(府) + 市.
            if folded.startswith(pref_name) and len(folded) > len(pref_name):
                prefecture_code, folded = code, folded[len(pref_name) :]
                break
        if prefecture_code:
            return self._by_name.get(prefecture_code, {}).get(folded)
        codes = self._anywhere.get(folded, [])
        return codes[0] if len(codes) == 1 else None

    def split_address(
        self, address: str, *, prefecture_code: str | None, municipality_code: str | None
    ) -> SplitAddress:
        """Split 「北海道釧路市北大通12丁目1-14」 into prefecture, municipality and the rest.

        An address that names no municipality (「中区三の丸3-1-1」) is taken to be in
        `municipality_code`, the municipality the record belongs to.
        """
        rest = one_line(address)
        for code, pref_name in self.prefectures.items():
            # Whole names only, as in municipality_by_name.
            if rest.startswith(pref_name):
                prefecture_code, rest = code, rest[len(pref_name) :]
                break
        names = self._by_name.get(prefecture_code or "", {})
        gun = ""
        found = self._longest_prefix(rest, names)
        if found is None:
            match = re.match(r"(\S{1,5}?郡)", rest)
            if match:
                found = self._longest_prefix(rest[match.end() :], names)
                if found is not None:
                    gun, rest = match.group(1), rest[match.end() :]
        if found is not None:
            name, code = found
            return SplitAddress(self._prefecture_name(prefecture_code), gun + name, rest[len(name) :].strip(), code)
        home = self.municipalities.get(municipality_code or "")
        return SplitAddress(
            self._prefecture_name(prefecture_code or (home.prefecture_code if home else None)),
            home.name if home else "",
            rest,
            home.code if home else None,
        )

    def _prefecture_name(self, code: str | None) -> str:
        return self.prefectures.get(code or "", "")

    @staticmethod
    def _longest_prefix(value: str, names: dict[str, str]) -> tuple[str, str] | None:
        best: tuple[str, str] | None = None
        for name, code in names.items():
            if value.startswith(name) and (best is None or len(name) > len(best[0])):
                best = (name, code)
        return best
