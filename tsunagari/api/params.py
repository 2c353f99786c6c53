"""Query parameters of the HSDS API, read strictly: a bad value is a 400 that says how to fix it."""

from __future__ import annotations

import datetime
import math
import re
import unicodedata
import uuid
from dataclasses import dataclass

from django.http import QueryDict
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

DEFAULT_PER_PAGE = 50
MAX_PER_PAGE = 100
# HSDS asks `minimal` listings to fit all services in one page; ours are a few thousand.
MAX_MINIMAL_PER_PAGE = 10_000
# Far beyond any real page (a few thousand records), and well inside int64 for any client.
MAX_PAGE = 1_000_000
FORMATS = ("json", "ndjson")
EARTH_RADIUS_M = 6_371_008.8


class ApiError(Exception):
    """A request the API refuses, with a Japanese message shown to the person who sent it."""

    def __init__(self, message: str, *, parameter: str | None = None, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.parameter = parameter
        self.status = status

    def as_json(self) -> dict[str, object]:
        body: dict[str, object] = {"message": self.message}
        if self.parameter:
            body["parameter"] = self.parameter
        return body


@dataclass(frozen=True)
class PageRequest:
    number: int
    size: int

    @property
    def offset(self) -> int:
        return (self.number - 1) * self.size


def text(query: QueryDict, name: str) -> str:
    """A free-text parameter, normalised (full-width letters and digits become ASCII).

    Control characters (NUL, tabs, escapes) are read as spaces: they mean nothing in words looked
    for, and PostgreSQL refuses a NUL in any text it is given.
    """
    value = unicodedata.normalize("NFKC", query.get(name, ""))
    return _CONTROL.sub(" ", value).strip()


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def exact(query: QueryDict, name: str) -> str:
    """A parameter with a fixed form (ids, numbers, flags), as sent: what the OpenAPI document declares.

    Not stripped nor case-folded: " 2", "JSON" or a control character would be values the document
    calls invalid, and the server must refuse what its document refuses (schemathesis checks it).
    """
    return query.get(name, "")


def boolean(query: QueryDict, name: str) -> bool:
    value = exact(query, name)
    if value in ("", "false", "0", "no"):
        return False
    if value in ("true", "1", "yes"):
        return True
    raise ApiError(_("%(name)s には true か false を指定してください。") % {"name": name}, parameter=name)


def page(query: QueryDict, *, minimal: bool = False) -> PageRequest:
    """page (1 to MAX_PAGE) and per_page (default 50, at most 100; minimal=true: a default of 10,000)."""
    number = _positive_int(query, "page", default=1, most=MAX_PAGE, example="page=2")
    default = MAX_MINIMAL_PER_PAGE if minimal else DEFAULT_PER_PAGE
    size = _positive_int(query, "per_page", default=default, most=MAX_PER_PAGE, example="per_page=50")
    return PageRequest(number=number, size=size)


def _positive_int(query: QueryDict, name: str, *, default: int, most: int, example: str) -> int:
    raw = exact(query, name)
    if not raw:
        return default
    # "10.0" is an integer to JSON Schema (and to clients that send numbers as floats).
    whole = re.fullmatch(r"([0-9]{1,12})(?:\.0+)?", raw)
    value = int(whole[1]) if whole else 0
    if not 1 <= value <= most:
        raise ApiError(
            _("%(name)s には 1 以上 %(most)d 以下の整数を指定してください（例: %(example)s）。")
            % {"name": name, "most": most, "example": example},
            parameter=name,
        )
    return value


def output_format(query: QueryDict) -> str:
    value = exact(query, "format") or "json"
    if value not in FORMATS:
        raise ApiError(_("format には json か ndjson を指定してください。"), parameter="format")
    return value


def uuid_param(query: QueryDict, name: str, *, what: str) -> uuid.UUID | None:
    raw = exact(query, name)
    if not raw:
        return None
    value = as_uuid(raw)
    if value is None:
        raise ApiError(
            _("%(name)s には%(what)sの id（UUID、例: 3f7b145d-84af-42d7-8fae-eaca714b02b2）を指定してください。")
            % {"name": name, "what": what},
            parameter=name,
        )
    return value


_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


def as_uuid(raw: str) -> uuid.UUID | None:
    """The UUID in its usual hyphenated form (OpenAPI's format: uuid); None for anything else."""
    return uuid.UUID(raw) if _UUID.fullmatch(raw) else None


def modified_after(query: QueryDict) -> datetime.datetime | None:
    """An ISO 8601 date or date-time; naive values are Japan time."""
    raw = exact(query, "modified_after")
    if not raw:
        return None
    # An unencoded "+09:00" arrives as " 09:00": put the plus sign back.
    candidate = re.sub(r"(T[\d:.]+) (\d\d:?\d\d)$", r"\1+\2", raw)
    try:
        moment = parse_datetime(candidate)
        if moment is None:
            day = parse_date(candidate)
            moment = datetime.datetime.combine(day, datetime.time()) if day else None
    except ValueError:
        moment = None
    if moment is None:
        raise ApiError(
            _(
                "modified_after の日時を読み取れません。2026-04-01 や 2026-04-01T09:00:00+09:00 のように"
                "ISO 8601 形式で指定してください（+ は %2B と書きます）。"
            ),
            parameter="modified_after",
        )
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


def postcode(query: QueryDict) -> str | None:
    """A Japanese postal code as "NNN-NNNN" (the form we store), from any usual spelling."""
    raw = text(query, "postcode")
    if not raw:
        return None
    digits = re.sub(r"[\s\-ー－〒]", "", raw)
    if not re.fullmatch(r"\d{7}", digits):
        raise ApiError(_("postcode には 7 桁の郵便番号を指定してください（例: 248-8686）。"), parameter="postcode")
    return f"{digits[:3]}-{digits[3:]}"


@dataclass(frozen=True)
class Proximity:
    """A point and, optionally, a radius in metres."""

    latitude: float | None
    longitude: float | None
    radius_m: float | None

    @property
    def has_point(self) -> bool:
        return self.latitude is not None and self.longitude is not None


def proximity(query: QueryDict) -> Proximity | None:
    """HSDS: metres from the postcode's centroid. Ours too: "lat,lon" or "lat,lon,metres"."""
    raw = text(query, "proximity")
    if not raw:
        return None
    parts = [part.strip() for part in raw.split(",")]
    try:
        numbers = [float(part) for part in parts]
    except ValueError:
        numbers = []
    if not all(math.isfinite(n) for n in numbers):
        numbers = []
    if len(numbers) == 1 and numbers[0] > 0:
        return Proximity(None, None, numbers[0])
    if len(numbers) in (2, 3):
        lat, lon = numbers[0], numbers[1]
        radius = numbers[2] if len(numbers) == 3 else None
        if -90 <= lat <= 90 and -180 <= lon <= 180 and (radius is None or radius > 0):
            return Proximity(lat, lon, radius)
    raise ApiError(
        _(
            "proximity は「緯度,経度」か「緯度,経度,距離（メートル）」で指定してください"
            "（例: proximity=35.3192,139.5467,2000）。postcode と一緒なら距離（メートル）だけでも指定できます。"
        ),
        parameter="proximity",
    )


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))
