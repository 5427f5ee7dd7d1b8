"""Attribution tails: who wrote a linked item, where it appeared, and when and where an event is.

The text after a link item's link, as written over five years of issues::

    - Chia-Yen (Chad) Chiu, Jennifer D. Nahrgang, and Paul Tesluk, HBR   authors + venue
    , The New Stack                                                    venue only
    - Tazi, Mom, Zhao, and Wolf, HuggingFace                           surname list
    - Huntington-Klein et al, SSRN 5152665                             et al.
    - 11-15 Oct, $75 Virtual, $150-1,650 on site (Los Angeles)         event details
    - 6-8 October, Philadelphia PA USA, Papers due 2 May               call details
    - Lawrence Berkeley National Lab, Berkeley, CA                     job: employer, place
    - a sql-in-the-browser version of JSFiddle                         prose: no attribution

:func:`parse_attribution` splits the tail at top-level commas, then reads the
pieces left to right: people first (:func:`~roundup_kb.names.looks_like_person`,
surname lists, "and"/"&" joins, *et al.*), then the venue (everything after the
people); dates, deadlines, costs and places go to ``details``.  The names
registry settles what the heuristics cannot ("Ars Technica" is a venue).

A stray comma inside a name, as in "Melissa Weber, Mendonça, Tony Fast", is
repaired: a lone capitalized word between two full names is joined to the name
before it ("Melissa Weber Mendonça").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from roundup_kb.names import (
    PARTICLES,
    STOP_WORDS,
    NameRegistry,
    clean_text,
    looks_like_organization,
    looks_like_person,
    looks_like_single_name,
)


@dataclass(frozen=True, slots=True)
class Attribution:
    """What an attribution tail says about its link."""

    authors: tuple[str, ...] = ()
    venue: str | None = None
    #: dates, places, costs and deadlines (events, calls), or a job's place
    details: str | None = None
    kind: str = "article"
    #: False when the tail reads as none of attribution, details or prose
    classified: bool = True
    #: the authors were abbreviated with "et al."
    et_al: bool = False
    #: the tail is prose about the link ("is a language for ..."), not an attribution
    prose: bool = False


_MONTH = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|"
    r"Sept?(?:ember)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
)
_DAY = r"\d{1,3}(?:st|nd|rd|th)?"
_DATE = re.compile(
    rf"\b{_DAY}(?:\s*[-–—/&]\s*{_DAY})?(?:\s+{_MONTH})?\s*[-–—]\s*{_DAY}\s+{_MONTH}\b"
    rf"|\b{_DAY}(?:\s*[-–—&]\s*{_DAY})?\s+{_MONTH}(?!\w)"
    rf"|\b{_MONTH}\s+{_DAY}(?:\s*[-–—&]\s*{_DAY})?\b"
    r"|\b(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)days?\b"
    rf"|\b(?:Mon|Tue|Tues|Wed|Thu|Thur|Thurs|Fri|Sat|Sun)\.?,?\s+(?:\d|{_MONTH})"
    r"|\b(?:TBD|TBA|anytime|ongoing|self-paced|on-demand|monthly|weekly|daily)\b"
    r"|\b\d{1,2}(?::\d\d)?\s*(?:am|pm)\b|\b\d{1,2}:\d\d\b",
    re.IGNORECASE,
)
_COST = re.compile(r"[$€£¥]\s*\d|\b\d+\s*(?:USD|EUR|GBP|CAD|AUD)\b|\bfree\b|\bno cost\b", re.I)
_PLACE = re.compile(
    r"\b(?:virtual(?:ly)?|online|on[- ]?site|in[- ]person|hybrid|remote|webinar|zoom)\b", re.I
)
_DEADLINE = re.compile(
    r"\b(?:due|deadline|deadlines|submissions?|abstracts?|proposals?|applications?|"
    r"registration|register|cfp|closes?|until|by\s+\d)\b",
    re.I,
)
_CALL = re.compile(r"\b(?:due|deadline|cfp|call\s+for|submissions?|abstracts?|proposals?)\b", re.I)
_CALL_TITLE = re.compile(
    r"\b(?:call\s+for|cfp|request\s+for\s+(?:proposals|comments|information))\b", re.I
)
_ET_AL = re.compile(r"^(?P<name>.*?)[\s,]*\bet\.?\s*al\.?,?\s*(?P<rest>.*)$", re.I)
_SEPARATOR = re.compile(r"^(?:-{1,3}|[–—|,])\s*")
_BY = re.compile(r"^by\s+(?=[A-Z])", re.I)
_AND = re.compile(r"\s+(?:and|&|with)\s+|\s*&\s*")
_LEADING_AND = re.compile(r"^(?:and|&)\s+", re.I)
#: first words of a sentence about the link ("is a language for ...")
_PROSE_START = frozenset(
    (
        "a",
        "an",
        "and",
        "are",
        "as",
        "but",
        "for",
        "from",
        "here",
        "in",
        "is",
        "it",
        "its",
        "or",
        "that",
        "this",
        "these",
        "those",
        "was",
        "we",
        "which",
        "who",
        "with",
    )
)
_ON_PLATFORM = re.compile(
    r"^(?P<who>@?[\w.'’ -]+?)\s+on\s+(?:the\s+)?(?P<platform>Twitter|X|Mastodon|Bluesky|"
    r"LinkedIn|YouTube|GitHub|Medium|Substack|Reddit|Hacker News|Fediverse)$",
    re.I,
)
_ROLE_BY = re.compile(
    r"^(?:curated|organi[sz]ed|edited|written|hosted|presented|compiled|maintained|run|led)\s+by\s+",
    re.I,
)
_EDITOR = re.compile(r"^\(?\s*eds?\.?\s*\)?$", re.I)
#: "by Andrew Helwer of Microsoft Research is a really nice introduction": a name, an
#: optional affiliation, then prose
_BY_NAME = re.compile(
    r"^(?P<name>(?:[A-Z][\w.'’-]*\s+){1,3}[A-Z][\w'’-]*)"
    r"(?:\s+(?:of|at|from)\s+(?P<org>(?:the\s+)?(?:[A-Z][\w&.'’-]*\s*){1,5}))?"
)
_PAREN_TAG = re.compile(r"^\(([^()]{1,24})\)\s*")


def split_elements(text: str) -> list[str]:
    """Split at commas and semicolons outside parentheses; empty pieces are dropped."""
    pieces: list[str] = []
    depth = 0
    current: list[str] = []
    for index, char in enumerate(text):
        if char in "([":
            depth += 1
        elif char in ")]" and depth:
            depth -= 1
        # "$150-1,650": a comma between digits is a thousands separator
        is_digit_comma = (
            char == ","
            and 0 < index < len(text) - 1
            and text[index - 1].isdigit()
            and text[index + 1].isdigit()
        )
        if char in ",;" and depth == 0 and not is_digit_comma:
            pieces.append("".join(current).strip())
            current = []
        else:
            current.append(char)
    pieces.append("".join(current).strip())
    out: list[str] = []
    for piece in pieces:
        # "eLife - September 9 14:00 UTC", "26 Oct - Free": a dash before or after a detail
        parts = re.split(r"\s+[-–—]\s+", piece, maxsplit=1)
        if (
            len(parts) == 2
            and re.search(r"[^\W\d_]", parts[0])  # "28 - 30 July" is one range
            and not is_detail(parts[0])
            and is_detail(parts[1])
        ):
            out.extend(parts)
        else:
            out.append(piece)
    return [p for p in out if p and p not in ("-", "–", "—")]


@lru_cache(maxsize=65536)
def is_detail(element: str) -> bool:
    """An event or call detail: a date, a time, a cost, a deadline, or "virtual"/"online"."""
    # "Virtual", "free over Zoom"; but "HPC Best Practices Webinar Series" is a name
    place = bool(_PLACE.search(element)) and len(element.split()) <= 3
    if (place or _COST.search(element)) and looks_like_person(element):
        return False  # "Free Wortley" is a security researcher, not a price
    return bool(_DATE.search(element) or _COST.search(element) or place or _deadline(element))


def _deadline(element: str) -> bool:
    if re.search(r"\b(?:due|deadlines?)\b", element, re.I):
        return True
    return bool(_DEADLINE.search(element)) and bool(
        _DATE.search(element) or re.search(r"\d", element)
    )


def _is_prose(text: str) -> bool:
    """Does ``text`` read as a sentence about the link rather than a name list?"""
    words = text.split()
    if not words:
        return False
    first = words[0].strip("\"'“‘(").lower()
    if first == "the" and len(words) > 1 and words[1][:1].isupper():
        return False  # "the OpenSSF"
    if words[0][:1].islower() and first not in PARTICLES:
        return True
    if first in _PROSE_START and len(words) > 1 and words[1][:1].islower():
        return True
    return first in ("this", "it", "here", "these", "that", "we", "i", "i'm", "i’m")


def _venue_like(element: str, names: NameRegistry) -> bool:
    return names.is_venue(element) or looks_like_organization(element)


def _person_like(element: str, names: NameRegistry) -> bool:
    if names.is_venue(element):
        return False
    return names.is_person(element) or looks_like_person(element)


def _split_and(element: str, names: NameRegistry) -> list[str]:
    """Split "A and B" / "A & B" when every part is a person or surname."""
    parts = [p.strip() for p in _AND.split(element) if p.strip()]
    if len(parts) > 1 and all(_person_like(p, names) or looks_like_single_name(p) for p in parts):
        return parts
    return [element]


def parse_attribution(
    tail: str,
    *,
    default_kind: str = "article",
    names: NameRegistry | None = None,
    title: str = "",
) -> Attribution:
    """Read an attribution tail (the text after the link, separator included).

    ``default_kind`` is the kind of the section's topic (``event``, ``call``,
    ``job`` or ``article``); dates and deadlines make an item an event or a call
    anywhere.  ``names`` recognises registered venues and people; ``title`` (the
    link text) helps tell a call ("Call for Papers") from an event and a tool
    ("Taichi") from an article.
    """
    names = names or NameRegistry.empty()
    text = clean_text(re.sub(r"\s*<br\s*/?>\s*$", "", tail, flags=re.I))
    if not text.strip(" .,:;!?-–—|()"):
        return Attribution(kind=default_kind)
    separated = False
    # "[Why?](url)? - Venue": punctuation that closes the title outside the link
    text = re.sub(r"^[?!.)\]'\"’”]+\s*(?=[-–—,])", "", text)
    match = _SEPARATOR.match(text)
    if match:
        text, separated = text[match.end() :], True
        # "- - Author" and "-- Author" style doubles
        text = _SEPARATOR.sub("", text) if _SEPARATOR.match(text) else text
    if _BY.match(text):
        text, separated = text[_BY.match(text).end() :], True
        by = _BY_NAME.match(text)
        if by and len(text.split()) > 6 and looks_like_person(by.group("name")):
            # "by Andrew Helwer of Microsoft Research is a really nice introduction ..."
            org = (by.group("org") or "").strip() or None
            return Attribution(
                authors=(names.person(by.group("name")),),
                venue=names.venue(org) if org else None,
                kind=default_kind,
            )
    tag = _PAREN_TAG.match(text)
    if tag and len(tag.group(1).split()) <= 3 and not is_detail(tag.group(1)):
        text = text[tag.end() :]  # "(PDF)", "(video)": a note on the link, not a name
        if _SEPARATOR.match(text):
            text, separated = _SEPARATOR.sub("", text, count=1), True
    # "Felix Abecassis &": a list cut short
    text = re.sub(r"(?:\s*,)?\s+(?:and|&)$|\s*&$", "", text.strip())
    if not text.strip(" .,:;!?"):
        return Attribution(kind=default_kind)

    if default_kind == "job" and not _is_prose(text):
        return _job(text, names)

    elements = split_elements(text.rstrip("."))
    if not elements:
        return Attribution(kind=default_kind)

    # Dates, costs and deadlines: an event or a call, wherever it is listed.
    # (a tail with no separator that is not in an events section is a sentence:
    # "and Quantum Inspire have free tiers")
    if (separated and is_detail(elements[0])) or (
        default_kind in ("event", "call") and any(is_detail(e) for e in elements)
    ):
        event = _event(text, elements, default_kind, names, title)
        if event is not None:
            return event

    single_word = separated and " " not in text.strip(" .")  # "- impraise", "- arXiv"
    if not single_word and (_is_prose(text) or not (separated or text[:1].isupper())):
        return _prose(default_kind, title, text)

    if default_kind in ("event", "call") or _deadline(text):
        event = _event(text, elements, default_kind, names, title)
        if event is not None:
            return event

    if ";" in text:
        # "- Michael D. Watkins; mainly aimed at senior leadership": the rest is a remark
        text = text.split(";", 1)[0].strip()
        elements = split_elements(text)
    return _people_and_venue(elements, default_kind, names, separated, title, text)


def _prose(default_kind: str, title: str, text: str) -> Attribution:
    """A tail that talks about the link: no attribution; short names of things are tools."""
    kind = default_kind
    if default_kind == "article":
        first = text.split()[0].lower().strip(",") if text.split() else ""
        defining = first in ("is", "a", "an", "are", "-", "lets", "makes", "provides")
        kind = "tool" if defining and len(title.split()) <= 3 else "article"
    return Attribution(kind=kind, prose=True)


def _job(text: str, names: NameRegistry) -> Attribution:
    """``Employer, City, Country``: the employer is the venue, the rest is the place."""
    elements = split_elements(text.rstrip("."))
    if not elements:
        return Attribution(kind="job")
    employer = elements[0]
    # "Goddard Space Flight Centre - Greenbelt MD" written with a dash
    if len(elements) == 1 and re.search(r"\s[-–—]\s", employer):
        employer, place = re.split(r"\s[-–—]\s", employer, maxsplit=1)
        elements = [employer, place]
    details = ", ".join(elements[1:]) or None
    return Attribution(venue=names.venue(employer), details=details, kind="job")


def _event(
    text: str, elements: list[str], default_kind: str, names: NameRegistry, title: str
) -> Attribution | None:
    """Dates, places and costs go to details; leading organizer names to the venue.

    Returns ``None`` when the tail has no detail at all outside event sections, so
    that it is read as an ordinary attribution.
    """
    first_detail = next((i for i, e in enumerate(elements) if is_detail(e)), None)
    if first_detail is None:
        if default_kind not in ("event", "call"):
            return None
        # in an events section, a lone place ("Princeton", "Lyon, France") is a detail;
        # an organizer ("NSF", "Laboratory Manager") or a person is an attribution
        if not any(_shape(e, names) in "PV" for e in elements):
            if _is_prose(text):
                return _prose(default_kind, title, text)
            return Attribution(details=", ".join(elements), kind=default_kind)
        return None
    if default_kind == "call":
        kind = "call"
    elif default_kind == "event":
        # an event with a registration deadline is still an event; a call says so
        kind = "call" if _CALL_TITLE.search(title) else "event"
    else:
        kind = "call" if _CALL.search(text) or _CALL_TITLE.search(title) else "event"
    lead = elements[:first_detail]
    authors: tuple[str, ...] = ()
    venue = None
    if lead:
        parsed = _people_and_venue(lead, kind, names, True, title, ", ".join(lead))
        if parsed.classified and not parsed.prose:
            authors, venue = parsed.authors, parsed.venue
        else:
            first_detail = 0
    # details as written from the first detail on ("26 Oct - Free", "14:00 – 15:00 UTC")
    at = text.find(elements[first_detail])
    details = text[at:].strip(" .,;") if at >= 0 else ", ".join(elements[first_detail:])
    return Attribution(authors=authors, venue=venue, details=details, kind=kind)


@dataclass(slots=True)
class _Piece:
    """One comma-separated piece of an attribution, and what it looks like."""

    text: str
    #: "P" person, "S" single capitalized word, "V" venue, "D" detail, "X" other
    shape: str
    #: joined to the previous piece with "and"/"&"
    joined: bool = False


def _shape(text: str, names: NameRegistry) -> str:
    if names.is_venue(text) or re.fullmatch(r"[\"“].+[\"”]", text):
        return "V"  # registered, or a quoted title ("Getting Real")
    if len(text.split()) > 8:
        return "X"  # a sentence, whatever words it contains
    if names.is_person(text) or looks_like_person(text):
        return "P"
    if looks_like_single_name(text):
        return "S"
    if is_detail(text):
        return "D"
    if text[:1].isdigit() or (" " in text and _is_prose(text)):
        return "X"  # "42 of the 57 varieties", "mainly aimed at ...": not a name
    if looks_like_organization(text):
        return "V"
    if text[:1].isupper() and not _is_prose(text) and len(text.split()) <= 6:
        return "V"  # "Irrational Exuberance"-like: capitalized, not a name we can read
    return "X"


def _pieces(elements: list[str], names: NameRegistry) -> tuple[list[_Piece], bool]:
    """Split elements into pieces: *et al.*, roles and "and"-joined names handled."""
    et_al = False
    raw: list[tuple[str, bool]] = []
    for element in elements:
        element = _ROLE_BY.sub("", element.strip())
        if _EDITOR.match(element):
            continue  # "(Ed.)", "eds."
        joined = bool(_LEADING_AND.match(element))
        element = _LEADING_AND.sub("", element)
        if re.search(r"\bet\.?\s*al\b", element, re.I):
            match = _ET_AL.match(element)
            et_al = True
            if match and match.group("name").strip():
                raw.append((match.group("name").strip(), joined))
            if match and match.group("rest").strip():
                raw.append((match.group("rest").strip(), False))
            continue
        # "Kathleen Hogan - Executive Vice President and Chief People Officer": drop the role
        dash = re.split(r"\s[-–—]\s", element, maxsplit=1)
        if len(dash) == 2 and _shape(dash[0], names) == "P":
            raw.append((dash[0], joined))
            continue
        raw.append((element, joined))
    pieces: list[_Piece] = []
    for text, joined in raw:
        text = text.strip(" .")
        if not text:
            continue
        on = _ON_PLATFORM.match(text)
        if on:
            # "Tom Honeyman on Twitter", "@HPC_Guru on Twitter": a person, then the platform
            pieces += [_Piece(on.group("who"), "P", joined), _Piece(on.group("platform"), "V")]
            continue
        words = text.split()
        if (
            len(words) > 2
            and words[-1].lower() in STOP_WORDS
            and looks_like_person(" ".join(words[:-1]))
        ):
            text = " ".join(words[:-1])  # "Jemiah Sius On": a cut-off tail
        parts = [p.strip() for p in _AND.split(text) if p.strip()]
        shapes = [_shape(p, names) for p in parts]
        whole = _shape(text, names)
        surname_list = any(p.shape == "S" for p in pieces) or not any(
            p.shape == "P" for p in pieces
        )
        split = (
            len(parts) > 1
            and not names.is_venue(text)
            and (
                all(sh == "P" for sh in shapes)
                or (all(sh in "PS" for sh in shapes) and surname_list)
            )
        )
        if split:
            for number, (part, shape) in enumerate(zip(parts, shapes, strict=True)):
                pieces.append(_Piece(part, shape, joined or number > 0))
        else:
            pieces.append(_Piece(text, whole, joined))
    return pieces, et_al


def _people_and_venue(
    elements: list[str],
    default_kind: str,
    names: NameRegistry,
    separated: bool,
    title: str,
    text: str,
) -> Attribution:
    """People first, then the venue: the core of an article attribution."""
    pieces, et_al = _pieces(elements, names)
    if not pieces:
        return Attribution(kind=default_kind, et_al=et_al)
    if not separated and (
        any(p.shape == "X" for p in pieces) or sum(len(p.text.split()) for p in pieces) > 8
    ):
        return _prose(default_kind, title, text)

    # the leading run of people and lone capitalized words are author candidates
    run = 0
    while run < len(pieces) and pieces[run].shape in "PS":
        run += 1
    candidates = pieces[:run]
    rest = pieces[run:]
    singles = sum(1 for p in candidates if p.shape == "S")
    people = len(candidates) - singles

    if candidates and not rest:
        last = candidates[-1]
        # "Greg McKeon, Cloudflare" and "- Backblaze": a lone last word is the venue,
        # except at the end of a list of three or more surnames
        lone_word = last.shape == "S" and not last.joined and not (et_al and len(candidates) == 1)
        if lone_word and (people or len(candidates) <= 2):
            rest = [last]
            candidates = candidates[:-1]

    authors: list[str] = []
    for number, piece in enumerate(candidates):
        following = candidates[number + 1] if number + 1 < len(candidates) else None
        if (
            piece.shape == "S"
            and singles == 1
            and people >= 3
            and authors
            and len(authors[-1].split()) >= 2
            and following is not None
            and following.shape == "P"
        ):
            # stray comma inside a name: "Melissa Weber, Mendonça, Tony Fast"
            authors[-1] = f"{authors[-1]} {piece.text}"
            continue
        authors.append(piece.text)

    venue = None
    details = None
    classified = True
    if rest:
        # people written after the venue ("Know Your Team, Clare Lew") are still authors
        trailing_people = [p for p in rest[1:] if p.shape == "P"]
        venue_parts = [p for p in rest if p.shape in "VS" or p is rest[0]]
        venue_parts = [p for p in venue_parts if p not in trailing_people]
        first = venue_parts[0] if venue_parts else rest[0]
        if first.shape == "X":
            if len(first.text.split()) == 1:
                venue = names.venue(first.text)  # "protocol", "arXiv": lower-case brands
            elif _is_prose(first.text) and not authors:
                return _prose(default_kind, title, text)
            elif not authors:
                classified = False
        elif first.shape == "D":
            details = ", ".join(p.text for p in rest)
        else:
            extra = [
                p
                for p in venue_parts[1:2]
                if p.shape == "V" and not is_detail(p.text) and re.search(r"[^\W\d_]{2}", p.text)
            ]
            joined_text = ", ".join(p.text for p in [first, *extra])
            venue = names.venue(
                joined_text if extra and not names.is_venue(first.text) else first.text
            )
        authors.extend(p.text for p in trailing_people)
    if not authors and venue is None and details is None:
        classified = False
    return Attribution(
        authors=tuple(names.person(a) for a in authors),
        venue=venue,
        details=details,
        kind=default_kind,
        classified=classified,
        et_al=et_al,
    )


__all__ = ["Attribution", "is_detail", "parse_attribution", "split_elements"]
