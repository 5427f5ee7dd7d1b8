"""The data of the browse page: ``browse.json``, a compact index for filtering in the browser.

``entries.json`` is the full export for other tools; the browse page needs less
per entry and must load fast on thousands of entries, so it gets its own file::

    {
      "version": 1,
      "topics":  [[slug, title], ...],      # registry order
      "kinds":   ["article", ...],
      "authors": [[slug, name], ...],       # sorted by slug
      "venues":  [[slug, name], ...],       # sorted by slug
      "entries": [
        {"id", "title", "permalink", "url", "issue", "date", "kind",
         "topic" (slug or null), "authors" ([index into authors]),
         "venue" (index into venues or null), "excerpt"},
        ...                                   # newest issue first
      ]
    }

Authors and venues are the catalogue's index names (registry spellings, one per
person or outlet), so a facet value is the same person however an issue wrote
the name.  ``excerpt`` is the commentary as plain text, cut at a word boundary.
"""

from __future__ import annotations

from typing import Any

from roundup_kb.catalogue import Catalogue
from roundup_kb.model import KINDS
from roundup_kb.parser import entry_summary
from roundup_kb.permalinks import entry_permalink
from roundup_kb.topics import TopicRegistry

#: the version of the ``browse.json`` format
BROWSE_VERSION = 1


def browse_json(
    catalogue: Catalogue, topics: TopicRegistry, *, issues_dir: str = "issues"
) -> dict[str, Any]:
    """The ``browse.json`` document for ``catalogue``; see the module docstring."""
    people, venues = catalogue.directories["author"], catalogue.directories["venue"]
    author_slugs = sorted(people.names)
    venue_slugs = sorted(venues.names)
    author_index = {slug: i for i, slug in enumerate(author_slugs)}
    venue_index = {slug: i for i, slug in enumerate(venue_slugs)}
    topic_pairs = [[t.slug, t.title] for t in topics.topics]
    known_topics = {t.slug for t in topics.topics}
    for slug in sorted({e.topic for e in catalogue.entries.values() if e.topic} - known_topics):
        topic_pairs.append([slug, slug])  # an entry's topic left the registry: still filterable
    records = []
    for entry in catalogue.newest_first():
        authors: list[int] = []
        for name in entry.authors:
            index = author_index.get(people.slug(name))
            if index is not None and index not in authors:
                authors.append(index)
        venue = venue_index.get(venues.slug(entry.venue)) if entry.venue else None
        records.append(
            {
                "id": entry.id,
                "title": entry.title,
                "permalink": entry_permalink(entry.issue, entry.id, issues_dir),
                "url": entry.url,
                "issue": entry.issue,
                "date": entry.date.isoformat(),
                "kind": entry.kind,
                "topic": entry.topic,
                "authors": authors,
                "venue": venue,
                "excerpt": entry_summary(entry),
            }
        )
    return {
        "version": BROWSE_VERSION,
        "topics": topic_pairs,
        "kinds": list(KINDS),
        "authors": [[slug, people.names[slug]] for slug in author_slugs],
        "venues": [[slug, venues.names[slug]] for slug in venue_slugs],
        "entries": records,
    }
