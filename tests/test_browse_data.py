"""The browse page's data and page, without a browser: excerpts, browse.json, browse.html."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest

from conftest import issue_page
from roundup_kb.browse import BROWSE_VERSION, browse_json
from roundup_kb.catalogue import Catalogue
from roundup_kb.model import Entry, Issue, IssueMeta
from roundup_kb.names import NameRegistry
from roundup_kb.parser import SUMMARY_CHARS, excerpt
from roundup_kb.topics import TopicRegistry


def test_excerpt_drops_markup_and_cuts_at_a_word():
    source = "See *this* [post](https://example.org/x) and `code` <b>now</b>.\n\nSecond &amp; last."
    assert excerpt(source, SUMMARY_CHARS) == "See this post and code now. Second & last."
    long = "word " * 100
    cut = excerpt(long, 42)
    assert cut.endswith("…") and len(cut) <= 43
    assert cut[:-1] == cut[:-1].rstrip() and cut[:-1].split() == ["word"] * 8
    assert excerpt("   ", SUMMARY_CHARS) == ""
    assert excerpt("x" * 300, 50) == "x" * 50 + "…"  # no space to cut at


def _entry(issue, line, title, url, **kw):
    date = dt.date(2020 + issue, 1, 1)
    return Entry(
        id=f"rct{issue}-{line}", issue=issue, date=date, title=title, url=url, line=line, **kw
    )


def test_browse_json_uses_index_names_and_is_newest_first():
    topics = TopicRegistry.from_data(
        {"topics": [{"slug": "managing-teams", "title": "Managing Teams", "kind": "article"}]}
    )
    names = NameRegistry.from_data({"people": [{"name": "Jane Doe", "aliases": ["J. Doe"]}]})
    first = _entry(
        1,
        3,
        "A",
        "https://a.example/a",
        authors=("Jane Doe",),
        venue="HBR",
        topic="managing-teams",
        commentary="Hello *there*.",
    )
    second = _entry(
        2,
        5,
        "B",
        "https://b.example/b",
        authors=("J. Doe", "Sam Roe"),
        kind="event",
        topic="gone-topic",
    )
    issues = [
        Issue(IssueMeta(1, "#1", first.date), "issues/0001.md", (first,)),
        Issue(IssueMeta(2, "#2", second.date), "issues/0002.md", (second,)),
    ]
    data = browse_json(Catalogue.build(issues, topics, names), topics)
    assert data["version"] == BROWSE_VERSION
    assert [e["id"] for e in data["entries"]] == ["rct2-5", "rct1-3"]
    assert data["topics"] == [["managing-teams", "Managing Teams"], ["gone-topic", "gone-topic"]]
    authors = dict(data["authors"])
    assert authors == {"jane-doe": "Jane Doe", "sam-roe": "Sam Roe"}
    newest, oldest = data["entries"]
    # "J. Doe" is the registry's Jane Doe: one facet value for both spellings
    assert [data["authors"][i][0] for i in newest["authors"]] == ["jane-doe", "sam-roe"]
    assert [data["authors"][i][0] for i in oldest["authors"]] == ["jane-doe"]
    assert newest["venue"] is None and data["venues"][oldest["venue"]][1] == "HBR"
    assert oldest["permalink"] == "issues/0001.html#rct1-3"
    assert oldest["excerpt"] == "Hello there."
    assert newest["kind"] == "event" and newest["date"] == "2022-01-01"


ISSUE = issue_page(
    7,
    "2021-05-07",
    """
    ## Managing Teams

    [Remote one-on-ones that work](https://example.org/remote-1on1) - Jennifer D. Nahrgang, HBR

    More about the *one-on-one*.
    """,
)


@pytest.mark.sphinx
def test_build_writes_browse_page_and_data(make_site):
    site = make_site({7: ISSUE})
    _, warnings = site.build()
    assert warnings == ""
    data = json.loads((site.out / "browse.json").read_text(encoding="utf-8"))
    assert [e["title"] for e in data["entries"]] == ["Remote one-on-ones that work"]
    assert data["entries"][0]["excerpt"] == "More about the one-on-one."
    page = site.html("browse.html")
    match = re.search(r'data-src="browse\.json\?v=([0-9a-f]{12})"', page)
    assert match, "the page points at its data with a content hash"
    assert re.search(r'<script defer="defer" src="_static/roundup-browse\.js\?v=', page)
    assert "_static/roundup-browse.css" in page
    assert "<legend>Author</legend>" in page and 'for="rb-q"' in page
    assert 'role="status"' in page
    assert "roundup-browse.js" not in site.html("issues/0007.html")  # only on its own page
    # other pages link to it with {ref}`roundup-browse`
    assert re.search(r'href="\.\./browse\.html"', site.html("docs/index.html"))
    # a rebuild of the same content keeps the same data version
    site.build()
    assert match.group(0) in site.html("browse.html")
    assert "Filter all 1 entries" in site.html("browse.html")

    # an entry more: new data, a new version, the count the file has (the page is
    # rendered here while the file may be made in another process)
    site.write_issue(7, ISSUE + "\n[A second link](https://example.org/two) - Ann Bo, Venue\n")
    site.build()
    data = json.loads((site.out / "browse.json").read_text(encoding="utf-8"))
    page = site.html("browse.html")
    again = re.search(r'data-src="browse\.json\?v=([0-9a-f]{12})"', page)
    assert again and again.group(1) != match.group(1)
    assert len(data["entries"]) == 2 and "Filter all 2 entries" in page
    site.build()  # nothing changed: the count is read from what the file was made with
    assert again.group(0) in site.html("browse.html")
    assert "Filter all 2 entries" in site.html("browse.html")
