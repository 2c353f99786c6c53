"""Training records: recorded by coordinators, read and exported for the programme's reporting."""

from __future__ import annotations

import csv
import datetime
import io
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from tests.spreadsheets import FORMULAS, read_export
from tsunagari.audit.models import AuditEvent
from tsunagari.lib.fiscal import fiscal_year_of
from tsunagari.programs import actions
from tsunagari.programs.models import TrainingRecord
from tsunagari.tenancy.scoping import platform_scope, scopes_disabled

pytestmark = pytest.mark.django_db


def test_fiscal_years_run_from_april() -> None:
    assert fiscal_year_of(datetime.date(2026, 3, 31)) == 2025
    assert fiscal_year_of(datetime.date(2026, 4, 1)) == 2026


def test_a_coordinator_records_a_course_for_a_person_or_a_name(
    client: Client, kamakura: Any, alice: Any, sam: Any
) -> None:
    client.force_login(alice)
    today = timezone.localdate().isoformat()
    ok = client.post(
        "/kamakura/workspace/training/new/",
        {"user": sam.pk, "course": "つながりサポーター養成講座", "completed_on": today},
    )
    assert ok.status_code == 302
    nobody = client.post("/kamakura/workspace/training/new/", {"course": "研修", "completed_on": today})
    assert nobody.status_code == 400 and nobody.context["form"].errors["attendee_name"]
    future = (timezone.localdate() + datetime.timedelta(days=3)).isoformat()
    later = client.post(
        "/kamakura/workspace/training/new/", {"attendee_name": "a", "course": "b", "completed_on": future}
    )
    assert later.status_code == 400 and later.context["form"].errors["completed_on"]
    with scopes_disabled():
        (record,) = TrainingRecord.objects.all()
        assert AuditEvent.objects.filter(action="training.recorded").exists()
    assert (record.user, record.attendee_name) == (sam, "sam")


def test_the_export_is_a_csv_for_excel_filtered_by_fiscal_year(
    client: Client, kamakura: Any, alice: Any, oscar: Any, sam: Any
) -> None:
    with platform_scope(kamakura, with_national=False):
        for day, name in ((datetime.date(2025, 3, 31), "前年度"), (datetime.date(2025, 4, 1), "今年度")):
            actions.record_training(
                kamakura,
                actor=alice,
                attendee_name=name,
                organisation="社協",
                course="つながりサポーター養成講座",
                completed_on=day,
            )
    client.force_login(oscar)  # observers read and export for the reporting, and cannot add
    response = client.get("/kamakura/workspace/training/export.csv?year=2025")
    assert response["Content-Disposition"] == 'attachment; filename="training-kamakura-2025.csv"'
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert len(rows) == 2 and rows[1][:5] == ["2025-04-01", "2025", "今年度", "社協", "つながりサポーター養成講座"]
    assert client.post("/kamakura/workspace/training/new/", {}).status_code == 403
    with scopes_disabled():
        assert AuditEvent.objects.filter(action="training.exported", actor=oscar).exists()
    client.force_login(sam)
    assert client.get("/kamakura/workspace/training/").status_code == 403


def test_the_export_defuses_every_cell_that_would_run_as_a_formula(client: Client, kamakura: Any, alice: Any) -> None:
    """Issue 10 item 15: names, organisations and courses are typed by people; Excel must show them as text."""
    with platform_scope(kamakura, with_national=False):
        for formula in FORMULAS:
            actions.record_training(
                kamakura,
                actor=alice,
                attendee_name=f"{formula}名前",
                organisation=f"{formula}団体",
                course=f"{formula}講座",
                completed_on=datetime.date(2025, 5, 1),
            )
    client.force_login(alice)
    response = client.get("/kamakura/workspace/training/export.csv")
    rows = read_export(b"".join(response.streaming_content).decode("utf-8"))
    assert len(rows) == 1 + len(FORMULAS)
    names = {row[2] for row in rows[1:]}
    # Kept in full behind the apostrophe (leading tabs and line breaks are trimmed from names on entry).
    assert '\'=HYPERLINK("http://evil.example","x")名前' in names
    assert "'@SUM(A1:A2)団体" in {row[3] for row in rows[1:]}
