"""Author names split into the parts citation formats want: family, given, particle, suffix.

Display names come from hand-typed attributions ("Chia-Yen (Chad) Chiu", "Melissa
Weber Mendonça", "Guido van Rossum", "HPC Wire"), so the split is careful rather
than clever: a name is split only when :func:`roundup_kb.names.looks_like_person`
says it reads like a person's, and otherwise kept whole as a *literal* (an
organization, a single name, a name in a script without spaces, anything odd).
The family name is the last word, as on the site's A-Z author pages, so "Melissa
Weber Mendonça" files under Mendonça; lower-case particles before it ("van",
"de la") go with the family name; "Jr.", "III" and "PhD" are suffixes.

Every split is lossless: :attr:`PersonName.display` gives back the cleaned name.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from roundup_kb.cite.featured import clean_field
from roundup_kb.names import PARTICLES, looks_like_person

#: words that end a name without being part of the family name (compared lower-cased)
SUFFIXES = frozenset({"jr", "jr.", "sr", "sr.", "ii", "iii", "iv", "phd", "ph.d."})
#: how an author list written as abbreviated ends: "et al.", "and others"
_ET_AL = re.compile(r"(?:^|,?\s+)(?:et\.?\s+al\.?|and\s+others)$", re.IGNORECASE)
_NICKNAME = re.compile(r"\s*(?:\([^)]*\)|[\"“][^\"”]*[\"”])")
_HAS_LETTER = re.compile(r"[^\W\d_]")


@dataclass(frozen=True, slots=True)
class PersonName:
    """One author, split for citation, or kept whole as ``literal``."""

    family: str = ""
    given: str = ""
    #: lower-case particles written before the family name: "van", "de la"
    particle: str = ""
    suffix: str = ""
    #: the suffix was written after a comma: "Ed Harris, Jr."
    comma_suffix: bool = False
    #: the whole name, when it is not split (organizations, single names, CJK, ...)
    literal: str = ""

    @property
    def is_literal(self) -> bool:
        return bool(self.literal)

    @property
    def display(self) -> str:
        """The name as displayed, rebuilt from its parts: the cleaned input, exactly."""
        if self.literal:
            return self.literal
        name = " ".join(p for p in (self.given, self.particle, self.family) if p)
        if self.suffix:
            name += f", {self.suffix}" if self.comma_suffix else f" {self.suffix}"
        return name

    @property
    def formal_given(self) -> str:
        """The given names without a nickname: "Chia-Yen (Chad)" → "Chia-Yen".

        Citation styles abbreviate given names to initials, and a nickname has none.
        """
        return _NICKNAME.sub("", self.given).strip() or self.given

    @property
    def inverted(self) -> str:
        """``family, given`` with particle and suffix: "van Rossum, Guido", "King, Martin, Jr."."""
        if self.literal:
            return self.literal
        family = " ".join(p for p in (self.particle, self.family) if p)
        return ", ".join(p for p in (family, self.given, self.suffix) if p)


@lru_cache(maxsize=65536)
def split_name(name: str) -> PersonName:
    """Split a display name into family, given, particle and suffix, or keep it literal."""
    text = clean_field(name)
    if not looks_like_person(text):
        return PersonName(literal=text)
    comma_suffix = False
    if "," in text:
        # the only comma a split name may hold is the one before a suffix
        head, _, tail = text.rpartition(",")
        if "," in head or tail.strip().lower() not in SUFFIXES:
            return PersonName(literal=text)
        text, comma_suffix = f"{head} {tail.strip()}", True
    words = text.split(" ")
    suffix = ""
    if len(words) >= 3 and words[-1].lower() in SUFFIXES:
        suffix = words.pop()
    elif comma_suffix:
        return PersonName(literal=clean_field(name))
    family = words.pop()
    start = len(words)
    while start > 1 and words[start - 1] in PARTICLES:
        start -= 1
    given, particle = words[:start], words[start:]
    if not given or not _HAS_LETTER.match(family) or not _HAS_LETTER.search(given[0]):
        return PersonName(literal=clean_field(name))
    return PersonName(
        family=family,
        given=" ".join(given),
        particle=" ".join(particle),
        suffix=suffix,
        comma_suffix=comma_suffix,
    )


def split_authors(authors: Iterable[str], et_al: bool = False) -> tuple[list[PersonName], bool]:
    """Split an author list; return the names and whether the list was abbreviated.

    An "et al." or "and others" written as an author, or at the end of one, is not a
    name: it sets the returned flag (as does ``et_al``) and is dropped.  Empty
    names are dropped.
    """
    names: list[PersonName] = []
    for author in authors:
        text = clean_field(author)
        stripped = _ET_AL.sub("", text).strip(" ,")
        if stripped != text:
            et_al = True
        if stripped:
            names.append(split_name(stripped))
    return names, et_al
