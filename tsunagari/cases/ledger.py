"""A case ledger (相談受付台帳) kept in Excel, in and out: `import-cases` and `export-cases`.

In: CSV (UTF-8 with or without a byte-order mark, or Shift_JIS/cp932) or .xlsx, one person a row,
Japanese headings (docs/templates/cases-ledger-template.csv). Every row is checked first and every
problem is reported with its row and column; only a file without any problem is stored, in one
transaction. A person already on the platform (same name and birth date, found through the keyed
lookup hash) is a problem, not a second record.

Messages never repeat a cell's content: they end up in terminal scroll-back, cron mail and CI logs,
where a name or a telephone number must not be.

Attachments (PersonAttachment) travel as files next to the ledger: the column 添付ファイル lists, one a
line, each file's place relative to the ledger's folder. The import checks every file like an
upload (type, size, PDF safety; notices/files.py) with the rest of the ledger, refuses a place
outside the ledger's folder, and seals each file with the field keys like an upload; the export
writes the files decrypted into `<name>-attachments/<number>/<attachment id>/<file name>`.

Out: the same headings (plus the record's number and the holding organisation), decrypted, for the
platform's own records; formulas defused like every spreadsheet export (lib/spreadsheet.py); the
file and the attachments are made readable by their owner only. Each import and export writes an
audit event and a row of the hash-chained case log (caselog.py) naming every record by id.
"""

from __future__ import annotations

import csv
import datetime
import getpass
import io
import os
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone, translation

from tsunagari.audit.log import record
from tsunagari.directory.importers.common import ImportFailed, decode, heading
from tsunagari.lib.spreadsheet import FORMULA_STARTS, csv_lines
from tsunagari.lib.wareki import parse_date
from tsunagari.notices import files
from tsunagari.tenancy.models import Platform

from . import actions, caselog, crypto
from .models import Consent, Person, PersonAttachment

__all__ = ["HEADINGS", "LedgerInvalid", "Problem", "export_ledger", "import_ledger", "read_ledger"]

# Heading → Person field. The first two are required; the others may be left out of a ledger.
HEADINGS: dict[str, str] = {
    "受付日": "received_on",
    "氏名": "name",
    "ふりがな": "kana",
    "生年月日": "birth_date",
    "電話番号": "phone",
    "住所": "address",
    "相談内容": "note",
}
REQUIRED_HEADINGS = ("氏名", "生年月日")
# Other spellings found in real ledgers.
ALIASES = {
    "フリガナ": "ふりがな",
    "よみがな": "ふりがな",
    "カナ": "ふりがな",
    "名前": "氏名",
    "電話": "電話番号",
    "連絡先": "電話番号",
    "相談日": "受付日",
    "受付年月日": "受付日",
    "内容": "相談内容",
}
# Not a field of the record: the attachments' files, one place a line, relative to the ledger's folder.
ATTACHMENTS = "添付ファイル"
EXPORT_HEADINGS = ["番号", *HEADINGS, "登録団体", ATTACHMENTS]
MAX_LENGTH = {"name": 100, "kana": 100, "phone": 30, "address": 200, "note": 4000}
DATE_EXAMPLE = "（例: 1950-04-01 または 昭和25年4月1日）"


@dataclass(frozen=True)
class Problem:
    """One thing to fix, where it is: row as the spreadsheet numbers it (heading = 1), and column."""

    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        if self.row and self.column:
            return f"{self.row}行目の「{self.column}」: {self.message}"
        if self.row:
            return f"{self.row}行目: {self.message}"
        return self.message


class LedgerInvalid(Exception):  # noqa: N818 - raise LedgerInvalid(problems) reads as what it says
    """The ledger has problems; nothing was stored. `problems` lists each with its row and column."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(str(problem) for problem in problems))
        self.problems = problems


@dataclass
class Ledger:
    """The rows of a ledger file as text: its headings and (row number, cells) pairs."""

    headings: list[str]
    rows: list[tuple[int, list[str]]]
    encoding: str
    # Where the attachments' places are counted from (the ledger file's folder).
    folder: Path | None = None


@dataclass
class ImportResult:
    persons: int
    ignored_columns: list[str] = field(default_factory=list)
    encoding: str = ""
    attachments: int = 0


# --------------------------------------------------------------------------
# Reading the file
# --------------------------------------------------------------------------


def _xlsx_cell(value: Any, column: str) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, int | float) and not isinstance(value, bool):
        text = str(int(value)) if float(value).is_integer() else str(value)
        # Excel turns 0467233000 typed into a number cell into 467233000; a Japanese number
        # always begins with 0, so the lost zero is put back.
        if column == "電話番号" and not text.startswith("0"):
            text = "0" + text
        return text
    return str(value)


def _read_xlsx(path: Path) -> Ledger:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # zipfile.BadZipFile, KeyError, InvalidFileException …
        raise ImportFailed(f"{path.name}: Excel のファイルとして開けませんでした。") from error
    try:
        sheet = workbook.worksheets[0]
        rows: list[tuple[int, list[Any]]] = [
            (number, list(cells))
            for number, cells in enumerate(sheet.iter_rows(values_only=True), start=1)
            if any(cell is not None and str(cell).strip() for cell in cells)
        ]
    finally:
        workbook.close()
    if not rows:
        raise ImportFailed(f"{path.name}: ファイルが空です。1行目に見出しを書いてください。")
    (_n, header), data = rows[0], rows[1:]
    headings = [_canonical(heading(str(cell or ""))) for cell in header]
    return Ledger(
        headings=headings,
        rows=[
            (number, [_xlsx_cell(cell, headings[i] if i < len(headings) else "") for i, cell in enumerate(cells)])
            for number, cells in data
        ],
        encoding="xlsx",
    )


def _read_csv(path: Path) -> Ledger:
    content, encoding = decode(path.read_bytes(), path.name)
    try:
        records = list(csv.reader(io.StringIO(content, newline="")))
    except csv.Error as error:
        raise ImportFailed(f"{path.name}: CSV として読めませんでした（{error}）。") from error
    numbered = [(n, cells) for n, cells in enumerate(records, start=1) if any(cell.strip() for cell in cells)]
    if not numbered:
        raise ImportFailed(f"{path.name}: ファイルが空です。1行目に見出しを書いてください。")
    (_n, header), rows = numbered[0], numbered[1:]
    return Ledger(headings=[_canonical(heading(cell)) for cell in header], rows=rows, encoding=encoding)


def _canonical(name: str) -> str:
    return ALIASES.get(name, name)


def read_ledger(path: Path) -> Ledger:
    """The ledger in `path` (.xlsx, or CSV in UTF-8/Shift_JIS); ImportFailed when it cannot be read."""
    if not path.is_file():
        raise ImportFailed(f"{path}: ファイルが見つかりません。")
    with path.open("rb") as handle:
        magic = handle.read(4)
    if magic == b"PK\x03\x04" or path.suffix.lower() in (".xlsx", ".xlsm"):
        ledger = _read_xlsx(path)
    elif path.suffix.lower() == ".xls" or magic == b"\xd0\xcf\x11\xe0":
        raise ImportFailed(
            f"{path.name}: 古い Excel 形式（.xls）は読めません。"
            "Excel で「名前を付けて保存」→「Excel ブック（.xlsx）」か「CSV UTF-8」で保存し直してください。"
        )
    else:
        ledger = _read_csv(path)
    ledger.folder = path.resolve().parent
    return ledger


# --------------------------------------------------------------------------
# Checking the values
# --------------------------------------------------------------------------


class _Invalid(ValueError):  # noqa: N818 - raise _Invalid("…") reads as what it says
    """A cell that cannot be used; the message says what to write instead (never the cell)."""


def _undefuse(value: str) -> str:
    """A cell written by a defusing export ('=…) read back as the person typed it."""
    if value.startswith("'") and value[1:].startswith(FORMULA_STARTS):
        return value[1:]
    return value


def _text(value: str) -> str:
    return _undefuse(value.replace("\r\n", "\n").replace("\r", "\n").strip())


def _one_line(value: str) -> str:
    return re.sub(r"\s*\n\s*", " ", _text(value))


_KANA = re.compile(r"[\u3041-\u309f\u30a0-\u30ffー・\s]+")
_DASHES = str.maketrans(dict.fromkeys("‐‑‒–—―ー−－ｰ", "-"))


def _date(value: str, *, today: datetime.date) -> datetime.date | None:
    if not value:
        return None
    parsed = parse_date(value)
    if parsed is None:
        raise _Invalid(f"日付として読めません{DATE_EXAMPLE}。")
    if parsed > today:
        raise _Invalid("未来の日付です。年（和暦なら元号）を確かめてください。")
    if parsed.year < 1900:
        raise _Invalid(f"1900年より前の日付です。年を確かめてください{DATE_EXAMPLE}。")
    return parsed


def _phone(value: str) -> str:
    if not value:
        return ""
    number = re.sub(r"[\s()（）]+", "-", unicodedata.normalize("NFKC", value).translate(_DASHES)).strip("-")
    number = re.sub(r"-{2,}", "-", number)
    digits = re.sub(r"\D", "", number)
    if not re.fullmatch(r"\+?[\d-]+", number) or not (10 <= len(digits) <= 11 or number.startswith("+")):
        raise _Invalid("電話番号として読めません。市外局番から数字とハイフンで書いてください（例: 0467-23-3000）。")
    return number


def _kana(value: str) -> str:
    folded = unicodedata.normalize("NFKC", value).strip()  # half-width ｶﾅ → カナ
    if folded and not _KANA.fullmatch(folded):
        raise _Invalid("ひらがなかカタカナで書いてください（漢字や英字は「氏名」へ）。")
    return re.sub(r"\s+", " ", folded)


def _clean(column: str, raw: str, *, today: datetime.date) -> Any:
    field_name = HEADINGS[column]
    if field_name in ("received_on", "birth_date"):
        return _date(_text(raw), today=today)
    if field_name == "phone":
        return _phone(_text(raw))
    if field_name == "kana":
        return _kana(_text(raw))
    value = _text(raw) if field_name == "note" else _one_line(raw)
    if field_name == "name" and not value:
        raise _Invalid("空です。氏名は必ず書いてください。")
    if len(value) > MAX_LENGTH[field_name]:
        raise _Invalid(f"長すぎます（{MAX_LENGTH[field_name]}文字まで）。")
    return value


def _file_problem(error: ValidationError) -> str:
    """The upload check's message in Japanese, without the file's name (it may name the person)."""
    if error.code == "file_magic":
        return "中身がファイル名の拡張子と合いません。その形式で保存し直してください。"
    with translation.override("ja"):
        return " ".join(str(message) for message in error.messages)


def _attachments(raw: str, *, folder: Path | None) -> tuple[list[Path], list[str]]:
    """The files a 添付ファイル cell names, each checked like an upload; or what is wrong with each.

    A place must stay inside the ledger's folder: a ledger from elsewhere must not make the command
    read the server's own files (../../etc/passwd, an absolute path) into a person's record.
    """
    found: list[Path] = []
    problems: list[str] = []
    places = [line.strip() for line in _text(raw).split("\n") if line.strip()]
    for index, place in enumerate(places, start=1):
        nth = f"{index}つ目のファイル"
        if folder is None:
            problems.append(f"{nth}: 台帳がファイルではないため、添付ファイルの場所が分かりません。")
            continue
        path = (folder / place).resolve()
        if not path.is_relative_to(folder):
            problems.append(
                f"{nth}が台帳のあるフォルダの外を指しています。添付ファイルは台帳と同じフォルダの中に置き、"
                "そこからの位置で書いてください（例: 書き出し-attachments/12/3/手紙.pdf）。"
            )
            continue
        if not path.is_file():
            problems.append(f"{nth}が見つかりません。台帳のあるフォルダからの位置で書いてください。")
            continue
        try:
            with path.open("rb") as handle:
                files.validate_upload(UploadedFile(file=handle, name=path.name, size=path.stat().st_size))
        except ValidationError as error:
            problems.append(f"{nth}: {_file_problem(error)}")
            continue
        found.append(path)
    return found, problems


def check_ledger(
    ledger: Ledger, *, persons: QuerySet[Person], today: datetime.date
) -> tuple[list[tuple[int, dict[str, Any]]], list[Problem]]:
    """Each row's cleaned values, and every problem found (headings, values, duplicates)."""
    problems: list[Problem] = []
    missing = [name for name in REQUIRED_HEADINGS if name not in ledger.headings]
    if missing:
        problems += [
            Problem(1, None, f"見出しに「{name}」がありません。1行目に「{name}」の列を加えてください。")
            for name in missing
        ]
        return [], problems
    seen_headings: set[str] = set()
    for name in ledger.headings:
        if name in HEADINGS and name in seen_headings:
            problems.append(Problem(1, None, f"見出し「{name}」が2つあります。どちらかの列を消してください。"))
        seen_headings.add(name)
    if problems:
        return [], problems
    if not ledger.rows:
        return [], [Problem(None, None, "見出しの下に行がありません。2行目から1人1行で書いてください。")]

    columns = [(i, name) for i, name in enumerate(ledger.headings) if name in HEADINGS]
    cleaned: list[tuple[int, dict[str, Any]]] = []
    first_row_of: dict[str, int] = {}
    existing = dict(persons.values_list("lookup", "pk"))
    for number, cells in ledger.rows:
        values: dict[str, Any] = {}
        row_ok = True
        for index, name in columns:
            raw = cells[index] if index < len(cells) else ""
            try:
                values[HEADINGS[name]] = _clean(name, raw, today=today)
            except _Invalid as error:
                problems.append(Problem(number, name, str(error)))
                row_ok = False
        if ATTACHMENTS in ledger.headings:
            index = ledger.headings.index(ATTACHMENTS)
            paths, file_problems = _attachments(cells[index] if index < len(cells) else "", folder=ledger.folder)
            problems += [Problem(number, ATTACHMENTS, message) for message in file_problems]
            row_ok = row_ok and not file_problems
            values["attachments"] = paths
        if not row_ok:
            continue
        key = crypto.lookup_hash(values["name"], values.get("birth_date"))
        if key in first_row_of:
            problems.append(
                Problem(
                    number,
                    None,
                    f"「氏名」と「生年月日」が{first_row_of[key]}行目と同じです。"
                    "同じ人なら1行にまとめ、別の人なら生年月日を確かめてください。",
                )
            )
        elif key in existing:
            problems.append(
                Problem(
                    number,
                    None,
                    f"「氏名」と「生年月日」が同じ人がすでに登録されています（番号 {existing[key]}）。"
                    "この行を消してください。",
                )
            )
        first_row_of.setdefault(key, number)
        cleaned.append((number, values))
    return cleaned, problems


# --------------------------------------------------------------------------
# Import and export
# --------------------------------------------------------------------------


def import_ledger(path: Path, *, platform: Platform, organization: Any) -> ImportResult:
    """Store every person of the ledger, held by `organization`, or nothing (LedgerInvalid, ImportFailed)."""
    ledger = read_ledger(path)
    today = timezone.localdate()
    stored: list[PersonAttachment] = []
    try:
        return _store_ledger(ledger, path, platform=platform, organization=organization, today=today, stored=stored)
    except BaseException:
        # Nothing stored: the rows roll back, and the sealed files written so far go too.
        for attachment in stored:
            attachment.blob.storage.delete(str(attachment.blob.name))
        raise


def _store_ledger(
    ledger: Ledger,
    path: Path,
    *,
    platform: Platform,
    organization: Any,
    today: datetime.date,
    stored: list[PersonAttachment],
) -> ImportResult:
    """import_ledger's transaction; `stored` collects the attachments written, for the caller to undo."""
    with transaction.atomic():
        # Locked against a second import of the same platform running at once: both would pass
        # the duplicate check before either wrote.
        Platform.objects.select_for_update().filter(pk=platform.pk).first()
        rows, problems = check_ledger(ledger, persons=Person.objects.filter(platform=platform), today=today)
        if problems:
            raise LedgerInvalid(problems)
        created: list[int] = []
        for _number, values in rows:
            places: list[Path] = values.pop("attachments", [])
            person = Person.objects.create(platform=platform, registered_by=organization, **values)
            created.append(person.pk)
            # The organisation kept this ledger already; how each person agreed is not in it (method
            # left blank), so the import records the holding from the day the case was taken on.
            Consent.objects.create(
                platform=platform, person=person, organization=organization, given_on=values.get("received_on") or today
            )
            for place in places:
                kind = files.file_type(place.name)
                assert kind is not None  # checked with the rest of the ledger
                stored.append(
                    actions.store_attachment(
                        person,
                        place.read_bytes(),
                        name=place.name,
                        content_type=kind.content_type,
                        organization_id=organization.pk,
                    )
                )
        record(
            "cases.persons.imported",
            platform=platform,
            object_type="cases.person",
            object_repr=f"{len(rows)} persons",
            changes={
                "persons": len(rows),
                "attachments": len(stored),
                "file": path.name,
                "organisation": str(organization.pk),
                "by": _os_user(),
            },
        )
        # Person data written, as from a case page: the hash-chained case log names every record made.
        caselog.append(
            platform_id=platform.pk,
            action=caselog.CHANGE,
            organizations=[organization.pk],
            persons=created,
            url_name="import-cases",
            detail={
                "command": "import-cases",
                "file": path.name,
                "persons": len(rows),
                "attachments": [attachment.pk for attachment in stored],
                "by": _os_user(),
            },
        )
    ignored = [name for name in ledger.headings if name and name not in HEADINGS and name != ATTACHMENTS]
    return ImportResult(persons=len(rows), ignored_columns=ignored, encoding=ledger.encoding, attachments=len(stored))


def _os_user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name (a container without /etc/passwd entry)
        return ""


def ledger_rows(persons: Iterable[Person], places: dict[int, list[str]] | None = None) -> Iterable[list[Any]]:
    for person in persons:
        yield [
            person.pk,
            person.received_on.isoformat() if person.received_on else "",
            person.name,
            person.kana,
            person.birth_date.isoformat() if person.birth_date else "",
            person.phone,
            person.address,
            person.note,
            person.registered_by.name,
            "\n".join((places or {}).get(person.pk, [])),
        ]


def attachments_folder(out: Path) -> Path:
    """Where export-cases writes the attachments of the ledger `out`: `<name>-attachments/` beside it."""
    return out.with_name(f"{out.stem}-attachments")


def _write_private(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    os.fchmod(fd, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)


def _export_attachments(kept: Iterable[PersonAttachment], out: Path) -> dict[int, list[str]]:
    """Write each attachment decrypted under attachments_folder(out); each person's places, for the 添付ファイル column."""
    folder = attachments_folder(out)
    places: dict[int, list[str]] = {}
    for attachment in kept:
        where = folder / str(attachment.person_id) / str(attachment.pk)
        for made in (folder, folder / str(attachment.person_id), where):
            made.mkdir(mode=0o700, exist_ok=True)
            made.chmod(0o700)
        target = where / attachment.name
        _write_private(target, actions.read_attachment(attachment))
        places.setdefault(attachment.person_id, []).append(target.relative_to(out.parent).as_posix())
    return places


def export_ledger(out: Path, *, platform: Platform, organization: Any = None) -> int:
    """Write the platform's persons (or one organisation's) to `out`, decrypted; audited. Returns the count."""
    persons = Person.objects.filter(platform=platform).select_related("registered_by").order_by("pk")
    kept = PersonAttachment.objects.filter(person__in=persons.values("pk")).order_by("person_id", "pk")
    if organization is not None:
        persons = persons.filter(registered_by=organization)
        kept = kept.filter(person__registered_by=organization, organization=organization)
    folder = attachments_folder(out)
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise FileExistsError(
            f"{folder}: 添付ファイルの書き出し先がすでにあります。前に書き出したものなら消すか、"
            "別のファイル名を指定してください。"
        )
    with transaction.atomic():
        count = persons.count()
        exported_files = list(kept)
        places = _export_attachments(exported_files, out)
        # Readable by its owner only: the file holds everything the database keeps encrypted.
        fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.fchmod(fd, 0o600)
        exported: list[int] = []

        def each(rows: Iterable[Person]) -> Iterable[Person]:
            for person in rows:
                exported.append(person.pk)
                yield person

        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            for line in csv_lines(EXPORT_HEADINGS, ledger_rows(each(persons.iterator()), places)):
                handle.write(line)
        record(
            "cases.persons.exported",
            platform=platform,
            object_type="cases.person",
            object_repr=f"{count} persons",
            changes={
                "persons": count,
                "attachments": len(exported_files),
                "file": str(out),
                "organisation": str(organization.pk) if organization is not None else "",
                "by": _os_user(),
            },
        )
        # An export of person data, like the disclosure file: in the hash-chained case log, every record by id.
        caselog.append(
            platform_id=platform.pk,
            action=caselog.EXPORT,
            organizations=[organization.pk] if organization is not None else [],
            persons=exported,
            url_name="export-cases",
            detail={
                "command": "export-cases",
                "file": str(out),
                "persons": count,
                "attachments": [attachment.pk for attachment in exported_files],
                "by": _os_user(),
            },
        )
    return count
