"""The trends page, ``stats.html`` at the site root, rendered in the theme's page layout.

The page is not a document: it is added with ``html-collect-pages`` after every
document is written, from the whole catalogue (:mod:`roundup_kb.trends`), so
it is current after every build, incremental or not.  Its body is kept in the
doctree directory and made again only when what issue pages list of their
entries or a registry changed (:func:`~roundup_kb.sphinxext.outputs.shown_key`,
without summaries: the page counts issues, entries, topics and names, and shows
no commentary): a build that changed nothing, or only commentary, does not build
the catalogue's indexes for it.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx

from roundup_kb.files import write_if_changed
from roundup_kb.sphinxext.domain import get_domain
from roundup_kb.sphinxext.feeds import builds_site
from roundup_kb.sphinxext.outputs import Manifest, root_link, shown_key
from roundup_kb.sphinxext.registries import registries
from roundup_kb.trends import trend_data, trends_html

#: the page name of the trends page (``stats.html``)
STATS_PAGE = "stats"
TITLE = "Trends"
#: the page body as last made, in the doctree directory
BODY_CACHE = "roundup-stats.html"
#: bump when the page's markup changes
STATS_VERSION = 1


def page_link(app: Sphinx, fromdoc: str, todoc: str, anchor: str = "") -> str:
    """A URL from one page to another (documents or pages such as ``stats``)."""
    uri = root_link(app, fromdoc, app.builder.get_target_uri(todoc))
    return f"{uri}#{anchor}" if anchor else uri


def collect_stats_page(app: Sphinx) -> Iterator[tuple[str, dict[str, Any], str]]:
    if not builds_site(app):
        return
    manifest = Manifest(app)
    # counts of what pages list (dates, topics, names), nothing of the commentary
    # and not where entries stand in their pages
    key = shown_key(
        app,
        STATS_VERSION,
        app.builder.name,
        app.config.roundup_issues_dir,
        summaries=False,
        lines=False,
    )
    cache = Path(app.doctreedir) / BODY_CACHE
    if manifest.fresh(BODY_CACHE, key, cache):
        body = cache.read_text(encoding="utf-8")
    else:
        topics, _ = registries(app.env)
        data = trend_data(get_domain(app.env).catalogue(), topics.topics)
        body = trends_html(data, lambda doc, anchor: page_link(app, STATS_PAGE, doc, anchor))
        if key is not None:
            write_if_changed(cache, body)
            manifest.record(BODY_CACHE, key)
            manifest.save()
    yield STATS_PAGE, {"title": TITLE, "body": body}, "page.html"


def setup(app: Sphinx) -> None:
    app.connect("html-collect-pages", collect_stats_page)
