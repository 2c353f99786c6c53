"""Right place, right person (issue 9 item 8): windows in reach only, the right lines, questions that help."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import translation

from tests.finder.test_ranking import WEDNESDAY
from tests.search.conftest import build_service
from tsunagari.directory.models import CrisisLine
from tsunagari.finder import dialogue
from tsunagari.finder.ranking import find
from tsunagari.search.index import reindex_services
from tsunagari.search.query import search_services
from tsunagari.tenancy.scoping import scopes_disabled

pytestmark = pytest.mark.django_db

KITAKYUSHU, SUMIDA, KAMAKURA = "401005", "131075", "142042"


@pytest.fixture(autouse=True)
def _empty_cache() -> None:
    cache.clear()


@pytest.fixture
def far_apart(national: Any) -> dict[str, Any]:
    """Windows of the national data in three cities far apart, and one nationwide line."""
    made = {
        "sumida_money": build_service(
            national,
            "くらし・しごと相談室 すみだ",
            needs=("money", "housing", "work"),
            municipality=SUMIDA,
            organization_name="墨田区",
        ),
        "kamakura_dv": build_service(
            national,
            "鎌倉市 DV相談",
            needs=("violence", "women"),
            municipality=KAMAKURA,
            organization_name="鎌倉市",
        ),
        "kitakyushu_dv": build_service(
            national,
            "北九州市 配偶者暴力相談支援センター",
            needs=("violence", "women"),
            municipality=KITAKYUSHU,
            organization_name="北九州市",
        ),
        "kitakyushu_child": build_service(
            national,
            "北九州市 子ども総合センター（児童相談所）",
            needs=("child_abuse", "parenting", "children"),
            targets=("children",),
            municipality=KITAKYUSHU,
            organization_name="北九州市子ども総合センター",
        ),
        "kitakyushu_hikikomori": build_service(
            national,
            "北九州市ひきこもり地域支援センター",
            needs=("hikikomori",),
            municipality=KITAKYUSHU,
            organization_name="北九州市精神保健福祉センター",
        ),
        "nation_money": build_service(
            national,
            "全国の生活相談ダイヤル",
            needs=("money",),
            organization_name="全国の相談団体",
        ),
    }
    reindex_services()
    return made


def shown(turn: dialogue.Turn) -> list[str]:
    return [turn.services[result.id].name for result in turn.results]


def test_a_place_named_in_the_text_never_shows_another_citys_window(national: Any, far_apart: Any) -> None:
    # 北九州 without 市: the name is still read as the city, and Tokyo's window is never shown.
    for text in ("北九州市に住んでいます。仕事をなくして家賃が払えない", "北九州に住んでいます。家賃が払えない"):
        turn = dialogue.start(text, platform=national, now=WEDNESDAY)
        assert turn.situation.municipality_code == KITAKYUSHU
        assert "くらし・しごと相談室 すみだ" not in shown(turn)
        assert shown(turn) == ["全国の生活相談ダイヤル"]


def test_without_a_place_a_crisis_asks_where_the_person_lives_before_any_local_window(
    national: Any, far_apart: Any
) -> None:
    turn = dialogue.start("夫に殴られています", platform=national, now=WEDNESDAY)
    assert turn.lines and turn.lines[0].number == "0120-279-889"  # DV相談＋, 24 hours, before #8008
    assert turn.question is not None and turn.question.code == "area"
    assert shown(turn) == [], "no DV centre in a prefecture the person may not live in"
    turn = dialogue.answer(turn.id, "area", "北九州市", platform=national, now=WEDNESDAY)
    assert turn is not None
    assert shown(turn) == ["北九州市 配偶者暴力相談支援センター"]
    assert turn.lines, "the lines stay above the windows"


def test_a_long_hikikomori_son_is_an_adult_matter_not_the_child_guidance_centre(national: Any, far_apart: Any) -> None:
    result = find("北九州市に住んでいます。息子が10年部屋から出てこない", platform=national, now=WEDNESDAY)
    names = [item.service.name for item in result.results]
    assert names[0] == "北九州市ひきこもり地域支援センター"
    assert "北九州市 子ども総合センター（児童相談所）" not in names
    assert result.situation.age_group == "adult"


def test_an_overdose_already_taken_gets_119_first(kamakura: Any) -> None:
    turn = dialogue.start("さっき薬をたくさん飲んでしまった", platform=kamakura)
    numbers = [line.number for line in turn.lines]
    assert numbers[0] == "119"
    assert "110" not in numbers, "the ambulance, not the police"
    assert "0570-064-556" in numbers, "and the suicide lines after it"


def test_a_child_gets_the_child_lines_not_the_adult_dv_lines(kamakura: Any) -> None:
    with scopes_disabled():
        CrisisLine.objects.create(
            platform=kamakura, label="子どもの虐待", number="189", kinds=["child"], publisher="こども家庭庁"
        )
        CrisisLine.objects.create(
            platform=kamakura, label="DV相談", number="#8008", kinds=["violence"], publisher="内閣府"
        )
        CrisisLine.objects.create(
            platform=kamakura,
            label="24時間子供SOSダイヤル",
            number="0120-0-78310",
            kinds=["child"],
            publisher="文部科学省",
            last_verified_on=datetime.date(2026, 7, 27),
        )
        CrisisLine.objects.create(
            platform=kamakura, label="DV相談＋", number="0120-279-889", kinds=["violence"], publisher="内閣府"
        )
    for text in ("中学生です。父に殴られる", "15歳です。彼氏に殴られた", "I'm 15 and my boyfriend hits me"):
        turn = dialogue.start(text, platform=kamakura)
        numbers = [line.number for line in turn.lines]
        assert turn.situation.crisis_kind == "child", text
        assert {"189", "0120-0-78310"} <= set(numbers), text
        assert "0120-279-889" not in numbers and "#8008" not in numbers, text
        assert "violence" not in turn.situation.top(5), "the DV centre is for adults"


def test_indirect_english_ideation_gets_the_suicide_lines(kamakura: Any) -> None:
    for text in ("I want to disappear", "I can't go on", "everyone would be better off without me"):
        turn = dialogue.start(text, platform=kamakura)
        assert turn.situation.crisis_kind == "suicide", text
        assert "0570-064-556" in [line.number for line in turn.lines]


def test_a_vague_message_gets_a_question_about_what_it_is_about(kamakura: Any) -> None:
    build_service(kamakura, "鎌倉市 生活福祉課", needs=("money",), organization_name="鎌倉市 生活福祉課")
    reindex_services()
    turn = dialogue.start("なんとなくつらい", platform=kamakura, now=WEDNESDAY)
    assert turn.question is not None and turn.question.code == "topic"
    assert "money" in dict(turn.question.options)
    turn = dialogue.answer(turn.id, "topic", "money", platform=kamakura, now=WEDNESDAY)
    assert turn is not None
    assert turn.situation.top(1) == ["money"]
    assert shown(turn) == ["鎌倉市 生活福祉課"]


def test_the_chat_asks_in_the_language_the_person_wrote_in(national: Any, far_apart: Any) -> None:
    with translation.override("ja"):
        english = dialogue.start("I lost my job and cannot pay rent", platform=national, now=WEDNESDAY)
        japanese = dialogue.start("仕事をなくして家賃が払えない", platform=national, now=WEDNESDAY)
    assert english.question is not None and japanese.question is not None
    assert english.language == "en"
    assert english.question.prompt.startswith("Which town or city")
    assert japanese.question.prompt.startswith("お住まい")


def test_the_number_of_windows_links_to_a_page_that_lists_them_all(
    client: Client, national: Any, far_apart: Any
) -> None:
    for number in range(7):
        build_service(
            national,
            f"北九州市 生活相談窓口 {number}",
            needs=("money",),
            municipality=KITAKYUSHU,
            organization_name=f"北九州市 相談 {number}",
        )
    reindex_services()
    response = client.post("/zenkoku/chat/", {"text": "北九州市に住んでいます。お金がない"}, follow=True)
    html = response.content.decode()
    conversation_id = response.redirect_chain[-1][0].rstrip("/").rsplit("/", 1)[1]
    turn = dialogue.resume(conversation_id, platform=national)
    assert turn is not None
    # Five windows on the chat page; the link leads to all eight (seven in the city, one nationwide).
    assert len(turn.results) == 5 and turn.all_count == 8
    assert f'href="{turn.all_url.replace("&", "&amp;")}"' in html
    assert f"area={KITAKYUSHU}" in turn.all_url and "need=money" in turn.all_url
    page = client.get(turn.all_url).content.decode()
    for number in range(7):
        assert f"北九州市 生活相談窓口 {number}" in page
    assert "全国の生活相談ダイヤル" in page
    total = search_services(platform=national, needs=["money"], municipality_code=KITAKYUSHU, per_page=1).total
    assert total == turn.all_count


def test_with_nothing_for_the_need_in_reach_the_citys_general_window_is_shown_as_such(
    national: Any, far_apart: Any
) -> None:
    build_service(
        national,
        "北九州市役所",
        needs=("unsure",),
        municipality=KITAKYUSHU,
        organization_name="北九州市役所",
    )
    build_service(national, "鎌倉市 地域包括支援センター", needs=("caregiving",), municipality=KAMAKURA)
    reindex_services()
    with translation.override("ja"):
        turn = dialogue.start("北九州市に住んでいます。母の介護がつらい", platform=national, now=WEDNESDAY)
    assert shown(turn) == ["北九州市役所"], "never 鎌倉市's centre, never nothing"
    assert "市区町村の総合窓口" in turn.results[0].why
    assert turn.matching == 0, "shown as what it is, not counted as a window for the need"


def test_the_chat_page_shows_the_lines_then_asks_where_in_the_persons_language(
    client: Client, national: Any, far_apart: Any
) -> None:
    page = client.post("/zenkoku/chat/", {"text": "夫に殴られています"}, follow=True).content.decode()
    assert page.index("crisis-lines") < page.index("finder-question")
    assert "#8008" in page and 'name="q" value="area"' in page
    assert "北九州市 配偶者暴力相談支援センター" not in page and "鎌倉市 DV相談" not in page
    page = client.post("/zenkoku/chat/", {"text": "I lost my job and cannot pay rent"}, follow=True).content.decode()
    assert "Which town or city do you live in?" in page


def test_an_english_answer_on_the_japanese_page_is_english_throughout(client: Client, kamakura: Any) -> None:
    """The why lines, headings and fallback of one answer are in one language, marked with lang (issue 9 item 10)."""
    build_service(kamakura, "鎌倉市役所", needs=("money",), municipality=KAMAKURA, organization_name="鎌倉市役所")
    reindex_services()
    response = client.post(
        "/kamakura/chat/", {"text": "I can't sleep and I feel lonely"}, follow=True, HTTP_ACCEPT_LANGUAGE="ja"
    )
    html = response.content.decode()
    answer = html[html.index('<div class="finder-turn"') : html.index("</div>", html.index('<div class="finder-turn"'))]
    assert answer.startswith('<div class="finder-turn" lang="en">')
    assert "Places that can help" in answer and "相談できる窓口" not in answer
    assert "Where to ask about “Lonely, no one to talk to”" in answer and "はどこに相談できるか" not in answer
    assert "孤独・さびしい" not in answer
    assert "の窓口は、まだこのサイトに登録されていません" not in answer
    # The page around the answer stays Japanese.
    assert '<html lang="ja">' in html


def test_two_windows_of_one_office_are_told_apart_by_what_they_handle(
    client: Client, national: Any, far_apart: Any
) -> None:
    # くらし支援ナビ lists 北九州市's housing benefit and its self-reliance support under one office name.
    office = "各区役所保健福祉課 いのちをつなぐネットワークコーナー"
    for plain in ("住居確保給付金相談", "生活困窮者自立相談"):
        build_service(national, office, needs=("housing",), municipality=KITAKYUSHU, alternate_name=plain)
    reindex_services()
    html = client.post(
        "/zenkoku/chat/", {"text": "北九州市に住んでいます。家賃が払えない"}, follow=True
    ).content.decode()
    assert html.count(office) >= 2
    assert '<span class="plain" lang="ja">住居確保給付金相談</span>' in html
    assert '<span class="plain" lang="ja">生活困窮者自立相談</span>' in html
