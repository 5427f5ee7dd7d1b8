r"""BibTeX records for entries and issues, readable by BibTeX, biber and pybtex.

Articles and tools are ``@online`` (biblatex; classic styles treat an unknown
type as ``@misc``); events, calls and jobs are ``@misc`` with their dates, place
and cost in ``howpublished``; an issue is a ``@misc`` with the newsletter's
editor.  The key is the entry id.  Fields:

``title``
    escaped (:mod:`roundup_kb.cite.latex`) and wrapped in an extra pair of braces
    so that styles never change its case ("HPC" stays "HPC"); the URL when the
    entry has no title.
``author``
    names joined with ``and``: a split name as ``von Last, Jr, First``
    (:mod:`roundup_kb.cite.persons`), its given names in one brace group when they
    are not all plain words (the nickname in "Chia-Yen (Chad)"); a literal name
    (organization, single name, CJK, a suffix after a comma, any TeX special or
    the word "and" or "others") as one brace group, which BibTeX treats as a last
    name it never splits.  An abbreviated list ends ``and others``.  No author, no
    field.
``organization``
    the venue, always (simple and predictable: a journal is cited as the
    organization that published the page the newsletter linked to).
``year``, ``month``
    of the issue; the month as the standard macro (``oct``), which BibTeX
    styles print as a name and biber reads as a number.
``url``
    :func:`~roundup_kb.cite.featured.clean_url`: as given, except that the
    characters that cannot appear raw in a URL or a BibTeX field (braces,
    backslash, whitespace, controls) are percent-encoded; read back exactly.
``urldate``
    the issue date: the newsletter linked to the page, live, on that day.
``note``
    "Featured in Research Computing Teams \#94, 1 October 2021, <permalink>".

What round-trips: parse the output with pybtex; for every text field,
``latex_to_text(field) == clean_field(original)``; for every author, the parts of
the pybtex ``Person`` (first, middle, prelast, last, lineage), decoded and joined
with spaces, give back ``clean_field(name)`` (a name whose suffix follows a comma
is written literal, so this holds for it too).  Real BibTeX reads the same
(``tests/test_cite.py`` runs it when installed).  Long values are wrapped at
spaces, and name lists between names, to lines of 79 characters where words
allow: BibTeX reads a line break as a space.
"""

from __future__ import annotations

import re
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
from roundup_kb.cite.latex import latex_escape
from roundup_kb.cite.persons import PersonName, split_authors, split_name
from roundup_kb.model import Entry, IssueMeta
from roundup_kb.permalinks import ISSUES_DIR

MONTH_MACROS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
#: the BibTeX entry type of each entry kind
ENTRY_TYPES = {
    "article": "online",
    "tool": "online",
    "event": "misc",
    "call": "misc",
    "job": "misc",
}
#: characters BibTeX keys cannot hold: whitespace, braces, comma, quote, #, %, ', (, ), =, \, ~
_KEY = re.compile(r"^[^\s{}(),\"#%'=\\~]+$")
#: a name word that can stand unprotected in a split name
_PLAIN_WORD = re.compile(r"^[^\W\d_][\w.'’-]*$")
_WIDTH = 79
_INDENT = "    "


def _check_key(key: str) -> str:
    if not _KEY.match(key):
        raise ValueError(f"{key!r} cannot be a BibTeX key")
    return key


def _plain(words: str) -> bool:
    return all(_PLAIN_WORD.match(w) and w.lower() not in ("and", "others") for w in words.split())


def bibtex_name(person: PersonName) -> str:
    """One name as BibTeX writes it in an ``author`` or ``editor`` list."""
    if person.is_literal or person.comma_suffix:
        return "{" + latex_escape(person.display) + "}"
    von_last = " ".join(p for p in (person.particle, person.family) if p)
    if not (_plain(von_last) and _plain(person.suffix)):
        return "{" + latex_escape(person.display) + "}"
    given = person.given
    if not _plain(given):
        given = "{" + latex_escape(given) + "}"  # "{Chia-Yen (Chad)}": one first name
    return ", ".join(p for p in (von_last, person.suffix, given) if p)


def bibtex_names(authors: Iterable[str], et_al: bool = False) -> list[str]:
    """The names of an ``author`` list, with ``others`` last when the list was abbreviated."""
    names, et_al = split_authors(authors, et_al)
    parts = [bibtex_name(n) for n in names]
    if et_al and parts:
        parts.append("others")
    return parts


#: a field value as the pieces a line may be broken between; joined with spaces they
#: are the value.  BibTeX reads a line break as a space, and field text has single
#: spaces only, so wrapping changes nothing.
Chunks = list[str]


def _braced(value: str | None, *, protect: bool = False) -> Chunks:
    """Escaped text in braces (two pairs with ``protect``), as words; nothing when empty."""
    text = clean_field(value)
    if not text:
        return []
    open_, close = ("{{", "}}") if protect else ("{", "}")
    return f"{open_}{latex_escape(text)}{close}".split(" ")


def _name_list(names: list[str]) -> Chunks:
    """A name list in braces, broken only between names."""
    if not names:
        return []
    chunks = [f"{name} and" for name in names[:-1]] + [names[-1]]
    chunks[0] = "{" + chunks[0]
    chunks[-1] += "}"
    return chunks


def _field(name: str, chunks: Chunks) -> str:
    line, lines, fresh = f"  {name} = ", [], True
    for chunk in chunks:
        if not fresh and len(line) + len(chunk) + 2 > _WIDTH:
            lines.append(line)
            line, fresh = _INDENT, True
        line += chunk if fresh else f" {chunk}"
        fresh = False
    return "\n".join([*lines, line + ","])


def _record(entry_type: str, key: str, fields: list[tuple[str, Chunks]]) -> str:
    body = [_field(name, chunks) for name, chunks in fields if chunks]
    return "\n".join([f"@{entry_type}{{{_check_key(key)},", *body, "}"]) + "\n"


def _date_fields(meta: IssueMeta) -> list[tuple[str, Chunks]]:
    return [("year", [f"{{{meta.date.year}}}"]), ("month", [MONTH_MACROS[meta.date.month - 1]])]


@entry_record
def entry_bibtex(
    entry: Entry, meta: IssueMeta, *, site_url: str | None, newsletter: str, issues_dir: str
) -> str:
    """The BibTeX record of one entry, keyed by its id (see the module docs for the fields)."""
    url = clean_url(entry.url)
    entry_type = ENTRY_TYPES.get(entry.kind, "misc")
    note = featured_note(
        entry, meta, site_url=site_url, newsletter=newsletter, issues_dir=issues_dir
    )
    fields = [
        ("title", _braced(clean_field(entry.title) or url, protect=True)),
        ("author", _name_list(bibtex_names(entry.authors, entry.et_al))),
        ("organization", _braced(entry.venue)),
        ("howpublished", _braced(entry.details) if entry_type == "misc" else []),
        *_date_fields(meta),
        ("url", [f"{{{url}}}"] if url else []),  # one chunk: never broken
        ("urldate", [f"{{{meta.date.isoformat()}}}"] if url else []),
        ("note", _braced(note)),
    ]
    return _record(entry_type, entry.id, fields)


def issue_bibtex(
    meta: IssueMeta,
    *,
    site_url: str | None,
    editor: str = EDITOR,
    newsletter: str = NEWSLETTER,
    issues_dir: str = ISSUES_DIR,
) -> str:
    """The ``@misc`` record of one issue, keyed ``rct-issue-94``, with the newsletter's editor."""
    editors = [bibtex_name(split_name(editor))] if clean_field(editor) else []
    url = clean_url(issue_url(meta.number, site_url, issues_dir))
    fields = [
        ("editor", _name_list(editors)),
        ("title", _braced(issue_title(meta, newsletter), protect=True)),
        ("organization", _braced(newsletter)),
        ("number", [f"{{{meta.number}}}"]),
        *_date_fields(meta),
        ("url", [f"{{{url}}}"]),
    ]
    return _record("misc", issue_key(meta.number, newsletter), fields)


def bibliography(
    entries: Iterable[Entry],
    issues: Iterable[IssueMeta] | Mapping[int, IssueMeta] = (),
    *,
    site_url: str | None,
    editor: str = EDITOR,
    newsletter: str = NEWSLETTER,
    issues_dir: str = ISSUES_DIR,
) -> str:
    """A ``.bib`` file: each issue's record, then its entries; issues by number, entries by line.

    Issues are written only for the front matter given in ``issues``.  The output
    depends only on the arguments' contents, never on their order.
    """
    out = records(
        entries,
        issues,
        issue_bibtex,
        entry_bibtex,
        site_url=site_url,
        editor=editor,
        newsletter=newsletter,
        issues_dir=issues_dir,
    )
    return "\n".join(out)
