"""Results as published: small cells withheld, free text never shown, exports that name no one."""

from __future__ import annotations

import csv
import io
import json
import math
import random
from collections import defaultdict
from dataclasses import replace
from typing import Any

import numpy as np
import openpyxl
import pytest
from django.test import Client

from tests.surveys.rows import answer, make_survey
from tsunagari.surveys import actions, estimation, report
from tsunagari.surveys.models import Survey
from tsunagari.surveys.results import Result, Row, headline, protect, results, table_rows
from tsunagari.tenancy.scoping import platform_scope

pytestmark = pytest.mark.django_db

SECRET = "隣の山田さんが心配です"


@pytest.fixture
def survey(kamakura: Any, alice: Any) -> Survey:
    """60 answers: direct loneliness 1×20, 2×15, 3×12, 4×10, 5×3 (a small cell); UCLA; a free-text note."""
    with platform_scope(kamakura, with_national=False):
        survey = make_survey(kamakura, alice, "direct", "ucla3", "demographics", population=20000)
        invitations = actions.make_invitations(survey, 60, batch="", actor=alice)
        codes = ["1"] * 20 + ["2"] * 15 + ["3"] * 12 + ["4"] * 10 + ["5"] * 3
        for i, (code, invitation) in enumerate(zip(codes, invitations, strict=True)):
            ucla = str(1 + i % 4)
            answers = {
                "loneliness_direct": code,
                "ucla_companionship": ucla,
                "ucla_left_out": ucla,
                "ucla_isolated": "4" if i % 4 == 3 else ucla,
                "age_band": "1" if i < 5 else str(2 + i % 3),
            }
            answer(survey, answers, invitation=invitation, mode="paper" if i % 2 else "web")
    return survey


def direct_rows(survey: Survey, by: str | None = None) -> dict[tuple[str | None, str | None], Any]:
    with platform_scope(survey.platform, with_national=False):
        found = {r.name: r for r in results(survey, by=by)}
    return {(row.domain, row.category): row for row in found["loneliness_direct"].rows}


def test_a_small_cell_is_withheld_and_so_is_the_next_smallest(survey: Survey) -> None:
    rows = direct_rows(survey)
    assert rows[(None, "5")].suppressed  # 3 respondents < 10
    # Alone, the 3 could be recovered as 100% minus the others: the next smallest (10) goes too.
    assert rows[(None, "4")].suppressed
    assert not rows[(None, "1")].suppressed
    assert math.isclose(rows[(None, "1")].estimate.estimate, 20 / 60)
    lo, hi = rows[(None, "1")].estimate.ci95
    assert lo < 20 / 60 < hi


def test_a_small_domain_is_withheld_entirely(survey: Survey) -> None:
    rows = direct_rows(survey, by="age_band")
    teens = [row for (domain, _c), row in rows.items() if domain == "16～19歳"]
    assert teens and all(row.suppressed and row.published_n(10) is None for row in teens)  # 5 respondents


def test_a_small_domain_is_not_left_alone_for_subtraction_to_find(survey: Survey) -> None:
    # Everyone 60; 16–19: 5, 20–29: 18, 30–39: 18, 40–49: 19. With only the teens withheld, 60 − 18 − 18 − 19
    # would give their 5, and their shares × 5 their answers: the next smallest domain (20–29) goes too.
    rows = direct_rows(survey, by="age_band")
    by_domain: dict[str | None, list[Any]] = defaultdict(list)
    for (domain, _c), row in rows.items():
        by_domain[domain].append(row)
    assert {d: {r.published_n(10) for r in rs} for d, rs in by_domain.items()} == {
        None: {60},
        "16～19歳": {None},
        "20～29歳": {None},
        "30～39歳": {18},
        "40～49歳": {19},
    }
    assert all(row.suppressed for row in by_domain["20～29歳"])
    assert not by_domain[None][0].suppressed  # everyone's figures stay


def withheld_alone(published: list[dict[str, Any]]) -> list[str]:
    """The questions where, as published, exactly one domain's n is missing beside everyone's: found by subtraction."""
    sizes: dict[str, dict[str | None, set[Any]]] = defaultdict(lambda: defaultdict(set))
    for row in published:
        sizes[row["question"]][row["domain"]].add(row["n"])
    found = []
    for question, domains in sizes.items():
        assert all(len(ns) == 1 for ns in domains.values()), (question, domains)  # one n per domain
        everyone = domains.get(None, {None})
        if None not in everyone and sum(ns == {None} for d, ns in domains.items() if d is not None) == 1:
            found.append(question)
    return found


@pytest.mark.parametrize("seed", range(4))
def test_no_breakdown_lets_a_withheld_domains_size_be_recovered(seed: int) -> None:
    """Random breakdowns, weighted, of every kind of result: a withheld domain is never the only one."""
    rng = random.Random(seed)
    for _ in range(120):
        size = rng.randint(12, 90)
        min_cell = rng.choice([3, 5, 10])
        labels = [f"d{i}" for i in range(rng.randint(1, 6))]
        shares = [rng.choice([0.03, 0.08, 0.15, 0.4, 1.0]) for _label in labels]
        domains = [None if rng.random() < 0.05 else rng.choices(labels, shares)[0] for _i in range(size)]
        design = estimation.Design(weights=np.array([rng.uniform(0.5, 3.0) for _i in range(size)]))
        values = [rng.choice(["1", "2", "3", "3", None]) for _i in range(size)]
        if len({v for v in values if v is not None}) < 2:
            continue
        flags = [None if v is None else ("1" if v == "1" else "0") for v in values]
        numbers = [None if v is None else float(v) for v in values]
        kinds = {
            "share": [
                Row(e.category, e.category or "", e.domain, e)
                for e in estimation.distribution(design, values, "q", by=domains)
            ],
            "multiple": [
                Row("1", "yes", e.domain, replace(e, category="1"))
                for e in estimation.share(design, flags, ["1"], "q", by=domains)
            ],
            "mean": [Row(None, "mean", e.domain, e) for e in estimation.mean(design, numbers, "q", by=domains)],
        }
        for kind, rows in kinds.items():
            result = Result("q", "q", kind, protect(rows, kind, min_cell))
            published = table_rows([result], min_cell)
            case = (seed, kind, min_cell, [domains.count(label) for label in labels])
            assert withheld_alone(published) == [], case
            true_n = {r.domain: r.estimate.n for r in rows}
            hidden = {
                r["domain"] for r in published if r["domain"] is not None and r["n"] is None and true_n[r["domain"]] > 0
            }
            if true_n[None] >= min_cell and any(r["n"] is not None for r in published if r["domain"] is not None):
                # One with respondents beside withheld domains of none: the zeros would not hide it. (With
                # every domain withheld, the breakdown shows no more than everyone's figure.)
                assert len(hidden) != 1, case
            for row in published:
                if 0 < true_n[row["domain"]] < min_cell:
                    assert row["n"] is None and row["estimate"] is None, case  # every small domain, everything
                if row["domain"] in hidden:
                    assert row["estimate"] is None and row["suppressed"], case
            n_published = {r["domain"]: r["n"] for r in published}
            for domain in result.domains():  # the HTML and PDF tables show the open data's n, or —
                expected = report.WITHHELD if n_published[domain] is None else str(n_published[domain])
                assert {line["n"] for line in report.lines(result, domain, min_cell)} == {expected}, case
                assert report._n([r for r in result.rows if r.domain == domain], min_cell) == expected, case


def test_the_threshold_is_the_surveys_own(survey: Survey, alice: Any) -> None:
    with platform_scope(survey.platform, with_national=False):
        actions.change_survey(survey, actor=alice, min_cell=3)
    rows = direct_rows(survey)
    assert not rows[(None, "5")].suppressed and not rows[(None, "4")].suppressed


def test_ucla_scores_are_reported_in_bands(survey: Survey) -> None:
    with platform_scope(survey.platform, with_national=False):
        found = {r.name: r for r in results(survey)}
    bands = {row.category: row for row in found["ucla3_band"].rows}
    assert set(bands) == {"10～12点（常にある）", "7～9点（時々ある）", "4～6点（ほとんどない）", "3点（決してない）"}
    assert found["ucla3_score"].rows[0].estimate.n == 60


def test_headline_figures_for_the_programme_report(survey: Survey) -> None:
    with platform_scope(survey.platform, with_national=False):
        figures = {h.key: h for h in headline(survey)}
    assert figures["responses"].n == 60
    lonely = figures["loneliness_direct"]  # 3, 4 or 5: 25 of 60
    assert math.isclose(lonely.estimate or 0, 25 / 60)
    assert lonely.ci95 is not None and lonely.ci95[0] < 25 / 60 < lonely.ci95[1]
    assert "ucla3_band" in figures


def test_free_text_is_never_in_reports_or_open_data(client: Client, kamakura: Any, alice: Any) -> None:
    with platform_scope(kamakura, with_national=False):
        survey = make_survey(kamakura, alice, "minsei")
        for i in range(12):
            answer(survey, {"person_age": str(1 + i % 3), "person_sex": "1", "situation_note": f"{SECRET}{i}"})
    client.force_login(alice)
    base = f"/kamakura/workspace/surveys/{survey.pk}/"
    for path in ("report/", "results.csv", "results.json", "report.xlsx", "answers.csv"):
        response = client.get(base + path)
        assert response.status_code == 200, path
        assert SECRET not in response.content.decode("utf-8", errors="replace"), path
        assert "situation_note" not in response.content.decode("utf-8", errors="replace"), path
    workbook = openpyxl.load_workbook(io.BytesIO(client.get(base + "report.xlsx").content))
    cells = [str(c.value) for row in workbook.active.iter_rows() for c in row if c.value is not None]
    assert not any(SECRET in c for c in cells)


def test_open_data_leaves_withheld_cells_empty(client: Client, survey: Survey, alice: Any) -> None:
    client.force_login(alice)
    data = json.loads(client.get(f"/kamakura/workspace/surveys/{survey.pk}/results.json").content)
    assert data["min_cell"] == 10
    rows = {(r["question"], r["category"]): r for r in data["results"] if r["domain"] is None}
    assert (
        rows["loneliness_direct", "5"] | {"estimate": None, "se": None, "ci95_low": None}
        == rows["loneliness_direct", "5"]
    )
    assert rows["loneliness_direct", "5"]["suppressed"] is True
    assert rows["loneliness_direct", "1"]["estimate"] == pytest.approx(20 / 60, abs=1e-6)
    text = client.get(f"/kamakura/workspace/surveys/{survey.pk}/results.csv?by=age_band").content.decode("utf-8-sig")
    parsed = list(csv.DictReader(io.StringIO(text)))
    teens = [r for r in parsed if r["domain"] == "16～19歳"]
    assert teens and all(r["estimate"] == "" and r["n"] == "" for r in teens)  # not even the domain's size


def test_the_anonymised_answers_carry_no_code_time_or_order(client: Client, survey: Survey, alice: Any) -> None:
    client.force_login(alice)
    text = client.get(f"/kamakura/workspace/surveys/{survey.pk}/answers.csv").content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    header, body = rows[0], rows[1:]
    assert header[:2] == ["loneliness_direct", "ucla_companionship"] and header[-1] == "mode"
    assert len(body) == 60
    with platform_scope(survey.platform, with_national=False):
        tokens = set(survey.invitations.values_list("token", flat=True))
    assert not any(cell in tokens for row in body for cell in row)
    assert "token" not in header and "submitted_at" not in header
    # Shuffled: the order of entry (which could be matched with a mailing list) is gone.
    orders = {
        tuple(
            row[0]
            for row in csv.reader(
                io.StringIO(
                    client.get(f"/kamakura/workspace/surveys/{survey.pk}/answers.csv").content.decode("utf-8-sig")
                )
            )
        )[1:]
        for _i in range(3)
    }
    assert len(orders) > 1


def test_the_pdf_embeds_a_japanese_font(client: Client, survey: Survey, alice: Any) -> None:
    client.force_login(alice)
    response = client.get(f"/kamakura/workspace/surveys/{survey.pk}/report.pdf")
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")
    assert b"IPAexGothic" in response.content or b"ipaexg" in response.content.lower()
    assert b"/FontFile2" in response.content  # the TrueType font itself is inside


def test_the_html_report_draws_charts_and_hides_small_cells(client: Client, survey: Survey, alice: Any) -> None:
    client.force_login(alice)
    body = client.get(f"/kamakura/workspace/surveys/{survey.pk}/report/").content.decode()
    assert body.count('<svg class="survey-chart"') >= 3
    assert "33.3%" in body  # 20 of 60 never lonely
    assert ">5.0%<" not in body and "16.7%" not in body  # 3 of 60 withheld, and 10 of 60 with it


def test_every_published_form_withholds_a_second_domain(client: Client, survey: Survey, alice: Any) -> None:
    """The HTML report, the open data (CSV, JSON) and the Excel workbook by age band: no domain alone withheld."""
    client.force_login(alice)
    base = f"/kamakura/workspace/surveys/{survey.pk}/"
    response = client.get(base + "report/?by=age_band")
    html = [
        {"question": result.name, "domain": domain, "n": None if line["n"] == report.WITHHELD else int(line["n"])}
        for result, charts in response.context["charts"]
        for domain, _chart, lines in charts
        for line in lines
    ]
    data = json.loads(client.get(base + "results.json?by=age_band").content)["results"]
    text = client.get(base + "results.csv?by=age_band").content.decode("utf-8-sig")
    csv_rows = [
        r | {"n": int(r["n"]) if r["n"] else None, "domain": r["domain"] or None}
        for r in csv.DictReader(io.StringIO(text))
    ]
    sheet = openpyxl.load_workbook(io.BytesIO(client.get(base + "report.xlsx?by=age_band").content)).active
    assert sheet is not None
    table = list(sheet.iter_rows(min_row=4, values_only=True))
    xlsx_rows = [dict(zip(table[0], row, strict=True)) for row in table[1:]]
    for name, published in (("html", html), ("json", data), ("csv", csv_rows), ("xlsx", xlsx_rows)):
        assert len(published) > 20, name
        assert withheld_alone(published) == [], name
        direct = {r["domain"]: r["n"] for r in published if r["question"] == "loneliness_direct"}
        assert direct == {None: 60, "16～19歳": None, "20～29歳": None, "30～39歳": 18, "40～49歳": 19}, name
