"""A resident on a phone: types a worry, answers by tapping, sees the windows."""

from __future__ import annotations

from typing import Any

import pytest

from tests.factories import make_service
from tsunagari.search.index import reindex_services

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_resident_finds_a_window_by_chatting(live_server: Any, page: Any, kamakura: Any) -> None:
    make_service(kamakura, "鎌倉市 介護相談窓口", needs=("caregiving",))
    reindex_services()
    page.goto(f"{live_server.url}/kamakura/chat/")
    page.fill("textarea[name=text]", "母の介護がつらい")
    page.click(".finder-message button[type=submit]")
    while page.locator(".finder-question").count():
        page.click("button[value=skip]")
    assert "鎌倉市 介護相談窓口" in page.inner_text(".finder-results")
