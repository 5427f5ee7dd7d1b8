"""Exports: the versioned ``entries.json`` contract other tools can rely on.

Version 1 holds one object per entry with exactly these keys, in this order::

    id, permalink, issue, date, title, url, authors, venue, details, kind, topic, line

Entries are sorted by issue number, then source line.  ``permalink`` is relative
(``issues/0094.html#rct94-...``) unless a base URL is given.  A new key or a
changed meaning bumps ``version``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from roundup_kb.catalogue import Catalogue
from roundup_kb.model import Entry

#: the version of the ``entries.json`` format
ENTRIES_VERSION = 1

ENTRY_KEYS = (
    "id",
    "permalink",
    "issue",
    "date",
    "title",
    "url",
    "authors",
    "venue",
    "details",
    "kind",
    "topic",
    "line",
)


def permalink(entry: Entry, base_url: str | None = None, *, issues_dir: str = "issues") -> str:
    """Where an entry lives: ``issues/NNNN.html#<id>``, absolute when a base is given."""
    path = f"{issues_dir.strip('/')}/{entry.issue:04d}.html#{entry.id}"
    return f"{base_url.rstrip('/')}/{path}" if base_url else path


def entry_record(
    entry: Entry, base_url: str | None = None, *, issues_dir: str = "issues"
) -> dict[str, Any]:
    """One entry as a JSON-ready mapping with the version-1 keys, in order."""
    return {
        "id": entry.id,
        "permalink": permalink(entry, base_url, issues_dir=issues_dir),
        "issue": entry.issue,
        "date": entry.date.isoformat(),
        "title": entry.title,
        "url": entry.url,
        "authors": list(entry.authors),
        "venue": entry.venue,
        "details": entry.details,
        "kind": entry.kind,
        "topic": entry.topic,
        "line": entry.line,
    }


def entries_json(
    source: Catalogue | Iterable[Entry], base_url: str | None = None, *, issues_dir: str = "issues"
) -> dict[str, Any]:
    """The ``entries.json`` document: ``{"version": 1, "entries": [...]}``.

    ``source`` is a :class:`Catalogue` or any iterable of entries.

    ``issues_dir`` is the site directory of the issue pages (``issues`` by default).
    """
    entries = source.entries.values() if isinstance(source, Catalogue) else source
    ordered = sorted(entries, key=lambda e: (e.issue, e.line, e.id))
    return {
        "version": ENTRIES_VERSION,
        "entries": [entry_record(entry, base_url, issues_dir=issues_dir) for entry in ordered],
    }


def json_compact(value: Any) -> str:
    """One record of :func:`json_text`: compact, by the json module's C encoder."""
    return json.dumps(value, ensure_ascii=False, separators=(", ", ": "))


def _block(items: list[str], opening: str, closing: str, depth: int) -> str:
    if not items:
        return opening + closing
    inner = " " * (depth + 1)
    return f"{opening}\n{inner}" + f",\n{inner}".join(items) + f"\n{' ' * depth}{closing}"


def json_list_text(records: list[str]) -> str:
    """:func:`json_text` of a list whose elements are already :func:`json_compact` text."""
    return _block(records, "[", "]", 0) + "\n"


def json_text(data: Any) -> str:
    """``data`` as JSON text with one line per record: readable, diffable, and fast.

    A list, or a dict whose values include lists, gets one element per line;
    every element is written compactly by the json module's C encoder
    (``indent`` would select its pure-Python encoder, several times slower
    on a site's tens of thousands of entries).  The text parses to ``data``.
    """

    def lines(value: Any, depth: int) -> str:
        if isinstance(value, list):
            return _block([json_compact(item) for item in value], "[", "]", depth)
        return json_compact(value)

    if isinstance(data, dict):
        body = [f"{json_compact(str(key))}: {lines(value, 1)}" for key, value in data.items()]
        return _block(body, "{", "}", 0) + "\n"
    return lines(data, 0) + "\n"
