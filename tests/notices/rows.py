"""Notice-board rows for tests: a working group, a notice with an attachment, a comment.

Imported by tests/notices/conftest.py and by the permission matrix in tests/workspace, whose URLs
point at these rows.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.pdfs import plain_pdf
from tsunagari.notices import actions
from tsunagari.notices.models import Notice
from tsunagari.tenancy.scoping import platform_scope

# A real one-page PDF: the checks parse it and look for scripts.
PDF = plain_pdf()


def pdf(name: str = "会議資料.pdf", content: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


@pytest.fixture
def notice_rows(settings: Any, tmp_path: Path, kamakura: Any, alice: Any, sam: Any) -> dict[str, Any]:
    """Alice's notice for all members (with a PDF), Sam's comment on it, and a working group with Sam."""
    settings.MEDIA_ROOT = tmp_path / "media"
    with platform_scope(kamakura, with_national=False):
        group = actions.create_group(kamakura, name="ひきこもり支援部会", members=[sam], actor=alice)
        notice = actions.post_notice(
            kamakura,
            author=alice,
            title="12月の全体会議について",
            body="議題案を添付します。",
            visibility=Notice.Visibility.ALL_MEMBERS,
            uploads=[pdf()],
        )
        comment = actions.add_comment(notice, author=sam, body="出席します。")
        return {"group": group, "notice": notice, "attachment": notice.attachments.get(), "comment": comment}
