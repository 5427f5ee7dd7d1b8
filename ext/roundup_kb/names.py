"""Names of people and venues: clean them, tell them apart, merge variants, slug them.

Attributions in a newsletter are typed by hand over years, so the same outlet
appears as "HPC Wire", "HPCWire" and "HPCwire", and the same person with and
without a middle initial.  :class:`NameRegistry` holds the canonical spellings and
their variants (``docs/registry/names.yaml``); the heuristics here decide what is
a person when the registry does not know.  Display names keep their diacritics
(NFC); only :func:`slugify` folds them to ASCII, for permalinks.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from roundup_kb.frontmatter import parse_yaml
from roundup_kb.kept import kept
from roundup_kb.problems import Problem, RoundupError
from roundup_kb.urls import ascii_words, short_hash


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


#: words that make a name an organization, an outlet or a publication
ORG_WORDS = _words(
    """
    academy agency ai alliance analytics association bank behavior behaviour biology
    blog blogs board bulletin bureau capital cell center centre channel chemistry
    chronicle cloud code college commission committee communications community company
    computing computer conference consortium consulting cookbook corp corporation
    council daily data department dev developer developers devops digital docs
    documentation economics economist edu engineering foundation files fund gazette gmbh
    government group guardian guide handbook health herald home hospital hpc hub inc
    industries initiative insights institute institution journal knowledge lab
    laboratories laboratory labs leaders leadership letters library linux llc ltd
    magazine management manager media medical medicine ministry monthly museum network
    networks news newsletter notes observer office online open org partners patterns physics
    platform podcast post press proceedings programme program project quarterly radio
    report reports research review school science sciences scientific security service
    services society software solutions source stack studio studios summit systems team
    teams tech technologies technology times transactions tribune trust tv universidad
    universitat universite universiteit university universität université ventures
    weekly wiki wire workshop works world
    """
)

#: lower-case words that never start or fill a person's name in an attribution
STOP_WORDS = _words(
    """
    a an and at by for from how in into is it its my of on or our the this to via what
    when why with your you we
    """
)

#: lower-case name particles: "Guido van Rossum", "Ana de la Cruz"
PARTICLES = _words(
    """
    al bin da das de del della der di do dos du ibn la le st ten ter van von y
    """
)

_SUFFIXES = frozenset({"jr", "jr.", "sr", "sr.", "ii", "iii", "iv", "phd", "ph.d."})
_INITIAL = re.compile(r"^(?:[A-Z]\.){1,3}$|^[A-Z]$|^[A-Z]\.-?[A-Z]\.$")
#: inner capitals that names have: McHenry, MacLeod, DeRue, LaFleur, VanderPlas, O’Grady
_NAME_PREFIX = re.compile(r"^(?:Mc|Mac|O['’]|D['’]|De|Di|Da|Du|La|Le|Van|Vander|Von|St)(?=[A-Z])")
#: honorifics that are not part of the name
HONORIFICS = frozenset(
    {"dr", "dr.", "prof", "prof.", "professor", "mr", "mr.", "ms", "ms.", "mrs", "mrs.", "sir"}
)


@kept()
def is_name_word(word: str) -> bool:
    """A capitalized name word in any script with case: "Mendonça", "Presedo-Floyd", "O’Grady"."""
    if not word:
        return False
    for part in word.split("-"):
        rest = _NAME_PREFIX.sub("", part, count=1)
        if not rest or not rest[0].isupper() or not part[0].isupper():
            return False
        body = rest[1:].replace("'", "").replace("’", "")
        if body and not (body.isalpha() and body.islower()):
            return False
    return True


_MARKUP = re.compile(r"(\*\*|__|~~|\*|`)")
_SPACES = re.compile(r"\s+")
_INVISIBLE = re.compile("[\u200b-\u200f\u2060\ufeff]")
_UNDERSCORES = re.compile(r"(?<!\w)_+|_+(?!\w)")
_GLUED_INITIAL = re.compile(r"\b([A-Z]\.)(?=[A-Z][a-z])")
_TRAILING_BRACKETS = re.compile(r"\s*[<>]+$")


@kept()
def clean_text(text: str) -> str:
    """NFC, no emphasis markup (``*``, ``_``, ``~~``, backticks), single spaces, stripped."""
    text = unicodedata.normalize("NFC", text)
    text = text.replace("\u00a0", " ").replace("，", ", ")
    text = _INVISIBLE.sub("", text)  # zero-width and direction marks
    text = _MARKUP.sub("", text)
    if "_" in text:
        text = _UNDERSCORES.sub("", text)
    text = _GLUED_INITIAL.sub(r"\1 ", text)  # "David R.Weise"
    text = _TRAILING_BRACKETS.sub("", text)  # "Charity Majors>": a stray bracket
    return _SPACES.sub(" ", text).strip()


def _fix_case(name: str) -> str:
    """Title-case a person's name typed in all capitals or all lower case."""
    letters = [c for c in name if c.isalpha()]
    if not letters:
        return name
    if all(c.isupper() for c in letters) and len(letters) > 3 and " " in name:
        return " ".join(w if _INITIAL.match(w) else w.capitalize() for w in name.split(" "))
    if all(c.islower() for c in letters):
        return " ".join(w if w in PARTICLES else w[:1].upper() + w[1:] for w in name.split(" "))
    return name


def normalize_name(name: str, *, person: bool = False) -> str:
    """A display form of a name: clean text, no trailing punctuation, fixed case for people.

    Trailing dots stay where they belong to the name (``Inc.``, ``Jr.``, initials);
    diacritics stay (NFC).  Case is only changed for people, and only when the whole
    name is in capitals or in lower case: venues keep their styling ("eLife", "arXiv").
    """
    text = clean_text(name).strip(" ,;:|-–—")
    while text.endswith(".") and not re.search(r"(?:\b[A-Z]|\b(?:Inc|Jr|Sr|Ltd|Co|al))\.$", text):
        text = text[:-1].rstrip()
    text = (
        text.replace('"', "").replace("“", "").replace("”", "")
        if text.count('"') + text.count("“") == 2 and text[:1] in '"“'
        else text
    )
    text = text.strip("\"'“”‘’ ")
    if text.startswith("(") and text.endswith(")") and text.count("(") == 1:
        text = text[1:-1].strip()
    text = text.strip("<>[] ")
    if not person:
        # "Research Professional News ($$)": a note for the reader, not the venue's name
        text = re.sub(
            r"\s*\((?:\$+|paywall(?:ed)?|pdf|video|podcast|slides|(?:19|20)\d\d)\)$",
            "",
            text,
            flags=re.I,
        )
    if person:
        words = text.split(" ")
        while len(words) > 2 and words[0].lower() in HONORIFICS:
            words = words[1:]
        text = " ".join(words)
        # "Jonathan Dursi (me)": a lower-case aside is not part of the name; "(Chad)" is
        text = re.sub(r"\s*\([a-z][^)]*\)$", "", text)
        return _fix_case(text)
    return text


@kept()
def name_key(name: str) -> str:
    """The comparison key of a name: case, spacing, punctuation and a leading "The" ignored."""
    text = unicodedata.normalize("NFKC", clean_text(name)).casefold().replace("&", " and ")
    text = re.sub(r"^the\s+", "", text)
    return "".join(c for c in text if c.isalnum())


@kept()
def slugify(name: str) -> str:
    """A stable ``[a-z0-9-]`` slug for a permalink: "Mendonça" → ``mendonca``.

    Names with no Latin letters (e.g. CJK) get ``n-`` and a short hash, so that the
    slug is never empty and never shared by two names.
    """
    words = ascii_words(clean_text(name).replace("'", "").replace("’", ""))
    if words:
        return "-".join(words)
    return f"n-{short_hash(clean_text(name))}"


def _name_tokens(text: str) -> list[str]:
    """The words of a name with parenthesised nicknames "(Chad)" and suffixes dropped."""
    text = re.sub(r"\([^)]*\)|[\"“][^\"”]*[\"”]", " ", text)
    tokens = [t.strip(",") for t in text.split()]
    return [t for t in tokens if t and t.lower() not in _SUFFIXES]


@kept()
def looks_like_person(name: str) -> bool:
    """Heuristic: does ``name`` read like a person's name ("Chia-Yen (Chad) Chiu")?

    Two to five words, each an initial, a name particle ("van", "Di") or a
    capitalized word in any script; no digits, no organization words ("Blog",
    "Labs", "University"), no acronyms, no CamelCase brand ("HuggingFace").  A
    single word is never a person here: the attribution parser decides surname
    lists from context.
    """
    text = clean_text(name)
    if not text or re.search(r"[\d&@/:+#!?|<>]|\.(?:com|org|net|io|ai|dev)\b", text):
        return False
    tokens = _name_tokens(text)
    while tokens and tokens[0].lower() in HONORIFICS:
        tokens = tokens[1:]
    if not 2 <= len(tokens) <= 5:
        return False
    if tokens[0] in PARTICLES or _INITIAL.match(tokens[0] + tokens[-1]):
        return False  # "van Rossum" alone is a surname; "D. E." is not a name
    for token in tokens:
        if _INITIAL.match(token) or token in PARTICLES:
            continue
        low = token.lower().rstrip(".")
        if low in ORG_WORDS or low in STOP_WORDS:
            return False
        if not is_name_word(token.strip('"“”')):
            return False
    return True


@kept()
def looks_like_single_name(word: str) -> bool:
    """A single capitalized word that could be a surname ("Tazi", "Mendonça")."""
    text = clean_text(word)
    return (
        " " not in text
        and is_name_word(text)
        and text.lower() not in ORG_WORDS
        and text.lower() not in STOP_WORDS
    )


@kept()
def looks_like_organization(name: str) -> bool:
    """Heuristic: an outlet, company or institution ("AWS HPC Blog", "The New Stack", "LWN.net")."""
    text = clean_text(name)
    if not text:
        return False
    if re.match(r"^the\s+[A-Z0-9]", text, flags=re.I):
        return True
    if re.search(r"[&@/+]|\.(?:com|org|net|io|ai|dev|ca|uk|fm)\b", text):
        return True
    for token in _name_tokens(text):
        bare = token.strip(".,:;()'\"’")
        if bare.lower() in ORG_WORDS:
            return True
        if len(bare) >= 2 and bare.isupper() and bare.isalpha():
            return True  # acronym: HBR, AWS, NCSA
        if re.search(r"[a-z][A-Z]", bare) and not is_name_word(bare):
            return True  # CamelCase brand: HuggingFace, GitHub, InfoQ
        if re.search(r"\d", bare):
            return True
    return False


@dataclass(frozen=True, slots=True)
class CanonicalName:
    """One registered name and the variants written for it."""

    name: str
    aliases: tuple[str, ...] = ()


@dataclass(slots=True)
class NameRegistry:
    """Canonical people and venues, and the variants that map to them (``names.yaml``).

    Lookups compare :func:`name_key` forms, so case, spacing, punctuation and a
    leading "The" never need an alias of their own; aliases are for real variants
    ("HBR" for "Harvard Business Review").
    """

    people: tuple[CanonicalName, ...] = ()
    venues: tuple[CanonicalName, ...] = ()
    source: str | None = None
    _people: dict[str, str] = field(default_factory=dict, repr=False)
    _venues: dict[str, str] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        for table, names in ((self._people, self.people), (self._venues, self.venues)):
            for entry in names:
                for variant in (entry.name, *entry.aliases):
                    table.setdefault(name_key(variant), entry.name)

    @classmethod
    def empty(cls) -> NameRegistry:
        """A registry that knows no names: heuristics only."""
        return cls()

    @classmethod
    def from_data(cls, data: Mapping[str, Any] | None, source: str | None = None) -> NameRegistry:
        """Build from the parsed YAML mapping (``people:`` and ``venues:`` lists)."""
        data = data or {}
        if not isinstance(data, Mapping):
            raise RoundupError(
                Problem(
                    "names_registry",
                    "the names registry must be a mapping with 'people' and 'venues' lists",
                    source,
                    1,
                )
            )
        return cls(
            people=tuple(_canonical_list(data.get("people"), "people", source)),
            venues=tuple(_canonical_list(data.get("venues"), "venues", source)),
            source=source,
        )

    @classmethod
    def load(cls, path: str | Path) -> NameRegistry:
        """Read ``names.yaml``; raise :class:`RoundupError` when it is not valid."""
        text = Path(path).read_text(encoding="utf-8")
        data = parse_yaml(text, str(path), "names_registry", "names registry")
        return cls.from_data(data, str(path))

    def person(self, name: str) -> str:
        """The canonical display form of a person's name (registered, else normalized)."""
        clean = normalize_name(name, person=True)
        return self._people.get(name_key(clean), clean)

    def venue(self, name: str) -> str:
        """The canonical display form of a venue (registered, else normalized)."""
        clean = normalize_name(name)
        return self._venues.get(name_key(clean), clean)

    def is_person(self, name: str) -> bool:
        """True when ``name`` is a registered person or one of their variants."""
        return name_key(name) in self._people

    def is_venue(self, name: str) -> bool:
        """True when ``name`` is a registered venue or one of its variants."""
        return name_key(name) in self._venues


def _canonical_list(items: Any, key: str, source: str | None) -> Iterable[CanonicalName]:
    if items is None:
        return
    if not isinstance(items, list):
        raise RoundupError(
            Problem(
                "names_registry",
                f"'{key}' must be a list",
                source,
                1,
                hint=f"write '{key}:' followed by '- name' lines",
            )
        )
    for item in items:
        if isinstance(item, str):
            yield CanonicalName(item.strip())
        elif isinstance(item, Mapping) and isinstance(item.get("name"), str):
            aliases = item.get("aliases") or ()
            if isinstance(aliases, str):
                aliases = (aliases,)
            yield CanonicalName(item["name"].strip(), tuple(str(a).strip() for a in aliases))
        else:
            raise RoundupError(
                Problem(
                    "names_registry",
                    f"each item of '{key}' must be a name or a mapping with 'name' and "
                    f"'aliases', not {item!r}",
                    source,
                    1,
                    hint="write '- name: HPCwire' then '  aliases: [HPC Wire, HPCWire]'",
                )
            )
