"""Import newsletter posts in their Jekyll form as knowledge-base issue pages.

A post's body is kept as written.  The importer mends only what MyST and docutils
cannot take, and reports each mend with its line in the post:

- Liquid: ``{{ site.url }}`` and ``{{ site.baseurl }}`` become the site URL,
  ``{{ '/path' | relative_url }}`` an absolute URL, ``{% raw %}`` keeps its
  content, ``{% comment %}`` goes with its content, and other tags and outputs,
  which mean nothing outside Jekyll, are removed;
- links and images that point into the old site (``/assets/...``) become absolute,
  because Sphinx would look for them in the project;
- ``<script>`` elements (embedded-tweet loaders) are removed, because the knowledge
  base's safe mode runs no scripts from pages; the quoted tweet stays;
- raw-HTML anchors (``<a id="roundup">``) that Markdown links point at become MyST
  targets, because MyST resolves ``[...](#roundup)`` only against its own targets;
- headings that skip a level (``###`` under the title) are lifted, because MyST
  warns about non-consecutive levels;
- thematic breaks that docutils refuses are removed: at the end of the document,
  at the start of a section, or right after another break.

Structure comes from MyST's own Markdown parser, whose tokens carry line maps, so a
``----------`` under a paragraph line is a setext heading, not a break.

:func:`plan_import` converts and checks everything in memory and raises with every
problem of every source; :func:`write_pages` then writes each page atomically.  Each
page records its source and a digest of its own text (``imported:`` in the front
matter), so a later import can tell a page it wrote from one edited by hand.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import shutil
from bisect import bisect_left
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Literal

from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.token import Token
from myst_parser.config.main import MdParserConfig
from myst_parser.parsers.mdit import create_md_parser

from roundup_kb.frontmatter import FENCE, dump_front_matter, split_front_matter
from roundup_kb.pages import parse_date
from roundup_kb.problems import Problem, RoundupError, display_path

#: front-matter keys the knowledge base sets itself, in the order pages list them
OWN_KEYS = ("number", "title", "subtitle", "date")
#: Jekyll keys with no meaning in the knowledge base
DROPPED_KEYS = frozenset({"layout"})
#: front-matter key of the import record
PROVENANCE_KEY = "imported"
#: front-matter keys holding a URL that may point into the old site
URL_KEYS = frozenset({"hero-img"})

Action = Literal["create", "update", "replace", "unchanged"]


@dataclass(frozen=True, slots=True)
class Mend:
    """One change the importer made to a post's body or front matter."""

    #: 1-based line in the source post
    line: int
    message: str


@dataclass(frozen=True, slots=True)
class ConvertedPage:
    """An issue page converted in memory from one post."""

    source: Path
    number: int
    text: str
    mends: tuple[Mend, ...]
    #: line of ``title`` in the source, for problems that concern the whole post
    title_line: int = 1

    @property
    def name(self) -> str:
        """The page's file name, e.g. ``0094.md``."""
        return f"{self.number:04d}.md"


@dataclass(frozen=True, slots=True)
class PlannedPage:
    """What an import will do with one page."""

    page: ConvertedPage
    path: Path
    #: ``create`` a new page, ``update`` one it imported before, ``replace`` one
    #: edited or written by hand (only with ``force``), or leave it ``unchanged``
    action: Action


# --------------------------------------------------------------------------- sources


def find_sources(paths: Iterable[Path]) -> list[Path]:
    """The posts named by ``paths``: files as given, and the ``*.md`` files of directories."""
    found: dict[Path, Path] = {}
    problems: list[Problem] = []
    for path in paths:
        if path.is_dir():
            posts = sorted(p for p in path.glob("*.md") if p.is_file())
            if not posts:
                problems.append(
                    Problem("source", "directory holds no .md posts", display_path(path))
                )
            for post in posts:
                found.setdefault(post.resolve(), post)
        elif path.is_file():
            found.setdefault(path.resolve(), path)
        else:
            problems.append(Problem("source", "no such file or directory", display_path(path)))
    if problems:
        raise RoundupError(problems)
    return list(found.values())


def read_post(path: Path) -> str:
    """A post's text; a byte-order mark is dropped so that the front matter is found."""
    where = display_path(path)
    try:
        return path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise RoundupError(
            Problem(
                "source",
                f"not UTF-8 text (byte {exc.start})",
                where,
                hint="save the post as UTF-8",
            )
        ) from None
    except OSError as exc:
        raise RoundupError(Problem("source", f"cannot read: {exc.strerror}", where)) from None


# ------------------------------------------------------------------------ conversion

_NUMBER = re.compile(r"#\s?(\d+)\b")
_MONTHS = {
    name: index
    for index, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for name in names
}
_MONTH = "(?P<month>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
# "10 Jan 2020", "4 Sept 2020" and "Feb 7 2020", "Feb 7, 2020": the title forms in use
_TITLE_DATES = (
    re.compile(rf"\b(?P<day>\d{{1,2}})\s+{_MONTH},?\s+(?P<year>\d{{4}})\b", re.I),
    re.compile(rf"\b{_MONTH}\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<year>\d{{4}})\b", re.I),
)


def date_from_text(text: str) -> dt.date | None:
    """The first date written out in ``text`` (``10 Jan 2020``, ``Feb 7 2020``), if any."""
    matches = [m for pattern in _TITLE_DATES if (m := pattern.search(text))]
    for match in sorted(matches, key=lambda m: m.start()):
        try:
            return dt.date(int(match["year"]), _MONTHS[match["month"].lower()], int(match["day"]))
        except ValueError:
            continue
    return None


def convert_post(text: str, source: Path, site_url: str) -> ConvertedPage:
    """Convert one Jekyll post to an issue page, in memory.

    Raises :class:`RoundupError` with every problem found in the post: front matter
    missing or not YAML, a title without ``#N``, a date that cannot be read.
    """
    where = display_path(source)
    site_url = site_url.rstrip("/")
    fm = split_front_matter(text, where)
    data = fm.data
    title_line = fm.key_lines.get("title", 2)
    problems: list[Problem] = []

    title = data.get("title")
    number = None
    if not isinstance(title, str) or not title.strip():
        problems.append(
            Problem(
                "front_matter",
                "front matter has no 'title'",
                where,
                title_line,
                hint='give the post a title with its issue number, e.g. title: "#94 - 1 Oct 2021"',
            )
        )
    elif (found := _NUMBER.search(title)) is None:
        problems.append(
            Problem(
                "front_matter",
                f"title {title!r} has no issue number",
                where,
                title_line,
                hint='start the title with the issue number, e.g. title: "#94 - 1 Oct 2021"',
            )
        )
    else:
        number = int(found.group(1))

    date = _post_date(data, title, fm.key_lines, where, problems)
    if problems:
        raise RoundupError(problems)
    assert number is not None and date is not None and isinstance(title, str)

    mends: list[Mend] = []
    front: dict[str, Any] = {"number": number, "title": title}
    if data.get("subtitle") not in (None, ""):
        front["subtitle"] = str(data["subtitle"])
    front["date"] = date
    for key, value in data.items():
        if key in OWN_KEYS or key in DROPPED_KEYS or key == PROVENANCE_KEY:
            continue
        if key in URL_KEYS and isinstance(value, str) and _is_root_relative(value.strip()):
            absolute = site_url + value.strip()
            mends.append(Mend(fm.key_lines.get(key, 2), f"made {key} {value.strip()} absolute"))
            value = absolute
        front[key] = value

    body, body_mends = mend_body(fm.body, fm.body_line, site_url, f"issue-{number:04d}-")
    mends.extend(body_mends)  # front-matter lines come before body lines
    return ConvertedPage(
        source=source,
        number=number,
        text=signed_page(front, source.name, body),
        mends=tuple(mends),
        title_line=title_line,
    )


def _post_date(
    data: dict[str, Any],
    title: Any,
    key_lines: dict[str, int],
    where: str,
    problems: list[Problem],
) -> dt.date | None:
    if data.get("date") not in (None, ""):
        value = data["date"]
        date = parse_date(value)
        if date is None and isinstance(value, str):
            date = date_from_text(value)
        if date is None:
            problems.append(
                Problem(
                    "front_matter",
                    f"'date' is not a date: {value!r}",
                    where,
                    key_lines.get("date", 2),
                    hint="write the date as YYYY-MM-DD, e.g. date: 2021-10-01",
                )
            )
        return date
    date = date_from_text(title) if isinstance(title, str) else None
    if date is None and isinstance(title, str):
        problems.append(
            Problem(
                "front_matter",
                "front matter has no 'date' and the title holds none",
                where,
                key_lines.get("title", 2),
                hint="add a line 'date: YYYY-MM-DD' to the front matter",
            )
        )
    return date


# ------------------------------------------------------------------------ provenance

_DIGEST_LINE = re.compile(r"^  digest: sha256:(?P<hex>[0-9a-f]{64})\n", re.M)


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def signed_page(front: dict[str, Any], source_name: str, body: str) -> str:
    """The page text, with an import record whose digest covers every other line."""
    unsigned = dump_front_matter({**front, PROVENANCE_KEY: {"source": source_name}}) + body
    record = {"source": source_name, "digest": f"sha256:{_sha256(unsigned)}"}
    # the digest line lands right after the source line, so removing it gives `unsigned`
    return dump_front_matter({**front, PROVENANCE_KEY: record}) + body


def page_provenance(text: str) -> Literal["imported", "edited", "hand-written"]:
    """Whether a page is as the importer wrote it, edited since, or never imported."""
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].rstrip() != FENCE:
        return "hand-written"
    end = next((i for i in range(1, len(lines)) if lines[i].rstrip() == FENCE), None)
    if end is None:
        return "hand-written"
    head = "".join(lines[: end + 1])
    found = _DIGEST_LINE.search(head)
    if found is None:
        return "hand-written"
    unsigned = text[: found.start()] + text[found.end() :]
    return "imported" if _sha256(unsigned) == found["hex"] else "edited"


# ------------------------------------------------------------------------ the body


@cache
def markdown() -> MarkdownIt:
    """MyST's Markdown parser, with the block syntax the knowledge base's build enables."""
    config = MdParserConfig(enable_extensions={"colon_fence", "deflist"})
    return create_md_parser(config, RendererHTML)


@dataclass(slots=True)
class _Line:
    #: 1-based line in the source post; a line the importer adds takes its successor's
    number: int
    text: str


class _Body:
    """A body as lines that remember their line in the post, so that mends can say where."""

    def __init__(self, lines: list[_Line]):
        self.lines = lines

    def text(self) -> str:
        return "".join(f"{line.text}\n" for line in self.lines)

    def parse(self) -> tuple[list[Token], dict[str, Any]]:
        env: dict[str, Any] = {}
        return markdown().parse(self.text(), env), env

    def number(self, index: int) -> int:
        if index < len(self.lines):
            return self.lines[index].number
        return self.lines[-1].number + 1 if self.lines else 1

    def insert(self, index: int, text: str) -> None:
        self.lines.insert(index, _Line(self.number(index), text))

    def delete(self, start: int, stop: int) -> None:
        del self.lines[start:stop]

    def delete_with_gap(self, index: int) -> None:
        """Delete a line, and one of the blank lines around it when both sides are blank."""
        stop = index + 1
        if (
            index > 0
            and stop < len(self.lines)
            and not self.lines[index - 1].text.strip()
            and not self.lines[stop].text.strip()
        ):
            stop += 1
        self.delete(index, stop)

    def strip_trailing_blank(self) -> None:
        while self.lines and not self.lines[-1].text.strip():
            self.lines.pop()


def mend_body(
    body: str, first_line: int, site_url: str, label_prefix: str = ""
) -> tuple[str, list[Mend]]:
    """``body`` with what MyST and docutils cannot take mended, and the mends made.

    ``first_line`` is the line of the body's first line in the post; targets the
    importer adds are named ``label_prefix`` + the anchor's name, so that they are
    unique across the knowledge base.  The result ends with exactly one newline.
    """
    mends: list[Mend] = []
    lines = _mend_liquid(body, first_line, site_url, mends)
    text = _Body(lines)
    _mend_site_links(text, site_url, mends)
    _mend_spaced_urls(text, mends)
    _mend_scripts(text, mends)
    _mend_html_anchors(text, label_prefix, mends)
    _mend_heading_levels(text, mends)
    _mend_thematic_breaks(text, mends)
    text.strip_trailing_blank()
    return text.text(), sorted(mends, key=lambda mend: mend.line)


# Liquid --------------------------------------------------------------------------

_LIQUID = re.compile(
    r"(?P<pair>\{\{-?\s*site\.url\s*-?\}\}\{\{-?\s*site\.baseurl\s*-?\}\})"
    r"|(?P<output>\{\{-?\s*(?P<expr>.*?)\s*-?\}\})"
    r"|(?P<tag>\{%-?\s*(?P<name>\w+)(?P<args>.*?)-?%\})",
    re.S,
)
_SITE_VARIABLE = re.compile(r"site\.(?:url|baseurl)$")
_URL_FILTER = re.compile(r"""(["'])(?P<path>[^"']*)\1\s*\|\s*(?:relative_url|absolute_url)$""")


def _end_tag(name: str) -> re.Pattern[str]:
    return re.compile(rf"\{{%-?\s*{name}\s*-?%\}}")


def _mend_liquid(body: str, first_line: int, site_url: str, mends: list[Mend]) -> list[_Line]:
    """Resolve or remove Liquid; Jekyll ran it everywhere, code included, except in raw."""
    pieces: list[tuple[int, str]] = []
    newlines = [i for i, ch in enumerate(body) if ch == "\n"]

    def line_at(offset: int) -> int:
        return first_line + bisect_left(newlines, offset)

    def whole_line(start: int, end: int) -> tuple[int, int]:
        # a tag alone on its line goes with its line, so that no blank line splits a paragraph
        line_start = body.rfind("\n", 0, start) + 1
        line_end = body.find("\n", end)
        line_end = len(body) if line_end < 0 else line_end + 1
        if body[line_start:start].strip() or body[end:line_end].strip():
            return start, end
        return line_start, line_end

    def close_gap(start: int, end: int) -> tuple[int, int]:
        # whole lines removed from between blank lines take one blank line with them
        if not (start == 0 or body[start - 1] == "\n") or not (end == 0 or body[end - 1] == "\n"):
            return start, end
        before = body[body.rfind("\n", 0, max(start - 1, 0)) + 1 : start]
        after_end = body.find("\n", end)
        if after_end >= 0 and not before.strip() and not body[end:after_end].strip():
            return start, after_end + 1
        return start, end

    pos = 0
    while (match := _LIQUID.search(body, pos)) is not None:
        line = line_at(match.start())
        start, end = match.start(), match.end()
        replacement = ""
        if match["pair"] or (match["expr"] and _SITE_VARIABLE.match(match["expr"])):
            replacement = site_url
            mends.append(Mend(line, f"replaced Liquid {_squash(match[0])} with the site URL"))
        elif match["output"] and (url := _URL_FILTER.match(match["expr"])):
            replacement = f"{site_url}/{url['path'].lstrip('/')}"
            mends.append(Mend(line, f"replaced Liquid {_squash(match[0])} with {replacement}"))
        elif match["output"]:
            mends.append(Mend(line, f"removed Liquid output {_squash(match[0])}"))
        elif match["name"] in ("raw", "comment"):
            closing = _end_tag(f"end{match['name']}").search(body, end)
            start, end = whole_line(start, end)
            if closing is not None:
                close_start, close_end = whole_line(closing.start(), closing.end())
            else:
                close_start = close_end = len(body)
            if match["name"] == "raw":
                # the content is kept as written: Jekyll did not run Liquid in it
                pieces.append((line_at(pos), body[pos:start]))
                pieces.append((line_at(end), body[end:close_start]))
                mends.append(Mend(line, "removed Liquid {% raw %} tags, kept what they held"))
            else:
                start, close_end = close_gap(start, close_end)
                pieces.append((line_at(pos), body[pos:start]))
                last = line_at(closing.start() if closing else len(body))
                mends.append(Mend(line, f"removed Liquid comment (lines {line}-{last})"))
            pos = max(close_end, end)
            continue
        else:
            start, end = close_gap(*whole_line(start, end))
            mends.append(Mend(line, f"removed Liquid tag {_squash(match[0])}"))
        pieces.append((line_at(pos), body[pos:start]))
        pieces.append((line, replacement))
        pos = end
    pieces.append((line_at(pos), body[pos:]))
    return _lines_from(pieces)


def _squash(text: str) -> str:
    return " ".join(text.split())


def _lines_from(pieces: list[tuple[int, str]]) -> list[_Line]:
    """Lines from consecutive pieces of text, each with the source line it starts on."""
    lines: list[_Line] = []
    current: _Line | None = None
    for number, text in pieces:
        for k, part in enumerate(text.split("\n")):
            if k > 0:
                lines.append(current or _Line(number + k - 1, ""))
                current = None
            if current is None:
                if k > 0 or part:
                    current = _Line(number + k, part)
            else:
                current.text += part
    if current is not None and current.text:
        lines.append(current)
    return lines


# links into the old site -------------------------------------------------------------

_MD_DEST = re.compile(r"(\]\(\s*<?)(/(?!/)[^\s)>]*)")
_REF_DEST = re.compile(r"^(\s{0,3}\[[^\]]+\]:[ \t]*<?)(/(?!/)[^\s>]*)")
_HTML_DEST = re.compile(r"""(\b(?:src|href)\s*=\s*["']?)(/(?!/)[^"'\s>]*)""", re.I)


def _is_root_relative(url: str) -> bool:
    return url.startswith("/") and not url.startswith("//")


def _mend_site_links(body: _Body, site_url: str, mends: list[Mend]) -> None:
    """Make links into the old site absolute: Sphinx would look for ``/assets/...`` locally."""
    tokens, env = body.parse()
    spans: list[tuple[list[int], tuple[re.Pattern[str], ...]]] = []
    for token in tokens:
        if token.type == "inline" and token.map:
            if any(_child_is_site_link(child) for child in token.children or ()):
                spans.append((token.map, (_MD_DEST, _HTML_DEST)))
        elif token.type == "html_block" and token.map and _HTML_DEST.search(token.content):
            spans.append((token.map, (_HTML_DEST,)))
    for reference in env.get("references", {}).values():
        if _is_root_relative(reference.get("href", "")) and reference.get("map"):
            spans.append((reference["map"], (_REF_DEST,)))
    done: set[int] = set()
    for (start, stop), patterns in spans:
        for index in range(start, stop):
            if index in done:
                continue
            done.add(index)
            line = body.lines[index]
            for pattern in patterns:
                for found in pattern.finditer(line.text):
                    mends.append(Mend(line.number, f"made link {found[2]} absolute"))
                line.text = pattern.sub(lambda m: m[1] + site_url + m[2], line.text)


#: ``](https://host/path with spaces)``: CommonMark ends a link destination at a space
_SPACED_DEST = re.compile(r"\]\((?P<url>https?://[^()\s]*(?: +[^()\s\"']+[^()\s]*)+)\)")


def _mend_spaced_urls(body: _Body, mends: list[Mend]) -> None:
    """Encode spaces in link URLs, which otherwise leave the whole link as literal text."""
    tokens, _ = body.parse()
    for token in tokens:
        if token.type != "inline" or not token.map:
            continue
        for index in range(*token.map):
            line = body.lines[index]
            for found in _SPACED_DEST.finditer(line.text):
                mends.append(Mend(line.number, f"encoded the spaces in link URL {found['url']!r}"))
            line.text = _SPACED_DEST.sub(
                lambda m: "](" + re.sub(" +", lambda s: "%20" * len(s[0]), m["url"]) + ")",
                line.text,
            )


def _child_is_site_link(token: Token) -> bool:
    if token.type == "link_open":
        return _is_root_relative(str(token.attrGet("href") or ""))
    if token.type == "image":
        return _is_root_relative(str(token.attrGet("src") or ""))
    return token.type == "html_inline" and bool(_HTML_DEST.search(token.content))


# scripts --------------------------------------------------------------------------

_SCRIPT = re.compile(r"<script\b[^>]*>.*?</script\s*>", re.I | re.S)


def _mend_scripts(body: _Body, mends: list[Mend]) -> None:
    """Remove ``<script>`` elements from raw HTML; the lines they spanned stay, emptied."""
    tokens, _ = body.parse()
    spans = [
        token.map
        for token in tokens
        if token.map
        and (
            (token.type == "html_block" and "<script" in token.content.lower())
            or (
                token.type == "inline"
                and any(
                    c.type == "html_inline" and c.content.lower().startswith("<script")
                    for c in token.children or ()
                )
            )
        )
    ]
    for start, stop in spans:
        lines = body.lines[start:stop]
        joined = "\n".join(line.text for line in lines)

        def remove(found: re.Match[str], lines: list[_Line] = lines, joined: str = joined) -> str:
            line = lines[joined.count("\n", 0, found.start())].number
            mends.append(Mend(line, "removed <script> element: pages run no scripts"))
            # keep the line count, so that later lines keep their numbers
            return "\n" * found[0].count("\n")

        texts = _SCRIPT.sub(remove, joined).split("\n")
        for line, text in zip(lines, texts, strict=True):
            if text != line.text:
                line.text = text.rstrip()


# HTML anchors ---------------------------------------------------------------------

_ANCHOR = re.compile(
    r"""<a\s(?:[^>]*?\s)?(?:id|name)\s*=\s*["']#?(?P<id>[^"'#\s]+)["'][^>]*>""", re.I
)
_ANCHOR_CLOSE = re.compile(r"</?a\s*>", re.I)


def _mend_html_anchors(body: _Body, label_prefix: str, mends: list[Mend]) -> None:
    """Turn raw-HTML anchors that Markdown links point at into MyST targets.

    MyST checks ``[text](#name)`` against its own targets and heading anchors and
    cannot see ids in raw HTML.  A MyST target is a project-wide Sphinx label, and
    many issues have an anchor named ``roundup``, so the target is named
    ``<label_prefix>name`` and the links to it follow.  Only top-level blocks are
    mended: a target line inside a list or quote would need the container's prefix.
    """
    tokens, env = body.parse()
    wanted = {
        str(child.attrGet("href"))[1:]
        for token in tokens
        if token.type == "inline"
        for child in token.children or ()
        if child.type == "link_open" and str(child.attrGet("href") or "").startswith("#")
    }
    known = {token.content for token in tokens if token.type == "myst_target"}
    renamed: dict[str, str] = {}
    # (line index, target line to insert there, or None to delete the line), applied
    # bottom up so that the indices from this parse stay valid
    edits: list[tuple[int, str | None]] = []

    def convert(found: re.Match[str], index: int) -> str | None:
        name = found["id"]
        if name not in wanted or name in known or name in renamed:
            return None
        renamed[name] = label = f"{label_prefix}{name}"
        mends.append(
            Mend(
                body.lines[index].number,
                f"replaced HTML anchor {found[0]} with MyST target ({label})=",
            )
        )
        return f"({label})="

    for token in tokens:
        if not token.map:
            continue
        start, stop = token.map
        if token.type == "html_block" and token.level == 0:
            found = _ANCHOR.search(token.content)
            if found is None or (target := convert(found, start)) is None:
                continue
            _remove_anchor_tags(body, start, stop, found[0], "</a>")
            edits.extend(_place_target(body, start, stop, target))
        elif token.type == "inline" and token.level == 1:
            children = token.children or []
            for index, child in enumerate(children):
                found = _ANCHOR.fullmatch(child.content) if child.type == "html_inline" else None
                if found is None or (target := convert(found, start)) is None:
                    continue
                # the close tag, or a mistyped second "<a>" where the close tag belongs
                closing = next(
                    (
                        c.content
                        for c in children[index + 1 :]
                        if c.type == "html_inline" and _ANCHOR_CLOSE.fullmatch(c.content)
                    ),
                    None,
                )
                _remove_anchor_tags(body, start, stop, child.content, closing)
                edits.extend(_place_target(body, start, stop, target))
    if not renamed:
        return
    _rename_fragment_links(body, tokens, env, renamed, mends)
    for index, line in sorted(edits, key=lambda edit: edit[0], reverse=True):
        if line is None:
            body.delete(index, index + 1)
        else:
            body.insert(index, line)


def _rename_fragment_links(
    body: _Body,
    tokens: list[Token],
    env: dict[str, Any],
    renamed: dict[str, str],
    mends: list[Mend],
) -> None:
    """Point ``](#name)`` links and ``[ref]: #name`` definitions at the renamed targets."""
    spans = [
        token.map
        for token in tokens
        if token.type == "inline"
        and token.map
        and any(
            child.type == "link_open" and str(child.attrGet("href") or "")[1:] in renamed
            for child in token.children or ()
        )
    ]
    spans += [
        ref["map"]
        for ref in env.get("references", {}).values()
        if ref.get("map") and str(ref.get("href", ""))[1:] in renamed
    ]
    names = "|".join(re.escape(name) for name in sorted(renamed, key=len, reverse=True))
    link = re.compile(rf"(\]\(\s*<?#|^\s{{0,3}}\[[^\]]+\]:[ \t]*<?#)({names})(?=[\s)>]|$)")
    for start, stop in spans:
        for line in body.lines[start:stop]:
            for found in link.finditer(line.text):
                label = renamed[found[2]]
                mends.append(Mend(line.number, f"pointed link #{found[2]} at #{label}"))
            line.text = link.sub(lambda m: m[1] + renamed[m[2]], line.text)


def _place_target(body: _Body, start: int, stop: int, target: str) -> list[tuple[int, str | None]]:
    """Edits that put ``target`` before lines start..stop, or in their place when only
    the anchor made them (``<a id="x"></a>`` or ``<a id="x">&nbsp;</a>`` on a line)."""
    if any(line.text.replace("&nbsp;", "").strip() for line in body.lines[start:stop]):
        return [(start, target)]
    body.lines[start].text = target
    return [(index, None) for index in range(start + 1, stop)]


def _remove_anchor_tags(
    body: _Body, start: int, stop: int, opening: str, closing: str | None
) -> None:
    """Remove the first ``opening`` tag in lines start..stop and the first ``closing`` after it."""
    for index in range(start, stop):
        line = body.lines[index]
        at = line.text.find(opening)
        if at < 0:
            continue
        line.text = line.text[:at] + line.text[at + len(opening) :]
        if closing is None:
            return
        for later in range(index, stop):
            text = body.lines[later].text
            close_at = text.find(closing, at if later == index else 0)
            if close_at >= 0:
                body.lines[later].text = text[:close_at] + text[close_at + len(closing) :]
                return
        return


# headings -------------------------------------------------------------------------

_ATX = re.compile(r"^(?P<indent> {0,3})(?P<marks>#{1,6})(?=[ \t]|$)")


def _mend_heading_levels(body: _Body, mends: list[Mend]) -> None:
    """Lift headings that skip a level; the title above the body is level 1.

    A heading takes the depth it has among the headings open above it, so that
    ``###`` headings written straight under the title become ``##`` and stay
    siblings, and their ``####`` children follow them.
    """
    tokens, _ = body.parse()
    open_levels = [1]
    for token in tokens:
        if token.type != "heading_open" or token.level != 0 or not token.map:
            continue
        written = int(token.tag[1:])
        while open_levels and open_levels[-1] >= written:
            open_levels.pop()
        depth = len(open_levels) + 1
        open_levels.append(written)
        if depth == written:
            continue
        line = body.lines[token.map[0]]
        marks = _ATX.match(line.text)
        if marks is None:  # setext headings are level 1 or 2, which never skip
            continue
        line.text = marks["indent"] + "#" * depth + line.text[marks.end() :]
        mends.append(
            Mend(
                line.number,
                f"heading level {written} skips a level: made it level {depth} "
                f"({marks['marks']} to {'#' * depth})",
            )
        )


# thematic breaks ------------------------------------------------------------------


def _mend_thematic_breaks(body: _Body, mends: list[Mend]) -> None:
    """Remove the thematic breaks docutils refuses.

    docutils will not let a document end with a transition, a section begin with
    one, or two stand next to each other.  A break at the end of a section is fine:
    docutils moves it after the section.  The body sits under the title heading.
    """
    tokens, _ = body.parse()
    blocks = [t for t in tokens if t.level == 0 and not t.type.endswith("_close") and t.map]
    drop: list[tuple[int, str]] = []
    previous = "heading"  # the title
    for token in blocks:
        kind = {"hr": "hr", "heading_open": "heading"}.get(token.type, "other")
        if kind == "hr" and previous == "heading":
            drop.append((token.map[0], "removed thematic break at the start of a section"))
            continue
        if kind == "hr" and previous == "hr":
            drop.append((token.map[0], "removed thematic break right after another"))
            continue
        previous = kind
    kept = [t for t in blocks if t.map[0] not in {index for index, _ in drop}]
    while kept and kept[-1].type == "hr":
        drop.append((kept.pop().map[0], "removed trailing thematic break"))
    for index, message in sorted(drop, reverse=True):
        mends.append(Mend(body.lines[index].number, message))
        body.delete_with_gap(index)


# ---------------------------------------------------------------------------- import


def plan_import(
    sources: Sequence[Path], dest: Path, site_url: str, *, force: bool = False
) -> list[PlannedPage]:
    """Convert every source and decide what to write to ``dest``, writing nothing.

    Raises :class:`RoundupError` with all problems of all sources together: bad
    posts, two posts with one issue number, and pages in ``dest`` edited or
    written by hand (unless ``force``).
    """
    problems: list[Problem] = []
    pages: list[ConvertedPage] = []
    for source in sources:
        try:
            pages.append(convert_post(read_post(source), source, site_url))
        except RoundupError as exc:
            problems.extend(exc.problems)

    by_number: dict[int, list[ConvertedPage]] = {}
    for page in pages:
        by_number.setdefault(page.number, []).append(page)
    for number, group in by_number.items():
        first = display_path(group[0].source)
        for other in group[1:]:
            problems.append(
                Problem(
                    "duplicate_issue",
                    f"issue #{number} comes from two posts: {first} and "
                    f"{display_path(other.source)}",
                    display_path(other.source),
                    other.title_line,
                    hint="import one of them, or fix the issue number in the title",
                )
            )

    if dest.exists() and not dest.is_dir():
        problems.append(Problem("dest", "destination is not a directory", display_path(dest)))
        raise RoundupError(problems)

    planned: list[PlannedPage] = []
    for number in sorted(by_number):
        page = by_number[number][0]
        path = dest / page.name
        try:
            existing = path.read_text(encoding="utf-8") if path.exists() else None
        except (OSError, UnicodeDecodeError) as exc:
            problems.append(
                Problem("dest", f"cannot read existing page: {exc}", display_path(path))
            )
            continue
        if existing is None:
            planned.append(PlannedPage(page, path, "create"))
        elif existing == page.text:
            planned.append(PlannedPage(page, path, "unchanged"))
        elif (state := page_provenance(existing)) == "imported":
            planned.append(PlannedPage(page, path, "update"))
        elif force:
            planned.append(PlannedPage(page, path, "replace"))
        else:
            problems.append(_hand_edited(path, page, state))
    if problems:
        raise RoundupError(problems)
    return planned


def _hand_edited(path: Path, page: ConvertedPage, state: str) -> Problem:
    what = (
        "edited by hand since it was imported (its text no longer matches its digest)"
        if state == "edited"
        else "written by hand (it has no import record)"
    )
    return Problem(
        "hand_edited",
        f"page {what}; not overwriting it with {display_path(page.source)}",
        display_path(path),
        hint="pass --force to replace it with the import, or leave this post out",
    )


def write_pages(plan: Iterable[PlannedPage]) -> None:
    """Write the planned pages that change, each through a temporary file and a rename."""
    for item in plan:
        if item.action == "unchanged":
            continue
        item.path.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(item.path, item.page.text)


def write_atomically(path: Path, text: str) -> None:
    """Replace ``path`` with ``text`` so that readers see the old file or the new, never half."""
    # a sibling temporary file, so that the rename stays on one file system; opened with
    # "x" rather than mkstemp so that a new page gets the umask's mode, not 0600
    temp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with temp.open("x", encoding="utf-8", newline="\n") as out:
            out.write(text)
        if path.exists():
            shutil.copymode(path, temp)
        os.replace(temp, path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
