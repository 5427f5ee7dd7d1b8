"""Issue pages pre-rendered to HTML: most of a page never becomes docutils nodes.

An issue page is mostly commentary: paragraphs, lists and quotes that the site
shows as they are.  Turning each word of them into docutils nodes, transforming
and pickling those nodes and writing them back out as HTML is most of what a
Sphinx build of the newsletter costs.  :func:`skeleton` keeps as Markdown tokens
only what the site does something with -- headings (sections, the page's table
of contents), the paragraphs that hold link items (anchors, badges, cite
buttons) and code (highlighted by Sphinx) -- and replaces every other top-level
block by one ``roundup_html`` token holding its HTML, rendered here by
markdown-it-py.

Pages that use MyST syntax (roles, directives, targets, comments, footnotes,
definition lists, links to other documents, local images) are not plain
Markdown: :func:`skeleton` then returns the reason, and the page is parsed by
MyST as a whole.  No Sphinx here; the adapter is
:mod:`roundup_kb.sphinxext.fastpath`.
"""

from __future__ import annotations

import pickle
import re
from collections.abc import Iterable, Sequence
from typing import NamedTuple

from docutils.utils import smartquotes
from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.rules_core import StateCore
from markdown_it.rules_core import replace as markdown_replacements
from markdown_it.rules_core import smartquotes as markdown_smartquotes
from markdown_it.token import Token

from roundup_kb.parser import markdown

#: the token type of a pre-rendered block; its ``content`` is HTML
HTML_TOKEN = "roundup_html"


class Smartquotes(NamedTuple):
    """What Sphinx's ``smartquotes`` transform does to a build's pages.

    ``action``: docutils' attribute string (Sphinx's ``smartquotes_action``);
    ``language``: a language tag docutils has quote characters for.
    """

    action: str = "qDe"
    language: str = "en"


#: Sphinx's default ``smartquotes_action`` in English
SPHINX_DEFAULT = Smartquotes()

#: the markdown-it typographer rules MyST's extensions of the same names enable,
#: in markdown-it's order
_TYPOGRAPHER_RULES = {"replacements": markdown_replacements, "smartquotes": markdown_smartquotes}
TYPOGRAPHER_RULES = tuple(_TYPOGRAPHER_RULES)
_TYPOGRAPHER = MarkdownIt("commonmark", {"typographer": True})

#: block tokens that plain Markdown pages are made of
_BLOCKS = frozenset(
    {
        "paragraph_open",
        "paragraph_close",
        "heading_open",
        "heading_close",
        "inline",
        "bullet_list_open",
        "bullet_list_close",
        "ordered_list_open",
        "ordered_list_close",
        "list_item_open",
        "list_item_close",
        "blockquote_open",
        "blockquote_close",
        "hr",
        "code_block",
        "fence",
        "html_block",
        "table_open",
        "table_close",
        "thead_open",
        "thead_close",
        "tbody_open",
        "tbody_close",
        "tr_open",
        "tr_close",
        "th_open",
        "th_close",
        "td_open",
        "td_close",
    }
)
#: inline tokens of plain Markdown (links and images are checked further)
_INLINES = frozenset(
    {
        "text",
        "softbreak",
        "hardbreak",
        "link_open",
        "link_close",
        "em_open",
        "em_close",
        "strong_open",
        "strong_close",
        "s_open",
        "s_close",
        "code_inline",
        "html_inline",
        "image",
    }
)
#: blocks that stay tokens: sections, and code that Sphinx highlights
_KEPT = frozenset({"heading_open", "fence", "code_block"})
_URL_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")
#: lines MyST reads as targets ``(name)=``, comments ``%``, block breaks ``+++``,
#: definitions ``: text`` and footnotes ``[^1]``
_MYST_LINE = re.compile(r"^(?:\([^)\n]*\)=\s*$|%|\+\+\+|:\s)", re.M)
_FOOTNOTE = re.compile(r"\[\^[^\]\n]+\]")


def _renderer():
    md = markdown()
    rules = md.renderer.rules

    def link_open(tokens, idx, options, env):
        token = tokens[idx]
        href = token.attrGet("href") or ""
        kind = "internal" if href.startswith("#") else "external"
        if href.startswith("mailto:"):  # cloaked as docutils does for Sphinx
            env["mailto"] = True
            cloaked = escapeHtml(href.replace("@", "%40"))
            cloaked = cloaked.replace("%40", "&#37;&#52;&#48;").replace(".", "&#46;")
            return f'<a href="{cloaked}" class="reference {kind}">'
        token.attrSet("class", f"reference {kind}")
        return md.renderer.renderToken(tokens, idx, options, env)

    def link_close(tokens, idx, options, env):
        env["mailto"] = False
        return "</a>"

    def text(tokens, idx, options, env):
        escaped = escapeHtml(tokens[idx].content)
        if env.get("mailto"):
            return escaped.replace("@", "<span>&#64;</span>").replace(".", "<span>&#46;</span>")
        return escaped

    def hr(tokens, idx, options, env):
        return '<hr class="docutils" />\n'

    rules["link_open"] = link_open
    rules["link_close"] = link_close
    rules["text"] = text
    rules["hr"] = hr
    return md


_HTML = _renderer()


#: front-matter keys that change how MyST parses a page
_MYST_KEYS = frozenset({"myst", "html_meta", "substitutions"})


def fast_front_matter(data: dict) -> bool:
    """Whether a page with this front matter may be pre-rendered."""
    return not (_MYST_KEYS & set(data))


def myst_syntax(tokens: Sequence[Token]) -> str | None:
    """Why MyST must parse the page these tokens come from, or ``None`` for plain Markdown."""
    for token in tokens:
        if token.type not in _BLOCKS:
            return f"a {token.type} block"
        if token.type == "fence" and token.info.strip().startswith("{"):
            return f"a MyST directive ({token.info.strip()}) at body line {token.map[0] + 1}"
        if token.type == "inline":
            if _MYST_LINE.search(token.content) or _FOOTNOTE.search(token.content):
                return f"MyST line syntax at body line {token.map[0] + 1}"
            for child in token.children or ():
                if child.type not in _INLINES:
                    return f"a {child.type} at body line {token.map[0] + 1}"
                if child.type == "link_open":
                    href = child.attrGet("href") or ""
                    if not (href.startswith("#") or _URL_SCHEME.match(href)):
                        return f"a link to a document ({href}) at body line {token.map[0] + 1}"
                elif child.type == "image" and not _URL_SCHEME.match(child.attrGet("src") or ""):
                    return f"a local image at body line {token.map[0] + 1}"
    return None


def markdown_typography(tokens: list[Token], rules: Iterable[str]) -> None:
    """markdown-it's typographer ``rules`` (:data:`TYPOGRAPHER_RULES`), as MyST runs them.

    MyST runs them while parsing, before escaped characters are joined to the
    text around them; here they run on joined text, so a page with a backslash
    in its text must be parsed by MyST (see :func:`skeleton`).
    """
    state = StateCore("", _TYPOGRAPHER, {})
    state.tokens = tokens
    for name, rule in _TYPOGRAPHER_RULES.items():
        if name in rules:
            rule(state)


def typography(tokens: Sequence[Token], quotes: Smartquotes = SPHINX_DEFAULT) -> None:
    """Curly quotes, dashes and ellipses, exactly as Sphinx's ``smartquotes`` makes them
    with ``quotes``' action and language.

    Docutils' algorithm on each block's text, pieces of text inside links and
    emphasis included, code left alone: quotes pair up across markup as they
    do on pages MyST parses.
    """
    for token in tokens:
        if token.type != "inline" or not token.children:
            continue
        pieces = [
            child
            for child in token.children
            if child.type in ("text", "code_inline", "softbreak", "hardbreak")
        ]
        if not any(child.type == "text" for child in pieces):
            continue
        stream = [
            ("literal", child.content)
            if child.type == "code_inline"
            else ("plain", child.content if child.type == "text" else "\n")
            for child in pieces
        ]
        for child, text in zip(pieces, educate(stream, *quotes), strict=True):
            if child.type == "text":
                child.content = text


def educate(
    stream: Iterable[tuple[str, str]], action: str = "qDe", language: str = "en"
) -> Iterable[str]:
    """:func:`docutils.utils.smartquotes.educate_tokens`, faster.

    For Sphinx's default action (``qDe``: quotes, ``--``/``---`` dashes, ellipses)
    each step runs only on text that holds a character it changes: most runs of
    text have no quote, dash pair or ellipsis, and docutils' regular expressions
    were most of the time spent pre-rendering a page.  Every step is docutils'
    own, in docutils' order, so the text is the same; other actions are handed
    to docutils as they are.
    """
    if action != "qDe":
        yield from smartquotes.educate_tokens(stream, action, language)
        return
    previous_last = " "  # context for a quote at the start of the next run
    for kind, text in stream:
        if kind == "tag" or not text:
            yield text
            continue
        if kind == "literal":
            previous_last = text[-1:]
            yield text
            continue
        last = text[-1:]
        if "\\" in text:
            text = smartquotes.processEscapes(text)
        if "--" in text:
            text = smartquotes.educateDashesOldSchool(text)
        if "..." in text or ". . ." in text:
            text = smartquotes.educateEllipses(text)
        if "'" in text or '"' in text:
            context = previous_last.replace('"', ";").replace("'", ";")
            text = smartquotes.educateQuotes(context + text, language)[1:]
        previous_last = last
        if "&#" in text:
            text = smartquotes.processEscapes(text, restore=True)
        yield text


def _literal_tildes(tokens: Sequence[Token]) -> None:
    # MyST (without its strikethrough extension) shows ``~~`` as written
    for token in tokens:
        for child in token.children or ():
            if child.type in ("s_open", "s_close"):
                child.type, child.tag, child.nesting, child.content = "text", "", 0, child.markup


def render_html(tokens: Sequence[Token]) -> str:
    """HTML of block tokens, with the classes Sphinx gives the same elements."""
    return _HTML.renderer.render(list(tokens), _HTML.options, {})


def _blocks(tokens: Sequence[Token]) -> Iterable[tuple[int, int]]:
    """``(start, end)`` token ranges of the top-level blocks."""
    start = 0
    depth = 0
    for index, token in enumerate(tokens):
        depth += token.nesting
        if depth == 0:
            yield start, index + 1
            start = index + 1


def skeleton(
    tokens: Sequence[Token],
    keep_lines: Iterable[int],
    *,
    smart: Smartquotes | None = SPHINX_DEFAULT,
    typographer: Iterable[str] = (),
) -> list[Token] | str:
    """The page's tokens with every block not worth a doctree replaced by its HTML.

    ``tokens``: a page body parsed with :func:`roundup_kb.parser.markdown`;
    ``keep_lines``: 0-based body lines of the link items: the top-level
    paragraphs holding them stay tokens, as do headings.  ``smart``: apply
    :func:`typography` with these settings (Sphinx's ``smartquotes``), or
    ``None`` for none; ``typographer``: the rules of :func:`markdown_typography`
    the site's MyST extensions run.  Returns a string, the reason,
    when the page uses MyST syntax and must be parsed by MyST instead.
    """
    reason = myst_syntax(tokens)
    if reason is not None:
        return reason
    rules = set(typographer)
    if rules:
        for token in tokens:
            if token.type == "inline" and "\\" in token.content:
                return f"a backslash escape with MyST's typographer at body line {token.map[0] + 1}"
    _literal_tildes(tokens)
    if rules:
        markdown_typography(list(tokens), rules)
    if smart is not None:
        typography(tokens, smart)
    keep = sorted(set(keep_lines))
    out: list[Token] = []
    pending: list[Token] = []
    first_line = last_line = 0

    def flush(end_line: int) -> None:
        if pending:
            token = Token(HTML_TOKEN, "", 0, content=render_html(pending), block=True)
            token.map = [first_line, end_line]
            out.append(token)
            pending.clear()

    for start, end in _blocks(tokens):
        head = tokens[start]
        span = head.map or [last_line, last_line]
        last_line = span[1]
        kept = head.type in _KEPT or (
            head.type == "paragraph_open" and any(span[0] <= line < span[1] for line in keep)
        )
        if kept:
            flush(span[0])
            out.extend(tokens[start:end])
        else:
            if not pending:
                first_line = span[0]
            pending.extend(tokens[start:end])
    flush(last_line)
    return out


def compact(
    tokens: Sequence[Token],
    keep_lines: Iterable[int],
    *,
    smart: Smartquotes | None = SPHINX_DEFAULT,
    typographer: Iterable[str] = (),
) -> bytes | str:
    """:func:`skeleton`, small enough to keep for every page of a build until it is read.

    The skeleton's tokens are packed as tuples and pickled: a few kilobytes a page,
    unpacked by :func:`expand` in a fraction of the time parsing the kept blocks
    again took.  Returns the reason, as :func:`skeleton` does, when the page must
    be parsed by MyST.
    """
    out = skeleton(tokens, keep_lines, smart=smart, typographer=typographer)
    if isinstance(out, str):
        return out
    return pickle.dumps(_pack(out), pickle.HIGHEST_PROTOCOL)


def expand(packed: bytes) -> list[Token]:
    """The skeleton tokens of :func:`compact` (lines relative to the body)."""
    return _unpack(pickle.loads(packed))


#: a token as a tuple: type, tag, nesting, attrs, map, level, children, content,
#: markup, info, meta, block, hidden (pickling Token objects themselves is slow)
_Row = tuple


def _pack(tokens: Sequence[Token]) -> list[_Row]:
    return [
        (
            t.type,
            t.tag,
            t.nesting,
            t.attrs or None,
            t.map,
            t.level,
            _pack(t.children) if t.children else t.children,
            t.content,
            t.markup,
            t.info,
            t.meta or None,
            t.block,
            t.hidden,
        )
        for t in tokens
    ]


def _unpack(rows: Sequence[_Row]) -> list[Token]:
    out = []
    for row in rows:
        # the row's fields are in the order of Token's
        token = Token(*row)
        token.attrs = token.attrs or {}
        token.meta = token.meta or {}
        if token.children:
            token.children = _unpack(token.children)  # type: ignore[arg-type]
        out.append(token)
    return out


def shift_lines(tokens: Iterable[Token], offset: int) -> None:
    """Move every token's ``map`` by ``offset`` lines (body lines to file lines)."""
    for token in tokens:
        if token.map:
            token.map = [token.map[0] + offset, token.map[1] + offset]
