"""Anonymous residents' results pages are cached for a minute; nobody signed in ever shares one."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache, caches
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.factories import make_service
from tsunagari.search.index import reindex_services
from tsunagari.tenancy.models import Platform
from tsunagari.tenancy.scoping import scopes_disabled

pytestmark = pytest.mark.django_db

PATH = "/kamakura/search/?q=%E3%81%B2%E3%81%8D%E3%81%93%E3%82%82%E3%82%8A"  # ?q=ひきこもり


@pytest.fixture(autouse=True)
def page_cache(settings: Any, database_cache: None) -> None:
    settings.PORTAL_PAGE_CACHE_SECONDS = 60
    cache.clear()
    caches["pages"].clear()


def get(client: Client, path: str = PATH, **extra: Any) -> tuple[str, int]:
    """The page and how many queries it took outside the shared cache (which holds the directory's version)."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path, **extra)
    assert response.status_code == 200
    return response.content.decode(), sum(
        "tsunagari_cache" not in q["sql"] and "SAVEPOINT" not in q["sql"] for q in queries.captured_queries
    )


def test_the_same_search_is_served_from_the_cache_without_reading_the_directory(client: Client, kamakura: Any) -> None:
    make_service(kamakura, "ひきこもり相談窓口")
    reindex_services()
    first, first_queries = get(client)
    second, second_queries = get(Client())
    assert "ひきこもり相談窓口" in first
    assert second == first
    assert first_queries > 0 and second_queries == 0


def test_a_change_to_the_directory_is_seen_at_once(client: Client, kamakura: Any) -> None:
    make_service(kamakura, "ひきこもり相談窓口")
    reindex_services()
    get(client)
    make_service(kamakura, "ひきこもり家族会")  # a write bumps the directory's version
    reindex_services()
    assert "ひきこもり家族会" in get(Client())[0]


def test_each_language_has_its_own_page(client: Client, kamakura: Any) -> None:
    japanese = get(client, HTTP_ACCEPT_LANGUAGE="ja")[0]
    english = get(Client(), HTTP_ACCEPT_LANGUAGE="en")[0]
    assert '<html lang="ja">' in japanese
    assert '<html lang="en">' in english


def test_signed_in_people_never_get_a_cached_page(client: Client, kamakura: Any, alice: Any) -> None:
    get(Client())
    client.force_login(alice)
    body, queries = get(client)
    assert queries > 0
    assert "Sign out" in body or "ログアウト" in body


def test_cached_pages_carry_no_csrf_token_and_the_language_switch_needs_none(kamakura: Any) -> None:
    body, _queries = get(Client())
    assert "csrfmiddlewaretoken" not in body
    strict = Client(enforce_csrf_checks=True)
    response = strict.post("/i18n/setlang/", {"language": "en", "next": "/kamakura/"})
    assert response.status_code == 302
    assert response.cookies["django_language"].value == "en"


def test_the_cache_can_be_turned_off(settings: Any, kamakura: Any) -> None:
    settings.PORTAL_PAGE_CACHE_SECONDS = 0
    get(Client())
    assert get(Client())[1] > 0


HOME = "/kamakura/"


def test_the_home_page_is_served_from_the_process_memory_without_a_query(client: Client, kamakura: Any) -> None:
    from tsunagari.portal import pagecache

    first, first_queries = get(client, HOME)
    # Another process would find the page in the shared cache; this one has it in memory too.
    cache.delete_many([key for key in pagecache._local])
    second, second_queries = get(Client(), HOME)
    assert second == first
    assert first_queries > 0 and second_queries == 0


def test_a_write_by_any_process_changes_every_processs_home_page(client: Client, kamakura: Any) -> None:
    from tsunagari.directory.signals import DIRECTORY_VERSION_KEY

    get(client, HOME)
    with scopes_disabled():
        Platform.objects.filter(pk=kamakura.pk).update(name="鎌倉つながり")  # no signal, as in another process
    assert "鎌倉つながり" not in get(Client(), HOME)[0]
    cache.incr(DIRECTORY_VERSION_KEY)  # what another process's write leaves in the shared cache
    assert "鎌倉つながり" in get(Client(), HOME)[0]


def test_a_new_event_and_a_renamed_platform_show_on_the_home_page_at_once(
    client: Client, kamakura: Any, alice: Any
) -> None:
    from tests.programs.test_events import make_event

    get(client, HOME)
    make_event(kamakura, alice, title="つながりフォーラム2026", audience="public")
    assert "つながりフォーラム2026" in get(Client(), HOME)[0]
    kamakura.name = "鎌倉つながり"
    kamakura.save()
    assert "鎌倉つながり" in get(Client(), HOME)[0]


def test_pages_held_in_memory_do_not_survive_an_emptied_shared_cache(client: Client, kamakura: Any) -> None:
    get(client, HOME)
    with scopes_disabled():
        Platform.objects.filter(pk=kamakura.pk).update(name="鎌倉つながり")
    cache.clear()  # the directory's version starts again at 1
    assert "鎌倉つながり" in get(Client(), HOME)[0]
