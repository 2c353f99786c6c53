"""Weights for a survey's report: the design the coordinator states, turned into an estimation.Design.

The coordinator enters the population by sex × age band (the resident register's figures) and
chooses how to use it (Survey.weighting). When the survey has the demographics instrument's `area`
question (地区), the figures may instead be entered by sex × age band × area: then the cells below
are sex × age band × area cells and raking uses a third margin, the area totals. A survey's figures
are either all by area or none (area "" means all areas together), so a survey without area
figures, or without an area question, is weighted exactly as before.

- none (the default): every respondent counts the same, population / respondents when the survey's
  population is known (which also gives the finite population correction);
- stratified: the sample was drawn separately in each sex × age band cell; weight N_h / n_h and the
  correction 1 − n_h/N_h per cell (R's ``svydesign(strata = ~cell, fpc = ~N_h)``);
- poststratified: a simple random sample of the whole population, post-stratified to the cells
  (R's ``postStratify``);
- raked: the same sample raked to the sex totals and the age-band totals, and the area totals when
  the figures are by area (R's ``rake``), for when some cells have too few respondents.

A respondent whose sex or age band (or area, with figures by area) is unanswered, or in a category
without a population figure (e.g. 「その他・回答しない」, which the register does not count), has no
weight: weighted estimates leave them out, and the report says how many. The numbers come from
estimation.py unchanged.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import IO, Any

import numpy as np
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import estimation
from .models import Choice, PopulationCell, Question, Survey, Weighting

SEX, AGE, AREA = "sex", "age_band", "area"
Cell = tuple[str, str, str]  # (sex code, age band code, area code or "" for all areas)


class WeightingError(ValueError):
    """The stated design cannot weigh these answers; the message says why, in Japanese."""


@dataclass(frozen=True)
class Weighted:
    """The design a report uses, the respondents it covers, and what to tell the reader about it."""

    design: estimation.Design | None  # None without answers
    rows: list[int]  # positions of the respondents in the design (all of them when unweighted)
    method: str  # Weighting value actually applied
    description: str
    excluded: int = 0  # respondents left out: no sex, age band (or area), or no population figure
    problem: str = ""  # why the stated weighting could not be applied (then unweighted)
    population: int | None = None
    by_area: bool = False  # the figures are by sex × age band × area


@dataclass(frozen=True)
class Grid:
    """The sex, age-band and area options of a survey, for the population form and the CSV.

    `areas` is empty when the survey has no single-choice `area` question.
    """

    sexes: list[Choice] = field(default_factory=list)
    ages: list[Choice] = field(default_factory=list)
    areas: list[Choice] = field(default_factory=list)

    @property
    def ready(self) -> bool:
        return bool(self.sexes and self.ages)


def grid(survey: Survey) -> Grid:
    """The options of the survey's `sex`, `age_band` and `area` questions (empty without sex and age band)."""
    questions = {
        q.name: q
        for q in Question.objects.filter(survey=survey, name__in=[SEX, AGE, AREA], kind=Question.Kind.SINGLE).exclude(
            choice_list=None
        )
    }
    if SEX not in questions or AGE not in questions:
        return Grid()
    return Grid(
        sexes=list(Choice.objects.filter(choice_list=questions[SEX].choice_list_id)),
        ages=list(Choice.objects.filter(choice_list=questions[AGE].choice_list_id)),
        areas=list(Choice.objects.filter(choice_list=questions[AREA].choice_list_id)) if AREA in questions else [],
    )


def population(survey: Survey) -> dict[Cell, int]:
    return {
        (c.sex, c.age_band, c.area): c.population
        for c in PopulationCell.objects.filter(survey=survey)
        if c.population > 0
    }


def _cell_name(labels: Mapping[Cell, str], cell: Cell) -> str:
    return labels.get(cell, "・".join(part for part in cell if part))


def unweighted(survey: Survey, n: int) -> estimation.Design:
    if survey.population and survey.population >= n:
        weights = estimation.srs_weights(n, float(survey.population))
        return estimation.Design(weights=weights, stratum_population=np.full(n, float(survey.population)))
    return estimation.Design(weights=np.ones(n))


def _plain(survey: Survey, n: int, problem: str = "") -> Weighted:
    if survey.population and survey.population >= n:
        text = _("Unweighted: every respondent counts the same (a simple random sample of %(population)s people).") % {
            "population": f"{survey.population:,}"
        }
    else:
        text = _("Unweighted: every respondent counts the same.")
    design = unweighted(survey, n) if n else None
    return Weighted(design, list(range(n)), Weighting.NONE, text, problem=problem)


def weighted(survey: Survey, answers: Sequence[Mapping[str, Any]]) -> Weighted:
    """The design for the survey's stated weighting; unweighted (with the reason) when it cannot apply."""
    n = len(answers)
    if survey.weighting == Weighting.NONE or n == 0:
        return _plain(survey, n)
    try:
        return _weighted(survey, answers)
    except WeightingError as error:
        return _plain(survey, n, problem=str(error))
    except estimation.DesignError as error:
        return _plain(survey, n, problem=_("The design cannot be estimated (%(reason)s).") % {"reason": error})


def _weighted(survey: Survey, answers: Sequence[Mapping[str, Any]]) -> Weighted:
    figures = population(survey)
    found = grid(survey)
    if not found.ready:
        raise WeightingError(_("The survey has no sex and age band questions (add the demographics instrument)."))
    if not figures:
        raise WeightingError(_("No population figures are entered."))
    by_area = any(area for _s, _a, area in figures)
    if by_area and any(not area for _s, _a, area in figures):
        raise WeightingError(_("Some population figures are by area and some are not: enter them all by area or none."))
    if by_area and not found.areas:
        raise WeightingError(_("The population figures are by area but the survey has no area question."))
    area_labels = {c.value: c.label_ja for c in found.areas} | {"": ""}
    labels = {
        (s.value, a.value, area): "・".join(x for x in (s.label_ja, a.label_ja, area_labels[area]) if x)
        for s in found.sexes
        for a in found.ages
        for area in area_labels
    }
    totals: tuple[dict[str, int], dict[str, int], dict[str, int]] = ({}, {}, {})  # by sex, age band, area
    for cell, count in figures.items():
        for margin, category in zip(totals, cell, strict=True):
            margin[category] = margin.get(category, 0) + count
    sex_totals, age_totals, area_totals = totals
    method = survey.weighting
    rows, cells = [], []
    for i, a in enumerate(answers):
        cell = (str(a.get(SEX) or ""), str(a.get(AGE) or ""), str(a.get(AREA) or "") if by_area else "")
        if method == Weighting.RAKED:
            covered = all(category in margin for margin, category in zip(totals, cell, strict=True))
        else:
            covered = cell in figures
        if covered:
            rows.append(i)
            cells.append(cell)
    if len(rows) < 2:
        raise WeightingError(
            _("Fewer than two respondents have a sex, an age band and an area with a population figure.")
            if by_area
            else _("Fewer than two respondents have a sex and an age band with a population figure.")
        )
    total = sum(figures.values())
    counts: dict[Cell, int] = {}
    for cell in cells:
        counts[cell] = counts.get(cell, 0) + 1
    keys = np.array(["|".join(cell) for cell in cells])
    if method == Weighting.STRATIFIED:
        for cell, k in counts.items():
            if k > figures[cell]:
                raise WeightingError(
                    _("「%(cell)s」 has %(n)s respondents but a population of %(N)s.")
                    % {"cell": _cell_name(labels, cell), "n": k, "N": figures[cell]}
                )
            if k < 2:
                raise WeightingError(
                    _(
                        "「%(cell)s」 has only one respondent: its variance is unknown. Use post-stratification or raking."
                    )
                    % {"cell": _cell_name(labels, cell)}
                )
        stratum_population = {"|".join(cell): float(v) for cell, v in figures.items()}
        design = estimation.Design(
            weights=estimation.stratified_weights(keys, stratum_population),
            strata=keys,
            stratum_population=np.array([stratum_population[k] for k in keys]),
        )
        total = sum(figures[c] for c in counts)
    else:
        if len(rows) > total:
            raise WeightingError(_("More respondents than the population entered."))
        base = estimation.Design(
            weights=estimation.srs_weights(len(rows), float(total)),
            stratum_population=np.full(len(rows), float(total)),
        )
        if method == Weighting.POSTSTRATIFIED:
            empty = [cell for cell in figures if cell not in counts]
            if empty:
                raise WeightingError(
                    _("「%(cell)s」 has a population figure but no respondents. Use raking, or merge the cells.")
                    % {"cell": _cell_name(labels, empty[0])}
                )
            design = estimation.poststratified(base, keys, {"|".join(cell): float(v) for cell, v in figures.items()})
        else:
            margins = [(SEX, sex_totals, found.sexes), (AGE, age_totals, found.ages)]
            if by_area:
                margins.append((AREA, area_totals, found.areas))
            for position, (_name, margin, options) in enumerate(margins):
                seen = {c[position] for c in cells}
                missing = [category for category in margin if category not in seen]
                if missing:
                    names = {o.value: o.label_ja for o in options}
                    raise WeightingError(
                        _("「%(category)s」 has a population figure but no respondents.")
                        % {"category": names.get(missing[0], missing[0])}
                    )
            design = estimation.raked(
                base,
                {
                    name: (np.array([c[position] for c in cells]), {k: float(v) for k, v in margin.items()})
                    for position, (name, margin, _options) in enumerate(margins)
                },
            )
    descriptions = (
        _BY_AREA
        if by_area
        else {
            Weighting.STRATIFIED: _(
                "Weighted as a stratified sample by sex × age band: each respondent weighs the cell's population "
                "divided by its respondents, with the finite population correction (population %(population)s)."
            ),
            Weighting.POSTSTRATIFIED: _(
                "Weighted by post-stratification to the population by sex × age band (population %(population)s)."
            ),
            Weighting.RAKED: _(
                "Weighted by raking to the population by sex and by age band (population %(population)s)."
            ),
        }
    )
    return Weighted(
        design,
        rows,
        method,
        descriptions[Weighting(method)] % {"population": f"{total:,}"},
        excluded=len(answers) - len(rows),
        population=total,
        by_area=by_area,
    )


_BY_AREA = {
    Weighting.STRATIFIED: gettext_lazy(
        "Weighted as a stratified sample by sex × age band × area: each respondent weighs the cell's population "
        "divided by its respondents, with the finite population correction (population %(population)s)."
    ),
    Weighting.POSTSTRATIFIED: gettext_lazy(
        "Weighted by post-stratification to the population by sex × age band × area (population %(population)s)."
    ),
    Weighting.RAKED: gettext_lazy(
        "Weighted by raking to the population by sex, by age band and by area (population %(population)s)."
    ),
}


# --- population figures from a file --------------------------------------------------------------

SEX_HEADINGS = ("性別", "sex")
AGE_HEADINGS = ("年齢階級", "年齢", "年代", "age_band")
AREA_HEADINGS = ("地区", "地域", "area")
POPULATION_HEADINGS = ("人口", "人数", "population")


@dataclass
class PopulationImportError(Exception):
    """Rows of a population file that cannot be read; nothing was saved."""

    errors: list[str]


def _heading(header: list[str], names: Sequence[str]) -> int | None:
    cleaned = [h.strip().lstrip("\ufeff") for h in header]
    for name in names:
        if name in cleaned:
            return cleaned.index(name)
    return None


def _number(text: str) -> int | None:
    import unicodedata

    cleaned = unicodedata.normalize("NFKC", text).replace(",", "").replace("人", "").strip()
    return int(cleaned) if cleaned.isdigit() else None


def read_population(survey: Survey, upload: IO[bytes], filename: str) -> dict[Cell, int]:
    """Population figures from CSV or Excel with the headings 性別, 年齢階級, 人口 (and 地区): all or nothing.

    Sex, age band and area are given by their option labels (as in the questionnaire: 男性, 16～19歳 …)
    or codes. With a 地区 column every row gives an area (the figures are then by area); without it the
    figures are for all areas together. Every problem is reported with its row and column; nothing is
    returned while any remains.
    """
    from .actions import ResponsesImportError, _read_table

    found = grid(survey)
    if not found.ready:
        raise PopulationImportError(
            [_("The survey has no sex and age band questions (add the demographics instrument).")]
        )
    try:
        rows = _read_table(upload, filename)
    except ResponsesImportError as problem:
        raise PopulationImportError(problem.errors) from None
    rows = [row for row in rows if any(c.strip() for c in row)]
    if not rows:
        raise PopulationImportError([_("The file is empty.")])
    header = rows[0]
    columns = {
        "sex": _heading(header, SEX_HEADINGS),
        "age": _heading(header, AGE_HEADINGS),
        "population": _heading(header, POPULATION_HEADINGS),
    }
    names = {"sex": "性別", "age": "年齢階級", "population": "人口"}
    absent = [names[key] for key, index in columns.items() if index is None]
    if absent:
        raise PopulationImportError(
            [
                _("The first row must name the columns 性別, 年齢階級 and 人口; missing: %(names)s.")
                % {"names": "、".join(absent)}
            ]
        )
    columns["area"] = _heading(header, AREA_HEADINGS)
    by_area = columns["area"] is not None
    if by_area and not found.areas:
        raise PopulationImportError(
            [_("The file has a column 「地区」 but the survey has no area question: remove the column.")]
        )
    sexes = {s.label_ja: s.value for s in found.sexes} | {s.value: s.value for s in found.sexes}
    ages = {a.label_ja: a.value for a in found.ages} | {a.value: a.value for a in found.ages}
    areas = {a.label_ja: a.value for a in found.areas} | {a.value: a.value for a in found.areas}
    errors: list[str] = []
    figures: dict[Cell, int] = {}
    seen: dict[Cell, int] = {}
    for number, row in enumerate(rows[1:], start=2):

        def value(key: str, row: list[str] = row) -> str:
            index = columns[key]
            assert index is not None
            return row[index].strip() if index < len(row) else ""

        sex, age, count = sexes.get(value("sex")), ages.get(value("age")), _number(value("population"))
        area = areas.get(value("area")) if by_area else ""
        if sex is None:
            errors.append(
                _("Row %(row)s, column 「性別」: 「%(value)s」 is not an option (%(options)s).")
                % {"row": number, "value": value("sex"), "options": "、".join(s.label_ja for s in found.sexes)}
            )
        if age is None:
            errors.append(
                _("Row %(row)s, column 「年齢階級」: 「%(value)s」 is not an option (%(options)s).")
                % {"row": number, "value": value("age"), "options": "、".join(a.label_ja for a in found.ages)}
            )
        if area is None:
            errors.append(
                _("Row %(row)s, column 「地区」: 「%(value)s」 is not an option (%(options)s).")
                % {"row": number, "value": value("area"), "options": "、".join(a.label_ja for a in found.areas)}
            )
        if count is None:
            errors.append(
                _("Row %(row)s, column 「人口」: 「%(value)s」 is not a whole number of people.")
                % {"row": number, "value": value("population")}
            )
        if sex is None or age is None or area is None or count is None:
            continue
        cell = (sex, age, area)
        if cell in seen:
            errors.append(
                (
                    _("Row %(row)s: the same sex, age band and area as row %(first)s.")
                    if by_area
                    else _("Row %(row)s: the same sex and age band as row %(first)s.")
                )
                % {"row": number, "first": seen[cell]}
            )
            continue
        seen[cell] = number
        figures[cell] = count
    if errors:
        raise PopulationImportError(errors)
    if not figures:
        raise PopulationImportError([_("The file has no rows of figures.")])
    return figures
