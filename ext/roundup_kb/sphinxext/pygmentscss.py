"""The theme's ``pygments.css``, made once and kept from build to build.

At the end of every HTML build pydata-sphinx-theme writes ``_static/pygments.css``
again (its ``build-finished`` handler ``overwrite_pygments_css``): the rules of the
light and of the dark highlighting style, each under its ``data-theme``.  To check
that the two styles exist it lists every Pygments style, which imports the module of
each style plugin (``pygments.styles.get_all_styles``; the theme's own
accessible-pygments styles are plugins).  That took 7.6 to 14.6 ms of a no-op build
of the corpus (five builds, timed), and 15 ms of an edit, 11 of them importing the
plugins (py-spy of four edits), for a file that is the same each time; writing the
kept text takes 0.9 to 1.5 ms.

:func:`keep_theme_css` puts :func:`write_kept_css` in the place of the theme's
handler once the theme is loaded.  It writes the text the theme's handler wrote
before, kept beside the doctrees under what that text depends on: the theme's and
Pygments' versions, the two style names and the installed styles (Pygments' own, and
each plugin's name, module and version, read from the entry points without importing
them).  The theme's handler itself runs in the first build, after any of those
change, and in every build where a style name is not an installed style (it warns,
and falls back to another style, each time).
"""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx

from roundup_kb.files import load_cache, save_cache
from roundup_kb.sphinxext.plugins import SCAN

#: the doctree directory's file of the kept text, and the version of its key
CACHE_NAME = "roundup-pygments-css.pickle"
CACHE_VERSION = 1
#: (module, name) of the theme's handler
THEME_HANDLER = ("pydata_sphinx_theme.pygments", "overwrite_pygments_css")


def _theme_listener(app: Sphinx) -> Any:
    for listener in app.events.listeners.get("build-finished", []):
        handler = listener.handler
        found = (getattr(handler, "__module__", None), getattr(handler, "__name__", None))
        if found == THEME_HANDLER:
            return listener
    return None


def keep_theme_css(app: Sphinx) -> None:
    """``builder-inited``: :func:`write_kept_css` in the place of the theme's handler,
    at its priority.  Nothing changes for another theme."""
    listener = _theme_listener(app)
    if listener is None:
        return
    app.disconnect(listener.id)
    kept = partial(write_kept_css, theme_handler=listener.handler)
    app.connect("build-finished", kept, priority=listener.priority)


def style_names(app: Sphinx) -> tuple[str | None, str | None]:
    """The light and dark style names the theme's handler would look for: the theme
    option ``pygments_light_style`` (``_dark_style``), else the theme's default."""
    from pydata_sphinx_theme.utils import get_theme_options_dict

    options = get_theme_options_dict(app)
    names: list[str | None] = []
    for kind in ("light", "dark"):
        key = f"pygments_{kind}_style"
        name = options.get(key)
        if name is None and hasattr(app.builder, "theme"):
            name = app.builder.theme.get_options()[key]
        names.append(name)
    return names[0], names[1]


def installed_styles() -> tuple[tuple[str, ...], tuple[tuple[str, str, str | None], ...]]:
    """(Pygments' own style names, each plugin style's (name, module, version)),
    without importing a plugin."""
    from pygments.styles import STYLE_MAP

    # a distribution's version is parsed from its metadata at each ``.version``: once
    # each (one distribution, accessible-pygments, has sixteen styles here)
    versions: dict[int, str | None] = {}
    plugins = []
    for point in SCAN(group="pygments.styles"):
        dist = point.dist
        if dist is not None and id(dist) not in versions:
            versions[id(dist)] = dist.version
        plugins.append((point.name, point.value, versions[id(dist)] if dist else None))
    return tuple(sorted(STYLE_MAP)), tuple(sorted(plugins))


def css_key(app: Sphinx) -> tuple | None:
    """What the theme's ``pygments.css`` depends on; None when a style name is not an
    installed style (the theme's handler must warn about it)."""
    import pydata_sphinx_theme
    import pygments

    names = style_names(app)
    own, plugins = installed_styles()
    known = set(own) | {name for name, _, _ in plugins}
    if not all(name in known for name in names):
        return None
    versions = (pydata_sphinx_theme.__version__, pygments.__version__)
    return (CACHE_VERSION, versions, names, own, plugins)


def write_kept_css(app: Sphinx, exception: Exception | None, *, theme_handler: Any) -> None:
    """Write the kept ``pygments.css``, or let the theme's handler write it (and keep
    what it wrote)."""
    if exception is not None:
        return  # as the theme's handler
    key = css_key(app)
    target = Path(app.builder.outdir) / "_static" / "pygments.css"
    cache = Path(app.doctreedir) / CACHE_NAME
    text = load_cache(cache, key) if key is not None else None
    if text is None:
        theme_handler(app, exception)
        if key is not None and target.is_file():
            save_cache(cache, key, target.read_text())  # as the theme writes it
        return
    target.parent.mkdir(exist_ok=True)
    target.write_text(text)


def setup(app: Sphinx) -> None:
    # the theme is loaded, and its handler connected, when the builder is made
    app.connect("builder-inited", keep_theme_css)
