"""Cached link checking against a local HTTP server: statuses, cache, report, dead-link marks.

The server runs on 127.0.0.1 in a thread and logs every request, so the tests can
assert which URLs a run requested.  Everything else on the network is ignored
(``linkcheck_ignore``), so the docs pages' own links are never requested.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import StringIO
from pathlib import Path

import pytest

from conftest import issue_page
from roundup_kb import classcode, recache

pytestmark = pytest.mark.sphinx

ANCHOR_PAGE = b'<!DOCTYPE html><html><body><h2 id="present">Present</h2><p>text</p></body></html>'


class LinkServer:
    """A threaded HTTP server with one behaviour per path and a log of requests."""

    def __init__(self):
        self.log: list[tuple[str, str]] = []
        self.lock = threading.Lock()
        self.busy_hits = 0
        #: requests being served under /delay/, in all and by Host header, and the maxima
        self.active: dict[str, int] = {}
        self.max_active: dict[str, int] = {}
        #: the host of each /delay/ request, in order of arrival
        self.delay_hosts: list[str] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep pytest output clean
                pass

            def do_HEAD(self):
                server.serve(self, body=False)

            def do_GET(self):
                server.serve(self, body=True)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path: str) -> str:
        return self.base + path

    def take_log(self) -> list[tuple[str, str]]:
        with self.lock:
            log, self.log = self.log, []
        return log

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(5)

    def serve(self, h: BaseHTTPRequestHandler, body: bool) -> None:
        path = h.path
        with self.lock:
            self.log.append((h.command, path))
        try:
            if path in ("/ok", "/final", "/new", "/page"):
                self.send(h, 200, ANCHOR_PAGE, body)
            elif path == "/redirect-1":
                self.send(h, 302, b"", body, {"Location": self.url("/redirect-2")})
            elif path == "/redirect-2":
                self.send(h, 301, b"", body, {"Location": self.url("/final")})
            elif path == "/removed":
                self.send(h, 410, b"gone for good", body)
            elif path == "/busy":
                with self.lock:
                    self.busy_hits += 1
                    first = self.busy_hits == 1
                if first:
                    self.send(h, 429, b"slow down", body, {"Retry-After": "1"})
                else:
                    self.send(h, 200, ANCHOR_PAGE, body)
            elif path == "/slow":
                time.sleep(2.0)
                self.send(h, 200, ANCHOR_PAGE, body)
            elif path.startswith("/delay/"):
                keys = ("all", h.headers["Host"].split(":")[0])
                with self.lock:
                    self.delay_hosts.append(keys[1])
                    for key in keys:
                        self.active[key] = self.active.get(key, 0) + 1
                        self.max_active[key] = max(self.max_active.get(key, 0), self.active[key])
                time.sleep(0.3)
                with self.lock:
                    for key in keys:
                        self.active[key] -= 1
                self.send(h, 200, ANCHOR_PAGE, body)
            else:
                self.send(h, 404, b"not found", body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (the timeout test)

    @staticmethod
    def send(h, code: int, payload: bytes, body: bool, headers: dict | None = None) -> None:
        h.send_response(code)
        h.send_header("Content-Type", "text/html; charset=utf-8")
        h.send_header("Content-Length", str(len(payload)))
        for key, value in (headers or {}).items():
            h.send_header(key, value)
        h.end_headers()
        if body:
            h.wfile.write(payload)


@pytest.fixture
def server(monkeypatch):
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    srv = LinkServer()
    yield srv
    srv.stop()


def issue_one(s: LinkServer) -> str:
    return issue_page(
        1,
        "2020-01-10",
        f"""
        ## Managing Teams

        [Working page]({s.url("/ok")}) - Ann Author, Example Venue

        Fine, and see [the missing section]({s.url("/page#missing")}).

        [Moved page]({s.url("/redirect-1")}) - Bob Writer, Example Venue

        It moved twice.

        [Gone page]({s.url("/gone")}) - Carol Poster, Example Venue

        It is gone.

        [Removed page]({s.url("/removed")}) - Dan Blogger, Example Venue

        Removed for good.

        [Busy page]({s.url("/busy")}) - Eve Speaker, Example Venue

        Rate limited at first.

        [Slow page]({s.url("/slow")}) - Fay Typist, Example Venue

        Too slow to answer.

        [Anchored section]({s.url("/page#present")}) - Gus Editor, Example Venue

        The anchor exists.
        """,
    )


def issue_two(s: LinkServer, extra: str = "") -> str:
    body = (
        f"## Managing Teams\n\n[Gone page again]({s.url('/gone')}) - Carol Poster, Example Venue\n"
    )
    return issue_page(2, "2021-03-05", f"{body}\nStill gone.{extra}\n")


def sphinx_build(root: Path, builder: str, **overrides) -> tuple[object, str, str]:
    """Run one build with sphinx.testing; return (app, status text, warnings text)."""
    from sphinx.testing.util import SphinxTestApp

    status, warnings = StringIO(), StringIO()
    app = SphinxTestApp(
        builder,
        srcdir=root,
        # one build folder per builder, doctrees included, as ``sphinx-build`` keeps them
        builddir=root / "_build" / builder,
        status=status,
        warning=warnings,
        confoverrides=overrides,
    )
    try:
        app.build()
    finally:
        app.cleanup()
    return app, status.getvalue(), warnings.getvalue()


LINKCHECK_OUT = "_build/linkcheck/linkcheck"
HTML_OUT = "_build/html/html"

#: the test project's linkcheck settings: only the local server, fast timeouts
LOCAL_ONLY = {
    "linkcheck_ignore": [r"^https?://(?!127\.0\.0\.1[:/])"],
    "linkcheck_timeout": 0.5,
    "linkcheck_anchors": True,
    "linkcheck_rate_limit_timeout": 10.0,
}


def linkcheck(root: Path, **overrides):
    started = time.perf_counter()
    app, _status, warnings = sphinx_build(root, "linkcheck", **(LOCAL_ONLY | overrides))
    elapsed = time.perf_counter() - started
    out = root / LINKCHECK_OUT
    rows = [json.loads(line) for line in (out / "output.json").read_text().splitlines()]
    local = {row["uri"]: row for row in rows if row["status"] not in ("ignored", "unchecked")}
    return app, local, elapsed, warnings


def requested_paths(log) -> set[str]:
    return {path for _method, path in log}


def line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def test_linkcheck_statuses_cache_report_and_expiry(make_site, server):
    site = make_site({1: issue_one(server), 2: issue_two(server)})
    cache_file = site.root / ".cache" / "linkcheck.json"
    u = server.url

    # -- first run: everything is requested --------------------------------------------
    app, rows, first_time, warnings = linkcheck(site.root)
    first_log = server.take_log()
    assert "roundup" not in warnings
    assert app.statuscode == 1  # broken links fail the build
    status = {uri: row["status"] for uri, row in rows.items()}
    assert status == {
        u("/ok"): "working",
        u("/redirect-1"): "redirected",
        u("/gone"): "broken",
        u("/removed"): "broken",
        u("/busy"): "working",
        u("/slow"): "timeout",
        u("/page#present"): "working",
        u("/page#missing"): "broken",
    }
    assert rows[u("/redirect-1")]["info"] == u("/final")
    assert rows[u("/redirect-1")]["code"] == 301
    assert rows[u("/gone")]["info"].startswith("404 Client Error")
    assert rows[u("/removed")]["info"].startswith("410 Client Error")
    assert rows[u("/page#missing")]["info"] == "Anchor 'missing' not found"
    assert not any(row.get("cached") for row in rows.values())
    # 429 then 200 after Retry-After: requested twice, reported once as working
    assert server.busy_hits == 2
    expected = {"/ok", "/redirect-1", "/redirect-2", "/final", "/gone", "/removed", "/busy"}
    assert requested_paths(first_log) >= expected | {"/slow", "/page"}

    cache = json.loads(cache_file.read_text())
    assert cache["version"] == 1
    assert set(cache["links"]) == set(rows) - {u("/slow")}  # timeouts are not cached

    # -- the report: by issue and entry, with archive addresses ----------------------------
    report = json.loads((site.root / f"{LINKCHECK_OUT}/broken-links.json").read_text())
    assert [g["issue"] for g in report["issues"]] == [1, 2]
    one, two = report["issues"]
    text_one = (site.root / "issues/0001.md").read_text()
    by_uri = {link["uri"]: link for link in one["links"]}
    assert set(by_uri) == {u("/gone"), u("/removed"), u("/slow"), u("/page#missing")}
    assert [link["line"] for link in one["links"]] == sorted(link["line"] for link in one["links"])
    gone = by_uri[u("/gone")]
    assert gone["entry"]["title"] == "Gone page" and gone["entry"]["id"]
    assert gone["line"] == line_of(text_one, "[Gone page]")
    assert gone["archive"] == f"https://web.archive.org/web/20200110/{u('/gone')}"
    assert by_uri[u("/slow")]["status"] == "timeout"
    # a mention in an entry's commentary is reported under that entry
    missing = by_uri[u("/page#missing")]
    assert missing["entry"]["title"] == "Working page"
    assert missing["line"] == line_of(text_one, "the missing section")
    assert two["date"] == "2021-03-05" and [link["uri"] for link in two["links"]] == [u("/gone")]
    assert two["links"][0]["archive"] == f"https://web.archive.org/web/20210305/{u('/gone')}"
    assert report["summary"]["broken"] == 3 and report["summary"]["timeout"] == 1
    markdown = (site.root / f"{LINKCHECK_OUT}/broken-links.md").read_text()
    assert "## Issue 1: #1 - 2020-01-10 (2020-01-10)" in markdown
    assert f"archived copy: <https://web.archive.org/web/20210305/{u('/gone')}>" in markdown

    # -- second run within the TTL: only the uncached timeout is requested ------------------
    app, rows2, second_time, _ = linkcheck(site.root)
    second_log = server.take_log()
    assert requested_paths(second_log) == {"/slow"}
    assert {uri: row["status"] for uri, row in rows2.items()} == status
    assert {uri for uri, row in rows2.items() if row.get("cached")} == set(rows) - {u("/slow")}
    assert app.statuscode == 1  # cached broken links still fail the build
    report2 = json.loads((site.root / f"{LINKCHECK_OUT}/broken-links.json").read_text())
    assert [g["issue"] for g in report2["issues"]] == [1, 2]
    assert report2["summary"]["from_cache"] == 7 and report2["summary"]["checked"] == 8

    # -- third run: two results expired, one new URL ---------------------------------------
    cache = json.loads(cache_file.read_text())
    long_ago = dt.datetime.now(dt.UTC) - dt.timedelta(days=31)
    for path in ("/ok", "/gone"):
        cache["links"][u(path)]["checked"] = long_ago.isoformat(timespec="seconds")
    cache_file.write_text(json.dumps(cache))
    site.write_issue(2, issue_two(server, f"\nAnd [a new page]({u('/new')})."))
    app, rows3, third_time, _ = linkcheck(site.root)
    third_log = server.take_log()
    assert requested_paths(third_log) == {"/ok", "/gone", "/slow", "/new"}
    assert rows3[u("/new")]["status"] == "working" and not rows3[u("/new")].get("cached")
    assert rows3[u("/gone")]["status"] == "broken" and not rows3[u("/gone")].get("cached")
    assert rows3[u("/removed")].get("cached")
    report3 = json.loads((site.root / f"{LINKCHECK_OUT}/broken-links.json").read_text())
    assert [link["uri"] for link in report3["issues"][1]["links"]] == [u("/gone")]
    assert report3["summary"]["from_cache"] == 5 and report3["summary"]["checked"] == 9

    # -- a TTL of 0 re-checks everything ----------------------------------------------------
    _, _, zero_time, _ = linkcheck(site.root, roundup_linkcheck_ttl_days=0)
    zero_log = server.take_log()
    assert requested_paths(zero_log) >= {"/ok", "/redirect-1", "/gone", "/removed", "/page", "/new"}

    print(
        f"\nlinkcheck timings: first run {first_time:.2f}s ({len(first_log)} requests), "
        f"second run {second_time:.2f}s ({len(second_log)} requests), "
        f"third run {third_time:.2f}s ({len(third_log)} requests), "
        f"TTL 0 run {zero_time:.2f}s ({len(zero_log)} requests)"
    )


def test_dead_links_marked_in_html_and_follow_the_cache(make_site, server):
    site = make_site({1: issue_one(server), 2: issue_two(server)})
    linkcheck(site.root)
    server.take_log()
    _, _, warnings = sphinx_build(site.root, "html", roundup_mark_dead_links=True)
    assert "roundup" not in warnings
    page = (site.root / f"{HTML_OUT}/issues/0001.html").read_text()
    dead = re.findall(r'<a class="[^"]*roundup-dead-link[^"]*"[^>]*>', page)
    hrefs = sorted(re.search(r'href="([^"]+)"', tag).group(1) for tag in dead)
    assert hrefs == [server.url("/gone"), server.url("/removed")]  # entries only, not mentions
    assert re.search(r'title="Broken link \(checked \d{4}-\d\d-\d\d: HTTP 404\)"', page)
    assert f'href="https://web.archive.org/web/20200110/{server.url("/gone")}"' in page
    assert "archived copy" in page
    assert server.take_log() == []  # the HTML build makes no requests

    # the link is mended: the next (incremental) build drops the mark
    cache_file = site.root / ".cache" / "linkcheck.json"
    cache = json.loads(cache_file.read_text())
    cache["links"][server.url("/gone")].update(status="working", info="", code=0)
    cache_file.write_text(json.dumps(cache))
    sphinx_build(site.root, "html", roundup_mark_dead_links=True)
    page = (site.root / f"{HTML_OUT}/issues/0001.html").read_text()
    assert page.count("roundup-dead-link") == 1 and server.url("/removed") in page
    page2 = (site.root / f"{HTML_OUT}/issues/0002.html").read_text()
    assert "roundup-dead-link" not in page2

    # marking off (the default): no marks
    sphinx_build(site.root, "html")
    assert "roundup-dead-link" not in (site.root / f"{HTML_OUT}/issues/0001.html").read_text()


def test_per_host_limit(make_site, server):
    # two hosts on one server: 12 links on 127.0.0.1 (first in URL order), 4 on localhost
    other = server.base.replace("127.0.0.1", "localhost")
    urls = [server.url(f"/delay/{n}") for n in range(12)] + [f"{other}/delay/{n}" for n in range(4)]
    links = "\n\n".join(
        f"[Delayed page {n}]({url}) - Ann Author, Example Venue" for n, url in enumerate(urls)
    )
    site = make_site({1: issue_page(1, "2020-01-10", f"## Managing Teams\n\n{links}\n")})
    both = {"linkcheck_ignore": [r"^https?://(?!(127\.0\.0\.1|localhost)[:/])"]}
    _, rows, limited_time, _ = linkcheck(site.root, roundup_linkcheck_cache="", **both)
    assert sorted(rows) == sorted(urls)
    assert {row["status"] for row in rows.values()} == {"working"}
    # at most 2 at a time per host (the default roundup_linkcheck_per_host), and the
    # second host is served alongside the first: workers are not all stuck on one host
    assert server.max_active == {"all": 4, "127.0.0.1": 2, "localhost": 2}
    # links are handed out one host at a time in turn: localhost's come early although
    # they sort last (queued by URL, as Sphinx does, they would follow at least 8 others)
    last = max(i for i, host in enumerate(server.delay_hosts) if host == "localhost")
    assert server.delay_hosts[:last].count("127.0.0.1") <= 6, server.delay_hosts
    # an empty cache setting disables the cache: nothing in .cache/ but the regular
    # expressions' and dataclasses' kept code that conf.py asks for (roundup_kb.recache,
    # roundup_kb.classcode)
    assert {path.name for path in site.root.glob(".cache/*")} <= {
        recache.CACHE_NAME,
        classcode.CACHE_NAME,
    }

    server.max_active = {}
    _, rows, unlimited_time, _ = linkcheck(
        site.root, roundup_linkcheck_cache="", roundup_linkcheck_per_host=0, **both
    )
    assert len(rows) == 16
    assert server.max_active["127.0.0.1"] > 2  # 8 workers, no limit
    print(f"\nper-host limit 2: {limited_time:.2f}s; no limit: {unlimited_time:.2f}s")


def test_interrupted_run_keeps_the_results_so_far(make_site, server, monkeypatch):
    from roundup_kb.sphinxext import linkcheck as ext

    links = "\n\n".join(
        f"[Page {n}]({server.url(f'/delay/{n}')}) - Ann Author, Example Venue" for n in range(4)
    )
    site = make_site({1: issue_page(1, "2020-01-10", f"## Managing Teams\n\n{links}\n")})
    original = ext.PerHostChecker.check

    def check_then_fail(self, hyperlinks):
        done = 0
        for result in original(self, hyperlinks):
            yield result
            if result.status == "working":
                done += 1
                if done == 2:
                    raise KeyboardInterrupt

    monkeypatch.setattr(ext.PerHostChecker, "check", check_then_fail)
    with pytest.raises(KeyboardInterrupt):
        linkcheck(site.root)
    cache = json.loads((site.root / ".cache" / "linkcheck.json").read_text())
    assert len(cache["links"]) == 2
    assert {entry["status"] for entry in cache["links"].values()} == {"working"}


def test_unreadable_cache_warns_and_is_replaced(make_site, server):
    body = f"## Managing Teams\n\n[OK]({server.url('/ok')}) - A B, C\n"
    site = make_site({1: issue_page(1, "2020-01-10", body)})
    cache_file = site.root / ".cache" / "linkcheck.json"
    cache_file.parent.mkdir()
    cache_file.write_text("{not json")
    _, rows, _, warnings = linkcheck(site.root)
    assert re.search(r"/linkcheck\.json:1: WARNING: link-check cache could not be read", warnings)
    assert "[roundup.linkcache]" in warnings
    assert rows[server.url("/ok")]["status"] == "working"
    assert json.loads(cache_file.read_text())["links"][server.url("/ok")]["status"] == "working"
