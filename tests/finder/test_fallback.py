"""Never an empty answer: the kinds of public window every area has, reached through the representative window (issue 9 item 7)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from tests.factories import make_service
from tsunagari.directory.models import Organization, Service
from tsunagari.directory.taxonomy import read_terms
from tsunagari.finder.fallback import fallback_for, kinds_for, window_kinds
from tsunagari.search.index import reindex_services
from tsunagari.tenancy.scoping import scopes_disabled

pytestmark = pytest.mark.django_db

# Needs for which no kind of window exists everywhere: they get the representative window and the lines.
WITHOUT_KIND = {"foreign", "lgbtq"}


def representative(national: Any) -> Service:
    """鎌倉市's representative window as the くらし支援ナビ import stores it."""
    service = make_service(
        national,
        "鎌倉市役所",
        needs=("unsure",),
        municipality="142042",
        source_id="jp-14204-city-general",
        organization_name="鎌倉市",
    )
    with scopes_disabled():
        Organization.objects.filter(pk=service.organization_id).update(municipality_id="142042")
    return service


def test_every_kind_answers_known_needs_and_every_need_but_a_few_has_a_kind() -> None:
    codes = {row["code"] for row in read_terms("needs.tsv")}
    for kind in window_kinds():
        assert set(kind.needs) <= codes, kind.code
        assert kind.what and kind.say and kind.bring and kind.basis, kind.code
        assert kind.where in {"municipality", "prefecture", "city_or_prefecture"}, kind.code
    assert {code for code in codes if not kinds_for(code)} == WITHOUT_KIND


def test_a_need_with_no_window_here_gets_the_kinds_and_the_representative_window(kamakura: Any, national: Any) -> None:
    office = representative(national)
    reindex_services()
    found = fallback_for(kamakura, ["caregiving"])
    assert [item.need for item in found] == ["caregiving"]
    assert found[0].representative == office
    assert found[0].phone is not None and found[0].phone.value == "0467-23-3000"
    assert found[0].area_name == "鎌倉市"
    assert "houkatsu" in [kind.code for kind in found[0].kinds]


def test_a_need_with_a_window_here_gets_no_fallback(kamakura: Any) -> None:
    make_service(kamakura, "鎌倉市地域包括支援センター", needs=("caregiving",))
    reindex_services()
    assert fallback_for(kamakura, ["caregiving"]) == []


def test_the_results_page_shows_the_fallback_beside_the_results_never_as_one(
    client: Client, kamakura: Any, national: Any
) -> None:
    office = representative(national)
    reindex_services()
    page = client.get("/kamakura/search/", {"q": "さびしい"}).content.decode()
    results = page[page.index('<ol class="results">') : page.index("</ol>")]
    fallback = page[page.index('class="fallback"') :]
    # The list holds no window (nothing is listed for loneliness); the block names the kinds and the office.
    assert "/services/" not in results
    assert "社会福祉協議会" in fallback
    assert f"/kamakura/services/{office.pk}/" in fallback
    assert "tel:0467233000" in fallback


def test_a_need_tile_gets_the_fallback_too(client: Client, kamakura: Any, national: Any) -> None:
    representative(national)
    reindex_services()
    page = client.get("/kamakura/search/", {"need": "loneliness"}).content.decode()
    assert 'class="fallback"' in page
    assert "地域包括支援センター" not in page[page.index('class="fallback"') :]
    # Not "try other words or remove a condition": the person chose a tile and set no condition.
    results = page[page.index('<ol class="results">') : page.index('class="fallback"')]
    assert "このサイトにはまだ登録されていません。下に、どこに相談できるかと、そのつなぎ方があります。" in results
    assert "条件を外して" not in results


def test_the_api_carries_the_fallback_as_an_extension(client: Client, kamakura: Any, national: Any) -> None:
    office = representative(national)
    reindex_services()
    body = client.get("/kamakura/api/services", {"search": "介護に疲れた"}).json()
    assert body["total_items"] == 0
    assert body["search"]["understood_needs"][0] == "caregiving"
    first = body["fallback"][0]
    assert first["need"] == "caregiving"
    assert first["ask_through"]["service_id"] == str(office.pk)
    assert "地域包括支援センター" in [kind["name"] for kind in first["kinds"]]


def test_the_page_says_when_no_window_matches_every_word(client: Client, kamakura: Any) -> None:
    make_service(kamakura, "住居確保給付金の相談窓口", needs=("housing", "money"))
    reindex_services()
    page = client.get("/kamakura/search/", {"q": "家賃が払えない"}).content.decode()
    assert "住居確保給付金の相談窓口" in page
    assert "すべての言葉に合う窓口はありませんでした。" in page
    assert "住まいの困りごと" in page


def test_the_chat_answers_a_need_with_no_window_here_with_the_fallback(
    client: Client, kamakura: Any, national: Any
) -> None:
    # 「母が認知症かもしれない」 on a portal with no window for it: the chat must not end with nothing.
    representative(national)
    reindex_services()
    from tsunagari.finder import dialogue

    turn = dialogue.start("一人暮らしの母が認知症かもしれない", platform=kamakura)
    assert turn.fallback, "no window and no fallback: the person is left with nothing"
    assert turn.fallback[0].area_name == "鎌倉市"
    body = client.post("/kamakura/chat/", {"text": "一人暮らしの母が認知症かもしれない"}, follow=True).content.decode()
    assert "every area has by law" in body or "法律" in body
    assert "0467-23-3000" in body


def test_the_chat_shows_no_fallback_when_a_window_is_listed(kamakura: Any) -> None:
    make_service(kamakura, "鎌倉市地域包括支援センター", needs=("caregiving", "elderly"))
    reindex_services()
    from tsunagari.finder import dialogue

    turn = dialogue.start("一人暮らしの母が認知症かもしれない", platform=kamakura)
    assert turn.results and not turn.fallback


def test_two_needs_never_repeat_a_kind_a_line_or_the_window(kamakura: Any, national: Any) -> None:
    representative(national)
    reindex_services()
    found = fallback_for(kamakura, ["money", "housing"])
    assert [item.need for item in found] == ["money", "housing"]
    described = [kind.code for item in found for kind in item.kinds]
    assert len(described) == len(set(described)), described
    # 自立相談支援機関 and 福祉事務所 answer both: described for the first need, named for the second.
    assert {"jiritsu", "fukushi"} <= {kind.code for kind in found[0].kinds}
    assert {"jiritsu", "fukushi"} <= {kind.code for kind in found[1].also}
    numbers = [line.number for item in found for line in item.lines]
    assert len(numbers) == len(set(numbers)), numbers
    assert not found[0].same_window_above and found[1].same_window_above


def test_the_results_page_describes_each_kind_once_for_two_needs(client: Client, kamakura: Any, national: Any) -> None:
    representative(national)
    reindex_services()
    page = client.get("/kamakura/search/", {"q": "家賃が払えない"}).content.decode()
    fallback = page[page.index('class="fallback"') :]
    assert fallback.count('class="fallback"') == 2, "two needs understood, one block each"
    assert fallback.count("自立相談支援機関（生活困窮者の相談窓口）</summary>") == 1
    assert fallback.count("tel:0467233000") == 1
