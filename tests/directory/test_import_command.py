"""`python -m tsunagari import`: what it prints, and that it fails loudly when nothing was imported."""

from __future__ import annotations

from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from tsunagari.directory.models import ImportRun, Service

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "import"


def run(*args: str) -> str:
    out = StringIO()
    call_command("import", *args, stdout=out, no_color=True)
    return out.getvalue()


def test_it_prints_a_japanese_summary_of_what_it_did(kamakura: Any, unscoped: None) -> None:
    output = run(str(FIXTURES / "csv" / "services-ok.csv"), "--platform", "kamakura")
    assert (
        "つながりの一括登録CSV（日本語の見出し） を 鎌倉市つながりプラットフォーム（kamakura）に取り込みました"
        in output
    )
    assert "読み込んだ行: 3 件" in output
    assert "新規" in output and "変更なし" in output
    assert "受付時間: 曜日と時刻に直せた 3 件、直せなかった 0 件（文章のまま表示）、記載なし 0 件" in output
    assert f"記録: ImportRun #{ImportRun.objects.get().pk}" in output
    assert Service.objects.count() == 3


def test_a_second_run_says_nothing_changed(kamakura: Any, unscoped: None) -> None:
    run(str(FIXTURES / "csv" / "services-ok.csv"), "--platform", "kamakura")
    output = run(str(FIXTURES / "csv" / "services-ok.csv"), "--platform", "kamakura")
    assert "前回の取り込みから変わったところはありませんでした" in output


def test_problems_are_listed_with_row_and_column_and_the_command_fails(kamakura: Any, unscoped: None) -> None:
    out = StringIO()
    with pytest.raises(CommandError, match="問題が 11 件あったため、何も取り込みませんでした"):
        call_command("import", str(FIXTURES / "csv" / "services-broken.csv"), "--platform", "kamakura", stdout=out)
    output = out.getvalue()
    assert "services-broken.csv 3行目 列「郵便番号」: 郵便番号は7桁の数字で書いてください（例: 248-8686）。" in output
    assert "services-broken.csv 5行目 列「ID」" in output
    assert not Service.objects.exists()


def test_skip_invalid_lists_the_skipped_rows(kamakura: Any, unscoped: None) -> None:
    output = run(str(FIXTURES / "csv" / "services-broken.csv"), "--platform", "kamakura", "--skip-invalid")
    assert "飛ばした行 3 件" in output
    assert "services-broken.csv 4行目" in output
    assert Service.objects.count() == 2


def test_the_national_data_is_the_default_and_the_output_says_so(national: Any, unscoped: None) -> None:
    output = run(str(FIXTURES / "cpsvj" / "cpsvj-plain.csv"))
    assert "--platform を指定しなかったので、取り込み先は全国の公開データ（zenkoku）です。" in output


def test_an_unknown_platform_fails_with_the_list_of_platforms(kamakura: Any) -> None:
    with pytest.raises(CommandError, match=r"指定できるのは.*kamakura"):
        run(str(FIXTURES / "csv" / "services-ok.csv"), "--platform", "nowhere")


def test_an_unknown_file_fails_with_advice(tmp_path: Path) -> None:
    path = tmp_path / "list.csv"
    path.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(CommandError, match="形式が分かりません"):
        run(str(path))


def test_a_dry_run_says_so_and_writes_nothing(kamakura: Any, unscoped: None) -> None:
    output = run(str(FIXTURES / "csv" / "services-ok.csv"), "--platform", "kamakura", "--dry-run")
    assert "確認のみ（書き込んでいません）" in output
    assert not Service.objects.exists()


def test_the_kurashi_navi_summary_counts_hours_and_areas(unscoped: None, areas: None) -> None:
    output = run(str(FIXTURES / "kurashi-navi-synthetic"))
    assert "読み込んだ行: 8 件" in output
    assert "受付時間: 曜日と時刻に直せた" in output
    assert "対象地域: 市区町村 5 件、都道府県 3 件、市区町村を特定できず都道府県にした 0 件" in output
    assert "要確認（review_required）" in output


def test_skipping_every_row_still_fails(kamakura: Any, tmp_path: Path) -> None:
    path = tmp_path / "all-bad.csv"
    path.write_text("団体名,窓口・サービス名,郵便番号\n鎌倉市,相談窓口,12345\n", encoding="utf-8")
    with pytest.raises(CommandError, match="すべての行に問題があった"):
        run(str(path), "--platform", "kamakura", "--skip-invalid")
