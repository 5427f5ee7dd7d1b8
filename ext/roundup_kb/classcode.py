"""The code of dataclasses' methods kept from one build process to the next.

``@dataclass`` writes the source of each class's ``__init__``, ``__repr__``,
``__eq__`` (and the rest it is asked for) and compiles it with ``exec`` as the
class is made, at import.  A build imports about 260 such methods (Sphinx's
autodoc, MyST, sphinxcontrib-bibtex and this package's model, parser and
catalogue): about 20 ms of every build, a rebuild after an edit included (the
imports of a build in a new process, timed with and without this module;
docs/performance.md).

:func:`install` (called by ``conf.py``) gives the ``dataclasses`` module an
``exec`` of its own: source text it compiled in an earlier process is taken, as
compiled, from a file in the project's cache directory; other text is compiled
as the built-in ``exec`` compiles it (file name ``<string>``, no ``__future__``
flags of the caller) and kept.  :func:`save` (at the end of a build) writes the
code when this process compiled any it did not have: what it used, and what
earlier processes used that has gone unused for at most ten such saves
(:func:`roundup_kb.files.kept_in_use`).

What ``dataclasses`` does with the code is unchanged: the same text, the same
globals and locals, the built-in ``exec``.  Only the compiling is skipped.  The
file is used only by the interpreter that wrote it (its key is the full version
string, the implementation and ``marshal``'s version), and a file that cannot be
read is treated as missing.  Nothing here imports Sphinx.
"""

from __future__ import annotations

import builtins
import dataclasses
import marshal
import os
import sys
import threading
from pathlib import Path
from types import CodeType
from typing import Any

from roundup_kb.files import kept_entries, kept_in_use, load_cache, save_made

#: the version of the file's format
CACHE_VERSION = 2
#: the file, in the project's cache directory (see conf.py)
CACHE_NAME = "dataclass-code.pickle"

#: source text -> its code, compiled here or loaded from the file
_kept: dict[str, CodeType] = {}
#: the source texts executed in this process, which :func:`save` writes
_used: set[str] = set()
#: "saves": the file's count of saves; "last": text -> the save that last found it used
_state: dict[str, Any] = {"path": None, "made": 0, "home": None, "saves": 0, "last": {}}
_lock = threading.Lock()


def stamp() -> tuple:
    """What kept code depends on: this interpreter and its ``marshal`` format."""
    return (CACHE_VERSION, sys.version, sys.implementation.name, marshal.version)


def supported() -> bool:
    """Whether code objects can be kept in a file here (CPython's can; the tests
    compare what this module's ``exec`` makes with what the built-in one does)."""
    return sys.implementation.name == "cpython"


def compiled(source: str) -> CodeType:
    """The code of ``source`` as the built-in ``exec`` compiles text called from a
    module without ``__future__`` imports (``dataclasses``): kept, or made and kept."""
    code = _kept.get(source)
    if code is None:
        code = compile(source, "<string>", "exec", dont_inherit=True)
        with _lock:
            _kept[source] = code
            _state["made"] += 1
    _used.add(source)
    return code


def exec_kept(source: Any, globals: Any = None, locals: Any = None, /) -> None:
    """In the place of ``exec`` in ``dataclasses``: text is run from its kept code,
    anything else (code, or text in bytes) goes to the built-in ``exec`` as given."""
    if type(source) is str:
        source = compiled(source)
    builtins.exec(source, globals, locals)


def install(directory: str | os.PathLike[str]) -> bool:
    """Compile the methods of dataclasses made from now on in this process through
    the code kept in ``directory`` (loading what an earlier process saved there);
    False, and nothing changed, when the interpreter cannot keep code."""
    if not supported():
        return False
    path = Path(directory) / CACHE_NAME
    loaded = load_cache(path, stamp())
    data: Any = None
    if isinstance(loaded, bytes):
        try:
            data = marshal.loads(loaded)
        except (EOFError, ValueError, TypeError):
            data = None
    with _lock:
        for source, code in kept_entries(data, _state).items():
            if isinstance(source, str) and isinstance(code, CodeType):
                _kept.setdefault(source, code)
        _state["path"] = path
        if _state["home"] is None:
            _state["home"] = os.getpid()
        dataclasses.exec = exec_kept  # type: ignore[attr-defined]
    return True


def uninstall() -> None:
    """The built-in ``exec`` in ``dataclasses`` again (what is kept stays)."""
    if getattr(dataclasses, "exec", None) is exec_kept:
        del dataclasses.exec  # type: ignore[attr-defined]


def save() -> bool:
    """Write the kept code, when this process compiled text it did not have: that of
    the texts it ran, and that of texts gone unused for at most ten such saves
    (:func:`~roundup_kb.files.kept_in_use`).  A forked process writes nothing.
    Returns whether it wrote."""
    return save_made(
        _state, _lock, stamp(), lambda: marshal.dumps(kept_in_use(_kept, _used, _state))
    )
