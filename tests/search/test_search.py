"""Searching the directory: Japanese variants, every filter, open now, tenants, and the index kept fresh."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import make_service
from tests.search.conftest import OFFICE_HOURS, ROUND_THE_CLOCK
from tsunagari.directory.models import Channel, Location, Organization, Schedule, Service, ServiceArea
from tsunagari.directory.queries import platform_services
from tsunagari.lib.hours import JST
from tsunagari.search.models import ServiceDocument
from tsunagari.search.query import search_services
from tsunagari.tenancy.scoping import platform_scope, scopes_disabled

pytestmark = pytest.mark.django_db

Build = Callable[..., Service]
Index = Callable[[], int]


def names(results: Any) -> set[str]:
    return {service.name for service in results.services}


def at(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(year, month, day, hour, minute, tzinfo=JST)


# ---------------------------------------------------------------------------
# Words
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("query", ["ひきこもり", "引きこもり", "引き籠もり"])
def test_every_spelling_of_hikikomori_finds_the_centre(kamakura: Any, index: Index, query: str) -> None:
    make_service(kamakura, "引きこもり地域支援センター")
    make_service(kamakura, "子育て支援センター", needs=("parenting",))
    index()
    assert names(search_services(platform=kamakura, text=query)) == {"引きこもり地域支援センター"}


def test_kodomo_in_kana_finds_kodomo_in_kanji(kamakura: Any, index: Index) -> None:
    make_service(kamakura, "子供の相談室")
    index()
    assert names(search_services(platform=kamakura, text="子ども")) == {"子供の相談室"}
    assert names(search_services(platform=kamakura, text="こども")) == {"子供の相談室"}


def test_full_width_dv_finds_dv(kamakura: Any, index: Index) -> None:
    make_service(kamakura, "ＤＶ相談ダイヤル", needs=("violence",))
    make_service(kamakura, "DV相談プラス", needs=("violence",))
    index()
    assert names(search_services(platform=kamakura, text="dv")) == {"ＤＶ相談ダイヤル", "DV相談プラス"}
    assert names(search_services(platform=kamakura, text="ＤＶ")) == {"ＤＶ相談ダイヤル", "DV相談プラス"}


def test_a_part_of_a_compound_finds_it(kamakura: Any, index: Index) -> None:
    make_service(kamakura, "子育て支援センター", needs=("parenting",))
    make_service(kamakura, "こころの健康相談", needs=("mental_health",))
    index()
    assert names(search_services(platform=kamakura, text="子育て")) == {"子育て支援センター"}
    assert names(search_services(platform=kamakura, text="センター")) == {"子育て支援センター"}
    assert names(search_services(platform=kamakura, text="健康")) == {"こころの健康相談"}
    assert names(search_services(platform=kamakura, text="健康相談")) == {"こころの健康相談"}


def test_description_organisation_and_need_labels_are_searched(kamakura: Any, index: Index) -> None:
    make_service(
        kamakura,
        "よりそい窓口",
        needs=("food",),
        description="フードバンクの案内をします。",
        organization_name="鎌倉市社会福祉協議会",
    )
    index()
    assert names(search_services(platform=kamakura, text="フードバンク")) == {"よりそい窓口"}
    assert names(search_services(platform=kamakura, text="社会福祉協議会")) == {"よりそい窓口"}
    # The need's label (食べるものがない) is indexed with the service.
    assert names(search_services(platform=kamakura, text="食べる")) == {"よりそい窓口"}


def test_every_word_must_match(kamakura: Any, index: Index) -> None:
    make_service(kamakura, "子育て支援センター", needs=("parenting",))
    make_service(kamakura, "ひきこもり支援センター")
    index()
    results = search_services(platform=kamakura, text="子育て センター")
    assert names(results) == {"子育て支援センター"}
    assert not results.relaxed


def test_when_no_service_has_every_word_any_word_will_do(kamakura: Any, index: Index) -> None:
    make_service(kamakura, "子育て支援センター", needs=("parenting",))
    make_service(kamakura, "ひきこもり相談")
    index()
    results = search_services(platform=kamakura, text="子育て ひきこもり")
    assert results.relaxed
    assert names(results) == {"子育て支援センター", "ひきこもり相談"}


def test_nothing_found_for_any_word_is_not_called_relaxed(kamakura: Any, index: Index) -> None:
    make_service(kamakura, "子育て支援センター", needs=("parenting",))
    index()
    results = search_services(platform=kamakura, text="フードバンク 弁護士")
    assert (results.total, results.relaxed) == (0, False)


def test_the_name_outranks_a_mention_in_a_description(kamakura: Any, index: Index) -> None:
    make_service(
        kamakura, "総合相談窓口", description="ひきこもりのことも、子育てのことも、どんなことでも相談できます。" * 3
    )
    make_service(kamakura, "ひきこもり地域支援センター")
    index()
    results = search_services(platform=kamakura, text="ひきこもり")
    assert [s.name for s in results.services] == ["ひきこもり地域支援センター", "総合相談窓口"]


def test_no_words_lists_everything_by_name(kamakura: Any, index: Index) -> None:
    for name in ("わ窓口", "あ窓口", "か窓口"):
        make_service(kamakura, name)
    index()
    assert [s.name for s in search_services(platform=kamakura).services] == ["あ窓口", "か窓口", "わ窓口"]


def test_more_matches_than_the_search_orders_are_counted_as_more(kamakura: Any, build: Build, index: Index) -> None:
    for name in ("わ窓口", "あ窓口", "か窓口", "さ窓口"):
        build(kamakura, name, schedules=(OFFICE_HOURS,))
    build(kamakura, "夜の窓口")
    index()
    exact = search_services(platform=kamakura, per_page=3, page=2)
    assert (exact.total, exact.more) == (5, False)
    assert [s.name for s in exact.services] == ["わ窓口", "夜の窓口"]
    for results in (
        search_services(platform=kamakura, max_matches=3),
        search_services(platform=kamakura, text="窓口", max_matches=3),
        search_services(platform=kamakura, open_now=True, now=at(2026, 7, 1, 10), max_matches=3),
    ):
        # Three of the matches, in order among themselves, and word that there are more.
        assert (results.total, results.more, len(results.services)) == (3, True, 3)
        assert len({s.pk for s in results.services}) == 3
    by_name = [s.name for s in search_services(platform=kamakura, max_matches=3).services]
    assert by_name == sorted(by_name)
    assert search_services(platform=kamakura, page=2, max_matches=3).services == []
    # At the limit exactly, nothing is left out.
    at_limit = search_services(platform=kamakura, max_matches=5)
    assert (at_limit.total, at_limit.more) == (5, False)


def test_quotes_and_operators_in_a_query_are_only_words(kamakura: Any, index: Index) -> None:
    make_service(kamakura, "ひきこもり相談")
    index()
    for text in ['"', "AND OR NOT", "ひきこもり OR (", "'; DROP TABLE x; --", "*", "NEAR(a b)", "_n_hikikomori"]:
        search_services(platform=kamakura, text=text)
    assert names(search_services(platform=kamakura, text='ひきこもり "')) == {"ひきこもり相談"}


# ---------------------------------------------------------------------------
# Filters
# ---------------------------------------------------------------------------


def test_needs_filter_accepts_any_of_the_needs(kamakura: Any, index: Index) -> None:
    make_service(kamakura, "ひきこもり相談", needs=("hikikomori",))
    make_service(kamakura, "フードバンク", needs=("food",))
    make_service(kamakura, "法律相談", needs=("legal",))
    index()
    assert names(search_services(platform=kamakura, needs=("food",))) == {"フードバンク"}
    assert names(search_services(platform=kamakura, needs=("food", "legal"))) == {"フードバンク", "法律相談"}
    assert names(search_services(platform=kamakura, text="相談", needs=("hikikomori",))) == {"ひきこもり相談"}


def test_target_filter(kamakura: Any, build: Build, index: Index) -> None:
    build(kamakura, "若者サポートステーション", targets=("youth",))
    build(kamakura, "高齢者の相談", targets=("elderly",))
    index()
    assert names(search_services(platform=kamakura, targets=("youth",))) == {"若者サポートステーション"}


def test_channel_filter(kamakura: Any, build: Build, index: Index) -> None:
    build(kamakura, "LINE相談", channels=(Channel.Kind.LINE,))
    build(kamakura, "チャット相談", channels=(Channel.Kind.CHAT,))
    build(kamakura, "電話だけの相談")
    index()
    assert names(search_services(platform=kamakura, channels=("line",))) == {"LINE相談"}
    assert names(search_services(platform=kamakura, channels=("line", "chat"))) == {"LINE相談", "チャット相談"}
    assert len(search_services(platform=kamakura, channels=("phone",)).services) == 3


def test_free_anonymous_and_24_hours_filters(kamakura: Any, build: Build, index: Index) -> None:
    build(kamakura, "無料匿名の相談", attributes=("free", "anonymous"))
    build(kamakura, "無料の相談", attributes=("free",))
    build(kamakura, "24時間の相談", attributes=("open_24h",))
    build(kamakura, "いつでも電話", schedules=(ROUND_THE_CLOCK,))
    build(kamakura, "有料の相談")
    index()
    assert names(search_services(platform=kamakura, free=True)) == {"無料匿名の相談", "無料の相談"}
    assert names(search_services(platform=kamakura, free=True, anonymous=True)) == {"無料匿名の相談"}
    # 24 hours: the attribute, or a schedule that says so.
    assert names(search_services(platform=kamakura, open_24h=True)) == {"24時間の相談", "いつでも電話"}


def test_language_filter_takes_japanese_as_the_default(kamakura: Any, index: Index) -> None:
    make_service(kamakura, "日本語の相談")
    make_service(kamakura, "多言語相談", languages=["ja", "en", "vi", "zh-Hans"])
    make_service(kamakura, "English desk", languages=["en"])
    index()
    assert names(search_services(platform=kamakura, languages=("ja",))) == {"日本語の相談", "多言語相談"}
    assert names(search_services(platform=kamakura, languages=("vi",))) == {"多言語相談"}
    assert names(search_services(platform=kamakura, languages=("zh",))) == {"多言語相談"}
    assert names(search_services(platform=kamakura, languages=("en", "vi"))) == {"多言語相談", "English desk"}


def test_area_filter_covers_the_municipality_its_prefecture_and_the_nation(national: Any, index: Index) -> None:
    make_service(national, "鎌倉市の窓口", municipality="142042")
    make_service(national, "神奈川県の窓口", prefecture="14")
    make_service(national, "全国の窓口")
    make_service(national, "横浜市の窓口", municipality="141003")
    make_service(national, "東京都の窓口", prefecture="13")
    index()
    results = search_services(platform=national, municipality_code="142042")
    assert names(results) == {"鎌倉市の窓口", "神奈川県の窓口", "全国の窓口"}
    assert results.resolved_municipality is not None
    assert results.resolved_municipality.name == "鎌倉市"


def test_a_postal_code_resolves_to_its_municipality(national: Any, index: Index) -> None:
    make_service(national, "鎌倉市の窓口", municipality="142042")
    make_service(national, "横浜市の窓口", municipality="141003")
    index()
    for code in ("248-0014", "2480014", "２４８－００１４", "〒248-0014"):
        results = search_services(platform=national, postal_code=code)
        assert results.resolved_municipality is not None
        assert results.resolved_municipality.code == "142042"
        assert names(results) == {"鎌倉市の窓口"}


def test_a_large_office_postal_code_resolves_too(national: Any) -> None:
    # 248-8686 is 鎌倉市役所's own code (大口事業所), not an area code.
    results = search_services(platform=national, postal_code="248-8686")
    assert results.resolved_municipality is not None
    assert results.resolved_municipality.code == "142042"


def test_a_ward_postal_code_resolves_to_its_designated_city(national: Any) -> None:
    # 060-0000 is 札幌市中央区; wards are not municipalities of their own here.
    results = search_services(platform=national, postal_code="060-0000")
    assert results.resolved_municipality is not None
    assert results.resolved_municipality.name == "札幌市"


def test_an_unknown_area_says_so_and_finds_nothing(national: Any, index: Index) -> None:
    make_service(national, "全国の窓口")
    index()
    for kwargs in ({"postal_code": "999-9999"}, {"postal_code": "abc"}, {"municipality_code": "000000"}):
        results = search_services(platform=national, **kwargs)
        assert results.unknown_area
        assert results.total == 0


def test_near_finds_services_within_the_radius_nearest_first(kamakura: Any, index: Index) -> None:
    kamakura_office = make_service(kamakura, "鎌倉市役所の窓口")
    ofuna = make_service(kamakura, "大船の窓口")
    make_service(kamakura, "住所だけの窓口")
    with scopes_disabled():
        Location.objects.filter(service_at_locations__service=kamakura_office).update(
            latitude="35.319225", longitude="139.546687"
        )
        Location.objects.filter(service_at_locations__service=ofuna).update(
            latitude="35.353870", longitude="139.531200"
        )
    index()
    kamakura_station = (35.319056, 139.550325)
    near = search_services(platform=kamakura, near=kamakura_station, radius_km=1)
    assert names(near) == {"鎌倉市役所の窓口"}
    assert 0.2 < near.distances_km[kamakura_office.pk] < 0.5
    wider = search_services(platform=kamakura, near=kamakura_station, radius_km=10)
    assert [s.name for s in wider.services] == ["鎌倉市役所の窓口", "大船の窓口"]


# ---------------------------------------------------------------------------
# Open now
# ---------------------------------------------------------------------------


@pytest.fixture
def hours(kamakura: Any, build: Build, index: Index) -> Any:
    build(kamakura, "市役所の窓口", schedules=(OFFICE_HOURS,))
    build(kamakura, "いのちの電話", schedules=(ROUND_THE_CLOCK,))
    build(
        kamakura,
        "土曜の相談",
        schedules=({"byday": "SA", "opens_at": datetime.time(10), "closes_at": datetime.time(16)},),
    )
    build(
        kamakura,
        "第2土曜の相談",
        schedules=({"byday": "2SA", "opens_at": datetime.time(14), "closes_at": datetime.time(16)},),
    )
    build(kamakura, "時間の分からない窓口", schedules=(OFFICE_HOURS,), hours_parsed=False)
    build(kamakura, "時間の載っていない窓口")
    index()
    return kamakura


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (at(2026, 7, 1, 10), {"市役所の窓口", "いのちの電話"}),  # a Wednesday morning
        (at(2026, 7, 1, 8, 29), {"いのちの電話"}),  # a minute before opening
        (at(2026, 7, 1, 8, 30), {"市役所の窓口", "いのちの電話"}),  # opening time is open
        (at(2026, 7, 1, 17, 10), {"市役所の窓口", "いのちの電話"}),  # the last hour, partly open
        (at(2026, 7, 1, 17, 15), {"いのちの電話"}),  # closing time is closed
        (at(2026, 7, 1, 23), {"いのちの電話"}),  # night
        (at(2026, 7, 4, 11), {"土曜の相談", "いのちの電話"}),  # Saturday
        (at(2026, 7, 4, 15), {"土曜の相談", "いのちの電話"}),  # the first Saturday: not the monthly one
        (at(2026, 7, 11, 15), {"土曜の相談", "第2土曜の相談", "いのちの電話"}),  # the second Saturday
        (at(2026, 7, 11, 16), {"いのちの電話"}),  # closing time
        (at(2026, 11, 3, 10), {"いのちの電話"}),  # 文化の日, a Tuesday holiday
        (at(2026, 12, 29, 10), {"いのちの電話"}),  # a Tuesday in the year-end break
        (at(2027, 12, 28, 10), {"市役所の窓口", "いのちの電話"}),  # Tuesday 28 December: still open
        (at(2028, 1, 3, 10), {"いのちの電話"}),  # Monday 3 January: the break's last day
        (at(2027, 1, 4, 10), {"市役所の窓口", "いのちの電話"}),  # the first working day
    ],
)
def test_open_now_follows_the_schedules(hours: Any, moment: datetime.datetime, expected: set[str]) -> None:
    assert names(search_services(platform=hours, open_now=True, now=moment)) == expected


def test_open_now_converts_to_japan_time(hours: Any) -> None:
    # 01:00 UTC is 10:00 in Tokyo.
    moment = datetime.datetime(2026, 7, 1, 1, 0, tzinfo=datetime.UTC)
    assert names(search_services(platform=hours, open_now=True, now=moment)) == {"市役所の窓口", "いのちの電話"}


def test_open_now_agrees_with_the_service_page(hours: Any) -> None:
    from tsunagari.directory.opening import is_open

    moments = [at(2026, 7, 1, h) for h in (3, 9, 12, 17, 20)] + [at(2026, 11, 3, 10), at(2026, 12, 31, 12)]
    moments += [at(2026, 7, day, 15) for day in (4, 11, 18)]
    with platform_scope(hours):
        services = list(Service.objects.prefetch_related("schedules"))
        for moment in moments:
            expected = {s.name for s in services if is_open(s, moment)}
            assert names(search_services(platform=hours, open_now=True, now=moment)) == expected, moment


# ---------------------------------------------------------------------------
# Tenants
# ---------------------------------------------------------------------------


def test_another_platforms_services_are_never_found(kamakura: Any, tottori: Any, national: Any, index: Index) -> None:
    make_service(kamakura, "鎌倉のひきこもり相談")
    make_service(tottori, "鳥取のひきこもり相談")
    index()
    assert names(search_services(platform=kamakura, text="ひきこもり")) == {"鎌倉のひきこもり相談"}
    assert names(search_services(platform=tottori, text="ひきこもり")) == {"鳥取のひきこもり相談"}
    assert names(search_services(platform=national, text="ひきこもり")) == set()


def test_drafts_and_defunct_services_are_never_found(kamakura: Any, index: Index) -> None:
    make_service(kamakura, "ひきこもり相談（下書き）", publication=Service.Publication.DRAFT)
    make_service(kamakura, "ひきこもり相談（廃止）", status=Service.Status.DEFUNCT)
    make_service(kamakura, "ひきこもり相談")
    index()
    assert names(search_services(platform=kamakura, text="ひきこもり")) == {"ひきこもり相談"}
    assert search_services(platform=kamakura, text="下書き").total == 0


def test_a_local_portal_shows_the_national_data_for_its_area(
    kamakura: Any, tottori: Any, national: Any, index: Index
) -> None:
    make_service(national, "鎌倉市の窓口", municipality="142042")
    make_service(national, "神奈川県の窓口", prefecture="14")
    make_service(national, "全国の窓口")
    make_service(national, "鳥取市の窓口", municipality="312011")
    make_service(national, "鳥取県の窓口", prefecture="31")
    make_service(tottori, "鳥取の独自の窓口")
    index()
    assert names(search_services(platform=kamakura)) == {"鎌倉市の窓口", "神奈川県の窓口", "全国の窓口"}
    assert names(search_services(platform=tottori)) == {
        "全国の窓口",
        "鳥取市の窓口",
        "鳥取県の窓口",
        "鳥取の独自の窓口",
    }


def test_results_are_exactly_what_platform_services_shows(
    kamakura: Any, tottori: Any, national: Any, index: Index
) -> None:
    make_service(national, "鎌倉市の窓口", municipality="142042")
    make_service(national, "藤沢市の窓口", municipality="142051")
    make_service(national, "神奈川県の窓口", prefecture="14")
    make_service(national, "全国の窓口")
    make_service(national, "鳥取市の窓口", municipality="312011")
    make_service(national, "鳥取県の窓口", prefecture="31")
    make_service(national, "下書き", publication=Service.Publication.DRAFT)
    make_service(kamakura, "鎌倉の独自の窓口")
    make_service(tottori, "鳥取の独自の窓口")
    index()
    for platform in (kamakura, tottori, national):
        with platform_scope(platform):
            expected = set(platform_services(platform).values_list("name", flat=True))
        assert names(search_services(platform=platform, per_page=100)) == expected, platform.slug


# ---------------------------------------------------------------------------
# Keeping the index fresh
# ---------------------------------------------------------------------------


def test_saving_a_service_reindexes_it(kamakura: Any, index: Index, django_capture_on_commit_callbacks: Any) -> None:
    service = make_service(kamakura, "フードバンク鎌倉", needs=("food",))
    index()
    with scopes_disabled(), django_capture_on_commit_callbacks(execute=True):
        service.name = "ひきこもり地域支援センター"
        service.save()
    assert names(search_services(platform=kamakura, text="ひきこもり")) == {"ひきこもり地域支援センター"}
    assert search_services(platform=kamakura, text="フードバンク").total == 0


def test_a_new_service_is_indexed_on_commit(kamakura: Any, django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        make_service(kamakura, "フードバンク鎌倉", needs=("food",))
    assert names(search_services(platform=kamakura, text="フードバンク", needs=("food",))) == {"フードバンク鎌倉"}


def test_publishing_makes_a_draft_findable(
    kamakura: Any, index: Index, django_capture_on_commit_callbacks: Any
) -> None:
    draft = make_service(kamakura, "ひきこもり相談", publication=Service.Publication.DRAFT)
    index()
    assert search_services(platform=kamakura, text="ひきこもり").total == 0
    with scopes_disabled(), django_capture_on_commit_callbacks(execute=True):
        draft.publication = Service.Publication.PUBLISHED
        draft.save()
    assert search_services(platform=kamakura, text="ひきこもり").total == 1


def test_changing_terms_channels_schedules_areas_and_organisation_reindexes(
    kamakura: Any, index: Index, django_capture_on_commit_callbacks: Any
) -> None:
    from tsunagari.directory.models import NEEDS, TaxonomyTerm

    service = make_service(kamakura, "よりそい窓口")
    index()
    with scopes_disabled(), django_capture_on_commit_callbacks(execute=True):
        service.terms.add(TaxonomyTerm.objects.get(taxonomy_id=NEEDS, code="debt"))
        Channel.objects.create(platform=kamakura, service=service, kind=Channel.Kind.LINE, value="https://line.me/x")
        Schedule.objects.create(platform=kamakura, service=service, **ROUND_THE_CLOCK)
        ServiceArea.objects.create(platform=kamakura, service=service, kind=ServiceArea.Kind.NATIONWIDE)
        org = Organization.objects.get(pk=service.organization_id)
        org.name = "鎌倉市社会福祉協議会"
        org.save()
    found = search_services(
        platform=kamakura, text="社会福祉協議会", needs=("debt",), channels=("line",), open_24h=True
    )
    assert names(found) == {"よりそい窓口"}
    assert names(search_services(platform=kamakura, municipality_code="312011")) == {"よりそい窓口"}


def test_deleting_a_service_removes_its_document(kamakura: Any, index: Index) -> None:
    service = make_service(kamakura, "ひきこもり相談")
    index()
    with scopes_disabled():
        service.delete()
        assert not ServiceDocument.objects.exists()
    assert search_services(platform=kamakura, text="ひきこもり").total == 0


def test_reindex_command_rebuilds_everything(kamakura: Any, capsys: Any) -> None:
    make_service(kamakura, "ひきこもり相談")
    make_service(kamakura, "子育て相談")
    call_command("reindex")
    assert "Indexed 2 services" in capsys.readouterr().out
    assert search_services(platform=kamakura, text="相談").total == 2


def test_reindexing_some_services_leaves_the_others(kamakura: Any, index: Index) -> None:
    from tsunagari.search.index import reindex_services

    first = make_service(kamakura, "ひきこもり相談")
    make_service(kamakura, "子育て相談")
    index()
    assert reindex_services([first.pk]) == 1
    assert search_services(platform=kamakura, text="相談").total == 2


# ---------------------------------------------------------------------------
# Pages
# ---------------------------------------------------------------------------


def test_pages_split_the_results(kamakura: Any, index: Index) -> None:
    for number in range(25):
        make_service(kamakura, f"相談窓口{number:02d}")
    index()
    first = search_services(platform=kamakura, text="相談", per_page=10)
    third = search_services(platform=kamakura, text="相談", per_page=10, page=3)
    assert (first.total, first.pages, len(first.services), len(third.services)) == (25, 3, 10, 5)
    assert first.has_next and not first.has_previous
    assert not third.has_next
    assert not {s.pk for s in first.services} & {s.pk for s in third.services}


def test_a_results_page_takes_a_fixed_number_of_queries(kamakura: Any, build: Build, index: Index) -> None:
    for number in range(30):
        build(kamakura, f"相談窓口{number:02d}", channels=(Channel.Kind.LINE,), schedules=(OFFICE_HOURS,))
    index()
    with CaptureQueriesContext(connection) as queries:
        results = search_services(
            platform=kamakura, text="相談", channels=("line",), open_now=True, now=at(2026, 7, 1, 10)
        )
        for service in results.services:
            # What a results page shows: name, organisation, channels, areas, locations, schedules.
            _ = service.organization.name
            _ = [c.href for c in service.channels.all()]
            _ = [a.name for a in service.service_areas.all()]
            _ = [sal.location.full_address for sal in service.service_at_locations.all()]
            _ = list(service.schedules.all())
    assert len(results.services) == 20
    first = results.services[0]
    assert [c.kind for c in first.channels.all()] == ["line", "phone"]  # Channel.Meta.ordering
    assert first.channels.count() == 2
    assert [t.code for t in first.terms.all()] == ["hikikomori"]
    assert first.service_areas.all()[0].municipality.full_name == "神奈川県鎌倉市"
    # count + page + national platform lookup + services + 5 prefetches
    assert len(queries) <= 10, [q["sql"] for q in queries.captured_queries]


def test_the_visibility_migration_gives_documents_what_a_reindex_gives(
    kamakura: Any, national: Any, index: Index
) -> None:
    import importlib

    from django.apps import apps

    migration = importlib.import_module("tsunagari.search.migrations.0004_visible_in_area_tokens")
    make_service(national, "鎌倉市の窓口", municipality="142042")
    make_service(national, "神奈川県の窓口", prefecture="14")
    make_service(national, "全国の窓口")
    make_service(national, "下書き", publication=Service.Publication.DRAFT, municipality="142042")
    make_service(kamakura, "鎌倉の独自の窓口")
    index()
    with scopes_disabled():
        reindexed = dict(ServiceDocument.objects.values_list("sort_name", "facets"))
        assert any("_am_142042" in facets for facets in reindexed.values())
        migration.remove_tokens(apps, None)
        assert not any(
            f"v_{national.pk}_" in facets for facets in ServiceDocument.objects.values_list("facets", flat=True)
        )
        # The old index still answers the old way only: the combined tokens are needed.
        assert names(search_services(platform=kamakura)) == {"鎌倉の独自の窓口"}
        migration.add_tokens(apps, None)
        assert dict(ServiceDocument.objects.values_list("sort_name", "facets")) == reindexed
    assert names(search_services(platform=kamakura)) == {
        "鎌倉市の窓口",
        "神奈川県の窓口",
        "全国の窓口",
        "鎌倉の独自の窓口",
    }


def test_open_now_minute_by_minute_around_breaks_and_odd_times(kamakura: Any, build: Build, index: Index) -> None:
    # "Open the whole hour" tokens skip the minutes check: they must never claim a break or an odd end.
    from tsunagari.directory.opening import is_open

    weekdays = "MO,TU,WE,TH,FR"
    build(
        kamakura,
        "昼休みのある窓口",
        schedules=(
            {"byday": weekdays, "opens_at": datetime.time(9), "closes_at": datetime.time(12, 15)},
            {"byday": weekdays, "opens_at": datetime.time(13), "closes_at": datetime.time(17)},
        ),
    )
    build(
        kamakura,
        "三十分だけの窓口",
        schedules=({"byday": weekdays, "opens_at": datetime.time(10), "closes_at": datetime.time(10, 30)},),
    )
    build(
        kamakura,
        "半端な時刻の窓口",
        schedules=({"byday": weekdays, "opens_at": datetime.time(8, 40), "closes_at": datetime.time(16, 50)},),
    )
    index()
    moments = [at(2026, 7, 1, hour, minute) for hour in range(7, 19) for minute in (0, 10, 14, 15, 29, 30, 45, 59)]
    with platform_scope(kamakura):
        services = list(Service.objects.prefetch_related("schedules"))
        for moment in moments:
            expected = {s.name for s in services if is_open(s, moment)}
            assert names(search_services(platform=kamakura, open_now=True, now=moment)) == expected, moment
