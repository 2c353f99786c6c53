"""Weights in the workspace: the population by sex × age band, entered or imported, and the report's
numbers equal to the engine's (estimation.py, itself checked against R in test_estimation_vs_r.py)."""

from __future__ import annotations

import json
import random
from typing import Any

import numpy as np
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tests.surveys.rows import answer, make_survey
from tsunagari.audit.models import AuditEvent
from tsunagari.surveys import estimation
from tsunagari.surveys.models import PopulationCell, Survey
from tsunagari.tenancy.scoping import platform_scope

pytestmark = pytest.mark.django_db

SEXES = ("1", "2")
AGES = ("2", "3", "4", "5", "6", "7")
# A fictional register: (sex, age band) → people.
POPULATION = {
    (s, a): 4000 + 300 * int(a) + (700 if s == "2" else 0) - (900 if a == "2" else 0) for s in SEXES for a in AGES
}


@pytest.fixture
def survey(kamakura: Any, alice: Any) -> Survey:
    """150 answers, older women over-represented (as in a mailed survey); 6 answer sex 「その他」."""
    rng = random.Random(7)
    with platform_scope(kamakura, with_national=False):
        survey = make_survey(kamakura, alice, "direct", "demographics")
        for i in range(150):
            age = AGES[min(5, int(rng.random() ** 0.6 * 6))]
            sex = "3" if i % 25 == 0 else ("2" if rng.random() < 0.6 else "1")
            lonely = 1 + min(4, int(rng.random() * (3.5 if int(age) < 4 else 2.6) + rng.random()))
            answer(survey, {"loneliness_direct": str(lonely), "age_band": age, "sex": sex})
    return survey


def form_data(method: str, population: dict[tuple[str, str], int] = POPULATION) -> dict[str, str]:
    data = {"method": method}
    data.update({f"pop_{s}_{a}": str(v) for (s, a), v in population.items()})
    return data


def engine(survey: Survey, method: str) -> dict[str, estimation.Estimate]:
    """The direct question's distribution straight from estimation.py, for the same design."""
    with platform_scope(survey.platform, with_national=False):
        answers = [r.answers for r in survey.responses.order_by("pk")]
    kept = [a for a in answers if (a["sex"], a["age_band"]) in POPULATION]
    cells = np.array([f"{a['sex']}|{a['age_band']}" for a in kept])
    values = [a["loneliness_direct"] for a in kept]
    n, total = len(kept), float(sum(POPULATION.values()))
    by_cell = {f"{s}|{a}": float(v) for (s, a), v in POPULATION.items()}
    base = estimation.Design(estimation.srs_weights(n, total), stratum_population=np.full(n, total))
    if method == "stratified":
        design = estimation.Design(
            estimation.stratified_weights(cells, by_cell),
            strata=cells,
            stratum_population=np.array([by_cell[c] for c in cells]),
        )
    elif method == "poststratified":
        design = estimation.poststratified(base, cells, by_cell)
    else:
        sex_totals = {s: float(sum(v for (x, _a), v in POPULATION.items() if x == s)) for s in SEXES}
        age_totals = {a: float(sum(v for (_s, x), v in POPULATION.items() if x == a)) for a in AGES}
        design = estimation.raked(
            base,
            {
                "sex": (np.array([a["sex"] for a in kept]), sex_totals),
                "age_band": (np.array([a["age_band"] for a in kept]), age_totals),
            },
        )
    return {e.category or "": e for e in estimation.distribution(design, values, "loneliness_direct")}


@pytest.mark.parametrize("method", ["stratified", "poststratified", "raked"])
def test_the_reports_weighted_numbers_are_the_engines(client: Client, survey: Survey, alice: Any, method: str) -> None:
    client.force_login(alice)
    base = f"/kamakura/workspace/surveys/{survey.pk}/"
    response = client.post(base + "weighting/", form_data(method))
    assert response.status_code == 302
    data = json.loads(client.get(base + "results.json").content)
    assert data["weighting"]["method"] == method
    assert data["weighting"]["excluded_respondents"] == 6  # sex 「その他」: no register figure
    assert data["weighting"]["problem"] is None
    expected = engine(survey, method)
    published = [r for r in data["results"] if r["question"] == "loneliness_direct" and r["domain"] is None]
    assert {r["category"] for r in published} == set(expected)
    shown = [r for r in published if not r["suppressed"]]
    assert len(shown) >= 3
    for row in shown:
        e = expected[row["category"]]
        assert row["n"] == e.n == 144
        assert row["estimate"] == pytest.approx(e.estimate, abs=1e-6)
        assert row["se"] == pytest.approx(e.se, abs=1e-6)
        assert [row["ci95_low"], row["ci95_high"]] == pytest.approx(list(e.ci95), abs=1e-6)
    # The weights matter here (the sample leans old and female): the estimates are not the raw shares.
    with platform_scope(survey.platform, with_national=False):
        codes = [r.answers["loneliness_direct"] for r in survey.responses.all()]
    raw = {c: codes.count(c) / len(codes) for c in expected}
    assert any(abs(expected[c].estimate - raw[c]) > 1e-3 for c in expected)
    page = client.get(base + "report/").content.decode()
    assert "重み付けなし" not in page
    assert {"stratified": "層化抽出", "poststratified": "事後層化", "raked": "レイキング"}[method] in page
    assert "重み付きの推定から除いています" in page


def test_unweighted_is_the_default_and_the_report_says_so(client: Client, survey: Survey, alice: Any) -> None:
    assert survey.weighting == "none"
    client.force_login(alice)
    base = f"/kamakura/workspace/surveys/{survey.pk}/"
    page = client.get(base + "report/").content.decode()
    assert "重み付けなし：回答者はすべて同じ重みです（単純集計）。" in page
    data = json.loads(client.get(base + "results.json").content)
    assert data["weighting"] == {
        "method": "none",
        "description": "重み付けなし：回答者はすべて同じ重みです（単純集計）。",
        "excluded_respondents": 0,
        "respondents_without_invitation": 0,
        "sample_design": "srs",
        "nonresponse_adjustment": False,
        "problem": None,
    }
    # Figures entered but "none" chosen: still unweighted, every respondent counted.
    client.post(base + "weighting/", form_data("none"))
    data = json.loads(client.get(base + "results.json").content)
    assert data["weighting"]["method"] == "none"
    row = next(r for r in data["results"] if r["question"] == "loneliness_direct" and r["domain"] is None)
    assert row["n"] == 150


def test_a_weighting_that_cannot_apply_falls_back_to_unweighted_and_says_why(
    client: Client, survey: Survey, alice: Any
) -> None:
    client.force_login(alice)
    base = f"/kamakura/workspace/surveys/{survey.pk}/"
    population = POPULATION | {("1", "8"): 3000}  # 80歳以上: a figure but nobody answered
    client.post(base + "weighting/", form_data("poststratified", population))
    data = json.loads(client.get(base + "results.json").content)
    assert data["weighting"]["method"] == "none"
    assert data["weighting"]["problem"] == (
        "「男性・80歳以上」は人口の数値があるのに回答者がいません。レイキングを選ぶか、区分をまとめてください。"
    )
    page = client.get(base + "report/").content.decode()
    assert "選んだ重み付けを適用できませんでした" in page and "以下は重み付けなしの集計です" in page


def test_the_form_saves_the_figures_and_audits_the_change(client: Client, survey: Survey, alice: Any) -> None:
    client.force_login(alice)
    base = f"/kamakura/workspace/surveys/{survey.pk}/"
    page = client.get(base + "weighting/").content.decode()
    assert "男性" in page and "80歳以上" in page and 'name="pop_2_8"' in page
    assert client.post(base + "weighting/", form_data("raked")).status_code == 302
    with platform_scope(survey.platform, with_national=False):
        saved = {(c.sex, c.age_band): c.population for c in PopulationCell.objects.filter(survey=survey)}
        assert AuditEvent.objects.filter(action="survey.weighting_changed").count() == 1
    assert saved == POPULATION
    survey.refresh_from_db()
    assert survey.weighting == "raked"
    # A method without any figure is refused.
    response = client.post(base + "weighting/", {"method": "raked", "pop_1_2": "", "pop_2_2": "0"})
    assert response.status_code == 400
    assert "少なくとも1つの区分の人口を入力してください" in response.content.decode()


def test_a_csv_with_japanese_headings_replaces_the_figures(client: Client, survey: Survey, alice: Any) -> None:
    client.force_login(alice)
    base = f"/kamakura/workspace/surveys/{survey.pk}/"
    client.post(base + "weighting/", form_data("poststratified"))
    # Shift_JIS as Excel saves it; a thousands separator; a code instead of a label.
    text = '性別,年齢階級,人口\n男性,20～29歳,"5,100"\n女性,20～29歳,4900\n1,30～39歳,6000\n'
    upload = SimpleUploadedFile("人口.csv", text.encode("cp932"))
    response = client.post(base + "weighting/import/", {"file": upload})
    assert response.status_code == 302
    with platform_scope(survey.platform, with_national=False):
        saved = {(c.sex, c.age_band): c.population for c in PopulationCell.objects.filter(survey=survey)}
    assert saved == {("1", "2"): 5100, ("2", "2"): 4900, ("1", "3"): 6000}
    survey.refresh_from_db()
    assert survey.weighting == "poststratified"  # the method stays as chosen


def test_a_file_with_any_wrong_row_changes_nothing_and_names_each_problem(
    client: Client, survey: Survey, alice: Any
) -> None:
    client.force_login(alice)
    base = f"/kamakura/workspace/surveys/{survey.pk}/"
    client.post(base + "weighting/", form_data("poststratified"))
    text = (
        "性別,年齢階級,人口\n"
        "男性,20～29歳,5100\n"  # right
        "男,30～39歳,abc\n"
        "女性,99歳,4000\n"
        "男性,20～29歳,5200\n"
    )
    response = client.post(base + "weighting/import/", {"file": SimpleUploadedFile("人口.csv", text.encode())})
    assert response.status_code == 400
    page = response.content.decode()
    assert "何も取り込んでいません。次の行を直して、もう一度取り込んでください" in page
    for message in (
        "3行目、列「性別」：「男」は選択肢にありません（男性、女性、その他・回答しない）。",
        "3行目、列「人口」：「abc」は人数（0以上の整数）ではありません。",
        "4行目、列「年齢階級」：「99歳」は選択肢にありません",
        "5行目：2行目と同じ性別・年齢階級です。",
    ):
        assert message in page, message
    with platform_scope(survey.platform, with_national=False):
        saved = {(c.sex, c.age_band): c.population for c in PopulationCell.objects.filter(survey=survey)}
    assert saved == POPULATION  # all or nothing: the right row was not saved either
    missing = SimpleUploadedFile("人口.csv", "性別,年代\n男性,20～29歳\n".encode())
    page = client.post(base + "weighting/import/", {"file": missing}).content.decode()
    assert "1行目に列名「性別」「年齢階級」「人口」が必要です。ない列：人口。" in page


def test_a_survey_without_sex_and_age_questions_explains_what_weights_need(
    client: Client, kamakura: Any, alice: Any
) -> None:
    with platform_scope(kamakura, with_national=False):
        survey = make_survey(kamakura, alice, "direct")
    client.force_login(alice)
    page = client.get(f"/kamakura/workspace/surveys/{survey.pk}/weighting/").content.decode()
    assert "重み付けには性別と年齢階級の設問が必要です" in page
    assert 'name="method"' not in page
