"""Citations in a built site: entries.bib, {cite:p}, cite panels, topic bibliographies, meta tags."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

import pytest
import yaml

from conftest import ROOT, issue_page

pybtex_database = pytest.importorskip("pybtex.database")

pytestmark = pytest.mark.sphinx

BASE = "https://kb.example.org/"

ISSUE_1 = issue_page(
    1,
    "2020-01-10",
    """
    ## Managing Teams

    [Fast & {cheap} 100% $ solutions_for ~you^](https://example.org/specials) - José Núñez, Ann O'Neil, Venue_X

    Commentary on the specials.

    [Research: Informal Leadership Comes at a Cost](https://hbr.org/2021/09/informal-leadership) - Chia-Yen Chiu, Jennifer D. Nahrgang, HBR

    Supporting informal leaders.

    ## Research Software Development

    [Low-code contributions through GitHub](https://labs.quansight.org/blog/low-code) - Isabela Presedo-Floyd, Quansight Labs

    Getting non-coders to contribute.

    [An entry with no author](https://example.org/anonymous)

    Some prose.
    """,
    subtitle="Leadership & <specials>",
)

INFORMAL = "rct1-informal-leadership"
PAPER = """\
---
orphan: true
---

# A paper

Informal leaders pay a price {cite:p}`INFORMAL`; {cite:t}`INFORMAL` say so.
"""


class Meta(HTMLParser):
    """Collects <meta> tags and JSON-LD scripts of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, str]] = []
        self.json_ld: list[str] = []
        self._in_ld = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "meta" and "content" in attrs:
            self.tags.append((attrs.get("name") or attrs.get("property") or "", attrs["content"]))
        self._in_ld = tag == "script" and attrs.get("type") == "application/ld+json"

    def handle_data(self, data):
        if self._in_ld:
            self.json_ld.append(data)

    def handle_endtag(self, tag):
        self._in_ld = False


def meta_of(html: str) -> Meta:
    parser = Meta()
    parser.feed(html)
    return parser


def entry_ids(site) -> list[str]:
    return [e["id"] for e in json.loads((site.out / "entries.json").read_text())["entries"]]


@pytest.fixture
def site(make_site):
    site = make_site({1: ISSUE_1})
    with (site.root / "conf.py").open("a", encoding="utf-8") as conf:
        conf.write(f'\nhtml_baseurl = "{BASE}"\n')
    return site


def test_entries_bib_reads_back_with_every_entry(site):
    _, warnings = site.build()
    assert "bibtex" not in warnings, warnings
    bib = pybtex_database.parse_file(str(site.out / "entries.bib"))
    ids = entry_ids(site)
    assert len(ids) == 4
    assert set(ids) | {"rct-issue-1"} == set(bib.entries)
    from roundup_kb.cite import latex_to_text

    specials = next(e for k, e in bib.entries.items() if "specials" in k)
    assert latex_to_text(specials.fields["title"]) == "Fast & {cheap} 100% $ solutions_for ~you^"
    authors = [str(p) for p in specials.persons["author"]]
    assert [latex_to_text(a) for a in authors] == ["Núñez, José", "O'Neil, Ann"]
    assert latex_to_text(specials.fields["organization"]) == "Venue_X"
    anonymous = next(e for k, e in bib.entries.items() if "anonymous" in k)
    assert "author" not in anonymous.persons
    issue = bib.entries["rct-issue-1"]
    assert [str(p) for p in issue.persons["editor"]] == ["Dursi, Jonathan"]
    assert f"{BASE}issues/0001.html" in issue.fields["url"]


def test_cite_role_resolves_to_the_bibliography_from_any_page(site):
    (site.root / "docs" / "paper.md").write_text(PAPER.replace("INFORMAL", INFORMAL))
    _, warnings = site.build()
    assert "WARNING" not in warnings, warnings
    paper = site.html("docs/paper.html")
    links = re.findall(r'<a class="reference internal" href="([^"]+)"', paper)
    assert any(link.startswith("citing.html#") for link in links), links
    assert "Chiu and Nahrgang" in paper  # {cite:t} names the authors
    citing = site.html("docs/citing.html")
    assert "Informal Leadership Comes at a Cost" in citing
    # only cited entries are in that bibliography
    assert "Low-code contributions" not in citing


def test_sphinxcontrib_bibtex_is_given_only_what_pages_cite(site):
    """Its parse and its pickled data grow with the records it is given, not the site."""
    site.build()
    cited = pybtex_database.parse_file(str(site.doctrees / "cited.bib"))
    assert list(cited.entries) == []
    # a citation added in an incremental build resolves in that build
    (site.root / "docs" / "paper.md").write_text(PAPER.replace("INFORMAL", INFORMAL))
    _, warnings = site.build()
    assert "WARNING" not in warnings, warnings
    assert "citing.html#" in site.html("docs/paper.html")
    cited = pybtex_database.parse_file(str(site.doctrees / "cited.bib"))
    assert list(cited.entries) == [INFORMAL]
    # what each page cites is kept between builds: an edited page is read again
    (site.root / "docs" / "paper.md").write_text(PAPER.replace("INFORMAL", "rct-issue-1"))
    _, warnings = site.build()
    assert "WARNING" not in warnings, warnings
    cited = pybtex_database.parse_file(str(site.doctrees / "cited.bib"))
    assert list(cited.entries) == ["rct-issue-1"]
    (site.root / "docs" / "paper.md").write_text(PAPER.replace("INFORMAL", INFORMAL))
    site.build()
    # the download still has everything
    whole = pybtex_database.parse_file(str(site.out / "entries.bib"))
    assert set(whole.entries) == {*entry_ids(site), "rct-issue-1"}


def test_cited_keys_reads_myst_and_rst_roles():
    from roundup_kb.sphinxext.cite import cited_keys

    texts = [
        "As {cite:p}`a, b` and {cite:t}`c` show; {footcite:p}`d`.",
        "Also :cite:ps:`e` and {cite}`f`.\n",
        "Nothing here excited anyone: `rct1-x` is code, not a citation.",
    ]
    assert cited_keys(texts) == {"a", "b", "c", "d", "e", "f"}
    assert cited_keys([]) == set()
    # a bibliography that can list uncited records needs every record
    assert cited_keys([*texts, "```{bibliography}\n:all:\n```\n"]) is None
    assert cited_keys([".. bibliography::\n   :filter: year == '2021'\n"]) is None


def test_unknown_cite_key_is_a_warning(site):
    (site.root / "docs" / "paper.md").write_text(PAPER.replace("INFORMAL", "rct1-no-such-entry"))
    _, warnings = site.build()
    assert "rct1-no-such-entry" in warnings


def test_cite_panel_documents_and_buttons(site):
    site.build()
    panel = json.loads((site.out / "cite" / "1.json").read_text())
    ids = entry_ids(site)
    assert sorted(panel["entries"]) == sorted(ids)
    for key, record in [*panel["entries"].items(), ("rct-issue-1", panel["issue"])]:
        assert record["key"] == key
        assert record["bibtex"].startswith("@") and key in record["bibtex"]
        parsed = pybtex_database.parse_string(record["bibtex"], "bibtex")
        assert list(parsed.entries) == [key]
        assert record["ris"].startswith("TY  - ") and record["ris"].rstrip().endswith("ER  -")
        assert [item["id"] for item in record["csl"]] == [key]
        assert record["reference"] and "<script" not in record["reference_html"]
    html = site.html("issues/0001.html")
    buttons = re.findall(r'<button type="button" class="roundup-cite" data-cite="([^"]+)"', html)
    assert sorted(buttons) == sorted([*ids, "issue"])
    assert (site.out / "_static" / "roundup-cite.js").exists()
    assert "roundup-cite.js" in html


def test_whole_site_exports_and_topic_bibliography(site):
    site.build()
    items = json.loads((site.out / "entries.csl.json").read_text())
    assert {i["id"] for i in items} == {*entry_ids(site), "rct-issue-1"}
    ris = (site.out / "entries.ris").read_text()
    assert ris.count("ER  -") == 5
    topic_bib = pybtex_database.parse_file(str(site.out / "cite/topics/managing-teams.bib"))
    entries = json.loads((site.out / "entries.json").read_text())["entries"]
    managing = sorted(e["id"] for e in entries if e["topic"] == "managing-teams")
    assert len(managing) == 2
    assert sorted(topic_bib.entries) == managing
    page = site.html("docs/topics/managing-teams.html")
    assert "2 references" in page
    assert page.count('<li id="ref-rct1-') == 2
    assert 'href="../../cite/topics/managing-teams.bib"' in page
    # sorted by reference; TeX specials shown as written, HTML escaped
    first, second = re.findall(r'<li id="ref-[^"]+"><p>(.*?)</p></li>', page)
    assert first.startswith("Chiu, C.-Y., &amp; Nahrgang, J. D. (2020, January 10).")
    assert second.startswith(
        "Núñez, J., &amp; O&#x27;Neil, A. (2020, January 10). <i>Fast &amp; {cheap}"
    )


def test_a_link_featured_twice_under_one_topic_is_listed_twice(make_site):
    """Two items of one section with the same link, title and authors have the same
    reference: the topic's bibliography lists both, by id (the build failed with a
    TypeError comparing the entries)."""
    body = (
        "## Managing Teams\n\n"
        "[Same title](https://example.org/x) - Ada Lovelace\n\nFirst mention.\n\n"
        "[Same title](https://example.org/x) - Ada Lovelace\n\nSecond mention.\n"
    )
    site = make_site({94: issue_page(94, "2021-10-01", body)})
    site.build()
    page = site.html("docs/topics/managing-teams.html")
    assert "2 references" in page
    ids = re.findall(r'<li id="ref-([^"]+)"><p>Lovelace, A\. \(2021', page)
    assert len(ids) == 2 and ids == sorted(ids)


def test_issue_pages_carry_citation_metadata(site):
    site.build()
    page = meta_of(site.html("issues/0001.html"))
    tags = dict(page.tags)
    title = "Research Computing Teams #1: Leadership & <specials>"
    assert tags["citation_title"] == title
    assert tags["citation_author"] == "Jonathan Dursi"
    assert tags["citation_publication_date"] == "2020/01/10"
    assert tags["citation_journal_title"] == "Research Computing Teams"
    assert tags["citation_issue"] == "1"
    assert tags["citation_public_url"] == f"{BASE}issues/0001.html"
    assert tags["DC.title"] == title and tags["DC.date"] == "2020-01-10"
    assert tags["DC.creator"] == "Jonathan Dursi"
    assert tags["og:url"] == f"{BASE}issues/0001.html"
    assert tags["og:type"] == "article"
    (ld,) = page.json_ld
    data = json.loads(ld)
    assert data["@type"] == "PublicationIssue" and data["issueNumber"] == "1"
    assert data["name"] == title
    listed = data["hasPart"]["itemListElement"]
    assert len(listed) == 4
    assert listed[0]["url"].startswith(f"{BASE}issues/0001.html#rct1-")
    # the subtitle's markup is escaped: no raw "<specials>" outside attribute values
    assert "<specials>" not in site.html("issues/0001.html")


def test_without_a_base_url_no_relative_urls_are_claimed(make_site):
    site = make_site({1: ISSUE_1})
    with (site.root / "conf.py").open("a", encoding="utf-8") as conf:
        conf.write('\nhtml_baseurl = ""\n')
    site.build()
    tags = dict(meta_of(site.html("issues/0001.html")).tags)
    assert "citation_title" in tags
    assert "og:url" not in tags and "citation_public_url" not in tags


def test_ids_anchors_and_keys_survive_reorder_insert_and_edit(site):
    site.build()
    before = set(entry_ids(site))
    # sections swapped, items reordered, an item inserted, commentary edited
    site.write_issue(
        1,
        issue_page(
            1,
            "2020-01-10",
            """
            ## Research Software Development

            [An entry with no author](https://example.org/anonymous)

            Edited prose.

            [Low-code contributions through GitHub](https://labs.quansight.org/blog/low-code) - Isabela Presedo-Floyd, Quansight Labs

            ## Managing Teams

            [A new item](https://example.org/new-item) - Someone New, Somewhere

            New commentary.

            [Research: Informal Leadership Comes at a Cost](https://hbr.org/2021/09/informal-leadership) - Chia-Yen Chiu, Jennifer D. Nahrgang, HBR

            [Fast & {cheap} 100% $ solutions_for ~you^](https://example.org/specials) - José Núñez, Ann O'Neil, Venue_X

            Commentary, edited.
            """,
            subtitle="Leadership & <specials>",
        ),
    )
    site.build()
    after = set(entry_ids(site))
    assert before <= after and len(after) == len(before) + 1
    html = site.html("issues/0001.html")
    bib = pybtex_database.parse_file(str(site.out / "entries.bib"))
    panel = json.loads((site.out / "cite" / "1.json").read_text())
    for entry_id in before:
        assert f'id="{entry_id}"' in html
        assert entry_id in bib.entries
        assert panel["entries"][entry_id]["key"] == entry_id


def test_generated_files_are_rewritten_only_when_their_sources_change(site):
    site.build()
    files = ["entries.bib", "cite/1.json", "entries.ris", "cite/topics/managing-teams.bib"]
    stamps = {name: (site.out / name).stat().st_mtime_ns for name in files}
    site.build()
    assert {name: (site.out / name).stat().st_mtime_ns for name in files} == stamps
    text = (site.root / "issues" / "0001.md").read_text()
    site.write_issue(1, text.replace("Some prose.", "Some changed prose."))
    site.build()
    # commentary is not part of any citation: the file is left alone, so
    # sphinxcontrib-bibtex does not parse it again
    assert (site.out / "entries.bib").stat().st_mtime_ns == stamps["entries.bib"]
    site.write_issue(1, text.replace("An entry with no author", "An entry, renamed"))
    site.build()
    assert "An entry, renamed" in (site.out / "entries.bib").read_text()
    assert "An entry, renamed" in (site.out / "cite" / "1.json").read_text()


def test_a_build_with_no_changed_issue_does_not_look_at_the_entries_again(site, monkeypatch):
    from roundup_kb.sphinxext import cite as sphinx_cite

    site.build()
    looked: list[str] = []
    made: list[int] = []
    listed, issue_panel = sphinx_cite.listed, sphinx_cite.issue_panel

    def counted(entry):
        looked.append(entry.id)
        return listed(entry)

    def panel(meta, entries, **kwargs):
        made.append(meta.number)
        return issue_panel(meta, entries, **kwargs)

    monkeypatch.setattr(sphinx_cite, "listed", counted)
    monkeypatch.setattr(sphinx_cite, "issue_panel", panel)
    site.build()  # nothing changed
    assert looked == [] and made == []
    (site.out / "cite" / "1.json").unlink()  # a file gone: the files are checked again
    site.build()
    assert made == [1] and (site.out / "cite" / "1.json").exists()
    # an edit to commentary alone: what citations show is as it was
    path = site.root / "issues" / "0001.md"
    text = path.read_text(encoding="utf-8")
    assert "Getting non-coders to contribute." in text
    path.write_text(text.replace("non-coders", "more people"), encoding="utf-8")
    made.clear()
    site.build()
    assert looked == [] and made == []


def references_of(page: str) -> list[str]:
    return re.findall(r'<li id="ref-[^"]+"><p>(.*?)</p></li>', page)


def test_topic_bibliographies_format_only_the_references_that_changed(site, monkeypatch):
    """References are kept between builds by issue page (``roundup-references.pickle``):
    an addition formats the new issue's, an edit to what a reference shows formats that
    page's again, a commentary edit or a build with no change formats none, and new
    settings format every one again."""
    from roundup_kb import cite as core_cite
    from roundup_kb.sphinxext import cite as sphinx_cite
    from roundup_kb.sphinxext.cite import REFERENCES_NAME

    site.build()
    kept = site.doctrees / REFERENCES_NAME
    assert kept.exists()
    formatted: list[str] = []
    real = core_cite.formatted_references

    def counted(entry, *args, **kwargs):
        formatted.append(entry.id)
        return real(entry, *args, **kwargs)

    monkeypatch.setattr(core_cite, "formatted_references", counted)
    before = references_of(site.html("docs/topics/managing-teams.html"))
    assert len(before) == 2
    second = ISSUE_1.replace("number: 1", "number: 2").replace("2020-01-10", "2020-01-17")
    second = second.replace("https://example.org/", "https://example.org/two/")
    site.write_issue(2, second)
    site.build()
    assert formatted and {i.split("-")[0] for i in formatted} == {"rct2"}
    page = references_of(site.html("docs/topics/managing-teams.html"))
    assert len(page) == 4 and set(before) < set(page)  # issue 1's, as they were

    formatted.clear()
    stamp = kept.stat().st_mtime_ns
    site.build()  # nothing changed
    path = site.root / "issues" / "0001.md"
    path.write_text(ISSUE_1.replace("Supporting informal", "Backing informal"), encoding="utf-8")
    site.build()  # commentary only: the topic pages are not even written
    assert formatted == [] and kept.stat().st_mtime_ns == stamp

    path.write_text(ISSUE_1.replace("Comes at a Cost", "Comes at a Price"), encoding="utf-8")
    site.write_issue(2, second.replace("2020-01-17", "2020-02-21"))
    site.build()
    assert {i.split("-")[0] for i in formatted} == {"rct1", "rct2"}
    page = "\n".join(references_of(site.html("docs/topics/managing-teams.html")))
    informal = "(2020, January 10). <i>Research: Informal Leadership Comes at a"
    assert f"{informal} Price." in page and f"{informal} Cost." not in page
    assert "(2020, February 21)" in page and "(2020, January 17)" not in page

    formatted.clear()
    site.build(confoverrides={"roundup_newsletter": "Another Newsletter"})
    assert sorted(formatted) == sorted(set(formatted)) and len(formatted) >= 4

    # changed code that formats references: an addition formats every one again
    site.build()
    formatted.clear()
    monkeypatch.setattr(sphinx_cite, "code_stamp", lambda modules: "changed code")
    site.write_issue(3, second.replace("number: 2", "number: 3").replace("/two/", "/three/"))
    site.build()
    assert {i.split("-")[0] for i in formatted} == {"rct1", "rct2", "rct3"}


def test_citation_cff_is_valid():
    data = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    assert data["cff-version"] == "1.2.0"
    assert data["message"] and data["title"]
    for author in data["authors"]:
        assert author.get("family-names") or author.get("name")
    assert isinstance(data.get("keywords", []), list)


def test_builders_sharing_doctrees_share_the_bibliography(site):
    """linkcheck then html with one doctree directory: the cite domain stays consistent."""
    (site.root / "docs" / "paper.md").write_text(PAPER.replace("INFORMAL", INFORMAL))
    site.build()
    site.build(builder="linkcheck", confoverrides={"linkcheck_ignore": [".*"]})
    (site.root / "issues" / "0001.md").write_text(ISSUE_1.replace("Some prose.", "More prose."))
    _, warnings_html = site.build()
    assert "WARNING" not in warnings_html, warnings_html
    assert "citing.html#" in site.html("docs/paper.html")


def test_whole_site_citation_files_kept_in_chunks_match_the_core_after_edits(site):
    """entries.bib, .ris, .csl.json and the topic .bib files are assembled from per-issue
    chunks kept between builds: after adding an issue and editing another, each file is
    exactly what the core makes of every entry."""
    from roundup_kb import cite as core_cite
    from roundup_kb.catalogue import Catalogue
    from roundup_kb.config import load_project_config
    from roundup_kb.export import json_text
    from roundup_kb.names import NameRegistry
    from roundup_kb.topics import TopicRegistry
    from roundup_kb.validate import validate_paths

    second = ISSUE_1.replace("number: 1", "number: 2").replace("2020-01-10", "2020-01-17")
    second = second.replace("https://example.org/", "https://example.org/two/")
    site.write_issue(2, second)
    site.build()
    site.write_issue(3, second.replace("number: 2", "number: 3").replace("-17", "-24"))
    site.write_issue(2, second.replace("Venue_X", "Venue Y").replace("Managing Teams", "Random"))
    site.build()

    config = load_project_config(site.root)
    topics = TopicRegistry.load(config.topics_file)
    parsed, _ = validate_paths([site.root / "issues"], topics, NameRegistry.load(config.names_file))
    catalogue = Catalogue.build(parsed, topics, NameRegistry.load(config.names_file))
    metas = {issue.meta.number: issue.meta for issue in catalogue.issues}
    entries = list(catalogue.entries.values())
    settings = {
        "site_url": BASE.rstrip("/"),
        "editor": core_cite.EDITOR,
        "newsletter": core_cite.NEWSLETTER,
        "issues_dir": "issues",
    }
    assert len({e.issue for e in entries}) == 3
    assert (site.out / "entries.bib").read_text() == core_cite.bibliography(
        entries, metas, **settings
    )
    assert (site.out / "entries.ris").read_text() == core_cite.ris_file(entries, metas, **settings)
    assert (site.out / "entries.csl.json").read_text() == json_text(
        core_cite.csl_items(entries, metas, **settings)
    )
    for slug in ("managing-teams", "random", "research-software"):
        expected = core_cite.bibliography(catalogue.by_topic[slug], (), **settings)
        assert (site.out / f"cite/topics/{slug}.bib").read_text() == expected
    # issue 2's entries moved from Managing Teams to Random in the second build
    assert "rct2-two-specials" in (site.out / "cite/topics/random.bib").read_text()
    assert "rct2-two-specials" not in (site.out / "cite/topics/managing-teams.bib").read_text()
