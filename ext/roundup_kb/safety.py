"""Safe mode for issue pages: what an untrusted pull request may not put in a page.

Issue pages come from contributors, so a page must not be able to read files on
the build machine (``include``, ``literalinclude``, ``csv-table :file:``, images
outside the repository), run code (``eval-rst``, ``raw``, MyST substitutions
switched on from front matter), or plant markup and script in the site (raw HTML
beyond a small allowlist, ``javascript:`` and ``data:`` URLs).

:func:`check` finds every such construct with its line; :func:`sanitize` returns
the page with each one neutralized (escaped or blanked) and the same number of
lines, so that line numbers in later warnings still point at the original file.
The CLI's ``validate`` reports the findings as errors; the Sphinx build reports
them as ``roundup.unsafe`` warnings and parses the sanitized text, so nothing
unsafe is ever executed even when warnings are not errors.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from posixpath import normpath
from urllib.parse import urlsplit

from markdown_it.token import Token

from roundup_kb.model import pickled_by_fields
from roundup_kb.parser import markdown
from roundup_kb.problems import Problem

_MD = markdown()

#: directives an issue page may use; everything else is refused
SAFE_DIRECTIVES = frozenset(
    [
        "admonition",
        "attention",
        "caution",
        "danger",
        "error",
        "hint",
        "important",
        "note",
        "seealso",
        "tip",
        "warning",
        "epigraph",
        "pull-quote",
        "highlights",
        "topic",
        "sidebar",
        "rubric",
        "code",
        "code-block",
        "sourcecode",
        "math",
        "list-table",
        "table",
        "figure",
        "image",
        "card",
        "grid",
        "grid-item",
        "grid-item-card",
        "tab-set",
        "tab-item",
        "dropdown",
        "button-link",
        "badge",
        "entries",
        "glossary",
    ]
)
#: roles an issue page may use
SAFE_ROLES = frozenset(
    [
        "abbr",
        "code",
        "command",
        "dfn",
        "doc",
        "emphasis",
        "file",
        "guilabel",
        "kbd",
        "math",
        "menuselection",
        "numref",
        "ref",
        "samp",
        "strong",
        "sub",
        "sup",
        "subscript",
        "superscript",
        "term",
        "any",
        "eq",
        "entry",
        "issue",
        "topic",
        "author",
        "venue",
        "cite",
        "cite:p",
        "cite:t",
        "cite:ps",
        "cite:ts",
    ]
)
#: raw HTML tags allowed, with their allowed attributes
SAFE_TAGS: dict[str, frozenset[str]] = {
    "br": frozenset(),
    "a": frozenset({"href", "id", "name", "title"}),
    "i": frozenset(),
    "em": frozenset(),
    "b": frozenset(),
    "strong": frozenset(),
    "sub": frozenset(),
    "sup": frozenset(),
    "ul": frozenset(),
    "ol": frozenset(),
    "li": frozenset(),
    "p": frozenset({"lang", "dir"}),
    "blockquote": frozenset({"class", "cite"}),
    "span": frozenset({"class", "id"}),
}
SAFE_SCHEMES = frozenset({"http", "https", "mailto", ""})
#: front-matter keys an issue page may set (``myst`` could switch on Jinja substitutions)
SAFE_FRONT_MATTER = frozenset(
    {"number", "title", "subtitle", "date", "imported", "hero-img", "orphan", "tocdepth"}
)

_DIRECTIVE = re.compile(r"^\{([A-Za-z0-9_:+-]+)\}")
_OPTION = re.compile(r"^:([\w-]+):\s*(.*)$")


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class Finding:
    """One unsafe construct: a 0-based range of lines in the page and how to neutralize it."""

    line: int  # 1-based, for messages
    message: str
    hint: str
    #: the front-matter key, for findings about front matter
    key: str | None = None
    #: 0-based [start, end) lines to blank out, when the whole block goes
    blank: tuple[int, int] | None = None
    #: (0-based line range, exact text, replacement) to apply within those lines
    replace: tuple[tuple[int, int], str, str] | None = None


class _TagCheck(HTMLParser):
    """Collects the raw-HTML tags of a fragment that are not allowed, as written."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.bad: list[tuple[str, str]] = []

    def _check(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        text = self.get_starttag_text() or f"<{tag}>"
        allowed = SAFE_TAGS.get(tag)
        if allowed is None:
            self.bad.append((text, f"raw HTML <{tag}> is not allowed"))
            return
        for name, value in attrs:
            if name not in allowed:
                self.bad.append((text, f"attribute '{name}' on <{tag}> is not allowed"))
                return
            if name in ("href", "cite") and value and not url_is_safe(value):
                self.bad.append((text, f"URL '{value}' in <{tag}> is not allowed"))
                return

    def handle_starttag(self, tag, attrs):
        self._check(tag, attrs)

    def handle_startendtag(self, tag, attrs):
        self._check(tag, attrs)

    def handle_endtag(self, tag):
        if tag not in SAFE_TAGS:
            self.bad.append((f"</{tag}>", f"raw HTML </{tag}> is not allowed"))

    def handle_decl(self, decl):
        self.bad.append((f"<!{decl}>", "HTML declarations are not allowed"))

    def handle_pi(self, data):
        self.bad.append((f"<?{data}>", "processing instructions are not allowed"))

    def unknown_decl(self, data):
        self.bad.append((f"<![{data}]>", "CDATA sections are not allowed"))


def url_is_safe(url: str) -> bool:
    """http(s), mailto and relative URLs; never ``javascript:``, ``data:``, ``file:``..."""
    cleaned = re.sub(r"[\x00-\x20]", "", html.unescape(url))
    try:
        scheme = urlsplit(cleaned).scheme.lower()
    except ValueError:
        return False
    return scheme in SAFE_SCHEMES


def path_is_inside(path: str) -> bool:
    """A relative path that stays inside the repository (no ``..`` escape, not absolute)."""
    if path.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", path):
        return False
    return not normpath(path).startswith("..")


def _html_findings(fragment: str, lines: tuple[int, int], first_line: int) -> list[Finding]:
    checker = _TagCheck()
    checker.feed(fragment)
    checker.close()
    return [
        Finding(
            line=first_line,
            message=message,
            hint="raw HTML in issue pages is limited to <br>, <a href>, <i>, <em>, <b>, "
            "<strong>, <sub>, <sup>, lists, <p>, <blockquote> and comments; "
            "write Markdown instead",
            replace=(lines, text, html.escape(text, quote=False)),
        )
        for text, message in checker.bad
    ]


def _directive_findings(token: Token, offset: int) -> list[Finding]:
    match = _DIRECTIVE.match(token.info.strip())
    if not match:
        return []
    name = match.group(1)
    start, end = token.map
    line = offset + start + 1
    argument = token.info.strip()[match.end() :].strip()
    if name not in SAFE_DIRECTIVES:
        return [
            Finding(
                line=line,
                message=f"directive '{name}' is not allowed in issue pages",
                hint="issue pages may not include files, raw output or reStructuredText; "
                "paste the content as Markdown",
                blank=(offset + start, offset + end),
            )
        ]
    findings: list[Finding] = []
    body = token.content.splitlines()
    options = {}
    for text in body:
        option = _OPTION.match(text.strip())
        if not option:
            break
        options[option.group(1)] = option.group(2)
    if (
        name in ("image", "figure")
        and argument
        and not (url_is_safe(argument) and (urlsplit(argument).scheme or path_is_inside(argument)))
    ):
        findings.append(
            Finding(
                line=line,
                message=f"image '{argument}' is outside the repository",
                hint="use an https:// URL or a path inside the repository",
                blank=(offset + start, offset + end),
            )
        )
    for option in ("file", "url", "include"):
        if option in options:
            findings.append(
                Finding(
                    line=line,
                    message=f"option ':{option}:' of '{name}' reads outside the page",
                    hint="put the data in the page itself",
                    blank=(offset + start, offset + end),
                )
            )
    # Directive bodies are parsed as Markdown too: check them the same way.
    skip = len(options)
    inner = "\n".join(body[skip:])
    findings += _check_text(inner, offset + start + 1 + skip)
    return findings


def _inline_findings(token: Token, offset: int) -> list[Finding]:
    start, end = token.map
    lines = (offset + start, offset + end)
    findings: list[Finding] = []
    children = token.children or []
    for child in children:
        if child.type == "html_inline":
            findings += _html_findings(child.content, lines, offset + start + 1)
        elif child.type == "myst_role":
            name = child.meta.get("name", "")
            if name not in SAFE_ROLES:
                findings.append(
                    Finding(
                        line=offset + start + 1,
                        message=f"role '{name}' is not allowed in issue pages",
                        hint="write the text without the role",
                        replace=(lines, "{" + name + "}", "\\{" + name + "\\}"),
                    )
                )
        elif child.type in ("link_open", "image"):
            url = child.attrGet("href") or child.attrGet("src") or ""
            if not url_is_safe(str(url)) or (
                child.type == "image"
                and not urlsplit(str(url)).scheme
                and not path_is_inside(str(url))
            ):
                findings.append(
                    Finding(
                        line=offset + start + 1,
                        message=f"URL '{url}' is not allowed",
                        hint="links and images must use http(s)://, mailto: or a path "
                        "inside the repository",
                        replace=(lines, f"]({url}", f"]\\({url}"),
                    )
                )
    # markdown-it drops links whose URL it considers dangerous; report them anyway.
    for match in re.finditer(
        r"\]\(\s*<?\s*((?:javascript|vbscript|data|file):[^)\s>]*)", token.content, re.IGNORECASE
    ):
        # Escaping the parenthesis leaves the link as literal text.
        findings.append(
            Finding(
                line=offset + start + 1,
                message=f"URL '{match.group(1)}' is not allowed",
                hint="links must use http(s):// or mailto:",
                replace=(lines, match.group(0), "]\\(" + match.group(0)[2:]),
            )
        )
    return findings


def _check_text(text: str, offset: int, tokens: list[Token] | None = None) -> list[Finding]:
    findings: list[Finding] = []
    for token in tokens if tokens is not None else _MD.parse(text):
        if token.map is None:
            continue
        if token.type in ("fence", "colon_fence"):
            findings += _directive_findings(token, offset)
        elif token.type == "html_block":
            start, end = token.map
            findings += _html_findings(
                token.content, (offset + start, offset + end), offset + start + 1
            )
        elif token.type == "inline":
            findings += _inline_findings(token, offset)
    return findings


def check(
    body: str,
    body_line: int,
    front_matter: dict | None = None,
    tokens: list[Token] | None = None,
) -> list[Finding]:
    """Every unsafe construct in a page body (``body_line``: 1-based line where it starts).

    ``tokens``: the body already parsed with :func:`roundup_kb.parser.markdown`.
    """
    findings = []
    for key in front_matter or {}:
        if key not in SAFE_FRONT_MATTER:
            findings.append(
                Finding(
                    line=1,
                    message=f"front matter key '{key}' is not allowed in issue pages",
                    hint="issue pages take number, title, subtitle and date",
                    key=key,
                )
            )
    findings += _check_text(body, body_line - 1, tokens)
    return sorted(findings, key=lambda f: f.line)


def sanitize(text: str, findings: list[Finding], front_matter_end: int = 0) -> str:
    """``text`` with each finding neutralized, keeping every line where it was.

    ``front_matter_end`` is the 0-based index of the closing ``---`` line; front
    matter lines with disallowed keys are turned into YAML comments.
    """
    lines = text.split("\n")
    for finding in findings:
        if finding.blank is not None:
            start, end = finding.blank
            for index in range(start, min(end, len(lines))):
                lines[index] = ""
            if start < len(lines):
                lines[start] = "*(content removed by safe mode)*"
        elif finding.replace is not None:
            (start, end), old, new = finding.replace
            for index in range(start, min(end, len(lines))):
                lines[index] = lines[index].replace(old, new)
    if front_matter_end:
        disallowed = {
            f.message.split("'")[1]
            for f in findings
            if f.line == 1 and "front matter key" in f.message
        }
        blanking = False
        for index in range(1, front_matter_end):
            line = lines[index]
            if line[:1].strip():
                blanking = line.split(":", 1)[0].strip() in disallowed
            if blanking:
                lines[index] = "# " + line
    return "\n".join(lines)


def problems(findings: list[Finding], path: str) -> list[Problem]:
    """Findings as :class:`Problem` records (code ``unsafe``)."""
    return [Problem("unsafe", f.message, path, f.line, hint=f.hint) for f in findings]
