"""Garbage-collector settings for the length of a build.

A build holds a few hundred thousand objects for its whole length (the modules
of Sphinx, docutils and the theme, the environment, the pre-scan's results)
while it makes millions of short-lived ones (Markdown tokens, docutils nodes).
With Python's default thresholds the collector's full passes scan the
long-lived objects over and over: about a sixth of a full build of the corpus,
vanilla Sphinx included.  So as soon as the configuration is read, before the
pickled environment is loaded, what exists is moved out of the collector's
sight (:func:`gc.freeze`) and the youngest generation is collected less often;
once the environment is loaded and the pre-scan done, what exists then is
frozen too, and again every hundred pages read and once a build that read that
many has read them all (:func:`freeze_read`).  Both are undone when the build
finishes, so a process that runs several builds (tests, a live-reload server)
gets back the settings it had and can free the frozen objects.

Before ``-j N`` forks, a frozen heap also means the children's collections do
not touch, and so copy, the parent's memory pages.

When the interpreter exits after a build, its last collections would walk the
whole heap again (seconds for a 2,000-issue environment), only for the objects
to be freed anyway: an exit hook freezes the heap once more first.
"""

from __future__ import annotations

import atexit
import gc
import os
import sys

from sphinx.application import Sphinx
from sphinx.config import Config

from roundup_kb.sphinxext.fastexit import command_frame

#: thresholds while a build runs (Python's defaults are 700, 10, 10)
THRESHOLDS = (10_000, 10, 10)


def start(app: Sphinx, config: Config) -> None:
    """Before Sphinx loads the pickled environment: the modules out of sight, fewer passes.

    Unpickling a 2,000-issue environment makes millions of objects; with the
    default thresholds the collector ran over them again and again while they
    were made (2.3 s of loading it here, against 1.6 s).
    """
    if not config.roundup_tune_gc or getattr(app, "_roundup_gc", None):
        return
    app._roundup_gc = gc.get_threshold()
    app._roundup_gc_pid = os.getpid()
    gc.freeze()
    gc.set_threshold(*THRESHOLDS)
    global _EXIT_HOOK
    if not _EXIT_HOOK:
        atexit.register(freeze_at_exit)
        _EXIT_HOOK = True


def tune(app: Sphinx) -> None:
    """Once the environment is loaded and the pre-scan done: those out of sight too."""
    if getattr(app, "_roundup_gc", None):
        gc.freeze()


#: pages read between two freezes of what reading made (see :func:`freeze_read`)
READ_BATCH = 100


def _freeze_made(app: Sphinx) -> None:
    """What the build made so far out of the collector's sight, its youngest
    garbage collected first; only in the process that tunes (not in a worker
    forked to read or write, whose doctrees are garbage once pickled)."""
    if getattr(app, "_roundup_gc", None) and getattr(app, "_roundup_gc_pid", None) == os.getpid():
        gc.collect(1)
        gc.freeze()
        app._roundup_gc_froze_read = True


def count_reading(app: Sphinx, env: object, docnames: list[str]) -> None:
    """How many pages this build reads (after every other extension added its own)."""
    app._roundup_gc_reading = len(docnames)
    app._roundup_gc_read = 0


def freeze_read(app: Sphinx, doctree: object) -> None:
    """Every :data:`READ_BATCH` pages read: what reading made out of sight.

    A full build makes the environment's data while it reads, and Sphinx keeps
    each page's doctree for writing it (``env._write_doc_doctree_cache``).  The
    collector's full passes walked all of it again and again: with 2,000 issues,
    four passes while reading (3.7 s) and three while writing (7.4 s, where they
    free the written pages' doctrees), 10 s of an 82 s build (``gc.callbacks``
    timed).  Frozen, a page's doctree stays until the build finishes
    (:func:`restore`) instead of going once written: about 245 MiB more at most
    with 2,000 issues, none that shows with the corpus."""
    app._roundup_gc_read = getattr(app, "_roundup_gc_read", 0) + 1
    if app._roundup_gc_read % READ_BATCH == 0:
        _freeze_made(app)


def freeze_before_writing(app: Sphinx, env: object) -> None:
    """Once a build that read :data:`READ_BATCH` pages or more has read the last, the
    rest of what reading made out of sight.  A rebuild that read a few pages (an
    edit, an addition) is left as it is: its collections are short already."""
    if getattr(app, "_roundup_gc_reading", 0) >= READ_BATCH:
        _freeze_made(app)


#: whether :func:`freeze_at_exit` is registered (once per process)
_EXIT_HOOK = False


def freeze_at_exit() -> None:
    """Keep the interpreter's last collections off the heap a build leaves behind."""
    gc.freeze()


def restore(app: Sphinx, exception: Exception | None) -> None:
    """The collector as it was before the build.

    What was frozen while pages were read goes back to the oldest generation
    without counting as new there, so Python would not run the full pass that frees
    the written pages' doctrees until much later: after a five-issue build in the
    tests' process, 86 of its 86 doctrees were still alive (4 with this pass; see
    tests/test_sphinx_prescan.py).  So after such a build, in a process that
    goes on (tests, ``roundup-kb preview``, callers of Sphinx), that pass runs now; a
    ``sphinx-build`` command ends right after (see ``fastexit``) and skips it."""
    old = getattr(app, "_roundup_gc", None)
    if old:
        gc.set_threshold(*old)
        gc.unfreeze()
        app._roundup_gc = None
        if getattr(app, "_roundup_gc_froze_read", False):
            app._roundup_gc_froze_read = False
            if command_frame(sys._getframe()) is None:
                gc.collect()


def setup(app: Sphinx) -> None:
    app.add_config_value("roundup_tune_gc", True, "", types=[bool])
    # config-inited comes before the environment is loaded
    app.connect("config-inited", start)
    # after the pre-scan (400) and sphinxcontrib-bibtex (500) have loaded what they keep
    app.connect("builder-inited", tune, priority=900)
    # while pages are read (in the building process: serial reading), and once they
    # are, after the other handlers of env-updated (sphinxcontrib-bibtex's among them)
    app.connect("env-before-read-docs", count_reading, priority=900)
    app.connect("doctree-read", freeze_read, priority=900)
    app.connect("env-updated", freeze_before_writing, priority=900)
    # last, after every output is written and every helper process joined: the
    # settings restored, the next full pass walks the whole heap (0.01 s of an edit
    # of the corpus when it came before the search index's helper was joined)
    app.connect("build-finished", restore, priority=1000)
