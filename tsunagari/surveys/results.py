"""A survey's results as they may be shown: estimates with their intervals, small cells withheld.

Everything published — the report page, its PDF and Excel, the open data, the programme report's
headline figures — comes from `results()`, which applies the survey's privacy rules in one place:

- free-text answers are never counted nor shown (they can name people);
- an estimate resting on fewer than `min_cell` respondents, or a share counting between 1 and
  min_cell − 1 respondents, is withheld (estimation.suppress). `min_cell` is the survey's own
  (default 10, at least 3) for members of its platform, and never below REPORTING_SMALL_CELL for
  anyone else (observers): `smallest_shown`;
- when exactly one share of a question's distribution in a domain is withheld, the next smallest is
  withheld too, so that the hidden one cannot be recovered by subtracting the others from 100%;
- a domain (of a breakdown `by`) with fewer than min_cell respondents is withheld entirely, its
  number of respondents too; when it is the only one withheld while everyone's figure is shown, the
  next smallest domain is withheld entirely as well, so that its size (and with the shares, its
  counts) cannot be recovered as everyone minus the domains shown (`_protect_domains`);
- in a breakdown (a cross-tab of answers by domain, everyone's figure its total), more cells are
  withheld until no withheld cell follows from the figures shown by subtraction along a row or down a
  column (`_protect_margins`).

Estimates use estimation.py with the design weighting.py gives: by default each respondent weighs
the same (population / respondents when the survey's population is known, which also gives the
finite population correction); with population figures by sex × age band (× area), a stratified design,
post-stratification or raking. Standard errors are Taylor-linearised and intervals logit for
shares, as R's `survey` package computes them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
from django.conf import settings
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from . import estimation, weighting
from .instruments import UCLA_BANDS, UCLA_ITEMS, hikikomori_class, ucla_band, ucla_score
from .models import Question, Response, Survey
from .questionnaire import Questionnaire


@dataclass(frozen=True)
class Row:
    """One line of a result table: an option (or the mean) within a domain."""

    category: str | None  # the option's code, None for a mean
    label: str  # the option's label, or "mean"
    domain: str | None  # the domain's label, None for everyone
    estimate: estimation.Estimate
    n_withheld: bool = False  # the domain's number of respondents is withheld too (see _protect_domains)

    @property
    def suppressed(self) -> bool:
        return self.estimate.suppressed

    def published_n(self, min_cell: int) -> int | None:
        """The number of respondents as published: None when withheld."""
        return None if self.n_withheld or self.estimate.n < min_cell else self.estimate.n


@dataclass
class Result:
    """The estimates for one question (or a derived measure such as the UCLA score)."""

    name: str
    title: str
    kind: str  # "share" (each row a share of those answering), "multiple" (each row its own share), "mean"
    rows: list[Row] = field(default_factory=list)
    n: int = 0

    def domains(self) -> list[str | None]:
        seen: list[str | None] = []
        for row in self.rows:
            if row.domain not in seen:
                seen.append(row.domain)
        return seen


@dataclass(frozen=True)
class Headline:
    """One figure for the programme report (issue 13): a share or mean with its 95% interval."""

    survey_id: int
    key: str
    label: str
    estimate: float | None  # a share 0–1 or a mean; None when withheld
    ci95: tuple[float, float] | None
    n: int
    suppressed: bool


def submitted(survey: Survey) -> list[Response]:
    return list(
        Response.objects.filter(survey=survey, submitted_at__isnull=False).select_related("invitation").order_by("pk")
    )


def units(responses: Sequence[Response]) -> list[weighting.Unit]:
    """Each response's invitation batch and PSU (None without an invitation), for the sample design."""
    return [(r.invitation.batch, r.invitation.psu) if r.invitation is not None else None for r in responses]


def applied_design(survey: Survey, responses: Sequence[Response]) -> weighting.Weighted:
    return weighting.weighted(survey, [r.answers for r in responses], units(responses))


def design_for(survey: Survey, responses: Sequence[Response]) -> tuple[estimation.Design, list[Any]]:
    """The survey's design (weighting.py) and the answers it covers, in the design's order."""
    applied = applied_design(survey, responses)
    if applied.design is None:
        raise estimation.DesignError("no answers to estimate from")
    return applied.design, [responses[i].answers for i in applied.rows]


def weighting_used(survey: Survey) -> weighting.Weighted:
    """What the report says about its weights: the method applied, who is left out, any problem."""
    return applied_design(survey, submitted(survey))


def _protect(rows: list[Row], min_cell: int) -> list[Row]:
    """Withhold small cells, then a second cell where one alone is withheld in a domain's distribution."""
    estimates = estimation.suppress([r.estimate for r in rows], min_n=min_cell, min_cases=min_cell)
    rows = [replace(row, estimate=e) for row, e in zip(rows, estimates, strict=True)]
    for domain in {r.domain for r in rows}:
        members = [i for i, r in enumerate(rows) if r.domain == domain and r.category is not None]
        hidden = [i for i in members if rows[i].suppressed and (rows[i].estimate.cases or 0) > 0]
        if len(hidden) == 1:
            shown = [i for i in members if not rows[i].suppressed and (rows[i].estimate.cases or 0) > 0]
            if shown:
                smallest = min(shown, key=lambda i: rows[i].estimate.cases or 0)
                nan = float("nan")
                rows[smallest] = replace(
                    rows[smallest],
                    estimate=replace(rows[smallest].estimate, estimate=nan, se=nan, ci95=(nan, nan), suppressed=True),
                )
    return rows


def smallest_shown(survey: Survey, *, inside: bool) -> int:
    """The smallest number of respondents a reader may see: the survey's own `min_cell` inside its platform,
    at least REPORTING_SMALL_CELL outside it.

    A coordinator may lower `min_cell` to 3 for the platform's own work; once figures leave the
    platform (prefecture or national observers) they follow published statistics' threshold, as the
    programme report does (reporting.report.small_cell).
    """
    if inside:
        return survey.min_cell
    return max(survey.min_cell, int(settings.REPORTING_SMALL_CELL))


def results(survey: Survey, *, by: str | None = None, min_cell: int = 0) -> list[Result]:
    """The survey's estimates, question by question, for everyone or by the answers to question `by`.

    `min_cell` raises the survey's own threshold (never lowers it): `smallest_shown` for the reader.
    """
    min_cell = max(survey.min_cell, min_cell)
    form = Questionnaire.load(survey)
    responses = submitted(survey)
    out: list[Result] = []
    if len(responses) < max(2, min_cell):
        return out  # every figure would be withheld (and one answer has no variance)
    design, answers = design_for(survey, responses)
    by_question = next((q for q in form.answerable if q.name == by and q.kind == Question.Kind.SINGLE), None)
    domain_labels: list[Any] | None = None
    if by_question is not None:
        labels = {c.value: c.label for c in form.options(by_question)}
        domain_labels = [labels.get(a.get(by_question.name)) for a in answers]
    for question in form.answerable:
        if question.is_free_text or question.name == by:
            continue
        values = [a.get(question.name) for a in answers]
        options = form.options(question)
        labels = {c.value: c.label for c in options}
        if question.kind == Question.Kind.SINGLE:
            estimates = estimation.distribution(design, values, question.name, by=domain_labels)
            order = {c.value: i for i, c in enumerate(options)}
            estimates.sort(key=lambda e: (str(e.domain), order.get(e.category or "", 999)))
            rows = [Row(e.category, labels.get(e.category or "", e.category or ""), e.domain, e) for e in estimates]
            kind = "share"
        elif question.kind == Question.Kind.MULTIPLE:
            rows = []
            for option in options:
                flags = [None if v is None else ("1" if option.value in v else "0") for v in values]
                for e in estimation.share(design, flags, ["1"], question.name, by=domain_labels):
                    rows.append(Row(option.value, option.label, e.domain, replace(e, category=option.value)))
            rows.sort(key=lambda r: str(r.domain))
            kind = "multiple"
        else:
            rows = [
                Row(None, _("mean"), e.domain, e)
                for e in estimation.mean(design, values, question.name, by=domain_labels)
            ]
            kind = "mean"
        out.append(
            Result(
                question.name, question.label, kind, protect(rows, kind, min_cell), sum(v is not None for v in values)
            )
        )
    out.extend(_derived(design, answers, domain_labels, min_cell))
    return out


# The bases of the sampling-error table below the number of respondents, as municipal reports list them.
SAMPLING_ERROR_BASES = (2000, 1500, 1000, 700, 500, 300, 200, 100, 50)


@dataclass(frozen=True)
class SamplingErrors:
    """The sampling-error table (標本誤差早見表) of a survey's report: ± margins by base n and share."""

    proportions: tuple[float, ...]
    rows: list[estimation.SamplingErrorRow]
    population: int | None  # N of the finite population correction, None without it
    design_effect: float  # Kish's 1 + CV² of the weights (1 unweighted), or estimated for a clustered design
    clustered: bool = False  # design_effect is the mean design effect of the survey's shares (two-stage design)


def clustered_design_effect(
    survey: Survey, design: estimation.Design, answers: Sequence[dict[str, Any]], population: int | None
) -> float:
    """The mean design effect of a clustered design: design variance ÷ simple random variance, over shares.

    For every option of every single-choice question, for everyone (0 < p < 1): SE² divided by
    (N − n)/(N − 1) · p(1 − p)/n, the simple random variance the sampling-error table assumes, so that
    the table's margins widened by it are those of the survey's own design (clustering and weights).
    """
    ratios = []
    for question in Question.objects.filter(survey=survey, kind=Question.Kind.SINGLE):
        values = [a.get(question.name) for a in answers]
        for e in estimation.distribution(design, values, question.name):
            if e.n > 1 and 0 < e.estimate < 1 and e.se > 0:
                fpc = (population - e.n) / (population - 1) if population and population > e.n else 1.0
                ratios.append(e.se**2 / (fpc * e.estimate * (1 - e.estimate) / e.n))
    if not ratios:
        return float(len(design.weights) * (design.weights**2).sum() / design.weights.sum() ** 2)
    return float(sum(ratios) / len(ratios))


def sampling_errors(survey: Survey, *, min_cell: int = 0) -> SamplingErrors | None:
    """The survey's 標本誤差早見表: the 95% margin of a share for its respondents and smaller bases.

    It rests on numbers the report publishes anyway (the respondents, the population), and only
    bases of at least `min_cell` are listed; None while the report shows nothing (fewer answers than
    the threshold). The design effect is Kish's approximation from the weights in use, so a weighted
    report widens its margins rather than printing simple-random ones.
    """
    min_cell = max(survey.min_cell, min_cell)
    responses = submitted(survey)
    if len(responses) < max(2, min_cell):
        return None
    applied = applied_design(survey, responses)
    if applied.design is None:
        return None
    n = len(applied.rows)
    weights = applied.design.weights
    design_effect = float(len(weights) * (weights**2).sum() / weights.sum() ** 2)
    population = applied.population or survey.population
    if population is not None and population < n:
        population = None
    if applied.clustered:
        answers = [responses[i].answers for i in applied.rows]
        design_effect = clustered_design_effect(survey, applied.design, answers, population)
    bases = [n, *(b for b in SAMPLING_ERROR_BASES if min_cell <= b < n)]
    rows = estimation.sampling_error_table(bases, population=population, design_effect=design_effect)
    return SamplingErrors(estimation.SAMPLING_ERROR_PROPORTIONS, rows, population, design_effect, applied.clustered)


def _protect_each(rows: list[Row], min_cell: int) -> list[Row]:
    """Shares of a multiple choice (each its own yes/no) and means: withhold small ones, one by one."""
    estimates = estimation.suppress([r.estimate for r in rows], min_n=min_cell, min_cases=min_cell)
    protected = [replace(row, estimate=e) for row, e in zip(rows, estimates, strict=True)]
    # A yes/no share is a distribution of two: a small "no" (n − cases) gives the "yes" away as well.
    for i, row in enumerate(protected):
        e = row.estimate
        if row.category is not None and not e.suppressed and e.cases is not None and 0 < e.n - e.cases < min_cell:
            nan = float("nan")
            protected[i] = replace(row, estimate=replace(e, estimate=nan, se=nan, ci95=(nan, nan), suppressed=True))
    return protected


def protect(rows: list[Row], kind: str, min_cell: int) -> list[Row]:
    """Every privacy rule on one result's rows: small cells, the cell beside them, small domains and the one beside."""
    cells = _protect(rows, min_cell) if kind == "share" else _protect_each(rows, min_cell)
    return _protect_margins(_protect_domains(cells, min_cell), kind)


def _withhold(row: Row) -> Row:
    nan = float("nan")
    return replace(row, estimate=replace(row.estimate, estimate=nan, se=nan, ci95=(nan, nan), suppressed=True))


def _protect_margins(rows: list[Row], kind: str) -> list[Row]:
    """Withhold more cells of a cross-tab until no withheld cell can be found from the figures shown (secondary
    suppression).

    A breakdown is a two-way table: the answers (rows) by the domains (columns), with everyone's figure as
    the total column and each domain's n as its column total. A cell withheld alone in its row is the
    total's count minus the domains' counts shown (share × n, or weighted share × the domain's known
    population); `_protect` only looks down a column. The attacker's view is a linear system: each
    column sums to its n, each row's domains to its total, the domains' n to everyone's n; unknowns are
    the withheld cells and withheld n. A cell is recoverable when every solution of that system gives it
    the same value (its coordinate in the null space is zero). While one is, the cell in its row or
    column that leaves the fewest recoverable (a domain's before everyone's, the smallest count first)
    is withheld too. Conservatively, respondents who did not answer `by` are assumed to be none (the
    attacker's best case). A multiple-choice option or a derived yes/no share is its own table of two
    rows (yes and no = n − yes); means are left to `_protect_domains` (a mean is withheld only with its
    whole domain).
    """
    if kind == "mean" or all(row.domain is None for row in rows):
        return rows
    rows = list(rows)
    if kind == "share":
        groups = [[i for i, row in enumerate(rows) if row.category is not None]]
    else:
        options = list(dict.fromkeys(row.category for row in rows))
        groups = [[i for i, row in enumerate(rows) if row.category == option] for option in options]
    for group in groups:
        while True:
            exposed = _recoverable(rows, group, kind)
            if not exposed:
                break
            target = exposed[0]
            candidates = [i for i in group if not rows[i].suppressed and _in_line(rows[i], rows[target], kind)] or [
                i for i in group if not rows[i].suppressed
            ]
            if not candidates:
                break  # everything is withheld already
            # The cheapest few (a domain's before everyone's, the smallest count first) are tried: with a
            # hundred domains, trying every cell of a row made a breakdown take seconds.
            candidates.sort(key=lambda i: _price(rows[i]))
            costs = []
            for i in candidates[:CANDIDATES_TRIED]:
                trial = [*rows[:i], _withhold(rows[i]), *rows[i + 1 :]]
                costs.append((len(_recoverable(trial, group, kind)), *_price(rows[i]), i))
            chosen = min(costs)[-1]
            rows[chosen] = _withhold(rows[chosen])
    return rows


# How many cells `_protect_margins` tries as the complement of a recoverable one.
CANDIDATES_TRIED = 8


def _price(row: Row) -> tuple[bool, bool, int, str]:
    """What withholding a cell costs the reader: a zero tells little, everyone's figure matters most, then size."""
    cases = row.estimate.cases or 0
    return (cases == 0, row.domain is None, cases, str(row.domain))


def _in_line(row: Row, target: Row, kind: str) -> bool:
    """Whether two cells share a row or a column of the cross-tab (for a yes/no share, every cell shares the yes row)."""
    return row.domain == target.domain or row.category == target.category or kind != "share"


def _recoverable(rows: list[Row], group: list[int], kind: str) -> list[int]:
    """The withheld cells of the cross-tab (indices into `rows`) whose values the figures shown determine."""
    columns = list(dict.fromkeys(rows[i].domain for i in group))
    if kind == "share":
        categories = list(dict.fromkeys(rows[i].category for i in group))
        cells = {(rows[i].category, rows[i].domain): i for i in group}
    else:  # yes and no (n − yes): one published row stands for both cells
        categories = ["yes", "no"]
        cells = {(c, rows[i].domain): i for i in group for c in categories}
    unknown: list[tuple[str, Any]] = [("cell", key) for key, i in cells.items() if rows[i].suppressed]
    n_withheld = {rows[i].domain for i in group if rows[i].n_withheld}
    unknown += [("n", d) for d in columns if d in n_withheld]
    if not any(kind_ == "cell" for kind_, _key in unknown):
        return []
    position = {u: k for k, u in enumerate(unknown)}
    equations: list[list[int]] = []
    for d in columns:  # each column sums to its n
        equations.append([position[u] for c in categories if (u := ("cell", (c, d))) in position])
        if ("n", d) in position:
            equations[-1].append(-1 - position[("n", d)])
    for c in categories:  # each answer: the domains sum to everyone's (the total column)
        terms = [position[u] for d in columns if d is not None and (u := ("cell", (c, d))) in position]
        if ("cell", (c, None)) in position:
            terms.append(-1 - position[("cell", (c, None))])
        equations.append(terms)
    equations.append(
        [-1 - position[nu] for d in columns if (nu := ("n", d)) in position]
    )  # the domains' n sum to everyone's
    matrix = np.zeros((len(equations), len(unknown)))
    for r, terms in enumerate(equations):
        for t in terms:
            if t >= 0:
                matrix[r, t] = 1.0
            else:
                matrix[r, -1 - t] = -1.0
    _u, singular, vt = np.linalg.svd(matrix)
    rank = int((singular > 1e-9).sum())
    null = vt[rank:]
    free = np.abs(null).sum(axis=0) > 1e-9 if len(null) else np.zeros(len(unknown), dtype=bool)
    return sorted({cells[key] for k, (kind_, key) in enumerate(unknown) if kind_ == "cell" and not free[k]})


def _protect_domains(rows: list[Row], min_cell: int) -> list[Row]:
    """Withhold small domains of a breakdown entirely (their n too), then a second domain where one alone is.

    Everyone's n is the sum of the domains' n (less those who did not answer `by`): were a single
    domain withheld beside everyone's figure, its n would be everyone's minus the domains shown, and
    its counts its shares times that n. So, as reporting.report.withhold_beside does for counts, the
    next smallest domain shown goes too (its n and every figure). The rule reads respondent counts
    (Estimate.n), which is what is published, weighted or not.
    """
    sizes: dict[str | None, int] = {}
    for row in rows:
        sizes[row.domain] = max(sizes.get(row.domain, 0), row.estimate.n)
    withheld = {d for d, n in sizes.items() if d is not None and n < min_cell}
    shown = [d for d, n in sizes.items() if d is not None and n >= min_cell]
    # Alone as published (a domain nobody in answered this question is withheld too), or the only one
    # with respondents (a domain of none hides nobody: 0 is all it can be). Until neither holds.
    while shown and sizes.get(None, 0) >= min_cell and 1 in {len(withheld), sum(sizes[d] > 0 for d in withheld)}:
        smallest = min(shown, key=lambda d: (sizes[d], str(d)))
        withheld.add(smallest)
        shown.remove(smallest)
    nan = float("nan")
    out = []
    for row in rows:
        if row.domain in withheld:
            e = row.estimate
            row = replace(
                row, n_withheld=True, estimate=replace(e, estimate=nan, se=nan, ci95=(nan, nan), suppressed=True)
            )
        out.append(row)
    return out


def _derived(
    design: estimation.Design, answers: Sequence[dict[str, Any]], domains: list[Any] | None, min_cell: int
) -> list[Result]:
    out = []
    if all(any(name in a for a in answers) for name in UCLA_ITEMS):
        scores = [ucla_score(a) for a in answers]
        bands = [None if s is None else ucla_band(s) for s in scores]
        rows = [
            Row(e.category, e.category or "", e.domain, e)
            for e in estimation.distribution(design, bands, "ucla3_band", by=domains)
        ]
        order = {label: i for i, (_lo, _hi, label) in enumerate(UCLA_BANDS)}
        rows.sort(key=lambda r: (str(r.domain), order.get(r.category or "", 9)))
        out.append(
            Result(
                "ucla3_band",
                _("UCLA loneliness score (3–12), by band"),
                "share",
                protect(rows, "share", min_cell),
                sum(s is not None for s in scores),
            )
        )
        mean_rows = [
            Row(None, _("mean"), e.domain, e) for e in estimation.mean(design, scores, "ucla3_score", by=domains)
        ]
        out.append(
            Result(
                "ucla3_score",
                _("UCLA loneliness score (3–12), mean"),
                "mean",
                protect(mean_rows, "mean", min_cell),
                sum(s is not None for s in scores),
            )
        )
    if any("outing" in a for a in answers):
        classes = [hikikomori_class(a) for a in answers]
        broad = [None if c is None else ("1" if c in {"narrow", "broad_only"} else "0") for c in classes]
        narrow = [None if c is None else ("1" if c == "narrow" else "0") for c in classes]
        rows = []
        for key, label, flags in (
            ("broad", _("hikikomori, broad definition (広義)"), broad),
            ("narrow", _("hikikomori, narrow definition (狭義)"), narrow),
        ):
            for e in estimation.share(design, flags, ["1"], "hikikomori", by=domains):
                rows.append(Row(key, label, e.domain, replace(e, category=key)))
        out.append(
            Result(
                "hikikomori",
                _("Hikikomori (Cabinet Office definition)"),
                "multiple",
                protect(rows, "multiple", min_cell),
                sum(c is not None for c in classes),
            )
        )
    return out


# What the programme report shows for each standard instrument: (question or measure, codes, label).
HEADLINES: tuple[tuple[str, tuple[str, ...], str], ...] = (
    ("loneliness_direct", ("3", "4", "5"), "孤独感がある（しばしばある・常にある／時々ある／たまにある）"),
    ("ucla3_band", ("10～12点（常にある）",), "UCLA孤独感尺度 10～12点"),
    ("hikikomori", ("broad",), "広義のひきこもり"),
    ("carer", ("1",), "世話をしている家族がいる"),
    ("someone_to_consult", ("2",), "不安や悩みを相談できる人がいない"),
)


def headline(survey: Survey, *, min_cell: int = 0) -> list[Headline]:
    """The survey's headline figures for the programme report, privacy rules applied (call in the platform's scope).

    `min_cell` raises the survey's own threshold (never lowers it): the programme report's, when
    the report leaves the platform.
    """
    min_cell = max(survey.min_cell, min_cell)
    responses = submitted(survey)
    out: list[Headline] = []
    if len(responses) < max(2, min_cell):
        return out
    design, answers = design_for(survey, responses)
    for key, codes, label in HEADLINES:
        if key == "ucla3_band":
            if not all(any(n in a for a in answers) for n in UCLA_ITEMS):
                continue
            scores = [ucla_score(a) for a in answers]
            values: list[Any] = [None if s is None else ucla_band(s) for s in scores]
        elif key == "hikikomori":
            if not any("outing" in a for a in answers):
                continue
            values = [
                None if c is None else ("broad" if c in {"narrow", "broad_only"} else "none")
                for c in (hikikomori_class(a) for a in answers)
            ]
        else:
            if not any(key in a for a in answers):
                continue
            values = [a.get(key) for a in answers]
        (estimate,) = estimation.share(design, values, codes, key)
        (estimate,) = estimation.suppress([estimate], min_n=min_cell, min_cases=min_cell)
        if not estimate.suppressed and estimate.cases is not None and 0 < estimate.n - estimate.cases < min_cell:
            estimate = replace(estimate, suppressed=True)
        out.append(
            Headline(
                survey_id=survey.pk,
                key=key,
                label=label,
                estimate=None if estimate.suppressed else estimate.estimate,
                ci95=None if estimate.suppressed else estimate.ci95,
                n=estimate.n,
                suppressed=estimate.suppressed,
            )
        )
    out.insert(
        0,
        Headline(survey.pk, "responses", _("respondents"), float(len(responses)), None, len(responses), False),
    )
    return out


def table_rows(found: list[Result], min_cell: int) -> list[dict[str, Any]]:
    """The results as flat rows (open data, Excel): withheld numbers are None, never NaN or the number.

    The number of respondents of a domain smaller than `min_cell`, or withheld beside it, is withheld too.
    """
    rows = []
    for result in found:
        for row in result.rows:
            e = row.estimate
            rows.append(
                {
                    "question": result.name,
                    "question_label": result.title,
                    "category": row.category,
                    "category_label": row.label,
                    "domain": row.domain,
                    "n": row.published_n(min_cell),
                    "estimate": None if e.suppressed else _round(e.estimate),
                    "se": None if e.suppressed else _round(e.se),
                    "ci95_low": None if e.suppressed else _round(e.ci95[0]),
                    "ci95_high": None if e.suppressed else _round(e.ci95[1]),
                    "suppressed": e.suppressed,
                }
            )
    return rows


def _round(value: float) -> float | None:
    return None if value != value else round(float(value), 6)  # NaN (nobody answered) → None


def surveys_run(platforms: Any) -> QuerySet[Survey]:
    """Surveys run (opened to answers), dated by when they were created (programme report)."""
    return Survey.objects.filter(platform_id__in=platforms).exclude(status=Survey.Status.DRAFT)


def platform_headlines(platform: Any, start_at: Any, end_at: Any, *, min_cell: int = 0) -> list[tuple[str, str]]:
    """The headline figures of the platform's surveys created in the period, as (label, value) text.

    `min_cell`: the smallest count shown, when higher than a survey's own (the programme report's
    REPORTING_SMALL_CELL when the report leaves the platform).
    """
    out: list[tuple[str, str]] = []
    surveys = Survey.objects.filter(platform=platform, created_at__gte=start_at, created_at__lt=end_at).exclude(
        status=Survey.Status.DRAFT
    )
    for survey in surveys.order_by("created_at"):
        for figure in headline(survey, min_cell=min_cell):
            if figure.key == "responses":
                value = str(figure.n)
            elif figure.suppressed or figure.estimate is None:
                value = _("withheld (fewer than %(n)s answers)") % {"n": max(survey.min_cell, min_cell)}
            elif figure.ci95 is not None:
                low, high = figure.ci95
                value = f"{100 * figure.estimate:.1f}% (95%CI {100 * low:.1f}–{100 * high:.1f}%, n={figure.n})"
            else:
                value = f"{100 * figure.estimate:.1f}% (n={figure.n})"
            out.append((f"{survey.title}: {figure.label}", value))
    return out
