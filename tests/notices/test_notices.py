"""The notice board: posting, reading, groups, visibility, comments, attachments and isolation."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tests.notices.rows import PDF, pdf
from tests.pdfs import written_pdf
from tsunagari.audit.models import AuditEvent
from tsunagari.notices import actions
from tsunagari.notices.models import Comment, Notice, ReadReceipt
from tsunagari.tenancy.scoping import platform_scope, scopes_disabled

pytestmark = pytest.mark.django_db


def audit_actions() -> list[str]:
    with scopes_disabled():
        return list(AuditEvent.objects.order_by("pk").values_list("action", flat=True))


def test_a_member_posts_a_notice_with_an_attachment_and_others_read_it(
    client: Client, settings: Any, tmp_path: Any, kamakura: Any, sam: Any, olga: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path
    client.force_login(sam)
    response = client.post(
        "/kamakura/workspace/notices/new/",
        {
            "title": "居場所カフェの報告",
            "body": "先月は15人が来ました。",
            "visibility": "all_members",
            "attachments": [pdf()],
        },
    )
    assert response.status_code == 302
    with scopes_disabled():
        notice = Notice.objects.get()
        attachment = notice.attachments.get()
    assert notice.author == sam and attachment.name == "会議資料.pdf" and attachment.content_type == "application/pdf"
    assert "notice.posted" in audit_actions()

    client.force_login(olga)
    board = client.get("/kamakura/workspace/notices/").content.decode()
    assert "居場所カフェの報告" in board and 'class="unread"' in board
    assert client.get(f"/kamakura/workspace/notices/{notice.pk}/").status_code == 200
    with scopes_disabled():
        assert ReadReceipt.objects.filter(notice=notice, user=olga).exists()
    assert 'class="unread"' not in client.get("/kamakura/workspace/notices/").content.decode()

    download = client.get(f"/kamakura/workspace/notices/attachments/{attachment.pk}/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF
    assert download["Content-Disposition"].startswith("attachment;")
    assert download["X-Content-Type-Options"] == "nosniff"
    assert download["Content-Type"] == "application/pdf"
    assert "sandbox" in download["Content-Security-Policy"]


def test_nothing_on_the_board_reaches_residents_or_other_platforms(
    client: Client, kamakura: Any, charlie: Any, notice_rows: dict[str, Any]
) -> None:
    notice, attachment = notice_rows["notice"], notice_rows["attachment"]
    urls = [
        "/kamakura/workspace/notices/",
        f"/kamakura/workspace/notices/{notice.pk}/",
        f"/kamakura/workspace/notices/attachments/{attachment.pk}/",
        f"/kamakura/workspace/notices/groups/{notice_rows['group'].pk}/",
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert notice.title not in client.get("/kamakura/").content.decode()
    client.force_login(charlie)
    for url in urls:
        assert client.get(url).status_code == 404, url
    # Charlie's own board does not list Kamakura's notices, and Kamakura's ids do not work there.
    assert notice.title not in client.get("/tottori-pref/workspace/notices/").content.decode()
    assert client.get(f"/tottori-pref/workspace/notices/{notice.pk}/").status_code == 404
    assert client.get(f"/tottori-pref/workspace/notices/attachments/{attachment.pk}/").status_code == 404


def test_group_notices_are_read_by_the_group_and_the_coordinators_only(
    client: Client, kamakura: Any, alice: Any, sam: Any, olga: Any, oscar: Any, notice_rows: dict[str, Any]
) -> None:
    group = notice_rows["group"]
    with platform_scope(kamakura, with_national=False):
        secret = actions.post_notice(
            kamakura, author=sam, title="部会メモ", body="…", visibility=Notice.Visibility.GROUP, group=group
        )
        for_coordinators = actions.post_notice(
            kamakura, author=alice, title="事務局メモ", body="…", visibility=Notice.Visibility.COORDINATORS
        )
        assert {p.username for p in secret.audience()} == {"alice", "sam"}
        assert {p.username for p in for_coordinators.audience()} == {"alice"}
    for person, sees_group, sees_coordinators in (
        (alice, True, True),
        (sam, True, False),
        (olga, False, False),
        (oscar, False, False),
    ):
        client.force_login(person)
        board = client.get("/kamakura/workspace/notices/").content.decode()
        assert ("部会メモ" in board) is sees_group, person
        assert ("事務局メモ" in board) is sees_coordinators, person
        assert client.get(f"/kamakura/workspace/notices/{secret.pk}/").status_code == (200 if sees_group else 404)
        assert client.get(f"/kamakura/workspace/notices/{for_coordinators.pk}/").status_code == (
            200 if sees_coordinators else 404
        )


def test_only_coordinators_write_to_coordinators_or_pin(client: Client, kamakura: Any, sam: Any) -> None:
    client.force_login(sam)
    response = client.post(
        "/kamakura/workspace/notices/new/",
        {"title": "t", "body": "b", "visibility": "coordinators", "pinned": "on"},
    )
    assert response.status_code == 400
    assert "visibility" in response.context["form"].errors
    with scopes_disabled():
        assert not Notice.objects.exists()


def test_a_group_notice_needs_a_group(client: Client, kamakura: Any, alice: Any) -> None:
    client.force_login(alice)
    response = client.post("/kamakura/workspace/notices/new/", {"title": "t", "body": "b", "visibility": "group"})
    assert response.status_code == 400
    assert response.context["form"].errors["group"]


def test_a_member_posts_only_to_groups_they_belong_to(
    client: Client, kamakura: Any, olga: Any, notice_rows: dict[str, Any]
) -> None:
    client.force_login(olga)
    response = client.post(
        "/kamakura/workspace/notices/new/",
        {"title": "t", "body": "b", "visibility": "group", "group": notice_rows["group"].pk},
    )
    assert response.status_code == 400
    assert response.context["form"].errors["group"]


def test_only_the_author_or_a_coordinator_changes_a_notice(
    client: Client, kamakura: Any, alice: Any, sam: Any, olga: Any
) -> None:
    with platform_scope(kamakura, with_national=False):
        notice = actions.post_notice(kamakura, author=sam, title="元の題", body="本文")
    edit = f"/kamakura/workspace/notices/{notice.pk}/edit/"
    client.force_login(olga)
    assert client.get(edit).status_code == 403
    assert client.post(f"/kamakura/workspace/notices/{notice.pk}/delete/").status_code == 403
    client.force_login(sam)
    data = {"title": "新しい題", "body": "本文", "visibility": "all_members"}
    assert client.post(edit, data).status_code == 302
    client.force_login(alice)
    assert client.post(f"/kamakura/workspace/notices/{notice.pk}/pin/").status_code == 302
    with scopes_disabled():
        notice.refresh_from_db()
    assert notice.title == "新しい題" and notice.pinned
    with scopes_disabled():
        changed = AuditEvent.objects.get(action="notice.changed")
    assert changed.changes["title"] == ["元の題", "新しい題"]
    assert client.post(f"/kamakura/workspace/notices/{notice.pk}/delete/").status_code == 302
    with scopes_disabled():
        assert not Notice.objects.filter(pk=notice.pk).exists()


def test_attachments_can_be_removed_and_added_when_editing(
    client: Client, kamakura: Any, alice: Any, notice_rows: dict[str, Any]
) -> None:
    notice, old = notice_rows["notice"], notice_rows["attachment"]
    storage, name = old.file.storage, old.file.name
    client.force_login(alice)
    data = {
        "title": notice.title,
        "body": notice.body,
        "visibility": "all_members",
        "remove_attachments": [old.pk],
        "attachments": [SimpleUploadedFile("名簿.csv", "氏名,所属\n".encode("cp932"), content_type="text/csv")],
    }
    assert client.post(f"/kamakura/workspace/notices/{notice.pk}/edit/", data).status_code == 302
    with scopes_disabled():
        assert [a.name for a in notice.attachments.all()] == ["名簿.csv"]
    assert storage.exists(name)  # removed only once the change is committed (see the test below)


def test_a_deleted_attachment_file_goes_after_the_commit(
    kamakura: Any, alice: Any, notice_rows: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    old = notice_rows["attachment"]
    storage, name = old.file.storage, old.file.name
    with django_capture_on_commit_callbacks(execute=True), platform_scope(kamakura, with_national=False):
        actions.delete_notice(notice_rows["notice"], actor=alice)
    assert not storage.exists(name)


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("page.html", b"<script>alert(1)</script>", "file_type"),
        ("image.svg", b"<svg onload=alert(1)>", "file_type"),
        ("tool.exe", b"MZ\x90\x00", "file_type"),
        ("fake.pdf", b"<html>not a pdf</html>", "file_magic"),
        (
            "active.pdf",
            written_pdf(javascript="app.alert(1)"),
            "file_active",
        ),
        ("empty.txt", b"", "file_empty"),
        ("binary.txt", b"abc\x00def", "file_binary"),
        ("macro.docx", "MACRO", "file_macros"),
        ("broken.xlsx", b"PK\x03\x04garbage", "file_magic"),
    ],
)
def test_uploads_are_checked(name: str, content: Any, code: str) -> None:
    import io
    import zipfile

    from django.core.exceptions import ValidationError

    from tsunagari.notices.files import validate_upload

    if content == "MACRO":
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("[Content_Types].xml", "<Types/>")
            archive.writestr("word/vbaProject.bin", b"\x00")
        content = buffer.getvalue()
    with pytest.raises(ValidationError) as raised:
        validate_upload(SimpleUploadedFile(name, content))
    assert raised.value.code == code


def test_a_real_office_file_and_a_shift_jis_csv_pass(settings: Any) -> None:
    import io
    import zipfile

    from tsunagari.notices.files import validate_upload

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    assert validate_upload(SimpleUploadedFile("議事録.docx", buffer.getvalue())).family == "office"
    assert validate_upload(SimpleUploadedFile("名簿.csv", "氏名\n".encode("cp932"))).content_type == "text/csv"
    settings.WORKSPACE_UPLOAD_MAX_MB = 1
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        validate_upload(SimpleUploadedFile("big.pdf", PDF + b"0" * (1024 * 1024)))


def test_a_bad_upload_shows_a_message_on_the_form(client: Client, kamakura: Any, sam: Any) -> None:
    client.force_login(sam)
    response = client.post(
        "/kamakura/workspace/notices/new/",
        {
            "title": "t",
            "body": "b",
            "visibility": "all_members",
            "attachments": [SimpleUploadedFile("x.html", b"<script></script>")],
        },
    )
    assert response.status_code == 400
    assert response.context["form"].errors["attachments"]


def test_comments_are_added_and_deleted_by_their_author_or_a_coordinator(
    client: Client, kamakura: Any, alice: Any, sam: Any, olga: Any, oscar: Any, notice_rows: dict[str, Any]
) -> None:
    notice, comment = notice_rows["notice"], notice_rows["comment"]
    client.force_login(olga)
    assert client.post(f"/kamakura/workspace/notices/{notice.pk}/comments/", {"body": "了解です"}).status_code == 302
    assert client.post(f"/kamakura/workspace/notices/{notice.pk}/comments/", {"body": ""}).status_code == 400
    assert client.post(f"/kamakura/workspace/notices/comments/{comment.pk}/delete/").status_code == 403
    client.force_login(oscar)
    assert client.post(f"/kamakura/workspace/notices/{notice.pk}/comments/", {"body": "x"}).status_code == 403
    assert 'name="body"' not in client.get(f"/kamakura/workspace/notices/{notice.pk}/").content.decode()
    client.force_login(alice)
    assert client.post(f"/kamakura/workspace/notices/comments/{comment.pk}/delete/").status_code == 302
    with scopes_disabled():
        assert list(Comment.objects.values_list("body", flat=True)) == ["了解です"]
    assert "notice.comment_deleted" in audit_actions()


def test_the_author_sees_who_has_read_the_notice(
    client: Client, kamakura: Any, alice: Any, sam: Any, olga: Any, notice_rows: dict[str, Any]
) -> None:
    notice = notice_rows["notice"]
    client.force_login(sam)
    client.get(f"/kamakura/workspace/notices/{notice.pk}/")
    client.force_login(alice)
    response = client.get(f"/kamakura/workspace/notices/{notice.pk}/")
    assert {p.username for p in response.context["read_by"]} == {"alice", "sam"}
    assert {p.username for p in response.context["not_read_by"]} == {"olga"}


def test_mark_all_as_read(client: Client, kamakura: Any, alice: Any, olga: Any, notice_rows: dict[str, Any]) -> None:
    with platform_scope(kamakura, with_national=False):
        actions.post_notice(kamakura, author=alice, title="二つ目", body="…")
    client.force_login(olga)
    assert client.post("/kamakura/workspace/notices/read-all/").status_code == 302
    with scopes_disabled():
        assert ReadReceipt.objects.filter(user=olga).count() == 2
    assert client.post("/kamakura/workspace/notices/read-all/").status_code == 302


def test_working_groups_are_created_and_changed_by_coordinators(
    client: Client, kamakura: Any, alice: Any, sam: Any, olga: Any
) -> None:
    client.force_login(olga)
    assert client.post("/kamakura/workspace/notices/groups/new/", {"name": "居場所部会"}).status_code == 403
    client.force_login(alice)
    response = client.post("/kamakura/workspace/notices/groups/new/", {"name": "居場所部会", "members": [sam.pk]})
    assert response.status_code == 302
    again = client.post("/kamakura/workspace/notices/groups/new/", {"name": "居場所部会"})
    assert again.status_code == 400 and again.context["form"].errors["name"]
    from tsunagari.notices.models import WorkingGroup

    with scopes_disabled():
        group = WorkingGroup.objects.get()
    response = client.post(
        f"/kamakura/workspace/notices/groups/{group.pk}/edit/", {"name": "居場所づくり部会", "members": [olga.pk]}
    )
    assert response.status_code == 302
    with scopes_disabled():
        group.refresh_from_db()
        assert [m.username for m in group.members.all()] == ["olga"]
        changed = AuditEvent.objects.get(action="group.changed")
    assert changed.changes == {"name": ["居場所部会", "居場所づくり部会"], "added": ["olga"], "removed": ["sam"]}


def test_only_people_of_the_platform_can_join_a_group(client: Client, kamakura: Any, alice: Any, charlie: Any) -> None:
    client.force_login(alice)
    response = client.post("/kamakura/workspace/notices/groups/new/", {"name": "部会", "members": [charlie.pk]})
    assert response.status_code == 400


def test_the_board_takes_a_fixed_number_of_queries(
    client: Client, kamakura: Any, alice: Any, sam: Any, django_assert_max_num_queries: Any
) -> None:
    with platform_scope(kamakura, with_national=False):
        for n in range(25):
            notice = actions.post_notice(kamakura, author=alice, title=f"お知らせ{n}", body="…")
            actions.add_comment(notice, author=sam, body="…")
    client.force_login(sam)
    with django_assert_max_num_queries(12):
        assert client.get("/kamakura/workspace/notices/").status_code == 200


def test_ids_of_another_platforms_notices_are_404(
    client: Client, tottori: Any, charlie: Any, alice: Any, kamakura: Any
) -> None:
    with platform_scope(tottori, with_national=False):
        theirs = actions.post_notice(tottori, author=charlie, title="鳥取のお知らせ", body="…", uploads=[pdf()])
        attachment = theirs.attachments.get()
        comment = actions.add_comment(theirs, author=charlie, body="…")
    client.force_login(alice)
    base = "/kamakura/workspace/notices/"
    assert client.get(f"{base}{theirs.pk}/").status_code == 404
    assert client.post(f"{base}{theirs.pk}/delete/").status_code == 404
    assert client.post(f"{base}{theirs.pk}/pin/").status_code == 404
    assert client.post(f"{base}{theirs.pk}/comments/", {"body": "x"}).status_code == 404
    assert client.post(f"{base}comments/{comment.pk}/delete/").status_code == 404
    assert client.get(f"{base}attachments/{attachment.pk}/").status_code == 404
