"""The link-item parser: one issue's Markdown to entries, mentions and problems.

A *link item* is a top-level paragraph, or one line of it (lines are split at
``<br/>``, hard breaks and newlines), that starts with an external link --
optionally wrapped in ``**``/``*`` -- followed by an attribution tail or by
prose.  Its *commentary* is the Markdown that follows, up to the next link item,
thematic break or heading; items on consecutive lines, or in consecutive
paragraphs with nothing between them, form a group that shares it.  An item
whose tail is prose ("[Taichi](...) is a language for ...") is self-contained:
its commentary is the rest of its own paragraph.

Every other external link is a :class:`~roundup_kb.model.Mention`, attached to
the item whose commentary or tail holds it.  Sections come from headings,
resolved through the :class:`~roundup_kb.topics.TopicRegistry`; links in
non-roundup sections (intro, essay, sign-off) are all mentions.

Structure comes from markdown-it-py tokens (their ``map`` line ranges and inline
children), never from line regexes.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.colon_fence import colon_fence_plugin
from mdit_py_plugins.myst_role import myst_role_plugin

from roundup_kb.attribution import Attribution, parse_attribution
from roundup_kb.mdlinks import use_fast_links
from roundup_kb.model import Entry, Issue, IssueMeta, Mention, Topic
from roundup_kb.names import NameRegistry, clean_text
from roundup_kb.pages import read_issue_page
from roundup_kb.problems import Problem
from roundup_kb.topics import TopicRegistry
from roundup_kb.urls import is_external, normalize_url, short_hash, url_slug

#: the first letters of every entry id: ids must start with a letter (HTML, BibTeX)
ID_PREFIX = "rct"

_SPACES = re.compile(r"\s+")
_BR = re.compile(r"^<br\s*/?>$", re.I)
_TAG = re.compile(r"<[^>]*>")
_WRAPPERS = frozenset({"strong_open", "em_open", "s_open"})


def markdown() -> MarkdownIt:
    """The Markdown parser the knowledge base uses.

    CommonMark plus tables and strikethrough, and MyST's ``:::`` directive fences
    and ``{role}`` syntax, so that the link-item parser, ``validate`` and safe
    mode can all work on one token stream per page.  Link destinations are
    normalised by :func:`roundup_kb.mdlinks.normalize_link`, markdown-it-py's
    own normaliser with a shortcut for URLs it leaves as they are.
    """
    return use_fast_links(
        MarkdownIt("commonmark")
        .enable(["table", "strikethrough"])
        .use(colon_fence_plugin)
        .use(myst_role_plugin)
    )


_MD = markdown()


@dataclass(frozen=True, slots=True)
class ParseResult:
    """One parsed issue and the problems found in it (warnings; nothing is dropped)."""

    issue: Issue
    problems: list[Problem] = field(default_factory=list)


def parse_issue(
    text: str,
    path: str,
    topics: TopicRegistry,
    names: NameRegistry,
    *,
    id_prefix: str = ID_PREFIX,
) -> ParseResult:
    """Parse a knowledge-base issue page (front matter and body).

    Raises :class:`~roundup_kb.problems.RoundupError` when the front matter is
    missing or wrong; problems in the body are returned, never raised.
    """
    meta, front = read_issue_page(text, path)
    return parse_body(meta, front.body, front.body_line, path, topics, names, id_prefix=id_prefix)


def parse_body(
    meta: IssueMeta,
    body: str,
    body_line: int,
    path: str,
    topics: TopicRegistry,
    names: NameRegistry,
    *,
    id_prefix: str = ID_PREFIX,
    tokens: list[Token] | None = None,
) -> ParseResult:
    """Parse the Markdown body of an issue; ``body_line`` is the file line of its first line.

    ``tokens``: the body already parsed with :func:`markdown`, to parse it only once.
    """
    walker = _Walker(meta, body, body_line, path, topics, names)
    walker.walk(tokens if tokens is not None else _MD.parse(body))
    return walker.result(id_prefix)


# -- inline helpers -----------------------------------------------------------

#: longest :attr:`Entry.summary <roundup_kb.model.Entry.summary>`, in characters
#: (an ellipsis may follow)
SUMMARY_CHARS = 200


def excerpt(source: str, limit: int) -> str:
    """The first ``limit`` characters of Markdown ``source`` as plain text.

    Markup, HTML tags and link targets go; paragraphs join with a space.  A cut
    text ends at a word boundary (unless that loses more than half of it)
    followed by "…".  Only as many paragraphs as the excerpt needs are parsed.
    """
    parts: list[str] = []
    length = 0
    for block in re.split(r"\n[ \t]*\n", source or ""):
        for part in block_text(block):
            parts.append(part)
            length += len(part) + 1
        if length > limit + 1:  # the parts joined are longer than the limit
            break
    return shorten(" ".join(parts), limit)


def shorten(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters as :func:`excerpt` cuts it."""
    if len(text) <= limit:
        return text
    cut = text[: limit + 1]
    space = cut.rfind(" ")
    cut = cut[:space] if space > limit // 2 else cut[:limit]
    return cut.rstrip(" ,;:.-–—") + "…"


def entry_summary(entry: Entry) -> str:
    """The entry's summary: the one its parser made, else made now (an entry built
    elsewhere, without one).  The browse page, ``entries.json`` and the feeds show it."""
    if entry.summary or not entry.commentary:
        return entry.summary
    return excerpt(entry.commentary, SUMMARY_CHARS)


#: characters that can make Markdown syntax inside a run of text (NUL: markdown-it
#: replaces it)
_INLINE_SYNTAX = re.compile(r"[][*_`<>&\\!~{}|#$\x00]")
#: a line that can start a block construct: indented code, a list item, a heading,
#: a quote, a fence, a table, a setext underline or thematic break, a colon fence
_BLOCK_START = re.compile(r"^(?:[ ]{4}|[ ]{0,3}[\t\d+*=:>#|~`-])", re.M)


def block_text(block: str) -> list[str]:
    """The visible text of each paragraph, item or heading of one Markdown block
    that shows any.

    A block with no character that can make Markdown syntax is one paragraph whose
    text is itself with its whitespace collapsed, as parsing it would give; it is not
    parsed (most commentary paragraphs: a third of the time :func:`excerpt` took).
    """
    if not _INLINE_SYNTAX.search(block) and not _BLOCK_START.search(block):
        text = _SPACES.sub(" ", block).strip()
        return [text] if text else []
    texts = (
        plain_text(token.children)
        for token in _MD.parse(block)
        if token.type == "inline" and token.children
    )
    return [text for text in texts if text]


def plain_text(tokens: Sequence[Token], *, drop_struck: bool = False) -> str:
    """The visible text of inline tokens: markup and HTML tags dropped, breaks as spaces."""
    out: list[str] = []
    struck = 0
    for token in tokens:
        kind = token.type
        if kind == "s_open":
            struck += 1
        elif kind == "s_close":
            struck = max(0, struck - 1)
        elif struck and drop_struck:
            continue
        elif kind in ("text", "code_inline"):
            out.append(token.content)
        elif kind in ("softbreak", "hardbreak"):
            out.append(" ")
        elif kind == "image":
            out.append(token.content)
    return _SPACES.sub(" ", "".join(out)).strip()


def _is_break(token: Token) -> bool:
    return token.type == "hardbreak" or (
        token.type == "html_inline" and bool(_BR.match(token.content.strip()))
    )


@dataclass(slots=True)
class _Line:
    """One line of a paragraph: its tokens, its line offset and what separated it."""

    tokens: list[Token]
    offset: int
    #: "start", "break" (``<br/>`` or hard break) or "soft" (a plain newline)
    sep: str


def _split_lines(children: Sequence[Token]) -> list[_Line]:
    """Split a paragraph's inline children into lines, never inside a link."""
    lines: list[_Line] = []
    current: list[Token] = []
    offset = 0
    start_offset = 0
    sep = "start"
    pending = "start"
    depth = 0
    for token in children:
        if token.type == "link_open":
            depth += 1
        elif token.type == "link_close":
            depth = max(0, depth - 1)
        if depth == 0 and (_is_break(token) or token.type == "softbreak"):
            if token.type in ("softbreak", "hardbreak"):
                offset += 1  # a source newline; "<br/>" is followed by its own softbreak
            if current:
                lines.append(_Line(current, start_offset, sep))
                current = []
                pending = "soft" if token.type == "softbreak" else "break"
            elif token.type != "softbreak" or pending == "start":
                pending = "soft" if token.type == "softbreak" else "break"
            continue
        if token.type in ("softbreak", "hardbreak"):
            offset += 1
        if not current:
            start_offset = offset if token.type not in ("softbreak", "hardbreak") else offset - 1
            sep = pending
        current.append(token)
    if current:
        lines.append(_Line(current, start_offset, sep))
    return lines


def _line_offsets(children: Sequence[Token]) -> list[int]:
    """The line offset (within its block) of each child token."""
    offsets = []
    offset = 0
    for token in children:
        offsets.append(offset)
        if token.type in ("softbreak", "hardbreak"):
            offset += 1
    return offsets


@dataclass(slots=True)
class _Lead:
    """The leading link of a line."""

    url: str
    title: str
    #: index of the link_close token in the line
    close: int
    #: index of the link_open token in the line
    open: int


def _leading_link(tokens: Sequence[Token]) -> _Lead | None:
    """The link that starts ``tokens`` (after wrappers such as ``**``), if it is external."""
    index = 0
    while index < len(tokens):
        token = tokens[index]
        if (
            token.type in _WRAPPERS
            or token.type in ("softbreak", "hardbreak")
            or (token.type == "text" and not token.content.strip(" *_~"))
        ):
            index += 1
        elif token.type == "html_inline" and not _is_break(token):
            index += 1  # an anchor such as <a id="roundup"></a>
        else:
            break
    if index >= len(tokens) or tokens[index].type != "link_open":
        return None
    link = tokens[index]
    url = str(link.attrGet("href") or "")
    if link.markup == "autolink" or not is_external(url):
        return None
    close = next((j for j in range(index + 1, len(tokens)) if tokens[j].type == "link_close"), None)
    if close is None:
        return None
    inner = tokens[index + 1 : close]
    title = plain_text(inner, drop_struck=True) or plain_text(inner)
    if not title.strip(" -–—*_.,:;"):
        return None
    return _Lead(url=url, title=title, close=close, open=index)


# -- the walk -----------------------------------------------------------------


@dataclass(slots=True)
class _Draft:
    """An entry before its id is known."""

    url: str
    title: str
    attribution: Attribution
    tail: str
    line: int
    topic: Topic | None
    section: str | None
    group: int
    commentary: str = ""


@dataclass(slots=True)
class _DraftMention:
    url: str
    text: str
    line: int
    owner: int | None
    topic: str | None


@dataclass(slots=True)
class _Section:
    level: int
    #: "topic", "ignored" (a registered non-roundup section or an essay) or "unknown"
    mode: str
    topic: Topic | None
    text: str


class _Walker:
    """Walks the block tokens of one body, tracking the section and the open commentary."""

    def __init__(
        self,
        meta: IssueMeta,
        body: str,
        body_line: int,
        path: str,
        topics: TopicRegistry,
        names: NameRegistry,
    ) -> None:
        self.meta = meta
        self.lines = body.splitlines()
        self.body_line = body_line
        self.path = path
        self.topics = topics
        self.names = names
        self.drafts: list[_Draft] = []
        self.mentions: list[_DraftMention] = []
        self.problems: list[Problem] = []
        self.sections: list[tuple[int, str]] = []
        #: headings above the current position, outermost first; empty in the intro
        self.stack: list[_Section] = []
        self.seen_topic = False
        #: the open commentary: (group number, first body line index), or None
        self.open: tuple[int, int] | None = None
        self.groups: dict[int, list[int]] = {}
        #: group number -> the visible text of its commentary's paragraphs, items and
        #: headings, gathered from the body's tokens until it is longer than a summary
        self.texts: dict[int, list[str]] = {}
        self.last_map_line = 0

    # -- state ----------------------------------------------------------------

    @property
    def section(self) -> _Section | None:
        return self.stack[-1] if self.stack else None

    @property
    def mode(self) -> str:
        return self.section.mode if self.section else "ignored"

    @property
    def topic(self) -> Topic | None:
        return self.section.topic if self.section else None

    @property
    def owner(self) -> int | None:
        """The leader of the group whose commentary is open."""
        if self.open is None:
            return None
        return self.groups[self.open[0]][0]

    def file_line(self, body_index: int) -> int:
        return self.body_line + body_index

    def close(self, end: int) -> None:
        """End the open commentary before body line ``end`` (0-based, exclusive)."""
        if self.open is None:
            return
        group, start = self.open
        text = "\n".join(self.lines[start:end]).strip("\n").rstrip()
        for index in self.groups[group]:
            self.drafts[index].commentary = text
        self.open = None

    def gather(self, group: int | None, children: Sequence[Token]) -> None:
        """Add the text of ``children`` to ``group``'s summary text, if it needs more.

        The summary is :func:`excerpt` of the commentary; the commentary's blocks are
        already parsed here, so their text is taken from these tokens rather than
        parsed again.
        """
        if group is None:
            return
        parts = self.texts.setdefault(group, [])
        if sum(len(part) + 1 for part in parts) > SUMMARY_CHARS + 1:  # enough to cut
            return
        text = plain_text(children)
        if text:
            parts.append(text)

    def mention(self, link: Token, text: str, body_index: int, owner: int | None) -> None:
        url = str(link.attrGet("href") or "")
        if not is_external(url):
            return
        self.mentions.append(
            _DraftMention(
                url,
                text,
                self.file_line(body_index),
                owner,
                self.topic.slug if self.topic else None,
            )
        )

    def mention_all(self, children: Sequence[Token], start: int, owner: int | None) -> None:
        """Every external link in ``children`` is a mention owned by ``owner``."""
        offsets = _line_offsets(children)
        for index, token in enumerate(children):
            if token.type == "link_open":
                self.mention(token, _link_text(children, index), start + offsets[index], owner)

    # -- blocks ---------------------------------------------------------------

    def walk(self, tokens: list[Token]) -> None:
        index = 0
        while index < len(tokens):
            token = tokens[index]
            if token.map:
                self.last_map_line = token.map[0]
            if token.type == "heading_open" and token.level == 0:
                self.heading(token, tokens[index + 1])
                index += 3
                continue
            if token.type == "hr" and token.level == 0:
                self.close(token.map[0] if token.map else self.last_map_line)
                index += 1
                continue
            if token.type == "paragraph_open" and token.level == 0:
                self.paragraph(tokens[index + 1])
                index += 3
                continue
            if token.type == "inline":
                start = token.map[0] if token.map else self.last_map_line
                self.mention_all(token.children or [], start, self.owner)
                if self.open is not None:
                    self.gather(self.open[0], token.children or [])
            index += 1
        self.close(len(self.lines))

    def heading(self, opening: Token, inline: Token) -> None:
        start = opening.map[0] if opening.map else self.last_map_line
        level = int(opening.tag[1:]) if opening.tag[1:].isdigit() else 2
        # "#"/"===" and "##"/"---" headings are both section headings; "###" nests
        self.section_heading(inline.children or [], start, max(level, 2))

    def section_heading(self, children: Sequence[Token], start: int, level: int) -> None:
        """Start a section at body line ``start``: resolve its topic or report it."""
        text = clean_text(_TAG.sub("", plain_text(children)))
        self.close(start)
        if not text:
            # "[](url)" over a "---" line: a thematic break in disguise, not a section
            self.mention_all(children, start, None)
            return
        line = self.file_line(start)
        self.sections.append((line, text))
        while self.stack and self.stack[-1].level >= level:
            self.stack.pop()
        parent = self.stack[-1] if self.stack else None
        if self.topics.knows(text):
            topic = self.topics.resolve(text)
            section = _Section(level, "topic" if topic else "ignored", topic, text)
        elif parent is not None:
            # a sub-heading inside a topic or an essay belongs to it
            section = _Section(level, parent.mode, parent.topic, text)
        elif (
            not self.seen_topic
            and self.topics.essays_before_first_topic
            and not self.topics.resembles_topic(text)
        ):
            # the editor's essay before the roundup: its headings change every issue
            section = _Section(level, "ignored", None, text)
        else:
            self.problems.append(self.topics.unknown_problem(text, self.path, line))
            section = _Section(level, "unknown", None, text)
        if section.mode == "topic":
            self.seen_topic = True
        self.stack.append(section)
        self.mention_all(children, start, None)

    def paragraph(self, inline: Token) -> None:
        start = inline.map[0] if inline.map else self.last_map_line
        end = inline.map[1] if inline.map else start + 1
        children = inline.children or []
        if len(inline.content) <= 100 and _pseudo_heading(children, self.topics):
            # "Jobs Leading Research Computing Teams" as a plain line after "----": a heading
            self.section_heading(children, start, 2)
            return
        if self.mode == "ignored":
            self.mention_all(children, start, self.owner)
            return
        lines = _split_lines(children)
        found: list[tuple[_Line, _Lead, Attribution, str]] = []
        previous_item = False
        for number, line in enumerate(lines):
            lead = _leading_link(line.tokens)
            if lead is None:
                previous_item = False
                continue
            title, tail_tokens = lead.title, line.tokens[lead.close + 1 :]
            tail = plain_text(tail_tokens)
            dash = re.search(r"\s*[-–—]+$", title)
            if dash and title[: dash.start()].strip():
                # "[Title -](url) Author, Venue": the separator slipped inside the link
                title, tail = title[: dash.start()].strip(), f"- {tail}"
            attribution = parse_attribution(
                tail,
                default_kind=self.topic.kind if self.topic else "article",
                names=self.names,
                title=title,
            )
            attributed = bool(attribution.authors or attribution.venue or attribution.details)
            if (
                number == 0
                or line.sep == "break"
                or previous_item
                or (attributed and not attribution.prose)
            ):
                lead.title = title
                found.append((line, lead, attribution, tail))
                previous_item = True
            else:
                previous_item = False
        if not found:
            self.mention_all(children, start, self.owner)
            if self.open is not None:
                self.gather(self.open[0], children)
            return

        first_offset = found[0][0].offset
        owner_before = self.owner
        # links before the first item line still belong to the open commentary
        item_lines = {id(line) for line, *_ in found}
        before = [
            line for line in lines if line.offset < first_offset and id(line) not in item_lines
        ]
        for line in before:
            self.mention_all(line.tokens, start + line.offset, owner_before)
            if self.open is not None:
                self.gather(self.open[0], line.tokens)

        # consecutive item paragraphs with nothing between them share a commentary
        group: int | None = None
        if self.open is not None and not before:
            open_group, open_start = self.open
            gap = self.lines[open_start : start + first_offset]
            if not any(row.strip() for row in gap):
                group = open_group
        self.close(start + first_offset)
        if group is None:
            group = len(self.groups)
            self.groups[group] = []

        for line, lead, attribution, tail in found:
            index = len(self.drafts)
            body_index = start + line.offset
            self.drafts.append(
                _Draft(
                    url=lead.url,
                    title=lead.title,
                    attribution=attribution,
                    tail=clean_text(tail),
                    line=self.file_line(body_index),
                    topic=self.topic,
                    section=self.section.text if self.section else None,
                    group=group,
                )
            )
            self.groups[group].append(index)
            if not attribution.classified:
                self.problems.append(
                    Problem(
                        "unclassified_item",
                        f"cannot tell the authors or venue of link item {lead.title!r} "
                        f"from {clean_text(tail)!r}",
                        self.path,
                        self.file_line(body_index),
                        hint=(
                            "write the attribution as '[Title](url) - Author One, Author Two, "
                            "Venue' (events: '- dates, place, cost'; jobs: '- Employer, City'), "
                            "or register the name in docs/registry/names.yaml"
                        ),
                        severity="warning",
                    )
                )
            tail_tokens = line.tokens[lead.close + 1 :]
            tail_offsets = _line_offsets(tail_tokens)
            for j, token in enumerate(tail_tokens):
                if token.type == "link_open":
                    self.mention(
                        token, _link_text(tail_tokens, j), body_index + tail_offsets[j], index
                    )

        leader = self.groups[group][0]
        last_line = found[-1][0]
        after = [
            line for line in lines if line.offset > first_offset and id(line) not in item_lines
        ]
        for line in after:
            self.mention_all(line.tokens, start + line.offset, leader)
        following = [line for line in lines if line.offset > last_line.offset]
        commentary_start = start + following[0].offset if following else end
        if found[-1][2].prose:
            # "[Taichi](url) is a language for ...": the paragraph describes its own link
            own = _tail_source(self.lines[start + last_line.offset], found[-1][1].url)
            own = own.lstrip(" -–—,:;")
            tail = plain_text(last_line.tokens[found[-1][1].close + 1 :]).lstrip(" -–—,:;")
            self.texts[group] = [tail] if tail else []
            rest = "\n".join(self.lines[commentary_start:end])
            text = "\n".join(part for part in (own, rest) if part.strip()).strip()
            for index in self.groups[group]:
                self.drafts[index].commentary = text
            self.open = None
        else:
            self.open = (group, commentary_start)
        for line in following:
            self.gather(group, line.tokens)

    # -- result ---------------------------------------------------------------

    def result(self, id_prefix: str) -> ParseResult:
        ids = assign_ids(self.meta.number, [d.url for d in self.drafts], prefix=id_prefix)
        entries = []
        # grouped entries share their commentary
        summaries = {
            group: shorten(" ".join(self.texts.get(group, ())), SUMMARY_CHARS)
            for group in self.groups
        }
        for draft, entry_id in zip(self.drafts, ids, strict=True):
            a = draft.attribution
            entries.append(
                Entry(
                    id=entry_id,
                    issue=self.meta.number,
                    date=self.meta.date,
                    title=clean_text(draft.title),
                    url=draft.url,
                    authors=a.authors,
                    venue=a.venue,
                    details=a.details,
                    kind=a.kind,
                    topic=draft.topic.slug if draft.topic else None,
                    section=draft.section,
                    line=draft.line,
                    attribution=draft.tail,
                    commentary=draft.commentary,
                    et_al=a.et_al,
                    group=ids[self.groups[draft.group][0]],
                    summary=summaries[draft.group],
                )
            )
        mentions = tuple(
            Mention(
                issue=self.meta.number,
                url=m.url,
                text=m.text,
                line=m.line,
                entry=ids[m.owner] if m.owner is not None else None,
                topic=m.topic,
            )
            for m in self.mentions
        )
        issue = Issue(
            meta=self.meta,
            path=self.path,
            entries=tuple(entries),
            mentions=mentions,
            sections=tuple(self.sections),
        )
        return ParseResult(issue=issue, problems=list(self.problems))


def _pseudo_heading(children: Sequence[Token], topics: TopicRegistry) -> bool:
    """A one-line paragraph with no link whose text is a registered heading."""
    if len(children) > 5 or any(
        t.type in ("softbreak", "hardbreak", "link_open") for t in children
    ):
        return False
    text = clean_text(plain_text(children))
    return 0 < len(text) <= 80 and topics.knows(text)


def _link_text(tokens: Sequence[Token], open_index: int) -> str:
    close = next(
        (j for j in range(open_index + 1, len(tokens)) if tokens[j].type == "link_close"),
        len(tokens),
    )
    return plain_text(tokens[open_index + 1 : close])


def _tail_source(source_line: str, url: str) -> str:
    """The Markdown after the leading link on its source line (best effort)."""
    match = re.search(r"\]\((?:[^()\s]|\([^()\s]*\))*(?:\s+\"[^\"]*\")?\)", source_line)
    if not match:
        return ""
    return source_line[match.end() :].strip().removeprefix("**").removeprefix("*").strip()


def assign_ids(issue: int, urls: Sequence[str], *, prefix: str = ID_PREFIX) -> list[str]:
    """Stable entry ids for the item URLs of one issue, in order.

    ``{prefix}{issue}-{slug of the URL}``: an id depends only on the issue number
    and its own URL, so inserting, removing or reordering other items and editing
    commentary never changes it.  Two *different* URLs with the same slug each
    get a short hash of their normalized URL appended (so an id does change when
    an item whose slug collides with it is added later).  The same URL twice in
    one issue gets ``-2``, ``-3`` in order of appearance.
    """
    base_of: dict[str, str] = {}
    for url in urls:
        key = normalize_url(url)
        if key not in base_of:
            slug = url_slug(url) or "link"
            base_of[key] = f"{prefix}{issue}-{slug}"
    by_base: dict[str, list[str]] = {}
    for key, base in base_of.items():
        by_base.setdefault(base, []).append(key)
    unique: dict[str, str] = {}
    for base, keys in by_base.items():
        for key in keys:
            unique[key] = f"{base}-{short_hash(key)}" if len(keys) > 1 else base
    seen: dict[str, int] = {}
    ids: list[str] = []
    taken: set[str] = set()
    for url in urls:
        key = normalize_url(url)
        seen[key] = seen.get(key, 0) + 1
        candidate = unique[key] if seen[key] == 1 else f"{unique[key]}-{seen[key]}"
        while candidate in taken:  # "-2" of one URL meeting the slug of another
            candidate = f"{candidate}-{short_hash(candidate + key, 4)}"
        taken.add(candidate)
        ids.append(candidate)
    return ids


__all__ = [
    "ID_PREFIX",
    "ParseResult",
    "assign_ids",
    "markdown",
    "parse_body",
    "parse_issue",
    "plain_text",
]
