"""Fictional files in the shape of the NTA's register downloads (全件データ, 「CSV形式・Unicode」).

No header row, 30 columns in the order of 国税庁's 「ダウンロードデータ 仕様書」. The names and
numbers are made up (numbers with a right check digit, names no corporation holds); nothing
here comes from the real register. Also used by bench/corporate_register.py.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable
from pathlib import Path

from tsunagari.membership.validators import corporate_number_check_digit


def fictional_number(serial: int) -> str:
    """A valid 13-digit number for a fictional registered corporation (its twelve digits start 4)."""
    base = f"4{serial:011d}"
    return f"{corporate_number_check_digit(base)}{base}"


def register_row(
    sequence: int,
    number: str,
    name: str,
    *,
    kind: str = "301",
    furigana: str = "",
    prefecture: str = "神奈川県",
    city: str = "鎌倉市",
    close_date: str = "",
    latest: str = "1",
    update_date: str = "2026-10-30",
) -> list[str]:
    """One row, columns 1–30 of the specification."""
    return [
        str(sequence),  # 1 sequenceNumber
        number,  # 2 corporateNumber
        "01",  # 3 process (新規)
        "0",  # 4 correct
        update_date,  # 5 updateDate
        update_date,  # 6 changeDate
        name,  # 7 name
        "",  # 8 nameImageId
        kind,  # 9 kind
        prefecture,  # 10 prefectureName
        city,  # 11 cityName
        "架空町1-2-3",  # 12 streetNumber
        "",  # 13 addressImageId
        "14",  # 14 prefectureCode
        "204",  # 15 cityCode
        "2480000",  # 16 postCode
        "",  # 17 addressOutside
        "",  # 18 addressOutsideImageId
        close_date,  # 19 closeDate
        "01" if close_date else "",  # 20 closeCause
        "",  # 21 successorCorporateNumber
        "",  # 22 changeCause
        "2015-10-05",  # 23 assignmentDate
        latest,  # 24 latest
        "",  # 25 enName
        "",  # 26 enPrefectureName
        "",  # 27 enCityName
        "",  # 28 enAddressOutside
        furigana,  # 29 furigana
        "0",  # 30 hihyoji
    ]


def csv_text(rows: Iterable[list[str]]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return out.getvalue()


def write_csv(path: Path, rows: Iterable[list[str]]) -> Path:
    path.write_bytes(csv_text(rows).encode("utf-8"))
    return path


def write_zip(path: Path, rows: Iterable[list[str]]) -> Path:
    """A zip like the downloads: one CSV inside, named like the zip."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(path.with_suffix(".csv").name, csv_text(rows).encode("utf-8"))
    return path
