"""Design-based survey estimation: weights, raking, proportions and means with Taylor-linearised SEs.

Pure numpy/scipy (no Django), so the workspace, the reports and `survey-estimate` share one engine.
It follows the conventions of R's `survey` package (docs/surveys.md, "Estimation"), and
tests/surveys/test_estimation_vs_r.py checks it against R on synthetic data:

- every respondent row stays in the design; a missing answer or another domain is a domain
  indicator of 0, so an SE equals ``svymean(~x, subset(design, !is.na(x) & domain))``;
- strata are sampled without replacement: each stratum adds (1 − n_h/N_h)·n_h/(n_h − 1) times the
  sum of squares of its PSUs' centred totals, n_h counting every PSU (row, without clusters) of
  the stratum in the design;
- the design's degrees of freedom are PSUs − strata (rows − strata without clusters), R's
  ``degf(design)``, and give the t quantile of every interval;
- proportions get a logit interval (``svyciprop(method="logit")``), means a symmetric t interval;
- after raking or post-stratification the variance uses the residuals of the estimating function
  regressed on the margins (R's ``calibrate(..., calfun="raking")``).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import cached_property
from typing import Any

import numpy as np
from scipy import special

# Default smallest number of respondents an estimate may rest on before it is withheld.
MIN_N = 10
# Ways to account for raking in the variance (Calibration.variance).
CALIBRATION_VARIANCES = ("rake", "calibrate", "fixed")
# Rounds of centring R's rake() applies to the estimating function (survey:::svyrecvar).
R_RAKE_ROUNDS = 10


class DesignError(ValueError):
    """The design or the data cannot give an estimate (one PSU in a stratum, N_h < n_h, …)."""


@dataclass(frozen=True, eq=False)
class Calibration:
    """What raking or post-stratification adjusted the weights to, kept for the variance."""

    margins: tuple[np.ndarray, ...]  # category label per row, one array per margin
    base_weights: np.ndarray  # the weights before calibration
    # How the variance accounts for it: "rake" as R's rake() (ten rounds of centring the estimating
    # function within each margin's categories), "calibrate" as R's calibrate(calfun="raking")
    # (residuals of a regression on the margins with the base weights), "fixed" as if the raked
    # weights were design weights (samplics; svydesign(weights=) on the raked weights).
    variance: str = "rake"

    def __post_init__(self) -> None:
        if self.variance not in CALIBRATION_VARIANCES:
            raise DesignError(f"unknown calibration variance {self.variance!r}")


@dataclass(frozen=True, eq=False)
class Design:
    """A sample design: one row per respondent.

    Without ``strata`` the design is one stratum; without ``clusters`` each row is its own PSU.
    ``stratum_population`` is N_h, the number of PSUs in the stratum's population (people, when
    rows are PSUs); without it the stratum is taken as sampled with replacement (no correction).
    PSU ids are read within their stratum (R's ``nest=TRUE``).
    """

    weights: np.ndarray
    strata: np.ndarray | None = None
    stratum_population: np.ndarray | None = None
    clusters: np.ndarray | None = None
    calibration: Calibration | None = None

    def __post_init__(self) -> None:
        w = np.asarray(self.weights, dtype=float)
        object.__setattr__(self, "weights", w)
        if w.ndim != 1 or len(w) == 0:
            raise DesignError("weights must be a non-empty 1-D array")
        if not np.all(np.isfinite(w)) or np.any(w <= 0):
            raise DesignError("weights must be positive numbers")
        for name in ("strata", "stratum_population", "clusters"):
            value = getattr(self, name)
            if value is not None and len(value) != len(w):
                raise DesignError(f"{name} has {len(value)} rows, weights {len(w)}")

    @property
    def n(self) -> int:
        return len(self.weights)

    @cached_property
    def _layout(self) -> _Layout:
        return _Layout.build(self)

    @property
    def df(self) -> int:
        """Design degrees of freedom: PSUs − strata (R's ``degf``)."""
        return self._layout.n_psu - self._layout.n_strata


@dataclass(frozen=True, eq=False)
class Estimate:
    """One published number: a proportion or a mean for a variable, a category and a domain."""

    variable: str
    category: str | None  # the code (distribution), the codes as written (share), None (mean)
    domain: str | None  # the domain's label, None for everyone
    n: int  # respondents used: in the domain with an answer
    estimate: float
    se: float
    ci95: tuple[float, float]
    cases: int | None = None  # respondents in the category (proportions only)
    suppressed: bool = False  # withheld because too few respondents; numbers are NaN

    def as_dict(self) -> dict[str, Any]:
        """The JSON shape of `survey-estimate`."""
        return {
            "variable": self.variable,
            "category": self.category,
            "domain": self.domain,
            "n": self.n,
            "estimate": self.estimate,
            "se": self.se,
            "ci95": [self.ci95[0], self.ci95[1]],
        }


# --- design layout ---------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Coded:
    """A column already turned into codes, to pass as values, ``by`` or strata more than once.

    Turning a million text labels into codes is the costliest step of an estimate; a caller asking
    several questions of the same domains makes ``coded(area)`` once (as R keeps a factor).
    """

    codes: np.ndarray  # 0…len(labels) − 1 per row
    labels: list[Any]

    def __len__(self) -> int:
        return len(self.codes)


def coded(values: Sequence[Any] | np.ndarray) -> Coded:
    """The column as codes and labels (see Coded)."""
    codes, labels = _factorize(values)
    return Coded(codes, labels)


def _factorize(labels: Sequence[Any] | np.ndarray | Coded) -> tuple[np.ndarray, list[Any]]:
    """Integer codes per row and the distinct labels they stand for."""
    if isinstance(labels, Coded):
        return labels.codes, labels.labels
    if isinstance(labels, np.ndarray) and labels.dtype.kind in "iub":
        uniques, codes = np.unique(labels, return_inverse=True)
        return codes.astype(np.intp, copy=False), uniques.tolist()
    if isinstance(labels, np.ndarray) and labels.dtype.kind == "U" and labels.ndim == 1 and len(labels):
        found = _factorize_text(labels)
        if found is not None:
            return found
    index: dict[Any, int] = {}
    codes = np.fromiter((index.setdefault(v, len(index)) for v in labels), dtype=np.intp, count=len(labels))
    return codes, list(index)


def _factorize_text(labels: np.ndarray) -> tuple[np.ndarray, list[Any]] | None:
    """Factorise a numpy text array one character position at a time, without sorting text.

    Codes are refined position by position through lookup tables (a pass over the rows each), which
    beats numpy's sort of text by an order of magnitude. Returns None when the labels are too
    varied for the tables (then the caller uses a dict).
    """
    width = int(np.strings.str_len(labels).max())
    text = np.ascontiguousarray(labels.astype(f"<U{max(width, 1)}"))
    chars = text.view(np.uint32).reshape(len(text), -1)
    codes = np.zeros(len(text), dtype=np.int64)
    distinct = 1
    for j in range(chars.shape[1]):
        combined = codes * (int(chars[:, j].max()) + 1) + chars[:, j]
        span = int(combined.max()) + 1
        if span > 4 * len(text) + 1_000_000:
            return None
        present = np.zeros(span, dtype=bool)
        present[combined] = True
        lookup = np.cumsum(present) - 1
        codes = lookup[combined]
        distinct = int(lookup[-1]) + 1
    some_row = np.empty(distinct, dtype=np.intp)
    some_row[codes] = np.arange(len(text))
    return codes.astype(np.intp, copy=False), text[some_row].tolist()


@dataclass(frozen=True, eq=False)
class _Layout:
    """Strata and PSUs as integer codes, with each stratum's variance factor."""

    stratum: np.ndarray  # stratum code per row
    psu: np.ndarray | None  # PSU code per row (None: rows are PSUs)
    psu_stratum: np.ndarray  # stratum code per PSU
    scale: np.ndarray  # (1 − f_h)·n_h/(n_h − 1) per stratum
    n_psu: int
    n_strata: int

    @classmethod
    def build(cls, design: Design) -> _Layout:
        n = design.n
        if design.strata is None:
            stratum, strata_labels = np.zeros(n, dtype=np.intp), [None]
        else:
            stratum, strata_labels = _factorize(design.strata)
        n_strata = len(strata_labels)
        if design.clusters is None:
            psu = None
            psu_stratum = stratum
            n_psu = n
        else:
            psu, pairs = _factorize(list(zip(stratum.tolist(), design.clusters, strict=True)))
            psu_stratum = np.array([s for s, _ in pairs], dtype=np.intp)
            n_psu = len(pairs)
        n_h = np.bincount(psu_stratum, minlength=n_strata).astype(float)
        if design.stratum_population is None:
            f = np.zeros(n_strata)
        else:
            pop = np.asarray(design.stratum_population, dtype=float)
            if not np.all(np.isfinite(pop)) or np.any(pop <= 0):
                raise DesignError("stratum population must be positive numbers")
            pop_h = np.full(n_strata, np.nan)
            pop_h[stratum] = pop
            if not np.array_equal(pop_h[stratum], pop):
                bad = int(np.flatnonzero(pop_h[stratum] != pop)[0])
                raise DesignError(f"stratum {strata_labels[stratum[bad]]!r} has more than one population figure")
            over = np.flatnonzero(n_h > pop_h)
            if len(over):
                h = int(over[0])
                raise DesignError(
                    f"stratum {strata_labels[h]!r} has {int(n_h[h])} sampled units but a population of {pop_h[h]:g}"
                )
            f = n_h / pop_h
        with np.errstate(divide="ignore", invalid="ignore"):
            scale = np.where(n_h > 1, (1 - f) * n_h / (n_h - 1), 0.0)
        lonely = np.flatnonzero((n_h == 1) & (f < 1 - 1e-7))
        if len(lonely):
            raise DesignError(f"stratum {strata_labels[int(lonely[0])]!r} has only one PSU; its variance is unknown")
        # A census stratum (f = 1) adds nothing, as in R (f < 1e-7 there means 1 − n/N).
        scale[f >= 1 - 1e-7] = 0.0
        return cls(stratum, psu, psu_stratum, scale, n_psu, n_strata)


def _variance(design: Design, u: np.ndarray) -> float:
    """Variance of the total of ``u`` (weighted estimating-function values) under the design."""
    lay = design._layout
    if design.calibration is not None:
        u = _calibration_residuals(design, u)
    totals = u if lay.psu is None else np.bincount(lay.psu, weights=u, minlength=lay.n_psu)
    h = lay.psu_stratum
    counts = np.bincount(h, minlength=lay.n_strata)
    means = np.bincount(h, weights=totals, minlength=lay.n_strata) / np.maximum(counts, 1)
    centred = totals - means[h]
    ss = np.bincount(h, weights=centred * centred, minlength=lay.n_strata)
    return float(np.dot(lay.scale, ss))


@dataclass(frozen=True, eq=False)
class _Projection:
    """Weighted least squares on the calibration margins' indicators (base weights)."""

    codes: tuple[np.ndarray, ...]
    offsets: np.ndarray
    inverse: np.ndarray
    base: np.ndarray

    @classmethod
    def build(cls, cal: Calibration) -> _Projection:
        codes = tuple(_factorize(m)[0] for m in cal.margins)
        sizes = [int(c.max()) + 1 for c in codes]
        offsets = np.concatenate([[0], np.cumsum(sizes)])
        p = int(offsets[-1])
        gram = np.zeros((p, p))
        w0 = np.asarray(cal.base_weights, dtype=float)
        for i, ci in enumerate(codes):
            for j, cj in enumerate(codes):
                block = np.bincount(ci * sizes[j] + cj, weights=w0, minlength=sizes[i] * sizes[j])
                gram[offsets[i] : offsets[i + 1], offsets[j] : offsets[j + 1]] = block.reshape(sizes[i], sizes[j])
        # The margins' indicators are collinear (each set sums to 1); the residuals do not depend on
        # which solution the pseudo-inverse picks.
        return cls(codes, offsets, np.linalg.pinv(gram, hermitian=True), w0)


def _calibration_residuals(design: Design, u: np.ndarray) -> np.ndarray:
    cal = design.calibration
    assert cal is not None
    if cal.variance == "fixed":
        return u
    if cal.variance == "rake":
        codes: list[tuple[np.ndarray, np.ndarray]] = design.__dict__.get("_rake_codes") or []
        if not codes:
            for labels in cal.margins:
                c = _factorize(labels)[0]
                codes.append((c, np.bincount(c).astype(float)))
            design.__dict__["_rake_codes"] = codes
        e = u / design.weights
        for _ in range(R_RAKE_ROUNDS):
            for c, counts in codes:
                e = e - (np.bincount(c, weights=e, minlength=len(counts)) / counts)[c]
        return design.weights * e
    proj: _Projection = design.__dict__.get("_projection") or _Projection.build(cal)
    design.__dict__["_projection"] = proj
    z = u / design.weights
    rhs = np.concatenate(
        [
            np.bincount(c, weights=proj.base * z, minlength=int(proj.offsets[k + 1] - proj.offsets[k]))
            for k, c in enumerate(proj.codes)
        ]
    )
    beta = proj.inverse @ rhs
    fitted = np.zeros_like(z)
    for k, c in enumerate(proj.codes):
        fitted += beta[proj.offsets[k] : proj.offsets[k + 1]][c]
    return design.weights * (z - fitted)


# --- estimates -------------------------------------------------------------------------------


def _t(design: Design) -> float:
    df = design.df
    if df < 1:
        raise DesignError(f"the design has {df} degrees of freedom; an interval needs at least 1")
    return float(special.stdtrit(df, 0.975))  # scipy.stats.t.ppf without importing scipy.stats (slow)


def _logit_ci(p: float, se: float, t: float) -> tuple[float, float]:
    if not se > 0 or not 0 < p < 1:
        return (p, p)
    half = t * se / (p * (1 - p))
    centre = math.log(p / (1 - p))
    return (_expit(centre - half), _expit(centre + half))


def _expit(x: float) -> float:
    return 1 / (1 + math.exp(-x)) if x >= 0 else math.exp(x) / (1 + math.exp(x))


def _sort_key(label: Any) -> tuple[int, float, str]:
    text = str(label)
    try:
        return (0, float(text), text)
    except ValueError:
        return (1, 0.0, text)


def _missing(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, float | np.floating) and math.isnan(value):
        return True
    return isinstance(value, str | np.str_) and value.strip() == ""


def _coded(design: Design, values: Sequence[Any] | np.ndarray | Coded, what: str) -> tuple[np.ndarray, list[str]]:
    """Codes 0…K−1 in the labels' natural order (numbers by value), −1 for a missing answer."""
    if len(values) != design.n:
        raise DesignError(f"{what} has {len(values)} rows, the design {design.n}")
    codes, labels = _factorize(values)
    kept = sorted((k for k in range(len(labels)) if not _missing(labels[k])), key=lambda k: _sort_key(labels[k]))
    recode = np.full(len(labels) + 1, -1, dtype=np.intp)
    recode[kept] = np.arange(len(kept))
    return recode[codes], [str(labels[k]) for k in kept]


@dataclass(frozen=True)
class _Table:
    """Estimates for every domain (everyone first) × category, as arrays."""

    estimate: np.ndarray  # (domains + 1, categories)
    se: np.ndarray
    n: np.ndarray  # (domains + 1,)
    cases: np.ndarray  # (domains + 1, categories)


def _table(design: Design, dom: np.ndarray, n_dom: int, cat: np.ndarray, n_cat: int, y: np.ndarray | None) -> _Table:
    """Weighted ratios Σwy/Σw over the answered rows of each domain, with linearised SEs.

    ``dom`` is the domain code per row (``n_dom`` for rows in no domain), ``cat`` the category code
    (−1: missing). Proportions (``y`` None) estimate the share of each category; means (one
    category) estimate the mean of ``y``. The sums of each stratum (or PSU) are taken once with
    ``bincount``, so a million rows cost a few passes whatever the number of domains and categories.
    """
    lay = design._layout
    w = design.weights
    ok = cat >= 0
    slots = n_dom + 1
    calibrated = design.calibration is not None and design.calibration.variance != "fixed"
    rows_are_psus = lay.psu is None
    groups = lay.n_strata if rows_are_psus else lay.n_psu
    g = lay.stratum if rows_are_psus else lay.psu
    size = slots * groups * n_cat
    key = np.where(ok, (dom * groups + g) * n_cat + cat, size)

    def sums(weights: np.ndarray | None) -> np.ndarray:
        s = np.bincount(key, weights=weights, minlength=size + 1)[:size].reshape(slots, groups, n_cat)
        # Everyone first, then the domains (the slot of rows in no domain is dropped).
        return np.concatenate([s.sum(axis=0, keepdims=True), s[:n_dom]])

    counts = sums(None)
    cases = counts.sum(axis=1)
    n = cases.sum(axis=1)
    if y is None:
        s1 = sums(w)
        a1 = np.broadcast_to(s1.sum(axis=2, keepdims=True), s1.shape)
        ay = s1
    else:
        centre = float(np.dot(w[ok], y[ok]) / w[ok].sum()) if ok.any() else 0.0
        yc = np.where(ok, y - centre, 0.0)
        a1 = sums(w)
        ay = sums(w * yc)
    total = a1.sum(axis=1)  # (domains + 1, categories)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = ay.sum(axis=1) / total
        if calibrated:
            estimate = ratio if y is None else ratio + centre
            se = _table_se_calibrated(design, dom, n_dom, cat, n_cat, y, estimate, total)
        else:
            r = ratio[:, None, :]
            wt = total[:, None, :]
            su = (ay - r * a1) / wt  # Σu per stratum (rows are PSUs) or per PSU
            if rows_are_psus:
                if y is None:
                    s2 = sums(w * w)
                    a2 = s2.sum(axis=2, keepdims=True)
                    suu = (s2 * (1 - 2 * r) + r * r * a2) / (wt * wt)
                else:
                    a2, a2y, a2yy = sums(w * w), sums(w * w * yc), sums(w * w * yc * yc)
                    suu = (a2yy - 2 * r * a2y + r * r * a2) / (wt * wt)
                n_h = np.bincount(lay.stratum, minlength=lay.n_strata).astype(float)[None, :, None]
                ss = suu - su * su / n_h
            else:
                h = lay.psu_stratum
                n_h = np.bincount(h, minlength=lay.n_strata).astype(float)
                per_psu = su.transpose(1, 0, 2).reshape(lay.n_psu, -1)
                by_stratum = np.zeros((lay.n_strata, per_psu.shape[1]))
                np.add.at(by_stratum, h, per_psu)
                centred = per_psu - (by_stratum / n_h[:, None])[h]
                ss_flat = np.zeros_like(by_stratum)
                np.add.at(ss_flat, h, centred * centred)
                ss = ss_flat.reshape(lay.n_strata, su.shape[0], su.shape[2]).transpose(1, 0, 2)
            var = np.einsum("h,dhk->dk", lay.scale, ss)
            se = np.sqrt(np.maximum(var, 0.0))
    estimate = ratio if y is None else ratio + centre
    empty = n == 0
    estimate[empty] = np.nan
    se[empty] = np.nan
    return _Table(estimate, se, n, cases)


def _table_se_calibrated(
    design: Design,
    dom: np.ndarray,
    n_dom: int,
    cat: np.ndarray,
    n_cat: int,
    y: np.ndarray | None,
    ratio: np.ndarray,
    total: np.ndarray,
) -> np.ndarray:
    """SEs after raking: one estimating function per estimate, adjusted for the margins."""
    w = design.weights
    ok = cat >= 0
    se = np.full(ratio.shape, np.nan)
    for d in range(n_dom + 1):
        rows = ok if d == 0 else ok & (dom == d - 1)
        wd = np.where(rows, w, 0.0)
        for k in range(n_cat):
            if not total[d, k] > 0:
                continue
            yk = (cat == k).astype(float) if y is None else np.where(ok, y, 0.0)
            u = wd * (yk - ratio[d, k]) / total[d, k]
            se[d, k] = math.sqrt(max(_variance(design, u), 0.0))
    return se


def _domains(design: Design, by: Sequence[Any] | np.ndarray | Coded | None) -> tuple[np.ndarray, list[str]]:
    if by is None:
        return np.zeros(design.n, dtype=np.intp), []
    dom, labels = _coded(design, by, "the domain variable")
    dom[dom < 0] = len(labels)
    return dom, labels


def _proportions(
    design: Design,
    variable: str,
    cat: np.ndarray,
    categories: list[str],
    shown: int,
    by: Sequence[Any] | np.ndarray | Coded | None,
) -> list[Estimate]:
    dom, domains = _domains(design, by)
    t = _t(design)
    table = _table(design, dom, len(domains), cat, len(categories), None)
    out = []
    for d, domain in enumerate([None, *domains]):
        for k in range(shown):
            p, se = float(table.estimate[d, k]), float(table.se[d, k])
            if table.n[d]:
                p = min(max(p, 0.0), 1.0)
            ci = _logit_ci(p, se, t) if table.n[d] else (p, p)
            out.append(Estimate(variable, categories[k], domain, int(table.n[d]), p, se, ci, int(table.cases[d, k])))
    return out


def distribution(
    design: Design,
    values: Sequence[Any] | np.ndarray | Coded,
    variable: str,
    by: Sequence[Any] | np.ndarray | Coded | None = None,
) -> list[Estimate]:
    """The share of each answer code among those who answered (None or blank: missing).

    One estimate per domain (everyone first, then each ``by`` label) and code; codes sort as
    numbers when they are numbers.
    """
    cat, categories = _coded(design, values, "the variable")
    return _proportions(design, variable, cat, categories, len(categories), by)


def share(
    design: Design,
    values: Sequence[Any] | np.ndarray | Coded,
    codes: Iterable[str],
    variable: str,
    by: Sequence[Any] | np.ndarray | Coded | None = None,
) -> list[Estimate]:
    """The share answering any of ``codes`` among those who answered; the category reads "4,5"."""
    wanted = [str(c) for c in codes]
    if not wanted:
        raise DesignError("share needs at least one code")
    cat, categories = _coded(design, values, "the variable")
    hit = np.array([c in set(wanted) for c in categories] + [False])
    two = np.where(cat < 0, -1, np.where(hit[cat], 0, 1))
    return _proportions(design, variable, two, [",".join(wanted), "other"], 1, by)


def mean(
    design: Design,
    values: Sequence[Any] | np.ndarray,
    variable: str,
    by: Sequence[Any] | np.ndarray | Coded | None = None,
) -> list[Estimate]:
    """The weighted mean of a numeric answer (None or NaN: missing), with a symmetric t interval."""
    if isinstance(values, np.ndarray) and values.dtype.kind in "fiub":
        y = values.astype(float)
    else:
        y = np.array([np.nan if _missing(v) else float(v) for v in values], dtype=float)
    if len(y) != design.n:
        raise DesignError(f"the variable has {len(y)} rows, the design {design.n}")
    if np.any(np.isinf(y)):
        raise DesignError("the variable has an infinite value")
    cat = np.where(np.isnan(y), -1, 0)
    dom, domains = _domains(design, by)
    t = _t(design)
    table = _table(design, dom, len(domains), cat, 1, y)
    out = []
    for d, domain in enumerate([None, *domains]):
        m, se = float(table.estimate[d, 0]), float(table.se[d, 0])
        out.append(Estimate(variable, None, domain, int(table.n[d]), m, se, (m - t * se, m + t * se)))
    return out


def suppress(estimates: Iterable[Estimate], min_n: int = MIN_N, min_cases: int | None = None) -> list[Estimate]:
    """Withhold estimates resting on fewer than ``min_n`` respondents (and, if given, proportions
    counting fewer than ``min_cases`` but more than 0 respondents in the category).

    A withheld estimate keeps its labels and ``n`` and is marked ``suppressed``; its numbers are NaN
    so that nothing downstream can publish them by mistake.
    """
    out = []
    for e in estimates:
        small = e.n < min_n
        if min_cases is not None and e.cases is not None and 0 < e.cases < min_cases:
            small = True
        if small and not e.suppressed:
            nan = float("nan")
            e = replace(e, estimate=nan, se=nan, ci95=(nan, nan), suppressed=True)
        out.append(e)
    return out


# --- tables for reports -----------------------------------------------------------------------


@dataclass(frozen=True)
class SamplingErrorRow:
    """One row of the sampling-error table (標本誤差早見表): ± half-widths for one base n."""

    n: int
    half_widths: tuple[float, ...]  # one per proportion in SAMPLING_ERROR_PROPORTIONS (or as asked)


# The proportions municipal reports list: 10% (or 90%), 20% (80%), … 50%.
SAMPLING_ERROR_PROPORTIONS = (0.05, 0.10, 0.20, 0.30, 0.40, 0.50)


def sampling_error_table(
    bases: Iterable[int],
    population: float | None = None,
    proportions: Sequence[float] = SAMPLING_ERROR_PROPORTIONS,
    design_effect: float = 1.0,
    confidence: float = 0.95,
) -> list[SamplingErrorRow]:
    """The ± margin of a proportion for each base n: z·√(deff·(N − n)/(N − 1)·p(1 − p)/n).

    The table Japanese municipal survey reports print (標本誤差早見表), for simple random sampling
    from N people (no correction without N), widened by a design effect when the design is not
    simple (e.g. the ratio of a key estimate's design variance to its simple-random variance).
    """
    z = float(special.ndtri(0.5 + confidence / 2))
    rows = []
    for n in bases:
        if n < 1 or (population is not None and n > population):
            raise DesignError(f"a base of {n} is outside 1…{population:g}" if population else f"a base of {n}")
        fpc = 1.0 if population is None or population <= 1 else (population - n) / (population - 1)
        rows.append(
            SamplingErrorRow(n, tuple(z * math.sqrt(design_effect * fpc * p * (1 - p) / n) for p in proportions))
        )
    return rows


@dataclass(frozen=True)
class Comparison:
    """An estimate against a published figure (e.g. the national survey's)."""

    difference: float  # estimate − reference
    se: float
    t: float
    p_value: float  # two-sided, t with the design's degrees of freedom


def compare(estimate: Estimate, reference: float, df: int, reference_se: float = 0.0) -> Comparison:
    """Is the local estimate different from a published figure? A two-sided t test.

    The published figure counts as fixed unless its own SE is given (the national survey publishes
    one for some items); the two samples are independent, so the variances add.
    """
    if estimate.suppressed or not math.isfinite(estimate.se):
        raise DesignError("a withheld or empty estimate cannot be compared")
    se = math.sqrt(estimate.se**2 + reference_se**2)
    difference = estimate.estimate - reference
    if se == 0:
        return Comparison(
            difference, 0.0, math.copysign(math.inf, difference) if difference else 0.0, 0.0 if difference else 1.0
        )
    t = difference / se
    return Comparison(difference, se, t, float(2 * special.stdtr(df, -abs(t))))


@dataclass(frozen=True)
class Association:
    """The design-based test of association of a cross-tab (Rao–Scott, as R's svychisq)."""

    pearson: float  # Pearson's X² of the weighted table scaled to the respondents
    f: float  # X² / trace(Δ): the Rao–Scott second-order F
    ndf: float  # d0 = trace(Δ)² / trace(Δ²)
    ddf: float  # d0 · design df
    p_value: float


def association(
    design: Design, rows: Sequence[Any] | np.ndarray | Coded, columns: Sequence[Any] | np.ndarray | Coded
) -> Association:
    """Are the row and column answers associated? R's ``svychisq(~row + col, design)`` (statistic "F").

    Rows without either answer are out of the table's domain (kept in the design). X² comes from the
    weighted table scaled to every respondent row, as R scales it (``Ntotal = nrow``).
    """
    r, row_labels = _coded(design, rows, "the row variable")
    c, col_labels = _coded(design, columns, "the column variable")
    nr, nc = len(row_labels), len(col_labels)
    if nr < 2 or nc < 2:
        raise DesignError("a test of association needs at least two rows and two columns")
    ok = (r >= 0) & (c >= 0)
    cell = np.where(ok, c * nr + r, -1)  # rows vary fastest, as R's interaction()
    k = nr * nc
    w = np.where(ok, design.weights, 0.0)
    total = float(w.sum())
    p = np.bincount(cell[ok], weights=w[ok], minlength=k) / total
    # The covariance of the cell proportions: one linearised column per cell.
    u = np.zeros((design.n, k))
    u[ok, cell[ok]] = w[ok] / total
    u -= w[:, None] * p[None, :] / total
    v = _covariance(design, u)
    n = design.n
    rows_of, cols_of = np.arange(k) % nr, np.arange(k) // nr
    x1 = np.column_stack([np.ones(k), *(rows_of == i for i in range(1, nr)), *(cols_of == j for j in range(1, nc))])
    x12 = np.column_stack([(rows_of == i) & (cols_of == j) for j in range(1, nc) for i in range(1, nr)]).astype(float)
    cmat = x12 - x1 @ np.linalg.lstsq(x1, x12, rcond=None)[0]
    inv_p = np.where(p > 0, 1 / np.where(p > 0, p, 1), 0.0)
    denom = cmat.T @ (inv_p[:, None] / n * cmat)
    numr = cmat.T @ (inv_p[:, None] * v * inv_p[None, :]) @ cmat
    delta = np.linalg.solve(denom, numr)
    trace = float(np.trace(delta))
    d0 = trace**2 / float(np.trace(delta @ delta))
    observed = (p * n).reshape(nc, nr).T
    expected = np.outer(observed.sum(axis=1), observed.sum(axis=0)) / n
    with np.errstate(divide="ignore", invalid="ignore"):
        pearson = float(np.nansum((observed - expected) ** 2 / expected))
    f = pearson / trace
    ddf = d0 * design.df
    return Association(pearson, f, d0, ddf, float(special.fdtrc(d0, ddf, f)))


def _covariance(design: Design, u: np.ndarray) -> np.ndarray:
    """Covariance matrix of the totals of the columns of ``u`` under the design."""
    cols = [_calibration_residuals(design, u[:, j]) if design.calibration else u[:, j] for j in range(u.shape[1])]
    lay = design._layout
    if lay.psu is None:
        totals = np.column_stack(cols)
    else:
        totals = np.column_stack([np.bincount(lay.psu, weights=col, minlength=lay.n_psu) for col in cols])
    h = lay.psu_stratum
    counts = np.maximum(np.bincount(h, minlength=lay.n_strata), 1)
    means = np.column_stack([np.bincount(h, weights=t, minlength=lay.n_strata) for t in totals.T]) / counts[:, None]
    centred = (totals - means[h]) * np.sqrt(lay.scale[h])[:, None]
    return centred.T @ centred


# --- weights ---------------------------------------------------------------------------------


def srs_weights(n: int, population: float) -> np.ndarray:
    """Design weights of a simple random sample of ``n`` from ``population``: N/n each."""
    if n < 1 or population < n:
        raise DesignError(f"a sample of {n} cannot come from a population of {population:g}")
    return np.full(n, population / n)


def stratified_weights(strata: Sequence[Any] | np.ndarray, stratum_population: Mapping[Any, float]) -> np.ndarray:
    """Design weights of a stratified simple random sample: pop_h/n_h for each row of stratum h."""
    codes, labels = _factorize(strata)
    n_h = np.bincount(codes)
    missing = [h for h in labels if h not in stratum_population]
    if missing:
        raise DesignError(f"no population for stratum {missing[0]!r}")
    pop_h = np.array([float(stratum_population[h]) for h in labels])
    if np.any(pop_h < n_h):
        h = int(np.flatnonzero(pop_h < n_h)[0])
        raise DesignError(f"stratum {labels[h]!r} has {n_h[h]} sampled but a population of {pop_h[h]:g}")
    return (pop_h / n_h)[codes]


def two_stage_weights(
    psu_probability: Sequence[float] | np.ndarray, unit_probability: Sequence[float] | np.ndarray
) -> np.ndarray:
    """Design weights of a two-stage sample: 1 / (P(PSU drawn) · P(unit drawn | PSU drawn)).

    For equal-probability stages P(PSU) = n_h/N_h (PSUs sampled of PSUs in the stratum) and
    P(unit | PSU) = m_i/M_i (people sampled of people in the PSU).
    """
    p1 = np.asarray(psu_probability, dtype=float)
    p2 = np.asarray(unit_probability, dtype=float)
    if np.any(~(p1 > 0) | (p1 > 1)) or np.any(~(p2 > 0) | (p2 > 1)):
        raise DesignError("selection probabilities must be in (0, 1]")
    return 1 / (p1 * p2)


def nonresponse_adjusted(
    weights: Sequence[float] | np.ndarray, responded: Sequence[bool] | np.ndarray, classes: Sequence[Any] | np.ndarray
) -> np.ndarray:
    """Weights of the respondents after the weighting-class non-response adjustment.

    Within each class the respondents' weights are multiplied by (sum of the weights of everyone
    sampled) / (sum of the respondents' weights); the result has one weight per respondent, in order.
    """
    w = np.asarray(weights, dtype=float)
    r = np.asarray(responded, dtype=bool)
    codes, labels = _factorize(classes)
    sampled = np.bincount(codes, weights=w, minlength=len(labels))
    answered = np.bincount(codes, weights=np.where(r, w, 0.0), minlength=len(labels))
    empty = np.flatnonzero(answered == 0)
    if len(empty):
        raise DesignError(f"weighting class {labels[int(empty[0])]!r} has no respondents; merge it with another")
    return (w * (sampled / answered)[codes])[r]


def rake(
    design_or_weights: Design | Sequence[float] | np.ndarray,
    margins: Mapping[str, tuple[Sequence[Any] | np.ndarray, Mapping[str, float]]],
    tol: float = 1e-8,
    max_iter: int = 1000,
) -> np.ndarray:
    """Weights adjusted to every margin in turn (iterative proportional fitting).

    ``margins`` maps a margin's name to (its category label per row, population per category).
    Stops when every category's weighted total is within ``tol`` of its population, relatively.
    """
    base = design_or_weights.weights if isinstance(design_or_weights, Design) else design_or_weights
    w = np.array(base, dtype=float)
    fitted = []
    for name, (labels, population) in margins.items():
        if len(labels) != len(w):
            raise DesignError(f"margin {name!r} has {len(labels)} rows, the weights {len(w)}")
        codes, cats = _factorize([str(v) for v in labels])
        unknown = [c for c in cats if c not in population]
        if unknown:
            raise DesignError(f"margin {name!r}: category {unknown[0]!r} has no population figure")
        targets = np.array([float(population[c]) for c in cats])
        absent = [c for c, v in population.items() if str(c) not in cats and float(v) > 0]
        if absent:
            raise DesignError(f"margin {name!r}: category {absent[0]!r} has a population but no respondents")
        if np.any(~(targets > 0)):
            raise DesignError(f"margin {name!r}: populations must be positive")
        fitted.append((name, codes, targets))
    totals = [float(t.sum()) for _, _, t in fitted]
    if totals and max(totals) - min(totals) > tol * max(totals):
        raise DesignError("the margins do not add up to the same population: " + ", ".join(f"{t:g}" for t in totals))
    for _ in range(max_iter):
        for _, codes, targets in fitted:
            current = np.bincount(codes, weights=w, minlength=len(targets))
            w *= (targets / current)[codes]
        worst = max(
            (float(np.max(np.abs(np.bincount(c, weights=w, minlength=len(t)) / t - 1))) for _, c, t in fitted),
            default=0.0,
        )
        if worst <= tol:
            return w
    raise DesignError(f"raking did not converge in {max_iter} rounds (worst relative gap {worst:.2g})")


def raked(
    design: Design,
    margins: Mapping[str, tuple[Sequence[Any] | np.ndarray, Mapping[str, float]]],
    tol: float = 1e-8,
    max_iter: int = 1000,
    variance: str = "rake",
) -> Design:
    """The design with raked weights, remembering the margins so that SEs account for the raking."""
    weights = rake(design, margins, tol=tol, max_iter=max_iter)
    cal = Calibration(
        tuple(np.asarray([str(v) for v in labels]) for labels, _ in margins.values()), design.weights, variance
    )
    return replace(design, weights=weights, calibration=cal)


def poststratified(design: Design, cells: Sequence[Any] | np.ndarray, population: Mapping[str, float]) -> Design:
    """The design post-stratified to population counts of ``cells`` (e.g. age × sex × area).

    The variance is R's ``postStratify``: the estimating function less its base-weighted mean
    within each cell.
    """
    return raked(design, {"cells": (cells, population)}, variance="calibrate")


__all__ = [
    "CALIBRATION_VARIANCES",
    "MIN_N",
    "SAMPLING_ERROR_PROPORTIONS",
    "Association",
    "Calibration",
    "Coded",
    "Comparison",
    "Design",
    "DesignError",
    "Estimate",
    "SamplingErrorRow",
    "association",
    "coded",
    "compare",
    "distribution",
    "mean",
    "nonresponse_adjusted",
    "poststratified",
    "rake",
    "raked",
    "sampling_error_table",
    "share",
    "srs_weights",
    "stratified_weights",
    "suppress",
    "two_stage_weights",
]
