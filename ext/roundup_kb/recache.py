"""Compiled regular expressions kept from one build process to the next.

Every ``sphinx-build`` compiles about five hundred regular expressions as Sphinx,
docutils, MyST, Jinja, ``requests`` and this package are imported and set up: 70
to 84 ms of a one-page project's rebuild, which takes 0.55 to 0.7 s here, 52 to 63
ms of them after ``conf.py`` runs (350 patterns; three rebuilds, timed).  CPython
compiles a pattern in Python -- it parses it, then generates the code its matching
engine runs -- and hands that code to the engine (``_sre.compile``).

:func:`install` (called by ``conf.py``) keeps, for each pattern a process compiles,
what it handed the engine, and :func:`save` (at the end of a build) writes them to
a file when it compiled any pattern it did not have: the patterns it used, and
those earlier processes used that have gone unused for at most ten such saves
(:func:`roundup_kb.files.kept_in_use`).  In the next process a pattern compiled
with the same flags is handed to the engine straight from the file: the same
pattern object, without the parsing.

What is kept is only used by the interpreter that wrote it: the file's key is the
interpreter's full version string, its implementation and the engine's ``MAGIC``
and ``CODESIZE``.  A pattern whose compilation warned (a ``DeprecationWarning`` for
a bad escape, a ``FutureWarning`` for a possible set) is not kept, so the warning
is given each time, as before; neither is one compiled with ``re.DEBUG`` (which
prints the code).  A file that cannot be read is treated as missing.  Nothing here
imports Sphinx.
"""

from __future__ import annotations

import _sre
import os
import re
import sys
import threading
import warnings
from pathlib import Path
from typing import Any

from roundup_kb.files import kept_entries, kept_in_use, load_cache, save_made

#: the version of the file's format
CACHE_VERSION = 2
#: the file, in the project's cache directory (see conf.py)
CACHE_NAME = "regex-code.pickle"

_compiler: Any = getattr(re, "_compiler", None)
_parser: Any = getattr(re, "_parser", None)
#: what CPython's ``re._compiler.compile`` is called (saved when it is replaced)
_ORIGINAL = getattr(_compiler, "compile", None)

#: (pattern, flags) -> the engine's arguments after the pattern: (flags, code,
#: groups, groupindex, indexgroup)
_kept: dict[tuple[str | bytes, int], tuple] = {}
#: the keys compiled in this process (kept or made), which :func:`save` writes
_used: set[tuple[str | bytes, int]] = set()
#: "saves": the file's count of saves; "last": key -> the save that last found it used
_state: dict[str, Any] = {"path": None, "made": 0, "home": None, "saves": 0, "last": {}}
_lock = threading.Lock()


def stamp() -> tuple:
    """What kept code depends on: this interpreter and its matching engine."""
    implementation = sys.implementation.name
    return (CACHE_VERSION, sys.version, implementation, _sre.MAGIC, _sre.CODESIZE)


def supported() -> bool:
    """Whether ``re`` has the parts this module calls (CPython 3.11's does; the
    tests compare what it makes with CPython's own compilation)."""
    return (
        _ORIGINAL is not None
        and hasattr(_compiler, "_code")
        and hasattr(_parser, "parse")
        and hasattr(_compiler, "SRE_FLAG_DEBUG")
    )


def _made(pattern: str | bytes, flags: int) -> tuple[Any, tuple | None]:
    """Compile as CPython's ``re._compiler.compile`` does; also return the engine's
    arguments when they may be kept (no warning, no ``re.DEBUG``)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        parsed = _parser.parse(pattern, flags)
        code = _compiler._code(parsed, flags)
    for warning in caught:  # given as the parser gave them, and not kept
        warnings.warn_explicit(warning.message, warning.category, warning.filename, warning.lineno)
    groupindex = parsed.state.groupdict
    indexgroup: list[str | None] = [None] * parsed.state.groups
    for name, index in groupindex.items():
        indexgroup[index] = name
    arguments = (
        flags | parsed.state.flags,
        [int(op) for op in code],  # the opcodes are named ints, which do not pickle
        parsed.state.groups - 1,
        groupindex,
        tuple(indexgroup),
    )
    return _sre.compile(pattern, *arguments), None if caught else arguments


def compile_kept(p: Any, flags: int = 0) -> Any:
    """In the place of ``re._compiler.compile``: the kept code of ``p`` when there is
    some, else CPython's compilation, kept."""
    if not isinstance(p, (str, bytes)) or flags & _compiler.SRE_FLAG_DEBUG:
        return _ORIGINAL(p, flags)
    key = (p, flags)
    arguments = _kept.get(key)
    if arguments is not None:
        try:
            compiled = _sre.compile(p, *arguments)
        except Exception:  # not what this engine takes: compile it again
            _kept.pop(key, None)
        else:
            _used.add(key)
            return compiled
    compiled, arguments = _made(p, flags)
    if arguments is not None:
        with _lock:
            _kept[key] = arguments
            _used.add(key)
            _state["made"] += 1
    return compiled


def install(directory: str | os.PathLike[str]) -> bool:
    """Compile regular expressions through the code kept in ``directory`` from now on
    in this process (loading what an earlier process saved there); False, and nothing
    changed, when ``re`` does not compile as this module expects."""
    if not supported():
        return False
    path = Path(directory) / CACHE_NAME
    loaded = load_cache(path, stamp())
    with _lock:
        for key, arguments in kept_entries(loaded, _state).items():
            _kept.setdefault(key, arguments)
        _state["path"] = path
        if _state["home"] is None:
            _state["home"] = os.getpid()
        _compiler.compile = compile_kept
    return True


def uninstall() -> None:
    """CPython's compilation again (what is kept stays, for a later :func:`install`)."""
    if _ORIGINAL is not None:
        _compiler.compile = _ORIGINAL


def save() -> bool:
    """Write the kept code, when this process compiled a pattern it did not have:
    the patterns it used, and those that have gone unused for at most ten such
    saves (:func:`~roundup_kb.files.kept_in_use`), not every pattern ever compiled.
    A forked process writes nothing.  Returns whether it wrote."""
    return save_made(_state, _lock, stamp(), lambda: kept_in_use(_kept, _used, _state))
