"""Content-Security-Policy on every response, and templates that need no inline script (issue 10 item 8)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from tests.accounts.personas import root  # noqa: F401

pytestmark = pytest.mark.django_db

TEMPLATES = sorted(
    path
    for folder in [Path(settings.BASE_DIR) / "tsunagari"]
    for path in folder.rglob("*.html")
    if "templates" in path.parts
)


def policy(response: Any) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


@pytest.mark.parametrize(
    "path",
    ["/", "/kamakura/", "/kamakura/search/?q=相談", "/kamakura/map/", "/kamakura/chat/", "/api/", "/accounts/login/"],
)
def test_every_page_carries_a_strict_policy(client: Client, kamakura: Any, path: str) -> None:
    directives = policy(client.get(path))
    assert directives["default-src"] == ["'self'"]
    assert directives["script-src"] == ["'self'"]
    assert directives["object-src"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["form-action"] == ["'self'"]
    assert directives["base-uri"] == ["'self'"]
    assert "'unsafe-inline'" not in directives["style-src"]
    # The map's tiles come from the configured tile server, and nowhere else.
    assert directives["img-src"] == ["'self'", "data:", "https://cyberjapandata.gsi.go.jp"]


def test_errors_and_the_admin_carry_it_too(client: Client, request: pytest.FixtureRequest, kamakura: Any) -> None:
    assert policy(client.get("/no-such-platform/"))["script-src"] == ["'self'"]
    client.force_login(request.getfixturevalue("root"))
    assert policy(client.get("/admin/"))["script-src"] == ["'self'"]


def test_the_templates_have_no_inline_script_or_event_handler() -> None:
    """Scripts are static files: an inline one would be refused by the policy in every browser."""
    assert TEMPLATES
    offending = []
    for path in TEMPLATES:
        text = path.read_text(encoding="utf-8")
        for tag in re.findall(r"<script\b[^>]*>", text):
            if "src=" not in tag and 'type="application/json"' not in tag:
                offending.append(f"{path.name}: {tag}")
        offending += [f"{path.name}: {m}" for m in re.findall(r"<[^>]+\son[a-z]+\s*=", text)]
        offending += [
            f"{path.name}: {m}" for m in re.findall(r"""(?:href|src|action)\s*=\s*["']\s*javascript:""", text)
        ]
    assert offending == []
