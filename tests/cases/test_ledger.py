"""Issue 11 item 9: a case ledger kept in Excel in (all or nothing, errors by row and column) and out."""

from __future__ import annotations

import csv
import datetime
import io
import os
import stat
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tsunagari.audit.models import AuditEvent
from tsunagari.cases import actions
from tsunagari.cases.ledger import LedgerInvalid, import_ledger
from tsunagari.cases.models import Consent, Person
from tsunagari.tenancy.scoping import scopes_disabled

pytestmark = pytest.mark.django_db

TEMPLATE = Path(__file__).resolve().parents[2] / "docs" / "templates" / "cases-ledger-template.csv"
HEADER = "受付日,氏名,ふりがな,生年月日,電話番号,住所,相談内容"
GOOD = "2026-04-01,見本 太郎,みほん たろう,昭和25年4月1日,0467-00-0000,鎌倉市御成町0-0,外出が減った"


def write(tmp_path: Path, text: str, *, encoding: str = "utf-8", name: str = "ledger.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def run_import(path: Path, organisation: Any, platform: str = "kamakura") -> str:
    out = io.StringIO()
    call_command("import_cases", str(path), platform=platform, organisation=str(organisation.pk), stdout=out)
    return out.getvalue()


def problems_of(path: Path, platform: Any, organisation: Any) -> list[str]:
    with scopes_disabled(), pytest.raises(LedgerInvalid) as caught:
        import_ledger(path, platform=platform, organization=organisation)
    return [str(problem) for problem in caught.value.problems]


def persons() -> list[Person]:
    with scopes_disabled():
        return list(Person.objects.order_by("pk"))


def test_the_template_imports_with_wareki_and_western_dates(kamakura: Any, kamakura_council: Any) -> None:
    output = run_import(TEMPLATE, kamakura_council)
    assert "2 人" in output
    taro, hanako = persons()
    assert (taro.name, taro.kana, taro.birth_date, taro.phone) == (
        "見本 太郎",
        "みほん たろう",
        datetime.date(1950, 4, 1),
        "0467-00-0000",
    )
    assert taro.received_on == datetime.date(2026, 4, 1) and taro.address.startswith("神奈川県鎌倉市")
    assert hanako.received_on == datetime.date(2026, 5, 12) and hanako.birth_date == datetime.date(1998, 7, 20)
    with scopes_disabled():
        consent = Consent.objects.get(person=taro)
        assert consent.organization_id == kamakura_council.pk and consent.given_on == datetime.date(2026, 4, 1)
        event = AuditEvent.objects.get(action="cases.persons.imported")
    assert event.changes["persons"] == 2 and "見本" not in str(event.changes) + event.object_repr


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp932"])
def test_utf8_with_or_without_bom_and_shift_jis_are_read(
    tmp_path: Path, kamakura: Any, kamakura_council: Any, encoding: str
) -> None:
    # 髙 and ① exist only in cp932 (Microsoft's Shift_JIS), what Excel in Japan writes.
    path = write(tmp_path, f"{HEADER}\r\n2026-04-01,髙橋 一郎,たかはし いちろう,S10.1.2,,,①玄関\r\n", encoding=encoding)
    run_import(path, kamakura_council)
    (person,) = persons()
    assert person.name == "髙橋 一郎" and person.note == "①玄関" and person.birth_date == datetime.date(1935, 1, 2)


def test_an_excel_workbook_is_read_with_its_dates_and_a_phone_typed_as_a_number(
    tmp_path: Path, kamakura: Any, kamakura_council: Any
) -> None:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append([*HEADER.split(","), "担当者"])
    sheet.append(
        [
            datetime.datetime(2026, 4, 1),
            "見本 次郎",
            "ミホン ジロウ",
            datetime.datetime(1948, 2, 3),
            467000000,
            "",
            "",
            "佐藤",
        ]
    )
    path = tmp_path / "ledger.xlsx"
    workbook.save(path)
    output = run_import(path, kamakura_council)
    assert "読み飛ばした列: 担当者" in output
    (person,) = persons()
    assert person.birth_date == datetime.date(1948, 2, 3) and person.received_on == datetime.date(2026, 4, 1)
    assert person.phone == "0467000000" and person.kana == "ミホン ジロウ"


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        (
            "2026-04-01,見本 太郎,,1950年13月1日,,,",
            "2行目の「生年月日」: 日付として読めません（例: 1950-04-01 または 昭和25年4月1日）。",
        ),
        (
            "2026-04-01,見本 太郎,,昭和64年1月8日,,,",  # 平成 had begun the day before
            "2行目の「生年月日」: 日付として読めません（例: 1950-04-01 または 昭和25年4月1日）。",
        ),
        (
            "2026-04-01,見本 太郎,,2199-01-01,,,",
            "2行目の「生年月日」: 未来の日付です。年（和暦なら元号）を確かめてください。",
        ),
        ("2026-04-01,見本 太郎,,1850-01-01,,,", "2行目の「生年月日」: 1900年より前の日付です。"),
        ("きのう,見本 太郎,,1950-04-01,,,", "2行目の「受付日」: 日付として読めません"),
        ("2026-04-01,,,1950-04-01,,,", "2行目の「氏名」: 空です。氏名は必ず書いてください。"),
        ("2026-04-01," + "長" * 101 + ",,1950-04-01,,,", "2行目の「氏名」: 長すぎます（100文字まで）。"),
        ("2026-04-01,見本 太郎,見本,1950-04-01,,,", "2行目の「ふりがな」: ひらがなかカタカナで書いてください"),
        ("2026-04-01,見本 太郎,,1950-04-01,でんわ,,", "2行目の「電話番号」: 電話番号として読めません。"),
        ("2026-04-01,見本 太郎,,1950-04-01,0467,,", "2行目の「電話番号」: 電話番号として読めません。"),
    ],
)
def test_each_bad_value_is_named_by_row_and_column_and_nothing_is_stored(
    tmp_path: Path, kamakura: Any, kamakura_council: Any, row: str, expected: str
) -> None:
    path = write(tmp_path, f"{HEADER}\n{row}\n")
    (problem,) = problems_of(path, kamakura, kamakura_council)
    assert problem.startswith(expected)
    assert persons() == []


def test_one_bad_row_after_good_ones_stores_nothing_and_every_problem_is_listed(
    tmp_path: Path, kamakura: Any, kamakura_council: Any
) -> None:
    path = write(
        tmp_path,
        f"{HEADER}\n{GOOD}\n2026-04-02,見本 次郎,,1951-01-01,,,\n\n2026-04-03,見本 三郎,,S26.2.30,abc,,\n",
    )
    with pytest.raises(CommandError, match="直すところが 2 件あります。何も保存していません。"):
        run_import(path, kamakura_council)
    assert persons() == []
    # Blank rows do not shift the numbering: row 5 is what the spreadsheet shows as row 5.
    assert problems_of(path, kamakura, kamakura_council) == [
        "5行目の「生年月日」: 日付として読めません（例: 1950-04-01 または 昭和25年4月1日）。",
        "5行目の「電話番号」: 電話番号として読めません。市外局番から数字とハイフンで書いてください（例: 0467-23-3000）。",
    ]


def test_messages_never_repeat_what_the_cell_holds(tmp_path: Path, kamakura: Any, kamakura_council: Any) -> None:
    path = write(tmp_path, f"{HEADER}\n2026-04-01,見本 太郎,ミホンTARO,生年不明,090-秘密-0000,,\n")
    problems = problems_of(path, kamakura, kamakura_council)
    assert len(problems) == 3
    for secret in ("見本", "TARO", "生年不明", "秘密"):
        assert secret not in "".join(problems)


def test_a_person_twice_in_the_file_is_caught(tmp_path: Path, kamakura: Any, kamakura_council: Any) -> None:
    # Spacing and full-width letters do not make another person (the lookup normalises them).
    path = write(tmp_path, f"{HEADER}\n{GOOD}\n2026-05-01,見本太郎,,1950/4/1,,,\n")
    assert problems_of(path, kamakura, kamakura_council) == [
        "3行目: 「氏名」と「生年月日」が2行目と同じです。同じ人なら1行にまとめ、別の人なら生年月日を確かめてください。"
    ]
    assert persons() == []


def test_a_person_already_registered_is_caught_by_the_keyed_lookup(
    tmp_path: Path, kamakura: Any, kamakura_council: Any
) -> None:
    with scopes_disabled():
        existing = actions.register_person(
            platform=kamakura, organization=kamakura_council, name="見本　太郎", birth_date=datetime.date(1950, 4, 1)
        )
    path = write(tmp_path, f"{HEADER}\n2026-04-01,見本 花子,,1950-04-01,,,\n{GOOD}\n")
    assert problems_of(path, kamakura, kamakura_council) == [
        f"3行目: 「氏名」と「生年月日」が同じ人がすでに登録されています（番号 {existing.pk}）。この行を消してください。"
    ]
    assert len(persons()) == 1


def test_the_same_name_and_birth_date_on_another_platform_is_another_person(
    tmp_path: Path, kamakura: Any, kamakura_council: Any, tottori: Any
) -> None:
    from tsunagari.directory.models import Organization

    with scopes_disabled():
        tottori_org = Organization.objects.create(platform=tottori, name="鳥取県社会福祉協議会")
        actions.register_person(
            platform=tottori, organization=tottori_org, name="見本 太郎", birth_date=datetime.date(1950, 4, 1)
        )
    run_import(write(tmp_path, f"{HEADER}\n{GOOD}\n"), kamakura_council)
    assert len(persons()) == 2


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("受付日,ふりがな,生年月日\n2026-04-01,みほん,1950-04-01\n", "1行目: 見出しに「氏名」がありません。"),
        ("氏名,氏名,生年月日\n見本,見本,1950-04-01\n", "1行目: 見出し「氏名」が2つあります。"),
        (f"{HEADER}\n", "見出しの下に行がありません。"),
    ],
)
def test_headings_are_checked(tmp_path: Path, kamakura: Any, kamakura_council: Any, text: str, expected: str) -> None:
    (problem,) = problems_of(write(tmp_path, text), kamakura, kamakura_council)
    assert problem.startswith(expected)


def test_other_spellings_of_the_headings_are_understood(tmp_path: Path, kamakura: Any, kamakura_council: Any) -> None:
    path = write(
        tmp_path, "相談日,名前,ﾌﾘｶﾞﾅ,生年月日,電話,住所,内容\n2026-04-01,見本 太郎,ﾐﾎﾝ ﾀﾛｳ,S25.4.1,0467000000,,メモ\n"
    )
    run_import(path, kamakura_council)
    (person,) = persons()
    assert (person.kana, person.phone, person.note) == ("ミホン タロウ", "0467000000", "メモ")


@pytest.mark.parametrize(
    ("content", "name", "expected"),
    [
        (b"", "ledger.csv", "ファイルが空です"),
        (b"\x82\xa0\xff\xfe\x00\x81", "ledger.csv", "文字コードを読み取れませんでした"),
        (b"\xd0\xcf\x11\xe0old excel", "ledger.xls", "古い Excel 形式（.xls）は読めません"),
        (b"PK\x03\x04not really a workbook", "ledger.xlsx", "Excel のファイルとして開けませんでした"),
    ],
)
def test_unreadable_files_are_refused_in_japanese(
    tmp_path: Path, kamakura: Any, kamakura_council: Any, content: bytes, name: str, expected: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(CommandError, match=expected):
        run_import(path, kamakura_council)


def test_the_command_names_a_missing_file_platform_or_organisation(
    tmp_path: Path, kamakura: Any, kamakura_council: Any, olga: Any
) -> None:
    with pytest.raises(CommandError, match="ファイルが見つかりません"):
        run_import(tmp_path / "none.csv", kamakura_council)
    with pytest.raises(CommandError, match="プラットフォーム「nowhere」が見つかりません"):
        run_import(TEMPLATE, kamakura_council, platform="nowhere")
    # Without --organisation the member organisations are listed, with the id to give.
    with pytest.raises(CommandError, match=f"{kamakura_council.pk}  鎌倉市社会福祉協議会"):
        call_command("import_cases", str(TEMPLATE), platform="kamakura")
    with pytest.raises(CommandError, match="団体「どこか」が見つかりません"):
        call_command("import_cases", str(TEMPLATE), platform="kamakura", organisation="どこか")
    call_command(
        "import_cases", str(TEMPLATE), platform="kamakura", organisation="鎌倉市社会福祉協議会", stdout=io.StringIO()
    )
    assert len(persons()) == 2


def test_export_writes_everything_back_decrypted_and_imports_again(
    tmp_path: Path, kamakura: Any, kamakura_council: Any, tottori: Any
) -> None:
    from tsunagari.directory.models import Organization

    run_import(TEMPLATE, kamakura_council)
    with scopes_disabled():
        actions.register_person(
            platform=kamakura,
            organization=kamakura_council,
            name='=HYPERLINK("http://evil.example")',
            birth_date=None,
            phone="+81-467-00-0000",
            note="一行目\n二行目, 「引用」",
        )
    out = tmp_path / "out.csv"
    call_command("export_cases", str(out), platform="kamakura", stdout=io.StringIO())
    assert stat.S_IMODE(os.stat(out).st_mode) == 0o600
    raw = out.read_text(encoding="utf-8")
    assert raw.startswith("\ufeff番号,受付日,氏名,ふりがな,生年月日,電話番号,住所,相談内容,登録団体")
    rows = list(csv.reader(io.StringIO(raw.removeprefix("\ufeff"))))
    assert rows[1][2:5] == ["見本 太郎", "みほん たろう", "1950-04-01"]
    assert rows[3][2] == '\'=HYPERLINK("http://evil.example")' and rows[3][5] == "'+81-467-00-0000"
    with scopes_disabled():
        event = AuditEvent.objects.get(action="cases.persons.exported")
    assert event.changes["persons"] == 3 and event.changes["file"] == str(out)

    # Round trip: the export is itself a ledger the import reads (number and organisation skipped).
    with scopes_disabled():
        tottori_org = Organization.objects.create(platform=tottori, name="鳥取県社会福祉協議会")
    output = run_import(out, tottori_org, platform="tottori-pref")
    assert "読み飛ばした列: 番号、登録団体" in output

    def values(platform: Any) -> list[tuple[Any, ...]]:
        with scopes_disabled():
            return [
                (p.received_on, p.name, p.kana, p.birth_date, p.phone, p.address, p.note)
                for p in Person.objects.filter(platform=platform).order_by("pk")
            ]

    assert values(tottori) == values(kamakura)
    assert values(tottori)[2][1] == '=HYPERLINK("http://evil.example")'


def test_export_of_one_organisation_only(tmp_path: Path, kamakura: Any, kamakura_council: Any) -> None:
    from tsunagari.directory.models import Organization

    run_import(TEMPLATE, kamakura_council)
    with scopes_disabled():
        other = Organization.objects.create(platform=kamakura, name="鎌倉子ども食堂ネットワーク")
        actions.register_person(platform=kamakura, organization=other, name="見本 三郎", birth_date=None)
    out = tmp_path / "out.csv"
    call_command("export_cases", str(out), platform="kamakura", organisation=str(other.pk), stdout=io.StringIO())
    rows = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert [row[2] for row in rows[1:]] == ["見本 三郎"]


def test_attachments_go_out_as_private_files_and_come_back_encrypted(
    tmp_path: Path, settings: Any, kamakura: Any, kamakura_council: Any, tottori: Any
) -> None:
    from tests.notices.rows import PDF, pdf
    from tsunagari.cases.ledger import attachments_folder
    from tsunagari.cases.models import PersonAttachment
    from tsunagari.directory.models import Organization

    settings.MEDIA_ROOT = tmp_path / "media"
    secret = b"%PDF-1.4\n% TARO-LETTER-91c2\n" + PDF[len(b"%PDF-1.4\n") :]
    run_import(TEMPLATE, kamakura_council)
    with scopes_disabled():
        other = Organization.objects.create(platform=kamakura, name="鎌倉子ども食堂ネットワーク")
        taro = Person.objects.order_by("pk").first()
        mine = actions.add_attachment(
            taro, pdf("見本太郎 手紙.pdf", secret), organization_id=kamakura_council.pk, actor=None
        )
        theirs = actions.add_attachment(taro, pdf("食堂の記録.pdf"), organization_id=other.pk, actor=None)
    out = tmp_path / "out.csv"
    call_command(
        "export_cases", str(out), platform="kamakura", organisation=str(kamakura_council.pk), stdout=io.StringIO()
    )
    rows = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert rows[0][-1] == "添付ファイル" and rows[2][-1] == ""
    # One organisation's export carries its own files only; the file is decrypted and private.
    (place,) = rows[1][-1].split("\n")
    assert place == f"out-attachments/{taro.pk}/{mine.pk}/見本太郎 手紙.pdf"
    written = tmp_path / place
    assert written.read_bytes() == secret and stat.S_IMODE(os.stat(written).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(attachments_folder(out)).st_mode) == 0o700
    assert not list(attachments_folder(out).rglob("食堂*")) and theirs.pk
    with scopes_disabled():
        exported = AuditEvent.objects.get(action="cases.persons.exported")
    assert exported.changes["attachments"] == 1
    # A second export to the same name would mix old and new files: refused, saying what to do.
    with pytest.raises(CommandError, match="添付ファイルの書き出し先がすでにあります"):
        call_command("export_cases", str(out), platform="kamakura", stdout=io.StringIO())

    # Round trip into another platform: the file is sealed again with the field keys, byte for byte.
    with scopes_disabled():
        tottori_org = Organization.objects.create(platform=tottori, name="鳥取県社会福祉協議会")
    output = run_import(out, tottori_org, platform="tottori-pref")
    assert "添付ファイル 1 件" in output and "読み飛ばした列: 番号、登録団体" in output
    with scopes_disabled():
        (copy,) = PersonAttachment.objects.filter(platform=tottori)
        assert copy.person.name == "見本 太郎" and copy.organization_id == tottori_org.pk
        assert copy.name == "見本太郎 手紙.pdf" and copy.content_type == "application/pdf"
        assert actions.read_attachment(copy) == secret
        imported = AuditEvent.objects.get(action="cases.persons.imported", platform=tottori)
    stored = (Path(settings.MEDIA_ROOT) / copy.blob.name).read_bytes()
    assert stored.startswith(b"gcm1:k1:") and b"TARO-LETTER" not in stored
    assert imported.changes["attachments"] == 1


def test_a_bad_attachment_stores_nothing_and_names_row_column_and_file_number(
    tmp_path: Path, settings: Any, kamakura: Any, kamakura_council: Any
) -> None:
    from tests.notices.rows import PDF

    settings.MEDIA_ROOT = tmp_path / "media"
    folder = tmp_path / "ledger"
    (folder / "files").mkdir(parents=True)
    (folder / "files" / "良い.pdf").write_bytes(PDF)
    (folder / "files" / "スクリプト.pdf").write_bytes(
        b"%PDF-1.4\n1 0 obj << /OpenAction << /JS (app.alert(1)) >> >>\nendobj\n%%EOF"
    )
    (tmp_path / "secret.txt").write_text("サーバーの秘密", encoding="utf-8")
    path = write(
        folder,
        f"{HEADER},添付ファイル\n"
        f"{GOOD},files/良い.pdf\n"
        f'2026-04-02,見本 次郎,,1951-01-01,,,,"files/良い.pdf\nfiles/スクリプト.pdf"\n'
        f"2026-04-03,見本 三郎,,1952-01-01,,,,../secret.txt\n"
        f"2026-04-04,見本 四郎,,1953-01-01,,,,{tmp_path / 'secret.txt'}\n"
        f"2026-04-05,見本 五郎,,1954-01-01,,,,files/無い.pdf\n",
    )
    problems = problems_of(path, kamakura, kamakura_council)
    assert [problem.split(":")[0] for problem in problems] == [
        "3行目の「添付ファイル」",
        "4行目の「添付ファイル」",
        "5行目の「添付ファイル」",
        "6行目の「添付ファイル」",
    ]
    assert problems[0].startswith("3行目の「添付ファイル」: 2つ目のファイル: ") and "PDF" in problems[0]
    assert "フォルダの外" in problems[1] and "フォルダの外" in problems[2]
    assert "1つ目のファイルが見つかりません" in problems[3]
    for secret in ("良い", "スクリプト", "secret", "無い"):
        assert secret not in "".join(problems)
    assert persons() == []
    assert not (tmp_path / "media").exists() or not any(p.is_file() for p in (tmp_path / "media").rglob("*"))


def test_a_failed_import_removes_the_files_it_had_sealed(
    tmp_path: Path, settings: Any, kamakura: Any, kamakura_council: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A failure after the checks (here the audit write) rolls back the rows and deletes the sealed files."""
    from tests.notices.rows import PDF
    from tsunagari.cases import ledger

    settings.MEDIA_ROOT = tmp_path / "media"
    (tmp_path / "a.pdf").write_bytes(PDF)
    path = write(tmp_path, f"{HEADER},添付ファイル\n{GOOD},a.pdf\n")

    def fail(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(ledger, "record", fail)
    with scopes_disabled(), pytest.raises(RuntimeError):
        import_ledger(path, platform=kamakura, organization=kamakura_council)
    assert persons() == []
    assert not any(p.is_file() for p in (tmp_path / "media").rglob("*"))
