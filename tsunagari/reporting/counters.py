"""The registry of counted figures: one small function per figure, counted from what the platform records.

A counter answers for many platforms at once (`count(platforms, period) -> {platform id: n}`, one
grouped query), so that the prefecture and national views cost the same number of queries for 3
platforms or 1,741. Each counter also says which records it counted (`source`) and where a
person of the platform finds them (`link`).

Figures kept by other apps plug in as *external* counters: a module path and a function name,
looked up when first used (a function of the platforms returning the records, dated by `when`, so
that every period is counted in one query like the counters defined here). While that module is not installed (a later issue), the counter is
"not available" and every page and report says so instead of showing 0. See docs/reporting.md.

Counters read across platforms, so they leave the tenant scope explicitly (`scopes_disabled()`);
the caller chooses the platforms (a coordinator's own, or those an observer oversees), and only
counts ever leave this module.
"""

from __future__ import annotations

import datetime
import importlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connections
from django.db.models import Count, Q, QuerySet, Sum
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from tsunagari.accounts.models import Role
from tsunagari.finder.models import NeedDailyCount
from tsunagari.knowhow.models import Entry
from tsunagari.membership.models import Agreement, MemberOrganisation
from tsunagari.programs.models import Event, Registration, TrainingRecord
from tsunagari.tenancy.models import Platform
from tsunagari.tenancy.scoping import scopes_disabled

from .models import Item, UsageDailyCount

# Platform ids: a list, or a query of ids (a subquery, so 1,741 ids never travel as parameters).
Platforms = Iterable[int] | QuerySet[Any]


@dataclass(frozen=True)
class Period:
    """Days from `start` to `end` (exclusive), in Japan time."""

    start: datetime.date
    end: datetime.date

    @property
    def start_at(self) -> datetime.datetime:
        return datetime.datetime.combine(self.start, datetime.time(), ZoneInfo(settings.TIME_ZONE))

    @property
    def end_at(self) -> datetime.datetime:
        return datetime.datetime.combine(self.end, datetime.time(), ZoneInfo(settings.TIME_ZONE))


def fiscal_year(year: int, *, as_of: datetime.date | None = None) -> Period:
    """April 1 of `year` to March 31 of the next; cut at the end of `as_of` while the year runs."""
    end = datetime.date(year + 1, 4, 1)
    if as_of is not None:
        end = max(datetime.date(year, 4, 1), min(end, as_of + datetime.timedelta(days=1)))
    return Period(datetime.date(year, 4, 1), end)


def first_half(year: int) -> Period:
    """April to September: a required item with nothing by then is a gap (the programme's mid-year check)."""
    return Period(datetime.date(year, 4, 1), datetime.date(year, 10, 1))


@dataclass(frozen=True)
class Counter:
    """One figure: what it counts, under which item, and how."""

    key: str
    label: str | Promise
    item: str
    source: str | Promise
    count_fn: Callable[[Platforms, Period], Mapping[int, int]] | None = None
    # Instead: counts for several periods at once, in one query ({platform id: n} per period).
    periods_fn: Callable[[Platforms, Sequence[Period]], list[dict[int, int]]] | None = field(
        default=None, compare=False
    )
    link_name: str = ""
    # Formatted with {year} and {next} (the fiscal year and the one after): the link's filter to the year.
    link_query: str = ""
    # The roles that may open the link's page: it is shown to no one else (a report reader holds
    # COORDINATOR or OBSERVER; the pages in `link_name` decide, this only mirrors them).
    link_roles: frozenset[str] = frozenset({Role.COORDINATOR, Role.OBSERVER})
    # For an external counter: "module:function" returning the records of some platforms (as `records`
    # does), resolved on first use.
    external: str = ""
    breakdown_fn: Callable[[Platform, Period], list[tuple[str, int]]] | None = field(default=None, compare=False)
    # Instead of breakdown_fn, for a counter defined by its records: the records of the period by this
    # field, one part for each of its choices (zeros too) and one for those with none recorded.
    breakdown_field: str = ""
    # A stock (members at the end of the period), not something done in it: never proof of activity.
    stock: bool = False
    # Instead of count_fn: the records (before any period), the field that dates them (a DateField
    # when `dated`), and the field to sum (empty: count the records). Such a counter counts several
    # periods in one query (count_periods), which the oversight views use.
    records: Callable[[Platforms], QuerySet[Any]] | None = field(default=None, compare=False)
    when: str = ""
    dated: bool = False
    total: str = ""

    @property
    def records_fn(self) -> Callable[[Platforms], QuerySet[Any]] | None:
        if self.records is not None:
            return self.records
        return _external(self.external) if self.external else None

    @property
    def function(self) -> Callable[[Platforms, Period], Mapping[int, int]] | None:
        if self.count_fn is not None:
            return self.count_fn
        if self.periods_fn is not None:
            periods_fn = self.periods_fn
            return lambda platforms, period: periods_fn(platforms, [period])[0]
        if self.records_fn is not None:
            return lambda platforms, period: self._count_records(platforms, [period])[0]
        return None

    def count_periods(self, platforms: Platforms, periods: Sequence[Period]) -> list[dict[int, int]]:
        """count() for each period; one query for a counter defined by its records."""
        if self.periods_fn is not None and periods:
            with scopes_disabled():  # as in count()
                return self.periods_fn(platforms, periods)
        if self.count_fn is not None or self.records_fn is None or not periods:
            return [self.count(platforms, period) for period in periods]
        with scopes_disabled():
            return self._count_records(platforms, periods)

    def _bounds(self, period: Period) -> tuple[Any, Any]:
        return (period.start, period.end) if self.dated else (period.start_at, period.end_at)

    def _count_records(self, platforms: Platforms, periods: Sequence[Period]) -> list[dict[int, int]]:
        records = self.records_fn
        assert records is not None
        aggregates = []
        for period in periods:
            low, high = self._bounds(period)
            within = Q(**{f"{self.when}__gte": low, f"{self.when}__lt": high})
            aggregates.append(Sum(self.total, filter=within) if self.total else Count("pk", filter=within))
        low = min(self._bounds(period)[0] for period in periods)
        high = max(self._bounds(period)[1] for period in periods)
        return _grouped_counts(
            records(platforms).filter(**{f"{self.when}__gte": low, f"{self.when}__lt": high}), aggregates
        )

    @property
    def available(self) -> bool:
        return self.function is not None

    def count(self, platforms: Platforms, period: Period) -> dict[int, int]:
        """{platform id: count} for the platforms with anything to count (missing means 0)."""
        function = self.function
        if function is None:
            return {}
        with scopes_disabled():  # the caller chose the platforms; only counts come back
            return {int(pid): int(n or 0) for pid, n in function(platforms, period).items()}

    def link(self, platform: Platform, year: int, *, roles: Iterable[str]) -> str:
        """Where a person of `platform` holding `roles` finds the records this figure was counted from.

        "" when there is no such page, or when none of `roles` may open it: a link that answers
        403 or 404 is no help.
        """
        if not self.link_name or not self.link_roles.intersection(roles):
            return ""
        url = reverse(self.link_name, args=[platform.slug])
        return url + (self.link_query.format(year=year, next=year + 1) if self.link_query else "")

    def breakdown(self, platform: Platform, period: Period) -> list[tuple[str, int]]:
        if self.breakdown_field and self.records_fn is not None:
            with scopes_disabled():
                return self._breakdown_by_field(platform, period)
        if self.breakdown_fn is None:
            return []
        with scopes_disabled():
            return self.breakdown_fn(platform, period)

    def _breakdown_by_field(self, platform: Platform, period: Period) -> list[tuple[str, int]]:
        records = self.records_fn
        assert records is not None
        low, high = self._bounds(period)
        rows = (
            records([platform.pk])
            .filter(**{f"{self.when}__gte": low, f"{self.when}__lt": high})
            .order_by()
            .values_list(self.breakdown_field)
            .annotate(n=Count("pk"))
        )
        counts = {value or "": int(n) for value, n in rows}
        choices = records([]).model._meta.get_field(self.breakdown_field).choices or []
        parts = [(str(label), counts.pop(str(value), 0)) for value, label in choices]
        # Blank, or a code no longer among the choices: "not recorded", so the parts add up to the figure.
        return [*parts, (str(_("not recorded")), sum(counts.values()))]


_resolved: dict[str, Any] = {}


def _external(path: str) -> Callable[[Platforms], QuerySet[Any]] | None:
    if path not in _resolved:
        module_name, _sep, attribute = path.partition(":")
        try:
            _resolved[path] = getattr(importlib.import_module(module_name), attribute, None)
        except ImportError:
            _resolved[path] = None
    return _resolved[path]


# --- the counters -------------------------------------------------------------------------------

MEETINGS = [Event.Kind.MEETING, Event.Kind.WORKING_GROUP]


def _events(kinds: Sequence[str]) -> Callable[[Platforms], QuerySet[Any]]:
    def records(platforms: Platforms) -> QuerySet[Any]:
        return Event.objects.filter(platform_id__in=platforms, kind__in=kinds, status=Event.Status.PUBLISHED)

    return records


def _attended(kinds: Sequence[str]) -> Callable[[Platforms], QuerySet[Any]]:
    def records(platforms: Platforms) -> QuerySet[Any]:
        return Registration.objects.filter(
            platform_id__in=platforms, attended=True, event__kind__in=kinds, event__status=Event.Status.PUBLISHED
        )

    return records


def _usage(kind: str) -> Callable[[Platforms], QuerySet[Any]]:
    def records(platforms: Platforms) -> QuerySet[Any]:
        return UsageDailyCount.objects.filter(platform_id__in=platforms, kind=kind)

    return records


def approved_members(platforms: Platforms) -> QuerySet[Any]:
    return MemberOrganisation.objects.filter(platform_id__in=platforms, status=MemberOrganisation.Status.APPROVED)


def members_by_kind(platform: Platform, period: Period) -> list[tuple[str, int]]:
    rows = (
        MemberOrganisation.objects.filter(
            platform=platform, status=MemberOrganisation.Status.APPROVED, decided_at__lt=period.end_at
        )
        .order_by()
        .values("kind")
        .annotate(n=Count("pk"))
    )
    counts = {row["kind"]: row["n"] for row in rows}
    return [(str(label), counts[kind]) for kind, label in MemberOrganisation.Kind.choices if kind in counts]


def _grouped_counts(rows: QuerySet[Any], aggregates: Sequence[Any]) -> list[dict[int, int]]:
    """{platform id: n} for each aggregate (missing means 0), in one query grouped by platform.

    The rows come straight from the database cursor: counts and sums need none of the queryset's
    per-value converters, which cost more than the query itself over 1,741 platforms × 5 periods.
    """
    names = [f"n{index}" for index in range(len(aggregates))]
    query = rows.order_by().values("platform_id").annotate(**dict(zip(names, aggregates, strict=True)))
    sql, params = query.values_list("platform_id", *names).query.get_compiler(query.db).as_sql()
    out: list[dict[int, int]] = [{} for _name in names]
    with connections[query.db].cursor() as cursor:
        cursor.execute(sql, params)
        for platform_id, *counts in cursor.fetchall():
            for index, n in enumerate(counts):
                if n:
                    out[index][int(platform_id)] = int(n)
    return out


def _per_period(rows: QuerySet[Any], conditions: Sequence[Q]) -> list[dict[int, int]]:
    """{platform id: rows meeting the condition} for each condition, in one grouped query."""
    return _grouped_counts(rows, [Count("pk", filter=condition) for condition in conditions])


def members_total(platforms: Platforms, periods: Sequence[Period]) -> list[dict[int, int]]:
    """Approved member organisations at the end of each period."""
    return _per_period(
        MemberOrganisation.objects.filter(platform_id__in=platforms, status=MemberOrganisation.Status.APPROVED),
        [Q(decided_at__lt=period.end_at) for period in periods],
    )


def agreements_in_force(platforms: Platforms, periods: Sequence[Period]) -> list[dict[int, int]]:
    """Agreements in force whose dates cover part of each period."""
    return _per_period(
        Agreement.objects.filter(platform_id__in=platforms, status=Agreement.Status.IN_FORCE),
        [
            (Q(starts_on__isnull=True) | Q(starts_on__lte=period.end - datetime.timedelta(days=1)))
            & (Q(ends_on__isnull=True) | Q(ends_on__gte=period.start))
            for period in periods
        ],
    )


def needs_by_code(platform: Platform, period: Period) -> list[tuple[str, int]]:
    from tsunagari.finder.ranking import need_labels

    rows = (
        NeedDailyCount.objects.filter(platform=platform, date__gte=period.start, date__lt=period.end)
        .order_by()
        .values("need_code")
        .annotate(n=Sum("count"))
        .order_by("-n", "need_code")
    )
    labels = need_labels()
    return [(labels.get(row["need_code"], row["need_code"]), int(row["n"])) for row in rows[:10]]


COUNTERS: list[Counter] = [
    Counter(
        "members_total",
        _("Member organisations"),
        Item.PLATFORM,
        _("Approved member organisations at the end of the period (by type in the report)."),
        periods_fn=members_total,
        link_name="workspace:members",
        breakdown_fn=members_by_kind,
        stock=True,
    ),
    Counter(
        "members_joined",
        _("Member organisations that joined"),
        Item.PLATFORM,
        _("Applications to join approved in the period."),
        link_name="workspace:members",
        link_query="?year={year}",
        records=approved_members,
        when="decided_at",
    ),
    Counter(
        "agreements_in_force",
        _("Partnership agreements in force"),
        Item.PLATFORM,
        _("Agreements marked in force whose dates cover part of the period."),
        periods_fn=agreements_in_force,
        link_name="workspace:members-agreements",
        stock=True,
    ),
    Counter(
        "agreements_signed",
        _("Partnership agreements signed"),
        Item.PLATFORM,
        _("Agreements signed in the period."),
        link_name="workspace:members-agreements",
        link_query="?year={year}",
        records=lambda platforms: Agreement.objects.filter(platform_id__in=platforms),
        when="signed_on",
        dated=True,
    ),
    Counter(
        "meetings_held",
        _("Platform and working-group meetings held"),
        Item.PLATFORM,
        _("Published meetings of the platform and its working groups that started in the period."),
        link_name="workspace:events",
        link_query="?year={year}&kind=meeting&kind=working_group",
        records=_events(MEETINGS),
        when="starts_at",
    ),
    Counter(
        "meeting_attendance",
        _("Attendance at meetings"),
        Item.PLATFORM,
        _("Registrations marked as attended at those meetings."),
        link_name="workspace:events",
        link_query="?year={year}&kind=meeting&kind=working_group",
        records=_attended(MEETINGS),
        when="event__starts_at",
    ),
    Counter(
        "knowhow_written",
        _("Know-how entries written"),
        Item.PLATFORM,
        _("Published know-how entries and case studies written in the period."),
        link_name="workspace:knowhow",
        link_query="?year={year}",
        records=lambda platforms: Entry.objects.filter(platform_id__in=platforms, published=True),
        when="created_at",
    ),
    Counter(
        "public_events_held",
        _("Public events held"),
        Item.AWARENESS,
        _("Published public events (symposiums, forums, lectures) that started in the period."),
        link_name="workspace:events",
        link_query="?year={year}&kind=public_event",
        records=_events([Event.Kind.PUBLIC_EVENT]),
        when="starts_at",
    ),
    Counter(
        "public_event_attendance",
        _("Attendance at public events"),
        Item.AWARENESS,
        _("Registrations marked as attended at those events."),
        link_name="workspace:events",
        link_query="?year={year}&kind=public_event",
        records=_attended([Event.Kind.PUBLIC_EVENT]),
        when="event__starts_at",
    ),
    Counter(
        "portal_visits",
        _("Portal pages seen"),
        Item.AWARENESS,
        _("Pages of the public portal served, counted per day with nothing about who saw them."),
        link_name="workspace:reporting-usage",
        records=_usage(UsageDailyCount.Kind.VISIT),
        when="date",
        dated=True,
        total="count",
    ),
    Counter(
        "portal_searches",
        _("Searches on the portal"),
        Item.AWARENESS,
        _("Searches residents made on the portal, counted per day."),
        link_name="workspace:reporting-usage",
        records=_usage(UsageDailyCount.Kind.SEARCH),
        when="date",
        dated=True,
        total="count",
    ),
    Counter(
        "chats_started",
        _("Chat conversations"),
        Item.AWARENESS,
        _("Conversations started in the portal's chat, counted per day (never what was written)."),
        link_name="workspace:reporting-usage",
        records=_usage(UsageDailyCount.Kind.CHAT),
        when="date",
        dated=True,
        total="count",
    ),
    Counter(
        "case_workshops_held",
        _("Case-study workshops held"),
        Item.PILOT,
        _("Published case-study workshops that started in the period."),
        link_name="workspace:events",
        link_query="?year={year}&kind=case_workshop",
        records=_events([Event.Kind.CASE_WORKSHOP]),
        when="starts_at",
    ),
    Counter(
        "referrals",
        _("Referrals between organisations"),
        Item.PILOT,
        _("Referrals (つなぎ) made in the period, counted by the joint-support cases."),
        external="tsunagari.cases.figures:referrals_sent",
        when="requested_at",
        # Coordinators see no referral itself (cases are the organisations'): the joint-support
        # figures of the year count them by month and state.
        link_name="workspace:figures",
        link_query="?from={year}-04&to={next}-03",
    ),
    Counter(
        "referrals_closed",
        _("Referrals that reached an outcome"),
        Item.PILOT,
        _("Referrals closed in the period, counted by the joint-support cases."),
        external="tsunagari.cases.figures:referrals_closed",
        when="closed_at",
        link_name="workspace:figures",
        link_query="?from={year}-04&to={next}-03",
        breakdown_field="outcome",
    ),
    Counter(
        "concerns",
        _("Concerns raised in council meetings"),
        Item.PILOT,
        _("Concerns (気になる人・世帯) the councils took up in the period."),
        external="tsunagari.councils.figures:concerns_received",
        when="received_at",
        # The coordinators' triage queue; observers may not open it.
        link_name="workspace:concerns",
        link_query="?year={year}",
        link_roles=frozenset({Role.COORDINATOR}),
    ),
    Counter(
        "needs_asked",
        _("Needs residents asked about"),
        Item.SITUATION,
        _("Needs found in residents' chats and searches, from the finder's daily counts (top needs in the report)."),
        link_name="workspace:finder-stats",
        records=lambda platforms: NeedDailyCount.objects.filter(platform_id__in=platforms),
        when="date",
        dated=True,
        total="count",
        breakdown_fn=needs_by_code,
    ),
    Counter(
        "surveys_run",
        _("Surveys of the local situation"),
        Item.SITUATION,
        _("Surveys opened to answers (past draft) that were created in the period, counted by the surveys app."),
        external="tsunagari.surveys.results:surveys_run",
        when="created_at",
        link_name="workspace:surveys",
        link_query="?year={year}",
    ),
    Counter(
        "training_sessions_held",
        _("Training sessions held"),
        Item.TRAINING,
        _("Published training sessions that started in the period."),
        link_name="workspace:events",
        link_query="?year={year}&kind=training",
        records=_events([Event.Kind.TRAINING]),
        when="starts_at",
    ),
    Counter(
        "training_completed",
        _("Training courses completed"),
        Item.TRAINING,
        _("Training records dated in the period (one per person and course)."),
        link_name="workspace:training",
        link_query="?year={year}",
        records=lambda platforms: TrainingRecord.objects.filter(platform_id__in=platforms),
        when="completed_on",
        dated=True,
    ),
]

REGISTRY: dict[str, Counter] = {counter.key: counter for counter in COUNTERS}


def register(counter: Counter) -> None:
    """Add or replace a counter (an app that counts something new calls this from its AppConfig.ready)."""
    REGISTRY[counter.key] = counter
    COUNTERS[:] = [c for c in COUNTERS if c.key != counter.key] + [counter]


def counter_choices() -> list[tuple[str, str]]:
    return [(c.key, f"{Item(c.item).label} – {c.label}") for c in COUNTERS]
