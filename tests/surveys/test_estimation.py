"""The survey estimation engine and `survey-estimate` without R: weights, rules, errors in Japanese."""

from __future__ import annotations

import csv
import io
import json
import math
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from django.core.management import CommandError, call_command

from tsunagari.surveys import estimation
from tsunagari.surveys.estimate_csv import InputError, Request, estimate
from tsunagari.surveys.estimation import Design, DesignError

DATA = Path(__file__).parent / "data"
RESPONSES = DATA / "responses.csv"
MARGINS = DATA / "margins.csv"


def _rows() -> list[dict[str, str]]:
    with open(RESPONSES, encoding="utf-8") as f:
        return list(csv.DictReader(f))


def _textbook_share(rows: list[dict[str, str]], codes: set[str], area: str) -> tuple[float, float]:
    """Σw·y/Σw over answered rows of the area, and its SE written out by hand from the formula:
    Σ_h (1 − n_h/N_h)·n_h/(n_h − 1)·Σ_i (u_i − ū_h)², u_i = w_i·d_i·(y_i − p)/Σw·d, with n_h
    counting every row of the stratum (d_i = 0 for rows out of the domain or without an answer)."""
    d = [1.0 if r["lonely"] and r["area"] == area else 0.0 for r in rows]
    w = [float(r["w"]) for r in rows]
    y = [1.0 if r["lonely"] in codes else 0.0 for r in rows]
    total = sum(wi * di for wi, di in zip(w, d, strict=True))
    p = sum(wi * di * yi for wi, di, yi in zip(w, d, y, strict=True)) / total
    var = 0.0
    for h in {r["stratum"] for r in rows}:
        idx = [i for i, r in enumerate(rows) if r["stratum"] == h]
        n_h, big_n = len(idx), float(rows[idx[0]]["N"])
        u = [w[i] * d[i] * (y[i] - p) / total for i in idx]
        ubar = sum(u) / n_h
        var += (1 - n_h / big_n) * n_h / (n_h - 1) * sum((ui - ubar) ** 2 for ui in u)
    return p, math.sqrt(var)


def test_a_domain_share_follows_the_textbook_formula_with_every_row_kept() -> None:
    rows = _rows()
    result = estimate(
        Request(
            data=RESPONSES,
            strata="stratum",
            weight="w",
            stratum_population="N",
            share=("lonely", ("4", "5")),
            by="area",
        )
    )
    got = next(e for e in result["estimates"] if e["domain"] == "C")
    p, se = _textbook_share(rows, {"4", "5"}, "C")
    assert math.isclose(got["estimate"], p, rel_tol=1e-12)
    assert math.isclose(got["se"], se, rel_tol=1e-10)
    assert got["n"] == sum(1 for r in rows if r["lonely"] and r["area"] == "C")
    assert result["n_respondents"] == len(rows)
    assert result["df"] == len(rows) - 3


def test_missing_answers_stay_in_the_design() -> None:
    """Deleting the rows without an answer changes n_h (and the SE); the engine keeps them."""
    rows = _rows()
    kept = estimate(Request(data=RESPONSES, strata="stratum", weight="w", stratum_population="N", mean="score"))
    answered = [r for r in rows if r["score"]]
    design = Design(
        np.array([float(r["w"]) for r in answered]),
        np.array([r["stratum"] for r in answered]),
        np.array([float(r["N"]) for r in answered]),
    )
    deleted = estimation.mean(design, [float(r["score"]) for r in answered], "score")[0]
    ours = kept["estimates"][0]
    assert ours["n"] == len(answered)
    assert math.isclose(ours["estimate"], deleted.estimate, rel_tol=1e-12)
    assert not math.isclose(ours["se"], deleted.se, rel_tol=1e-6)
    assert kept["df"] == len(rows) - 3 != design.df


def test_the_finite_population_correction_shrinks_the_se() -> None:
    common = {"data": RESPONSES, "strata": "stratum", "weight": "w", "mean": "score"}
    with_fpc = estimate(Request(**common, stratum_population="N"))["estimates"][0]["se"]
    without = estimate(Request(**common))["estimates"][0]["se"]
    rows = _rows()
    # 800 of 8,200 sampled: the variance shrinks by about 1 − n/N.
    assert with_fpc < without
    assert math.isclose((with_fpc / without) ** 2, 1 - len(rows) / 8200, rel_tol=0.02)


def test_proportion_intervals_are_on_the_logit_scale() -> None:
    e = estimate(Request(data=RESPONSES, share=("lonely", ("1",))))["estimates"][0]
    lo, hi = e["ci95"]
    assert 0 < lo < e["estimate"] < hi < 1
    # Asymmetric around a small share, as a logit interval is.
    assert e["estimate"] - lo < hi - e["estimate"]
    t = 1.9630  # t quantile for 799 degrees of freedom, to 4 decimals
    logit = math.log(e["estimate"] / (1 - e["estimate"]))
    half = t * e["se"] / (e["estimate"] * (1 - e["estimate"]))
    assert math.isclose(lo, 1 / (1 + math.exp(-(logit - half))), rel_tol=1e-3)


def test_a_distribution_sums_to_one_in_every_domain() -> None:
    result = estimate(
        Request(data=RESPONSES, strata="stratum", weight="w", stratum_population="N", distribution="lonely", by="sex")
    )
    domains = {e["domain"] for e in result["estimates"]}
    assert domains == {None, "女", "男"}
    for domain in domains:
        shares = [e["estimate"] for e in result["estimates"] if e["domain"] == domain]
        assert [e["category"] for e in result["estimates"] if e["domain"] == domain] == ["1", "2", "3", "4", "5"]
        assert math.isclose(sum(shares), 1.0, rel_tol=1e-12)


def test_raking_meets_every_margin_to_1e_8() -> None:
    rows = _rows()
    with open(MARGINS, encoding="utf-8") as f:
        margins_rows = list(csv.DictReader(f))
    margins = {
        m: (
            np.array([r[m] for r in rows]),
            {r["category"]: float(r["population"]) for r in margins_rows if r["margin"] == m},
        )
        for m in ("age", "sex", "area")
    }
    w = estimation.rake(np.array([float(r["w"]) for r in rows]), margins)
    for labels, population in margins.values():
        for category, target in population.items():
            assert abs(w[labels == category].sum() / target - 1) <= 1e-8


def test_raking_refuses_margins_that_cannot_be_met() -> None:
    labels = np.array(["a", "a", "b"])
    with pytest.raises(DesignError, match="no respondents"):
        estimation.rake(np.ones(3), {"x": (labels, {"a": 5.0, "b": 5.0, "c": 1.0})})
    with pytest.raises(DesignError, match="no population"):
        estimation.rake(np.ones(3), {"x": (labels, {"a": 5.0})})
    with pytest.raises(DesignError, match="same population"):
        estimation.rake(np.ones(3), {"x": (labels, {"a": 5.0, "b": 5.0}), "y": (labels, {"a": 1.0, "b": 1.0})})


def test_design_weights_from_sample_designs() -> None:
    assert estimation.srs_weights(4, 100).tolist() == [25.0] * 4
    strata = ["a", "a", "b", "a"]
    assert estimation.stratified_weights(strata, {"a": 30, "b": 7}).tolist() == [10.0, 10.0, 7.0, 10.0]
    # 2 of 10 PSUs, then 5 of 50 people in the PSU: each stands for 5 × 10 = 50.
    assert np.allclose(estimation.two_stage_weights([0.2, 0.2], [0.1, 0.1]), [50.0, 50.0], rtol=1e-15)
    with pytest.raises(DesignError):
        estimation.stratified_weights(strata, {"a": 2, "b": 7})
    with pytest.raises(DesignError):
        estimation.two_stage_weights([0.0], [1.0])


def test_non_response_adjustment_keeps_each_class_total() -> None:
    w = np.array([10.0, 10.0, 10.0, 20.0, 20.0])
    responded = np.array([True, False, True, True, False])
    classes = np.array(["young", "young", "young", "old", "old"])
    adjusted = estimation.nonresponse_adjusted(w, responded, classes)
    assert adjusted.tolist() == [15.0, 15.0, 40.0]
    with pytest.raises(DesignError, match="no respondents"):
        estimation.nonresponse_adjusted(w, [True, True, True, False, False], classes)


def test_small_cells_are_marked_and_never_carry_numbers() -> None:
    design = Design(np.ones(30), np.array(["a"] * 15 + ["b"] * 15))
    values = ["1"] * 20 + ["2"] * 4 + [None] * 6
    by = ["x"] * 25 + ["y"] * 5
    out = estimation.suppress(estimation.distribution(design, values, "q", by=by))
    small = [e for e in out if e.domain == "y"]
    assert small and all(e.suppressed and math.isnan(e.estimate) and math.isnan(e.se) for e in small)
    assert all(math.isnan(v) for e in small for v in e.ci95)
    assert not any(e.suppressed for e in out if e.domain in (None, "x"))
    cells = estimation.suppress(estimation.distribution(design, values, "q"), min_cases=5)
    assert [e.suppressed for e in cells] == [False, True]


def test_a_stratum_with_one_psu_is_refused() -> None:
    with pytest.raises(DesignError, match="only one PSU"):
        Design(np.ones(3), np.array(["a", "a", "b"])).df  # noqa: B018
    # …unless the whole stratum was taken (no variance from it).
    assert Design(np.ones(3), np.array(["a", "a", "b"]), np.array([10.0, 10.0, 1.0])).df == 1


def _fails(tmp_path: Path, text: str, *args: str) -> str:
    data = tmp_path / "回答.csv"
    data.write_text(text, encoding="utf-8")
    with pytest.raises(CommandError) as caught:
        call_command("survey_estimate", str(data), *args, "--json", stdout=io.StringIO())
    return str(caught.value)


GOOD = "s,w,N,q\nA,1.5,10,1\nA,2,10,2\nB,1,20,\nB,3,20,2\n"


@pytest.mark.parametrize(
    ("text", "args", "message"),
    [
        (GOOD, ["--distribution=x"], "回答.csv に列「x」（--distribution）がありません。ある列: s、w、N、q"),
        (
            GOOD.replace("A,2,10", "A,abc,10"),
            ["--weight=w", "--mean=q"],
            "回答.csv の 3 行目、列「w」: 重みが数値ではありません（'abc'）。",
        ),
        (
            GOOD.replace("A,2,10", "A,-2,10"),
            ["--weight=w", "--mean=q"],
            "回答.csv の 3 行目、列「w」: 重みは 0 より大きい数にしてください（'-2'）。",
        ),
        (GOOD.replace("B,1,20", ",1,20"), ["--strata=s", "--mean=q"], "回答.csv の 4 行目、列「s」: 層が空です。"),
        (
            GOOD.replace("B,3,20", "B,3,25"),
            ["--strata=s", "--stratum-population=N", "--mean=q"],
            "層「B」の母集団の大きさが 4 行目（20）と違います（25）",
        ),
        (
            GOOD.replace("10", "1"),
            ["--strata=s", "--stratum-population=N", "--mean=q"],
            "層「A」から 2人が回答していますが、母集団の大きさは 1 です。",
        ),
        (
            GOOD.replace("A,2,10,2\n", ""),
            ["--strata=s", "--mean=q"],
            "回答.csv の 2 行目、列「s」: 層「A」は回答がこの 1 行だけなので",
        ),
        (
            GOOD.replace("B,3,20,2", "B,3,20,two"),
            ["--mean=q"],
            "回答.csv の 5 行目、列「q」: 回答が数値ではありません（'two'）。",
        ),
        (GOOD + "C,1\n", ["--mean=q"], "回答.csv の 6 行目は 2 列ありますが、1 行目の列名は 4 列です。"),
        (GOOD, ["--share=q"], "--share は「変数=コード[,コード…]」の形で書いてください"),
        ("s,w\n", ["--mean=w"], "回答.csv に回答の行がありません。"),
    ],
)
def test_bad_input_is_named_in_japanese(tmp_path: Path, text: str, args: list[str], message: str) -> None:
    assert message in _fails(tmp_path, text, *args)


@pytest.mark.parametrize(
    ("margins", "message"),
    [
        ("margin,category\ns,A\n", "margins.csv に列「population」がありません。"),
        (
            "margin,category,population\nt,A,3\n",
            "margins.csv の 2 行目、列「margin」: 「t」は 回答.csv の列にありません。",
        ),
        (
            "margin,category,population\ns,A,x\n",
            "margins.csv の 2 行目、列「population」: 母集団の人数が数値ではありません（'x'）。",
        ),
        (
            "margin,category,population\ns,A,3\n",
            "回答.csv の 4 行目、列「s」: 区分「B」の母集団の人数が margins.csv にありません。",
        ),
        (
            "margin,category,population\ns,A,3\ns,B,4\ns,C,1\n",
            "margins.csv: 「s」の「C」に当たる回答が 回答.csv に 1 件もありません。",
        ),
        (
            "margin,category,population\ns,A,3\ns,B,4\nq,1,5\nq,2,5\n",
            "margins.csv の周辺分布の合計が揃っていません（s 7、q 10）。",
        ),
    ],
)
def test_bad_margins_are_named_in_japanese(tmp_path: Path, margins: str, message: str) -> None:
    (tmp_path / "margins.csv").write_text(margins, encoding="utf-8")
    assert message in _fails(tmp_path, GOOD, "--mean=w", f"--rake={tmp_path / 'margins.csv'}")


def test_min_n_withholds_small_domains_as_null() -> None:
    out = io.StringIO()
    call_command(
        "survey_estimate",
        str(RESPONSES),
        "--weight=w",
        "--mean=score",
        "--by=area",
        "--min-n=130",
        "--json",
        stdout=out,
    )
    printed = {e["domain"]: e for e in json.loads(out.getvalue())["estimates"]}
    small = [e for e in printed.values() if e["n"] < 130]
    assert small and all(e["estimate"] is None and e["se"] is None and e["ci95"] == [None, None] for e in small)
    assert all(e["estimate"] is not None for e in printed.values() if e["n"] >= 130)


def test_the_command_exits_non_zero_on_bad_input(tmp_path: Path) -> None:
    data = tmp_path / "data.csv"
    data.write_text(GOOD, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "tsunagari", "survey-estimate", str(data), "--mean=nope", "--json"],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).parents[2])},
        timeout=120,
    )
    assert done.returncode != 0
    assert "data.csv に列「nope」（--mean）がありません。" in done.stderr
    assert done.stdout == ""


def test_shift_jis_files_from_excel_are_read(tmp_path: Path) -> None:
    data = tmp_path / "data.csv"
    data.write_bytes("地区,q\n北,1\n北,2\n南,2\n".encode("cp932"))
    result = estimate(Request(data=data, distribution="q", by="地区"))
    assert {e["domain"] for e in result["estimates"]} == {None, "北", "南"}


def test_input_error_is_a_value_error() -> None:
    assert issubclass(InputError, ValueError)


def test_blank_rows_are_not_respondents(tmp_path: Path) -> None:
    data = tmp_path / "data.csv"
    data.write_text("s,w,q\nA,1,1\n\nA,2,2\n,,\nB,1,2\nB,1,1\n", encoding="utf-8")
    assert estimate(Request(data=data, weight="w", mean="q"))["n_respondents"] == 4


def test_row_numbers_count_line_breaks_inside_quoted_cells(tmp_path: Path) -> None:
    text = 'note,w,q\n"two\nlines",1,1\nx,1,2\nx,oops,2\n'
    assert "回答.csv の 5 行目、列「w」: 重みが数値ではありません（'oops'）。" in _fails(
        tmp_path, text, "--weight=w", "--mean=q"
    )


def test_the_sampling_error_table_is_the_one_reports_print() -> None:
    rows = estimation.sampling_error_table([1000, 400], proportions=(0.1, 0.5))
    # ±1.96·√(p(1 − p)/n): 1,000 answers give ±1.9 points at 10% and ±3.1 points at 50%.
    assert [round(100 * h, 1) for h in rows[0].half_widths] == [1.9, 3.1]
    assert [round(100 * h, 1) for h in rows[1].half_widths] == [2.9, 4.9]
    corrected = estimation.sampling_error_table([1000], population=2000, proportions=(0.5,))[0]
    assert math.isclose(corrected.half_widths[0], rows[0].half_widths[1] * math.sqrt(1000 / 1999), rel_tol=1e-12)
    doubled = estimation.sampling_error_table([1000], proportions=(0.5,), design_effect=2.0)[0]
    assert math.isclose(doubled.half_widths[0], rows[0].half_widths[1] * math.sqrt(2), rel_tol=1e-12)


def test_an_estimate_is_compared_with_the_national_figure() -> None:
    local = estimation.Estimate("lonely", "4,5", None, 500, 0.40, 0.02, (0.36, 0.44))
    result = estimation.compare(local, 0.36, df=100)
    assert math.isclose(result.difference, 0.04, rel_tol=1e-12)
    assert math.isclose(result.t, 2.0, rel_tol=1e-12)
    assert math.isclose(result.p_value, 0.0482117, rel_tol=1e-5)  # two-sided, t(100)
    with_national_se = estimation.compare(local, 0.36, df=100, reference_se=0.02)
    assert math.isclose(with_national_se.se, 0.02 * math.sqrt(2), rel_tol=1e-12)
    with pytest.raises(DesignError):
        estimation.compare(estimation.suppress([local], min_n=1000)[0], 0.36, df=100)


def test_files_with_and_without_quotes_read_the_same(tmp_path: Path) -> None:
    plain = "s,w,q,note\r\nA,1.5, 2 ,x\r\nA,2,1,\r\n\r\nB,1,,y\r\nB,3,2,z\r\n,,,\r\n"
    quoted = plain.replace("x", '"x, quoted"')
    results = []
    for name, text in (("plain.csv", plain), ("quoted.csv", quoted)):
        data = tmp_path / name
        data.write_text(text, encoding="utf-8", newline="")
        results.append(estimate(Request(data=data, strata="s", weight="w", distribution="q", by="s")))
    assert results[0] == results[1]
    assert results[0]["n_respondents"] == 4


def test_coded_columns_give_the_same_estimates() -> None:
    rows = _rows()
    design = Design(np.array([float(r["w"]) for r in rows]), np.array([r["stratum"] for r in rows]))
    lonely = np.array([r["lonely"] for r in rows])
    area = np.array([r["area"] for r in rows])
    plain = estimation.distribution(design, lonely, "lonely", by=area)
    once = estimation.distribution(design, estimation.coded(lonely), "lonely", by=estimation.coded(area))
    assert [(e.category, e.domain, e.estimate, e.se) for e in plain] == [
        (e.category, e.domain, e.estimate, e.se) for e in once
    ]


def test_an_association_needs_two_rows_and_two_columns() -> None:
    design = Design(np.ones(6), np.array(["a", "a", "a", "b", "b", "b"]))
    with pytest.raises(DesignError, match="two rows"):
        estimation.association(design, ["x"] * 6, ["1", "2"] * 3)
