"""The theme's ``pygments.css``: the theme's handler makes it once, its text is kept."""

from __future__ import annotations

import functools

import pydata_sphinx_theme
import pydata_sphinx_theme.pygments as theme_pygments
import pygments
import pytest

from conftest import issue_page
from roundup_kb.sphinxext import pygmentscss

pytestmark = pytest.mark.sphinx

PAGE = issue_page(1, "2021-01-08", "## Random\n\n[A](https://example.org/a) - B, C\n")
DARK = "html_theme_options.pygments_dark_style"


@pytest.fixture
def theme_calls(monkeypatch) -> list:
    """The theme's handler, counted (the theme connects it when each build loads it)."""
    calls: list = []
    original = theme_pygments.overwrite_pygments_css

    @functools.wraps(original)  # found by its module and name
    def overwrite_pygments_css(app, exception=None):
        calls.append(app)
        return original(app, exception)

    monkeypatch.setattr(theme_pygments, "overwrite_pygments_css", overwrite_pygments_css)
    return calls


def test_the_theme_makes_pygments_css_once_and_later_builds_write_its_text(make_site, theme_calls):
    site = make_site({1: PAGE})
    css_path = site.out / "_static" / "pygments.css"
    site.build()
    css = css_path.read_text()
    assert len(theme_calls) == 1
    assert 'html[data-theme="light"]' in css and 'html[data-theme="dark"]' in css
    assert (site.doctrees / pygmentscss.CACHE_NAME).is_file()

    # Sphinx writes its own pygments.css in every build, before the theme's handler
    # would: the kept text takes its place, the same as the theme's
    site.build()
    assert len(theme_calls) == 1
    assert css_path.read_text() == css

    # another style: the theme's handler again, and its text is kept in turn
    site.build(confoverrides={DARK: "monokai"})
    assert len(theme_calls) == 2
    monokai = css_path.read_text()
    assert monokai != css
    site.build(confoverrides={DARK: "monokai"})
    assert len(theme_calls) == 2
    assert css_path.read_text() == monokai


def test_a_style_that_is_not_installed_is_left_to_the_theme_in_every_build(make_site, theme_calls):
    """The theme warns and falls back to another style: each build, as without the
    kept text; nothing is kept."""
    site = make_site({1: PAGE})
    for _ in range(2):
        site.build(confoverrides={DARK: "no-such-style"})
    assert len(theme_calls) == 2
    assert not (site.doctrees / pygmentscss.CACHE_NAME).exists()


def test_the_key_names_the_styles_and_the_installed_plugins(make_site):
    site = make_site({1: PAGE})
    app, _ = site.build()
    key = pygmentscss.css_key(app)
    assert key is not None
    _, versions, names, own, plugins = key
    assert versions == (pydata_sphinx_theme.__version__, pygments.__version__)
    assert names == pygmentscss.style_names(app)
    assert "default" in own
    assert all(name in {*own, *(plugin for plugin, _, _ in plugins)} for name in names)
    # the theme's accessible-pygments styles are plugins: named with their module and
    # version, read from the entry points
    assert any(name == "a11y-dark" and version for name, _, version in plugins)
    assert app.config.html_theme_options.get("pygments_dark_style") is None
    app.config.html_theme_options["pygments_dark_style"] = "no-such-style"
    assert pygmentscss.css_key(app) is None
