"""Files the build writes beside the pages, rewritten only when their sources changed.

Exports, feeds, ``browse.json`` and the citation files are made from the whole
catalogue.  Remaking them costs about a second on the corpus, on every build,
including one where nothing changed.  A :class:`Manifest` in the doctree
directory records what each output was last made from (a digest of its
sources: see :func:`data_key`), so a build makes only the outputs whose sources
changed or whose files are missing.  :func:`root_link` links a page to one of them.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx
from sphinx.util.osutil import relative_uri

from roundup_kb.files import write_if_changed
from roundup_kb.sphinxext.domain import get_domain
from roundup_kb.sphinxext.prescan import get_scan

MANIFEST = "roundup-outputs.json"


def digest(*parts: Any) -> str:
    """A stable digest of ``parts`` (their ``repr``)."""
    return hashlib.sha1(repr(parts).encode("utf-8")).hexdigest()


def data_key(app: Sphinx, *settings: Any) -> str | None:
    """A digest of every issue page's text and the settings; None when there is no scan.

    The domain's data (and so the catalogue) is made from exactly these pages, by
    the pre-scan's checks, whose cache already depends on the registries.
    """
    scan = get_scan(app)
    if scan is None:
        return None
    return digest(scan.key(), settings)


def shown_key(
    app: Sphinx, *settings: Any, summaries: bool = True, lines: bool = True
) -> str | None:
    """A digest of what exports and lists show of every issue, and the settings; None
    when there is no scan.

    Made of each issue's :func:`~roundup_kb.sphinxext.domain.shown_digests`, recorded
    when its page was read (without the summaries' unless ``summaries``, without the
    entries' lines unless ``lines``), and the registries' stamps.  Unlike
    :func:`data_key`, an edit to commentary past an entry's summary leaves it as it
    was, so the outputs that show no more of an entry than that are not made again
    for it.
    """
    scan = get_scan(app)
    if scan is None:
        return None
    shown = get_domain(app.env).data["shown"]
    listed = 0 if lines else 2
    pages = sorted(
        (doc, (made[listed], made[1]) if summaries else made[listed]) for doc, made in shown.items()
    )
    return digest(scan.settings, pages, settings)


def root_link(app: Sphinx, fromdoc: str, path: str) -> str:
    """A relative URL from a page to a file given by its path from the site root."""
    return relative_uri(app.builder.get_target_uri(fromdoc), path)


class Manifest:
    """What each generated file was last made from: ``{name: key}``, in the doctree directory.

    Two processes may hold one (the data files are made beside the page writers
    with ``-j N``, see :mod:`.datafiles`): :meth:`save` writes this one's records
    and drops into the file as it is then, under a lock.
    """

    def __init__(self, app: Sphinx):
        self.path = Path(app.doctreedir) / MANIFEST
        self.data: dict[str, str] = self._read()
        #: name -> key recorded (None: dropped) since the last save
        self._updates: dict[str, str | None] = {}
        self.changed = False

    def _read(self) -> dict[str, str]:
        try:
            return json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}

    def get(self, name: str) -> str | None:
        return self.data.get(name)

    def fresh(self, name: str, key: str | None, *paths: Path) -> bool:
        """True when ``name`` was made from ``key`` and all its files still exist."""
        return key is not None and self.data.get(name) == key and all(p.exists() for p in paths)

    def record(self, name: str, key: str | None) -> None:
        if key is not None and self.data.get(name) != key:
            self.data[name] = self._updates[name] = key
            self.changed = True

    def drop(self, name: str) -> None:
        if self.data.pop(name, None) is not None:
            self._updates[name] = None
            self.changed = True

    def save(self) -> None:
        if not self.changed:
            return
        with _locked(self.path.with_name(self.path.name + ".lock")):
            data = self._read()
            for name, key in self._updates.items():
                if key is None:
                    data.pop(name, None)
                else:
                    data[name] = key
            write_if_changed(self.path, json.dumps(data, indent=0, sort_keys=True))
        self.data = data
        self._updates.clear()
        self.changed = False


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``path`` (a lock file) where the system has ``flock``."""
    try:
        import fcntl
    except ImportError:  # not POSIX: no forked writers either (see datafiles)
        yield
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
