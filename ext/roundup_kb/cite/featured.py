"""What every citation format says about the newsletter: notes, titles, keys, dates, text.

A link item is cited as the thing it links to, with a note saying where the
newsletter featured it.  The note, the issue's title and key, the English dates
and the cleaning of field text are decided here once, so that BibTeX, RIS and
CSL-JSON say the same thing.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import replace
from functools import lru_cache
from typing import TypeVar

from roundup_kb.model import Entry, IssueMeta
from roundup_kb.permalinks import ISSUES_DIR, entry_permalink, issue_docname
from roundup_kb.urls import ascii_words

R = TypeVar("R")

#: the newsletter cited as the place an entry was featured
NEWSLETTER = "Research Computing Teams"
#: the newsletter's editor, cited as the editor of each issue
EDITOR = "Jonathan Dursi"

#: English month names, independent of the locale the build runs in
MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def clean_field(text: str | None) -> str:
    """Field text as every format writes it: one line, single spaces, no control characters.

    Runs of whitespace (any Unicode whitespace, newlines included) become one space
    and the ends are stripped; other control characters (category ``Cc``) are
    dropped.  Everything else, Unicode included, is kept as is.  This is the text
    the round-trip guarantees of the formats are stated against.
    """
    if not text:
        return ""
    words = text.split()
    if _CONTROL.search(text):
        words = [_CONTROL.sub("", w) for w in words]
    return " ".join(w for w in words if w)


#: Unicode category ``Cc``, exactly: C0 controls, DEL and C1 controls
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")


_URL_UNSAFE = re.compile(r"[\s{}\\\x00-\x1f\x7f]")


def clean_url(url: str | None) -> str:
    """The URL as every format writes it: stripped, with whitespace, control characters,
    braces and backslashes percent-encoded (none may appear raw in a URL, nor the last
    three in a BibTeX field).  Everything else, ``%``, ``#`` and non-ASCII included, is
    kept as is.
    """
    return _URL_UNSAFE.sub(
        lambda m: "".join(f"%{b:02X}" for b in m.group().encode()), (url or "").strip()
    )


def long_date(date: dt.date) -> str:
    """``1 October 2021``, in English whatever the locale."""
    return f"{date.day} {MONTHS[date.month - 1]} {date.year}"


def issue_meta_for(entry: Entry, issue_meta: IssueMeta | None) -> IssueMeta:
    """The issue an entry was featured in: the given front matter, or one made from the entry.

    The entry carries its issue number and date, which is all a citation needs, so
    callers without the front matter at hand may pass ``None``.
    """
    if issue_meta is None:
        return IssueMeta(number=entry.issue, title=f"#{entry.issue}", date=entry.date)
    if issue_meta.number != entry.issue:
        raise ValueError(
            f"entry {entry.id!r} is in issue {entry.issue}, not issue {issue_meta.number}"
        )
    return issue_meta


def entry_record(make: Callable[..., str]) -> Callable[..., str]:
    """``make(entry, meta, *, site_url, newsletter, issues_dir)`` as an entry's record:
    ``record(entry, *, site_url, issue_meta=None, newsletter=..., issues_dir=...)``.

    A record shows only the issue's number (the entry's own) and date, so records are
    made once per entry and date (a pure function of frozen values): a build writes
    each into its issue's cite panel, the whole-site file and its topic's file, the
    last made without the issues' front matter at hand.
    """

    @lru_cache(maxsize=1 << 16)
    def cached(
        entry: Entry, date: dt.date, site_url: str | None, newsletter: str, issues_dir: str
    ) -> str:
        meta = replace(issue_meta_for(entry, None), date=date)
        return make(entry, meta, site_url=site_url, newsletter=newsletter, issues_dir=issues_dir)

    def record(
        entry: Entry,
        *,
        site_url: str | None,
        issue_meta: IssueMeta | None = None,
        newsletter: str = NEWSLETTER,
        issues_dir: str = ISSUES_DIR,
    ) -> str:
        meta = issue_meta_for(entry, issue_meta)
        return cached(entry, meta.date, site_url, newsletter, issues_dir)

    record.__name__, record.__qualname__ = make.__name__, make.__qualname__
    record.__doc__, record.__module__ = make.__doc__, make.__module__
    return record


def _join(site_url: str | None, path: str) -> str:
    return f"{site_url.rstrip('/')}/{path}" if site_url else path


def issue_url(number: int, site_url: str | None, issues_dir: str = ISSUES_DIR) -> str:
    """The issue page's URL: absolute under ``site_url``, else relative to the site root."""
    return _join(site_url, f"{issue_docname(number, issues_dir)}.html")


def entry_url(entry: Entry, site_url: str | None, issues_dir: str = ISSUES_DIR) -> str:
    """The entry's permalink on the site: absolute under ``site_url``, else relative."""
    return _join(site_url, entry_permalink(entry.issue, entry.id, issues_dir))


def featured_note(
    entry: Entry,
    meta: IssueMeta,
    *,
    site_url: str | None,
    newsletter: str = NEWSLETTER,
    issues_dir: str = ISSUES_DIR,
) -> str:
    """``Featured in Research Computing Teams #94, 1 October 2021, <permalink>``.

    Without a ``site_url`` the permalink is left out: a relative link means nothing
    in someone else's bibliography.
    """
    note = f"Featured in {clean_field(newsletter)} #{meta.number}, {long_date(meta.date)}"
    return f"{note}, {entry_url(entry, site_url, issues_dir)}" if site_url else note


def issue_title(meta: IssueMeta, newsletter: str = NEWSLETTER) -> str:
    """``Research Computing Teams #94: <subtitle>``, or without the subtitle when there is none."""
    title = f"{clean_field(newsletter)} #{meta.number}"
    subtitle = clean_field(meta.subtitle)
    return f"{title}: {subtitle}" if subtitle else title


def issue_key(number: int, newsletter: str = NEWSLETTER) -> str:
    """The citation key of an issue: ``rct-issue-94`` (the newsletter's initials).

    Entry ids never contain ``-issue-`` after an initials prefix, and they are
    unique among themselves, so issue keys never collide with entry keys.
    """
    initials = "".join(word[0] for word in ascii_words(newsletter)) or "newsletter"
    return f"{initials}-issue-{number}"


def issue_groups(
    entries: Iterable[Entry], issues: Iterable[IssueMeta] | Mapping[int, IssueMeta] = ()
) -> Iterator[tuple[IssueMeta, bool, list[Entry]]]:
    """Entries grouped by issue, in a deterministic order, for whole-file exports.

    Yields ``(meta, known, entries)`` by ascending issue number, entries sorted by
    source line then id.  ``known`` is false when no front matter was given for an
    issue that entries refer to (its meta is then made from the entries, and the
    exports write no record for the issue itself).  Raises :class:`ValueError` on
    two entries with one id: their keys would clash in every format.
    """
    metas = dict(issues) if isinstance(issues, Mapping) else {m.number: m for m in issues}
    by_issue: dict[int, list[Entry]] = {}
    seen: set[str] = set()
    for entry in entries:
        if entry.id in seen:
            raise ValueError(f"two entries have the id {entry.id!r}: citation keys must be unique")
        seen.add(entry.id)
        by_issue.setdefault(entry.issue, []).append(entry)
    for number in sorted(set(metas) | set(by_issue)):
        group = sorted(by_issue.get(number, ()), key=lambda e: (e.line, e.id))
        if number in metas:
            yield metas[number], True, group
        else:
            yield issue_meta_for(group[0], None), False, group


def records(
    entries: Iterable[Entry],
    issues: Iterable[IssueMeta] | Mapping[int, IssueMeta],
    issue_record: Callable[..., R],
    entry_record: Callable[..., R],
    *,
    site_url: str | None,
    editor: str,
    newsletter: str,
    issues_dir: str,
) -> list[R]:
    """Every record of a whole-file export, in :func:`issue_groups` order.

    ``issue_record(meta, **settings)`` makes an issue's record (written only for
    issues with known front matter) and ``entry_record(entry, issue_meta=meta,
    **settings)`` each entry's, where the settings are the keyword arguments.
    """
    out: list[R] = []
    for meta, known, group in issue_groups(entries, issues):
        if known:
            out.append(
                issue_record(
                    meta,
                    site_url=site_url,
                    editor=editor,
                    newsletter=newsletter,
                    issues_dir=issues_dir,
                )
            )
        out += [
            entry_record(
                e, site_url=site_url, issue_meta=meta, newsletter=newsletter, issues_dir=issues_dir
            )
            for e in group
        ]
    return out
