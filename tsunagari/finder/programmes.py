"""The support programmes (制度) a resident of an area can apply for, and honestly where to ask.

くらし支援ナビ names a window for few programmes (2 of the 17 national ones, in two cities): the
others (障害年金, 高額療養費制度, …) would otherwise appear nowhere. A portal lists every programme
relevant to its area, grouped by need. "Where to ask" is the windows linked to the programme that
a resident of the area can go to — never a window of another area — and otherwise the
municipality's representative window (the same fallback as finder.fallback), with the national
lines for the needs that have them. The data does not say which window handles a programme, so we
do not guess one.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

from django.db.models import Q

from tsunagari.directory.models import Channel, CrisisLine, Service, ServiceProgram, SupportProgram
from tsunagari.directory.queries import platform_programs, services_in_reach, shown_program_links
from tsunagari.tenancy.models import Municipality, Platform
from tsunagari.tenancy.scoping import platform_scope

from .fallback import LINE_KINDS, MAX_LINES, representative_window
from .ranking import need_labels
from .safety import lines_for

__all__ = ["ProgrammeEntry", "ProgrammeGroup", "ProgrammeGuide", "matching_programmes", "programme_guide"]


@dataclass
class ProgrammeEntry:
    """One programme and the windows in reach that the data links to it (often none)."""

    program: SupportProgram
    links: list[ServiceProgram] = field(default_factory=list)


@dataclass
class ProgrammeGroup:
    """The programmes for one need, with the national lines that answer that need (if any)."""

    need: str
    label: str
    entries: list[ProgrammeEntry]
    lines: list[CrisisLine] = field(default_factory=list)


@dataclass
class ProgrammeGuide:
    """A portal's programmes by need, and the window to ask at for those no window in reach names."""

    municipality: Municipality | None
    groups: list[ProgrammeGroup]
    representative: Service | None = None
    phone: Channel | None = None

    @property
    def count(self) -> int:
        return sum(len(group.entries) for group in self.groups)


def area_municipality(platform: Platform) -> Municipality | None:
    """A municipality platform's own municipality (others cover several: the resident chooses)."""
    if platform.kind != Platform.Kind.MUNICIPALITY or not platform.municipality_id:
        return None
    return Municipality.objects.select_related("prefecture").filter(code=platform.municipality_id).first()


def programme_guide(platform: Platform, municipality: Municipality | None = None) -> ProgrammeGuide:
    """Every programme the portal lists for `municipality` (else the platform's area), grouped by need."""
    municipality = municipality or area_municipality(platform)
    labels = need_labels()
    with platform_scope(platform):
        programs = list(platform_programs(platform, municipality))
        reach = services_in_reach(platform, municipality).values("pk")
        links: dict[object, list[ServiceProgram]] = {}
        for link in (
            shown_program_links()
            .filter(program__in=[p.pk for p in programs], service__in=reach)
            .select_related("service")
        ):
            links.setdefault(link.program_id, []).append(link)
    by_need: dict[str, list[ProgrammeEntry]] = {}
    for program in programs:
        need = program.need if program.need in labels else ""
        by_need.setdefault(need, []).append(ProgrammeEntry(program, links.get(program.pk, [])))
    # In the order of the needs vocabulary (the order of the portal's tiles), "other" last.
    order = {code: index for index, code in enumerate(labels)}
    groups = [
        ProgrammeGroup(
            need=need,
            label=labels.get(need, ""),
            entries=entries,
            lines=lines_for(LINE_KINDS[need], platform)[:MAX_LINES] if need in LINE_KINDS else [],
        )
        for need, entries in sorted(by_need.items(), key=lambda item: order.get(item[0], len(order)))
    ]
    guide = ProgrammeGuide(municipality=municipality, groups=groups)
    if any(not entry.links for group in groups for entry in group.entries):
        guide.representative, guide.phone = representative_window(platform, municipality)
    return guide


def matching_programmes(platform: Platform, words: str, *, limit: int = 5) -> list[SupportProgram]:
    """The portal's programmes whose name or plain name contains `words` (for the search page)."""
    tokens = [token for token in unicodedata.normalize("NFKC", words).split() if len(token) >= 2]
    if not tokens:
        return []
    match = Q()
    for token in tokens:
        match |= Q(name__icontains=token) | Q(alternate_name__icontains=token)
    with platform_scope(platform):
        return list(platform_programs(platform).filter(match)[:limit])
