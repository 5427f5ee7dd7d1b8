"""The typed model of a newsletter knowledge base.

Plain frozen dataclasses with no behaviour beyond derived properties: the parser
builds them from Markdown, the catalogue aggregates them, exports serialise them
and the Sphinx adapter renders them.  Nothing here imports Sphinx.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, fields
from typing import TypeVar

from roundup_kb.urls import normalize_url

_T = TypeVar("_T")


def pickled_by_fields(cls: type[_T]) -> type[_T]:
    """Make instances of a frozen, slotted dataclass pickle as their field values.

    The pickling that ``dataclass(slots=True)`` generates looks the fields up for
    every object; a build pickles and unpickles hundreds of thousands of entries
    (the environment, the pre-scan cache), where that lookup alone took seconds.
    """
    names = tuple(f.name for f in fields(cls))  # type: ignore[arg-type]

    def __reduce__(self):
        return cls, tuple([getattr(self, name) for name in names])

    cls.__reduce__ = __reduce__  # type: ignore[method-assign, assignment]
    return cls


def _derive_url_key(self) -> None:
    """``__post_init__`` of the classes with a derived ``url_key`` field."""
    if not self.url_key:
        object.__setattr__(self, "url_key", normalize_url(self.url))


#: Entry kinds.  ``article`` is anything read or watched (posts, papers, videos,
#: podcasts); ``tool`` is software or a service introduced by prose rather than
#: by an attribution; ``event`` a meeting, course or webinar; ``call`` a call for
#: papers, proposals or participation; ``job`` a job listing.
KINDS = ("article", "tool", "event", "call", "job")


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class IssueMeta:
    """What the front matter of one issue page says."""

    number: int
    title: str
    date: dt.date
    subtitle: str | None = None

    @property
    def slug(self) -> str:
        """File stem and docname stem of the issue page, e.g. ``0094``."""
        return f"{self.number:04d}"


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class Entry:
    """One link item: the link that leads a paragraph or line, and what is said of it."""

    #: stable id, unique in the knowledge base; also the anchor and the BibTeX key
    id: str
    issue: int
    date: dt.date
    title: str
    url: str
    #: person names, normalized for display
    authors: tuple[str, ...] = ()
    #: outlet, publisher, organization or employer
    venue: str | None = None
    #: event and job text: dates, place, cost
    details: str | None = None
    kind: str = "article"
    #: topic slug from the topic registry; ``None`` outside roundup sections
    topic: str | None = None
    #: the heading the item sits under, as written
    section: str | None = None
    #: 1-based source line of the item in the issue page
    line: int = 0
    #: the attribution text after the link, as written (markup stripped)
    attribution: str = ""
    #: commentary as Markdown source, up to the next item, thematic break or heading
    commentary: str = ""
    #: the attribution abbreviated the author list with "et al."
    et_al: bool = False
    #: id of the first entry of the group sharing this commentary (``<br/>``-grouped
    #: lines, adjacent item paragraphs); the entry's own id when it stands alone
    group: str | None = None
    #: the commentary as plain text, cut at a word boundary after at most
    #: ``parser.SUMMARY_CHARS`` characters (made once, when the page is parsed)
    summary: str = ""
    #: :func:`~roundup_kb.urls.normalize_url` of ``url``: derived, never passed (it
    #: is a field so that pickles carry it and unpickling does not normalize again)
    url_key: str = field(default="", compare=False, repr=False)

    __post_init__ = _derive_url_key


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class Mention:
    """An external link in an issue that does not lead a link item."""

    issue: int
    url: str
    text: str
    line: int
    #: the entry whose commentary holds the link, if any
    entry: str | None = None
    topic: str | None = None
    #: :func:`~roundup_kb.urls.normalize_url` of ``url`` (derived, as ``Entry.url_key``)
    url_key: str = field(default="", compare=False, repr=False)

    __post_init__ = _derive_url_key


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class Issue:
    """One parsed issue page."""

    meta: IssueMeta
    path: str
    entries: tuple[Entry, ...] = ()
    mentions: tuple[Mention, ...] = ()
    #: (line, heading text) of each section heading, in order
    sections: tuple[tuple[int, str], ...] = ()


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class Topic:
    """A canonical topic of the registry."""

    slug: str
    title: str
    description: str = ""
    #: the kind that entries in this topic default to (``event`` for Events, ...)
    kind: str = "article"
    aliases: tuple[str, ...] = ()
    #: key terms contributors define for the topic glossary: term -> definition
    terms: dict[str, str] = field(default_factory=dict)
