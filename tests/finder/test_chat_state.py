"""The chat's state lives in the database (every process sees it), expires, and is purged; texts too."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.cache import caches
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from tsunagari.audit.models import AuditEvent
from tsunagari.finder import dialogue
from tsunagari.finder.models import Conversation, FinderSettings, SavedText
from tsunagari.tenancy.scoping import scopes_disabled

pytestmark = pytest.mark.django_db

CRISIS_TEXT = "生きていても仕方ないと思う。誰にも必要とされていない気がする"


def _forget_every_cache() -> None:
    """What another app process sees: none of this process's memory or cache."""
    for alias in ("default", "pages"):
        caches[alias].clear()


def test_a_conversation_started_in_one_process_is_taken_up_by_another(client: Client, kamakura: Any) -> None:
    response = client.post("/kamakura/chat/", {"text": CRISIS_TEXT})
    assert response.status_code == 302
    _forget_every_cache()
    page = Client().get(response["Location"])
    assert page.status_code == 200
    html = page.content.decode()
    assert "crisis-lines" in html and "0120-279-338" in html


def test_each_turn_keeps_the_conversation_for_the_chat_ttl(kamakura: Any, settings: Any) -> None:
    settings.FINDER_CHAT_TTL = 600
    before = timezone.now()
    turn = dialogue.start("お金がない", platform=kamakura)
    stored = Conversation.objects.get(pk=turn.id)
    assert (
        before + datetime.timedelta(seconds=590) < stored.expires_at <= timezone.now() + datetime.timedelta(seconds=600)
    )
    Conversation.objects.filter(pk=turn.id).update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    assert dialogue.resume(turn.id, platform=kamakura) is None


def test_an_expired_crisis_conversation_still_shows_its_lines(client: Client, kamakura: Any) -> None:
    turn = dialogue.start("夫に殴られる", platform=kamakura)
    Conversation.objects.filter(pk=turn.id).update(expires_at=timezone.now())
    response = client.post(f"/kamakura/chat/c/{turn.id}/answer/", {"q": "asker", "v": "self"})
    assert response.status_code == 410
    html = response.content.decode()
    assert "この会話は終了しました" in html and "#8008" in html
    assert 'name="text"' in html


def test_purge_chat_deletes_expired_conversations_and_old_texts_only(kamakura: Any, tottori: Any) -> None:
    FinderSettings.objects.create(platform=kamakura, store_text=True)
    old, live = dialogue.start("お金がない", platform=kamakura), dialogue.start("仕事がない", platform=kamakura)
    Conversation.objects.filter(pk=old.id).update(expires_at=timezone.now() - datetime.timedelta(minutes=1))
    SavedText.objects.filter(text="お金がない").update(created_at=timezone.now() - datetime.timedelta(days=31))
    call_command("purge_chat")
    assert list(Conversation.objects.values_list("pk", flat=True)) == [live.id]
    assert list(SavedText.objects.values_list("text", flat=True)) == ["仕事がない"]
    with scopes_disabled():
        audit = AuditEvent.objects.get(action="finder.saved_texts_purged")
    assert audit.platform == kamakura and audit.changes["texts"] == 1
    assert "お金" not in repr(audit.changes)
    call_command("purge_chat")  # again: nothing more to do
    assert SavedText.objects.count() == 1


def test_the_retention_period_is_a_setting(kamakura: Any, settings: Any) -> None:
    settings.SAVED_TEXT_RETENTION_DAYS = 7
    FinderSettings.objects.create(platform=kamakura, store_text=True)
    dialogue.start("お金がない", platform=kamakura)
    SavedText.objects.update(created_at=timezone.now() - datetime.timedelta(days=8))
    call_command("purge_chat")
    assert not SavedText.objects.exists()


def test_the_chat_page_says_how_long_kept_texts_stay(client: Client, kamakura: Any) -> None:
    assert "保存されません" in client.get("/kamakura/chat/").content.decode()
    FinderSettings.objects.create(platform=kamakura, store_text=True)
    assert "30 日間保存し" in client.get("/kamakura/chat/").content.decode()


def test_coordinators_read_their_own_platforms_texts_and_each_reading_is_audited(
    client: Client, kamakura: Any, tottori: Any, alice: Any
) -> None:
    FinderSettings.objects.create(platform=kamakura, store_text=True)
    FinderSettings.objects.create(platform=tottori, store_text=True)
    dialogue.start("母の介護がつらい", platform=kamakura)
    dialogue.start("鳥取の住民の相談", platform=tottori)
    client.force_login(alice)
    html = client.get("/kamakura/workspace/finder/texts/").content.decode()
    assert "母の介護がつらい" in html and "鳥取の住民の相談" not in html
    assert client.get("/tottori-pref/workspace/finder/texts/").status_code == 404
    with scopes_disabled():
        read = AuditEvent.objects.get(action="finder.saved_texts_read")
    assert read.platform == kamakura and read.actor == alice and read.changes == {"texts": 1}


def test_texts_past_retention_are_not_shown_even_before_the_purge(client: Client, kamakura: Any, alice: Any) -> None:
    FinderSettings.objects.create(platform=kamakura, store_text=True)
    dialogue.start("古い相談", platform=kamakura)
    SavedText.objects.update(created_at=timezone.now() - datetime.timedelta(days=31))
    client.force_login(alice)
    assert "古い相談" not in client.get("/kamakura/workspace/finder/texts/").content.decode()


def test_the_chat_is_rate_limited_but_keeps_the_text_and_gives_the_lines(
    client: Client, kamakura: Any, settings: Any
) -> None:
    settings.CHAT_RATE = "2/m"
    for text in ("お金がない", "仕事がない"):
        assert client.post("/kamakura/chat/", {"text": text}).status_code == 302
    before = Conversation.objects.count()
    response = client.post("/kamakura/chat/", {"text": CRISIS_TEXT})
    assert response.status_code == 429 and int(response["Retry-After"]) >= 1
    html = response.content.decode()
    assert CRISIS_TEXT in html  # still in the box
    assert "crisis-lines" in html and "0570-064-556" in html
    assert Conversation.objects.count() == before
