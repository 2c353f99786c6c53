"""Load prefectures and municipalities from the くらし支援ナビ open data (municipalities.csv)."""

from __future__ import annotations

import csv
from pathlib import Path

from django.db import transaction

from .models import Municipality, Prefecture


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


@transaction.atomic
def load_areas(folder: Path) -> tuple[int, int]:
    """Upsert the 47 prefectures and every municipality; returns how many of each were loaded."""
    prefectures = [
        Prefecture(code=row["code"].zfill(2), name=row["name"], kana=row["nameKana"])
        for row in read_csv(folder / "prefectures.csv")
    ]
    Prefecture.objects.bulk_create(
        prefectures, update_conflicts=True, unique_fields=["code"], update_fields=["name", "kana"]
    )
    municipalities = [
        Municipality(
            code=row["municipalityCode"],
            prefecture_id=row["prefectureCode"].zfill(2),
            name=row["name"],
            kana=row["nameKana"],
            kind=row["municipalityType"],
            official_url=row["officialUrl"],
        )
        for row in read_csv(folder / "municipalities.csv")
    ]
    Municipality.objects.bulk_create(
        municipalities,
        update_conflicts=True,
        unique_fields=["code"],
        update_fields=["prefecture", "name", "kana", "kind", "official_url"],
    )
    return len(prefectures), len(municipalities)
