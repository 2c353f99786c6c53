"""Dates as written in Japanese ledgers: Western and era (和暦) forms, era boundaries checked."""

from __future__ import annotations

import datetime

import pytest

from tsunagari.lib.wareki import parse_date


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1950-04-01", datetime.date(1950, 4, 1)),
        ("1950/4/1", datetime.date(1950, 4, 1)),
        ("１９５０年４月１日", datetime.date(1950, 4, 1)),
        ("昭和25年4月1日", datetime.date(1950, 4, 1)),
        ("S25.4.1", datetime.date(1950, 4, 1)),
        ("h2/4/1", datetime.date(1990, 4, 1)),
        ("大正15年12月24日", datetime.date(1926, 12, 24)),
        ("昭和64年1月7日", datetime.date(1989, 1, 7)),
        ("平成元年1月8日", datetime.date(1989, 1, 8)),
        ("令和元年5月1日", datetime.date(2019, 5, 1)),
        ("R8.4.1", datetime.date(2026, 4, 1)),
    ],
)
def test_it_reads_western_and_era_dates(text: str, expected: datetime.date) -> None:
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "昭和64年1月8日",
        "平成31年5月1日",
        "大正15年12月25日",
        "昭和0年1月1日",
        "1950-02-30",
        "R6.13.1",
        "1950",
        "きのう",
        "",
    ],
)
def test_it_refuses_what_is_no_date_or_outside_its_era(text: str) -> None:
    assert parse_date(text) is None
