"""Checks shared by the tests of every CSV export: opened in Excel, no cell may run as a formula."""

from __future__ import annotations

import csv
import io

from tsunagari.lib.spreadsheet import FORMULA_STARTS

# One value for each way a cell can start a formula (= + - @, tab, carriage return).
FORMULAS = ('=HYPERLINK("http://evil.example","x")', "+81-3-0000-0000", "-2+3", "@SUM(A1:A2)", "\t=1+1", "\r=1+1")


def read_export(text: str) -> list[list[str]]:
    """The rows of an exported CSV, after checking that no cell would run as a formula."""
    assert text.startswith("\ufeff"), "the byte-order mark Excel needs to read UTF-8"
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline="")))
    dangerous = [cell for row in rows for cell in row if cell.startswith(FORMULA_STARTS)]
    assert dangerous == [], f"cells a spreadsheet would run as formulas: {dangerous}"
    return rows
