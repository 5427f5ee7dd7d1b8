"""The link-check cache and the broken-links report, without Sphinx or a network."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from roundup_kb import linkcache
from roundup_kb.linkcache import DAY, LinkCache, LinkResult, expires_at, http_status, is_cacheable
from roundup_kb.linkreport import (
    Checked,
    Place,
    archive_url,
    build_report,
    render_markdown,
    write_report,
)

NOW = 1_800_000_000.0
URL = "https://example.org/a"


@pytest.mark.parametrize(
    ("status", "info", "cached"),
    [
        ("working", "", True),
        ("redirected", "https://example.org/b", True),
        ("broken", "404 Client Error: Not Found for url: https://example.org/a", True),
        ("broken", "410 Client Error: Gone for url: https://example.org/a", True),
        ("broken", "403 Client Error: Forbidden for url: https://example.org/a", True),
        ("broken", "unauthorized", True),
        ("broken", "Anchor 'intro' not found", True),
        ("broken", "429 Client Error: Too Many Requests for url: https://x.org/", False),
        ("broken", "408 Client Error: Request Timeout for url: https://x.org/", False),
        ("broken", "500 Server Error: Internal Server Error for url: https://x.org/", False),
        ("broken", "HTTPSConnectionPool(host='x.org', port=443): Max retries exceeded", False),
        ("broken", "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed", False),
        ("timeout", "Read timed out. (read timeout=15)", False),
        ("rate-limited", "", False),
        ("ignored", "service unavailable", False),
        ("unchecked", "", False),
    ],
)
def test_what_is_cacheable(status, info, cached):
    assert is_cacheable(status, info) is cached


def test_http_status():
    assert http_status("404 Client Error: Not Found for url: x") == 404
    assert http_status("502 Server Error: Bad Gateway for url: x") == 502
    assert http_status("Anchor '404' not found") is None
    assert http_status("") is None


def test_expiry_is_spread_over_the_last_quarter_of_the_ttl():
    urls = [f"https://example.org/{n}" for n in range(400)]
    ages = [(expires_at(u, NOW, 30) - NOW) / DAY for u in urls]
    assert all(22.5 <= age <= 30 for age in ages)
    assert max(ages) - min(ages) > 6  # spread, not one cliff
    assert expires_at(URL, NOW, 30) == expires_at(URL, NOW, 30)  # depends on the URL alone


def test_fresh_within_ttl_and_stale_after(tmp_path):
    cache = LinkCache(tmp_path / "c.json", ttl_days=10)
    assert cache.record(URL, "working", now=NOW)
    assert cache.fresh(URL, NOW + 1) == LinkResult("working", 0, "", NOW, False)
    assert cache.fresh(URL, NOW + 7 * DAY) is not None  # before the earliest expiry (7.5 days)
    assert cache.fresh(URL, NOW + 10 * DAY) is None
    assert cache.fresh(URL, NOW - DAY) is None  # checked "in the future": clock skew, re-check
    assert cache.fresh("https://example.org/other", NOW) is None


def test_ttl_zero_rechecks_everything(tmp_path):
    cache = LinkCache(tmp_path / "c.json", ttl_days=0)
    cache.record(URL, "working", now=NOW)
    assert cache.fresh(URL, NOW) is None


def test_anchor_results_need_an_anchor_check(tmp_path):
    cache = LinkCache(tmp_path / "c.json")
    cache.record(URL + "#intro", "working", now=NOW, anchors=False)
    assert cache.fresh(URL + "#intro", NOW + 1, anchors=False) is not None
    assert cache.fresh(URL + "#intro", NOW + 1, anchors=True) is None
    cache.record(URL, "working", now=NOW, anchors=False)
    assert cache.fresh(URL, NOW + 1, anchors=True) is not None  # no fragment, no anchor check


def test_uncacheable_result_replaces_the_old_one(tmp_path):
    cache = LinkCache(tmp_path / "c.json")
    cache.record(URL, "broken", info="404 Client Error: Not Found for url: x", now=NOW)
    assert URL in cache.broken()
    assert not cache.record(URL, "timeout", info="Read timed out.", now=NOW + 1)
    assert URL not in cache.links


def test_save_and_load_round_trip(tmp_path):
    path = tmp_path / "sub" / "linkcheck.json"
    cache = LinkCache(path, ttl_days=5)
    cache.record(URL, "redirected", 301, "https://example.org/b", now=NOW, anchors=True)
    cache.record("https://example.org/gone", "broken", 0, "410 Client Error: Gone", now=NOW)
    cache.save()
    data = json.loads(path.read_text())
    assert data["version"] == 1
    assert data["links"][URL] == {
        "status": "redirected",
        "code": 301,
        "info": "https://example.org/b",
        "checked": dt.datetime.fromtimestamp(NOW, dt.UTC).isoformat(timespec="seconds"),
        "anchors": True,
    }
    again = LinkCache.load(path, ttl_days=5)
    assert again.problem is None
    assert again.links == cache.links
    assert list(again.broken()) == ["https://example.org/gone"]
    assert [p.name for p in path.parent.iterdir()] == ["linkcheck.json"]  # no temp files


def test_failed_save_keeps_the_old_file(tmp_path, monkeypatch):
    path = tmp_path / "linkcheck.json"
    cache = LinkCache(path)
    cache.record(URL, "working", now=NOW)
    cache.save()
    before = path.read_text()
    cache.record("https://example.org/b", "working", now=NOW)

    def boom(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(linkcache.json, "dump", boom)
    with pytest.raises(OSError, match="disk full"):
        cache.save()
    assert path.read_text() == before
    assert [p.name for p in tmp_path.iterdir()] == ["linkcheck.json"]


def test_missing_file_is_an_empty_cache(tmp_path):
    cache = LinkCache.load(tmp_path / "none.json")
    assert cache.links == {} and cache.problem is None


@pytest.mark.parametrize(
    ("text", "line", "why"),
    [
        ('{\n "version": 1,\n "links": {oops}\n}', 3, "Expecting property name"),
        ('{"version": 99, "links": {}}', None, "not a version 1 link cache"),
        ('{"version": 1, "links": {"u": {"status": "working"}}}', None, "checked"),
        ("[]", None, "not a version 1 link cache"),
    ],
)
def test_unreadable_file_is_a_warning_and_an_empty_cache(tmp_path, text, line, why):
    path = tmp_path / "linkcheck.json"
    path.write_text(text)
    cache = LinkCache.load(path)
    assert cache.links == {}
    problem = cache.problem
    assert problem is not None and problem.severity == "warning"
    assert problem.type_code == "roundup.linkcache"
    assert problem.path == str(path) and problem.line == line
    assert why in problem.message and "delete the file" in problem.hint


def test_prune_drops_only_stale_unused_results(tmp_path):
    cache = LinkCache(tmp_path / "c.json", ttl_days=10)
    for name in ("used-stale", "unused-stale"):
        cache.record(f"https://example.org/{name}", "working", now=NOW - 20 * DAY)
    cache.record("https://example.org/unused-fresh", "working", now=NOW)
    dropped = cache.prune({"https://example.org/used-stale"}, now=NOW)
    assert dropped == 1
    assert sorted(cache.links) == [
        "https://example.org/unused-fresh",
        "https://example.org/used-stale",
    ]


# -- the report -------------------------------------------------------------------------


def test_archive_url():
    assert archive_url(URL, dt.date(2021, 3, 5)) == "https://web.archive.org/web/20210305/" + URL
    assert archive_url(URL) == "https://web.archive.org/web/" + URL


def _places():
    d1, d2 = dt.date(2020, 1, 10), dt.date(2021, 3, 5)
    gone = "https://example.org/gone"
    slow = "https://slow.example.org/"
    return {
        gone: [
            Place("issues/0002", "issues/0002.md", 9, 2, "#2", d2, "rct2-gone", "Gone again"),
            Place("issues/0001", "issues/0001.md", 30, 1, "#1", d1, "rct1-gone", "Gone"),
            Place("issues/0001", "issues/0001.md", 30, 1, "#1", d1, "rct1-gone", "Gone"),
        ],
        slow: [Place("issues/0001", "issues/0001.md", 12, 1, "#1", d1, "rct1-ok", "Fine")],
        "https://example.org/about-gone": [Place("docs/about", "docs/about.md", 4)],
        URL: [Place("issues/0001", "issues/0001.md", 20, 1, "#1", d1, "rct1-a", "A")],
    }


def test_report_groups_failures_by_issue_and_entry():
    results = [
        Checked(URL, "working", cached=True),
        Checked("https://example.org/gone", "broken", 0, "404 Client Error", cached=True),
        Checked("https://slow.example.org/", "timeout", 0, "Read timed out."),
        Checked("https://example.org/about-gone", "broken", 0, "410 Client Error"),
        Checked("https://ignored.example.org/", "ignored"),
    ]
    when = dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
    report = build_report(results, _places(), generated=when)
    assert report["generated"] == "2026-01-02T03:04:05+00:00"
    assert report["summary"] == {
        "checked": 4,
        "from_cache": 2,
        "working": 1,
        "redirected": 0,
        "broken": 2,
        "timeout": 1,
        "ignored": 1,
    }
    one, two = report["issues"]
    assert (one["issue"], one["date"], one["path"]) == (1, "2020-01-10", "issues/0001.md")
    assert [(x["line"], x["status"], x["entry"]["id"]) for x in one["links"]] == [
        (12, "timeout", "rct1-ok"),
        (30, "broken", "rct1-gone"),  # listed once though given twice
    ]
    assert (
        one["links"][1]["archive"]
        == "https://web.archive.org/web/20200110/https://example.org/gone"
    )
    assert one["links"][1]["cached"] is True
    assert two["links"][0]["archive"].startswith("https://web.archive.org/web/20210305/")
    assert report["pages"] == [
        {
            "docname": "docs/about",
            "path": "docs/about.md",
            "links": [
                {
                    "uri": "https://example.org/about-gone",
                    "status": "broken",
                    "info": "410 Client Error",
                    "line": 4,
                    "entry": None,
                    "archive": "https://web.archive.org/web/https://example.org/about-gone",
                    "cached": False,
                }
            ],
        }
    ]
    text = render_markdown(report)
    assert "4 external links checked (2 results from the cache, 1 ignored)" in text
    assert "used in 4 places in 2 issues and 1 other page." in text
    assert "## Issue 1: #1 (2020-01-10)" in text
    assert "- line 30, entry `rct1-gone` (Gone): **broken**: 404 Client Error" in text
    assert "## Page `docs/about.md`" in text
    assert text.index("## Issue 1") < text.index("## Issue 2") < text.index("## Page")


def test_empty_report_says_so(tmp_path):
    report = build_report([Checked(URL, "working")], _places())
    assert report["issues"] == [] and report["pages"] == []
    assert "No broken links." in render_markdown(report)
    json_path, md_path = write_report(tmp_path / "out", report)
    assert json.loads(json_path.read_text()) == report
    assert md_path.read_text() == render_markdown(report)
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "broken-links.json",
        "broken-links.md",
    ]
