"""The chat: a text, then at most three follow-up questions, each asked only if it changes the answer.

A conversation lives in the database (`Conversation`) under a random id (`secrets.token_urlsafe`),
so that any app process can take the next turn; each turn keeps it FINDER_CHAT_TTL seconds more,
and `purge-chat` deletes it once expired. What is kept there is the situation (need codes with scores, crisis kinds, hints, answers) and the
candidate pool (service ids with the features the questions split on) — never the resident's words.
A question is asked only when some answer to it would change the windows shown; the one whose
answers change them most is asked first. Someone at risk is asked nothing: the lines come first
and the windows with them.

Channels (the portal's form, LINE) call `start`, `answer` and `finish`; they only render a `Turn`.
"""

from __future__ import annotations

import datetime
import secrets
from dataclasses import dataclass, field, replace
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import get_language, override
from django.utils.translation import gettext as _

from tsunagari.directory.models import CrisisLine, Service
from tsunagari.search.areas import postal_code_municipality
from tsunagari.search.query import search_services
from tsunagari.tenancy.models import Municipality, Platform

from .models import Conversation, FinderSettings, NeedDailyCount, SavedText, SharedResult
from .ranking import ELSEWHERE, GENERAL, Candidate, Result, Situation, fetch_services, find, find_for, rank_pool
from .safety import lines_for_kinds
from .understanding import understand

__all__ = ["MAX_QUESTIONS", "Question", "Turn", "answer", "finish", "load", "resume", "share", "shared_turn", "start"]

MAX_QUESTIONS = 3
SHOWN = 5
CHANNEL_CHOICES = ("phone", "line", "chat", "visit")


def chat_ttl() -> int:
    return int(getattr(settings, "FINDER_CHAT_TTL", 30 * 60))


@dataclass(frozen=True)
class Question:
    """A follow-up question: a code, the words to ask it, and the answers to tap."""

    code: str
    prompt: str
    options: tuple[tuple[str, str], ...]
    free_text: bool = False


@dataclass
class Turn:
    """What a channel shows after one message: lines, windows, how many match, and the next question."""

    id: str
    platform: Platform
    situation: Situation
    lines: list[CrisisLine]
    results: list[Result]
    matching: int
    question: Question | None
    asked: list[str] = field(default_factory=list)
    services: dict[str, Service] = field(default_factory=dict)
    unknown_area: bool = False
    # The language the person wrote in, when the interface has it (English in → English questions).
    language: str | None = None
    # The portal's results page for the same needs and area, and how many windows it lists: the
    # "N windows match" line links there, so every one of the N can be seen.
    all_url: str = ""
    all_count: int = 0
    # When no window for the person's needs is listed in their area: the kinds of public window
    # every area has by law, reached through the municipality's representative window (never shown
    # as a match; finder.fallback, the same as the portal's results page).
    fallback: list[Any] = field(default_factory=list)

    @property
    def done(self) -> bool:
        return self.question is None


def start(text: str, *, platform: Platform, now: datetime.datetime | None = None) -> Turn:
    """A new conversation from a resident's first message."""
    found = find(text, platform=platform, now=now, limit=SHOWN)
    if FinderSettings.stores_text(platform):
        SavedText.objects.create(
            platform=platform,
            text=found.understanding.text if found.understanding else text,
            needs=found.situation.top(5),
            crisis_kind=found.situation.crisis_kind or "",
        )
    state = {
        "platform": platform.pk,
        "situation": found.situation.to_dict(),
        "pool": [candidate.to_dict() for candidate in found.pool],
        "asked": [],
        "counted": False,
        "language": reply_language(found.understanding.language if found.understanding else "und"),
        "all_count": all_matching(found.situation, platform),
    }
    conversation_id = secrets.token_urlsafe(16)
    return _turn(conversation_id, platform, state, lines=found.lines)


def load(conversation_id: str, platform: Platform) -> dict[str, Any] | None:
    """A conversation's state, or None when it expired or belongs to another platform."""
    stored = Conversation.objects.live().filter(pk=conversation_id, platform=platform).only("state").first()
    return None if stored is None else stored.state


def resume(conversation_id: str, *, platform: Platform) -> Turn | None:
    """The conversation as it stands (for showing it again); None when expired."""
    state = load(conversation_id, platform)
    return None if state is None else _turn(conversation_id, platform, state)


def answer(
    conversation_id: str, question: str, value: str, *, platform: Platform, now: datetime.datetime | None = None
) -> Turn | None:
    """Apply the answer to a follow-up question ("skip" ends the questions); None when expired."""
    state = load(conversation_id, platform)
    if state is None:
        return None
    situation = Situation.from_dict(state["situation"])
    if question not in state["asked"]:
        state["asked"].append(question)
    unknown_area = False
    if value == "skip":
        state["asked"] = [*state["asked"], *(code for code in QUESTIONS if code not in state["asked"])]
    elif question == "asker" and value in ("self", "family", "professional"):
        situation = replace(situation, asker=value)
    elif question == "age" and value in ("child", "youth", "adult", "elderly"):
        situation = replace(situation, age_group=value)
    elif question == "channel" and value in CHANNEL_CHOICES:
        situation = replace(situation, prefer_channel=value)
    elif question == "topic" and value in TOPICS:
        # What it is about, tapped: that need first, the vaguer ones after it; a new pool for it.
        needs = (
            (value, TOPIC_SCORE),
            *((code, score) for code, score in situation.needs if code not in (value, UNSURE)),
        )
        situation = replace(situation, needs=needs)
        state["pool"] = [c.to_dict() for c in find_for(situation, platform=platform, now=now, limit=SHOWN).pool]
    elif question == "area":
        municipality = area_from_text(value, platform)
        if municipality is None:
            unknown_area = True
            state["asked"].remove("area")
        else:
            situation = replace(
                situation, municipality_code=municipality.code, prefecture_code=municipality.prefecture_id
            )
            fresh = find_for(situation, platform=platform, now=now, limit=SHOWN)
            state["pool"] = [candidate.to_dict() for candidate in fresh.pool]
    if question in ("topic", "area", "channel"):
        state["all_count"] = all_matching(situation, platform)
    state["situation"] = situation.to_dict()
    turn = _turn(conversation_id, platform, state)
    turn.unknown_area = unknown_area
    return turn


def finish(conversation_id: str, *, platform: Platform) -> Turn | None:
    """Stop asking and show the windows."""
    return answer(conversation_id, "", "skip", platform=platform)


def area_from_text(value: str, platform: Platform) -> Municipality | None:
    """A municipality from what was typed: a postal code or a municipality's name."""
    value = value.strip()
    if not value:
        return None
    found = postal_code_municipality(value)
    if found is not None:
        return found
    place = understand(value).place
    name = place.full_name if place is not None and place.kind == "municipality" else value
    choices = list(Municipality.objects.select_related("prefecture").filter(name=name)[:10])
    local = [m for m in choices if m.prefecture_id == platform.prefecture_id]
    return (local or choices)[0] if (local or len(choices) == 1) else None


def share(turn: Turn) -> str:
    """A short id for the shown result: the situation only, so the link never carries the words."""
    token = secrets.token_urlsafe(9)
    SharedResult.objects.create(token=token, platform=turn.platform, situation=turn.situation.to_dict())
    return token


def shared_turn(token: str, *, platform: Platform, now: datetime.datetime | None = None) -> Turn | None:
    """Re-run a shared result from its id (with today's opening hours)."""
    shared = SharedResult.objects.filter(token=token, platform=platform).first()
    if shared is None:
        return None
    situation = Situation.from_dict(shared.situation)
    found = find_for(situation, platform=platform, now=now, limit=SHOWN)
    return Turn(
        id="",
        platform=platform,
        situation=situation,
        lines=found.lines,
        results=found.results,
        matching=_matching(situation, found.pool),
        question=None,
        services={r.id: r.service for r in found.results if r.service is not None},
        all_url=all_url(situation, platform),
        all_count=all_matching(situation, platform),
    )


# ---------------------------------------------------------------------------
# Choosing the question
# ---------------------------------------------------------------------------

QUESTIONS = ("topic", "asker", "area", "age", "channel")
UNSURE = "unsure"
# What a vague message (なんとなくつらい, どうしたらいいかわからない) can be about, as needs to tap.
TOPICS = ("money", "work", "housing", "caregiving", "parenting", "health", "mental_health", "loneliness")
TOPIC_SCORE = 0.9
# A message is vague when its best need is 総合相談 or a weak reading of low mood: a question
# about what it is about helps more than a list (issue 9 item 8: 「なんとなくつらい」 gets a question).
VAGUE_NEEDS = frozenset({UNSURE, "mental_health", "health"})
VAGUE_BELOW = 0.65


def is_vague(situation: Situation) -> bool:
    """Whether too little was understood to choose windows well."""
    if situation.crisis:
        return False
    if not situation.needs:
        return True
    code, score = situation.needs[0]
    return code == UNSURE or (code in VAGUE_NEEDS and score < VAGUE_BELOW)


def reply_language(written_in: str) -> str | None:
    """The interface language to ask in: the one the person wrote in, or English for another language."""
    available = {code for code, _name in settings.LANGUAGES}
    if written_in in available:
        return written_in
    if written_in in ("ja", "und"):
        return None
    return "en" if "en" in available else None


def all_matching(situation: Situation, platform: Platform) -> int:
    """How many windows the portal's results page lists for the same needs and area (see `all_url`)."""
    needs = _link_needs(situation)
    if not needs:
        return 0
    municipality = (
        Municipality.objects.select_related("prefecture").filter(code=situation.municipality_code).first()
        if situation.municipality_code
        else None
    )
    channels = [situation.prefer_channel] if situation.prefer_channel else []
    found = search_services(
        platform=platform, needs=needs, channels=channels, municipality=municipality, per_page=1, relations=()
    )
    return found.total


def _link_needs(situation: Situation) -> list[str]:
    return [code for code in situation.top(3) if code != UNSURE]


def all_url(situation: Situation, platform: Platform) -> str:
    """The portal's results page for the situation's needs, area and chosen channel."""
    from django.urls import reverse
    from django.utils.http import urlencode

    params: list[tuple[str, str]] = [("need", code) for code in _link_needs(situation)]
    if situation.municipality_code:
        params.append(("area", situation.municipality_code))
    if situation.prefer_channel:
        params.append(("channel", situation.prefer_channel))
    return f"{reverse('portal:search', args=[platform.slug])}?{urlencode(params)}" if params else ""


def _options(code: str, pool: list[Candidate]) -> tuple[tuple[str, str], ...]:
    if code == "topic":
        labels = {
            "money": _("Money or living costs"),
            "work": _("Work or losing a job"),
            "housing": _("Housing"),
            "caregiving": _("Caring for family"),
            "parenting": _("Children or parenting"),
            "health": _("Illness or health"),
            "mental_health": _("Feeling low, anxious or unable to sleep"),
            "loneliness": _("Loneliness, no one to talk to"),
        }
        return tuple((topic, labels[topic]) for topic in TOPICS)
    if code == "asker":
        return (("self", _("About me")), ("family", _("About my family")), ("professional", _("As a supporter")))
    if code == "age":
        return (
            ("child", _("Under 18")),
            ("youth", _("18 to 39")),
            ("adult", _("40 to 59")),
            ("elderly", _("60 or over")),
        )
    if code == "channel":
        labels = {"phone": _("By phone"), "line": _("On LINE"), "chat": _("By chat"), "visit": _("In person")}
        present = {kind for candidate in pool for kind in candidate.channels}
        return tuple((kind, labels[kind]) for kind in CHANNEL_CHOICES if kind in present)
    return ()


def _prompt(code: str) -> str:
    return {
        "topic": _("What is weighing on you most? Choose the closest."),
        "asker": _("Is this about you, or about someone in your family?"),
        "area": _("Which town or city do you live in? A postal code is fine too."),
        "age": _("How old is the person this is about?"),
        "channel": _("How would you rather get in touch?"),
    }[code]


def _answers(code: str, situation: Situation, pool: list[Candidate]) -> list[Situation]:
    """The situations each answer to `code` would lead to (empty when the question does not apply)."""
    if code == "asker" and situation.asker in ("unknown", "self"):
        return [replace(situation, asker=value) for value, _label in _options(code, pool)]
    if code == "age" and situation.age_group == "unknown":
        return [replace(situation, age_group=value) for value, _label in _options(code, pool)]
    if code == "channel" and situation.prefer_channel is None:
        return [replace(situation, prefer_channel=value) for value, _label in _options(code, pool)]
    return []


def _shown(situation: Situation, pool: list[Candidate]) -> tuple[str, ...]:
    return tuple(result.id for result in rank_pool(situation, pool, limit=SHOWN))


def next_question(situation: Situation, pool: list[Candidate], asked: list[str], platform: Platform) -> Question | None:
    """The question whose answers change the shown windows most; None when none would change them.

    Someone at risk is asked only where they live, and only when that decides which local windows
    to show: the 24-hour lines are already on screen above the question.
    """
    if len(asked) >= MAX_QUESTIONS:
        return None
    if "topic" not in asked and is_vague(situation):
        return Question("topic", _prompt("topic"), _options("topic", pool))
    # Without a place, a prefecture's or the national portal cannot tell a city's windows apart:
    # ask where the person lives before showing any of them (never a window in another prefecture).
    if "area" not in asked and situation.municipality_code is None:
        return Question("area", _prompt("area"), (), free_text=True)
    if situation.crisis or len(pool) <= 1:
        return None
    now_shown = _shown(situation, pool)
    best: tuple[int, str] | None = None
    for code in QUESTIONS:
        if code in asked:
            continue
        outcomes = {_shown(option, pool) for option in _answers(code, situation, pool)}
        changed = len(outcomes - {now_shown})
        if changed and (best is None or changed > best[0]):
            best = (changed, code)
    if best is None:
        return None
    code = best[1]
    return Question(code, _prompt(code), _options(code, pool))


def _fitting(situation: Situation, pool: list[Candidate]) -> list[Candidate]:
    """The candidates in reach that still fit what is known (age, channel)."""
    return [
        c
        for c in pool
        if c.area != ELSEWHERE
        and (situation.age_group == "unknown" or c.fits_age(situation.age_group))
        and (situation.prefer_channel is None or situation.prefer_channel in c.channels)
    ]


def _matching(situation: Situation, pool: list[Candidate]) -> int:
    """The windows that fit, as counted for the person: a municipality's general window, shown because
    nothing for the need is in reach, is not a match for it (issue 9 item 7: shown as what it is)."""
    asked = {code for code, _weight in situation.needs}
    return len(
        [c for c in _fitting(situation, pool) if GENERAL in asked or GENERAL not in c.needs or set(c.needs) & asked]
    )


def _turn(
    conversation_id: str, platform: Platform, state: dict[str, Any], lines: list[CrisisLine] | None = None
) -> Turn:
    situation = Situation.from_dict(state["situation"])
    pool = [Candidate.from_dict(item) for item in state["pool"]]
    # Questions and why lines in the language the person wrote in.
    language = state.get("language")
    with override(language or get_language()):
        question = next_question(situation, pool, state["asked"], platform)
    if question is None and not state["counted"]:
        # The conversation is over: count its needs once, the only thing kept by default.
        NeedDailyCount.increment(platform, timezone.localdate(), situation.top(3))
        state["counted"] = True
    Conversation.objects.update_or_create(
        pk=conversation_id,
        defaults={
            "platform": platform,
            "state": state,
            "expires_at": timezone.now() + datetime.timedelta(seconds=chat_ttl()),
        },
    )
    # Show what fits; when nothing does, the nearest the pool has rather than nothing.
    fitting = _fitting(situation, pool)  # in reach only: rank_pool never shows a window elsewhere either
    with override(language or get_language()):
        results = rank_pool(situation, fitting or pool, limit=SHOWN)
        # The fallback's need names in the same language as the why lines beside it.
        fallback = _fallback(situation, platform, results, state.get("all_count", 0))
    return Turn(
        id=conversation_id,
        platform=platform,
        situation=situation,
        lines=lines
        if lines is not None
        else (lines_for_kinds(situation.crisis_kinds, platform) if situation.crisis else []),
        results=results,
        matching=_matching(situation, pool),
        question=question,
        asked=list(state["asked"]),
        services=fetch_services(platform, [r.id for r in results]),
        language=language,
        all_url=all_url(situation, platform),
        all_count=state.get("all_count", 0),
        fallback=fallback,
    )


def _fallback(situation: Situation, platform: Platform, results: list[Result], listed: int) -> list[Any]:
    """The fallback for the needs with no window in reach, once where the person lives is known."""
    from .fallback import fallback_for

    needs = _link_needs(situation)[:2]
    if not needs or (results and listed):
        return []
    municipality = (
        Municipality.objects.select_related("prefecture").filter(code=situation.municipality_code).first()
        if situation.municipality_code
        else None
    )
    if municipality is None and platform.kind != Platform.Kind.MUNICIPALITY:
        return []  # the chat asks where the person lives first
    return fallback_for(platform, needs, municipality=municipality)
