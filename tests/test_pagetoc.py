"""The "On this page" list made without BeautifulSoup is the theme's, to the byte."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

from hypothesis import given, settings
from hypothesis import strategies as st
from pydata_sphinx_theme.toctree import add_toctree_functions

from conftest import issue_page
from roundup_kb.sphinxext.pagetoc import TEMPLATES, _add_template, page_toc_html

#: what Sphinx's HTML writer puts in a section title
_TITLE_PARTS = st.sampled_from(
    [
        "Word",
        " ",
        "R&amp;D",
        "a &lt;b&gt;",
        "&quot;quoted&quot;",
        "it&#8217;s",
        "caf\u00e9 \u2013 na\u00efve",
        '<code class="docutils literal notranslate"><span class="pre">x</span></code>',
        "<em>emphasis</em>",
        "<strong>strong</strong>",
        '<img alt="i" src="../_images/i.png" />',
        "<br />",
    ]
)
_TITLE = st.lists(_TITLE_PARTS, min_size=1, max_size=4).map("".join)
_HREF = st.sampled_from(["#", "#a", "#r-d", "#a&amp;b", "#%C3%A9t%C3%A9", "other.html#x"])


@st.composite
def _items(draw, depth: int = 0) -> str:
    """A ``<ul>`` as Sphinx renders a page's table of contents."""
    items = []
    for _ in range(draw(st.integers(1 if depth else 0, 3))):
        link = draw(st.sampled_from(["link", "link", "link", "text", "span"]))
        title = draw(_TITLE)
        if link == "link":
            head = f'<a class="reference internal" href="{draw(_HREF)}">{title}</a>'
        elif link == "span":
            head = f'<span class="x">{title}</span>'
        else:
            head = title
        nested = draw(_items(depth + 1)) if depth < 3 and draw(st.booleans()) else ""
        items.append(f"<li>{head}{nested}</li>\n")
    if not items:
        return ""
    return "<ul>\n" + "".join(items) + "</ul>\n"


def _theme_output(toc: str, level: int) -> str:
    """What the theme's page-toc.html puts in the page: ``generate_toc_html()`` if its
    ``length`` is at least 1, else nothing."""
    context = {"toc": toc, "theme_show_toc_level": level}
    add_toctree_functions(None, "page", "page.html", context, None)
    out = context["generate_toc_html"]()
    return str(out) if len(out) >= 1 else ""


@given(
    st.lists(_items(), min_size=0, max_size=2).map("".join),
    st.integers(0, 3),
)
@settings(max_examples=1500, deadline=None)
def test_page_toc_is_the_themes(toc, level):
    assert page_toc_html(toc, level) == _theme_output(toc, level)


def test_page_toc_shapes():
    one_title = (
        '<ul>\n<li><a class="reference internal" href="#">Issue 94</a><ul>\n'
        '<li><a class="reference internal" href="#teams">Teams &amp; people</a></li>\n'
        "</ul>\n</li>\n</ul>\n"
    )
    assert page_toc_html(one_title, 1) == (
        '<ul class="pst-show_toc_level nav section-nav flex-column">\n'
        '<li class="toc-h2 nav-item toc-entry"><a class="reference internal nav-link" '
        'href="#teams">Teams &amp; people</a></li>\n</ul>'
    )
    no_sections = '<ul>\n<li><a class="reference internal" href="#">Only</a></li>\n</ul>\n'
    assert page_toc_html(no_sections, 1) == ""
    assert page_toc_html("", 1) == ""
    for toc in (one_title, no_sections, ""):
        assert page_toc_html(toc, 1) == _theme_output(toc, 1)


def test_the_site_renders_the_page_toc_without_the_theme_code(make_site):
    body = (
        "## Managing Teams\n\n[A paper](https://example.org/a) - Ann Author, Venue\n\nWhy.\n\n"
        "## Research Software Development\n\n[A tool](https://example.org/t) - Bo Builder\n\nHow.\n"
    )
    site = make_site({1: issue_page(1, "2021-01-01", body)})
    app, _ = site.build()
    template = app.builder.templates.environment.get_template("page-toc.html")
    assert Path(template.filename) == TEMPLATES / "page-toc.html"
    page = site.html("issues/0001.html")
    assert 'aria-labelledby="pst-page-navigation-heading' in page
    assert (
        '<li class="toc-h2 nav-item toc-entry"><a class="reference internal nav-link" '
        'href="#managing-teams">Managing Teams</a></li>'
    ) in page


def test_the_template_comes_before_the_themes():
    theme = "/x/pydata_sphinx_theme/theme/pydata_sphinx_theme/components"
    for given_paths, expected in (
        (["mine"], ["mine", str(TEMPLATES)]),
        (["mine", theme], ["mine", str(TEMPLATES), theme]),
        (["mine", str(TEMPLATES), theme], ["mine", str(TEMPLATES), theme]),
    ):
        config = SimpleNamespace(templates_path=list(given_paths), html_theme="pydata_sphinx_theme")
        _add_template(None, config)
        assert config.templates_path == expected
    # another theme keeps its own page-toc.html, if it has one
    for theme in ("furo", "sphinx_book_theme", "alabaster"):
        config = SimpleNamespace(templates_path=["mine"], html_theme=theme)
        _add_template(None, config)
        assert config.templates_path == ["mine"]
