"""Citation formats: BibTeX read back by pybtex (and by real BibTeX when installed),
RIS line structure, CSL-JSON validity and rendering with citeproc-py."""

from __future__ import annotations

import datetime as dt
import html as html_lib
import json
import random
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pybtex.database import parse_string

from roundup_kb.cite import (
    bibliography,
    builtin_reference,
    builtin_references,
    clean_field,
    clean_url,
    csl_items,
    entry_bibtex,
    entry_csl,
    entry_ris,
    featured_note,
    formatted_reference,
    formatted_references,
    issue_bibtex,
    issue_csl,
    issue_ris,
    latex_escape,
    latex_to_text,
    ris_file,
    split_authors,
    split_name,
)
from roundup_kb.cite import reference as reference_module
from roundup_kb.cite.featured import MONTHS
from roundup_kb.cite.panel import PANEL_VERSION, issue_panel
from roundup_kb.model import KINDS, Entry, IssueMeta

FIXTURES = Path(__file__).parent / "fixtures" / "cite"
SITE = "https://www.researchcomputingteams.org"
DATE = dt.date(2021, 10, 1)
META = IssueMeta(
    number=94,
    title="#94 - 1 Oct 2021",
    date=DATE,
    subtitle="The cost of informal leadership; Advancing the RCD workforce & RSE career paths",
)

INFORMAL = Entry(
    id="rct94-research-informal-leadership",
    issue=94,
    date=DATE,
    title="Research: Informal Leadership Comes at a Cost",
    url="https://hbr.org/2021/09/research-informal-leadership-comes-at-a-cost",
    authors=(
        "Chia-Yen (Chad) Chiu",
        "Jennifer D. Nahrgang",
        "Ashlea Bartram",
        "Jing Wang",
        "Paul Tesluk",
    ),
    venue="HBR",
    topic="managing-teams",
    line=12,
)
WORKFORCE = Entry(
    id="rct94-advancing-the-workforce",
    issue=94,
    date=DATE,
    title="Advancing the Workforce That Supports Computationally and Data Intensive Research",
    url="https://ieeexplore.ieee.org/document/9492830",
    authors=(
        "Patrick Schmitz",
        "Scott Yockel",
        "Claire Mizumoto",
        "Thomas Cheatham",
        "Dana Brunson",
    ),
    venue="Computing in Science and Engineering",
    line=20,
)
RSE21 = Entry(
    id="rct94-rse-conference-2021",
    issue=94,
    date=DATE,
    title="RSE Conference 2021",
    url="https://example.org/rse21",
    details="6-9 Sept, Virtual, £25",
    kind="event",
    line=40,
)
REAL = (INFORMAL, WORKFORCE, RSE21)

HOSTILE_AUTHORS = (
    "Chia-Yen (Chad) Chiu",
    "Melissa Weber Mendonça",
    "Guido van Rossum",
    "Ana de la Cruz",
    "Martin Luther King Jr.",
    "Ed Harris, Jr.",
    "Cher",
    "王晶",
    "Johnson and Johnson",
    "AT&T Labs",
    "R. {Weird} Name",
    "bell hooks",
    "others",
    "Sean O’Grady",
    "Jean-Luc Picard III",
    "50% \\Percent_Person$ #1 ~ ^",
)
HOSTILE = (
    Entry(
        id="hostile-specials",
        issue=94,
        date=DATE,
        title="50% of {HPC} & $cost #1 a_b ~ ^ \\ { unbalanced <x> | y",
        url="https://example.org/a_b%20c?x=1&y={2}#frag",
        authors=HOSTILE_AUTHORS,
        venue="Ben & Jerry's {Blog} 100%",
        details="£25 — 50% off, $10 #deal",
        kind="job",
        et_al=True,
        line=1,
    ),
    Entry(
        id="hostile-close-brace",
        issue=94,
        date=DATE,
        title="} starts with a close brace, \\textbf{not bold}",
        url="https://example.org/close",
        line=2,
    ),
    Entry(
        id="hostile-ligatures",
        issue=94,
        date=DATE,
        title="Use --help and --- dashes, ``quotes'', ,,low?` !`",
        url="https://example.org/lig",
        authors=("Jane Doe",),
        line=3,
    ),
    Entry(
        id="hostile-unicode",
        issue=94,
        date=DATE,
        title="Café — naïve résumé, 日本語のタイトル, Ελληνικά 🚀",
        url="https://example.org/ünïcode",
        authors=("Ünal Çelik", "Zoë Ångström"),
        venue="Université de Montréal",
        line=4,
    ),
    Entry(
        id="hostile-whitespace",
        issue=94,
        date=DATE,
        title="  split\n\tacross\r\n lines\u00a0and\u2028more\x00 ",
        url="https://example.org/ws page",
        authors=("  Jane \n Doe ",),
        line=5,
    ),
    Entry(
        id="hostile-long",
        issue=94,
        date=DATE,
        title=" ".join(f"word{i}" for i in range(800)) + " " + "x" * 300,
        url="https://example.org/long",
        line=6,
    ),
    Entry(
        id="hostile-no-author",
        issue=94,
        date=DATE,
        title="No author at all",
        url="https://example.org/none",
        venue="Some Blog",
        line=7,
    ),
)

# ---------------------------------------------------------------- helpers


def assert_balanced(text: str) -> None:
    """Braces balance as BibTeX counts them: every brace, escaped or not."""
    depth = 0
    for char in text:
        depth += {"{": 1, "}": -1}.get(char, 0)
        assert depth >= 0, text
    assert depth == 0, text


def parse_bibtex(text: str):
    assert_balanced(text)
    return parse_string(text, "bibtex")


def person_text(person) -> str:
    """A pybtex Person back as a display name: its parts decoded and joined."""
    parts = (
        *person.first_names,
        *person.middle_names,
        *person.prelast_names,
        *person.last_names,
        *person.lineage_names,
    )
    return " ".join(latex_to_text(p) for p in parts)


def expected_names(entry: Entry) -> list[str]:
    names, _ = split_authors(entry.authors, entry.et_al)
    return [n.display for n in names]


def check_bibtex_entry(entry: Entry, text: str) -> None:
    """Every field pybtex reads back is the cleaned text of the entry."""
    record = parse_bibtex(text).entries[entry.id]
    fields = record.fields
    for name, value in fields.items():
        if name != "url":
            assert not re.search(r"(?<!\\)%", value), (name, value)
    title = clean_field(entry.title) or clean_url(entry.url)
    assert latex_to_text(fields["title"]) == title
    assert fields["title"].startswith("{") and fields["title"].endswith("}")
    if clean_field(entry.venue):
        assert latex_to_text(fields["organization"]) == clean_field(entry.venue)
    else:
        assert "organization" not in fields
    if entry.kind in ("event", "call", "job") and clean_field(entry.details):
        assert latex_to_text(fields["howpublished"]) == clean_field(entry.details)
    else:
        assert "howpublished" not in fields
    assert fields["url"] == clean_url(entry.url)
    assert fields["year"] == str(entry.date.year)
    assert fields["month"] == MONTHS[entry.date.month - 1]  # the macro, expanded
    assert fields["urldate"] == entry.date.isoformat()
    assert latex_to_text(fields["note"]) == featured_note(entry, META, site_url=SITE)
    persons = list(record.persons.get("author", ()))
    names, et_al = split_authors(entry.authors, entry.et_al)
    if et_al and names:
        assert persons.pop().last_names == ["others"]  # unbraced: BibTeX's "et al."
    assert [person_text(p) for p in persons] == expected_names(entry)
    assert record.type == ("online" if entry.kind in ("article", "tool") else "misc")


def ris_lines(text: str) -> list[tuple[str, str]]:
    assert text.endswith("ER  - \n")
    lines = text[:-1].split("\n")
    for line in lines:
        assert re.fullmatch(r"[A-Z][A-Z0-9]  - (?:\S(?:.*\S)?)?", line), line
        assert "\r" not in line
    assert lines[0].startswith("TY  - ") and lines[-1] == "ER  - "
    assert sum(line.startswith(("TY  - ", "ER  - ")) for line in lines) == 2
    return [(line[:2], line[6:]) for line in lines]


# CSL-JSON 1.0.2 (csl-data.json): the item types, name and date variables, and the
# other variables this project writes (strings or numbers).
CSL_TYPES = frozenset(
    [
        "article",
        "article-journal",
        "article-magazine",
        "article-newspaper",
        "bill",
        "book",
        "broadcast",
        "chapter",
        "classic",
        "collection",
        "dataset",
        "document",
        "entry",
        "entry-dictionary",
        "entry-encyclopedia",
        "event",
        "figure",
        "graphic",
        "hearing",
        "interview",
        "legal_case",
        "legislation",
        "manuscript",
        "map",
        "motion_picture",
        "musical_score",
        "pamphlet",
        "paper-conference",
        "patent",
        "performance",
        "periodical",
        "personal_communication",
        "post",
        "post-weblog",
        "regulation",
        "report",
        "review",
        "review-book",
        "software",
        "song",
        "speech",
        "standard",
        "thesis",
        "treaty",
        "webpage",
    ]
)
CSL_NAME_VARIABLES = frozenset(
    [
        "author",
        "chair",
        "collection-editor",
        "compiler",
        "composer",
        "container-author",
        "contributor",
        "curator",
        "director",
        "editor",
        "editorial-director",
        "executive-producer",
        "guest",
        "host",
        "interviewer",
        "illustrator",
        "narrator",
        "organizer",
        "original-author",
        "performer",
        "producer",
        "recipient",
        "reviewed-author",
        "script-writer",
        "series-creator",
        "translator",
    ]
)
CSL_DATE_VARIABLES = frozenset(
    ["accessed", "available-date", "event-date", "issued", "original-date", "submitted"]
)
CSL_TEXT_VARIABLES = frozenset(
    [
        "citation-key",
        "container-title",
        "event-place",
        "event-title",
        "genre",
        "issue",
        "medium",
        "note",
        "number",
        "publisher",
        "publisher-place",
        "source",
        "title",
        "URL",
        "version",
    ]
)
CSL_NAME_KEYS = frozenset(
    [
        "family",
        "given",
        "dropping-particle",
        "non-dropping-particle",
        "suffix",
        "comma-suffix",
        "static-ordering",
        "literal",
        "parse-names",
    ]
)


def check_csl_item(item: dict[str, Any]) -> None:
    """The essentials of the csl-data.json schema, checked strictly."""
    assert isinstance(item["id"], str | int)
    assert item["type"] in CSL_TYPES
    for key, value in item.items():
        if key in ("id", "type"):
            continue
        if key in CSL_NAME_VARIABLES:
            assert isinstance(value, list) and value
            for name in value:
                assert isinstance(name, dict) and set(name) <= CSL_NAME_KEYS, name
                assert ("literal" in name) != ("family" in name), name
                for part, text in name.items():
                    assert isinstance(text, bool if part == "comma-suffix" else str)
                    assert text if isinstance(text, str) else text is True
        elif key in CSL_DATE_VARIABLES:
            parts = value["date-parts"]
            assert set(value) == {"date-parts"}
            assert 1 <= len(parts) <= 2
            assert all(1 <= len(p) <= 3 and all(isinstance(n, int) for n in p) for p in parts)
        else:
            assert key in CSL_TEXT_VARIABLES, key
            assert isinstance(value, str | int) and not isinstance(value, bool)
            assert value != ""
    json.dumps(item)  # serializable as is


def csl_display(name: dict[str, str]) -> str:
    if "literal" in name:
        return name["literal"]
    text = " ".join(name[k] for k in ("given", "non-dropping-particle", "family") if name.get(k))
    if name.get("suffix"):
        text += (", " if name.get("comma-suffix") else " ") + name["suffix"]
    return text


# ---------------------------------------------------------------- the real entries


def test_real_entries_bibtex_golden():
    text = bibliography(REAL, [META], site_url=SITE)
    assert text == (FIXTURES / "rct94.bib").read_text(encoding="utf-8")
    for entry in REAL:
        check_bibtex_entry(entry, entry_bibtex(entry, site_url=SITE, issue_meta=META))


def test_real_entries_ris_golden():
    text = ris_file(REAL, [META], site_url=SITE)
    assert text == (FIXTURES / "rct94.ris").read_text(encoding="utf-8")


def test_real_entries_csl_golden():
    items = csl_items(REAL, [META], site_url=SITE)
    expected = json.loads((FIXTURES / "rct94.json").read_text(encoding="utf-8"))
    assert items == expected
    for item in items:
        check_csl_item(item)


def test_issue_panel_holds_each_format_and_csl_as_data():
    panel = issue_panel(META, REAL, site_url=SITE)
    assert panel["version"] == PANEL_VERSION
    assert list(panel["entries"]) == [e.id for e in sorted(REAL, key=lambda e: (e.line, e.id))]
    items = csl_items(REAL, [META], site_url=SITE)
    for entry in REAL:
        record = panel["entries"][entry.id]
        assert record["key"] == entry.id
        assert record["bibtex"] == entry_bibtex(entry, issue_meta=META, site_url=SITE)
        assert record["ris"] == entry_ris(entry, issue_meta=META, site_url=SITE)
        # one CSL item as data (the panel indents it), the same as the export's
        assert record["csl"] == [item for item in items if item["id"] == entry.id]
    assert panel["issue"]["csl"] == [issue_csl(META, site_url=SITE)]
    # what the site writes: compact JSON, read back the same
    assert json.loads(json.dumps(panel, separators=(",", ":"))) == panel


def test_informal_leadership_formats():
    bib = parse_bibtex(entry_bibtex(INFORMAL, site_url=SITE, issue_meta=META))
    chiu = bib.entries[INFORMAL.id].persons["author"][0]
    # the nickname travels with the given name, protected so no style abbreviates "(Chad)"
    assert chiu.last_names == ["Chiu"] and chiu.first_names == ["{Chia-Yen (Chad)}"]
    ris = dict(ris_lines(entry_ris(INFORMAL, site_url=SITE, issue_meta=META)))
    assert ris["TY"] == "ELEC" and ris["PB"] == "HBR" and ris["DA"] == "2021/10/01"
    csl = entry_csl(INFORMAL, site_url=SITE, issue_meta=META)
    assert csl["author"][0] == {"family": "Chiu", "given": "Chia-Yen (Chad)"}
    assert csl["note"] == (
        "Featured in Research Computing Teams #94, 1 October 2021, "
        "https://www.researchcomputingteams.org/issues/0094.html"
        "#rct94-research-informal-leadership"
    )


def test_issue_records():
    bib = parse_bibtex(issue_bibtex(META, site_url=SITE)).entries["rct-issue-94"]
    assert bib.type == "misc"
    assert [person_text(p) for p in bib.persons["editor"]] == ["Jonathan Dursi"]
    assert latex_to_text(bib.fields["title"]) == (
        "Research Computing Teams #94: The cost of informal leadership; "
        "Advancing the RCD workforce & RSE career paths"
    )
    assert bib.fields["url"] == f"{SITE}/issues/0094.html"
    ris = ris_lines(issue_ris(META, site_url=SITE))
    assert ("ED", "Dursi, Jonathan") in ris and ("IS", "94") in ris
    csl = issue_csl(META, site_url=SITE)
    check_csl_item(csl)
    assert csl["editor"] == [{"family": "Dursi", "given": "Jonathan"}]
    bare = IssueMeta(number=7, title="#7", date=DATE)
    assert latex_to_text(
        parse_bibtex(issue_bibtex(bare, site_url=SITE)).entries["rct-issue-7"].fields["title"]
    ) == ("Research Computing Teams #7")


# ---------------------------------------------------------------- formatted references


HARVARD = {
    INFORMAL.id: (
        "Chiu, C.-Y. et al. (2021) Research: Informal Leadership Comes at a Cost, HBR. "
        "Available at: https://hbr.org/2021/09/research-informal-leadership-comes-at-a-cost "
        "(Accessed: October 1, 2021)."
    ),
    WORKFORCE.id: (
        "Schmitz, P. et al. (2021) Advancing the Workforce That Supports Computationally "
        "and Data Intensive Research, Computing in Science and Engineering. Available at: "
        "https://ieeexplore.ieee.org/document/9492830 (Accessed: October 1, 2021)."
    ),
    RSE21.id: (
        "RSE Conference 2021 (2021). Available at: https://example.org/rse21 "
        "(Accessed: October 1, 2021)."
    ),
}
BUILTIN = {
    INFORMAL.id: (
        "Chiu, C.-Y., Nahrgang, J. D., Bartram, A., Wang, J., & Tesluk, P. (2021, October 1). "
        "Research: Informal Leadership Comes at a Cost. HBR. "
        "https://hbr.org/2021/09/research-informal-leadership-comes-at-a-cost"
    ),
    WORKFORCE.id: (
        "Schmitz, P., Yockel, S., Mizumoto, C., Cheatham, T., & Brunson, D. (2021, October 1). "
        "Advancing the Workforce That Supports Computationally and Data Intensive Research. "
        "Computing in Science and Engineering. https://ieeexplore.ieee.org/document/9492830"
    ),
    RSE21.id: (
        "RSE Conference 2021. (2021, October 1). 6-9 Sept, Virtual, £25. https://example.org/rse21"
    ),
}


@pytest.mark.parametrize("entry", REAL, ids=lambda e: e.id)
def test_formatted_reference_harvard(entry):
    pytest.importorskip("citeproc")
    assert formatted_reference(entry, META) == HARVARD[entry.id]
    html = formatted_reference(entry, META, html=True)
    assert "Available at:" in html
    assert ("<i>" in html) == bool(
        entry.authors
    )  # the italic title, unless it took the author's place


@pytest.mark.parametrize("entry", REAL, ids=lambda e: e.id)
def test_formatted_reference_builtin(entry, monkeypatch):
    assert formatted_reference(entry, META, style="builtin") == BUILTIN[entry.id]
    monkeypatch.setattr(reference_module, "citeproc_available", lambda: False)
    assert formatted_reference(entry, META) == BUILTIN[entry.id]


def test_formatted_reference_html_escapes():
    entry = Entry(
        id="html-1",
        issue=94,
        date=DATE,
        title="<script>alert(1)</script> & more",
        url="https://example.org/?a=1&b=<2>",
        authors=("Jane Doe",),
        et_al=True,
    )
    builtin = formatted_reference(entry, style="builtin", html=True)
    assert "<script>" not in builtin and "&lt;script&gt;" in builtin
    assert builtin.startswith("Doe, J., et al. (2021, October 1). <i>&lt;script&gt;")
    assert 'href="https://example.org/?a=1&amp;b=&lt;2&gt;"' in builtin
    if reference_module.citeproc_available():
        rendered = formatted_reference(entry, html=True)
        assert "<script>" not in rendered and "&lt;script&gt;" in rendered


def test_formatted_reference_unknown_style():
    pytest.importorskip("citeproc")
    with pytest.raises(ValueError):
        formatted_reference(INFORMAL, META, style="no-such-style")


# ---------------------------------------------------------------- names


@pytest.mark.parametrize(
    ("name", "family", "given", "particle", "suffix", "literal"),
    [
        ("Chia-Yen (Chad) Chiu", "Chiu", "Chia-Yen (Chad)", "", "", ""),
        ("Melissa Weber Mendonça", "Mendonça", "Melissa Weber", "", "", ""),
        ("Jennifer D. Nahrgang", "Nahrgang", "Jennifer D.", "", "", ""),
        ("Guido van Rossum", "Rossum", "Guido", "van", "", ""),
        ("Ana de la Cruz", "Cruz", "Ana", "de la", "", ""),
        ("Martin Luther King Jr.", "King", "Martin Luther", "", "Jr.", ""),
        ("Ed Harris, Jr.", "Harris", "Ed", "", "Jr.", ""),
        ("Cher", "", "", "", "", "Cher"),
        ("王晶", "", "", "", "", "王晶"),
        ("Johnson and Johnson", "", "", "", "", "Johnson and Johnson"),
        ("AWS HPC Blog", "", "", "", "", "AWS HPC Blog"),
        ("bell hooks", "", "", "", "", "bell hooks"),
        ("Jon Smith (Oxford)", "", "", "", "", "Jon Smith (Oxford)"),
    ],
)
def test_split_name(name, family, given, particle, suffix, literal):
    person = split_name(name)
    assert (person.family, person.given, person.particle, person.suffix, person.literal) == (
        family,
        given,
        particle,
        suffix,
        literal,
    )
    assert person.display == name


def test_split_authors_et_al():
    names, et_al = split_authors(["Jane Doe", "John Roe et al."])
    assert [n.display for n in names] == ["Jane Doe", "John Roe"] and et_al
    names, et_al = split_authors(["Jane Doe", "et al.", "  "])
    assert [n.display for n in names] == ["Jane Doe"] and et_al
    assert split_authors(["Jane Doe"]) == ([split_name("Jane Doe")], False)


def test_formal_given_drops_nickname():
    assert split_name("Chia-Yen (Chad) Chiu").formal_given == "Chia-Yen"
    assert split_name('Robert "Bob" Jones').formal_given == "Robert"


# ---------------------------------------------------------------- hostile entries


@pytest.mark.parametrize("entry", HOSTILE, ids=lambda e: e.id)
def test_hostile_bibtex_round_trips(entry):
    check_bibtex_entry(entry, entry_bibtex(entry, site_url=SITE, issue_meta=META))


def test_hostile_authors_survive():
    text = entry_bibtex(HOSTILE[0], site_url=SITE, issue_meta=META)
    persons = parse_bibtex(text).entries["hostile-specials"].persons["author"]
    by_text = {person_text(p): p for p in persons}
    # organizations, single names, CJK and the word "and" stay whole: one brace group
    for literal in ("Johnson and Johnson", "AT&T Labs", "Cher", "王晶", "Ed Harris, Jr."):
        assert len(by_text[literal].last_names) == 1
        assert by_text[literal].last_names[0].startswith("{")
    # an author called "others" is a name; the unbraced "others" at the end is "et al."
    assert ["{others}"] in [p.last_names for p in persons]
    assert persons[-1].last_names == ["others"]
    assert by_text["Guido van Rossum"].prelast_names == ["van"]
    assert by_text["Martin Luther King Jr."].lineage_names == ["Jr."]
    assert by_text["Melissa Weber Mendonça"].last_names == ["Mendonça"]


def test_long_title_is_wrapped_and_round_trips():
    entry = HOSTILE[5]
    text = entry_bibtex(entry, site_url=SITE, issue_meta=META)
    assert all(" " not in line.strip() for line in text.splitlines() if len(line) > 79)
    check_bibtex_entry(entry, text)
    assert len(ris_lines(entry_ris(entry, site_url=SITE))) == 9


def test_no_author_entry():
    entry = HOSTILE[6]
    text = entry_bibtex(entry, site_url=SITE, issue_meta=META)
    assert "author" not in parse_bibtex(text).entries[entry.id].persons
    assert not any(tag == "AU" for tag, _ in ris_lines(entry_ris(entry, site_url=SITE)))
    csl = entry_csl(entry, site_url=SITE)
    check_csl_item(csl)
    assert "author" not in csl
    assert formatted_reference(entry, style="builtin").startswith(
        "No author at all. (2021, October 1). Some Blog."
    )
    if reference_module.citeproc_available():
        # the venue stands in as the author; the title is not repeated (citeproc-py #91)
        assert formatted_reference(entry).startswith("Some Blog (2021) No author at all")


def test_url_percent_encoding():
    assert clean_url("https://e.org/a b{c}\\d%20#x") == "https://e.org/a%20b%7Bc%7D%5Cd%20#x"
    assert clean_url("https://e.org/ünï?q=1&r=%2F#f_g") == "https://e.org/ünï?q=1&r=%2F#f_g"


def test_errors():
    with pytest.raises(ValueError, match="issue 94, not issue 95"):
        entry_bibtex(INFORMAL, site_url=SITE, issue_meta=IssueMeta(95, "#95", DATE))
    with pytest.raises(ValueError, match="BibTeX key"):
        entry_bibtex(Entry(id="bad key", issue=1, date=DATE, title="t", url="u"), site_url=SITE)
    with pytest.raises(ValueError, match="two entries"):
        bibliography([INFORMAL, INFORMAL], site_url=SITE)
    with pytest.raises(ValueError, match="unknown TeX command"):
        latex_to_text(r"\textbf{}")


def test_latex_escape_examples():
    assert latex_escape("50% & $5 #1 a_b") == r"50\% \& \$5 \#1 a\_b"
    assert latex_escape("{x}") == r"\textbraceleft{}x\textbraceright{}"
    assert latex_escape("--help") == "-{}-help"
    assert latex_escape("Mendonça 日本") == "Mendonça 日本"


# ---------------------------------------------------------------- determinism


def test_bibliography_is_deterministic():
    entries = [*REAL, *HOSTILE]
    other = Entry(id="rct95-x", issue=95, date=dt.date(2021, 10, 8), title="X", url="u", line=3)
    expected = bibliography([*entries, other], [META], site_url=SITE)
    for seed in range(5):
        shuffled = [*entries, other]
        random.Random(seed).shuffle(shuffled)
        assert bibliography(shuffled, {94: META}, site_url=SITE) == expected
    # issue 95 has no front matter: its entries, but no issue record
    assert "rct-issue-95" not in expected and "@online{rct95-x," in expected
    assert expected.index("@misc{rct-issue-94,") < expected.index(INFORMAL.id)
    db = parse_bibtex(expected)
    assert list(db.entries) == [
        "rct-issue-94",
        *[e.id for e in sorted(entries, key=lambda e: (e.line, e.id))],
        "rct95-x",
    ]
    assert ris_file(reversed(entries), [META], site_url=SITE) == ris_file(
        entries, [META], site_url=SITE
    )
    assert csl_items(reversed(entries), [META], site_url=SITE) == csl_items(
        entries, [META], site_url=SITE
    )


# ---------------------------------------------------------------- RIS and CSL of hostile entries


@pytest.mark.parametrize("entry", [*REAL, *HOSTILE], ids=lambda e: e.id)
def test_ris_structure(entry):
    lines = ris_lines(entry_ris(entry, site_url=SITE, issue_meta=META))
    tags = dict(lines)
    names, _ = split_authors(entry.authors, entry.et_al)
    assert [v for t, v in lines if t == "AU"] == [n.inverted for n in names]
    assert tags["ID"] == entry.id and tags["PY"] == "2021" and tags["Y2"] == "2021/10/01"
    assert tags.get("TI", "") == clean_field(entry.title)
    assert lines[-2] == ("N1", featured_note(entry, META, site_url=SITE))


@pytest.mark.parametrize("entry", [*REAL, *HOSTILE], ids=lambda e: e.id)
def test_csl_valid_and_renders(entry):
    item = entry_csl(entry, site_url=SITE, issue_meta=META)
    check_csl_item(item)
    assert item.get("title", "") == clean_field(entry.title)
    names, _ = split_authors(entry.authors, entry.et_al)
    assert [csl_display(n) for n in item.get("author", [])] == [n.display for n in names]
    if reference_module.citeproc_available():
        for html in (False, True):
            assert formatted_reference(entry, META, html=html)


# ---------------------------------------------------------------- property tests

SPECIALS = "{}%&$#_~\\^<>|-`',?!\"@= \n\t\u00a0"
hostile_text = st.text(
    alphabet=st.one_of(st.sampled_from(SPECIALS), st.characters(codec="utf-8")), max_size=60
)
name_word = st.sampled_from(
    [
        "Chia-Yen",
        "(Chad)",
        "Chiu",
        "Jennifer",
        "D.",
        "van",
        "de",
        "la",
        "Mendonça",
        "O’Grady",
        "Jr.",
        "III",
        "and",
        "others",
        "Others",
        "{x}",
        "A&B",
        "ACME",
        "Labs",
        "日本",
        "Ünal",
        "d'Arc",
        "Mc{Kay}",
        "50%",
        "-",
        "--",
        "Jean-",
        "\\",
        "~",
    ]
)
author = st.one_of(st.lists(name_word, min_size=1, max_size=5).map(" ".join), hostile_text)


@given(text=hostile_text)
def test_latex_escape_inverts(text):
    escaped = latex_escape(text)
    assert latex_to_text(escaped) == text
    assert_balanced(escaped)
    assert not re.search(r"(?<!\\)[%&$#_]", escaped)


def hostile_entries(urls=None):
    """Entries whose text fields may hold anything (for the property tests)."""
    urls = st.just("https://example.org/p?q=1&r=%20#x_y") if urls is None else urls
    return st.builds(
        Entry,
        id=st.just("rct94-prop"),
        issue=st.just(94),
        date=st.just(DATE),
        title=hostile_text,
        url=urls,
        authors=st.lists(author, max_size=4).map(tuple),
        venue=st.none() | hostile_text,
        details=st.none() | hostile_text,
        kind=st.sampled_from(KINDS),
        et_al=st.booleans(),
    )


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(entry=hostile_entries())
def test_bibtex_round_trips_any_text(entry):
    check_bibtex_entry(entry, entry_bibtex(entry, site_url=SITE, issue_meta=META))
    lines = ris_lines(entry_ris(entry, site_url=SITE, issue_meta=META))
    assert dict(lines).get("TI", "") == clean_field(entry.title)
    item = entry_csl(entry, site_url=SITE, issue_meta=META)
    check_csl_item(item)


def _builtin_reference_as_first_written(entry: Entry, issue_meta: IssueMeta, html: bool) -> str:
    """``builtin_reference`` as it was before it made both forms at once."""
    sentence = reference_module._sentence
    esc = html_lib.escape if html else str
    names, et_al = split_authors(entry.authors, entry.et_al)
    date = issue_meta.date
    when = f"({date.year}, {MONTHS[date.month - 1]} {date.day})."
    title = clean_field(entry.title)
    title_part = esc(sentence(title)) if title else ""
    if html and title_part:
        title_part = f"<i>{title_part}</i>"
    authors = reference_module._apa_authors(names, et_al)
    parts = [esc(sentence(authors)), when, title_part] if authors else [title_part, when]
    for extra in (entry.venue, entry.details):
        if clean_field(extra):
            parts.append(esc(sentence(clean_field(extra))))
    url = clean_url(entry.url)
    if url:
        parts.append(f'<a href="{esc(url)}">{esc(url)}</a>' if html else url)
    return " ".join(p for p in parts if p)


@settings(max_examples=200)
@given(
    entry=hostile_entries(
        st.sampled_from(["", "https://example.org/p?q=1&r=<x>", " https://example.org/a b "])
    )
)
def test_both_builtin_references_are_those_made_one_at_a_time(entry):
    expected = tuple(_builtin_reference_as_first_written(entry, META, html) for html in (0, 1))
    assert builtin_references(entry, META) == expected
    assert tuple(builtin_reference(entry, META, html=html) for html in (False, True)) == expected
    assert formatted_references(entry, META, "builtin") == expected


@given(name=author)
def test_split_name_is_lossless(name):
    person = split_name(name)
    assert person.display == clean_field(name)


# ---------------------------------------------------------------- real BibTeX, when installed


def run_bibtex(tmp_path: Path, text: str) -> list[str]:
    """Run BibTeX with a style that dumps every field and name; return the .bbl lines."""
    (tmp_path / "refs.bib").write_text(text, encoding="utf-8")
    shutil.copy(FIXTURES / "dump.bst", tmp_path / "dump.bst")
    (tmp_path / "main.aux").write_text("\\citation{*}\n\\bibdata{refs}\n\\bibstyle{dump}\n")
    done = subprocess.run(
        ["bibtex", "-terse", "main"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={"BIBINPUTS": ".", "BSTINPUTS": ".", "PATH": "/usr/bin:/bin"},
        check=False,
    )
    log = (tmp_path / "main.blg").read_text(encoding="utf-8", errors="replace")
    assert done.returncode == 0, log + done.stdout
    assert "Warning" not in log and "error" not in log.lower(), log
    # BibTeX wraps long output lines, continuing them with two spaces
    bbl = (tmp_path / "main.bbl").read_text(encoding="utf-8", errors="replace")
    return re.sub(r"\n  ", " ", bbl).splitlines()


@pytest.mark.skipif(
    shutil.which("bibtex") is None, reason="BibTeX (texlive-binaries) not installed"
)
def test_real_bibtex_reads_everything(tmp_path):
    entries = [*REAL, *HOSTILE]
    lines = run_bibtex(tmp_path, bibliography(entries, [META], site_url=SITE))
    records: dict[str, dict[str, list[str]]] = {}
    for line in lines:
        field, _, value = line.partition(" ")
        if field == "KEY":
            current = records.setdefault(value, {})
        else:
            current.setdefault(field, []).append(value)
    assert set(records) == {"rct-issue-94", *(e.id for e in entries)}
    for entry in entries:
        fields = records[entry.id]
        text = {k: " ".join(latex_to_text(v) for v in vs) for k, vs in fields.items()}
        assert text["TITLE"] == (clean_field(entry.title) or clean_url(entry.url))
        assert text["ORGANIZATION"] == clean_field(entry.venue)
        assert text["MONTH"] == "October" and text["YEAR"] == "2021"
        assert text["NOTE"] == featured_note(entry, META, site_url=SITE)
        # BibTeX joins name words with spaces, hyphens as written or ties (~), and the
        # escaped text never holds a raw ~
        names = [latex_to_text(v.replace("~", " ")).strip() for v in fields.get("NAME", [])]
        _, et_al = split_authors(entry.authors, entry.et_al)
        if et_al and names:
            assert names.pop() == "others"
        assert names == expected_names(entry)


# -- the CLI's citation exports --------------------------------------------------------


@pytest.fixture
def kb_project(tmp_path, monkeypatch):
    from conftest import ROOT, issue_page

    (tmp_path / "pyproject.toml").write_text(
        '[tool.roundup-kb]\nissues = "pages"\n'
        f'topics = "{ROOT / "docs/registry/topics.yaml"}"\n'
        f'names = "{ROOT / "docs/registry/names.yaml"}"\n',
        encoding="utf-8",
    )
    (tmp_path / "pages").mkdir()
    (tmp_path / "pages" / "0007.md").write_text(
        issue_page(
            7,
            "2022-03-04",
            """
            ## Managing Teams

            [Braces {and} 50% off](https://example.org/a) - Ann Author, Bob Builder, Venue & Co

            Why.
            """,
        ),
        encoding="utf-8",
    )
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.mark.parametrize("fmt", ["bibtex", "ris", "csl-json", "json"])
def test_cli_export_formats(kb_project, fmt):
    from roundup_kb.cli import main

    out = kb_project / f"out.{fmt}"
    assert (
        main(["export", "--format", fmt, "--base-url", "https://kb.example", "--out", str(out)])
        == 0
    )
    text = out.read_text(encoding="utf-8")
    permalink = "https://kb.example/pages/0007.html#rct7-example-a"
    if fmt == "bibtex":
        bib = parse_string(text, "bibtex")
        assert list(bib.entries) == ["rct-issue-7", "rct7-example-a"]
        entry = bib.entries["rct7-example-a"]
        assert latex_to_text(entry.fields["title"]) == "Braces {and} 50% off"
        assert permalink in latex_to_text(entry.fields["note"])
    elif fmt == "ris":
        assert text.count("ER  -") == 2 and "TI  - Braces {and} 50% off" in text
    elif fmt == "csl-json":
        items = json.loads(text)
        assert [i["id"] for i in items] == ["rct-issue-7", "rct7-example-a"]
        assert items[1]["container-title"] == "Venue & Co"
    else:
        assert json.loads(text)["entries"][0]["permalink"] == permalink
