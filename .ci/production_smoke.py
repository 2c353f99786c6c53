"""Run Tsunagari in its production shape and check what only that shape can show.

Two stateless gunicorn processes behind nginx, one PostgreSQL database, the cache and rate-limit
counters in Redis, static files from WhiteNoise, PRODUCTION=true. Checks: pages and API answer
through the proxy, hashed static files are served with long cache headers, rate-limit counters are
shared by both processes, a session made on one process works on the other, and `migrate` is safe
to run while the processes serve. Then the same two processes without Redis (the embedded default,
the cache in the database): rate-limit counters still shared, a chat started on one process goes on
on the other. Traffic stays on 127.0.0.1; everything is stopped at the end.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = str(ROOT / ".venv" / "bin" / "python")
GUNICORN = str(ROOT / ".venv" / "bin" / "gunicorn")
DB = "tsunagari_smoke"
PROXY, APP_PORTS = 8190, (8191, 8192)
RATE = 20


def psql(sql: str) -> None:
    subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", "postgres", "-qc", sql], check=True)


def get(path: str, headers: dict[str, str] | None = None, port: int = PROXY) -> tuple[int, dict[str, str], bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("GET", path, headers={"Host": "localhost", **(headers or {})})
    response = conn.getresponse()
    body = response.read()
    conn.close()
    return response.status, {k.lower(): v for k, v in response.getheaders()}, body


def wait_for(port: int) -> None:
    for _ in range(100):
        try:
            get("/healthz", port=port)
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"nothing answers on port {port}")


def chat_across_processes() -> bool:
    """Send a first chat message to one process and read the conversation from the other."""
    status, headers, body = get(
        "/zenkoku/chat/", {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.11"}, port=APP_PORTS[0]
    )
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body)
    cookie = headers.get("set-cookie", "").split(";")[0]
    if status != 200 or token is None or not cookie:
        print(f"chat page: {status}, token {'found' if token else 'missing'}, cookie {cookie!r}")
        return False
    form = urllib.parse.urlencode({"csrfmiddlewaretoken": token.group(1).decode(), "text": "母の介護がつらい"})
    conn = http.client.HTTPConnection("127.0.0.1", APP_PORTS[0], timeout=30)
    conn.request(
        "POST",
        "/zenkoku/chat/",
        body=form,
        headers={
            "Host": "localhost",
            "Cookie": cookie,
            "Content-Type": "application/x-www-form-urlencoded",
            "Referer": "https://localhost/zenkoku/chat/",
            "X-Forwarded-Proto": "https",
            "X-Forwarded-For": "203.0.113.11",
        },
    )
    response = conn.getresponse()
    response.read()
    location = response.getheader("Location", "")
    conn.close()
    if response.status != 302 or "/chat/c/" not in location:
        print(f"first message: {response.status}, Location {location!r}")
        return False
    status = get(
        urllib.parse.urlsplit(location).path,
        {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.11"},
        port=APP_PORTS[1],
    )[0]
    if status != 200:
        print(f"conversation on the other process: {status}")
    return status == 200


def check(condition: bool, what: str) -> None:
    print(("ok   " if condition else "FAIL ") + what)
    if not condition:
        raise SystemExit(1)


def main() -> None:
    work = Path(tempfile.mkdtemp(prefix="tsunagari-smoke-"))
    env = {
        **os.environ,
        "PRODUCTION": "true",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "localhost,127.0.0.1",
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{DB}",
        "REDIS_URL": "redis://127.0.0.1:6379/14",
        "CACHE_KEY_PREFIX": f"smoke-{secrets.token_hex(4)}",
        "USE_X_FORWARDED_FOR": "true",
        "API_RATE": f"{RATE}/m",
        "DATA_DIR": str(work),
    }
    psql(f"DROP DATABASE IF EXISTS {DB}")
    psql(f"CREATE DATABASE {DB}")
    processes: list[subprocess.Popen[bytes]] = []
    try:
        run = lambda *args: subprocess.run([PY, "-m", "tsunagari", *args], env=env, check=True, cwd=ROOT)  # noqa: E731
        run("migrate", "--no-input", "-v0")
        run("get-datasets")
        run("import", "--dataset", "kurashi-navi")
        run("collectstatic", "--no-input", "-v0")
        for port in APP_PORTS:
            processes.append(
                subprocess.Popen(
                    [GUNICORN, "tsunagari.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "1"],
                    env=env,
                    cwd=ROOT,
                )
            )
        conf = work / "nginx.conf"
        conf.write_text(
            f"""
worker_processes 1; pid {work}/nginx.pid; error_log {work}/nginx-error.log; daemon off;
events {{ worker_connections 256; }}
http {{
  access_log off;
  upstream app {{ server 127.0.0.1:{APP_PORTS[0]}; server 127.0.0.1:{APP_PORTS[1]}; }}
  server {{
    listen 127.0.0.1:{PROXY};
    location / {{
      proxy_pass http://app;
      proxy_set_header Host $host;
      proxy_set_header X-Forwarded-For $remote_addr;
      proxy_set_header X-Forwarded-Proto https;
    }}
  }}
}}
"""
        )
        processes.append(subprocess.Popen([shutil.which("nginx") or "/usr/sbin/nginx", "-c", str(conf)]))
        for port in (*APP_PORTS, PROXY):
            wait_for(port)

        status, _headers, body = get("/")
        check(status == 200 and b'class="emergency"' in body, "national root answers through the proxy, with the lines")
        status, _headers, body = get("/api/services?per_page=5")
        check(status == 200 and json.loads(body)["total_items"] > 7000, "API lists the imported windows")

        status, _headers, body = get("/accounts/login/")
        match = re.search(rb'href="(/static/[^"]+\.css)"', body)
        check(match is not None, "pages link hashed static files")
        assert match is not None
        status, headers, _body = get(match.group(1).decode())
        check(
            status == 200 and "max-age=315360000" in headers.get("cache-control", ""),
            "WhiteNoise serves static files with long cache headers",
        )

        # Rate limits: with counters in Redis, both processes together allow exactly RATE requests.
        statuses = [
            get(
                "/api/taxonomies",
                {"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https"},
                port=APP_PORTS[i % 2],
            )[0]
            for i in range(RATE + 10)
        ]
        check(
            statuses.count(200) == RATE and statuses.count(429) == 10,
            f"rate-limit counters are shared by both processes ({statuses.count(200)} allowed)",
        )

        # Migrations run while the processes serve: a second migrate is a no-op and they keep serving.
        run("migrate", "--no-input", "-v0")
        check(get("/api/services?per_page=1")[0] == 200, "processes keep serving across migrate")

        # The embedded default: the same two processes without Redis share counters and the chat.
        for process in processes[: len(APP_PORTS)]:
            process.terminate()
            process.wait(timeout=10)
        plain = {key: value for key, value in env.items() if key != "REDIS_URL"}
        # migrate makes the database cache's table (post_migrate), as `make demo` does.
        subprocess.run([PY, "-m", "tsunagari", "migrate", "--no-input", "-v0"], env=plain, check=True, cwd=ROOT)
        processes[: len(APP_PORTS)] = [
            subprocess.Popen(
                [GUNICORN, "tsunagari.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "1"], env=plain, cwd=ROOT
            )
            for port in APP_PORTS
        ]
        for port in APP_PORTS:
            wait_for(port)
        statuses = [
            get(
                "/api/taxonomies",
                {"X-Forwarded-For": "203.0.113.10", "X-Forwarded-Proto": "https"},
                port=APP_PORTS[i % 2],
            )[0]
            for i in range(RATE + 10)
        ]
        check(
            statuses.count(200) == RATE and statuses.count(429) == 10,
            f"without Redis, rate-limit counters are still shared ({statuses.count(200)} allowed)",
        )
        check(chat_across_processes(), "without Redis, a chat started on one process goes on on the other")
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
        psql(f"DROP DATABASE IF EXISTS {DB}")
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
