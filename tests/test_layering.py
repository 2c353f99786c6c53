"""No two apps import each other (issue 10 item 22): shared helpers live below their users.

An app may import the apps below it; the apps built on it reach it through signals, URL
composition in tsunagari.urls, or its own public functions. Migrations are left out (Django
writes their dependencies).
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "tsunagari"


def imports_between_apps() -> dict[tuple[str, str], set[str]]:
    edges: dict[tuple[str, str], set[str]] = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE).parts
        if len(parts) < 2 or "migrations" in parts:
            continue
        app = parts[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                modules = [node.module]
            elif isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            else:
                continue
            for module in modules:
                names = module.split(".")
                if names[0] == "tsunagari" and len(names) > 1 and names[1] != app and (PACKAGE / names[1]).is_dir():
                    edges.setdefault((app, names[1]), set()).add(str(path.relative_to(PACKAGE)))
    return edges


def test_no_two_apps_import_each_other() -> None:
    edges = imports_between_apps()
    cycles = {
        f"{a} ↔ {b}: {sorted(edges[a, b])} / {sorted(edges[b, a])}" for (a, b) in edges if a < b and (b, a) in edges
    }
    assert not cycles


def test_the_check_sees_the_imports_between_apps() -> None:
    # The workspace is built on accounts: accounts importing the workspace back would be a cycle.
    edges = imports_between_apps()
    assert ("workspace", "accounts") in edges
    assert ("accounts", "workspace") not in edges
