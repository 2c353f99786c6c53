"""Published reference figures (e.g. 人々のつながりに関する基礎調査) set beside a survey's own estimates.

The project ships no published figure: a coordinator (or, for every platform, a coordinator of the
national platform) enters the figures with their source, and the report sets the local weighted
estimate and its 95% interval beside them. The wording stays honest: the surveys differ in design,
mode, population and year, and an unknown national standard error allows no significance test; the
report only says whether the published figure lies outside the local 95% interval and, when the
source's own interval is entered, whether the two intervals overlap (non-overlap means a difference;
overlap does not mean none).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from django.utils.translation import gettext as _

from tsunagari.tenancy.models import Platform

from .instruments import INSTRUMENTS, Option
from .models import ReferenceFigure
from .results import Result

# The standard items a published distribution can be entered for: single choices of the instruments
# (the demographics are the population's, not a finding).
ITEMS: dict[str, tuple[str, tuple[Option, ...]]] = {
    item.name: (item.label_ja, instrument.lists[item.choice_list])
    for instrument in INSTRUMENTS
    if instrument.key != "demographics"
    for item in instrument.items
    if item.kind == "single" and item.choice_list in instrument.lists
}

# Published percentages are rounded (often to 0.1): their sum may miss 100 by this much.
SUM_TOLERANCE = 1.0


def for_platform(platform: Platform, item: str | None = None) -> list[ReferenceFigure]:
    """The current reference figures a platform's reports use: its own, then the national platform's.

    Read inside a scope that includes the national platform (platform_scope(..., with_national=True)).
    """
    found = ReferenceFigure.objects.filter(withdrawn_at__isnull=True, platform_id__in=platform.scope_ids())
    if item is not None:
        found = found.filter(item=item)
    return sorted(found, key=lambda r: (r.platform_id != platform.pk, -r.year, -r.pk))


@dataclass(frozen=True)
class Line:
    """One option: the local estimate and interval (None when withheld) beside the published share."""

    code: str
    label: str
    local: float | None
    local_ci: tuple[float, float] | None
    reference: float | None
    reference_ci: tuple[float, float] | None

    @property
    def outside(self) -> bool | None:
        """Whether the published figure lies outside the local 95% interval (None when either is missing)."""
        if self.local_ci is None or self.reference is None:
            return None
        return not (self.local_ci[0] <= self.reference <= self.local_ci[1])

    @property
    def intervals_overlap(self) -> bool | None:
        if self.local_ci is None or self.reference_ci is None:
            return None
        return self.local_ci[0] <= self.reference_ci[1] and self.reference_ci[0] <= self.local_ci[1]

    def verdict(self) -> str:
        """The honest sentence for this option."""
        if self.local is None:
            return _("The local figure is withheld.")
        if self.reference is None:
            return _("No published figure for this option.")
        text = _("Outside the local 95%% interval.") % {} if self.outside else _("Within the local 95%% interval.") % {}
        if self.intervals_overlap is False:
            text += " " + _("The two 95%% intervals do not overlap.") % {}
        elif self.intervals_overlap:
            text += " " + _("The two 95%% intervals overlap (this does not show that there is no difference).") % {}
        return text


@dataclass(frozen=True)
class Comparison:
    """A result of the survey set beside one published reference."""

    result: Result
    reference: ReferenceFigure
    lines: list[Line]

    def citation(self) -> str:
        parts = [f"{self.reference.publisher}「{self.reference.source_title}」（{self.reference.year}）"]
        if self.reference.table:
            parts.append(self.reference.table)
        parts.append(_("population: %(population)s") % {"population": self.reference.population})
        if self.reference.n:
            parts.append(f"n={self.reference.n:,}")
        parts.append(self.reference.url)
        return _("Source: %(source)s") % {"source": "、".join(parts)}


def note() -> str:
    """What the comparison can and cannot say, printed with every comparison."""
    return (
        _(
            "The published figures come from a survey with a different design, mode, population and year; "
            "differences may come from any of these. Shares are of those who answered (a published 無回答 share "
            "is taken out). Without the published survey's standard error no test of the difference is made: "
            "the table says only whether the published figure lies outside this survey's 95%% interval."
        )
        % {}
    )


def comparisons(found: list[Result], references: list[ReferenceFigure]) -> tuple[list[Comparison], list[Result]]:
    """Each standard result beside each reference entered for it; and the standard results with none."""
    by_item: dict[str, list[ReferenceFigure]] = {}
    for reference in references:
        by_item.setdefault(reference.item, []).append(reference)
    out: list[Comparison] = []
    missing: list[Result] = []
    for result in found:
        if result.name not in ITEMS or result.kind != "share":
            continue
        if result.name not in by_item:
            missing.append(result)
            continue
        everyone = {row.category: row for row in result.rows if row.domain is None}
        for reference in by_item[result.name]:
            lines = []
            for code, label, _en in ITEMS[result.name][1]:
                row = everyone.get(code)
                shown = row is not None and not row.suppressed and not math.isnan(row.estimate.estimate)
                lines.append(
                    Line(
                        code,
                        label,
                        row.estimate.estimate if shown and row else None,
                        row.estimate.ci95 if shown and row else None,
                        reference.answering(code),
                        reference.interval(code),
                    )
                )
            out.append(Comparison(result, reference, lines))
    return out, missing
