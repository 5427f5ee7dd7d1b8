"""Sphinx's copy of the static files, skipped when it would leave ``_static`` as it is.

Every HTML build copies the theme's static files and ``html_static_path`` into
``_static``: it compares each file with the copy already there, renders the
templated ones (``*_t``) again and writes Pygments' style sheets.  On the corpus
that was 9 to 20 ms of every rebuild (twelve builds, timed), about 1% of an
addition, for files that change only when the theme, the settings or a static
source file does.

At the end of each build the state of ``_static`` (every file's path, size and
modification time) is kept beside the doctrees under what the copy is made from
(:func:`copy_key`): Sphinx's, Pygments' and the extension's versions, the settings
the copy reads, the path, size and modification time of every file in the
directories it copies from and of the templates, and the template context's plain
values.  The next build skips the copy when the key is the same and ``_static`` is
still as kept: nothing the copy reads changed, and nothing touched what the last
build left there (a file edited, added or deleted in ``_static`` is copied again).
A build that fails, or whose copy warned, keeps nothing.  A skipped copy is only
Sphinx's: handlers that write into ``_static`` later in the build (the theme's
``pygments.css``) do so in every build, and what they write is part of the state
that is kept.
"""

from __future__ import annotations

import os
from functools import partial
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx
from sphinx.builders.html import StandaloneHTMLBuilder
from sphinx.util import logging

from roundup_kb import __version__
from roundup_kb.files import load_cache, save_cache

logger = logging.getLogger(__name__)

#: the doctree directory's file of the kept state, and the version of its key
CACHE_NAME = "roundup-static.pickle"
CACHE_VERSION = 1
#: the builder attribute holding this build's key once the copy was made or skipped
_KEY = "_roundup_static_key"
#: settings that the copy, the style sheets or the templated files read
SETTINGS = (
    "html_theme",
    "html_theme_options",
    "html_theme_path",
    "html_static_path",
    "html_logo",
    "html_favicon",
    "html_context",
    "templates_path",
    "exclude_patterns",
    "language",
    "locale_dirs",
    "pygments_style",
    "html_search_language",
    "html_search_options",
    "html_search_scorer",
)


def file_states(root: Path) -> tuple[tuple[str, int, int], ...]:
    """(path below ``root``, size, modification time) of every file under ``root``
    (``root`` itself when it is a file), in path order; empty when it is missing."""
    if root.is_file():
        stat = root.stat()
        return ((root.name, stat.st_size, stat.st_mtime_ns),)
    found = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for name in sorted(filenames):
            path = os.path.join(dirpath, name)
            try:
                stat = os.stat(path)
            except OSError:  # a broken link: as Sphinx, which would fail to copy it
                found.append((os.path.relpath(path, root), -1, -1))
                continue
            found.append((os.path.relpath(path, root), stat.st_size, stat.st_mtime_ns))
    return tuple(found)


def plain(value: Any) -> Any:
    """``value`` as data whose ``repr`` is the same from run to run: containers
    recursively, objects by their own ``str`` (Sphinx's CSS and script files) or
    their attributes, and functions by name only."""
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, (list, tuple)):
        return tuple(plain(item) for item in value)
    if isinstance(value, (set, frozenset)):
        return tuple(sorted(repr(plain(item)) for item in value))
    if isinstance(value, dict):
        return tuple((str(key), plain(item)) for key, item in value.items())
    kind = f"{type(value).__module__}.{type(value).__qualname__}"
    if callable(value):
        return kind
    if type(value).__str__ is not object.__str__:
        return (kind, str(value))
    if hasattr(value, "__dict__"):
        return (kind, plain(vars(value)))
    return kind


def copy_key(builder: StandaloneHTMLBuilder) -> tuple:
    """What Sphinx's copy of the static files is made from (see the module's text)."""
    import pygments
    import sphinx

    config = builder.config
    confdir = Path(builder.confdir)
    theme_dirs = [Path(entry) for entry in builder.theme.get_theme_dirs()] if builder.theme else []
    sources = [*(entry / "static" for entry in theme_dirs)]
    sources += [confdir / entry for entry in config.html_static_path]
    sources += [confdir / entry for entry in config.templates_path]
    for setting in (config.html_logo, config.html_favicon):
        if setting and "://" not in setting:
            sources.append(confdir / setting)
    context = builder.globalcontext.copy()
    if builder.indexer is not None:
        context.update(builder.indexer.context_for_searchtool())
    return (
        CACHE_VERSION,
        (sphinx.__version__, pygments.__version__, __version__, builder.name, str(builder.outdir)),
        tuple((name, plain(getattr(config, name, None))) for name in SETTINGS),
        tuple((str(source), file_states(source)) for source in sources),
        tuple(str(entry) for entry in theme_dirs),
        plain(context),
    )


def _static_dir(builder: StandaloneHTMLBuilder) -> Path:
    return Path(builder.outdir) / "_static"


def copy_unless_current(app: Sphinx, copy: Any) -> None:
    """In the place of the builder's ``copy_static_files``: skip ``copy`` when
    ``_static`` is as the last build with the same key left it.

    Sphinx reports a file it could not copy as a warning and goes on; after such a
    copy nothing is kept, so the next build copies (and warns) again."""
    builder = app.builder
    key = copy_key(builder)
    path = Path(builder.doctreedir) / CACHE_NAME
    kept = load_cache(path, key)
    if kept is not None and kept == file_states(_static_dir(builder)):
        logger.debug("[roundup] the static files are as the last build left them: not copied")
    else:
        warnings = getattr(app, "_warncount", None)
        copy()
        if warnings is None or getattr(app, "_warncount", None) != warnings:
            path.unlink(missing_ok=True)
            return
    setattr(builder, _KEY, key)


def keep_state(app: Sphinx, exception: Exception | None) -> None:
    """``build-finished``, after the other handlers: keep the state of ``_static``
    under this build's key."""
    key = getattr(app.builder, _KEY, None)
    if key is None:
        return
    delattr(app.builder, _KEY)
    path = Path(app.doctreedir) / CACHE_NAME
    if exception is None:
        save_cache(path, key, file_states(_static_dir(app.builder)))
    else:
        path.unlink(missing_ok=True)


def install(app: Sphinx) -> None:
    """``builder-inited``: the copy of an HTML builder goes through :func:`copy_unless_current`."""
    builder = app.builder
    if isinstance(builder, StandaloneHTMLBuilder):
        builder.copy_static_files = partial(  # type: ignore[method-assign]
            copy_unless_current, app, builder.copy_static_files
        )


def setup(app: Sphinx) -> None:
    app.connect("builder-inited", install)
    # after the handlers that write into _static at the end of a build (default 500)
    app.connect("build-finished", keep_state, priority=900)
