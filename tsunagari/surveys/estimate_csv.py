"""Estimates from a CSV of responses: what `python -m tsunagari survey-estimate` runs.

Reads the file, checks every cell the estimate needs (a problem names the file, the row and the
column, in Japanese), builds the design and returns the JSON object of issue 12. No Django here,
so the benchmark and the tests call it directly.
"""

from __future__ import annotations

import csv
import io
import math
import operator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from tsunagari.surveys import estimation
from tsunagari.surveys.estimation import Design, DesignError, Estimate

# Columns of the margins file for --rake.
MARGIN_COLUMNS = ("margin", "category", "population")


class InputError(ValueError):
    """A problem in the input files, told in Japanese with the file, row and column to fix."""


@dataclass(frozen=True)
class Request:
    """What to estimate, as the command line spells it."""

    data: Path
    distribution: str | None = None
    share: tuple[str, tuple[str, ...]] | None = None  # (variable, codes)
    mean: str | None = None
    by: str | None = None
    strata: str | None = None
    weight: str | None = None
    stratum_population: str | None = None
    cluster: str | None = None
    rake: Path | None = None
    rake_variance: str = "rake"
    min_n: int | None = None  # withhold estimates resting on fewer respondents (None: publish all)


def parse_share(text: str) -> tuple[str, tuple[str, ...]]:
    """``VAR=CODE[,CODE…]`` → (variable, codes)."""
    variable, sep, codes = text.partition("=")
    parts = tuple(c.strip() for c in codes.split(","))
    if not sep or not variable.strip() or not all(parts):
        raise InputError(
            f"--share は「変数=コード[,コード…]」の形で書いてください（例: lonely=4,5）。受け取った値: {text!r}"
        )
    return variable.strip(), parts


@dataclass(frozen=True)
class _Table:
    path: Path
    header: list[str]
    columns: dict[str, np.ndarray]  # text, stripped
    lines: list[int]  # the file's line number of each data row (for messages)

    def column(self, name: str, option: str) -> np.ndarray:
        if name not in self.columns:
            known = "、".join(self.header)
            raise InputError(f"{self.path.name} に列「{name}」（{option}）がありません。ある列: {known}")
        return self.columns[name]

    def where(self, i: int, name: str) -> str:
        return f"{self.path.name} の {self.lines[i]} 行目、列「{name}」"


def _read_csv(path: Path, wanted: set[str] | None = None) -> _Table:
    """The file's columns (those in ``wanted``, or all) as stripped text, blank rows left out."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path} を読めません（{exc.strerror or exc}）。") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = raw.decode("cp932")  # Excel's "CSV" on Japanese Windows
        except UnicodeDecodeError:
            raise InputError(f"{path.name} の文字コードが読めません。UTF-8 で保存し直してください。") from None
    simple = _split_simple(path, text, wanted)
    if simple is not None:
        return simple
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip() for h in next(reader)]
        rows = list(reader)
    except StopIteration:
        raise InputError(f"{path.name} が空です。1 行目に列名が要ります。") from None
    except csv.Error as exc:
        raise InputError(f"{path.name} の {reader.line_num} 行目を CSV として読めません（{exc}）。") from None
    _check_header(path, header)
    # A record is one line unless a quoted cell holds a line break; only then count lines one by one.
    physical = text.count("\n") + (0 if text.endswith("\n") else 1)
    numbers = np.arange(2, len(rows) + 2) if physical == len(rows) + 1 else np.array(_line_numbers(text))
    lengths = np.fromiter(map(len, rows), dtype=np.intp, count=len(rows))
    keep = _check_lengths(path, lengths, numbers, len(header))
    if not keep.all():
        rows = [row for row, kept in zip(rows, keep.tolist(), strict=True) if kept]
        numbers = numbers[keep]
    columns = {
        h: np.strings.strip(np.array(list(map(operator.itemgetter(j), rows)), dtype=str))
        for j, h in enumerate(header)
        if wanted is None or h in wanted
    }
    # Rows whose every cell is blank (",,,," from a spreadsheet) are not responses.
    maybe = np.flatnonzero(np.logical_and.reduce([c == "" for c in columns.values()]))
    blank = np.zeros(len(rows), dtype=bool)
    blank[[i for i in maybe.tolist() if not any(cell.strip() for cell in rows[i])]] = True
    return _table(path, header, columns, numbers, blank)


def _split_simple(path: Path, text: str, wanted: set[str] | None) -> _Table | None:
    """The fast way for files without quotes (most exports): find the commas and line ends with numpy.

    The text becomes an array of code points; the cells of a column are cut from it in one
    gather. None when the file has quotes (then the csv module reads it).
    """
    if '"' in text:
        return None
    body = text.replace("\r\n", "\n") if "\r" in text else text
    if not body.endswith("\n"):
        body += "\n"
    end_of_header = body.index("\n")
    header = [h.strip() for h in body[:end_of_header].split(",")]
    _check_header(path, header)
    width = len(header)
    data = np.frombuffer(body[end_of_header + 1 :].encode("utf-32-le"), dtype=np.uint32)
    separators = np.flatnonzero((data == ord(",")) | (data == ord("\n")))
    line_end = data[separators] == ord("\n")
    ends = separators[line_end]
    if not len(ends):
        raise InputError(f"{path.name} に回答の行がありません。")
    row_of = np.cumsum(line_end) - line_end  # the row each separator belongs to
    starts = np.concatenate([[0], ends[:-1] + 1])
    lengths = np.bincount(row_of[~line_end], minlength=len(ends)) + 1
    lengths[ends == starts] = 0  # a blank line
    numbers = np.arange(2, len(ends) + 2)
    keep = _check_lengths(path, lengths, numbers, width)
    # Every kept row has exactly `width` separators (its commas and its line end), in order.
    cuts = separators[keep[row_of]].reshape(-1, width)
    first = starts[keep]
    columns = {}
    blank = np.ones(len(first), dtype=bool)
    for j, h in enumerate(header):
        begin = first if j == 0 else cuts[:, j - 1] + 1
        end = cuts[:, j]
        blank &= end == begin
        if wanted is None or h in wanted:
            columns[h] = np.strings.strip(_cells(data, begin, end))
    if blank.any():
        # ",,,," rows: blank only if every cell is blank after stripping, as the csv path decides.
        for cells in columns.values():
            blank &= cells == ""
    return _table(path, header, columns, numbers[keep], blank)


def _cells(data: np.ndarray, begin: np.ndarray, end: np.ndarray) -> np.ndarray:
    """The text between ``begin`` and ``end`` in each row, as one numpy text array."""
    sizes = end - begin
    longest = int(sizes.max(initial=0))
    if longest == 0:
        return np.full(len(begin), "", dtype="<U1")
    if longest * len(begin) > 50_000_000:  # a long free-text column: cut cell by cell
        text = data.tobytes().decode("utf-32-le")
        return np.array([text[b:e] for b, e in zip(begin.tolist(), end.tolist(), strict=True)], dtype=str)
    offsets = np.arange(longest)
    index = np.minimum(begin[:, None] + offsets[None, :], len(data) - 1)
    chars = data[index]
    chars[offsets[None, :] >= sizes[:, None]] = 0
    return np.ascontiguousarray(chars).view(f"<U{longest}").ravel()


def _check_header(path: Path, header: list[str]) -> None:
    seen: set[str] = set()
    for name in header:
        if not name:
            raise InputError(f"{path.name} の 1 行目に名前のない列があります。")
        if name in seen:
            raise InputError(f"{path.name} の 1 行目で列「{name}」が 2 回出てきます。")
        seen.add(name)


def _check_lengths(path: Path, lengths: np.ndarray, numbers: np.ndarray, width: int) -> np.ndarray:
    """Rows to keep: all but blank lines; a row with another number of cells is an error."""
    empty = lengths == 0
    wrong = np.flatnonzero(~empty & (lengths != width))
    if len(wrong):
        i = int(wrong[0])
        raise InputError(
            f"{path.name} の {numbers[i]} 行目は {lengths[i]} 列ありますが、1 行目の列名は {width} 列です。"
        )
    return ~empty


def _table(
    path: Path, header: list[str], columns: dict[str, np.ndarray], numbers: np.ndarray, blank: np.ndarray
) -> _Table:
    """Rows whose every cell is blank (",,,," from a spreadsheet) are not responses."""
    if blank.any():
        columns = {h: c[~blank] for h, c in columns.items()}
        numbers = numbers[~blank]
    if not len(numbers):
        raise InputError(f"{path.name} に回答の行がありません。")
    return _Table(path, header, columns, numbers.tolist())


def _line_numbers(text: str) -> list[int]:
    """The line each record of ``text`` ends on, after the header (for quoted line breaks)."""
    reader = csv.reader(io.StringIO(text, newline=""))
    next(reader)
    return [reader.line_num for _ in reader]


def _numbers(table: _Table, name: str, option: str, what: str, *, positive: bool, blank_ok: bool) -> np.ndarray:
    cells = table.column(name, option)
    blank = cells == ""
    try:
        values = np.where(blank, "nan", cells).astype(float)
    except ValueError:
        values = np.full(len(cells), math.inf)  # the loop below finds the cell
    bad = np.flatnonzero(~np.isfinite(values) & ~blank)
    if len(bad):
        for i in bad.tolist():
            try:
                if math.isfinite(float(cells[i])):
                    continue
            except ValueError:
                pass
            raise InputError(f"{table.where(i, name)}: {what}が数値ではありません（{str(cells[i])!r}）。")
    if not blank_ok and blank.any():
        raise InputError(f"{table.where(int(np.flatnonzero(blank)[0]), name)}: {what}が空です。")
    if positive:
        low = np.flatnonzero(values <= 0)
        if len(low):
            i = int(low[0])
            raise InputError(f"{table.where(i, name)}: {what}は 0 より大きい数にしてください（{str(cells[i])!r}）。")
    return values


def _labels(table: _Table, name: str, option: str, what: str) -> np.ndarray:
    cells = table.column(name, option)
    blank = np.flatnonzero(cells == "")
    if len(blank):
        raise InputError(f"{table.where(int(blank[0]), name)}: {what}が空です。")
    return cells


def _design(table: _Table, req: Request) -> Design:
    n = len(table.lines)
    strata = _labels(table, req.strata, "--strata", "層") if req.strata else None
    clusters = _labels(table, req.cluster, "--cluster", "第 1 次抽出単位（PSU）") if req.cluster else None
    population = None
    if req.stratum_population:
        population = _numbers(
            table, req.stratum_population, "--stratum-population", "層の母集団の大きさ", positive=True, blank_ok=False
        )
        _check_population(table, req, strata, clusters, population)
    if req.weight:
        weights = _numbers(table, req.weight, "--weight", "重み", positive=True, blank_ok=False)
    elif population is not None:
        # Without weights, each row stands for N_h/n_h people (R's svydesign does the same).
        key = strata if strata is not None else np.zeros(n, dtype=np.intp)
        codes = estimation._factorize(key)[0]
        weights = population / np.bincount(codes)[codes]
    else:
        weights = np.ones(n)
    if strata is not None:
        _check_strata(table, req, strata, clusters, population)
    try:
        design = Design(weights, strata, population, clusters)
        design.df  # noqa: B018 (builds the layout, which checks strata and PSUs)
    except DesignError as exc:
        raise InputError(f"{table.path.name} の標本設計で集計できません: {exc}") from None
    return design


def _check_population(
    table: _Table, req: Request, strata: np.ndarray | None, clusters: np.ndarray | None, population: np.ndarray
) -> None:
    assert req.stratum_population
    key = strata if strata is not None else np.zeros(len(population), dtype=np.intp)
    codes, labels = estimation._factorize(key)
    _, first_rows = np.unique(codes, return_index=True)
    differs = np.flatnonzero(population != population[first_rows[codes]])
    if len(differs):
        i = int(differs[0])
        j = int(first_rows[codes[i]])
        raise InputError(
            f"{table.where(i, req.stratum_population)}: 層「{labels[codes[i]]}」の母集団の大きさが "
            f"{table.lines[j]} 行目（{population[j]:g}）と違います（{population[i]:g}）。1 つの層には 1 つの値を書いてください。"
        )
    first = {c: int(j) for c, j in enumerate(first_rows.tolist())}
    if clusters is None:
        sampled = np.bincount(codes)
        unit = "人"
    else:
        pairs = {(c, p) for c, p in zip(codes.tolist(), clusters.tolist(), strict=True)}
        sampled = np.bincount([c for c, _ in pairs], minlength=len(labels))
        unit = "個の PSU"
    for c, j in first.items():
        if sampled[c] > population[j]:
            raise InputError(
                f"{table.where(j, req.stratum_population)}: 層「{labels[c]}」から {sampled[c]}{unit}が回答していますが、"
                f"母集団の大きさは {population[j]:g} です。"
            )


def _check_strata(
    table: _Table, req: Request, strata: np.ndarray, clusters: np.ndarray | None, population: np.ndarray | None
) -> None:
    assert req.strata
    codes, labels = estimation._factorize(strata)
    if clusters is None:
        units = np.bincount(codes)
    else:
        pairs = {(c, p) for c, p in zip(codes.tolist(), clusters.tolist(), strict=True)}
        units = np.bincount([c for c, _ in pairs], minlength=len(labels))
    for c in np.flatnonzero(units == 1).tolist():
        i = int(np.flatnonzero(codes == c)[0])
        if population is not None and population[i] <= 1:
            continue  # the whole stratum answered: it adds no variance
        what = "回答がこの 1 行だけ" if clusters is None else "PSU が 1 つだけ"
        raise InputError(
            f"{table.where(i, req.strata)}: 層「{labels[c]}」は{what}なので、分散を推定できません。隣の層とまとめてください。"
        )


def _raking_margins(table: _Table, margins_table: _Table) -> dict[str, tuple[np.ndarray, dict[str, float]]]:
    path = margins_table.path
    missing = [c for c in MARGIN_COLUMNS if c not in margins_table.columns]
    if missing:
        raise InputError(f"{path.name} に列「{missing[0]}」がありません。列は margin,category,population の 3 つです。")
    out: dict[str, dict[str, float]] = {}
    cols = {c: margins_table.columns[c].tolist() for c in MARGIN_COLUMNS}
    for i, (margin, category, population) in enumerate(
        zip(cols["margin"], cols["category"], cols["population"], strict=True)
    ):
        where = f"{path.name} の {margins_table.lines[i]} 行目"
        if not margin:
            raise InputError(f"{where}、列「margin」が空です。")
        if margin not in table.columns:
            raise InputError(
                f"{where}、列「margin」: 「{margin}」は {table.path.name} の列にありません。ある列: {'、'.join(table.header)}"
            )
        if not category:
            raise InputError(f"{where}、列「category」が空です。")
        try:
            value = float(population)
        except ValueError:
            raise InputError(
                f"{where}、列「population」: 母集団の人数が数値ではありません（{population!r}）。"
            ) from None
        if not (math.isfinite(value) and value > 0):
            raise InputError(
                f"{where}、列「population」: 母集団の人数は 0 より大きい数にしてください（{population!r}）。"
            )
        if category in out.setdefault(margin, {}):
            raise InputError(f"{where}: 「{margin}」の「{category}」が 2 回出てきます。")
        out[margin][category] = value
    totals = {m: sum(c.values()) for m, c in out.items()}
    if max(totals.values()) - min(totals.values()) > 1e-9 * max(totals.values()):
        listed = "、".join(f"{m} {t:g}" for m, t in totals.items())
        raise InputError(f"{path.name} の周辺分布の合計が揃っていません（{listed}）。同じ母集団の人数にしてください。")
    result = {}
    for margin, populations in out.items():
        cells = table.columns[margin]
        blank = np.flatnonzero(cells == "")
        if len(blank):
            raise InputError(f"{table.where(int(blank[0]), margin)}: 補正（--rake）に使う区分が空です。")
        unknown = np.flatnonzero(~np.isin(cells, list(populations)))
        if len(unknown):
            i = int(unknown[0])
            raise InputError(f"{table.where(i, margin)}: 区分「{cells[i]}」の母集団の人数が {path.name} にありません。")
        present = set(np.unique(cells).tolist())
        for category in populations:
            if category not in present:
                raise InputError(
                    f"{path.name}: 「{margin}」の「{category}」に当たる回答が {table.path.name} に 1 件もありません。"
                    "区分をまとめてください。"
                )
        result[margin] = (cells, populations)
    return result


def estimate(req: Request) -> dict[str, Any]:
    """The JSON object `survey-estimate --json` prints."""
    variable = req.distribution or req.mean or (req.share[0] if req.share else None)
    if variable is None:
        raise InputError("--distribution、--share、--mean のどれか 1 つを指定してください。")
    margins_path = req.rake
    margins_table = _read_csv(margins_path) if margins_path is not None else None
    wanted = {variable, req.by, req.strata, req.weight, req.stratum_population, req.cluster}
    if margins_table is not None and "margin" in margins_table.columns:
        wanted |= set(margins_table.columns["margin"].tolist())
    table = _read_csv(req.data, {c for c in wanted if c})
    design = _design(table, req)
    if margins_table is not None:
        margins = _raking_margins(table, margins_table)
        try:
            design = estimation.raked(design, margins, tol=1e-8, variance=req.rake_variance)
        except DesignError as exc:
            raise InputError(f"{margins_table.path.name} への補正（レイキング）ができません: {exc}") from None
    option = "--distribution" if req.distribution else "--mean" if req.mean else "--share"
    values = table.column(variable, option)
    by = table.column(req.by, "--by") if req.by else None
    try:
        if req.distribution:
            results = estimation.distribution(design, values, variable, by)
        elif req.share:
            results = estimation.share(design, values, req.share[1], variable, by)
        else:
            numbers = _numbers(table, variable, "--mean", "回答", positive=False, blank_ok=True)
            results = estimation.mean(design, numbers, variable, by)
    except DesignError as exc:
        raise InputError(f"{table.path.name} から推定できません: {exc}") from None
    if req.min_n is not None:
        results = estimation.suppress(results, min_n=req.min_n)
    return {
        "n_respondents": design.n,
        "df": design.df,
        "estimates": [_jsonable(e) for e in results],
    }


def _jsonable(e: Estimate) -> dict[str, Any]:
    out = e.as_dict()
    for key in ("estimate", "se"):
        if not math.isfinite(out[key]):
            out[key] = None
    out["ci95"] = [v if math.isfinite(v) else None for v in out["ci95"]]
    return out
