"""RIS records for entries and issues, for reference managers (Zotero, EndNote, Mendeley).

Each line is a two-character tag, two spaces, a hyphen, a space and the value
(``TI  - Title``); a record starts with ``TY`` and ends with ``ER  - ``.  Values
are :func:`~roundup_kb.cite.featured.clean_field` text, so never hold a line
break, and are never truncated (the 255-character limit of the original
specification is one no current reader keeps).  Articles and tools are ``ELEC``
(web pages); events, calls and jobs are ``GEN`` with their details as a first
``N1`` note; an issue is ``ELEC`` with the editor as ``ED`` and the newsletter as
``T2``.  Authors are ``AU  - Family, Given[, Suffix]`` or the literal name.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping

from roundup_kb.cite.featured import (
    EDITOR,
    NEWSLETTER,
    clean_field,
    clean_url,
    entry_record,
    featured_note,
    issue_key,
    issue_title,
    issue_url,
    records,
)
from roundup_kb.cite.persons import split_authors, split_name
from roundup_kb.model import Entry, IssueMeta
from roundup_kb.permalinks import ISSUES_DIR

#: the RIS reference type of each entry kind
ENTRY_TYPES = {"article": "ELEC", "tool": "ELEC", "event": "GEN", "call": "GEN", "job": "GEN"}
#: the end-of-record line; the trailing space is part of the format
END = "ER  - "


def ris_date(date: dt.date) -> str:
    """``2021/10/01``: RIS's ``YYYY/MM/DD`` date."""
    return f"{date.year:04d}/{date.month:02d}/{date.day:02d}"


def _record(lines: list[tuple[str, str | None]]) -> str:
    out = []
    for tag, value in lines:
        text = clean_field(value)
        if text:
            out.append(f"{tag}  - {text}")
    return "\n".join([*out, END]) + "\n"


@entry_record
def entry_ris(
    entry: Entry, meta: IssueMeta, *, site_url: str | None, newsletter: str, issues_dir: str
) -> str:
    """The RIS record of one entry, with ``ID`` the entry id."""
    names, _et_al = split_authors(entry.authors, entry.et_al)
    kind = ENTRY_TYPES.get(entry.kind, "GEN")
    lines: list[tuple[str, str | None]] = [
        ("TY", kind),
        ("ID", entry.id),
        ("TI", entry.title),
        *(("AU", n.inverted) for n in names),
        ("PB", entry.venue),
        ("PY", f"{meta.date.year:04d}"),
        ("DA", ris_date(meta.date)),
        ("UR", clean_url(entry.url)),
        ("Y2", ris_date(meta.date) if clean_url(entry.url) else None),
    ]
    if kind == "GEN":
        lines.append(("N1", entry.details))
    lines.append(
        (
            "N1",
            featured_note(
                entry, meta, site_url=site_url, newsletter=newsletter, issues_dir=issues_dir
            ),
        )
    )
    return _record(lines)


def issue_ris(
    meta: IssueMeta,
    *,
    site_url: str | None,
    editor: str = EDITOR,
    newsletter: str = NEWSLETTER,
    issues_dir: str = ISSUES_DIR,
) -> str:
    """The RIS record of one issue, with ``ID`` the issue key (``rct-issue-94``)."""
    return _record(
        [
            ("TY", "ELEC"),
            ("ID", issue_key(meta.number, newsletter)),
            ("TI", issue_title(meta, newsletter)),
            ("ED", split_name(editor).inverted if clean_field(editor) else None),
            ("T2", newsletter),
            ("IS", str(meta.number)),
            ("PY", f"{meta.date.year:04d}"),
            ("DA", ris_date(meta.date)),
            ("UR", issue_url(meta.number, site_url, issues_dir)),
        ]
    )


def ris_file(
    entries: Iterable[Entry],
    issues: Iterable[IssueMeta] | Mapping[int, IssueMeta] = (),
    *,
    site_url: str | None,
    editor: str = EDITOR,
    newsletter: str = NEWSLETTER,
    issues_dir: str = ISSUES_DIR,
) -> str:
    """A ``.ris`` file, records in the order of :func:`~roundup_kb.cite.bibtex.bibliography`."""
    out = records(
        entries,
        issues,
        issue_ris,
        entry_ris,
        site_url=site_url,
        editor=editor,
        newsletter=newsletter,
        issues_dir=issues_dir,
    )
    return "\n".join(out)
