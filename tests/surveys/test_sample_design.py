"""The sample design stated in the workspace: stratified or two-stage invitations, non-response adjustment.

On a synthetic two-stage survey (3 strata of invitation batches, 4–5 町丁目 each, response rates
varying by 町丁目, loneliness varying by 町丁目 so the clusters matter) the report's numbers — from the
workspace's own path, after the coordinator saves the design through the form — equal the engine's
built by hand here and R's survey package (svydesign with ids = ~psu, strata, fpc; weights adjusted for
non-response in R from the invitations) to 6 significant digits. Without Rscript and the survey
package the R comparisons skip, unless REQUIRE_R=1 (CI) makes them fail. Bad designs get a Japanese
message saying what to fix, and the figures are then unweighted, never silently wrong.
"""

from __future__ import annotations

import csv
import math
import random
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from django.test import Client

from tests.surveys.rows import answer, make_survey
from tests.surveys.test_estimation_vs_r import require_r, run_r
from tsunagari.surveys import actions, estimation, weighting
from tsunagari.surveys.models import Invitation, Survey
from tsunagari.surveys.results import applied_design, results, sampling_errors, submitted
from tsunagari.tenancy.scoping import platform_scope

pytestmark = pytest.mark.django_db

# batch → (people in the stratum, PSUs in the stratum's population, {PSU: invitations})
STRATA: dict[str, tuple[int, int, dict[str, int]]] = {
    "北部": (12000, 30, {"北1丁目": 15, "北2丁目": 15, "北3丁目": 16, "北4丁目": 14}),
    "中部": (9000, 25, {"中1丁目": 12, "中2丁目": 13, "中3丁目": 12, "中4丁目": 12}),
    "南部": (15000, 40, {"南1丁目": 14, "南2丁目": 15, "南3丁目": 14, "南4丁目": 16, "南5丁目": 13}),
}
BATCHES = sorted(STRATA)  # the form's rows, in order
SEX_TOTALS = {"1": 17500, "2": 18500}
AGE_TOTALS = {"3": 11000, "5": 13000, "7": 12000}


def synthetic() -> list[dict[str, Any]]:
    """One row per invitation: batch, PSU, whether it was answered, and the answers."""
    rng = random.Random(20261204)
    rows = []
    for batch, (_people, _psus, psus) in STRATA.items():
        for k, (psu, count) in enumerate(psus.items()):
            rate = 0.3 + 0.1 * k + (0.1 if batch == "南部" else 0.0)
            shift = rng.random() * 2.2  # the PSU's own level of loneliness: clusters matter
            for _i in range(count):
                sex, age = rng.choice("12"), rng.choice("357")
                lonely = 1 + min(4, int(rng.random() * 2.6 + shift + (0.8 if age == "3" else 0)))
                responded = rng.random() < rate + (0.15 if age == "7" else 0)
                rows.append(
                    {
                        "batch": batch,
                        "psu": psu,
                        "responded": responded,
                        "answers": {"loneliness_direct": str(lonely), "sex": sex, "age_band": age},
                    }
                )
    return rows


@pytest.fixture
def survey(kamakura: Any, alice: Any) -> Survey:
    with platform_scope(kamakura, with_national=False):
        survey = make_survey(kamakura, alice, "direct", "demographics", min_cell=3)
        for row in synthetic():
            (invitation,) = actions.make_invitations(survey, 1, batch=row["batch"], psu=row["psu"], actor=alice)
            if row["responded"]:
                answer(survey, row["answers"], invitation=invitation)
        # Two open-link answers: no invitation, so outside any design resting on invitations.
        answer(survey, {"loneliness_direct": "5", "sex": "1", "age_band": "3"})
        answer(survey, {"loneliness_direct": "1", "sex": "2", "age_band": "7"})
    return survey


def design_data(design: str, nonresponse: bool = True, **extra: str) -> dict[str, str]:
    data = {"design": design} | ({"nonresponse_adjustment": "on"} if nonresponse else {})
    for i, batch in enumerate(BATCHES):
        people, psus, _found = STRATA[batch]
        data |= {f"people_{i}": str(people), f"psus_{i}": str(psus) if design == "two_stage" else "", f"class_{i}": ""}
    return data | extra


def save_design(client: Client, survey: Survey, data: dict[str, str]) -> Any:
    response = client.post(f"/kamakura/workspace/surveys/{survey.pk}/weighting/design/", data)
    with platform_scope(survey.platform, with_national=False):
        survey.refresh_from_db()
    return response


def engine_design(design: str, nonresponse: bool = True, clusters: bool = True) -> tuple[estimation.Design, list[str]]:
    """The same design built directly with the engine from the synthetic rows (no Django)."""
    rows = synthetic()
    invited = {b: sum(p.values()) for b, (_n, _k, p) in STRATA.items()}
    d = np.array([STRATA[r["batch"]][0] / invited[r["batch"]] for r in rows])
    responded = np.array([r["responded"] for r in rows])
    classes = np.array([r["batch"] for r in rows])
    weights = estimation.nonresponse_adjusted(d, responded, classes) if nonresponse else d[responded]
    kept = [r for r in rows if r["responded"]]
    two_stage = design == "two_stage"
    return (
        estimation.Design(
            weights=weights,
            strata=np.array([r["batch"] for r in kept]),
            stratum_population=np.array([float(STRATA[r["batch"]][1 if two_stage else 0]) for r in kept])
            if clusters or not two_stage
            else None,
            clusters=np.array([r["psu"] for r in kept]) if two_stage and clusters else None,
        ),
        [r["answers"]["loneliness_direct"] for r in kept],
    )


R_SCRIPT = r"""
suppressMessages(library(survey))
args <- commandArgs(trailingOnly = TRUE)
inv <- read.csv(args[1], colClasses = c("character", "character", "numeric", "numeric", "numeric",
                                        "character", "character", "character"), encoding = "UTF-8")
inv$d <- inv$N / ave(rep(1, nrow(inv)), inv$batch, FUN = sum)
inv$w <- inv$d * ave(inv$d, inv$batch, FUN = sum) / ave(inv$d * inv$responded, inv$batch, FUN = sum)
r <- inv[inv$responded == 1, ]
designs <- list(
  two_stage = svydesign(ids = ~psu, strata = ~batch, fpc = ~Npsu, weights = ~w, nest = TRUE, data = r),
  two_stage_unadjusted = svydesign(ids = ~psu, strata = ~batch, fpc = ~Npsu, weights = ~d, nest = TRUE, data = r),
  stratified = svydesign(ids = ~1, strata = ~batch, fpc = ~N, weights = ~w, data = r)
)
designs$two_stage_raked <- rake(designs$two_stage, list(~sex, ~age_band),
  list(data.frame(sex = c("1", "2"), Freq = c(17500, 18500)),
       data.frame(age_band = c("3", "5", "7"), Freq = c(11000, 13000, 12000))),
  control = list(maxit = 500, epsilon = 1e-13))
for (name in names(designs)) {
  des <- designs[[name]]
  for (code in sort(unique(r$lonely))) {
    m <- svymean(~hit, update(des, hit = as.numeric(r$lonely == code)))
    cat(name, code, sprintf("%.17g", c(coef(m), SE(m))), sep = "\t", "\n")
  }
}
"""


@pytest.fixture(scope="module")
def r_results(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str], tuple[float, float]]:
    require_r()
    folder: Path = tmp_path_factory.mktemp("sample_design")
    with open(folder / "invitations.csv", "w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["batch", "psu", "N", "Npsu", "responded", "lonely", "sex", "age_band"])
        for row in synthetic():
            people, psus, _found = STRATA[row["batch"]]
            a = row["answers"]
            writer.writerow(
                [
                    row["batch"],
                    row["psu"],
                    people,
                    psus,
                    int(row["responded"]),
                    a["loneliness_direct"],
                    a["sex"],
                    a["age_band"],
                ]
            )
    out = {}
    for line in run_r(R_SCRIPT, folder / "invitations.csv").splitlines():
        name, code, estimate, se = line.strip().split("\t")
        out[(name, code)] = (float(estimate), float(se))
    return out


def report_shares(survey: Survey) -> dict[str, estimation.Estimate]:
    """The workspace report's shares of the direct question for everyone, unrounded."""
    with platform_scope(survey.platform, with_national=False):
        found = results(survey, min_cell=3)
    (question,) = [r for r in found if r.name == "loneliness_direct"]
    return {str(row.category): row.estimate for row in question.rows if row.domain is None}


def assert_same(ours: dict[str, estimation.Estimate], theirs: dict[str, tuple[float, float]]) -> None:
    assert set(ours) == set(theirs) and len(ours) >= 4
    for code, (estimate, se) in theirs.items():
        assert math.isclose(ours[code].estimate, estimate, rel_tol=1e-6), (code, ours[code].estimate, estimate)
        assert math.isclose(ours[code].se, se, rel_tol=1e-6), (code, ours[code].se, se)


@pytest.mark.parametrize(
    ("design", "nonresponse", "r_name"),
    [
        ("two_stage", True, "two_stage"),
        ("two_stage", False, "two_stage_unadjusted"),
        ("stratified", True, "stratified"),
    ],
)
def test_the_workspace_design_gives_the_engines_and_rs_figures(
    client: Client,
    survey: Survey,
    alice: Any,
    design: str,
    nonresponse: bool,
    r_name: str,
    r_results: dict[tuple[str, str], tuple[float, float]],
) -> None:
    client.force_login(alice)
    assert save_design(client, survey, design_data(design, nonresponse)).status_code == 302
    ours = report_shares(survey)
    engine, values = engine_design(design, nonresponse)
    by_engine = {str(e.category): e for e in estimation.distribution(engine, values, "loneliness_direct")}
    for code, e in by_engine.items():
        assert ours[code].n == e.n, weighting_problem(survey)
        assert math.isclose(ours[code].estimate, e.estimate, rel_tol=1e-12)
        assert math.isclose(ours[code].se, e.se, rel_tol=1e-12)
    assert_same(ours, {code: r_results[(r_name, code)] for code in by_engine})
    with platform_scope(survey.platform, with_national=False):
        applied = applied_design(survey, submitted(survey))
    assert applied.problem == "" and applied.without_invitation == 2
    assert applied.clustered == (design == "two_stage")
    assert ("非回答調整：" in applied.description) == nonresponse
    assert ("非回答調整なし" in applied.description) != nonresponse


def test_raking_after_the_nonresponse_adjustment_is_rs(
    client: Client, survey: Survey, alice: Any, r_results: dict[tuple[str, str], tuple[float, float]]
) -> None:
    client.force_login(alice)
    assert save_design(client, survey, design_data("two_stage")).status_code == 302
    # Cell figures whose margins are SEX_TOTALS and AGE_TOTALS; raking uses only the margins.
    cells = {
        ("1", "3", ""): 5300,
        ("1", "5", ""): 6400,
        ("1", "7", ""): 5800,
        ("2", "3", ""): 5700,
        ("2", "5", ""): 6600,
        ("2", "7", ""): 6200,
    }
    assert {s: sum(v for (x, _a, _r), v in cells.items() if x == s) for s in SEX_TOTALS} == SEX_TOTALS
    assert {a: sum(v for (_s, x, _r), v in cells.items() if x == a) for a in AGE_TOTALS} == AGE_TOTALS
    with platform_scope(survey.platform, with_national=False):
        actions.set_weighting(survey, "raked", cells, actor=alice)
    assert weighting_problem(survey) == ""
    ours = report_shares(survey)
    assert_same(ours, {code: r_results[("two_stage_raked", code)] for code in ours})


def test_the_figures_change_when_the_adjustment_or_the_clusters_are_dropped() -> None:
    """The synthetic data tells the designs apart, so the comparisons above would catch a dropped step."""
    values = engine_design("two_stage")[1]

    def first(design: estimation.Design) -> estimation.Estimate:
        return estimation.distribution(design, values, "q")[0]

    full = first(engine_design("two_stage")[0])
    unadjusted = first(engine_design("two_stage", nonresponse=False)[0])
    unclustered = first(engine_design("two_stage", clusters=False)[0])
    assert abs(full.estimate - unadjusted.estimate) > 1e-3
    assert full.se > 1.2 * unclustered.se


def test_the_sampling_error_table_uses_the_clustered_designs_effect(client: Client, survey: Survey, alice: Any) -> None:
    client.force_login(alice)
    assert save_design(client, survey, design_data("two_stage")).status_code == 302
    shares = report_shares(survey)
    with platform_scope(survey.platform, with_national=False):
        table = sampling_errors(survey, min_cell=3)
    assert table is not None and table.clustered
    # The mean over the direct question's and the demographics' shares of SE² / (fpc · p(1 − p)/n).
    n, population = table.rows[0].n, table.population
    assert population == sum(people for people, _k, _p in STRATA.values())
    ratios = [
        e.se**2 / ((population - e.n) / (population - 1) * e.estimate * (1 - e.estimate) / e.n) for e in shares.values()
    ]
    assert table.design_effect > 1.2 and max(ratios) > 1.2
    page = client.get(f"/kamakura/workspace/surveys/{survey.pk}/report/").content.decode()
    assert "二段" in page and "集落" in page and f"{n:,}" in page
    assert "招待なしで回答した 2 人" in page


def test_a_class_without_responses_is_named_and_can_be_merged(client: Client, survey: Survey, alice: Any) -> None:
    client.force_login(alice)
    with platform_scope(survey.platform, with_national=False):
        actions.make_invitations(survey, 6, batch="追加発送", psu="北5丁目", actor=alice)
    batches = sorted([*STRATA, "追加発送"])
    extra = batches.index("追加発送")
    data = design_data("stratified") | {f"people_{extra}": "500"}
    for i, batch in enumerate(batches):  # the form's rows shift with the new batch
        if batch in STRATA:
            data[f"people_{i}"] = str(STRATA[batch][0])
    assert save_design(client, survey, data).status_code == 302
    page = client.get(f"/kamakura/workspace/surveys/{survey.pk}/weighting/").content.decode()
    assert "非回答調整の重み付けクラス「追加発送」は招待 6 件に回答がありません" in page
    assert "統合" in page
    with platform_scope(survey.platform, with_national=False):
        assert applied_design(survey, submitted(survey)).design is not None  # unweighted, with the reason
    assert save_design(client, survey, data | {f"class_{extra}": "北部"}).status_code == 302
    with platform_scope(survey.platform, with_national=False):
        applied = applied_design(survey, submitted(survey))
        assert applied.problem == ""
        # 北部 and 追加発送 are one class: their respondents carry all their invitations' weight.
        rows = {r.pk: r for r in submitted(survey)}
        north = [
            w
            for w, i in zip(applied.design.weights, applied.rows, strict=True)  # type: ignore[union-attr]
            if list(rows.values())[i].invitation.batch == "北部"  # type: ignore[union-attr]
        ]
    invited_north = sum(STRATA["北部"][2].values())
    d_north, d_extra = STRATA["北部"][0] / invited_north, 500 / 6
    assert math.isclose(sum(north), d_north * invited_north + d_extra * 6, rel_tol=1e-12)


def test_bad_designs_get_japanese_messages(client: Client, survey: Survey, alice: Any) -> None:
    client.force_login(alice)
    # The form: a stratified design without a stratum's population, a class that is not a batch.
    missing = save_design(client, survey, design_data("stratified") | {"people_0": "", "class_1": "西部"})
    assert missing.status_code == 400
    text = missing.content.decode()
    assert (
        f"層「{BATCHES[0]}」：招待 {sum(STRATA[BATCHES[0]][2].values())} 件を抽出した人数（層の母集団）を入力してください"
        in text
    )
    assert "「西部」はバッチではありません" in text
    too_few = save_design(client, survey, design_data("two_stage") | {"psus_0": "2"})
    assert too_few.status_code == 400 and "PSU の数はそれより少なくできません" in too_few.content.decode()
    # The data: invitations without a PSU in a two-stage design, a stratum answered from one PSU.
    with platform_scope(survey.platform, with_national=False):
        actions.make_invitations(survey, 3, batch="北部", actor=alice)
    assert save_design(client, survey, design_data("two_stage")).status_code == 302
    page = client.get(f"/kamakura/workspace/surveys/{survey.pk}/weighting/").content.decode()
    assert "バッチ「北部」には PSU のない招待が 3 件あります" in page
    with platform_scope(survey.platform, with_national=False):
        Invitation.objects.filter(survey=survey, psu="").delete()
        Invitation.objects.filter(survey=survey, batch="中部").exclude(psu="中1丁目").filter(responses=None).delete()
        for response in submitted(survey):
            if response.invitation and response.invitation.batch == "中部" and response.invitation.psu != "中1丁目":
                response.delete()
                response.invitation.delete()
        applied = applied_design(survey, submitted(survey))
    assert "層「中部」の回答は 1 つの PSU からだけ" in applied.problem
    assert applied.method == "none" and not applied.clustered


def test_without_invitations_the_design_cannot_be_chosen(client: Client, kamakura: Any, alice: Any) -> None:
    with platform_scope(kamakura, with_national=False):
        survey = make_survey(kamakura, alice, "direct", "demographics")
    client.force_login(alice)
    response = save_design(client, survey, {"design": "two_stage", "nonresponse_adjustment": "on"})
    assert response.status_code == 400
    assert "招待状を先に作ってください" in response.content.decode()
    with platform_scope(kamakura, with_national=False):
        survey.refresh_from_db()
        assert survey.sample_design == "srs" and not survey.nonresponse_adjustment
        assert weighting.uses_invitations(survey) is False


def weighting_problem(survey: Survey) -> str:
    with platform_scope(survey.platform, with_national=False):
        return applied_design(survey, submitted(survey)).problem
