"""The project's own vocabularies (needs, target groups, attributes), kept as data in `data/`."""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path

from django.utils.translation import get_language

from .models import ATTRIBUTES, NEEDS, TARGETS, Taxonomy, TaxonomyTerm, stable_id

DATA = Path(__file__).resolve().parent / "data"

TAXONOMIES = {
    NEEDS: ("困りごと（ニーズ）", "住民の困りごとの分類。つながりのファインダーが使うコード。", "needs.tsv"),
    TARGETS: ("対象", "誰のための支援か。", "targets.tsv"),
    ATTRIBUTES: ("特徴", "24時間・匿名・無料など、相談のしやすさ。", "attributes.tsv"),
}


def read_terms(filename: str) -> list[dict[str, str]]:
    with (DATA / filename).open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f, delimiter="\t"))


def term_label(row: dict[str, str]) -> str:
    """A term's label in the language of the page: English where the row has one, else Japanese."""
    if (get_language() or "ja").startswith("en") and row.get("label_en"):
        return row["label_en"]
    return row["label_ja"]


@cache
def term_rows(filename: str) -> tuple[dict[str, str], ...]:
    """The rows of a vocabulary file, read once per process (the files change only with the code)."""
    return tuple(read_terms(filename))


@cache
def need_codes() -> frozenset[str]:
    return frozenset(row["code"] for row in read_terms("needs.tsv"))


def ensure_taxonomies() -> None:
    """Create or update the project's taxonomies and terms; safe to run any number of times."""
    for taxonomy_id, (name, description, filename) in TAXONOMIES.items():
        Taxonomy.objects.update_or_create(
            id=taxonomy_id, defaults={"name": name, "description": description, "version": "1"}
        )
        for position, row in enumerate(read_terms(filename)):
            TaxonomyTerm.objects.update_or_create(
                id=stable_id("term", taxonomy_id, row["code"]),
                defaults={
                    "taxonomy_id": taxonomy_id,
                    "code": row["code"],
                    "name": row["label_ja"],
                    "description": row["scope_ja"],
                    "position": position,
                },
            )


def term_ids(taxonomy_id: str) -> dict[str, object]:
    """Code → term id for one taxonomy (terms have stable ids, so no query is needed)."""
    _name, _description, filename = TAXONOMIES[taxonomy_id]
    return {row["code"]: stable_id("term", taxonomy_id, row["code"]) for row in read_terms(filename)}
