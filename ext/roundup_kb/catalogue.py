"""The catalogue: every parsed issue's entries and mentions, indexed for the site.

Built once from parsed issues; everything in it is ordered deterministically so
that two builds of the same input render identical pages:

* entries by id (issue, then source line);
* by topic: issues newest first, entries in issue order (also as :class:`IssueGroup`);
* by author and by venue (keyed by slug, sorted by slug; entries newest first);
* the same link featured in other issues (:meth:`Catalogue.also_featured`);
* mentions by normalized URL.

Names that differ only in case, spacing or punctuation ("HPC Wire", "HPCWire")
share one index page; the registry's canonical spelling, else the most used
variant, is displayed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from bisect import bisect_right
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property

from roundup_kb import permalinks
from roundup_kb.model import Entry, Issue, Mention
from roundup_kb.names import NameRegistry, name_key, slugify
from roundup_kb.problems import Problem
from roundup_kb.topics import TopicRegistry
from roundup_kb.urls import normalize_url


@dataclass(frozen=True, slots=True)
class IssueGroup:
    """The entries of one issue within a listing (a topic page, say)."""

    issue: int
    date: dt.date
    entries: tuple[Entry, ...]


@dataclass(frozen=True, slots=True)
class NameIndex:
    """One author or venue: its page slug, display name, spellings seen and entries."""

    slug: str
    name: str
    #: every spelling found on entries (after the registry's canonical names), sorted
    variants: tuple[str, ...]
    #: newest first
    entries: tuple[Entry, ...]


@dataclass(frozen=True, slots=True)
class NameDirectory:
    """Where the names of one kind (authors or venues) lead: what a page needs to link a
    name to its index entry, without the indexes' entry lists."""

    #: name key (:func:`~roundup_kb.names.name_key`) of every spelling seen -> its slug
    slugs: dict[str, str]
    #: slug -> display name
    names: dict[str, str]

    @classmethod
    def of(cls, indexes: Mapping[str, NameIndex]) -> NameDirectory:
        return cls(
            {
                name_key(variant): index.slug
                for index in indexes.values()
                for variant in index.variants
            },
            {slug: index.name for slug, index in indexes.items()},
        )

    def slug(self, name: str) -> str:
        """The slug of ``name`` as written in an entry (its own slug when not indexed)."""
        return self.slugs.get(name_key(name), slugify(name))


def _newest_first(entry: Entry) -> tuple:
    return (-entry.date.toordinal(), -entry.issue, entry.line, entry.id)


def _in_order(entry: Entry) -> tuple:
    return (entry.issue, entry.line, entry.id)


def term_pattern(term: str) -> re.Pattern[str]:
    """What counts as using ``term``: the term as a word, in any case."""
    return re.compile(rf"(?<!\w){re.escape(term.strip())}(?!\w)", re.IGNORECASE)


#: the characters besides ``x`` and ``X`` that ``re.IGNORECASE`` matches with an ASCII
#: letter ``x``: folded to it before ``str.lower`` (which would make "İ" two characters),
#: so that a term of ASCII letters is found in the folded text wherever it matches
_ASCII_FOLD = str.maketrans({"\u0130": "i", "\u0131": "i", "\u017f": "s", "\u212a": "k"})
_FOLDED_APART = re.compile("[\u0130\u0131\u017f\u212a]")


def _fold(text: str) -> str:
    """``text`` as :meth:`Catalogue.mentioning` looks for ASCII terms in it."""
    if _FOLDED_APART.search(text):  # rare: translate is slow on long text
        text = text.translate(_ASCII_FOLD)
    return text.lower()


def _is_word(char: str) -> bool:
    """Whether ``re``'s ``\\w`` matches ``char`` (in a str pattern)."""
    return char.isalnum() or char == "_"


def _word_hits(text: str, starts: Sequence[int], needle: str) -> Iterator[int]:
    """Which texts of ``text`` (several joined, each starting at ``starts``) hold
    ``needle`` standing as a word, by index, in order.

    A quick pre-filter of the folded text (:func:`_fold`) before the pattern: short
    terms such as "IC" are inside many words, and most terms in none of a page's.
    """
    at = text.find(needle)
    while at != -1:
        end = at + len(needle)
        if (at and _is_word(text[at - 1])) or (end < len(text) and _is_word(text[end])):
            at = text.find(needle, at + 1)
            continue
        index = bisect_right(starts, at) - 1
        yield index
        if index + 1 == len(starts):
            return
        at = text.find(needle, starts[index + 1])


def _joined(parts: Sequence[str]) -> tuple[str, list[int]]:
    """``parts`` joined by NUL (which no term holds), and where each starts."""
    starts = []
    offset = 0
    for part in parts:
        starts.append(offset)
        offset += len(part) + 1
    return "\0".join(parts), starts


def mentions(pattern: re.Pattern[str], entry: Entry) -> bool:
    """Whether the entry's title or commentary uses the term of :func:`term_pattern`."""
    return bool(pattern.search(entry.title) or pattern.search(entry.commentary))


def terms_mentioned(entries: Sequence[Entry], terms: Iterable[str]) -> dict[str, tuple[str, ...]]:
    """``{term: ids of the entries that use it}`` (as :func:`mentions`), for the terms used.

    Made once per issue page when it is read, so that the glossary's lists
    (:meth:`Catalogue.mentioning`) need not look for every term in every entry
    of the site again whenever one issue changes.  Terms are keyed as given, stripped.
    """
    page, starts = _joined([_fold(f"{e.title}\n{e.commentary}") for e in entries])
    found: dict[str, tuple[str, ...]] = {}
    for term in terms:
        needle = term.strip().lower()
        if not needle:
            continue
        pattern = term_pattern(term)
        # an ASCII term the pattern finds stands as a word in the folded text (see _fold)
        candidates = _word_hits(page, starts, needle) if needle.isascii() else range(len(entries))
        ids = tuple(entries[i].id for i in candidates if mentions(pattern, entries[i]))
        if ids:
            found[term.strip()] = ids
    return found


@dataclass(frozen=True, slots=True)
class Backlinks:
    """What an issue page's "also in" and "mentioned in" lines need of a catalogue.

    An issue page shows, after each entry, the other issues that feature its link
    or mention it in passing.  Answering needs every issue's links, not their
    authors, topics or text: this is small enough to keep between builds, so an
    issue page written alone (an edit) need not build the catalogue for it.
    Made by :meth:`of`, it answers as the catalogue it was made from.
    """

    #: entry id -> its issue, for the entries the catalogue holds
    issue_of: dict[str, int]
    #: entry id -> :meth:`Catalogue.featured_elsewhere`, where not empty
    featured: dict[str, tuple[tuple[int, str], ...]]
    #: normalized URL -> the issues mentioning it, in order
    mentioned: dict[str, tuple[int, ...]]

    @classmethod
    def of(cls, catalogue: Catalogue) -> Backlinks:
        featured = {}
        for entry_id in catalogue.entries:
            found = catalogue.featured_elsewhere(entry_id)
            if found:
                featured[entry_id] = tuple(found)
        mentioned = {
            url: tuple(sorted({mention.issue for mention in found}))
            for url, found in catalogue.mentions_by_url.items()
        }
        issue_of = {entry_id: entry.issue for entry_id, entry in catalogue.entries.items()}
        return cls(issue_of, featured, mentioned)

    def also(self, entry_id: str, url: str) -> tuple[list[tuple[int, str]], list[int]]:
        """``(featured, mentioned)`` for an entry: ``(issue, entry id)`` of the same link
        in other issues, oldest first, and the numbers of the other issues (neither
        the entry's nor those) that mention ``url``."""
        featured = list(self.featured.get(entry_id, ()))
        here = self.issue_of.get(entry_id)
        skip = {number for number, _ in featured} | ({here} if here is not None else set())
        mentioned = sorted(set(self.mentioned.get(normalize_url(url), ())) - skip)
        return featured, mentioned


def links_digest(number: int, entries: Iterable[Entry], mentions: Iterable[Mention]) -> str:
    """A digest of what :class:`Backlinks` takes from one issue: its number, its entries'
    ids and normalized URLs in catalogue order, the URLs it mentions."""
    ordered = [(entry.id, entry.url_key) for entry in sorted(entries, key=_in_order)]
    urls = sorted({mention.url_key for mention in mentions})
    return hashlib.sha1(repr((number, ordered, urls)).encode("utf-8")).hexdigest()


def _by_page(
    indexes: dict[str, NameIndex],
    page_of: Callable[[str], str],
    sort_key: Callable[[str], tuple[str, str]],
) -> dict[str, tuple[str, ...]]:
    """The slugs of ``indexes`` grouped by the page of each one's name, sorted there."""
    pages: dict[str, list[str]] = defaultdict(list)
    for slug, index in indexes.items():
        pages[page_of(index.name)].append(slug)
    return {
        page: tuple(sorted(slugs, key=lambda slug: sort_key(indexes[slug].name)))
        for page, slugs in sorted(pages.items())
    }


class Catalogue:
    """Entries, mentions and their indexes across all issues."""

    def __init__(
        self,
        issues: tuple[Issue, ...],
        entries: dict[str, Entry],
        mentions: tuple[Mention, ...],
        problems: list[Problem],
        topics: TopicRegistry,
        names: NameRegistry,
    ) -> None:
        #: the issues, by number
        self.issues = issues
        #: every entry by id, in issue and line order
        self.entries = entries
        #: every mention, in issue and line order
        self.mentions = mentions
        #: duplicate entry ids found while building
        self.problems = problems
        self._topics = topics
        self._names = names
        #: term -> ids of the entries that use it (see index_terms)
        self._term_index: dict[str, set[str]] = {}
        self._newest: tuple[Entry, ...] | None = None
        self._by_url: dict[str, list[Entry]] = defaultdict(list)
        for entry in entries.values():
            self._by_url[entry.url_key].append(entry)
        mentions_by_url: dict[str, list[Mention]] = defaultdict(list)
        for mention in mentions:
            mentions_by_url[mention.url_key].append(mention)
        #: normalized URL -> mentions of it, in issue and line order
        self.mentions_by_url: dict[str, tuple[Mention, ...]] = {
            url: tuple(found) for url, found in sorted(mentions_by_url.items())
        }

    # The indexes by topic, author and venue are made when first asked for: a page
    # that shows none of them (an issue page written alone, after an edit) does not
    # wait for them.  :meth:`complete` makes them all (before ``-j N`` forks writers).

    @cached_property
    def _topic_groups(self) -> dict[str, tuple[IssueGroup, ...]]:
        grouped: dict[str, dict[int, list[Entry]]] = {t.slug: {} for t in self._topics.topics}
        for entry in self.entries.values():
            if entry.topic is not None:
                grouped.setdefault(entry.topic, {}).setdefault(entry.issue, []).append(entry)
        return {
            slug: tuple(
                IssueGroup(number, group[0].date, tuple(sorted(group, key=_in_order)))
                for number, group in sorted(
                    issues_of.items(), key=lambda kv: (-kv[1][0].date.toordinal(), -kv[0])
                )
            )
            for slug, issues_of in grouped.items()
        }

    @cached_property
    def by_topic(self) -> dict[str, tuple[Entry, ...]]:
        """Topic slug -> its entries, newest issue first, in issue order within an issue
        (so each issue's entries are contiguous); every registered topic is a key."""
        return {
            slug: tuple(entry for group in groups for entry in group.entries)
            for slug, groups in self._topic_groups.items()
        }

    @cached_property
    def authors(self) -> dict[str, NameIndex]:
        """Author slug -> index, sorted by slug."""
        names = self._names
        return _name_indexes(
            ((author, entry) for entry in self.entries.values() for author in entry.authors),
            names.is_person,
            names.person,
        )

    @cached_property
    def venues(self) -> dict[str, NameIndex]:
        """Venue slug -> index, sorted by slug."""
        names = self._names
        return _name_indexes(
            ((entry.venue, entry) for entry in self.entries.values() if entry.venue),
            names.is_venue,
            names.venue,
        )

    @cached_property
    def author_pages(self) -> dict[str, tuple[str, ...]]:
        """A-Z page (:func:`~roundup_kb.permalinks.author_docname`) -> the slugs of the
        authors it lists, by family name then name."""
        return _by_page(
            self.authors,
            permalinks.author_docname,
            lambda name: (slugify(permalinks.family_name(name)), slugify(name)),
        )

    @cached_property
    def venue_pages(self) -> dict[str, tuple[str, ...]]:
        """A-Z page (:func:`~roundup_kb.permalinks.venue_docname`) -> the slugs of the
        venues it lists, by name less a leading "The", then name."""
        return _by_page(
            self.venues,
            permalinks.venue_docname,
            lambda name: (permalinks.sort_name(name), slugify(name)),
        )

    @cached_property
    def directories(self) -> dict[str, NameDirectory]:
        """``{"author": ..., "venue": ...}``: where each name leads.

        Made from the indexes unless :meth:`preset_directories` gave them."""
        return {"author": NameDirectory.of(self.authors), "venue": NameDirectory.of(self.venues)}

    def preset_directories(self, directories: dict[str, NameDirectory]) -> None:
        """Use ``directories`` saved from a catalogue of the same entries' names.

        They depend on every entry's id, issue, line, authors and venue, and the
        name registry: a caller that knows those are unchanged since it saved them
        spares a page that only links names (an issue page) making the indexes.
        """
        self.__dict__["directories"] = directories

    def complete(self) -> Catalogue:
        """Make every index now (see above); returns the catalogue."""
        for name in ("by_topic", "authors", "venues", "directories", "author_pages", "venue_pages"):
            getattr(self, name)
        return self

    @classmethod
    def build(
        cls, issues: Iterable[Issue], topics: TopicRegistry, names: NameRegistry
    ) -> Catalogue:
        """Index parsed issues.  Entries with an id seen before are skipped and reported."""
        ordered = tuple(sorted(issues, key=lambda issue: (issue.meta.number, issue.path)))
        entries: dict[str, Entry] = {}
        problems: list[Problem] = []
        for issue in ordered:
            for entry in sorted(issue.entries, key=_in_order):
                if entry.id in entries:
                    first = entries[entry.id]
                    problems.append(
                        Problem(
                            "duplicate_entry",
                            f"entry id {entry.id!r} is already used by issue {first.issue} "
                            f"line {first.line}",
                            issue.path,
                            entry.line,
                            hint="two pages claim the same issue number; "
                            "give each issue page a unique 'number'",
                        )
                    )
                    continue
                entries[entry.id] = entry

        mentions = tuple(
            sorted(
                (m for issue in ordered for m in issue.mentions),
                key=lambda m: (m.issue, m.line, m.url),
            )
        )
        return cls(ordered, entries, mentions, problems, topics, names)

    # -- lookups -------------------------------------------------------------

    def also_featured(self, entry: Entry) -> list[Entry]:
        """Entries for the same link (normalized URL) in other issues, oldest first."""
        return [
            other
            for other in sorted(self._by_url.get(entry.url_key, ()), key=_in_order)
            if other.issue != entry.issue
        ]

    def mentions_of(self, url: str) -> tuple[Mention, ...]:
        """Mentions of ``url`` (compared normalized) anywhere in the issues."""
        return self.mentions_by_url.get(normalize_url(url), ())

    def topic_groups(self, slug: str) -> tuple[IssueGroup, ...]:
        """A topic's entries grouped by issue, newest issue first."""
        return self._topic_groups.get(slug, ())

    def newest_first(self) -> list[Entry]:
        """Every entry, newest issue first, in issue order within an issue."""
        if self._newest is None:
            self._newest = tuple(sorted(self.entries.values(), key=_newest_first))
        return list(self._newest)

    def featured_elsewhere(self, entry_id: str) -> list[tuple[int, str]]:
        """``(issue number, entry id)`` of the same link in other issues, oldest first."""
        entry = self.entries.get(entry_id)
        if entry is None:
            return []
        return [(other.issue, other.id) for other in self.also_featured(entry)]

    def index_terms(
        self, terms: Iterable[str], per_issue: Iterable[Mapping[str, Iterable[str]]]
    ) -> None:
        """Have :meth:`mentioning` answer for ``terms`` from :func:`terms_mentioned` of
        every issue (``per_issue``, made for at least those terms), not from the text.

        Ignored when the catalogue left out an entry whose id another entry has:
        an id would then not say which of the two uses the term.
        """
        if sum(len(issue.entries) for issue in self.issues) != len(self.entries):
            return
        index: dict[str, set[str]] = {term.strip(): set() for term in terms}
        for found in per_issue:
            for term, ids in found.items():
                if term in index:
                    index[term].update(ids)
        if all(i in self.entries for ids in index.values() for i in ids):
            self._term_index = index

    def mentioning(self, term: str) -> list[Entry]:
        """Entries whose title or commentary uses ``term`` as a word (any case), newest first."""
        if not term.strip():
            return []
        ids = self._term_index.get(term.strip())
        if ids is not None:
            return sorted((self.entries[i] for i in ids), key=_newest_first)
        pattern = term_pattern(term)
        needle = term.strip().lower()
        if not needle.isascii():
            return [entry for entry in self.newest_first() if mentions(pattern, entry)]
        entries, text, starts = self._folded_text()
        hits = (entries[index] for index in _word_hits(text, starts, needle))
        return [entry for entry in hits if mentions(pattern, entry)]

    def _folded_text(self) -> tuple[list[Entry], str, list[int]]:
        """(entries newest first, their titles and commentary folded as ``re`` folds them
        for an ASCII term (:func:`_fold`) in one string, where each entry's text
        starts in it)."""
        found = self.__dict__.get("_folded")
        if found is None:
            entries = self.newest_first()
            text, starts = _joined([_fold(f"{e.title}\n{e.commentary}") for e in entries])
            found = self.__dict__["_folded"] = (entries, text, starts)
        return found

    def topics_used(self) -> list[str]:
        """Slugs of the topics that have at least one entry, in registry order."""
        return [slug for slug, groups in self.by_topic.items() if groups]


def _name_indexes(
    pairs: Iterable[tuple[str, Entry]],
    registered: Callable[[str], bool],
    canonical: Callable[[str], str],
) -> dict[str, NameIndex]:
    """Group (name, entry) pairs by name key, then by slug; pick display names."""
    by_key: dict[str, list[tuple[str, Entry]]] = defaultdict(list)
    for name, entry in pairs:
        by_key[name_key(name)].append((name, entry))
    by_slug: dict[str, list[tuple[str, Entry]]] = defaultdict(list)
    display_of: dict[str, str] = {}
    for found in by_key.values():
        display = _display_name(found, registered, canonical)
        slug = slugify(display)
        by_slug[slug].extend(found)
        # when two keys share a slug ("Jörg", "Jorg"), the first display seen wins
        display_of.setdefault(slug, display)
    indexes = {}
    for slug in sorted(by_slug):
        found = by_slug[slug]
        seen_entries: dict[str, Entry] = {}
        for _name, entry in found:
            seen_entries.setdefault(entry.id, entry)
        indexes[slug] = NameIndex(
            slug=slug,
            name=display_of[slug],
            variants=tuple(sorted({name for name, _ in found})),
            entries=tuple(sorted(seen_entries.values(), key=_newest_first)),
        )
    return indexes


def _display_name(
    found: list[tuple[str, Entry]],
    registered: Callable[[str], bool],
    canonical: Callable[[str], str],
) -> str:
    """The registry's spelling if registered, else the most used spelling."""
    spellings = dict.fromkeys(name for name, _ in found)  # each once, in order
    for name in spellings:
        if registered(name):
            return canonical(name)
    if len(spellings) == 1:  # one spelling, the most used (most names)
        return found[0][0]
    counts = Counter(name for name, _ in found)
    first_seen: dict[str, tuple] = {}
    for name, entry in found:
        first_seen.setdefault(name, _in_order(entry))

    # ties go to a well-cased spelling ("Will Larson" over "will larson"), then the earliest
    def rank(name: str) -> tuple:
        letters = [c for c in name if c.isalpha()]
        badly_cased = bool(letters) and (
            all(c.islower() for c in letters) or all(c.isupper() for c in letters)
        )
        return (-counts[name], badly_cased and len(letters) > 4, first_seen[name], name)

    return min(counts, key=rank)
