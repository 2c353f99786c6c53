"""Browser tests: a real Chromium (Debian's package) driven by Playwright against live_server."""

from __future__ import annotations

import http.client
import os
import shutil
import socket
import sqlite3
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from tests.conftest import DATABASE_CACHE
from tsunagari.cache import create_cache_tables

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"

# Playwright's sync API runs an event loop in this thread; Django's ORM refuses to run inside one
# unless told that the test process owns the thread.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(config: Any, items: list[Any]) -> None:
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not os.path.exists(CHROMIUM):
        if os.environ.get("REQUIRE_BROWSER"):
            pytest.fail(f"Chromium not found at {CHROMIUM}; install Debian's chromium package.")
        pytest.skip("Chromium is not installed (apt-get install chromium); .ci/run installs it.")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A phone-sized page (residents are mostly on phones)."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="ja-JP", is_mobile=True)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


# The README's demo shape, for the tests that must run on it (issue 9, issue 10 item 4): see two_processes.
API_LIMIT = 10


ROOT = Path(__file__).resolve().parents[2]
GUNICORN = str(ROOT / ".venv" / "bin" / "gunicorn")


def _free_ports(count: int) -> tuple[int, ...]:
    """Ports nothing listens on now (TWO_PROCESS_PORTS=a,b to choose them): a server left running on a
    fixed port would otherwise answer in place of the processes under test."""
    if os.environ.get("TWO_PROCESS_PORTS"):
        return tuple(int(p) for p in os.environ["TWO_PROCESS_PORTS"].split(","))
    sockets = [socket.socket() for _ in range(count)]
    try:
        for sock in sockets:
            sock.bind(("127.0.0.1", 0))
        return tuple(sock.getsockname()[1] for sock in sockets)
    finally:
        for sock in sockets:
            sock.close()


PORTS = _free_ports(2)


def get(port: int, path: str) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", path, headers={"Host": "127.0.0.1"})
    response = conn.getresponse()
    body = response.read()
    conn.close()
    return response.status, body


@pytest.fixture(scope="session")
def collected_static(tmp_path_factory: Any) -> Path:
    """`collectstatic` as `make demo` runs it, once per test run, into a folder of its own."""
    data = tmp_path_factory.mktemp("demo-static")
    env = {**os.environ, "DATA_DIR": str(data), "STATIC_MANIFEST": "true", "DEBUG": "false"}
    env.pop("DATABASE_URL", None)
    subprocess.run(
        [str(ROOT / ".venv" / "bin" / "python"), "-m", "tsunagari", "collectstatic", "--no-input", "-v0"],
        env=env,
        cwd=ROOT,
        check=True,
    )
    return data / "static"


@pytest.fixture
def two_processes(kamakura: Any, tmp_path: Path, settings: Any, collected_static: Path) -> Iterator[tuple[str, str]]:
    """Two gunicorn processes (the first with two workers, as `make demo`) sharing one database.

    The data the test made before asking for this fixture is in the database the processes use;
    the static files are collected as `make demo` collects them (hashed, minified, compressed).
    """
    (tmp_path / "static").symlink_to(collected_static, target_is_directory=True)
    env = {
        **os.environ,
        "DATA_DIR": str(tmp_path),
        "STATIC_MANIFEST": "true",
        "DEBUG": "false",
        "API_RATE": f"{API_LIMIT}/m",
        "CHAT_RATE": "1000/m",
    }
    env.pop("REDIS_URL", None)
    # Without Redis the processes keep their shared cache in the database: its table must be there
    # (migrate makes it only when no Redis is configured, so not in CI's PostgreSQL run).
    settings.CACHES = {**settings.CACHES, "default": DATABASE_CACHE}
    create_cache_tables()
    if connection.vendor == "sqlite":
        path = tmp_path / "shared.sqlite3"
        connection.ensure_connection()
        target = sqlite3.connect(path)
        connection.connection.backup(target)  # type: ignore[union-attr]
        target.close()
        env["DATABASE_URL"] = f"sqlite:///{path}"
    else:
        s = connection.settings_dict
        env["DATABASE_URL"] = f"postgres://{s['USER']}:{s['PASSWORD']}@{s['HOST']}:{s['PORT']}/{s['NAME']}"
    # The processes' own logs (errors with tracebacks): shown when a test fails.
    log_path = tmp_path / "gunicorn.log"
    log = log_path.open("w")
    processes = [
        subprocess.Popen(
            [GUNICORN, "tsunagari.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", str(workers)],
            env=env,
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        for port, workers in zip(PORTS, (2, 1), strict=True)
    ]
    try:
        for port, process in zip(PORTS, processes, strict=True):
            for _ in range(300):
                if process.poll() is not None:
                    pytest.fail(f"gunicorn on port {port} exited:\n{_tail(log_path)}")
                try:
                    if get(port, "/healthz")[0] == 200:
                        break
                except OSError:
                    time.sleep(0.2)
            else:
                pytest.fail(f"gunicorn did not answer on port {port}:\n{_tail(log_path)}")
        yield (f"http://127.0.0.1:{PORTS[0]}", f"http://127.0.0.1:{PORTS[1]}")
        # A server error anywhere in the test: its traceback, not only the status code.
        assert "Traceback" not in log_path.read_text(errors="replace"), _tail(log_path)
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=30)
        log.close()


def _tail(path: Path, lines: int = 60) -> str:
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
