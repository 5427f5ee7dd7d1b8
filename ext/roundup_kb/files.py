"""Writing output files: atomically, and not at all when they already hold the text."""

from __future__ import annotations

import importlib
import os
import pickle
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any, Generic, NamedTuple, TypeVar

_K = TypeVar("_K")
_V = TypeVar("_V")


def write_if_changed(path: Path, text: str) -> bool:
    """Write ``text`` to ``path`` (UTF-8, newlines as given) unless it already holds it;
    True when written.

    The text goes to a temporary file beside ``path`` that is then renamed, so a
    reader never sees half a file.  An unchanged file keeps its modification
    time, so tools that watch it (Sphinx, sphinxcontrib-bibtex) see no change.
    A file of another size is not read to find that out: the site's exports
    are megabytes, and reading and decoding them again was most of the time
    spent writing them after an issue was added.
    """
    data = text.encode("utf-8")
    try:
        if path.stat().st_size == len(data) and path.read_bytes() == data:
            return False
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data)
    tmp.replace(path)
    return True


def load_cache(path: Path, stamp: Any) -> Any:
    """What :func:`save_cache` stored at ``path`` with ``stamp``; None when missing or stale.

    ``stamp`` is a version and whatever else the data depends on: data saved
    under another stamp (an older format, other settings) is not used.  A cache
    that cannot be read is treated as missing: it only ever saves work.
    """
    try:
        with path.open("rb") as handle:
            stored, data = pickle.load(handle)
    except (OSError, pickle.UnpicklingError, EOFError, ValueError, TypeError, AttributeError):
        return None
    return data if stored == stamp else None


def save_cache(path: Path, stamp: Any, data: Any) -> None:
    """Pickle ``(stamp, data)`` to ``path`` atomically (see :func:`load_cache`)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")  # two processes: two files
    with tmp.open("wb") as handle:
        pickle.dump((stamp, data), handle, protocol=pickle.HIGHEST_PROTOCOL)
    tmp.replace(path)


def save_made(state: dict[str, Any], lock: Any, stamp: Any, collect: Callable[[], Any]) -> bool:
    """Save what ``collect()`` returns to ``state["path"]`` with ``stamp`` (see
    :func:`save_cache`), when this process made something new since it last saved
    (``state["made"]``) and is the one that installed the cache (``state["home"]``,
    a process id: a forked one writes nothing).  ``collect`` runs under ``lock``,
    and ``made`` goes back to 0.  Returns whether it wrote; a file that cannot be
    written is left, as a cache only ever saves work.  What ``recache`` and
    ``classcode`` keep between build processes is saved through this."""
    path = state["path"]
    if path is None or not state["made"] or os.getpid() != state["home"]:
        return False
    with lock:
        data = collect()
        state["made"] = 0
    try:
        save_cache(path, stamp, data)
    except OSError:
        return False
    return True


#: saves of a kept-code cache (``recache``, ``classcode``) that an entry outlives
#: unused.  Builds of different kinds use different code: a full build compiles
#: about 200 patterns an edit never does (most of them ``soupsieve``'s, loaded when
#: the theme lays out some pages of the docs; 160 to 210 ms of compiling), and an
#: edit's in-process checks 16 that a full build's forked ones keep to themselves.
#: A file holding only the last writer's code made each kind compile the other's.
UNUSED_SAVES_KEPT = 10


def kept_in_use(kept: Mapping[_K, _V], used: Iterable[_K], state: dict[str, Any]) -> dict:
    """What a kept-code cache saves: each entry of ``kept`` with the number of the
    save that last found it used, those of this process as used now, and those
    only an earlier process used while it is at most :data:`UNUSED_SAVES_KEPT` saves
    old.  ``state["saves"]`` (the file's count, loaded by :func:`kept_entries`) and
    ``state["last"]`` (each entry's number) are brought up to this save.

    Returns ``{"saves": n, "entries": {key: (value, last)}}``, which
    :func:`kept_entries` reads back.
    """
    saves = state["saves"] + 1
    last: dict = state["last"]
    for key in used:
        last[key] = saves
    entries = {}
    for key, value in kept.items():
        seen = last.setdefault(key, saves)  # made since install: used
        if saves - seen <= UNUSED_SAVES_KEPT:
            entries[key] = (value, seen)
    state["saves"] = saves
    return {"saves": saves, "entries": entries}


def kept_entries(data: Any, state: dict[str, Any]) -> dict:
    """The entries (key -> value) of what :func:`kept_in_use` returned, and the
    file's save count and each entry's last use put in ``state``; nothing from data
    of another shape (an older file's)."""
    if not (isinstance(data, dict) and isinstance(data.get("entries"), dict)):
        return {}
    saves = data.get("saves")
    if not isinstance(saves, int):
        return {}
    values = {}
    for key, item in data["entries"].items():
        if isinstance(item, tuple) and len(item) == 2 and isinstance(item[1], int):
            values[key] = item[0]
            state["last"].setdefault(key, item[1])
    state["saves"] = max(state["saves"], saves)
    return values


def code_stamp(modules: Iterable[str]) -> tuple[tuple[str, int], ...]:
    """The modification time of each named module's file: part of the stamp of a
    cache of what that code made (:func:`load_cache`), so an edit to it is seen."""
    files = ((name, importlib.import_module(name).__file__) for name in modules)
    return tuple((name, os.stat(path).st_mtime_ns if path else 0) for name, path in files)


class KeptByPage(Generic[_K, _V]):
    """What a build made from each page, kept from build to build in one cache file.

    A page's values are kept under the digest of what they are made from
    (``made_from``): a page whose digest changed starts empty.  A page without a
    digest (None) keeps its values for this process only.  :meth:`save` writes the
    pages still wanted, with ``stamp`` (see :func:`load_cache`), if this process
    made any value (``made``) and is the one that loaded the file: a forked
    writer's values are not saved, and the next build makes them again.
    """

    def __init__(self, path: Path, stamp: Any) -> None:
        self.path, self.stamp = path, stamp
        #: docname -> (digest of what its values are made from, key -> value)
        self.pages: dict[str, tuple[str | None, dict[_K, _V]]] = load_cache(path, stamp) or {}
        #: values made since the file was loaded or saved
        self.made = 0
        self._home = os.getpid()

    def of_page(self, doc: str, made_from: str | None) -> dict[_K, _V]:
        """The values of page ``doc`` made from ``made_from``, to look up and add to."""
        page = self.pages.get(doc)
        if page is None or page[0] != made_from:
            page = self.pages[doc] = (made_from, {})
        return page[1]

    def save(self, docnames: Iterable[str]) -> None:
        """Keep the values of ``docnames`` (the pages still there), if this process made any."""
        if self.made and os.getpid() == self._home:
            kept = {
                doc: page
                for doc in docnames
                if (page := self.pages.get(doc)) is not None and page[0] is not None
            }
            save_cache(self.path, self.stamp, kept)
            self.made = 0


class Place(NamedTuple):
    """Where one byte string is in a :class:`BlobStore`."""

    offset: int
    length: int


class BlobStore:
    """Byte strings in one append-only file, read back by ``(offset, length)``.

    A cache whose values are large and mostly unchanged from one build to the
    next (each issue page's pickled check) keeps them here and only their
    places in a small index: a build reads the values it needs, not all of
    them, and adds those that changed at the end instead of writing every one
    again.  The file starts with a random token; an index records the token of
    the file its places point into, so an index never reads from another file
    (:meth:`token`, after a crash or a :meth:`rewrite`).
    """

    TOKEN_SIZE = 16

    def __init__(self, path: Path) -> None:
        self.path = path
        self._handle: tuple[int, Any] | None = None  # (pid, open file) of this process

    def _file(self) -> Any:
        if self._handle is None or self._handle[0] != os.getpid():
            self._handle = (os.getpid(), self.path.open("rb"))
        return self._handle[1]

    def token(self) -> bytes | None:
        """The file's token; None when there is no readable file."""
        try:
            self._handle = None
            handle = self._file()
            handle.seek(0)
            token = handle.read(self.TOKEN_SIZE)
        except OSError:
            return None
        return token if len(token) == self.TOKEN_SIZE else None

    def size(self) -> int:
        try:
            return self.path.stat().st_size
        except OSError:
            return 0

    def read(self, place: tuple[int, int]) -> bytes:
        offset, length = place
        data = os.pread(self._file().fileno(), length, offset)
        if len(data) != length:
            raise OSError(f"{self.path}: {length} bytes at {offset} are not there")
        return data

    def append(self, blobs: list[bytes]) -> list[tuple[int, int]]:
        """Add ``blobs`` at the end of the file; their places."""
        with self.path.open("ab") as handle:
            return _write_blobs(handle, handle.tell(), blobs)

    def keep(
        self, token: bytes | None, kept: Mapping[_K, Place], fresh: Mapping[_K, bytes]
    ) -> tuple[bytes, dict[_K, Place]]:
        """Store ``fresh`` beside ``kept`` (already in the file of ``token``, None if
        there is none); the file's token and the place of every key.

        New blobs go at the end of the file.  The file is written again, holding
        only these, when nothing in it is kept (it would all be unused) or when
        more than half of it would be blobs no key has any more.
        """
        size = sum(len(blob) for blob in fresh.values())
        live = sum(place.length for place in kept.values())
        unused = self.size() - self.TOKEN_SIZE - live
        if token is None or not kept or unused > live + size:
            blobs = {key: self.read(place) for key, place in kept.items()} | dict(fresh)
            token, places = self.rewrite(list(blobs.values()))
            return token, {key: Place(*p) for key, p in zip(blobs, places, strict=True)}
        added = self.append(list(fresh.values()))
        return token, dict(kept) | {key: Place(*p) for key, p in zip(fresh, added, strict=True)}

    def rewrite(self, blobs: list[bytes]) -> tuple[bytes, list[tuple[int, int]]]:
        """Replace the file by one holding ``blobs`` alone, under a new token; (token, places)."""
        token = os.urandom(self.TOKEN_SIZE)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(self.path.name + ".tmp")
        with tmp.open("wb") as handle:
            handle.write(token)
            places = _write_blobs(handle, self.TOKEN_SIZE, blobs)
        self._handle = None
        tmp.replace(self.path)
        return token, places


def _write_blobs(handle: Any, offset: int, blobs: list[bytes]) -> list[tuple[int, int]]:
    """Write ``blobs`` one after another from ``offset`` of ``handle``; their places."""
    places = []
    for blob in blobs:
        handle.write(blob)
        places.append((offset, len(blob)))
        offset += len(blob)
    return places
