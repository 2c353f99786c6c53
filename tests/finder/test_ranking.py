"""Ranking: need match first, then area, words, open now, channel; two per organisation; lines first at risk."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from tests.search.conftest import OFFICE_HOURS, build_service
from tsunagari.directory.models import CrisisLine
from tsunagari.finder.ranking import find
from tsunagari.finder.safety import lines_for
from tsunagari.lib.hours import JST
from tsunagari.search.index import reindex_services
from tsunagari.tenancy.scoping import scopes_disabled

pytestmark = pytest.mark.django_db
# A Wednesday morning: office hours are open.
WEDNESDAY = datetime.datetime(2026, 7, 1, 10, 0, tzinfo=JST)


@pytest.fixture
def windows(kamakura: Any, national: Any) -> dict[str, Any]:
    """Kamakura's windows, a prefecture's, the nation's, and one busy organisation with four."""
    made = {
        "care_city": build_service(
            kamakura,
            "鎌倉市 高齢者いきいき課 介護相談",
            needs=("caregiving", "elderly"),
            schedules=(OFFICE_HOURS,),
            organization_name="鎌倉市 高齢者いきいき課",
        ),
        "care_pref": build_service(
            national,
            "神奈川県 介護保険相談窓口",
            needs=("caregiving",),
            municipality=None,
            prefecture="14",
            organization_name="神奈川県",
        ),
        "care_nation": build_service(
            national,
            "介護離職の相談ダイヤル",
            needs=("caregiving", "work"),
            organization_name="厚生労働省",
        ),
        "work_city": build_service(
            kamakura,
            "ハローワーク藤沢 鎌倉出張相談",
            needs=("work",),
            channels=("line",),
            organization_name="ハローワーク藤沢",
        ),
        "family_hikikomori": build_service(
            kamakura,
            "ひきこもり家族相談",
            needs=("hikikomori",),
            targets=("family",),
            organization_name="鎌倉市 福祉課",
        ),
    }
    for number in range(4):
        made[f"busy_{number}"] = build_service(
            kamakura, f"地域包括支援センター {number}", needs=("caregiving",), organization_name="鎌倉市社会福祉協議会"
        )
    reindex_services()
    return made


def names(result: Any) -> list[str]:
    return [item.service.name for item in result.results]


def test_it_puts_the_residents_own_city_first_for_the_top_need(kamakura: Any, windows: dict[str, Any]) -> None:
    result = find("母の介護で仕事をやめるしかないかも", platform=kamakura, now=WEDNESDAY)
    assert not result.situation.crisis
    assert result.situation.top(2) == ["caregiving", "work"]
    assert names(result)[0] == "鎌倉市 高齢者いきいき課 介護相談"
    assert "鎌倉市" in result.results[0].why
    assert all(item.why for item in result.results)
    assert result.lines == []


def test_it_shows_at_most_two_windows_of_one_organisation(kamakura: Any, windows: dict[str, Any]) -> None:
    result = find("親の介護がつらい", platform=kamakura, now=WEDNESDAY, limit=10)
    busy = [name for name in names(result) if name.startswith("地域包括支援センター")]
    assert len(busy) == 2
    assert "神奈川県 介護保険相談窓口" in names(result)


def test_area_orders_city_then_prefecture_then_nationwide(kamakura: Any, windows: dict[str, Any]) -> None:
    result = find("介護の相談をしたい", platform=kamakura, now=WEDNESDAY, limit=10)
    order = names(result)
    assert order.index("鎌倉市 高齢者いきいき課 介護相談") < order.index("神奈川県 介護保険相談窓口")
    assert order.index("神奈川県 介護保険相談窓口") < order.index("介護離職の相談ダイヤル")


def test_a_preferred_channel_lifts_the_windows_that_offer_it(kamakura: Any, windows: dict[str, Any]) -> None:
    plain = find("仕事がない", platform=kamakura, now=WEDNESDAY)
    preferred = find("仕事がない", platform=kamakura, now=WEDNESDAY, prefer_channel="line")
    work = next(item for item in preferred.results if item.service.name.startswith("ハローワーク"))
    before = next(item for item in plain.results if item.service.name.startswith("ハローワーク"))
    assert work.score > before.score


def test_a_postal_code_in_the_text_sets_the_area_on_the_national_portal(national: Any, windows: dict[str, Any]) -> None:
    result = find("〒248-0014 に住んでいます。介護の相談がしたい", platform=national, now=WEDNESDAY)
    assert result.municipality is not None and result.municipality.code == "142042"


def test_a_crisis_leads_with_the_lines_even_with_no_local_window(kamakura: Any) -> None:
    result = find("もう消えたい", platform=kamakura, now=WEDNESDAY)
    assert result.situation.crisis_kind == "suicide"
    numbers = [line.number for line in result.lines]
    assert "0570-064-556" in numbers and "0120-279-338" in numbers
    assert all(line.publisher and line.last_verified_on for line in result.lines)


def test_violence_lines_are_the_dv_lines_24_hour_first_then_110(kamakura: Any) -> None:
    numbers = [line.number for line in lines_for("violence", kamakura)]
    assert numbers[:2] == ["0120-279-889", "#8008"]
    assert numbers[-1] == "110"


def test_child_lines_are_189_and_the_24_hour_child_sos_line_then_110(kamakura: Any) -> None:
    numbers = [line.number for line in lines_for("child", kamakura)]
    assert numbers[:2] == ["189", "0120-0-78310"]
    assert numbers[-1] == "110"


def test_a_platforms_own_line_is_shown_and_other_platforms_are_not(kamakura: Any, tottori: Any, national: Any) -> None:
    with scopes_disabled():
        CrisisLine.objects.create(
            platform=national,
            label="よりそいホットライン",
            number="0120-279-338",
            kinds=["suicide", "general"],
            publisher="厚生労働省",
            last_verified_on=datetime.date(2026, 7, 27),
        )
        CrisisLine.objects.create(
            platform=kamakura,
            label="鎌倉いのちの電話",
            number="0467-00-0000",
            kinds=["suicide"],
            publisher="鎌倉市",
        )
        CrisisLine.objects.create(
            platform=tottori,
            label="鳥取こころの電話",
            number="0857-00-0000",
            kinds=["suicide"],
            publisher="鳥取県",
        )
    numbers = [line.number for line in lines_for("suicide", kamakura)]
    # The 24-hour line first (a local line may be closed), then the platform's own before other national ones.
    assert numbers[:2] == ["0120-279-338", "0467-00-0000"]
    assert "0857-00-0000" not in numbers
