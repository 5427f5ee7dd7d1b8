"""The data files an HTML build writes when it ends, beside the page writers with ``-j N``.

``entries.json``, the citation files (:func:`~roundup_kb.sphinxext.cite.write_cite_files`)
and the Atom feeds are made from the whole catalogue, once every page is read.  A
serial build makes them at ``build-finished``, as it always did.  With ``-j N`` Sphinx
translates pages in forked writers while its main process resolves doctrees and
feeds the search index; the data files are then made in one more forked process,
started when writing starts (the catalogue is built just before, see
``pages._prepare_writers``), and the build waits for it when it ends: on the corpus
they are a second and a half of work that no longer comes after the last page.  The
process's log records are replayed by the main process, and an error in it fails
the build (Sphinx's ``ParallelTasks`` does both).  Outputs record what they were
made from in a :class:`~roundup_kb.sphinxext.outputs.Manifest`, whose saves merge
under a lock, so the main process's ``browse.json`` and statistics page can record
theirs at the same time.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from weakref import WeakKeyDictionary

from sphinx.application import Sphinx
from sphinx.util.parallel import ParallelTasks, parallel_available

from roundup_kb.sphinxext.cite import write_cite_files
from roundup_kb.sphinxext.export import write_entries_json
from roundup_kb.sphinxext.feeds import write_site_feeds

#: each ``writer(app, exception)`` makes its files, unless the build failed
WRITERS: tuple[Callable[[Sphinx, Exception | None], None], ...] = (
    write_entries_json,
    write_cite_files,
    write_site_feeds,
)

_running: WeakKeyDictionary[Sphinx, ParallelTasks] = WeakKeyDictionary()


def write_all(app: Sphinx, exception: Exception | None = None) -> None:
    """Run every writer of :data:`WRITERS`, in this process."""
    for writer in WRITERS:
        writer(app, exception)


def beside_writers(app: Sphinx, builder: Any) -> bool:
    """Whether this build writes its pages in forked processes (``-j N``, HTML)."""
    return (
        parallel_available
        and app.parallel > 1
        and builder.format == "html"
        and getattr(builder, "parallel_ok", False)
    )


def _start(app: Sphinx, builder: Any) -> None:
    if beside_writers(app, builder):
        tasks = ParallelTasks(1)
        tasks.add_task(write_all, app)
        _running[app] = tasks


def _finish(app: Sphinx, exception: Exception | None) -> None:
    tasks = _running.pop(app, None)
    if tasks is None:
        write_all(app, exception)
    elif exception is None:
        tasks.join()
    else:
        tasks.terminate()  # the build failed: its data files are not wanted


def setup(app: Sphinx) -> None:
    # after pages._prepare_writers (priority 500), which builds the catalogue to share
    app.connect("write-started", _start, priority=800)
    app.connect("build-finished", _finish)
