"""CSV for spreadsheets: a byte-order mark, and formulas defused."""

from __future__ import annotations

import csv
import io

import pytest

from tsunagari.lib.spreadsheet import csv_lines, safe_cell


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('=HYPERLINK("http://evil.example")', '\'=HYPERLINK("http://evil.example")'),
        ("+81-467-00-0000", "'+81-467-00-0000"),
        ("-1+2", "'-1+2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("山田 =1", "山田 =1"),
        ("0467-00-0000", "0467-00-0000"),
        ("", ""),
        (3, 3),
        (None, None),
    ],
)
def test_cells_that_would_run_as_formulas_become_text(value: object, expected: object) -> None:
    assert safe_cell(value) == expected


def test_the_file_opens_in_excel_as_utf8_and_reads_back() -> None:
    text = "".join(csv_lines(["名前", "メール"], [["=1+1", "a@example.jp"], ["佐藤, 花子", ""]]))
    assert text.startswith("\ufeff名前,メール\r\n")
    assert list(csv.reader(io.StringIO(text.removeprefix("\ufeff")))) == [
        ["名前", "メール"],
        ["'=1+1", "a@example.jp"],
        ["佐藤, 花子", ""],
    ]
