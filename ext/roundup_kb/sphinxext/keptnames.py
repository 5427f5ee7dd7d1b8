"""The name functions' kept answers (:mod:`roundup_kb.kept`) for a project's builds.

They are loaded from the doctree directory when a build is about to make the
catalogue's name indexes (:func:`warm`), which an edit to one issue's commentary
does not do, and saved when a build that loaded them worked out new ones.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sphinx.application import Sphinx

from roundup_kb import kept

#: the file in the doctree directory
FILE_NAME = "roundup-kept-answers.pickle"


def path(env: Any) -> Path:
    return Path(env.doctreedir) / FILE_NAME


def warm(env: Any) -> None:
    """Before the name indexes are made: the answers the last build worked out."""
    kept.load(path(env))


def keep(app: Sphinx, exception: Exception | None) -> None:
    if exception is None:
        kept.save(path(app.env))


def setup(app: Sphinx) -> None:
    app.connect("build-finished", keep, priority=900)
