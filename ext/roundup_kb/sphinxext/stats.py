"""The trends page, ``stats.html`` at the site root, rendered in the theme's page layout.

The page is not a document: it is added with ``html-collect-pages`` after every
document is written, from the whole catalogue (:mod:`roundup_kb.trends`), so
it is current after every build, incremental or not.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sphinx.application import Sphinx

from roundup_kb.sphinxext.domain import get_domain
from roundup_kb.sphinxext.feeds import builds_site
from roundup_kb.sphinxext.outputs import root_link
from roundup_kb.sphinxext.registries import registries
from roundup_kb.trends import trend_data, trends_html

#: the page name of the trends page (``stats.html``)
STATS_PAGE = "stats"
TITLE = "Trends"


def page_link(app: Sphinx, fromdoc: str, todoc: str, anchor: str = "") -> str:
    """A URL from one page to another (documents or pages such as ``stats``)."""
    uri = root_link(app, fromdoc, app.builder.get_target_uri(todoc))
    return f"{uri}#{anchor}" if anchor else uri


def collect_stats_page(app: Sphinx) -> Iterator[tuple[str, dict[str, Any], str]]:
    if not builds_site(app):
        return
    topics, _ = registries(app.env)
    data = trend_data(get_domain(app.env).catalogue(), topics.topics)
    body = trends_html(data, lambda doc, anchor: page_link(app, STATS_PAGE, doc, anchor))
    yield STATS_PAGE, {"title": TITLE, "body": body}, "page.html"


def setup(app: Sphinx) -> None:
    app.connect("html-collect-pages", collect_stats_page)
