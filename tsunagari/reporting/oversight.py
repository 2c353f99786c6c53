"""The prefecture and national picture: what observers see across the platforms they oversee.

Observers hold an OBSERVER role on each platform they oversee (docs/accounts.md); that set is the
only thing that decides what they see here. A prefecture's staff observing its municipalities'
platforms see those; the national side, observing every platform, sees all of them. Only counts
leave the platforms, each withheld below REPORTING_SMALL_CELL.

Every figure is counted for all the platforms at once (one grouped query per counter and period),
so the number of queries does not grow with the number of platforms (tests/reporting/test_oversight.py).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet, Sum

from tsunagari.accounts.models import Membership, Role
from tsunagari.knowhow.models import Entry
from tsunagari.tenancy.models import Platform
from tsunagari.tenancy.scoping import scopes_disabled

from .counters import COUNTERS, REGISTRY, first_half, fiscal_year
from .models import REQUIRED_ITEMS, Activity, BudgetLine, Item, Kpi
from .report import percent, withhold, withhold_beside

TREND_YEARS = 3


def overseen_platforms(user: Any) -> QuerySet[Platform]:
    """The platforms `user` observes (a superuser: every local platform)."""
    local = Platform.objects.exclude(kind=Platform.Kind.NATIONAL)
    if getattr(user, "is_superuser", False):
        return local
    observed = Membership.objects.filter(user_id=user.pk, role=Role.OBSERVER).values("platform_id")
    return local.filter(pk__in=observed)


@dataclass
class PlatformRow:
    pk: int
    slug: str
    name: str
    prefecture_code: str
    prefecture_name: str
    code: str
    figures: dict[str, int | None] = field(default_factory=dict)
    # The same figures in the order of Picture.keys, for templates.
    values: list[int | None] = field(default_factory=list)
    active_items: set[str] = field(default_factory=set)
    gaps: list[str] = field(default_factory=list)
    kpis: list[dict[str, Any]] = field(default_factory=list)
    budget: int = 0
    spent: int = 0

    @property
    def spent_percent(self) -> int | None:
        return percent(self.spent, self.budget)

    def item_status(self) -> list[tuple[str, str]]:
        """(item, "active" | "gap" | "none") in the programme's order."""
        return [
            (item.value, "gap" if item.value in self.gaps else "active" if item.value in self.active_items else "none")
            for item in Item
        ]


@dataclass
class Picture:
    keys: list[str]
    year: int
    as_of: datetime.date
    mid_year_passed: bool
    platforms: list[PlatformRow]
    prefectures: list[dict[str, Any]]
    totals: dict[str, int | None]
    total_rows: list[tuple[Any, int | None]]
    kpis: list[dict[str, Any]]
    trends: list[dict[str, Any]]
    knowhow: list[dict[str, Any]]
    knowhow_total: int


def picture(platforms: QuerySet[Platform], year: int, *, today: datetime.date) -> Picture:
    """Everything the oversight pages show for `platforms` in fiscal year `year`."""
    period = fiscal_year(year, as_of=today)
    half = first_half(year)
    mid_year_passed = today >= half.end
    ids = platforms.values("pk")
    rows = {
        p["pk"]: PlatformRow(
            pk=p["pk"],
            slug=p["slug"],
            name=p["name"],
            prefecture_code=p["prefecture_id"] or "",
            prefecture_name=p["prefecture__name"] or "",
            code=p["municipality_id"] or p["prefecture_id"] or "",
        )
        for p in platforms.order_by("prefecture_id", "municipality_id", "pk").values(
            "pk", "slug", "name", "prefecture_id", "prefecture__name", "municipality_id"
        )
    }
    # Every period a counter is needed for, counted in one query per counter: the year, its first
    # half (for gaps), and the same stretch of the years before (for trends).
    years = list(range(year - TREND_YEARS + 1, year + 1))
    periods = [fiscal_year(y, as_of=same_day(today, year - y)) for y in years]
    if mid_year_passed:
        periods.append(half)
    raw: dict[str, dict[int, int]] = {}
    halves: dict[str, dict[int, int]] = {}
    trends: list[dict[str, Any]] = []
    for counter in COUNTERS:
        if not counter.available:
            continue
        counted = counter.count_periods(ids, periods)
        raw[counter.key] = counts = counted[len(years) - 1]
        if mid_year_passed:
            halves[counter.key] = counted[-1]
        if not counter.stock:
            values = [withhold(sum(c.values()), suppress=True) for c in counted[: len(years)]]
            trends.append({"key": counter.key, "label": counter.label, "item": counter.item, "values": values})
        for pk, n in counts.items():
            if n > 0 and not counter.stock and pk in rows:
                rows[pk].active_items.add(counter.item)
    for row in rows.values():
        row.figures = {key: withhold(raw[key].get(row.pk, 0), suppress=True) for key in raw}
    prefectures = _by_prefecture(list(rows.values()), raw)
    totals = {key: withhold(sum(counts.values()), suppress=True) for key, counts in raw.items()}
    _withhold_beside_sums(list(rows.values()), prefectures, totals)
    for row in rows.values():
        row.values = list(row.figures.values())
    with scopes_disabled():  # the observer's platforms, chosen above; counts only
        for pk, item in (
            Activity.objects.filter(platform_id__in=ids, plan__fiscal_year=year, carried_out_on__isnull=False)
            .filter(carried_out_on__lt=period.end)
            .values_list("platform_id", "item")
            .distinct()
        ):
            rows[pk].active_items.add(item)
        if mid_year_passed:
            _gaps(rows, ids, year, half, halves)
        for pk, item, name, target, counter_key, manual in Kpi.objects.filter(
            platform_id__in=ids, plan__fiscal_year=year
        ).values_list("platform_id", "item", "name", "target", "counter", "manual_value"):
            actual = raw.get(counter_key, {}).get(pk, 0) if counter_key in REGISTRY else manual
            # As the platform's figures show it (withheld beside a sum too); a percentage of a
            # withheld count would give the count back from the target.
            shown = rows[pk].figures[counter_key] if counter_key in raw else withhold(actual, suppress=True)
            rows[pk].kpis.append(
                {
                    "item": item,
                    "name": name,
                    "target": target,
                    "counter": counter_key if counter_key in raw else "",
                    "actual": actual,
                    "shown": shown,
                    "percent": percent(shown, target),
                }
            )
        for pk, budget, spent in (
            BudgetLine.objects.filter(platform_id__in=ids, plan__fiscal_year=year)
            .order_by()
            .values("platform_id")
            .annotate(b=Sum("budget"), s=Sum("spent"))
            .values_list("platform_id", "b", "s")
        ):
            rows[pk].budget, rows[pk].spent = int(budget or 0), int(spent or 0)
        shared = Entry.objects.filter(platform_id__in=ids, published=True, scope=Entry.Scope.SHARED)
        knowhow = [
            {"pk": e["pk"], "title": e["title"], "platform": e["platform__name"], "slug": e["platform__slug"]}
            for e in shared.order_by("-created_at", "-pk").values("pk", "title", "platform__name", "platform__slug")[
                :30
            ]
        ]
        knowhow_total = shared.count()
    platform_rows = list(rows.values())
    _progress_by_prefecture(platform_rows, prefectures)
    return Picture(
        keys=list(raw),
        year=year,
        as_of=today,
        mid_year_passed=mid_year_passed,
        platforms=platform_rows,
        prefectures=prefectures,
        totals=totals,
        total_rows=[(REGISTRY[key].label, total) for key, total in totals.items()],
        kpis=_kpis_side_by_side(platform_rows),
        trends=[{"years": years, "rows": trends}],
        knowhow=knowhow,
        knowhow_total=knowhow_total,
    )


def _gaps(rows: dict[int, PlatformRow], ids: Any, year: int, half: Any, halves: dict[str, dict[int, int]]) -> None:
    done: dict[int, set[str]] = defaultdict(set)
    for pk, item in (
        Activity.objects.filter(platform_id__in=ids, plan__fiscal_year=year, carried_out_on__lt=half.end)
        .values_list("platform_id", "item")
        .distinct()
    ):
        done[pk].add(item)
    for counter in COUNTERS:
        if counter.item in REQUIRED_ITEMS and counter.key in halves and not counter.stock:
            for pk, n in halves[counter.key].items():
                if n > 0:
                    done[pk].add(counter.item)
    for row in rows.values():
        row.gaps = [item.value for item in REQUIRED_ITEMS if item.value not in done[row.pk]]


def _by_prefecture(rows: list[PlatformRow], raw: dict[str, dict[int, int]]) -> list[dict[str, Any]]:
    groups: dict[str, list[PlatformRow]] = defaultdict(list)
    for row in rows:
        groups[row.prefecture_code].append(row)
    out = []
    for code in sorted(groups):
        members = groups[code]
        out.append(
            {
                "code": code,
                "name": members[0].prefecture_name,
                "platforms": len(members),
                "figures": {
                    key: withhold(sum(counts.get(r.pk, 0) for r in members), suppress=True)
                    for key, counts in raw.items()
                },
            }
        )
    return out


def _progress_by_prefecture(rows: list[PlatformRow], prefectures: list[dict[str, Any]]) -> None:
    """Each prefecture's progress per item, gaps and spending, once the platforms' rows have them all
    (activities carried out, gaps, budget lines are read after the figures)."""
    groups: dict[str, list[PlatformRow]] = defaultdict(list)
    for row in rows:
        groups[row.prefecture_code].append(row)
    for prefecture in prefectures:
        members = groups[prefecture["code"]]
        prefecture["active"] = [sum(item.value in r.active_items for r in members) for item in Item]
        prefecture["gaps"] = sum(bool(r.gaps) for r in members)
        prefecture["budget"] = sum(r.budget for r in members)
        prefecture["spent"] = sum(r.spent for r in members)


def _withhold_beside_sums(
    rows: list[PlatformRow], prefectures: list[dict[str, Any]], totals: dict[str, int | None]
) -> None:
    """Secondary suppression, so that no withheld count comes back by subtraction from a published sum.

    A prefecture's figure is the sum of its platforms' (the prefecture page shows both): where one
    platform's count alone is withheld, the smallest shown one beside it is withheld too. The total
    is the sum of the prefectures': where one prefecture's figure alone is withheld, the smallest
    shown prefecture figure is withheld too, and one of its platforms' counts (its figure could be
    added up from them otherwise).
    """
    groups: dict[str, list[PlatformRow]] = defaultdict(list)
    for row in rows:
        groups[row.prefecture_code].append(row)
    by_code = {p["code"]: p for p in prefectures}
    for key, total in totals.items():
        for code, members in groups.items():
            _beside(members, key, by_code[code]["figures"][key])
        for index in withhold_beside([p["figures"][key] for p in prefectures], total):
            prefecture = prefectures[index]
            prefecture["figures"][key] = None
            members = groups[prefecture["code"]]
            if all(r.figures[key] is not None for r in members):
                smallest = min(members, key=lambda r: (r.figures[key] == 0, r.figures[key] or 0))
                smallest.figures[key] = None


def _beside(members: list[PlatformRow], key: str, total: int | None) -> None:
    values = [r.figures[key] for r in members]
    for index in withhold_beside(values, total):
        members[index].figures[key] = None


def _kpis_side_by_side(rows: list[PlatformRow]) -> list[dict[str, Any]]:
    """KPIs counted by the same counter, compared across platforms: how many set one, targets and results.

    Everything is per platform, however many KPIs a platform set on the same counter: its count
    once in the sum of results, its highest target (reached means reaching all its targets). A
    platform whose count is withheld is not counted as reached or not (that would tell something
    about the withheld count): it is counted as `unknown`.
    """
    by_counter: dict[str, dict[int, dict[str, Any]]] = {}
    for row in rows:
        for kpi in row.kpis:
            if not kpi["counter"]:
                continue
            # The same count for every KPI of this platform on this counter; the highest target.
            mine = by_counter.setdefault(kpi["counter"], {}).setdefault(row.pk, {**kpi})
            mine["target"] = max(mine["target"], kpi["target"])
    out = []
    for counter, platforms in by_counter.items():
        kpis = platforms.values()
        unknown = sum(kpi["shown"] is None for kpi in kpis)
        actual = sum(kpi["actual"] or 0 for kpi in kpis)
        target = sum(kpi["target"] for kpi in kpis)
        # One platform's withheld count would be the sum minus the others shown beside it.
        shown = None if unknown == 1 else withhold(actual, suppress=True)
        out.append(
            {
                "counter": counter,
                "label": REGISTRY[counter].label,
                "platforms": len(platforms),
                "reached": sum(kpi["shown"] is not None and kpi["shown"] >= kpi["target"] for kpi in kpis),
                "unknown": unknown,
                "target": target,
                "actual": shown,
                "percent": percent(shown, target),
            }
        )
    return sorted(out, key=lambda e: list(REGISTRY).index(e["counter"]))


def same_day(today: datetime.date, years_back: int) -> datetime.date:
    """`today`, `years_back` years earlier (February 29 becomes the 28th)."""
    try:
        return today.replace(year=today.year - years_back)
    except ValueError:
        return today.replace(year=today.year - years_back, day=28)


# --- open data --------------------------------------------------------------------------------------

LICENCE = "CC BY 4.0"
LICENCE_URL = "https://creativecommons.org/licenses/by/4.0/"
OPEN_DATA_FIELDS = [
    "fiscal_year",
    "local_government_code",
    "prefecture",
    "platform",
    "item",
    "figure",
    "value",
    "withheld",
]


def open_data_rows(pic: Picture) -> list[dict[str, Any]]:
    """One row per platform and figure: aggregates only, small counts withheld (value null)."""
    rows = []
    for platform in pic.platforms:
        for key, value in platform.figures.items():
            rows.append(
                {
                    "fiscal_year": pic.year,
                    "local_government_code": platform.code,
                    "prefecture": platform.prefecture_name,
                    "platform": platform.name,
                    "item": REGISTRY[key].item,
                    "figure": key,
                    "value": value,
                    "withheld": value is None,
                }
            )
    return rows


def open_data_schema(base_url: str = "") -> dict[str, Any]:
    figures = [c.key for c in COUNTERS]
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": base_url + "/reporting/open-data.schema.json",
        "title": "Tsunagari programme figures (地方版孤独・孤立対策官民連携プラットフォーム 事業実績の集計)",
        "type": "object",
        "required": ["licence", "licence_url", "fiscal_year", "as_of", "suppressed_below", "records"],
        "additionalProperties": False,
        "properties": {
            "licence": {"const": LICENCE},
            "licence_url": {"const": LICENCE_URL},
            "fiscal_year": {"type": "integer", "minimum": 2000, "maximum": 2100},
            "as_of": {"type": "string", "format": "date"},
            "suppressed_below": {"type": "integer", "minimum": 1},
            "records": {
                "type": "array",
                "items": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": OPEN_DATA_FIELDS,
                    "properties": {
                        "fiscal_year": {"type": "integer"},
                        "local_government_code": {"type": "string", "pattern": "^([0-9]{2}|[0-9]{6})$"},
                        "prefecture": {"type": "string"},
                        "platform": {"type": "string"},
                        "item": {"enum": list(Item.values)},
                        "figure": {"enum": figures},
                        "value": {"type": ["integer", "null"], "minimum": 0},
                        "withheld": {"type": "boolean"},
                    },
                },
            },
        },
    }
