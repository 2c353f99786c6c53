"""The finder's concept lexicon: the words people use for their situation, kept as data.

`data/lexicon.tsv` is the project's own, curated list. Each row is one *concept* (a way of saying
one thing, e.g. `suicide.want_to_die`) with the need codes it points to, an optional crisis kind,
an optional hint (who is asking, how old) and its surface forms. docs/finder.md explains the
format for the staff who correct it; this module only reads and checks it, so that a bad edit
fails loudly at load time (and in the test suite) instead of silently matching nothing.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Literal

__all__ = [
    "CRISIS_KINDS",
    "LEXICON_TSV",
    "NEEDS_TSV",
    "Concept",
    "LexiconError",
    "default_concepts",
    "need_codes",
    "parse_lexicon",
    "read_lexicon",
]

# "emergency": a medical emergency happening now (an overdose already taken): 119 before anything else.
CrisisKind = Literal["suicide", "violence", "child", "emergency"]
CRISIS_KINDS: tuple[CrisisKind, ...] = ("suicide", "violence", "child", "emergency")

NEEDS_TSV = Path(__file__).resolve().parents[1] / "directory" / "data" / "needs.tsv"
LEXICON_TSV = Path(__file__).resolve().parent / "data" / "lexicon.tsv"

# Hints say something about the person, not about the need: who is asking and how old they are.
HINTS: dict[str, frozenset[str]] = {
    "asker": frozenset({"self", "family", "professional"}),
    "age": frozenset({"child", "youth", "adult", "elderly"}),
}

_CONCEPT_ID = re.compile(r"[a-z0-9_]+(?:\.[a-z0-9_]+)+")
_GAP = "~"


class LexiconError(ValueError):
    """A lexicon row that cannot be used; the message names the file and line."""


@dataclass(frozen=True)
class Concept:
    """One thing people say, in all the ways they say it, and where it leads."""

    id: str
    needs: tuple[tuple[str, float], ...]
    crisis: CrisisKind | None
    # A weak crisis signal (「もう疲れた」「楽になりたい」) raises the alarm only when nothing else
    # explains it or another risk signal comes with it; see understanding._decide_crisis.
    weak: bool
    hint: tuple[str, str] | None
    forms: tuple[str, ...]
    source: str

    @property
    def neutral(self) -> bool:
        """True for idioms such as 死ぬほど that exist only to swallow the words inside them."""
        return not self.needs and self.crisis is None and self.hint is None


@cache
def need_codes(path: Path = NEEDS_TSV) -> tuple[str, ...]:
    """The project's need codes, in taxonomy order (the order breaks ties between equal scores)."""
    with path.open(encoding="utf-8", newline="") as f:
        return tuple(row["code"] for row in csv.DictReader(f, delimiter="\t"))


def read_lexicon(path: Path, codes: Iterable[str] | None = None) -> list[Concept]:
    """The concepts of one lexicon file, checked against the need codes."""
    return parse_lexicon(path.read_text(encoding="utf-8"), source=path.name, codes=codes)


@cache
def default_concepts() -> tuple[Concept, ...]:
    """The project's lexicon, read once per process."""
    return tuple(read_lexicon(LEXICON_TSV))


def parse_lexicon(text: str, *, source: str = "lexicon", codes: Iterable[str] | None = None) -> list[Concept]:
    """Concepts from lexicon text: `concept<TAB>needs<TAB>crisis<TAB>hint<TAB>forms`, `#` comments."""
    known = set(need_codes() if codes is None else codes)
    concepts: list[Concept] = []
    seen: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        where = f"{source}:{number}"
        cells = line.split("\t")
        if len(cells) != 5:
            raise LexiconError(f"{where}: expected 5 tab-separated columns, found {len(cells)}")
        concept_id, needs_cell, crisis_cell, hint_cell, forms_cell = (cell.strip() for cell in cells)
        if not _CONCEPT_ID.fullmatch(concept_id):
            raise LexiconError(f"{where}: concept id {concept_id!r} must look like need.short_name")
        if concept_id in seen:
            raise LexiconError(f"{where}: concept {concept_id} is already defined at {seen[concept_id]}")
        seen[concept_id] = where
        crisis, weak = _parse_crisis(crisis_cell, where)
        forms = tuple(form.strip() for form in forms_cell.split("|") if form.strip())
        if not forms:
            raise LexiconError(f"{where}: concept {concept_id} has no forms")
        for form in forms:
            if form.startswith(_GAP) or form.endswith(_GAP) or _GAP * 2 in form:
                raise LexiconError(f"{where}: form {form!r} has an empty side around {_GAP}")
        concepts.append(
            Concept(
                id=concept_id,
                needs=_parse_needs(needs_cell, known, where),
                crisis=crisis,
                weak=weak,
                hint=_parse_hint(hint_cell, where),
                forms=forms,
                source=where,
            )
        )
    return concepts


def _parse_needs(cell: str, known: set[str], where: str) -> tuple[tuple[str, float], ...]:
    needs: list[tuple[str, float]] = []
    for item in cell.split():
        code, _, weight_text = item.partition(":")
        if code not in known:
            raise LexiconError(f"{where}: unknown need code {code!r}")
        try:
            weight = float(weight_text) if weight_text else 1.0
        except ValueError:
            raise LexiconError(f"{where}: weight {weight_text!r} of {code} is not a number") from None
        if not 0 < weight <= 3:
            raise LexiconError(f"{where}: weight of {code} must be in (0, 3], found {weight}")
        needs.append((code, weight))
    return tuple(needs)


def _parse_crisis(cell: str, where: str) -> tuple[CrisisKind | None, bool]:
    if not cell:
        return None, False
    weak = cell.endswith("?")
    kind = cell.rstrip("?")
    for known in CRISIS_KINDS:
        if kind == known:
            return known, weak
    raise LexiconError(f"{where}: crisis kind must be one of {', '.join(CRISIS_KINDS)} (or with ?), found {cell!r}")


def _parse_hint(cell: str, where: str) -> tuple[str, str] | None:
    if not cell:
        return None
    name, _, value = cell.partition("=")
    if value not in HINTS.get(name, ()):
        raise LexiconError(f"{where}: hint must be asker=self|family|professional or age=child|youth|adult|elderly")
    return name, value
