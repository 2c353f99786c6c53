"""CSV that municipal offices open in Excel: UTF-8 with a byte-order mark, and no formulas.

A cell beginning with = + - @ (or a tab or carriage return) is read by Excel and LibreOffice as
a formula, so a resident who registers as `=HYPERLINK(…)` could run one on a coordinator's PC
(CSV injection, OWASP). Such cells get a leading apostrophe, which the spreadsheet shows as text.
Telephone numbers written `+81…` get it too; that is the price of the rule.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from typing import Any

__all__ = ["FORMULA_STARTS", "csv_lines", "safe_cell"]

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """`value`, with a leading apostrophe if it is text a spreadsheet would run as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_lines(header: Iterable[Any], rows: Iterable[Iterable[Any]]) -> Iterator[str]:
    """The CSV text, line by line (for a streaming response): a byte-order mark, the header, safe rows."""
    writer = csv.writer(_Echo())
    # The byte-order mark tells Excel (what most municipal offices open CSV with) that this is UTF-8.
    yield "\ufeff" + writer.writerow([safe_cell(cell) for cell in header])
    for row in rows:
        yield writer.writerow([safe_cell(cell) for cell in row])
