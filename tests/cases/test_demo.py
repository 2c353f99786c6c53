"""`seed-demo` gives 鎌倉市 fictional case records, and demo accounts that see them as their roles allow."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client

from tsunagari.accounts.models import User
from tsunagari.cases.models import Person, Referral, Status
from tsunagari.tenancy.scoping import scopes_disabled

pytestmark = pytest.mark.django_db


def test_the_demo_has_fictional_cases_that_its_accounts_see(client: Client, areas: None) -> None:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    call_command("seed_demo", stdout=StringIO())  # again: nothing doubles
    printed = out.getvalue()
    with scopes_disabled():
        persons = list(Person.objects.filter(platform__slug="kamakura"))
        assert len(persons) == 5 and all(p.name.startswith("見本 ") for p in persons)
        assert not Person.objects.exclude(platform__slug="kamakura").exists()
        states = set(Referral.objects.values_list("status", flat=True))
        assert {Status.REQUESTED, Status.ACCEPTED, Status.IN_PROGRESS, Status.COMPLETED, Status.DRAFT} <= states
        requested = Referral.objects.get(status=Status.REQUESTED)
    # Each account that may open case records is printed with its two-factor secret.
    for username in ("kamakura-org-admin", "kamakura-org-staff", "kamakura-npo-staff"):
        line = next(line for line in printed.splitlines() if f"{username}@" in line)
        assert "（不要）" not in line, line

    client.force_login(User.objects.get(username="kamakura-org-staff"))
    body = client.get("/kamakura/workspace/cases/").content.decode()
    assert "見本 太郎" in body and "見本 花子" in body
    # The NPO previews the request (the need, not the person) and holds the accepted one.
    client.force_login(User.objects.get(username="kamakura-npo-staff"))
    preview = client.get(f"/kamakura/workspace/cases/referrals/{requested.pk}/").content.decode()
    assert "訪問" in preview and "見本 太郎" not in preview
    assert "見本 花子" in client.get("/kamakura/workspace/cases/").content.decode()
    # It sees what the 社協 chose to provide (name, kana, phone, need), not the birth date or the note.
    with scopes_disabled():
        hanako = next(p for p in persons if p.name == "見本 花子")
    page = client.get(f"/kamakura/workspace/cases/persons/{hanako.pk}/").content.decode()
    assert hanako.kana in page and "0467-00-0000" in page
    assert hanako.note not in page and str(hanako.birth_date.year) not in page
    # The coordinator sees figures, not people; with the past referrals some are real numbers.
    client.force_login(User.objects.get(username="kamakura-coordinator"))
    assert client.get("/kamakura/workspace/cases/").status_code == 404
    figures = client.get("/kamakura/workspace/figures/").content.decode()
    assert "見本" not in figures and "10未満" in figures


@pytest.mark.django_db(transaction=True)
def test_seeding_the_demo_sends_no_mail(areas: None) -> None:
    # Its referrals' notices, sent when the seeding commits, were printed on the console above the
    # demo accounts (make demo): a hundred e-mails to fictional people.
    call_command("seed_demo", stdout=StringIO())
    assert mail.outbox == []
