"""The offline copy of the NTA's corporate number register: loading it, and checking applications against it."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from tests.membership.register_files import fictional_number, register_row, write_csv, write_zip
from tests.membership.rows import application_fields
from tsunagari.membership import actions
from tsunagari.membership import register as register_module
from tsunagari.membership.models import CorporateRegisterEntry, CorporateRegisterLoad
from tsunagari.membership.register import normalise_corporate_name
from tsunagari.tenancy.scoping import platform_scope

pytestmark = pytest.mark.django_db

NPO = fictional_number(1)
COMPANY = fictional_number(2)
CLOSED = fictional_number(3)
ABSENT = fictional_number(4)


def load(*paths: Path) -> str:
    out = io.StringIO()
    call_command("load_corporate_register", *map(str, paths), stdout=out)
    return out.getvalue()


@pytest.fixture
def register(tmp_path: Path) -> Path:
    """Two prefectures' files as downloaded: one zip, one CSV already unpacked, in one folder."""
    folder = tmp_path / "register"
    folder.mkdir()
    write_zip(
        folder / "14_kanagawa_all_20261030.zip",
        [
            register_row(
                1, NPO, "特定非営利活動法人かまくら居場所ネット", kind="399", furigana="カマクライバショネット"
            ),
            register_row(2, CLOSED, "株式会社架空商事", close_date="2025-03-31", update_date="2026-10-29"),
        ],
    )
    write_csv(
        folder / "13_tokyo_all_20261030.csv",
        [
            register_row(
                1, COMPANY, "架空サービス株式会社", prefecture="東京都", city="千代田区", update_date="2026-10-30"
            )
        ],
    )
    (folder / "readme.txt").write_text("not a register file")
    return folder


def test_it_loads_a_folder_of_zip_and_csv_files(register: Path) -> None:
    out = load(register)
    assert "2 ファイルから 3 件を読み込みました" in out and "最終更新日 2026-10-30" in out
    entry = CorporateRegisterEntry.objects.get(number=NPO)
    assert (entry.name, entry.furigana, entry.kind, entry.prefecture, entry.city, entry.latest) == (
        "特定非営利活動法人かまくら居場所ネット",
        "カマクライバショネット",
        "399",
        "神奈川県",
        "鎌倉市",
        True,
    )
    assert str(CorporateRegisterEntry.objects.get(number=CLOSED).close_date) == "2025-03-31"
    run = CorporateRegisterLoad.objects.get()
    assert run.rows == 3 and str(run.register_date) == "2026-10-30"
    assert run.files == ["13_tokyo_all_20261030.csv", "14_kanagawa_all_20261030.zip"]


def test_loading_again_replaces_the_register(register: Path, tmp_path: Path) -> None:
    load(register)
    load(write_csv(tmp_path / "new.csv", [register_row(1, ABSENT, "株式会社あたらしい")]))
    assert list(CorporateRegisterEntry.objects.values_list("number", flat=True)) == [ABSENT]
    assert CorporateRegisterLoad.objects.count() == 1


def test_a_bad_row_names_file_and_line_and_changes_nothing(
    register: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    load(register)
    monkeypatch.setattr(register_module, "BATCH_SIZE", 1)  # the good row is written before the bad one is read
    wrong = COMPANY[:-1] + str((int(COMPANY[-1]) + 1) % 10)
    rows = [register_row(1, ABSENT, "株式会社よい"), register_row(2, wrong, "株式会社わるい")]
    bad = write_csv(tmp_path / "01_hokkaido_all_20261030.csv", rows)
    with pytest.raises(CommandError) as error:
        load(bad)
    message = str(error.value)
    assert "登録は前のままです" in message
    assert f"01_hokkaido_all_20261030.csv 2行目: 法人番号「{wrong}」の検査用数字" in message
    # All or nothing: the first, good row was not kept and the old register is still there.
    assert not CorporateRegisterEntry.objects.filter(number=ABSENT).exists()
    assert CorporateRegisterEntry.objects.count() == 3


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        (register_row(1, NPO, "株式会社")[:29], "列の数が 29 です"),
        (register_row(1, NPO, " "), "商号又は名称が空です"),
        (register_row(1, NPO, "株式会社", kind="999"), "法人種別「999」"),
        (register_row(1, NPO, "株式会社", close_date="2025/03/31"), "登記記録の閉鎖等年月日「2025/03/31」"),
        (register_row(1, NPO, "株式会社", latest="2"), "最新履歴「2」"),
    ],
)
def test_it_says_what_is_wrong_with_a_row(tmp_path: Path, row: list[str], expected: str) -> None:
    path = write_csv(tmp_path / "x.csv", [register_row(1, COMPANY, "株式会社よい"), row])
    with pytest.raises(CommandError, match=re.escape(f"x.csv 2行目: {expected}")):
        load(path)
    assert not CorporateRegisterEntry.objects.exists()


def test_a_number_loaded_twice_is_refused_with_its_place(register: Path, tmp_path: Path) -> None:
    again = write_csv(tmp_path / "again.csv", [register_row(1, ABSENT, "株式会社べつ"), register_row(2, COMPANY, "x")])
    with pytest.raises(CommandError, match=re.escape(f"again.csv 2行目: 法人番号 {COMPANY} の最新の行が2回あります")):
        load(register, again)
    assert not CorporateRegisterEntry.objects.exists()


def test_an_older_record_of_a_number_is_kept_beside_the_latest(tmp_path: Path) -> None:
    rows = [register_row(1, COMPANY, "旧名株式会社", latest="0"), register_row(2, COMPANY, "新名株式会社")]
    load(write_csv(tmp_path / "diff.csv", rows))
    assert CorporateRegisterEntry.objects.filter(number=COMPANY).count() == 2


def test_a_shift_jis_file_is_refused_with_what_to_download(tmp_path: Path) -> None:
    path = tmp_path / "sjis.csv"
    path.write_bytes(",".join(register_row(1, COMPANY, "架空サービス株式会社")).encode("cp932"))
    with pytest.raises(CommandError, match=re.escape("sjis.csv 1行目: UTF-8 として読めません")):
        load(path)


def test_a_missing_path_is_named(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="ファイルもフォルダもありません"):
        load(tmp_path / "nothing-here")


@pytest.mark.parametrize(
    ("applicant", "registered"),
    [
        ("NPO法人 かまくら居場所ネット", "特定非営利活動法人かまくら居場所ネット"),
        ("（特非）かまくら居場所ネット", "特定非営利活動法人かまくら居場所ネット"),
        ("かまくら　居場所ネット", "特定非営利活動法人かまくら居場所ネット"),
        ("㈱架空商事", "株式会社架空商事"),
        ("架空商事（株）", "株式会社架空商事"),
        ("ＡＢＣサービス 株式会社", "abcサービス株式会社"),
        ("鎌倉市社会福祉協議会", "社会福祉法人鎌倉市社会福祉協議会"),
        ("(一社)ささえあい", "一般社団法人ささえあい"),
    ],
)
def test_names_match_whatever_the_legal_form_and_width(applicant: str, registered: str) -> None:
    assert normalise_corporate_name(applicant) == normalise_corporate_name(registered)


def test_different_names_do_not_match() -> None:
    assert normalise_corporate_name("株式会社架空商事") != normalise_corporate_name("株式会社架空物産")


# ---------------------------------------------------------------------------------------------
# The review page


def review(client: Client, kamakura: Any, alice: Any, **fields: Any) -> str:
    with platform_scope(kamakura, with_national=False):
        application = actions.apply_to_join(kamakura, **application_fields(**fields))
    client.force_login(alice)
    response = client.get(f"/kamakura/workspace/members/applications/{application.pk}/")
    assert response.status_code == 200
    return response.content.decode()


def test_the_review_says_the_name_matches(client: Client, kamakura: Any, alice: Any, register: Path) -> None:
    load(register)
    body = review(client, kamakura, alice, corporate_number=NPO, name="NPO法人 かまくら居場所ネット")
    assert "特定非営利活動法人かまくら居場所ネット" in body and "カマクライバショネット" in body
    assert "登録されている名称は、申請の名称と一致しています" in body
    assert "2026-10-30 時点" in body
    assert "houjin-bangou.nta.go.jp" in body


def test_the_review_warns_of_another_name(client: Client, kamakura: Any, alice: Any, register: Path) -> None:
    load(register)
    body = review(client, kamakura, alice, corporate_number=COMPANY, name="かまくら居場所ネット", kind="company")
    assert "架空サービス株式会社" in body and "東京都千代田区" in body
    assert "申請の名称（「かまくら居場所ネット」）と違います" in body
    assert "一致しています" not in body


def test_the_review_warns_of_a_closed_corporation(client: Client, kamakura: Any, alice: Any, register: Path) -> None:
    load(register)
    body = review(client, kamakura, alice, corporate_number=CLOSED, name="架空商事", kind="company")
    assert "一致しています" in body
    assert "2025-03-31 に閉鎖" in body


def test_the_review_says_a_number_is_not_in_the_register(
    client: Client, kamakura: Any, alice: Any, register: Path
) -> None:
    load(register)
    body = review(client, kamakura, alice, corporate_number=ABSENT)
    assert "この番号は、読み込んだ法人番号データにありません" in body


def test_without_the_register_the_review_says_the_name_was_not_checked(
    client: Client, kamakura: Any, alice: Any
) -> None:
    body = review(client, kamakura, alice, corporate_number=NPO)
    assert "名称は照合していません" in body
    assert f"selHouzinNo={NPO}" in body


def test_an_application_without_a_number_shows_no_register_section(
    client: Client, kamakura: Any, alice: Any, register: Path
) -> None:
    load(register)
    body = review(client, kamakura, alice, corporate_number="")
    assert "名称は照合していません" not in body and "法人番号データ" not in body
