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
from typing import IO, Any

from django.utils.translation import gettext as _

from tsunagari.tenancy.models import Platform

from .instruments import INSTRUMENTS, UCLA_BANDS, Option
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

# A derived measure: the UCLA-3 score's bands (results "ucla3_band", whose categories are the band
# labels). Codes are the score ranges, so that a file or the form need not repeat the labels.
UCLA_BAND_CODES = {(f"{low}-{high}" if low != high else str(low)): label for low, high, label in UCLA_BANDS}
ITEMS["ucla3_band"] = (
    "UCLA 孤独感尺度（3項目）の得点区分（3～12点）",
    tuple((code, label, "") for code, label in UCLA_BAND_CODES.items()),
)
# Result category of an option code, where they differ (derived measures).
CATEGORIES = {("ucla3_band", code): label for code, label in UCLA_BAND_CODES.items()}

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
                row = everyone.get(CATEGORIES.get((result.name, code), code))
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


# --- published figures from a file ---------------------------------------------------------------

# One row per option: the source's columns repeated on each row of the same source and item.
IMPORT_COLUMNS = (
    "item",
    "year",
    "population",
    "source_title",
    "publisher",
    "url",
    "table",
    "n",
    "no_answer",
    "code",
    "percent",
    "ci_low",
    "ci_high",
)
REQUIRED_COLUMNS = ("item", "year", "population", "source_title", "publisher", "url", "code", "percent")
# The source's fields: the same on every row of one source and item.
SOURCE_COLUMNS = ("year", "population", "source_title", "publisher", "url", "table", "n", "no_answer")
# The entry form's field for each column (the option's fields are per code).
FORM_FIELDS = {column: column for column in SOURCE_COLUMNS}


@dataclass
class ReferenceImportError(Exception):
    """Rows of a reference file that cannot be read; nothing was saved."""

    errors: list[str]


def _where(row: int, column: str, message: str) -> str:
    return _("Row %(row)s, column 「%(column)s」: %(message)s") % {"row": row, "column": column, "message": message}


def read_references(upload: IO[bytes], filename: str) -> list[tuple[str, dict[str, Any]]]:
    """Published distributions from CSV or Excel, one row per option, checked as the entry form checks them.

    Rows with the same item, year, source title, table and URL are one published distribution. All or
    nothing: every problem is reported with its row and column, and nothing is returned while any remains.
    """
    from .actions import ResponsesImportError, _read_table
    from .forms import ReferenceFigureForm

    try:
        rows = _read_table(upload, filename)
    except ResponsesImportError as problem:
        raise ReferenceImportError(problem.errors) from None
    numbered = [(number, row) for number, row in enumerate(rows, start=1) if any(c.strip() for c in row)]
    if not numbered:
        raise ReferenceImportError([_("The file is empty.")])
    header = [h.strip().lstrip("\ufeff") for h in numbered[0][1]]
    absent = [c for c in REQUIRED_COLUMNS if c not in header]
    if absent:
        raise ReferenceImportError(
            [
                _("The first row must name the columns %(columns)s; missing: %(names)s.")
                % {"columns": ", ".join(IMPORT_COLUMNS), "names": ", ".join(absent)}
            ]
        )
    index = {c: header.index(c) for c in IMPORT_COLUMNS if c in header}
    errors: list[str] = []
    groups: dict[tuple[str, ...], list[tuple[int, dict[str, str]]]] = {}
    for number, row in numbered[1:]:
        values = {c: (row[i].strip() if i < len(row) else "") for c, i in index.items()}
        item = values["item"]
        if item not in ITEMS:
            errors.append(
                _where(
                    number,
                    "item",
                    _("「%(value)s」 is not a standard item (%(items)s).") % {"value": item, "items": ", ".join(ITEMS)},
                )
            )
            continue
        key = (item, values["year"], values["source_title"], values.get("table", ""), values["url"])
        groups.setdefault(key, []).append((number, values))
    found: list[tuple[str, dict[str, Any]]] = []
    for (item, *_rest), members in groups.items():
        first, head = members[0]
        options = ITEMS[item][1]
        labels = {code: label for code, label, _en in options}
        data = {FORM_FIELDS[c]: head.get(c, "") for c in SOURCE_COLUMNS}
        row_of: dict[str, int] = {}
        for number, values in members:
            for column in SOURCE_COLUMNS:
                if values.get(column, "") != head.get(column, ""):
                    errors.append(
                        _where(
                            number,
                            column,
                            _("differs from row %(first)s of the same source and item (「%(value)s」).")
                            % {"first": first, "value": head.get(column, "")},
                        )
                    )
            code = values["code"]
            if code not in labels:
                errors.append(
                    _where(
                        number,
                        "code",
                        _("「%(value)s」 is not an option of %(item)s (%(codes)s).")
                        % {"value": code, "item": item, "codes": ", ".join(labels)},
                    )
                )
                continue
            if code in row_of:
                errors.append(
                    _where(
                        number,
                        "code",
                        _("option %(code)s is already on row %(first)s.") % {"code": code, "first": row_of[code]},
                    )
                )
                continue
            row_of[code] = number
            data |= {
                f"percent_{code}": values["percent"],
                f"low_{code}": values.get("ci_low", ""),
                f"high_{code}": values.get("ci_high", ""),
            }
        for code, label in labels.items():
            if code not in row_of:
                errors.append(
                    _where(
                        first,
                        "code",
                        _("the source has no row for option %(code)s 「%(label)s」 of %(item)s.")
                        % {"code": code, "label": label, "item": item},
                    )
                )
        if any(code not in row_of for code in labels):
            continue
        form = ReferenceFigureForm(data, options=options)
        if form.is_valid():
            found.append((item, form.cleaned_data))
            continue
        for field, messages in form.errors.items():
            for message in (str(m) for m in messages):
                if field.startswith(("percent_", "low_", "high_")):
                    kind, code = field.split("_", 1)
                    column = {"percent": "percent", "low": "ci_low", "high": "ci_high"}[kind]
                    errors.append(_where(row_of[code], column, message))
                elif field == "__all__":
                    errors.append(_where(first, "percent", message))
                else:
                    errors.append(_where(first, field, message))
    if errors:
        raise ReferenceImportError(errors)
    if not found:
        raise ReferenceImportError([_("The file has no rows of figures.")])
    return found
