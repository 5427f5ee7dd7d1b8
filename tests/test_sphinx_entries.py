"""Entries in a built site: anchors, badges, generated pages, roles, export, incremental."""

from __future__ import annotations

import copy
import json
import multiprocessing
import pickle
import re

import pytest

from conftest import issue_page
from item_helpers import count_calls

pytestmark = pytest.mark.sphinx

ISSUE_1 = issue_page(
    1,
    "2020-01-10",
    """
    Welcome to the first issue.

    ## Managing Teams

    [Research: Informal Leadership Comes at a Cost](https://hbr.org/2021/09/informal-leadership) - Chia-Yen Chiu, Jennifer D. Nahrgang, HBR

    Supporting informal leaders on your team with one-on-one conversations.

    ## Research Software Development

    [Low-code contributions through GitHub](https://labs.quansight.org/blog/low-code) - Isabela Presedo-Floyd, Quansight Labs

    Getting non-coders to contribute.
    """,
)

ISSUE_2 = issue_page(
    2,
    "2021-03-05",
    """
    ## Managing Teams

    [Remote one-on-ones that work](https://example.org/remote-1on1) - Jennifer D. Nahrgang, HBR

    More about the one-on-one.

    [Research: Informal Leadership Comes at a Cost](https://hbr.org/2021/09/informal-leadership?utm_source=newsletter) - Chia-Yen Chiu, HBR

    Worth a second look, and see [the low-code post](https://labs.quansight.org/blog/low-code) too.
    """,
)

ROLES_PAGE = """\
# Roles

See {issue}`1`, {topic}`managing-teams`, {author}`Jennifer D. Nahrgang`,
{venue}`HBR`, {term}`one-on-one` and {entry}`ENTRY_ID`.

```{entries}
:author: Jennifer D. Nahrgang
```

```{entries}
:topic: research-software
:limit: 1
```
"""


def article(html: str) -> str:
    start = html.index('<article class="bd-article">')
    return html[start : html.index("</article>", start)]


def export(site) -> dict:
    return json.loads((site.out / "entries.json").read_text(encoding="utf-8"))


@pytest.fixture
def site(make_site):
    return make_site({1: ISSUE_1, 2: ISSUE_2})


def test_entries_get_anchors_permalinks_and_badges(site):
    _, warnings = site.build()
    assert warnings == ""
    data = export(site)
    assert data["version"] == 1
    first = [e for e in data["entries"] if e["issue"] == 1]
    assert [e["topic"] for e in first] == ["managing-teams", "research-software"]
    page = article(site.html("issues/0001.html"))
    for entry in first:
        assert f'id="{entry["id"]}"' in page
        assert f'href="#{entry["id"]}"' in page  # the visible permalink
    assert 'href="../docs/topics/managing-teams.html"' in page
    assert re.search(r'href="\.\./docs/authors/c\.html#author-chia-yen-chiu"', page)
    assert re.search(r'href="\.\./docs/venues/h\.html#venue-harvard-business-review"', page)


def test_one_placeholder_per_entry_stands_for_what_follows_it(site):
    """The doctree holds one node per entry for permalink, badges, cite and backlinks;
    the page shows them in that order, as siblings of the item's text."""
    from docutils import nodes

    from roundup_kb.sphinxext.entries import entry_badges

    site.build()
    doctree = pickle.loads((site.doctrees / "issues/0002.doctree").read_bytes())
    placeholders = list(doctree.findall(entry_badges))
    assert [p["entry"] for p in placeholders] == [
        e["id"] for e in export(site)["entries"] if e["issue"] == 2
    ]
    assert not [r for r in doctree.findall(nodes.reference) if r.get("refuri", "").startswith("#")]
    cites = [r.astext() for r in doctree.findall(nodes.raw) if "roundup-cite" in r.astext()]
    assert len(cites) == 1 and 'data-cite="issue"' in cites[0]  # the issue's own button
    page = article(site.html("issues/0002.html"))
    entry = placeholders[1]["entry"]  # the one featured in issue 1 too
    assert re.search(
        rf'HBR <a class="roundup-permalink reference external" href="#{entry}"'
        r' title="Permalink to this entry">#</a><span><span class="roundup-badges">.*?</span></span>'
        rf'<button type="button" class="roundup-cite" data-cite="{entry}" data-issue="2">cite</button>'
        r'<span><span class="roundup-also"> also in <a class="reference internal" href="0001\.html#',
        page,
    )
    site.build(builder="text")  # resolved as nodes when nothing renders them at writing
    text = " ".join((site.root / "_build/text/issues/0002.txt").read_text("utf-8").split())
    assert (
        "Chia-Yen Chiu, HBR #Managing TeamsChia-Yen ChiuHarvard Business Review also in #1" in text
    )


def test_same_url_in_two_issues_is_also_featured(site):
    site.build()
    later = article(site.html("issues/0002.html"))
    earlier = article(site.html("issues/0001.html"))
    assert re.search(r'also in <a[^>]*href="0001\.html#[^"]+"', later)
    assert re.search(r'also in <a[^>]*href="0002\.html#[^"]+"', earlier)
    # a link mentioned in passing in issue 2 shows as a backlink on issue 1's entry
    assert re.search(r'mentioned in <a[^>]*href="0002\.html"', earlier)


def test_topic_page_lists_entries_newest_first_grouped_by_issue(site):
    site.build()
    page = article(site.html("docs/topics/managing-teams.html"))
    assert "3 entries in 2 issues" in page
    groups = re.findall(r'href="\.\./\.\./issues/(\d+)\.html">#\d+', page)
    assert groups == ["0002", "0001"]
    assert page.index("Remote one-on-ones") < page.index("Informal Leadership")
    assert 'href="glossary.html#term-one-on-one"' in page  # the topic's key terms
    index = article(site.html("docs/topics/index.html"))
    assert re.search(r"Managing Teams</a> \(3\)", index)


def test_author_and_venue_pages(site):
    site.build()
    page = article(site.html("docs/authors/n.html"))
    assert 'id="author-jennifer-d-nahrgang"' in page
    assert page.count("roundup-entry-title") == 2
    index = article(site.html("docs/authors/index.html"))
    assert re.search(
        r'href="n\.html#author-jennifer-d-nahrgang">Jennifer D\. Nahrgang</a> \(2\)', index
    )
    venues = article(site.html("docs/venues/h.html"))
    assert (
        'id="venue-harvard-business-review"' in venues and venues.count("roundup-entry-title") == 3
    )
    assert "No authors under this letter" in article(site.html("docs/authors/x.html"))


def test_an_entry_listed_on_several_pages_is_made_once_per_directory(site, monkeypatch):
    """Its authors' and venue's pages (one directory level) show one item, made once."""
    from roundup_kb.sphinxext.pages import Renderer

    made = count_calls(monkeypatch, Renderer, "_entry_item")
    site.build()

    def items(path: str) -> list[str]:
        return re.findall(r'<li><p class="roundup-entry-line">.*?</li>', site.html(path))

    author, venue = items("docs/authors/n.html"), items("docs/venues/h.html")
    shared = set(author) & set(venue)
    assert len(shared) == 2  # Nahrgang's entries, both in HBR
    listed = sum(len(items(str(page.relative_to(site.out)))) for page in site.out.rglob("*.html"))
    assert len(made) < listed


def _made_items(monkeypatch) -> list[tuple[int, str]]:
    """(issue, title) of each list item made from here on."""
    from roundup_kb.sphinxext.pages import Renderer

    made: list[tuple[int, str]] = []
    original = Renderer._entry_item

    def making(self, entry, doc, show_issue):
        made.append((entry.issue, entry.title))
        return original(self, entry, doc, show_issue)

    monkeypatch.setattr(Renderer, "_entry_item", making)
    return made


def test_list_items_are_kept_from_build_to_build_while_their_issue_lists_the_same(
    site, monkeypatch
):
    """An addition makes only the new issue's items; a title edit makes its issue's
    again (and the page shows the new title); commentary edits make none."""
    from roundup_kb.sphinxext.pages import ITEMS_NAME

    site.build()
    assert (site.doctrees / ITEMS_NAME).is_file()
    made = _made_items(monkeypatch)
    site.write_issue(
        3,
        issue_page(
            3,
            "2021-06-01",
            "## Managing Teams\n\n[New](https://example.org/new) - Jennifer D. Nahrgang, HBR\n",
        ),
    )
    site.build()
    assert made and {issue for issue, _ in made} == {3}
    assert "New" in article(site.html("docs/authors/n.html"))
    assert "4 entries in 3 issues" in article(site.html("docs/topics/managing-teams.html"))

    made.clear()
    site.write_issue(2, ISSUE_2.replace("More about the one-on-one.", "More, and better."))
    site.build()
    assert made == []

    site.write_issue(2, ISSUE_2.replace("Remote one-on-ones that work", "Remote, revised"))
    site.build()
    assert made and {issue for issue, _ in made} == {2}
    for page in ("docs/topics/managing-teams.html", "docs/authors/n.html"):
        text = article(site.html(page))
        assert "Remote, revised" in text and "Remote one-on-ones that work" not in text


def test_kept_list_items_are_dropped_with_their_code_and_their_issue(tmp_path, monkeypatch):
    from roundup_kb.sphinxext import pages

    items = pages.EntryItems(tmp_path)
    items.of_page("issues/0001", "digest-1")[("e1", True, "../i1.html")] = "<li>1</li>"
    items.of_page("issues/0002", "digest-2")[("e2", True, "../i2.html")] = "<li>2</li>"
    items.of_page("issues/0003", None)[("e3", True, "../i3.html")] = "<li>3</li>"
    items.save(["issues/0001", "issues/0002", "issues/0003"])
    assert not (tmp_path / pages.ITEMS_NAME).exists()  # nothing made: nothing saved
    items.made = 3
    items.save(["issues/0001", "issues/0003"])  # issue 2 is gone; 3's are not kept
    again = pages.EntryItems(tmp_path)
    assert again.pages == {"issues/0001": ("digest-1", {("e1", True, "../i1.html"): "<li>1</li>"})}
    # another digest: the page's items were made from other fields
    assert again.of_page("issues/0001", "digest-1b") == {}
    assert pages.EntryItems(tmp_path).of_page("issues/0001", "digest-1") != {}
    # other code: nothing kept is used
    monkeypatch.setattr(pages, "ITEMS_VERSION", pages.ITEMS_VERSION + 1)
    assert pages.EntryItems(tmp_path).pages == {}


def test_roles_directive_and_glossary(site):
    site.build()
    entry_id = export(site)["entries"][0]["id"]
    (site.root / "docs" / "roles.md").write_text(
        ROLES_PAGE.replace("ENTRY_ID", entry_id), encoding="utf-8"
    )
    index = site.root / "docs" / "index.md"
    index.write_text(index.read_text().replace("about\n", "about\nroles\n"), encoding="utf-8")
    _, warnings = site.build()
    assert warnings == ""
    page = article(site.html("docs/roles.html"))
    assert 'href="../issues/0001.html"' in page
    assert 'href="topics/managing-teams.html"' in page
    assert 'href="authors/n.html#author-jennifer-d-nahrgang"' in page
    assert 'href="venues/h.html#venue-harvard-business-review"' in page
    assert 'href="topics/glossary.html#term-one-on-one"' in page
    assert f'href="../issues/0001.html#{entry_id}"' in page
    lists = re.findall(r'<ul class="roundup-entries[^"]*">(.*?)</ul>', page, re.S)
    assert len(lists) == 2
    assert lists[0].count("<li>") == 2  # Nahrgang's two entries
    assert lists[1].count("<li>") == 1 and "Low-code" in lists[1]
    glossary = article(site.html("docs/topics/glossary.html"))
    assert 'id="term-one-on-one"' in glossary
    assert "Mentioned in" in glossary


def test_unknown_heading_warns_with_location(make_site):
    site = make_site(
        {
            3: issue_page(
                3,
                "2021-05-01",
                "## Managing Teams\n\n[A](https://example.org/a) - B, C\n\n"
                "## Llama Wrangling\n\n[B](https://example.org/b) - D, E\n",
            )
        }
    )
    _, warnings = site.build()
    assert re.search(
        r"issues/0003\.md:\d+: WARNING: .*Llama Wrangling.*\[roundup\.unknown_topic\]", warnings
    )


def test_incremental_edit_moves_entry_between_topic_pages(site):
    site.build()
    text = ISSUE_1.replace("## Research Software Development", "## Technical Leadership")
    site.write_issue(1, text)
    site.build()
    assert "Low-code" in article(site.html("docs/topics/technical-leadership.html"))
    assert "Low-code" not in article(site.html("docs/topics/research-software.html"))


def test_incremental_delete_updates_author_pages_and_export(site):
    site.build()
    (site.root / "issues" / "0002.md").unlink()
    site.build()
    page = article(site.html("docs/authors/n.html"))
    assert page.count("roundup-entry-title") == 1
    assert {e["issue"] for e in export(site)["entries"]} == {1}
    assert "also in" not in article(site.html("issues/0001.html"))


def test_incremental_add_updates_pages(site):
    site.build()
    site.write_issue(
        3,
        issue_page(
            3, "2021-06-01", "## Managing Teams\n\n[New](https://example.org/new) - Ann Zed, Acme\n"
        ),
    )
    site.build()
    assert "Ann Zed" in article(site.html("docs/authors/z.html"))
    assert "4 entries in 3 issues" in article(site.html("docs/topics/managing-teams.html"))


def _stamps(site) -> dict[str, int]:
    return {
        str(path.relative_to(site.out)): path.stat().st_mtime_ns
        for path in site.out.rglob("*.html")
    }


def _rewritten_by(site, issue_2: str) -> set[str]:
    """The HTML pages an incremental build rewrites after issue 2 becomes ``issue_2``."""
    site.build()
    before = _stamps(site)
    site.write_issue(2, issue_2)
    site.build()
    after = _stamps(site)
    return {page for page in after if after[page] != before.get(page)}


def test_commentary_edit_rewrites_only_what_shows_commentary(site):
    # "one-on-one" is a key term: the glossary lists the entries that mention it
    rewritten = _rewritten_by(
        site, ISSUE_2.replace("More about the one-on-one.", "Nothing about that term now.")
    )
    assert {"issues/0002.html", "docs/topics/glossary.html"} <= rewritten
    for page in (
        "docs/topics/managing-teams.html",
        "docs/authors/n.html",
        "docs/venues/h.html",
        "docs/index.html",
        "issues/0001.html",
    ):
        assert page not in rewritten, page
    glossary = article(site.html("docs/topics/glossary.html"))
    assert "Remote one-on-ones that work" not in glossary.split('id="term-one-on-one"')[1]


def test_commentary_edit_that_uses_no_term_rewrites_only_its_issue(site):
    rewritten = _rewritten_by(site, ISSUE_2.replace("Worth a second look", "Worth a third look"))
    assert "issues/0002.html" in rewritten
    # no listed field changed and no entry started or stopped using a glossary term
    assert "docs/topics/glossary.html" not in rewritten
    assert "docs/topics/managing-teams.html" not in rewritten


def test_a_term_new_in_the_registry_lists_the_entries_that_use_it(site):
    """Which entries use each term is found when an issue page is read; a term added
    to the registry later is found in pages read before it existed."""
    site.build()
    registry = site.root / "docs" / "registry" / "topics.yaml"
    text = registry.read_text(encoding="utf-8")
    marker = '      one-on-one: "'
    assert marker in text
    registry.write_text(
        text.replace(marker, '      informal leadership: "Leading without the title."\n' + marker),
        encoding="utf-8",
    )
    site.build()
    glossary = article(site.html("docs/topics/glossary.html"))
    listed = glossary.split('id="term-informal-leadership"')[1].split("</dd>")[0]
    assert "Research: Informal Leadership Comes at a Cost" in listed
    assert "Remote one-on-ones that work" not in listed


def test_entries_filtered_by_term_follow_commentary_edits(site):
    (site.root / "docs" / "terms.md").write_text(
        "---\norphan: true\n---\n\n# Terms\n\n```{entries}\n:term: kaleidoscope\n```\n"
    )
    site.build()
    assert "Remote one-on-ones that work" not in article(site.html("docs/terms.html"))
    rewritten = _rewritten_by(
        site, ISSUE_2.replace("More about the one-on-one.", "A kaleidoscope of one-on-ones.")
    )
    assert "docs/terms.html" in rewritten
    assert "Remote one-on-ones that work" in article(site.html("docs/terms.html"))


def _counting_name_indexes(monkeypatch) -> list[int]:
    """Count the author and venue indexes the catalogue makes from now on."""
    from roundup_kb import catalogue

    return count_calls(monkeypatch, catalogue, "_name_indexes")


def _badge_links(site, page: str) -> set[str]:
    return set(re.findall(r'href="([^"]*(?:authors|venues)/[^"]*)"', article(site.html(page))))


def test_an_issue_page_written_alone_links_names_without_making_the_indexes(site, monkeypatch):
    site.build()
    links = _badge_links(site, "issues/0002.html")
    assert "../docs/authors/n.html#author-jennifer-d-nahrgang" in links
    made = _counting_name_indexes(monkeypatch)
    site.write_issue(2, ISSUE_2.replace("Worth a second look", "Worth a third look"))
    site.build()
    assert "Worth a third look" in site.html("issues/0002.html")
    assert made == []  # where names lead came from the last build
    assert _badge_links(site, "issues/0002.html") == links


def test_names_on_issue_pages_follow_renamed_authors_and_the_registry(site, monkeypatch):
    site.build()
    made = _counting_name_indexes(monkeypatch)
    # an author renamed: the saved directories no longer hold, every page links the new name
    site.write_issue(2, ISSUE_2.replace("Jennifer D. Nahrgang, HBR", "Jenny Nahrgang, HBR"))
    site.build()
    assert made
    links = _badge_links(site, "issues/0002.html")
    assert "../docs/authors/n.html#author-jenny-nahrgang" in links
    assert "../docs/authors/n.html#author-jennifer-d-nahrgang" in _badge_links(
        site, "issues/0001.html"
    )
    # the registry makes the two one person, displayed as it says
    registry = site.root / "docs" / "registry" / "names.yaml"
    text = registry.read_text(encoding="utf-8")
    registry.write_text(
        text.replace(
            "\npeople:\n",
            "\npeople:\n  - name: Jennifer Nahrgang\n    aliases: [Jenny Nahrgang, Jennifer D. Nahrgang]\n",
            1,
        ),
        encoding="utf-8",
    )
    made.clear()
    site.build()
    assert made
    for page in ("issues/0001.html", "issues/0002.html"):
        assert "../docs/authors/n.html#author-jennifer-nahrgang" in _badge_links(site, page), page


def _read_by(app) -> list[str]:
    """The docnames a build read, from its status output."""
    status = re.sub(r"\x1b\[[0-9;]*m", "", app._status.getvalue())
    return re.findall(r"reading sources\.\.\. \[[ \d]+%\] (\S+)", status)


def test_a_new_mention_rewrites_the_pages_whose_entries_it_links_without_reading_them(make_site):
    three = issue_page(
        3,
        "2021-04-01",
        "## Managing Teams\n\n[New](https://example.org/new) - Ann Zed, Acme\n\nNothing yet.\n",
    )
    site = make_site({1: ISSUE_1, 2: ISSUE_2, 3: three})
    site.build()
    assert "mentioned in" in article(site.html("issues/0001.html"))  # by issue 2
    before = _stamps(site)
    site.write_issue(
        3,
        three.replace(
            "Nothing yet.", "See [the low-code post](https://labs.quansight.org/blog/low-code)."
        ),
    )
    app, _ = site.build()
    after = _stamps(site)
    rewritten = {page for page in after if after[page] != before.get(page)}
    # issue 1 holds the low-code entry: its "mentioned in" gains issue 3
    assert "issues/0001.html" in rewritten
    assert re.search(r"mentioned in .*#2.*#3", article(site.html("issues/0001.html")))
    # issue 2 only mentions the link too: nothing it shows changed
    assert "issues/0002.html" not in rewritten
    # pages that show other issues are written again, never read again
    assert _read_by(app) == ["issues/0003"]


def test_adding_an_issue_reads_only_that_issue(site):
    site.build()
    before = _stamps(site)
    site.write_issue(
        3,
        issue_page(
            3, "2021-06-01", "## Managing Teams\n\n[New](https://example.org/new) - Ann Zed, Acme\n"
        ),
    )
    app, _ = site.build()
    after = _stamps(site)
    rewritten = {page for page in after if after[page] != before.get(page)}
    assert {
        "issues/0002.html",  # its "next issue" link
        "docs/topics/managing-teams.html",
        "docs/authors/z.html",
        "docs/archive.html",
    } <= rewritten
    assert 'href="0003.html"' in article(site.html("issues/0002.html"))
    # the archive's glob toctree is read again by Sphinx itself when a page is added
    assert sorted(_read_by(app)) == ["docs/archive", "issues/0003"]


def test_title_edit_rewrites_the_pages_that_list_the_entry(site):
    rewritten = _rewritten_by(
        site, ISSUE_2.replace("Remote one-on-ones that work", "Remote one-on-ones, revised")
    )
    assert {"docs/topics/managing-teams.html", "docs/authors/n.html"} <= rewritten
    assert "docs/authors/c.html" not in rewritten  # Chiu's entry did not change
    assert "Remote one-on-ones, revised" in article(site.html("docs/topics/managing-teams.html"))


def test_parallel_build_matches_serial(site):
    pages = ["docs/topics/managing-teams.html", "docs/authors/n.html", "issues/0002.html"]
    site.build(parallel=2, fresh=True)
    parallel = {p: article(site.html(p)) for p in pages} | {"json": export(site)}
    site.build(fresh=True)
    serial = {p: article(site.html(p)) for p in pages} | {"json": export(site)}
    assert parallel == serial


def _write_in_child(data, conn):
    data["c"] = 3
    data.setdefault("d", set()).add("x")
    conn.send_bytes(pickle.dumps(data))


def _sent_back_by_a_forked_reader(data):
    """What a forked process that writes two documents into ``data`` pickles back."""
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    child = context.Process(target=_write_in_child, args=(data, send))
    child.start()
    if not receive.poll(60):  # the child failed before sending
        child.kill()
        raise AssertionError(f"the forked reader sent nothing (exit code {child.exitcode})")
    sent = pickle.loads(receive.recv_bytes())
    child.join()
    assert child.exitcode == 0
    return sent


def test_domain_data_sends_back_only_what_a_reader_process_wrote():
    """What a forked ``-j N`` reader pickles is its own documents, not all merged so far."""
    from roundup_kb.sphinxext.domain import PerDoc

    data = PerDoc({"a": 1})
    data["b"] = 2
    assert pickle.loads(pickle.dumps(data)) == {"a": 1, "b": 2}
    assert copy.deepcopy(data) == {"a": 1, "b": 2}
    sent = _sent_back_by_a_forked_reader(data)
    assert sent == {"c": 3, "d": {"x"}} and type(sent) is PerDoc
    assert data == {"a": 1, "b": 2}
    # unpickled in the parent, it is the parent's own and pickles whole
    sent["e"] = 4
    assert pickle.loads(pickle.dumps(sent)) == {"c": 3, "d": {"x"}, "e": 4}


def test_domain_data_is_unpickled_without_a_call_per_document(monkeypatch):
    """Loading puts the documents in at once, not through ``__setitem__`` one by one;
    a map pickled the earlier way (item by item) still loads."""
    from roundup_kb.sphinxext.domain import LazyPerDoc, PerDoc

    made = {kind: pickle.dumps(kind({"a": 1, "b": 2})) for kind in (PerDoc, LazyPerDoc)}
    earlier = pickle.dumps(_ItemByItem({"a": 1, "b": 2}))
    calls: list[str] = []
    real = PerDoc.__setitem__
    monkeypatch.setattr(
        PerDoc, "__setitem__", lambda self, k, v: calls.append(k) or real(self, k, v)
    )
    for kind, blob in made.items():
        loaded = pickle.loads(blob)
        assert type(loaded) is kind and dict(loaded.items()) == {"a": 1, "b": 2}
    assert calls == []
    assert pickle.loads(earlier) == {"a": 1, "b": 2} and calls == ["a", "b"]


class _ItemByItem(dict):
    """Pickles as a :class:`PerDoc` did until 2026-12-02: the items one by one."""

    def __reduce_ex__(self, protocol):
        from roundup_kb.sphinxext.domain import PerDoc

        return (PerDoc, (), None, None, iter(self.items()))


def test_lazy_domain_data_is_unpickled_one_document_at_a_time():
    """Entries and mentions stay pickled per document until read, and read as before."""
    from roundup_kb.sphinxext.domain import LazyPerDoc

    data = LazyPerDoc({"a": (1, 2), "b": ("x",)})
    loaded = pickle.loads(pickle.dumps(data))
    assert type(loaded) is LazyPerDoc and loaded.unpacked() == set()
    assert loaded["a"] == (1, 2) and loaded.unpacked() == {"a"}
    assert loaded.get("b") == ("x",) and loaded.get("zzz", ()) == ()
    assert loaded.unpacked() == {"a", "b"}
    again = pickle.loads(pickle.dumps(pickle.loads(pickle.dumps(data))))  # never read
    assert again.unpacked() == set()
    assert dict(again.items()) == {"a": (1, 2), "b": ("x",)} and again.values() == [(1, 2), ("x",)]
    assert again.pop("a") == (1, 2) and "a" not in again
    assert copy.deepcopy(data).get("b") == ("x",)
    # a forked reader sends back only what it wrote, still per document
    sent = _sent_back_by_a_forked_reader(loaded)
    assert sent.unpacked() == set() and dict(sent.items()) == {"c": 3, "d": {"x"}}


def test_lazy_domain_data_keeps_its_pickles_in_a_store_of_its_own(tmp_path):
    """Attached to a file, the map pickles only places into the environment, adds
    only the values that changed, writes the file again once it is mostly unused,
    and tells when the file it pointed into is gone."""
    from roundup_kb.sphinxext.domain import LazyPerDoc

    path = tmp_path / "store.blobs"
    data = LazyPerDoc({doc: ("x" * 1000, n) for n, doc in enumerate("abcd")})
    assert data.attach(path)
    saved = pickle.dumps(data)
    assert len(saved) < 1000 < path.stat().st_size  # the values are in the store
    loaded = pickle.loads(saved)
    assert loaded.attach(path) and loaded.unpacked() == set()
    assert loaded["b"] == ("x" * 1000, 1) and loaded.unpacked() == {"b"}
    # an edit adds that document's value, the others keep their places
    loaded["a"] = ("y" * 1000, 9)
    size = path.stat().st_size
    again = pickle.loads(pickle.dumps(loaded))
    assert 2 * 1000 < path.stat().st_size - size < 3 * 1000  # "a", and "b" once read
    assert again.attach(path)
    assert dict(again.items()) == {"a": ("y" * 1000, 9)} | {
        doc: ("x" * 1000, n) for n, doc in enumerate("abcd") if doc != "a"
    }
    # once more than half of the file is unused, it is written again, and places
    # kept in memory follow it
    tokens, sizes = {again._token}, []
    for n in range(8):
        again[f"a{n}"] = again.pop("a") if n == 0 else again.pop(f"a{n - 1}")
        again = pickle.loads(pickle.dumps(again))
        assert again.attach(path)
        tokens.add(again._token)
        sizes.append(path.stat().st_size)
    assert len(tokens) > 1 and max(sizes) < 10 * 1000  # 16,000 bytes added in all
    assert again.values()[-1] == ("y" * 1000, 9) and again["d"] == ("x" * 1000, 3)
    # a forked reader sends back what it wrote, which its parent reads without a store
    other = LazyPerDoc({"a": 1})
    assert other.attach(tmp_path / "other.blobs")
    other = pickle.loads(pickle.dumps(other))
    assert other.attach(tmp_path / "other.blobs")
    sent = _sent_back_by_a_forked_reader(other)
    assert dict(sent.items()) == {"c": 3, "d": {"x"}}
    # the file deleted (or written by a build whose environment was never saved):
    # the map says so and drops the values it pointed to
    lost = pickle.loads(pickle.dumps(again))
    path.unlink()
    assert not lost.attach(path) and dict(lost) == {}
    # never attached, the map pickles its values whole, as before
    alone = pickle.loads(pickle.dumps(LazyPerDoc({"a": 1, "b": 2})))
    assert alone.unpacked() == set() and alone["a"] == 1
    # a value popped while still pickled is gone (clear_doc pops)
    assert alone.pop("b") == 2 and "b" not in alone and alone.pop("b", None) is None


def test_an_environment_whose_stores_are_gone_is_read_again(make_site):
    """Entries live beside environment.pickle; without their file, every page is
    read again rather than shown without its entries."""
    from roundup_kb.sphinxext.domain import STORE_NAME, get_domain

    body = "## Managing Teams\n\n[A paper](https://example.org/a) - Ann Author, Venue\n\nWhy Zanzibarian.\n"
    site = make_site({1: issue_page(1, "2021-01-01", body), 2: issue_page(2, "2021-01-08", body)})
    site.build()
    store = site.doctrees / STORE_NAME.format("entries")
    # the entries' commentary is in their store, not in the environment
    assert b"Zanzibarian" in store.read_bytes()
    assert b"Zanzibarian" not in (site.doctrees / "environment.pickle").read_bytes()
    app, _ = site.build()
    assert _read_by(app) == []
    store.unlink()
    app, _ = site.build()
    assert {"issues/0001", "issues/0002"} <= set(_read_by(app))
    assert "pickled values in" in app._status.getvalue()
    dom = get_domain(app.env)
    assert [e.title for e in dom.entries["issues/0001"]] == ["A paper"]
    assert "A paper" in site.html("docs/topics/managing-teams.html")
    app, _ = site.build()
    assert _read_by(app) == []


def test_a_build_that_changes_nothing_unpickles_no_entries(make_site):
    from roundup_kb.sphinxext.domain import LazyPerDoc, get_domain

    body = "## Random\n\n[A paper](https://example.org/a) - Ann Author, Venue\n\nWhy.\n"
    site = make_site({1: issue_page(1, "2021-01-01", body), 2: issue_page(2, "2021-01-08", body)})
    site.build()
    app, _ = site.build()
    dom = get_domain(app.env)
    assert set(dom.entries) == {"issues/0001", "issues/0002"}
    assert dom.entries.unpacked() == set() and dom.mentions.unpacked() == set()
    # nor any issue page's table of contents (Sphinx's env.tocs; the pages Sphinx
    # writes in every build, search and the index, show the root's in the header)
    assert type(app.env.tocs) is LazyPerDoc
    assert app.env.tocs.unpacked() <= {"docs/index"}
    assert {"issues/0001", "issues/0002"} <= set(app.env.tocs)
    # finding an issue's page (for links to the newsletter's archive) needs only
    # the issues' front matter, not every page's entries
    assert dom.docname_of_issue(2) == "issues/0002" and dom.docname_of_issue(3) is None
    assert dom.entries.unpacked() == set()
    # an edit reads what it needs, and the pages show it
    site.write_issue(2, issue_page(2, "2021-01-08", body.replace("Why.", "Why not.")))
    app, _ = site.build()
    dom = get_domain(app.env)
    assert "issues/0002" in dom.entries.unpacked()
    assert [e.title for e in dom.entries["issues/0001"]] == ["A paper"]
    assert "Why not." in site.html("issues/0002.html")
    # the edited page's table of contents is new; the other page still shows its own
    assert "issues/0002" in app.env.tocs.unpacked()
    html = site.html("issues/0001.html")
    assert 'href="#random"' in html


def test_the_domains_objects_are_listed_without_unpickling_the_entries(make_site):
    """The object inventory and the search index list every issue and entry
    (``get_objects``), from rows kept beside the entries: an edit leaves the other
    issues' entries pickled, and the rows follow each edit."""
    from sphinx.util.inventory import InventoryFile

    from roundup_kb.sphinxext.domain import get_domain

    body = (
        "## Random\n\n[A paper](https://example.org/a) - Ann Author, Venue\n\nWhy.\n\n"
        "[A tool](https://example.org/t) - Bo Builder\n\nHow.\n"
    )
    site = make_site({1: issue_page(1, "2021-01-01", body), 2: issue_page(2, "2021-01-08", body)})
    site.build()

    def listed(dom) -> list[tuple]:
        """What get_objects listed as first written: from the issues and the entries."""
        rows = [(f"issue-{m.number}", m.title, "issue", d, "", 1) for d, m in dom.issues.items()]
        rows += [(e.id, e.title, "entry", d, e.id, 1) for d, es in dom.entries.items() for e in es]
        return sorted(rows)

    site.write_issue(2, issue_page(2, "2021-01-08", body.replace("Why.", "Why not.")))
    app, _ = site.build()
    dom = get_domain(app.env)
    assert dom.entries.unpacked() == {"issues/0002"}  # the inventory's digest was made
    assert sorted(dom.get_objects()) == listed(dom)

    site.write_issue(2, issue_page(2, "2021-01-08", body.replace("A tool", "A new tool")))
    app, _ = site.build()
    dom = get_domain(app.env)
    assert sorted(dom.get_objects()) == listed(dom)
    assert len(listed(dom)) == 6
    inventory = InventoryFile.loads((site.out / "objects.inv").read_bytes(), uri="")
    items = inventory.data["roundup:entry"].values()
    shown = {getattr(item, "display_name", None) or item[3] for item in items}  # Sphinx 8: tuples
    assert {"A new tool", "A tool"} <= shown  # issues 2 and 1


def test_unresolved_role_warns(site):
    (site.root / "docs" / "about.md").write_text(
        "# About\n\nSee {entry}`no-such-entry` and {author}`Nobody Atall`.\n", encoding="utf-8"
    )
    _, warnings = site.build()
    assert "no entry with id 'no-such-entry'" in warnings
    assert "no author 'Nobody Atall'" in warnings


def test_site_data_files_follow_the_pages_and_survive_deletion(site):
    site.build()
    data_files = ["entries.json", "browse.json", "feeds/issues.atom", "entries.ris"]
    for name in data_files:
        (site.out / name).unlink()
    site.build()  # nothing changed in the pages: the missing files are made again
    assert all((site.out / name).exists() for name in data_files)
    site.write_issue(2, ISSUE_2.replace("Remote one-on-ones that work", "Remote, retitled"))
    site.build()
    for name in data_files:
        assert "Remote, retitled" in (site.out / name).read_text(encoding="utf-8"), name


def test_every_builder_gets_the_generated_lists(site):
    """html and dirhtml render lists as pages are written; others when doctrees are resolved."""
    site.build(builder="dirhtml")
    page = site.root / "_build" / "dirhtml" / "docs" / "topics" / "managing-teams" / "index.html"
    html = page.read_text(encoding="utf-8")
    assert "Remote one-on-ones that work" in html
    assert 'href="../../../issues/0002/#rct2-remote-1on1"' in html
    assert 'class="roundup-badge roundup-topic">Managing Teams</span>' in (
        site.root / "_build" / "dirhtml" / "issues" / "0002" / "index.html"
    ).read_text(encoding="utf-8")
    site.build(builder="singlehtml")  # resolved in place, as any other builder does
    html = (site.root / "_build" / "singlehtml" / "docs" / "index.html").read_text(encoding="utf-8")
    assert "Remote one-on-ones that work" in html
    assert 'class="roundup-badge roundup-topic">Managing Teams</span>' in html


def test_generated_lists_encode_text_as_docutils_writers_do():
    """Lists built as HTML strings (entries, name indexes) say what a node would."""
    from docutils.writers._html_base import HTMLTranslator

    from roundup_kb.sphinxext.pages import _HTML_TEXT

    text = 'O\'Dell & "Sandy" <b>Pentland</b> @HPC_Guru'
    assert text.translate(_HTML_TEXT) == text.translate(HTMLTranslator.special_characters)


def test_toctree_parents_are_written_again_only_when_the_toctree_would_change(make_site):
    """An edit that leaves an issue's title and sections alone does not rewrite the
    archive (its toctree parent); a new section, or a docs page's new title, does."""
    body = "## Random\n\n[A paper](https://example.org/a) - Ann Author, Venue\n\nWhy.\n"
    site = make_site({1: issue_page(1, "2021-01-01", body), 2: issue_page(2, "2021-01-08", body)})
    site.build()
    archive = site.out / "docs" / "archive.html"
    index = site.out / "docs" / "index.html"

    def written_again(page, change) -> bool:
        before = page.stat().st_mtime_ns
        change()
        app, warnings = site.build()
        assert not warnings.strip(), warnings
        assert app.env.files_to_rebuild.get("issues/0002") == {"docs/archive"}  # put back
        return page.stat().st_mtime_ns != before

    # commentary only: the archive is left as it is, the issue page shows the edit
    edited = body.replace("Why.", "Why not.")
    assert not written_again(
        archive, lambda: site.write_issue(2, issue_page(2, "2021-01-08", edited))
    )
    assert "Why not." in site.html("issues/0002.html")
    # a new section changes what the archive's toctree holds of the page
    sectioned = edited + "\n## Events\n\n[A meeting](https://example.org/m) - Bo Host\n\nGo.\n"
    assert written_again(
        archive, lambda: site.write_issue(2, issue_page(2, "2021-01-08", sectioned))
    )
    # a docs page: a new title shows in its parent's toctree, an edited body does not
    about = site.root / "docs" / "about.md"
    text = about.read_text(encoding="utf-8")
    assert not written_again(index, lambda: about.write_text(text + "\nMore.\n", encoding="utf-8"))
    retitled = text.replace("# About", "# About this site", 1)
    assert written_again(index, lambda: about.write_text(retitled, encoding="utf-8"))
    assert "About this site" in site.html("docs/index.html")
    # Sphinx's rule, when asked for
    before = archive.stat().st_mtime_ns
    site.write_issue(2, issue_page(2, "2021-01-08", sectioned.replace("Go.", "Went.")))
    site.build(confoverrides={"roundup_skip_unchanged_toctree_parents": False})
    assert archive.stat().st_mtime_ns != before


def _entries_of(texts: list[str], ids: list[int]) -> tuple:
    from item_helpers import commented_entry

    return tuple(
        commented_entry(f"rct1-{i}", text, line=n + 1, title=f"t{i}")
        for n, (i, text) in enumerate(zip(ids, texts, strict=False))
    )


def test_changed_keys_of_terms_are_those_of_looking_at_every_entry():
    """Only entries whose text changed are looked at first; the answer is the same."""
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from roundup_kb.catalogue import mentions, term_pattern
    from roundup_kb.model import IssueMeta
    from roundup_kb.sphinxext.domain import TERM, changed_keys

    words = st.sampled_from(["RSE", "rse", "IC", "ic.", "about", "HPC", "", " "])
    texts = st.lists(st.lists(words, max_size=4).map(" ".join), max_size=4)
    ids = st.lists(st.integers(0, 3), min_size=4, max_size=4)
    terms = ["RSE", "IC", "HPC"]
    meta = IssueMeta(number=1, title="t", date=__import__("datetime").date(2022, 1, 1))

    @settings(max_examples=300, deadline=None)
    @given(old_texts=texts, new_texts=texts, old_ids=ids, new_ids=ids)
    def check(old_texts, new_texts, old_ids, new_ids):
        old, new = _entries_of(old_texts, old_ids), _entries_of(new_texts, new_ids)
        found = {
            k for k in changed_keys((meta, old, ()), (meta, new, ()), terms) if k.startswith(TERM)
        }
        expected = set()
        for term in terms:
            pattern = term_pattern(term)
            using = [{e.id for e in es if mentions(pattern, e)} for es in (old, new)]
            if using[0] != using[1]:
                expected.add(TERM + term)
        assert found == expected

    check()


def test_an_edited_issue_page_gets_its_badges_and_backlinks_without_the_catalogue(
    make_site, tmp_path, monkeypatch
):
    """Name directories and backlinks are kept between builds: an edit to commentary
    (lines added, so every later entry moves) writes the page without building the
    catalogue, and the page is the one a fresh build writes."""
    import shutil

    from conftest import Site
    from roundup_kb.catalogue import Catalogue

    site = make_site({1: ISSUE_1, 2: ISSUE_2})
    site.build()
    twin = Site(tmp_path / "twin")
    shutil.copytree(site.root, twin.root, ignore=shutil.ignore_patterns("_build"))
    edited = ISSUE_2.replace(
        "More about the one-on-one.", "More about the one-on-one.\n\nAnd more."
    )
    for one in (site, twin):
        one.write_issue(2, edited)

    builds = count_calls(monkeypatch, Catalogue, "build")
    site.build()
    assert builds == []
    page = site.html("issues/0002.html")
    assert "And more." in page and re.search(r'also in <a[^>]*href="0001\.html#', page)
    assert "docs/authors/n.html#author-jennifer-d-nahrgang" in page

    twin.build(fresh=True)
    assert article(page) == article(twin.html("issues/0002.html"))
