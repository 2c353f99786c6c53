"""Ranking the windows for what a resident wrote: need, words, area, open now, channel, diversity.

`find(text, platform=...)` understands the text, puts the 24-hour lines first when someone is at
risk, gathers candidate services through the search index (the top needs, and the resident's own
words for relevance) in the resident's area, scores them and keeps at most two per organisation.
Each result carries one line saying why it was chosen.

The candidate pool (`FindResult.pool`) keeps, for each candidate, only what the dialogue needs to
choose a follow-up question and re-rank without searching again: ids, need codes, area level,
channels, age range and target groups — never the resident's words.
"""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass, field, replace
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from tsunagari.directory.models import NEEDS, TARGETS, Channel, CrisisLine, Schedule, Service, ServiceArea
from tsunagari.directory.opening import SCHEDULE_FIELDS, ScheduleRow, hours_from_schedules
from tsunagari.directory.taxonomy import term_label, term_rows
from tsunagari.lib.hours import is_open_at
from tsunagari.search.query import search_services
from tsunagari.tenancy.models import Municipality, Platform
from tsunagari.tenancy.scoping import platform_scope, scopes_disabled

from .safety import lines_for_kinds
from .understanding import Understanding, understand

__all__ = ["Candidate", "FindResult", "Result", "Situation", "find", "rank_pool", "situation_from"]

POOL_SIZE = 40
# The 総合相談 need: a municipality's representative window and the like.
GENERAL = "unsure"
GENERAL_WINDOWS = 2
# The searches only choose and order the pool, which scoring re-ranks: the first 200 matches are
# enough, and ordering 1,000 matches of a long text cost PostgreSQL 13 ms at 100,000 services.
WORDED_MATCHES = 200
PER_ORGANISATION = 2
# Score weights. Need match dominates; the rest order windows that meet the same need.
W_NEED, W_OTHER_NEED, W_TEXT, W_OPEN, W_CHANNEL = 4.0, 1.0, 1.0, 0.5, 0.8
W_AREA = {3: 1.5, 2: 0.8, 1: 0.4, 0: 0.0}
# Area levels: the resident's municipality, their prefecture, nationwide, elsewhere.
MUNICIPALITY, PREFECTURE, NATIONWIDE, ELSEWHERE = 3, 2, 1, 0
# Age groups as years, to compare with a service's minimum and maximum age.
AGE_YEARS = {"child": 12, "youth": 25, "adult": 45, "elderly": 70}
TARGET_AGE = {"children": "child", "youth": "youth", "elderly": "elderly"}


def need_labels() -> dict[str, str]:
    """Need code → label in the page's language (the "why" lines and the chat's taps show them)."""
    return {row["code"]: term_label(row) for row in term_rows("needs.tsv")}


@dataclass(frozen=True)
class Situation:
    """What the finder knows about the person, without their words: the input of ranking and dialogue."""

    needs: tuple[tuple[str, float], ...]
    crisis_kinds: tuple[str, ...] = ()
    asker: str = "unknown"
    age_group: str = "unknown"
    municipality_code: str | None = None
    prefer_channel: str | None = None
    # Only the prefecture is known (大阪在住): its prefectural windows are in reach, its cities' are not yet.
    prefecture_code: str | None = None

    @property
    def crisis(self) -> bool:
        return bool(self.crisis_kinds)

    @property
    def crisis_kind(self) -> str | None:
        return self.crisis_kinds[0] if self.crisis_kinds else None

    def top(self, n: int = 3) -> list[str]:
        return [code for code, _score in self.needs[:n]]

    def to_dict(self) -> dict[str, Any]:
        return {
            "needs": [list(item) for item in self.needs],
            "crisis_kinds": list(self.crisis_kinds),
            "asker": self.asker,
            "age_group": self.age_group,
            "municipality_code": self.municipality_code,
            "prefer_channel": self.prefer_channel,
            "prefecture_code": self.prefecture_code,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Situation:
        return cls(
            needs=tuple((str(code), float(score)) for code, score in data["needs"]),
            crisis_kinds=tuple(data.get("crisis_kinds", ())),
            asker=data.get("asker", "unknown"),
            age_group=data.get("age_group", "unknown"),
            municipality_code=data.get("municipality_code"),
            prefer_channel=data.get("prefer_channel"),
            prefecture_code=data.get("prefecture_code"),
        )


@dataclass(frozen=True)
class Candidate:
    """One candidate window, as the ranking and the dialogue see it."""

    id: str
    # The organisation's name: the same office imported twice (two ids) is still one office.
    organization: str
    needs: tuple[str, ...]
    area: int
    area_name: str
    channels: tuple[str, ...]
    open_now: bool | None
    text_position: int | None
    min_age: int | None = None
    max_age: int | None = None
    targets: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "organization": self.organization,
            "needs": list(self.needs),
            "area": self.area,
            "area_name": self.area_name,
            "channels": list(self.channels),
            "open_now": self.open_now,
            "text_position": self.text_position,
            "min_age": self.min_age,
            "max_age": self.max_age,
            "targets": list(self.targets),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Candidate:
        return cls(
            **{
                **data,
                "needs": tuple(data["needs"]),
                "channels": tuple(data["channels"]),
                "targets": tuple(data["targets"]),
            }
        )

    def fits_age(self, age_group: str) -> bool:
        years = AGE_YEARS.get(age_group)
        if years is None:
            return True
        if self.min_age is not None and years < self.min_age:
            return False
        if self.max_age is not None and years > self.max_age:
            return False
        aimed = {TARGET_AGE[t] for t in self.targets if t in TARGET_AGE}
        return not aimed or age_group in aimed


@dataclass(frozen=True)
class Result:
    """One window to show, with its score and the one line that says why."""

    candidate: Candidate
    score: float
    matched_needs: tuple[str, ...]
    why: str
    service: Service | None = None

    @property
    def id(self) -> str:
        return self.candidate.id


@dataclass
class FindResult:
    """The answer to one text: lines first when at risk, then the windows, and what was understood."""

    situation: Situation
    lines: list[CrisisLine]
    results: list[Result]
    pool: list[Candidate]
    municipality: Municipality | None = None
    understanding: Understanding | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def matching(self) -> int:
        """How many candidate windows still match."""
        return len(self.pool)

    def to_dict(self) -> dict[str, Any]:
        """The command line's JSON shape (issue 4 §6)."""
        understood = self.understanding
        return {
            "text": understood.text if understood else "",
            "crisis": self.situation.crisis,
            "crisis_kind": self.situation.crisis_kind,
            "needs": [{"code": code, "score": score} for code, score in self.situation.needs],
            "results": [
                {
                    "id": result.id,
                    "name": result.service.name if result.service else "",
                    "needs": list(result.candidate.needs),
                    "why": result.why,
                }
                for result in self.results
            ],
        }


def resolve_municipality(understood: Understanding, platform: Platform) -> Municipality | None:
    """The municipality the text names (a postal code or a name), else the platform's own."""
    place = understood.place
    if place is not None:
        if place.postal_code:
            from tsunagari.search.areas import postal_code_municipality

            found = postal_code_municipality(place.postal_code)
            if found is not None:
                return found
        elif place.kind == "municipality":
            named = Municipality.objects.select_related("prefecture").filter(name=place.full_name)
            if place.prefecture:
                named = named.filter(prefecture__name=place.prefecture)
            choices = list(named[:10])
            # A twin name (府中市) is read as the one in the platform's own prefecture, if any.
            local = [m for m in choices if m.prefecture_id == platform.prefecture_id]
            if local or len(choices) == 1:
                return (local or choices)[0]
    if platform.kind == Platform.Kind.MUNICIPALITY and platform.municipality_id:
        return Municipality.objects.select_related("prefecture").get(code=platform.municipality_id)
    return None


def resolve_prefecture(understood: Understanding) -> str | None:
    """The prefecture's code when the text names only a prefecture (大阪在住, 北海道に住んでいます)."""
    from tsunagari.tenancy.models import Prefecture

    place = understood.place
    if place is None or place.kind != "prefecture":
        return None
    return Prefecture.objects.filter(name=place.full_name).values_list("code", flat=True).first()


def situation_from(
    understood: Understanding, *, municipality: Municipality | None, prefer_channel: str | None = None
) -> Situation:
    return Situation(
        prefecture_code=municipality.prefecture_id if municipality else resolve_prefecture(understood),
        needs=understood.needs,
        crisis_kinds=tuple(understood.crisis_kinds),
        asker=understood.asker,
        age_group=understood.age_group,
        municipality_code=municipality.code if municipality else None,
        prefer_channel=prefer_channel,
    )


def find(
    text: str,
    *,
    platform: Platform,
    prefer_channel: str | None = None,
    now: datetime.datetime | None = None,
    limit: int = 5,
) -> FindResult:
    """The windows (and, at risk, the 24-hour lines first) for what a resident wrote."""
    understood = understand(text)
    municipality = resolve_municipality(understood, platform)
    situation = situation_from(understood, municipality=municipality, prefer_channel=prefer_channel)
    result = find_for(situation, platform=platform, text=understood.text, now=now, limit=limit)
    result.understanding = understood
    result.municipality = municipality
    return result


def find_for(
    situation: Situation,
    *,
    platform: Platform,
    text: str = "",
    now: datetime.datetime | None = None,
    limit: int = 5,
) -> FindResult:
    """The same as `find`, for a situation already understood (the dialogue's later turns)."""
    now = now or timezone.now()
    lines = lines_for_kinds(situation.crisis_kinds, platform) if situation.crisis else []
    pool = candidates(situation, platform=platform, text=text, now=now)
    results = rank_pool(situation, pool, limit=limit)
    services = fetch_services(platform, [item.id for item in results])
    results = [replace(item, service=services.get(item.id)) for item in results]
    return FindResult(situation=situation, lines=lines, results=results, pool=pool)


def fetch_services(platform: Platform, ids: list[str]) -> dict[str, Service]:
    """The shown services with their organisation and channels, read in the platform's scope."""
    if not ids:
        return {}
    with platform_scope(platform):
        rows = Service.objects.filter(pk__in=ids).select_related("organization").prefetch_related("channels")
        return {str(service.pk): service for service in rows}


def candidates(situation: Situation, *, platform: Platform, text: str, now: datetime.datetime) -> list[Candidate]:
    """Up to POOL_SIZE windows for the top needs in the area, with the words' rank where they match."""
    municipality = (
        Municipality.objects.select_related("prefecture").filter(code=situation.municipality_code).first()
        if situation.municipality_code
        else None
    )
    needs = [code for code in situation.top(3) if code != "unsure"] or situation.top(1)
    # The search chooses and orders the pool; what scoring needs of each is read below as plain
    # rows, since 40 services with all their related model instances cost more than the search.
    found: dict[uuid.UUID, tuple[Service, int | None]] = {}
    if text.strip():
        worded = search_services(
            platform=platform,
            text=text,
            any_word=True,
            max_matches=WORDED_MATCHES,
            needs=needs,
            per_page=POOL_SIZE,
            municipality=municipality,
            relations=(),
        )
        for position, service in enumerate(worded.services):
            found[service.pk] = (service, position)
    if len(found) < POOL_SIZE:
        by_need = search_services(
            platform=platform,
            needs=needs,
            per_page=POOL_SIZE,
            municipality=municipality,
            relations=(),
            max_matches=WORDED_MATCHES,
        )
        for service in by_need.services:
            found.setdefault(service.pk, (service, None))
    facts = _facts(list(found), now)
    prefecture_id = municipality.prefecture_id if municipality else situation.prefecture_code or platform.prefecture_id
    pool = [
        _candidate(service, position, facts[service.pk], municipality, prefecture_id)
        for service, position in found.values()
    ]
    if municipality is not None and not any(c.area != ELSEWHERE and set(c.needs) & set(needs) for c in pool):
        # Nothing for the need in reach: the municipality's own general window (every one has a
        # representative window in the open data) can say who handles it there. Shown as what it is.
        general = search_services(
            platform=platform, needs=[GENERAL], per_page=GENERAL_WINDOWS, municipality=municipality, relations=()
        )
        extra = [service for service in general.services if service.pk not in found]
        more = _facts([service.pk for service in extra], now)
        pool += [_candidate(service, None, more[service.pk], municipality, prefecture_id) for service in extra]
    return pool


@dataclass
class _Facts:
    """What scoring needs of one service beyond its own row, read as plain values."""

    terms: list[tuple[str, str]] = field(default_factory=list)  # taxonomy, code
    channels: list[str] = field(default_factory=list)
    # kind, municipality code, the municipality's prefecture, prefecture, name to show
    areas: list[tuple[str, str | None, str | None, str | None, str]] = field(default_factory=list)
    open_now: bool | None = None


def _facts(ids: list[uuid.UUID], now: datetime.datetime) -> dict[uuid.UUID, _Facts]:
    facts = {pk: _Facts() for pk in ids}
    if not ids:
        return facts
    # The ids came from search_services in the platform's scope; these rows belong to those services.
    with scopes_disabled():
        links = Service.terms.through.objects.filter(service_id__in=ids)
        for service_id, taxonomy, code in links.values_list(
            "service_id", "taxonomyterm__taxonomy_id", "taxonomyterm__code"
        ):
            facts[service_id].terms.append((taxonomy, code))
        for service_id, kind in (
            Channel.objects.filter(service_id__in=ids).order_by("position", "kind").values_list("service_id", "kind")
        ):
            facts[service_id].channels.append(kind)
        areas = ServiceArea.objects.filter(service_id__in=ids).values_list(
            "service_id",
            "kind",
            "municipality_id",
            "municipality__prefecture_id",
            "prefecture_id",
            "municipality__name",
            "prefecture__name",
        )
        for service_id, kind, municipality, in_prefecture, prefecture, municipality_name, prefecture_name in areas:
            if kind == ServiceArea.Kind.NATIONWIDE:
                name = "全国"
            elif kind == ServiceArea.Kind.PREFECTURE:
                name = prefecture_name or ""
            else:
                name = municipality_name or ""
            facts[service_id].areas.append((kind, municipality, in_prefecture, prefecture, name))
        hours: dict[uuid.UUID, list[ScheduleRow]] = {}
        for service_id, *row in Schedule.objects.filter(service_id__in=ids).values_list("service_id", *SCHEDULE_FIELDS):
            hours.setdefault(service_id, []).append(ScheduleRow(*row))
    for pk, schedules in hours.items():
        parsed = hours_from_schedules(schedules)
        facts[pk].open_now = is_open_at(parsed, now) if parsed is not None else None
    return facts


def _candidate(
    service: Service,
    position: int | None,
    facts: _Facts,
    municipality: Municipality | None,
    prefecture_id: str | None,
) -> Candidate:
    level, area_name = ELSEWHERE, ""
    for kind, area_municipality, _in_prefecture, area_prefecture, name in facts.areas:
        if kind == ServiceArea.Kind.NATIONWIDE:
            here = NATIONWIDE
        elif kind == ServiceArea.Kind.PREFECTURE:
            here = PREFECTURE if area_prefecture == prefecture_id else ELSEWHERE
        elif municipality is not None:
            here = MUNICIPALITY if area_municipality == municipality.code else ELSEWHERE
        else:
            # Where the person lives is unknown: a city's window is theirs only if they live there,
            # so it is not shown until they say where (the chat asks).
            here = ELSEWHERE
        if not area_name or here > level:
            level, area_name = here, name
    return Candidate(
        id=str(service.pk),
        organization=service.organization.name,
        needs=tuple(code for taxonomy, code in facts.terms if taxonomy == NEEDS),
        area=level,
        area_name=area_name,
        channels=tuple(dict.fromkeys(facts.channels)),
        # As directory.opening.is_open: hours that could not be read say nothing.
        open_now=None if service.hours_parsed is False else facts.open_now,
        text_position=position,
        min_age=service.minimum_age,
        max_age=service.maximum_age,
        targets=tuple(code for taxonomy, code in facts.terms if taxonomy == TARGETS),
    )


def score(situation: Situation, candidate: Candidate) -> tuple[float, tuple[str, ...]]:
    """A candidate's score for a situation, and the understood needs it meets (best first)."""
    weights = dict(situation.needs)
    matched = tuple(code for code, _weight in situation.needs if code in candidate.needs)
    total = 0.0
    if matched:
        total += W_NEED * weights[matched[0]] + W_OTHER_NEED * sum(weights[code] for code in matched[1:])
    if candidate.text_position is not None:
        total += W_TEXT / (1 + candidate.text_position / 5)
    total += W_AREA[candidate.area]
    if candidate.open_now:
        total += W_OPEN
    if situation.prefer_channel and situation.prefer_channel in candidate.channels:
        total += W_CHANNEL
    if situation.age_group != "unknown":
        if not candidate.fits_age(situation.age_group):
            total -= 2.0
        elif situation.age_group in {TARGET_AGE.get(t) for t in candidate.targets}:
            # A window made for this age group knows it best.
            total += 0.6
    if situation.asker == "family" and "family" in candidate.targets:
        total += 0.5
    return total, matched


def rank_pool(situation: Situation, pool: list[Candidate], *, limit: int = 5) -> list[Result]:
    """The best `limit` candidates in the person's reach, at most two per organisation, each with why.

    A window for another area is never shown (issue 9 item 8): one elsewhere, or a city's window
    while the person's municipality is unknown, waits until they say where they live.
    """
    reachable = [c for c in pool if c.area != ELSEWHERE]
    scored = sorted(((*score(situation, c), c) for c in reachable), key=lambda item: (-item[0], item[2].id))
    per_org: dict[str, int] = {}
    results: list[Result] = []
    for total, matched, candidate in scored:
        if per_org.get(candidate.organization, 0) >= PER_ORGANISATION:
            continue
        per_org[candidate.organization] = per_org.get(candidate.organization, 0) + 1
        results.append(
            Result(
                candidate=candidate,
                score=round(total, 3),
                matched_needs=matched,
                why=why(situation, candidate, matched),
            )
        )
        if len(results) >= limit:
            break
    return results


def why(situation: Situation, candidate: Candidate, matched: tuple[str, ...]) -> str:
    """One line: which need it answers, where it is for, whether it is open now."""
    labels = need_labels()
    parts = []
    if matched and matched[0] != GENERAL:
        parts.append(_("A place to talk about %(need)s.") % {"need": labels.get(matched[0], matched[0])})
    elif GENERAL in candidate.needs and candidate.area == MUNICIPALITY:
        parts.append(_("Your municipality's general window: it can tell you who handles this where you live."))
    else:
        parts.append(_("A general place to talk."))
    if candidate.area == MUNICIPALITY:
        parts.append(_("It is for %(area)s.") % {"area": candidate.area_name})
    elif candidate.area == PREFECTURE:
        parts.append(_("It covers your prefecture (%(area)s).") % {"area": candidate.area_name})
    elif candidate.area == NATIONWIDE:
        parts.append(_("It takes calls from anywhere in Japan."))
    if candidate.open_now:
        parts.append(_("It is open now."))
    if situation.prefer_channel and situation.prefer_channel in candidate.channels:
        parts.append(_("You can reach it the way you prefer."))
    return "".join(parts) if all(ord(p[-1]) > 0x3000 for p in parts) else " ".join(parts)
