"""Writing output files: atomically, and not at all when they already hold the text."""

from __future__ import annotations

from pathlib import Path


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
