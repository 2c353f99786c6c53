"""English means English: interface and vocabulary labels in English, data text in Japanese marked lang="ja"."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from tests.factories import make_service
from tsunagari.directory.models import CrisisLine
from tsunagari.directory.taxonomy import read_terms
from tsunagari.search.index import reindex_services
from tsunagari.tenancy.scoping import scopes_disabled

pytestmark = pytest.mark.django_db

JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")


def english(client: Client, path: str, **params: Any) -> str:
    response = client.get(path, params, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("filename", ["needs.tsv", "targets.tsv", "attributes.tsv"])
def test_every_vocabulary_term_has_an_english_label(filename: str) -> None:
    for row in read_terms(filename):
        assert row["label_en"].strip(), row["code"]
        assert not JAPANESE.search(row["label_en"]), row["code"]


def test_the_home_tiles_and_the_language_switch_are_english(client: Client, kamakura: Any) -> None:
    body = english(client, "/kamakura/")
    tiles = re.search(r'<ul class="tiles">.*?</ul>', body, re.S)
    assert tiles and "Wanting to die or disappear" in tiles.group(0)
    assert not JAPANESE.search(tiles.group(0))
    header = re.search(r'<header class="site">.*?</header>', body, re.S)
    assert header and 'name="language" value="ja"' in header.group(0)


def test_the_language_switch_is_in_the_header_in_japanese_too(client: Client, kamakura: Any) -> None:
    body = client.get("/kamakura/", HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    header = re.search(r'<header class="site">.*?</header>', body, re.S)
    assert header and 'name="language" value="en"' in header.group(0)
    footer = re.search(r'<footer class="site">.*?</footer>', body, re.S)
    assert footer and "set_language" not in footer.group(0) and "/i18n/setlang/" not in footer.group(0)


def test_the_filters_are_english_and_results_are_japanese_marked_as_such(client: Client, kamakura: Any) -> None:
    service = make_service(kamakura, "フードバンク鎌倉", needs=("food",))
    reindex_services([service.pk])
    body = english(client, "/kamakura/search/filters/", need="food")
    filters = re.search(r'<form class="search filters".*?</form>', body, re.S)
    assert filters
    assert "Nothing to eat" in filters.group(0) and "Phone" in filters.group(0)
    # The options no result has are left out, said in English too.
    assert "None of these results has one of these recorded." in filters.group(0)
    # The only Japanese left: the example of a place name to type, and Chinese named in Chinese.
    rest = filters.group(0).replace("e.g. 248-0014 or 鎌倉市", "").replace(">中文<", "")
    assert JAPANESE.findall(rest) == []
    body = english(client, "/kamakura/search/", need="food")
    assert '<a href="/kamakura/services/' in body and 'lang="ja">フードバンク鎌倉</a>' in body
    assert "Narrow down" in body and "Clear the conditions" in body


def test_a_detail_page_shows_english_tags_and_marks_the_data_as_japanese(client: Client, kamakura: Any) -> None:
    service = make_service(kamakura, "フードバンク鎌倉", needs=("food",), description="食料を無料でお渡しします。")
    body = english(client, f"/kamakura/services/{service.pk}/")
    assert '<h1 lang="ja">フードバンク鎌倉</h1>' in body
    assert '<p lang="ja">食料を無料でお渡しします。</p>' in body
    tags = re.search(r'<ul class="tags">.*?</ul>', body, re.S)
    assert tags and "Nothing to eat" in tags.group(0)


def test_the_chat_taps_show_english_and_send_the_words_the_finder_reads(client: Client, kamakura: Any) -> None:
    body = english(client, "/kamakura/chat/")
    taps = re.search(r'<ul class="tiles">.*?</ul>', body, re.S)
    assert taps and 'value="孤独・さびしい・話し相手がいない">Lonely, no one to talk to</button>' in taps.group(0)


def test_the_24_hour_lines_on_an_english_detail_page_mark_their_hours_as_japanese(
    client: Client, kamakura: Any, national: Any
) -> None:
    with scopes_disabled():
        CrisisLine.objects.create(
            platform=national,
            label="よりそいホットライン",
            number="0120-279-338",
            phone_href="tel:0120279338",
            kinds=["general", "suicide"],
            availability="24時間",
        )
    service = make_service(kamakura, "フードバンク鎌倉", needs=("food",))  # no hours: not open now
    body = english(client, f"/kamakura/services/{service.pk}/")
    box = re.search(r'<aside class="always-open".*?</aside>', body, re.S)
    assert box and "0120-279-338" in box.group(0)
    # Every Japanese text in the box sits in an element marked lang="ja".
    unmarked = re.sub(r'<(a|span)[^>]*lang="ja"[^>]*>.*?</\1>', "", box.group(0), flags=re.S)
    assert JAPANESE.findall(unmarked) == []


def test_the_platforms_japanese_name_is_marked_as_japanese_on_english_pages(client: Client, kamakura: Any) -> None:
    body = english(client, "/kamakura/")
    assert f'lang="ja">{kamakura.name}</a>' in body  # the header's link home
    assert f'<h1 lang="ja">{kamakura.name}</h1>' in body
