"""The 24-hour and emergency lines for a kind of crisis: shown before anything else, in every channel.

The lines come from CrisisLine data (the national ones imported from emergency-contacts.json with
their publisher and verification date, and the platform's own, added by coordinators). When no
line for a kind is in the database yet (a fresh install before the first import), the national
lines below, copied from that same file with its verification dates, are used instead: a person
at risk must never see an empty answer because an import has not run.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from tsunagari.directory.crisis import answers_around_the_clock, merge_lines
from tsunagari.directory.models import CrisisLine
from tsunagari.tenancy.models import Platform
from tsunagari.tenancy.scoping import platform_scope

__all__ = ["FALLBACK_SOURCE", "Assessment", "assess", "lines_for"]

# Which CrisisLine kinds answer each crisis kind, most specific first; "emergency" lines (110) come
# after the specific lines, so that #8008 and 189 are not hidden behind the police number.
WANTED: dict[str, tuple[str, ...]] = {
    "suicide": ("suicide", "general"),
    "violence": ("violence",),
    "child": ("child",),
    # Life in danger now (an overdose already taken): the ambulance first.
    "emergency": ("medical", "emergency"),
}
# 110 answers violence and a child in danger too (the police): always among those lines.
WITH_POLICE = frozenset({"violence", "child"})

FALLBACK_SOURCE = "くらし支援ナビ emergency-contacts.json"
_FALLBACK: tuple[dict[str, object], ...] = (
    # id, label, number, href, url, publisher, availability, kinds, primary, verified
    {
        "source_id": "police-emergency",
        "label": "事件・暴力の危険",
        "number": "110",
        "phone_href": "tel:110",
        "url": "https://www.npa.go.jp/goiken_index.html",
        "publisher": "警察庁",
        "availability": "24時間・緊急時",
        "kinds": ["emergency", "violence"],
        "is_primary": True,
        "last_verified_on": datetime.date(2026, 7, 26),
    },
    {
        "source_id": "fire-ambulance-emergency",
        "label": "救急・火事",
        "number": "119",
        "phone_href": "tel:119",
        "url": "https://www.fdma.go.jp/mission/enrichment/kyukyumusen_kinkyutuhou/119.html",
        "publisher": "総務省消防庁",
        "availability": "24時間・緊急時",
        "kinds": ["medical", "emergency"],
        "is_primary": True,
        "last_verified_on": datetime.date(2026, 7, 26),
    },
    {
        "source_id": "child-abuse",
        "label": "子どもの虐待",
        "number": "189",
        "phone_href": "tel:189",
        "url": "https://www.cfa.go.jp/policies/jidougyakutai/gyakutai-taiou-dial/",
        "publisher": "こども家庭庁",
        "availability": "24時間",
        "kinds": ["child"],
        "is_primary": True,
        "last_verified_on": datetime.date(2026, 7, 26),
    },
    {
        "source_id": "dv-consultation",
        "label": "DV相談",
        "number": "#8008",
        "phone_href": "tel:%238008",
        "url": "https://www.gender.go.jp/policy/no_violence/dv_navi/",
        "publisher": "内閣府男女共同参画局",
        "availability": "地域の受付時間内",
        "kinds": ["violence"],
        "is_primary": True,
        "last_verified_on": datetime.date(2026, 7, 26),
    },
    {
        "source_id": "mental-health",
        "label": "こころが限界・消えたい気持ちがある",
        "number": "0570-064-556",
        "phone_href": "tel:0570064556",
        "url": "https://www.mhlw.go.jp/mamorouyokokoro/",
        "publisher": "厚生労働省",
        "availability": "地域により異なる",
        "kinds": ["suicide"],
        "is_primary": False,
        "last_verified_on": datetime.date(2026, 7, 27),
    },
    {
        "source_id": "dv-consultation-plus",
        "label": "DV相談＋",
        "number": "0120-279-889",
        "phone_href": "tel:0120279889",
        "url": "https://www.gender.go.jp/policy/sokushin/ouen/safe/dv/",
        "publisher": "内閣府男女共同参画局",
        "availability": "電話24時間",
        "kinds": ["violence"],
        "is_primary": False,
        "last_verified_on": datetime.date(2026, 7, 27),
    },
    {
        "source_id": "yorisoi-hotline",
        "label": "よりそいホットライン",
        "number": "0120-279-338",
        "phone_href": "tel:0120279338",
        "url": "https://www.mhlw.go.jp/mamorouyokokoro/soudan/tel/",
        "publisher": "厚生労働省",
        "availability": "24時間",
        "kinds": ["suicide", "general", "violence"],
        "is_primary": False,
        "last_verified_on": datetime.date(2026, 7, 27),
    },
)


def _fallback_lines() -> list[CrisisLine]:
    return [CrisisLine(position=position, **fields) for position, fields in enumerate(_FALLBACK)]


def _order(kind: str, lines: list[CrisisLine], platform_id: int | None) -> list[CrisisLine]:
    wanted = WANTED.get(kind, ("general",))

    def rank(line: CrisisLine) -> int | None:
        if kind == "emergency":
            # The ambulance (119), never the police line that shares the "emergency" kind.
            return 0 if {"medical", "emergency"} & set(line.kinds) and "violence" not in line.kinds else None
        for position, want in enumerate(wanted):
            if want in line.kinds and not (kind in WITH_POLICE and "emergency" in line.kinds):
                return position
        if kind in WITH_POLICE and "emergency" in line.kinds and "violence" in line.kinds:
            return len(wanted)
        return None

    chosen = [(rank(line), line) for line in lines]
    return [
        line
        for found, line in sorted(
            ((found, line) for found, line in chosen if found is not None),
            # The kind first; within it the lines shown first, lines for this kind before lines for any
            # worry, 24-hour lines before lines with hours, local before national, then the data's order.
            key=lambda item: (
                item[0],
                not item[1].is_primary,
                item[1].kinds[:1] != [wanted[item[0]]] if item[0] < len(wanted) else False,
                not answers_around_the_clock(item[1]),
                item[1].platform_id != platform_id,
                item[1].position,
            ),
        )
    ]


def lines_for(kind: str, platform: Platform) -> list[CrisisLine]:
    """The lines that answer `kind` ("suicide", "violence", "child") for `platform`'s residents, in order.

    Never empty for a known kind: without imported data, the national lines shipped here are used.
    Each line carries its publisher (the source), its official page and its last verification date.
    """
    with platform_scope(platform):
        stored = list(CrisisLine.objects.select_related("dataset"))
    return _order(kind, merge_lines(stored, platform.scope_ids(), _fallback_lines()), platform.pk)


def lines_for_kinds(kinds: tuple[str, ...] | list[str], platform: Platform) -> list[CrisisLine]:
    """The lines for every kind present, most urgent kind first, each line once."""
    seen: set[tuple[str, str]] = set()
    out: list[CrisisLine] = []
    for kind in kinds:
        for line in lines_for(kind, platform):
            key = (line.label, line.number)
            if key not in seen:
                seen.add(key)
                out.append(line)
    return out


# Need codes a resident can pick (home tiles, filters) that mean a risk to life, and their kind.
NEED_KINDS: dict[str, str] = {
    "suicide": "suicide",
    "violence": "violence",
    "sexual_violence": "violence",
    "child_abuse": "child",
}
# Lexicon concepts that mean the danger is already physical: 119 before anything else.
EMERGENCY_CONCEPTS = frozenset({"suicide.overdose"})


@dataclass(frozen=True)
class Assessment:
    """What a search says about risk to life: the kinds present (most urgent first) and their lines."""

    kinds: tuple[str, ...] = ()
    lines: list[CrisisLine] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.kinds)

    @property
    def first_lines(self) -> list[CrisisLine]:
        """The lines that answer at every hour, shown as large call buttons (all of them if none does)."""
        always = [line for line in self.lines if answers_around_the_clock(line)]
        return always or list(self.lines)

    @property
    def more_lines(self) -> list[CrisisLine]:
        """Lines with set hours, listed smaller under the 24-hour ones: a call at 3 a.m. must reach someone."""
        first = self.first_lines
        return [line for line in self.lines if line not in first]

    def to_dict(self) -> dict[str, object]:
        """The `crisis` block of the API (a documented extension to HSDS, docs/api.md)."""
        return {
            "kinds": list(self.kinds),
            "message": "命に関わる危険があるときは、今すぐ電話してください。",
            "lines": [
                {
                    "label": line.label,
                    "number": line.number,
                    "tel": line.phone_href,
                    "hours": line.availability,
                    "cost": line.cost,
                    "publisher": line.publisher,
                    "url": line.url,
                    "last_verified_on": line.last_verified_on.isoformat() if line.last_verified_on else None,
                }
                for line in self.lines
            ],
        }


def crisis_kinds(text: str, needs: tuple[str, ...] | list[str] = ()) -> tuple[str, ...]:
    """The crisis kinds in a resident's words and chosen needs: the chat's understanding, same rules."""
    from .understanding import CRISIS, understand

    kinds: list[str] = []
    if text.strip():
        understood = understand(text)
        kinds.extend(understood.crisis_kinds)
        concepts = {evidence.concept for evidence in understood.evidence.get(CRISIS, ())}
        if concepts & EMERGENCY_CONCEPTS:
            kinds.insert(0, "emergency")
    for need in needs:
        kind = NEED_KINDS.get(need)
        if kind and kind not in kinds:
            kinds.append(kind)
    # The chat's precedence: a child cannot protect itself, then life, then violence.
    order = ("emergency", "child", "suicide", "violence")
    return tuple(sorted(dict.fromkeys(kinds), key=order.index))


def assess(platform: Platform, text: str, needs: tuple[str, ...] | list[str] = ()) -> Assessment:
    """The safety check every channel runs before showing anything: kinds at risk and their 24-hour lines."""
    kinds = crisis_kinds(text, needs)
    if not kinds:
        return Assessment()
    return Assessment(kinds=kinds, lines=lines_for_kinds(kinds, platform))


def around_the_clock(platform: Platform, needs: tuple[str, ...] | list[str]) -> list[CrisisLine]:
    """The 24-hour lines (not 110/119) for a window's needs: where to call when the window is closed."""
    kinds = [kind for kind in dict.fromkeys(NEED_KINDS.get(need, "") for need in needs) if kind] or ["general"]
    if "general" not in kinds and "suicide" not in kinds and {"mental_health", "loneliness"} & set(needs):
        kinds.append("suicide")
    return [
        line
        for line in lines_for_kinds(kinds, platform)
        if answers_around_the_clock(line) and "emergency" not in line.kinds
    ]
