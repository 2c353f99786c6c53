"""Weights by sex × age band × area (the demographics instrument's `area` question, 地区).

The weights and the report's weighted estimates agree with R's survey package (postStratify on the
sex × age band × area cells, rake on the three margins, a stratified design on the cells) to 6
significant digits, on a small synthetic survey made here. Without Rscript and the survey package
the R comparisons skip, unless REQUIRE_R=1 (CI) makes them fail. The form and the CSV import accept
the figures by area, all or nothing, and a survey without an area question weighs as before.
"""

from __future__ import annotations

import csv
import json
import math
import random
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tests.surveys.rows import answer, make_survey
from tests.surveys.test_estimation_vs_r import require_r, run_r
from tsunagari.surveys import actions, estimation, weighting
from tsunagari.surveys.models import PopulationCell, Question, Survey
from tsunagari.tenancy.scoping import platform_scope

pytestmark = pytest.mark.django_db

SEXES = ("1", "2")
AGES = ("3", "5", "7")
AREAS = ("1", "2", "3")  # 地区1…地区3, the demographics instrument's options
# A fictional register: (sex, age band, area) → people.
POPULATION = {
    (s, a, r): 800 + 150 * int(a) + (120 if s == "2" else 0) + 210 * int(r) - (40 * int(a) * int(r) % 170)
    for s in SEXES
    for a in AGES
    for r in AREAS
}
METHODS = ("poststratified", "raked", "stratified")


def synthetic_answers() -> list[dict[str, str]]:
    """2…7 respondents in every cell, the older and the women more, then 7 with no weight:
    3 without an area, 2 of sex 「その他」, 2 of an age band without a figure (80歳以上)."""
    rng = random.Random(20261203)
    out: list[dict[str, str]] = []
    for s, a, r in POPULATION:
        for _ in range(2 + rng.randint(0, 3) + (int(a) > 4) + (s == "2")):
            lonely = 1 + min(4, int(rng.random() * (4.6 if a == "3" else 2.8) + rng.random() * (int(r) / 2)))
            out.append({"loneliness_direct": str(lonely), "sex": s, "age_band": a, "area": r})
    for extra in (
        {"sex": "1", "age_band": "5"},
        {"sex": "2", "age_band": "7", "area": ""},
        {"sex": "2", "age_band": "3"},
        {"sex": "3", "age_band": "5", "area": "2"},
        {"sex": "3", "age_band": "7", "area": "1"},
        {"sex": "1", "age_band": "8", "area": "3"},
        {"sex": "2", "age_band": "8", "area": "1"},
    ):
        out.append({"loneliness_direct": str(rng.randint(1, 5)), **extra})
    rng.shuffle(out)
    return out


def covered(a: dict[str, str]) -> bool:
    return (a["sex"], a["age_band"], a.get("area", "")) in POPULATION


@pytest.fixture
def survey(kamakura: Any, alice: Any) -> Survey:
    with platform_scope(kamakura, with_national=False):
        survey = make_survey(kamakura, alice, "direct", "demographics", min_cell=3)
        for given in synthetic_answers():
            answer(survey, given)
    return survey


def form_data(method: str) -> dict[str, str]:
    return {"method": method} | {f"pop_{s}_{a}_{r}": str(v) for (s, a, r), v in POPULATION.items()}


R_SCRIPT = r"""
suppressMessages(library(survey))
args <- commandArgs(trailingOnly = TRUE)
d <- read.csv(args[1], colClasses = "character", encoding = "UTF-8")
p <- read.csv(args[2], colClasses = "character", encoding = "UTF-8")
p$Freq <- as.numeric(p$Freq)
d$cell <- paste(d$sex, d$age_band, d$area, sep = "|")
p$cell <- paste(p$sex, p$age_band, p$area, sep = "|")
d$N <- sum(p$Freq)
d$N_h <- p$Freq[match(d$cell, p$cell)]
margin <- function(name) {
  x <- aggregate(p$Freq, list(p[[name]]), sum)
  names(x) <- c(name, "Freq")
  x
}
base <- svydesign(ids = ~1, fpc = ~N, data = d)
designs <- list(
  poststratified = postStratify(base, ~cell, p[, c("cell", "Freq")]),
  raked = rake(base, list(~sex, ~age_band, ~area), list(margin("sex"), margin("age_band"), margin("area")),
               control = list(maxit = 500, epsilon = 1e-13)),
  stratified = svydesign(ids = ~1, strata = ~cell, fpc = ~N_h, data = d)
)
for (method in names(designs)) {
  des <- designs[[method]]
  w <- weights(des)
  for (i in seq_along(w)) cat("weight", method, i - 1, sprintf("%.17g", w[i]), sep = "\t", "\n")
  for (code in sort(unique(d$lonely))) {
    p_hat <- svyciprop(~hit, update(des, hit = as.numeric(d$lonely == code)), method = "logit", df = degf(des))
    cat("share", method, code, sprintf("%.17g", c(as.numeric(p_hat), sqrt(as.numeric(attr(p_hat, "var"))))),
        sep = "\t", "\n")
  }
}
"""


@pytest.fixture(scope="module")
def r_results(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str, str], list[float]]:
    """R's weights (by row of the covered respondents, in order) and shares of the direct question."""
    require_r()
    folder: Path = tmp_path_factory.mktemp("weighting_by_area")
    with open(folder / "answers.csv", "w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["sex", "age_band", "area", "lonely"])
        for a in synthetic_answers():
            if covered(a):
                writer.writerow([a["sex"], a["age_band"], a["area"], a["loneliness_direct"]])
    with open(folder / "population.csv", "w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["sex", "age_band", "area", "Freq"])
        writer.writerows([*cell, count] for cell, count in POPULATION.items())
    out: dict[tuple[str, str, str], list[float]] = {}
    for line in run_r(R_SCRIPT, folder / "answers.csv", folder / "population.csv").splitlines():
        kind, method, key, *numbers = line.strip().split("\t")
        out[(kind, method, key)] = [float(x) for x in numbers if x]
    return out


@pytest.mark.parametrize("method", METHODS)
def test_the_weights_by_sex_age_and_area_are_rs(
    survey: Survey, alice: Any, method: str, r_results: dict[tuple[str, str, str], list[float]]
) -> None:
    given = synthetic_answers()
    with platform_scope(survey.platform, with_national=False):
        actions.set_weighting(survey, method, POPULATION, actor=alice)
        applied = weighting.weighted(survey, given)
    assert applied.problem == "" and applied.method == method and applied.by_area
    assert applied.excluded == 7  # no area, sex 「その他」, or 80歳以上 (no figure)
    assert applied.rows == [i for i, a in enumerate(given) if covered(a)]
    assert applied.design is not None
    theirs = [r_results[("weight", method, str(i))][0] for i in range(len(applied.rows))]
    assert len(applied.design.weights) == len(theirs)
    for ours, want in zip(applied.design.weights, theirs, strict=True):
        assert math.isclose(ours, want, rel_tol=1e-6), (ours, want)
    assert math.isclose(float(applied.design.weights.sum()), sum(POPULATION.values()), rel_tol=1e-9)
    # A weighted estimate with its standard error: the share of each answer to the direct question.
    shares = estimation.distribution(
        applied.design, [given[i]["loneliness_direct"] for i in applied.rows], "loneliness_direct"
    )
    assert [e.category for e in shares if e.domain is None] == ["1", "2", "3", "4", "5"]
    for e in shares:
        estimate, se = r_results[("share", method, str(e.category))]
        assert math.isclose(e.estimate, estimate, rel_tol=1e-6), (e, estimate)
        assert math.isclose(e.se, se, rel_tol=1e-6), (e, se)


@pytest.mark.parametrize("method", METHODS)
def test_the_reports_rounded_estimates_by_area_are_rs(
    client: Client, survey: Survey, alice: Any, method: str, r_results: dict[tuple[str, str, str], list[float]]
) -> None:
    client.force_login(alice)
    base = f"/kamakura/workspace/surveys/{survey.pk}/"
    assert client.post(base + "weighting/", form_data(method)).status_code == 302
    data = json.loads(client.get(base + "results.json").content)
    assert data["weighting"]["method"] == method and data["weighting"]["problem"] is None
    assert data["weighting"]["excluded_respondents"] == 7
    assert "地区" in data["weighting"]["description"]
    shown = [
        r
        for r in data["results"]
        if r["question"] == "loneliness_direct" and r["domain"] is None and not r["suppressed"]
    ]
    assert len(shown) >= 4  # a rare answer may be withheld (min_cell)
    for row in shown:  # the report rounds to 6 decimals
        estimate, se = r_results[("share", method, row["category"])]
        assert row["estimate"] == pytest.approx(estimate, abs=1e-6)
        assert row["se"] == pytest.approx(se, abs=1e-6)
    page = client.get(base + "report/").content.decode()
    assert "地区" in page and "重み付けなし" not in page


def test_without_area_figures_the_area_answer_does_not_matter(survey: Survey, alice: Any) -> None:
    """Figures for all areas together (area "") weigh by sex × age band, as before the area dimension."""
    given = synthetic_answers()
    overall: dict[tuple[str, str, str], int] = {}
    for (s, a, _r), count in POPULATION.items():
        overall[(s, a, "")] = overall.get((s, a, ""), 0) + count
    with platform_scope(survey.platform, with_national=False):
        actions.set_weighting(survey, "poststratified", overall, actor=alice)
        applied = weighting.weighted(survey, given)
    assert not applied.by_area and applied.problem == ""
    assert applied.excluded == 4  # sex 「その他」 or 80歳以上; the three without an area count
    assert "地区" not in applied.description


def test_the_form_takes_figures_by_area_or_overall_not_both(client: Client, survey: Survey, alice: Any) -> None:
    client.force_login(alice)
    base = f"/kamakura/workspace/surveys/{survey.pk}/"
    page = client.get(base + "weighting/").content.decode()
    assert "地区1の性別・年齢階級別の人口" in page and 'name="pop_2_8_3"' in page and 'name="pop_2_8"' in page
    assert client.post(base + "weighting/", form_data("raked")).status_code == 302
    with platform_scope(survey.platform, with_national=False):
        saved = {(c.sex, c.age_band, c.area): c.population for c in PopulationCell.objects.filter(survey=survey)}
    assert saved == POPULATION
    page = client.get(base + "weighting/").content.decode()
    assert f'name="pop_1_3_2" value="{POPULATION[("1", "3", "2")]}"' in page
    both = client.post(base + "weighting/", form_data("raked") | {"pop_1_3": "5000"})
    assert both.status_code == 400
    assert "人口は全地区まとめてか地区別のどちらかで入力してください" in both.content.decode()
    with platform_scope(survey.platform, with_national=False):
        assert PopulationCell.objects.filter(survey=survey, area="").count() == 0


def test_a_csv_with_an_area_column_gives_figures_by_area(client: Client, survey: Survey, alice: Any) -> None:
    client.force_login(alice)
    base = f"/kamakura/workspace/surveys/{survey.pk}/"
    text = "性別,年齢階級,地区,人口\n男性,30～39歳,地区1,1200\n女性,30～39歳,2,1300\n"
    response = client.post(base + "weighting/import/", {"file": SimpleUploadedFile("人口.csv", text.encode("cp932"))})
    assert response.status_code == 302
    with platform_scope(survey.platform, with_national=False):
        saved = {(c.sex, c.age_band, c.area): c.population for c in PopulationCell.objects.filter(survey=survey)}
    assert saved == {("1", "3", "1"): 1200, ("2", "3", "2"): 1300}


def test_an_unknown_or_missing_area_rejects_the_whole_file_naming_the_row(
    client: Client, survey: Survey, alice: Any
) -> None:
    client.force_login(alice)
    base = f"/kamakura/workspace/surveys/{survey.pk}/"
    client.post(base + "weighting/", form_data("poststratified"))
    text = (
        "性別,年齢階級,地区,人口\n"
        "男性,30～39歳,地区1,1200\n"  # right
        "男性,30～39歳,大船地域,1300\n"
        "女性,30～39歳,,1400\n"
        "男性,30～39歳,1,1500\n"
    )
    response = client.post(base + "weighting/import/", {"file": SimpleUploadedFile("人口.csv", text.encode())})
    assert response.status_code == 400
    page = response.content.decode()
    for message in (
        "3行目、列「地区」：「大船地域」は選択肢にありません（地区1、地区2、地区3）。",
        "4行目、列「地区」：「」は選択肢にありません（地区1、地区2、地区3）。",
        "5行目：2行目と同じ性別・年齢階級・地区です。",
    ):
        assert message in page, message
    with platform_scope(survey.platform, with_national=False):
        saved = {(c.sex, c.age_band, c.area): c.population for c in PopulationCell.objects.filter(survey=survey)}
    assert saved == POPULATION  # all or nothing


def test_a_survey_without_an_area_question_has_no_area_tables_and_refuses_an_area_column(
    client: Client, survey: Survey, alice: Any
) -> None:
    with platform_scope(survey.platform, with_national=False):
        Question.objects.filter(survey=survey, name="area").delete()
        assert weighting.grid(survey).ready and not weighting.grid(survey).areas
    client.force_login(alice)
    base = f"/kamakura/workspace/surveys/{survey.pk}/"
    page = client.get(base + "weighting/").content.decode()
    assert 'name="pop_1_3"' in page and 'name="pop_1_3_1"' not in page and "地区別の人口" not in page
    text = "性別,年齢階級,地区,人口\n男性,30～39歳,地区1,1200\n"
    response = client.post(base + "weighting/import/", {"file": SimpleUploadedFile("人口.csv", text.encode())})
    assert response.status_code == 400
    assert "ファイルに列「地区」がありますが、この調査には地区の設問がありません" in response.content.decode()
    # Figures by area left from before the question was removed are not applied.
    with platform_scope(survey.platform, with_national=False):
        actions.set_weighting(survey, "raked", POPULATION, actor=alice)
        applied = weighting.weighted(survey, synthetic_answers())
    assert applied.method == "none" and "地区の設問がありません" in applied.problem


def test_estimation_rakes_to_any_number_of_margins() -> None:
    """The engine itself: three margins are met at once (what the raked design relies on)."""
    given = [a for a in synthetic_answers() if covered(a)]
    n, total = len(given), float(sum(POPULATION.values()))
    margins: dict[str, tuple[list[str], dict[str, float]]] = {}
    for position, name in enumerate(("sex", "age_band", "area")):
        totals: dict[str, float] = {}
        for cell, count in POPULATION.items():
            totals[cell[position]] = totals.get(cell[position], 0.0) + count
        margins[name] = ([a[name] for a in given], totals)
    weights = estimation.rake(estimation.srs_weights(n, total), margins)
    for labels, totals in margins.values():
        for category, count in totals.items():
            got = sum(w for w, label in zip(weights, labels, strict=True) if label == category)
            assert math.isclose(got, count, rel_tol=1e-7)
