"""Deterministic synthetic issue pages, shaped like the real newsletter, for benchmarks.

:func:`generate_issue` writes one issue page in the project's MyST form (front
matter ``number``/``title``/``subtitle``/``date``, as in ``issues/0094.md`` but
without the importer's ``imported:`` record, since nothing was imported): an
intro, sections under the topic registry's headings (titles, sometimes an alias),
link items with attributions, ``<br/>`` groups, prose-only items, events, calls
and job listings, commentary with lists, quotes, images and links, a sign-off.
:func:`write_corpus` writes ``N`` of them.  Nothing here imports Sphinx.

Same seed, same bytes: every random draw comes from :meth:`random.Random.random`
(the one method whose sequence Python guarantees across versions) on a generator
seeded with a string (seeded through SHA-512), and each issue has its own
generator, so issue ``k`` is the same page whatever ``N`` is: a 2,000-issue
corpus starts with the 200-issue one, and "add one issue" is issue ``N + 1``.

The shape was measured on the 126 real issues of ``../shared/corpus``, imported
and parsed with this package's parser (``roundup-kb import`` + ``validate_paths``;
1,928 entries, 0 problems; measured 2026-11-25):

* link items per issue: median 15, mean 15.3, 10th/90th percentile 7/24, max 31
  (:data:`ITEMS_PER_ISSUE`).  Synthetic issues draw from that distribution and
  clamp to 10..45 items (:data:`MIN_ITEMS`, :data:`MAX_ITEMS`), so they run a
  little heavier than the real ones (mean 16.2).
* commentary per item group: median 733 characters (114 words), mean 878,
  10th/90th percentile 141/1,815, 99th 3,403, max 6,384; 1% empty
  (:data:`COMMENTARY_CHARS`); about one paragraph per 310 characters; 22% hold a
  list, 13% a block quote, 5% an image; 0.7 links per commentary.
* text before the first topic heading (intro, sometimes an essay): median 4,015
  characters, mean 5,053, 90th percentile 11,682 (:data:`INTRO_CHARS`); 11.4 links
  per issue outside entries (intro, sign-off, job board).
* entries: 86% article, 6% event, 4% call, 3% tool, 1% job; 65% name authors
  (1 author: 86% of those; 2: 6%; 3: 4%; 4+: 3%; "et al.": 4% of all entries);
  37% name a venue; group sizes 1/2/3/4+: 85.7/12.1/1.7/0.5%.
* authors: 1,244 distinct names for 1,928 entries, the most frequent 25 times
  (1.6% of author slots): a Zipf draw, exponent 0.6, over a pool of 4,000 names
  (:data:`AUTHOR_POOL`) matches that (1.4%, about 1,140 distinct for as many draws).
* venues: 417 distinct, the most frequent 40 times (5.7%): Zipf exponent 0.75 over
  1,200 venues.
* words: 17,907 distinct words in 395,000; commentary words here are a
  Zipf-Mandelbrot draw over a 50,000-word vocabulary (common English words first,
  then made-up words) that gives about 20,000 distinct words for as many tokens,
  so the search index grows with the corpus roughly as the real one would.
* topics: items spread over sections in the corpus's proportions (Managing Teams
  16%, Research Software 16%, Random 12%, ...; :data:`TOPIC_WEIGHTS`); 93% of
  issues separate items with ``----------``; a quarter have a jobs section.

The same measurement of 126 synthetic issues (seed 0): 2,035 entries, 0 problems;
items per issue median 15, mean 16.2; commentary median 689 characters, mean 843,
90th percentile 1,763; 1,141 distinct authors, the most frequent 21 times; 409
venues, the most frequent 34 times; 21,764 distinct words in 444,000; pages of
21,700 characters on average (the corpus: 22,100).
"""

from __future__ import annotations

import bisect
import contextlib
import datetime as dt
import itertools
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from random import Random

from roundup_kb.problems import Problem, RoundupError
from roundup_kb.topics import TopicRegistry

#: percentile -> link items per issue, measured (see the module docstring)
ITEMS_PER_ISSUE = (
    (0, 0), (5, 6), (10, 7), (20, 10), (30, 12), (40, 14), (50, 15),
    (60, 17), (70, 18), (80, 20), (90, 24), (95, 27), (99, 29), (100, 31),
)  # fmt: skip
MIN_ITEMS = 10
MAX_ITEMS = 45
#: percentile -> characters of commentary per item group, measured
COMMENTARY_CHARS = (
    (0, 0), (5, 67), (10, 141), (20, 251), (30, 391), (40, 543), (50, 733), (60, 888),
    (70, 1134), (80, 1394), (90, 1815), (95, 2219), (99, 3403), (100, 6384),
)  # fmt: skip
#: percentile -> characters before the first topic heading (intro, essay), measured
INTRO_CHARS = (
    (0, 132), (5, 540), (10, 767), (20, 1272), (30, 1894), (40, 2942), (50, 4015), (60, 4858),
    (70, 6362), (80, 8508), (90, 11682), (95, 13345), (99, 20504), (100, 23527),
)  # fmt: skip
#: entries per topic slug in the corpus; other slugs of a registry get weight 5
TOPIC_WEIGHTS = {
    "managing-teams": 314, "research-software": 309, "random": 230,
    "emerging-technologies": 209, "research-computing-systems": 194, "product-management": 175,
    "events": 112, "managing-your-own-career": 98, "research-data": 92, "calls": 79,
    "technical-leadership": 50, "cool-projects": 34, "science-policy-and-funding": 10,
    "strategy": 5,
}  # fmt: skip
AUTHOR_POOL = 4000
AUTHOR_ZIPF = 0.6
VENUE_POOL = 1200
VENUE_ZIPF = 0.75
VOCABULARY = 50_000
FIRST_ISSUE_DATE = dt.date(2020, 1, 10)
SITE_URL = "https://www.researchcomputingteams.org"

# -- word lists ---------------------------------------------------------------------


def _split(text: str) -> tuple[str, ...]:
    return tuple(text.split())


_FIRST = """
Aaliyah Aaron Abdul Adaeze Adam Adrian Aisha Akira Alejandro Alex Alice Amara Amir Amy Ana
Andrea Andrew Angela Anika Anna Anthony Arjun Ava Ayesha Barbara Beatriz Ben Bianca Bruno
Camille Carlos Carmen Catherine Chen Chia-Yen Chloe Chris Claire Clara Daniel Dana David
Deepa Diego Dmitri Elena Elif Elizabeth Emeka Emily Emma Eric Esther Fatima Felix Fernando
Fiona Francesca Gabriel Grace Greg Hana Hannah Hassan Helen Henrik Hiroshi Ian Ibrahim Ines
Irene Isabela Ivan Jack James Jana Jane Javier Jennifer Jia Jiho Joanna Johan John Jonathan
Jorge Joseph Julia Julian Kai Karen Karim Kate Kenji Kenton Kevin Kim Kofi Lara Laura Lea
Leila Leon Li Lina Lucas Lucia Luis Maya Magnus Mai Manuel Marco Maria Mariana Mark Marta
Martin Mateo Matthew Mei Melissa Mia Michael Miguel Mina Mohamed Nadia Naomi Nathan Neha
Nicole Nikhil Nina Noah Nora Olivia Omar Oscar Pablo Paola Patrick Paul Pedro Peter Priya
Rachel Rafael Rahul Ravi Rebecca Rhea Ricardo Rosa Ruth Ryan Saanvi Sakura Samuel Sana Sara
Sean Sebastian Sergei Shreya Simon Sofia Sophie Stefan Susan Tariq Teresa Thomas Tim Tomas
Tony Valentina Vanessa Victor Wei Will Xin Yara Yasmin Yusuf Zara Zoe Zhang-Wei Ling Olu
"""
_LAST = """
Abara Achebe Adeyemi Agarwal Ahmed Alvarez Andersen Anderson Araujo Arnold Bakshi Banerjee
Barros Bartram Becker Bergstrom Bhatt Bianchi Blackwood Brennan Brunson Bui Caldwell Campbell
Carvalho Castillo Chandra Chen Chiu Choi Chowdhury Clarke Colombo Costa Cruz Dahl Dang Das
Delgado Desai Dias Dominguez Dubois Duncan Dursi Eriksen Estrada Farouk Fast Ferrari Fischer
Fitzgerald Fontaine Fournier Fraser Fujita Gallagher Garcia Gauthier Ghosh Goldberg Gomez
Gonzalez Gupta Haddad Hahn Hansen Harris Hashemi Hayes Hernandez Hoffmann Hogan Holmberg
Horvath Hughes Hussain Ibrahim Ito Iyer Jansen Jensen Jimenez Johansson Joshi Kapoor Katz
Kaur Kawasaki Keller Khan Kim Kimura Klein Kobayashi Kowalski Kramer Krishnan Kumar Lambert
Lankford Larsen Larson Laurent Lee Lehmann Levy Lewis Lim Lindqvist Liu Lopez Lund Mahmoud
Malik Marino Martin Martinez Matsumoto McHenry Mehta Meier Mendes Mendonça Mishra Mizumoto
Molina Moreau Morgan Moreno Murphy Nahrgang Nair Nakamura Navarro Nguyen Nielsen Novak
Nowak Nwosu Obi Okafor Okonkwo Oliveira Olsen Ortega Osei Pacheco Park Patel Pereira Perez
Petrov Pham Pillai Popescu Presedo-Floyd Quinn Rahman Ramirez Rao Reddy Reyes Richter Rivera
Rossi Rubick Russo Saito Salazar Sanchez Santos Sato Schmidt Schmitz Schneider Sharma Silva
Singh Sokolov Sousa Suzuki Svensson Takahashi Tanaka Tesluk Thakur Thompson Torres Tran
Tremblay Usman Varga Vasquez Verma Vogel Wagner Walsh Wang Watanabe Weber Wolf Wong Wu Xu
Yamamoto Yang Yilmaz Yockel Yoon Zhang Zhao Zhou Zimmermann Ozturk Haugen Mwangi Kariuki
"""
_PARTICLE_LAST = ("van Dijk", "de Souza", "van der Berg", "de la Cruz", "di Stefano", "von Arx")
_INITIALS = "ABCDEFGHJKLMNPRSTW"

#: the most frequent words of the corpus's commentary, most frequent first
_COMMON = """
the and to of a in for is that on with it or research be you this are but as have we i
about team can more your data work not at they an by if there so from what their one people
computing all how our will do teams those who software out just has would some like when
time them it’s us these other new can’t good our even much also into up which really here
was managers lot very well being make been things way get many manager than most there’s
need want different only help important support don’t often own group systems use users
should could going same see because any great make doesn’t why learn open science useful
paper code approach career tools practice project projects management leadership hiring
meeting meetings feedback community communities infrastructure cluster cloud storage
performance development services service staff students researchers institution funding
"""
_SYLLABLES = _split(
    "ba be bi bo bu ca ce ci co cu da de di do du fa fe fi fo ga ge go ha he hi ka ke ki ko "
    "la le li lo lu ma me mi mo mu na ne ni no nu pa pe pi po pu ra re ri ro ru sa se si so "
    "su ta te ti to tu va ve vi vo za ze zo tra tre pro pla stri gen mor ter lan dor ven sol"
)

_TITLE_WORDS = """
Teams Managers Research Computing Data Software Systems Cloud Storage Clusters Careers
Leadership Hiring Feedback Meetings Strategy Product Community Infrastructure Performance
Testing Documentation Workflows Pipelines Notebooks Containers Scheduling Security Privacy
Metrics Funding Training Mentoring Onboarding Delegation Burnout Planning Roadmaps Users
Outreach Sustainability Reproducibility Provenance Metadata Archives Networks Accelerators
Compilers Languages Databases Queues Incidents Reliability Observability Automation Budgets
Proposals Reviews Interviews Culture Trust Priorities Decisions Architecture Migration
"""
_TITLE_PATTERNS = (
    "How to {v} {N} {p} {N}",
    "Why {N} {vs} {N}",
    "{A} {N}: {A} {N} for {N}",
    "The {A} Guide to {N}",
    "What {N} Teams Get Wrong About {N}",
    "{N}, {N}, and {N}",
    "Lessons from {n} Years of {N}",
    "{A} {N} at Scale",
    "Research: {A} {N} {vs} {N}",
    "On {N} and {N}",
    "A Field Guide to {A} {N}",
    "{N} Is a {N} Problem",
)
_TITLE_ADJ = _split(
    "Better Scalable Practical Open Modern Effective Sustainable Distributed Reproducible "
    "Inclusive Quiet Honest Hidden Small Simple Faster Remote Hybrid Modest Shared"
)
_TITLE_VERB = _split("Run Scale Fix Measure Grow Plan Hire Support Design Review Teach Fund")
_TITLE_VERBS = _split("Matters Beats Drives Needs Breaks Shapes Outlasts Changes")
_TOOL_NAMES = """
Kestrel Lumen Quiver Ferrule Tansy Marlin Bramble Sextant Corvid Halyard Pipit Vellum Gannet
Sorrel Osprey Cobble Thimble Wren Brisket Tern Juniper Lantern Petrel Rook Gossamer Mica
"""
_TOOL_PHRASES = (
    "a tool for {x}",
    "a small library for {x}",
    "a command-line utility for {x}",
    "an open-source service for {x}",
    "a terminal interface for {x}",
)
_TOOL_USES = (
    "tracking long-running jobs on a cluster",
    "browsing large JSON files",
    "diffing scientific datasets",
    "scheduling notebooks as batch jobs",
    "profiling memory use in Python",
    "managing container images for HPC",
    "syncing object storage buckets",
    "linting workflow definitions",
    "querying Parquet files from the shell",
    "rendering documentation sites from notebooks",
)
_VENUE_PATTERNS = (
    "The {W} {O}",
    "{W} {O}",
    "{W} {W2} {O}",
    "Journal of {W} {O2}",
    "{W} Research {O}",
)
_VENUE_WORDS = """
Atlas Beacon Cedar Delta Ember Fjord Granite Harbor Iris Juniper Keystone Lattice Meridian
Nimbus Orchid Prairie Quartz Raven Summit Tidal Umber Vector Willow Zenith Aurora Basalt
Cobalt Dune Echo Falcon Glacier Horizon Indigo Jasper Kelp Lotus Maple Nova Onyx Pebble
"""
_VENUE_ORG = "Blog Review Journal Press Magazine Letters Labs Institute News Notes Report"
_VENUE_ORG2 = "Computing Software Research Science Engineering Systems Management Data"
_EMPLOYERS = (
    "University of {P}",
    "{P} National Laboratory",
    "{P} Institute of Technology",
    "{P} Research Institute",
    "{P} University",
    "{P} Medical Center",
)
_PLACES = """
Lyon Leicester Boston Ottawa Toronto Berkeley Boulder Austin Chicago Denver Melbourne
Sydney Auckland Edinburgh Manchester Oxford Bristol Dublin Amsterdam Utrecht Munich Berlin
Zurich Geneva Barcelona Madrid Lisbon Milan Vienna Prague Helsinki Stockholm Oslo Tokyo
"""
_REGIONS = (
    "MA USA", "ON CA", "CA USA", "CO USA", "TX USA", "IL USA", "UK", "Germany", "France",
    "Netherlands", "Australia", "Japan", "Spain", "Italy", "Sweden",
)  # fmt: skip
_MONTHS = _split("Jan Feb Mar Apr May June July Aug Sept Oct Nov Dec")
_EVENT_KINDS = ("Workshop", "Summit", "Conference", "Symposium", "Training", "Webinar Series")
_JOB_TITLES = (
    "Manager, Research Computing",
    "Director of Research Software Engineering",
    "Head of Research Data Services",
    "Lead Research Software Engineer",
    "HPC Systems Team Lead",
    "Associate Director, Research Computing and Data",
    "Research Data Manager",
    "Principal Research Software Engineer",
)
_ESSAY_HEADINGS = (
    "Start with what the researchers already know",
    "A note on priorities",
    "What this means for our teams",
    "Where to go from here",
)


# -- sampling -------------------------------------------------------------------------


def _pick(rng: Random, seq: Sequence):
    return seq[int(rng.random() * len(seq))]


def _between(rng: Random, low: int, high: int) -> int:
    """An integer in ``low..high`` inclusive."""
    return low + int(rng.random() * (high - low + 1))


def _quantile(rng: Random, table: Sequence[tuple[int, int]]) -> int:
    """A draw from a distribution given as (percentile, value) points, linear in between."""
    u = rng.random() * 100
    for (p0, v0), (p1, v1) in itertools.pairwise(table):
        if u <= p1:
            return round(v0 + (v1 - v0) * (u - p0) / (p1 - p0))
    return table[-1][1]


class _Zipf:
    """Ranks ``0..n-1`` drawn with weight ``1 / (rank + 1 + offset) ** s``."""

    def __init__(self, n: int, s: float, offset: float = 0.0):
        self.cum = list(itertools.accumulate((r + 1 + offset) ** -s for r in range(n)))
        self.total = self.cum[-1]

    def draw(self, rng: Random) -> int:
        return min(bisect.bisect(self.cum, rng.random() * self.total), len(self.cum) - 1)


def _weighted(rng: Random, weights: Sequence[float]) -> int:
    u = rng.random() * sum(weights)
    for index, weight in enumerate(weights):
        u -= weight
        if u < 0:
            return index
    return len(weights) - 1


# -- the seeded pools ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Pools:
    """Names, venues and words shared by every issue of one seed."""

    authors: tuple[str, ...]
    venues: tuple[str, ...]
    words: tuple[str, ...]
    author_zipf: _Zipf = field(repr=False)
    venue_zipf: _Zipf = field(repr=False)
    word_zipf: _Zipf = field(repr=False)

    @classmethod
    def make(cls, seed: int) -> Pools:
        rng = Random(f"roundup-kb-synth:{seed}:pools")
        firsts, lasts = _FIRST.split(), _LAST.split()
        authors: list[str] = []
        seen: set[str] = set()
        while len(authors) < AUTHOR_POOL:
            u = rng.random()
            last = _pick(rng, _PARTICLE_LAST) if u < 0.03 else _pick(rng, lasts)
            if 0.03 <= u < 0.06:
                last = f"{last}-{_pick(rng, lasts)}"
            first = _pick(rng, firsts)
            if rng.random() < 0.1:
                first = f"{first} {_pick(rng, _INITIALS)}."
            name = f"{first} {last}"
            if name.lower() not in seen and last.split("-")[0] != first:
                seen.add(name.lower())
                authors.append(name)
        words_v, orgs, orgs2 = _VENUE_WORDS.split(), _VENUE_ORG.split(), _VENUE_ORG2.split()
        venues: list[str] = []
        while len(venues) < VENUE_POOL:
            pattern = _pick(rng, _VENUE_PATTERNS)
            venue = pattern.format(
                W=_pick(rng, words_v),
                W2=_pick(rng, words_v + lasts),
                O=_pick(rng, orgs),
                O2=_pick(rng, orgs2),
            )
            if venue.lower() not in seen:
                seen.add(venue.lower())
                venues.append(venue)
        words = list(dict.fromkeys(_COMMON.split()))
        known = set(words)
        while len(words) < VOCABULARY:
            word = "".join(_pick(rng, _SYLLABLES) for _ in range(_between(rng, 2, 4)))
            if word not in known:
                known.add(word)
                words.append(word)
        return cls(
            tuple(authors),
            tuple(venues),
            tuple(words),
            _Zipf(AUTHOR_POOL, AUTHOR_ZIPF),
            _Zipf(VENUE_POOL, VENUE_ZIPF),
            _Zipf(VOCABULARY, 1.3, offset=2.7),
        )

    def author(self, rng: Random) -> str:
        return self.authors[self.author_zipf.draw(rng)]

    def venue(self, rng: Random) -> str:
        return self.venues[self.venue_zipf.draw(rng)]

    def word(self, rng: Random) -> str:
        return self.words[self.word_zipf.draw(rng)]


# -- what an issue holds ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SynthItem:
    """One link item as generated: what the parser should read back."""

    title: str
    url: str
    kind: str
    topic: str
    authors: tuple[str, ...] = ()
    venue: str | None = None
    et_al: bool = False


@dataclass(frozen=True, slots=True)
class SynthIssue:
    """One generated issue page and the items on it."""

    number: int
    text: str
    items: tuple[SynthItem, ...]


def _yaml_quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _date_title(date: dt.date) -> str:
    return f"{date.day} {date.strftime('%b')} {date.year}"


class _IssueWriter:
    """Writes one issue; all randomness comes from its own generator."""

    def __init__(self, number: int, seed: int, pools: Pools, topics: TopicRegistry):
        self.number = number
        self.rng = Random(f"roundup-kb-synth:{seed}:issue:{number}")
        self.pools = pools
        self.topics = topics
        self.date = FIRST_ISSUE_DATE + dt.timedelta(days=7 * (number - 1))
        self.items: list[SynthItem] = []
        self.serial = 0

    # text ------------------------------------------------------------------------

    def words(self, count: int) -> str:
        return " ".join(self.pools.word(self.rng) for _ in range(count))

    def sentence(self) -> str:
        rng = self.rng
        words = [self.pools.word(rng) for _ in range(_between(rng, 6, 26))]
        if len(words) > 10 and rng.random() < 0.4:
            words[_between(rng, 3, len(words) - 4)] += ","
        if rng.random() < 0.08:
            at = _between(rng, 1, len(words) - 1)
            words[at] = f"*{words[at]}*"
        text = " ".join(words)
        return text[0].upper() + text[1:] + _pick(rng, (".", ".", ".", ".", ".", "?", "!"))

    def link_phrase(self) -> str:
        """An inline link: a mention, one in six to an earlier issue of the newsletter."""
        rng = self.rng
        if self.number > 1 and rng.random() < 1 / 6:
            earlier = _between(rng, 1, self.number - 1)
            return f"[#{earlier}]({SITE_URL}/newsletter_issues/{earlier:04d})"
        self.serial += 1
        host = _pick(rng, ("github.com", "arxiv.org", "medium.com", "blog.example.org"))
        return f"[{self.words(_between(rng, 1, 4))}](https://{host}/m{self.number}-{self.serial})"

    def paragraph(self, chars: int) -> str:
        """Sentences adding up to about ``chars`` characters (at least one)."""
        parts: list[str] = []
        size = 0
        while not parts or size + 30 < chars:  # a sentence is ~100 characters
            sentence = self.sentence()
            parts.append(sentence)
            size += len(sentence) + 1
        return " ".join(parts)

    def with_links(self, blocks: list[str], count: int) -> list[str]:
        """``blocks`` (paragraphs) with ``count`` inline links put between their words."""
        rng = self.rng
        blocks = list(blocks)
        spots: dict[int, set[int]] = {}
        for _ in range(count):
            index = int(rng.random() * len(blocks))
            spots.setdefault(index, set()).add(_between(rng, 1, blocks[index].count(" ")))
        for index, places in sorted(spots.items()):
            words = blocks[index].split(" ")
            for at in sorted(places, reverse=True):
                words.insert(at, self.link_phrase())
            blocks[index] = " ".join(words)
        return blocks

    def link_count(self, mean: float) -> int:
        """A count with the given mean: the whole part plus one with the fractional odds."""
        whole = int(mean)
        spread = _between(self.rng, 0, 2 * whole) if whole else 0
        return spread + (1 if self.rng.random() < mean - whole else 0)

    def commentary(self, chars: int) -> list[str]:
        """Blocks of commentary adding up to about ``chars`` characters.

        Paragraphs of ~310 characters, 0.7 links per commentary; one in five holds a
        list, one in eight a block quote, one in twenty an image (as measured).
        """
        rng = self.rng
        extras = rng.random()
        blocks: list[str] = []
        left = chars
        if extras < 0.22 and chars > 150:
            items = [self.paragraph(40).rstrip(".!?") for _ in range(_between(rng, 2, 6))]
            numbered = rng.random() < 0.3
            blocks.append(
                "\n".join(
                    f"{n}. {item}" if numbered else f"- {item}" for n, item in enumerate(items, 1)
                )
            )
            left -= len(blocks[-1])
        elif extras < 0.35 and chars > 150:
            blocks.append("> " + self.paragraph(_between(rng, 60, min(300, chars // 2))))
            left -= len(blocks[-1])
        paragraphs = max(1, round(left / 310))
        prose = [self.paragraph(max(20, left // paragraphs)) for _ in range(paragraphs)]
        prose = self.with_links(prose, self.link_count(0.7))
        # the list or quote goes after the first paragraph
        blocks = prose[:1] + blocks + prose[1:]
        if 0.35 <= extras < 0.40:
            self.serial += 1
            blocks.insert(
                1,
                f"![{self.words(_between(rng, 3, 12))}]"
                f"(https://images.example.org/{self.number}/figure-{self.serial}.png)",
            )
        return blocks

    # items -----------------------------------------------------------------------

    def title(self) -> str:
        rng = self.rng
        vocab = _TITLE_WORDS.split()
        fill = {
            "N": lambda: _pick(rng, vocab),
            "A": lambda: _pick(rng, _TITLE_ADJ),
            "v": lambda: _pick(rng, _TITLE_VERB),
            "vs": lambda: _pick(rng, _TITLE_VERBS),
            "p": lambda: _pick(rng, ("for", "in", "with", "without")),
            "n": lambda: str(_between(rng, 2, 25)),
        }
        title = re.sub(r"\{(\w+)\}", lambda m: fill[m.group(1)](), _pick(rng, _TITLE_PATTERNS))
        if rng.random() < 0.3 and ":" not in title:
            title += f": {_pick(rng, _TITLE_ADJ)} {_pick(rng, vocab)} {fill['p']()} "
            title += f"{_pick(rng, vocab)} and {_pick(rng, vocab)}"
        return title

    def url(self, host: str | None = None) -> str:
        rng = self.rng
        self.serial += 1
        host = host or _pick(
            rng,
            ("github.com", "medium.com", "arxiv.org/abs", "www.nature.com/articles", "dev.to"),
        )
        year = self.date.year
        return f"https://{host}/{year}/{self.date.month:02d}/p{self.number}-{self.serial}"

    def _host(self, venue: str | None) -> str | None:
        if venue is None:
            return None
        slug = re.sub(r"[^a-z0-9]+", "", venue.lower().removeprefix("the "))
        return f"www.{slug}.org"

    def author_list(self) -> tuple[tuple[str, ...], str, bool]:
        """(authors as the parser should read them, the text, et al.)."""
        rng = self.rng
        # corpus: "X et al." 83 entries; 1 author 1,004; 2: 81; 3: 54; 4: 19; 5: 10; 6+: 9
        count = _weighted(rng, (83, 1004, 81, 54, 19, 10, 9))
        if count == 0:
            # "Kochkov et al.": the surname of the first author only
            surname = self.pools.author(rng).split()[-1]
            return (surname,), f"{surname} *et al.*", True
        names: list[str] = []
        while len(names) < count:
            name = self.pools.author(rng)
            if name not in names:
                names.append(name)
        if count == 1:
            text = names[0]
        elif count == 2:
            text = f"{names[0]} {_pick(rng, ('and', 'and', '&'))} {names[1]}"
        else:
            oxford = "," if rng.random() < 0.6 else ""
            text = ", ".join(names[:-1]) + f"{oxford} and {names[-1]}"
        return tuple(names), text, False

    def article_line(self, topic: str, *, prose_ok: bool) -> tuple[str, bool]:
        """One article line; True when it is a prose item (its commentary is its own).

        Of articles: 70% name authors (38% of those a venue too), 12% a venue only,
        3% nothing; 15% are prose items ("[Title](url) - a look at ..."), a fifth
        of those tools ("[Name](url), a tool for ...").
        """
        rng = self.rng
        v = rng.random()
        if prose_ok and v >= 0.85:
            if v >= 0.97:
                title = _pick(rng, _TOOL_NAMES.split())
                kind = "tool"
                url = self.url("github.com")
                phrase = _pick(rng, _TOOL_PHRASES).format(x=_pick(rng, _TOOL_USES))
                tail = f"{_pick(rng, (', ', ' is ', ' - '))}{phrase}."
            else:
                title = self.title()
                kind = "article"
                url = self.url()
                opening = _pick(rng, ("a look at", "how", "why", "notes on", "an overview of"))
                tail = f" - {opening} {self.words(_between(rng, 4, 14))}."
            self.items.append(SynthItem(title, url, kind, topic))
            chars = min(800, _quantile(rng, COMMENTARY_CHARS))
            rest = self.with_links([self.paragraph(chars)], self.link_count(0.3))[0]
            return f"[{title}]({url}){tail} {rest}", True
        title = self.title()
        authors: tuple[str, ...] = ()
        venue = None
        et_al = False
        tail = ""
        if v < 0.70:
            authors, text, et_al = self.author_list()
            tail = f" - {text}"
            if rng.random() < 0.38:
                venue = self.pools.venue(rng)
                tail += f", {venue}"
        elif v < 0.82:
            venue = self.pools.venue(rng)
            tail = _pick(rng, (f" - {venue}", f", {venue}"))
        url = self.url(self._host(venue))
        self.items.append(SynthItem(title, url, "article", topic, authors, venue, et_al))
        return f"[{title}]({url}){tail}", False

    def event_line(self, topic: str, kind: str) -> str:
        rng = self.rng
        month = _pick(rng, _MONTHS)
        day = _between(rng, 1, 25)
        days = (
            f"{day}-{day + _between(rng, 1, 3)} {month}" if rng.random() < 0.7 else f"{day} {month}"
        )
        place = _pick(
            rng,
            (
                "Virtual",
                "Online",
                "Hybrid",
                f"{_pick(rng, _PLACES.split())} {_pick(rng, _REGIONS)}",
            ),
        )
        cost = _pick(rng, ("Free", "$75", "€250", "£120", "$150-1,650", "free registration"))
        topic_word = _pick(rng, _TITLE_WORDS.split())
        name = f"{_pick(rng, _TITLE_ADJ)} {topic_word} {_pick(rng, _EVENT_KINDS)}"
        if kind == "call":
            due = f"{_pick(rng, ('Papers', 'Abstracts', 'Submissions', 'Proposals'))} due "
            due += f"{_between(rng, 1, 28)} {_pick(rng, _MONTHS)}"
            prefix = _pick(rng, ("Call for Papers: ", "Call for Proposals: ", "", ""))
            title = f"{prefix}{name} {self.date.year + 1}"
            details = _pick(rng, (f"{days}, {place}, {due}", due, f"{days}, {due}"))
        else:
            title = f"{name} {self.date.year}"
            details = _pick(
                rng, (f"{days}, {place}, {cost}", f"{days}, {cost}", f"{days}, {place}")
            )
        url = self.url(_pick(rng, ("www.eventbrite.com/e", "indico.example.org/event")))
        self.items.append(SynthItem(title, url, kind, topic))
        return f"[{title}]({url}) - {details}"

    def job_line(self, topic: str) -> str:
        rng = self.rng
        employer = _pick(rng, _EMPLOYERS).format(P=_pick(rng, _PLACES.split()))
        title = _pick(rng, _JOB_TITLES)
        url = self.url("jobs.example.org/posting")
        self.items.append(SynthItem(title, url, "job", topic, (), employer))
        place = f"{_pick(rng, _PLACES.split())} {_pick(rng, _REGIONS)}"
        return f"**[{title}]({url})** - {employer}, {place}"

    # sections --------------------------------------------------------------------

    def heading(self, slug: str) -> str:
        topic = self.topics.get(slug)
        assert topic is not None
        if topic.aliases and self.rng.random() < 0.15:
            return _pick(self.rng, topic.aliases)
        return topic.title

    def section(self, slug: str, count: int, rule: bool) -> list[str]:
        rng = self.rng
        kind = self.topics.get(slug).kind
        blocks = [f"## {self.heading(slug)}"]
        if kind == "job":
            blocks.append(
                "This week’s new-listing highlights are below; the full listing of "
                f"{_between(rng, 80, 400)} jobs is, as ever, available on "
                f"[the job board]({SITE_URL}/jobs/)."
            )
            if count:
                blocks.append("<br/>\n".join(self.job_line(slug) for _ in range(count)))
            return blocks
        left = count
        while left:
            # corpus groups of 1/2/3/4+: 85.7/12.1/1.7/0.5%; short sections cut groups
            # down, so draw larger ones more often to end up near those figures
            size = min(left, 1 + _weighted(rng, (80, 16, 3, 1)))
            left -= size
            if kind in ("event", "call"):
                lines = [self.event_line(slug, kind) for _ in range(size)]
                blocks.append("<br/>\n".join(lines))
                if rng.random() < 0.9:
                    blocks.append(self.paragraph(_between(rng, 40, 400)))
                continue
            lines = []
            prose = False
            for _ in range(size):
                line, prose = self.article_line(slug, prose_ok=size == 1)
                lines.append(line)
            if size > 1 and rng.random() < 0.2:
                blocks.extend(lines)  # adjacent item paragraphs: one group too
            else:
                blocks.append("<br/>\n".join(lines))
            if not prose:
                chars = _quantile(rng, COMMENTARY_CHARS)
                if chars:
                    blocks.extend(self.commentary(chars))
            if rule:
                blocks.append("----------")
        return blocks

    def write(self) -> SynthIssue:
        rng = self.rng
        total = min(MAX_ITEMS, max(MIN_ITEMS, _quantile(rng, ITEMS_PER_ISSUE)))
        slugs = [t.slug for t in self.topics.topics]
        kinds = {t.slug: t.kind for t in self.topics.topics}
        jobs = next((s for s in slugs if kinds[s] == "job"), None)
        counts = dict.fromkeys(slugs, 0)
        # a quarter of the corpus's issues have a jobs section, mostly a link to the job board
        with_jobs = jobs is not None and rng.random() < 0.25
        if with_jobs:
            counts[jobs] = _between(rng, 0, 2)
        weights = [0 if kinds[s] == "job" else TOPIC_WEIGHTS.get(s, 5) for s in slugs]
        for _ in range(total - sum(counts.values())):
            counts[slugs[_weighted(rng, weights)]] += 1
        rule = rng.random() < 0.93

        blocks: list[str] = []
        intro = _quantile(rng, INTRO_CHARS)
        paragraphs: list[str] = []
        while intro > 0:
            size = min(intro, _between(rng, 150, 900))
            paragraphs.append(self.paragraph(size))
            intro -= size
        paragraphs = self.with_links(paragraphs or [self.sentence()], round(len(paragraphs) * 1.1))
        essay = list(_ESSAY_HEADINGS)
        for index, paragraph in enumerate(paragraphs):
            if index and index % 6 == 0 and essay and rng.random() < 0.5:
                # an essay's sections: unregistered headings before the first topic
                blocks.append(f"## {essay.pop(int(rng.random() * len(essay)))}")
            blocks.append(paragraph)
        blocks.append("Anyway, on to the roundup!")
        ignored = list(self.topics.ignored)
        body_sections = [s for s in slugs if counts[s] and kinds[s] != "job"]
        for slug in body_sections:
            blocks += self.section(slug, counts[slug], rule)
        if ignored:
            blocks.append(f"## {ignored[0]}")
            blocks += self.with_links([self.paragraph(_between(rng, 150, 400))], 1)
            blocks.append("Jonathan")
        if len(ignored) > 1:
            blocks.append(f"**{ignored[1]}**")
            blocks.append(self.paragraph(_between(rng, 300, 700)))
        if with_jobs:
            blocks += self.section(jobs, counts[jobs], False)

        titles = [i.title for i in self.items if i.kind in ("article", "tool")]
        front = [
            "---",
            f"number: {self.number}",
            f"title: {_yaml_quote(f'#{self.number} - {_date_title(self.date)}')}",
        ]
        if titles and rng.random() < 0.8:
            picks = [_pick(rng, titles) for _ in range(_between(rng, 3, 7))]
            subtitle = "; ".join(dict.fromkeys(" ".join(t.split()[:5]) for t in picks))
            front.append(f"subtitle: {_yaml_quote(subtitle)}")
        front += [f"date: {self.date.isoformat()}", "---", ""]
        text = "\n".join(front) + "\n" + "\n\n".join(blocks) + "\n"
        return SynthIssue(self.number, text, tuple(self.items))


# -- public API -----------------------------------------------------------------------


def generate_issue(
    number: int, topics: TopicRegistry, *, seed: int = 0, pools: Pools | None = None
) -> SynthIssue:
    """Issue page ``number`` of the synthetic corpus ``seed`` (pass ``pools`` to reuse them)."""
    if number < 1:
        raise ValueError(f"issue numbers start at 1, not {number}")
    if not any(t.kind == "article" for t in topics.topics):
        raise ValueError("the topic registry has no article topic to put items under")
    return _IssueWriter(number, seed, pools or Pools.make(seed), topics).write()


def generate_corpus(
    count: int, topics: TopicRegistry, *, seed: int = 0, start: int = 1
) -> list[SynthIssue]:
    """Issues ``start .. start + count - 1`` of the synthetic corpus ``seed``."""
    pools = Pools.make(seed)
    return [generate_issue(n, topics, seed=seed, pools=pools) for n in range(start, start + count)]


def write_corpus(
    dest: Path,
    count: int,
    topics: TopicRegistry,
    *,
    seed: int = 0,
    start: int = 1,
    force: bool = False,
) -> list[Path]:
    """Write ``count`` synthetic issue pages ``NNNN.md`` into ``dest``.

    A page that exists with other text is not overwritten without ``force``
    (checked for every page before anything is written); each page is written
    to a temporary file and renamed into place.
    """
    if count < 0:
        raise ValueError(f"cannot write {count} issues")
    paths = [dest / f"{n:04d}.md" for n in range(start, start + count)]
    issues = generate_corpus(count, topics, seed=seed, start=start)
    if not force:
        clashes = [
            p for p, issue in zip(paths, issues, strict=True) if p.exists() and _differs(p, issue)
        ]
        if clashes:
            raise RoundupError(
                [
                    Problem(
                        "synth",
                        "a different page is already there; not overwriting it",
                        str(path),
                        hint="write into an empty directory, or pass --force to replace it",
                    )
                    for path in clashes
                ]
            )
    # every page to a temporary file first, so that a failure leaves no page behind
    temps = [path.with_name(f".{path.name}.tmp") for path in paths]
    try:
        dest.mkdir(parents=True, exist_ok=True)
        for tmp, issue in zip(temps, issues, strict=True):
            tmp.write_text(issue.text, encoding="utf-8")
    except OSError as exc:
        for tmp in temps:
            with contextlib.suppress(OSError):
                tmp.unlink(missing_ok=True)
        raise RoundupError(
            Problem(
                "synth",
                f"cannot write the pages: {exc}",
                str(dest),
                hint="check that the directory is writable and the disk has room",
            )
        ) from None
    for tmp, path in zip(temps, paths, strict=True):
        os.replace(tmp, path)
    return paths


def _differs(path: Path, issue: SynthIssue) -> bool:
    try:
        return path.read_text(encoding="utf-8") != issue.text
    except (OSError, UnicodeDecodeError):
        return True
