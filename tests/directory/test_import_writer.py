"""The shared writer, through a made-up folder in the くらし支援ナビ format: changes, withdrawals, broken files."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import FIXTURES
from tsunagari.directory.importers.common import ParsedWithNotes
from tsunagari.directory.importers.records import (
    AreaRecord,
    CrisisLineRecord,
    OrganizationRecord,
    Problem,
    ServiceRecord,
    SourceInfo,
)
from tsunagari.directory.importers.run import run_import
from tsunagari.directory.importers.writer import write_records
from tsunagari.directory.models import Channel, CrisisLine, ImportRun, Organization, Service

pytestmark = pytest.mark.django_db

MINI = FIXTURES / "import" / "kurashi-navi-synthetic"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A copy of the small made-up くらし支援ナビ folder that a test may edit."""
    return Path(shutil.copytree(MINI, tmp_path / "kurashi-navi"))


def edit_offices(folder: Path, change: Any) -> None:
    """Rewrite offices.csv with `change(rows)` applied."""
    path = folder / "offices.csv"
    with path.open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        fields, rows = reader.fieldnames, list(reader)
    rows = change(rows)
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(fields or []))
        writer.writeheader()
        writer.writerows(rows)


def by_id(rows: list[dict[str, str]], source_id: str) -> dict[str, str]:
    return next(row for row in rows if row["id"] == source_id)


def test_a_changed_phone_number_updates_that_channel_and_nothing_else(folder: Path, unscoped: None) -> None:
    run_import(folder)
    other = Service.objects.get(source_id="hitachiota-legal")
    untouched = (other.modified_at, Channel.objects.get(service=other, kind="phone").modified_at)

    def new_number(rows: list[dict[str, str]]) -> list[dict[str, str]]:
        by_id(rows, "kamakura-city-general")["phone"] = "0467-00-0011"
        return rows

    edit_offices(folder, new_number)
    outcome = run_import(folder)
    assert outcome.ok
    assert outcome.counts["channels"].updated == 1
    assert outcome.counts["services"].updated == 0
    assert outcome.counts["channels"].created == outcome.counts["channels"].deleted == 0
    hall = Service.objects.get(source_id="kamakura-city-general")
    assert hall.channels.get(kind="phone").value == "0467-00-0011"
    other.refresh_from_db()
    assert (other.modified_at, Channel.objects.get(service=other, kind="phone").modified_at) == untouched
    history = Channel.history.filter(service_id=hall.pk, kind="phone").order_by("history_date")
    assert [h.history_type for h in history] == ["+", "~"]
    assert history.last().history_change_reason.startswith("取り込み: くらし支援ナビ")


def test_a_window_gone_from_the_file_is_marked_defunct_not_deleted(folder: Path, unscoped: None) -> None:
    run_import(folder)
    edit_offices(folder, lambda rows: [r for r in rows if r["id"] != "hitachiota-legal"])
    outcome = run_import(folder)
    assert outcome.counts["services"].deleted == 1
    gone = Service.objects.get(source_id="hitachiota-legal")
    assert gone.status == Service.Status.DEFUNCT
    assert not Service.objects.published().filter(pk=gone.pk).exists()
    # Back in the file, it is active again.
    shutil.copy(MINI / "offices.csv", folder / "offices.csv")
    run_import(folder)
    gone.refresh_from_db()
    assert gone.status == Service.Status.ACTIVE


def test_a_line_gone_from_the_file_is_deleted(folder: Path, unscoped: None) -> None:
    run_import(folder)
    (folder / "emergency-contacts.json").write_text("[]", encoding="utf-8")
    run_import(folder)
    assert not CrisisLine.objects.filter(dataset_id="kurashi-navi").exists()
    assert CrisisLine.history.filter(history_type="-").count() == 3


def test_a_missing_lines_file_keeps_the_lines_we_have(folder: Path, unscoped: None) -> None:
    run_import(folder)
    (folder / "emergency-contacts.json").unlink()
    outcome = run_import(folder)
    assert outcome.ok
    assert CrisisLine.objects.filter(dataset_id="kurashi-navi").count() == 3
    assert any(n.file == "emergency-contacts.json" for n in outcome.notes)


def test_a_broken_file_imports_nothing_and_says_where_and_how_to_fix_it(folder: Path, unscoped: None) -> None:
    def break_rows(rows: list[dict[str, str]]) -> list[dict[str, str]]:
        by_id(rows, "kamakura-city-general")["postalCode"] = "460-85"
        by_id(rows, "hitachiota-legal")["officialUrl"] = "hitachiota.example.jp/houritsu.html"
        return rows

    edit_offices(folder, break_rows)
    outcome = run_import(folder)
    assert not outcome.ok
    assert (
        Problem("offices.csv", 2, "postalCode", "郵便番号は7桁の数字で書いてください（例: 248-8686）。")
        in outcome.problems
    )
    assert any(p.row == 5 and p.column == "officialUrl" and "https://" in p.message for p in outcome.problems)
    assert not Service.objects.exists()
    assert not CrisisLine.objects.exists()
    run = ImportRun.objects.get(pk=outcome.run_id or 0)
    assert not run.ok
    assert {"file": "offices.csv", "row": 2, "column": "postalCode", "level": "error"}.items() <= run.problems[
        0
    ].items()


def test_skip_invalid_imports_the_good_rows_and_lists_the_skipped_ones(folder: Path, unscoped: None) -> None:
    edit_offices(
        folder, lambda rows: [{**r, "categoryId": "fishing"} if r["id"] == "hitachiota-legal" else r for r in rows]
    )
    outcome = run_import(folder, skip_invalid=True)
    assert outcome.ok
    assert outcome.skipped_rows == [("offices.csv", 5)]
    assert Service.objects.count() == 7
    assert not Service.objects.filter(source_id="hitachiota-legal").exists()
    assert any("skip" in m or "スキップ" in m for m in outcome.messages)  # no withdrawals when rows were skipped


def test_a_dry_run_checks_and_counts_but_writes_nothing(folder: Path, unscoped: None) -> None:
    outcome = run_import(folder, dry_run=True)
    assert outcome.ok and outcome.dry_run
    assert outcome.counts["services"].created == 8
    assert not Service.objects.exists()
    assert not ImportRun.objects.exists()


def test_the_writer_refuses_codes_the_database_does_not_have(national: Any, unscoped: None) -> None:
    result = ParsedWithNotes(source=SourceInfo(slug="test-writer", name="テスト"), services_file="test.csv")
    organization = OrganizationRecord(source_id="org-1", name="テスト団体")
    result.services = [
        ServiceRecord(row=2, source_id="a", organization=organization, name="正しい行", needs=["food"]),
        ServiceRecord(
            row=3,
            source_id="b",
            organization=organization,
            name="まちがった行",
            needs=["no-such-need"],
            areas=[AreaRecord(kind="municipality", municipality_code="999997")],
        ),
    ]
    outcome = write_records(result, national, skip_invalid=False, actor="pytest")
    assert not outcome.ok
    assert {(p.file, p.row, p.column) for p in outcome.problems} == {
        ("test.csv", 3, "困りごと"),
        ("test.csv", 3, "対象地域"),
    }
    assert not Service.objects.exists()
    outcome = write_records(result, national, skip_invalid=True, actor="pytest")
    assert outcome.ok
    assert list(Service.objects.values_list("source_id", flat=True)) == ["a"]


def test_a_row_the_database_refuses_after_others_were_written_leaves_nothing(national: Any, unscoped: None) -> None:
    """All or nothing past the checks (issue 10 item 12): a failure while writing undoes every row.

    The services are written before the crisis lines; the database itself refuses the line's
    negative position (a CHECK on a positive integer column on SQLite and PostgreSQL alike), which
    no check before writing looks at.
    """
    result = ParsedWithNotes(source=SourceInfo(slug="test-writer", name="テスト"), services_file="test.csv")
    organization = OrganizationRecord(source_id="org-1", name="テスト団体")
    result.services = [
        ServiceRecord(row=row, source_id=f"s{row}", organization=organization, name=f"窓口{row}", needs=["food"])
        for row in (2, 3, 4)
    ]
    result.crisis_lines = [
        CrisisLineRecord(source_id="line-1", label="テストの電話", number="0120-000-000", position=-1)
    ]
    outcome = write_records(result, national, skip_invalid=False, actor="pytest")
    assert not outcome.ok
    assert "何も取り込みませんでした" in outcome.problems[-1].message
    assert not Service.objects.exists()
    assert not Organization.objects.exists()
    assert not CrisisLine.objects.exists()
    assert outcome.counts["services"].created == 0
    # The failed run itself is recorded, for the person who looks later.
    assert ImportRun.objects.get().ok is False
