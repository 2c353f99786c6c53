"""Page weight of the portal's pages (under 150 KB before map tiles; issue 9: ≤ 20 KB without the map), with axe-core.

    .venv/bin/python bench/page_weight.py [--portals kamakura,kyoto-city]

Sets up the server as `make demo` does, with portal_load.py's set-up (a fresh SQLite database in a
temporary DATA_DIR: migrate, `python -m tsunagari import` of the real くらし支援ナビ windows,
`python -m tsunagari seed-demo`), plus `collectstatic` with the default storage of `make demo`
(WhiteNoise's compressed manifest storage); then gunicorn with 2 workers on 127.0.0.1.

Chromium (Debian's, /usr/bin/chromium, as tests/browser) loads each page through Playwright in a
fresh context — an empty cache, a first visit — on a phone (390×844, ja-JP, mobile), and waits until
the network is idle. For each portal: the home page /<slug>/, the results page
/<slug>/search/?q=相談, the first result's detail page, a crisis search /<slug>/search/?q=死にたい (its
large call buttons and the fallback), the filters page /<slug>/search/filters/?q=相談 (about fifty
boxes with counts), and the map page /<slug>/map/ (reported apart: it carries Leaflet); once, on the
national portal, the page of a window with four programmes (つくば市's self-reliance window, found by
its name; the bench stops if it no longer lists four). Every request to another host than 127.0.0.1 is answered by the bench itself
(a 1×1 PNG for images, refused otherwise), so nothing goes to the internet: those are the map
tiles, which the target leaves out; they are counted, not weighed.

For every response: its type (HTML, CSS, JS, images, other — from Chromium's resource type),
- on the wire: what Chromium received, request.sizes() responseHeadersSize + responseBodySize
  (WhiteNoise sends the precompressed .br/.gz of a static file of the manifest storage when the
  browser accepts it; Django sends the residents' public pages gzipped, docs/portal.md);
- uncompressed: the headers plus the decoded body, what a server without any compression sends;
- gzip: the headers plus `gzip -6` of the decoded body for text (HTML, CSS, JS, JSON, SVG), the body
  as it is for images: about what nginx with gzip on sends.
The target is judged on the uncompressed bytes, the worst case of `make demo`'s gunicorn; the other
two figures are what a compressing server sends.

axe-core (axe-playwright-python, as tests/browser/test_portal.py, with the same WCAG 2.0/2.1/2.2
A and AA tags) runs on each page once it is loaded. Writes bench/results/page_weight.md.
"""

from __future__ import annotations

import argparse
import base64
import datetime
import gzip
import os
import re
import sys
import tempfile
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from api_load import HOST, ROOT, fmt_load, start_gunicorn
from portal_load import COMMON_WORD, set_up_portals

RESULTS = ROOT / "bench" / "results" / "page_weight.md"
CHROMIUM = os.environ.get("CHROMIUM_PATH") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE: dict[str, Any] = {"viewport": {"width": 390, "height": 844}, "locale": "ja-JP", "is_mobile": True}
TARGET_BYTES = 150_000  # 150 KB, 1 KB = 1,000 bytes
ISSUE9_BYTES = 20_000  # issue 9: "Keep page weight (≤ 20 KB without the map)"
CRISIS_WORD = "死にたい"
PROGRAMME_WINDOW = ("zenkoku", "つくば市生活困窮者自立相談支援窓口", 4)  # portal, window name, programmes
WORKERS = 2
# The tags of tests/browser/test_portal.py (WCAG 2.2 AA, with the 2.0 and 2.1 A and AA rules).
WCAG_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]}}
# A 1×1 PNG answers every tile request (as in tests/browser/test_portal.py).
TILE = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=")
KINDS = {"document": "HTML", "stylesheet": "CSS", "script": "JS", "image": "images"}
COLUMNS = ("HTML", "CSS", "JS", "images", "other")
TEXT_TYPES = ("text/", "javascript", "json", "svg", "xml")


@dataclass
class Transfer:
    path: str
    kind: str
    content_type: str
    encoding: str
    wire: int
    raw: int
    gzip: int


@dataclass
class Weighed:
    name: str
    path: str
    transfers: list[Transfer]
    outside: dict[str, int]
    violations: list[tuple[str, str, int]] = field(default_factory=list)  # (rule id, impact, nodes)
    first_result: str | None = None

    def total(self, attribute: str, kind: str | None = None) -> int:
        return sum(getattr(t, attribute) for t in self.transfers if kind is None or t.kind == kind)


# ---------------------------------------------------------------------------------------------
# Weighing one page
# ---------------------------------------------------------------------------------------------


def weigh(browser: Any, base: str, name: str, path: str, *, wait_for: str | None = None) -> Weighed:
    from axe_playwright_python.sync_playwright import Axe

    context = browser.new_context(**PHONE)
    page = context.new_page()
    page.set_default_timeout(30_000)
    outside: dict[str, int] = {}

    def answer_outside(route: Any) -> None:
        request = route.request
        host = urllib.parse.urlsplit(request.url).hostname or ""
        if host == HOST:
            route.continue_()
            return
        outside[host] = outside.get(host, 0) + 1
        if request.resource_type == "image":
            route.fulfill(body=TILE, content_type="image/png")
        else:
            route.abort()

    finished: list[Any] = []
    page.route("**/*", answer_outside)
    page.on("requestfinished", lambda request: finished.append(request))
    try:
        response = page.goto(base + path, wait_until="networkidle")
        if response is None or response.status != 200:
            sys.exit(f"{path} answered {response.status if response else 'nothing'}, not 200.")
        if wait_for:
            page.wait_for_selector(wait_for)
            page.wait_for_load_state("networkidle")
        transfers = [transfer(request) for request in list(finished) if request.url.startswith(base)]
        first = page.locator("ol.results a[href*='/services/']").first
        first_result = first.get_attribute("href") if first.count() else None
        result = Axe().run(page, options=WCAG_AA)
        violations = [(v["id"], v.get("impact") or "", len(v["nodes"])) for v in result.response["violations"]]
    finally:
        context.close()
    print(
        f"  {name} {urllib.parse.unquote(path)}: {sum(t.raw for t in transfers) / 1000:.1f} KB uncompressed,"
        f" {len(transfers)} requests, {len(violations)} axe violations",
        flush=True,
    )
    return Weighed(name, path, transfers, outside, violations, first_result)


def transfer(request: Any) -> Transfer:
    response = request.response()
    sizes = request.sizes()
    headers = sizes["responseHeadersSize"]
    try:
        body = response.body()
    except Exception:  # a redirect has no body
        body = b""
    content_type = (response.header_value("content-type") or "").split(";")[0]
    is_text = any(marker in content_type for marker in TEXT_TYPES)
    return Transfer(
        path=urllib.parse.urlsplit(request.url).path,
        kind=KINDS.get(request.resource_type, "other"),
        content_type=content_type,
        encoding=response.header_value("content-encoding") or "",
        wire=headers + max(sizes["responseBodySize"], 0),
        raw=headers + len(body),
        gzip=headers + (len(gzip.compress(body, 6)) if is_text else len(body)),
    )


# ---------------------------------------------------------------------------------------------
# Run and report
# ---------------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--portals", default="kamakura,kyoto-city", help="portal slugs, comma-separated")
    args = parser.parse_args()
    if not os.path.exists(CHROMIUM):
        sys.exit(f"Chromium not found at {CHROMIUM}: install Debian's chromium package (or set CHROMIUM_PATH).")
    from playwright.sync_api import sync_playwright

    slugs = [slug.strip() for slug in args.portals.split(",") if slug.strip()]
    started = datetime.datetime.now(datetime.UTC)
    load_before = os.getloadavg()
    pages: list[Weighed] = []
    with tempfile.TemporaryDirectory(prefix="page-weight-") as tmp:
        env, loader = set_up_portals(Path(tmp), static=True)
        server = start_gunicorn(env, WORKERS, Path(tmp) / "gunicorn.log")
        base = f"http://{HOST}:{server.port}"
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                try:
                    for slug in slugs:
                        print(f"/{slug}/ …", flush=True)
                        pages.append(weigh(browser, base, "home", f"/{slug}/"))
                        query = urllib.parse.urlencode({"q": COMMON_WORD})
                        results = weigh(browser, base, "results", f"/{slug}/search/?{query}")
                        pages.append(results)
                        if results.first_result is None:
                            sys.exit(f"/{slug}/search/?q={COMMON_WORD} lists no results: no detail page to weigh.")
                        pages.append(weigh(browser, base, "detail", results.first_result))
                        crisis = urllib.parse.urlencode({"q": CRISIS_WORD})
                        pages.append(weigh(browser, base, "crisis search", f"/{slug}/search/?{crisis}"))
                        pages.append(weigh(browser, base, "filters", f"/{slug}/search/filters/?{query}"))
                        pages.append(weigh(browser, base, "map", f"/{slug}/map/", wait_for="#map[data-markers]"))
                    pages.append(weigh(browser, base, "programmes", programme_window(base)))
                finally:
                    browser.close()
        finally:
            server.stop()
    write_results(pages, args, slugs, loader, started, load_before, os.getloadavg())
    print(RESULTS.read_text(encoding="utf-8"))


def programme_window(base: str) -> str:
    """The address of PROGRAMME_WINDOW's page (the first result for its name), checked to list its programmes."""
    slug, name, programmes = PROGRAMME_WINDOW
    query = urllib.parse.urlencode({"q": name})
    with urllib.request.urlopen(f"{base}/{slug}/search/?{query}", timeout=60) as response:
        found = re.search(rf'href="(/{slug}/services/[^"]+/)"[^>]*>{re.escape(name)}<', response.read().decode())
    if found is None:
        sys.exit(f"/{slug}/search/?q={name} does not list {name}: no programme window to weigh.")
    with urllib.request.urlopen(base + found[1], timeout=60) as response:
        listed = response.read().decode().count('<section class="program">')
    if listed < programmes:
        sys.exit(f"{found[1]} lists {listed} programmes, not {programmes}.")
    return found[1]


def kb(value: int) -> str:
    return f"{value / 1000:.1f}"


def page_rows(pages: list[Weighed]) -> list[str]:
    rows = [
        "| page | HTML | CSS | JS | images | other | **uncompressed** | on the wire | gzip | requests"
        " | axe violations |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for p in pages:
        kinds = " | ".join(kb(p.total("raw", kind)) for kind in COLUMNS)
        rows.append(
            f"| {p.name} `{urllib.parse.unquote(p.path)}` | {kinds} | **{kb(p.total('raw'))}** | {kb(p.total('wire'))}"
            f" | {kb(p.total('gzip'))} | {len(p.transfers)} | {len(p.violations)} |"
        )
    return rows


def write_results(
    pages: list[Weighed],
    args: argparse.Namespace,
    slugs: list[str],
    loader: str,
    started: datetime.datetime,
    load_before: tuple[float, float, float],
    load_after: tuple[float, float, float],
) -> None:
    command = ["bench/page_weight.py"]
    if args.portals != "kamakura,kyoto-city":
        command += ["--portals", args.portals]
    judged = [p for p in pages if p.name != "map"]
    maps = [p for p in pages if p.name == "map"]
    heaviest = max(judged, key=lambda p: p.total("raw"))
    met = all(p.total("raw") < TARGET_BYTES for p in judged)
    over = [p for p in judged if p.total("raw") > ISSUE9_BYTES]
    lines = [
        "# Page weight",
        "",
        f"Run {started:%Y-%m-%d %H:%M} UTC on {os.cpu_count()} cores; load average (1, 5, 15 min)"
        f" {fmt_load(load_before)} before, {fmt_load(load_after)} after.",
        "",
        f"Command: `.venv/bin/python {' '.join(command)}`",
        "",
        f"Target: every page but the map transfers under {TARGET_BYTES // 1000} KB (HTML + CSS + JS"
        " and everything else the page loads, before map tiles), judged on the uncompressed bytes; axe-core"
        " finds no WCAG 2.2 AA violation. Sizes in KB of 1,000 bytes, response headers included.",
        "",
        *page_rows(judged),
        "",
        "The map page, apart (it loads Leaflet and the GeoJSON of the portal's mapped windows; tiles not counted):",
        "",
        *page_rows(maps),
        "",
        f"Meets the target: {'yes' if met else 'no'} — the heaviest page but the map is"
        f" {heaviest.name} `{urllib.parse.unquote(heaviest.path)}` with {kb(heaviest.total('raw'))} KB uncompressed"
        f" ({kb(heaviest.total('gzip'))} KB with gzip). The map pages: "
        + ", ".join(
            f"`{p.path}` {kb(p.total('raw'))} KB uncompressed ({'under' if p.total('raw') < TARGET_BYTES else 'over'}"
            f" {TARGET_BYTES // 1000} KB), {kb(p.total('gzip'))} KB with gzip"
            for p in maps
        )
        + f". axe-core violations, all pages: {sum(len(p.violations) for p in pages)}.",
        "",
        f"Issue 9's page weight, ≤ {ISSUE9_BYTES // 1000} KB without the map (HTML + CSS + JS, uncompressed):"
        + (
            " every page but the map meets it."
            if not over
            else " over it: "
            + ", ".join(f"{p.name} `{urllib.parse.unquote(p.path)}` {kb(p.total('raw'))} KB" for p in over)
            + "."
        )
        + f" The heaviest is {heaviest.name} `{urllib.parse.unquote(heaviest.path)}`, {kb(heaviest.total('raw'))} KB.",
        "",
    ]
    violations = [(p, v) for p in pages for v in p.violations]
    if violations:
        lines += ["axe-core violations:", ""]
        lines += [
            f"- {p.name} `{urllib.parse.unquote(p.path)}`: {rule} ({impact}), {nodes} element(s)"
            for p, (rule, impact, nodes) in violations
        ]
        lines.append("")
    lines += ["Every file the pages loaded (the largest first; a page's HTML once per page):", ""]
    lines += [
        "| file | type | uncompressed | on the wire | content-encoding sent | gzip |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    files: dict[str, Transfer] = {}
    for p in pages:
        for t in p.transfers:
            key = urllib.parse.unquote(p.path) if t.kind == "HTML" else t.path
            files.setdefault(key, t)
    for key, t in sorted(files.items(), key=lambda item: -item[1].raw):
        lines.append(
            f"| `{key}` | {t.kind} ({t.content_type}) | {kb(t.raw)} | {kb(t.wire)} | {t.encoding or 'none'}"
            f" | {kb(t.gzip)} |"
        )
    outside: dict[str, int] = {}
    for p in pages:
        for host, count in p.outside.items():
            outside[host] = outside.get(host, 0) + count
    stubbed = ", ".join(f"{count} to {host}" for host, count in sorted(outside.items())) or "none"
    lines += [
        "",
        f"Requests to other hosts, answered by the bench and not weighed: {stubbed}.",
        "",
        f"How: Chromium ({CHROMIUM}) through Playwright, a fresh context (empty cache) per page, phone viewport"
        " 390×844, ja-JP; each page loaded until the network is idle (the map page until its markers are drawn)."
        " Portals: " + ", ".join(f"/{slug}/" for slug in slugs) + f"; the detail page is the first result of"
        f" 「{COMMON_WORD}」. On the wire = response headers + body as received (WhiteNoise sends the"
        " precompressed copy of a static file when the browser accepts it, and Django gzips the residents' public"
        " pages: see content-encoding); uncompressed ="
        " headers + the decoded body, what the target is judged on; gzip = headers + `gzip -6` of a text body,"
        " about what nginx with gzip on would send.",
        "",
        f"Server: as `make demo`: {loader}, `python -m tsunagari seed-demo`, `collectstatic` (compressed"
        f" manifest storage), `gunicorn tsunagari.wsgi --workers {WORKERS}`; SQLite in a temporary DATA_DIR,"
        " DEBUG off. Traffic only to 127.0.0.1.",
        "",
    ]
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text("\n".join(lines), encoding="utf-8")


if __name__ == "__main__":
    main()
