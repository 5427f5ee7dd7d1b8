"""Atom feeds in the HTML output, and the ``<link rel="alternate">`` that announces them.

The feeds themselves are built by the core (:mod:`roundup_kb.feeds`).  Atom
needs absolute URLs, so feeds are written only when ``html_baseurl`` says where
the site is published; without it the build says so once and skips them, and
pages do not link to feeds that do not exist.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sphinx.application import Sphinx
from sphinx.util import logging

from roundup_kb import feeds, permalinks
from roundup_kb.sphinxext.domain import get_domain
from roundup_kb.sphinxext.outputs import Manifest, digest, shown_key
from roundup_kb.sphinxext.registries import registries

logger = logging.getLogger(__name__)

#: bump when the feeds' content changes for the same data
FEEDS_VERSION = 1

#: builders whose output is a site with one file per page, where feeds make sense
SITE_BUILDERS = ("html", "dirhtml")


def builds_site(app: Sphinx) -> bool:
    """Whether this build writes a multi-page HTML site (feeds, the trends page)."""
    return getattr(app.builder, "name", "") in SITE_BUILDERS


def feeds_enabled(app: Sphinx) -> bool:
    """Whether this build writes feeds: a site build with an absolute ``html_baseurl``."""
    return builds_site(app) and feeds.is_absolute_url(app.config.html_baseurl)


def feed_site(app: Sphinx) -> feeds.FeedSite:
    config = app.config
    return feeds.FeedSite(
        base_url=config.html_baseurl,
        title=config.html_title or config.project,
        author=config.author or config.project,
        language=config.language or "en",
        issues_dir=config.roundup_issues_dir,
        home_docname=config.root_doc,
        page_uri=app.builder.get_target_uri,
    )


def topic_of_page(pagename: str) -> str | None:
    """The topic slug when ``pagename`` is a topic page."""
    prefix = permalinks.TOPICS_DIR + "/"
    if pagename.startswith(prefix):
        slug = pagename[len(prefix) :]
        if "/" not in slug:
            return slug
    return None


def page_feed(app: Sphinx, pagename: str) -> tuple[str, str] | None:
    """``(path from the root, title)`` of the feed a page announces, if any."""
    if not feeds_enabled(app):
        return None
    title = app.config.html_title or app.config.project
    if pagename == app.config.root_doc:
        return feeds.ISSUES_FEED, f"{title}: new issues"
    slug = topic_of_page(pagename)
    if slug is not None:
        topics, _ = registries(app.env)
        topic = topics.get(slug)
        if topic is not None:
            return feeds.topic_feed_path(slug), f"{title}: {topic.title}"
    return None


def announce_feed(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    """Feed autodiscovery: a ``<link rel="alternate">`` in the page's head."""
    found = page_feed(app, pagename)
    if found is None or "pathto" not in context:
        return
    path, title = found
    href = context["pathto"](path, 1)
    link = (
        f'<link rel="alternate" type="{feeds.ATOM_TYPE}" '
        f'title="{_attr(title)}" href="{_attr(href)}" />\n'
    )
    context["metatags"] = context.get("metatags", "") + link


def _attr(text: str) -> str:
    import html

    return html.escape(text, quote=True)


def write_site_feeds(app: Sphinx, exception: Exception | None) -> None:
    """Write (or refresh) every feed after a successful site build."""
    if exception is not None or not builds_site(app):
        return
    if not feeds_enabled(app):
        logger.info(
            "roundup-kb: no Atom feeds, because html_baseurl is not an absolute URL "
            "(set html_baseurl in conf.py to the address the site is published at)"
        )
        return
    topics, _ = registries(app.env)
    outdir = Path(app.outdir)
    manifest = Manifest(app)
    site = feed_site(app)
    # the site's plain fields (its callables' reprs hold addresses) and the builder
    settings = (site.base_url, site.title, site.author, site.language, site.issues_dir)
    # what lists show of each issue (summaries included): an edit to commentary past
    # the summaries changes no feed, and is not looked for in every feed's source
    key = shown_key(app, FEEDS_VERSION, settings, app.builder.name, topics.topics)
    wanted = [outdir / feeds.ISSUES_FEED]
    wanted += [outdir / feeds.topic_feed_path(topic.slug) for topic in topics.topics]
    if manifest.fresh("feeds", key, *wanted):
        return
    catalogue = get_domain(app.env).catalogue()
    # some issue changed: make again only the feeds that show something else now
    keys = {
        path: digest(FEEDS_VERSION, settings, app.builder.name, source)
        for path, source in feeds.feed_sources(catalogue, topics.topics).items()
    }
    stale = {
        path
        for path, made in keys.items()
        if not manifest.fresh(f"feed:{path}", made, outdir / path)
    }
    files = feeds.feed_files(catalogue, topics.topics, site, only=stale)
    written = feeds.write_feeds(outdir, files, wanted=keys)
    for path, made in keys.items():
        manifest.record(f"feed:{path}", made)
    for name in [n for n in manifest.data if n.startswith("feed:") and n[5:] not in keys]:
        manifest.drop(name)  # a topic removed from the registry
    manifest.record("feeds", key)
    manifest.save()
    if written:
        logger.info(f"roundup-kb: wrote {len(written)} Atom feed(s)")


def setup(app: Sphinx) -> None:
    app.connect("html-page-context", announce_feed)
