"""``roundup-kb new``: the next issue page, ready to fill in."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from roundup_kb.frontmatter import dump_front_matter
from roundup_kb.pages import issue_paths, read_issue_page
from roundup_kb.problems import Problem, RoundupError
from roundup_kb.topics import TopicRegistry


def next_number(issues_dir: Path) -> int:
    """One more than the highest issue number in ``issues_dir`` (1 when empty)."""
    numbers = [0]
    for path in issue_paths(issues_dir):
        try:
            meta, _ = read_issue_page(path.read_text(encoding="utf-8"), str(path))
        except RoundupError:
            numbers.append(int(path.stem))
        else:
            numbers.append(meta.number)
    return max(numbers) + 1


def issue_title(number: int, date: dt.date) -> str:
    """``#189 - 6 Apr 2025``: the newsletter's title form."""
    return f"#{number} - {date.day} {date:%b %Y}"


def scaffold(number: int, date: dt.date, topics: TopicRegistry) -> str:
    """The text of a new issue page with a section for every topic of the registry."""
    front = dump_front_matter(
        {
            "number": number,
            "title": issue_title(number, date),
            "subtitle": "One line on what this issue covers",
            "date": date,
        }
    )
    parts = [
        front,
        "Introduction: what this week's roundup is about.",
        "",
    ]
    for topic in topics.topics:
        parts += [
            f"## {topic.title}",
            "",
            f"<!-- {topic.description} -->",
            "<!-- [Title](https://example.org/article) - Author Name, Venue -->",
            "",
        ]
    parts += ["## That's it…", "", "And that's it for another week.", ""]
    return "\n".join(parts)


def write_new_issue(
    issues_dir: Path,
    topics: TopicRegistry,
    *,
    number: int | None = None,
    date: dt.date | None = None,
) -> Path:
    """Write ``issues_dir/NNNN.md``; refuse to overwrite an existing page."""
    number = number if number is not None else next_number(issues_dir)
    date = date or dt.date.today()
    path = issues_dir / f"{number:04d}.md"
    if path.exists():
        raise RoundupError(
            Problem(
                "exists",
                f"issue {number} already exists",
                str(path),
                hint="pick another --number, or edit the existing page",
            )
        )
    issues_dir.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".md.tmp")
    tmp.write_text(scaffold(number, date, topics), encoding="utf-8")
    tmp.replace(path)
    return path
