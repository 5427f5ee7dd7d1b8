"""Sphinx's search index without costs that grow with the site for nothing.

* Before it dumps the search index, Sphinx's HTML builder calls
  ``IndexBuilder.prune(env.all_docs)``, passing the environment's *dict* of
  documents; ``prune`` calls ``set.intersection_update`` with it once per indexed
  word, and each call builds a set of every document name again.  With 2,000
  issues that is about 100,000 words times 2,000 names: seconds of every build,
  incremental ones included, for no change in the result.  So the builder's
  indexer is handed a set of those names instead; what it keeps is the same.

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
  index and writes the inventory (:func:`collector_paused`).

* Such a build also writes the object inventory (``objects.inv``) again, from
  every object of every domain: each of the site's entries, a third of a second
  of a no-op build of 2,000 issues.  When the index is kept, an inventory
  written after the environment was last saved is kept as well: no page was
  read or removed since, so the objects are those it lists.
"""

from __future__ import annotations

import gc
from collections.abc import Iterable, Iterator, Set
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx
from sphinx.builders.html import INVENTORY_FILENAME
from sphinx.util import logging

logger = logging.getLogger(__name__)

#: app attribute: a document was read or purged in this build
_TOUCHED = "_roundup_docs_touched"


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


def _prune_with_a_set(original: Any) -> Any:
    def prune(docnames: Iterable[str]) -> None:
        original(docnames if isinstance(docnames, set | frozenset) else set(docnames))

    prune.roundup_wrapped = True  # type: ignore[attr-defined]
    return prune


def on_collect_pages(app: Sphinx) -> list:
    """Before the index is dumped (``handle_finish``), give its ``prune`` a set."""
    indexer = getattr(app.builder, "indexer", None)
    prune = getattr(indexer, "prune", None)
    if prune is not None and not getattr(prune, "roundup_wrapped", False):
        indexer.prune = _prune_with_a_set(prune)  # type: ignore[union-attr]
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


def _keep_an_unchanged_index(app: Sphinx) -> None:
    builder = app.builder
    needed = ("load_indexer", "dump_search_index", "index_page", "searchindex_filename")
    if not all(hasattr(builder, name) for name in needed):
        return
    load, dump, index_page = builder.load_indexer, builder.dump_search_index, builder.index_page
    state = {"kept": False}

    def load_indexer(docnames: Set[str]) -> None:
        if not docnames and _index_is_current(app, builder):
            state["kept"] = True
            logger.debug("[roundup] no page read or written: the search index is kept")
            return
        with collector_paused():
            load(docnames)

    def dump_search_index() -> None:
        if not state["kept"]:
            with collector_paused():
                dump()

    def index_page_loaded(pagename: str, doctree: Any, title: str) -> None:
        with collector_paused():
            if state["kept"]:  # something writes a page after all: index it as Sphinx would
                state["kept"] = False
                load(set())
            index_page(pagename, doctree, title)

    builder.load_indexer = load_indexer
    builder.dump_search_index = dump_search_index
    builder.index_page = index_page_loaded

    dump_inventory = getattr(builder, "dump_inventory", None)
    if dump_inventory is None:
        return

    def dump_inventory_unless_current() -> None:
        inventory = Path(builder.outdir) / INVENTORY_FILENAME
        if state["kept"] and _newer_than_environment(app, inventory):
            logger.debug("[roundup] no page read or written: the object inventory is kept")
            return
        with collector_paused():
            dump_inventory()

    builder.dump_inventory = dump_inventory_unless_current


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
    _keep_an_unchanged_index(app)


def setup(app: Sphinx) -> None:
    app.connect("html-collect-pages", on_collect_pages)
    app.connect("builder-inited", _builder_inited)
    app.connect("env-purge-doc", _touched)
    app.connect("env-before-read-docs", _before_read)
