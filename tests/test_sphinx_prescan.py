"""The pre-scan's results are reused by the read phase: each issue page is parsed once."""

from __future__ import annotations

import gc
import os

import pytest

import roundup_kb.sphinxext.gctune as gctune
import roundup_kb.sphinxext.issues as issues_module
import roundup_kb.sphinxext.prescan as prescan_module
from conftest import issue_page
from item_helpers import count_calls

pytestmark = pytest.mark.sphinx

BODY = """
## Managing Teams

[One-on-ones](https://example.org/one) - Ann Author, Venue

Why.
"""


def test_each_page_is_checked_once_per_build(make_site, monkeypatch):
    site = make_site({n: issue_page(n, f"2021-0{n}-01", BODY) for n in (1, 2, 3)})
    calls: list[str] = []

    def counting(original):
        def check(text, path, *args, **kwargs):
            calls.append(path.rsplit("/", 1)[-1])
            return original(text, path, *args, **kwargs)

        return check

    monkeypatch.setattr(prescan_module, "check_page", counting(prescan_module.check_page))
    monkeypatch.setattr(issues_module, "check_page", counting(issues_module.check_page))
    site.build()
    assert sorted(calls) == ["0001.md", "0002.md", "0003.md"]
    # an incremental build re-checks only the edited page
    calls.clear()
    site.write_issue(2, issue_page(2, "2021-02-01", BODY.replace("Why.", "Why not.")))
    site.build()
    assert calls == ["0002.md"]
    assert "Why not." in site.html("issues/0002.html")


def test_a_parallel_build_checks_pages_in_forked_processes_with_the_same_results(
    make_site, monkeypatch, tmp_path
):
    """``-j 2`` splits the pre-scan between processes; what comes back is what one makes."""
    pages = {
        n: issue_page(n, f"2021-{n:02d}-01", BODY.replace("Why.", f"Why {n}.")) for n in range(1, 7)
    }
    pages[6] = pages[6] + "\n## No Such Topic\n\nText.\n"  # a problem travels too
    site = make_site(pages)
    monkeypatch.setattr(prescan_module, "_MIN_PER_PROCESS", 1)
    log = tmp_path / "pids"
    original = prescan_module._check_one

    def recording(*args):
        with log.open("a") as handle:  # the checkers may be other processes
            handle.write(f"{os.getpid()}\n")
        return original(*args)

    def pids() -> set[int]:
        found = {int(line) for line in log.read_text().split()}
        log.unlink()
        return found

    monkeypatch.setattr(prescan_module, "_check_one", recording)
    app, _ = site.build(parallel=2, fresh=True)
    forked = app._roundup_scan
    forked_html = site.html("issues/0003.html")
    checkers = pids()
    assert len(checkers) == 2 and os.getpid() not in checkers
    (site.doctrees / prescan_module.CACHE_NAME).unlink()  # check everything again
    monkeypatch.setattr(prescan_module, "helpers_available", lambda: False)  # one CPU
    app, _ = site.build(fresh=True)
    serial = app._roundup_scan
    assert pids() == {os.getpid()}
    assert forked.pages == serial.pages
    assert any(c.problems for _, c in serial.pages.values())
    assert set(forked.skeletons) == set(serial.pages)  # the forked readers took copies
    assert serial.skeletons == {}  # the serial reader took every skeleton
    assert "Why 3." in forked_html
    assert site.html("issues/0003.html") == forked_html
    # a serial build with a second CPU free checks in two processes as well
    (site.doctrees / prescan_module.CACHE_NAME).unlink()
    monkeypatch.setattr(prescan_module, "helpers_available", lambda: True)
    app, _ = site.build(fresh=True)
    checkers = pids()
    assert len(checkers) == 2 and os.getpid() not in checkers
    assert app._roundup_scan.pages == serial.pages and app._roundup_scan.skeletons == {}
    assert site.html("issues/0003.html") == forked_html


def test_the_collector_is_tuned_for_the_build_and_restored_after(make_site, monkeypatch):
    import gc

    from sphinx.application import Sphinx

    site = make_site({1: issue_page(1, "2021-01-01", BODY)})
    before = gc.get_threshold()
    seen: list[tuple] = []
    original = Sphinx.__init__
    # whether something is frozen, followed as gc.freeze and gc.unfreeze are called:
    # gc.get_freeze_count() walks every frozen object, and at each page of a build in
    # a test process that has built many sites that took minutes in CI
    frozen = [gc.get_freeze_count() > 0]
    freeze, unfreeze = gc.freeze, gc.unfreeze

    def freezing() -> None:
        frozen[0] = True
        freeze()

    def unfreezing() -> None:
        frozen[0] = False
        unfreeze()

    monkeypatch.setattr(gc, "freeze", freezing)
    monkeypatch.setattr(gc, "unfreeze", unfreezing)

    def init(self, *args, **kwargs):
        original(self, *args, **kwargs)
        self.connect(
            "doctree-read",
            lambda app, doctree: seen.append((gc.get_threshold(), frozen[0])),
        )

    monkeypatch.setattr(Sphinx, "__init__", init)
    site.build()
    assert seen and all(s == (gctune.THRESHOLDS, True) for s in seen)
    assert gc.get_threshold() == before and gc.get_freeze_count() == 0
    seen.clear()
    site.build(fresh=True, confoverrides={"roundup_tune_gc": False})
    # Python's thresholds; what the extensions made is frozen by conf.py (below)
    assert seen and all(s == (before, True) for s in seen)
    assert gc.get_threshold() == before and gc.get_freeze_count() == 0


def test_what_reading_makes_is_frozen_in_batches_and_before_writing(make_site, monkeypatch):
    """A full build's doctrees and environment data leave the collector's sight every
    READ_BATCH pages read and once reading is done; the building process only.

    The freezes are counted as they are called: ``gc.get_freeze_count()`` walks every
    frozen object, and in a test process that has built many sites that is millions
    at each page."""
    import gc
    import weakref
    from types import SimpleNamespace

    from sphinx.application import Sphinx

    monkeypatch.setattr(gctune, "READ_BATCH", 2)
    freezes = [0]
    freeze = gc.freeze

    def counted() -> None:
        freezes[0] += 1
        freeze()

    monkeypatch.setattr(gc, "freeze", counted)
    site = make_site({n: issue_page(n, f"2021-01-{n:02d}", BODY) for n in range(1, 6)})
    read: list[int] = []
    written: list[int] = []
    doctrees: list[weakref.ref] = []
    original = Sphinx.__init__

    def init(self, *args, **kwargs):
        original(self, *args, **kwargs)
        # after gctune's own handlers (priority 900)
        self.connect("doctree-read", lambda app, doctree: read.append(freezes[0]), 950)
        self.connect("doctree-read", lambda app, doctree: doctrees.append(weakref.ref(doctree)))
        self.connect("env-updated", lambda app, env: written.append(freezes[0]), 950)

    monkeypatch.setattr(Sphinx, "__init__", init)
    site.build(fresh=True)
    assert len(read) >= 5 and written
    # frozen again after the 2nd and 4th pages read (and every 2nd after), not between
    grew = [i + 1 for i in range(1, len(read)) if read[i] > read[i - 1]]
    assert grew == [n for n in range(2, len(read) + 1) if n % 2 == 0]
    assert written[0] == read[-1] + 1  # and once every page is read
    assert gc.get_freeze_count() == 0  # all of it given back once the build finished
    # and, this process going on, the written pages' doctrees freed then, not left
    # for a full pass that the unfrozen objects do not bring on
    # (86 doctrees read, 4 still referenced after the build; all 86 without that pass)
    alive = [ref for ref in doctrees if ref() is not None]
    assert len(doctrees) > 20 and len(alive) <= 8, (len(alive), len(doctrees))

    # an edit reads a page: nothing more is frozen once it is read
    read.clear()
    written.clear()
    site.write_issue(3, issue_page(3, "2021-01-03", BODY + "\nEdited.\n"))
    site.build()
    assert len(read) == 1 and written == read

    read.clear()
    site.build(fresh=True, confoverrides={"roundup_tune_gc": False})
    assert len(read) >= 5 and len(set(read)) == 1  # conf.py's freeze only, before reading

    # a process forked to read or write (another pid) freezes nothing
    before = freezes[0]
    gctune._freeze_made(SimpleNamespace(_roundup_gc=(700, 10, 10), _roundup_gc_pid=-1))
    assert freezes[0] == before


def test_conf_py_keeps_the_collector_off_while_extensions_load(make_site, monkeypatch):
    """About a thousand modules are imported before any extension can act: the
    project's conf.py keeps the collector off until they are loaded, then freezes
    what they made and turns it on; the heap is given back when the build ends."""
    import gc

    from sphinx.application import Sphinx

    site = make_site({1: issue_page(1, "2021-01-01", BODY)})
    loading: list[tuple[str, bool]] = []
    original = Sphinx.setup_extension

    def setup_extension(self, extname):
        loading.append((extname, gc.isenabled()))
        return original(self, extname)

    built: list[tuple[bool, bool]] = []
    init = Sphinx.__init__

    def after_init(self, *args, **kwargs):
        init(self, *args, **kwargs)
        built.append((gc.isenabled(), gc.get_freeze_count() > 0))

    monkeypatch.setattr(Sphinx, "setup_extension", setup_extension)
    monkeypatch.setattr(Sphinx, "__init__", after_init)
    assert gc.isenabled()
    site.build()
    # Sphinx's built-in extensions and the project's, off; the theme's is set up
    # when the builder is made, after conf.py's setup (roundup-kb imported it, off)
    assert len(loading) > 50
    assert [name for name, on in loading if on] == ["pydata_sphinx_theme"]
    assert built == [(True, True)]
    assert gc.isenabled() and gc.get_freeze_count() == 0


def test_the_pickled_environment_is_loaded_with_the_collector_tuned(make_site, monkeypatch):
    """Unpickling a large environment makes millions of objects: the collector is
    tuned from ``config-inited`` on, before Sphinx loads it."""
    import gc

    from sphinx.application import Sphinx

    site = make_site({1: issue_page(1, "2021-01-01", BODY)})
    site.build()
    before = gc.get_threshold()
    seen: list[tuple] = []
    original = Sphinx._load_existing_env

    def load(self, filename):
        seen.append((gc.get_threshold(), gc.get_freeze_count() > 0))
        return original(self, filename)

    monkeypatch.setattr(Sphinx, "_load_existing_env", load)
    site.build()
    assert seen == [(gctune.THRESHOLDS, True)]
    assert gc.get_threshold() == before and gc.get_freeze_count() == 0


def test_the_search_index_is_pruned_with_a_set_and_only_when_a_page_goes(make_site, monkeypatch):
    """Sphinx prunes its search index with ``env.all_docs`` (a dict): once per word,
    ``intersection_update`` made a set of every page again.  The builder's indexer
    is given a set; when every page it holds stays (an edit) that prune, which
    would remove nothing, is not run; and when a few pages go, they are taken out
    of each word (``_take_out``) rather than every word intersected with the rest."""
    import json

    from sphinx.search import IndexBuilder

    from roundup_kb.sphinxext import searchindex

    # prunes counted in this process: no helper process (test_searchindex_helper has those)
    monkeypatch.setattr(searchindex, "helpers_available", lambda: False)
    received: list[tuple[object, frozenset[str]]] = []
    original, take_out = IndexBuilder.prune, searchindex._take_out

    def prune(self, docnames):
        received.append((type(docnames), frozenset(self._titles)))
        return original(self, docnames)

    def taking_out(indexer, going):
        received.append(("taken out", frozenset(going)))
        return take_out(indexer, going)

    monkeypatch.setattr(IndexBuilder, "prune", prune)
    monkeypatch.setattr(searchindex, "_take_out", taking_out)
    pages = {n: issue_page(n, f"2021-01-0{n}", BODY) for n in (1, 2, 3)}
    site = make_site(pages)
    site.build()
    received.clear()

    site.write_issue(1, issue_page(1, "2021-01-01", BODY + "\nWombats.\n"))
    site.build()
    # the old index loaded, the edited page's words taken out; the dump's prune skipped
    assert received == [("taken out", frozenset({"issues/0001"}))]

    received.clear()
    (site.root / "issues" / "0003.md").unlink()
    site.build()
    # many pages are written again (the lists that showed the page): Sphinx's prune, a set
    assert received and all(kind in (set, "taken out") for kind, _ in received)
    text = (site.out / "searchindex.js").read_text(encoding="utf-8")
    index = json.loads(text[text.index("(") + 1 : text.rindex(")")])
    assert {"issues/0001", "issues/0002"} <= set(index["docnames"])
    assert "issues/0003" not in index["docnames"] and "wombat" in index["terms"]


def test_a_build_that_writes_nothing_keeps_the_search_index_and_inventory(make_site, monkeypatch):
    import os

    from sphinx.search import IndexBuilder

    from roundup_kb.sphinxext import searchindex

    loads = count_calls(monkeypatch, IndexBuilder, "load")
    # loads counted in this process: no helper process (test_searchindex_helper has those)
    monkeypatch.setattr(searchindex, "helpers_available", lambda: False)
    site = make_site({1: issue_page(1, "2021-01-01", BODY), 2: issue_page(2, "2021-01-08", BODY)})
    site.build()
    index = site.out / "searchindex.js"
    text, stamp = index.read_text(encoding="utf-8"), index.stat().st_mtime_ns
    inventory = site.out / "objects.inv"
    inventory_bytes, inventory_stamp = inventory.read_bytes(), inventory.stat().st_mtime_ns

    loads.clear()
    site.build()  # nothing read, nothing written
    assert loads == [] and index.stat().st_mtime_ns == stamp
    assert index.read_text(encoding="utf-8") == text
    assert inventory.stat().st_mtime_ns == inventory_stamp  # kept as well
    inventory.unlink()
    site.build()  # a missing inventory is written
    assert inventory.read_bytes() == inventory_bytes

    # an environment saved after the index was (a build stopped before its dump):
    # the index is loaded and dumped as Sphinx would
    environment = site.doctrees / "environment.pickle"
    os.utime(environment, ns=(stamp + 10**9, stamp + 10**9))
    site.build()
    assert loads == [1] and index.stat().st_mtime_ns != stamp

    # an edit is indexed: the index is loaded, the page fed again, the index dumped
    loads.clear()
    site.write_issue(2, issue_page(2, "2021-01-08", BODY + "\nZanzibarite words.\n"))
    inventory_stamp = inventory.stat().st_mtime_ns
    site.build()
    assert loads == [1]
    assert "zanzibarit" in index.read_text(encoding="utf-8")
    # the edit changed words, not objects: the inventory is left alone
    # (tests/test_searchindex_helper.py: written again when an object changes)
    assert inventory.stat().st_mtime_ns == inventory_stamp
    assert inventory.read_bytes() == inventory_bytes


@pytest.fixture
def compiled(monkeypatch) -> list[str | None]:
    """The name of each template Jinja compiles (None: one made from a string)."""
    from jinja2 import Environment

    names: list[str | None] = []
    original = Environment.compile

    def compile(self, source, name=None, filename=None, raw=False, defer_init=False):
        names.append(name)
        return original(self, source, name, filename, raw, defer_init)

    monkeypatch.setattr(Environment, "compile", compile)
    return names


def test_compiled_templates_are_kept_between_builds_and_follow_template_edits(make_site, compiled):
    site = make_site({1: issue_page(1, "2021-01-01", BODY)})
    (site.root / "_templates").mkdir()
    layout = site.root / "_templates" / "layout.html"
    layout.write_text(
        '{% extends "!layout.html" %}{% block footer %}MARK-ONE{{ super() }}{% endblock %}'
    )
    overrides = {"templates_path": ["_templates"]}
    site.build(confoverrides=overrides)
    assert "layout.html" in compiled and "MARK-ONE" in site.html("issues/0001.html")
    assert any((site.doctrees / "jinja-bytecode").iterdir())

    compiled.clear()
    site.build(confoverrides=overrides)  # writes the index pages: every file template cached
    assert compiled == []  # the static files' templates (rendered from strings) too

    layout.write_text(layout.read_text().replace("MARK-ONE", "MARK-TWO"))
    site.build(confoverrides=overrides)
    assert [name for name in compiled if name] == ["layout.html"]  # the edited one only
    assert "MARK-TWO" in site.html("issues/0001.html")


def test_static_templates_rendered_from_kept_code_follow_their_edits(make_site, compiled):
    """A project's own ``*_t`` static file is rendered with the build's context, again
    after an edit, from compiled code kept between builds."""
    site = make_site({1: issue_page(1, "2021-01-01", BODY)})
    (site.root / "_static").mkdir()
    template = site.root / "_static" / "mark.css_t"
    template.write_text("/* {{ project }} MARK-ONE */\n", encoding="utf-8")
    overrides = {"html_static_path": ["_static"]}
    site.build(confoverrides=overrides)
    rendered = site.out / "_static" / "mark.css"
    assert rendered.read_text() == "/* Research Computing Teams Knowledge Base MARK-ONE */"

    compiled.clear()
    site.build(confoverrides=overrides)
    assert compiled == [] and "MARK-ONE" in rendered.read_text()

    template.write_text("/* {{ project }} MARK-TWO */\n", encoding="utf-8")
    site.build(confoverrides=overrides)
    assert compiled == [None]  # the edited text only, compiled as from_string does
    assert rendered.read_text() == "/* Research Computing Teams Knowledge Base MARK-TWO */"


def test_the_heap_is_frozen_again_when_a_building_interpreter_exits(make_site):
    """The interpreter's last collections skip what the build left (seconds at scale);
    the build itself hands back an unfrozen heap (previous test)."""
    import subprocess
    import sys
    import textwrap

    site = make_site({1: issue_page(1, "2021-01-01", BODY)})
    code = textwrap.dedent(
        f"""
        import atexit, gc, sys
        # registered first, so it runs after the hooks the build registers
        atexit.register(lambda: print("frozen at exit:", gc.get_freeze_count() > 0))
        from sphinx.cmd.build import main
        status = main(["-q", "-b", "html", {str(site.root)!r}, {str(site.out)!r}])
        print("frozen after the build:", gc.get_freeze_count() > 0)
        sys.exit(status)
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=300, cwd=site.root
    )
    assert done.returncode == 0, done.stderr
    assert "frozen after the build: False" in done.stdout
    assert "frozen at exit: True" in done.stdout


def test_an_incremental_build_unpickles_only_the_checks_it_needs(make_site):
    """At 2,000 issues, unpickling every page's check on each build cost seconds."""
    site = make_site({n: issue_page(n, f"2021-0{n}-01", BODY) for n in (1, 2, 3)})
    site.build()
    site.write_issue(2, issue_page(2, "2021-02-01", BODY.replace("Why.", "Why not.")))
    app, _ = site.build()
    pages = app._roundup_scan.pages
    stored = {doc for doc, (_, check) in pages._stored.items() if isinstance(check, tuple)}
    assert stored == {"issues/0001", "issues/0003"}  # where it is, still in the store
    assert "Why not." in site.html("issues/0002.html")
    # asked for, a check is read and unpickled, and equals what checking the page gives
    digest, check = pages["issues/0001"]
    assert check.issue is not None and check.issue.meta.number == 1
    assert not isinstance(pages._stored["issues/0001"][1], tuple)
    app, _ = site.build(fresh=True)
    assert app._roundup_scan.pages["issues/0001"] == (digest, check)


def test_checks_are_added_to_the_store_and_it_is_rewritten_when_mostly_unused(
    make_site, monkeypatch
):
    """An edit adds one pickled check at the end of the store, instead of writing every
    page's again (46 MB at 2,000 issues); a store more than half unused is rewritten."""
    from roundup_kb.files import BlobStore

    site = make_site({n: issue_page(n, f"2021-0{n}-01", BODY) for n in (1, 2, 3, 4)})
    site.build()
    store = BlobStore(site.doctrees / prescan_module.BLOBS_NAME)
    token, size = store.token(), store.size()
    checked: list[str] = []
    original = prescan_module._check_one

    def recording(job, docname, *args):
        checked.append(docname)
        return original(job, docname, *args)

    monkeypatch.setattr(prescan_module, "_check_one", recording)
    tokens = []
    for n in range(1, 6):
        site.write_issue(2, issue_page(2, "2021-02-01", BODY.replace("Why.", f"Why {n}.")))
        app, _ = site.build()
        assert checked == ["issues/0002"]  # the others' checks were kept
        checked.clear()
        tokens.append(store.token())
        assert f"Why {n}." in site.html("issues/0002.html")
        assert app._roundup_scan.pages["issues/0001"][1].issue.meta.number == 1
    assert tokens[0] == token and store.size() > size  # added at the end
    assert tokens[-1] != token  # more than half unused: rewritten under a new token
    assert store.size() < size * 2
    # an index that points into another store is not used: every page is checked again
    store.rewrite([b"x"])
    site.build()
    assert sorted(checked) == [f"issues/000{n}" for n in (1, 2, 3, 4)]


def test_the_collector_is_paused_while_the_search_index_is_loaded_fed_and_dumped(
    make_site, monkeypatch
):
    """Those make tens of thousands of containers and no cycle: a collection among
    them walked them all for nothing (0.06 s of adding an issue to the corpus)."""
    from sphinx.search import IndexBuilder

    from roundup_kb.sphinxext import searchindex
    from roundup_kb.sphinxext.searchindex import collector_paused

    seen: dict[str, list[bool]] = {"load": [], "feed": [], "dump": []}
    for name, method in (("load", "load"), ("feed", "feed"), ("dump", "dump")):
        original = getattr(IndexBuilder, method)

        def spy(self, *args, _name=name, _original=original, **kwargs):
            seen[_name].append(gc.isenabled())
            return _original(self, *args, **kwargs)

        monkeypatch.setattr(IndexBuilder, method, spy)
    # seen in this process: no helper process (test_searchindex_helper has those)
    monkeypatch.setattr(searchindex, "helpers_available", lambda: False)
    site = make_site({1: issue_page(1, "2021-01-01", BODY)})
    site.build()
    site.write_issue(1, issue_page(1, "2021-01-01", BODY + "\nOne more line.\n"))
    site.build()
    assert seen["load"] == [False] and seen["dump"] == [False, False]
    assert seen["feed"] and not any(seen["feed"])
    assert gc.isenabled()

    with collector_paused():
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.disable()
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()  # off before: left off
    finally:
        gc.enable()


@pytest.mark.parametrize("under", ["issues", "content/issues", "."])
def test_the_issue_files_are_listed_as_issue_paths_lists_them(tmp_path, under):
    from roundup_kb.pages import issue_paths

    srcdir = tmp_path
    issues_dir = (srcdir / under).resolve()
    issues_dir.mkdir(parents=True, exist_ok=True)
    for name in ("0010.md", "0002.md", "10000.md", "notes.md", "0003.txt", "12.md"):
        (issues_dir / name).write_text(name, encoding="utf-8")
    os.utime(issues_dir / "0002.md", ns=(1_000_000_000, 2_000_000_000))
    listed = prescan_module._issue_files(issues_dir, srcdir.resolve())
    expected = [
        (
            p.relative_to(srcdir.resolve()).with_suffix("").as_posix(),
            p.name,
            (p.stat().st_mtime_ns, p.stat().st_size),
        )
        for p in issue_paths(issues_dir)
    ]
    assert listed == expected
    assert [name for _, name, _ in listed] == ["0002.md", "0010.md", "10000.md"]
    assert listed[0][2] == (2_000_000_000, len("0002.md"))
