"""What a cite panel shows, for one issue and its entries, as one JSON document.

The site writes one such document per issue (``cite/94.json``); a page's cite
buttons fetch it on demand, so thousands of entries add a button each to the
pages and nothing more.  Every record holds the four formats the panel offers:
BibTeX and RIS (text), CSL-JSON (a list of one item, which the panel shows as
JSON indented by two spaces: formatting it in the browser costs nothing, where
``json.dumps(indent=2)`` took a third of the time of making the documents) and a
formatted reference (plain text and HTML).
"""

from __future__ import annotations

import html as html_lib
from collections.abc import Iterable
from typing import Any

from roundup_kb.cite.bibtex import entry_bibtex, issue_bibtex
from roundup_kb.cite.csl import entry_csl, issue_csl
from roundup_kb.cite.featured import (
    EDITOR,
    MONTHS,
    NEWSLETTER,
    clean_field,
    issue_key,
    issue_title,
    issue_url,
)
from roundup_kb.cite.persons import split_name
from roundup_kb.cite.reference import BUILTIN, formatted_references
from roundup_kb.cite.reference import _apa_name as apa_name
from roundup_kb.cite.ris import entry_ris, issue_ris
from roundup_kb.model import Entry, IssueMeta
from roundup_kb.permalinks import ISSUES_DIR

#: bump when the document's shape changes
PANEL_VERSION = 2


def panel_path(number: int) -> str:
    """Where an issue's cite document lives, relative to the site root."""
    return f"cite/{number}.json"


def issue_reference(
    meta: IssueMeta,
    *,
    site_url: str | None,
    editor: str = EDITOR,
    newsletter: str = NEWSLETTER,
    issues_dir: str = ISSUES_DIR,
    html: bool = False,
) -> str:
    """The issue's reference in the built-in style of the entries' references.

    ``Dursi, J. (Ed.). (2021, October 1). Research Computing Teams #94. URL``
    """
    esc = html_lib.escape if html else str
    date = meta.date
    parts = []
    if clean_field(editor):
        parts.append(esc(f"{apa_name(split_name(editor))} (Ed.)."))
    parts.append(f"({date.year}, {MONTHS[date.month - 1]} {date.day}).")
    title = esc(issue_title(meta, newsletter) + ".")
    parts.append(f"<i>{title}</i>" if html else title)
    url = issue_url(meta.number, site_url, issues_dir)
    if site_url:
        parts.append(f'<a href="{esc(url)}">{esc(url)}</a>' if html else url)
    return " ".join(parts)


def _record(key: str, bibtex: str, ris: str, csl: dict[str, Any], text: str, html: str) -> dict:
    return {
        "key": key,
        "bibtex": bibtex,
        "ris": ris,
        "csl": [csl],
        "reference": text,
        "reference_html": html,
    }


def issue_panel(
    meta: IssueMeta,
    entries: Iterable[Entry],
    *,
    site_url: str | None,
    style: str = BUILTIN,
    editor: str = EDITOR,
    newsletter: str = NEWSLETTER,
    issues_dir: str = ISSUES_DIR,
) -> dict[str, Any]:
    """The cite document of one issue: ``{"version", "issue": record, "entries": {id: record}}``.

    ``style`` names the formatted reference's style (see
    :func:`~roundup_kb.cite.reference.formatted_reference`).
    """
    settings = {"site_url": site_url, "newsletter": newsletter, "issues_dir": issues_dir}
    issue = _record(
        issue_key(meta.number, newsletter),
        issue_bibtex(meta, editor=editor, **settings),
        issue_ris(meta, editor=editor, **settings),
        issue_csl(meta, editor=editor, **settings),
        issue_reference(meta, editor=editor, **settings),
        issue_reference(meta, editor=editor, html=True, **settings),
    )
    records = {}
    for entry in sorted(entries, key=lambda e: (e.line, e.id)):
        records[entry.id] = _record(
            entry.id,
            entry_bibtex(entry, issue_meta=meta, **settings),
            entry_ris(entry, issue_meta=meta, **settings),
            entry_csl(entry, issue_meta=meta, **settings),
            *formatted_references(entry, meta, style, **settings),
        )
    return {"version": PANEL_VERSION, "issue": issue, "entries": records}
