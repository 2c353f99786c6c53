"""The report of one platform for one fiscal year, as plain data that every format is written from.

`build()` reads the plan and counts the figures once; HTML, PDF and Excel are all written from the
same dictionary, so the three agree, and building it again from the same records gives the same
numbers (the period is cut at the end of the fiscal year, or at `as_of` while it runs).

Figures are counts only. When the report leaves the platform (an observer reads it), every count
from 1 to `REPORTING_SMALL_CELL - 1` is withheld, as in published statistics: a small number
can point at a person.
"""

from __future__ import annotations

import datetime
import importlib
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.utils import timezone

from tsunagari.tenancy.models import Platform

from .counters import COUNTERS, REGISTRY, first_half, fiscal_year
from .models import REQUIRED_ITEMS, Item, Plan


def small_cell() -> int:
    return int(settings.REPORTING_SMALL_CELL)


def withhold(value: int | None, *, suppress: bool) -> int | None:
    """None for a count too small to show outside the platform (0 stays: it says nothing about anyone)."""
    if suppress and value is not None and 0 < value < small_cell():
        return None
    return value


def withhold_beside(values: list[int | None], total: int | None) -> list[int]:
    """Counts published beside their sum, after `withhold`: where exactly one is withheld, the sum minus
    the others would give it back, so another shown count is withheld too (secondary suppression).
    Nothing to do when their `total` is withheld itself. Returns the indices withheld for that reason
    in `values`, which is changed in place."""
    if total is None:
        return []
    hidden = [i for i, v in enumerate(values) if v is None]
    shown = [i for i, v in enumerate(values) if v is not None]
    if len(hidden) != 1 or not shown:
        return []
    # The smallest count above zero (a zero says nothing about anyone); a zero when nothing else is shown.
    smallest = min(shown, key=lambda i: (values[i] == 0, values[i] or 0))
    values[smallest] = None
    return [smallest]


def percent(actual: int | None, target: int | None) -> int | None:
    if actual is None or not target:
        return None
    return round(100 * actual / target)


def survey_headline(platform: Platform, year: int, *, suppress: bool) -> list[tuple[str, str]] | None:
    """The headline estimates of the platform's surveys run in the fiscal year (tsunagari.surveys), as
    (label, value) text; None when the surveys app does not offer them. When the report leaves the
    platform, nothing resting on fewer than REPORTING_SMALL_CELL answers is shown, whatever lower
    threshold a survey set for itself."""
    try:
        headlines = importlib.import_module("tsunagari.surveys.results").platform_headlines
    except (ImportError, AttributeError):
        return None
    from tsunagari.tenancy.scoping import platform_scope

    period = fiscal_year(year)
    with platform_scope(platform):
        found = headlines(platform, period.start_at, period.end_at, min_cell=small_cell() if suppress else 0)
        return [(str(label), str(value)) for label, value in found]


def build(
    platform: Platform,
    year: int,
    *,
    suppress: bool,
    roles: Iterable[str],
    as_of: datetime.date | None = None,
) -> dict[str, Any]:
    """Everything the report shows, as plain values (str, int, None, lists and dicts).

    `roles`: those the reader holds on the platform (every role for a superuser); a figure links to
    its records only for a reader who may open them.
    """
    roles = frozenset(roles)
    today = as_of or timezone.localdate()
    period = fiscal_year(year, as_of=today)
    plan = Plan.objects.filter(platform=platform, fiscal_year=year).first()
    activities = list(plan.activities.all()) if plan else []
    figures: dict[str, dict[str, Any]] = {}
    for counter in COUNTERS:
        value = counter.count([platform.pk], period).get(platform.pk, 0) if counter.available else None
        breakdown = counter.breakdown(platform, period)
        parts = [withhold(n, suppress=suppress) for _, n in breakdown]
        if suppress:
            withhold_beside(parts, withhold(value, suppress=True))
        figures[counter.key] = {
            "key": counter.key,
            "label": str(counter.label),
            "item": counter.item,
            "available": counter.available,
            "value": withhold(value, suppress=suppress),
            "withheld": counter.available and withhold(value, suppress=suppress) is None,
            "source": str(counter.source),
            "link": counter.link(platform, year, roles=roles),
            "breakdown": [{"label": label, "value": n} for (label, _), n in zip(breakdown, parts, strict=True)],
        }
    half = first_half(year)
    mid_year_passed = today >= half.end
    items = []
    for item in Item:
        item_activities = [a for a in activities if a.item == item]
        item_figures = [f for f in figures.values() if f["item"] == item]
        items.append(
            {
                "key": item.value,
                "label": str(item.label),
                "required": item in REQUIRED_ITEMS,
                "activities": [
                    {
                        "title": a.title,
                        "description": a.description,
                        "timing": a.timing,
                        "carried_out_on": a.carried_out_on.isoformat() if a.carried_out_on else "",
                        "result": a.result,
                    }
                    for a in item_activities
                ],
                "figures": item_figures,
            }
        )
    gaps = item_gaps(platform, year, activities) if mid_year_passed else []
    kpis = []
    for kpi in plan.kpis.all() if plan else []:
        source = REGISTRY.get(kpi.counter)
        if source is not None:
            actual = figures[source.key]["value"]
            how = str(source.source)
        else:
            actual = withhold(kpi.manual_value, suppress=suppress)
            how = kpi.how_counted
        kpis.append(
            {
                "item": str(Item(kpi.item).label),
                "name": kpi.name,
                "target": kpi.target,
                "actual": actual,
                "percent": percent(actual, kpi.target),
                "how": how,
                "counted": source is not None,
            }
        )
    budget: list[dict[str, Any]] = [
        {"name": b.name, "item": str(Item(b.item).label) if b.item else "", "budget": b.budget, "spent": b.spent}
        for b in (plan.budget_lines.all() if plan else [])
    ]
    for line in budget:
        line["percent"] = percent(line["spent"], line["budget"])
    total_budget = sum(line["budget"] for line in budget)
    total_spent = sum(line["spent"] for line in budget)
    return {
        "platform": {"slug": platform.slug, "name": platform.name},
        "fiscal_year": year,
        "period": {"start": period.start.isoformat(), "end": (period.end - datetime.timedelta(days=1)).isoformat()},
        "complete": period.end == datetime.date(year + 1, 4, 1),
        "suppressed_below": small_cell() if suppress else None,
        "summary": plan.summary if plan else "",
        "items": items,
        "gaps": gaps,
        "kpis": kpis,
        "budget": budget,
        "budget_total": {
            "budget": total_budget,
            "spent": total_spent,
            "percent": percent(total_spent, total_budget),
        },
        "milestones": [
            {
                "title": m.title,
                "due_on": m.due_on.isoformat(),
                "done_on": m.done_on.isoformat() if m.done_on else "",
                "late": m.done_on is None and m.due_on < today,
            }
            for m in (plan.milestones.all() if plan else [])
        ],
        "achievements": plan.achievements if plan else "",
        "issues": plan.issues if plan else "",
        "next_year": plan.next_year if plan else "",
        "evidence": [
            {"name": e.name, "kind": e.get_kind_display(), "item": str(Item(e.item).label) if e.item else ""}
            for e in (plan.evidence.all() if plan else [])
        ],
        "survey_headline": survey_headline(platform, year, suppress=suppress),
    }


def item_gaps(platform: Platform, year: int, activities: list[Any]) -> list[str]:
    """Required items with nothing done by the end of September: no activity carried out, nothing counted."""
    half = first_half(year)
    done = {a.item for a in activities if a.carried_out_on and a.carried_out_on < half.end}
    for counter in COUNTERS:
        if counter.item not in REQUIRED_ITEMS or counter.item in done or not counter.available or counter.stock:
            continue
        if counter.count([platform.pk], half).get(platform.pk, 0) > 0:
            done.add(counter.item)
    return [item.value for item in REQUIRED_ITEMS if item.value not in done]
