"""Finder quality: need hit rates and crisis safety on the dev cases and our held-out sets, against a baseline.

    .venv/bin/python bench/finder_quality.py             # prints figures and misses, writes the results file
    .venv/bin/python bench/finder_quality.py --no-write  # prints only

A case is a hit when any of the top-3 needs (top-1: the first) is among its acceptable `needs`.
Crisis recall counts `crisis: true` cases flagged; the false-alarm rate counts `crisis: false` cases
flagged; `null` is not scored. The baseline is what the taxonomy alone can do: the words of each
need's Japanese label and scope (needs.tsv, split on ・ and punctuation) matched as substrings, needs
ranked by how many of their words matched, crisis when a word of suicide, violence or child_abuse
matched, and the same `unsure` fallback as ours when nothing matched.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import re
import statistics
import sys
import time
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tsunagari.finder.lexicon import NEEDS_TSV, default_concepts  # noqa: E402
from tsunagari.finder.understanding import understand  # noqa: E402

DEV = ROOT.parent / "shared" / "finder" / "dev-cases.jsonl"
HELDOUT = ROOT / "tests" / "finder" / "data" / "heldout.jsonl"
FRESH = ROOT / "tests" / "finder" / "data" / "fresh.jsonl"
RESULTS = ROOT / "bench" / "results" / "finder_quality.md"
CRISIS_NEEDS = ("suicide", "violence", "child_abuse")
# A record, not a measurement: what each held-out set scored the first time it was run, before the
# misses it showed were fixed (by general vocabulary and rule changes, never by adding its sentences).
FIRST_RUNS = (
    "First runs, before any fix they informed: held-out top-1 0.967, top-3 0.989, crisis recall 0.985 (66/67), "
    "false alarms 1.0% (2/197); fresh top-1 0.907, top-3 0.946, crisis recall 0.973 (36/37), false alarms 2.2% "
    "(2/90)."
)
LETTER = (
    "はじめまして。突然のお便り失礼いたします。私は七十八歳になる母と二人で暮らしている五十代の会社員です。"
    "母は三年前に父を亡くしてから少しずつ物忘れがひどくなり、最近は同じことを何度も聞いてきたり、夜中に家の外へ出ようとしたりします。"
    "仕事を続けながら介護をしていますが、夜もまともに眠れず、職場でもミスが増えて上司に注意されることが多くなりました。"
    "介護休業のことも考えましたが、収入が減ると生活費や母の医療費が払えなくなるのではないかと不安です。"
)


@dataclass(frozen=True)
class Case:
    text: str
    needs: frozenset[str]
    crisis: bool | None


@dataclass(frozen=True)
class Scores:
    cases: int
    top1: float
    top3: float
    crisis_cases: int
    recall: float
    non_crisis_cases: int
    false_alarms: int

    @property
    def false_alarm_rate(self) -> float:
        return self.false_alarms / self.non_crisis_cases if self.non_crisis_cases else 0.0


Finder = Callable[[str], tuple[list[str], bool]]


def read_cases(path: Path) -> list[Case]:
    cases = []
    with path.open(encoding="utf-8") as f:
        for line in f:
            if line.strip():
                row = json.loads(line)
                cases.append(Case(text=row["text"], needs=frozenset(row["needs"]), crisis=row["crisis"]))
    return cases


def ours(text: str) -> tuple[list[str], bool]:
    result = understand(text)
    return result.top(3), result.crisis


def baseline_finder() -> Finder:
    """The taxonomy's own words as substrings: what matching needs.tsv alone achieves."""
    words: dict[str, list[str]] = {}
    with NEEDS_TSV.open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f, delimiter="\t"):
            pieces = re.split(r"[・、。,()（）\s]+", f"{row['label_ja']}・{row['scope_ja']}")
            words[row["code"]] = [unicodedata.normalize("NFKC", piece).lower() for piece in pieces if piece]
    order = list(words)

    def find(text: str) -> tuple[list[str], bool]:
        folded = unicodedata.normalize("NFKC", text).lower()
        counts = {code: sum(word in folded for word in code_words) for code, code_words in words.items()}
        ranked = sorted((code for code, count in counts.items() if count), key=lambda c: (-counts[c], order.index(c)))
        crisis = any(counts[code] for code in CRISIS_NEEDS)
        return (ranked or ["unsure"])[:3], crisis

    return find


def score(cases: Sequence[Case], finder: Finder) -> tuple[Scores, list[tuple[Case, list[str], bool]]]:
    top1 = top3 = recall = false_alarms = 0
    misses: list[tuple[Case, list[str], bool]] = []
    for case in cases:
        needs, crisis = finder(case.text)
        top1 += bool(needs[:1]) and needs[0] in case.needs
        hit = any(need in case.needs for need in needs[:3])
        top3 += hit
        if case.crisis is True:
            recall += crisis
        elif case.crisis is False:
            false_alarms += crisis
        crisis_wrong = case.crisis is not None and crisis != case.crisis
        if not hit or crisis_wrong:
            misses.append((case, needs, crisis))
    crisis_cases = sum(case.crisis is True for case in cases)
    non_crisis = sum(case.crisis is False for case in cases)
    return (
        Scores(
            cases=len(cases),
            top1=top1 / len(cases),
            top3=top3 / len(cases),
            crisis_cases=crisis_cases,
            recall=recall / crisis_cases if crisis_cases else 1.0,
            non_crisis_cases=non_crisis,
            false_alarms=false_alarms,
        ),
        misses,
    )


def latency(texts: Sequence[str], repeats: int = 5) -> tuple[float, float, float]:
    """p50, p95 and max of understand() in milliseconds, warm, over every text `repeats` times."""
    timings = []
    for _ in range(repeats):
        for text in texts:
            started = time.perf_counter()
            understand(text)
            timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    return statistics.median(timings), timings[int(len(timings) * 0.95) - 1], timings[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-write", action="store_true", help="print only; do not write results/finder_quality.md")
    args = parser.parse_args()
    load = os.getloadavg()[0]

    started = time.perf_counter()
    understand("起動")
    warmup_ms = (time.perf_counter() - started) * 1000

    baseline = baseline_finder()
    sets = {"dev": read_cases(DEV), "held-out": read_cases(HELDOUT), "fresh": read_cases(FRESH)}
    rows = []
    all_misses: dict[str, list[tuple[Case, list[str], bool]]] = {}
    for name, cases in sets.items():
        our_scores, misses = score(cases, ours)
        base_scores, _ = score(cases, baseline)
        rows.append((name, "ours", our_scores))
        rows.append((name, "baseline", base_scores))
        all_misses[name] = misses

    texts = [case.text for cases in sets.values() for case in cases]
    p50, p95, worst = latency(texts)
    letter = LETTER * 9  # about 2,000 characters
    letter_p50, _, letter_worst = latency([letter], repeats=20)

    concepts = default_concepts()
    forms = sum(len(concept.forms) for concept in concepts)
    lines = [
        "# Finder quality: understanding (need hit rates, crisis safety) against the taxonomy-words baseline",
        "",
        f"Command: `.venv/bin/python bench/finder_quality.py` — run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, "
        f"Python {platform.python_version()}, load average at start {load:.2f}.",
        f"Lexicon: {len(concepts)} concepts, {forms} forms (`tsunagari/finder/data/lexicon.tsv`).",
        "",
        "Targets (issue 4 §7): top-3 ≥ 0.95, crisis recall 1.0, false alarms ≤ 3%.",
        "",
        "| set | finder | cases | top-1 | top-3 | crisis recall | false alarms |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, finder, s in rows:
        lines.append(
            f"| {name} | {finder} | {s.cases} | {s.top1:.3f} | {s.top3:.3f} | {s.recall:.3f} ({s.crisis_cases}) "
            f"| {s.false_alarm_rate:.1%} ({s.false_alarms}/{s.non_crisis_cases}) |"
        )
    lines += [
        "",
        "- dev: `../shared/finder/dev-cases.jsonl`. held-out: `tests/finder/data/heldout.jsonl`, 270 utterances",
        "  written before the lexicon existed. fresh: `tests/finder/data/fresh.jsonl`, 129 more, written after the",
        "  first tuning round and run once before any change it could inform.",
        "- In brackets: the crisis cases; the flagged and the scored non-crisis cases.",
        f"- {FIRST_RUNS}",
        "",
        "## Latency of `understand()` (warm, this machine)",
        "",
        f"- every dev, held-out and fresh text, 5 rounds ({len(texts) * 5} calls): p50 {p50:.2f} ms, p95 {p95:.2f} ms, "
        f"max {worst:.2f} ms",
        f"- a {len(letter):,}-character letter, 20 rounds: p50 {letter_p50:.1f} ms, max {letter_worst:.1f} ms",
        f"- first call in a process (loads Sudachi's dictionary and compiles the lexicon): {warmup_ms:.0f} ms",
        "",
        "## Misses (ours)",
        "",
    ]
    for name, misses in all_misses.items():
        lines.append(f"{name}: {len(misses) or 'none'}")
        for case, needs, crisis in misses:
            lines.append(
                f"- 「{case.text}」 expected {sorted(case.needs)} crisis={case.crisis}; got {needs} crisis={crisis}"
            )
        lines.append("")
    report = "\n".join(lines).rstrip() + "\n"
    print(report)
    if not args.no_write:
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(report, encoding="utf-8")
        print(f"wrote {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
