"""The README's demo shape: two app processes on one database, no Redis (issue 9 item 1, issue 10 item 4).

Gunicorn as `make demo` runs it (`--workers 2`) and a second gunicorn process beside it, both on
one SQLite file (a copy of the test database; on PostgreSQL the test database itself). Residents'
first chat messages must all be answered, whichever process takes the next request, and the rate
limit counters must be shared: a limit of N per minute allows N in total, not N per process.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import API_LIMIT, PORTS, get

pytestmark = pytest.mark.django_db(transaction=True)

CRISIS = "生きていても仕方ないと思う。誰にも必要とされていない気がする"
FIRST_MESSAGES = [
    CRISIS,
    "母の介護がつらい",
    "お金がなくて家賃が払えない",
    "息子が10年ひきこもっている",
    "仕事をなくした",
    "さびしい。話し相手がいない",
    "夫から暴力を受けている",
    "子育てに疲れた",
    "借金が返せない",
    "眠れない日が続いている",
    "学校でいじめられている",
    "一人暮らしの父が心配",
    "障害のある子の将来が不安",
    "外国から来て日本語がよくわからない",
    "病院代が払えない",
    "職場の人間関係がつらい",
    "認知症かもしれない",
    "ゴミ屋敷になってしまった",
    "家族とうまくいかない",
    "もう消えてしまいたい",
]


def test_twenty_fresh_visitors_first_messages_are_all_answered(browser: Any, two_processes: tuple[str, str]) -> None:
    demo, other = two_processes
    answered = []
    for text in FIRST_MESSAGES:
        context = browser.new_context(viewport={"width": 390, "height": 844}, locale="ja-JP", is_mobile=True)
        page = context.new_page()
        page.set_default_timeout(30_000)
        page.goto(f"{demo}/kamakura/chat/")
        page.fill("textarea[name=text]", text)
        with page.expect_navigation():
            page.click(".finder-message button[type=submit]")
        main = page.inner_text("main") if page.locator("main").count() else page.inner_text("body")
        ok = (
            "/chat/c/" in page.url
            and "この会話は終了しました" not in main
            and page.locator("form.finder-message").count() == 1
        )
        ok = ok and (page.locator(".finder-results, .finder-question, .crisis-lines").count() > 0)
        if text == CRISIS:
            assert page.locator(".crisis-lines").is_visible()
            assert "0120-279-338" in page.inner_text(".crisis-lines")
        # The same conversation, taken up by the other process.
        path = page.url.split(str(PORTS[0]), 1)[1]
        status, _body = get(PORTS[1], path)
        answered.append(ok and status == 200)
        context.close()
    assert answered == [True] * len(FIRST_MESSAGES)
    assert other


def test_rate_limit_counters_are_shared_by_the_processes(two_processes: tuple[str, str]) -> None:
    statuses = [get(PORTS[i % 2], "/api/taxonomies")[0] for i in range(API_LIMIT + 6)]
    assert statuses.count(200) == API_LIMIT, statuses
    assert statuses.count(429) == 6
