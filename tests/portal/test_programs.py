"""Support programmes (制度) on the portal: on the page of a window that handles them, and in search."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client

from tests.factories import make_service
from tsunagari.directory.models import Service, ServiceProgram, SupportProgram
from tsunagari.search.index import reindex_services
from tsunagari.tenancy.models import Platform
from tsunagari.tenancy.scoping import scopes_disabled

pytestmark = pytest.mark.django_db


def make_program(platform: Platform, service: Service, name: str, **fields: Any) -> SupportProgram:
    local = {key: fields.pop(key) for key in ("local_name", "local_description") if key in fields}
    with scopes_disabled():
        program = SupportProgram.objects.create(
            platform=platform,
            name=name,
            publication=Service.Publication.PUBLISHED,
            last_verified_on=datetime.date(2026, 7, 1),
            **fields,
        )
        ServiceProgram.objects.create(platform=platform, program=program, service=service, **local)
    return program


@pytest.fixture
def window(national: Platform) -> Service:
    """A national open-data window in 鎌倉市, shown on the 鎌倉市 portal."""
    return make_service(national, "鎌倉市 生活福祉課", municipality="142042")


def test_a_window_shows_the_programmes_it_handles_with_source_and_date(
    client: Client, kamakura: Platform, national: Platform, window: Service
) -> None:
    make_program(
        national,
        window,
        "生活保護",
        alternate_name="生活費や医療費など暮らしを支える制度",
        description="最低限度の生活を保障する制度です。",
        documents_optional_note="書類が揃っていなくてもまず相談できます。",
        application_process="福祉事務所へ相談してください。",
        source_publisher="厚生労働省",
        source_url="https://www.mhlw.go.jp/seikatsuhogo/",
        local_name="鎌倉市の生活保護",
        local_description="生活福祉課で相談・申請を受け付けます。",
    )
    make_program(national, window, "取り下げた制度", status=Service.Status.DEFUNCT)
    body = client.get(f"/kamakura/services/{window.pk}/", HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    assert "この窓口で相談できる制度" in body
    assert "鎌倉市の生活保護" in body and "（生活保護）" in body
    assert "生活費や医療費など暮らしを支える制度" in body
    assert "生活福祉課で相談・申請を受け付けます。" in body  # the city's words before the national ones
    assert "最低限度の生活を保障する制度です。" not in body
    assert "書類が揃っていなくてもまず相談できます。" in body
    assert "申し込み方:" in body and "福祉事務所へ相談してください。" in body
    assert 'href="https://www.mhlw.go.jp/seikatsuhogo/"' in body and "厚生労働省" in body
    assert "2026-07-01 確認" in body
    assert "取り下げた制度" not in body
    english = client.get(f"/kamakura/services/{window.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Programmes you can ask about here" in english
    assert "鎌倉市の生活保護" in english  # the data stays Japanese


def test_another_platforms_local_programme_never_shows(
    client: Client, kamakura: Platform, tottori: Platform, national: Platform, window: Service
) -> None:
    make_program(national, window, "生活保護")
    # 鳥取県's platform links a programme of its own to the same national window.
    make_program(tottori, window, "鳥取県独自の給付金", local_description="鳥取県だけの説明")
    with scopes_disabled():
        mine = make_service(kamakura, "鎌倉市 独自の窓口")
    make_program(kamakura, mine, "鎌倉市独自の給付金")
    body = client.get(f"/kamakura/services/{window.pk}/").content.decode()
    assert "生活保護" in body
    assert "鳥取県独自の給付金" not in body and "鳥取県だけの説明" not in body
    # Nor does a link of one platform reach another platform's programme.
    with scopes_disabled():
        ServiceProgram.objects.create(
            platform=national, program=SupportProgram.objects.get(name="鎌倉市独自の給付金"), service=window
        )
    body = client.get(f"/kamakura/services/{window.pk}/").content.decode()
    assert "鎌倉市独自の給付金" not in body


def test_searching_a_programme_finds_the_windows_that_handle_it(
    client: Client, kamakura: Platform, national: Platform, window: Service
) -> None:
    other = make_service(national, "鎌倉市 こども相談", municipality="142042")
    make_program(national, window, "生活保護", local_name="鎌倉市の生活保護")
    reindex_services([window.pk, other.pk])
    body = client.get("/kamakura/search/", {"q": "生活保護"}).content.decode()
    assert f"/kamakura/services/{window.pk}/" in body
    assert f"/kamakura/services/{other.pk}/" not in body
