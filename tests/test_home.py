"""The home page (search box, topic cards, most featured names, links) and the search index."""

from __future__ import annotations

import json
import re
import shutil

import pytest
from bs4 import BeautifulSoup

from conftest import ROOT, Site, issue_page
from item_helpers import topics

pytestmark = pytest.mark.sphinx

ISSUE_1 = issue_page(
    1,
    "2020-01-10",
    """
    ## Managing Teams

    [Research: Informal Leadership Comes at a Cost](https://hbr.org/2021/09/informal-leadership) - Chia-Yen Chiu, Jennifer D. Nahrgang, HBR

    Supporting informal leaders on your team.

    [Remote one-on-ones that work](https://example.org/remote-1on1) - Jennifer D. Nahrgang, HBR

    ## Research Software Development

    [Low-code contributions through GitHub](https://labs.quansight.org/blog/low-code) - Isabela Presedo-Floyd, Quansight Labs
    """,
)

ISSUE_2 = issue_page(
    2,
    "2021-03-05",
    """
    ## Managing Teams

    [Kaleidoscopic retrospectives for distributed teams](https://example.org/retro) - Wilhelmina Quackenbush, Evil \\<b>Corp\\</b> & Sons

    Worth a look.
    """,
)

ISSUE_3 = issue_page(
    3,
    "2021-04-02",
    """
    ## Research Software Development

    [Testing research code](https://example.org/testing) - Wilhelmina Quackenbush, Quansight Labs

    [Packaging research code](https://example.org/packaging) - Wilhelmina Quackenbush, Quansight Labs
    """,
)


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Site:
    root = tmp_path_factory.mktemp("home") / "site"
    root.mkdir()
    shutil.copy(ROOT / "conf.py", root / "conf.py")
    shutil.copy(ROOT / "pyproject.toml", root / "pyproject.toml")
    shutil.copytree(ROOT / "docs", root / "docs")
    (root / "issues").mkdir()
    # a page with nothing but a generated list, so nothing else makes it depend on issues
    (root / "docs" / "top.md").write_text(
        "---\norphan: true\n---\n\n# Top\n\n```{top-names} authors\n:limit: 1\n```\n",
        encoding="utf-8",
    )
    built = Site(root)
    built.write_issue(1, ISSUE_1)
    built.write_issue(2, ISSUE_2)
    _, warnings = built.build()
    assert "WARNING" not in warnings, warnings
    return built


def article(site: Site, page: str) -> BeautifulSoup:
    soup = BeautifulSoup(site.html(page), "html.parser")
    return soup.select_one("article.bd-article")


def test_search_box_submits_to_the_search_page(site):
    home = article(site, "docs/index.html")
    form = home.select_one("form.roundup-search-form")
    assert form["action"] == "../search.html"
    assert form["method"] == "get"
    field = form.select_one('input[type="search"]')
    assert field["name"] == "q"  # the parameter Sphinx's search page reads
    assert form.select_one(f'label[for="{field["id"]}"]').get_text(strip=True)
    assert (site.out / "search.html").exists()


def test_topic_cards_link_every_topic_with_its_counts(site):
    home = article(site, "docs/index.html")
    cards = home.select(".roundup-topic-cards .sd-card")
    registry = topics().topics
    assert len(cards) == len(registry)
    by_title = {}
    for card in cards:
        link = card.select_one(".sd-card-title a")
        by_title[link.get_text()] = (
            link["href"],
            card.select_one(".sd-card-footer").get_text(strip=True),
            card.select_one(".sd-card-body p.sd-card-text").get_text(strip=True),
        )
    assert [c.select_one(".sd-card-title a").get_text() for c in cards] == [
        t.title for t in registry
    ]
    href, count, description = by_title["Managing Teams"]
    assert href == "topics/managing-teams.html"
    assert count == "3 entries in 2 issues"
    assert description == registry[0].description
    assert by_title["Research Software Development"][1] == "1 entry in 1 issue"
    assert by_title["Random"][1] == "0 entries in 0 issues"
    for href, _, _ in by_title.values():
        assert (site.out / "docs" / href).exists()
    # the grid is sphinx-design's: its stylesheet is on the page
    assert "sphinx-design" in site.html("docs/index.html")


def top_names(home: BeautifulSoup, kind: str) -> list[tuple[str, str, str]]:
    section = home.select_one(f"section#most-featured-{kind}")
    return [
        (li.a.get_text(), li.a["href"], li.select_one(".roundup-count").get_text())
        for li in section.select("ol.roundup-top-names > li")
    ]


def test_most_featured_authors_and_venues_link_to_their_permalinks(site):
    home = article(site, "docs/index.html")
    authors = top_names(home, "authors")
    assert authors[0] == (
        "Jennifer D. Nahrgang",
        "authors/n.html#author-jennifer-d-nahrgang",
        "2 entries",
    )
    assert len(authors) == 4
    venues = top_names(home, "venues")
    assert venues[0][0] == "Harvard Business Review" and venues[0][2] == "2 entries"
    # hostile names are text
    assert "Evil <b>Corp</b> & Sons" in [name for name, _, _ in venues]
    assert "<b>Corp</b>" not in str(home).replace("&lt;b&gt;Corp&lt;/b&gt;", "")
    for _, href, _ in authors + venues:
        page, _, anchor = href.partition("#")
        assert f'id="{anchor}"' in site.html(f"docs/{page}")
    assert home.find("a", string=re.compile(r"All 4 authors")).get("href") == "authors/index.html"


def test_home_links_to_the_trends_page_and_the_issue_feed(site):
    home = article(site, "docs/index.html")
    assert home.select_one(".roundup-stats-link a")["href"] == "../stats.html"
    assert home.select_one("a.roundup-feed-link")["href"] == "../feeds/issues.atom"
    assert (site.out / "stats.html").exists() and (site.out / "feeds" / "issues.atom").exists()


def load_index(site: Site) -> dict:
    text = (site.out / "searchindex.js").read_text(encoding="utf-8")
    return json.loads(text[text.index("(") + 1 : text.rindex(")")])


def pages_for(index: dict, word: str) -> set[str]:
    """Docnames the search page finds for one word, stemmed as Sphinx stems it."""
    from sphinx.search.en import SearchEnglish

    stem = SearchEnglish({}).stem(word.lower())
    found: set[str] = set()
    for table in ("terms", "titleterms"):
        hits = index[table].get(stem, [])
        hits = [hits] if isinstance(hits, int) else hits
        found |= {index["docnames"][i] for i in hits}
    return found


def test_search_index_finds_entry_titles_and_author_family_names(site):
    index = load_index(site)
    assert "issues/0002" in pages_for(index, "kaleidoscopic")
    assert "issues/0002" in pages_for(index, "retrospectives")
    assert "issues/0002" in pages_for(index, "Quackenbush")
    assert "issues/0001" in pages_for(index, "Nahrgang")
    assert "issues/0001" not in pages_for(index, "Quackenbush")
    # the letter pages repeat the issue pages' entries and are left out of the index
    assert "docs/authors/q" not in pages_for(index, "Quackenbush")
    # so are the lists of entries on topic pages and their bibliographies; the
    # topic page itself is found by its name
    assert pages_for(index, "kaleidoscopic") == {"issues/0002"}
    assert "docs/topics/managing-teams" in pages_for(index, "managing")


def test_home_page_follows_the_issues_in_incremental_builds(site):
    """A new issue changes counts and rankings on the home page without a fresh build."""
    site.write_issue(3, ISSUE_3)
    _, warnings = site.build()
    assert "WARNING" not in warnings, warnings
    home = article(site, "docs/index.html")
    assert top_names(home, "authors")[0] == (
        "Wilhelmina Quackenbush",
        "authors/q.html#author-wilhelmina-quackenbush",
        "3 entries",
    )
    cards = {
        c.select_one(".sd-card-title a").get_text(): c.select_one(".sd-card-footer").get_text(
            strip=True
        )
        for c in home.select(".roundup-topic-cards .sd-card")
    }
    assert cards["Research Software Development"] == "3 entries in 2 issues"
    assert "#3" in home.select_one(".roundup-issue-list").get_text()
    assert article(site, "docs/top.html").select_one("ol li a").get_text() == (
        "Wilhelmina Quackenbush"
    )
    stats = site.html("stats.html")
    assert "6 entries from 3 issues" in stats
    assert "issues/0003" in pages_for(load_index(site), "packaging")
