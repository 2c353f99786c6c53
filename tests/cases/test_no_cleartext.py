"""Issue 11, "Measured": after a realistic session no person's field is in clear in the database, logs or e-mail.

The session: a ledger imported (and a bad one refused), a referral made, requested, previewed,
accepted, worked and completed through the case pages, the person's page opened, a file attached and downloaded, the records
exported, the figures read. Then every table is dumped — on SQLite a page-by-page copy of the database
file (free pages included, where deleted rows linger), on PostgreSQL every row as text — and searched,
with the sessions decoded (messages live there), every log record, everything printed, the outbox and every stored file.
"""

from __future__ import annotations

import datetime
import io
import json
import logging
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.test import Client

from tests.cases.rows import consent_to_share
from tsunagari.cases import actions
from tsunagari.cases.lookup import find_person
from tsunagari.cases.models import Person, Status
from tsunagari.tenancy.scoping import scopes_disabled

# Committed, so that the copy of the SQLite file holds the session's pages.
pytestmark = pytest.mark.django_db(transaction=True)

SECRETS = {
    "name": "秘密野 守",
    "kana": "ひみつの まもる",
    "birth date": "1961-02-03",
    "phone": "0467-98-7654",
    "address": "鎌倉市秘密町7-7-7",
    "note": "ひみつの相談メモ",
    "need": "秘密の見守り依頼",
    "outcome text": "秘密の結果報告",
    "refused row": "拒否野 花",
    "attachment name": "秘密野さん診断書",
    "attachment text": "添付ファイルの秘密の本文",
    "ledger file name": "秘密野さん面談記録",
    "ledger file text": "台帳に添えた秘密の面談記録",
}
# The ledger carries a file beside it (the 添付ファイル column): import-cases seals it like an upload.
LEDGER = (
    "受付日,氏名,ふりがな,生年月日,電話番号,住所,相談内容,添付ファイル\n"
    f"2026-04-01,{SECRETS['name']},{SECRETS['kana']},昭和36年2月3日,{SECRETS['phone']},{SECRETS['address']},"
    f"{SECRETS['note']},files/{SECRETS['ledger file name']}.txt\n"
)
BAD_LEDGER = f"受付日,氏名,ふりがな,生年月日,電話番号,住所,相談内容\n2026-04-01,{SECRETS['refused row']},,生年不明,,,\n"


def forms(value: str) -> list[bytes]:
    """The ways a value can sit in storage: UTF-8, and JSON's \\u escapes (JSONField, ensure_ascii)."""
    return [value.encode(), json.dumps(value)[1:-1].encode(), value.replace("-", "").encode()]


def database_bytes(tmp_path: Path) -> bytes:
    if connection.vendor == "sqlite":
        copy = tmp_path / "copy.sqlite3"
        target = sqlite3.connect(copy)
        connection.ensure_connection()
        connection.connection.backup(target)  # page by page, free pages too
        target.close()
        return copy.read_bytes()
    chunks = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f'SELECT t::text FROM "{table}" t')
            chunks += [row[0] for row in cursor.fetchall()]
    return "\n".join(chunks).encode()


def sessions_text() -> str:
    return "\n".join(json.dumps(s.get_decoded(), ensure_ascii=False) for s in Session.objects.all())


def test_a_realistic_session_leaves_no_personal_field_in_clear(
    tmp_path: Path,
    client: Client,
    olga: Any,
    alice: Any,
    kamakura_council: Any,
    case_rows: dict[str, Any],
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
) -> None:
    caplog.set_level(logging.DEBUG)
    printed = io.StringIO()
    (tmp_path / "ledger" / "files").mkdir(parents=True)
    ledger = tmp_path / "ledger" / "ledger.csv"
    ledger.write_text(LEDGER, encoding="cp932")
    (tmp_path / "ledger" / "files" / f"{SECRETS['ledger file name']}.txt").write_text(
        SECRETS["ledger file text"], encoding="utf-8"
    )
    call_command(
        "import_cases", str(ledger), platform="kamakura", organisation=str(kamakura_council.pk), stdout=printed
    )
    bad = tmp_path / "bad.csv"
    bad.write_text(BAD_LEDGER, encoding="utf-8")
    with pytest.raises(Exception, match="何も保存していません"):
        call_command(
            "import_cases", str(bad), platform="kamakura", organisation=str(kamakura_council.pk), stderr=printed
        )
    with scopes_disabled():
        person = find_person(Person.objects.all(), SECRETS["name"], datetime.date(1961, 2, 3)).get()
        imported = person.attachments.get()
        referral = actions.refer(
            person=person,
            sender=kamakura_council,
            receiver=case_rows["centre"],
            need=SECRETS["need"],
            need_code="elderly",
        )
    consent_to_share(person, sender=kamakura_council, receiver=case_rows["centre"])
    assert actions.read_attachment(imported).decode() == SECRETS["ledger file text"]  # stored, and opens
    base = f"/kamakura/workspace/cases/referrals/{referral.pk}/"
    client.force_login(olga)
    assert client.post(base + "move/", {"to": Status.REQUESTED}).status_code == 302
    receiver = Client()
    receiver.force_login(case_rows["rita"])
    assert SECRETS["name"] not in receiver.get(base).content.decode()  # the preview
    assert receiver.post(base + "move/", {"to": Status.ACCEPTED}).status_code == 302
    assert SECRETS["name"] in receiver.get(f"/kamakura/workspace/cases/persons/{person.pk}/").content.decode()
    assert receiver.post(base + "move/", {"to": Status.IN_PROGRESS}).status_code == 302
    done = receiver.post(
        base + "move/", {"to": Status.COMPLETED, "reason": SECRETS["outcome text"], "outcome": "got_help"}
    )
    assert done.status_code == 302
    # A refused move puts a message in the session: it must not carry the person either.
    receiver.post(base + "move/", {"to": Status.ACCEPTED})
    # A file kept with the record (item 3): its name and its bytes are sealed on disk too.
    attachment = SimpleUploadedFile(
        f"{SECRETS['attachment name']}.txt", SECRETS["attachment text"].encode(), content_type="text/plain"
    )
    upload = client.post(f"/kamakura/workspace/cases/persons/{person.pk}/attachments/", {"file": attachment})
    assert upload.status_code == 302
    with scopes_disabled():
        kept = person.attachments.exclude(pk=imported.pk).get()
    download = client.get(f"/kamakura/workspace/cases/attachments/{kept.pk}/")
    assert b"".join(download.streaming_content).decode() == SECRETS["attachment text"]
    out = tmp_path / "export.csv"
    call_command("export_cases", str(out), platform="kamakura", stdout=printed)
    assert SECRETS["name"] in out.read_text(encoding="utf-8-sig")  # the export itself is the cleartext, on purpose
    coordinator = Client()
    coordinator.force_login(alice)
    assert coordinator.get("/kamakura/workspace/figures/").status_code == 200

    captured = capsys.readouterr()
    places = {
        "database": database_bytes(tmp_path),
        "sessions": sessions_text().encode(),
        "logs": "\n".join(f"{r.name} {r.getMessage()} {r.args!r}" for r in caplog.records).encode(),
        "printed": (printed.getvalue() + captured.out + captured.err).encode(),
        "files": b"\n".join(path.read_bytes() for path in Path(settings.MEDIA_ROOT).rglob("*") if path.is_file()),
        "e-mail": "\n".join(f"{m.subject}\n{m.body}\n{getattr(m, 'alternatives', [])!r}" for m in mail.outbox).encode(),
    }
    assert len(places["database"]) > 10_000  # a real dump, not an empty one
    assert b"gcm1:k1:" in places["database"]  # …that holds the session's encrypted values
    # The meeting's PDF, the fixture's and the uploaded attachment, and the one import-cases stored: sealed.
    assert places["files"].count(b"gcm1:k1:") >= 4
    leaks = [
        f"{what} in {where}"
        for what, value in SECRETS.items()
        for where, content in places.items()
        if any(form in content for form in forms(value))
    ]
    assert leaks == []
    # The fixture's own person and referral are held encrypted as well.
    held = places["database"]
    assert "鎌倉 花子".encode() not in held and "玄関を開けなくなった".encode() not in held
