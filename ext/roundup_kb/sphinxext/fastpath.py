"""Issue pages parsed the fast way: MyST renders only what becomes nodes.

:class:`IssueParser` replaces MyST's parser for ``.md`` files.  For an issue page
written in plain Markdown it hands MyST's renderer a skeleton of the page
(:func:`roundup_kb.prerender.skeleton`): the front matter, the headings and the
link-item paragraphs as tokens, and every other block as HTML that becomes one
``raw`` node.  Sections, the page's table of contents, entry anchors, badges,
cite buttons and dead-link marks come out exactly as before; the commentary is
not turned into thousands of docutils nodes that every transform, the pickler
and the HTML writer would walk.  Sphinx's search indexes the text of ``raw``
HTML, and :class:`RawHtmlLinks` gives its links to the link checker.

Every other page -- and an issue page that uses MyST syntax, or that safe mode
had to change -- is parsed by MyST as a whole.  ``roundup_fast_pages = False``
turns the fast path off.
"""

from __future__ import annotations

import html
import re
from typing import Any

from docutils import nodes
from markdown_it.token import Token
from myst_parser.mdit_to_docutils.sphinx_ import SphinxRenderer
from myst_parser.parsers.mdit import create_md_parser
from myst_parser.parsers.sphinx_ import MystParser
from sphinx.application import Sphinx
from sphinx.builders.linkcheck import HyperlinkCollector
from sphinx.util import logging

from roundup_kb.frontmatter import split_front_matter
from roundup_kb.parser import markdown
from roundup_kb.prerender import expand, fast_front_matter, shift_lines, skeleton
from roundup_kb.problems import RoundupError
from roundup_kb.sphinxext.domain import get_domain, issue_docnames
from roundup_kb.sphinxext.prescan import prerender_options, scan_of

logger = logging.getLogger(__name__)

#: temp_data key: the page may take the fast path (set when the page was checked)
FAST_OK = "roundup_fast_ok"
_HREF = re.compile(r"""<a\s[^>]*?href=["']([^"']+)["']""", re.I)
_MD = markdown()


class IssueRenderer(SphinxRenderer):
    """MyST's renderer, plus the pre-rendered blocks of :func:`skeleton`."""

    def render_roundup_html(self, token: Any) -> None:
        node = nodes.raw("", token.content, format="html")
        self.add_line_and_source_path(node, token)
        self.current_node.append(node)


def fast_tokens(env: Any, text: str) -> list[Token] | None:
    """The skeleton tokens of the page being read, or ``None`` when MyST must parse it."""
    docname = env.docname
    scan = scan_of(env)
    options = scan.prerender if scan is not None else prerender_options(env)
    if options is None or not env.temp_data.get(FAST_OK):
        return None
    if not issue_docnames(env, [docname]):
        return None
    issue = env.temp_data.get("roundup_issue")
    if issue is None:
        return None
    kept = scan.skeleton_for(docname, text) if scan is not None else None
    if kept is not None:  # pre-rendered by the pre-scan, from the same text
        raw, body_line, packed = kept
        if isinstance(packed, str):
            logger.debug("[roundup] %s: parsed by MyST: %s", docname, packed)
            return None
        tokens = expand(packed)
    else:
        try:
            front = split_front_matter(text, str(env.doc2path(docname)))
        except RoundupError:
            return None
        if not fast_front_matter(front.data):
            return None
        keep = [entry.line - front.body_line for entry in issue.entries]
        found = skeleton(_MD.parse(front.body), keep, **options)
        if isinstance(found, str):
            logger.debug("[roundup] %s: parsed by MyST: %s", docname, found)
            return None
        raw, body_line, tokens = front.raw, front.body_line, found
    shift_lines(tokens, body_line - 1)
    matter = Token("front_matter", "", 0, content=raw, markup="---", block=True)
    matter.map = [0, body_line - 1]
    return [matter, *tokens]


#: (MyST's settings, the parser made for them): one per build, not one per page
_parser_for: tuple[Any, Any] | None = None


def _skeleton_parser(config: Any) -> Any:
    """A markdown-it parser with :class:`IssueRenderer`, made once for MyST's settings.

    Making one (its renderer looks up its render methods) was a millisecond a page.
    The renderer sets up all its per-document state when it starts rendering.
    """
    global _parser_for
    if _parser_for is None or _parser_for[0] is not config:
        _parser_for = (config, create_md_parser(config, IssueRenderer))
    return _parser_for[1]


class IssueParser(MystParser):
    """MyST's parser, with the fast path for plain-Markdown issue pages."""

    def parse(self, inputstring: str, document: nodes.document) -> None:
        env = document.settings.env
        tokens = fast_tokens(env, inputstring)
        if tokens is None:
            super().parse(inputstring, document)
            return
        get_domain(env).note_prerendered(env.docname)
        parser = _skeleton_parser(env.myst_config)
        parser.options["document"] = document
        parser.renderer.render(tokens, parser.options, {})


class RawHtmlLinks(HyperlinkCollector):
    """Give the link checker the links inside raw HTML (pre-rendered commentary)."""

    default_priority = 801

    def run(self, **kwargs: Any) -> None:
        for node in self.document.findall(nodes.raw):
            if "html" in node.get("format", "").split():
                for uri in _HREF.findall(node.astext()):
                    self._add_uri(html.unescape(uri), node)


def _reread_prerendered(
    app: Sphinx, env: Any, added: set[str], changed: set[str], removed: set[str]
) -> list[str]:
    """The pre-rendered pages, to be read again by MyST when this builder shows no raw HTML.

    Builders sharing a doctree directory (``sphinx-build -M html`` then ``-M latex``)
    share the pages an HTML build read; a ``text`` or ``latex`` build of those
    would lose their commentary.
    """
    if prerender_options(env) is not None:
        return []
    return sorted(get_domain(env).prerendered() - removed)


def setup(app: Sphinx) -> None:
    app.setup_extension("myst_parser")
    app.add_config_value("roundup_fast_pages", True, "env", types=[bool])
    app.add_source_parser(IssueParser, override=True)
    app.add_post_transform(RawHtmlLinks)
    app.connect("env-get-outdated", _reread_prerendered)
