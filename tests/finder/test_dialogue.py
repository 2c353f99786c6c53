"""The chat: questions only when they change the answer, at most three; nothing kept but counts."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

from tests.finder.test_ranking import WEDNESDAY, windows  # noqa: F401
from tests.search.conftest import build_service
from tsunagari.finder import dialogue
from tsunagari.finder.models import Conversation, FinderSettings, NeedDailyCount, SavedText, SharedResult
from tsunagari.search.index import reindex_services

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _empty_cache() -> None:
    cache.clear()


@pytest.fixture
def ages(kamakura: Any, windows: Any) -> None:  # noqa: F811
    """Two hikikomori windows that differ by age: asking the age changes the answer."""
    build_service(
        kamakura,
        "若者サポートステーション",
        needs=("hikikomori",),
        targets=("youth",),
        maximum_age=39,
        organization_name="サポステ",
    )
    build_service(
        kamakura,
        "高齢者の閉じこもり相談",
        needs=("hikikomori",),
        targets=("elderly",),
        minimum_age=60,
        organization_name="地域包括",
    )
    reindex_services()


def test_it_asks_only_questions_that_change_the_answer_and_at_most_three(kamakura: Any, ages: None) -> None:
    turn = dialogue.start("家族が部屋から出てこない", platform=kamakura, now=WEDNESDAY)
    asked = []
    while turn.question is not None:
        asked.append(turn.question.code)
        value = turn.question.options[0][0] if turn.question.options else "鎌倉市"
        turn = dialogue.answer(turn.id, turn.question.code, value, platform=kamakura)
        assert turn is not None
    assert "age" in asked
    assert len(asked) <= dialogue.MAX_QUESTIONS
    assert turn.results and turn.matching >= len(turn.results)


def test_answering_the_age_keeps_the_windows_for_that_age(kamakura: Any, ages: None) -> None:
    turn = dialogue.start("家族が部屋から出てこない", platform=kamakura, now=WEDNESDAY)
    before = turn.matching
    turn = dialogue.answer(turn.id, "age", "elderly", platform=kamakura)
    assert turn is not None
    shown = [turn.services[result.id].name for result in turn.results]
    assert "高齢者の閉じこもり相談" in shown and "若者サポートステーション" not in shown
    assert turn.matching < before


def test_a_crisis_asks_nothing_and_leads_with_the_lines(kamakura: Any) -> None:
    turn = dialogue.start("もう死にたい", platform=kamakura)
    assert turn.question is None
    assert turn.lines and turn.lines[0].kinds


def test_only_counts_are_kept_by_default(kamakura: Any, windows: Any) -> None:  # noqa: F811
    turn = dialogue.start("母の介護で仕事をやめるしかないかも", platform=kamakura, now=WEDNESDAY)
    turn = dialogue.finish(turn.id, platform=kamakura)
    assert turn is not None
    dialogue.resume(turn.id, platform=kamakura)  # shown again: not counted again
    assert SavedText.objects.count() == 0
    state = Conversation.objects.get(pk=turn.id).state
    assert state["situation"]["needs"] and "介護" not in repr(state)
    counts = dict(NeedDailyCount.objects.values_list("need_code", "count"))
    assert counts["caregiving"] == 1 and counts["work"] == 1


def test_text_is_kept_only_when_the_platform_turns_it_on(kamakura: Any) -> None:
    FinderSettings.objects.create(platform=kamakura, store_text=True)
    dialogue.start("お金がない", platform=kamakura)
    assert SavedText.objects.get().text == "お金がない"


def test_another_platform_cannot_read_a_conversation(kamakura: Any, tottori: Any) -> None:
    turn = dialogue.start("お金がない", platform=kamakura)
    assert dialogue.resume(turn.id, platform=tottori) is None


def test_the_chat_works_without_javascript(client: Client, kamakura: Any, windows: Any) -> None:  # noqa: F811
    assert client.get("/kamakura/chat/").status_code == 200
    response = client.post("/kamakura/chat/", {"text": "母の介護で仕事をやめるしかないかも"})
    assert response.status_code == 302
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "鎌倉市 高齢者いきいき課 介護相談" in page.content.decode()
    conversation_id = response["Location"].rstrip("/").rsplit("/", 1)[1]
    client.post(f"/kamakura/chat/c/{conversation_id}/answer/", {"q": "asker", "v": "skip"})
    shared = client.post(f"/kamakura/chat/c/{conversation_id}/share/")
    assert shared.status_code == 302 and "/chat/r/" in shared["Location"]
    token = shared["Location"].rstrip("/").rsplit("/", 1)[1]
    assert "介護" not in shared["Location"]
    assert SharedResult.objects.filter(token=token).exists()
    page = client.get(shared["Location"]).content.decode()
    assert "qr.svg?path=" in page
    text = client.get(f"/kamakura/chat/r/{token}/text/")
    assert text["Content-Type"].startswith("text/plain") and "鎌倉市" in text.content.decode()
    assert client.get(f"/kamakura/chat/r/{token}/print/").status_code == 200
    assert client.get(f"/tottori-pref/chat/r/{token}/").status_code == 404


def test_a_crisis_page_leads_with_the_lines(client: Client, kamakura: Any) -> None:
    response = client.post("/kamakura/chat/", {"text": "夫に殴られる"}, follow=True)
    html = response.content.decode()
    assert html.index("crisis-lines") < html.index("finder-results")
    assert "#8008" in html


def test_an_expired_conversation_says_so_and_still_gives_the_lines(client: Client, kamakura: Any) -> None:
    response = client.get("/kamakura/chat/c/nope/")
    assert response.status_code == 410
    html = response.content.decode()
    assert "この会話は終了しました" in html
    assert "crisis-lines" in html and "0120-279-338" in html
    assert 'name="text"' in html


def test_coordinators_see_the_need_chart(client: Client, kamakura: Any, alice: Any) -> None:
    import datetime

    NeedDailyCount.objects.create(platform=kamakura, date=datetime.date.today(), need_code="caregiving", count=3)
    client.force_login(alice)
    html = client.get("/kamakura/workspace/finder/").content.decode()
    assert "<svg" in html and "介護・家族のケア" in html
