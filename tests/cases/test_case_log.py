"""The case log (issue 11 item 7): every case URL is logged; the chain shows an edit, a deletion, a cut.

Also the database's own refusal of UPDATE and DELETE, and the disclosure export.
"""

from __future__ import annotations

import json
import time
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.test import Client

from tests.cases.walk import case_patterns, case_urls, concern_patterns, concern_urls, request
from tsunagari.cases import caselog
from tsunagari.cases.models import CaseLogEntry, Person, ProvisionRecord
from tsunagari.councils.models import Concern
from tsunagari.tenancy.scoping import scopes_disabled

pytestmark = pytest.mark.django_db


def entries(**filters: Any) -> list[CaseLogEntry]:
    with scopes_disabled():
        return list(CaseLogEntry.objects.filter(**filters).order_by("seq"))


def test_every_case_view_goes_through_the_logging_wrapper() -> None:
    unlogged = [p.name for p in case_patterns() if not getattr(p.callback, "case_logged", False)]
    assert not unlogged, f"case URLs whose view is not a @case_view: {unlogged}"
    unlogged = [p.name for p in concern_patterns() if not getattr(p.callback, "case_logged", False)]
    assert not unlogged, f"concern URLs whose view is not a @triage_view: {unlogged}"


def test_walking_every_case_url_leaves_each_in_the_log(
    client: Client,
    olga: Any,
    alice: Any,
    kamakura: Any,
    kamakura_council: Any,
    case_rows: dict[str, Any],
    council_rows: dict[str, Any],
    tmp_path: Path,
) -> None:
    client.force_login(olga)
    walked = case_urls(case_rows)
    assert len(walked) >= 18
    for name, path in walked:
        before = len(entries(url_name=name))
        response = request(client, path, case_rows)
        assert response.status_code in (200, 302), (name, response.status_code)
        assert "no-store" in response["Cache-Control"], name
        logged = entries(url_name=name)
        assert len(logged) == before + 1, f"{name} ({path}) is not in the case log"
        assert logged[-1].actor_id == olga.pk and logged[-1].path == path
    # Pages about the person name her in the log (by id); the names never appear in it.
    person_pages = set()
    for entry in entries(platform=kamakura):
        if entry.url_name in ("case-person", "case-person-disclosure", "case-meeting", "case-referral"):
            person_pages.add(entry.url_name)
            assert entry.persons == [case_rows["person"].pk], entry.url_name
        assert "花子" not in json.dumps(entry.detail, ensure_ascii=False) + entry.path
    assert person_pages == {"case-person", "case-person-disclosure", "case-meeting", "case-referral"}

    # The concern pages: what supporters wrote about someone, opened and moved by the coordinator.
    concern = council_rows["concern"]
    client.force_login(alice)
    walked = [(name, path) for name, path in concern_urls(concern) if name != "concern-handed"]
    assert {name for name, _path in walked} == {"concerns", "concern", "concern-move"}
    for name, path in walked:
        before = len(entries(url_name=name))
        response = client.post(path, {"to": "triaged"}) if name == "concern-move" else client.get(path)
        assert response.status_code in (200, 302), (name, response.status_code)
        logged = entries(url_name=name)
        assert len(logged) == before + 1, f"{name} ({path}) is not in the case log"
        assert logged[-1].actor_id == alice.pk and logged[-1].path == path
        if name != "concerns":
            assert logged[-1].detail == {"ids": {"concern_id": concern.pk}}
    assert entries(url_name="concern-move")[-1].action == caselog.CHANGE
    # Handed to Olga's council: the hand-over is a share in the log, and her reading it a view.
    client.post(f"/kamakura/workspace/concerns/{concern.pk}/move/", {"to": "linked", "handed_to": kamakura_council.pk})
    share = entries(action=caselog.SHARE)[-1]
    assert share.detail["concern_id"] == concern.pk and share.detail["handed_to"] == str(kamakura_council.pk)
    client.force_login(olga)
    handed = dict(concern_urls(concern))["concern-handed"]
    assert client.get(handed).status_code == 200
    assert entries(url_name="concern-handed")[-1].actor_id == olga.pk
    assert entries(url_name="concern-handed")[-1].detail == {"ids": {"concern_id": concern.pk}}
    # Reporting one is a change of person data too (the supporter's form, with the new concern's id).
    client.force_login(council_rows["suzu"])
    client.post(
        "/kamakura/workspace/concerns/report/", {"what": "郵便受けがあふれている", "place": "長谷", "urgency": "days"}
    )
    with scopes_disabled():
        reported = Concern.objects.latest("pk")
    assert reported.pk != concern.pk
    row = entries(action=caselog.CHANGE, actor_id=council_rows["suzu"].pk)[-1]
    assert row.detail["concern_id"] == reported.pk
    for entry in entries(platform=kamakura):
        text = json.dumps(entry.detail, ensure_ascii=False) + entry.path
        assert "新聞" not in text and "郵便受け" not in text and "長谷" not in text

    # The ledger commands: the export names every record it wrote out, the import every record it made.
    out = tmp_path / "ledger.csv"
    call_command("export_cases", str(out), platform="kamakura", stdout=StringIO())
    exported = entries(url_name="export-cases")
    assert len(exported) == 1 and exported[0].action == caselog.EXPORT
    assert exported[0].persons == [case_rows["person"].pk] and exported[0].detail["persons"] == 1
    ledger = tmp_path / "in.csv"
    ledger.write_text("氏名,生年月日\n見本 太郎,1950-04-01\n見本 花子,1951-05-02\n", encoding="utf-8")
    call_command(
        "import_cases", str(ledger), platform="kamakura", organisation=str(kamakura_council.pk), stdout=StringIO()
    )
    imported = entries(url_name="import-cases")
    with scopes_disabled():
        made = sorted(Person.objects.exclude(pk=case_rows["person"].pk).values_list("pk", flat=True))
    assert len(imported) == 1 and imported[0].action == caselog.CHANGE and imported[0].persons == made
    assert imported[0].organizations == [str(kamakura_council.pk)]
    assert "見本" not in json.dumps(imported[0].detail, ensure_ascii=False)
    assert caselog.verify(kamakura.pk).ok


def test_refused_requests_are_logged_too(client: Client, case_rows: dict[str, Any]) -> None:
    client.force_login(case_rows["dora"])
    assert client.get(f"/kamakura/workspace/cases/persons/{case_rows['person'].pk}/").status_code == 404
    refused = entries(url_name="case-person")[-1]
    assert refused.status == 404 and refused.actor_id == case_rows["dora"].pk and refused.persons == []


def test_shares_and_exports_are_logged(client: Client, olga: Any, case_rows: dict[str, Any]) -> None:
    client.force_login(olga)
    client.post(
        f"/kamakura/workspace/cases/meetings/{case_rows['meeting'].pk}/participants/", {"user": case_rows["rita"].pk}
    )
    share = entries(action=caselog.SHARE)[-1]
    assert share.persons == [case_rows["person"].pk]
    assert share.detail["recipient"] == str(case_rows["centre"].pk) and share.detail["basis"] == "support_council"
    client.get(f"/kamakura/workspace/cases/persons/{case_rows['person'].pk}/disclosure/")
    assert entries(action=caselog.EXPORT)[-1].detail["disclosure"] is True


def test_the_database_refuses_updates_and_deletes(case_rows: dict[str, Any]) -> None:
    assert entries()
    for statement in ("UPDATE cases_caselogentry SET action = 'x'", "DELETE FROM cases_caselogentry"):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement)
    with scopes_disabled(), pytest.raises(DatabaseError), transaction.atomic():
        CaseLogEntry.objects.all().delete()
    assert entries()


def drop_triggers() -> None:
    """What someone with full control of the database could do (rolled back with the test)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("DROP TRIGGER cases_caselogentry_append_only ON cases_caselogentry")
        else:
            cursor.execute("DROP TRIGGER cases_caselogentry_no_update")
            cursor.execute("DROP TRIGGER cases_caselogentry_no_delete")


def verify_command() -> tuple[bool, str]:
    out, err = StringIO(), StringIO()
    try:
        call_command("verify_case_log", stdout=out, stderr=err)
    except CommandError:
        return False, err.getvalue()
    return True, out.getvalue()


def test_verification_passes_on_an_untouched_chain(case_rows: dict[str, Any]) -> None:
    ok, output = verify_command()
    assert ok and "チェーンは無傷です" in output


@pytest.mark.parametrize("tamper", ["edit", "delete_middle", "delete_last", "reorder"])
def test_verification_finds_tampering(kamakura: Any, olga: Any, case_rows: dict[str, Any], tamper: str) -> None:
    for number in range(6):
        caselog.append(platform_id=kamakura.pk, action=caselog.VIEW, actor=olga, persons=[number], path=f"/p/{number}/")
    rows = entries()
    assert verify_command()[0]
    drop_triggers()
    middle = rows[len(rows) // 2]
    with connection.cursor() as cursor:
        if tamper == "edit":
            cursor.execute("UPDATE cases_caselogentry SET actor_email = 'someone@else.jp' WHERE id = %s", [middle.pk])
        elif tamper == "delete_middle":
            cursor.execute("DELETE FROM cases_caselogentry WHERE id = %s", [middle.pk])
        elif tamper == "delete_last":
            cursor.execute("DELETE FROM cases_caselogentry WHERE id = %s", [rows[-1].pk])
        else:
            cursor.execute("UPDATE cases_caselogentry SET path = %s WHERE id = %s", [rows[0].path, middle.pk])
    ok, output = verify_command()
    assert not ok
    expected = {
        "edit": f"{middle.seq} 行目",
        "delete_middle": "削除",
        "delete_last": "末尾",
        "reorder": f"{middle.seq} 行目",
    }[tamper]
    assert expected in output, output


def test_verifying_ten_thousand_rows(kamakura: Any, olga: Any) -> None:
    """The figure for the report (printed, not asserted): build and verify a chain of 10,000 rows."""
    started = time.perf_counter()
    with transaction.atomic():
        for number in range(10_000):
            caselog.append(platform_id=kamakura.pk, action=caselog.VIEW, actor=olga, persons=[number % 50])
    built = time.perf_counter() - started
    started = time.perf_counter()
    with scopes_disabled():
        verdict = caselog.verify(kamakura.pk)
    checked = time.perf_counter() - started
    print(f"\ncase log: appended 10,000 rows in {built:.2f} s, verified in {checked:.2f} s")
    assert verdict.ok and verdict.rows == 10_000


def test_a_disclosure_request_is_answered_with_one_file(client: Client, olga: Any, case_rows: dict[str, Any]) -> None:
    client.force_login(olga)
    client.post(
        f"/kamakura/workspace/cases/meetings/{case_rows['meeting'].pk}/participants/", {"user": case_rows["rita"].pk}
    )
    response = client.get(f"/kamakura/workspace/cases/persons/{case_rows['person'].pk}/disclosure/")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert "no-store" in response["Cache-Control"]
    data = json.loads(response.content)
    assert data["person"]["name"] == "鎌倉 花子" and data["person"]["birth_date"] == "1950-05-06"
    assert data["consents"][0]["method"] == "書面"
    assert data["referrals"][0]["need"] == "見守りと買い物の支援"
    assert data["case_meetings"][0]["title"] == "鎌倉 花子さん 個別ケース会議"
    assert data["follow_up_tasks"][0]["title"] == "自宅を訪問する"
    with scopes_disabled():
        provisions = ProvisionRecord.objects.filter(person=case_rows["person"]).count()
    assert provisions >= 1 and len(data["provision_records"]) == provisions
    record = data["provision_records"][0]
    assert record["recipient"] == "鎌倉市地域包括支援センター" and "氏名" in record["items"]
    assert entries(action=caselog.EXPORT)
