"""`/` asks where the resident lives and sends them to their platform or the national search for their area."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from tests.factories import make_service
from tsunagari.directory.models import CrisisLine
from tsunagari.tenancy.scoping import scopes_disabled

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("typed", "destination"),
    [
        ("248-0014", "/kamakura/"),
        ("２４８－００１４", "/kamakura/"),
        ("鎌倉市", "/kamakura/"),
        ("神奈川県鎌倉市", "/kamakura/"),
        ("142042", "/kamakura/"),
        ("鳥取市", "/tottori-pref/"),  # no city platform: the prefecture's
        ("680-0011", "/tottori-pref/"),
        ("京都市", "/zenkoku/search/?area=261009"),  # no platform at all: the national search for the area
    ],
)
def test_a_place_leads_to_its_platform_or_the_national_search(
    client: Client, kamakura: Any, tottori: Any, national: Any, typed: str, destination: str
) -> None:
    response = client.get("/", {"place": typed})
    assert response.status_code == 302
    assert response["Location"] == destination


def test_the_question_works_without_javascript_and_keeps_what_was_typed(client: Client, national: Any) -> None:
    body = client.get("/", HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    assert '<form class="search place" method="get" action="/"' in body
    assert (
        'name="place"' in body and 'aria-describedby="id_place_helptext"' in body and 'id="id_place_helptext"' in body
    )
    assert 'action="/zenkoku/search/"' in body  # and a search of the whole country
    body = client.get("/", {"place": "どこにもない村"}, HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    assert 'role="alert"' in body and "郵便番号" in body
    assert 'value="どこにもない村"' in body


def test_an_ambiguous_name_asks_which_one(client: Client, national: Any) -> None:
    body = client.get("/", {"place": "府中市"}, HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    assert "東京都府中市" in body and "広島県府中市" in body


def test_the_national_portal_leads_with_the_national_lines_not_twenty_windows(client: Client, national: Any) -> None:
    with scopes_disabled():
        CrisisLine.objects.create(
            platform=national,
            label="よりそいホットライン",
            number="0120-279-338",
            availability="24時間",
            kinds=["general"],
        )
    make_service(national, "あいうえお相談室")
    body = client.get("/zenkoku/", HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    main = body.split('<main id="main">', 1)[1]
    assert "あいうえお相談室" not in main
    assert main.index("よりそいホットライン") < main.index('class="tiles"')
    assert 'name="place"' in main
