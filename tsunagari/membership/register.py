"""An offline copy of the NTA's corporate number register: loading its CSV files, checking names.

国税庁 publishes the whole register (全件データ) each month as one zip per prefecture on the
法人番号公表サイト. A coordinator downloads the 「CSV形式・Unicode」 files on a connected machine
and loads them with `python -m tsunagari load-corporate-register PATH...`; nothing here goes to
the internet. The files have no header row; the columns are those of the NTA's
「ダウンロードデータ 仕様書」 (COLUMNS below, 1-based as in the specification).
"""

from __future__ import annotations

import csv
import datetime
import io
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from django.db import IntegrityError, connection, transaction
from django.utils.translation import gettext_lazy as _

from .models import CorporateRegisterEntry, CorporateRegisterLoad
from .validators import corporate_number_check_digit

# Column positions (0-based) of what we keep, out of the specification's 30.
COLUMN_COUNT = 30
NUMBER, UPDATE_DATE, NAME, KIND, PREFECTURE, CITY, CLOSE_DATE, LATEST, FURIGANA = 1, 4, 6, 8, 9, 10, 18, 23, 28

# 法人種別 codes of the specification, as the review page names them.
KIND_LABELS = {
    "101": _("national government body (国の機関)"),
    "201": _("local government (地方公共団体)"),
    "301": "株式会社",
    "302": "有限会社",
    "303": "合名会社",
    "304": "合資会社",
    "305": "合同会社",
    "399": _("other registered corporation (その他の設立登記法人)"),
    "401": _("foreign company (外国会社等)"),
    "499": _("other (その他)"),
}

BATCH_SIZE = 5000
MAX_ERRORS = 20
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


class RegisterFileError(Exception):
    """Rows that cannot be loaded; `messages` name the file and line of each (at most MAX_ERRORS)."""

    def __init__(self, messages: list[str]) -> None:
        super().__init__("\n".join(messages))
        self.messages = messages


@dataclass(frozen=True)
class LoadResult:
    rows: int
    files: list[str]
    register_date: datetime.date | None


# ---------------------------------------------------------------------------------------------
# Reading the files


def register_files(paths: Iterable[str | Path]) -> list[Path]:
    """The CSV and zip files named, a folder standing for the .csv and .zip files directly in it."""
    found: list[Path] = []
    for given in map(Path, paths):
        if given.is_dir():
            found += sorted(p for p in given.iterdir() if p.is_file() and p.suffix.lower() in {".csv", ".zip"})
        elif given.is_file():
            found.append(given)
        else:
            raise RegisterFileError([f"{given}: ファイルもフォルダもありません。"])
    if not found:
        raise RegisterFileError(["読み込む CSV または zip ファイルがありません。"])
    return found


def _csv_streams(path: Path) -> Iterator[tuple[str, IO[str]]]:
    """(name for messages, text stream) for a CSV file, or for each CSV file inside a zip."""
    if path.suffix.lower() == ".zip":
        try:
            archive = zipfile.ZipFile(path)
        except zipfile.BadZipFile:
            raise RegisterFileError([f"{path.name}: zip ファイルとして開けません。"]) from None
        with archive:
            members = [m for m in archive.namelist() if m.lower().endswith(".csv")]
            if not members:
                raise RegisterFileError([f"{path.name}: 中に CSV ファイルがありません。"])
            for member in members:
                with archive.open(member) as raw:
                    yield f"{path.name}/{member}", io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
    elif path.suffix.lower() == ".csv":
        with path.open(encoding="utf-8-sig", newline="") as text:
            yield path.name, text
    else:
        raise RegisterFileError([f"{path.name}: CSV（.csv）か zip（.zip）のファイルを指定してください。"])


def _date(value: str) -> datetime.date | None:
    if not value:
        return None
    if not _DATE.fullmatch(value):
        raise ValueError
    return datetime.date.fromisoformat(value)


# One row as inserted: the values of INSERT_FIELDS, in order.
Entry = tuple[str, str, str, str, str, str, datetime.date | None, bool]
INSERT_FIELDS = ("number", "name", "furigana", "kind", "prefecture", "city", "close_date", "latest")


def _entry(row: list[str]) -> tuple[Entry, datetime.date | None]:
    """The values of one CSV row and its update date; ValueError with a Japanese reason if it is wrong."""
    if len(row) != COLUMN_COUNT:
        raise ValueError(
            f"列の数が {len(row)} です（{COLUMN_COUNT} 列のはずです）。"
            "国税庁の「CSV形式・Unicode」のファイルか確かめてください。"
        )
    number = row[NUMBER]
    if len(number) != 13 or not number.isascii() or not number.isdigit():
        raise ValueError(f"法人番号「{number}」が13桁の数字ではありません。")
    if int(number[0]) != corporate_number_check_digit(number[1:]):
        raise ValueError(f"法人番号「{number}」の検査用数字（先頭の1桁）が合いません。")
    if not row[NAME].strip():
        raise ValueError("商号又は名称が空です。")
    if row[KIND] not in KIND_LABELS:
        raise ValueError(f"法人種別「{row[KIND]}」は仕様書にないコードです。")
    if row[LATEST] not in {"0", "1"}:
        raise ValueError(f"最新履歴「{row[LATEST]}」は 0 か 1 のはずです。")
    try:
        update_date = _date(row[UPDATE_DATE])
    except ValueError:
        raise ValueError(f"更新年月日「{row[UPDATE_DATE]}」が日付（YYYY-MM-DD）ではありません。") from None
    try:
        close_date = _date(row[CLOSE_DATE])
    except ValueError:
        raise ValueError(f"登記記録の閉鎖等年月日「{row[CLOSE_DATE]}」が日付（YYYY-MM-DD）ではありません。") from None
    entry = (number, row[NAME], row[FURIGANA], row[KIND], row[PREFECTURE], row[CITY], close_date, row[LATEST] == "1")
    return entry, update_date


def _rows(path: Path) -> Iterator[tuple[str, int, list[str] | str]]:
    """(file, line, row) for each CSV row of `path`, or (file, line, reason) for text that is not UTF-8."""
    for name, stream in _csv_streams(path):
        reader = csv.reader(stream)
        while True:
            try:
                row = next(reader)
            except StopIteration:
                break
            except UnicodeDecodeError:
                yield (
                    name,
                    reader.line_num + 1,
                    "UTF-8 として読めません。「CSV形式・Unicode」のファイルを使ってください。",
                )
                break
            except csv.Error as error:
                yield name, reader.line_num, f"CSV として読めません（{error}）。"
                break
            if row:
                yield name, reader.line_num, row


# ---------------------------------------------------------------------------------------------
# Loading


def _insert_sql() -> str:
    """The statement that writes a batch: COPY on PostgreSQL, an INSERT for executemany elsewhere.

    The ORM's bulk_create builds a model instance per row; on SQLite plain executemany of tuples
    loaded 40,000 rows/s against its 15,000, and on PostgreSQL COPY is faster again than
    executemany (bench/corporate_register.py has the figures).
    """
    quote = connection.ops.quote_name
    meta = CorporateRegisterEntry._meta
    column = {field.name: str(field.column) for field in meta.concrete_fields}
    columns = ", ".join(quote(column[name]) for name in INSERT_FIELDS)
    # Names from the model, quoted by the backend; the values go as parameters or COPY data.
    if connection.vendor == "postgresql":
        return f"COPY {quote(meta.db_table)} ({columns}) FROM STDIN"
    placeholders = ", ".join(["%s"] * len(INSERT_FIELDS))
    return f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES ({placeholders})"  # noqa: S608


def _write(sql: str, entries: list[Entry]) -> None:
    # wrap_database_errors: COPY errors too come out as Django's IntegrityError, as execute's do.
    with connection.cursor() as cursor, connection.wrap_database_errors:
        if sql.startswith("COPY"):
            with cursor.copy(sql) as copy:
                for entry in entries:
                    copy.write_row(entry)
        else:
            cursor.executemany(sql, entries)


def _insert(sql: str, batch: list[tuple[str, int, Entry]]) -> str | None:
    """Insert a batch inside a savepoint; on a second latest row for a number, say where it is."""
    try:
        with transaction.atomic():
            _write(sql, [entry for _, _, entry in batch])
    except IntegrityError:
        latest = [(name, line, entry[0]) for name, line, entry in batch if entry[-1]]
        seen = set(
            CorporateRegisterEntry.objects.filter(number__in=[n for _, _, n in latest], latest=True).values_list(
                "number", flat=True
            )
        )
        for name, line, number in latest:
            if number in seen:
                return f"{name} {line}行目: 法人番号 {number} の最新の行が2回あります（同じファイルを2回指定していませんか）。"
            seen.add(number)
        raise
    return None


def load_register(paths: Iterable[str | Path]) -> LoadResult:
    """Replace the register with the rows of the given files: all of them, or none if any is wrong."""
    files = register_files(paths)
    errors: list[str] = []
    count = 0
    newest: datetime.date | None = None
    batch: list[tuple[str, int, Entry]] = []
    sql = _insert_sql()
    with transaction.atomic():
        CorporateRegisterEntry.objects.all().delete()
        CorporateRegisterLoad.objects.all().delete()
        for path in files:
            for name, line, row in _rows(path):
                if isinstance(row, str):
                    errors.append(f"{name} {line}行目: {row}")
                    continue
                try:
                    entry, updated = _entry(row)
                except ValueError as error:
                    errors.append(f"{name} {line}行目: {error}")
                    if len(errors) >= MAX_ERRORS:
                        raise RegisterFileError(
                            [*errors, "（ほかにもあるかもしれません。ここで読むのをやめました。）"]
                        ) from None
                    continue
                if errors:
                    continue  # nothing will be kept: only look for more mistakes
                count += 1
                if updated and (newest is None or updated > newest):
                    newest = updated
                batch.append((name, line, entry))
                if len(batch) >= BATCH_SIZE:
                    if duplicate := _insert(sql, batch):
                        errors.append(duplicate)
                    batch = []
        if batch and not errors and (duplicate := _insert(sql, batch)):
            errors.append(duplicate)
        if errors:
            raise RegisterFileError(errors)
        if count == 0:
            raise RegisterFileError(["ファイルに行が1つもありません。"])
        names = [path.name for path in files]
        CorporateRegisterLoad.objects.create(rows=count, files=names, register_date=newest)
    return LoadResult(rows=count, files=names, register_date=newest)


# ---------------------------------------------------------------------------------------------
# Checking an application against it

# Legal forms, longest first so that 医療法人社団 goes before 医療法人. After NFKC the abbreviations
# are half-width: （株） and ㈱ both become (株).
_LEGAL_FORMS = sorted(
    [
        "認定特定非営利活動法人",
        "特定非営利活動法人",
        "認定NPO法人",
        "NPO法人",
        "社会福祉法人",
        "一般社団法人",
        "一般財団法人",
        "公益社団法人",
        "公益財団法人",
        "株式会社",
        "有限会社",
        "合同会社",
        "合名会社",
        "合資会社",
        "医療法人社団",
        "医療法人財団",
        "医療法人",
        "学校法人",
        "宗教法人",
        "社団法人",
        "財団法人",
        "(株)",
        "(有)",
        "(同)",
        "(名)",
        "(資)",
        "(特非)",
        "(NPO)",
        "(一社)",
        "(一財)",
        "(公社)",
        "(公財)",
        "(社福)",
        "(福)",
        "(医)",
        "(医社)",
        "(医財)",
        "(学)",
        "(宗)",
        "(社)",
        "(財)",
    ],
    key=len,
    reverse=True,
)
_LEGAL_FORM = re.compile("|".join(re.escape(form) for form in _LEGAL_FORMS), re.IGNORECASE)
_SPACES = re.compile(r"\s+")


def normalise_corporate_name(name: str) -> str:
    """A name as compared with the register: NFKC, no spaces, no legal form (株式会社, (株), （特非）…)."""
    text = _SPACES.sub("", unicodedata.normalize("NFKC", name or ""))
    # Spaces inside the brackets of an abbreviation are gone, so ( 株 ) is (株) too.
    return _LEGAL_FORM.sub("", text).casefold()


@dataclass(frozen=True)
class RegisterCheck:
    """What the loaded register says about an application's corporate number and name."""

    load: CorporateRegisterLoad | None
    entry: CorporateRegisterEntry | None = None
    name_matches: bool = False

    @property
    def loaded(self) -> bool:
        return self.load is not None

    @property
    def found(self) -> bool:
        return self.entry is not None

    @property
    def closed_on(self) -> datetime.date | None:
        return self.entry.close_date if self.entry else None

    @property
    def kind_label(self) -> str:
        return str(KIND_LABELS.get(self.entry.kind, self.entry.kind)) if self.entry else ""


def check_register(number: str, name: str) -> RegisterCheck | None:
    """The register's word on a corporate number and the name given with it (None without a number)."""
    if not number:
        return None
    load = CorporateRegisterLoad.objects.first()
    if load is None:
        return RegisterCheck(load=None)
    entry = CorporateRegisterEntry.objects.filter(number=number).order_by("-latest").first()
    if entry is None:
        return RegisterCheck(load=load)
    return RegisterCheck(
        load=load, entry=entry, name_matches=normalise_corporate_name(entry.name) == normalise_corporate_name(name)
    )
