"""The checksums of a page's CSS and JavaScript files, looked up once a build.

Every page's ``<link>`` and ``<script>`` tags carry a checksum of the file they
name (``?v=...``), so that browsers fetch it again when it changes.  Sphinx keeps
each file's checksum for the life of the process, but first resolves the file's
path (``Path.resolve``, a system call per component of the path) for every tag of
every page: about 25 microseconds a tag, and the theme and extensions put 28 tags
on each page here, a fifth of a second of a full build of the corpus.

:func:`file_checksum` keeps the answer by output directory and file name, as the
tags ask for it, for the length of a build: the memo is emptied when each build's
builder is set up.  Sphinx copies the static files before any page is written, so
within a build the answer is the one Sphinx's own cache would give.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import sphinx.builders.html as html_builders
from sphinx.application import Sphinx

#: (output directory, file name) -> checksum, for the current build
_memo: dict[tuple[str, str], str] = {}
#: Sphinx's function, which :func:`install` replaces
_SPHINX_FILE_CHECKSUM = html_builders._file_checksum
#: what :func:`file_checksum` calls on a miss (Sphinx's function)
_compute = _SPHINX_FILE_CHECKSUM


def file_checksum(outdir: Path, filename: str | os.PathLike[str]) -> str:
    """Sphinx's ``_file_checksum(outdir, filename)``, remembered for the build."""
    key = (os.fspath(outdir), os.fspath(filename))
    try:
        return _memo[key]
    except KeyError:
        checksum = _memo[key] = _compute(outdir, filename)
        return checksum


def _new_build(app: Sphinx) -> None:
    _memo.clear()


def install() -> bool:
    """Have the HTML builders' page tags use :func:`file_checksum` (once a process);
    False when Sphinx no longer looks the checksum up where this expects."""
    current: Any = getattr(html_builders, "_file_checksum", None)
    if current is file_checksum:
        return True
    if current is not _SPHINX_FILE_CHECKSUM:
        return False  # another Sphinx, or someone else replaced it: leave it
    html_builders._file_checksum = file_checksum
    return True


def setup(app: Sphinx) -> None:
    if install():
        app.connect("builder-inited", _new_build)
