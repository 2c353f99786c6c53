"""Support programmes (制度) from くらし支援ナビ's programs.csv and municipality-programs.csv."""

from __future__ import annotations

import csv
import datetime
import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import FIXTURES
from tsunagari.directory.importers.records import Problem
from tsunagari.directory.importers.run import run_import
from tsunagari.directory.models import Organization, Service, ServiceProgram, SupportProgram

pytestmark = pytest.mark.django_db

MINI = FIXTURES / "import" / "kurashi-navi-synthetic"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return Path(shutil.copytree(MINI, tmp_path / "kurashi-navi"))


def edit(folder: Path, name: str, change: Any) -> None:
    path = folder / name
    with path.open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        fields, rows = reader.fieldnames, list(reader)
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(fields or []))
        writer.writeheader()
        writer.writerows(change(rows))


def test_programmes_and_the_windows_that_handle_them_are_imported(folder: Path, unscoped: None) -> None:
    outcome = run_import(folder, actor="pytest")
    assert outcome.ok, outcome.problems
    assert outcome.counts["programs"].created == 3
    assert outcome.counts["program_links"].created == 2
    livelihood = SupportProgram.objects.get(source_id="test-livelihood")
    assert livelihood.platform.is_national
    assert livelihood.scope == SupportProgram.Scope.NATIONAL
    assert livelihood.need == "money"  # categoryId, read as for windows
    assert livelihood.documents_optional_note == "書類がそろっていなくても、まず相談できます（テスト）。"
    assert livelihood.repayment_required is False
    assert (livelihood.source_publisher, livelihood.source_url) == (
        "厚生労働省",
        "https://mhlw.example.jp/seikatsuhogo.html",
    )
    assert livelihood.last_verified_on == datetime.date(2026, 7, 1)
    assert livelihood.organization is not None and livelihood.organization.name == "厚生労働省"
    # municipality-programs.csv: the city's own name for it, at the window it names.
    [link] = livelihood.links.all()
    assert link.service.source_id == "kamakura-city-general"
    assert (link.local_name, link.is_local_link) == ("鎌倉市の生活保護（テスト）", True)
    assert link.last_verified_on == datetime.date(2026, 7, 2)
    # programs.csv officeId: a municipal programme at its window, under the city's organisation.
    rent = SupportProgram.objects.get(source_id="kamakura-rent-benefit")
    assert rent.municipality_id == "142042"
    assert rent.organization == Service.objects.get(source_id="kamakura-housing-benefit").organization
    assert [s.source_id for s in Service.objects.filter(program_links__program=rent)] == ["kamakura-housing-benefit"]
    # A national programme no window names stays without links.
    assert not SupportProgram.objects.get(source_id="test-self-reliance").links.exists()


def test_importing_again_changes_nothing_and_a_dropped_programme_is_withdrawn(folder: Path, unscoped: None) -> None:
    run_import(folder)
    counts = (SupportProgram.objects.count(), ServiceProgram.objects.count(), SupportProgram.history.count())
    again = run_import(folder)
    assert again.ok and not again.changed
    assert (SupportProgram.objects.count(), ServiceProgram.objects.count(), SupportProgram.history.count()) == counts
    edit(folder, "programs.csv", lambda rows: [r for r in rows if r["id"] != "kamakura-rent-benefit"])
    edit(folder, "municipality-programs.csv", lambda rows: [])
    outcome = run_import(folder)
    assert outcome.counts["programs"].deleted == 1
    assert SupportProgram.objects.get(source_id="kamakura-rent-benefit").status == Service.Status.DEFUNCT
    assert outcome.counts["program_links"].deleted == 2
    assert not ServiceProgram.objects.exists()


def test_a_bad_programme_row_imports_nothing_and_says_where(folder: Path, unscoped: None) -> None:
    def break_rows(rows: list[dict[str, str]]) -> list[dict[str, str]]:
        rows[2]["officeId"] = "no-such-window"
        rows[1]["supportType"] = "gift"
        return rows

    edit(folder, "programs.csv", break_rows)
    edit(
        folder,
        "municipality-programs.csv",
        lambda rows: [{**r, "programId": "no-such-programme"} for r in rows],
    )
    outcome = run_import(folder)
    assert not outcome.ok
    assert (
        Problem(
            "programs.csv",
            4,
            "officeId",
            "窓口「no-such-window」が offices.csv にありません。窓口の id を確かめてください。",
        )
        in outcome.problems
    )
    assert any(p.file == "programs.csv" and p.row == 3 and p.column == "supportType" for p in outcome.problems)
    assert any(
        p.file == "municipality-programs.csv" and p.row == 2 and "no-such-programme" in p.message
        for p in outcome.problems
    )
    # All or nothing with the rest of the folder: not even the good windows went in.
    assert not Service.objects.exists()
    assert not SupportProgram.objects.exists()
    assert not Organization.objects.exists()
