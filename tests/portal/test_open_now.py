"""Open or closed now, on the resident's pages, with the clock frozen (issue 10 item 16).

Every test here sets the time with time-machine: a label that says 「今あいている」 on a closed
window, or a year-end break that ends a day early, must fail a test whatever day the suite runs.
"""

from __future__ import annotations

import datetime
import html
import re
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.test import Client

from tests.factories import make_service
from tsunagari.directory.models import Schedule, Service
from tsunagari.lib.hours import JST
from tsunagari.search.index import reindex_services
from tsunagari.tenancy.scoping import scopes_disabled

pytestmark = pytest.mark.django_db

OPEN = "今あいている"
CLOSED = "今は受付時間外"


def jst(*args: int) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=JST)


@pytest.fixture
def office(kamakura: Any) -> Service:
    """平日 9:00～17:00, closed on national holidays and over the year end (29 December to 3 January)."""
    service = make_service(kamakura, "市役所の福祉相談窓口")
    with scopes_disabled():
        Schedule.objects.create(
            platform=kamakura,
            service=service,
            byday="MO,TU,WE,TH,FR",
            opens_at=datetime.time(9),
            closes_at=datetime.time(17),
            closed_on_holidays=True,
            closed_year_end=True,
        )
        Service.objects.filter(pk=service.pk).update(hours_parsed=True, hours_text="平日 9:00～17:00")
    reindex_services([service.pk])
    return service


@pytest.fixture
def frozen() -> Iterator[Any]:
    """Move the clock with frozen.move_to(moment); it does not tick while a page is made."""
    with time_machine.travel(jst(2026, 7, 1, 10), tick=False) as traveller:
        yield traveller


def label(client: Client, service: Service) -> str:
    body = client.get(f"/kamakura/services/{service.pk}/", HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    found = [text for text in (OPEN, CLOSED) if f">{text}<" in body]
    assert len(found) == 1, found
    return found[0]


def listed_open(client: Client) -> bool:
    body = client.get("/kamakura/search/", {"q": "相談", "open_now": "on"}, HTTP_ACCEPT_LANGUAGE="ja")
    return "市役所の福祉相談窓口" in body.content.decode()


# Boundaries: opening and closing minutes, a holiday, and both ends of the year-end break.
MOMENTS = [
    (jst(2026, 7, 1, 10), True),  # a Wednesday morning
    (jst(2026, 7, 1, 8, 59), False),  # a minute before opening
    (jst(2026, 7, 1, 9), True),  # opening time is open
    (jst(2026, 7, 1, 16, 59), True),
    (jst(2026, 7, 1, 17), False),  # closing time is closed
    (jst(2026, 7, 4, 10), False),  # Saturday
    (jst(2026, 11, 3, 10), False),  # 文化の日, a Tuesday
    (jst(2027, 12, 28, 10), True),  # Tuesday 28 December: the last working day
    (jst(2027, 12, 29, 10), False),  # the break starts on 29 December
    (jst(2028, 1, 3, 10), False),  # Monday 3 January: still the break
    (jst(2028, 1, 4, 10), True),  # Tuesday 4 January: open again
]


@pytest.mark.parametrize(("moment", "is_open"), MOMENTS, ids=[f"{m:%Y-%m-%d %H:%M}" for m, _ in MOMENTS])
def test_the_service_page_says_open_only_when_it_is_open(
    client: Client, office: Service, frozen: Any, moment: datetime.datetime, is_open: bool
) -> None:
    frozen.move_to(moment)
    assert label(client, office) == (OPEN if is_open else CLOSED)


@pytest.mark.parametrize(("moment", "is_open"), MOMENTS, ids=[f"{m:%Y-%m-%d %H:%M}" for m, _ in MOMENTS])
def test_the_open_now_filter_agrees_with_the_service_page(
    client: Client, office: Service, frozen: Any, moment: datetime.datetime, is_open: bool
) -> None:
    frozen.move_to(moment)
    assert listed_open(client) is is_open


def test_the_results_label_follows_the_clock(client: Client, office: Service, frozen: Any) -> None:
    frozen.move_to(jst(2026, 7, 1, 10))
    body = client.get("/kamakura/search/", {"q": "相談"}, HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    assert 'class="badge open"' in body and 'class="badge closed"' not in body
    frozen.move_to(jst(2026, 7, 1, 20))
    body = client.get("/kamakura/search/", {"q": "相談"}, HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    assert 'class="badge closed"' in body and 'class="badge open"' not in body


def test_a_window_with_unread_hours_is_never_labelled(client: Client, office: Service, frozen: Any) -> None:
    with scopes_disabled():
        Service.objects.filter(pk=office.pk).update(hours_parsed=False)
    body = client.get(f"/kamakura/services/{office.pk}/", HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    assert OPEN not in body and CLOSED not in body


def test_a_closed_window_points_to_lines_that_answer_now(client: Client, office: Service, frozen: Any) -> None:
    """At night the window's page says it is closed and gives 24-hour lines; in its hours it does not."""
    page = f"/kamakura/services/{office.pk}/"
    frozen.move_to(jst(2026, 7, 1, 23))  # a Wednesday night
    night = client.get(page, HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    aside = night[night.index('class="always-open"') :].split("</aside>")[0]
    assert "今は受付時間外" in night or "受付時間外" in aside
    assert "0120-279-338" in aside  # よりそいホットライン, 24 hours
    assert "tel:110" not in aside and "tel:119" not in aside  # the emergency numbers stay in the strip
    frozen.move_to(jst(2026, 7, 1, 10))
    day = client.get(page, HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    assert 'class="always-open"' not in day


def _close_also(service: Service, **fields: Any) -> None:
    with scopes_disabled():
        Schedule.objects.filter(service=service).update(**fields)
    reindex_services([service.pk])


def test_a_dated_closure_closes_the_page_and_the_filter(client: Client, office: Service, frozen: Any) -> None:
    """慰霊の日 (23 June) in Okinawa: stored as closed_dates, read by the page and the open-now filter alike."""
    _close_also(office, closed_dates="06-23")
    frozen.move_to(jst(2027, 6, 23, 10))  # a Wednesday
    assert label(client, office) == CLOSED
    assert listed_open(client) is False
    frozen.move_to(jst(2027, 6, 24, 10))
    assert label(client, office) == OPEN
    assert listed_open(client) is True


def test_undated_closing_days_never_say_open(client: Client, office: Service, frozen: Any) -> None:
    """A building's own closing days: closed outside the hours, never 「今あいている」, never found as open."""
    _close_also(office, closed_unlisted_days=True)
    frozen.move_to(jst(2026, 7, 1, 10))
    body = client.get(f"/kamakura/services/{office.pk}/", HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    assert OPEN not in body
    assert listed_open(client) is False
    frozen.move_to(jst(2026, 7, 1, 20))
    assert label(client, office) == CLOSED


def test_an_answer_emptied_by_a_condition_offers_the_places_without_it(
    client: Client, office: Service, frozen: Any
) -> None:
    frozen.move_to(jst(2026, 7, 4, 10))  # Saturday: the office is closed
    body = client.get(
        "/kamakura/search/", {"q": "相談", "open_now": "on", "free": "on", "area": "鎌倉市"}, HTTP_ACCEPT_LANGUAGE="ja"
    ).content.decode()
    assert "市役所の福祉相談窓口" not in body
    assert "設定した条件にすべて合う窓口はありません。条件を外すと 1 か所あります。" in body
    link = re.search(r'<a href="\?([^"]*)">条件を外して見る</a>', body)
    assert link
    query = html.unescape(link.group(1))
    # The words and the place stay (never a window out of reach); the conditions go.
    assert "q=" in query and "area=" in query and "open_now" not in query and "free" not in query
    shown = client.get(f"/kamakura/search/?{query}", HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    assert "市役所の福祉相談窓口" in shown and CLOSED in shown


def test_no_offer_when_nothing_matches_without_the_conditions_either(client: Client, office: Service) -> None:
    body = client.get("/kamakura/search/", {"q": "宇宙飛行士", "free": "on"}, HTTP_ACCEPT_LANGUAGE="ja")
    assert "条件を外して見る" not in body.content.decode()
