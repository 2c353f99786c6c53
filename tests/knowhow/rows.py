"""Know-how rows for tests: Sam's internal case study.

Imported by tests/knowhow/conftest.py and by the permission matrix in tests/workspace.
"""

from __future__ import annotations

from typing import Any

import pytest

from tsunagari.knowhow import actions
from tsunagari.knowhow.models import Entry
from tsunagari.tenancy.scoping import platform_scope


def entry_fields(**overrides: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "kind": Entry.Kind.CASE_STUDY,
        "title": "ひきこもりの家族会を社協と立ち上げた",
        "body": "社協と市の福祉課が月1回の家族会を共催し、民生委員が声をかけた。半年で12家族が参加。",
        "cautions": "会場は役所以外の方が来やすい。個人情報の扱いを最初に決めておく。",
        "needs": ["hikikomori", "loneliness"],
        "targets": ["family"],
        "collaborations": ["gov_council"],
        "scope": Entry.Scope.INTERNAL,
        "published": True,
    }
    return {**fields, **overrides}


@pytest.fixture
def knowhow_rows(kamakura: Any, sam: Any) -> dict[str, Any]:
    with platform_scope(kamakura, with_national=False):
        return {"entry": actions.create_entry(kamakura, author=sam, **entry_fields())}
