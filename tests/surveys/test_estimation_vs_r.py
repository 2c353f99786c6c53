"""`survey-estimate` agrees with R's survey package: points and SEs to 6 significant digits, CIs to 5.

R computes its side from the same synthetic survey (tests/surveys/data, made by
make_reference_data.py) when the test runs. Without Rscript and the survey package the tests skip,
unless REQUIRE_R=1 (CI) makes them fail.
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from django.core.management import call_command

from tsunagari.surveys import estimation
from tsunagari.surveys.estimate_csv import Request, estimate

DATA = Path(__file__).parent / "data"
RESPONSES = DATA / "responses.csv"
MARGINS = DATA / "margins.csv"
RSCRIPT = os.environ.get("RSCRIPT") or shutil.which("Rscript") or "/usr/bin/Rscript"
# Post-strata (age × sex) and their made-up populations.
POST_STRATA = [f"{age}|{sex}" for age in ("18-39", "40-64", "65+") for sex in ("女", "男")]
POST_STRATA_POPULATION = [1310.0, 1232.0, 1660.0, 1538.0, 1294.0, 1166.0]

# The cases: our request, and the R design (by name in R_SCRIPT) and estimate that should agree.
STRATIFIED = {"strata": "stratum", "weight": "w", "stratum_population": "N"}
CASES: dict[str, tuple[dict[str, Any], str]] = {
    "distribution_missing_by_area": (
        {**STRATIFIED, "distribution": "lonely", "by": "area"},
        'props("distribution_missing_by_area", des, NULL, "area")',
    ),
    "share_by_age": (
        {**STRATIFIED, "share": ("lonely", ("4", "5")), "by": "age"},
        'props("share_by_age", des, c("4", "5"), "age")',
    ),
    "mean_by_household": (
        {**STRATIFIED, "mean": "score", "by": "household"},
        'means("mean_by_household", des, "household")',
    ),
    "mean_with_replacement_by_sex": (
        {"strata": "stratum", "weight": "w", "mean": "score", "by": "sex"},
        'means("mean_with_replacement_by_sex", des_wr, "sex")',
    ),
    "share_simple_random": (
        {"share": ("lonely", ("1", "2"))},
        'props("share_simple_random", des_srs, c("1", "2"), NULL)',
    ),
    "distribution_raked_by_area": (
        {**STRATIFIED, "distribution": "lonely", "by": "area", "rake": MARGINS},
        'props("distribution_raked_by_area", des_raked, NULL, "area")',
    ),
    "mean_raked_by_age": (
        {**STRATIFIED, "mean": "score", "by": "age", "rake": MARGINS},
        'means("mean_raked_by_age", des_raked, "age")',
    ),
    "mean_calibrated_by_sex": (
        {**STRATIFIED, "mean": "score", "by": "sex", "rake": MARGINS, "rake_variance": "calibrate"},
        'means("mean_calibrated_by_sex", des_cal, "sex")',
    ),
    "share_raked_weights_fixed": (
        {**STRATIFIED, "share": ("lonely", ("4", "5")), "by": "area", "rake": MARGINS, "rake_variance": "fixed"},
        'props("share_raked_weights_fixed", des_fixed, c("4", "5"), "area")',
    ),
    "distribution_two_stage_by_area": (
        {
            "strata": "stratum",
            "weight": "w",
            "stratum_population": "N_psu",
            "cluster": "psu",
            "distribution": "lonely",
            "by": "area",
        },
        'props("distribution_two_stage_by_area", des_2s, NULL, "area")',
    ),
    "mean_two_stage_by_age": (
        {
            "strata": "stratum",
            "weight": "w",
            "stratum_population": "N_psu",
            "cluster": "psu",
            "mean": "score",
            "by": "age",
        },
        'means("mean_two_stage_by_age", des_2s, "age")',
    ),
}

R_SCRIPT = r"""
suppressMessages(library(survey))
args <- commandArgs(trailingOnly = TRUE)
d <- read.csv(args[1], colClasses = "character", encoding = "UTF-8")
m <- read.csv(args[2], colClasses = "character", encoding = "UTF-8")
for (col in c("N", "w", "N_psu")) d[[col]] <- as.numeric(d[[col]])
d$has_score <- d$score != ""
d$score0 <- ifelse(d$has_score, as.numeric(d$score), 0)  # rows without a score are outside every subset
d$has_lonely <- d$lonely != ""
d$lonely_na <- ifelse(d$has_lonely, d$lonely, NA)
# The margins in the file's order; factors so that calibrate()'s model matrix names are known.
margins <- unique(m$margin)
for (mg in margins) d[[mg]] <- factor(d[[mg]], levels = m$category[m$margin == mg])
total <- sum(as.numeric(m$population[m$margin == margins[1]]))
population_margins <- lapply(margins, function(mg) {
  x <- data.frame(factor(m$category[m$margin == mg], levels = m$category[m$margin == mg]),
                  Freq = as.numeric(m$population[m$margin == mg]))
  names(x)[1] <- mg
  x
})
calibration_totals <- c(total, unlist(lapply(margins, function(mg) as.numeric(m$population[m$margin == mg])[-1])))

des <- svydesign(ids = ~1, strata = ~stratum, fpc = ~N, weights = ~w, data = d)
des_wr <- svydesign(ids = ~1, strata = ~stratum, weights = ~w, data = d)
des_srs <- suppressWarnings(svydesign(ids = ~1, data = d))
des_raked <- rake(des, lapply(margins, function(mg) as.formula(paste0("~", mg))), population_margins,
                  control = list(maxit = 500, epsilon = 1e-13))
des_cal <- calibrate(des, as.formula(paste0("~", paste(margins, collapse = "+"))), calibration_totals,
                     calfun = "raking", epsilon = 1e-13, maxit = 500)
d$w_raked <- weights(des_raked)
des_fixed <- svydesign(ids = ~1, strata = ~stratum, fpc = ~N, weights = ~w_raked, data = d)
des_2s <- svydesign(ids = ~psu, strata = ~stratum, fpc = ~N_psu, weights = ~w, data = d, nest = TRUE)
post_strata <- data.frame(cell = c(@CELLS@), Freq = c(@FREQS@))
des_post <- postStratify(update(des, cell = paste(age, sex, sep = "|")), ~cell, post_strata)

emit <- function(case, category, domain, df, est, se, lo, hi) {
  cat(case, category, domain, df, sprintf("%.17g", c(est, se, lo, hi)), sep = "\t")
  cat("\n")
}
domains <- function(by) if (is.null(by)) list(NA) else c(list(NA), as.list(sort(unique(as.character(d[[by]])))))
in_domain <- function(by, dom) if (is.na(dom)) rep(TRUE, nrow(d)) else as.character(d[[by]]) == dom

props <- function(case, design, codes, by) {
  df <- degf(design)
  categories <- if (is.null(codes)) list() else list(codes)
  if (is.null(codes)) categories <- as.list(sort(unique(d$lonely[d$has_lonely])))
  for (dom in domains(by)) {
    keep <- d$has_lonely & in_domain(by, dom)
    for (codes in categories) {
      hit <- as.numeric(d$lonely %in% codes)
      sub <- subset(update(design, hit = hit), keep)
      p <- svyciprop(~hit, sub, method = "logit", df = df)
      ci <- attr(p, "ci")
      emit(case, paste(codes, collapse = ","), ifelse(is.na(dom), "", dom), df,
           as.numeric(p), sqrt(as.numeric(attr(p, "var"))), ci[1], ci[2])
    }
  }
}
assoc <- function(case, design, rows, cols) {
  x <- svychisq(as.formula(paste0("~", rows, "+", cols)), design)
  emit(case, "", "", degf(design), x$statistic, x$parameter[["ndf"]], x$parameter[["ddf"]], x$p.value)
}
means <- function(case, design, by) {
  df <- degf(design)
  for (dom in domains(by)) {
    keep <- d$has_score & in_domain(by, dom)
    est <- svymean(~score0, subset(design, keep))
    ci <- confint(est, df = df)
    emit(case, "", ifelse(is.na(dom), "", dom), df, coef(est), SE(est), ci[1], ci[2])
  }
}
"""


def _r_available() -> bool:
    if not Path(RSCRIPT).exists():
        return False
    probe = subprocess.run(
        [RSCRIPT, "-e", "library(survey); library(MASS)"], capture_output=True, timeout=120, check=False
    )
    return probe.returncode == 0


def require_r() -> None:
    """Skip without R and its survey package, unless REQUIRE_R=1 (CI), which makes it a failure."""
    if _r_available():
        return
    if os.environ.get("REQUIRE_R") == "1":
        pytest.fail(
            "REQUIRE_R=1 but Rscript with the survey package is missing (apt-get install r-cran-survey r-cran-mass)"
        )
    pytest.skip(
        "Rscript with the survey and MASS packages is not installed (apt-get install r-cran-survey r-cran-mass)"
    )


def run_r(script: str, *files: Path) -> str:
    """What the R script prints, given the files as its arguments; the test fails if R does."""
    done = subprocess.run(
        [RSCRIPT, "-e", script, *map(str, files)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env={**os.environ, "LC_ALL": "C.UTF-8"},
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.fixture(scope="module")
def r_results() -> dict[tuple[str, str, str], tuple[int, list[float]]]:
    require_r()
    script = R_SCRIPT.replace("@CELLS@", ", ".join(f'"{c}"' for c in POST_STRATA)).replace(
        "@FREQS@", ", ".join(f"{v:g}" for v in POST_STRATA_POPULATION)
    )
    script += "\n".join(call for _, call in CASES.values()) + '\nmeans("post_stratified", des_post, NULL)\n'
    script += 'assoc("association_stratified", des, "age", "household")\n'
    script += 'assoc("association_two_stage", des_2s, "area", "sex")\n'
    script += 'assoc("association_with_missing_answers", des, "lonely_na", "sex")\n'

    rows: dict[tuple[str, str, str], tuple[int, list[float]]] = {}
    for line in run_r(script, RESPONSES, MARGINS).splitlines():
        case, category, domain, df, *numbers = line.split("\t")
        rows[(case, category, domain)] = (int(df), [float(x) for x in numbers])
    return rows


def _ours(case: str) -> dict[str, Any]:
    fields, _ = CASES[case]
    return estimate(Request(data=RESPONSES, **fields))


def _assert_agrees(case: str, ours: dict[str, Any], r: dict[tuple[str, str, str], tuple[int, list[float]]]) -> None:
    theirs = {key: value for key, value in r.items() if key[0] == case}
    assert theirs, f"R gave nothing for {case}"
    got = {(case, e["category"] or "", e["domain"] or ""): e for e in ours["estimates"]}
    assert set(got) == set(theirs)
    for key, (df, (est, se, lo, hi)) in theirs.items():
        e = got[key]
        assert ours["df"] == df
        assert math.isclose(e["estimate"], est, rel_tol=1e-6), (key, e["estimate"], est)
        assert math.isclose(e["se"], se, rel_tol=1e-6), (key, e["se"], se)
        assert math.isclose(e["ci95"][0], lo, rel_tol=1e-5), (key, e["ci95"], lo)
        assert math.isclose(e["ci95"][1], hi, rel_tol=1e-5), (key, e["ci95"], hi)


@pytest.mark.parametrize("case", sorted(CASES))
def test_it_agrees_with_r_survey(case: str, r_results: dict[tuple[str, str, str], tuple[int, list[float]]]) -> None:
    _assert_agrees(case, _ours(case), r_results)


def test_the_command_prints_what_r_computes(r_results: dict[tuple[str, str, str], tuple[int, list[float]]]) -> None:
    out = io.StringIO()
    call_command(
        "survey_estimate",
        str(RESPONSES),
        "--strata=stratum",
        "--weight=w",
        "--stratum-population=N",
        "--share=lonely=4,5",
        "--by=age",
        "--json",
        stdout=out,
    )
    printed = json.loads(out.getvalue())
    assert printed["n_respondents"] == 800
    assert list(printed) == ["n_respondents", "df", "estimates"]
    assert list(printed["estimates"][0]) == ["variable", "category", "domain", "n", "estimate", "se", "ci95"]
    _assert_agrees("share_by_age", printed, r_results)


def test_post_stratification_agrees_with_r(r_results: dict[tuple[str, str, str], tuple[int, list[float]]]) -> None:
    """poststratified() (age × sex cells) against R's postStratify()."""
    with open(RESPONSES, encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    cells = np.array([f"{r['age']}|{r['sex']}" for r in rows])
    population = dict(zip(POST_STRATA, POST_STRATA_POPULATION, strict=True))
    design = estimation.Design(
        np.array([float(r["w"]) for r in rows]),
        np.array([r["stratum"] for r in rows]),
        np.array([float(r["N"]) for r in rows]),
    )
    ours = estimation.mean(
        estimation.poststratified(design, cells, population),
        [float(r["score"]) if r["score"] else None for r in rows],
        "score",
    )[0]
    (df, (est, se, lo, hi)) = r_results[("post_stratified", "", "")]
    assert design.df == df
    assert math.isclose(ours.estimate, est, rel_tol=1e-6)
    assert math.isclose(ours.se, se, rel_tol=1e-6)
    assert math.isclose(ours.ci95[0], lo, rel_tol=1e-5)
    assert math.isclose(ours.ci95[1], hi, rel_tol=1e-5)


@pytest.mark.parametrize(
    ("case", "design_columns", "rows", "columns"),
    [
        ("association_stratified", {"stratum_population": "N"}, "age", "household"),
        ("association_two_stage", {"stratum_population": "N_psu", "clusters": "psu"}, "area", "sex"),
        ("association_with_missing_answers", {"stratum_population": "N"}, "lonely", "sex"),
    ],
)
def test_the_association_test_agrees_with_r_svychisq(
    case: str,
    design_columns: dict[str, str],
    rows: str,
    columns: str,
    r_results: dict[tuple[str, str, str], tuple[int, list[float]]],
) -> None:
    with open(RESPONSES, encoding="utf-8") as f:
        data = list(csv.DictReader(f))
    extra: dict[str, Any] = {}
    if "clusters" in design_columns:
        extra["clusters"] = np.array([r[design_columns["clusters"]] for r in data])
    design = estimation.Design(
        np.array([float(r["w"]) for r in data]),
        np.array([r["stratum"] for r in data]),
        np.array([float(r[design_columns["stratum_population"]]) for r in data]),
        **extra,
    )
    ours = estimation.association(design, [r[rows] for r in data], [r[columns] for r in data])
    df, (f, ndf, ddf, p) = r_results[(case, "", "")]
    assert design.df == df
    for got, want in ((ours.f, f), (ours.ndf, ndf), (ours.ddf, ddf), (ours.p_value, p)):
        assert math.isclose(got, want, rel_tol=1e-6), (got, want)
