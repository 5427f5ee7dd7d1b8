"""Attribution tails, with cases taken from five years of the newsletter."""

from __future__ import annotations

import pytest

from item_helpers import names
from roundup_kb.attribution import is_detail, parse_attribution, split_elements


def parse(tail, kind="article", title="An Article About Things"):
    return parse_attribution(tail, default_kind=kind, names=names(), title=title)


# (tail, authors, venue)
ARTICLES = [
    (
        "- Chia-Yen (Chad) Chiu, Jennifer D. Nahrgang, Ashlea Bartram, Jing Wang, "
        "and Paul Tesluk, HBR",
        (
            "Chia-Yen (Chad) Chiu",
            "Jennifer D. Nahrgang",
            "Ashlea Bartram",
            "Jing Wang",
            "Paul Tesluk",
        ),
        "Harvard Business Review",
    ),
    # a stray comma inside "Melissa Weber Mendonça" is repaired
    (
        "- Isabela Presedo-Floyd, Mars Lee, Melissa Weber, Mendonça, Tony Fast, Quansight Labs",
        ("Isabela Presedo-Floyd", "Mars Lee", "Melissa Weber Mendonça", "Tony Fast"),
        "Quansight Labs",
    ),
    (
        "- Patrick Schmitz, Scott Yockel, Claire Mizumoto, Thomas Cheatham, Dana Brunson, "
        "Computing in Science and Engineering",
        ("Patrick Schmitz", "Scott Yockel", "Claire Mizumoto", "Thomas Cheatham", "Dana Brunson"),
        "Computing in Science and Engineering",
    ),
    ("- Software Sustainability Institute", (), "Software Sustainability Institute"),
    ("- Todd Lankford", ("Todd Lankford",), None),
    (
        "- Daniel S. Katz, Kenton McHenry, Jong S. Lee",
        ("Daniel S. Katz", "Kenton McHenry", "Jong S. Lee"),
        None,
    ),
    ("- Greg McKeon, Cloudflare", ("Greg McKeon",), "Cloudflare"),
    ("- Andy Klein, Backblaze Blog", ("Andy Klein",), "Backblaze Blog"),
    (
        "- Jeremy Cowan, Sai Charan Teja Gopaluni, and Vijay K Sikha, AWS Open Source Blog",
        ("Jeremy Cowan", "Sai Charan Teja Gopaluni", "Vijay K Sikha"),
        "AWS Open Source Blog",
    ),
    (
        "- Jacob Poulsen and Karthik Raman, AWS HPC Blog",
        ("Jacob Poulsen", "Karthik Raman"),
        "AWS HPC Blog",
    ),
    ("- AWS", (), "AWS"),
    ("- HBR", (), "Harvard Business Review"),
    (", The New Stack", (), "The New Stack"),
    (", Dan Luu", ("Dan Luu",), None),
    (" **Will Larson**", ("Will Larson",), None),
    (
        "- Timothy Prickett Morgan, The Next Platform",
        ("Timothy Prickett Morgan",),
        "The Next Platform",
    ),
    ("- Michael Feldman, Next Platform", ("Michael Feldman",), "The Next Platform"),
    ("- John Russell, HPC Wire", ("John Russell",), "HPCwire"),
    ("- John Timmer, Ars Technica", ("John Timmer",), "Ars Technica"),
    ("- Stan Gloss and Loralyn Mears, BioIT World", ("Stan Gloss", "Loralyn Mears"), "BioIT World"),
    (
        "- Tazi, Mom, Zhao, Nguyen, Mekkouri, Werra, and Wolf, HuggingFace",
        ("Tazi", "Mom", "Zhao", "Nguyen", "Mekkouri", "Werra", "Wolf"),
        "HuggingFace",
    ),
    ("- Khatri and Chakrabarti", ("Khatri", "Chakrabarti"), None),
    ("- Sufi, Bell & Sichani", ("Sufi", "Bell", "Sichani"), None),
    (
        "- Le Berre, Jeannas, Di Cosmo & Pellegrini",
        ("Le Berre", "Jeannas", "Di Cosmo", "Pellegrini"),
        None,
    ),
    (
        "- Tom Cardoso & Michael Pereira, Globe and Mail",
        ("Tom Cardoso", "Michael Pereira"),
        "Globe and Mail",
    ),
    (
        "- Carlos Reaño, Federico Silla, and Blesson Varghese, "
        "Concurrency and Computation, Practice and Experience",
        ("Carlos Reaño", "Federico Silla", "Blesson Varghese"),
        "Concurrency and Computation, Practice and Experience",
    ),
    (
        "- Kathleen Hogan - Executive Vice President and Chief People Officer, Microsoft",
        ("Kathleen Hogan",),
        "Microsoft",
    ),
    ("- Michelle Ma, protocol", ("Michelle Ma",), "protocol"),
    ("- Felix Abecassis & ", ("Felix Abecassis",), None),
    ("- Jonathan Dursi (me)", ("Jonathan Dursi",), None),
    ("- Gergely Orsoz", ("Gergely Orosz",), None),
    ("- Dr. Emmy Tsang", ("Emmy Tsang",), None),
    ("- Curated by Jasmine Robinson", ("Jasmine Robinson",), None),
    (
        " by Andrew Helwer of Microsoft Research is a nice introduction to quantum computing",
        ("Andrew Helwer",),
        "Microsoft Research",
    ),
    ("- Van Tuyl, (Ed.)", ("Van Tuyl",), None),
    (
        "- Daniel Gruber，Burak Yenier, Wolfgang Gentzsch, HPCWire",
        ("Daniel Gruber", "Burak Yenier", "Wolfgang Gentzsch"),
        "HPCwire",
    ),
    ("- Claire Lew, Know Your Team", ("Claire Lew",), "Know Your Team"),
    ("- Michael D. Watkins; mainly aimed at senior leadership", ("Michael D. Watkins",), None),
    ("- Lukáš Linhart", ("Lukáš Linhart",), None),
    ('- Alex "Sandy" Pentland, HBR', ('Alex "Sandy" Pentland',), "Harvard Business Review"),
    ("? - Microsoft WorkLab", (), "Microsoft WorkLab"),
    ("- Tom Honeyman on Twitter", ("Tom Honeyman",), "Twitter"),
    ("- @HPC_Guru on Twitter", ("@HPC_Guru",), "Twitter"),
    ("- Jemiah Sius On", ("Jemiah Sius",), None),
    (
        "- Osni Marques *et al.*, HPC Best Practices (HPC-BP) Webinar Series",
        ("Osni Marques",),
        "HPC Best Practices (HPC-BP) Webinar Series",
    ),
]


@pytest.mark.parametrize(("tail", "authors", "venue"), ARTICLES)
def test_articles(tail, authors, venue):
    result = parse(tail)
    assert (result.authors, result.venue) == (authors, venue)
    assert result.classified and not result.prose
    assert result.kind == "article"
    assert result.details is None


@pytest.mark.parametrize(
    ("tail", "authors", "venue"),
    [
        ("- Huntington-Klein et al, SSRN 5152665", ("Huntington-Klein",), "SSRN 5152665"),
        ("- Gould *et al*., BMC Biology", ("Gould",), "BMC Biology"),
        ("- Maciej *et al.*", ("Maciej",), None),
        ("- Kochkov *et al.,*", ("Kochkov",), None),
        ("- Cohen *et al.* <br/>", ("Cohen",), None),
        ("- Timnit Gebru *et al*, arXiv:1803.09010", ("Timnit Gebru",), "arXiv:1803.09010"),
        (
            "- Romein, Kemman, Birkholz et al., Journal of the Historical Association",
            ("Romein", "Kemman", "Birkholz"),
            "Journal of the Historical Association",
        ),
        ("- Di Cara et al, Cell Patterns, 100537", ("Di Cara",), "Cell Patterns"),
    ],
)
def test_et_al(tail, authors, venue):
    result = parse(tail)
    assert result.et_al
    assert (result.authors, result.venue) == (authors, venue)


@pytest.mark.parametrize(
    ("tail", "kind", "section_kind", "details", "venue"),
    [
        (
            "- 11-15 Oct, $75 Virtual, $150-1,650 on site (Los Angeles)",
            "event",
            "event",
            "11-15 Oct, $75 Virtual, $150-1,650 on site (Los Angeles)",
            None,
        ),
        ("- 26-28 Oct, Free", "event", "event", "26-28 Oct, Free", None),
        ("- 26 Oct - Free", "event", "event", "26 Oct - Free", None),
        (
            "- 28 - 30 July, 9am - 5pm BST, Free",
            "event",
            "event",
            "28 - 30 July, 9am - 5pm BST, Free",
            None,
        ),
        ("- Anytime, $150 USD", "event", "event", "Anytime, $150 USD", None),
        (
            "- Monthly calls, Fridays (usually last of month), Zoom, Free",
            "event",
            "event",
            "Monthly calls, Fridays (usually last of month), Zoom, Free",
            None,
        ),
        (", 21-22 April, Princeton", "event", "event", "21-22 April, Princeton", None),
        ("- Princeton", "event", "event", "Princeton", None),
        (
            "- Laboratory Manager, Apr 28th, 1pm ET",
            "event",
            "event",
            "Apr 28th, 1pm ET",
            "Lab Manager",
        ),
        # dates make an event anywhere; deadlines make a call
        (
            "- Wed Apr 1, 12:00 - 17:15 UTC",
            "event",
            "article",
            "Wed Apr 1, 12:00 - 17:15 UTC",
            None,
        ),
        (
            "- 6-8 October, Philadelphia PA USA, Papers due 2 May",
            "call",
            "article",
            "6-8 October, Philadelphia PA USA, Papers due 2 May",
            None,
        ),
        ("- papers due Aug 6", "call", "call", "papers due Aug 6", None),
        (
            "- Abstracts due, May 3; workshop 24 and 27 May",
            "call",
            "call",
            "Abstracts due, May 3; workshop 24 and 27 May",
            None,
        ),
        (
            "- 3 June, Lyon, Papers due 31 Jan",
            "call",
            "call",
            "3 June, Lyon, Papers due 31 Jan",
            None,
        ),
        ("- Deadline 15 May", "call", "call", "Deadline 15 May", None),
        (
            "- part of ISMB/ECCB 2021, July 29-30 online: Abstracts due 6 May",
            "call",
            "call",
            "part of ISMB/ECCB 2021, July 29-30 online: Abstracts due 6 May",
            None,
        ),
        # an event with a registration deadline is still an event in an events section
        (
            "- 7-8 July; free registration due by 2 July",
            "event",
            "event",
            "7-8 July; free registration due by 2 July",
            None,
        ),
    ],
)
def test_events_and_calls(tail, kind, section_kind, details, venue):
    result = parse(tail, section_kind)
    assert result.kind == kind
    assert result.details == details
    assert result.venue == venue
    assert result.authors == ()


def test_event_speaker_and_organizer():
    result = parse("- Dr. Emmy Tsang, eLife - September 9 14:00 – 15:00 UTC", "event")
    assert (result.authors, result.venue) == (("Emmy Tsang",), "eLife")
    assert result.details == "September 9 14:00 – 15:00 UTC"


def test_call_title_makes_an_event_a_call():
    assert parse("- 6-8 Oct, Free", "event", title="ISC Call for Papers").kind == "call"


@pytest.mark.parametrize(
    ("tail", "venue", "details"),
    [
        (
            "- Goddard Space Flight Centre, Greenbelt MD",
            "Goddard Space Flight Centre",
            "Greenbelt MD",
        ),
        (
            "- Lawrence Berkeley National Lab, Berkeley, CA",
            "Lawrence Berkeley National Lab",
            "Berkeley, CA",
        ),
        (", University of Chicago, Chicago", "University of Chicago", "Chicago"),
        ("- HSBC", "HSBC", None),
        ("- Fate Therapeutics - San Diego CA USA", "Fate Therapeutics", "San Diego CA USA"),
    ],
)
def test_jobs(tail, venue, details):
    result = parse(tail, "job")
    assert (result.kind, result.venue, result.details, result.authors) == (
        "job",
        venue,
        details,
        (),
    )


@pytest.mark.parametrize(
    ("tail", "title", "kind"),
    [
        (" is a language for fast interactive graphics embedded in Python.", "Taichi", "tool"),
        ("- a sql-in-the-browser version of, e.g. JSFiddle or codepen.", "SQLime", "tool"),
        (", a framework for making papers more readable", "Nota", "tool"),
        (" is out.", "JupyterLab 3.0", "tool"),
        (
            " approach to handling a large number of libraries",
            "Using an environment-modules style",
            "article",
        ),
        (", or don’t use select(2).", "File descriptor limits", "article"),
        ("Oh, man, I missed lettering in Zaxxon by just a few decades.", "Some Game", "article"),
        (": “make, for git”.", "Git make", "article"),
    ],
)
def test_prose_is_not_an_attribution(tail, title, kind):
    result = parse(tail, title=title)
    assert result.prose and result.classified
    assert (result.authors, result.venue, result.details) == ((), None, None)
    assert result.kind == kind


@pytest.mark.parametrize("tail", ["", ".", " ", "-", "<br/>", " . "])
def test_no_attribution(tail):
    result = parse(tail)
    assert result.classified and not result.prose
    assert (result.authors, result.venue, result.details, result.kind) == (
        (),
        None,
        None,
        "article",
    )


def test_single_lower_case_word_is_a_brand():
    assert parse("- impraise").venue == "impraise"
    assert parse("- arXiv").venue == "arXiv"


@pytest.mark.parametrize(
    "tail", ["- 42 of the 57 varieties of cluster, reviewed", "- 7 things, 12 ways"]
)
def test_unclassifiable(tail):
    assert not parse(tail).classified


def test_section_kind_is_the_default():
    assert parse("- Jade Rubick", "tool").kind == "tool"


def test_without_a_registry_heuristics_still_work():
    result = parse_attribution("- Greg McKeon, Cloudflare", default_kind="article")
    assert (result.authors, result.venue) == (("Greg McKeon",), "Cloudflare")


def test_split_elements_respects_parentheses_and_thousands():
    assert split_elements("A (B, C), $1,650, D") == ["A (B, C)", "$1,650", "D"]
    assert split_elements("eLife - September 9") == ["eLife", "September 9"]


@pytest.mark.parametrize(
    ("text", "detail"),
    [
        ("11-15 Oct", True),
        ("Papers due 2 May", True),
        ("$75 Virtual", True),
        ("Free", True),
        ("June Smith", False),
        ("May", False),
        ("Will Larson", False),
        ("TBD", True),
        ("10am", True),
    ],
)
def test_is_detail(text, detail):
    assert is_detail(text) is detail
