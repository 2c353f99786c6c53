"""The filter tokens stored with each document, and boolean expressions over them.

Every filter (platform, area, need, channel, hours, …) is a token in the document's `facets`, so
one full-text lookup answers the words and the filters together, on SQLite (FTS5) and PostgreSQL
(GIN) alike. Each token contains an underscore: neither the analyser (which removes them) nor
PostgreSQL's parser (which splits on them) ever makes a body word that could be mistaken for one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

WEEKDAYS = ("mo", "tu", "we", "th", "fr", "sa", "su")

NATIONWIDE = "a_all"
OPEN_24H = "o_24h"
CLOSED_ON_HOLIDAYS = "x_hol"
CLOSED_YEAR_END = "x_ye"
HOURS_KNOWN = "h_known"

_UNSAFE = re.compile(r"[^a-z0-9_]+")


def _safe(value: str) -> str:
    return _UNSAFE.sub("_", value.lower()).strip("_")


def visible(platform_id: int) -> str:
    """Published and not defunct, owned by this platform: drafts get no such token at all."""
    return f"v_{platform_id}"


def visible_in(platform_id: int, area_token: str) -> str:
    """Visible as `visible(platform_id)` and for the area of `area_token` (am_, ap_, ai_ or a_all).

    A city's portal shows its own rows and the national rows for its area. As `v_1 & (am_… |
    ap_… | a_all)` PostgreSQL's GIN index must read the posting list of `v_1` (nearly every
    document) to answer it; as an OR of these combined tokens it reads only short lists.
    """
    return f"{visible(platform_id)}_{area_token}"


def closed_on_date(month: int, day: int) -> str:
    """Closed on this day every year (Schedule.closed_dates: 慰霊の日 is x_d0623)."""
    return f"x_d{month:02d}{day:02d}"


def is_area(token: str) -> bool:
    return token == NATIONWIDE or token.startswith(("am_", "ap_", "ai_"))


def need(code: str) -> str:
    return f"n_{_safe(code)}"


def target(code: str) -> str:
    return f"t_{_safe(code)}"


def attribute(code: str) -> str:
    return f"at_{_safe(code)}"


def channel(kind: str) -> str:
    return f"c_{_safe(kind)}"


def language(code: str) -> str:
    return f"l_{_safe(code)}"


def area_municipality(code: str) -> str:
    """The service is for this municipality."""
    return f"am_{code}"


def area_prefecture(code: str) -> str:
    """The service is for the whole of this prefecture."""
    return f"ap_{code}"


def area_in_prefecture(code: str) -> str:
    """The service is for this prefecture or for some place in it (what a prefecture's portal shows)."""
    return f"ai_{code}"


def open_hour(weekday: int, hour: int) -> str:
    """Open for at least part of this hour on this weekday (0 = Monday); the minutes are checked in SQL."""
    return f"o_{WEEKDAYS[weekday]}_{hour:02d}"


def open_full_hour(weekday: int, hour: int) -> str:
    """Open for the whole of this hour on this weekday: no need to check the minutes."""
    return f"of_{WEEKDAYS[weekday]}_{hour:02d}"


@dataclass(frozen=True)
class Expr:
    """A boolean expression over tokens: `token`, or `op` ("and", "or") over `items`, minus `excluded`."""

    token: str = ""
    op: str = ""
    items: tuple[Expr, ...] = ()
    excluded: tuple[Expr, ...] = ()

    def fts5(self) -> str:
        """The FTS5 query syntax, tokens quoted."""
        if self.token:
            core = '"' + self.token.replace('"', '""') + '"'
        else:
            joiner = " AND " if self.op == "and" else " OR "
            core = "(" + joiner.join(item.fts5() for item in self.items) + ")"
        for item in self.excluded:
            # FTS5's NOT is binary: `a NOT b`.
            core = f"({core} NOT {item.fts5()})"
        return core

    def tsquery(self) -> str:
        """The PostgreSQL tsquery syntax, lexemes quoted so that they are taken as they are."""
        if self.token:
            core = "'" + self.token.replace("\\", "\\\\").replace("'", "''") + "'"
        else:
            joiner = " & " if self.op == "and" else " | "
            core = "(" + joiner.join(item.tsquery() for item in self.items) + ")"
        for item in self.excluded:
            core = f"({core} & !{item.tsquery()})"
        return core


def term(token: str) -> Expr:
    return Expr(token=token)


def all_of(*items: Expr) -> Expr:
    return items[0] if len(items) == 1 else Expr(op="and", items=items)


def any_of(*items: Expr) -> Expr:
    return items[0] if len(items) == 1 else Expr(op="or", items=items)


def but_not(expr: Expr, *excluded: Expr) -> Expr:
    return Expr(token=expr.token, op=expr.op, items=expr.items, excluded=expr.excluded + excluded)
