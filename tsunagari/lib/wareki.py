"""Dates as people in Japan write them: 1950-04-01, 1950/4/1, 1950年4月1日, 昭和25年4月1日, S25.4.1.

Case ledgers kept in Excel hold birth dates in the Japanese era calendar (和暦) as often as in the
Western one, full-width digits included. An era year is checked against the era's first and last
day (昭和64年1月8日 was already 平成), so a typo does not quietly become another person's birthday.
"""

from __future__ import annotations

import datetime
import re
import unicodedata

__all__ = ["ERAS", "parse_date"]

# (name, one-letter abbreviation, first day). An era ends the day before the next one begins.
ERAS: tuple[tuple[str, str, datetime.date], ...] = (
    ("明治", "M", datetime.date(1868, 10, 23)),
    ("大正", "T", datetime.date(1912, 7, 30)),
    ("昭和", "S", datetime.date(1926, 12, 25)),
    ("平成", "H", datetime.date(1989, 1, 8)),
    ("令和", "R", datetime.date(2019, 5, 1)),
)

_SEP = r"\s*[-/.年]\s*"
_WESTERN = re.compile(rf"(\d{{4}}){_SEP}(\d{{1,2}}){_SEP.replace('年', '月')}(\d{{1,2}})\s*日?")
_ERA = re.compile(
    rf"({'|'.join(name for name, _a, _d in ERAS)}|[{''.join(a for _n, a, _d in ERAS)}])\s*(\d{{1,2}}|元)"
    rf"{_SEP}(\d{{1,2}}){_SEP.replace('年', '月')}(\d{{1,2}})\s*日?",
    re.IGNORECASE,
)


def parse_date(value: str) -> datetime.date | None:
    """The date `value` names, or None when it is not a date written in a way listed above."""
    folded = unicodedata.normalize("NFKC", value).strip()
    if match := _WESTERN.fullmatch(folded):
        try:
            return datetime.date(*(int(part) for part in match.groups()))
        except ValueError:
            return None
    if match := _ERA.fullmatch(folded):
        era, year_text, month, day = match.groups()
        index = next(i for i, (name, letter, _d) in enumerate(ERAS) if era in (name, letter, letter.lower()))
        first = ERAS[index][2]
        year = 1 if year_text == "元" else int(year_text)
        try:
            when = datetime.date(first.year + year - 1, int(month), int(day))
        except ValueError:
            return None
        following = ERAS[index + 1][2] if index + 1 < len(ERAS) else None
        if year < 1 or when < first or (following is not None and when >= following):
            return None
        return when
    return None
