"""Tests for the Japanese free-text opening-hours parser (no Django needed)."""

from __future__ import annotations

import csv
import datetime

import pytest

from tests.conftest import KURASHI, shared_data
from tsunagari.lib.hours import JST, ParsedHours, WeeklyOpening, is_open_at, parse_hours

OFFICES_CSV = KURASHI / "offices.csv"
MON_FRI = (0, 1, 2, 3, 4)
ALL_WEEK = (0, 1, 2, 3, 4, 5, 6)


def t(text: str) -> datetime.time:
    return datetime.time.fromisoformat(text)


def opening(days: tuple[int, ...], opens: str, closes: str) -> WeeklyOpening:
    return WeeklyOpening(weekdays=days, opens_at=t(opens), closes_at=t(closes))


def jst(text: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(text).replace(tzinfo=JST)


def parse(opening_text: str, closed_text: str = "") -> ParsedHours:
    hours = parse_hours(opening_text, closed_text)
    assert hours is not None
    return hours


# --------------------------------------------------------------------------
# Times
# --------------------------------------------------------------------------


@pytest.mark.parametrize("blank", ["", "   ", "\u3000"])
def test_blank_opening_text_gives_none(blank: str) -> None:
    assert parse_hours(blank, "土曜日・日曜日") is None


def test_it_reads_12_hour_times_and_assumes_a_public_office_week() -> None:
    assert parse("午前8時30分から午後5時15分") == ParsedHours(
        openings=(opening(MON_FRI, "08:30", "17:15"),),
        open_24h=False,
        closed_on_holidays=True,
        closed_year_end=False,
        days_assumed=True,
        parsed=True,
    )


@pytest.mark.parametrize(
    "text",
    [
        "8時30分～17時15分",
        "8時30分から17時15分",
        "８時３０分～１７時１５分",
        "8時30分〜17時15分",
        "8:30～17:15",
        "8：30～17：15",
        "8:30 - 17:15",
        "8:30-17:15",
        "08:30ー17:15",
        "午前8:30～午後5:15",
        "午前８時30分から午後５時15分まで",
        "午前8時30分〜午後5時15分",
    ],
)
def test_it_reads_every_way_of_writing_the_same_times(text: str) -> None:
    hours = parse(text)
    assert hours.parsed
    assert hours.openings == (opening(MON_FRI, "08:30", "17:15"),)


def test_it_reads_whole_hours_and_half_past() -> None:
    assert parse("9時～17時").openings == (opening(MON_FRI, "09:00", "17:00"),)
    assert parse("9時半～16時").openings == (opening(MON_FRI, "09:30", "16:00"),)
    assert parse("午前9時00分から午後4時00分").openings == (opening(MON_FRI, "09:00", "16:00"),)


def test_an_afternoon_end_time_inherits_the_afternoon() -> None:
    assert parse("午後1時～5時").openings == (opening(MON_FRI, "13:00", "17:00"),)


def test_noon_means_twelve_o_clock() -> None:
    hours = parse("午前8時30分から正午、午後1時から午後5時15分")
    assert hours.parsed
    assert hours.openings == (
        opening(MON_FRI, "08:30", "12:00"),
        opening(MON_FRI, "13:00", "17:15"),
    )


def test_two_time_ranges_joined_by_a_middle_dot_share_the_days() -> None:
    assert parse("9時～12時・13時～16時").openings == (
        opening(MON_FRI, "09:00", "12:00"),
        opening(MON_FRI, "13:00", "16:00"),
    )


@pytest.mark.parametrize(
    "text",
    [
        "平日８時30分～17時15分（正午から午後１時までを除く。）",
        "平日 8:30～17:15（12:00～13:00を除く）",
        "平日 8時30分～17時15分（12時～13時を除く）",
        "平日 8:30～17:15 昼休み 12:00～13:00",
    ],
)
def test_it_splits_around_the_lunch_break(text: str) -> None:
    hours = parse(text)
    assert hours.parsed
    assert hours.openings == (
        opening(MON_FRI, "08:30", "12:00"),
        opening(MON_FRI, "13:00", "17:15"),
    )


def test_a_leading_label_naming_the_service_is_allowed() -> None:
    hours = parse("電話受付：午前8時30分から午後5時15分まで")
    assert hours.parsed
    assert hours.openings == (opening(MON_FRI, "08:30", "17:15"),)


# --------------------------------------------------------------------------
# Days
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "月曜日～金曜日 8:30～17:15",
        "月曜日から金曜日 午前8時30分から午後5時15分",
        "月曜～金曜 8:30～17:15",
        "月～金 8:30～17:15",
        "月～金曜日 8時30分～17時15分",
        "月・火・水・木・金曜 8:30～17:15",
        "毎週月曜日～金曜日 8:30～17:15",
        "月曜日～金曜日の午前8時30分から午後5時15分まで",
        "月曜日~金曜日 8時30分～17時15分",
    ],
)
def test_it_reads_weekday_ranges_and_lists(text: str) -> None:
    assert parse(text) == ParsedHours(
        openings=(opening(MON_FRI, "08:30", "17:15"),),
        open_24h=False,
        closed_on_holidays=False,
        closed_year_end=False,
        days_assumed=False,
        parsed=True,
    )


def test_heijitsu_means_monday_to_friday_but_not_national_holidays() -> None:
    assert parse("平日 午前8時30分から午後5時15分") == ParsedHours(
        openings=(opening(MON_FRI, "08:30", "17:15"),),
        open_24h=False,
        closed_on_holidays=True,
        closed_year_end=False,
        days_assumed=False,
        parsed=True,
    )


def test_a_weekday_range_may_wrap_past_sunday() -> None:
    assert parse("金～月 10:00～16:00").openings == (opening((0, 4, 5, 6), "10:00", "16:00"),)


@pytest.mark.parametrize("text", ["土日 10:00～16:00", "土・日 10:00～16:00", "土曜日・日曜日 10:00～16:00"])
def test_it_reads_the_weekend(text: str) -> None:
    assert parse(text).openings == (opening((5, 6), "10:00", "16:00"),)


@pytest.mark.parametrize("text", ["毎日 9:00～21:00", "年中無休 9時～21時"])
def test_every_day_means_all_seven_days_holidays_included(text: str) -> None:
    hours = parse(text)
    assert hours.parsed
    assert hours.openings == (opening(ALL_WEEK, "09:00", "21:00"),)
    assert not hours.closed_on_holidays
    assert not hours.days_assumed


def test_each_segment_keeps_its_own_days() -> None:
    hours = parse("平日9時～21時／土曜9時～17時", "日曜日・祝日")
    assert hours == ParsedHours(
        openings=(opening(MON_FRI, "09:00", "21:00"), opening((5,), "09:00", "17:00")),
        open_24h=False,
        closed_on_holidays=True,
        closed_year_end=False,
        days_assumed=False,
        parsed=True,
    )


def test_segments_can_be_split_by_commas_semicolons_or_newlines() -> None:
    expected = (opening((0, 2, 4), "08:45", "16:30"), opening((1, 3), "08:45", "19:00"))
    for sep in ("／", "、", "; ", "\n", " / "):
        hours = parse(f"月・水・金 8時45分から16時30分{sep}火・木 8時45分から19時")
        assert hours.parsed, sep
        assert hours.openings == expected, sep


def test_days_with_identical_hours_are_merged_into_one_opening() -> None:
    hours = parse("月・火曜 9:00～18:00／木・金曜 9:00～18:00／土・日曜 9:00～16:00")
    assert hours.openings == (opening((0, 1, 3, 4), "09:00", "18:00"), opening((5, 6), "09:00", "16:00"))


def test_an_evening_segment_adds_to_the_daytime_one() -> None:
    hours = parse("月曜日～金曜日 9:00～17:00・18:00～20:00、土曜日・日曜日 9:00～18:00")
    assert hours.parsed
    assert hours.openings == (
        opening(MON_FRI, "09:00", "17:00"),
        opening(MON_FRI, "18:00", "20:00"),
        opening((5, 6), "09:00", "18:00"),
    )


def test_days_may_follow_the_times_in_brackets() -> None:
    hours = parse("午前９時～午後５時（平日の月～金曜日）")
    assert hours.parsed
    assert hours.openings == (opening(MON_FRI, "09:00", "17:00"),)
    assert not hours.days_assumed


def test_one_day_can_stay_open_later() -> None:
    hours = parse("9時から16時（水曜日は19時まで）")
    assert hours.parsed
    assert hours.openings == (opening((0, 1, 3, 4), "09:00", "16:00"), opening((2,), "09:00", "19:00"))


def test_hours_for_holidays_are_kept_apart_from_the_weekly_ones() -> None:
    hours = parse("平日 8:30～20:00、土曜日・日曜日・祝日 9:00～18:00", "12月29日～1月3日")
    assert hours == ParsedHours(
        openings=(opening(MON_FRI, "08:30", "20:00"), opening((5, 6), "09:00", "18:00")),
        open_24h=False,
        closed_on_holidays=False,
        closed_year_end=True,
        days_assumed=False,
        parsed=True,
        holiday_hours=((t("09:00"), t("18:00")),),
    )


# --------------------------------------------------------------------------
# Closed days
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("closed_text", "holidays", "year_end"),
    [
        ("土曜日・日曜日・祝日・年末年始", True, True),
        ("土曜日・日曜日・祝日", True, False),
        ("土曜日・日曜日・祝祭日", True, False),
        ("休日・年末年始", True, True),
        ("祝日、年末年始は除く", True, True),
        ("日曜、祝日、年末年始は除く", True, True),
        ("土曜日・日曜日・祝日・12月29日～1月3日", True, True),
        ("12月29日～1月3日", False, True),
        ("年末年始", False, True),
        ("祝日も受付／年末年始は除く", False, True),
        ("土曜日・日曜日", False, False),
        ("", False, False),
    ],
)
def test_it_reads_closed_days(closed_text: str, holidays: bool, year_end: bool) -> None:
    hours = parse("月曜日～金曜日 9:00～17:00", closed_text)
    assert hours.parsed
    assert hours.openings == (opening(MON_FRI, "09:00", "17:00"),)
    assert (hours.closed_on_holidays, hours.closed_year_end) == (holidays, year_end)


def test_closed_weekdays_are_removed_from_the_openings() -> None:
    hours = parse("月・火・水・木・金・土・日曜 9:00～17:00", "土曜日・日曜日")
    assert hours.openings == (opening(MON_FRI, "09:00", "17:00"),)


def test_closed_weekdays_give_the_days_when_the_hours_name_none() -> None:
    assert parse("9時～16時", "日曜日・祝日・年末年始") == ParsedHours(
        openings=(opening((0, 1, 2, 3, 4, 5), "09:00", "16:00"),),
        open_24h=False,
        closed_on_holidays=True,
        closed_year_end=True,
        days_assumed=False,
        parsed=True,
    )


def test_closed_holidays_alone_still_leave_the_days_assumed() -> None:
    hours = parse("8時30分～17時15分", "祝日・年末年始")
    assert hours.days_assumed
    assert hours.openings == (opening(MON_FRI, "08:30", "17:15"),)
    assert (hours.closed_on_holidays, hours.closed_year_end) == (True, True)


@pytest.mark.parametrize(
    "text",
    [
        "8:30～17:15（土日祝日を除く）",
        "午前8時30分～午後5時15分まで ※土日祝日を除く",
        "午前8時30分～午後5時15分（土・日・祝日を除く）",
        "土日祝日を除く平日の午前8時30分から午後5時15分まで",
    ],
)
def test_closures_written_into_the_hours_text_count(text: str) -> None:
    hours = parse(text)
    assert hours.parsed
    assert hours.openings == (opening(MON_FRI, "08:30", "17:15"),)
    assert hours.closed_on_holidays
    assert not hours.days_assumed


@pytest.mark.parametrize(
    "text",
    [
        "月～金曜日（祝日及び年末年始を除く）午前8時30分～午後5時15分",
        "月曜日～金曜日の午前8時30分から午後5時15分まで(祝日及び年末年始期間を除く)",
        "月曜～金曜 8:30～17:15 (祝・年末年始除く)",
    ],
)
def test_holiday_and_year_end_closures_in_brackets(text: str) -> None:
    hours = parse(text)
    assert hours.parsed
    assert (hours.closed_on_holidays, hours.closed_year_end) == (True, True)


def test_closed_on_holidays_written_as_kyumi() -> None:
    hours = parse("月～金曜日（祝日の場合は休み） 8時30分～17時15分")
    assert hours.parsed
    assert hours.closed_on_holidays
    assert hours.openings == (opening(MON_FRI, "08:30", "17:15"),)


# --------------------------------------------------------------------------
# 24 hours
# --------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["24時間", "365日24時間", "24時間対応"])
def test_24_hours_is_a_flag_not_an_opening(text: str) -> None:
    assert parse(text) == ParsedHours(
        openings=(),
        open_24h=True,
        closed_on_holidays=False,
        closed_year_end=False,
        days_assumed=False,
        parsed=True,
    )


def test_24_hours_on_only_some_days_is_not_understood() -> None:
    assert not parse("24時間", "日曜日").parsed


# --------------------------------------------------------------------------
# What the parser refuses
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "相談日程は公式ページで確認",
        # Brackets after 24時間 that close days are not a remark on who answers.
        "24時間対応（土曜日・日曜日は休み、平日はセンター対応）",
        "17時～9時",
        "平日",
        # Year-end hours on a line that is also closed at the year end contradict each other.
        "年末年始 9:00～16:00／年末年始は休み",
        # A reception time after the hours end, or with no hours before it.
        "9:00～17:00（受付は18:00まで）",
        "受付は16:30まで",
        # Days "too" with no hours before them.
        "土曜日も電話相談あり",
        # Hours for particular dates are not a weekly schedule.
        "1月4日は10:00～15:00",
    ],
)
def test_text_it_does_not_understand_is_marked_unparsed(text: str) -> None:
    assert not parse(text).parsed


def test_unparsed_hours_still_report_what_was_understood() -> None:
    hours = parse("月～土９時～17時45分（祝休日、プール点検のため臨時休業あり）")
    assert not hours.parsed
    assert hours.openings == (opening((0, 1, 2, 3, 4, 5), "09:00", "17:45"),)


@pytest.mark.parametrize(
    "closed_text",
    [
        "祝日・年末年始・施設の都合による臨時休業",
        "2月30日",
        # A closure of more than a month is a season, not closed days.
        "7月1日～8月31日",
        # A remark that also closes something must be read, not skipped.
        "日曜は電話相談のみ、第4水曜日は相談を行っておりません",
    ],
)
def test_closed_days_it_does_not_understand_make_the_hours_unparsed(closed_text: str) -> None:
    hours = parse("月・火・水・木・金・土・日曜 9:00～17:00", closed_text)
    assert not hours.parsed
    assert hours.openings


def test_remarks_in_closed_days_do_not_close_the_days_they_mention() -> None:
    hours = parse(
        "月・火・水・木・金曜 9:00～17:00／土曜 10:00～16:00", "土曜日の来所相談は要予約／祝日、年末年始は除く"
    )
    assert hours.parsed
    assert hours.openings == (opening(MON_FRI, "09:00", "17:00"), opening((5,), "10:00", "16:00"))
    assert hours.closed_on_holidays
    assert hours.closed_year_end


@pytest.mark.parametrize(
    "closed_text",
    [
        "祝日、年末年始は除く／面談相談を希望する場合は事前に電話でご相談ください",
        "日曜は電話相談のみ／祝日、年末年始は除く",
        "【若年消費者ほっとダイヤル】075-671-0044（09:00〜17:00）／祝日、年末年始は除く",
        "受付は、相談時間終了の30分前まで／祝日、年末年始は除く",
        "お住まいの市町村の窓口が受付を行っている場合には、市町村の窓口をご案内します／祝日、年末年始は除く",
    ],
)
def test_how_to_reach_remarks_leave_the_schedule_as_the_hours_say(closed_text: str) -> None:
    hours = parse("月・火・水・木・金・日曜 9:00～16:30", closed_text)
    assert hours.parsed
    assert hours.openings == (opening((0, 1, 2, 3, 4, 6), "09:00", "16:30"),)
    assert hours.closed_on_holidays
    assert hours.closed_year_end


def test_the_local_governments_days_off_close_weekends_holidays_and_the_year_end() -> None:
    hours = parse("月・火曜 9:00～17:00／水曜 9:00～19:00／木・金曜 9:00～17:00", "県の休日に準ずる")
    assert hours.parsed
    assert (hours.closed_on_holidays, hours.closed_year_end) == (True, True)
    assert hours.openings == (opening((0, 1, 3, 4), "09:00", "17:00"), opening((2,), "09:00", "19:00"))


# --------------------------------------------------------------------------
# is_open_at
# --------------------------------------------------------------------------

OFFICE = parse("平日８時30分～17時15分（正午から午後１時までを除く。）", "土曜日・日曜日・祝日・年末年始")


@pytest.mark.parametrize(
    ("when", "expected"),
    [
        ("2026-11-24T08:29", False),
        ("2026-11-24T08:30", True),
        ("2026-11-24T11:59", True),
        ("2026-11-24T12:00", False),
        ("2026-11-24T12:59", False),
        ("2026-11-24T13:00", True),
        ("2026-11-24T17:14:59", True),
        ("2026-11-24T17:15", False),
        ("2026-11-28T10:00", False),
        ("2026-11-29T10:00", False),
    ],
)
def test_is_open_at_uses_half_open_intervals_and_weekdays(when: str, expected: bool) -> None:
    assert is_open_at(OFFICE, jst(when)) is expected


def test_is_open_at_converts_to_japan_time() -> None:
    # 00:00 UTC on Tuesday is 09:00 in Tokyo; 08:30 UTC is 17:30, after closing.
    assert is_open_at(OFFICE, datetime.datetime(2026, 11, 24, 0, 0, tzinfo=datetime.UTC)) is True
    assert is_open_at(OFFICE, datetime.datetime(2026, 11, 24, 8, 30, tzinfo=datetime.UTC)) is False
    # 23:30 UTC on Sunday is already Monday 08:30 in Tokyo.
    assert is_open_at(OFFICE, datetime.datetime(2026, 11, 29, 23, 30, tzinfo=datetime.UTC)) is True


def test_is_open_at_closes_on_a_national_holiday() -> None:
    # 2026-11-23 is 勤労感謝の日 (Labour Thanksgiving Day), a Monday.
    assert is_open_at(OFFICE, jst("2026-11-23T10:00")) is False


def test_is_open_at_keeps_holidays_open_when_nothing_closes_them() -> None:
    hours = parse("月曜日～金曜日 9:00～17:00")
    assert is_open_at(hours, jst("2026-11-23T10:00")) is True


def test_is_open_at_uses_holiday_hours_on_a_holiday() -> None:
    hours = parse("平日 8:30～20:00、土曜日・日曜日・祝日 9:00～18:00")
    assert is_open_at(hours, jst("2026-11-23T10:00")) is True
    assert is_open_at(hours, jst("2026-11-23T19:00")) is False
    assert is_open_at(hours, jst("2026-11-24T19:00")) is True


@pytest.mark.parametrize(
    ("when", "expected"),
    [
        ("2026-12-28T10:00", True),
        ("2026-12-29T10:00", False),
        ("2026-12-31T10:00", False),
        ("2027-01-01T10:00", False),
        ("2027-01-03T10:00", False),
        ("2027-01-04T10:00", True),
    ],
)
def test_is_open_at_closes_over_the_year_end(when: str, expected: bool) -> None:
    hours = parse("月曜日～金曜日 9:00～17:00", "12月29日～1月3日")
    assert is_open_at(hours, jst(when)) is expected


def test_is_open_at_a_24_hour_service_is_always_open_except_when_closed() -> None:
    hours = parse("24時間", "年末年始")
    assert is_open_at(hours, jst("2026-11-29T03:00")) is True
    assert is_open_at(hours, jst("2026-11-23T23:59")) is True
    assert is_open_at(hours, jst("2027-01-02T12:00")) is False


def test_is_open_at_gives_none_for_unparsed_hours() -> None:
    assert is_open_at(parse("相談日程は公式ページで確認"), jst("2026-11-24T10:00")) is None


def test_is_open_at_refuses_a_naive_datetime() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        is_open_at(OFFICE, datetime.datetime(2026, 11, 24, 10, 0))


# --------------------------------------------------------------------------
# Real data
# --------------------------------------------------------------------------


def test_it_understands_nearly_all_of_the_real_kurashi_navi_hours() -> None:
    with shared_data(OFFICES_CSV).open(newline="", encoding="utf-8") as f:
        rows = [row for row in csv.DictReader(f) if row["openingHours"].strip()]
    unparsed = []
    for row in rows:
        hours = parse(row["openingHours"], row["closedDays"])
        if not hours.parsed:
            unparsed.append((row["openingHours"], row["closedDays"]))
    rate = 1 - len(unparsed) / len(rows)
    print(f"parsed {len(rows) - len(unparsed)} of {len(rows)} rows with hours ({rate:.1%})")
    for opening_text, closed_text in sorted(set(unparsed)):
        print(f"  unparsed: {opening_text!r} | {closed_text!r}")
    assert len(rows) > 1000
    assert rate >= 0.99


# --------------------------------------------------------------------------
# Issue 10 item 21: texts from the real data and from members' edits
# --------------------------------------------------------------------------


def monthly(days: tuple[int, ...], weeks: tuple[int, ...], opens: str, closes: str) -> WeeklyOpening:
    return WeeklyOpening(weekdays=days, opens_at=t(opens), closes_at=t(closes), weeks_of_month=weeks)


def test_it_reads_weekdays_listed_with_one_final_youbi() -> None:
    hours = parse("月・火・水・木・金曜 9:00～16:30")
    assert hours.parsed
    assert hours.openings == (opening(MON_FRI, "09:00", "16:30"),)


def test_slash_separated_parts_keep_their_own_days() -> None:
    hours = parse("月～金 9:00～17:00／土 9:00～16:00")
    assert hours.parsed
    assert hours.openings == (opening(MON_FRI, "09:00", "17:00"), opening((5,), "09:00", "16:00"))


def test_a_monthly_saturday_is_open_only_in_its_week() -> None:
    hours = parse("平日・第３土曜日の午前８時30分から午後５時15分", "土曜日・日曜日・祝日")
    assert hours.parsed
    assert hours.openings == (opening(MON_FRI, "08:30", "17:15"), monthly((5,), (3,), "08:30", "17:15"))
    # December 2026: Saturdays 5, 12, 19 (the third), 26.
    assert is_open_at(hours, jst("2026-12-19T10:00")) is True
    assert is_open_at(hours, jst("2026-12-12T10:00")) is False
    assert is_open_at(hours, jst("2026-12-26T10:00")) is False
    assert is_open_at(hours, jst("2026-12-20T10:00")) is False


def test_every_month_on_the_second_saturday() -> None:
    hours = parse("毎月第2土曜日 14:00〜16:00")
    assert hours.parsed
    assert hours.openings == (monthly((5,), (2,), "14:00", "16:00"),)
    assert is_open_at(hours, jst("2026-12-12T15:00")) is True
    assert is_open_at(hours, jst("2026-12-05T15:00")) is False
    assert is_open_at(hours, jst("2026-12-14T15:00")) is False


def test_several_weeks_of_the_month() -> None:
    hours = parse("第1・2・3・4水曜日 13時～16時")
    assert hours.parsed
    assert hours.openings == (monthly((2,), (1, 2, 3, 4), "13:00", "16:00"),)
    assert is_open_at(hours, jst("2026-12-23T14:00")) is True  # the fourth Wednesday
    assert is_open_at(hours, jst("2026-12-30T14:00")) is False  # the fifth


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("DV相談 8:30～22:00", (opening(MON_FRI, "08:30", "22:00"),)),
        ("電話9時～16時・面談9時30分～16時", (opening(MON_FRI, "09:00", "16:00"),)),
        ("月曜日～金曜日 8:30～17:15（緊急時は夜間・休日も対応）", (opening(MON_FRI, "08:30", "17:15"),)),
    ],
)
def test_a_line_or_a_contact_mode_named_before_its_times(text: str, expected: tuple[WeeklyOpening, ...]) -> None:
    hours = parse(text)
    assert hours.parsed
    assert hours.openings == expected


def test_a_closed_week_of_the_month_leaves_the_other_weeks_open() -> None:
    hours = parse(
        "月・火・水・木・金曜 9:00～17:30／日曜 13:00～16:00", "第3日曜、祝日、年末年始は除く／日曜日は、電話相談のみ"
    )
    assert hours.parsed
    assert hours.openings == (opening(MON_FRI, "09:00", "17:30"), monthly((6,), (1, 2, 4, 5), "13:00", "16:00"))
    assert is_open_at(hours, jst("2026-12-13T14:00")) is True  # the second Sunday
    assert is_open_at(hours, jst("2026-12-20T14:00")) is False  # the third


def test_a_monthly_day_without_consultations_is_closed() -> None:
    hours = parse("月・火・水・木・金曜 9:00～16:30", "毎月第4水曜日は、事案調査のため相談は行っておりません")
    assert hours.parsed
    assert is_open_at(hours, jst("2026-12-23T10:00")) is False  # the fourth Wednesday
    assert is_open_at(hours, jst("2026-12-16T10:00")) is True


# --------------------------------------------------------------------------
# Issue 10 item 21, second pass: the shapes still unread in the real data
# --------------------------------------------------------------------------


def test_brackets_after_24_hours_that_say_who_answers_leave_it_24_hours() -> None:
    hours = parse("24時間対応（平日18:00～翌8:30、土曜日・日曜日・祝日・年末年始は委託先対応）")
    assert hours == ParsedHours(
        openings=(),
        open_24h=True,
        closed_on_holidays=False,
        closed_year_end=False,
        days_assumed=False,
        parsed=True,
    )
    assert is_open_at(hours, jst("2027-01-01T03:00")) is True


def test_days_too_take_the_hours_just_given_and_the_break_after_them() -> None:
    hours = parse("月曜日～金曜日 9:00～16:00、土曜日・日曜日も電話相談あり（11:30～12:30を除く）")
    assert hours.parsed
    assert hours.openings == (
        opening(MON_FRI, "09:00", "16:00"),
        opening((5, 6), "09:00", "11:30"),
        opening((5, 6), "12:30", "16:00"),
    )
    assert is_open_at(hours, jst("2026-12-05T12:00")) is False  # Saturday, the break
    assert is_open_at(hours, jst("2026-12-07T12:00")) is True  # Monday


def test_year_end_hours_replace_the_weekly_ones_over_the_new_year() -> None:
    hours = parse("月曜日～金曜日 8:30～18:00、土曜日・日曜日・祝日・年末年始 10:00～15:00")
    assert hours.parsed
    assert hours.openings == (opening(MON_FRI, "08:30", "18:00"), opening((5, 6), "10:00", "15:00"))
    assert hours.holiday_hours == hours.year_end_hours == ((t("10:00"), t("15:00")),)
    assert not hours.closed_year_end
    assert is_open_at(hours, jst("2026-12-29T09:00")) is False  # a Tuesday of the break
    assert is_open_at(hours, jst("2026-12-29T14:00")) is True
    assert is_open_at(hours, jst("2026-12-28T09:00")) is True  # the Monday before


def test_dated_year_end_hours_and_the_last_reception_time() -> None:
    hours = parse(
        "毎日 10:00～12:00・13:00～20:00（電話受付は19:30まで）。12月29日～1月3日は10:00～16:00（受付15:30まで）"
    )
    assert hours.parsed
    assert hours.openings == (opening(ALL_WEEK, "10:00", "12:00"), opening(ALL_WEEK, "13:00", "19:30"))
    assert hours.year_end_hours == ((t("10:00"), t("15:30")),)
    assert is_open_at(hours, jst("2026-12-10T19:45")) is False  # after the last call taken
    assert is_open_at(hours, jst("2026-12-10T19:15")) is True
    assert is_open_at(hours, jst("2026-12-31T15:45")) is False
    assert is_open_at(hours, jst("2026-12-31T15:00")) is True


def test_headed_sections_of_closed_days_separate_ways_in_from_closures() -> None:
    hours = parse(
        "月・火曜 9:00～17:00／木・金曜 9:00～17:00／土曜 9:00～15:00",
        "【電話相談受付】／平日（水曜日を除く）09:00〜16:30／土曜日 09:00〜15:00／"
        "【来所相談受付】／平日（水曜日を除く）10:00〜17:00／【休所日】／水曜日・日曜日・祝日・年末年始",
    )
    assert hours.parsed
    assert hours.openings == (opening((0, 1, 3, 4), "09:00", "17:00"), opening((5,), "09:00", "15:00"))
    assert (hours.closed_on_holidays, hours.closed_year_end) == (True, True)


def test_an_unreadable_line_under_a_contact_heading_leaves_the_text_unparsed() -> None:
    hours = parse("月・火曜 9:00～17:00", "【電話相談受付】／館内点検日は休み")
    assert not hours.parsed


def test_a_closing_heading_still_closes_what_follows_it() -> None:
    hours = parse("月～土 9:00～17:00", "【休館日】／土曜日")
    assert hours.parsed
    assert hours.openings == (opening(MON_FRI, "09:00", "17:00"),)


def test_stored_schedules_say_the_year_end_hours_in_words() -> None:
    from tsunagari.directory.importers.common import hours_to_schedules

    parsed, schedules = hours_to_schedules("毎日 9:00～17:00。12月29日～1月3日は10:00～15:00", "")
    assert parsed is not None and parsed.parsed
    assert [s.description for s in schedules] == ["年末年始（12月29日～1月3日）は 10:00～15:00。"]


# --------------------------------------------------------------------------
# Closures by date, and closing days the text does not date
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("closed_text", "dates"),
    [
        ("土曜日・日曜日・祝日・慰霊の日・年末年始", ((6, 23),)),
        ("土曜日・日曜日・5月1日", ((5, 1),)),
        ("土曜日・日曜日・8月13日～8月15日", ((8, 13), (8, 14), (8, 15))),
        ("土曜日・日曜日・12月31日～1月2日", ((1, 1), (1, 2), (12, 31))),
        ("土曜日・日曜日・8月13日～15日", ((8, 13), (8, 14), (8, 15))),
    ],
)
def test_dated_closures_close_those_days_every_year(closed_text: str, dates: tuple[tuple[int, int], ...]) -> None:
    hours = parse("午前8時30分から正午、午後1時から午後5時15分", closed_text)
    assert hours.parsed
    assert hours.closed_dates == dates
    assert hours.openings == (opening(MON_FRI, "08:30", "12:00"), opening(MON_FRI, "13:00", "17:15"))
    assert not hours.days_assumed


def test_okinawa_memorial_day_is_closed() -> None:
    hours = parse("午前8時30分から正午、午後1時から午後5時15分", "土曜日・日曜日・祝日・慰霊の日・年末年始")
    assert is_open_at(hours, jst("2027-06-23T10:00")) is False  # a Wednesday
    assert is_open_at(hours, jst("2027-06-22T10:00")) is True


def test_hours_without_days_closed_only_on_dates_stay_unread() -> None:
    # Closed only 1 to 3 January says the week is longer than an office's, but not how long.
    assert not parse("8時30分～21時", "1月1日～1月3日").parsed
    assert not parse("8時30分～21時", "施設点検日").parsed


@pytest.mark.parametrize(
    ("opening_text", "closed_text"),
    [
        ("月～土 9時～17時（祝休日、市民ホール閉館日は休み）", ""),
        ("月曜日～土曜日 9:00～17:00", "祝日・年末年始・施設メンテナンス日"),
        ("月～土 9:00～17:00", "祝休日、年末年始、市民活動センター休館日は除く"),
        ("月～土 9:00～17:00", "祝日・休所日"),
    ],
)
def test_undated_closing_days_never_let_it_say_open(opening_text: str, closed_text: str) -> None:
    hours = parse(opening_text, closed_text)
    assert hours.parsed
    assert hours.closed_unlisted_days
    assert hours.openings == (opening((0, 1, 2, 3, 4, 5), "09:00", "17:00"),)
    assert is_open_at(hours, jst("2026-12-08T10:00")) is None  # open by the week, perhaps a closing day
    assert is_open_at(hours, jst("2026-12-08T18:00")) is False
    assert is_open_at(hours, jst("2026-12-06T10:00")) is False  # Sunday


def test_a_closing_day_named_after_a_weekday_still_closes_that_weekday() -> None:
    # 日曜休館日 is read as Sunday and the building's closing days: never "open" on a closing day.
    hours = parse("月～日 9:00～17:00", "日曜休館日")
    assert hours.openings == (opening((0, 1, 2, 3, 4, 5), "09:00", "17:00"),)
    assert is_open_at(hours, jst("2026-12-06T10:00")) is False
