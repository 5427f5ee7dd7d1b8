"""CSL-JSON items for entries and issues: the input of citeproc-js, citeproc-py, Zotero, pandoc.

An item holds ``id`` (the entry id), ``type``, ``title``, ``author``,
``container-title`` (the venue), ``issued`` and ``accessed`` (the issue date, as
``date-parts``), ``URL`` and ``note`` (where the newsletter featured it, after
the event/call/job details when there are any).  Keys with no value are left
out.  Types: articles are ``webpage`` (the newsletter links pages; whether a page
is a blog post, a magazine article or a paper is not recorded), tools
``software``, events ``event`` and calls and jobs ``webpage``.

Names are ``{"family", "given"}`` with ``non-dropping-particle`` ("van") and
``suffix`` (with ``comma-suffix``) when present, or ``{"literal"}`` for a name
kept whole (:mod:`roundup_kb.cite.persons`).  CSL-JSON has no way to say "et
al.", so an abbreviated author list is given as far as it was written.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from roundup_kb.cite.featured import (
    EDITOR,
    NEWSLETTER,
    clean_field,
    clean_url,
    featured_note,
    issue_key,
    issue_meta_for,
    issue_title,
    issue_url,
    records,
)
from roundup_kb.cite.persons import PersonName, split_authors, split_name
from roundup_kb.model import Entry, IssueMeta
from roundup_kb.permalinks import ISSUES_DIR

#: the CSL item type of each entry kind
ENTRY_TYPES = {
    "article": "webpage",
    "tool": "software",
    "event": "event",
    "call": "webpage",
    "job": "webpage",
}


def csl_name(person: PersonName, *, formal: bool = False) -> dict[str, Any]:
    """One CSL name object.

    ``formal`` is for rendering: it leaves a nickname out of the given names, and
    leaves out ``comma-suffix``, which citeproc-py does not know.
    """
    if person.is_literal:
        return {"literal": person.literal}
    name: dict[str, Any] = {"family": person.family}
    given = person.formal_given if formal else person.given
    if given:
        name["given"] = given
    if person.particle:
        name["non-dropping-particle"] = person.particle
    if person.suffix:
        name["suffix"] = person.suffix
        if person.comma_suffix and not formal:
            name["comma-suffix"] = True
    return name


def _date(date: dt.date) -> dict[str, Any]:
    return {"date-parts": [[date.year, date.month, date.day]]}


def _item(fields: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in fields.items() if value not in (None, "", [])}


def entry_csl(
    entry: Entry,
    *,
    site_url: str | None,
    issue_meta: IssueMeta | None = None,
    newsletter: str = NEWSLETTER,
    issues_dir: str = ISSUES_DIR,
    formal_names: bool = False,
) -> dict[str, Any]:
    """The CSL-JSON item of one entry.

    ``formal_names`` drops nicknames from given names ("Chia-Yen (Chad)" →
    "Chia-Yen"), for styles that abbreviate given names to initials (see
    :func:`csl_name`).
    """
    meta = issue_meta_for(entry, issue_meta)
    names, _et_al = split_authors(entry.authors, entry.et_al)
    note = featured_note(
        entry, meta, site_url=site_url, newsletter=newsletter, issues_dir=issues_dir
    )
    details = clean_field(entry.details)
    url = clean_url(entry.url)
    return _item(
        {
            "id": entry.id,
            "type": ENTRY_TYPES.get(entry.kind, "webpage"),
            "title": clean_field(entry.title),
            "author": [csl_name(n, formal=formal_names) for n in names],
            "container-title": clean_field(entry.venue),
            "issued": _date(meta.date),
            "accessed": _date(meta.date) if url else None,
            "URL": url,
            "note": f"{details}; {note}" if details else note,
        }
    )


def issue_csl(
    meta: IssueMeta,
    *,
    site_url: str | None,
    editor: str = EDITOR,
    newsletter: str = NEWSLETTER,
    issues_dir: str = ISSUES_DIR,
) -> dict[str, Any]:
    """The CSL-JSON item of one issue (``webpage``, edited, in the newsletter as container)."""
    return _item(
        {
            "id": issue_key(meta.number, newsletter),
            "type": "webpage",
            "title": issue_title(meta, newsletter),
            "editor": [csl_name(split_name(editor))] if clean_field(editor) else [],
            "container-title": clean_field(newsletter),
            "issue": meta.number,
            "issued": _date(meta.date),
            "URL": issue_url(meta.number, site_url, issues_dir),
        }
    )


def csl_items(
    entries: Iterable[Entry],
    issues: Iterable[IssueMeta] | Mapping[int, IssueMeta] = (),
    *,
    site_url: str | None,
    editor: str = EDITOR,
    newsletter: str = NEWSLETTER,
    issues_dir: str = ISSUES_DIR,
) -> list[dict[str, Any]]:
    """A CSL-JSON document (a list of items), in the order of the BibTeX bibliography."""
    items = records(
        entries,
        issues,
        issue_csl,
        entry_csl,
        site_url=site_url,
        editor=editor,
        newsletter=newsletter,
        issues_dir=issues_dir,
    )
    return items
