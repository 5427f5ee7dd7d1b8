"""Issue pages: the byline under the title, previous/next links, and issue lists.

An issue page's title comes from its front matter through MyST's
``myst_title_to_header``; this module adds the date and subtitle under it and
links to the neighbouring issues, and provides the ``issue-archive`` and
``issue-list`` directives that list issues on other pages.
"""

from __future__ import annotations

import html
import re
from itertools import groupby
from pathlib import Path
from types import SimpleNamespace
from typing import Any, ClassVar

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.application import Sphinx
from sphinx.transforms import SphinxTransform
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

from roundup_kb import safety
from roundup_kb.model import Issue, IssueMeta
from roundup_kb.parser import parse_issue
from roundup_kb.problems import Problem, RoundupError
from roundup_kb.sphinxext.domain import ISSUE_LIST, dependency_keys, get_domain, issue_docnames
from roundup_kb.sphinxext.entries import cite_button, decorate_entries
from roundup_kb.sphinxext.fastpath import FAST_OK
from roundup_kb.sphinxext.prescan import get_scan
from roundup_kb.sphinxext.registries import registries, registry_paths
from roundup_kb.validate import check_numbers, check_page

logger = logging.getLogger(__name__)


def format_date(date) -> str:
    """``1 October 2021``: unambiguous for readers everywhere."""
    return f"{date.day} {date:%B %Y}"


class issue_nav(nodes.General, nodes.Element):
    """Placeholder for previous/next issue links, filled when the doctree is resolved."""


class issue_listing(nodes.General, nodes.Element):
    """Placeholder for a list of issues (``issue-archive`` / ``issue-list``)."""


def _skip(self: Any, node: nodes.Node) -> None:
    raise nodes.SkipNode


def add_placeholder_nodes(app: Sphinx, *node_classes: type[nodes.Element]) -> None:
    """Register placeholder nodes: replaced before writing, skipped by every writer if not."""
    for node_class in node_classes:
        app.add_node(
            node_class,
            **{fmt: (_skip, None) for fmt in ("html", "latex", "text", "man", "texinfo")},
        )


def parse_page(env, docname: str, path: Path) -> Issue | None:
    """The issue a page holds now, or ``None`` when its front matter is unusable."""
    topics, names = registries(env)
    try:
        return parse_issue(path.read_text(encoding="utf-8"), str(path), topics, names).issue
    except RoundupError:
        return None


def check_source(app: Sphinx, docname: str, source: list[str]) -> None:
    """Check an issue page before MyST parses it, with the checks of ``roundup-kb validate``.

    This runs on ``source-read`` rather than on the doctree because safe mode
    must neutralize a page before it is parsed: by the time a doctree exists an
    ``include`` would already have read its file.  The result of the pre-scan
    (:mod:`~roundup_kb.sphinxext.prescan`) is reused when the text is the one it
    checked, and the parsed issue is kept for :class:`IssuePageTransform`, so a
    page's Markdown is parsed by the core once per build.
    """
    env = app.env
    if not issue_docnames(env, [docname]):
        return
    scan = get_scan(app)
    checked = scan.result_for(docname, source[0]) if scan is not None else None
    if checked is None:  # not pre-scanned, or changed since
        topics, names = registries(env)
        path = str(env.doc2path(docname))
        safe = app.config.roundup_safe_mode
        checked = check_page(source[0], path, topics, names, safe_mode=safe)
    report(docname, checked.problems)
    if checked.findings:
        source[0] = safety.sanitize(source[0], checked.findings, checked.front_matter_end)
    env.temp_data["roundup_issue"] = checked.issue
    # the fast path parses the page's own text: not when safe mode changed it
    env.temp_data[FAST_OK] = not checked.findings


def report(docname: str, problems: list[Problem]) -> None:
    """Log core problems as Sphinx warnings with type, subtype and location."""
    for problem in problems:
        message = f"{problem.message} ({problem.hint})" if problem.hint else problem.message
        logger.warning(
            message,
            type="roundup",
            subtype=problem.code,
            location=(docname, problem.line) if problem.line else docname,
        )


class IssuePageTransform(SphinxTransform):
    """Parse an issue page with the core, record it, and add byline, entries and navigation."""

    # after MyST has turned the front-matter title into the section title
    default_priority = 880

    def apply(self, **kwargs: Any) -> None:
        env = self.env
        docname = env.docname
        if not issue_docnames(env, [docname]):
            return
        for path in registry_paths(env):
            env.note_dependency(str(path))
        issue = env.temp_data.pop("roundup_issue", None)
        if issue is None:
            return
        dom = get_domain(env)
        dom.note_issue(docname, issue)
        # "also featured in": other issues' entries and mentions of this page's
        # entries' links (what this page itself only mentions shows nothing here)
        for key in dependency_keys(issue.entries, ()):
            if key.startswith("url:"):
                dom.note_aggregate(docname, key)
        section = next(iter(self.document.findall(nodes.section)), None)
        if section is None or not section.children:
            return
        decorate_entries(self.document, issue, docname)
        section.insert(1, byline(issue.meta))
        section.insert(2, issue_nav(classes=["roundup-issue-nav", "roundup-issue-nav-top"]))
        section.append(issue_nav(classes=["roundup-issue-nav"]))


def byline(meta: IssueMeta) -> nodes.Element:
    box = nodes.container(classes=["roundup-byline"])
    box += nodes.paragraph(
        "",
        "",
        nodes.inline("", f"Issue {meta.number}", classes=["roundup-issue-number"]),
        nodes.Text(" · "),
        nodes.inline("", format_date(meta.date), classes=["roundup-date"]),
        nodes.Text(" "),
        cite_button("issue", meta.number, "cite this issue"),
    )
    if meta.subtitle:
        box += nodes.paragraph(meta.subtitle, meta.subtitle, classes=["roundup-subtitle"])
    return box


def _issue_link(app: Sphinx, fromdoc: str, todoc: str, text: str) -> nodes.reference:
    return nodes.reference(
        "", text, internal=True, refuri=app.builder.get_relative_uri(fromdoc, todoc)
    )


class IssueListDirective(SphinxDirective):
    """``issue-list``: the newest issues, each with its date and subtitle."""

    has_content = False
    option_spec: ClassVar[dict[str, Any]] = {
        "limit": directives.nonnegative_int,
        "oldest-first": directives.flag,
    }
    by_year = False

    def run(self) -> list[nodes.Node]:
        get_domain(self.env).note_aggregate(self.env.docname, ISSUE_LIST)
        node = issue_listing(classes=["roundup-issue-list"])
        node["limit"] = self.options.get("limit")
        node["oldest_first"] = "oldest-first" in self.options
        node["by_year"] = self.by_year
        self.set_source_info(node)
        return [node]


class IssueArchiveDirective(IssueListDirective):
    """``issue-archive``: every issue, newest first, grouped by year."""

    by_year = True


def _render_listing(app: Sphinx, docname: str, node: issue_listing) -> list[nodes.Node]:
    items = get_domain(app.env).issues_by_number()
    if not node["oldest_first"]:
        items.reverse()
    if node["limit"]:
        items = items[: node["limit"]]
    if not items:
        return [nodes.paragraph("", "No issues yet.")]

    def bullet_list(group) -> nodes.bullet_list:
        listing = nodes.bullet_list(classes=["roundup-issues"])
        for doc, meta in group:
            para = nodes.paragraph()
            para += _issue_link(app, docname, doc, meta.title)
            para += nodes.inline("", f" · {format_date(meta.date)}", classes=["roundup-date"])
            item = nodes.list_item("", para)
            if meta.subtitle:
                item += nodes.paragraph(meta.subtitle, meta.subtitle, classes=["roundup-subtitle"])
            listing += item
        return listing

    if not node["by_year"]:
        return [bullet_list(items)]
    out: list[nodes.Node] = []
    for year, group in groupby(items, key=lambda item: item[1].date.year):
        group = list(group)
        label = f"{year} · {len(group)} issue{'s' if len(group) != 1 else ''}"
        out.append(nodes.rubric(label, label, ids=[f"year-{year}"], classes=["roundup-year"]))
        out.append(bullet_list(group))
    return out


def _render_nav(app: Sphinx, docname: str, node: issue_nav) -> list[nodes.Node]:
    dom = get_domain(app.env)
    before, after = dom.neighbours(docname)
    if before is None and after is None:
        return []
    para = nodes.paragraph(classes=["roundup-prev-next"])
    if before is not None:
        para += _issue_link(app, docname, before, f"← {dom.issues[before].title}")
        para[-1]["classes"].append("roundup-prev")
    if after is not None:
        para += _issue_link(app, docname, after, f"{dom.issues[after].title} →")
        para[-1]["classes"].append("roundup-next")
    return [para]


#: builders that write each document from its own doctree; for them the heaviest
#: placeholders are rendered as each page is written (see :func:`write_in_place`)
RENDERED_WHEN_WRITTEN = ("html", "dirhtml")


def writer_host(translator: Any) -> tuple[Any, str]:
    """(an ``app``-like object with the builder, config and environment, the docname)
    of the page a translator is writing, for code written against the ``app``."""
    builder = translator.builder
    host = SimpleNamespace(builder=builder, config=builder.config, env=builder.env)
    return host, builder.current_docname


def write_in_place(translator: Any, node: nodes.Element, replacement: list[nodes.Node]) -> None:
    """In an HTML visitor: put ``replacement`` where the placeholder stands and write it.

    With ``-j N``, Sphinx resolves every doctree in its main process and only
    translates in its forked writers: what is rendered here is rendered there.
    The search index, made from the resolved doctree, does not see it.
    """
    box = replace_placeholder(node, replacement)
    if box is not None:
        box.walkabout(translator)
    raise nodes.SkipNode


#: Sphinx's class for what its search index leaves out: generated lists of entries
#: (the issue pages hold the same text, where a search result should lead)
NOT_SEARCHED = "no-search"


def replace_placeholder(node: nodes.Element, replacement: list[nodes.Node]) -> nodes.Element | None:
    """Put ``replacement`` where ``node`` stands, in a container with the node's classes.

    The container keeps docutils from moving the placeholder's classes onto the
    first replacement node, and an empty replacement removes the placeholder.
    Returns the container, or None when there was nothing to put.
    """
    if replacement:
        inline = isinstance(node.parent, nodes.TextElement)
        box = (nodes.inline if inline else nodes.container)(classes=node["classes"])
        box.extend(replacement)
        node.replace_self(box)
        return box
    node.parent.remove(node)
    return None


ARCHIVE_LINK = re.compile(r"/newsletter_issues/0*(\d+)(?:\.html)?/?(#.*)?$")


def archive_issue(app: Sphinx, url: str) -> tuple[int, str] | None:
    """``(number, fragment)`` when ``url`` points into the newsletter's own archive."""
    site = app.config.roundup_site_url.rstrip("/")
    if not site:
        return None
    bare = re.sub(r"^https?://(www\.)?", "", url)
    if not bare.startswith(re.sub(r"^https?://(www\.)?", "", site) + "/"):
        return None
    match = ARCHIVE_LINK.search(bare)
    return (int(match.group(1)), match.group(2) or "") if match else None


def internalize_archive_links(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """Point links to the newsletter's archive at the issue pages this site holds."""
    dom = get_domain(app.env)
    for ref in doctree.findall(nodes.reference):
        found = archive_issue(app, ref.get("refuri", ""))
        if found is None:
            continue
        target = dom.docname_of_issue(found[0])
        if target is not None:
            ref["refuri"] = app.builder.get_relative_uri(docname, target) + found[1]
            ref["internal"] = True
            ref["classes"].append("roundup-issue-link")
    for raw in doctree.findall(nodes.raw):
        if "/newsletter_issues/" in raw.astext():
            raw[:] = [nodes.Text(_internalize_html(app, raw.astext(), docname))]


_HTML_LINK = re.compile(r'<a href="([^"]+)" class="reference external"')


def _internalize_html(app: Sphinx, markup: str, docname: str) -> str:
    """:func:`internalize_archive_links` for the links of pre-rendered HTML."""
    dom = get_domain(app.env)

    def internal(match: re.Match) -> str:
        found = archive_issue(app, html.unescape(match.group(1)))
        target = dom.docname_of_issue(found[0]) if found else None
        if target is None:
            return match.group(0)
        uri = html.escape(app.builder.get_relative_uri(docname, target) + found[1])
        return f'<a href="{uri}" class="reference internal roundup-issue-link"'

    return _HTML_LINK.sub(internal, markup)


def resolve_issue_anchor(app: Sphinx, env, node, contnode):
    """``[text](#79)``: an in-page link whose target is an issue number."""
    target = node.get("reftarget", "").lstrip("#")
    if node.get("reftype") != "myst" or not target.isdigit():
        return None
    todoc = get_domain(env).docname_of_issue(int(target))
    if todoc is None:
        return None
    ref = nodes.reference("", "", internal=True)
    ref["refuri"] = app.builder.get_relative_uri(node["refdoc"], todoc)
    ref += contnode
    return ref


def resolve_placeholders(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    internalize_archive_links(app, doctree, docname)
    for node in list(doctree.findall(issue_nav)):
        replace_placeholder(node, _render_nav(app, docname, node))
    for node in list(doctree.findall(issue_listing)):
        replace_placeholder(node, _render_listing(app, docname, node))


def check_duplicate_numbers(app: Sphinx, env) -> None:
    """Two pages with one issue number: the check across pages that ``validate`` makes too."""
    dom = get_domain(env)
    for problem in check_numbers((doc, meta) for doc, meta in dom.issues.items()):
        logger.warning(
            f"{problem.message} ({problem.hint})",
            type="roundup",
            subtype=problem.code,
            location=(problem.path, 2),
        )


def setup(app: Sphinx) -> None:
    app.add_config_value("roundup_safe_mode", True, "env", types=[bool])
    app.connect("source-read", check_source)
    app.connect("env-check-consistency", check_duplicate_numbers)
    add_placeholder_nodes(app, issue_nav, issue_listing)
    app.add_transform(IssuePageTransform)
    app.add_directive("issue-list", IssueListDirective)
    app.add_directive("issue-archive", IssueArchiveDirective)
    app.connect("doctree-resolved", resolve_placeholders)
    app.connect("missing-reference", resolve_issue_anchor)
