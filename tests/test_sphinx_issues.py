"""Issue pages, the archive and the home page, built with the real configuration."""

from __future__ import annotations

import re

import pytest

from conftest import issue_page

pytestmark = pytest.mark.sphinx

THREE = {
    1: issue_page(1, "2020-01-10", title="#1 - Link Roundup, 10 Jan 2020"),
    2: issue_page(2, "2020-12-30", subtitle="Second thoughts; more links"),
    3: issue_page(3, "2021-01-08", subtitle="A new year"),
}


def article(html: str) -> str:
    start = html.index('<article class="bd-article">')
    return html[start : html.index("</article>", start)]


def links(html: str) -> list[tuple[str, str]]:
    return re.findall(r'<a class="([^"]*)" href="([^"]*)"', html)


def test_issue_page_has_title_date_subtitle_and_neighbours(make_site):
    site = make_site(THREE)
    _, warnings = site.build()
    assert warnings == ""
    page = article(site.html("issues/0002.html"))
    assert "<h1>#2 - 2020-12-30" in page
    assert '<span class="roundup-date">30 December 2020</span>' in page
    assert '<p class="roundup-subtitle">Second thoughts; more links</p>' in page
    nav = [(cls, href) for cls, href in links(page) if "roundup-" in cls]
    # top and bottom navigation, each with previous then next
    assert (
        nav
        == [
            ("roundup-prev reference internal", "0001.html"),
            ("roundup-next reference internal", "0003.html"),
        ]
        * 2
    )


def test_first_and_last_issue_link_one_way(make_site):
    site = make_site(THREE)
    site.build()
    first = article(site.html("issues/0001.html"))
    last = article(site.html("issues/0003.html"))
    assert "roundup-prev reference" not in first and 'href="0002.html"' in first
    assert "roundup-next reference" not in last and 'href="0002.html"' in last
    assert "roundup-subtitle" not in first  # issue 1 has no subtitle


def test_archive_lists_newest_first_grouped_by_year(make_site):
    site = make_site(THREE)
    site.build()
    page = article(site.html("docs/archive.html"))
    years = re.findall(r'<p class="roundup-year rubric" id="year-(\d+)">([^<]*)</p>', page)
    assert years == [("2021", "2021 · 1 issue"), ("2020", "2020 · 2 issues")]
    order = re.findall(r'href="\.\./issues/(\d+)\.html"', page)
    assert order == ["0003", "0002", "0001"]
    assert "A new year" in page and "Second thoughts; more links" in page


def test_home_lists_newest_issues_and_root_redirects(make_site):
    issues = {n: issue_page(n, f"2020-02-{n:02d}") for n in range(1, 8)}
    site = make_site(issues)
    site.build()
    home = article(site.html("docs/index.html"))
    assert re.findall(r'href="\.\./issues/(\d+)\.html"', home) == [
        "0007",
        "0006",
        "0005",
        "0004",
        "0003",
    ]
    assert 'href="archive.html"' in home
    root = site.html("index.html")
    assert "url=docs/index.html" in root


def test_incremental_add_and_remove_update_neighbours_and_archive(make_site):
    site = make_site(THREE)
    site.build()
    site.write_issue(4, issue_page(4, "2021-01-15", subtitle="Fresh"))
    site.build()
    assert 'href="0004.html"' in article(site.html("issues/0003.html"))
    assert re.findall(r"issues/(\d+)\.html", article(site.html("docs/archive.html")))[0] == "0004"

    (site.root / "issues" / "0002.md").unlink()
    site.build()
    first = article(site.html("issues/0001.html"))
    assert 'href="0003.html"' in first and 'href="0002.html"' not in first
    assert "0002" not in article(site.html("docs/archive.html"))


def test_the_issue_order_is_sorted_once_and_follows_the_data(make_site):
    """Every issue page asks for its neighbours: the order is sorted once after the
    domain's data changes (sorted per page, 2,000 issues took 12 s), and dropped
    when a page is cleared or noted."""
    from roundup_kb.sphinxext.domain import get_domain

    site = make_site({**THREE, 10: issue_page(10, "2021-03-01")})
    app, _ = site.build()
    dom = get_domain(app.env)
    order = ["issues/0001", "issues/0002", "issues/0003", "issues/0010"]
    assert [doc for doc, _ in dom.issues_by_number()] == order  # by number, not by name
    assert dom.neighbours("issues/0003") == ("issues/0002", "issues/0010")
    assert dom.neighbours("issues/0001") == (None, "issues/0002")
    assert dom.neighbours("issues/0010") == ("issues/0003", None)
    assert dom.neighbours("docs/archive") == (None, None)
    kept = dom._issue_order()[0]
    assert dom._issue_order()[0] is kept  # not sorted again
    listed = dom.issues_by_number()
    listed.reverse()  # the caller's copy (the archive reverses it)
    assert dom._issue_order()[0] is kept and kept[0][0] == "issues/0001"

    dom.clear_doc("issues/0002")
    assert dom.neighbours("issues/0001") == (None, "issues/0003")
    assert dom.neighbours("issues/0002") == (None, None)


def test_incremental_edit_updates_archive(make_site):
    site = make_site(THREE)
    site.build()
    site.write_issue(2, issue_page(2, "2020-12-30", subtitle="Edited subtitle"))
    site.build()
    assert "Edited subtitle" in article(site.html("docs/archive.html"))


def test_parallel_build_matches_serial(make_site, tmp_path):
    issues = {n: issue_page(n, f"2020-03-{n:02d}", subtitle=f"Issue {n}") for n in range(1, 13)}
    site = make_site(issues)
    site.build(parallel=2, fresh=True)
    parallel = {p: article(site.html(p)) for p in ("docs/archive.html", "issues/0006.html")}
    site.build(parallel=0, fresh=True)
    serial = {p: article(site.html(p)) for p in ("docs/archive.html", "issues/0006.html")}
    assert parallel == serial
    assert 'href="0005.html"' in serial["issues/0006.html"]


def test_bad_front_matter_warns_with_file_and_line(make_site):
    site = make_site({1: issue_page(1, "2020-01-10")})
    (site.root / "issues" / "0002.md").write_text(
        '---\nnumber: 2\ntitle: "#2"\ndate: someday\n---\n\nBody.\n', encoding="utf-8"
    )
    _, warnings = site.build()
    assert re.search(r"issues/0002\.md:4: WARNING: 'date' is not a date", warnings)
    assert "[roundup.front_matter]" in warnings


def test_safe_mode_blocks_hostile_page(make_site):
    site = make_site({1: issue_page(1, "2020-01-10")})
    (site.root / "secret.txt").write_text("TOP-SECRET-TOKEN\n", encoding="utf-8")
    hostile = issue_page(
        2,
        "2020-01-17",
        """
        Hello <script>alert("pwned")</script> world.

        ```{include} ../secret.txt
        ```

        :::{literalinclude} ../secret.txt
        :::

        <iframe src="https://evil.example"></iframe>

        [click](javascript:alert(1)) and <a href="https://ok.org" onmouseover="x()">hover</a>
        """,
    )
    site.write_issue(2, hostile)
    _, warnings = site.build()
    assert warnings.count("[roundup.unsafe]") == 8
    assert "myst.xref_missing" not in warnings
    assert re.search(r"issues/0002\.md:9: WARNING: directive 'include' is not allowed", warnings)
    page = site.html("issues/0002.html")
    assert "TOP-SECRET-TOKEN" not in page
    assert 'alert("pwned")</script>' not in page and "<iframe" not in page
    assert not re.search(r"<[a-z]+ [^>]*onmouseover", page)  # shown as text, not a live attribute
    assert 'href="javascript' not in page


def test_build_reports_what_validate_reports(make_site):
    site = make_site({1: issue_page(1, "2020-01-10")})
    site.write_issue(
        2,
        issue_page(
            2,
            "2020-01-17",
            "## Managing Teams\n\n[Broken](https://example.org/a b) - Ann Author, Venue\n\n"
            "[https://example.org/bare](https://example.org/bare) - Ann Author\n",
        ),
    )
    (site.root / "issues" / "0003.md").write_text(issue_page(1, "2020-01-24"), encoding="utf-8")
    _, warnings = site.build()
    assert re.search(
        r"0002\.md:\d+: WARNING: line leads with a malformed link.*\[roundup\.malformed_item\]",
        warnings,
    )
    assert "[roundup.bare_url_title]" in warnings
    assert re.search(r"0003\.md:\d+: WARNING: file name 0003\.md does not match number 1", warnings)
    assert re.search(
        r"issue number 1 is also used by issues/000[13].*\[roundup\.duplicate_number\]", warnings
    )
