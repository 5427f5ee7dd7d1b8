"""The broken-links report: link-check failures grouped by issue and entry.

Sphinx's linkcheck output lists each URL once, at its first occurrence.  The
report lists every place a failing URL is used (every entry and mention in every
issue, and other pages), with an Internet Archive address from around the issue's
date to repair it with.  It is written as ``broken-links.json`` (for tools) and
``broken-links.md`` (for people, e.g. a CI job summary).  No network access:
the archive addresses are Wayback Machine URLs that redirect to the snapshot
nearest the date, which may not exist.

Nothing here imports Sphinx; :mod:`roundup_kb.sphinxext.linkcheck` feeds it.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

REPORT_VERSION = 1
#: linkcheck statuses that the report lists
REPORTED = ("broken", "timeout")
WAYBACK = "https://web.archive.org/web/"


@dataclass(frozen=True, slots=True)
class Checked:
    """One URL's link-check result."""

    uri: str
    status: str
    code: int = 0
    info: str = ""
    #: whether the result came from the cache rather than a request in this run
    cached: bool = False


@dataclass(frozen=True, slots=True)
class Place:
    """Where a URL is used: an entry or mention in an issue, or another page."""

    docname: str
    path: str
    line: int
    issue: int | None = None
    issue_title: str | None = None
    date: dt.date | None = None
    entry_id: str | None = None
    entry_title: str | None = None


def archive_url(url: str, date: dt.date | None = None) -> str:
    """The Wayback Machine address of ``url`` nearest ``date`` (the latest without one)."""
    return f"{WAYBACK}{date:%Y%m%d}/{url}" if date else f"{WAYBACK}{url}"


def build_report(
    results: Iterable[Checked],
    places: Mapping[str, Sequence[Place]],
    *,
    generated: dt.datetime | None = None,
) -> dict:
    """The report as JSON-ready data: failing links of each issue and page, by line."""
    results = list(results)
    issues: dict[int, dict] = {}
    pages: dict[str, dict] = {}
    for result in results:
        if result.status not in REPORTED:
            continue
        for place in _unique(places.get(result.uri, ())):
            link = {
                "uri": result.uri,
                "status": result.status,
                "info": result.info,
                "line": place.line,
                "entry": (
                    {"id": place.entry_id, "title": place.entry_title} if place.entry_id else None
                ),
                "archive": archive_url(result.uri, place.date),
                "cached": result.cached,
            }
            if place.issue is not None:
                group = issues.setdefault(
                    place.issue,
                    {
                        "issue": place.issue,
                        "title": place.issue_title,
                        "date": place.date.isoformat() if place.date else None,
                        "docname": place.docname,
                        "path": place.path,
                        "links": [],
                    },
                )
            else:
                group = pages.setdefault(
                    place.docname, {"docname": place.docname, "path": place.path, "links": []}
                )
            group["links"].append(link)
    for group in (*issues.values(), *pages.values()):
        group["links"].sort(key=lambda link: (link["line"], link["uri"]))
    counts = {status: 0 for status in ("working", "redirected", *REPORTED, "ignored")}
    for result in results:
        counts[result.status] = counts.get(result.status, 0) + 1
    generated = generated or dt.datetime.now(dt.UTC)
    return {
        "version": REPORT_VERSION,
        "generated": generated.isoformat(timespec="seconds"),
        "summary": {
            # external links with a result (not ignored, not local or mailto:)
            "checked": sum(1 for r in results if r.status not in ("ignored", "unchecked")),
            "from_cache": sum(1 for r in results if r.cached),
            **counts,
        },
        "issues": [issues[n] for n in sorted(issues)],
        "pages": [pages[d] for d in sorted(pages)],
    }


def _unique(places: Iterable[Place]) -> list[Place]:
    seen: set[tuple[str, int]] = set()
    kept = []
    for place in places:
        key = (place.docname, place.line)
        if key not in seen:
            seen.add(key)
            kept.append(place)
    return kept


def render_markdown(report: dict) -> str:
    """The report for people: one section per issue, one item per failing link."""
    summary = report["summary"]
    failing = sum(len(g["links"]) for g in (*report["issues"], *report["pages"]))
    lines = [
        "# Broken links",
        "",
        f"{_n(summary['checked'], 'external link')} checked ({summary['from_cache']} results "
        f"from the cache, {summary['ignored']} ignored): {summary['broken']} broken and "
        f"{summary['timeout']} timed out, used in {_n(failing, 'place')} in "
        f"{_n(len(report['issues']), 'issue')} and {_n(len(report['pages']), 'other page')}.",
        f"Generated {report['generated']}.",
    ]
    if not failing:
        lines += ["", "No broken links."]
    for group in report["issues"]:
        date = f" ({group['date']})" if group["date"] else ""
        lines += ["", f"## Issue {group['issue']}: {group['title']}{date}", ""]
        lines += [f"`{group['path']}`", ""]
        lines += [_item(link) for link in group["links"]]
    for group in report["pages"]:
        lines += ["", f"## Page `{group['path']}`", ""]
        lines += [_item(link) for link in group["links"]]
    return "\n".join(lines) + "\n"


def _n(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def _item(link: dict) -> str:
    entry = link["entry"]
    what = f"entry `{entry['id']}` ({entry['title']})" if entry else "link"
    why = f": {link['info']}" if link["info"] else ""
    return (
        f"- line {link['line']}, {what}: **{link['status']}**{why}\n"
        f"  - URL: <{link['uri']}>\n"
        f"  - archived copy: <{link['archive']}>"
    )


def write_report(outdir: Path, report: dict) -> tuple[Path, Path]:
    """Write ``broken-links.json`` and ``broken-links.md`` into ``outdir`` atomically."""
    outdir.mkdir(parents=True, exist_ok=True)
    texts = {
        outdir / "broken-links.json": json.dumps(report, ensure_ascii=False, indent=1) + "\n",
        outdir / "broken-links.md": render_markdown(report),
    }
    for path, text in texts.items():
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=outdir)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                out.write(text)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    json_path, md_path = texts
    return json_path, md_path
