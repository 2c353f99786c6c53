"""50 staff users working referrals at once on PostgreSQL through gunicorn: throughput, errors, no lost updates.

    .venv/bin/python bench/cases_load.py [--seconds 60] [--users 50] [--workers 4] [--port 8300]
        [--database postgres://postgres@127.0.0.1:5432/h_cases_ops_bench]

Target (issue 11, "Measured"): 50 staff users working referrals concurrently for 60 s — throughput,
errors (target 0), and no lost updates under concurrent state changes.

Set-up (the database named by --database is dropped and made again): migrate; one platform; two
member organisations, a 社協 (senders) and a support centre (receivers), half the users each, every
one with TOTP (case pages require it; sessions are made as after a completed sign-in); 300 persons
(encrypted fields, keys generated for the run) and 1,200 referrals in draft.

Each user, in a thread with its own HTTP session against gunicorn on 127.0.0.1:<port>, repeats:
open the case list (the referrals it can see), then up to ten times open one of them and make one of
the moves its page offers (senders: request, sometimes cancel; receivers: accept, sometimes reject;
start, put on hold, resume, complete with an outcome, sometimes fail). Users of one organisation
pick from the same referrals, so colleagues move the same referral at the same moment all the time.
A 404 after a colleague's move made the referral invisible (rejected, cancelled) is counted apart:
it is the product answering right, not an error. Errors: any other status, any 5xx, timeouts.

Baseline in the same run: the same work by one user alone (--baseline-seconds, 15 s).

No lost updates, checked two ways afterwards:
1. every referral's audit trail of moves (each successful move writes one event with its from and to
   state, in the move's transaction) must be one unbroken chain from draft to the state it is in; two
   moves that both won from the same state would show as two events leaving one state;
2. a duelling test: 200 referrals in "requested", for each two receivers POST at the same instant
   (released by a barrier), one "accept", one "reject": exactly one may win.
Writes bench/results/cases_load.md.
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "cases_load.md"
HOST = "127.0.0.1"
PERSONS = 300
REFERRALS = 1200
DUELS = 200
MOVE_RE = re.compile(r'name="to" value="([a-z_]+)"')
TOKEN_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
REFERRAL_RE = re.compile(r"/cases/referrals/(\d+)/")
# The moves a user prefers among those offered (the first one offered in this order), and the rare ones.
PREFERENCE = ["requested", "accepted", "in_progress", "completed", "on_hold"]
RARE = {"cancelled": 0.03, "rejected": 0.05, "failed": 0.03, "on_hold": 0.15}


def prepare_environment(database: str, data_dir: Path) -> dict[str, str]:

    import base64
    import secrets

    def key() -> str:
        return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()

    env = dict(os.environ)
    for name in ("REDIS_URL", "DEBUG"):
        env.pop(name, None)
    env.update(
        DJANGO_SETTINGS_MODULE="tsunagari.settings",
        DATABASE_URL=database,
        DATA_DIR=str(data_dir),
        TSUNAGARI_FIELD_KEYS=f"k1:{key()}",
        TSUNAGARI_LOOKUP_KEY=key(),
        RATELIMIT_ENABLE="false",
        STATIC_MANIFEST="false",
        LOG_LEVEL="WARNING",
        PYTHONPATH=str(ROOT),
    )
    return env


def recreate_database(database: str) -> None:
    import psycopg

    base, _slash, name = database.rpartition("/")
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def set_up(env: dict[str, str], users: int) -> dict[str, Any]:
    """Migrate and make the platform, organisations, users (with sessions), persons and referrals."""
    subprocess.run([sys.executable, "-m", "tsunagari", "migrate", "--no-input", "-v0"], env=env, cwd=ROOT, check=True)
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.test import Client

    from tsunagari.accounts.mfa import demo_secret, set_up_totp
    from tsunagari.accounts.models import Membership, Role, User
    from tsunagari.cases import actions
    from tsunagari.directory.models import Organization
    from tsunagari.tenancy.models import Platform
    from tsunagari.tenancy.scoping import scopes_disabled

    rng = random.Random(11)
    with scopes_disabled():
        platform = Platform.objects.create(
            slug="kamakura", name="鎌倉市（ベンチ）", kind="municipality", municipality_id="142042"
        )
        council = Organization.objects.create(platform=platform, name="（ベンチ）社会福祉協議会")
        centre = Organization.objects.create(platform=platform, name="（ベンチ）地域包括支援センター")
        sessions: dict[str, list[str]] = {"sender": [], "receiver": []}
        for n in range(users):
            side, org = ("sender", council) if n % 2 == 0 else ("receiver", centre)
            user = User.objects.create_user(f"bench{n}", f"bench{n}@bench.invalid", "bench-password-not-used")
            Membership.objects.create(user=user, platform=platform, role=Role.ORG_STAFF, organization=org)
            set_up_totp(user, demo_secret(user.username))
            client = Client()
            client.force_login(user)  # as after a completed sign-in with the second factor
            sessions[side].append(client.cookies["sessionid"].value)
        persons = [
            actions.register_person(
                platform=platform,
                organization=council,
                name=f"見本 {n:04d}",
                birth_date=datetime.date(1940 + n % 60, 1 + n % 12, 1 + n % 28),
                note="（ベンチ）",
                phone="0467-00-0000",
                address="鎌倉市（ベンチ）",
            )
            for n in range(PERSONS)
        ]
        for _n in range(REFERRALS):
            actions.refer(
                person=rng.choice(persons),
                sender=council,
                receiver=centre,
                need="（ベンチ）見守り",
                need_code="elderly",
            )
    return {"sessions": sessions, "council": council.pk, "centre": centre.pk}


def start_gunicorn(env: dict[str, str], workers: int, port: int, log: Path) -> subprocess.Popen[bytes]:
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "tsunagari.wsgi",
        "--bind",
        f"{HOST}:{port}",
        "--workers",
        str(workers),
    ]
    process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=log.open("wb"), stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"gunicorn exited early:\n{log.read_text(errors='replace')}")
        try:
            if requests.get(f"http://{HOST}:{port}/healthz", timeout=2).status_code == 200:
                return process
        except requests.RequestException:
            time.sleep(0.3)
    process.terminate()
    sys.exit("gunicorn did not answer /healthz within 60 s")


class Tally:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.counts: Counter[str] = Counter()
        self.latencies: dict[str, list[float]] = {"list": [], "view": [], "move": []}
        self.errors: list[str] = []

    def add(self, kind: str, seconds: float, outcome: str) -> None:
        with self.lock:
            self.latencies[kind].append(seconds)
            self.counts[f"{kind}:{outcome}"] += 1

    def error(self, what: str) -> None:
        with self.lock:
            self.errors.append(what)
            self.counts["error"] += 1


def choose_move(offered: list[str], rng: random.Random) -> str | None:
    for move, chance in RARE.items():
        if move in offered and rng.random() < chance:
            return move
    for move in PREFERENCE:
        if move in offered and move not in RARE:
            return move
    return None


def work(base: str, session_id: str, until: float, tally: Tally, seed: int) -> None:
    rng = random.Random(seed)
    http = requests.Session()
    http.cookies.set("sessionid", session_id, domain=HOST)
    cases = f"{base}/kamakura/workspace/cases/"
    while time.monotonic() < until:
        began = time.perf_counter()
        try:
            response = http.get(cases, timeout=30, allow_redirects=False)
        except requests.RequestException as error:
            tally.error(f"list: {error!r}")
            continue
        if response.status_code != 200:
            tally.error(f"list: HTTP {response.status_code}")
            continue
        tally.add("list", time.perf_counter() - began, "200")
        ids = sorted(set(REFERRAL_RE.findall(response.text)))
        for _step in range(10):
            if not ids or time.monotonic() >= until:
                break
            referral = rng.choice(ids)
            url = f"{cases}referrals/{referral}/"
            began = time.perf_counter()
            try:
                page = http.get(url, timeout=30, allow_redirects=False)
            except requests.RequestException as error:
                tally.error(f"view: {error!r}")
                continue
            if page.status_code == 404:
                tally.add("view", time.perf_counter() - began, "gone")  # a colleague's move hid it
                ids.remove(referral)
                continue
            if page.status_code != 200:
                tally.error(f"view: HTTP {page.status_code}")
                continue
            tally.add("view", time.perf_counter() - began, "200")
            move = choose_move(MOVE_RE.findall(page.text), rng)
            token = TOKEN_RE.search(page.text)
            if move is None or token is None:
                continue
            data = {"csrfmiddlewaretoken": token[1], "to": move, "reason": "（ベンチ）", "outcome": ""}
            if move == "completed":
                data["outcome"] = "got_help"
            began = time.perf_counter()
            try:
                answer = http.post(
                    f"{url}move/", data=data, headers={"Referer": url}, timeout=30, allow_redirects=False
                )
            except requests.RequestException as error:
                tally.error(f"move: {error!r}")
                continue
            if answer.status_code == 302:
                tally.add("move", time.perf_counter() - began, "302")
            elif answer.status_code == 404:
                tally.add("move", time.perf_counter() - began, "gone")
            else:
                tally.error(f"move {move}: HTTP {answer.status_code}")


def run_phase(base: str, sessions: list[str], seconds: int) -> tuple[Tally, float]:
    tally = Tally()
    until = time.monotonic() + seconds
    began = time.monotonic()
    threads = [
        threading.Thread(target=work, args=(base, session, until, tally, n), daemon=True)
        for n, session in enumerate(sessions)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return tally, time.monotonic() - began


def check_chains() -> dict[str, int]:
    """Every referral's audit trail of moves is one unbroken chain from draft to its state now."""
    from tsunagari.audit.models import AuditEvent
    from tsunagari.cases.models import Referral
    from tsunagari.tenancy.scoping import scopes_disabled

    with scopes_disabled():
        states = dict(Referral.objects.values_list("pk", "status"))
        trails: dict[int, list[tuple[str, str]]] = {}
        for object_id, changes in (
            AuditEvent.objects.filter(action="cases.referral.moved").order_by("pk").values_list("object_id", "changes")
        ):
            start, to = changes["status"]
            trails.setdefault(int(object_id), []).append((start, to))
    broken = 0
    for pk, state in states.items():
        current = "draft"
        for start, to in trails.get(pk, []):
            if start != current:
                broken += 1
                break
            current = to
        else:
            if current != state:
                broken += 1
    return {"referrals": len(states), "moves": sum(map(len, trails.values())), "broken": broken}


def duel(base: str, receivers: list[str], council: int, centre: int) -> dict[str, int]:
    """Two receivers move each of DUELS requested referrals at the same instant: accept against reject."""
    from tsunagari.audit.models import AuditEvent
    from tsunagari.cases import actions
    from tsunagari.cases.models import Person, Referral, Status
    from tsunagari.tenancy.scoping import scopes_disabled

    with scopes_disabled():
        person = Person.objects.order_by("pk").first()
        assert person is not None
        ids = []
        for _n in range(DUELS):
            referral = actions.refer(
                person=person, sender=person.registered_by, receiver=person.registered_by, need="x"
            )
            Referral.objects.filter(pk=referral.pk).update(
                status=Status.REQUESTED, receiver_id=centre, sender_id=council
            )
            ids.append(referral.pk)
    statuses: Counter[str] = Counter()
    lock = threading.Lock()

    def post(session_id: str, pk: int, move: str, barrier: threading.Barrier) -> None:
        http = requests.Session()
        http.cookies.set("sessionid", session_id, domain=HOST)
        url = f"{base}/kamakura/workspace/cases/referrals/{pk}/"
        page = http.get(url, timeout=30)
        token = TOKEN_RE.search(page.text)
        barrier.wait()
        answer = http.post(
            f"{url}move/",
            data={"csrfmiddlewaretoken": token[1] if token else "", "to": move, "reason": "（ベンチ）"},
            headers={"Referer": url},
            timeout=30,
            allow_redirects=False,
        )
        with lock:
            statuses[str(answer.status_code)] += 1

    for pk in ids:
        barrier = threading.Barrier(2)
        pair = [
            threading.Thread(target=post, args=(receivers[0], pk, "accepted", barrier)),
            threading.Thread(target=post, args=(receivers[1], pk, "rejected", barrier)),
        ]
        for thread in pair:
            thread.start()
        for thread in pair:
            thread.join()
    with scopes_disabled():
        winners = Counter(
            AuditEvent.objects.filter(action="cases.referral.moved", object_id__in=[str(pk) for pk in ids]).values_list(
                "object_id", flat=True
            )
        )
        final = Counter(Referral.objects.filter(pk__in=ids).values_list("status", flat=True))
    return {
        "duels": len(ids),
        "exactly one won": sum(1 for pk in ids if winners[str(pk)] == 1),
        "both won": sum(1 for pk in ids if winners[str(pk)] > 1),
        "none won": sum(1 for pk in ids if winners[str(pk)] == 0),
        "accepted": final.get("accepted", 0),
        "rejected": final.get("rejected", 0),
        **{f"HTTP {code}": count for code, count in sorted(statuses.items())},
    }


def summary(tally: Tally, seconds: float) -> dict[str, Any]:
    requests_done = sum(len(v) for v in tally.latencies.values())
    row: dict[str, Any] = {"requests": requests_done, "rps": requests_done / seconds, "errors": tally.counts["error"]}
    for kind, values in tally.latencies.items():
        values = sorted(values)
        row[f"{kind} n"] = len(values)
        row[f"{kind} p50"] = statistics.median(values) * 1000 if values else float("nan")
        row[f"{kind} p95"] = values[int(len(values) * 0.95) - 1] * 1000 if values else float("nan")
    row["moves ok"] = tally.counts["move:302"]
    row["gone"] = tally.counts["view:gone"] + tally.counts["move:gone"]
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--baseline-seconds", type=int, default=15)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--port", type=int, default=8300)
    parser.add_argument("--database", default="postgres://postgres@127.0.0.1:5432/h_cases_ops_bench")
    args = parser.parse_args()
    if not args.database.startswith("postgres"):
        parser.error("--database must be a PostgreSQL URL (the target is measured on PostgreSQL)")
    started = datetime.datetime.now(datetime.UTC)
    load_before = os.getloadavg()
    recreate_database(args.database)
    (ROOT / "var").mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="cases-bench-", dir=ROOT / "var") as tmp:
        env = prepare_environment(args.database, Path(tmp))
        print("Setting up …", flush=True)
        made = set_up(env, args.users)
        sessions = made["sessions"]
        server = start_gunicorn(env, args.workers, args.port, Path(tmp) / "gunicorn.log")
        base = f"http://{HOST}:{args.port}"
        try:
            print(f"Baseline: 1 user for {args.baseline_seconds} s …", flush=True)
            baseline, baseline_seconds = run_phase(base, sessions["sender"][:1], args.baseline_seconds)
            print(f"Load: {args.users} users for {args.seconds} s …", flush=True)
            everyone = [s for pair in zip(sessions["sender"], sessions["receiver"], strict=False) for s in pair]
            loaded, loaded_seconds = run_phase(base, everyone, args.seconds)
            chains = check_chains()
            print("Duels …", flush=True)
            duels = duel(base, sessions["receiver"], made["council"], made["centre"])
        finally:
            server.terminate()
            server.wait(timeout=30)
        log = (Path(tmp) / "gunicorn.log").read_text(errors="replace")
    write_results(
        args,
        started,
        load_before,
        summary(baseline, baseline_seconds),
        summary(loaded, loaded_seconds),
        loaded,
        chains,
        duels,
        log,
    )
    print(RESULTS.read_text())


def write_results(
    args: argparse.Namespace,
    started: datetime.datetime,
    load_before: tuple[float, float, float],
    baseline: dict[str, Any],
    loaded: dict[str, Any],
    tally: Tally,
    chains: dict[str, int],
    duels: dict[str, int],
    log: str,
) -> None:
    def line(name: str, row: dict[str, Any]) -> str:
        return (
            f"| {name} | {row['requests']:,} | {row['rps']:.1f} | {row['errors']} | {row['moves ok']:,} | {row['gone']:,} "
            f"| {row['list p50']:.0f} / {row['list p95']:.0f} | {row['view p50']:.0f} / {row['view p95']:.0f} "
            f"| {row['move p50']:.0f} / {row['move p95']:.0f} |"
        )

    tracebacks = log.count("Traceback")
    ok = loaded["errors"] == 0 and chains["broken"] == 0 and duels["both won"] == 0 and duels["none won"] == 0
    lines = [
        "# Joint support cases under load (PostgreSQL, gunicorn)",
        "",
        f"Run {started:%Y-%m-%d %H:%M} UTC; load average at the start {load_before[0]:.2f} / {load_before[1]:.2f} / "
        f"{load_before[2]:.2f} (a 2-core machine shared with other work: absolute figures are a floor).",
        "",
        "```sh",
        f".venv/bin/python bench/cases_load.py --seconds {args.seconds} --users {args.users} --workers {args.workers} "
        f"--port {args.port} --database {args.database}",
        "```",
        "",
        f"gunicorn with {args.workers} sync workers on 127.0.0.1; PostgreSQL; {PERSONS} persons and {REFERRALS:,} "
        f"referrals in draft at the start; half the users send (a 社協), half receive (a support centre). "
        "What each user does: docstring of bench/cases_load.py.",
        "",
        "| phase | requests | requests/s | errors | move POSTs answered | gone (404 after a colleague's move) "
        "| list p50 / p95 ms | referral page p50 / p95 ms | move p50 / p95 ms |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        line(f"baseline: 1 user, {args.baseline_seconds} s", baseline),
        line(f"**{args.users} users, {args.seconds} s**", loaded),
        "",
        f"Errors (target 0): **{loaded['errors']}**"
        + (f" — first: {tally.errors[:5]}" if tally.errors else "")
        + f"; tracebacks in the gunicorn log: {tracebacks}.",
        "",
        "## No lost updates",
        "",
        f"- Audit trails after the load: {chains['referrals']:,} referrals, {chains['moves']:,} moves recorded, "
        f"**{chains['broken']}** trails broken (moves recorded = moves that won, baseline phase included; a POST that lost to a colleague's "
        "move is refused with a message and counts only as a POST answered; a trail breaks when two moves left the "
        "same state, or the last move does not end in the state the referral is in).",
        "- Duels (two receivers, one accepts and one rejects, released at the same instant by a barrier): "
        + ", ".join(f"{name}: {value}" for name, value in duels.items())
        + ". (A 404 in a duel: the other receiver had already rejected, so the referral was no longer "
        "visible to the receiving organisation — the product's rule, not an error.)",
        "",
        f"Result: **{'pass' if ok else 'FAIL'}** (0 errors, 0 broken trails, exactly one winner in every duel).",
        "",
        "Why no update is lost: `tsunagari.cases.actions.move` reads the referral with `SELECT … FOR UPDATE` inside "
        "its transaction and checks the move against the state it reads there; the second of two simultaneous "
        "moves waits for the first to commit, then finds the new state and is refused with a Japanese message "
        "(the page redirects back, HTTP 302). The audit event is written in the same transaction.",
        "",
    ]
    RESULTS.write_text("\n".join(lines), encoding="utf-8")


if __name__ == "__main__":
    main()
