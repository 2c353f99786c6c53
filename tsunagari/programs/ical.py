"""iCalendar (RFC 5545) for events: one event, or a platform's feed.

Written by hand rather than with the `icalendar` package: we emit one component type with a
handful of properties, and the three rules that matter — text escaping (§3.3.11), line folding
at 75 octets (§3.1) and CRLF line ends — fit in a few lines that the tests check. Times are
written in UTC (the "Z" form), so no VTIMEZONE block is needed; calendars show them in the
reader's own zone, Japan time for our users.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.utils import timezone

from .models import Event

PRODID = "-//Tsunagari//Events//JA"
LINE_OCTETS = 75


def escape_text(value: str) -> str:
    """TEXT value escaping: backslash, semicolon, comma and line breaks (RFC 5545 §3.3.11)."""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    return value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def fold(line: str) -> str:
    """Fold a content line into lines of at most 75 octets, never inside a UTF-8 character (§3.1)."""
    parts: list[str] = []
    current, size = "", 0
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > LINE_OCTETS:
            parts.append(current)
            # A continuation line starts with one space, which counts towards its 75 octets.
            current, size = " ", 1
        current += char
        size += width
    parts.append(current)
    return "\r\n".join(parts)


def utc(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")


def _host() -> str:
    return urlsplit(settings.SITE_URL).hostname or "tsunagari.invalid"


@dataclass(frozen=True)
class CalendarEvent:
    """One event as a calendar shows it: where to link, and whether the online link may be shown."""

    event: Event
    url: str
    show_online_link: bool


def vevent(item: CalendarEvent, *, stamp: datetime.datetime | None = None) -> list[str]:
    event = item.event
    status = {
        Event.Status.PUBLISHED: "CONFIRMED",
        Event.Status.CANCELLED: "CANCELLED",
        Event.Status.DRAFT: "TENTATIVE",
    }[Event.Status(event.status)]
    description = event.description
    location = event.place
    if event.online_url and item.show_online_link:
        description = f"{description}\n\n{event.online_url}".strip()
        location = location or event.online_url
    lines = [
        "BEGIN:VEVENT",
        f"UID:event-{event.pk}@{_host()}",
        f"DTSTAMP:{utc(stamp or event.updated_at or timezone.now())}",
        f"DTSTART:{utc(event.starts_at)}",
        f"DTEND:{utc(event.ends_at)}",
        f"SEQUENCE:{event.sequence}",
        f"SUMMARY:{escape_text(event.title)}",
        f"STATUS:{status}",
    ]
    if description:
        lines.append(f"DESCRIPTION:{escape_text(description)}")
    if location:
        lines.append(f"LOCATION:{escape_text(location)}")
    if item.url:
        # A URI value, not TEXT: no escaping (it has no line breaks; URLField and reverse() see to it).
        lines.append(f"URL:{item.url}")
    lines.append("END:VEVENT")
    return lines


def calendar(items: Iterable[CalendarEvent], *, name: str) -> str:
    """A whole VCALENDAR object, folded, with CRLF line ends."""
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape_text(name)}",
        "X-WR-TIMEZONE:Asia/Tokyo",
    ]
    for item in items:
        lines.extend(vevent(item))
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)
