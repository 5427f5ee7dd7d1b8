"""Where a build's wall-clock time goes: a Sphinx extension for benchmarking.

cProfile slows Python code by two or three times and C code hardly at all, so its
shares mislead; this extension only reads the clock at a few points.  Add it to a
scratch copy of a project (``benchmarks/bench.py``'s ``make_ours`` and
``make_vanilla`` make them), last in ``extensions``::

    import sys
    sys.path.insert(0, "/path/to/roundup-kb/benchmarks")
    extensions = [*extensions, "phase_timer"]

When the build finishes it writes three lines to standard error:

``PHASES``
    seconds between the build's landmarks: extension set-up to the first
    ``builder-inited`` handler (loading the environment), the ``builder-inited``
    handlers (roundup-kb's pre-scan), reading, the gap before writing, writing
    (with Sphinx's index pages, search index and static files), and the
    ``build-finished`` handlers (roundup-kb's data files).
``PAGES``
    seconds spent reading and writing pages, by group (``issues``,
    ``docs/topics``, ...), and how many pages.
``HANDLERS``
    seconds in each handler of the events listed in :data:`EVENTS`, slowest first.

Each figure is ``seconds/calls``.  With ``-j N``, pages read or written by forked
processes are not counted.

``PHASE_TIMER_FUNCTIONS="module:function,module:Class.method,..."`` also times
functions and methods (looked up, and replaced, where named: a function imported
into another module is timed under that module's name).  Adding the extension changes the
configuration, so the first build after adding it reads every page.
"""

from __future__ import annotations

import collections
import importlib
import inspect
import os
import sys
import time
from typing import Any

#: events whose handlers are timed one by one
EVENTS = (
    "builder-inited",
    "env-get-outdated",
    "env-before-read-docs",
    "env-updated",
    "env-check-consistency",
    "write-started",
    "build-finished",
)

_marks: list[tuple[str, float]] = []
_seconds: dict[str, float] = collections.defaultdict(float)
_counts: collections.Counter = collections.Counter()


def _mark(name: str) -> None:
    _marks.append((name, time.perf_counter()))


def _add(key: str, started: float) -> None:
    _seconds[key] += time.perf_counter() - started
    _counts[key] += 1


def page_group(docname: str) -> str:
    """``issues/0094`` -> ``issues``; ``docs/topics/x`` -> ``docs/topics``; ``docs/about`` as is."""
    parts = docname.split("/")
    if parts[0] == "docs":
        return "/".join(parts[:2]) if len(parts) > 2 else docname
    return parts[0]


def _timed(key: str, function: Any) -> Any:
    def timed(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            _add(key, started)

    return timed


def _time_handlers(app: Any, config: Any) -> None:
    listeners = app.events.listeners
    for event in EVENTS:
        for index, listener in enumerate(listeners.get(event, [])):
            handler = listener.handler
            name = f"{getattr(handler, '__module__', '?')}.{getattr(handler, '__qualname__', '?')}"
            if name.startswith(__name__ + "."):
                continue
            listeners[event][index] = listener._replace(
                handler=_timed(f"handler {event} {name}", handler)
            )


def _by_page_group(kind: str, method: Any) -> Any:
    def timed(docname: str, *args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return method(docname, *args, **kwargs)
        finally:
            _add(f"{kind} {page_group(docname)}", started)

    return timed


def _time_pages(app: Any) -> None:
    builder = app.builder
    builder.read_doc = _by_page_group("read", builder.read_doc)
    builder.write_doc = _by_page_group("write", builder.write_doc)


#: (module, name, original function) of the functions timed, put back when the build ends
_replaced: list[tuple[Any, str, Any]] = []


def _time_functions(spec: str) -> None:
    for item in filter(None, (part.strip() for part in spec.split(","))):
        module_name, _, path = item.partition(":")
        owner = importlib.import_module(module_name)
        *owners, function_name = path.split(".")
        for name in owners:  # "module:Class.method" times a method
            owner = getattr(owner, name)
        # a method inherited from a base class is timed on the class named, then removed
        own = function_name in vars(owner)
        original = inspect.getattr_static(owner, function_name)
        _replaced.append((owner, function_name, original if own else None))
        setattr(owner, function_name, _timed(f"function {item}", original))


def report() -> str:
    """The three lines described in the module docstring."""
    phases, previous = [], _marks[0][1] if _marks else time.perf_counter()
    for name, at in _marks[1:]:
        phases.append(f"{name} {at - previous:.2f}")
        previous = at

    def listed(prefix: str) -> str:
        found = sorted(
            ((k, v) for k, v in _seconds.items() if k.startswith(prefix)), key=lambda kv: -kv[1]
        )
        return ", ".join(f"{k[len(prefix) :]} {v:.2f}/{_counts[k]}" for k, v in found)

    lines = [
        f"PHASES {', '.join(phases)}",
        f"PAGES read: {listed('read ')}; write: {listed('write ')}",
        f"HANDLERS {listed('handler ')}",
    ]
    if any(key.startswith("function ") for key in _seconds):
        lines.append(f"FUNCTIONS {listed('function ')}")
    return "\n".join(lines) + "\n"


def setup(app: Any) -> dict[str, Any]:
    _marks.clear()
    _seconds.clear()
    _counts.clear()
    _mark("set-up")
    app.connect("config-inited", _time_handlers, priority=1000)
    app.connect("builder-inited", lambda app: _mark("environment loaded"), priority=0)
    app.connect("builder-inited", lambda app: _mark("builder-inited handlers"), priority=1000)
    app.connect("builder-inited", _time_pages, priority=1000)
    app.connect("env-before-read-docs", lambda app, env, docs: _mark("outdated pages found"))
    app.connect("env-updated", lambda app, env: _mark("read"), priority=0)
    app.connect("write-started", lambda app, builder: _mark("before writing"), priority=0)
    app.connect("build-finished", lambda app, exc: _mark("written"), priority=0)
    app.connect("build-finished", lambda app, exc: _finish(), priority=1000)
    if os.environ.get("PHASE_TIMER_FUNCTIONS"):
        _time_functions(os.environ["PHASE_TIMER_FUNCTIONS"])
    return {"parallel_read_safe": True, "parallel_write_safe": True}


def _finish() -> None:
    _mark("build-finished handlers")
    while _replaced:
        owner, name, original = _replaced.pop()
        if original is None:
            delattr(owner, name)
        else:
            setattr(owner, name, original)
    sys.stderr.write(report())
