"""The aggregate picture of local needs: counts per need over recent days, and an SVG bar chart of them."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Sum
from django.utils import timezone

from tsunagari.tenancy.models import Platform

from .models import NeedDailyCount
from .ranking import need_labels


@dataclass(frozen=True)
class Bar:
    code: str
    label: str
    count: int
    width: float
    y: int

    @property
    def end(self) -> float:
        return self.width + 205


def need_totals(platform: Platform, *, days: int = 30, today: datetime.date | None = None) -> list[tuple[str, int]]:
    """(need code, conversations) over the last `days` days, most frequent first."""
    today = today or timezone.localdate()
    rows = (
        NeedDailyCount.objects.filter(platform=platform, date__gt=today - datetime.timedelta(days=days))
        .values("need_code")
        .annotate(total=Sum("count"))
        .order_by("-total", "need_code")
    )
    return [(row["need_code"], int(row["total"])) for row in rows]


def bars(totals: list[tuple[str, int]], *, width: float = 360.0, row: int = 24) -> list[Bar]:
    """Horizontal bars scaled to the largest count, for a server-side SVG chart."""
    top = max((count for _code, count in totals), default=0) or 1
    labels = need_labels()
    return [
        Bar(code, labels.get(code, code), count, round(width * count / top, 1), index * row)
        for index, (code, count) in enumerate(totals)
    ]
