"""Never an empty answer (issue 9 item 7): the kinds of public window every area has by law.

The open data is thin for this platform's needs (nationally two caregiving windows, two for
mental health, none for loneliness). But some windows exist everywhere because a law says so:
every municipality has a 地域包括支援センター and a 社会福祉協議会, every prefecture a 児童相談所 and
a 精神保健福祉センター. data/window_kinds.tsv describes each kind in our own words — what it does,
what to say on the phone, what to bring — with the needs it answers and the law behind it.

When no window for a need is listed in the person's area, the answer says so plainly and shows
those kinds, reached through the municipality's own representative window (every one of the
1,741 has one in the くらし支援ナビ data: imported as a service for the need `unsure`, source id
`…-city-general`, its phone labelled 代表電話), plus the national lines for that need. It is shown as
what it is — "not yet listed here; this is where to ask" — never as a search match.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from django.db.models import Case, IntegerField, Value, When

from tsunagari.directory.models import NEEDS, REPRESENTATIVE_SOURCE_SUFFIX, Channel, CrisisLine, Service
from tsunagari.search.query import search_services
from tsunagari.tenancy.models import Municipality, Platform
from tsunagari.tenancy.scoping import platform_scope

from .ranking import need_labels
from .safety import lines_for

__all__ = ["Fallback", "WindowKind", "fallback_for", "window_kinds"]

KINDS_FILE = Path(__file__).parent / "data" / "window_kinds.tsv"
# Which national lines go with a need: the CrisisLine kinds, most fitting first.
LINE_KINDS = {
    "suicide": "suicide",
    "mental_health": "suicide",
    "bereavement": "suicide",
    "loneliness": "suicide",
    "violence": "violence",
    "sexual_violence": "violence",
    "women": "violence",
    "child_abuse": "child",
    "children": "child",
    "young_carer": "child",
    "school": "child",
}
# At most this many needs get a fallback block on one page, and this many lines each.
MAX_NEEDS = 2
MAX_LINES = 2


@dataclass(frozen=True)
class WindowKind:
    """A kind of public window that exists in every municipality or prefecture."""

    code: str
    name: str
    where: str  # municipality | prefecture | city_or_prefecture
    basis: str
    needs: tuple[str, ...]
    what: str
    say: str
    bring: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "name": self.name,
            "where": self.where,
            "basis": self.basis,
            "what": self.what,
            "say": self.say,
            "bring": self.bring,
        }


@dataclass
class Fallback:
    """For one need with no listed window in the area: the kinds to ask for and how to reach them."""

    need: str
    need_label: str
    area_name: str
    kinds: list[WindowKind]
    representative: Service | None = None
    phone: Channel | None = None
    lines: list[CrisisLine] = field(default_factory=list)
    # Kinds that also answer this need but were described for an earlier need on the same page:
    # named, not repeated (a person with two needs reads each kind once).
    also: list[WindowKind] = field(default_factory=list)
    # The representative window was already offered for an earlier need on the same page.
    same_window_above: bool = False

    def to_dict(self, base_url: str = "") -> dict[str, Any]:
        """The API's shape (docs/api.md, "fallback")."""
        rep = self.representative
        return {
            "need": self.need,
            "need_label": self.need_label,
            "area": self.area_name,
            "note": "この地域の窓口はまだ登録されていません。検索に合った窓口ではなく、どこの地域にもある公的な窓口の種類と、そこへのつなぎ先です。",
            "kinds": [kind.to_dict() for kind in self.kinds],
            "kinds_above": [kind.code for kind in self.also],
            "ask_through": None
            if rep is None
            else {
                "service_id": str(rep.pk),
                "name": rep.name,
                "phone": self.phone.value if self.phone else None,
                "url": rep.url or None,
                "link": f"{base_url}{rep.pk}" if base_url else None,
            },
            "lines": [
                {"label": line.label, "number": line.number, "availability": line.availability, "url": line.url}
                for line in self.lines
            ],
        }


@cache
def window_kinds() -> tuple[WindowKind, ...]:
    with KINDS_FILE.open(encoding="utf-8", newline="") as f:
        return tuple(
            WindowKind(
                code=row["code"],
                name=row["name"],
                where=row["where"],
                basis=row["basis"],
                needs=tuple(code.strip() for code in row["needs"].split(",") if code.strip()),
                what=row["what"],
                say=row["say"],
                bring=row["bring"],
            )
            for row in csv.DictReader(f, delimiter="\t")
        )


def kinds_for(need: str) -> list[WindowKind]:
    """The kinds that answer `need`, those named for it first (their order in the file)."""
    return [kind for kind in window_kinds() if need in kind.needs]


def fallback_for(
    platform: Platform,
    needs: list[str] | tuple[str, ...],
    *,
    municipality: Municipality | None = None,
    shown: list[CrisisLine] | tuple[CrisisLine, ...] = (),
) -> list[Fallback]:
    """A fallback for each of `needs` (at most MAX_NEEDS) that has no listed window in the area.

    The area is `municipality`, else the platform's own municipality, else its prefecture. Lines in
    `shown` (the search page's crisis block, above) are not listed again.
    """
    if municipality is None and platform.kind == Platform.Kind.MUNICIPALITY and platform.municipality_id:
        municipality = Municipality.objects.select_related("prefecture").filter(code=platform.municipality_id).first()
    labels = need_labels()
    prefecture = platform.prefecture
    area_name = municipality.name if municipality else (prefecture.name if prefecture else "")
    out: list[Fallback] = []
    representative: tuple[Service | None, Channel | None] | None = None
    shown_kinds: set[str] = set()
    shown_lines: set[str] = {_line_key(line) for line in shown}
    for need in dict.fromkeys(needs):
        if need not in labels or len(out) >= MAX_NEEDS:
            continue
        listed = search_services(
            platform=platform, needs=(need,), municipality=municipality, per_page=1, ids_only=True, relations=()
        )
        if listed.total:
            continue
        if representative is None:
            representative = representative_window(platform, municipality)
        rep, phone = representative
        kinds = kinds_for(need)
        lines = [
            line for line in lines_for(LINE_KINDS.get(need, "general"), platform) if _line_key(line) not in shown_lines
        ]
        out.append(
            Fallback(
                need=need,
                need_label=labels[need],
                area_name=area_name,
                kinds=[kind for kind in kinds if kind.code not in shown_kinds],
                also=[kind for kind in kinds if kind.code in shown_kinds],
                representative=rep,
                phone=phone,
                lines=lines[:MAX_LINES],
                same_window_above=bool(out) and rep is not None,
            )
        )
        shown_kinds.update(kind.code for kind in kinds)
        shown_lines.update(_line_key(line) for line in lines[:MAX_LINES])
    return out


def _line_key(line: CrisisLine) -> str:
    return line.number or line.url or line.label


def representative_window(
    platform: Platform, municipality: Municipality | None
) -> tuple[Service | None, Channel | None]:
    """The municipality's representative window (市役所・町村役場の代表窓口) and its phone, if listed."""
    if municipality is None:
        return None, None
    with platform_scope(platform):
        found = (
            Service.objects.published()
            .filter(
                organization__municipality_id=municipality.code,
                terms__taxonomy_id=NEEDS,
                terms__code="unsure",
            )
            .annotate(
                first=Case(
                    When(source_id__endswith=REPRESENTATIVE_SOURCE_SUFFIX, then=Value(0)),
                    default=Value(1),
                    output_field=IntegerField(),
                )
            )
            .order_by("first", "name")
            .first()
        )
        if found is None:
            return None, None
        phone = Channel.objects.filter(service=found, kind=Channel.Kind.PHONE).order_by("position").first()
    return found, phone
