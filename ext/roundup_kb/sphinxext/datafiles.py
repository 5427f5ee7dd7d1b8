"""The data files an HTML build writes when it ends, made beside the page writers.

``entries.json``, ``browse.json``, the citation files
(:func:`~roundup_kb.sphinxext.cite.write_cite_files`) and the Atom feeds are made
from the whole catalogue, once every page is read.  They are made in one forked
process, started when writing starts (the catalogue is built just before, so the
process has it, when pages other than issue pages are to be written and need it
anyway; an edit of issues only leaves it to the process), while the main process writes the
pages, resolves doctrees and collects the pages' words for the search index; the
build waits for it when it ends.  The process's log records are replayed by the
main process, and an error in it fails the build
(:class:`~roundup_kb.sphinxext.processes.Helper`, as for the search index: joining
it waits on its report, where Sphinx's ``ParallelTasks`` looked every 20 ms); a
build that fails first waits for it, so that no file is left half made.  Outputs
record what they were made from in a
:class:`~roundup_kb.sphinxext.outputs.Manifest`, whose saves merge under a lock, so
the main process's statistics page can record its own at the same time.

That takes a second CPU, so it is done where this process may run on more than one,
with ``-j N`` or without: on the corpus the data files are a few tenths of a second
of a full build that no longer come after the last page.  A build that read and
removed no page, or changed nothing ``entries.json`` shows (an edit to commentary
past the summaries), makes them in its own process when it ends: there is then
nothing or one feed to make, less work than starting a process and waiting for it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from weakref import WeakKeyDictionary

from sphinx.application import Sphinx
from sphinx.util.parallel import parallel_available

from roundup_kb.sphinxext.browse import write_browse_json
from roundup_kb.sphinxext.cite import write_cite_files
from roundup_kb.sphinxext.domain import REWRITTEN, get_domain
from roundup_kb.sphinxext.export import entries_json_fresh, write_entries_json
from roundup_kb.sphinxext.feeds import write_site_feeds
from roundup_kb.sphinxext.processes import Helper, usable_cpus
from roundup_kb.sphinxext.searchindex import docs_touched

#: each ``writer(app, exception)`` makes its files, unless the build failed
WRITERS: tuple[Callable[[Sphinx, Exception | None], None], ...] = (
    write_entries_json,
    write_browse_json,
    write_cite_files,
    write_site_feeds,
)

_running: WeakKeyDictionary[Sphinx, Helper] = WeakKeyDictionary()
#: app attribute: the documents this build read
_READ = "_roundup_read_docs"


def write_all(app: Sphinx, exception: Exception | None = None) -> None:
    """Run every writer of :data:`WRITERS`, in this process."""
    for writer in WRITERS:
        writer(app, exception)


def beside_writers(app: Sphinx, builder: Any) -> bool:
    """Whether this build makes its data files in a forked process (see above): an HTML
    build that read or removed a page and changed what ``entries.json`` shows, where
    processes can be forked and this one may run on more than one CPU."""
    return (
        parallel_available
        and builder.format == "html"
        and usable_cpus() > 1
        and docs_touched(app)
        and not entries_json_fresh(app)
    )


def pages_need_catalogue(app: Sphinx) -> bool:
    """Whether a page this build read or writes again without reading is not an issue
    page: the site's other pages (topics, names, the archive) list from the catalogue,
    where an issue page needs only what is kept between builds (its links' names and
    backlinks: ``RoundupDomain.name_directories``, ``RoundupDomain.backlinks``)."""
    issues = get_domain(app.env).issues
    touched = [*docs_read(app), *getattr(app, REWRITTEN, ())]
    return any(doc not in issues for doc in touched)


def docs_read(app: Sphinx) -> list[str]:
    """The documents this build read (none before it reads)."""
    return getattr(app, _READ, [])


def _note_read(app: Sphinx, env: Any, docnames: list[str]) -> None:
    setattr(app, _READ, list(docnames))


def _start(app: Sphinx, builder: Any) -> None:
    if beside_writers(app, builder):
        if pages_need_catalogue(app):
            get_domain(app.env).catalogue()  # built here once: the process inherits it
        # else an edit of issues only: the process builds it, this one may not need it
        _running[app] = Helper(lambda _receive: write_all(app), "data files")


def _finish(app: Sphinx, exception: Exception | None) -> None:
    helper = _running.pop(app, None)
    if helper is None:
        write_all(app, exception)
    elif exception is None:
        helper.join()
    else:
        helper.abandon()


def setup(app: Sphinx) -> None:
    # after pages._prepare_writers (priority 500), which builds the catalogue for -j N
    app.connect("write-started", _start, priority=800)
    app.connect("env-before-read-docs", _note_read)
    app.connect("build-finished", _finish)
