"""The know-how library: Japanese search, tags, drafts, and sharing across platforms (and only that)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from tests.knowhow.rows import entry_fields
from tsunagari.audit.models import AuditEvent
from tsunagari.knowhow import actions
from tsunagari.knowhow.models import Entry, EntryDocument
from tsunagari.knowhow.search import reindex_all, search_entries
from tsunagari.tenancy.scoping import platform_scope, scopes_disabled

pytestmark = pytest.mark.django_db


def write(platform: Any, author: Any, **fields: Any) -> Entry:
    with platform_scope(platform, with_national=False):
        return actions.create_entry(platform, author=author, **entry_fields(**fields))


def titles(platform: Any, **query: Any) -> list[str]:
    return [entry.title for entry in search_entries(platform=platform, **query).entries]


@pytest.mark.parametrize("words", ["引きこもり", "ひきこもり", "引き籠もり", "家族会", "社協 家族"])
def test_search_finds_an_entry_however_the_words_are_written(
    kamakura: Any, knowhow_rows: dict[str, Any], words: str
) -> None:
    assert titles(kamakura, text=words) == [knowhow_rows["entry"].title]


def test_search_ranks_and_relaxes_like_the_directory_search(
    kamakura: Any, sam: Any, knowhow_rows: dict[str, Any]
) -> None:
    write(
        kamakura,
        sam,
        title="こども食堂を企業と続ける",
        body="地元のスーパーが食材を寄付。",
        needs=["food"],
        targets=["children"],
    )
    assert titles(kamakura, text="こども食堂") == ["こども食堂を企業と続ける"]
    results = search_entries(platform=kamakura, text="こども食堂 ひきこもり")
    assert results.relaxed and results.total == 2
    assert search_entries(platform=kamakura, text="存在しない言葉").total == 0


def test_tags_filter_the_library(kamakura: Any, sam: Any, knowhow_rows: dict[str, Any]) -> None:
    write(
        kamakura,
        sam,
        title="ゲートキーパー研修の工夫",
        kind="note",
        needs=["suicide"],
        targets=["anyone"],
        collaborations=["training"],
    )
    assert titles(kamakura, needs=["suicide"]) == ["ゲートキーパー研修の工夫"]
    assert titles(kamakura, needs=["suicide", "hikikomori"], kinds=["case_study"]) == [knowhow_rows["entry"].title]
    assert titles(kamakura, targets=["family"]) == [knowhow_rows["entry"].title]
    assert titles(kamakura, collaborations=["training"], text="研修") == ["ゲートキーパー研修の工夫"]
    assert sorted(titles(kamakura)) == sorted([knowhow_rows["entry"].title, "ゲートキーパー研修の工夫"])


def test_shared_entries_reach_every_platform_and_internal_ones_stay_home(
    client: Client, kamakura: Any, tottori: Any, alice: Any, charlie: Any, knowhow_rows: dict[str, Any]
) -> None:
    internal = knowhow_rows["entry"]
    shared = write(
        kamakura,
        alice,
        title="官民連携会議の進め方",
        body="議題を事前に配り、各団体が一言ずつ話す時間を取った。",
        cautions="",
        scope=Entry.Scope.SHARED,
        collaborations=["platform_meeting"],
    )
    # In Tottori's library: Kamakura's shared entry, never its internal one.
    assert titles(tottori) == ["官民連携会議の進め方"]
    assert titles(tottori, text="民生委員") == []  # only in the internal entry
    assert titles(tottori, shared_only=True) == ["官民連携会議の進め方"]
    client.force_login(charlie)
    page = client.get("/tottori-pref/workspace/knowhow/").content.decode()
    assert "官民連携会議の進め方" in page and internal.title not in page
    detail = client.get(f"/tottori-pref/workspace/knowhow/{shared.pk}/")
    assert detail.status_code == 200 and kamakura.name in detail.content.decode()
    assert not detail.context["can_change"]
    assert client.get(f"/tottori-pref/workspace/knowhow/{internal.pk}/").status_code == 404
    assert client.get(f"/tottori-pref/workspace/knowhow/{shared.pk}/edit/").status_code == 404
    assert client.post(f"/tottori-pref/workspace/knowhow/{shared.pk}/delete/").status_code == 404
    # Kamakura's own workspace stays closed to Charlie, shared entries or not.
    assert client.get("/kamakura/workspace/knowhow/").status_code == 404
    assert client.get(f"/kamakura/workspace/knowhow/{shared.pk}/").status_code == 404
    client.logout()
    assert client.get(f"/kamakura/workspace/knowhow/{shared.pk}/")["Location"].startswith("/accounts/login/")
    assert "官民連携会議の進め方" not in client.get("/kamakura/").content.decode()


def test_only_coordinators_share_an_entry_with_every_platform(
    client: Client, kamakura: Any, sam: Any, alice: Any
) -> None:
    client.force_login(sam)
    data = {**entry_fields(), "scope": Entry.Scope.SHARED}
    assert "scope" not in client.get("/kamakura/workspace/knowhow/new/").context["form"].fields
    assert client.post("/kamakura/workspace/knowhow/new/", data).status_code == 302
    with scopes_disabled():
        entry = Entry.objects.get()
    assert entry.scope == Entry.Scope.INTERNAL and entry.author == sam
    client.force_login(alice)
    data = {**entry_fields(), "scope": Entry.Scope.SHARED, "published": "on"}
    assert client.post(f"/kamakura/workspace/knowhow/{entry.pk}/edit/", data).status_code == 302
    with scopes_disabled():
        entry.refresh_from_db()
        changed = AuditEvent.objects.get(action="knowhow.changed")
    assert entry.is_shared and changed.changes["scope"] == ["internal", "shared_all_platforms"]


def test_drafts_are_seen_by_their_author_and_coordinators_and_never_searched(
    client: Client, kamakura: Any, sam: Any, olga: Any, alice: Any
) -> None:
    draft = write(kamakura, sam, title="書きかけ", published=False, scope=Entry.Scope.SHARED)
    assert titles(kamakura, text="書きかけ") == []
    with scopes_disabled():
        assert not EntryDocument.objects.filter(entry=draft).exists()
    for person, status in ((sam, 200), (alice, 200), (olga, 404)):
        client.force_login(person)
        assert client.get(f"/kamakura/workspace/knowhow/{draft.pk}/").status_code == status
        assert ("書きかけ" in client.get("/kamakura/workspace/knowhow/").content.decode()) is (status == 200)


def test_only_the_author_or_a_coordinator_changes_an_entry(
    client: Client, kamakura: Any, sam: Any, olga: Any, oscar: Any, knowhow_rows: dict[str, Any]
) -> None:
    entry = knowhow_rows["entry"]
    for person in (olga, oscar):
        client.force_login(person)
        assert client.get(f"/kamakura/workspace/knowhow/{entry.pk}/edit/").status_code == 403
        assert client.post(f"/kamakura/workspace/knowhow/{entry.pk}/delete/").status_code == 403
    client.force_login(sam)
    data = {**entry_fields(), "title": "家族会の立ち上げ（改訂）", "published": "on"}
    assert client.post(f"/kamakura/workspace/knowhow/{entry.pk}/edit/", data).status_code == 302
    assert titles(kamakura, text="改訂") == ["家族会の立ち上げ（改訂）"]
    assert client.post(f"/kamakura/workspace/knowhow/{entry.pk}/delete/").status_code == 302
    assert titles(kamakura) == []
    with scopes_disabled():
        assert list(
            AuditEvent.objects.filter(action__startswith="knowhow.").values_list("action", flat=True).order_by("pk")
        ) == [
            "knowhow.created",
            "knowhow.changed",
            "knowhow.deleted",
        ]


def test_a_bad_entry_form_says_what_to_fix(client: Client, kamakura: Any, sam: Any) -> None:
    client.force_login(sam)
    response = client.post(
        "/kamakura/workspace/knowhow/new/", {**entry_fields(), "title": "", "needs": ["no-such-need"]}
    )
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"title", "needs"}


def test_the_library_page_searches_with_the_form(
    client: Client, kamakura: Any, oscar: Any, knowhow_rows: dict[str, Any]
) -> None:
    client.force_login(oscar)
    response = client.get("/kamakura/workspace/knowhow/", {"q": "ひきこもり", "need": "hikikomori"})
    assert [e.title for e in response.context["results"].entries] == [knowhow_rows["entry"].title]
    assert "/knowhow/new/" not in response.content.decode()  # observers read only


def test_reindex_rebuilds_the_documents(kamakura: Any, knowhow_rows: dict[str, Any]) -> None:
    with scopes_disabled():
        EntryDocument.objects.all().delete()
    assert titles(kamakura) == []
    assert reindex_all() == 1
    assert titles(kamakura, text="家族会") == [knowhow_rows["entry"].title]
