"""Parse Japanese free-text opening hours from municipal open data into weekly schedules.

The texts come from the ``openingHours`` and ``closedDays`` columns of public
office listings, e.g. ``平日８時30分～17時15分（正午から午後１時までを除く。）`` with
``土曜日・日曜日・祝日・年末年始``. The parser is deliberately strict: whatever it
does not understand makes :attr:`ParsedHours.parsed` false instead of being
guessed at, so that callers never claim a place is open on a misreading.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from dataclasses import dataclass, field

import jpholiday

__all__ = ["JST", "Interval", "ParsedHours", "WeeklyOpening", "is_open_at", "parse_hours", "week_of_month"]

# Japan has had no daylight saving time since 1951, so a fixed offset is exact
# and spares us a dependency on the system's tz database.
JST = datetime.timezone(datetime.timedelta(hours=9), "Asia/Tokyo")

_ALL_DAYS = frozenset(range(7))
_MON_TO_FRI = frozenset(range(5))
_WEEKDAY_KANJI = "月火水木金土日"

Interval = tuple[datetime.time, datetime.time]


@dataclass(frozen=True)
class WeeklyOpening:
    """One recurring opening interval, shared by every weekday listed."""

    weekdays: tuple[int, ...]
    """0 = Monday .. 6 = Sunday, sorted ascending."""
    opens_at: datetime.time
    closes_at: datetime.time
    """Exclusive end; always later than ``opens_at`` on the same day."""
    weeks_of_month: tuple[int, ...] = ()
    """Empty: every week. Otherwise only the n-th such weekday of the month (第2土曜日 → (2,))."""

    def applies_on(self, day: datetime.date) -> bool:
        """Whether this opening falls on ``day`` (its weekday and, for monthly ones, its week)."""
        if day.weekday() not in self.weekdays:
            return False
        return not self.weeks_of_month or week_of_month(day) in self.weeks_of_month


def week_of_month(day: datetime.date) -> int:
    """Which occurrence of its weekday ``day`` is in its month: 1 for the first Saturday, and so on."""
    return (day.day - 1) // 7 + 1


@dataclass(frozen=True)
class ParsedHours:
    """What a pair of opening-hours / closed-days texts says about when a place is open."""

    openings: tuple[WeeklyOpening, ...]
    open_24h: bool
    closed_on_holidays: bool
    """Closed on Japanese national holidays (祝日/祝祭日/休日)."""
    closed_year_end: bool
    """Closed over the New Year break, 29 December to 3 January (年末年始)."""
    days_assumed: bool
    """No weekday was stated anywhere, so Monday to Friday was assumed (a public office)."""
    parsed: bool
    """True only when every part of both texts was understood."""
    holiday_hours: tuple[Interval, ...] = field(default=())
    """Hours that replace the weekly ones on national holidays (e.g. ``土曜日・日曜日・祝日 9:00～18:00``)."""
    year_end_hours: tuple[Interval, ...] = field(default=())
    """Hours that replace the weekly ones over the New Year break (``12月29日～1月3日は9:00～17:00``)."""
    closed_dates: tuple[tuple[int, int], ...] = field(default=())
    """(month, day) closed every year besides the rest: 慰霊の日 → ((6, 23),), 1月1日～1月3日 → three."""
    closed_unlisted_days: bool = False
    """Also closed on days the text names but does not date (a building's closing or maintenance
    days): outside the hours it is closed, within them nobody can tell (is_open_at gives None)."""


def parse_hours(opening_text: str, closed_text: str = "") -> ParsedHours | None:
    """Turn the free-text opening hours and closed days of an office into a schedule.

    Returns None when ``opening_text`` is blank. Parts that are not understood
    make ``parsed`` false; whatever was understood is still returned.
    """
    hours_text = _normalise(opening_text)
    if not hours_text.strip():
        return None
    state = _State()
    hours_text = _ALL_DAY_WHO_ANSWERS_RE.sub(_drop_who_answers, hours_text)
    _read_hours(_tokenise(_PAREN_RE.sub(_drop_remark, hours_text), hours=True), state)
    section_is_remark = False
    for part in _PART_SEPARATOR_RE.split(_normalise(closed_text)):
        if heading := _HEADING_RE.fullmatch(part.strip()):
            # 【電話相談受付】 opens a section on how to reach the window; 【休所日】 one on when it is shut.
            section_is_remark = not _CLOSING_WORD_RE.search(heading.group(1))
        elif section_is_remark:
            _check_mode_hours(part, state)
        elif not _is_remark(part):
            _read_closed(_tokenise(part, hours=False), state)
    return _build(state)


# A remark says how to reach the window on days it is open (by phone only, by appointment, which
# other number to call), not when it is closed. It stays on the page beside the schedule, which it
# does not change. Anything that may close a day is never a remark: the parser must read it.
_REMARK_RE = re.compile(r"電話|予約|受付|案内|回答|面談|面接|来所|緊急|相談時間|【")
# 休 closes, except in 昼休み (a lunch break) and 休日も (open on days off too).
_CLOSING_WORD_RE = re.compile(
    r"除|(?<!昼)休(?!日も)|閉|行っておりません|行いません|行っていません|準ず|準じ|不可日|ない日"
)
_PART_SEPARATOR_RE = re.compile(r"[/\n]")
_PAREN_RE = re.compile(r"\(([^()]*)\)")


# 24時間対応（平日17:00～翌9:00、土曜日・日曜日・祝日・年末年始はコールセンター対応）: the brackets say who
# answers at which hours of the 24, not that the line ever closes.
_ALL_DAY_WHO_ANSWERS_RE = re.compile(r"(24時間(?:対応)?)\s*\(([^()]*対応)\)")
_HEADING_RE = re.compile(r"【([^【】]*)】")


def _drop_who_answers(match: re.Match[str]) -> str:
    return match.group(0) if _CLOSING_WORD_RE.search(match.group(2)) else match.group(1)


def _check_mode_hours(part: str, state: _State) -> None:
    """Hours under a contact-mode heading of the closed-days text (【電話相談受付】／平日 9:00～17:30).

    They say when each way of reaching the window is open, inside the hours of the opening-hours
    text, which alone give the schedule. They must still be hours the parser can read: anything
    else under such a heading may close a day and makes the text unparsed.
    """
    scratch = _State()
    _read_hours(_tokenise(part, hours=True), scratch)
    if scratch.problems or not any(group.ranges for group in scratch.groups):
        state.problems.append(f"unreadable hours under a heading: {part}")


def _is_remark(part: str) -> bool:
    return bool(_REMARK_RE.search(part)) and not _CLOSING_WORD_RE.search(part)


def _drop_remark(match: re.Match[str]) -> str:
    """In the hours text only a bracketed remark without any time is dropped (（緊急時は夜間も対応）)."""
    inner = match.group(1)
    return " " if _is_remark(inner) and not re.search(r"\d", inner) else match.group(0)


def is_open_at(hours: ParsedHours, when: datetime.datetime) -> bool | None:
    """Tell whether the place is open at ``when``; None when we cannot tell.

    None when the hours were not fully parsed, and within the hours of a place that also closes on
    days the text does not date (``closed_unlisted_days``).

    ``when`` must be timezone-aware; it is converted to Japan time. Intervals
    are half-open: open at ``opens_at``, closed at ``closes_at``.
    """
    if when.tzinfo is None or when.utcoffset() is None:
        raise ValueError("is_open_at needs a timezone-aware datetime")
    if not hours.parsed:
        return None
    local = when.astimezone(JST)
    day = local.date()
    moment = local.time().replace(tzinfo=None)
    if (day.month, day.day) in hours.closed_dates:
        return False
    is_open = _open_by_schedule(hours, day, moment)
    # On one of its undated closing days a window open by its schedule is closed: we cannot say "open".
    return None if is_open and hours.closed_unlisted_days else is_open


def _open_by_schedule(hours: ParsedHours, day: datetime.date, moment: datetime.time) -> bool:
    if _is_year_end(day):
        if hours.year_end_hours:
            return any(start <= moment < end for start, end in hours.year_end_hours)
        if hours.closed_year_end:
            return False
    if jpholiday.is_holiday(day):
        if hours.holiday_hours:
            return any(start <= moment < end for start, end in hours.holiday_hours)
        if hours.closed_on_holidays:
            return False
    if hours.open_24h:
        return True
    return any(opening.applies_on(day) and opening.opens_at <= moment < opening.closes_at for opening in hours.openings)


def _is_year_end(day: datetime.date) -> bool:
    return (day.month == 12 and day.day >= 29) or (day.month == 1 and day.day <= 3)


# --------------------------------------------------------------------------
# Normalisation
# --------------------------------------------------------------------------

# After NFKC the full-width tilde is already "~"; these are the other dashes
# and waves people type between two times or two weekdays.
_RANGE_MARKS = str.maketrans(dict.fromkeys("〜~‐‑‒–—―-−", "~"))
# The long-vowel mark doubles as a dash only between times or weekdays; elsewhere
# it is part of a katakana word (センター) and must survive.
_CHOONPU_AS_DASH = re.compile(r"(?<=[\d時分曜日月火水木金土])\s*ー\s*(?=[\d午正月火水木金土日])")


def _normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    text = _CHOONPU_AS_DASH.sub("~", text)
    text = text.translate(_RANGE_MARKS)
    # から is the written-out range separator; treating it as "~" lets one
    # grammar cover 8時30分から17時15分 and 8時30分～17時15分 alike.
    return text.replace("から", "~")


# --------------------------------------------------------------------------
# Tokens
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class _DaySpec:
    weekdays: frozenset[int]
    holiday: bool = False
    year_end: bool = False
    heijitsu: bool = False  # 平日 conventionally excludes national holidays
    every_day: bool = False  # 毎日/年中無休/365日 also cover holidays
    nth: frozenset[tuple[int, int]] = frozenset()  # (weekday, week of month): 第3土曜日 → (5, 3)
    dates: frozenset[tuple[int, int]] = frozenset()  # (month, day) every year: 慰霊の日 → (6, 23)
    unlisted: bool = False  # a building's closing days: days the text names but does not date
    unreadable: bool = False  # a date that does not exist (2月30日)


@dataclass(frozen=True)
class _Days:
    spec: _DaySpec


@dataclass(frozen=True)
class _Range:
    interval: Interval


@dataclass(frozen=True)
class _Exclude:
    interval: Interval


@dataclass(frozen=True)
class _Closure:
    spec: _DaySpec


@dataclass(frozen=True)
class _HolidayOpen:
    spec: _DaySpec


@dataclass(frozen=True)
class _Until:
    spec: _DaySpec
    closes_at: datetime.time


@dataclass(frozen=True)
class _ReceptionUntil:
    """受付は16:30まで: the last call or visit taken, which ends the hours it follows for a resident."""

    closes_at: datetime.time


@dataclass(frozen=True)
class _AlsoDays:
    """土曜日・日曜日も電話相談あり: these days too, at the hours just given."""

    spec: _DaySpec


@dataclass(frozen=True)
class _AllDay:
    spec: _DaySpec | None


@dataclass(frozen=True)
class _Label:
    """Whose hours follow (DV相談, 電話, 面談): the times that follow are still the window's."""


@dataclass(frozen=True)
class _Paren:
    opening: bool


@dataclass(frozen=True)
class _Sep:
    pass


@dataclass(frozen=True)
class _Unknown:
    text: str


_Token = (
    _Days
    | _Range
    | _Exclude
    | _Closure
    | _HolidayOpen
    | _Until
    | _ReceptionUntil
    | _AlsoDays
    | _AllDay
    | _Label
    | _Paren
    | _Sep
    | _Unknown
)

_SEPARATORS = frozenset(" \t\r\n\u3000、,。./;・※「」【】")
_OPEN_PARENS = frozenset("([{〔")
_CLOSE_PARENS = frozenset(")]}〕")
_BOUNDARIES = _SEPARATORS | _OPEN_PARENS | _CLOSE_PARENS


def _time_pattern(prefix: str) -> str:
    return (
        rf"(?:(?P<{prefix}noon>正午)"
        rf"|(?:(?P<{prefix}ampm>午前|午後)\s*)?(?P<{prefix}h>\d{{1,2}})"
        rf"(?::(?P<{prefix}colon>\d{{2}})|時(?:(?P<{prefix}min>\d{{1,2}})分|(?P<{prefix}half>半))?))"
    )


_RANGE_BODY = _time_pattern("a") + r"\s*~\s*" + _time_pattern("b") + r"(?:\s*まで)?"
_RANGE_RE = re.compile(_RANGE_BODY)
# A break is either named (昼休み 12:00～13:00) or cut out (12時～13時を除く).
_EXCLUDE_RE = re.compile(r"(?P<lunch>(?:昼休み|昼休憩|休憩)\s*:?\s*)?" + _RANGE_BODY + r"(?P<cut>\s*を?除[くき])?")
_ALL_DAY_RE = re.compile(r"(?P<before>365日\s*)?24時間(?:\s*(?P<after>365日))?(?:対応|営業|受付|開館|開庁)?")
_LABEL_RE = re.compile(r"[^\d\s:~()/、・]{1,20}:\s*")
# A contact mode or a named line before its times: 電話9時～16時, 面談9時30分～16時, DV相談 8:30～22:00.
_MODE_LABEL_RE = re.compile(
    r"(?:(?:電話|面談|面接|来所|窓口|メール)(?:相談)?(?:受付)?|[A-Za-z]{1,10}相談)\s*:?\s*(?=[\d午正])"
)

# Longest alternatives first: 祝日 must win over 祝, 土日 over 土.
_DAY_ITEM_RE = re.compile(
    # サンウェルぬまづ閉館日, かながわ県民センター休館日, 施設メンテナンス日: not a weekday first (日曜休館日).
    r"(?P<unlisted>(?![月火水木金土日祝])[^\s\d、・,./;()\[\]{}【】~:]{0,25}?(?:閉館日|休館日|休所日|メンテナンス日|点検日))"
    r"|第(?P<weeks>[1-5](?:[・、,]?第?[1-5])*)(?P<nthday>[月火水木金土日])(?:曜日?)?"
    r"|(?:県|都|府|道|市|区|町|村)の休日"
    r"|年中無休|365日|毎日|平日|土日|12月29日~1月3日|年末年始(?:期間)?|祝祭日|祝休日|祝日|休日|祝"
    r"|(?P<named_date>慰霊の日)"
    r"|(?P<m1>\d{1,2})月(?P<d1>\d{1,2})日(?:\s*~\s*(?:(?P<m2>\d{1,2})月)?(?P<d2>\d{1,2})日)?"
    r"|(?P<kanji>[月火水木金土日])(?:曜日?)?"
)
_DAY_LIST_SEP_RE = re.compile(r"・|、|,|及び|および|並びに|と|")
_DAY_RANGE_RE = re.compile(r"\s*~\s*")
_CLOSURE_SUFFIX_RE = re.compile(
    r"(?:の場合)?(?:は|を)?(?:除く|除き|休み|休業|休館|閉庁|閉館|休|に準ずる|に準じる)(?:ます)?"
    # 毎月第4水曜日は、事案調査のため相談は行っておりません
    r"|は[、,]?(?:[^/、。]{1,20}のため[、,]?)?(?:相談|受付|窓口)?(?:は|を)?(?:行っておりません|行いません|行っていません)"
)
_HOLIDAY_OPEN_SUFFIX_RE = re.compile(r"も(?:受付|開庁|開館|営業|開所)(?:します)?")
_UNTIL_SUFFIX_RE = re.compile(r"は\s*" + _time_pattern("u") + r"\s*まで")
_ALSO_SUFFIX_RE = re.compile(r"も(?:電話|来所|面談)?(?:相談|受付)(?:あり|可|を行います|します)")
_RECEPTION_UNTIL_RE = re.compile(r"(?:電話|来所)?受付(?:時間)?は?\s*" + _time_pattern("u") + r"\s*まで")
# 12月29日～1月3日は9:00～17:00: は before the times is the topic marker, like の.
_DAYS_FOLLOWER_RE = re.compile(r"の|は(?=\s*[\d午正])|(?=[\d午正]|$)")


def _tokenise(text: str, *, hours: bool) -> list[_Token]:
    """Split normalised text into tokens; ``hours`` is False for the closed-days column."""
    tokens: list[_Token] = []
    pos = 0
    label = _LABEL_RE.match(text) if hours else None
    if label is not None and _scan_day_list(text, 0) is None:
        # A single leading "電話受付：" / "市役所本庁舎：" only says whose hours follow.
        pos = label.end()
    while pos < len(text):
        char = text[pos]
        if char in _SEPARATORS:
            tokens.append(_Sep())
            pos += 1
            continue
        if char in _OPEN_PARENS or char in _CLOSE_PARENS:
            tokens.append(_Paren(opening=char in _OPEN_PARENS))
            pos += 1
            continue
        token, end = _match_token(text, pos, hours=hours)
        if token is None:
            # Skip the whole unknown word rather than one character, so that a
            # stray 日 inside 閉館日 cannot be read as "Sunday".
            end = pos + 1
            while end < len(text) and text[end] not in _BOUNDARIES:
                end += 1
            token = _Unknown(text[pos:end])
        tokens.append(token)
        pos = end
    return tokens


def _match_token(text: str, pos: int, *, hours: bool) -> tuple[_Token | None, int]:
    if hours and (match := _RECEPTION_UNTIL_RE.match(text, pos)):
        closes_at = _time_from(match, "u")
        return (_ReceptionUntil(closes_at) if closes_at is not None else None), match.end()
    if hours and (match := _MODE_LABEL_RE.match(text, pos)):
        return _Label(), match.end()
    if match := _ALL_DAY_RE.match(text, pos):
        every_day = match.group("before") or match.group("after")
        spec = _DaySpec(_ALL_DAYS, every_day=True) if every_day else None
        return _AllDay(spec), match.end()
    if (match := _EXCLUDE_RE.match(text, pos)) and (match.group("lunch") or match.group("cut")):
        interval = _interval_from(match)
        return (_Exclude(interval) if interval is not None else None), match.end()
    if match := _RANGE_RE.match(text, pos):
        interval = _interval_from(match)
        return (_Range(interval) if interval is not None else None), match.end()
    return _match_days_token(text, pos, hours=hours)


def _match_days_token(text: str, pos: int, *, hours: bool) -> tuple[_Token | None, int]:
    found = _scan_day_list(text, pos)
    if found is None:
        return None, pos
    spec, end = found
    if match := _CLOSURE_SUFFIX_RE.match(text, end):
        return _Closure(spec), match.end()
    if match := _HOLIDAY_OPEN_SUFFIX_RE.match(text, end):
        return _HolidayOpen(spec), match.end()
    if match := _UNTIL_SUFFIX_RE.match(text, end):
        closes_at = _time_from(match, "u")
        return (_Until(spec, closes_at) if closes_at is not None else None), match.end()
    if hours and (match := _ALSO_SUFFIX_RE.match(text, end)):
        return _AlsoDays(spec), match.end()
    at_boundary = end == len(text) or text[end] in _BOUNDARIES
    if not hours:
        # A closed-days entry that runs on (土曜日の来所相談は…, 平日09:00…) is a
        # remark about those days, not a closure; do not close them on a hunch.
        return (_Days(spec), end) if at_boundary else (None, pos)
    follower = _DAYS_FOLLOWER_RE.match(text, end)
    if follower is None and not at_boundary:
        # e.g. 日曜は電話相談のみ: the days qualify something we cannot read.
        return None, pos
    return _Days(spec), (follower.end() if follower else end)


# 毎週/毎月 (also 「毎月 第2土曜日」 with a space) and 月1回/月2回 before a day list say nothing more than the days do.
_EVERY_PREFIX_RE = re.compile(r"(?:毎週|毎月|月に?[1-4一二三四]回)\s*")


def _scan_day_list(text: str, pos: int) -> tuple[_DaySpec, int] | None:
    if prefix := _EVERY_PREFIX_RE.match(text, pos):
        pos = prefix.end()
    specs: list[_DaySpec] = []
    end = pos
    while True:
        item = _scan_day_range(text, pos)
        if item is None:
            break
        spec, end = item
        specs.append(spec)
        sep = _DAY_LIST_SEP_RE.match(text, end)
        pos = sep.end() if sep else end
    if not specs:
        return None
    return _merge_specs(specs), end


def _scan_day_range(text: str, pos: int) -> tuple[_DaySpec, int] | None:
    first = _DAY_ITEM_RE.match(text, pos)
    if first is None:
        return None
    dash = _DAY_RANGE_RE.match(text, first.end())
    if first.group("kanji") and dash:
        last = _DAY_ITEM_RE.match(text, dash.end())
        if last is not None and last.group("kanji"):
            a = _WEEKDAY_KANJI.index(first.group("kanji"))
            b = _WEEKDAY_KANJI.index(last.group("kanji"))
            days = frozenset((a + i) % 7 for i in range((b - a) % 7 + 1))
            return _DaySpec(days), last.end()
    return _item_spec(first), first.end()


# Days a local government closes by its own ordinance, on the same date every year.
_NAMED_DATES = {"慰霊の日": (6, 23)}  # 沖縄県の慰霊の日 (沖縄県慰霊の日を定める条例)


def _item_spec(match: re.Match[str]) -> _DaySpec:
    word = match.group(0)
    if match.group("unlisted"):
        return _DaySpec(frozenset(), unlisted=True)
    if named := match.group("named_date"):
        return _DaySpec(frozenset(), dates=frozenset({_NAMED_DATES[named]}))
    if match.group("m1"):
        return _date_range_spec(match)
    if kanji := match.group("kanji"):
        return _DaySpec(frozenset({_WEEKDAY_KANJI.index(kanji)}))
    if nthday := match.group("nthday"):
        weekday = _WEEKDAY_KANJI.index(nthday)
        weeks = {int(n) for n in re.findall(r"\d", match.group("weeks"))}
        return _DaySpec(frozenset(), nth=frozenset((weekday, week) for week in weeks))
    if word.endswith("の休日"):
        # The local government's own days off (by its ordinance): weekends, holidays, the year end.
        return _DaySpec(frozenset({5, 6}), holiday=True, year_end=True)
    if word in ("年中無休", "365日", "毎日"):
        return _DaySpec(_ALL_DAYS, every_day=True)
    if word == "平日":
        return _DaySpec(_MON_TO_FRI, heijitsu=True)
    if word == "土日":
        return _DaySpec(frozenset({5, 6}))
    if word.startswith(("年末年始", "12月")):
        return _DaySpec(frozenset(), year_end=True)
    return _DaySpec(frozenset(), holiday=True)


def _date_range_spec(match: re.Match[str]) -> _DaySpec:
    """1月1日～1月3日 (or 1月1日～3日): every (month, day) from the first to the last, over New Year too."""
    first_month, first_day = int(match.group("m1")), int(match.group("d1"))
    last_month = int(match.group("m2") or first_month)
    last_day = int(match.group("d2") or first_day)
    try:
        # A leap year, so that 2月29日 exists; a range ending before it starts runs over the New Year.
        start = datetime.date(2024, first_month, first_day)
        end = datetime.date(2024, last_month, last_day)
    except ValueError:
        return _DaySpec(frozenset(), unreadable=True)
    if end < start:
        end = end.replace(year=2025)
    if (end - start).days > 31:
        # A closure of more than a month is a season, not closed days: read it as not understood.
        return _DaySpec(frozenset(), unreadable=True)
    days = (start + datetime.timedelta(days=n) for n in range((end - start).days + 1))
    return _DaySpec(frozenset(), dates=frozenset((d.month, d.day) for d in days))


def _merge_specs(specs: list[_DaySpec]) -> _DaySpec:
    return _DaySpec(
        weekdays=frozenset[int]().union(*(s.weekdays for s in specs)),
        holiday=any(s.holiday for s in specs),
        year_end=any(s.year_end for s in specs),
        heijitsu=any(s.heijitsu for s in specs),
        every_day=any(s.every_day for s in specs),
        nth=frozenset[tuple[int, int]]().union(*(s.nth for s in specs)),
        dates=frozenset[tuple[int, int]]().union(*(s.dates for s in specs)),
        unlisted=any(s.unlisted for s in specs),
        unreadable=any(s.unreadable for s in specs),
    )


def _time_from(match: re.Match[str], prefix: str) -> datetime.time | None:
    if match.group(f"{prefix}noon"):
        return datetime.time(12, 0)
    hour = int(match.group(f"{prefix}h"))
    minute_text = match.group(f"{prefix}colon") or match.group(f"{prefix}min")
    minute = 30 if match.group(f"{prefix}half") else int(minute_text or 0)
    ampm = match.group(f"{prefix}ampm")
    if ampm is not None:
        if hour > 12:
            return None
        if ampm == "午後" and hour < 12:
            hour += 12
        elif ampm == "午前" and hour == 12:
            hour = 0
    # 24:00 cannot be a datetime.time and no real office closes at midnight
    # here; reject rather than silently turn it into 23:59.
    if hour > 23 or minute > 59:
        return None
    return datetime.time(hour, minute)


def _interval_from(match: re.Match[str]) -> Interval | None:
    start = _time_from(match, "a")
    end = _time_from(match, "b")
    if start is None or end is None:
        return None
    if (
        match.group("aampm") == "午後"
        and match.group("bampm") is None
        and match.group("bh") is not None
        and end.hour < 12
    ):
        # 午後1時～5時: the second time inherits the afternoon.
        end = end.replace(hour=end.hour + 12)
    if end <= start:
        return None
    return start, end


# --------------------------------------------------------------------------
# Interpretation
# --------------------------------------------------------------------------


@dataclass
class _Group:
    """Times that share one day specification, in the order they were written."""

    days: _DaySpec | None
    ranges: list[Interval] = field(default_factory=list)
    exclusions: list[Interval] = field(default_factory=list)
    untils: list[_Until] = field(default_factory=list)
    reception_until: datetime.time | None = None


@dataclass
class _State:
    groups: list[_Group] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    closed_weekdays: set[int] = field(default_factory=set)
    closed_weeks: set[tuple[int, int]] = field(default_factory=set)  # (weekday, week of month)
    closed_on_holidays: bool = False
    closed_year_end: bool = False
    closed_dates: set[tuple[int, int]] = field(default_factory=set)
    closed_unlisted: bool = False
    open_on_holidays: bool = False
    all_day: _AllDay | None = None


def _read_hours(tokens: list[_Token], state: _State) -> None:
    current: _Group | None = None
    previous: _Token | None = None
    depth = 0
    for token in tokens:
        if isinstance(token, _Paren):
            depth = depth + 1 if token.opening else max(depth - 1, 0)
            continue
        if isinstance(token, _Sep | _Label):
            continue
        if isinstance(token, _Days):
            if current is not None and isinstance(previous, _Days) and current.days is not None:
                # 平日の月～金曜日: two day words naming one set of days.
                current.days = _merge_specs([current.days, token.spec])
            elif current is not None and current.days is None and depth > 0:
                # 午前9時～午後5時（平日）: days given after the times.
                current.days = token.spec
            else:
                current = _Group(token.spec)
                state.groups.append(current)
        elif isinstance(token, _Range):
            if current is None:
                current = _Group(None)
                state.groups.append(current)
            current.ranges.append(token.interval)
        elif isinstance(token, _Exclude):
            if current is None or not current.ranges:
                state.problems.append("break without hours")
            else:
                current.exclusions.append(token.interval)
        elif isinstance(token, _Until):
            if current is None or not current.ranges:
                state.problems.append("closing time without hours")
            else:
                current.untils.append(token)
        elif isinstance(token, _ReceptionUntil):
            if current is None or not current.ranges or current.reception_until is not None:
                state.problems.append("reception time without hours")
            else:
                current.reception_until = token.closes_at
        elif isinstance(token, _AlsoDays):
            if current is None or not current.ranges:
                state.problems.append("'these days too' without hours")
            else:
                # The new days get the hours just given; a break written after them is theirs.
                current = _Group(token.spec, ranges=list(current.ranges), exclusions=list(current.exclusions))
                state.groups.append(current)
        elif isinstance(token, _Closure):
            _close(token.spec, state)
        elif isinstance(token, _HolidayOpen):
            _open_on(token.spec, state)
        elif isinstance(token, _AllDay):
            if state.all_day is not None:
                state.problems.append("24時間 stated twice")
            state.all_day = token
        else:
            state.problems.append(token.text)
        previous = token


def _read_closed(tokens: list[_Token], state: _State) -> None:
    for token in tokens:
        if isinstance(token, _Paren | _Sep):
            continue
        if isinstance(token, _Days | _Closure):
            # In the closed-days column a bare list of days already means "closed".
            _close(token.spec, state)
        elif isinstance(token, _HolidayOpen):
            _open_on(token.spec, state)
        elif isinstance(token, _Unknown):
            state.problems.append(token.text)
        else:
            state.problems.append(f"unexpected {type(token).__name__} in closed days")


def _close(spec: _DaySpec, state: _State) -> None:
    if spec.every_day:
        state.problems.append("closed every day")
        return
    if spec.unreadable:
        state.problems.append("a closed date that cannot be read")
    state.closed_dates |= spec.dates
    state.closed_unlisted |= spec.unlisted
    state.closed_weeks |= spec.nth
    state.closed_weekdays |= spec.weekdays
    state.closed_on_holidays |= spec.holiday
    state.closed_year_end |= spec.year_end


def _open_on(spec: _DaySpec, state: _State) -> None:
    if spec.weekdays or spec.year_end or not spec.holiday:
        # Only "open on holidays too" has an obvious meaning.
        state.problems.append("unsupported 'also open on' days")
        return
    state.open_on_holidays = True


def _build(state: _State) -> ParsedHours:
    problems = state.problems
    groups = state.groups
    named = [g for g in groups if g.days is not None and (g.days.weekdays or g.days.nth)]
    unnamed = [g for g in groups if g.days is None]
    if named and unnamed:
        problems.append("hours without days next to hours with days")

    days_assumed = False
    closed_on_holidays = state.closed_on_holidays
    if unnamed and not named and (state.closed_dates or state.closed_unlisted) and not state.closed_weekdays:
        # 8時30分～20時 closed 1月1日～1月3日: closures by date alone hint at a longer week than
        # the public office's, and the text does not say which.
        problems.append("hours without days, closed only on dates")
    if unnamed and not named:
        if state.closed_weekdays:
            default_days = _ALL_DAYS - state.closed_weekdays
        else:
            # Offices in this data set publish hours without days when they keep
            # the usual public-office week, which skips national holidays.
            default_days = _MON_TO_FRI
            days_assumed = True
            closed_on_holidays = True
    else:
        default_days = _MON_TO_FRI

    # Keyed by (weekday, weeks of the month); () = every week.
    per_day: dict[tuple[int, tuple[int, ...]], list[Interval]] = {}
    holiday_hours: list[Interval] = []
    year_end_hours: list[Interval] = []
    for group in groups:
        spec = group.days if group.days is not None else _DaySpec(default_days)
        if not group.ranges:
            problems.append("days without hours")
            continue
        if spec.dates or spec.unlisted or spec.unreadable:
            # Hours for particular dates (1月4日は10時から) are not a weekly schedule.
            problems.append("hours for dated days")
        intervals = _subtract(group.ranges, group.exclusions)
        if group.reception_until is not None:
            intervals = _cut_at(intervals, group.reception_until, problems)
        if spec.year_end:
            year_end_hours.extend(intervals)
        days = spec.weekdays - state.closed_weekdays
        by_day = {day: list(intervals) for day in days}
        for until in group.untils:
            _apply_until(until, by_day, problems)
        for day, day_intervals in by_day.items():
            per_day.setdefault((day, ()), []).extend(day_intervals)
        # A monthly day stays open even when its weekday is closed in general (平日・第3土曜日 with
        # 土曜日 closed): the particular week is the exception the text names.
        for day in range(7):
            weeks = tuple(sorted(week for weekday, week in spec.nth if weekday == day))
            if weeks:
                per_day.setdefault((day, weeks), []).extend(intervals)
        if spec.holiday:
            holiday_hours.extend(intervals)
        if spec.heijitsu and not state.open_on_holidays:
            closed_on_holidays = True

    if year_end_hours and state.closed_year_end:
        problems.append("hours given for a year end that is also closed")
    if holiday_hours:
        if state.closed_on_holidays:
            problems.append("hours given for holidays that are also closed")
        # Holiday hours replace 平日's implied closure on holidays.
        closed_on_holidays = False
    if state.open_on_holidays:
        if state.closed_on_holidays:
            problems.append("holidays both open and closed")
        closed_on_holidays = False

    open_24h = state.all_day is not None
    if open_24h:
        days_assumed = False
        all_day_spec = state.all_day.spec if state.all_day else None
        if groups or state.closed_weekdays or (all_day_spec and all_day_spec.weekdays != _ALL_DAYS):
            # ParsedHours cannot express "24 hours, but only on some days".
            problems.append("24時間 limited to some days")

    openings = _regroup(_close_weeks(per_day, state.closed_weeks))
    return ParsedHours(
        openings=openings,
        open_24h=open_24h,
        closed_on_holidays=closed_on_holidays,
        closed_year_end=state.closed_year_end,
        days_assumed=days_assumed,
        parsed=not problems and (bool(openings) or open_24h),
        holiday_hours=tuple(_union(holiday_hours)),
        year_end_hours=tuple(_union(year_end_hours)),
        closed_dates=tuple(sorted(state.closed_dates)),
        closed_unlisted_days=state.closed_unlisted,
    )


def _cut_at(intervals: list[Interval], last_taken: datetime.time, problems: list[str]) -> list[Interval]:
    """End the hours at the last reception time (受付は20:30まで), which must fall inside them."""
    if not any(start < last_taken <= end for start, end in intervals):
        problems.append("reception time outside the hours")
        return intervals
    return [(start, min(end, last_taken)) for start, end in intervals if start < last_taken]


def _close_weeks(
    per_day: dict[tuple[int, tuple[int, ...]], list[Interval]], closed: set[tuple[int, int]]
) -> dict[tuple[int, tuple[int, ...]], list[Interval]]:
    """第3日曜は除く: every Sunday but the third becomes the Sundays of weeks 1, 2, 4 and 5."""
    result: dict[tuple[int, tuple[int, ...]], list[Interval]] = {}
    for (day, weeks), intervals in per_day.items():
        shut = {week for weekday, week in closed if weekday == day}
        if shut:
            weeks = tuple(week for week in (weeks or range(1, 6)) if week not in shut)
            if not weeks:
                continue
        result.setdefault((day, weeks), []).extend(intervals)
    return result


def _apply_until(until: _Until, by_day: dict[int, list[Interval]], problems: list[str]) -> None:
    spec = until.spec
    if spec.holiday or spec.year_end or not spec.weekdays:
        problems.append("closing time for holidays")
        return
    for day in spec.weekdays:
        intervals = sorted(by_day.get(day, []))
        if not intervals or intervals[-1][0] >= until.closes_at:
            problems.append("closing time for a day that is not open")
            continue
        intervals[-1] = (intervals[-1][0], until.closes_at)
        by_day[day] = intervals


def _subtract(ranges: list[Interval], exclusions: list[Interval]) -> list[Interval]:
    result = list(ranges)
    for cut_start, cut_end in exclusions:
        pieces: list[Interval] = []
        for start, end in result:
            if cut_end <= start or cut_start >= end:
                pieces.append((start, end))
                continue
            if start < cut_start:
                pieces.append((start, cut_start))
            if cut_end < end:
                pieces.append((cut_end, end))
        result = pieces
    return result


def _union(intervals: list[Interval]) -> list[Interval]:
    merged: list[Interval] = []
    for start, end in sorted(intervals):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _regroup(per_day: dict[tuple[int, tuple[int, ...]], list[Interval]]) -> tuple[WeeklyOpening, ...]:
    days_by_interval: dict[tuple[Interval, tuple[int, ...]], list[int]] = {}
    for day, weeks in sorted(per_day):
        for interval in _union(per_day[day, weeks]):
            days_by_interval.setdefault((interval, weeks), []).append(day)
    openings = [
        WeeklyOpening(weekdays=tuple(days), opens_at=start, closes_at=end, weeks_of_month=weeks)
        for ((start, end), weeks), days in days_by_interval.items()
    ]
    return tuple(sorted(openings, key=lambda o: (o.weeks_of_month, o.weekdays[0], o.opens_at, o.weekdays)))
