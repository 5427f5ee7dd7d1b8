"""Atom feeds: the core writer (RFC 4287 elements, escaping, files) and a built site."""

from __future__ import annotations

import dataclasses
import datetime as dt
import html
import os
import re
import shutil
import xml.etree.ElementTree as ET

import pytest

from conftest import ROOT, Site, issue_page
from item_helpers import count_calls, names, topics
from roundup_kb import feeds
from roundup_kb.catalogue import Catalogue
from roundup_kb.model import Entry, Issue, IssueMeta
from roundup_kb.sphinxext import datafiles

A = "{http://www.w3.org/2005/Atom}"
BASE = "https://kb.example.org/"
HOSTILE = '<script>alert(1)</script> & AT&T\'s "best"\x0b tools'
SITE = feeds.FeedSite(base_url=BASE, title="Test KB", author="The Editors")


def entry(id_, number, day, *, title=None, topic="managing-teams", line=1, **kw) -> Entry:
    return Entry(
        id=id_,
        issue=number,
        date=dt.date(2021, 1, day),
        title=title or id_,
        url=f"https://example.org/{id_}",
        topic=topic,
        line=line,
        **kw,
    )


def issue(number, day, *entries, title=None, subtitle=None) -> Issue:
    meta = IssueMeta(number, title or f"#{number}", dt.date(2021, 1, day), subtitle)
    return Issue(meta=meta, path=f"issues/{number:04d}.md", entries=tuple(entries))


def sample_issues() -> list[Issue]:
    return [
        issue(
            1,
            1,
            entry(
                "rct1-a",
                1,
                1,
                authors=("Ada Lovelace", "Grace Hopper"),
                venue="HBR",
                commentary="Read [this one](https://example.org/x) **first**: it is good.",
            ),
            entry("rct1-b", 1, 1, line=5, venue="Evil <Corp> & Sons", topic="research-software"),
            subtitle="The first & best",
        ),
        issue(
            2,
            8,
            entry("rct2-a", 2, 8, title=HOSTILE, commentary="Why <b>this</b> & that."),
            entry("rct2-b", 2, 8, line=4),
            title="#2 - <i>second</i> & last",
        ),
    ]


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return Catalogue.build(sample_issues(), topics(), names())


#: a changed value for each field of an entry
_CHANGED = {
    str: lambda v: (v or "") + " changed",
    int: lambda v: v + 100,
    bool: lambda v: not v,
    dt.date: lambda v: v + dt.timedelta(days=3),
    tuple: lambda v: (*v, "Someone New"),
}


@pytest.mark.parametrize("name", [f.name for f in dataclasses.fields(Entry)])
def test_a_feeds_source_changes_whenever_its_text_does(name):
    """An incremental build remakes the feeds whose source changed: a change to any
    field of an entry that changes a feed's text must change that feed's source."""
    base = sample_issues()
    before = Catalogue.build(base, topics(), names())
    for position, changed_entry in enumerate(base[0].entries):
        value = getattr(changed_entry, name)
        kind = type(value) if value is not None else str
        if name == "topic":
            new_value = "research-software" if value != "research-software" else "managing-teams"
        else:
            new_value = _CHANGED[kind](value)
        entries = list(base[0].entries)
        entries[position] = dataclasses.replace(changed_entry, **{name: new_value})
        edited = [dataclasses.replace(base[0], entries=tuple(entries)), *base[1:]]
        after = Catalogue.build(edited, topics(), names())
        old_text = feeds.feed_files(before, topics().topics, SITE)
        new_text = feeds.feed_files(after, topics().topics, SITE)
        old_source = feeds.feed_sources(before, topics().topics)
        new_source = feeds.feed_sources(after, topics().topics)
        for path, text in new_text.items():
            if text != old_text[path]:
                assert new_source[path] != old_source[path], (name, path)


def parse(text: str) -> ET.Element:
    assert text.startswith('<?xml version="1.0" encoding="utf-8"?>\n')
    return ET.fromstring(text.encode("utf-8"))


def check_rfc4287(feed: ET.Element) -> None:
    """The elements RFC 4287 requires of a feed and its entries, and their formats."""
    assert feed.tag == f"{A}feed"
    for name in ("id", "title", "updated"):
        assert len(feed.findall(f"{A}{name}")) == 1, name
    assert feed.find(f"{A}author/{A}name").text
    self_links = [link for link in feed.findall(f"{A}link") if link.get("rel") == "self"]
    assert len(self_links) == 1 and self_links[0].get("href") == feed.find(f"{A}id").text
    stamp = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
    assert stamp.match(feed.find(f"{A}updated").text)
    ids = []
    for item in feed.findall(f"{A}entry"):
        for name in ("id", "title", "updated"):
            assert len(item.findall(f"{A}{name}")) == 1, name
        assert stamp.match(item.find(f"{A}updated").text)
        alternates = [
            link for link in item.findall(f"{A}link") if link.get("rel", "alternate") == "alternate"
        ]
        assert len(alternates) == 1
        assert alternates[0].get("href").startswith(BASE)
        ids.append(item.find(f"{A}id").text)
    assert len(ids) == len(set(ids)), "entry ids must be unique"


def test_issues_feed_lists_newest_issues_with_counts_and_entry_lists(catalogue):
    feed = parse(feeds.issues_feed(catalogue, SITE, {"managing-teams": "Managing Teams"}))
    check_rfc4287(feed)
    assert feed.find(f"{A}id").text == BASE + "feeds/issues.atom"
    assert feed.find(f"{A}updated").text == "2021-01-08T00:00:00Z"
    items = feed.findall(f"{A}entry")
    assert [i.find(f"{A}id").text for i in items] == [
        BASE + "issues/0002.html",
        BASE + "issues/0001.html",
    ]
    newest, oldest = items
    assert newest.find(f"{A}title").text == "#2 - <i>second</i> & last"
    assert newest.find(f"{A}summary").text == "2 entries"
    assert oldest.find(f"{A}summary").text == "The first & best (2 entries)"
    content = newest.find(f"{A}content")
    assert content.get("type") == "html"
    # the content is HTML (escaped once more by XML); its text is escaped inside it
    assert '<a href="https://kb.example.org/issues/0002.html#rct2-a">' in content.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; AT&amp;T" in content.text
    assert "<script" not in content.text
    assert "(Managing Teams)" in content.text
    assert "<p>The first &amp; best</p>" in oldest.find(f"{A}content").text


def test_issues_feed_limit(catalogue):
    feed = parse(feeds.issues_feed(catalogue, SITE, limit=1))
    assert len(feed.findall(f"{A}entry")) == 1


def test_topic_feed_entries_link_here_and_to_the_original(catalogue):
    topic = topics().get("managing-teams")
    feed = parse(feeds.topic_feed(catalogue, topic, SITE))
    check_rfc4287(feed)
    assert feed.find(f"{A}id").text == BASE + "feeds/topics/managing-teams.atom"
    alternate = next(lk for lk in feed.findall(f"{A}link") if lk.get("rel") == "alternate")
    assert alternate.get("href") == BASE + "docs/topics/managing-teams.html"
    items = feed.findall(f"{A}entry")
    assert [i.find(f"{A}id").text.rpartition("#")[2] for i in items] == [
        "rct2-a",
        "rct2-b",
        "rct1-a",
    ]
    hostile, _, first = items
    # the hostile title is text: shown as written (less the control character XML forbids)
    assert hostile.find(f"{A}title").text == HOSTILE.replace("\x0b", "")
    assert hostile.find(f"{A}summary").text == "Why this & that."
    links = {lk.get("rel"): lk.get("href") for lk in first.findall(f"{A}link")}
    assert links == {
        "alternate": BASE + "issues/0001.html#rct1-a",
        "related": "https://example.org/rct1-a",
    }
    assert [a.find(f"{A}name").text for a in first.findall(f"{A}author")] == [
        "Ada Lovelace",
        "Grace Hopper",
    ]
    assert first.find(f"{A}summary").text == "Read this one first: it is good."
    assert first.find(f"{A}updated").text == "2021-01-01T00:00:00Z"
    category = first.find(f"{A}category")
    assert (category.get("term"), category.get("label")) == ("managing-teams", "Managing Teams")
    # no author and no venue: the feed's author applies, so the entry names none
    assert hostile.find(f"{A}author") is None


def test_venue_is_the_author_when_an_entry_names_no_people(catalogue):
    topic = topics().get("research-software")
    feed = parse(feeds.topic_feed(catalogue, topic, SITE))
    (item,) = feed.findall(f"{A}entry")
    assert item.find(f"{A}author/{A}name").text == "Evil <Corp> & Sons"


def test_hostile_text_is_escaped_in_the_file(catalogue):
    text = feeds.issues_feed(catalogue, SITE) + feeds.topic_feed(
        catalogue, topics().get("managing-teams"), SITE
    )
    assert "<script" not in text
    assert "\x0b" not in text
    assert "&lt;script&gt;" in text


def test_empty_topic_and_empty_catalogue_still_make_valid_feeds():
    empty = Catalogue.build([], topics(), names())
    feed = parse(feeds.topic_feed(empty, topics().get("random"), SITE))
    check_rfc4287(feed)
    assert feed.findall(f"{A}entry") == []
    assert feed.find(f"{A}updated").text == "1970-01-01T00:00:00Z"
    check_rfc4287(parse(feeds.issues_feed(empty, SITE)))


def test_feedparser_reads_the_feeds_without_complaint(catalogue):
    feedparser = pytest.importorskip("feedparser")
    issues = feedparser.parse(feeds.issues_feed(catalogue, SITE))
    assert not issues.bozo, issues.get("bozo_exception")
    assert issues.version == "atom10"
    assert [e.link for e in issues.entries] == [
        BASE + "issues/0002.html",
        BASE + "issues/0001.html",
    ]
    topic = feedparser.parse(feeds.topic_feed(catalogue, topics().get("managing-teams"), SITE))
    assert not topic.bozo, topic.get("bozo_exception")
    assert topic.feed.title == "Test KB: Managing Teams"
    assert topic.entries[0].title == HOSTILE.replace("\x0b", "")
    assert [a.name for a in topic.entries[2].authors] == ["Ada Lovelace", "Grace Hopper"]


def test_entry_summaries_are_the_ones_the_browse_page_shows():
    """A topic feed's summary is the entry's summary (made once, when its page was
    parsed), not a second excerpt of the commentary: the same text everywhere."""
    from roundup_kb.parser import SUMMARY_CHARS, entry_summary

    long = "Worth reading. " * 40
    made = entry("rct1-a", 1, 1, commentary=long, summary="As the parser made it.")
    bare = entry("rct1-b", 1, 1, commentary=long, line=2)
    built = Catalogue.build([issue(1, 1, made, bare)], topics(), names())
    text = feeds.feed_files(built, topics().topics, SITE)[feeds.topic_feed_path("managing-teams")]
    summaries = [i.find(f"{A}summary").text for i in parse(text).findall(f"{A}entry")]
    assert summaries == [entry_summary(made), entry_summary(bare)]
    assert summaries[0] == "As the parser made it."
    assert len(summaries[1]) <= SUMMARY_CHARS + 1 and summaries[1].endswith("…")


def test_base_url_must_be_absolute():
    assert feeds.is_absolute_url("https://kb.example.org/")
    assert feeds.is_absolute_url("http://localhost:8000")
    assert not feeds.is_absolute_url("")
    assert not feeds.is_absolute_url("/kb/")
    assert not feeds.is_absolute_url("kb.example.org")
    no_slash = feeds.FeedSite(base_url="https://x.org/kb", title="t", author="a")
    assert no_slash.issue_url(3) == "https://x.org/kb/issues/0003.html"


def test_write_feeds_is_atomic_skips_unchanged_and_removes_stale(tmp_path, catalogue):
    files = feeds.feed_files(catalogue, topics().topics, SITE)
    assert feeds.ISSUES_FEED in files and "feeds/topics/random.atom" in files
    written = feeds.write_feeds(tmp_path, files)
    assert sorted(written) == sorted(files)
    stale = tmp_path / "feeds" / "topics" / "gone.atom"
    stale.write_text("old", encoding="utf-8")
    before = os.stat(tmp_path / feeds.ISSUES_FEED).st_mtime_ns
    assert feeds.write_feeds(tmp_path, files) == []
    assert os.stat(tmp_path / feeds.ISSUES_FEED).st_mtime_ns == before
    assert not stale.exists()
    assert not list(tmp_path.rglob("*.tmp"))


# -- in a built site --------------------------------------------------------------------

ISSUE_1 = issue_page(
    1,
    "2020-01-10",
    """
    ## Managing Teams

    [Research: Informal Leadership Comes at a Cost](https://hbr.org/2021/09/informal-leadership) - Chia-Yen Chiu, Jennifer D. Nahrgang, HBR

    Supporting informal leaders on your team.
    """,
    subtitle="Informal leaders & more",
)

ISSUE_2 = issue_page(
    2,
    "2021-03-05",
    """
    ## Managing Teams

    [\\<script>alert(1)\\</script> & AT&T's tools](https://example.org/hostile) - Ada Lovelace, Evil \\<Corp> & Sons

    Hostile, but harmless & escaped.
    """,
)


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Site:
    root = tmp_path_factory.mktemp("feeds") / "site"
    root.mkdir()
    shutil.copy(ROOT / "conf.py", root / "conf.py")
    shutil.copy(ROOT / "pyproject.toml", root / "pyproject.toml")
    shutil.copytree(ROOT / "docs", root / "docs")
    (root / "issues").mkdir()
    with (root / "conf.py").open("a", encoding="utf-8") as conf:
        conf.write('\nhtml_baseurl = "https://kb.example.org/"\n')
    site = Site(root)
    site.write_issue(1, ISSUE_1)
    site.write_issue(2, ISSUE_2)
    _, warnings = site.build()
    assert "WARNING" not in warnings, warnings
    return site


def test_site_feeds_are_written_and_valid(built):
    out = built.out
    issues = parse((out / "feeds" / "issues.atom").read_text(encoding="utf-8"))
    check_rfc4287(issues)
    assert [i.find(f"{A}id").text for i in issues.findall(f"{A}entry")] == [
        BASE + "issues/0002.html",
        BASE + "issues/0001.html",
    ]
    assert issues.findall(f"{A}entry")[1].find(f"{A}summary").text == (
        "Informal leaders & more (1 entry)"
    )
    for path in (out / "feeds" / "topics").glob("*.atom"):
        check_rfc4287(parse(path.read_text(encoding="utf-8")))
    topic = parse((out / "feeds" / "topics" / "managing-teams.atom").read_text(encoding="utf-8"))
    hostile = topic.findall(f"{A}entry")[0]
    assert hostile.find(f"{A}title").text == "<script>alert(1)</script> & AT&T's tools"
    # every entry's link is an anchor that exists on the issue page
    for item in topic.findall(f"{A}entry"):
        href = item.find(f"{A}link").get("href")
        page, _, anchor = href.removeprefix(BASE).partition("#")
        assert f'id="{anchor}"' in built.html(page)


def test_home_and_topic_pages_announce_and_link_their_feeds(built):
    home = built.html("docs/index.html")
    head = home[: home.index("</head>")]
    assert re.search(
        r'<link rel="alternate" type="application/atom\+xml" '
        r'title="[^"]+: new issues" href="\.\./feeds/issues\.atom" />',
        head,
    )
    assert 'href="../feeds/issues.atom">Follow new issues (Atom feed)</a>' in home
    topic = built.html("docs/topics/managing-teams.html")
    head = topic[: topic.index("</head>")]
    assert (
        'type="application/atom+xml" title="Research Computing Teams KB: Managing Teams" '
        'href="../../feeds/topics/managing-teams.atom"' in head
    )
    assert 'href="../../feeds/topics/managing-teams.atom"' in topic[topic.index("</head>") :]
    # an issue page announces no feed
    assert "application/atom+xml" not in built.html("issues/0001.html")


def test_no_base_url_no_feeds_and_no_links(make_site):
    site = make_site({1: ISSUE_1})
    with (site.root / "conf.py").open("a", encoding="utf-8") as conf:
        conf.write('\nhtml_baseurl = ""\n')
    app, warnings = site.build()
    assert "WARNING" not in warnings, warnings
    assert not (site.out / "feeds").exists()
    assert "no Atom feeds, because html_baseurl is not an absolute URL" in app.status.getvalue()
    home = site.html("docs/index.html")
    assert "application/atom+xml" not in home
    assert "feeds/" not in home
    assert "feeds/" not in site.html("docs/topics/managing-teams.html")
    assert html.escape("Atom feed") not in home


def test_an_edit_remakes_only_the_feeds_that_show_it(make_site, monkeypatch):
    body = """
    ## Managing Teams

    [Informal leadership](https://hbr.org/2021/09/informal-leadership) - Chia-Yen Chiu, HBR

    Supporting informal leaders on your team.

    ## Research Software Development

    [Low-code contributions](https://labs.quansight.org/blog/low-code) - Isabela Presedo-Floyd, Quansight Labs

    Getting non-coders to contribute.
    """
    made: list[str] = []
    topic_feed, issues_feed = feeds.topic_feed, feeds.issues_feed

    def counted_topic_feed(catalogue, topic, site, **kwargs):
        made.append(topic.slug)
        return topic_feed(catalogue, topic, site, **kwargs)

    def counted_issues_feed(*args, **kwargs):
        made.append("issues")
        return issues_feed(*args, **kwargs)

    monkeypatch.setattr(feeds, "topic_feed", counted_topic_feed)
    monkeypatch.setattr(feeds, "issues_feed", counted_issues_feed)
    # made in this process, where the counts are (not in a process beside the writers)
    monkeypatch.setattr(datafiles, "usable_cpus", lambda: 1)
    site = make_site({1: issue_page(1, "2020-01-10", body)})
    with (site.root / "conf.py").open("a", encoding="utf-8") as conf:
        conf.write('\nhtml_baseurl = "https://kb.example.org/"\n')
    site.build()
    assert "issues" in made and "managing-teams" in made and "research-software" in made
    made.clear()
    edited = body.replace("on your team", "on every team you lead")
    site.write_issue(1, issue_page(1, "2020-01-10", edited))
    site.build()
    assert made == ["managing-teams"]  # the issues feed shows no commentary
    feeds_dir = site.out / "feeds"
    assert "on every team you lead" in (feeds_dir / "topics/managing-teams.atom").read_text()
    incremental = {p: p.read_text(encoding="utf-8") for p in feeds_dir.rglob("*.atom")}
    shutil.rmtree(feeds_dir)  # made again from scratch: the same files
    site.build()
    assert {p: p.read_text(encoding="utf-8") for p in feeds_dir.rglob("*.atom")} == incremental

    # commentary past the summaries: no feed shows it, no feed's source is looked at
    long_tail = " And more." * 30  # past the summary's 200 characters
    edited = edited.replace(
        "Getting non-coders to contribute.", "Getting non-coders in." + long_tail
    )
    site.write_issue(1, issue_page(1, "2020-01-10", edited))
    site.build()  # a new summary
    before = {p: p.read_text(encoding="utf-8") for p in feeds_dir.rglob("*.atom")}
    sources = count_calls(monkeypatch, feeds, "feed_sources")
    made.clear()
    site.write_issue(1, issue_page(1, "2020-01-10", edited.replace(long_tail, long_tail + " Yes.")))
    site.build()
    assert made == [] and sources == []
    assert {p: p.read_text(encoding="utf-8") for p in feeds_dir.rglob("*.atom")} == before
