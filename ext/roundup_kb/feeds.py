"""Atom feeds (RFC 4287): the newest issues, and the newest entries of each topic.

No Sphinx here: the feeds are built from a :class:`~roundup_kb.catalogue.Catalogue`
and a :class:`FeedSite` saying where the knowledge base is published.  Atom
needs absolute URLs, so feeds exist only for a site with a base URL.

Everything is deterministic (no "now"): a feed's ``updated`` is the date of its
newest issue, so rebuilding unchanged data writes byte-identical files, and
:func:`write_feeds` leaves such files alone.

Ids are the permalinks of what an element describes (the feed's own URL, an
issue page, an entry's anchor), which never change once published.
"""

from __future__ import annotations

import datetime as dt
import html
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Container, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple, Protocol
from urllib.parse import urljoin

from roundup_kb import __version__, permalinks
from roundup_kb.catalogue import Catalogue
from roundup_kb.files import write_if_changed
from roundup_kb.model import Issue, IssueMeta, Topic
from roundup_kb.parser import entry_summary

ATOM_NS = "http://www.w3.org/2005/Atom"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
ATOM_TYPE = "application/atom+xml"
#: feeds live here, relative to the site root
FEEDS_DIR = "feeds"
ISSUES_FEED = f"{FEEDS_DIR}/issues.atom"
TOPIC_FEEDS_DIR = f"{FEEDS_DIR}/topics"
#: entries per feed
LIMIT = 50

# characters XML 1.0 cannot hold at all, even escaped
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def topic_feed_path(slug: str) -> str:
    """Path of a topic's feed from the site root."""
    return f"{TOPIC_FEEDS_DIR}/{slug}.atom"


def default_page_uri(docname: str) -> str:
    """The path of a page from the site root, as the ``html`` builder writes it."""
    return f"{docname}.html"


@dataclass(frozen=True)
class FeedSite:
    """Where and how the knowledge base is published."""

    #: absolute URL of the site root, e.g. ``https://kb.example.org/``
    base_url: str
    title: str
    #: who writes the feeds (Atom requires an author for entries that have none)
    author: str
    language: str = "en"
    issues_dir: str = permalinks.ISSUES_DIR
    home_docname: str = "docs/index"
    #: docname -> path from the site root (the builder's target URI)
    page_uri: Callable[[str], str] = field(default=default_page_uri)
    #: topic slug -> docname of the topic page
    topic_docname: Callable[[str], str] = field(default=permalinks.topic_docname)

    def url(self, path: str) -> str:
        """An absolute URL from a path relative to the site root."""
        base = self.base_url if self.base_url.endswith("/") else self.base_url + "/"
        return urljoin(base, path)

    def page_url(self, docname: str, anchor: str = "") -> str:
        url = self.url(self.page_uri(docname))
        return f"{url}#{anchor}" if anchor else url

    def issue_url(self, number: int) -> str:
        return self.page_url(permalinks.issue_docname(number, self.issues_dir))

    def entry_url(self, entry: _Linked) -> str:
        return self.page_url(permalinks.issue_docname(entry.issue, self.issues_dir), entry.id)


def is_absolute_url(url: str) -> bool:
    """Whether ``url`` can be a feed's base: ``http(s)://host/...``."""
    return re.match(r"^https?://[^/\s]+", url or "") is not None


# -- text -------------------------------------------------------------------------------


def xml_text(text: str) -> str:
    """``text`` without the characters XML 1.0 cannot represent."""
    return _NOT_XML.sub("", text)


def timestamp(date: dt.date) -> str:
    """An RFC 3339 date-time for a day: midnight UTC."""
    return f"{date.isoformat()}T00:00:00Z"


class _Linked(Protocol):
    """What a feed needs of an entry to link to it and credit it."""

    id: str
    issue: int
    authors: tuple[str, ...]
    venue: str | None


def byline(entry: _Linked) -> str:
    """``Authors, Venue`` as the issue wrote them (either may be missing)."""
    return ", ".join([*entry.authors, *([entry.venue] if entry.venue else [])])


# -- elements ---------------------------------------------------------------------------


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, tag, {k: xml_text(v) for k, v in attrs.items()})
    if text is not None:
        element.text = xml_text(text)
    return element


def _feed(
    site: FeedSite,
    *,
    path: str,
    title: str,
    subtitle: str,
    alternate: str,
    updated: dt.date | None,
) -> ET.Element:
    feed = ET.Element("feed", {"xmlns": ATOM_NS, XML_LANG: site.language or "en"})
    _sub(feed, "id", site.url(path))
    _sub(feed, "title", title)
    if subtitle:
        _sub(feed, "subtitle", subtitle)
    _sub(feed, "updated", timestamp(updated or dt.date(1970, 1, 1)))
    _sub(feed, "link", rel="self", type=ATOM_TYPE, href=site.url(path))
    _sub(feed, "link", rel="alternate", type="text/html", href=alternate)
    author = _sub(feed, "author")
    _sub(author, "name", site.author or site.title)
    _sub(feed, "generator", "roundup-kb", version=__version__)
    return feed


def _serialize(feed: ET.Element) -> str:
    ET.indent(feed, space=" ")
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(feed, "unicode") + "\n"


def _newest(issues: Iterable[Issue]) -> list[Issue]:
    return sorted(issues, key=lambda i: (i.meta.date, i.meta.number), reverse=True)


class _Listed(NamedTuple):
    """An entry as the issues feed lists it: every field the feed reads."""

    line: int
    id: str
    issue: int
    title: str
    authors: tuple[str, ...]
    venue: str | None
    topic: str | None


class _Shown(NamedTuple):
    """An entry as a topic feed shows it: every field the feed reads."""

    id: str
    issue: int
    title: str
    url: str
    date: dt.date
    authors: tuple[str, ...]
    venue: str | None
    #: the start of the commentary (:func:`~roundup_kb.parser.entry_summary`)
    summary: str


def _issues_source(catalogue: Catalogue, limit: int) -> tuple[tuple[IssueMeta, tuple], ...]:
    """What the issues feed shows of the catalogue: the newest issues and their entries.

    The feed is made from this alone, so its digest changes exactly when the feed
    may (:func:`feed_sources`): an edit to commentary changes nothing here.
    """
    return tuple(
        (
            issue.meta,
            tuple(
                _Listed(e.line, e.id, e.issue, e.title, e.authors, e.venue, e.topic)
                for e in sorted(issue.entries, key=lambda e: (e.line, e.id))
            ),
        )
        for issue in _newest(catalogue.issues)[:limit]
    )


def _topic_source(catalogue: Catalogue, topic: Topic, limit: int) -> tuple:
    """What a topic's feed shows of the catalogue: the topic, its newest entries, and the
    date of the newest issue when it has none (the feed's ``updated``)."""
    entries = list(catalogue.by_topic.get(topic.slug, ()))[:limit]
    shown = tuple(
        _Shown(e.id, e.issue, e.title, e.url, e.date, e.authors, e.venue, entry_summary(e))
        for e in entries
    )
    return topic, shown, None if entries else _newest_date(catalogue)


def issue_content(
    entries: Iterable[_Listed], subtitle: str, site: FeedSite, topic_titles: dict[str, str]
) -> str:
    """An issue's entries as an HTML list (the feed escapes it as ``type="html"``)."""
    items = []
    for entry in entries:
        said = byline(entry)
        topic = topic_titles.get(entry.topic or "", "")
        items.append(
            f'<li><a href="{html.escape(site.entry_url(entry))}">{html.escape(entry.title)}</a>'
            + (f" — {html.escape(said)}" if said else "")
            + (f" <small>({html.escape(topic)})</small>" if topic else "")
            + "</li>"
        )
    head = f"<p>{html.escape(subtitle)}</p>" if subtitle else ""
    return head + (f"<ul>{''.join(items)}</ul>" if items else "<p>No entries.</p>")


def issues_feed(
    catalogue: Catalogue,
    site: FeedSite,
    topic_titles: dict[str, str] | None = None,
    *,
    limit: int = LIMIT,
) -> str:
    """The newest ``limit`` issues: title, date, link, subtitle and entry count, entry list."""
    newest = _issues_source(catalogue, limit)
    feed = _feed(
        site,
        path=ISSUES_FEED,
        title=f"{site.title}: new issues",
        subtitle="Each new issue of the newsletter, with the entries it links to.",
        alternate=site.page_url(site.home_docname),
        updated=newest[0][0].date if newest else None,
    )
    for meta, entries in newest:
        count = len(entries)
        element = _sub(feed, "entry")
        _sub(element, "id", site.issue_url(meta.number))
        _sub(element, "title", meta.title)
        _sub(element, "published", timestamp(meta.date))
        _sub(element, "updated", timestamp(meta.date))
        _sub(element, "link", rel="alternate", type="text/html", href=site.issue_url(meta.number))
        counted = f"{count} entr{'y' if count == 1 else 'ies'}"
        _sub(element, "summary", f"{meta.subtitle} ({counted})" if meta.subtitle else counted)
        _sub(
            element,
            "content",
            issue_content(entries, meta.subtitle, site, topic_titles or {}),
            type="html",
        )
    return _serialize(feed)


def topic_feed(
    catalogue: Catalogue,
    topic: Topic,
    site: FeedSite,
    *,
    limit: int = LIMIT,
) -> str:
    """The newest ``limit`` entries of one topic, each linking to its permalink here."""
    _, entries, newest_date = _topic_source(catalogue, topic, limit)
    feed = _feed(
        site,
        path=topic_feed_path(topic.slug),
        title=f"{site.title}: {topic.title}",
        subtitle=topic.description,
        alternate=site.page_url(site.topic_docname(topic.slug)),
        updated=entries[0].date if entries else newest_date,
    )
    for entry in entries:
        element = _sub(feed, "entry")
        _sub(element, "id", site.entry_url(entry))
        _sub(element, "title", entry.title)
        _sub(element, "published", timestamp(entry.date))
        _sub(element, "updated", timestamp(entry.date))
        _sub(element, "link", rel="alternate", type="text/html", href=site.entry_url(entry))
        _sub(element, "link", rel="related", href=entry.url)
        # the people who wrote the linked item; else the organisation that published it;
        # else nothing, and the feed's author (the knowledge base) applies
        for name in entry.authors or ((entry.venue,) if entry.venue else ()):
            author = _sub(element, "author")
            _sub(author, "name", name)
        summary = entry.summary or byline(entry)
        if summary:
            _sub(element, "summary", summary)
        _sub(
            element,
            "category",
            term=topic.slug,
            label=topic.title,
            scheme=site.page_url(site.topic_docname(topic.slug)),
        )
    return _serialize(feed)


def _newest_date(catalogue: Catalogue) -> dt.date | None:
    newest = _newest(catalogue.issues)
    return newest[0].meta.date if newest else None


def feed_sources(
    catalogue: Catalogue, topics: Iterable[Topic], *, limit: int = LIMIT
) -> dict[str, tuple]:
    """``{path from the site root: what that feed shows}`` of every feed of the site.

    A feed's text is a function of its source and the :class:`FeedSite`, so an
    incremental build remakes only the feeds whose source changed (an edit to one
    entry's commentary remakes its topic's feed, not every feed).
    """
    topics = tuple(topics)
    titles = {topic.slug: topic.title for topic in topics}
    sources: dict[str, tuple] = {ISSUES_FEED: (titles, _issues_source(catalogue, limit))}
    for topic in topics:
        sources[topic_feed_path(topic.slug)] = _topic_source(catalogue, topic, limit)
    return sources


def feed_files(
    catalogue: Catalogue,
    topics: Iterable[Topic],
    site: FeedSite,
    *,
    limit: int = LIMIT,
    only: Container[str] | None = None,
) -> dict[str, str]:
    """``{path from the site root: feed text}`` of every feed of the site (or those in ``only``)."""
    topics = tuple(topics)
    titles = {topic.slug: topic.title for topic in topics}
    files = {}
    if only is None or ISSUES_FEED in only:
        files[ISSUES_FEED] = issues_feed(catalogue, site, titles, limit=limit)
    for topic in topics:
        path = topic_feed_path(topic.slug)
        if only is None or path in only:
            files[path] = topic_feed(catalogue, topic, site, limit=limit)
    return files


def write_feeds(
    outdir: Path, files: dict[str, str], wanted: Iterable[str] | None = None
) -> list[str]:
    """Write ``files`` under ``outdir``; return the paths written.

    Each file is written to a temporary name and renamed, so a reader never sees
    half a feed; unchanged files are not touched; topic feeds no longer wanted
    (a topic was removed from the registry) are deleted.  ``wanted``: every feed
    of the site, when ``files`` holds only the feeds that had to be made again.
    """
    written = []
    for relpath, text in sorted(files.items()):
        if write_if_changed(outdir / relpath, text):
            written.append(relpath)
    keep = set(files if wanted is None else wanted)
    stale_dir = outdir / TOPIC_FEEDS_DIR
    if stale_dir.is_dir():
        for path in stale_dir.glob("*.atom"):
            if path.relative_to(outdir).as_posix() not in keep:
                path.unlink()
    return written
