"""Compiled page templates kept between builds.

Sphinx's HTML builders compile their Jinja templates -- the theme's layout and
the dozens of components it includes -- in every build, incremental and no-op
builds too, which write at least the index and search pages.  That is about a
third of a second a build here, a tenth of an incremental build of the corpus.
Jinja can keep each template's compiled code in a file and use it again while
the template's source is the same (it compares a checksum of the source, and the
Jinja and Python versions); the files live beside the doctrees, in
``jinja-bytecode/``, and are written atomically, so ``-j N`` writers can share
them.
"""

from __future__ import annotations

from pathlib import Path

from jinja2 import FileSystemBytecodeCache
from sphinx.application import Sphinx

CACHE_DIR = "jinja-bytecode"


def use_bytecode_cache(app: Sphinx) -> None:
    """Give the builder's template environment a cache of compiled templates."""
    environment = getattr(getattr(app.builder, "templates", None), "environment", None)
    if environment is None or getattr(environment, "bytecode_cache", None) is not None:
        return  # not a template-rendering builder, or someone else chose a cache
    directory = Path(app.doctreedir) / CACHE_DIR
    directory.mkdir(parents=True, exist_ok=True)
    environment.bytecode_cache = FileSystemBytecodeCache(str(directory))


def setup(app: Sphinx) -> None:
    app.connect("builder-inited", use_bytecode_cache)
