"""Link checking for thousands of links: a result cache, a per-host limit and a report.

``sphinx-build -b linkcheck`` runs :class:`CachedLinkCheckBuilder`, which replaces
Sphinx's builder of that name.  It

* reuses fresh results from the cache file (:mod:`roundup_kb.linkcache`) instead of
  requesting those URLs again; they are still reported in ``output.txt`` and
  ``output.json`` (with ``"cached": true``) and still fail the build when broken;
* sends at most ``roundup_linkcheck_per_host`` requests to one host at a time, and
  queues links round-robin by host so that workers waiting for a busy host are few;
* writes ``broken-links.md`` and ``broken-links.json`` (:mod:`roundup_kb.linkreport`):
  every use of a failing URL, by issue and entry, with an Internet Archive address.

With ``roundup_mark_dead_links = True`` the HTML build reads the same cache and marks
entry links whose last check found them broken (class ``roundup-dead-link``, a
title, and an "archived copy" link after them).

Timeouts, retries and 429 back-off (``Retry-After``, ``linkcheck_rate_limit_timeout``)
are Sphinx's own and are configured in ``conf.py``.
"""

from __future__ import annotations

import datetime as dt
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.builders.linkcheck import (
    CheckExternalLinksBuilder,
    CheckRequest,
    CheckResult,
    Hyperlink,
    HyperlinkAvailabilityChecker,
    HyperlinkAvailabilityCheckWorker,
)
from sphinx.environment import BuildEnvironment
from sphinx.util import logging

from roundup_kb.linkcache import DEFAULT_PATH, DEFAULT_TTL_DAYS, LinkCache, LinkResult, http_status
from roundup_kb.linkreport import Checked, Place, archive_url, build_report, write_report
from roundup_kb.sphinxext.domain import get_domain

logger = logging.getLogger(__name__)

#: seconds between saves of the cache during a run
SAVE_EVERY = 60.0
#: whether this Sphinx's worker has the per-request hook the per-host limit wraps
PER_HOST_SUPPORTED = callable(getattr(HyperlinkAvailabilityCheckWorker, "_check_uri", None))


def _is_http(uri: str) -> bool:
    return uri.startswith(("http://", "https://"))


def _host(uri: str) -> str:
    return urlsplit(uri).netloc.lower()


class HostSlots:
    """At most ``limit`` holders per host at a time (no limit when ``limit`` < 1)."""

    def __init__(self, limit: int):
        self.limit = limit
        self._lock = threading.Lock()
        self._slots: dict[str, threading.BoundedSemaphore] = {}

    @contextmanager
    def hold(self, uri: str) -> Iterator[None]:
        if self.limit < 1:
            yield
            return
        host = _host(uri)
        with self._lock:
            slot = self._slots.setdefault(host, threading.BoundedSemaphore(self.limit))
        with slot:
            yield


class PerHostWorker(HyperlinkAvailabilityCheckWorker):
    """Sphinx's worker thread, holding a host slot for each request (with its retries)."""

    def __init__(self, *args: Any, slots: HostSlots, **kwargs: Any):
        self.slots = slots
        super().__init__(*args, **kwargs)

    def _check_uri(self, uri: str, hyperlink: Hyperlink) -> Any:
        with self.slots.hold(uri):
            return super()._check_uri(uri, hyperlink)


class PerHostChecker(HyperlinkAvailabilityChecker):
    """Sphinx's checker with :class:`PerHostWorker` threads and a host-interleaved queue."""

    def __init__(self, config: Any, per_host: int):
        super().__init__(config)
        self.slots = HostSlots(per_host if PER_HOST_SUPPORTED else 0)

    def invoke_threads(self) -> None:
        for _ in range(self.num_workers):
            worker = PerHostWorker(
                self.config, self.rqueue, self.wqueue, self.rate_limits, slots=self.slots
            )
            worker.start()
            self.workers.append(worker)

    def check(self, hyperlinks: dict[str, Hyperlink]) -> Iterator[CheckResult]:
        """As Sphinx's, but the n-th link of each host is queued with priority n.

        Sphinx queues every link with priority 0, so the queue hands them out
        sorted by URL and one host's links come in a row; with a per-host limit,
        most workers would then wait on that host.  Priorities n·10⁻³ (seconds
        since 1970, so always due) hand out one link of each host in turn.
        """
        self.invoke_threads()
        queued = 0
        rank: dict[str, int] = {}
        for hyperlink in hyperlinks.values():
            if self.is_ignored_uri(hyperlink.uri):
                yield CheckResult(
                    hyperlink.uri, hyperlink.docname, hyperlink.lineno, "ignored", "", 0
                )
                continue
            host = _host(hyperlink.uri)
            rank[host] = rank.get(host, -1) + 1
            self.wqueue.put(CheckRequest(rank[host] * 1e-3, hyperlink), False)
            queued += 1
        for _ in range(queued):
            yield self.rqueue.get()
        self.shutdown_threads()


def cache_path(app: Sphinx) -> Path | None:
    """The cache file (relative paths are relative to ``conf.py``), or None when disabled."""
    setting = app.config.roundup_linkcheck_cache
    if not setting:
        return None
    path = Path(setting)
    return path if path.is_absolute() else Path(app.confdir) / path


def load_cache(app: Sphinx) -> LinkCache | None:
    path = cache_path(app)
    if path is None:
        return None
    cache = LinkCache.load(path, app.config.roundup_linkcheck_ttl_days)
    if cache.problem is not None:
        logger.warning(
            f"{cache.problem.message} ({cache.problem.hint})",
            type="roundup",
            subtype=cache.problem.code,
            # "file:line": Sphinx would take a location without ":" for a docname
            location=f"{path}:{cache.problem.line or 1}",
        )
    return cache


class CachedLinkCheckBuilder(CheckExternalLinksBuilder):
    """Sphinx's linkcheck builder with the result cache, per-host limit and report."""

    name = "linkcheck"

    def init(self) -> None:
        super().init()
        self.from_cache: set[str] = set()
        if not PER_HOST_SUPPORTED and self.config.roundup_linkcheck_per_host > 0:
            logger.warning(
                "this Sphinx's linkcheck has no per-request hook: "
                "roundup_linkcheck_per_host is not applied",
                type="roundup",
                subtype="linkcheck",
            )

    def finish(self) -> None:
        config = self.config
        app = getattr(self, "_app", None) or self.app  # ``app`` in older Sphinx
        cache = load_cache(app)
        checker = PerHostChecker(config, config.roundup_linkcheck_per_host)
        anchors = bool(config.linkcheck_anchors)
        excluded = [re.compile(p) for p in config.linkcheck_exclude_documents]
        now = time.time()
        reused: dict[str, LinkResult] = {}
        to_check: dict[str, Hyperlink] = {}
        for uri, link in self.hyperlinks.items():
            hit = None
            if (
                cache is not None
                and _is_http(uri)
                and not checker.is_ignored_uri(uri)
                and not any(p.match(link.docname) for p in excluded)
            ):
                hit = cache.fresh(uri, now, anchors=anchors)
            if hit is None:
                to_check[uri] = link
            else:
                reused[uri] = hit
        self.from_cache = set(reused)

        results: list[Checked] = []
        logger.info("")
        last_save = time.monotonic()
        try:
            with (
                open(self.outdir / "output.txt", "w", encoding="utf-8") as self.txt_outfile,
                open(self.outdir / "output.json", "w", encoding="utf-8") as self.json_outfile,
            ):
                for uri, hit in reused.items():
                    link = self.hyperlinks[uri]
                    self.process_result(
                        CheckResult(uri, link.docname, link.lineno, hit.status, hit.info, hit.code)
                    )
                    results.append(Checked(uri, hit.status, hit.code, hit.info, cached=True))
                for result in checker.check(to_check):
                    self.process_result(result)
                    status = str(result.status)
                    results.append(Checked(result.uri, status, result.code, result.message))
                    if cache is not None and _is_http(result.uri):
                        cache.record(
                            result.uri, status, result.code, result.message, anchors=anchors
                        )
                        # a long run that is killed keeps most of what it learnt
                        if time.monotonic() - last_save > SAVE_EVERY:
                            cache.save()
                            last_save = time.monotonic()
        finally:
            # also when interrupted: the results so far are not lost
            if cache is not None:
                cache.prune(set(self.hyperlinks))
                cache.save()
        if cache is not None:
            requested = sum(
                1
                for r in results
                if not r.cached and _is_http(r.uri) and r.status not in ("ignored", "unchecked")
            )
            logger.info(
                f"link cache: {len(reused)} fresh results reused, {requested} URLs requested;"
                f" saved {cache.path}"
            )
        report = build_report(results, places(self.env, self.hyperlinks))
        _, md_path = write_report(Path(self.outdir), report)
        logger.info(f"broken-links report: {md_path}")
        if self.broken_hyperlinks or self.timed_out_hyperlinks:
            app.statuscode = 1

    def write_linkstat(self, data: dict) -> None:
        if data.get("uri") in self.from_cache:
            data = {**data, "cached": True}
        super().write_linkstat(data)


def places(env: BuildEnvironment, hyperlinks: dict[str, Hyperlink]) -> dict[str, list[Place]]:
    """Every entry and mention of every URL in the issues; else where linkcheck found it."""
    dom = get_domain(env)
    found: dict[str, list[Place]] = {}
    for doc, meta in dom.issues.items():
        path = str(env.doc2path(doc, False))
        entries = dom.entries.get(doc, ())
        titles = {e.id: e.title for e in entries}
        for e in entries:
            found.setdefault(e.url, []).append(
                Place(doc, path, e.line, meta.number, meta.title, meta.date, e.id, e.title)
            )
        for m in dom.mentions.get(doc, ()):
            found.setdefault(m.url, []).append(
                Place(
                    doc,
                    path,
                    m.line,
                    meta.number,
                    meta.title,
                    meta.date,
                    m.entry,
                    titles.get(m.entry) if m.entry else None,
                )
            )
    for uri, link in hyperlinks.items():
        if uri not in found:
            meta = dom.issues.get(link.docname)
            found[uri] = [
                Place(
                    link.docname,
                    str(env.doc2path(link.docname, False)),
                    link.lineno,
                    meta.number if meta else None,
                    meta.title if meta else None,
                    meta.date if meta else None,
                )
            ]
    return found


# -- dead-link marks in the HTML ---------------------------------------------------


def _dead_links(app: Sphinx) -> dict[str, LinkResult]:
    """URIs cached as broken, read once per build."""
    found = getattr(app.builder, "_roundup_dead_links", None)
    if found is None:
        cache = load_cache(app)
        found = cache.broken() if cache is not None else {}
        app.builder._roundup_dead_links = found
    return found


def _marking(app: Sphinx) -> bool:
    return bool(app.config.roundup_mark_dead_links) and app.builder.format == "html"


def _dead_marks(app: Sphinx, env: BuildEnvironment) -> dict[str, tuple]:
    dead = _dead_links(app)
    marks = {}
    for doc, entries in get_domain(env).entries.items():
        urls = sorted({e.url for e in entries} & dead.keys())
        if urls:
            marks[doc] = tuple((u, dead[u].info, dead[u].checked) for u in urls)
    return marks


def pages_with_changed_marks(app: Sphinx, env: BuildEnvironment) -> list[str]:
    """``env-get-updated``: rewrite pages whose dead links changed since the last build."""
    if app.builder.format != "html":
        return []
    marks = _dead_marks(app, env) if _marking(app) else {}
    old = getattr(env, "roundup_dead_marks", {})
    env.roundup_dead_marks = marks
    changed = {doc for doc in marks.keys() | old.keys() if marks.get(doc) != old.get(doc)}
    return sorted(changed & env.found_docs)


def mark_dead_links(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """``doctree-resolved``: mark links of the page's entries cached as broken."""
    if not _marking(app):
        return
    dead = _dead_links(app)
    dom = get_domain(app.env)
    urls = {e.url for e in dom.entries.get(docname, ())} & dead.keys()
    if not urls:
        return
    meta = dom.issues.get(docname)
    for ref in list(doctree.findall(nodes.reference)):
        uri = ref.get("refuri")
        if uri not in urls or "roundup-dead-link" in ref["classes"]:
            continue
        result = dead[uri]
        code = http_status(result.info)
        why = f"HTTP {code}" if code else result.info
        when = dt.datetime.fromtimestamp(result.checked, dt.UTC).date().isoformat()
        ref["classes"].append("roundup-dead-link")
        ref["reftitle"] = f"Broken link (checked {when}: {why})"
        archive = nodes.reference(
            "",
            "archived copy",
            refuri=archive_url(uri, meta.date if meta else None),
            classes=["roundup-archive-link"],
        )
        note = nodes.inline("", "", classes=["roundup-dead-note"])
        note += [nodes.Text(" ("), archive, nodes.Text(")")]
        # after the link, outside any bold or italic around it
        after = ref
        while isinstance(after.parent, (nodes.strong, nodes.emphasis)):
            after = after.parent
        after.parent.insert(after.parent.index(after) + 1, note)


def setup(app: Sphinx) -> None:
    app.add_config_value("roundup_linkcheck_cache", DEFAULT_PATH, "", types=[str])
    app.add_config_value("roundup_linkcheck_ttl_days", DEFAULT_TTL_DAYS, "", types=[int, float])
    app.add_config_value("roundup_linkcheck_per_host", 2, "", types=[int])
    app.add_config_value("roundup_mark_dead_links", False, "html", types=[bool])
    app.add_builder(CachedLinkCheckBuilder, override=True)
    app.connect("env-get-updated", pages_with_changed_marks)
    app.connect("doctree-resolved", mark_dead_links)
