"""Where things live in the built site: the one place that decides permalinks.

Permalinks must never break, so every page path and anchor the site and the
exports use is computed here from stable keys (issue numbers, entry ids, topic,
author and venue slugs).  Docnames have no suffix; the HTML path is the docname
plus ``.html``.
"""

from __future__ import annotations

import re
import string

from roundup_kb.kept import kept
from roundup_kb.names import slugify

ISSUES_DIR = "issues"
TOPICS_DIR = "docs/topics"
AUTHORS_DIR = "docs/authors"
VENUES_DIR = "docs/venues"
#: where the build writes the generated pages' sources (edits there are overwritten)
GENERATED_DIRS = (TOPICS_DIR, AUTHORS_DIR, VENUES_DIR)
GLOSSARY_DOC = "docs/topics/glossary"
#: the letter page for names that do not start with a-z after ASCII folding
OTHER = "other"
LETTERS = (*string.ascii_lowercase, OTHER)


def issue_docname(number: int, issues_dir: str = ISSUES_DIR) -> str:
    return f"{issues_dir}/{number:04d}"


def topic_docname(slug: str) -> str:
    return f"{TOPICS_DIR}/{slug}"


def letter_of(slug: str) -> str:
    """The A-Z page a name's slug is listed on."""
    first = slug[:1]
    return first if first in string.ascii_lowercase else OTHER


_SUFFIX = re.compile(r"(?:,?\s+(?:jr\.?|sr\.?|ii|iii|iv|phd|ph\.d\.|et al\.?))+$", re.IGNORECASE)


@kept()  # asked again for each name's place on its A-Z page
def family_name(name: str) -> str:
    """The part of a person's name an A-Z index files them under: the last word."""
    words = _SUFFIX.sub("", name.strip()).split()
    return words[-1] if words else name


@kept()
def sort_name(name: str) -> str:
    """The slug of ``name`` with a leading "The" dropped: how a venue is filed."""
    return slugify(re.sub(r"^the\s+", "", name.strip(), flags=re.IGNORECASE))


@kept()
def person_letter(name: str) -> str:
    return letter_of(slugify(family_name(name)))


@kept()
def venue_letter(name: str) -> str:
    return letter_of(sort_name(name))


def author_docname(name: str) -> str:
    """The A-Z page of a person, by family name."""
    return f"{AUTHORS_DIR}/{person_letter(name)}"


def venue_docname(name: str) -> str:
    """The A-Z page of a venue, ignoring a leading "The"."""
    return f"{VENUES_DIR}/{venue_letter(name)}"


def anchor_for_person(slug: str) -> str:
    """HTML id of an author on their letter page."""
    return f"author-{slug}"


def anchor_for_venue(slug: str) -> str:
    return f"venue-{slug}"


def entry_permalink(number: int, entry_id: str, issues_dir: str = ISSUES_DIR) -> str:
    """Relative URL of an entry from the site root."""
    return f"{issue_docname(number, issues_dir)}.html#{entry_id}"
