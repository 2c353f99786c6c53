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
from .models import Choice, DesignStratum, Invitation, PopulationCell, Question, SampleDesign, Survey, Weighting

SEX, AGE, AREA = "sex", "age_band", "area"
Cell = tuple[str, str, str]  # (sex code, age band code, area code or "" for all areas)
Unit = tuple[str, str] | None  # (batch, PSU) of a response's invitation; None when it came without one


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
    without_invitation: int = 0  # respondents left out because the sample design needs their invitation
    clustered: bool = False  # the design has PSUs (two-stage)


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


def uses_invitations(survey: Survey) -> bool:
    """Whether the design reads each response's invitation (batch, PSU): any design but plain simple random."""
    return survey.sample_design != SampleDesign.SRS or survey.nonresponse_adjustment


def weighted(survey: Survey, answers: Sequence[Mapping[str, Any]], units: Sequence[Unit] | None = None) -> Weighted:
    """The design for the survey's stated weighting; unweighted (with the reason) when it cannot apply.

    `units` gives each answer's invitation (batch, PSU), needed by a stratified or two-stage design and
    by the non-response adjustment (Survey.sample_design, Survey.nonresponse_adjustment).
    """
    n = len(answers)
    if n == 0 or (survey.weighting == Weighting.NONE and not uses_invitations(survey)):
        return _plain(survey, n)
    try:
        found = _sample(survey, list(units) if units is not None else [None] * n) if uses_invitations(survey) else None
        if survey.weighting == Weighting.NONE:
            assert found is not None
            return Weighted(
                found.design,
                found.rows,
                Weighting.NONE,
                found.description,
                population=found.population,
                without_invitation=n - len(found.rows),
                clustered=found.clustered,
            )
        return _weighted(survey, answers, found)
    except WeightingError as error:
        return _plain(survey, n, problem=str(error))
    except estimation.DesignError as error:
        return _plain(survey, n, problem=_("The design cannot be estimated (%(reason)s).") % {"reason": error})


@dataclass(frozen=True)
class Sample:
    """The design the invitations give: design weights (non-response adjusted), strata, PSUs."""

    design: estimation.Design
    rows: list[int]  # positions of the answers that came with an invitation
    strata: list[str]  # batch per row of the design
    psus: list[str]  # PSU per row ("" without clusters)
    description: str
    population: int | None
    clustered: bool


def _batch_name(batch: str) -> str:
    return batch or _("(no batch)")


def _sample(survey: Survey, units: list[Unit]) -> Sample:
    """Design weights from the invitations: population ÷ invitations per stratum, then the non-response adjustment.

    Every message says what to fix, in Japanese; nothing is estimated from a design that does not hold.
    """
    design_kind = SampleDesign(survey.sample_design)
    rows = [i for i, unit in enumerate(units) if unit is not None]
    if len(rows) < 2:
        raise WeightingError(
            _(
                "The sample design needs each response's invitation, and fewer than two responses came with one. "
                "Import paper answers with their invitation code (column token), or choose a simple random sample "
                "without the non-response adjustment."
            )
        )
    invited: dict[str, int] = {}
    invited_psus: dict[str, set[str]] = {}
    unnamed: dict[str, int] = {}
    for batch, psu in Invitation.objects.filter(survey=survey).values_list("batch", "psu"):
        invited[batch] = invited.get(batch, 0) + 1
        invited_psus.setdefault(batch, set()).add(psu)
        if not psu:
            unnamed[batch] = unnamed.get(batch, 0) + 1
    stated = {s.batch: s for s in DesignStratum.objects.filter(survey=survey)}
    kept = [units[i] for i in rows]
    batches = [u[0] for u in kept if u is not None]
    psus = [u[1] for u in kept if u is not None]
    answered: dict[str, int] = {}
    for batch in batches:
        answered[batch] = answered.get(batch, 0) + 1
    # Design weight per invitation of each batch: people ÷ invitations (1 when no population is stated).
    weight_of: dict[str, float] = {}
    population: int | None = None
    strata = fpc = clusters = None
    if design_kind == SampleDesign.SRS:
        total = sum(invited.values())
        if survey.population is not None and survey.population < total:
            raise WeightingError(
                _("The survey's population (%(N)s) is smaller than its %(n)s invitations: correct the population.")
                % {"N": f"{survey.population:,}", "n": f"{total:,}"}
            )
        for batch in invited:
            weight_of[batch] = survey.population / total if survey.population else 1.0
        population = survey.population
        if population:
            fpc = np.full(len(rows), float(population))
        text = _("Sample design: a simple random sample of the whole population (%(invited)s invitations).") % {
            "invited": f"{total:,}"
        }
    else:
        strata = np.array(batches)
        if design_kind == SampleDesign.TWO_STAGE:
            missing_psu = sorted(b for b in invited if unnamed.get(b))
            if missing_psu:
                batch = missing_psu[0]
                raise WeightingError(
                    _(
                        "Batch 「%(batch)s」 has %(n)s invitations without a primary sampling unit (PSU). A two-stage "
                        "design needs the PSU (町丁目, school …) of every invitation: make the invitations with their PSU."
                    )
                    % {"batch": _batch_name(batch), "n": unnamed[batch]}
                )
            clusters = np.array(psus)
        people = {b: stated[b].population if b in stated else None for b in invited}
        if design_kind == SampleDesign.STRATIFIED or any(people.values()):
            for batch in sorted(invited):
                if not people[batch]:
                    raise WeightingError(
                        _(
                            "Stratum 「%(batch)s」: enter the number of people it was drawn from (the population of "
                            "the stratum), or leave the populations of every stratum empty in a two-stage design."
                        )
                        % {"batch": _batch_name(batch)}
                    )
                if people[batch] < invited[batch]:  # type: ignore[operator]
                    raise WeightingError(
                        _(
                            "Stratum 「%(batch)s」 has %(n)s invitations but a population of %(N)s: correct the population."
                        )
                        % {"batch": _batch_name(batch), "n": invited[batch], "N": people[batch]}
                    )
                weight_of[batch] = people[batch] / invited[batch]  # type: ignore[operator]
            population = sum(p for p in people.values() if p)
        else:
            weight_of = dict.fromkeys(invited, 1.0)
        if design_kind == SampleDesign.STRATIFIED:
            fpc = np.array([float(people[b]) for b in batches])  # type: ignore[arg-type]
        else:
            given = {b: stated[b].psus if b in stated else None for b in invited}
            if any(given.values()):
                for batch in sorted(invited):
                    count = given[batch]
                    if not count:
                        raise WeightingError(
                            _(
                                "Stratum 「%(batch)s」: enter the number of PSUs in its population, or leave it empty "
                                "for every stratum (no finite population correction)."
                            )
                            % {"batch": _batch_name(batch)}
                        )
                    if count < len(invited_psus[batch]):
                        raise WeightingError(
                            _(
                                "Stratum 「%(batch)s」 has invitations in %(n)s PSUs but %(N)s PSUs in its population: "
                                "correct the number of PSUs."
                            )
                            % {"batch": _batch_name(batch), "n": len(invited_psus[batch]), "N": count}
                        )
                fpc = np.array([float(given[b]) for b in batches])  # type: ignore[arg-type]
        if design_kind == SampleDesign.STRATIFIED:
            text = _(
                "Sample design: stratified by invitation batch (%(strata)s strata); each invitation weighs the "
                "stratum's population divided by its invitations, with the finite population correction."
            ) % {"strata": len(invited)}
        else:
            text = _(
                "Sample design: two-stage, PSUs (町丁目, schools …) drawn in each of %(strata)s strata (invitation "
                "batches), then people in them; %(psus)s PSUs answered. Standard errors are computed from the PSU "
                "totals (ultimate clusters)%(fpc)s."
            ) % {
                "strata": len(invited),
                "psus": len(set(zip(batches, psus, strict=True))),
                "fpc": _(", with the finite population correction for PSUs") if fpc is not None else "",
            }
    base = np.array([weight_of[b] for b in batches])
    if survey.nonresponse_adjustment:
        classes = {b: (stated[b].weighting_class if b in stated else "") or b for b in invited}
        for name in sorted(set(classes.values())):
            members = [b for b, c in classes.items() if c == name]
            if not any(answered.get(b) for b in members):
                raise WeightingError(
                    _(
                        "Non-response class 「%(name)s」 has %(n)s invitations but no responses: nobody can carry "
                        "their weight. Merge it with a similar class: give its batch the non-response class of "
                        "another batch below."
                    )
                    % {"name": _batch_name(name), "n": sum(invited[b] for b in members)}
                )
        # The engine's adjustment over every invitation: the respondents first, in order, then the others.
        others = [b for b in sorted(invited) for _k in range(invited[b] - answered.get(b, 0))]
        weights = estimation.nonresponse_adjusted(
            np.concatenate([base, [weight_of[b] for b in others]]),
            np.concatenate([np.ones(len(base), dtype=bool), np.zeros(len(others), dtype=bool)]),
            np.array([classes[b] for b in batches + others]),
        )
        text += " " + _(
            "Non-response adjusted within %(classes)s weighting classes (invitation batches): %(answered)s "
            "responses to %(invited)s invitations."
        ) % {
            "classes": len(set(classes.values())),
            "answered": f"{len(rows):,}",
            "invited": f"{sum(invited.values()):,}",
        }
    else:
        weights = base
        text += " " + _("No non-response adjustment.")
    design = estimation.Design(weights=weights, strata=strata, stratum_population=fpc, clusters=clusters)
    _check_strata(batches, psus if clusters is not None else None, fpc)
    return Sample(design, rows, batches, psus, text, population, clusters is not None)


def _check_strata(batches: Sequence[str], psus: Sequence[str] | None, fpc: np.ndarray | None) -> None:
    """Every stratum needs two PSUs (rows, without clusters) for its variance, unless it is a census."""
    seen: dict[str, set[str]] = {}
    for i, batch in enumerate(batches):
        seen.setdefault(batch, set()).add(psus[i] if psus is not None else str(i))
    census = {b: float(fpc[i]) for i, b in enumerate(batches)} if fpc is not None else {}
    for batch, units in sorted(seen.items()):
        if len(units) < 2 and census.get(batch) != len(units):
            if psus is not None:
                raise WeightingError(
                    _(
                        "Stratum 「%(batch)s」 has answers from only one PSU: its variance is unknown. Merge it with a "
                        "similar stratum (give the invitations the same batch) or choose another design."
                    )
                    % {"batch": _batch_name(batch)}
                )
            raise WeightingError(
                _(
                    "Stratum 「%(batch)s」 has only one response: its variance is unknown. Merge it with a similar "
                    "stratum (give the invitations the same batch) or choose another design."
                )
                % {"batch": _batch_name(batch)}
            )


def _take(sample: Sample, positions: Sequence[int]) -> tuple[estimation.Design, list[str], list[str]]:
    """The sample's design restricted to some of its rows (those with a sex and age band figure)."""
    idx = np.asarray(positions, dtype=np.intp)
    d = sample.design

    def pick(a: np.ndarray | None) -> np.ndarray | None:
        return None if a is None else np.asarray(a)[idx]

    design = estimation.Design(
        weights=d.weights[idx],
        strata=pick(d.strata),
        stratum_population=pick(d.stratum_population),
        clusters=pick(d.clusters),
    )
    strata = [sample.strata[i] for i in positions]
    psus = [sample.psus[i] for i in positions]
    _check_strata(strata, psus if d.clusters is not None else None, design.stratum_population)
    return design, strata, psus


def _weighted(survey: Survey, answers: Sequence[Mapping[str, Any]], sample: Sample | None = None) -> Weighted:
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
    if sample is not None and method == Weighting.STRATIFIED:
        raise WeightingError(
            _(
                "The sample design already gives the strata and design weights: choose post-stratification or raking "
                "to the population by sex × age band, or no weighting."
            )
        )
    candidates = sample.rows if sample is not None else range(len(answers))
    rows, cells, positions = [], [], []
    for position, i in enumerate(candidates):
        a = answers[i]
        cell = (str(a.get(SEX) or ""), str(a.get(AGE) or ""), str(a.get(AREA) or "") if by_area else "")
        if method == Weighting.RAKED:
            covered = all(category in margin for margin, category in zip(totals, cell, strict=True))
        else:
            covered = cell in figures
        if covered:
            rows.append(i)
            cells.append(cell)
            positions.append(position)
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
        if sample is not None:
            base, _strata, _psus = _take(sample, positions)
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
    text = descriptions[Weighting(method)] % {"population": f"{total:,}"}
    return Weighted(
        design,
        rows,
        method,
        f"{sample.description} {text}" if sample is not None else text,
        excluded=len(candidates) - len(rows),
        population=total,
        by_area=by_area,
        without_invitation=len(answers) - len(sample.rows) if sample is not None else 0,
        clustered=sample is not None and sample.clustered,
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
