"""The home page's building blocks: search box, topic cards, most featured names, links.

Each directive leaves a placeholder that is filled when the doctree is
resolved, from the domain's catalogue of every issue (as in
:mod:`roundup_kb.sphinxext.pages`).  Directives that show counts record the
``issues`` aggregate key, so the domain's ``env-get-outdated`` handler has
the page written again whenever an issue is added, changed or removed.

* ``search-box``: a form that opens Sphinx's search page with the query;
* ``topic-cards``: a sphinx-design grid of cards, one per topic;
* ``top-names authors|venues``: the most featured names with counts;
* ``feed-link [TOPIC]``: the Atom feed of new issues, or of a topic;
* ``stats-link``: the trends page.
"""

from __future__ import annotations

import html
from typing import Any, ClassVar

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.application import Sphinx
from sphinx.util.docutils import SphinxDirective

from roundup_kb import feeds, permalinks
from roundup_kb.catalogue import NameIndex
from roundup_kb.sphinxext.domain import ENTRY_LIST, ISSUE_LIST, get_domain
from roundup_kb.sphinxext.feeds import builds_site, feeds_enabled
from roundup_kb.sphinxext.issues import add_placeholder_nodes, replace_placeholder
from roundup_kb.sphinxext.outputs import root_link
from roundup_kb.sphinxext.pages import Renderer
from roundup_kb.sphinxext.registries import registries, registry_paths
from roundup_kb.sphinxext.stats import STATS_PAGE, page_link
from roundup_kb.trends import most_featured

#: sphinx-design's responsive columns for the topic cards: 1 on phones ... 3 on desktops
DEFAULT_COLUMNS = "1 2 3 3"
TOP_NAMES = 10


class kb_home(nodes.General, nodes.Element):
    """A home-page block, filled when the doctree is resolved."""


class _HomeDirective(SphinxDirective):
    kind = ""
    #: whether the output shows data from issue pages (re-rendered when they change)
    uses_issues = False

    def placeholder(self, **attributes: Any) -> list[nodes.Node]:
        if self.uses_issues:
            for key in (ISSUE_LIST, ENTRY_LIST):
                get_domain(self.env).note_aggregate(self.env.docname, key)
        node = kb_home(classes=[f"roundup-{self.kind}"], kind=self.kind, **attributes)
        self.set_source_info(node)
        return [node]


class SearchBoxDirective(_HomeDirective):
    """``search-box``: a search form; the query opens on Sphinx's search page."""

    kind = "search-box"
    option_spec: ClassVar[dict[str, Any]] = {
        "placeholder": directives.unchanged,
        "label": directives.unchanged,
    }

    def run(self) -> list[nodes.Node]:
        return self.placeholder(
            label=self.options.get("label", "Search every issue, entry, author and venue"),
            placeholder=self.options.get("placeholder", "one-on-ones, Larson, HPCwire…"),
        )


class TopicCardsDirective(_HomeDirective):
    """``topic-cards``: one card per topic: title (linking to its page), description, count."""

    kind = "topic-cards"
    uses_issues = True
    option_spec: ClassVar[dict[str, Any]] = {"columns": directives.unchanged}

    def run(self) -> list[nodes.Node]:
        topics_path, _ = registry_paths(self.env)
        self.env.note_dependency(str(topics_path))
        columns = self.options.get("columns", DEFAULT_COLUMNS)
        try:
            from sphinx_design.grids import row_columns_option

            row_columns_option(columns)
        except ImportError:
            pass
        except ValueError as exc:
            raise self.error(f"topic-cards: bad :columns: {columns!r}: {exc}") from None
        return self.placeholder(columns=columns)


class TopNamesDirective(_HomeDirective):
    """``top-names authors|venues``: the most featured names, linking to their permalinks."""

    kind = "top-names"
    uses_issues = True
    required_arguments = 1
    option_spec: ClassVar[dict[str, Any]] = {"limit": directives.positive_int}

    def run(self) -> list[nodes.Node]:
        names = self.arguments[0]
        if names not in ("authors", "venues"):
            raise self.error(f"top-names: write 'authors' or 'venues', not {names!r}")
        return self.placeholder(names=names, limit=self.options.get("limit", TOP_NAMES))


class FeedLinkDirective(_HomeDirective):
    """``feed-link [TOPIC]``: a link to the feed of new issues, or of a topic's entries."""

    kind = "feed-link"
    optional_arguments = 1

    def run(self) -> list[nodes.Node]:
        slug = self.arguments[0] if self.arguments else ""
        if slug:
            topics, _ = registries(self.env)
            if topics.get(slug) is None:
                raise self.error(f"feed-link: no topic {slug!r} in the topic registry")
        return self.placeholder(topic=slug)


class StatsLinkDirective(_HomeDirective):
    """``stats-link``: a link to the trends page (``stats.html``)."""

    kind = "stats-link"

    def run(self) -> list[nodes.Node]:
        return self.placeholder()


# -- rendering ------------------------------------------------------------------------


class HomeRenderer(Renderer):
    """Builds the nodes of the home-page blocks of one page."""

    def __init__(self, app: Sphinx, docname: str):
        super().__init__(app, docname)
        self.html = app.builder.format == "html"
        self.forms = 0

    def search_box(self, node: kb_home) -> list[nodes.Node]:
        if not self.html:
            return []
        action = html.escape(self.uri("search"), quote=True)
        self.forms += 1
        field = f"roundup-search-{self.forms}"
        form = (
            f'<form class="roundup-search-form" action="{action}" method="get" role="search">'
            f'<label for="{field}">{html.escape(node["label"])}</label>'
            f'<div class="roundup-search-row">'
            f'<input id="{field}" type="search" name="q" '
            f'placeholder="{html.escape(node["placeholder"], quote=True)}" '
            f'autocomplete="off" spellcheck="false"/>'
            f'<button type="submit">Search</button>'
            f"</div></form>"
        )
        return [nodes.raw("", form, format="html")]

    def topic_cards(self, node: kb_home) -> list[nodes.Node]:
        topics, _ = registries(self.app.env)
        catalogue = self.catalogue
        cards = []
        for topic in topics.topics:
            entries = catalogue.by_topic.get(topic.slug, ())
            issues = len({entry.issue for entry in entries})
            count = (
                f"{len(entries)} entr{'y' if len(entries) == 1 else 'ies'} "
                f"in {issues} issue{'' if issues == 1 else 's'}"
            )
            cards.append((topic, count))
        try:
            if "sphinx_design" not in self.app.extensions:
                raise ImportError
            from sphinx_design.grids import gutter_option, row_columns_option
            from sphinx_design.shared import PassthroughTextElement, create_component
        except ImportError:
            # without sphinx-design: the same content as a plain list
            listing = nodes.bullet_list(classes=["roundup-topic-index"])
            for topic, count in cards:
                para = nodes.paragraph()
                para += self.link(topic.title, permalinks.topic_docname(topic.slug))
                para += nodes.Text(f" ({count}) — {topic.description}")
                listing += nodes.list_item("", para)
            return [listing]
        grid = create_component(
            "grid-container", ["sd-container-fluid", "sd-sphinx-override", "sd-mb-4"]
        )
        row = create_component(
            "grid-row",
            ["sd-row", *row_columns_option(node["columns"]), *gutter_option("3")],
        )
        grid += row
        for topic, count in cards:
            item = create_component("grid-item", ["sd-col", "sd-d-flex-row"])
            card = create_component(
                "card",
                [
                    "sd-card",
                    "sd-sphinx-override",
                    "sd-w-100",
                    "sd-shadow-sm",
                    "sd-card-hover",
                    "roundup-topic-card",
                ],
            )
            body = create_component("card-body", ["sd-card-body"])
            title = create_component("card-title", ["sd-card-title", "sd-font-weight-bold"])
            text = PassthroughTextElement()
            # the title is the card's link, stretched over the card: the whole card is
            # clickable and the link's text is the topic's name
            text += self.link(
                topic.title, permalinks.topic_docname(topic.slug), classes=["sd-stretched-link"]
            )
            title += text
            body += title
            body += nodes.paragraph(topic.description, topic.description, classes=["sd-card-text"])
            footer = create_component("card-footer", ["sd-card-footer", "roundup-count"])
            footer += nodes.paragraph(count, count, classes=["sd-card-text"])
            card += [body, footer]
            item += card
            row += item
        return [grid]

    def top_names(self, node: kb_home) -> list[nodes.Node]:
        catalogue = self.catalogue
        if node["names"] == "authors":
            indexes, docname, anchor = (
                catalogue.authors,
                permalinks.author_docname,
                permalinks.anchor_for_person,
            )
            index_doc = f"{permalinks.AUTHORS_DIR}/index"
        else:
            indexes, docname, anchor = (
                catalogue.venues,
                permalinks.venue_docname,
                permalinks.anchor_for_venue,
            )
            index_doc = f"{permalinks.VENUES_DIR}/index"
        top: tuple[NameIndex, ...] = most_featured(indexes, node["limit"])
        if not top:
            return [nodes.paragraph("", f"No {node['names']} yet.")]
        listing = nodes.enumerated_list(enumtype="arabic", classes=["roundup-top-names"])
        for name in top:
            para = nodes.paragraph()
            para += self.link(name.name, docname(name.name), anchor(name.slug))
            count = f"{len(name.entries)} entr{'y' if len(name.entries) == 1 else 'ies'}"
            para += nodes.Text(" ")
            para += nodes.inline("", count, classes=["roundup-count"])
            listing += nodes.list_item("", para)
        more = nodes.paragraph(classes=["roundup-more"])
        more += self.link(f"All {len(indexes)} {node['names']} →", index_doc)
        return [listing, more]

    def feed_link(self, node: kb_home) -> list[nodes.Node]:
        if not feeds_enabled(self.app):
            return []
        slug = node["topic"]
        if slug:
            path = feeds.topic_feed_path(slug)
            text = "Follow this topic's new entries (Atom feed)"
        else:
            path = feeds.ISSUES_FEED
            text = "Follow new issues (Atom feed)"
        ref = nodes.reference("", text, refuri=root_link(self.app, self.docname, path))
        ref["classes"].append("roundup-feed-link")
        return [nodes.paragraph("", "", ref, classes=["roundup-feed"])]

    def stats_link(self, node: kb_home) -> list[nodes.Node]:
        if not builds_site(self.app):
            return []
        text = "Trends: issues and entries per year, per topic, and the most featured names"
        ref = nodes.reference("", text, refuri=page_link(self.app, self.docname, STATS_PAGE))
        return [nodes.paragraph("", "", ref, classes=["roundup-stats-link"])]


def resolve_home(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    found = list(doctree.findall(kb_home))
    if not found:
        return
    renderer = HomeRenderer(app, docname)
    for node in found:
        replace_placeholder(node, getattr(renderer, node["kind"].replace("-", "_"))(node))


def setup(app: Sphinx) -> None:
    add_placeholder_nodes(app, kb_home)
    app.add_directive("search-box", SearchBoxDirective)
    app.add_directive("topic-cards", TopicCardsDirective)
    app.add_directive("top-names", TopNamesDirective)
    app.add_directive("feed-link", FeedLinkDirective)
    app.add_directive("stats-link", StatsLinkDirective)
    app.connect("doctree-resolved", resolve_home)
    app.connect("builder-inited", _add_css)


def _add_css(app: Sphinx) -> None:
    # the static directory is added by the package's setup (roundup.css lives there)
    if app.builder.format == "html":
        app.add_css_file("roundup-home.css")
