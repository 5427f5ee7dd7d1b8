"""The catalogue indexes, URL identity, and the entries.json export."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from item_helpers import (
    CORPUS,
    ITEMS,
    commented_entry,
    corpus_results,
    names,
    parse_fixture,
    topics,
)
from roundup_kb.catalogue import (
    Backlinks,
    Catalogue,
    links_digest,
    mentions,
    term_pattern,
    terms_mentioned,
)
from roundup_kb.export import ENTRY_KEYS, entries_json, permalink
from roundup_kb.model import Entry, Issue, IssueMeta, Mention
from roundup_kb.names import name_key
from roundup_kb.urls import is_external, normalize_url, url_slug


def entry(id_, issue, url, *, line=1, topic="managing-teams", authors=(), venue=None, day=1):
    return Entry(
        id=id_,
        issue=issue,
        date=dt.date(2022, 1, day),
        title=id_,
        url=url,
        authors=authors,
        venue=venue,
        topic=topic,
        line=line,
    )


def issue(number, *entries_, day=1):
    meta = IssueMeta(number=number, title=f"#{number}", date=dt.date(2022, 1, day))
    return Issue(meta=meta, path=f"issues/{number:04d}.md", entries=tuple(entries_))


@pytest.fixture(scope="module")
def catalogue():
    issues = [
        issue(
            2,
            entry(
                "rct2-b",
                2,
                "http://www.example.org/b/?utm_source=x#top",
                line=9,
                day=8,
                authors=("Will Larson",),
                venue="HPC Wire",
            ),
            entry("rct2-a", 2, "https://example.org/a", line=5, day=8, venue="HPCWire"),
            day=8,
        ),
        issue(
            1,
            entry(
                "rct1-b", 1, "https://example.org/b", line=3, authors=("will larson",), venue="HBR"
            ),
            entry(
                "rct1-c",
                1,
                "https://example.org/c",
                line=7,
                topic="random",
                authors=("Jade Rubik",),
            ),
        ),
    ]
    return Catalogue.build(issues, topics(), names())


def test_entries_in_issue_and_line_order(catalogue):
    assert list(catalogue.entries) == ["rct1-b", "rct1-c", "rct2-a", "rct2-b"]
    assert [i.meta.number for i in catalogue.issues] == [1, 2]


def test_by_topic_newest_issue_first_grouped(catalogue):
    assert [e.id for e in catalogue.by_topic["managing-teams"]] == ["rct2-a", "rct2-b", "rct1-b"]
    groups = catalogue.topic_groups("managing-teams")
    assert [(g.issue, [e.id for e in g.entries]) for g in groups] == [
        (2, ["rct2-a", "rct2-b"]),
        (1, ["rct1-b"]),
    ]
    assert groups[0].date == dt.date(2022, 1, 8)
    assert catalogue.by_topic["events"] == ()  # every registered topic is a key
    assert list(catalogue.by_topic)[: len(topics().topics)] == [t.slug for t in topics().topics]
    assert catalogue.topics_used() == ["managing-teams", "random"]
    assert [e.id for e in catalogue.newest_first()] == ["rct2-a", "rct2-b", "rct1-b", "rct1-c"]


def test_mentioning_and_featured_elsewhere(catalogue):
    assert [e.id for e in catalogue.mentioning("RCT2-A")] == ["rct2-a"]  # title, any case
    assert catalogue.mentioning("rct") == []  # whole words only
    assert catalogue.mentioning(" ") == []
    assert catalogue.featured_elsewhere("rct2-b") == [(1, "rct1-b")]
    assert catalogue.featured_elsewhere("nope") == []


def test_authors_and_venues_merge_variants(catalogue):
    assert list(catalogue.authors) == ["jade-rubick", "will-larson"]  # sorted by slug
    will = catalogue.authors["will-larson"]
    assert will.name == "Will Larson"  # the most used spelling
    assert will.variants == ("Will Larson", "will larson")
    assert [e.id for e in will.entries] == ["rct2-b", "rct1-b"]  # newest first
    assert catalogue.authors["jade-rubick"].name == "Jade Rubick"  # registry canonical
    hpc = catalogue.venues["hpcwire"]
    assert hpc.name == "HPCwire" and [e.id for e in hpc.entries] == ["rct2-a", "rct2-b"]
    assert catalogue.directories["venue"].slug("HPC Wire") == "hpcwire"
    assert catalogue.directories["author"].slug("WILL LARSON") == "will-larson"
    assert catalogue.venues["harvard-business-review"].name == "Harvard Business Review"


def _letter_pages_as_first_written(indexes, page_of, sort_key) -> dict[str, tuple[str, ...]]:
    """Each page's names as the letter pages first found them: a scan of every name."""
    pages = {page_of(index.name) for index in indexes.values()}
    return {
        page: tuple(
            sorted(
                (slug for slug, index in indexes.items() if page_of(index.name) == page),
                key=lambda slug: sort_key(indexes[slug].name),
            )
        )
        for page in pages
    }


def _check_letter_pages(built: Catalogue) -> None:
    from roundup_kb import permalinks
    from roundup_kb.names import slugify

    assert built.author_pages == _letter_pages_as_first_written(
        built.authors,
        permalinks.author_docname,
        lambda name: (slugify(permalinks.family_name(name)), slugify(name)),
    )
    assert built.venue_pages == _letter_pages_as_first_written(
        built.venues,
        permalinks.venue_docname,
        lambda name: (permalinks.sort_name(name), slugify(name)),
    )


def test_letter_pages_list_each_name_where_it_leads(catalogue):
    _check_letter_pages(catalogue)
    assert catalogue.author_pages == {
        "docs/authors/l": ("will-larson",),
        "docs/authors/r": ("jade-rubick",),
    }
    assert "hpcwire" in catalogue.venue_pages["docs/venues/h"]


def test_directories_say_where_each_name_leads_as_the_indexes_do(catalogue):
    for kind, indexes in (("author", catalogue.authors), ("venue", catalogue.venues)):
        directory = catalogue.directories[kind]
        assert directory.names == {slug: index.name for slug, index in indexes.items()}
        for slug, index in indexes.items():
            for variant in index.variants:
                assert directory.slug(variant) == slug
    assert catalogue.directories["venue"].slug("HPC  wire") == "hpcwire"
    assert catalogue.directories["author"].slug("Someone Unknown") == "someone-unknown"


def test_preset_directories_answer_without_the_indexes():
    built = Catalogue.build(
        [issue(1, entry("rct1-a", 1, "https://example.org/a", authors=("Will Larson",)))],
        topics(),
        names(),
    )
    saved = Catalogue.build(
        [issue(1, entry("rct1-a", 1, "https://example.org/a", authors=("Will Larson",)))],
        topics(),
        names(),
    ).directories
    saved["author"].slugs[name_key("Will Larson")] = "saved-slug"  # tell the two apart
    built.preset_directories(saved)
    assert built.directories["author"].slug("will larson") == "saved-slug"
    assert "authors" not in built.__dict__  # the indexes were not made
    assert list(built.complete().authors) == ["will-larson"]


def test_also_featured_normalizes_urls(catalogue):
    b2 = catalogue.entries["rct2-b"]
    assert [e.id for e in catalogue.also_featured(b2)] == ["rct1-b"]
    assert [e.id for e in catalogue.also_featured(catalogue.entries["rct1-b"])] == ["rct2-b"]
    assert catalogue.also_featured(catalogue.entries["rct2-a"]) == []


def test_duplicate_ids_are_reported_not_merged():
    a = issue(5, entry("rct5-x", 5, "https://example.org/x"))
    b = Issue(meta=a.meta, path="issues/0005b.md", entries=a.entries)
    built = Catalogue.build([a, b], topics(), names())
    assert list(built.entries) == ["rct5-x"]
    (problem,) = built.problems
    assert problem.code == "duplicate_entry" and problem.path == "issues/0005b.md"


def test_mentions_by_url_from_fixtures():
    results = [parse_fixture(p.stem) for p in sorted(ITEMS.glob("*.md"))]
    built = Catalogue.build([r.issue for r in results], topics(), names())
    assert len(built.mentions) == sum(len(r.issue.mentions) for r in results)
    assert built.mentions_of("http://example.org/listed-1/")[0].entry == "rct214-feedback-models"
    keys = [(m.issue, m.line) for m in built.mentions]
    assert keys == sorted(keys)
    assert list(built.mentions_by_url) == sorted(built.mentions_by_url)


@pytest.mark.parametrize(
    ("url", "normal"),
    [
        (
            "http://www.Example.org/a/b/?utm_source=x&utm_medium=y&fbclid=1&gclid=2&mc_cid=3&mc_eid=4&ref=5#frag",
            "https://example.org/a/b",
        ),
        ("https://example.org/a?id=3&utm_campaign=z", "https://example.org/a?id=3"),
        ("https://example.org:443/a", "https://example.org/a"),
        ("https://example.org:8080/a", "https://example.org:8080/a"),
    ],
)
def test_normalize_url(url, normal):
    assert normalize_url(url) == normal


def test_external_links():
    assert is_external("https://x.org") and is_external("HTTP://x.org")
    assert not any(
        is_external(u) for u in ("mailto:a@b.org", "#x", "/jobs/", "ftp://x.org", "https://")
    )


@pytest.mark.parametrize(
    ("url", "slug"),
    [
        (
            "https://hbr.org/2021/09/research-informal-leadership-comes-at-a-cost",
            "informal-leadership-comes-at-a-cost",
        ),
        ("https://danielskatzblog.wordpress.com/2021/09/27/senior-rse-paths/", "senior-rse-paths"),
        ("https://ieeexplore.ieee.org/document/9492830", "ieee-9492830"),
        ("https://www.youtube.com/watch?v=dQw4w9WgXcQ", "youtube-dqw4w9wgxcq"),
        ("https://sqlime.org", "sqlime"),
        (
            "https://medium.com/@rbranson/sharing-sqlite-databases-across-containers-bacb8d753054",
            "sharing-sqlite-databases-across-containers",
        ),
    ],
)
def test_url_slug(url, slug):
    assert url_slug(url) == slug


# -- export ----------------------------------------------------------------------


def test_entries_json_shape_and_order(catalogue):
    document = entries_json(catalogue)
    assert document["version"] == 1
    assert [e["id"] for e in document["entries"]] == ["rct1-b", "rct1-c", "rct2-a", "rct2-b"]
    first = document["entries"][0]
    assert tuple(first) == ENTRY_KEYS
    assert first["permalink"] == "issues/0001.html#rct1-b"
    assert first["date"] == "2022-01-01" and first["authors"] == ["will larson"]
    json.dumps(document)  # serialisable as is


def test_entries_json_from_entries_with_base(catalogue):
    shuffled = list(reversed(list(catalogue.entries.values())))
    document = entries_json(shuffled, "https://www.researchcomputingteams.org/")
    assert document == entries_json(catalogue, "https://www.researchcomputingteams.org")
    assert document["entries"][0]["permalink"] == (
        "https://www.researchcomputingteams.org/issues/0001.html#rct1-b"
    )
    assert permalink(catalogue.entries["rct2-a"]) == "issues/0002.html#rct2-a"
    assert entries_json(catalogue, issues_dir="archive/")["entries"][0]["permalink"] == (
        "archive/0001.html#rct1-b"
    )


def test_export_is_deterministic(catalogue):
    again = Catalogue.build(list(reversed(catalogue.issues)), topics(), names())
    assert json.dumps(entries_json(again)) == json.dumps(entries_json(catalogue))


@pytest.mark.corpus
@pytest.mark.skipif(not CORPUS.is_dir(), reason=f"development corpus not found at {CORPUS}")
def test_corpus_catalogue():
    issues = [result.issue for result in corpus_results()[0]]
    built = Catalogue.build(issues, topics(), names())
    assert built.problems == []
    assert len(built.topics_used()) >= 14
    assert 1000 <= len(built.authors) <= 1500
    assert 300 <= len(built.venues) <= 520
    repeated = [e for e in built.entries.values() if built.also_featured(e)]
    assert repeated, "some links are featured in more than one issue"
    assert built.venues["hpcwire"].name == "HPCwire"
    assert len(built.venues["the-next-platform"].entries) >= 35
    _check_letter_pages(built)


def test_json_text_is_one_record_per_line_and_parses_back(catalogue):
    from roundup_kb.export import json_text

    document = entries_json(catalogue)
    text = json_text(document)
    assert json.loads(text) == document
    lines = text.splitlines()
    assert lines[0] == "{" and lines[-1] == "}"
    records = [line for line in lines if line.lstrip().startswith('{"id": ')]
    assert len(records) == len(document["entries"])  # each entry on its own line
    for value in ([], {}, [1, {"a": "é"}], {"a": [], "b": "x"}):
        assert json.loads(json_text(value)) == value


#: pieces of commentary around a term: word characters of several scripts, digits,
#: the underscore, separators, and letters whose case folding is not one to one
_PIECES = st.sampled_from(
    [
        "ic",
        "IC",
        "Ic",
        "rse",
        "RSE",
        "a",
        "_",
        "1",
        "é",
        "ß",
        "SS",
        "ǅ",
        "İ",
        "ı",
        "ſ",
        "K",
        "K",
        "ﬁ",
        " ",
        "-",
        ".",
        "\n",
        "(",
        "'",
        "\u00a0",
        "日本",
        "C++",
        "c++",
    ]
)


@settings(max_examples=300, deadline=None)
@given(
    texts=st.lists(st.lists(_PIECES, max_size=12).map("".join), min_size=1, max_size=6),
    term=st.sampled_from(["IC", "rse", "C++", "ß", "ss", "K", "fi", "é1", "a_", "is"]),
)
def test_mentioning_finds_what_the_term_pattern_finds(texts, term):
    """The pre-filter of ``mentioning`` never drops an entry the pattern matches."""
    entries = [
        commented_entry(f"rct1-{n}", text, line=n + 1, title=f"t{n}")
        for n, text in enumerate(texts)
    ]
    built = Catalogue.build([issue(1, *entries)], topics(), names())
    pattern = term_pattern(term)
    expected = [e.id for e in built.newest_first() if mentions(pattern, e)]
    assert [e.id for e in built.mentioning(term)] == expected


@settings(max_examples=200, deadline=None)
@given(
    issues_texts=st.lists(
        st.lists(st.lists(_PIECES, max_size=10).map("".join), min_size=1, max_size=4),
        min_size=1,
        max_size=3,
    ),
    terms_=st.lists(
        st.sampled_from(["IC", "rse", "C++", "ß", "ss", "K", "fi", "é1", "a_", " is "]),
        min_size=1,
        max_size=4,
        unique=True,
    ),
)
def test_term_index_answers_as_the_text_does(issues_texts, terms_):
    """``mentioning`` from each issue's ``terms_mentioned`` equals looking in the text."""
    issues = [
        issue(
            number,
            *[
                commented_entry(f"rct{number}-{n}", text, number=number, line=n + 1, title=f"t{n}")
                for n, text in enumerate(texts)
            ],
            day=number,
        )
        for number, texts in enumerate(issues_texts, start=1)
    ]
    plain = Catalogue.build(issues, topics(), names())
    indexed = Catalogue.build(issues, topics(), names())
    indexed.index_terms(terms_, [terms_mentioned(i.entries, terms_) for i in issues])
    for term in terms_:
        expected = [e.id for e in plain.mentioning(term)]
        assert [e.id for e in indexed.mentioning(term)] == expected
        # the index is what answered: the term is in it
        assert term.strip() in indexed._term_index


def test_term_index_is_not_used_when_an_id_repeats():
    first = issue(1, commented_entry("rct-x", "about RSE"))
    second = issue(2, commented_entry("rct-x", "nothing here", number=2), day=2)
    built = Catalogue.build([first, second], topics(), names())
    kept = built.entries["rct-x"]
    built.index_terms(["RSE"], [terms_mentioned(i.entries, ["RSE"]) for i in (first, second)])
    assert built._term_index == {}  # which of the two uses the term? the text says
    assert built.mentioning("RSE") == ([kept] if "RSE" in kept.commentary else [])


def test_terms_mentioned_keys_terms_stripped_and_skips_unused():
    entries = (
        commented_entry("rct-a", "An RSE and an IC."),
        commented_entry("rct-b", "No terms.", line=2),
    )
    assert terms_mentioned(entries, [" RSE ", "IC", "HPC", " "]) == {
        "RSE": ("rct-a",),
        "IC": ("rct-a",),
    }


URLS = st.sampled_from(
    ["https://example.org/a", "http://www.example.org/a/?utm_source=x", "https://example.org/b"]
)
#: (issue number, [(id suffix, url)], [mentioned url]); ids may repeat across issues
ISSUES = st.lists(
    st.tuples(
        st.integers(1, 6),
        st.lists(st.tuples(st.sampled_from("abc"), URLS), max_size=3),
        st.lists(URLS, max_size=2),
    ),
    max_size=5,
)


def _also_from_the_catalogue(built: Catalogue, entry_id: str, url: str):
    """What issue pages showed before Backlinks: the catalogue's answer."""
    here = built.entries.get(entry_id)
    featured = built.featured_elsewhere(entry_id)
    mentioned = sorted(
        {m.issue for m in built.mentions_of(url)}
        - {number for number, _ in featured}
        - ({here.issue} if here else set())
    )
    return featured, mentioned


@given(ISSUES)
def test_backlinks_answer_as_the_catalogue_they_were_made_from(specs):
    issues = []
    for position, (number, items, mentioned) in enumerate(specs):
        found = issue(
            number,
            *(
                entry(f"rct{suffix}", number, url, line=2 * i + 1)
                for i, (suffix, url) in enumerate(items)
            ),
        )
        found = Issue(
            meta=found.meta,
            path=f"issues/{position:04d}.md",
            entries=found.entries,
            mentions=tuple(Mention(number, url, "text", 50 + i) for i, url in enumerate(mentioned)),
        )
        issues.append(found)
    built = Catalogue.build(issues, topics(), names())
    backlinks = Backlinks.of(built)
    for one in issues:
        for item in one.entries:
            expected = _also_from_the_catalogue(built, item.id, item.url)
            assert backlinks.also(item.id, item.url) == expected
    assert backlinks.also("rct-none", "https://example.org/a") == _also_from_the_catalogue(
        built, "rct-none", "https://example.org/a"
    )


def test_links_digest_follows_what_backlinks_take_and_nothing_else():
    one = entry("rct1-a", 1, "https://example.org/a", line=3)
    two = entry("rct1-b", 1, "https://example.org/b", line=9)
    mention = Mention(1, "https://example.org/c", "text", 12)
    base = links_digest(1, [one, two], [mention])
    moved = [
        entry("rct1-a", 1, "https://example.org/a", line=4),
        entry("rct1-b", 1, "https://example.org/b", line=11),
    ]
    assert links_digest(1, moved, [Mention(1, "https://example.org/c", "other", 20)]) == base
    assert links_digest(1, [two, one], [mention]) == base  # in catalogue order either way
    assert links_digest(2, [one, two], [mention]) != base
    assert links_digest(1, [one], [mention]) != base
    other = entry("rct1-b", 1, "https://example.org/z", line=9)
    assert links_digest(1, [one, other], [mention]) != base
    assert links_digest(1, [one, two], []) != base


def _display_name_as_first_written(found, registered, canonical):
    """The display rule before the one-spelling shortcut (each pair asked in turn)."""
    from collections import Counter

    for name, _entry in found:
        if registered(name):
            return canonical(name)
    counts = Counter(name for name, _ in found)
    first_seen = {}
    for name, entry in found:
        first_seen.setdefault(name, (entry.issue, entry.line, entry.id))

    def rank(name):
        letters = [c for c in name if c.isalpha()]
        badly_cased = bool(letters) and (
            all(c.islower() for c in letters) or all(c.isupper() for c in letters)
        )
        return (-counts[name], badly_cased and len(letters) > 4, first_seen[name], name)

    return min(counts, key=rank)


SPELLINGS = st.sampled_from(["Will Larson", "will larson", "WILL LARSON", "W. Larson", "Ng", "ng"])


@given(
    found=st.lists(
        st.tuples(SPELLINGS, st.integers(1, 3), st.integers(1, 4)), min_size=1, max_size=8
    ),
    registry=st.sets(SPELLINGS),
)
def test_a_names_display_is_the_registrys_else_the_most_used_spelling(found, registry):
    """One spelling or several, registered or not: the rule as first written."""
    from roundup_kb.catalogue import _display_name

    pairs = [
        (
            name,
            Entry(
                f"e{issue}-{line}", issue, dt.date(2021, 1, issue), "T", "https://x.org", line=line
            ),
        )
        for name, issue, line in found
    ]
    registered = registry.__contains__

    def canonical(name):
        return f"<{name}>"

    expected = _display_name_as_first_written(pairs, registered, canonical)
    assert _display_name(pairs, registered, canonical) == expected
