"""CSV for spreadsheets: a byte-order mark, and formulas defused."""

from __future__ import annotations

import csv
import io
from pathlib import Path

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


def test_every_csv_response_of_the_product_goes_through_csv_lines() -> None:
    """Issue 10 item 15: a new CSV download cannot skip the formula defusing unnoticed.

    Each module that answers with text/csv must build its body with csv_lines; each has its own
    test that reads the download back with tests.spreadsheets.read_export.
    """
    root = Path(__file__).resolve().parents[2] / "tsunagari"
    answering = {
        path.relative_to(root).as_posix(): path.read_text(encoding="utf-8")
        for path in root.rglob("*.py")
        if 'content_type="text/csv' in path.read_text(encoding="utf-8")
    }
    assert set(answering) == {
        "workspace/audit.py",
        "programs/views.py",
        "reporting/oversight_views.py",
        "surveys/views.py",
        "membership/views.py",
    }, "a new CSV export: defuse it and test it"
    for name, source in answering.items():
        assert source.count('"text/csv') == source.count("csv_lines("), name
    # Other CSV writers write data files, not downloads for spreadsheets: HSDS (raw by decision,
    # docs/hsds.md), the reference areas and the pinned Geolonia file (built by developers).
    writers = {path.relative_to(root).as_posix() for path in root.rglob("*.py") if "csv.writer(" in path.read_text()}
    assert writers == {"lib/spreadsheet.py", "directory/export.py", "tenancy/reference.py", "lib/datasets.py"}
