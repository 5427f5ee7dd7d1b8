"""Issue pages: the MyST files in ``issues/`` and what their front matter must hold."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

from roundup_kb.frontmatter import FrontMatter, split_front_matter
from roundup_kb.model import IssueMeta
from roundup_kb.problems import Problem, RoundupError

#: ``issues/0094.md``: four digits, zero padded
PAGE_NAME = re.compile(r"^(\d{4,})\.md$")

REQUIRED = ("number", "title", "date")


def parse_date(value: Any) -> dt.date | None:
    """A date from YAML (already a date) or an ISO string; ``None`` when it is neither."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        text = value.strip()
        for fmt in ("%Y-%m-%d", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"):
            try:
                return dt.datetime.strptime(text[: len(fmt) + 4].strip(), fmt).date()
            except ValueError:
                continue
        try:
            return dt.datetime.fromisoformat(text).date()
        except ValueError:
            return None
    return None


def meta_from_front_matter(fm: FrontMatter, path: str) -> IssueMeta:
    """Check the fields of an issue page and build its :class:`IssueMeta`."""
    data = fm.data
    problems: list[Problem] = []
    for key in REQUIRED:
        if data.get(key) in (None, ""):
            problems.append(
                Problem(
                    "front_matter",
                    f"front matter has no '{key}'",
                    path,
                    2,
                    hint=(
                        "issue pages need number, title and date (YYYY-MM-DD); "
                        "a subtitle is optional"
                    ),
                )
            )
    if problems:
        raise RoundupError(problems)
    number = data["number"]
    if isinstance(number, bool) or not isinstance(number, int) or number < 0:
        raise RoundupError(
            Problem(
                "front_matter",
                f"'number' must be a whole number, not {number!r}",
                path,
                fm.key_lines.get("number", 2),
                hint="write the issue number without '#', e.g. number: 94",
            )
        )
    date = parse_date(data["date"])
    if date is None:
        raise RoundupError(
            Problem(
                "front_matter",
                f"'date' is not a date: {data['date']!r}",
                path,
                fm.key_lines.get("date", 2),
                hint="write the date as YYYY-MM-DD, e.g. date: 2021-10-01",
            )
        )
    subtitle = data.get("subtitle")
    return IssueMeta(
        number=number,
        title=str(data["title"]).strip(),
        date=date,
        subtitle=str(subtitle).strip() if subtitle not in (None, "") else None,
    )


def read_issue_page(text: str, path: str) -> tuple[IssueMeta, FrontMatter]:
    """Parse an issue page's front matter; raise :class:`RoundupError` when it is wrong."""
    fm = split_front_matter(text, path)
    return meta_from_front_matter(fm, path), fm


def issue_paths(directory: Path) -> list[Path]:
    """The issue pages in ``directory`` (``NNNN.md``), sorted by name."""
    return sorted(p for p in directory.glob("*.md") if PAGE_NAME.match(p.name))
