"""pydata-sphinx-theme without importing BeautifulSoup until something uses it.

The theme's ``toctree`` module imports ``bs4`` when the theme is loaded, for its
``generate_toc_html`` and ``generate_toctree_html``; importing ``bs4`` (and
``soupsieve``, whose CSS selectors compile dozens of regular expressions) is about
0.05 s of every build, 5% of an edit-one rebuild of the corpus.  The extension
writes both of those lists itself (:mod:`.pagetoc`, :mod:`.sectionnav`) and calls the
theme's only for pages they do not cover: a full build still calls it for some
pages of the docs, but a build that writes issue pages and the lists they appear
on (an edit, an addition) parses no HTML with it.

So when the site uses the theme and neither it nor ``bs4`` is imported yet, the
theme is imported here, at the extension's setup (before Sphinx loads the theme),
with a ``bs4`` module standing in whose ``BeautifulSoup`` imports the real one and
makes a real soup the first time it is called.  The stand-in is then taken out of
``sys.modules``, so any other ``import bs4`` gets the real module.  If the theme
wants anything else of ``bs4`` at import (a later version), the stand-in is
withdrawn and the theme is left for Sphinx to import as usual.
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import Any

from sphinx.application import Sphinx

THEME = "pydata_sphinx_theme"


class LazyBeautifulSoup:
    """``bs4.BeautifulSoup`` in the theme's ``toctree`` module: calling it makes a real
    ``bs4.BeautifulSoup`` (importing ``bs4`` the first time)."""

    def __new__(cls, *args: Any, **kwargs: Any) -> Any:
        from bs4 import BeautifulSoup

        return BeautifulSoup(*args, **kwargs)


def import_theme_without_bs4() -> bool:
    """Import the theme with the stand-in ``bs4``; whether it was."""
    if "bs4" in sys.modules or THEME in sys.modules:
        return False
    stand_in = types.ModuleType("bs4")
    stand_in.BeautifulSoup = LazyBeautifulSoup  # type: ignore[attr-defined]
    sys.modules["bs4"] = stand_in
    try:
        importlib.import_module(THEME)
    except Exception:  # not importable this way: Sphinx imports it as usual
        for name in [n for n in sys.modules if n == THEME or n.startswith(THEME + ".")]:
            del sys.modules[name]
        return False
    finally:
        if sys.modules.get("bs4") is stand_in:
            del sys.modules["bs4"]
    return True


def setup(app: Sphinx) -> None:
    if app.config.html_theme == THEME:
        import_theme_without_bs4()
