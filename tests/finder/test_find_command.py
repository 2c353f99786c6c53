"""`python -m tsunagari find`: one JSON object a line in the shape issue 4 §6 gives."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from tests.finder.test_ranking import windows  # noqa: F401
from tsunagari.finder.models import NeedDailyCount

pytestmark = pytest.mark.django_db


def run(*args: str) -> list[dict[str, Any]]:
    out = io.StringIO()
    call_command("find", *args, stdout=out)
    return [json.loads(line) for line in out.getvalue().splitlines()]


def test_it_prints_the_understanding_and_the_windows(kamakura: Any, windows: Any) -> None:  # noqa: F811
    [row] = run("母の介護で仕事をやめるしかないかも", "--platform", "kamakura", "--json")
    assert set(row) == {"text", "crisis", "crisis_kind", "needs", "results"}
    assert row["text"] == "母の介護で仕事をやめるしかないかも"
    assert row["crisis"] is False and row["crisis_kind"] is None
    assert row["needs"][0]["code"] == "caregiving" and 0 < row["needs"][0]["score"] <= 1
    assert row["results"] and set(row["results"][0]) == {"id", "name", "needs", "why"}
    assert {"caregiving", "work"} & set(row["results"][0]["needs"])
    assert NeedDailyCount.objects.count() == 0


def test_batch_reads_jsonl_and_writes_one_line_each(tmp_path: Path, national: Any) -> None:
    batch = tmp_path / "cases.jsonl"
    batch.write_text('{"text": "死にたいです"}\n\n{"text": "お金がない"}\n', encoding="utf-8")
    rows = run("--batch", str(batch))
    assert [row["crisis"] for row in rows] == [True, False]
    assert rows[0]["crisis_kind"] == "suicide"


def test_it_refuses_a_bad_batch_line(tmp_path: Path, national: Any) -> None:
    batch = tmp_path / "bad.jsonl"
    batch.write_text("not json\n", encoding="utf-8")
    with pytest.raises(CommandError, match="line 1"):
        run("--batch", str(batch))
