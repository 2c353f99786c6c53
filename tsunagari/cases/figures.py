"""Monthly figures on joint support for coordinators and programme reports: aggregates only.

`monthly(platform, start, end)` returns one `Row` per calendar month and a last row with the
totals of the period. It reads only unencrypted columns (states, need codes, outcome codes,
timestamps): no person's record is opened, and no row of it reaches the caller.

What is counted (docs/cases.md, "Figures"):
- concerns received (気づき) in the month — from the councils app's Concern model when it is
  installed (`concern_times` is the hook), else the figure is absent (None);
- referrals by state: referrals made in the month, by the state they are in now;
- closed-loop rate: of the referrals that ended in the month (completed, failed or rejected), the
  share completed with an outcome recorded (cancelled by their own sender do not count);
- median days from request to acceptance, of the referrals accepted in the month;
- outcomes by need: referrals that ended in the month with an outcome, by need code × outcome.

Small cells. A count from 1 to `threshold - 1` (CASES_SMALL_CELL, 10 by default) is shown as
「10未満」. Each count is a *line*: its months and its period total, and the total is the sum of the
months. If exactly one cell of a line were hidden, total minus the shown months would give it back,
so a line with one hidden cell also hides its smallest shown month (secondary suppression, shown
as 「秘匿」: it may be any size); every line then hides none or at least two of its cells, and the
subtraction leaves a sum of two or more unknowns. No other sum is published (no total over states
or over needs), so no other equation links hidden cells. Rates and medians are not sums: a rate is
hidden when its numerator or the rest of its denominator is small (either could be recovered from
the rate), a median when fewer than `threshold` referrals make it.
"""

from __future__ import annotations

import datetime
import statistics
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from tsunagari.tenancy.models import Platform
from tsunagari.tenancy.scoping import platform_scope

from .models import CLOSED, Outcome, Referral, Status

__all__ = ["SECONDARY", "SMALL", "Cell", "Row", "concern_times", "monthly", "months_between", "suppress_line"]


SMALL, SECONDARY = "small", "secondary"


@dataclass(frozen=True)
class Cell:
    """One published figure; `value` is None when it is hidden or absent.

    `hidden` says why: SMALL (from 1 to threshold - 1, shown as 「10未満」) or SECONDARY (any size,
    hidden so that a small cell cannot be worked out from the total; shown as 「秘匿」).
    """

    value: float | int | None
    hidden: str = ""

    @property
    def suppressed(self) -> bool:
        return bool(self.hidden)

    def display(self, threshold: int) -> str:
        if self.hidden == SMALL:
            return _("fewer than %(n)s") % {"n": threshold}
        if self.hidden == SECONDARY:
            return _("hidden")
        if self.value is None:
            return "—"
        if isinstance(self.value, float):
            return f"{self.value:.1f}"
        return f"{self.value:,}"


@dataclass
class Row:
    """The figures of one month (`month` = its first day), or of the whole period (`month` None)."""

    month: datetime.date | None
    concerns: Cell | None  # None: concerns are not recorded by this installation (no councils app)
    referrals_by_state: dict[str, Cell] = field(default_factory=dict)
    closed_loop_rate: Cell = field(default_factory=lambda: Cell(None))  # percent
    median_days_to_acceptance: Cell = field(default_factory=lambda: Cell(None))
    outcomes_by_need: dict[tuple[str, str], Cell] = field(default_factory=dict)

    @property
    def is_total(self) -> bool:
        return self.month is None


def months_between(start: datetime.date, end: datetime.date) -> list[datetime.date]:
    """The first days of the months from `start`'s to `end`'s, both included."""
    months = []
    month = start.replace(day=1)
    while month <= end:
        months.append(month)
        month = (month + datetime.timedelta(days=32)).replace(day=1)
    return months


def _month_of(moment: datetime.datetime) -> datetime.date:
    return timezone.localtime(moment).date().replace(day=1)


def small(value: int, threshold: int) -> bool:
    return 0 < value < threshold


def suppress_line(months: list[int], threshold: int) -> tuple[list[Cell], Cell]:
    """The cells of one count over months, and its total, with small cells hidden so none can be derived."""
    total = sum(months)
    hidden = [SMALL if small(value, threshold) else "" for value in months]
    total_hidden = SMALL if small(total, threshold) else ""
    if sum(map(bool, hidden)) + bool(total_hidden) == 1:
        # One hidden cell: the total minus the others would give it. Hide the smallest shown month too,
        # or (a one-month line) the total.
        shown = [i for i, why in enumerate(hidden) if not why]
        if shown:
            hidden[min(shown, key=lambda i: (months[i], i))] = SECONDARY
        else:
            total_hidden = SECONDARY
    cells = [Cell(None, why) if why else Cell(value) for value, why in zip(months, hidden, strict=True)]
    return cells, Cell(None, total_hidden) if total_hidden else Cell(total)


def _rate(done: int, of: int, threshold: int) -> Cell:
    if of == 0:
        return Cell(None)
    if of < threshold or small(done, threshold) or small(of - done, threshold):
        return Cell(None, SMALL)
    return Cell(round(100 * done / of, 1))


def _median(days: list[float], threshold: int) -> Cell:
    if not days:
        return Cell(None)
    if len(days) < threshold:
        return Cell(None, SMALL)
    return Cell(round(statistics.median(days), 1))


# Where concerns (気づき) live once the councils app is installed; a str, looked up at run time.
CONCERN_MODEL: str = "councils.Concern"


def concern_times(
    platform: Platform, start: datetime.datetime, end: datetime.datetime
) -> list[datetime.datetime] | None:
    """When each concern (気づき) of the period reached the platform; None without the councils app.

    The hook for the Concern model of tsunagari.councils (issue 11 item 2, built separately): the
    first of `received_at`, `created_at`, `reported_at` it has is the moment counted.
    """
    try:
        concern = apps.get_model(CONCERN_MODEL)
    except LookupError:
        return None
    names = {f.name for f in concern._meta.get_fields()}
    moment = next((name for name in ("received_at", "created_at", "reported_at") if name in names), None)
    if moment is None or "platform" not in names:
        return None
    rows = concern._default_manager.filter(
        platform=platform, **{f"{moment}__gte": start, f"{moment}__lt": end}
    ).values_list(moment, flat=True)
    return list(rows)


def _bounds(months: list[datetime.date]) -> tuple[datetime.datetime, datetime.datetime]:
    tz = timezone.get_current_timezone()
    start = datetime.datetime.combine(months[0], datetime.time(), tzinfo=tz)
    after = (months[-1] + datetime.timedelta(days=32)).replace(day=1)
    return start, datetime.datetime.combine(after, datetime.time(), tzinfo=tz)


def _counts(keys_by_month: Iterable[tuple[Any, datetime.date]], months: list[datetime.date]) -> dict[Any, list[int]]:
    """{key: [count in each month]} from (key, month) pairs (pairs outside the months are dropped)."""
    index = {month: i for i, month in enumerate(months)}
    lines: dict[Any, list[int]] = {}
    for key, month in keys_by_month:
        if month in index:
            lines.setdefault(key, [0] * len(months))[index[month]] += 1
    return lines


def monthly(platform: Platform, start: datetime.date, end: datetime.date, *, threshold: int | None = None) -> list[Row]:
    """The platform's joint-support figures for each month from `start` to `end`, then the period's totals."""
    threshold = threshold if threshold is not None else settings.CASES_SMALL_CELL
    months = months_between(start, end)
    if not months:
        return []
    since, until = _bounds(months)
    with platform_scope(platform, with_national=False):
        referrals = Referral.objects.filter(platform=platform)
        # Only unencrypted columns; the filters make the timestamps non-null.
        made: list[tuple[Any, str]] = list(
            referrals.filter(created_at__gte=since, created_at__lt=until).values_list("created_at", "status")
        )
        ended: list[tuple[Any, str, str, str]] = list(
            referrals.filter(closed_at__gte=since, closed_at__lt=until, status__in=CLOSED).values_list(
                "closed_at", "status", "outcome", "need_code"
            )
        )
        accepted: list[tuple[Any, Any]] = list(
            referrals.filter(accepted_at__gte=since, accepted_at__lt=until, requested_at__isnull=False).values_list(
                "accepted_at", "requested_at"
            )
        )
        concerns = concern_times(platform, since, until)

    # Counts, one line each, suppressed line by line.
    by_state = _counts(((status, _month_of(at)) for at, status in made), months)
    by_state = {state: by_state.get(state, [0] * len(months)) for state in Status.values}
    by_need = _counts((((need, outcome), _month_of(at)) for at, _s, outcome, need in ended if outcome), months)
    lines: dict[Any, tuple[list[Cell], Cell]] = {
        ("state", state): suppress_line(counts, threshold) for state, counts in by_state.items()
    }
    lines.update({("need", key): suppress_line(counts, threshold) for key, counts in sorted(by_need.items())})
    if concerns is not None:
        per_month = _counts(((1, _month_of(at)) for at in concerns), months).get(1, [0] * len(months))
        lines[("concerns", 1)] = suppress_line(per_month, threshold)

    # Rates and medians, month by month and over the period.
    closed_done: list[Counter[str]] = [Counter() for _m in months]
    waits: list[list[float]] = [[] for _m in months]
    index = {month: i for i, month in enumerate(months)}
    for at, status, outcome, _need in ended:
        tally = closed_done[index[_month_of(at)]]
        tally["closed"] += 1
        tally["done"] += status == Status.COMPLETED and bool(outcome)
    for accepted_at, requested_at in accepted:
        waits[index[_month_of(accepted_at)]].append((accepted_at - requested_at).total_seconds() / 86400)

    def pick(line: tuple[list[Cell], Cell], i: int) -> Cell:
        return line[0][i] if i < len(months) else line[1]

    rows = []
    for i, month in enumerate([*months, None]):
        if month is not None:
            rate = _rate(closed_done[i]["done"], closed_done[i]["closed"], threshold)
            median = _median(waits[i], threshold)
        else:
            rate = _rate(sum(t["done"] for t in closed_done), sum(t["closed"] for t in closed_done), threshold)
            median = _median([w for month_waits in waits for w in month_waits], threshold)
        rows.append(
            Row(
                month=month,
                concerns=pick(lines[("concerns", 1)], i) if concerns is not None else None,
                referrals_by_state={key[1]: pick(line, i) for key, line in lines.items() if key[0] == "state"},
                closed_loop_rate=rate,
                median_days_to_acceptance=median,
                outcomes_by_need={key[1]: pick(line, i) for key, line in lines.items() if key[0] == "need"},
            )
        )
    return rows


def outcome_label(code: str) -> str:
    return str(Outcome(code).label) if code in Outcome.values else code


# --- For the programme report (tsunagari.reporting counters): counts per platform, one query each.


def referrals_sent(platforms: Any) -> QuerySet[Referral]:
    """Referrals sent (dated by when they were requested); drafts never left the sender."""
    return Referral.objects.filter(platform_id__in=platforms, requested_at__isnull=False)


def referrals_closed(platforms: Any) -> QuerySet[Referral]:
    """Referrals that reached an end (completed, failed or rejected), dated by when they closed."""
    return Referral.objects.filter(platform_id__in=platforms, status__in=CLOSED, closed_at__isnull=False)
