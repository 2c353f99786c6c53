"""The README's demo shape: two app processes on one database, no Redis (issue 9 item 1, issue 10 item 4).

Gunicorn as `make demo` runs it (`--workers 2`) and a second gunicorn process beside it, both on
one SQLite file (a copy of the test database; on PostgreSQL the test database itself). Residents'
first chat messages must all be answered, whichever process takes the next request, and the rate
limit counters must be shared: a limit of N per minute allows N in total, not N per process.
"""

from __future__ import annotations

import http.client
import os
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

pytestmark = pytest.mark.django_db(transaction=True)

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
API_LIMIT = 10

CRISIS = "生きていても仕方ないと思う。誰にも必要とされていない気がする"
FIRST_MESSAGES = [
    CRISIS,
    "母の介護がつらい",
    "お金がなくて家賃が払えない",
    "息子が10年ひきこもっている",
    "仕事をなくした",
    "さびしい。話し相手がいない",
    "夫から暴力を受けている",
    "子育てに疲れた",
    "借金が返せない",
    "眠れない日が続いている",
    "学校でいじめられている",
    "一人暮らしの父が心配",
    "障害のある子の将来が不安",
    "外国から来て日本語がよくわからない",
    "病院代が払えない",
    "職場の人間関係がつらい",
    "認知症かもしれない",
    "ゴミ屋敷になってしまった",
    "家族とうまくいかない",
    "もう消えてしまいたい",
]


def _get(port: int, path: str) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", path, headers={"Host": "127.0.0.1"})
    response = conn.getresponse()
    body = response.read()
    conn.close()
    return response.status, body


@pytest.fixture
def two_processes(kamakura: Any, tmp_path: Path, settings: Any) -> Iterator[tuple[str, str]]:
    """Two gunicorn processes (the first with two workers, as `make demo`) sharing one database."""
    env = {
        **os.environ,
        "DATA_DIR": str(tmp_path),
        "STATIC_MANIFEST": "false",
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
                    if _get(port, "/healthz")[0] == 200:
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


def test_twenty_fresh_visitors_first_messages_are_all_answered(browser: Any, two_processes: tuple[str, str]) -> None:
    demo, other = two_processes
    answered = []
    for text in FIRST_MESSAGES:
        context = browser.new_context(viewport={"width": 390, "height": 844}, locale="ja-JP", is_mobile=True)
        page = context.new_page()
        page.set_default_timeout(30_000)
        page.goto(f"{demo}/kamakura/chat/")
        page.fill("textarea[name=text]", text)
        with page.expect_navigation():
            page.click(".finder-message button[type=submit]")
        main = page.inner_text("main") if page.locator("main").count() else page.inner_text("body")
        ok = (
            "/chat/c/" in page.url
            and "この会話は終了しました" not in main
            and page.locator("form.finder-message").count() == 1
        )
        ok = ok and (page.locator(".finder-results, .finder-question, .crisis-lines").count() > 0)
        if text == CRISIS:
            assert page.locator(".crisis-lines").is_visible()
            assert "0120-279-338" in page.inner_text(".crisis-lines")
        # The same conversation, taken up by the other process.
        path = page.url.split(str(PORTS[0]), 1)[1]
        status, _body = _get(PORTS[1], path)
        answered.append(ok and status == 200)
        context.close()
    assert answered == [True] * len(FIRST_MESSAGES)
    assert other


def test_rate_limit_counters_are_shared_by_the_processes(two_processes: tuple[str, str]) -> None:
    statuses = [_get(PORTS[i % 2], "/api/taxonomies")[0] for i in range(API_LIMIT + 6)]
    assert statuses.count(200) == API_LIMIT, statuses
    assert statuses.count(429) == 6
