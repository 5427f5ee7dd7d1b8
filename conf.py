"""Sphinx configuration of the Research Computing Teams knowledge base.

The source directory is the repository root; only ``docs/`` and ``issues/`` are
read.  Project-wide settings that the ``roundup-kb`` CLI needs too (where issues
and registries live, the newsletter's site URL) come from ``[tool.roundup-kb]``
in ``pyproject.toml``, so the build and the CLI cannot disagree.
"""

from __future__ import annotations

import gc
import logging
import sys
import tomllib
from pathlib import Path

# Sphinx loads its built-in extensions, then the ones below, before any extension
# can act: about a thousand modules, over which the garbage collector's passes
# took 30 to 60 ms of every build, a tenth of a rebuild (docs/performance.md).  It
# stays off until Sphinx has loaded them and calls ``setup`` at the end of this file.
gc.disable()

# Sphinx's logger hands every debug message to its handlers, which drop them unless
# the build runs with -vv: about a thousand records made and thrown away as the
# extensions register, 10 ms of every build.  Until Sphinx sets up its logging
# again (the next build), the logger itself drops what none of its handlers writes.
_sphinx_logger = logging.getLogger("sphinx")
_handler_floor = min((handler.level for handler in _sphinx_logger.handlers), default=0)
if _handler_floor > _sphinx_logger.getEffectiveLevel():
    _sphinx_logger.setLevel(_handler_floor)

ROOT = Path(__file__).parent
# Let `sphinx-build` work from a checkout even before `pip install -e .`.
sys.path.insert(0, str(ROOT / "ext"))

# Regular expressions that earlier builds compiled are handed to Python's matching
# engine as compiled, kept in .cache/ (roundup_kb.recache): 50 to 60 ms of every
# build.  The methods that @dataclass writes for each class are kept compiled the
# same way (roundup_kb.classcode): about 20 ms.  Delete the lines below to compile
# both as Python does.
from roundup_kb import classcode, recache  # noqa: E402

recache.install(ROOT / ".cache")
classcode.install(ROOT / ".cache")

_kb = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["roundup-kb"]

project = "Research Computing Teams Knowledge Base"
author = "Jonathan Dursi and contributors"
copyright = "2020–2026, the Research Computing Teams newsletter and contributors"

root_doc = "docs/index"
include_patterns = ["docs/**", f"{_kb['issues']}/**"]
# ".*": the hidden directories at the top (.git, .nox, .venv, .cache, ...), which Sphinx
# would otherwise walk through on every build ("**/.*" leaves out only deeper ones).
# The build writes .cache/ itself; walked, its new time made the extension search for
# the sources again in the next build.
exclude_patterns = ["_build", ".*", "**/.*", "docs/registry/**"]

extensions = [
    "myst_parser",
    "sphinx_design",
    "roundup_kb",
]

# MyST: the front-matter title becomes the page heading; headings get anchors
# so in-page links written for the newsletter's old site keep working.
myst_title_to_header = True
myst_heading_anchors = 3
myst_enable_extensions = ["colon_fence", "deflist", "smartquotes"]

roundup_issues_dir = _kb["issues"]
roundup_topics_file = _kb["topics"]
roundup_names_file = _kb["names"]
roundup_site_url = _kb["site_url"]
roundup_newsletter = "Research Computing Teams"

# pydata-sphinx-theme: maintained, light/dark modes, and the fastest of the
# popular themes on hundreds of pages (docs/performance.md).  Issue pages have
# no left sidebar: a global toctree rendered into every page is what makes
# large Sphinx sites slow.
html_theme = "pydata_sphinx_theme"
# Fresh lists: extensions and the theme append to them, and Sphinx's defaults are
# shared by every build in one process (tests), which would grow them build by build.
templates_path: list[str] = []
html_static_path: list[str] = []
html_title = "Research Computing Teams KB"
# Where the site is published: canonical links, citation permalinks and metadata,
# and the absolute URLs Atom feeds need (no feeds, and no URL-valued citation
# tags, when this is empty).  The knowledge base is not deployed yet: this is the
# address it is planned at; change it here when it is published elsewhere.
html_baseurl = "https://kb.researchcomputingteams.org/"
html_theme_options = {
    "navigation_depth": 2,
    "show_nav_level": 1,
    "collapse_navigation": True,
    "show_prev_next": False,
    "navbar_align": "left",
    "secondary_sidebar_items": ["page-toc"],
    "footer_start": ["copyright"],
    "footer_end": ["sphinx-version"],
    # The theme renders each header, footer and sidebar component of every page
    # once more to drop those that render empty, unless listed here: its two
    # defaults, and components that always render something here (the copyright
    # is set; Sphinx's version is shown).  With the first six: 94 ms less of the
    # 126-issue corpus's full build, each page the same, byte for byte.
    "templates_skip_empty_check": [
        "sidebar-nav-bs.html",
        "navbar-nav.html",
        "navbar-logo.html",
        "theme-switcher.html",
        "search-button-field.html",
        "sidebar-ethical-ads.html",
        "copyright.html",
        "sphinx-version.html",
    ],
    # The theme's default end of the navigation bar, less the icon links: there are
    # none, and the theme rendered their empty component on every page to drop it.
    "navbar_end": ["theme-switcher"],
}
html_sidebars = {
    f"{_kb['issues']}/*": [],
    "docs/index": [],
    "docs/archive": [],
    "docs/authors/*": [],
    "docs/venues/*": [],
}
html_show_sourcelink = False
html_copy_source = False

linkcheck_timeout = 15
linkcheck_retries = 2
linkcheck_workers = 8
linkcheck_rate_limit_timeout = 60.0
linkcheck_report_timeouts_as_broken = False
linkcheck_anchors = False
# Hosts that answer automated requests with 403/999 or a login wall whatever the
# page's state: checking them only produces noise.
linkcheck_ignore = [
    r"^https?://(www\.)?(twitter|x)\.com/",
    r"^https?://([a-z]+\.)?linkedin\.com/",
    r"^https?://dl\.acm\.org/",
]
# roundup-kb's linkcheck (docs/reference.md, "Link checking"): results are reused
# for up to 30 days from this cache, at most 2 requests go to one host at a time.
roundup_linkcheck_cache = ".cache/linkcheck.json"
roundup_linkcheck_ttl_days = 30
roundup_linkcheck_per_host = 2
roundup_mark_dead_links = False


def setup(app):
    """Called once every extension is loaded (``conf.py`` is an extension too): what
    they made lives for the whole build, so it is moved out of the collector's sight
    until the build finishes."""
    gc.freeze()
    gc.enable()
    app.connect("build-finished", lambda app, exception: gc.unfreeze(), priority=1000)
    app.connect("build-finished", lambda app, exception: recache.save(), priority=1000)
    app.connect("build-finished", lambda app, exception: classcode.save(), priority=1000)
