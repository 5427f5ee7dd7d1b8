"""Static SVG charts, their tables, the trend counts, and the trends page in a built site."""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET

import pytest

from conftest import issue_page
from item_helpers import count_calls, names, topics
from roundup_kb import charts
from roundup_kb.catalogue import Catalogue
from roundup_kb.model import Entry, Issue, IssueMeta
from roundup_kb.trends import trend_data, trends_html

S = "{http://www.w3.org/2000/svg}"
HOSTILE = "<script>alert('x')</script> & AT&T"


def svg(text: str) -> ET.Element:
    root = ET.fromstring(text)
    assert root.tag == f"{S}svg"
    return root


def check_accessible(root: ET.Element) -> None:
    """role=img, labelled by its own <title> and <desc>, which say something."""
    assert root.get("role") == "img"
    labels = root.get("aria-labelledby").split()
    ids = {el.get("id"): el for el in root.iter() if el.get("id")}
    assert [ids[label].tag for label in labels] == [f"{S}title", f"{S}desc"]
    assert all(ids[label].text.strip() for label in labels)
    assert root.find(f"{S}title") is ids[labels[0]]  # the first child title names the chart


def bars(root: ET.Element) -> list[ET.Element]:
    return [el for el in root.iter(f"{S}rect") if "roundup-chart-bar" in el.get("class", "")]


def test_bar_chart_lengths_are_proportional_and_labels_escaped():
    rows = [("The Next Platform", 40), (HOSTILE, 20), ("x" * 60, 10)]
    text = charts.bar_chart("top", "Top venues", "desc & more", rows)
    assert "<script" not in text
    root = svg(text)
    check_accessible(root)
    widths = [float(b.get("width")) for b in bars(root)]
    assert widths[1] == pytest.approx(widths[0] / 2, abs=0.1)
    assert widths[2] == pytest.approx(widths[0] / 4, abs=0.1)
    labels = [t.text for t in root.iter(f"{S}text")]
    assert HOSTILE in labels  # shown as text, never interpreted
    assert "x" * 33 + "…" in labels  # long labels shortened ...
    tips = [t.text for t in root.iter(f"{S}title")]
    assert f"{'x' * 60}: 10 entries" in tips  # ... and whole in the tooltip
    assert [t for t in labels if t in {"40", "20", "10"}] == ["40", "20", "10"]


def test_column_chart_heights_ticks_and_labels():
    rows = [("2020", 37), ("2021", 33), ("2025", 2)]
    root = svg(charts.column_chart("issues", "Issues per year", "2020: 37", rows))
    check_accessible(root)
    heights = [float(b.get("height")) for b in bars(root)]
    assert heights[0] / heights[1] == pytest.approx(37 / 33, rel=0.01)
    assert heights[0] / heights[2] == pytest.approx(37 / 2, rel=0.02)
    texts = [t.text for t in root.iter(f"{S}text")]
    for label in ("2020", "2021", "2025", "37", "33", "2", "0", "10", "20", "30", "40"):
        assert label in texts


def test_small_multiples_share_one_scale():
    series = [
        charts.Series("Managing Teams", (100, 50, 0)),
        charts.Series(HOSTILE, (10, 0, 5)),
    ]
    text = charts.small_multiples("topics", "Per topic", "d", ["2020", "2021", "2022"], series)
    assert "<script" not in text
    root = svg(text)
    check_accessible(root)
    heights = [float(b.get("height")) for b in bars(root)]
    # zero counts draw no bar; the rest compare across panels
    assert len(heights) == 4
    assert heights[0] / heights[2] == pytest.approx(10, rel=0.01)
    assert heights[0] / heights[1] == pytest.approx(2, rel=0.01)
    texts = [t.text for t in root.iter(f"{S}text")]
    assert "150 entries" in texts and "15 entries" in texts
    assert texts.count("2021") == 2  # every year labelled in both panels
    panels = [g for g in root.iter(f"{S}g")]
    assert len(panels) == 2


def test_empty_charts_say_so():
    for text in (
        charts.bar_chart("a", "t", "d", []),
        charts.column_chart("b", "t", "d", []),
        charts.small_multiples("c", "t", "d", [], []),
    ):
        root = svg(text)
        check_accessible(root)
        assert "No data yet." in [t.text for t in root.iter(f"{S}text")]


def test_control_characters_cannot_break_the_xml():
    root = svg(charts.bar_chart("a", "t\x0c", "d", [("bad\x00name\x1f", 1)]))
    assert "badname" in [t.text for t in root.iter(f"{S}text")]


def test_data_table_escapes_links_and_aligns_numbers():
    table = charts.data_table(
        "Top <venues>",
        ["Venue", "Entries"],
        [[charts.Cell(HOSTILE, "../v/a.html#venue-x&y"), 3], ["plain", 12]],
    )
    assert "<script" not in table
    root = ET.fromstring(table)  # well-formed: XHTML-compatible markup
    assert root.tag == "details"
    assert root.find("summary").text
    tab = root.find("div/table")
    assert tab.find("caption").text == "Top <venues>"
    rows = tab.findall("tbody/tr")
    link = rows[0].find("th/a")
    assert (link.text, link.get("href")) == (HOSTILE, "../v/a.html#venue-x&y")
    assert rows[1].find("td").get("class") == "roundup-num"
    assert [th.get("scope") for th in tab.findall("thead/tr/th")] == ["col", "col"]
    assert [th.get("class") for th in tab.findall("thead/tr/th")] == [None, "roundup-num"]
    assert root.find("summary").text == "Table: Top <venues>"
    assert rows[1].find("th").get("scope") == "row"


@pytest.mark.parametrize(
    ("maximum", "step"), [(0, 1), (3, 1), (37, 10), (40, 10), (120, 50), (900, 200)]
)
def test_nice_step(maximum, step):
    assert charts.nice_step(maximum) == step


def test_chart_ids_are_valid():
    assert charts.chart_id("Top 15 venues!") == "top-15-venues"
    assert charts.chart_id("2021") == "c-2021"


# -- the trend counts ---------------------------------------------------------------------


def _entry(id_, number, year, topic, *, authors=(), venue=None, line=1) -> Entry:
    return Entry(
        id=id_,
        issue=number,
        date=dt.date(year, 3, 1),
        title=id_,
        url=f"https://example.org/{id_}",
        authors=authors,
        venue=venue,
        topic=topic,
        line=line,
    )


def _issue(number, year, *entries) -> Issue:
    meta = IssueMeta(number, f"#{number}", dt.date(year, 3, 1))
    return Issue(meta=meta, path=f"issues/{number:04d}.md", entries=entries)


@pytest.fixture(scope="module")
def data():
    catalogue = Catalogue.build(
        [
            _issue(
                1,
                2020,
                _entry("a", 1, 2020, "managing-teams", authors=("Will Larson",), venue="HBR"),
                _entry("b", 1, 2020, "research-software", venue="HBR", line=2),
            ),
            _issue(
                2,
                2020,
                _entry("c", 2, 2020, "managing-teams", authors=("Lara Hogan", "Will Larson")),
            ),
            _issue(3, 2022, _entry("d", 3, 2022, "managing-teams", venue=HOSTILE)),
        ],
        topics(),
        names(),
    )
    return trend_data(catalogue, topics().topics, top=2)


def test_trend_data_counts(data):
    assert data.years == (2020, 2021, 2022)  # a year without issues is still a column
    assert data.issues_per_year == (2, 0, 1)
    counts = {topic.slug: values for topic, values in data.topics}
    assert counts["managing-teams"] == (2, 0, 1)
    assert counts["research-software"] == (1, 0, 0)
    assert counts["random"] == (0, 0, 0)
    assert [topic.slug for topic, _ in data.topics] == [t.slug for t in topics().topics]
    assert [(n.name, len(n.entries)) for n in data.authors] == [
        ("Will Larson", 2),
        ("Lara Hogan", 1),
    ]
    assert [(n.name, len(n.entries)) for n in data.venues] == [
        ("Harvard Business Review", 2),
        (HOSTILE, 1),
    ]
    assert data.entries == 4


def test_trends_html_has_four_charts_with_tables_and_links(data):
    page = trends_html(data, lambda doc, anchor: f"/{doc}.html" + (f"#{anchor}" if anchor else ""))
    assert "<script" not in page
    assert page.count("<svg") == 4
    assert page.count('<details class="roundup-chart-data">') == 4
    for ident in ("issues-per-year", "entries-per-topic", "top-venues", "top-authors"):
        assert f'<section id="{ident}">' in page
    assert 'href="/docs/authors/l.html#author-will-larson"' in page
    assert 'href="/docs/topics/managing-teams.html"' in page
    assert "4 entries from 3 issues, 2020–2022" in page


# -- in a built site ---------------------------------------------------------------------

ISSUE_1 = issue_page(
    1,
    "2020-01-10",
    """
    ## Managing Teams

    [Research: Informal Leadership Comes at a Cost](https://hbr.org/2021/09/informal-leadership) - Chia-Yen Chiu, Jennifer D. Nahrgang, HBR

    Supporting informal leaders.

    [Low-code contributions](https://labs.quansight.org/blog/low-code) - Isabela Presedo-Floyd, Evil \\<script>alert(1)\\</script> & Sons
    """,
)
ISSUE_2 = issue_page(
    2,
    "2022-03-05",
    """
    ## Research Software Development

    [Remote one-on-ones that work](https://example.org/remote-1on1) - Jennifer D. Nahrgang, HBR
    """,
)


@pytest.mark.sphinx
def test_stats_page_in_a_built_site(make_site):
    site = make_site({1: ISSUE_1, 2: ISSUE_2})
    _, warnings = site.build()
    assert "WARNING" not in warnings, warnings
    page = site.html("stats.html")
    # the theme's layout: navbar, article, the site's stylesheets
    assert 'class="bd-header navbar' in page
    assert "<title>Trends" in page
    assert "roundup-home.css" in page
    article = page[page.index('<article class="bd-article">') : page.index("</article>")]
    assert article.count("<svg") == 4
    assert "<script" not in article
    assert "Evil &lt;script&gt;alert(1)&lt;/script&gt; &amp; Sons" in article
    assert "3 entries from 2 issues, 2020–2022" in article
    # links from the tables reach anchors that exist
    for href in re.findall(r'<a href="(docs/[^"]+)"', article):
        target, _, anchor = href.partition("#")
        text = site.html(target)
        if anchor:
            assert f'id="{anchor}"' in text, href
    assert 'href="docs/authors/n.html#author-jennifer-d-nahrgang"' in article
    home = site.html("docs/index.html")
    assert 'href="../stats.html"' in home


@pytest.mark.sphinx
def test_stats_page_is_remade_only_when_what_it_counts_changes(make_site, monkeypatch):
    import roundup_kb.sphinxext.stats as stats_module

    site = make_site({1: ISSUE_1})
    site.build()
    assert "2 entries from 1 issue" in site.html("stats.html")
    made = count_calls(monkeypatch, stats_module, "trend_data")
    site.build()  # nothing changed: the kept body is used
    assert made == []
    assert "2 entries from 1 issue" in site.html("stats.html")
    site.write_issue(2, ISSUE_2)
    site.build()
    assert made == [1]
    assert "3 entries from 2 issues, 2020–2022" in site.html("stats.html")
    # commentary: the page counts issues, entries, topics and names, and shows none of it
    site.write_issue(2, ISSUE_2 + "\nA comment that no list shows.\n")
    site.build()
    assert made == [1]
    assert "A comment that no list shows" in site.html("issues/0002.html")
