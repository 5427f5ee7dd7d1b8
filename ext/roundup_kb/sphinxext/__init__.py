"""The Sphinx adapter: renders the core model as pages, links and indexes.

Everything that knows about Sphinx lives in this subpackage; it calls the core
(:mod:`roundup_kb.pages`, the parser, the catalogue) for all the logic.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sphinx.application import Sphinx
from sphinx.config import Config

from roundup_kb import __version__
from roundup_kb.sphinxext import (
    assetsums,
    browse,
    cite,
    datafiles,
    docsettings,
    domain,
    envshare,
    fastexit,
    fastpath,
    feeds,
    gctune,
    highlight,
    home,
    issues,
    keptnames,
    lazysoup,
    linkcheck,
    pagebody,
    pages,
    pagetoc,
    partials,
    plugins,
    prescan,
    pygmentscss,
    registries,
    searchindex,
    sectionnav,
    site,
    smartquotes,
    staticfiles,
    stats,
    templatecache,
    tocparents,
)

STATIC = Path(__file__).parent / "static"


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the ``roundup`` domain, the issue-page machinery and the site assets."""
    app.add_config_value("roundup_issues_dir", "issues", "env", types=[str])
    app.add_config_value("roundup_site_url", "", "html", types=[str])
    app.add_config_value("roundup_newsletter", "", "html", types=[str])

    lazysoup.setup(app)
    fastpath.setup(app)
    registries.setup(app)
    domain.setup(app)
    envshare.setup(app)
    prescan.setup(app)
    issues.setup(app)
    pages.setup(app)
    pagebody.setup(app)
    partials.setup(app)
    cite.setup(app)
    datafiles.setup(app)
    docsettings.setup(app)
    site.setup(app)
    browse.setup(app)
    linkcheck.setup(app)
    home.setup(app)
    feeds.setup(app)
    stats.setup(app)
    gctune.setup(app)
    searchindex.setup(app)
    templatecache.setup(app)
    assetsums.setup(app)
    smartquotes.setup(app)
    pagetoc.setup(app)
    tocparents.setup(app)
    highlight.setup(app)
    plugins.setup()
    sectionnav.setup(app)
    pygmentscss.setup(app)
    staticfiles.setup(app)
    fastexit.setup(app)
    keptnames.setup(app)

    # at config-inited, so that the configuration pickled with the environment
    # equals the next run's and Sphinx does not report it as changed
    app.connect("config-inited", _add_static)
    app.add_css_file("roundup.css")
    return {
        "version": __version__,
        "env_version": domain.ENV_VERSION,
        # Proven by the test_parallel_build_matches_serial tests: the domain keys
        # everything by docname and merges per document.
        "parallel_read_safe": True,
        "parallel_write_safe": True,
    }


def _add_static(app: Sphinx, config: Config) -> None:
    if str(STATIC) not in config.html_static_path:
        config.html_static_path.append(str(STATIC))
