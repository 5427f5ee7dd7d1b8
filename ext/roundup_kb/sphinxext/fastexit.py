"""``sphinx-build`` ends without freeing, one by one, the objects the build left behind.

When the interpreter exits it takes every module apart and frees each object the
build made: the environment, the pre-scan's issues, the catalogue and the kept
caches.  From Python's exit hooks to the process's end took 27 to 33 ms after an
edit to one issue of the corpus (a 0.6 s rebuild) and 32 to 34 ms after an
addition, against 10 ms for an interpreter that built nothing; 7 to 10 ms with
this extension.  Nobody reads that memory again: the operating system takes it
back whole.

So when the build was started by the ``sphinx-build`` command (``sphinx-build``
or ``python -m sphinx``, including ``-M`` make mode), this extension waits for
Sphinx's ``main`` to return its exit status, then does what Python's own exit
would do that anyone can see, and ends the process with that status
(:func:`os._exit`), as mypy does for the same reason (``mypy.util.hard_exit``):

1. every function registered with :mod:`atexit` runs (``logging`` flushes and
   closes its handlers, ``weakref.finalize`` callbacks such as temporary
   directories' clean-up run, gctune freezes the heap);
2. standard output and standard error are flushed.

What it skips is the freeing itself, and with it ``__del__`` methods of objects
still alive.  An extension that leaves a file open with unwritten data, relying on
the interpreter to close it at exit, would lose that data: set
``roundup_fast_exit = False`` if one does.  Sphinx, docutils, MyST, the theme
and roundup-kb close what they open.

Nothing changes when:

- Sphinx runs in a process that goes on (tests, ``roundup-kb preview``, any
  caller of :class:`sphinx.application.Sphinx` or of ``build_main``): ``main``
  is not what its caller's module runs as ``__main__``, so there is nothing to
  watch;
- another thread that Python would wait for is still running;
- ``main`` ends by raising rather than returning a status (its frame then
  returns None, which is no status);
- flushing standard output or standard error fails (Python then reports it and
  exits 120, as it would have).
"""

from __future__ import annotations

import atexit
import os
import sys
import threading
from pathlib import Path
from types import FrameType
from typing import Any

from sphinx.application import Sphinx

#: the files that run Sphinx's ``main`` as ``__main__``: ``python -m sphinx``, and the
#: ``sphinx-build`` console script (``sphinx-build-script.py`` on Windows)
_MAIN_FILES = ("__main__.py", "sphinx-build", "sphinx-build-script.py")


def command_frame(start: FrameType | None) -> FrameType | None:
    """The frame of ``sphinx.cmd.build.main`` when the command line called it, else None.

    The command line is the module that Python runs as ``__main__``: Sphinx's own
    ``__main__.py`` or the ``sphinx-build`` script, whose next step is to exit
    with what ``main`` returned.
    """
    from sphinx.cmd import build

    code = build.main.__code__
    frame = start
    while frame is not None and frame.f_code is not code:
        frame = frame.f_back
    if frame is None or frame.f_back is None:
        return None
    caller = frame.f_back
    if caller.f_code.co_name != "<module>" or caller.f_globals.get("__name__") != "__main__":
        return None
    path = Path(caller.f_code.co_filename)
    if path.name not in _MAIN_FILES:
        return None
    if path.name == "__main__.py" and path.parent.name != "sphinx":
        return None
    return frame


def others_running() -> bool:
    """Whether a thread that Python waits for at exit is still running."""
    main = threading.main_thread()
    return any(
        thread is not main and not thread.daemon and thread.is_alive()
        for thread in threading.enumerate()
    )


def exit_now(status: Any) -> None:
    """Run the exit hooks, flush, and end the process with ``status``; return when it
    cannot be done as Python would have."""
    if not isinstance(status, int) or isinstance(status, bool) or others_running():
        return
    atexit._run_exitfuncs()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError, AttributeError):
        return  # Python reports this at exit and exits 120
    os._exit(status & 0xFF)


def watch(frame: FrameType) -> None:
    """End the process as soon as ``frame`` (Sphinx's ``main``) returns."""
    previous = sys.getprofile()

    def on_event(seen: FrameType, event: str, arg: Any) -> None:
        if event == "return" and seen is frame:
            sys.setprofile(previous)
            exit_now(arg)

    sys.setprofile(on_event)


def on_build_finished(app: Sphinx, exception: BaseException | None) -> None:
    if not app.config.roundup_fast_exit or sys.getprofile() is not None:
        return  # a profiler is running: leave the process to it
    frame = command_frame(sys._getframe())
    if frame is not None:
        watch(frame)


def setup(app: Sphinx) -> None:
    app.add_config_value("roundup_fast_exit", True, "", types=[bool])
    app.connect("build-finished", on_build_finished, priority=1000)
