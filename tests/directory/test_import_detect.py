"""Telling the format from what is inside the file or folder, and refusing clearly when unknown."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from tests.conftest import DATASETS, HSDS, KURASHI, shared_data
from tsunagari.directory.importers.common import ImportFailed, read_table
from tsunagari.directory.importers.detect import detect_format
from tsunagari.directory.importers.run import resolve_platform, run_import

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "import"
TEMPLATE = Path(settings.BASE_DIR) / "docs" / "templates" / "services-template.csv"


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        (KURASHI, "kurashi-navi"),
        (KURASHI / "offices.csv", "kurashi-navi"),
        (FIXTURES / "kurashi-navi-synthetic", "kurashi-navi"),
        (HSDS, "hsds"),
        (HSDS / "datapackage.json", "hsds"),
        (TEMPLATE, "csv"),
        (FIXTURES / "csv" / "services-sjis.csv", "csv"),
        (FIXTURES / "csv" / "services-missing-column.csv", "csv"),
        (FIXTURES / "cpsvj" / "cpsvj-plain.csv", "cpsvj"),
        (FIXTURES / "cpsvj" / "cpsvj-with-labels.csv", "cpsvj"),
        (FIXTURES / "cpsvj" / "cpsvj-japanese-header.csv", "cpsvj"),
    ],
)
def test_the_format_is_told_from_the_contents(path: Path, expected: str) -> None:
    if path.is_relative_to(DATASETS):
        shared_data(path)
    assert detect_format(path) == expected


def test_an_unknown_csv_is_refused_with_what_was_expected(tmp_path: Path) -> None:
    path = tmp_path / "meibo.csv"
    path.write_text("氏名,住所\n山田太郎,鎌倉市\n", encoding="utf-8")
    with pytest.raises(ImportFailed, match="形式が分かりません") as caught:
        detect_format(path)
    assert "--format" in str(caught.value)


def test_an_unknown_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ImportFailed, match=r"offices\.csv"):
        detect_format(tmp_path)


def test_a_missing_path_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ImportFailed, match="見つかりません"):
        run_import(tmp_path / "nothing.csv")


def test_an_excel_workbook_gets_advice_to_save_as_csv(tmp_path: Path) -> None:
    path = tmp_path / "services.xlsx"
    path.write_bytes(b"PK\x03\x04" + b"\x00" * 100)
    with pytest.raises(ImportFailed, match="CSV UTF-8"):
        detect_format(path)


def test_tab_separated_utf16_from_excel_is_read(tmp_path: Path) -> None:
    path = tmp_path / "services.txt"
    path.write_bytes("団体名\t窓口・サービス名\r\n鎌倉市\t市民相談\r\n".encode("utf-16"))
    table = read_table(path)
    assert (table.encoding, table.header, table.rows) == (
        "utf-16",
        ["団体名", "窓口・サービス名"],
        [(2, ["鎌倉市", "市民相談"])],
    )


@pytest.mark.django_db
def test_an_unknown_platform_is_refused_with_the_valid_ones(kamakura: Any, tottori: Any) -> None:
    with pytest.raises(ImportFailed) as caught:
        resolve_platform("kamakura-city")
    assert "プラットフォーム「kamakura-city」はありません" in str(caught.value)
    assert "kamakura" in str(caught.value) and "tottori-pref" in str(caught.value)
