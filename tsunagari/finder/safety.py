"""The 24-hour and emergency lines for a kind of crisis: shown before anything else, in every channel.

The lines come from CrisisLine data (the national ones imported from emergency-contacts.json with
their publisher and verification date, and the platform's own, added by coordinators). When no
line for a kind is in the database yet (a fresh install before the first import), the national
lines below, copied from that same file with its verification dates, are used instead: a person
at risk must never see an empty answer because an import has not run.
"""

from __future__ import annotations

import datetime

from tsunagari.directory.models import CrisisLine
from tsunagari.tenancy.models import Platform
from tsunagari.tenancy.scoping import platform_scope

__all__ = ["FALLBACK_SOURCE", "lines_for"]

# Which CrisisLine kinds answer each crisis kind, most specific first; "emergency" lines (110) come
# after the specific lines, so that #8008 and 189 are not hidden behind the police number.
WANTED: dict[str, tuple[str, ...]] = {
    "suicide": ("suicide", "general"),
    "violence": ("violence",),
    "child": ("child",),
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
            # The kind first; within it the lines shown first, local before national, then the data's order.
            key=lambda item: (item[0], not item[1].is_primary, item[1].platform_id != platform_id, item[1].position),
        )
    ]


def lines_for(kind: str, platform: Platform) -> list[CrisisLine]:
    """The lines that answer `kind` ("suicide", "violence", "child") for `platform`'s residents, in order.

    Never empty for a known kind: without imported data, the national lines shipped here are used.
    Each line carries its publisher (the source), its official page and its last verification date.
    """
    with platform_scope(platform):
        stored = list(CrisisLine.objects.select_related("dataset"))
    found = _order(kind, stored, platform.pk)
    if not found:
        found = _order(kind, _fallback_lines(), platform.pk)
    return found


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
