"""Answers of pure one-string functions, kept from one build to the next.

The catalogue's name indexes ask a few string functions about every author and
venue of the site (:func:`~roundup_kb.names.clean_text`,
:func:`~roundup_kb.names.name_key`, :func:`~roundup_kb.names.slugify`,
:func:`~roundup_kb.permalinks.person_letter`, ...): about 10,600 distinct questions
on the corpus, nearly all asked by the last build too.  Each process used to start
with empty caches, so a build after an issue was added worked every answer out
again: the name indexes and A-Z groups took 35 to 48 ms of it (four additions).

A function decorated with :func:`kept` is an :func:`functools.lru_cache` (its hits
cost what they did) in front of a table of answers.  The table is filled as
answers are worked out and by :func:`load`, which merges what a file saved by
:func:`save` holds.  The file's stamp (see :func:`roundup_kb.files.load_cache`) is
the interpreter's version, its Unicode database's and the size and modification
time of every module of this package, so an answer is only reused by the code that
gave it.

Only functions whose answer depends on nothing but their one argument and this
package's code may be kept (no registry, no settings).  The tables grow with the
strings a process sees; a table that reaches :data:`LIMIT` starts again.
"""

from __future__ import annotations

import os
import sys
import unicodedata
from collections.abc import Callable
from functools import lru_cache, update_wrapper
from pathlib import Path
from typing import Any, TypeVar

from roundup_kb.files import load_cache, save_cache

_R = TypeVar("_R")

#: the file's format
VERSION = 1
#: most answers a table holds
LIMIT = 1 << 18

#: qualified function name -> its table of answers
_TABLES: dict[str, dict[str, Any]] = {}


class _State:
    #: answers worked out (not loaded) since the tables were loaded or saved
    added = 0
    #: the file this process loaded, and its process id (a forked writer saves nothing)
    loaded_from: Path | None = None
    home = 0
    #: see :func:`stamp`
    stamp: tuple[Any, ...] | None = None


def kept(maxsize: int = 65536) -> Callable[[Callable[[str], _R]], Callable[[str], _R]]:
    """Decorate a pure function of one string: an LRU cache backed by a kept table."""

    def decorate(func: Callable[[str], _R]) -> Callable[[str], _R]:
        table: dict[str, Any] = {}
        _TABLES[f"{func.__module__}.{func.__qualname__}"] = table

        def answer(arg: str) -> _R:
            try:
                return table[arg]
            except KeyError:
                pass
            if len(table) >= LIMIT:
                table.clear()
            value = table[arg] = func(arg)
            _State.added += 1
            return value

        cached = lru_cache(maxsize=maxsize)(answer)
        update_wrapper(cached, func)
        return cached  # type: ignore[return-value]

    return decorate


def stamp() -> tuple[Any, ...]:
    """What the kept answers depend on besides their argument (module docstring).

    Worked out once a process: the code that answers is the code it imported.
    """
    if _State.stamp is None:
        package = os.path.dirname(os.path.abspath(__file__))
        sources = []
        for folder, subfolders, files in os.walk(package):
            subfolders[:] = sorted(d for d in subfolders if d != "__pycache__")
            for name in sorted(files):
                if name.endswith(".py"):
                    stat = os.stat(os.path.join(folder, name))
                    where = os.path.relpath(os.path.join(folder, name), package)
                    sources.append((where, stat.st_mtime_ns, stat.st_size))
        _State.stamp = (VERSION, sys.version, unicodedata.unidata_version, tuple(sources))
    return _State.stamp


def load(path: Path) -> None:
    """Merge the answers kept in ``path`` into the tables (once per process and file);
    a missing, unreadable or stale file adds nothing."""
    if _State.loaded_from == path and _State.home == os.getpid():
        return
    saved = load_cache(path, stamp()) or {}
    for name, answers in saved.items():
        table = _TABLES.get(name)
        if table is None or not isinstance(answers, dict):
            continue
        if table:
            answers = {**answers, **table}
            table.clear()
        table.update(answers)
    _State.loaded_from, _State.home, _State.added = path, os.getpid(), 0


def save(path: Path) -> bool:
    """Write the tables to ``path`` if this process loaded it and has worked out new
    answers since; True when written."""
    if _State.loaded_from != path or _State.home != os.getpid() or not _State.added:
        return False
    save_cache(path, stamp(), {name: dict(table) for name, table in _TABLES.items()})
    _State.added = 0
    return True


def tables() -> dict[str, dict[str, Any]]:
    """The tables by function name (for tests and benchmarks)."""
    return _TABLES
