"""What ``conf.py`` does before Sphinx loads the extensions."""

from __future__ import annotations

import logging
import shutil

import pytest

from conftest import Site, issue_page

pytestmark = pytest.mark.sphinx

PAGE = issue_page(1, "2021-01-08", "## Random\n\n[A](https://example.org/a) - B, C\n")


def test_the_logger_drops_debug_messages_only_when_no_handler_writes_them(make_site):
    site = make_site({1: PAGE})
    sphinx_logger = logging.getLogger("sphinx")

    # the default verbosity: no handler writes debug messages, the logger drops them
    app, _ = site.build()
    status = app.status.getvalue()
    assert sphinx_logger.level == logging.INFO
    assert "build succeeded" in status
    assert "setting up extension" not in status

    # -vv: the handlers write them, and the logger lets them through
    app, _ = site.build(verbosity=2)
    status = app.status.getvalue()
    assert sphinx_logger.level == logging.DEBUG
    assert "[app] setting up extension: 'roundup_kb'" in status


def test_the_themes_shortcuts_change_no_page(make_site, tmp_path):
    """The components conf.py lets the theme show without first rendering them to see
    whether they are empty, and the icon links it leaves out of the navigation bar:
    every page is the same, byte for byte, as with the theme's own ways."""
    site = make_site({1: PAGE})
    twin = Site(tmp_path / "twin")
    shutil.copytree(site.root, twin.root)
    app, _ = site.build()
    options = dict(app.config.html_theme_options)
    assert {"copyright.html", "sphinx-version.html"} <= set(options["templates_skip_empty_check"])
    theme_defaults = options | {
        "templates_skip_empty_check": ["sidebar-nav-bs.html", "navbar-nav.html"]
    }
    del theme_defaults["navbar_end"]
    twin.build(confoverrides={"html_theme_options": theme_defaults})
    pages = sorted(path.relative_to(site.out) for path in site.out.rglob("*.html"))
    assert pages == sorted(path.relative_to(twin.out) for path in twin.out.rglob("*.html"))
    assert len(pages) > 20
    for page in pages:
        assert (site.out / page).read_bytes() == (twin.out / page).read_bytes(), page
