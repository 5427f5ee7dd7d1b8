"""YAML front matter: split it from the body, parse it, and report errors with lines.

Both newsletter sources (Jekyll posts) and knowledge-base issue pages (MyST) start
with a ``---`` fenced YAML block.  Line numbers in errors are 1-based lines of the
whole file.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml

from roundup_kb.problems import Problem, RoundupError

FENCE = "---"


@dataclass(frozen=True, slots=True)
class FrontMatter:
    """Parsed front matter and where the body starts."""

    data: dict[str, Any]
    #: the YAML text between the fences, as written
    raw: str
    #: the text after the closing fence
    body: str
    #: 1-based line of the first body line in the file
    body_line: int
    #: 1-based line of each top-level key, for error messages
    key_lines: dict[str, int]


#: libyaml's safe loader when PyYAML was built with it (about ten times faster)
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def parse_yaml(
    text: str, path: str, code: str, what: str, *, first_line: int = 1, hint: str | None = None
) -> Any:
    """``text`` read as YAML; a :class:`RoundupError` ``code`` at the file and line when it is not.

    ``what`` names the document in the message ("topic registry"); ``first_line``
    is the file line of the text's first line.
    """
    try:
        return yaml.load(text, Loader=_SAFE_LOADER)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        raise RoundupError(
            Problem(
                code,
                f"{what} is not valid YAML: {problem}",
                path,
                mark.line + first_line if mark is not None else 1,
                hint=hint,
            )
        ) from None


def split_front_matter(text: str, path: str) -> FrontMatter:
    """Split ``text`` into front matter and body; raise :class:`RoundupError` if absent or bad."""
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].rstrip("\r\n").rstrip() != FENCE:
        raise RoundupError(
            Problem(
                "front_matter",
                "no front matter: the file must start with a '---' line",
                path,
                1,
                hint="start the file with '---', the fields (number, title, date), and '---'",
            )
        )
    for index in range(1, len(lines)):
        if lines[index].rstrip("\r\n").rstrip() in (FENCE, "..."):
            close = index
            break
    else:
        raise RoundupError(
            Problem(
                "front_matter",
                "front matter is not closed: no second '---' line",
                path,
                1,
                hint="end the front matter with a line holding only '---'",
            )
        )
    raw = "".join(lines[1:close])
    try:
        data = (
            parse_yaml(
                raw,
                path,
                "front_matter",
                "front matter",
                first_line=2,
                hint="quote values that contain ':' or '#', e.g. title: \"#94 - 1 Oct 2021\"",
            )
            if raw.strip()
            else {}
        )
    except ValueError as exc:
        # PyYAML reads 2021-13-45 as a timestamp and then fails to build the date
        raise RoundupError(
            Problem(
                "front_matter",
                f"front matter holds an impossible date: {exc}",
                path,
                _bad_value_line(lines[1:close]),
                hint="write dates as YYYY-MM-DD with a real month and day",
            )
        ) from None
    if not isinstance(data, dict):
        raise RoundupError(
            Problem(
                "front_matter",
                "front matter must be a YAML mapping of 'key: value' lines",
                path,
                2,
                hint="write one 'key: value' per line between the '---' lines",
            )
        )
    key_lines: dict[str, int] = {}
    for offset, line in enumerate(lines[1:close], start=2):
        if line[:1].isalpha() and ":" in line:
            key_lines.setdefault(line.split(":", 1)[0].strip(), offset)
    return FrontMatter(
        data=data,
        raw=raw,
        body="".join(lines[close + 1 :]),
        body_line=close + 2,
        key_lines=key_lines,
    )


def _bad_value_line(lines: list[str]) -> int:
    """The 1-based file line of the first front-matter line PyYAML cannot build a value for."""
    for offset, line in enumerate(lines, start=2):
        try:
            yaml.safe_load(line)
        except ValueError:
            return offset
        except yaml.YAMLError:
            continue
    return 2


def dump_front_matter(data: dict[str, Any]) -> str:
    """Serialise ``data`` as a front-matter block, keys in the given order."""
    body = yaml.safe_dump(
        data, sort_keys=False, allow_unicode=True, default_flow_style=False, width=10_000
    )
    return f"{FENCE}\n{body}{FENCE}\n"
