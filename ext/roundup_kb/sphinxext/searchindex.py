"""Sphinx's search index without costs that grow with the site for nothing, and whole.

* Before it dumps the search index, Sphinx's HTML builder calls
  ``IndexBuilder.prune(env.all_docs)``, passing the environment's *dict* of
  documents; ``prune`` calls ``set.intersection_update`` with it once per indexed
  word, and each call builds a set of every document name again.  With 2,000
  issues that is about 100,000 words times 2,000 names: seconds of every build,
  incremental ones included, for no change in the result.  So the builder's
  indexer is handed a set of those names instead; what it keeps is the same.
  When it freezes the index, each word's pages are numbered with C-level
  lookups (:func:`quick_get_terms`), not a generator per word.  And when every
  page the index holds stays (an edit, an addition), that prune has nothing to
  remove and is skipped (:func:`_prune_with_a_set`).

* A build that reads, removes and writes no document still loads the whole
  index (``prepare_writing``) and dumps it again (``finish``), unchanged: seconds
  of a no-op build of a large site.  When no document was read, purged or is to
  be written, and the index on disk was dumped after the environment was last
  saved (so no earlier build stopped between the two), the index is left as it
  is.  If anything asks to index a page after all, the index is loaded first
  and dumped as usual.

* Loading, feeding and dumping the index make tens of thousands of containers
  (a set of pages per word, the lists of the frozen index) and no reference
  cycle.  A pass of the garbage collector in the middle of them walks them all
  for nothing: one pass in ``json.dumps`` of the corpus's index took its 0.03 s
  to 0.09 s.  So the collector is paused while Sphinx loads, feeds and dumps the
  index and writes the inventory (:func:`collector_paused`); in the helper, which
  ends with the dump, it stays off.

* Where a second CPU is free (:func:`~roundup_kb.sphinxext.processes.helpers_available`),
  a build that keeps some pages has its index made by a forked helper
  (:class:`~roundup_kb.sphinxext.processes.Helper`, :class:`_Index`).  It is
  forked where Sphinx would load the old index, and loads it, prunes the pages to
  be written and writes the object inventory (the objects are known once the
  pages are read; whether it must be written again is decided here, before the
  fork) while this process writes the pages.  For each page this process
  collects what ``IndexBuilder.feed`` takes from the doctree (the words, the
  ``index`` nodes' entries) instead of feeding it, and sends it at once: the
  helper feeds it with Sphinx's own ``feed`` while this process writes the page
  and the next ones.  Once the last page's words are sent (before that page is
  written) it sends the word to dump, and the helper freezes the index and writes
  it to Sphinx's temporary file while this process writes the last page and
  makes the site's other pages and data; once the pages are written, the word to
  write has the helper put the file in the old index's place.  A page indexed
  after the word to dump (by some other extension) is indexed again here once
  the helper is done, as Sphinx would have.  The build waits for the helper when
  it ends, replays its log records and fails on its error; a build that fails
  first tells it so, and it ends without replacing the index.  On the corpus that
  takes the load, the dump and the inventory (0.1 s) off an edit's path; the
  index and inventory are byte for byte Sphinx's
  (tests/test_searchindex_helper.py).  A build that writes every page has
  nothing to load and dumps here: a helper forked to dump the fed index made full
  builds of the corpus no faster (medians 10.37 s with it, 9.90 s without, five
  alternating pairs).

* Sphinx loads the words and titles of the old index but not its index entries
  (the glossary's terms among them), so an incremental build's index had the
  entries of the pages it wrote only.  They are read back from the old index for
  the pages kept (:func:`_restore_index_entries`) and dumped in page order, as a
  full build has them.

* Such a build also writes the object inventory (``objects.inv``) again, from
  every object of every domain: each of the site's entries, a third of a second
  of a no-op build of 2,000 issues.  When the index is kept, an inventory
  written after the environment was last saved is kept as well: no page was
  read or removed since, so the objects are those it lists.  Otherwise it is
  written again only when what it lists changed
  (:mod:`roundup_kb.sphinxext.inventory`).
"""

from __future__ import annotations

import gc
import os
from collections.abc import Callable, Iterable, Iterator, Set
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NamedTuple
from weakref import WeakKeyDictionary

from docutils import nodes
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.builders.html import INVENTORY_FILENAME
from sphinx.search import IndexBuilder, WordStore
from sphinx.util import logging

from roundup_kb.sphinxext.inventory import dump_and_record, dump_if_changed, stale_digest
from roundup_kb.sphinxext.processes import Helper, Receive, helpers_available

logger = logging.getLogger(__name__)

#: app attribute: a document was read or purged in this build
_TOUCHED = "_roundup_docs_touched"

#: the process that loads, feeds and dumps a build's index (see the module's docstring)
_helpers: WeakKeyDictionary[Sphinx, Helper] = WeakKeyDictionary()


@contextmanager
def collector_paused() -> Iterator[None]:
    """No garbage collection inside (unless it was off already: then it stays off)."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _prune_with_a_set(indexer: Any, original: Any) -> Any:
    """``indexer.prune`` given a set; nothing to do when every page it holds stays; and
    only the pages that go taken out of each word when they are a few.

    ``IndexBuilder`` holds a word's page only once the page has a title there (``feed``
    sets the title first, ``load`` and ``prune`` keep the two together), so when
    every page with a title stays, no word loses a page: the dump's prune after an
    edit or an addition (8 to 10 ms of the corpus's index) is skipped.  For the same
    reason, keeping each word's pages that stay is taking out those that go, the
    pages with a title that are not kept: when they are a few (the pages an edit or
    an addition writes again, pruned as the old index is loaded), that is done
    (:func:`_take_out`) rather than intersecting every word's pages with every page
    kept: 1.4 to 1.6 ms against 5.6 to 6.7 ms for the corpus's index less one page.
    """
    sphinxs = type(indexer).prune is IndexBuilder.prune

    def prune(docnames: Iterable[str]) -> None:
        kept = docnames if isinstance(docnames, set | frozenset) else set(docnames)
        if sphinxs:
            titles = indexer._titles
            if titles.keys() <= kept:
                return
            going = titles.keys() - kept
            if len(going) * 8 <= len(titles):
                _take_out(indexer, going)
                return
        original(kept)

    prune.roundup_wrapped = True  # type: ignore[attr-defined]
    return prune


def _take_out(indexer: IndexBuilder, going: Set[str]) -> None:
    """``IndexBuilder.prune`` of every page it holds but ``going`` (pages with a title)."""
    titles = {doc: title for doc, title in indexer._titles.items() if doc not in going}
    indexer._all_titles = {doc: indexer._all_titles[doc] for doc in titles}
    indexer._filenames = {doc: indexer._filenames[doc] for doc in titles}
    indexer._titles = titles
    for mapping in (indexer._mapping, indexer._title_mapping):
        for pages in mapping.values():
            pages.difference_update(going)


def quick_get_terms(indexer: IndexBuilder) -> Callable[[dict[str, int]], tuple[dict, dict]]:
    """``indexer.get_terms``, the same mappings made with C-level lookups.

    Freezing the index maps each word to the sorted numbers of its pages: Sphinx
    sorts a generator per word, a Python-level step per page per word (115,000 on
    the corpus, 18 ms of every dump).  Here each word's pages go through
    ``map(fn2index.__getitem__, ...)``; a word with a page the index does not hold
    takes Sphinx's own path, which leaves such pages out.
    """

    def get_terms(fn2index: dict[str, int]) -> tuple[dict, dict]:
        number = fn2index.__getitem__
        found: tuple[dict[str, list[int] | int], dict[str, list[int] | int]] = ({}, {})
        mappings = (indexer._mapping, indexer._title_mapping)
        for terms, mapping in zip(found, mappings, strict=True):
            for word, pages in mapping.items():
                if len(pages) == 1:
                    (page,) = pages
                    if page in fn2index:
                        terms[word] = fn2index[page]
                    continue
                try:
                    terms[word] = sorted(map(number, pages))
                except KeyError:
                    terms[word] = sorted(fn2index[page] for page in pages if page in fn2index)
        return found

    get_terms.roundup_wrapped = True  # type: ignore[attr-defined]
    return get_terms


def _quicken(indexer: Any) -> None:
    """Give ``indexer``'s ``prune`` a set (and the quicker ways above) and its
    ``get_terms`` C-level lookups: before the old index is loaded and pruned, and
    before the index is dumped.  Doing it again changes nothing."""
    prune = getattr(indexer, "prune", None)
    if prune is not None and not getattr(prune, "roundup_wrapped", False):
        indexer.prune = _prune_with_a_set(indexer, prune)
    sphinxs = getattr(type(indexer), "get_terms", None) is IndexBuilder.get_terms
    if sphinxs and not getattr(indexer.get_terms, "roundup_wrapped", False):
        indexer.get_terms = quick_get_terms(indexer)  # type: ignore[method-assign]


def on_collect_pages(app: Sphinx) -> list:
    """Before the index is dumped (``handle_finish``): :func:`_quicken`."""
    _quicken(getattr(app.builder, "indexer", None))
    return []  # no pages of its own


def _index_is_current(app: Sphinx, builder: Any) -> bool:
    """Whether the index on disk is the one this build would dump, having written nothing."""
    if docs_touched(app):
        return False
    return _newer_than_environment(app, Path(builder.outdir) / builder.searchindex_filename)


def _newer_than_environment(app: Sphinx, path: Path) -> bool:
    """Whether ``path`` was written after the environment was last saved."""
    environment = Path(app.doctreedir) / "environment.pickle"
    try:
        return path.stat().st_mtime_ns >= environment.stat().st_mtime_ns
    except OSError:
        return False


class _FedPage(NamedTuple):
    """What ``IndexBuilder.feed`` takes from a page, as the build's process collected it."""

    docname: str
    filename: str
    title: str
    words: WordStore
    #: the ``entries`` of each ``index`` node of the page
    index_entries: list[list[Any]]


def _recording_feed(indexer: IndexBuilder, fed: Callable[[_FedPage], None]) -> Any:
    """An ``indexer.feed`` that collects each page's words for the helper to feed."""

    def feed(docname: str, filename: Any, title: str, doctree: nodes.Node) -> None:
        entries = [node["entries"] for node in doctree.findall(addnodes.index)]
        words = indexer._word_collector(doctree)  # the part that needs the doctree
        fed(_FedPage(docname, os.fspath(filename), title, words, entries))

    return feed


def _feed_again(indexer: IndexBuilder, page: _FedPage) -> None:
    """``IndexBuilder.feed`` of a page collected by :func:`_recording_feed`, in the helper."""
    doctree = nodes.container()
    for entries in page.index_entries:
        doctree += addnodes.index(entries=entries)
    indexer._word_collector = lambda _doctree: page.words  # type: ignore[method-assign]
    try:
        indexer.feed(page.docname, page.filename, page.title, doctree)  # type: ignore[arg-type]
    finally:
        del indexer._word_collector


def _can_record(indexer: Any) -> bool:
    """Whether ``indexer`` feeds pages as Sphinx's ``IndexBuilder`` (what the helper replays)."""
    return (
        type(indexer).feed is IndexBuilder.feed
        and type(indexer)._word_collector is IndexBuilder._word_collector
    )


class _Recording:
    """An index format that keeps what it loads (``IndexBuilder.load`` drops a part)."""

    def __init__(self, format: Any, into: list[dict[str, Any]]) -> None:
        self.format, self.into = format, into

    def load(self, stream: Any) -> Any:
        frozen = self.format.load(stream)
        self.into.append(frozen)
        return frozen


def _record_loads(indexer: Any) -> list[dict[str, Any]]:
    """Have ``indexer.load`` record each frozen index it reads in the list returned."""
    loaded: list[dict[str, Any]] = []
    load = indexer.load

    def recording_load(stream: Any, format: Any) -> None:
        if isinstance(format, str):
            format = indexer.formats[format]
        load(stream, _Recording(format, loaded))

    indexer.load = recording_load
    return loaded


def _restore_index_entries(indexer: Any, loaded: list[dict[str, Any]], keep: Set[str]) -> None:
    """Put back the ``index`` entries of the pages kept from the loaded index.

    ``IndexBuilder.load`` reads words and titles but not index entries, which it
    holds only for the pages fed in this build: every build that left the glossary
    page unwritten dropped its terms from the index (the corpus's 42 entries
    after an edit of one issue).  The frozen form has each entry lowercased and
    ``main`` as a boolean, which is what ``freeze`` makes of them again.
    """
    if not loaded or not isinstance(loaded[-1], dict):
        return
    frozen = loaded[-1]
    names = frozen.get("docnames", ())
    restored: dict[str, list[tuple[str, str, str]]] = {}
    for entry, places in frozen.get("indexentries", {}).items():
        for index, target, main in places:
            if names[index] in keep:
                main_entry = "main" if main else ""
                restored.setdefault(names[index], []).append((entry, target, main_entry))
    indexer._index_entries.update(restored)


def _dump_in_page_order(indexer: Any, dump: Any) -> None:
    """``dump()``, the index entries ordered by page as a build that wrote every page
    feeds them (restored pages came first, fed ones after)."""
    indexer._index_entries = dict(sorted(indexer._index_entries.items()))
    dump()


#: what the build sends the index's helper: each page as it is fed, then the word to dump
#: (every page is fed) and the word to write (every page is written)
_DUMP = "dump"
_WRITE = "write"


@contextmanager
def _renames_held(held: list[tuple[Path, Path]]) -> Iterator[None]:
    """Within: ``Path.replace`` notes (file, target) in ``held`` instead of renaming.

    Only in the helper, around Sphinx's ``dump_search_index``, which writes the index
    to a temporary file and renames it over the old one: the rename waits for the
    build's word that its pages are written.
    """
    original = Path.replace

    def hold(self: Path, target: Any) -> Path:
        held.append((self, Path(target)))
        return Path(target)

    Path.replace = hold  # type: ignore[method-assign]
    try:
        yield
    finally:
        Path.replace = original  # type: ignore[method-assign]


class _Index:
    """One build's search index: kept, loaded here, or made by a helper (module docstring)."""

    def __init__(self, app: Sphinx, builder: Any) -> None:
        self.app, self.builder = app, builder
        self.load, self.dump = builder.load_indexer, builder.dump_search_index
        self.index_page, self.write_documents = builder.index_page, builder.write_documents
        self.dump_inventory = getattr(builder, "dump_inventory", None)
        self.kept = False
        self.helper: Helper | None = None
        #: a helper writes the object inventory
        self.inventory_by_helper = False
        #: pages fed after the helper was told to dump (indexed again here)
        self.fed: list[_FedPage] = []
        #: the helper was told to dump: pages fed after that are indexed here
        self.dumping = False
        #: the helper was told the pages are written: it may replace the old index
        self.writing = False
        #: pages being written whose words are not yet collected
        self.unfed: set[str] = set()
        builder.load_indexer = self.load_indexer
        builder.dump_search_index = self.dump_search_index
        builder.index_page = self.index_page_loaded
        builder.write_documents = self.write_documents_then_dump
        if self.dump_inventory is not None:
            builder.dump_inventory = self.dump_inventory_unless_current

    def load_indexer(self, docnames: Set[str]) -> None:
        builder = self.builder
        if not docnames and _index_is_current(self.app, builder):
            self.kept = True
            logger.debug("[roundup] no page read or written: the search index is kept")
            return
        indexer = builder.indexer
        keep = set(builder.env.all_docs).difference(docnames)
        loaded = _record_loads(indexer) if indexer is not None else []
        if keep and helpers_available() and _can_record(indexer):
            # Whether the inventory is current is decided here (6 to 10 ms on the
            # corpus where the helper, touching the build's memory for the first
            # time, took 15 to 25); an edit to commentary leaves it only the index.
            stale = None if self.dump_inventory is None else stale_digest(builder)
            self.helper = Helper(self._helper_work(docnames, keep, loaded, stale), "search index")
            self.inventory_by_helper = self.dump_inventory is not None
            _helpers[self.app] = self.helper
            indexer.feed = _recording_feed(indexer, self._page_fed)
            return
        with collector_paused():
            _quicken(indexer)
            self.load(docnames)
            _restore_index_entries(indexer, loaded, keep)

    def _helper_work(
        self,
        docnames: Set[str],
        keep: Set[str],
        loaded: list[dict[str, Any]],
        stale: str | None,
    ) -> Callable[[Receive], None]:
        """What the helper does: load the old index and prune the pages to be written,
        write the inventory unless it is current (``stale``: the digest to record),
        feed the pages it is sent, dump, and once told to, replace the old index."""
        builder = self.builder

        def work(receive: Receive) -> None:
            # The helper ends with its work, and what it made is freed with it: the
            # collector stays off (switched back on, its next pass walked the loaded
            # index once more, 15 ms between the dump and the report on the corpus).
            gc.disable()
            _quicken(builder.indexer)  # its prune, as the old index is loaded, too
            self.load(docnames)
            _restore_index_entries(builder.indexer, loaded, keep)
            if stale is not None:  # the objects are known: no need to wait
                dump_and_record(builder, self.dump_inventory, stale)
            while (page := receive()) != _DUMP:
                if page is None:  # the build failed before the index was dumped
                    return
                _feed_again(builder.indexer, page)
            _quicken(builder.indexer)  # forked before on_collect_pages
            held: list[tuple[Path, Path]] = []
            with _renames_held(held):
                _dump_in_page_order(builder.indexer, self.dump)
            written = receive() == _WRITE  # else the build failed writing its last page
            for temporary, target in held:
                if written:
                    temporary.replace(target)
                else:
                    temporary.unlink(missing_ok=True)

        return work

    def _page_fed(self, page: _FedPage) -> None:
        """A page's words, sent to the helper at once: it feeds them while this process
        writes the page and the next ones.  After the word to dump, kept here."""
        if self.helper is not None and not self.dumping:
            self.helper.send(page)
        else:
            self.fed.append(page)

    def write_documents_then_dump(self, docnames: Set[str]) -> None:
        """Write the pages; once the last page's words are collected (before the page
        itself is written), the helper has every page to feed and may dump while this
        process writes it and makes the site's other pages and files."""
        self.unfed = set(docnames)
        self.write_documents(docnames)
        self._tell_helper_to_write()

    def _tell_helper_to_dump(self) -> None:
        if self.helper is not None and not self.dumping:
            self.dumping = True
            self.helper.send(_DUMP)

    def _tell_helper_to_write(self) -> None:
        self._tell_helper_to_dump()
        if self.helper is not None and not self.writing:
            self.writing = True
            self.helper.send(_WRITE)

    def dump_search_index(self) -> None:
        if self.kept:
            return
        indexer = self.builder.indexer
        if self.helper is not None:
            self._tell_helper_to_write()
            if self.fed:  # fed after the pages were written: index them again here
                self._index_late_pages(indexer)
        elif indexer is not None:
            with collector_paused():
                _dump_in_page_order(indexer, self.dump)

    def _index_late_pages(self, indexer: Any) -> None:
        """Pages fed after the helper was told to dump: once it has, load its index here
        less those pages, feed them and dump again, as Sphinx would have."""
        late, self.fed = self.fed, []
        _join_helper(self.app, None)
        self.helper = None
        del indexer.feed  # Sphinx's again
        loaded = _record_loads(indexer)
        docnames = {page.docname for page in late}
        with collector_paused():
            self.load(docnames)
            _restore_index_entries(indexer, loaded, set(self.builder.env.all_docs) - docnames)
            for page in late:
                _feed_again(indexer, page)
            _dump_in_page_order(indexer, self.dump)

    def index_page_loaded(self, pagename: str, doctree: Any, title: str) -> None:
        with collector_paused():
            if self.kept:  # something writes a page after all: index it as Sphinx would
                self.kept = False
                indexer = self.builder.indexer
                loaded = _record_loads(indexer)
                self.load(set())
                _restore_index_entries(indexer, loaded, set(self.builder.env.all_docs))
            self.index_page(pagename, doctree, title)
        if self.unfed:
            self.unfed.discard(pagename)
            if not self.unfed:
                self._tell_helper_to_dump()

    def dump_inventory_unless_current(self) -> None:
        if self.inventory_by_helper:
            return
        inventory = Path(self.builder.outdir) / INVENTORY_FILENAME
        if self.kept and _newer_than_environment(self.app, inventory):
            logger.debug("[roundup] no page read or written: the object inventory is kept")
            return
        with collector_paused():
            dump_if_changed(self.builder, self.dump_inventory)  # type: ignore[arg-type]


def _take_over_the_index(app: Sphinx) -> None:
    """Route an HTML builder's search index and inventory through :class:`_Index`."""
    builder = app.builder
    needed = ("load_indexer", "dump_search_index", "index_page", "searchindex_filename")
    if all(hasattr(builder, name) for name in needed):
        _Index(app, builder)


def _join_helper(app: Sphinx, exception: Exception | None) -> None:
    """The index's helper has written the index (or, the build failed, stops)."""
    helper = _helpers.pop(app, None)
    if helper is None:
        return
    if exception is None:
        helper.join()
    else:
        helper.abandon()


def docs_touched(app: Sphinx) -> bool:
    """Whether this build read or removed a document (True until it is known)."""
    return getattr(app, _TOUCHED, True)


def _touched(app: Sphinx, *args: Any) -> None:
    setattr(app, _TOUCHED, True)


def _before_read(app: Sphinx, env: Any, docnames: list[str]) -> None:
    if docnames:
        setattr(app, _TOUCHED, True)


def _builder_inited(app: Sphinx) -> None:
    setattr(app, _TOUCHED, False)
    _take_over_the_index(app)


def setup(app: Sphinx) -> None:
    app.connect("html-collect-pages", on_collect_pages)
    # after the data files' process is joined (priority 500): both run meanwhile
    app.connect("build-finished", _join_helper, priority=900)
    app.connect("builder-inited", _builder_inited)
    app.connect("env-purge-doc", _touched)
    app.connect("env-before-read-docs", _before_read)
