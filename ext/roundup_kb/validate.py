"""Checks of issue pages, shared by ``roundup-kb validate`` and the Sphinx build.

:func:`check_page` runs every per-page check (front matter, file name, link-item
form, unknown topics, unclassified items, duplicate links, safe mode);
:func:`check_numbers` the one check across pages (an issue number used twice).
The build reports the same problems as ``roundup.*`` warnings, so a page that
``validate`` rejects cannot pass a ``-W`` build.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from itertools import repeat
from pathlib import Path

from markdown_it.token import Token

from roundup_kb import safety
from roundup_kb.frontmatter import FrontMatter, split_front_matter
from roundup_kb.model import Issue, IssueMeta, pickled_by_fields
from roundup_kb.names import NameRegistry
from roundup_kb.pages import PAGE_NAME, issue_paths, meta_from_front_matter
from roundup_kb.parser import markdown, parse_body
from roundup_kb.problems import Problem, RoundupError
from roundup_kb.topics import TopicRegistry

_MD = markdown()
_WRAPPERS = {"strong_open", "em_open", "s_open"}
_BREAKS = {"softbreak", "hardbreak"}
_BR = re.compile(r"^<br\s*/?>$", re.IGNORECASE)


def _line_starts(inline: Token) -> Iterable[tuple[int, list[Token]]]:
    """(offset in lines, children) for each line of a paragraph (split by breaks and ``<br>``)."""
    offset, current = 0, []
    for child in inline.children or []:
        if child.type in _BREAKS or (child.type == "html_inline" and _BR.match(child.content)):
            yield offset, current
            current = []
            if child.type in _BREAKS:
                offset += 1
            continue
        current.append(child)
    yield offset, current


def _link_form_problems(tokens: list[Token], body_line: int, path: str) -> list[Problem]:
    """Lines that try to lead with a link but fail: unclosed brackets, empty URLs, bare URLs."""
    problems = []
    for token in tokens:
        if token.type != "inline" or token.map is None:
            continue
        first_line = body_line + token.map[0]
        for offset, children in _line_starts(token):
            lead = [c for c in children if c.type not in _WRAPPERS]
            if not lead:
                continue
            line = first_line + offset
            head = lead[0]
            if head.type == "link_open":
                href = str(head.attrGet("href") or "")
                text = lead[1].content if len(lead) > 1 and lead[1].type == "text" else ""
                if not href.strip():
                    problems.append(
                        Problem(
                            "malformed_item",
                            "link item has an empty URL",
                            path,
                            line,
                            hint="write the article's address between the parentheses: [Title](https://...)",
                        )
                    )
                elif re.match(r"^(https?://|www\.)", text.strip()):
                    problems.append(
                        Problem(
                            "bare_url_title",
                            f"link item's title is a bare URL: {text.strip()}",
                            path,
                            line,
                            hint="use the article's title as the link text: [Title](url)",
                            severity="warning",
                        )
                    )
                continue
            if head.type != "text" or not head.content.lstrip().startswith("["):
                continue
            rest = "".join(c.content for c in lead if c.type in ("text", "code_inline")).strip()
            if re.match(r"^\[[^\]]*\]\s+\(", rest):
                hint = "remove the space between ']' and '(': [Title](url)"
            elif re.match(r"^\[[^\]]*\]\([^)]*\s[^)]*\)", rest):
                hint = "the URL contains spaces: write them as %20"
            elif re.match(r"^\[[^\]]*\]\([^)]*$", rest):
                hint = "close the parenthesis after the URL: [Title](url)"
            elif re.match(r"^\[[^\]]*\(https?://", rest):
                hint = "close the bracket after the title: [Title](url)"
            else:
                continue  # brackets in prose ("[…]", "[sic]"), not a link attempt
            problems.append(
                Problem(
                    "malformed_item",
                    f"line leads with a malformed link: {rest[:60]}",
                    path,
                    line,
                    hint=hint,
                )
            )
    return problems


def _duplicate_urls(issue: Issue, path: str) -> list[Problem]:
    first: dict[str, int] = {}
    problems = []
    for entry in issue.entries:
        key = entry.url_key
        if key in first:
            problems.append(
                Problem(
                    "duplicate_url",
                    f"{entry.url} is already an item on line {first[key]}",
                    path,
                    entry.line,
                    hint="keep one item per link in an issue; merge the commentary",
                    severity="warning",
                )
            )
        else:
            first[key] = entry.line
    return problems


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class PageCheck:
    """What checking one issue page found."""

    #: the parsed issue; ``None`` when the front matter is unusable
    issue: Issue | None
    problems: list[Problem]
    #: safe-mode findings (also among ``problems``), to neutralize the page with
    findings: list[safety.Finding] = field(default_factory=list)
    #: 0-based index of the closing front-matter fence (0 when there is none)
    front_matter_end: int = 0


def check_page(
    text: str,
    path: str,
    topics: TopicRegistry,
    names: NameRegistry,
    *,
    safe_mode: bool = True,
    on_parsed: Callable[[list[Token], FrontMatter, Issue], None] | None = None,
) -> PageCheck:
    """Parse and check one issue page: its Markdown is parsed once for every check.

    ``on_parsed(tokens, front_matter, issue)``, when given, is called after every
    check with the body's tokens, to reuse the parse (it may change the tokens).
    """
    try:
        front = split_front_matter(text, path)
    except RoundupError as exc:
        findings = safety.check(text, 1) if safe_mode else []
        return PageCheck(None, exc.problems + safety.problems(findings, path), findings)
    try:
        meta = meta_from_front_matter(front, path)
    except RoundupError as exc:
        findings = safety.check(front.body, front.body_line, front.data) if safe_mode else []
        return PageCheck(
            None, exc.problems + safety.problems(findings, path), findings, front.body_line - 2
        )
    problems: list[Problem] = []
    name = Path(path).name
    if PAGE_NAME.match(name) and int(name[:-3]) != meta.number:
        problems.append(
            Problem(
                "file_name",
                f"file name {name} does not match number {meta.number}",
                path,
                front.key_lines.get("number", 2),
                hint=f"rename the file to {meta.slug}.md or fix 'number'",
            )
        )
    elif not PAGE_NAME.match(name):
        problems.append(
            Problem(
                "file_name",
                f"issue page {name} is not named NNNN.md",
                path,
                1,
                hint=f"rename the file to {meta.slug}.md",
            )
        )
    tokens = _MD.parse(front.body)
    result = parse_body(meta, front.body, front.body_line, path, topics, names, tokens=tokens)
    problems += result.problems
    problems += _link_form_problems(tokens, front.body_line, path)
    problems += _duplicate_urls(result.issue, path)
    findings = safety.check(front.body, front.body_line, front.data, tokens) if safe_mode else []
    problems += safety.problems(findings, path)
    if on_parsed is not None:
        on_parsed(tokens, front, result.issue)
    return PageCheck(
        result.issue,
        sorted(problems, key=lambda p: (p.line or 0, p.code)),
        findings,
        front.body_line - 2,
    )


def check_numbers(pages: Iterable[tuple[str, IssueMeta]]) -> list[Problem]:
    """An issue number used by more than one page."""
    seen: dict[int, str] = {}
    problems = []
    for path, meta in sorted(pages):
        if meta.number in seen:
            problems.append(
                Problem(
                    "duplicate_number",
                    f"issue number {meta.number} is also used by {seen[meta.number]}",
                    path,
                    2,
                    hint="give each issue page its own 'number'",
                )
            )
        else:
            seen[meta.number] = path
    return problems


#: fewer pages than this are checked in one process: starting workers costs more
PARALLEL_FROM = 32


def default_jobs() -> int:
    """Processes ``roundup-kb validate`` and ``export`` use: the CPUs, at most four."""
    return max(1, min(os.cpu_count() or 1, 4))


def _check_files(
    files: list[Path], topics: TopicRegistry, names: NameRegistry, safe_mode: bool
) -> list[tuple[Issue | None, list[Problem]]]:
    """(issue or None, problems) of each page, in order."""
    results: list[tuple[Issue | None, list[Problem]]] = []
    for file in files:
        where = str(file)
        try:
            text = file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            unreadable = Problem(
                "unreadable",
                f"cannot read the page: {exc}",
                where,
                hint="issue pages are UTF-8 text files",
            )
            results.append((None, [unreadable]))
            continue
        checked = check_page(text, where, topics, names, safe_mode=safe_mode)
        results.append((checked.issue, checked.problems))
    return results


def _check_in_workers(
    files: list[Path], topics: TopicRegistry, names: NameRegistry, safe_mode: bool, jobs: int
) -> list[tuple[Issue | None, list[Problem]]]:
    """:func:`_check_files` split over ``jobs`` processes, results in the files' order.

    Pages are dealt out in turn (page k to worker k mod jobs), as later issues
    are longer.  Workers start as the platform starts processes (forked on
    Linux, spawned on macOS and Windows).  Where processes cannot start (no
    semaphores in a sandbox, say), the pages are checked here.
    """
    shares = [files[k::jobs] for k in range(jobs)]
    try:
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            done = list(
                pool.map(
                    _check_files,
                    shares,
                    repeat(topics),
                    repeat(names),
                    repeat(safe_mode),
                )
            )
    except (OSError, NotImplementedError):  # no semaphores or no fork: check them here
        return _check_files(files, topics, names, safe_mode)
    results: list[tuple[Issue | None, list[Problem]]] = [(None, [])] * len(files)
    for k, share in enumerate(done):
        results[k::jobs] = share
    return results


def validate_paths(
    paths: Iterable[Path],
    topics: TopicRegistry,
    names: NameRegistry,
    *,
    safe_mode: bool = True,
    jobs: int = 1,
) -> tuple[list[Issue], list[Problem]]:
    """Check the issue pages at ``paths`` (files or directories of ``NNNN.md``).

    ``jobs`` > 1 checks the pages in that many processes when there are at least
    :data:`PARALLEL_FROM` of them; the result is the same, in the same order.
    """
    files: list[Path] = []
    for path in paths:
        files += issue_paths(path) if path.is_dir() else [path]
    if jobs > 1 and len(files) >= PARALLEL_FROM:
        results = _check_in_workers(files, topics, names, safe_mode, min(jobs, len(files)))
    else:
        results = _check_files(files, topics, names, safe_mode)
    issues, problems = [], []
    for issue, found in results:
        problems += found
        if issue is not None:
            issues.append(issue)
    problems += check_numbers((issue.path, issue.meta) for issue in issues)
    return issues, problems
