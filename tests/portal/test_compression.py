"""The residents' public pages are sent gzipped; a page with a CSRF token or a resident's own text never is (BREACH)."""

from __future__ import annotations

import gzip
from typing import Any

import pytest
from django.test import Client

from tests.factories import make_service
from tsunagari.search.index import reindex_services

pytestmark = pytest.mark.django_db

GZIP = {"HTTP_ACCEPT_ENCODING": "gzip", "HTTP_ACCEPT_LANGUAGE": "ja"}


@pytest.fixture
def window(kamakura: Any) -> Any:
    service = make_service(kamakura, "暮らしの相談窓口", needs=("money",), phone="0467-00-2222")
    reindex_services([service.pk])
    return service


def test_the_public_pages_are_gzipped_and_carry_no_token(client: Client, window: Any) -> None:
    pages = [
        "/",
        "/clear-history/",
        "/kamakura/",
        "/kamakura/search/?q=%E6%AD%BB%E3%81%AB%E3%81%9F%E3%81%84",
        "/kamakura/search/filters/?q=%E7%9B%B8%E8%AB%87",
        f"/kamakura/services/{window.pk}/",
        "/kamakura/map/",
    ]
    for path in pages:
        response = client.get(path, **GZIP)
        assert response.status_code == 200, path
        assert response["Content-Encoding"] == "gzip", path
        assert "Accept-Encoding" in response["Vary"], path
        body = gzip.decompress(response.content).decode()
        assert "</html>" in body and "csrfmiddlewaretoken" not in body, path
        # Without Accept-Encoding the same page comes plain.
        assert "Content-Encoding" not in client.get(path, HTTP_ACCEPT_LANGUAGE="ja"), path


def test_a_page_with_a_csrf_token_or_the_residents_words_is_never_compressed(client: Client, window: Any) -> None:
    chat = client.post("/kamakura/chat/", {"text": "お金がなくて家賃が払えない"}, follow=True, **GZIP)
    assert chat.status_code == 200
    assert "Content-Encoding" not in chat
    assert "csrfmiddlewaretoken" in chat.content.decode()  # the conversation, with its forms
    report = client.get(f"/kamakura/services/{window.pk}/report/", **GZIP)
    assert report.status_code == 200
    assert "Content-Encoding" not in report and "csrfmiddlewaretoken" in report.content.decode()
