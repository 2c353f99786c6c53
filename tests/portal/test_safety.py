"""Safety on the portal and the API: the chat's crisis check, the emergency strip, leaving no trail.

Issue 9 items 2, 3 and 4. Each rule here was checked by breaking it once (see the commit message).
"""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from tests.factories import make_service
from tsunagari.directory.crisis import curated_defaults, due_for_check
from tsunagari.directory.models import CrisisLine
from tsunagari.search.index import reindex_services
from tsunagari.tenancy.scoping import scopes_disabled

pytestmark = pytest.mark.django_db

YORISOI = "tel:0120279338"  # よりそいホットライン, 24 hours
DV_PLUS = "tel:0120279889"  # DV相談＋, 24 hours
CHILD_SOS = "tel:0120078310"  # 24時間子供SOSダイヤル


def crisis_block(html: str) -> str:
    """The crisis section of a page ("" when there is none)."""
    found = re.search(r'<section class="crisis".*?</section>', html, re.S)
    return found.group(0) if found else ""


def strip_row(html: str) -> str:
    found = re.search(r'<ul class="emergency-row">.*?<li class="more-cell">', html, re.S)
    assert found, "the emergency strip has no row of call buttons"
    return found.group(0)


@pytest.mark.parametrize(
    ("query", "first_tel", "also"),
    [
        ({"q": "死にたい"}, YORISOI, ()),
        ({"q": "もう消えてしまいたい"}, YORISOI, ()),
        ({"need": "suicide"}, YORISOI, ()),
        ({"q": "夫から暴力を受けている"}, DV_PLUS, ("tel:110",)),
        ({"need": "violence"}, DV_PLUS, ()),
        ({"need": "child_abuse"}, "tel:189", (CHILD_SOS,)),
        ({"q": "父に毎日殴られる。中学2年です"}, "tel:189", (CHILD_SOS,)),
        ({"q": "薬を大量に飲んだ"}, "tel:119", (YORISOI,)),
        ({"q": "I want to kill myself"}, YORISOI, ()),
    ],
)
def test_search_puts_the_24_hour_lines_for_the_risk_before_any_result(
    client: Client, kamakura: Any, query: dict[str, str], first_tel: str, also: tuple[str, ...]
) -> None:
    response = client.get("/kamakura/search/", query, HTTP_ACCEPT_LANGUAGE="ja")
    html = response.content.decode()
    block = crisis_block(html)
    assert block, f"no crisis block for {query}"
    tels = re.findall(r'class="call-big" href="([^"]+)"', block)
    assert tels[0] == first_tel
    for tel in also:
        assert tel in tels
    # Before any result and before "0 か所": the block comes first in the page's content.
    assert html.index(block) < html.index('class="results"')


def test_only_lines_that_answer_at_every_hour_are_large_call_buttons(client: Client, kamakura: Any) -> None:
    """At 3 a.m. the big button must ring; lines with set hours are listed below it, smaller, with their hours."""
    html = client.get("/kamakura/search/", {"q": "死にたい"}, HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    block = crisis_block(html)
    big = re.findall(r'class="call-big" href="([^"]+)"', block)
    assert big == [YORISOI]
    more = block[block.index("受付時間が決まっている相談電話") :]
    for number in ("0570-783-556", "0120-783-556", "0120-061-338"):
        assert number in more
    assert "毎日10時〜22時" in more


def test_everyday_worries_bring_no_crisis_block(client: Client, kamakura: Any) -> None:
    for query in ({"q": "家賃が払えない"}, {"need": "food"}, {"q": "死ぬほど忙しい"}):
        html = client.get("/kamakura/search/", query).content.decode()
        assert crisis_block(html) == "", query


def test_no_window_found_still_points_to_the_lines_that_answer_now(client: Client, kamakura: Any) -> None:
    html = client.get("/kamakura/search/", {"q": "死にたい"}, HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    assert "上の電話は今すぐつながります" in html


def test_the_api_adds_a_crisis_block_and_keeps_the_hsds_page(client: Client, kamakura: Any) -> None:
    service = make_service(kamakura, "こころの相談")
    reindex_services([service.pk])
    body = client.get("/kamakura/api/services", {"search": "死にたい"}).json()
    assert {"total_items", "total_pages", "page_number", "size", "contents"} <= body.keys()
    crisis = body["crisis"]
    assert crisis["kinds"] == ["suicide"]
    assert crisis["lines"][0]["tel"] == YORISOI
    assert crisis["lines"][0]["hours"] == "24時間"
    assert all(line["url"] and line["publisher"] for line in crisis["lines"])
    dv = client.get("/kamakura/api/services", {"search": "夫から暴力を受けている"}).json()["crisis"]
    assert dv["lines"][0]["tel"] == DV_PLUS
    child = client.get("/kamakura/api/services", {"taxonomy_term_id": "child_abuse"}).json()["crisis"]
    assert [line["tel"] for line in child["lines"][:2]] == ["tel:189", CHILD_SOS]
    assert "crisis" not in client.get("/kamakura/api/services", {"search": "家賃"}).json()


def test_the_national_api_runs_the_same_check(client: Client, kamakura: Any, national: Any) -> None:
    body = client.get("/api/services", {"search": "もう消えてしまいたい"}).json()
    assert body["crisis"]["lines"][0]["tel"] == YORISOI


def test_the_strip_on_every_page_has_a_24_hour_suicide_line_and_the_24_hour_dv_line(
    client: Client, kamakura: Any
) -> None:
    service = make_service(kamakura)
    for path in ("/", "/kamakura/", "/kamakura/search/", f"/kamakura/services/{service.pk}/", "/clear-history/"):
        row = strip_row(client.get(path, HTTP_ACCEPT_LANGUAGE="ja").content.decode())
        for tel in (YORISOI, DV_PLUS, "tel:110", "tel:119", "tel:189"):
            assert f'href="{tel}"' in row, (path, tel)
        assert row.count("24時間") >= 5, path


def test_the_strip_folds_the_other_national_lines(client: Client, kamakura: Any) -> None:
    html = client.get("/kamakura/").content.decode()
    more = html[html.index('class="more-lines"') :]
    for tel in ("tel:0570783556", "tel:0120783556", "tel:0120061338", CHILD_SOS, "tel:0120997777"):
        assert tel in more


def test_the_strip_is_data_a_coordinator_edits(client: Client, kamakura: Any, national: Any) -> None:
    call_command("load_crisis_lines")
    with scopes_disabled():
        assert CrisisLine.objects.filter(platform=national).count() == len(curated_defaults())
        line = CrisisLine.objects.get(platform=national, number="0120-279-338")
        line.availability = "24時間（テスト）"
        line.save()
        CrisisLine.objects.create(
            platform=kamakura, label="鎌倉こころの電話", short_label="鎌倉", number="0467-00-0000", strip_position=6
        )
    call_command("load_crisis_lines")  # a second run keeps the coordinator's edit
    row = strip_row(client.get("/kamakura/").content.decode())
    assert "24時間（テスト）" in row
    assert "0467-00-0000" in row


def test_curated_lines_carry_source_publisher_hours_and_verification() -> None:
    for line in curated_defaults():
        assert line.url.startswith("https://") and line.publisher and line.availability
        assert line.last_verified_on == datetime.date(2026, 12, 3)
        assert "再確認" in line.verification_note
    # Where each line's hours were last seen is said, official or not; a line with its hours only from
    # an old secondary source says so rather than claiming more.
    notes = {line.number: line.verification_note for line in curated_defaults()}
    assert "公式ページ https://www.mext.go.jp/" in notes["0120-0-78310"]
    assert "公式ではないページ" in notes["0120-061-338"] and "要確認" in notes["0120-061-338"]
    assert all(len(note) <= 500 for note in notes.values())


def test_a_line_not_checked_for_six_months_is_listed_for_the_coordinator() -> None:
    lines = curated_defaults()
    assert due_for_check(lines, datetime.date(2027, 3, 1)) == []
    assert len(due_for_check(lines, datetime.date(2027, 7, 1))) == len(lines)


def test_the_staff_page_reminds_of_lines_to_recheck(client: Client, kamakura: Any, alice: Any, national: Any) -> None:
    call_command("load_crisis_lines")
    with scopes_disabled():
        CrisisLine.objects.filter(number="0120-061-338").update(last_verified_on=datetime.date(2025, 1, 10))
    client.force_login(alice)
    html = client.get("/kamakura/staff/", HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    listed = html[html.index("確認が必要な緊急の相談電話") :]
    assert "0120-061-338" in listed and "2025" in listed
    assert "0120-279-338" not in listed  # verified recently


@pytest.mark.parametrize("path", ["/kamakura/search/?q=%E5%A4%AB", "/kamakura/search/", "/kamakura/chat/"])
def test_pages_that_show_what_was_searched_are_not_stored(client: Client, kamakura: Any, path: str) -> None:
    for _ in range(2):  # the second answer comes from the page cache
        response = client.get(path)
        assert "no-store" in response["Cache-Control"]


def test_a_window_page_is_not_stored_and_leads_with_the_call_button(client: Client, kamakura: Any) -> None:
    service = make_service(kamakura, "DV相談室", needs=("violence",))
    response = client.get(f"/kamakura/services/{service.pk}/", HTTP_ACCEPT_LANGUAGE="ja")
    assert "no-store" in response["Cache-Control"]
    html = response.content.decode()
    article = html[html.index("<article") :]
    # The first link of the window's page is its call button (the first screen on a phone).
    assert re.search(r"<a [^>]*href=\"([^\"]+)\"", article).group(1) == "tel:0467233000"  # type: ignore[union-attr]
    # Its hours are unknown, so the 24-hour line for the same need is offered.
    aside = article[article.index('class="always-open"') : article.index("</aside>")]
    assert DV_PLUS in aside
    assert "tel:110" not in aside


def test_the_page_on_clearing_history_is_in_japanese_and_english(client: Client, areas: None) -> None:
    ja = client.get("/clear-history/", HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    assert "閲覧履歴の消し方" in ja
    en = client.get("/clear-history/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "How to clear your browsing history" in en
    home = client.get("/").content.decode()
    header = home[home.index('<header class="site">') : home.index("</header>")]
    assert 'href="/clear-history/"' in header and "data-quick-exit" in header


# --- English means English: the lines' own texts in English (issue 9 item 10) -------------------------------


def test_the_strip_and_the_crisis_block_speak_english_to_english_visitors(client: Client, kamakura: Any) -> None:
    row = strip_row(client.get("/kamakura/", HTTP_ACCEPT_LANGUAGE="en").content.decode())
    # An English page says lang="en" once: the English texts need no attribute of their own.
    assert (
        '<a href="tel:0120279338"><span>Feeling suicidal</span><strong>0120-279-338</strong><small>24 hours</small>'
        in row
    )
    assert "<span>Domestic violence</span>" in row
    assert "死にたい" not in row and "24時間" not in row and 'lang="ja"' not in row
    block = crisis_block(
        client.get("/kamakura/search/", {"q": "I want to kill myself"}, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    )
    assert "<span>Yorisoi Hotline (if you want to die or have any worry)</span>" in block
    assert "daily 10:00–22:00・call charges apply" in block  # いのちの電話 with its hours and cost, in English
    # Japanese visitors see the Japanese texts (the page says lang="ja" once).
    row = strip_row(client.get("/kamakura/", HTTP_ACCEPT_LANGUAGE="ja").content.decode())
    assert "<span>死にたい・つらい</span>" in row
    assert "Feeling suicidal" not in row


def test_a_line_with_no_english_text_shows_its_japanese_marked_as_japanese(client: Client, kamakura: Any) -> None:
    with scopes_disabled():
        CrisisLine.objects.create(
            platform=kamakura,
            label="鎌倉こころの電話",
            short_label="鎌倉",
            number="0467-00-0000",
            strip_position=6,
            availability="平日9時〜17時",
        )
    row = strip_row(client.get("/kamakura/", HTTP_ACCEPT_LANGUAGE="en").content.decode())
    assert 'lang="ja"><span>鎌倉</span><strong>0467-00-0000</strong><small lang="ja">平日9時〜17時</small>' in row


def test_loading_the_curated_lines_again_fills_only_empty_english_texts(kamakura: Any, national: Any) -> None:
    call_command("load_crisis_lines")
    with scopes_disabled():
        line = CrisisLine.objects.get(platform=national, number="0120-279-338")
        CrisisLine.objects.filter(pk=line.pk).update(label_en="", availability_en="around the clock (edited)")
    call_command("load_crisis_lines")
    with scopes_disabled():
        line.refresh_from_db()
    assert line.label_en.startswith("Yorisoi Hotline")  # was empty: filled in
    assert line.availability_en == "around the clock (edited)"  # a coordinator's text is kept


def test_changing_a_lines_japanese_hours_without_its_english_is_refused(kamakura: Any, national: Any) -> None:
    """An English visitor must never read hours that the Japanese no longer says."""
    from django.forms.models import model_to_dict

    from tsunagari.directory.admin import CrisisLineForm

    call_command("load_crisis_lines")
    with scopes_disabled():
        line = CrisisLine.objects.get(platform=national, number="0570-783-556")
        data = {k: v for k, v in model_to_dict(line).items() if v is not None}
        data["kinds"] = '["suicide"]'
        data["availability"] = "毎日12時〜20時"
        form = CrisisLineForm(data=data, instance=line)
        assert not form.is_valid()
        assert "availability_en" in form.errors
        data["availability_en"] = "daily 12:00–20:00"
        form = CrisisLineForm(data=data, instance=line)
        assert form.is_valid(), form.errors
        data["availability_en"] = ""  # or emptied: English visitors then see the Japanese hours
        assert CrisisLineForm(data=data, instance=line).is_valid()


def test_open_data_lines_get_english_only_while_their_japanese_is_the_one_translated(
    client: Client, kamakura: Any, national: Any
) -> None:
    """くらし支援ナビ's lines have no English: ours applies while the data says what we translated."""
    with scopes_disabled():
        CrisisLine.objects.create(
            platform=national,
            label="性犯罪・性暴力の相談",
            number="#8891",
            phone_href="tel:%238891",
            availability="最寄りの支援センターへ接続",
            cost="無料",
        )
        CrisisLine.objects.create(
            platform=national,
            label="契約・悪質請求の相談",
            number="188",
            phone_href="tel:188",
            availability="平日10時〜16時",
            cost="通話料あり",  # the data's hours changed since our translation
        )
    html = client.get("/kamakura/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    more = html[html.index('class="more-lines"') :]
    assert '<a href="tel:%238891">Sexual crime and sexual violence consultation' in more
    assert "<small>connects you to the nearest support centre・free</small>" in more
    assert '<a href="tel:188" lang="ja">契約・悪質請求の相談' in more
    assert '<small lang="ja">平日10時〜16時・通話料あり</small>' in more
    assert "Consumer hotline" not in more
