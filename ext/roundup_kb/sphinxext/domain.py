"""The ``roundup`` domain: the single owner of everything collected from issue pages.

Data is keyed by docname, as in ``sphinx.ext.todo``, so that purging a document
(``clear_doc``) and merging the results of parallel readers (``merge_domaindata``)
are one dictionary operation each; incremental and ``-j N`` builds stay correct.
Lookups across documents (entries by topic, author, URL, ...) are derived from
that data once per build by :class:`~roundup_kb.catalogue.Catalogue`.
"""

from __future__ import annotations

import hashlib
import os
import pickle
from collections.abc import Iterable, Sequence, Set
from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx.addnodes import pending_xref
from sphinx.application import Sphinx
from sphinx.builders import Builder
from sphinx.domains import Domain, ObjType
from sphinx.environment import BuildEnvironment
from sphinx.roles import XRefRole
from sphinx.util import logging
from sphinx.util.nodes import make_refnode

from roundup_kb import __version__, permalinks
from roundup_kb.catalogue import Backlinks, Catalogue, NameDirectory, links_digest, terms_mentioned
from roundup_kb.files import BlobStore, Place, load_cache, save_cache
from roundup_kb.model import Entry, Issue, IssueMeta, Mention
from roundup_kb.parser import entry_summary
from roundup_kb.sphinxext import keptnames

logger = logging.getLogger(__name__)

#: bump when the shape of the domain data, or what the parser puts in it, changes, so
#: old pickles are discarded
ENV_VERSION = 18
#: the doctree directory's file of :meth:`RoundupDomain.name_directories`
DIRECTORIES_NAME = "roundup-names.pickle"
DIRECTORIES_VERSION = 2
#: the doctree directory's file of :meth:`RoundupDomain.backlinks`
BACKLINKS_NAME = "roundup-backlinks.pickle"
BACKLINKS_VERSION = 1
#: app attribute: the pages this build writes again without reading them (_rewrite)
REWRITTEN = "_roundup_rewritten"
#: the keys of the domain data that hold one value per document
_PER_DOC = (
    "issues",
    "entries",
    "mentions",
    "aggregates",
    "prerendered",
    "terms",
    "shown",
    "links",
    "objects",
)


#: Aggregate keys a generated page can depend on (see RoundupDomain.note_aggregate),
#: besides the per-topic, per-letter and per-URL keys of dependency_keys():
#: issue numbers, titles, subtitles and dates (issue lists);
ISSUE_LIST = "issues"
#: the listed fields of any entry, so every count (indexes, cards, rankings);
ENTRY_LIST = "entries"
#: prefix of the key of the entries that use a term (the glossary, ``entries :term:``)
TERM = "term:"


def term_key(term: str) -> str:
    """The aggregate key of the entries that use ``term`` (as written, stripped)."""
    return TERM + term.strip()


def dependency_keys(entries: Iterable[Entry], mentions: Iterable[Mention]) -> set[str]:
    """The per-topic, per-letter and per-URL keys that these entries and mentions feed."""
    keys: set[str] = set()
    for entry in entries:
        if entry.topic:
            keys.add(f"topic:{entry.topic}")
        for name in entry.authors:
            keys.add(f"author:{permalinks.person_letter(name)}")
        if entry.venue:
            keys.add(f"venue:{permalinks.venue_letter(entry.venue)}")
        keys.add(f"url:{entry.url_key}")
    for mention in mentions:
        keys.add(f"url:{mention.url_key}")
    return keys


def listed(entry: Entry) -> tuple:
    """What generated pages and citations show of an entry (not its commentary or line)."""
    return (
        entry.id,
        entry.title,
        entry.url,
        entry.authors,
        entry.venue,
        entry.details,
        entry.kind,
        entry.topic,
        entry.issue,
        entry.date,
        entry.et_al,
    )


def shown_digests(meta: IssueMeta, entries: Sequence[Entry]) -> tuple[str, str, str]:
    """Digests of what exports and lists show of an issue, not the rest of its commentary:
    (its front matter and each entry's listed fields (:func:`listed`) and line, each
    entry's summary, the first without the lines).  Lines move when a paragraph is
    added above an entry; only what links to the page's source shows them."""

    def sha1(value: Any) -> str:
        return hashlib.sha1(repr(value).encode("utf-8")).hexdigest()

    return (
        sha1((meta, [(listed(e), e.line) for e in entries])),
        sha1([entry_summary(e) for e in entries]),
        sha1((meta, [listed(e) for e in entries])),
    )


def issue_objects(
    meta: IssueMeta, entries: Iterable[Entry]
) -> tuple[tuple[str, str, str, str, int], ...]:
    """An issue page's objects as ``Domain.get_objects`` lists them, less the docname:
    (name, display name, type, anchor, priority)."""
    Row = tuple[str, str, str, str, int]
    rows: list[Row] = [(f"issue-{meta.number}", meta.title, "issue", "", 1)]
    rows += [(entry.id, entry.title, "entry", entry.id, 1) for entry in entries]
    return tuple(rows)


def changed_keys(
    old: tuple[IssueMeta | None, Sequence[Entry], Sequence[Mention]],
    new: tuple[IssueMeta | None, Sequence[Entry], Sequence[Mention]],
    terms: Iterable[str] = (),
) -> set[str]:
    """The aggregate keys whose pages show something that differs between two versions of
    an issue (``(meta, entries, mentions)``; meta None when the page is absent or unusable).

    ``terms``: the terms some page lists the entries of (see :func:`term_key`).  An
    edit to commentary alone changes only the keys of the terms an entry started or
    stopped using, so it re-renders no topic, author or venue page, and the
    glossary only when what the glossary lists changed.
    """
    (old_meta, old_entries, old_mentions), (new_meta, new_entries, new_mentions) = old, new
    keys: set[str] = set()
    if old_meta != new_meta:
        keys.add(ISSUE_LIST)
        changed = [*old_entries, *new_entries]  # every listing shows the issue
    else:

        def order(entries: Sequence[Entry]) -> list[str]:
            return [e.id for e in sorted(entries, key=lambda e: e.line)]

        if order(old_entries) != order(new_entries):
            changed = [*old_entries, *new_entries]
        else:
            differs = {listed(e) for e in old_entries} ^ {listed(e) for e in new_entries}
            changed = [e for e in (*old_entries, *new_entries) if listed(e) in differs]
    if changed:
        keys |= {ENTRY_LIST} | dependency_keys(changed, ())
    texts = [{(e.id, e.title, e.commentary): e for e in es} for es in (old_entries, new_entries)]
    if texts[0].keys() != texts[1].keys():
        # only entries whose text differs can change who uses a term; the others
        # are looked at only when those differ (an id may be on both sides)
        same = texts[0].keys() & texts[1].keys()
        terms = list(terms)
        apart = [terms_mentioned([e for k, e in s.items() if k not in same], terms) for s in texts]
        shared: dict[str, tuple[str, ...]] | None = None
        for term in terms:
            using = [set(found.get(term.strip(), ())) for found in apart]
            if using[0] == using[1]:
                continue
            if shared is None:
                shared = terms_mentioned([texts[0][k] for k in same], terms)
            both = set(shared.get(term.strip(), ()))
            if using[0] | both != using[1] | both:
                keys.add(term_key(term))
    urls = [{m.url_key for m in ms} for ms in (old_mentions, new_mentions)]
    keys |= {f"url:{url}" for url in urls[0] ^ urls[1]}
    return keys


#: the key of a :class:`PerDoc`'s pickled state that holds its items
_ITEMS = "items"


class PerDoc(dict):
    """A docname-keyed map of the domain data that travels light out of ``-j N`` readers.

    Sphinx's parallel reader pickles the *whole* environment in each forked
    child and unpickles it in the parent, which then merges only the child's
    documents (``merge_domaindata``).  A child inherits everything merged
    before it was forked, so without this the transfer grows with every chunk
    (about 2 MB per chunk for the 126-issue corpus).  In a process other than
    the one that made the map, only the documents written in that process are
    pickled; in its own process (the full build's ``environment.pickle``, deep
    copies) the map pickles whole.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._home = os.getpid()
        self._written: set[str] = set()

    def _note(self, docname: str) -> None:
        if os.getpid() != self._home:
            self._written.add(docname)

    def __setitem__(self, docname: str, value: Any) -> None:
        self._note(docname)
        super().__setitem__(docname, value)

    def setdefault(self, docname: str, default: Any = None) -> Any:
        self._note(docname)
        return super().setdefault(docname, default)

    def __reduce_ex__(self, protocol: Any) -> tuple:
        if os.getpid() == self._home:
            items = dict(self.items())
        else:
            items = {doc: self[doc] for doc in self._written if doc in self}
        return (type(self), (), {_ITEMS: items})

    def __setstate__(self, state: dict[str, Any]) -> None:
        # the items as one dict, put in at C speed: one ``__setitem__`` per page (the
        # pickle's other way) asked for the process id each time, 19 ms of loading a
        # 2,000-issue environment
        dict.update(self, state.get(_ITEMS, ()))


class _Packed:
    """One document's value of a :class:`LazyPerDoc`, still pickled."""

    __slots__ = ("blob",)

    def __init__(self, blob: bytes) -> None:
        self.blob = blob

    def __reduce__(self) -> tuple:
        return (_Packed, (self.blob,))


class LazyPerDoc(PerDoc):
    """A :class:`PerDoc` whose values stay pickled, one document each, until asked for.

    Entries and mentions are most of a large site's environment (46 of the 58 MB
    of a 2,000-issue ``environment.pickle``), and unpickling them was most of
    loading it: a build that changes nothing, or one page, looked at none or
    few of them.  Each document's value is pickled on its own when the
    environment is saved and unpickled the first time it is read; one never
    read is saved again as the bytes it was loaded as.

    Once the build gives the map a file of its own (:meth:`attach`, at
    ``builder-inited``), the pickles live there, in a
    :class:`~roundup_kb.files.BlobStore`, and the environment holds only their
    places: saving it after an edit writes the edited page's pickle and not the
    other pages' again (the 2,000-issue environment went from 60 MB to a
    tenth of that), and a build that reads no value does not read their file.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._store: BlobStore | None = None
        #: the token of the store the places point into (see BlobStore)
        self._token: bytes | None = None

    def attach(self, path: Path) -> bool:
        """Keep the pickles in the store at ``path`` from now on.  False if some
        values were in a store that is not there any more (they are dropped)."""
        self._store = BlobStore(path)
        placed = [doc for doc, value in dict.items(self) if isinstance(value, Place)]
        if not placed or self._token == self._store.token():
            return True
        for docname in placed:
            dict.__delitem__(self, docname)
        self._token = None
        return False

    def _value(self, docname: str, value: Any, *, keep: bool = True) -> Any:
        if isinstance(value, Place):
            if self._store is None:
                raise RuntimeError(f"{docname}: the value is in a store never attached")
            value = _Packed(self._store.read(value))
        if isinstance(value, _Packed):
            value = pickle.loads(value.blob)
            if keep:
                dict.__setitem__(self, docname, value)  # not a write: not noted
        return value

    def __getitem__(self, docname: str) -> Any:
        return self._value(docname, super().__getitem__(docname))

    def get(self, docname: str, default: Any = None) -> Any:
        value = super().get(docname, _Packed)  # the class itself: never a value
        return default if value is _Packed else self._value(docname, value)

    def setdefault(self, docname: str, default: Any = None) -> Any:
        return self._value(docname, super().setdefault(docname, default))

    def pop(self, docname: str, *default: Any) -> Any:
        return self._value(docname, super().pop(docname, *default), keep=False)

    def items(self) -> list[tuple[str, Any]]:  # type: ignore[override]
        return [(docname, self[docname]) for docname in self]

    def values(self) -> list[Any]:  # type: ignore[override]
        return [self[docname] for docname in self]

    def __reduce_ex__(self, protocol: Any) -> tuple:
        home = os.getpid() == self._home
        if home and self._store is not None:
            items = dict(self._placed_items())  # sets the token
            return (type(self), (), {"_token": self._token, _ITEMS: items})

        def packed(value: Any) -> _Packed:
            if isinstance(value, Place):  # the receiver has no store
                assert self._store is not None
                return _Packed(self._store.read(value))
            if isinstance(value, _Packed):
                return value
            return _Packed(pickle.dumps(value, pickle.HIGHEST_PROTOCOL))

        docnames: Iterable[str] = list(self) if home else (d for d in self._written if d in self)
        items = {doc: packed(dict.__getitem__(self, doc)) for doc in docnames}
        return (type(self), (), {"_token": self._token, _ITEMS: items})

    def _placed_items(self) -> list[tuple[str, Place]]:
        """Every document's value as its place in the store, the values not there yet
        added to it first (:meth:`~roundup_kb.files.BlobStore.keep`)."""
        assert self._store is not None
        values = {doc: dict.__getitem__(self, doc) for doc in self}
        fresh = {
            doc: value.blob
            if isinstance(value, _Packed)
            else pickle.dumps(value, pickle.HIGHEST_PROTOCOL)
            for doc, value in values.items()
            if not isinstance(value, Place)
        }
        kept = {doc: value for doc, value in values.items() if isinstance(value, Place)}
        self._token, places = self._store.keep(self._token, kept, fresh)
        for doc, place in places.items():
            if isinstance(values[doc], (_Packed, Place)):  # unpickled ones stay so
                dict.__setitem__(self, doc, place)
        return [(doc, places[doc]) for doc in self]

    def __setstate__(self, state: dict[str, Any]) -> None:
        super().__setstate__(state)
        self._token = state.get("_token")

    def unpacked(self) -> set[str]:
        """The documents whose value has been unpickled (or set) in this process."""
        return {doc for doc, value in dict.items(self) if not isinstance(value, (_Packed, Place))}


class KBXRefRole(XRefRole):
    """An ``XRefRole`` usable without the ``roundup:`` prefix (``{entry}``, ``{topic}``...)."""

    def run(self):
        self.name = f"roundup:{self.name.rpartition(':')[2]}"
        return super().run()


class RoundupDomain(Domain):
    """Issues, entries and mentions collected from the pages that hold them."""

    name = "roundup"
    label = "Newsletter knowledge base"
    object_types: dict[str, ObjType] = {  # noqa: RUF012 - Sphinx's API shape
        "entry": ObjType("entry", "entry"),
        "issue": ObjType("issue", "issue"),
        "topic": ObjType("topic", "topic"),
    }
    roles = {  # noqa: RUF012
        name: KBXRefRole(warn_dangling=True)
        for name in ("entry", "issue", "topic", "author", "venue")
    }
    dangling_warnings = {  # noqa: RUF012
        "entry": "no entry with id %(target)r in the knowledge base",
        "issue": "no issue %(target)r in the knowledge base",
        "topic": "no topic %(target)r in the topic registry",
        "author": "no author %(target)r in the knowledge base",
        "venue": "no venue %(target)r in the knowledge base",
    }
    initial_data: dict[str, Any] = {  # noqa: RUF012
        # docname -> IssueMeta
        "issues": PerDoc(),
        # docname -> tuple[Entry, ...]
        "entries": LazyPerDoc(),
        # docname -> tuple[Mention, ...]
        "mentions": LazyPerDoc(),
        # docname -> set of aggregate keys the page shows (e.g. {"issues", "topic:x"})
        "aggregates": PerDoc(),
        # docname -> True: the page was read with pre-rendered HTML (see fastpath)
        "prerendered": PerDoc(),
        # docname -> (the registry's terms when read, {term: ids of the entries using it})
        "terms": PerDoc(),
        # docname -> shown_digests() of the issue
        "shown": PerDoc(),
        # docname -> links_digest() of the issue (what Backlinks takes from it)
        "links": PerDoc(),
        # docname -> issue_objects() of the issue: what get_objects lists, without
        # unpickling the entries (the object inventory and the search index list them)
        "objects": LazyPerDoc(),
    }
    data_version = ENV_VERSION
    #: derived from ``data``; dropped whenever the data changes (see _changed)
    _catalogue: Catalogue | None = None
    _by_number: dict[int, str] | None = None
    #: (docname, meta) oldest issue first, and each docname's place in that order
    _order: list[tuple[str, IssueMeta]] | None = None
    _place: dict[str, int] | None = None
    _by_id: dict[str, tuple[str, Entry]] | None = None
    _directories: dict[str, NameDirectory] | None = None
    _backlinks: Backlinks | None = None

    @property
    def issues(self) -> dict[str, IssueMeta]:
        return self.data["issues"]

    @property
    def entries(self) -> dict[str, tuple[Entry, ...]]:
        return self.data["entries"]

    @property
    def mentions(self) -> dict[str, tuple[Mention, ...]]:
        return self.data["mentions"]

    @property
    def aggregates(self) -> dict[str, set[str]]:
        return self.data["aggregates"]

    def _changed(self) -> None:
        self._catalogue = self._by_number = self._by_id = None
        self._order = self._place = None
        self._directories = self._backlinks = None

    def clear_doc(self, docname: str) -> None:
        self._changed()
        for key in _PER_DOC:
            self.data[key].pop(docname, None)

    def merge_domaindata(self, docnames: Set[str], otherdata: dict[str, Any]) -> None:
        self._changed()
        for key in _PER_DOC:
            mine, theirs = self.data[key], otherdata[key]
            for docname in docnames:
                if docname in theirs:
                    mine[docname] = theirs[docname]

    def note_issue(self, docname: str, issue: Issue) -> None:
        self._changed()
        self.issues[docname] = issue.meta
        self.entries[docname] = issue.entries
        self.mentions[docname] = issue.mentions
        terms = registry_terms(self.env)
        self.data["terms"][docname] = (terms, terms_mentioned(issue.entries, terms))
        self.data["shown"][docname] = shown_digests(issue.meta, issue.entries)
        self.data["links"][docname] = links_digest(issue.meta.number, issue.entries, issue.mentions)
        self.data["objects"][docname] = issue_objects(issue.meta, issue.entries)

    def note_prerendered(self, docname: str) -> None:
        """Record that ``docname`` was read with pre-rendered HTML (see ``fastpath``)."""
        self.data["prerendered"][docname] = True

    def prerendered(self) -> set[str]:
        """The pages read with pre-rendered HTML."""
        return set(self.data["prerendered"])

    def note_aggregate(self, docname: str, key: str) -> None:
        """Record that ``docname`` shows data gathered under ``key`` from issue pages."""
        self.aggregates.setdefault(docname, set()).add(key)

    def pages_showing(self, keys: Iterable[str]) -> set[str]:
        keys = set(keys)
        return {doc for doc, shown in self.aggregates.items() if shown & keys}

    # -- lookups across documents ------------------------------------------------

    def issues_by_number(self) -> list[tuple[str, IssueMeta]]:
        """(docname, meta) pairs, oldest issue first: a new list, the caller's to change."""
        return list(self._issue_order()[0])

    def _issue_order(self) -> tuple[list[tuple[str, IssueMeta]], dict[str, int]]:
        """The issues in order and each one's place, sorted once after the data changes.

        Every issue page asks for its neighbours: sorted for each page, 2,000 issues
        took 12 s of a full build (py-spy), a term that grew with the square of the
        issues (12 ms of a 200-issue build)."""
        if self._order is None or self._place is None:
            self._order = sorted(self.issues.items(), key=lambda item: (item[1].number, item[0]))
            self._place = {doc: index for index, (doc, _) in enumerate(self._order)}
        return self._order, self._place

    def neighbours(self, docname: str) -> tuple[str | None, str | None]:
        """The docnames of the previous and next issue by number."""
        order, place = self._issue_order()
        index = place.get(docname)
        if index is None:
            return None, None
        before = order[index - 1][0] if index > 0 else None
        after = order[index + 1][0] if index + 1 < len(order) else None
        return before, after

    def catalogue(self) -> Catalogue:
        """The cross-document catalogue, built once after the last change to the data."""
        if self._catalogue is None:
            from roundup_kb.sphinxext.registries import registries

            topics, names = registries(self.env)
            issues = [
                Issue(
                    meta=meta,
                    path=doc,
                    entries=self.entries.get(doc, ()),
                    mentions=self.mentions.get(doc, ()),
                )
                for doc, meta in sorted(self.issues.items())
            ]
            catalogue = Catalogue.build(issues, topics, names)
            # the glossary's lists from what each page's entries were found to use
            # when it was read, for the terms every page was read with
            terms = self.data["terms"]
            read_with = [terms[doc][0] if doc in terms else () for doc in self.issues]
            if read_with:
                covered = set(read_with[0]).intersection(*read_with[1:])
                found = (terms[doc][1] for doc in self.issues if doc in terms)
                catalogue.index_terms(covered, found)
            self._preset_directories(catalogue)
            self._catalogue = catalogue
        return self._catalogue

    def _preset_directories(self, catalogue: Catalogue) -> None:
        """Where names lead (:attr:`Catalogue.directories`), from the last build when
        nothing they depend on changed, else made now and kept for the next.

        An issue page links its entries' authors and venues; written alone (after
        an edit to commentary) it would otherwise wait for every author's and
        venue's index to be made.  The key: what each page lists of its entries
        (``shown``, which holds their ids, authors and venues in page order, not
        their lines: a paragraph added above an entry moves it, not its order) and
        the name registry's file.
        """
        path, key = self._directories_cache()
        saved = self._directories or load_cache(path, key)
        if saved is not None:
            catalogue.preset_directories(saved)
        else:
            keptnames.warm(self.env)  # the name functions' answers from the last build
            save_cache(path, key, catalogue.directories)

    def _directories_cache(self) -> tuple[Path, str]:
        from roundup_kb.sphinxext.outputs import digest  # it imports this module
        from roundup_kb.sphinxext.registries import registry_paths

        names_path = registry_paths(self.env)[1]
        try:
            stat = names_path.stat()
            registry: tuple = (str(names_path), stat.st_mtime_ns, stat.st_size)
        except OSError:
            registry = (str(names_path), None)
        shown = self.data["shown"]
        pages = sorted((doc, shown[doc][2] if doc in shown else None) for doc in self.issues)
        key = digest(DIRECTORIES_VERSION, __version__, registry, pages)
        return Path(self.env.doctreedir) / DIRECTORIES_NAME, key

    def name_directories(self) -> dict[str, NameDirectory]:
        """The catalogue's :attr:`~Catalogue.directories`; kept from the last build when
        nothing they depend on changed, without building the catalogue."""
        if self._catalogue is not None:
            return self._catalogue.directories
        if self._directories is None:
            saved = load_cache(*self._directories_cache())
            if saved is None:
                return self.catalogue().directories
            self._directories = saved
        return self._directories

    def backlinks(self) -> Backlinks:
        """:class:`~roundup_kb.catalogue.Backlinks` of the catalogue: kept from the last
        build when no issue's number, entries' ids and URLs, or mentioned URLs changed
        (``links``), so an issue page written alone builds no catalogue for them."""
        if self._backlinks is None:
            from roundup_kb.sphinxext.outputs import digest  # it imports this module

            links = self.data["links"]
            pages = sorted((doc, links.get(doc)) for doc in self.issues)
            numbers = [meta.number for meta in self.issues.values()]
            # two pages with one number: the catalogue orders their entries by line
            keyed = all(found for _, found in pages) and len(set(numbers)) == len(numbers)
            key = digest(BACKLINKS_VERSION, __version__, pages)
            path = Path(self.env.doctreedir) / BACKLINKS_NAME
            saved = load_cache(path, key) if keyed else None
            if saved is None:
                saved = Backlinks.of(self.catalogue())
                if keyed:
                    save_cache(path, key, saved)
            self._backlinks = saved
        return self._backlinks

    def docname_of_issue(self, number: int) -> str | None:
        """The page of issue ``number``.  Needs only the issues' front matter: an issue
        page written alone (an edit) does not unpickle every page's entries for it."""
        if self._by_number is None:
            self._by_number = {meta.number: doc for doc, meta in sorted(self.issues.items())}
        return self._by_number.get(number)

    def entry_location(self, entry_id: str) -> tuple[str, Entry] | None:
        if self._by_id is None:
            self._by_id = {e.id: (doc, e) for doc, es in self.entries.items() for e in es}
        return self._by_id.get(entry_id)

    # -- cross-references ------------------------------------------------------------

    def resolve_xref(
        self,
        env: BuildEnvironment,
        fromdocname: str,
        builder: Builder,
        typ: str,
        target: str,
        node: pending_xref,
        contnode: nodes.Element,
    ) -> nodes.reference | None:
        found = self.find(typ, target.strip())
        if found is None:
            return None
        todoc, anchor, title = found
        if not node.get("refexplicit") and title:
            contnode = nodes.inline(title, title, classes=contnode.get("classes", []))
        return make_refnode(builder, fromdocname, todoc, anchor or "", contnode, title)

    def find(self, typ: str, target: str) -> tuple[str, str | None, str] | None:
        """(docname, anchor, title) of a ``typ`` target (topic, author, venue, ...) or ``None``."""
        if typ == "issue":
            text = target.lstrip("#")
            if not text.isdigit():
                return None
            doc = self.docname_of_issue(int(text))
            return (doc, None, self.issues[doc].title) if doc else None
        if typ == "entry":
            located = self.entry_location(target)
            if located is None:
                return None
            doc, entry = located
            return doc, entry.id, entry.title
        if typ == "topic":
            from roundup_kb.sphinxext.registries import registries

            topics, _ = registries(self.env)
            topic = topics.get(target) or topics.resolve(target)
            if topic is None:
                return None
            return permalinks.topic_docname(topic.slug), None, topic.title
        if typ in ("author", "venue"):
            from roundup_kb.sphinxext.registries import registries

            _, names = registries(self.env)
            directory = self.name_directories()[typ]
            slug = directory.slug(target)
            if slug not in directory.names:
                canonical = names.person if typ == "author" else names.venue
                slug = directory.slug(canonical(target))
            name = directory.names.get(slug)
            if name is None:
                return None
            if typ == "author":
                doc = permalinks.author_docname(name)
                anchor = permalinks.anchor_for_person(slug)
            else:
                doc = permalinks.venue_docname(name)
                anchor = permalinks.anchor_for_venue(slug)
            return doc, anchor, name
        return None

    def resolve_any_xref(self, *args: Any, **kwargs: Any) -> list:
        return []

    def get_objects(self) -> Iterable[tuple[str, str, str, str, str, int]]:
        for doc, rows in self.data["objects"].items():
            for name, shown, typ, anchor, priority in rows:
                yield (name, shown, typ, doc, anchor, priority)


def registry_terms(env: BuildEnvironment) -> tuple[str, ...]:
    """The key terms of every topic of the registry, stripped, in registry order."""
    from roundup_kb.sphinxext.registries import registries

    topics, _ = registries(env)
    return tuple(dict.fromkeys(name.strip() for t in topics.topics for name in t.terms))


def get_domain(env: BuildEnvironment) -> RoundupDomain:
    return env.domains["roundup"]  # type: ignore[return-value]


def issue_docnames(env: BuildEnvironment, docnames: Iterable[str]) -> set[str]:
    prefix = env.config.roundup_issues_dir.strip("/") + "/"
    return {doc for doc in docnames if doc.startswith(prefix)}


def _outdated(
    app: Sphinx,
    env: BuildEnvironment,
    added: set[str],
    changed: set[str],
    removed: set[str],
) -> list[str]:
    """Find the pages whose generated content depends on issues that were added,
    changed or removed; :func:`_rewrite` has them written again.

    Runs before removed documents are purged, so the domain still holds their
    old data; the new text of added and changed issues is parsed here (the core
    parser is fast) so that a page gaining an entry in a new topic refreshes
    that topic's page too.

    Returns no page to read again: what such a page shows of other issues is a
    placeholder filled when the page is written (lists, counts, backlinks, the
    previous and next issue), so its doctree is the same and writing it again
    from the new data is enough (reading it again doubled the cost of adding an issue).
    """
    app._roundup_rewrite = set()  # type: ignore[attr-defined]
    touched = issue_docnames(env, added | changed | removed)
    if not touched:
        return []
    from roundup_kb.sphinxext.issues import parse_page  # avoid an import cycle
    from roundup_kb.sphinxext.prescan import get_scan

    dom = get_domain(env)
    if not dom.issues:
        return []  # a fresh environment: every page is read anyway
    # the terms whose entries some page lists
    terms = {
        key[len(TERM) :]
        for shown in dom.aggregates.values()
        for key in shown
        if key.startswith(TERM)
    }
    keys: set[str] = set()
    for doc in touched:
        old = (dom.issues.get(doc), dom.entries.get(doc, ()), dom.mentions.get(doc, ()))
        issue = None
        if doc not in removed:
            scanned = get_scan(app)
            found = scanned.pages.get(doc) if scanned is not None else None
            issue = found[1].issue if found else parse_page(env, doc, Path(env.doc2path(doc)))
        new = (issue.meta, issue.entries, issue.mentions) if issue is not None else (None, (), ())
        keys |= changed_keys(old, new, terms)
    outdated = dom.pages_showing(keys)
    # Adding or removing an issue changes the previous/next links of its
    # neighbours.  Docnames sort in issue order (NNNN), so the neighbours in the
    # union of old and new issue pages are the ones to refresh.
    if added or removed:
        pages = sorted(issue_docnames(env, set(dom.issues) | env.found_docs))
        for doc in issue_docnames(env, added | removed):
            if doc in pages:
                index = pages.index(doc)
                outdated.update(pages[max(index - 1, 0) : index + 2])
    app._roundup_rewrite = outdated - removed - touched  # type: ignore[attr-defined]
    return []


def _rewrite(app: Sphinx, env: BuildEnvironment) -> list[str]:
    """The pages :func:`_outdated` found, to be written again without being read."""
    pages = getattr(app, "_roundup_rewrite", set())
    app._roundup_rewrite = set()  # type: ignore[attr-defined]
    rewritten = sorted(pages & env.found_docs)
    setattr(app, REWRITTEN, rewritten)
    return rewritten


def lazy_tocs(app: Sphinx) -> None:
    """Keep Sphinx's per-page tables of contents (``env.tocs``) pickled until used.

    They are docutils node trees, one per page: a third of a second of loading a
    2,000-issue environment, in every build, although only the pages written look
    at their own (and the pages whose toctrees list them).  A build that writes
    nothing unpickles none; ``-j N`` readers send back only their own pages'.
    Sphinx reads and writes ``env.tocs`` by key (``[]``, ``in``, ``pop``), which
    :class:`LazyPerDoc` serves as a dict does.
    """
    if type(app.env.tocs) is dict:
        app.env.tocs = LazyPerDoc(app.env.tocs)


#: the doctree directory's file of each :class:`LazyPerDoc`'s pickles
STORE_NAME = "roundup-lazy-{}.blobs"


def lazy_stores(app: Sphinx) -> None:
    """Give each :class:`LazyPerDoc` of the environment its file in the doctree
    directory.  If one of them lost its values (its file was deleted, or written
    by a build whose environment was not saved), every page is read again
    (:func:`_reread_lost`)."""
    lazy_tocs(app)
    maps = {"tocs": app.env.tocs} | {
        key: value for key, value in get_domain(app.env).data.items() if type(value) is LazyPerDoc
    }
    lost = [
        key
        for key, value in maps.items()
        if not value.attach(Path(app.doctreedir) / STORE_NAME.format(key))
    ]
    app._roundup_lost = lost  # type: ignore[attr-defined]


def _reread_lost(app: Sphinx, env: BuildEnvironment, *changes: set[str]) -> list[str]:
    lost = getattr(app, "_roundup_lost", [])
    if not lost:
        return []
    logger.info(
        "[roundup] %s: the pickled values in %s are gone; every page is read again",
        ", ".join(lost),
        app.doctreedir,
    )
    return sorted(env.found_docs)


def setup(app: Sphinx) -> None:
    app.add_domain(RoundupDomain)
    # before anything reads the values (the pre-scan runs at priority 400)
    app.connect("builder-inited", lazy_stores, priority=100)
    for name in ("entry", "issue", "topic", "author", "venue"):
        app.add_role(name, KBXRefRole(warn_dangling=True))
    app.connect("env-get-outdated", _outdated)
    app.connect("env-get-outdated", _reread_lost)
    app.connect("env-updated", _rewrite)
