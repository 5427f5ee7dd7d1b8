"""Writing output files: atomically, and not at all when they already hold the text."""

from __future__ import annotations

import pickle
from pathlib import Path
from typing import Any


def write_if_changed(path: Path, text: str) -> bool:
    """Write ``text`` to ``path`` unless it already holds it; True when written.

    The text goes to a temporary file beside ``path`` that is then renamed, so a
    reader never sees half a file.  An unchanged file keeps its modification
    time, so tools that watch it (Sphinx, sphinxcontrib-bibtex) see no change.
    """
    if path.exists() and path.read_text(encoding="utf-8") == text:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
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
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("wb") as handle:
        pickle.dump((stamp, data), handle, protocol=pickle.HIGHEST_PROTOCOL)
    tmp.replace(path)
