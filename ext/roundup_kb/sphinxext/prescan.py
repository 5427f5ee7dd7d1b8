"""Every issue page checked once, before Sphinx reads anything.

Some output must exist before the read phase: the BibTeX database that
sphinxcontrib-bibtex loads at ``builder-inited`` holds every entry.  So at
``builder-inited`` each issue page is checked with the core
(:func:`roundup_kb.validate.check_page`); results are cached in the doctree
directory by file size and modification time, so an incremental build re-checks
only the pages that changed.  Each page's result is kept pickled on its own
(:class:`Checks`) and unpickled only when asked for: an incremental build of a
large site looks at a few pages, and unpickling and pickling every page's result
again cost seconds at 2,000 issues.  The read phase then takes a page's result from
here instead of parsing it again, so the scan costs nothing extra.
"""

from __future__ import annotations

import contextlib
import hashlib
import multiprocessing
import os
import pickle
import threading
from collections.abc import Iterator, Mapping, Set
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from weakref import WeakKeyDictionary

from docutils.utils import normalize_language_tag
from docutils.utils.smartquotes import smartchars
from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx.util import logging
from sphinx.util.parallel import parallel_available

from roundup_kb.catalogue import Catalogue
from roundup_kb.files import BlobStore, Place, load_cache, save_cache
from roundup_kb.pages import PAGE_NAME
from roundup_kb.prerender import TYPOGRAPHER_RULES, Smartquotes, compact, fast_front_matter
from roundup_kb.sphinxext.processes import helpers_available
from roundup_kb.sphinxext.registries import registries, registry_paths
from roundup_kb.validate import PageCheck, check_page

logger = logging.getLogger(__name__)

CACHE_NAME = "roundup-prescan.pickle"
#: the pickled checks the cache's index points into (see BlobStore)
BLOBS_NAME = "roundup-prescan.blobs"
#: bump when PageCheck or the parser's output changes shape
CACHE_VERSION = 9


class Checks(Mapping[str, tuple[str, PageCheck]]):
    """docname -> (sha1 of the page's text, its check); checks stay pickled until read.

    What citations need to find their pages -- each page's issue number and entry
    ids -- is kept unpickled beside them (:meth:`citing`).
    """

    def __init__(
        self,
        stored: dict[str, tuple[str, bytes | Place | PageCheck]],
        refs: dict[str, tuple[int | None, frozenset[str]]] | None = None,
        store: BlobStore | None = None,
    ) -> None:
        self._stored = stored
        self._refs = refs or {}
        self._store = store

    def __getitem__(self, docname: str) -> tuple[str, PageCheck]:
        digest, check = self._stored[docname]
        if isinstance(check, Place):
            assert self._store is not None
            check = self._store.read(check)
        if isinstance(check, bytes):
            check = pickle.loads(check)
            self._stored[docname] = (digest, check)
        return digest, check

    def __iter__(self) -> Iterator[str]:
        return iter(self._stored)

    def __len__(self) -> int:
        return len(self._stored)

    def digests(self) -> dict[str, str]:
        """docname -> sha1 of the text, without unpickling any check."""
        return {docname: digest for docname, (digest, _) in self._stored.items()}

    def citing(self, entry_ids: Set[str], issues: Set[int]) -> list[str]:
        """The pages that hold one of ``entry_ids`` or are one of the ``issues``, sorted."""
        return sorted(
            doc
            for doc, (number, ids) in self._refs.items()
            if number in issues or not ids.isdisjoint(entry_ids)
        )

    def numbers(self) -> set[int]:
        """The issue number of every page that has one."""
        return {number for number, _ in self._refs.values() if number is not None}


def _refs(check: PageCheck) -> tuple[int | None, frozenset[str]]:
    issue = check.issue
    if issue is None:
        return None, frozenset()
    return issue.meta.number, frozenset(entry.id for entry in issue.entries)


@dataclass
class Scan:
    """The checked issue pages of one build, by docname."""

    pages: Checks
    _catalogue: Catalogue | None = None
    #: docname -> (sha1 of the text, front-matter YAML, first body line, packed skeleton
    #: or why MyST must parse the page) of the pages checked in this process, for
    #: :mod:`~roundup_kb.sphinxext.fastpath`
    skeletons: dict[str, tuple[str, str, int, bytes | str]] = field(default_factory=dict)

    def result_for(self, docname: str, text: str) -> PageCheck | None:
        """The cached result for ``docname`` if it was computed from exactly ``text``."""
        found = self.pages.get(docname)
        if found is None or found[0] != _digest(text):
            return None
        return found[1]

    settings: tuple = ()
    #: :func:`prerender_options` of this build, worked out once
    prerender: dict[str, Any] | None = None

    def skeleton_for(self, docname: str, text: str) -> tuple[str, int, bytes | str] | None:
        """(front-matter YAML, first body line, skeleton) of ``docname``, if made from
        ``text``; in place of the skeleton, the reason MyST must parse the page."""
        found = self.skeletons.pop(docname, None)
        if found is None or found[0] != _digest(text):
            return None
        return found[1:]

    def key(self) -> str:
        """A digest of every page's text and the settings the results depend on."""
        pages = sorted(self.pages.digests().items())
        return hashlib.sha1(repr((self.settings, pages)).encode("utf-8")).hexdigest()

    def catalogue(self, app: Sphinx) -> Catalogue:
        if self._catalogue is None:
            topics, names = registries(app.env)
            issues = [
                c.issue for _, c in sorted(self.pages.values(), key=lambda v: v[0]) if c.issue
            ]
            self._catalogue = Catalogue.build(issues, topics, names)
        return self._catalogue


def _store_checks(store: BlobStore, token: bytes | None, fresh: dict[str, tuple]) -> bytes:
    """Put the checks of ``fresh`` not in ``store`` yet into it (:meth:`BlobStore.keep`),
    replace each pickle in ``fresh`` by its place, and return the store's token."""
    kept = {doc: blob for doc, (*_, blob) in fresh.items() if isinstance(blob, Place)}
    added = {doc: blob for doc, (*_, blob) in fresh.items() if isinstance(blob, bytes)}
    token, places = store.keep(token, kept, added)
    for doc, place in places.items():
        fresh[doc] = (*fresh[doc][:3], place)
    return token


def _digest(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def _stamp(path: Path | os.DirEntry) -> tuple[int, int]:
    stat = path.stat()
    return stat.st_mtime_ns, stat.st_size


def _issue_files(issues_dir: Path, srcdir: Path) -> list[tuple[str, str, tuple[int, int]]]:
    """(docname, file name, stamp) of each issue page, in the order of
    :func:`~roundup_kb.pages.issue_paths`: from ``os.scandir``, whose entries carry
    their names, where a path object per page and its conversions took 42 to 49 ms
    of every build of 2,000 issues (12 to 14 ms this way)."""
    base = issues_dir.relative_to(srcdir).as_posix()
    prefix = "" if base == "." else f"{base}/"
    with os.scandir(issues_dir) as found:
        pages = sorted((e for e in found if PAGE_NAME.match(e.name)), key=lambda e: e.name)
    return [(prefix + entry.name[: -len(".md")], entry.name, _stamp(entry)) for entry in pages]


def scan(app: Sphinx) -> Scan:
    """Check every issue page, reusing cached results for unchanged files."""
    srcdir = Path(app.srcdir)
    issues_dir = srcdir / app.config.roundup_issues_dir
    cache_path = Path(app.doctreedir) / CACHE_NAME
    settings = (
        CACHE_VERSION,
        app.config.roundup_safe_mode,
        tuple(_stamp(p) if p.exists() else None for p in registry_paths(app.env)),
    )
    # docname -> (file stamp, sha1 of the text, (issue number, entry ids), where its
    # pickled check is in the blob store, or the pickle while not stored yet)
    cached: dict[str, tuple[tuple[int, int], str, tuple, Place | bytes]]
    store = BlobStore(Path(app.doctreedir) / BLOBS_NAME)
    loaded = load_cache(cache_path, settings)
    token = store.token()
    cached = loaded[1] if loaded is not None and token is not None and loaded[0] == token else {}
    topics, names = registries(app.env)
    fresh: dict[str, tuple[tuple[int, int], str, tuple, Place | bytes]] = {}
    todo: list[tuple[str, Path, tuple[int, int]]] = []
    for docname, name, stamp in _issue_files(issues_dir, srcdir) if issues_dir.is_dir() else []:
        if docname in cached and cached[docname][0] == stamp:
            fresh[docname] = cached[docname]
        else:
            fresh[docname] = None  # type: ignore[assignment] - filled below, in path order
            todo.append((docname, issues_dir / name, stamp))
    options = prerender_options(app.env)
    blocker = myst_blocker(app.config)
    if app.config.roundup_fast_pages and blocker is not None:
        logger.info("[roundup] issue pages are parsed by MyST, not pre-rendered: %s", blocker)
    job = _Job(topics, names, app.config.roundup_safe_mode, options)
    checks: dict[str, PageCheck] = {}
    skeletons: dict[str, tuple[str, str, int, bytes | str]] = {}
    for docname, stamp, digest, checked, skeleton in _check_all(job, todo, _processes(app)):
        blob = pickle.dumps(checked, pickle.HIGHEST_PROTOCOL)
        fresh[docname] = (stamp, digest, _refs(checked), blob)
        checks[docname] = checked
        if skeleton is not None:
            skeletons[docname] = skeleton
    if todo or fresh.keys() != cached.keys():  # something was checked or removed
        token = _store_checks(store, token, fresh)
        save_cache(cache_path, settings, (token, fresh))
    pages = Checks(
        {doc: (digest, checks.get(doc, kept)) for doc, (_, digest, _, kept) in fresh.items()},
        {doc: refs for doc, (_, _, refs, _) in fresh.items()},
        store,
    )
    return Scan(pages, settings=settings, skeletons=skeletons, prerender=options)


#: MyST extensions whose syntax sends a page to MyST (``colon_fence``, ``deflist``)
#: or that the pre-render reproduces (the typographer's); with any other enabled,
#: MyST parses every page
FAST_PATH_MYST_EXTENSIONS = frozenset({"colon_fence", "deflist", *TYPOGRAPHER_RULES})


def prerender_options(env: BuildEnvironment) -> dict[str, Any] | None:
    """The keyword arguments of :func:`~roundup_kb.prerender.skeleton` for this
    build's issue pages, or ``None`` when MyST parses them whole.

    Pre-rendered blocks are ``raw`` HTML, which only HTML builders show (and the
    link checker reads, :class:`~roundup_kb.sphinxext.fastpath.RawHtmlLinks`): a
    ``text``, ``latex`` or ``man`` build would lose the commentary.
    """
    config = env.config
    builder = env._builder_cls
    if not config.roundup_fast_pages or myst_blocker(config) is not None:
        return None
    if builder.format != "html" and builder.name != "linkcheck":
        return None
    extensions = set(config.myst_enable_extensions)
    typographer = tuple(rule for rule in TYPOGRAPHER_RULES if rule in extensions)
    return {"smart": smartquotes_of(env), "typographer": typographer}


def myst_blocker(config: Any) -> str | None:
    """Why the site's MyST settings keep issue pages from the pre-render, or ``None``."""
    if config.myst_commonmark_only or config.myst_gfm_only:
        return "myst_commonmark_only or myst_gfm_only is set"
    if config.myst_disable_syntax:
        return "myst_disable_syntax is set"
    if config.myst_links_external_new_tab:
        return "myst_links_external_new_tab is set"
    other = sorted(set(config.myst_enable_extensions) - FAST_PATH_MYST_EXTENSIONS)
    if other:
        return f"myst_enable_extensions has {', '.join(other)}"
    return None


def smartquotes_of(env: BuildEnvironment) -> Smartquotes | None:
    """What Sphinx's ``smartquotes`` transform does to this build's pages, or ``None``.

    The same decision as :meth:`sphinx.transforms.SphinxSmartQuotes.is_available`,
    with the language tag docutils would pick, so that pre-rendered text gets
    the quote characters of the site's ``language`` and its ``smartquotes_action``.
    """
    config = env.config
    excludes = config.smartquotes_excludes
    if (
        not config.smartquotes
        or env._builder_cls.name in excludes.get("builders", ())
        or config.language in excludes.get("languages", ())
    ):
        return None
    for tag in normalize_language_tag(env.settings["language_code"]):
        if tag in smartchars.quotes:
            return Smartquotes(config.smartquotes_action, tag)
    return None


@dataclass(frozen=True)
class _Job:
    """What checking a page needs besides the page."""

    topics: Any
    names: Any
    safe_mode: bool
    #: :func:`prerender_options`
    prerender: dict[str, Any] | None


#: below this many pages per process, forking costs more than it saves
_MIN_PER_PROCESS = 16
#: the job of the forked checkers (inherited through fork, never pickled)
_FORKED_JOB: _Job | None = None
#: what the forked processes wait on until each holds its chunk
_FORKED_START: Any = None
#: seconds a forked process waits for the others before it goes on alone
_START_TIMEOUT = 30.0


def _check_one(job: _Job, docname: str, path: Path, stamp: tuple[int, int]) -> tuple:
    """(docname, stamp, digest, check, skeleton or None) of one page."""
    text = path.read_text(encoding="utf-8")
    digest = _digest(text)
    kept: list = []

    def keep(tokens, front, issue) -> None:
        """Keep the page's compact skeleton for the read phase (see ``fastpath``)."""
        if job.prerender is not None and fast_front_matter(front.data):
            keep_lines = [entry.line - front.body_line for entry in issue.entries]
            packed = compact(tokens, keep_lines, **job.prerender)
            kept.append((digest, front.raw, front.body_line, packed))

    checked = check_page(
        text, str(path), job.topics, job.names, safe_mode=job.safe_mode, on_parsed=keep
    )
    # safe mode changes the text MyST reads: such a page is never pre-rendered
    skeleton = kept[0] if kept and not checked.findings else None
    return docname, stamp, digest, checked, skeleton


def _check_chunk(chunk: list[tuple[str, Path, tuple[int, int]]]) -> list[tuple]:
    assert _FORKED_JOB is not None
    if _FORKED_START is not None:
        # one chunk per process: without this, a process that started first could
        # take the next chunk too before the other had started (seen on a slow machine)
        # (a process that did not start in time breaks it: the others go on)
        with contextlib.suppress(threading.BrokenBarrierError):
            _FORKED_START.wait(timeout=_START_TIMEOUT)
    return [_check_one(_FORKED_JOB, *item) for item in chunk]


def _processes(app: Sphinx) -> int:
    """How many processes may check pages: ``-j N``'s, or in a serial build two where
    a second CPU is free, as for roundup-kb's other helpers.  Nothing else runs
    at ``builder-inited``; on full builds of the corpus its handlers took 0.70 to
    1.06 s instead of 1.23 to 2.33 s (``benchmarks/phase_timer.py``)."""
    return app.parallel if app.parallel > 1 else (2 if helpers_available() else 1)


def _check_all(job: _Job, todo: list, nproc: int) -> list[tuple]:
    """Check the pages of ``todo``; in ``nproc`` forked processes, if there are enough."""
    global _FORKED_JOB, _FORKED_START
    nproc = min(nproc, len(todo) // _MIN_PER_PROCESS)
    if nproc < 2 or not parallel_available:
        return [_check_one(job, *item) for item in todo]
    chunks = [todo[i::nproc] for i in range(nproc)]
    context = multiprocessing.get_context("fork")
    _FORKED_JOB, _FORKED_START = job, context.Barrier(nproc)
    try:
        with ProcessPoolExecutor(nproc, mp_context=context) as pool:
            return [result for done in pool.map(_check_chunk, chunks) for result in done]
    finally:
        _FORKED_JOB = _FORKED_START = None


#: the scan of each environment, for code that has the environment but not the app
_SCANS: WeakKeyDictionary = WeakKeyDictionary()


def get_scan(app: Sphinx) -> Scan | None:
    return getattr(app, "_roundup_scan", None)


def scan_of(env) -> Scan | None:
    """The scan of the build ``env`` belongs to (parsers are given the environment only)."""
    return _SCANS.get(env)


def on_builder_inited(app: Sphinx) -> None:
    app._roundup_scan = _SCANS[app.env] = scan(app)


def setup(app: Sphinx) -> None:
    # before sphinxcontrib-bibtex (priority 500) loads the bibliography we write
    app.connect("builder-inited", on_builder_inited, priority=400)
