"""The Sphinx adapter: renders the core model as pages, links and indexes.

Everything that knows about Sphinx lives in this subpackage; it calls the core
(:mod:`roundup_kb.pages`, the parser, the catalogue) for all the logic.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sphinx.application import Sphinx

from roundup_kb import __version__
from roundup_kb.sphinxext import cite, domain, export, issues, pages, prescan, registries, site

STATIC = Path(__file__).parent / "static"


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the ``roundup`` domain, the issue-page machinery and the site assets."""
    app.add_config_value("roundup_issues_dir", "issues", "env", types=[str])
    app.add_config_value("roundup_site_url", "", "html", types=[str])
    app.add_config_value("roundup_newsletter", "", "html", types=[str])

    registries.setup(app)
    domain.setup(app)
    prescan.setup(app)
    issues.setup(app)
    pages.setup(app)
    export.setup(app)
    cite.setup(app)
    site.setup(app)

    app.connect("builder-inited", _add_static)
    return {
        "version": __version__,
        "env_version": domain.ENV_VERSION,
        # Proven by tests/test_sphinx_parallel.py: the domain keys everything by
        # docname and merges per document.
        "parallel_read_safe": True,
        "parallel_write_safe": True,
    }


def _add_static(app: Sphinx) -> None:
    if app.builder.format == "html":
        app.config.html_static_path.append(str(STATIC))
        app.add_css_file("roundup.css")
