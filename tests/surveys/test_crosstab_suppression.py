"""Secondary suppression in cross-tabs: no withheld cell is found again by subtracting the figures shown.

The attacker below is what a reader with a spreadsheet does: counts are share × n (everyone weighs the
same here, so they are exact), a column sums to its n, a row's domains to everyone's count, the
domains' n to everyone's n; whatever is alone unknown in a line is the line's total minus the rest,
repeated until nothing more is found.
"""

from __future__ import annotations

import csv
import io
import json
import random
from dataclasses import replace
from typing import Any

import numpy as np
import openpyxl
import pytest
from django.test import Client

from tests.surveys.rows import answer, make_survey
from tsunagari.surveys import actions, estimation, report
from tsunagari.surveys.models import Survey
from tsunagari.surveys.results import Result, Row, protect, table_rows
from tsunagari.tenancy.scoping import platform_scope

pytestmark = pytest.mark.django_db

Cell = tuple[str, Any]  # (answer code, domain label or None for everyone)


def subtract(published: list[dict[str, Any]], kind: str = "share") -> dict[Cell, int]:
    """The attacker: every count of one question's cross-tab that the published rows give away, withheld or not."""
    n: dict[Any, int] = {}
    count: dict[Cell, int] = {}
    codes: list[str] = []
    domains: list[Any] = []
    for row in published:
        code, domain = str(row["category"]), row["domain"] or None
        codes += [code] if code not in codes else []
        domains += [domain] if domain not in domains else []
        if row["n"] not in (None, ""):
            n[domain] = int(row["n"])
        if row["estimate"] not in (None, "") and row["n"] not in (None, ""):
            count[(code, domain)] = round(float(row["estimate"]) * int(row["n"]))
            if kind != "share":  # a yes/no share: "no" is n − yes
                count[("no", domain)] = int(row["n"]) - count[(code, domain)]
    if kind != "share":
        codes.append("no")
    parts = [d for d in domains if d is not None]
    found = True
    while found:
        found = False
        for domain in domains:  # down a column: its n minus the cells shown
            unknown = [c for c in codes if (c, domain) not in count]
            if domain in n and len(unknown) == 1:
                count[(unknown[0], domain)] = n[domain] - sum(count[(c, domain)] for c in codes if c != unknown[0])
                found = True
        for code in codes:  # along a row: everyone's count minus the domains shown
            unknown = [d for d in [None, *parts] if (code, d) not in count]
            if len(unknown) == 1:
                others = sum(count[(code, d)] for d in parts if d != unknown[0])
                total = count[(code, None)] if unknown[0] is not None else 0
                count[(code, unknown[0])] = total - others if unknown[0] is not None else others
                found = True
        unknown_n = [d for d in [None, *parts] if d not in n]
        if len(unknown_n) == 1 and unknown_n[0] is not None:
            n[unknown_n[0]] = n[None] - sum(n[d] for d in parts if d != unknown_n[0])
            found = True
    return count


def withheld(published: list[dict[str, Any]]) -> set[Cell]:
    return {(str(r["category"]), r["domain"] or None) for r in published if r["estimate"] in (None, "")}


@pytest.fixture
def survey(kamakura: Any, alice: Any) -> Survey:
    """122 answers by age band: 20–29 has 3 answering 5 (withheld) beside 30–39's 12 and everyone's 15."""
    with platform_scope(kamakura, with_national=False):
        survey = make_survey(kamakura, alice, "direct", "demographics", population=20000)
        twenties = ["1"] * 20 + ["2"] * 15 + ["3"] * 12 + ["4"] * 10 + ["5"] * 3
        thirties = ["1"] * 15 + ["2"] * 12 + ["3"] * 11 + ["4"] * 12 + ["5"] * 12
        for age, codes in (("2", twenties), ("3", thirties)):
            for code in codes:
                answer(survey, {"loneliness_direct": code, "age_band": age}, mode="paper")
    return survey


TRUE = {("5", "20～29歳"): 3, ("4", "20～29歳"): 10}


def test_a_cell_withheld_alone_in_its_row_is_not_found_by_subtraction(
    client: Client, survey: Survey, oscar: Any
) -> None:
    """Every form an observer downloads: the 3 (and the 10 withheld beside it) stay unknown."""
    client.force_login(oscar)  # an observer: at least REPORTING_SMALL_CELL (10)
    base = f"/kamakura/workspace/surveys/{survey.pk}/"
    response = client.get(base + "report/?by=age_band")
    html = [
        {
            "question": result.name,
            "category": row.category,
            "domain": domain,
            "n": None if line["n"] == report.WITHHELD else line["n"],
            "estimate": None if line["value"] == report.WITHHELD else float(line["value"].rstrip("%")) / 100,
        }
        for result, charts in response.context["charts"]
        for domain, _chart, lines in charts
        for line, row in zip(lines, [r for r in result.rows if r.domain == domain], strict=True)
    ]
    data = json.loads(client.get(base + "results.json?by=age_band").content)["results"]
    text = client.get(base + "results.csv?by=age_band").content.decode("utf-8-sig")
    csv_rows = list(csv.DictReader(io.StringIO(text)))
    sheet = openpyxl.load_workbook(io.BytesIO(client.get(base + "report.xlsx?by=age_band").content)).active
    assert sheet is not None
    table = list(sheet.iter_rows(min_row=4, values_only=True))
    xlsx_rows = [dict(zip(table[0], row, strict=True)) for row in table[1:]]
    pdf = client.get(base + "report.pdf?by=age_band")
    assert pdf.status_code == 200  # the PDF prints results() as the HTML does (report.pdf reads the same rows)
    for name, published in (("html", html), ("json", data), ("csv", csv_rows), ("xlsx", xlsx_rows)):
        direct = [r for r in published if r["question"] == "loneliness_direct"]
        hidden = withheld(direct)
        assert set(TRUE) <= hidden, name  # primary: 3 < 10, and the next smallest of its column
        recovered = subtract(direct)
        assert hidden.isdisjoint(recovered), (name, {c: recovered[c] for c in hidden & recovered.keys()})
        assert recovered[("1", None)] == 35, name  # the attacker does read what is shown


def test_without_the_complementary_step_the_attacker_finds_the_cell(
    survey: Survey, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The attacker is real: with secondary suppression switched off, subtraction gives the 3 back exactly."""
    from tsunagari.surveys import results as results_module

    monkeypatch.setattr(results_module, "_protect_margins", lambda rows, kind: rows)
    with platform_scope(survey.platform, with_national=False):
        found = results_module.results(survey, by="age_band", min_cell=10)
    direct = [r for r in table_rows(found, 10) if r["question"] == "loneliness_direct"]
    recovered = subtract(direct)
    assert {cell: recovered.get(cell) for cell in TRUE} == TRUE


@pytest.mark.parametrize("seed", range(3))
def test_random_cross_tabs_give_no_withheld_cell_away(seed: int) -> None:
    """Random breakdowns of a distribution and of a yes/no share: whatever is withheld stays unknown."""
    rng = random.Random(seed)
    for _ in range(60):
        size = rng.randint(20, 120)
        min_cell = rng.choice([3, 5, 10])
        labels = [f"d{i}" for i in range(rng.randint(2, 5))]
        weights = [rng.choice([0.1, 0.3, 1.0]) for _label in labels]
        domains = [rng.choices(labels, weights)[0] for _i in range(size)]
        design = estimation.Design(weights=np.ones(size))
        values = [rng.choices(["1", "2", "3", "4"], [0.5, 0.3, 0.15, 0.05])[0] for _i in range(size)]
        flags = ["1" if v == "4" else "0" for v in values]
        kinds = {
            "share": [
                Row(e.category, e.category or "", e.domain, e)
                for e in estimation.distribution(design, values, "q", by=domains)
            ],
            "multiple": [
                Row("1", "yes", e.domain, replace(e, category="1"))
                for e in estimation.share(design, flags, ["1"], "q", by=domains)
            ],
        }
        for kind, rows in kinds.items():
            published = table_rows([Result("q", "q", kind, protect(rows, kind, min_cell))], min_cell)
            hidden = withheld(published)
            recovered = subtract(published, kind)
            assert hidden.isdisjoint(recovered), (seed, kind, min_cell, hidden & recovered.keys())


def test_members_and_observers_each_get_a_safe_table(survey: Survey, alice: Any) -> None:
    """The survey's own threshold (3 for the platform) protects the same way: no cell found by subtraction."""
    with platform_scope(survey.platform, with_national=False):
        actions.change_survey(survey, actor=alice, min_cell=5)
        from tsunagari.surveys.results import results

        found = results(survey, by="age_band")
    direct = [r for r in table_rows(found, 5) if r["question"] == "loneliness_direct"]
    hidden = withheld(direct)
    assert ("5", "20～29歳") in hidden
    assert hidden.isdisjoint(subtract(direct))
