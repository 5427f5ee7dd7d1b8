"""The search index loaded, fed and dumped by a helper process beside the build."""

from __future__ import annotations

import json
import multiprocessing
import shutil

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sphinx.builders import Builder
from sphinx.builders.html import StandaloneHTMLBuilder
from sphinx.search import IndexBuilder

from conftest import Site, helpers_gone, issue_page
from item_helpers import count_calls
from roundup_kb.sphinxext import searchindex

BODY = """
## Managing Teams

[Remote one-on-ones that work](https://example.org/remote-1on1) - Jennifer D. Nahrgang, HBR

More about the one-on-one and its agenda.

## Research Software Development

[Low-code contributions through GitHub](https://labs.quansight.org/blog/low-code) - Isabela Presedo-Floyd, Quansight Labs

Getting non-coders to contribute.
"""

#: a page of the docs with an index entry (issue pages may not have directives)
INDEXED = """---
orphan: true
---

# Archipelagos

```{index} single: Zanzibar; archipelago
```

Quokkas and teams.
"""


def _sites(make_site, tmp_path) -> tuple[Site, Site]:
    """Two copies of one project: the first built with helpers, the second without."""
    site = make_site(
        {
            1: issue_page(1, "2021-01-01", BODY),
            2: issue_page(2, "2021-01-08", BODY.replace("Remote", "Hybrid")),
            3: issue_page(3, "2021-01-15", BODY.replace("one-on-one", "stand-up")),
        }
    )
    (site.root / "docs" / "islands.md").write_text(INDEXED, encoding="utf-8")
    twin = tmp_path / "twin"
    shutil.copytree(site.root, twin)
    return site, Site(twin)


def _build_both(with_helper: Site, without: Site, monkeypatch, **options) -> None:
    for site, available in ((with_helper, True), (without, False)):
        monkeypatch.setattr(searchindex, "helpers_available", lambda available=available: available)
        _, warnings = site.build(**options)
        assert "WARNING" not in warnings, warnings


def _built_with_helpers(make_site, monkeypatch) -> Site:
    """Two issues, built once, with a helper wherever the build would fork one."""
    monkeypatch.setattr(searchindex, "helpers_available", lambda: True)
    site = make_site({1: issue_page(1, "2021-01-01", BODY), 2: issue_page(2, "2021-01-08", BODY)})
    site.build()
    return site


def _index(site: Site) -> str:
    return (site.out / "searchindex.js").read_text(encoding="utf-8")


def _inventory(site: Site) -> bytes:
    return (site.out / "objects.inv").read_bytes()


def _index_entries(site: Site) -> dict[str, list]:
    text = _index(site)
    return json.loads(text[text.index("(") + 1 : text.rindex(")")])["indexentries"]


@pytest.mark.sphinx
def test_the_helper_dumps_the_index_sphinx_would(make_site, tmp_path, monkeypatch):
    """Byte for byte, through a full build, edits, an addition, a removal and -j 2."""
    loads = count_calls(monkeypatch, IndexBuilder, "load")
    site, twin = _sites(make_site, tmp_path)

    _build_both(site, twin, monkeypatch, fresh=True)  # no helper: nothing to load
    assert _index(site) == _index(twin)
    assert _index_entries(site)["archipelago"] == _index_entries(site)["zanzibar"]

    steps = [
        ("edit", "issues/0001.md", issue_page(1, "2021-01-01", BODY + "\nZanzibarite words.\n")),
        ("title", "issues/0003.md", issue_page(3, "2021-01-15", BODY, title="A new title")),
        ("index", "docs/islands.md", INDEXED.replace("Zanzibar", "Pemba")),
        ("add", "issues/0004.md", issue_page(4, "2021-01-22", BODY.replace("agenda", "wombats"))),
    ]
    for step, path, text in steps:
        for one in (site, twin):
            (one.root / path).write_text(text, encoding="utf-8")
        loads.clear()
        _build_both(site, twin, monkeypatch)
        assert _index(site) == _index(twin), step
        assert loads == [1], step  # the twin's load; the site's was in its helper
        if step == "index":
            assert "pemba" in _index_entries(site) and "zanzibar" not in _index_entries(site)

    assert "zanzibarit" in _index(site) and "wombat" in _index(site)
    assert "A new title" in _index(site)

    for one in (site, twin):
        (one.root / "issues" / "0003.md").unlink()
    _build_both(site, twin, monkeypatch)
    assert _index(site) == _index(twin) and _inventory(site) == _inventory(twin)
    assert "issues/0003" not in _index(site)

    for one in (site, twin):
        one.write_issue(1, issue_page(1, "2021-01-01", BODY + "\nParallel words.\n"))
    _build_both(site, twin, monkeypatch, parallel=2)
    assert _index(site) == _index(twin) and "parallel" in _index(site)
    assert _inventory(site) == _inventory(twin)
    assert helpers_gone()


def _record_messages_and_writes(monkeypatch) -> list:
    """What the build sends the index's helper, and each page it writes, in order:
    ("page", docname), "dump", "write" and ("written", docname)."""
    events: list = []
    send, write_doc = searchindex.Helper.send, StandaloneHTMLBuilder.write_doc

    def sending(self, message):
        events.append(message if isinstance(message, str) else ("page", message.docname))
        return send(self, message)

    def writing(self, docname, doctree):
        events.append(("written", docname))
        return write_doc(self, docname, doctree)

    monkeypatch.setattr(searchindex.Helper, "send", sending)
    monkeypatch.setattr(StandaloneHTMLBuilder, "write_doc", writing)
    return events


@pytest.mark.sphinx
def test_the_helper_dumps_while_the_last_page_is_written(make_site, monkeypatch):
    """The word to dump follows the last page's words, before that page is written;
    the word to write (the index may replace the old one) follows the last page."""
    site = _built_with_helpers(make_site, monkeypatch)
    events = _record_messages_and_writes(monkeypatch)
    site.write_issue(1, issue_page(1, "2021-01-01", BODY + "\nQuokkas.\n"))
    site.build()
    written = [e[1] for e in events if e[0] == "written"]
    assert written and [e[1] for e in events if e[0] == "page"] == written
    last = events.index(("written", written[-1]))
    assert events[last - 2 :] == [("page", written[-1]), "dump", ("written", written[-1]), "write"]
    assert "quokka" in _index(site)
    assert helpers_gone()


@pytest.mark.sphinx
def test_a_build_that_fails_writing_its_last_page_keeps_the_old_index(make_site, monkeypatch):
    """The helper was told to dump, and wrote the index to Sphinx's temporary file,
    but the build failed before the word to write: the old index stays, the
    temporary file goes."""
    site = _built_with_helpers(make_site, monkeypatch)
    before = _index(site)
    events = _record_messages_and_writes(monkeypatch)
    write_doc, write_documents = StandaloneHTMLBuilder.write_doc, Builder.write_documents
    to_write: list[str] = []
    dumped_before_failing: list[bool] = []

    def noting(self, docnames):
        to_write[:] = sorted(docnames)
        return write_documents(self, docnames)

    def broken_last(self, docname, doctree):
        if docname == to_write[-1]:
            dumped_before_failing.append("dump" in events)
            raise RuntimeError("the last page broke")
        return write_doc(self, docname, doctree)

    monkeypatch.setattr(Builder, "write_documents", noting)
    monkeypatch.setattr(StandaloneHTMLBuilder, "write_doc", broken_last)
    site.write_issue(1, issue_page(1, "2021-01-01", BODY + "\nQuokkas.\n"))
    site.write_issue(2, issue_page(2, "2021-01-08", BODY + "\nWombats.\n"))
    with pytest.raises(Exception, match="the last page broke"):
        site.build()
    assert len(to_write) > 1 and dumped_before_failing == [True]
    assert events.count("dump") == 1 and ("written", to_write[-2]) in events
    assert "write" not in events
    assert helpers_gone()
    assert _index(site) == before
    assert sorted(p.name for p in site.out.glob("searchindex*")) == ["searchindex.js"]


@pytest.mark.sphinx
def test_the_helpers_warnings_reach_the_build(make_site, monkeypatch):
    """Sphinx warns when an index it must load is missing: the helper's warning is
    the build's."""
    site = _built_with_helpers(make_site, monkeypatch)
    (site.out / "searchindex.js").unlink()
    site.write_issue(1, issue_page(1, "2021-01-01", BODY + "\nQuokkas.\n"))
    _, warnings = site.build()
    assert "search index couldn't be loaded" in warnings
    assert "quokka" in _index(site)  # the written page is indexed all the same


@pytest.mark.sphinx
def test_an_error_in_the_helper_fails_the_build_and_keeps_the_old_index(make_site, monkeypatch):
    site = _built_with_helpers(make_site, monkeypatch)
    before = _index(site)

    def broken(self, stream, format):
        raise RuntimeError("the index broke")

    monkeypatch.setattr(IndexBuilder, "dump", broken)
    site.write_issue(1, issue_page(1, "2021-01-01", BODY + "\nMore.\n"))
    with pytest.raises(Exception, match="the index broke"):
        site.build()
    assert _index(site) == before
    assert helpers_gone()  # it reported its error and ends


@pytest.mark.sphinx
def test_a_build_that_fails_while_writing_stops_the_helper(make_site, monkeypatch):
    """The helper is waiting for the pages: it is told they will not come and ends
    without dumping the index."""
    site = _built_with_helpers(make_site, monkeypatch)
    before = _index(site)
    started: list[int] = []
    original_start = multiprocessing.process.BaseProcess.start

    def start(self):
        started.append(1)
        return original_start(self)

    def broken(self, docname, doctree):
        raise RuntimeError("a page broke")

    monkeypatch.setattr(multiprocessing.process.BaseProcess, "start", start)
    monkeypatch.setattr(StandaloneHTMLBuilder, "write_doc", broken)
    site.write_issue(1, issue_page(1, "2021-01-01", BODY + "\nMore.\n"))
    with pytest.raises(Exception, match="a page broke"):
        site.build()
    assert started  # a helper was started ...
    assert multiprocessing.active_children() == []  # ... and is gone
    assert _index(site) == before
    assert sorted(p.name for p in site.out.glob("searchindex*")) == ["searchindex.js"]


@pytest.mark.sphinx
@pytest.mark.parametrize("helper", [False, True], ids=["here", "helper"])
def test_the_index_entries_of_pages_not_written_stay_in_the_index(make_site, monkeypatch, helper):
    """Sphinx loads no index entries from the old index: a build that did not write
    the glossary page dropped its terms.  They are put back, as a full build has them."""
    monkeypatch.setattr(searchindex, "helpers_available", lambda: helper)
    site = make_site({1: issue_page(1, "2021-01-01", BODY), 2: issue_page(2, "2021-01-08", BODY)})
    (site.root / "docs" / "islands.md").write_text(INDEXED, encoding="utf-8")
    site.build()
    full = _index_entries(site)
    assert {"zanzibar", "archipelago", "burnout"} <= set(full)  # the page's, the glossary's

    site.write_issue(1, issue_page(1, "2021-01-01", BODY + "\nQuokkas.\n"))
    site.build()
    assert "quokka" in _index(site)
    assert _index_entries(site) == full

    (site.root / "docs" / "islands.md").unlink()
    site.build()
    after_removal = _index_entries(site)
    assert "zanzibar" not in after_removal and "burnout" in after_removal
    site.build(fresh=True)
    assert _index_entries(site) == after_removal


@pytest.mark.sphinx
def test_a_page_indexed_after_the_pages_are_written_is_in_the_index(
    make_site, tmp_path, monkeypatch
):
    """The helper is told to dump once the pages are written; an extension that indexes
    a page later (here at ``html-collect-pages``) has it indexed as Sphinx would."""
    real = searchindex.on_collect_pages

    def collect_and_index_late(app):
        doctree = app.env.get_doctree("issues/0002")
        app.builder.index_page("issues/0002", doctree, "A late title")
        return real(app)

    site, twin = _sites(make_site, tmp_path)
    _build_both(site, twin, monkeypatch, fresh=True)
    monkeypatch.setattr(searchindex, "on_collect_pages", collect_and_index_late)
    for one in (site, twin):
        one.write_issue(1, issue_page(1, "2021-01-01", BODY + "\nQuokkas.\n"))
    _build_both(site, twin, monkeypatch)
    assert _index(site) == _index(twin) and _inventory(site) == _inventory(twin)
    assert "A late title" in _index(site) and "quokka" in _index(site)
    assert helpers_gone()


PAGES = st.sampled_from([f"issues/{n:04d}" for n in range(8)] + ["docs/a", "docs/b"])
MAPPINGS = st.dictionaries(st.text("abcz", min_size=1, max_size=4), st.sets(PAGES, max_size=6))


@given(words=MAPPINGS, titles=MAPPINGS, numbered=st.sets(PAGES))
def test_quick_get_terms_gives_sphinxs_mappings(words, titles, numbered):
    """Words of one page or many, pages the index numbers or not, none at all."""
    indexer = IndexBuilder.__new__(IndexBuilder)
    indexer._mapping, indexer._title_mapping = words, titles
    fn2index = {page: number for number, page in enumerate(sorted(numbered))}
    expected = IndexBuilder.get_terms(indexer, fn2index)
    found = searchindex.quick_get_terms(indexer)(fn2index)
    assert found == expected
    assert [list(terms) for terms in found] == [list(terms) for terms in expected]  # order


def _indexer(titles: dict[str, str], words: dict[str, set[str]]) -> IndexBuilder:
    """An index holding ``titles``' pages, each word on the pages it names that have one
    (as ``feed`` and ``load`` keep it)."""
    indexer = IndexBuilder.__new__(IndexBuilder)
    indexer._titles = dict(titles)
    indexer._filenames = {page: page + ".md" for page in titles}
    indexer._all_titles = {page: [(title, None)] for page, title in titles.items()}
    indexer._mapping = {word: pages & titles.keys() for word, pages in words.items()}
    indexer._title_mapping = {word: set(pages) for word, pages in indexer._mapping.items()}
    return indexer


def _state(indexer: IndexBuilder) -> tuple:
    return (
        indexer._titles,
        indexer._filenames,
        indexer._all_titles,
        indexer._mapping,
        indexer._title_mapping,
    )


@given(
    titles=st.dictionaries(PAGES, st.text("xy", max_size=3)),
    words=MAPPINGS,
    kept=st.sets(PAGES) | st.dictionaries(PAGES, st.none()),
)
def test_the_quickened_prune_leaves_what_sphinxs_leaves(titles, words, kept):
    """With a set or a dict of pages to keep, every page held kept or some removed."""
    expected, quick = _indexer(titles, words), _indexer(titles, words)
    IndexBuilder.prune(expected, kept)
    searchindex._quicken(quick)
    quick.prune(kept)
    assert _state(quick) == _state(expected)


@given(
    titles=st.dictionaries(PAGES, st.text("xy", max_size=3)),
    words=MAPPINGS,
    kept=st.sets(PAGES),
)
def test_taking_out_the_pages_that_go_leaves_what_sphinxs_prune_leaves(titles, words, kept):
    """Whichever pages go, many or few (the quickened prune takes them out when few)."""
    expected, quick = _indexer(titles, words), _indexer(titles, words)
    IndexBuilder.prune(expected, kept)
    searchindex._take_out(quick, titles.keys() - kept)
    assert _state(quick) == _state(expected)


def test_the_quickened_prune_takes_out_a_few_pages_and_intersects_for_many(monkeypatch):
    pages = [f"issues/{n:04d}" for n in range(16)]
    words = {"a": set(pages), "b": set(pages[:3])}
    taken: list[set[str]] = []
    take_out = searchindex._take_out
    monkeypatch.setattr(
        searchindex,
        "_take_out",
        lambda index, going: (taken.append(set(going)), take_out(index, going)),
    )
    for kept, expected in ((set(pages[1:]), [{pages[0]}]), (set(pages[:2]), [])):
        indexer = _indexer(dict.fromkeys(pages, "t"), words)
        searchindex._quicken(indexer)
        indexer.prune(kept)
        assert taken == expected
        assert set(indexer._titles) == kept and indexer._mapping["a"] == kept
        taken.clear()


@pytest.mark.sphinx
def test_the_index_is_frozen_with_quick_get_terms(make_site, monkeypatch):
    quick = count_calls(monkeypatch, searchindex, "quick_get_terms")
    site = make_site({1: issue_page(1, "2021-01-01", BODY)})
    site.build()
    assert quick and "remot" in _index(site)


@pytest.mark.sphinx
@pytest.mark.parametrize("helper", [False, True], ids=["here", "helper"])
def test_the_inventory_is_written_again_only_when_what_it_lists_changes(
    make_site, tmp_path, monkeypatch, helper
):
    from sphinx.util.inventory import InventoryFile

    monkeypatch.setattr(searchindex, "helpers_available", lambda: helper)
    site = make_site({1: issue_page(1, "2021-01-01", BODY), 2: issue_page(2, "2021-01-08", BODY)})
    inventory = site.out / "objects.inv"

    def rebuilt(body: str, title: str | None = None) -> bytes:
        """Build after editing issue 2; what Sphinx writes as the inventory now."""
        site.write_issue(2, issue_page(2, "2021-01-08", body, title=title))
        app, warnings = site.build()
        assert "WARNING" not in warnings, warnings
        fresh = tmp_path / "fresh.inv"
        InventoryFile.dump(fresh, app.env, app.builder)
        return fresh.read_bytes()

    rebuilt(BODY)
    written = inventory.stat().st_mtime_ns

    assert rebuilt(BODY + "\nMore commentary.\n") == inventory.read_bytes()
    assert inventory.stat().st_mtime_ns == written  # no object changed: left alone

    expected = rebuilt(BODY.replace("Remote one-on-ones", "Distant one-on-ones"))
    assert inventory.read_bytes() == expected
    assert inventory.stat().st_mtime_ns != written  # an entry's title changed

    with inventory.open("ab") as handle:  # changed by someone else: written again
        handle.write(b"junk")
    assert rebuilt(BODY + "\nOther commentary.\n") == inventory.read_bytes()

    inventory.unlink()
    assert rebuilt(BODY + "\nYet more commentary.\n") == inventory.read_bytes()

    written = inventory.stat().st_mtime_ns
    assert rebuilt(BODY, title="A title of its own") == inventory.read_bytes()
    assert inventory.stat().st_mtime_ns != written  # the page's title is an object's


@pytest.mark.sphinx
def test_a_helper_that_failed_before_the_pages_came_reports_its_error(make_site, monkeypatch):
    """Pages are sent as they are fed: one sent after the helper failed (and closed
    its end of the pipe) must not fail the build with a broken pipe instead."""
    import time

    site = _built_with_helpers(make_site, monkeypatch)
    before = _index(site)

    def broken(self, stream, format):
        raise RuntimeError("the old index broke")

    original = searchindex._Index._page_fed

    def late(self, page):
        time.sleep(1)  # the helper has failed and ended by now
        return original(self, page)

    monkeypatch.setattr(IndexBuilder, "load", broken)
    monkeypatch.setattr(searchindex._Index, "_page_fed", late)
    site.write_issue(1, issue_page(1, "2021-01-01", BODY + "\nMore.\n"))
    with pytest.raises(Exception, match="the old index broke"):
        site.build()
    assert _index(site) == before
    assert helpers_gone()
