"""Citations in the site: ``entries.bib``, cite panels, topic bibliographies, citation metadata.

- ``cited.bib`` (the issues and entries that some page cites, keyed by entry
  id) is written beside the doctrees at ``builder-inited``, after the pre-scan
  and before sphinxcontrib-bibtex loads ``bibtex_bibfiles`` (which this module
  extends with the file), so ``{cite:p}`rct94-...``` works from any page with a
  ``{bibliography}`` directive anywhere in the project.
- When the build ends (beside the page writers with ``-j N``: :mod:`.datafiles`)
  the HTML output gets one cite document per issue
  (``cite/94.json``: BibTeX, RIS, CSL-JSON and a formatted reference of the issue
  and each entry, fetched by the cite panel's script on demand), the whole
  knowledge base as ``entries.bib``, ``entries.ris`` and ``entries.csl.json``,
  and one ``.bib`` per topic (``cite/topics/SLUG.bib``).  Files are rewritten
  only when what they are made from changed (a manifest in the doctree
  directory records that).
- ``topic-bibliography SLUG`` renders a topic's references in the configured
  style (``roundup_cite_style``).
- Issue pages carry Highwire ``citation_*``, Dublin Core and OpenGraph meta tags
  and schema.org JSON-LD, so reference managers pick them up.
"""

from __future__ import annotations

import html
import json
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

from roundup_kb import cite
from roundup_kb.catalogue import Catalogue
from roundup_kb.cite.featured import issue_key, issue_url
from roundup_kb.cite.panel import PANEL_VERSION, issue_panel, panel_path
from roundup_kb.cite.reference import BUILTIN, citeproc_available
from roundup_kb.export import json_compact, json_list_text
from roundup_kb.files import KeptByPage, code_stamp, load_cache, save_cache, write_if_changed
from roundup_kb.model import Entry, IssueMeta
from roundup_kb.permalinks import entry_permalink, issue_docname
from roundup_kb.sphinxext import plugins
from roundup_kb.sphinxext.domain import get_domain, issue_docnames, listed
from roundup_kb.sphinxext.issues import (
    NOT_SEARCHED,
    RENDERED_WHEN_WRITTEN,
    add_placeholder_nodes,
    replace_placeholder,
    write_in_place,
    writer_host,
)
from roundup_kb.sphinxext.outputs import Manifest, digest, root_link, shown_key
from roundup_kb.sphinxext.prescan import get_scan
from roundup_kb.sphinxext.sources import source_files

logger = logging.getLogger(__name__)

BIB_NAME = "entries.bib"
CITED_NAME = "cited.bib"
#: the manifest's record of the whole-site citation files
WHOLE = "cite:whole"
#: manifest name: the issue pages and settings all the cite files were last made from
EVERYTHING = "cite:everything"
TOPIC_BIB_DIR = "cite/topics"


# -- settings ---------------------------------------------------------------------------


def site_url(app: Sphinx) -> str | None:
    """The knowledge base's own URL (``html_baseurl``), or None when it is not set."""
    return app.config.html_baseurl.rstrip("/") or None


def _settings(app: Sphinx) -> dict[str, Any]:
    return {
        "site_url": site_url(app),
        "editor": app.config.roundup_editor,
        "newsletter": app.config.roundup_newsletter or cite.NEWSLETTER,
        "issues_dir": app.config.roundup_issues_dir,
    }


# -- cited.bib, before sphinxcontrib-bibtex reads it -----------------------------------

#: A citation role in MyST (``{cite:p}`a,b```) or reStructuredText (``:cite:t:`a```);
#: group 1 is the keys.
_CITE_ROLE = re.compile(r"[{:](?:foot)?cite(?::\w+)?[}:]`([^`]*)`")
#: A ``bibliography`` directive option that can list entries nobody cites.
_LISTS_UNCITED = re.compile(r"^[ \t]*:(?:all|filter):", re.MULTILINE)


def bib_path(app: Sphinx) -> Path:
    """Where sphinxcontrib-bibtex reads the generated ``cited.bib``: beside the doctrees,
    which every builder of one project shares (a path per output directory would
    make the cite domain's pickled data disagree between builders)."""
    return Path(app.doctreedir) / CITED_NAME


def add_bibfile(app: Sphinx, config: Config) -> None:
    """Make sphinxcontrib-bibtex load the generated ``cited.bib``."""
    files = list(config.bibtex_bibfiles or [])
    path = str(bib_path(app))
    if path not in files:
        files.append(path)
    config.bibtex_bibfiles = files


def cited_in(text: str) -> frozenset[str] | None:
    """The keys named by citation roles in one source; None when a ``bibliography``
    directive in it has ``:all:`` or ``:filter:`` (see :func:`cited_keys`)."""
    if "bibliography" in text and _LISTS_UNCITED.search(text):
        return None
    keys: set[str] = set()
    if "cite" in text:
        for found in _CITE_ROLE.findall(text):
            keys.update(key.strip() for key in found.split(","))
    return frozenset(keys)


def cited_keys(texts: Iterable[str]) -> set[str] | None:
    """Every key named by a citation role in ``texts``; None when some ``bibliography``
    directive has ``:all:`` or ``:filter:`` and so may list entries that nobody cites."""
    return _union(cited_in(text) for text in texts)


def _union(found: Iterable[frozenset[str] | None]) -> set[str] | None:
    keys: set[str] = set()
    for one in found:
        if one is None:
            return None
        keys |= one
    return keys


#: what each source file cites, by file stamp, beside the doctrees
CITED_CACHE = "roundup-cited.pickle"
#: bump when what :data:`CITED_CACHE` holds changes
CITED_VERSION = 1


def _cited_by_sources(app: Sphinx) -> set[str] | None:
    """:func:`cited_keys` of every source the build will read; a file is read again
    only when it changed (reading 2,000 pages on every build cost a second)."""
    cache_path = Path(app.doctreedir) / CITED_CACHE
    cached: dict[str, tuple[tuple[int, int], frozenset[str] | None]]
    cached = load_cache(cache_path, CITED_VERSION) or {}
    fresh = {}
    for docname, path in source_files(app).items():
        stat = os.stat(path)
        stamp = (stat.st_mtime_ns, stat.st_size)
        hit = cached.get(docname)
        if hit is not None and hit[0] == stamp:
            fresh[docname] = hit
        else:
            text = Path(path).read_text(encoding="utf-8", errors="replace")
            fresh[docname] = (stamp, cited_in(text))
    if fresh != cached:
        save_cache(cache_path, CITED_VERSION, fresh)
    return _union(found for _, found in fresh.values())


def write_bibfile(app: Sphinx) -> None:
    """Write ``cited.bib`` (the issues and entries that pages cite) from the pre-scanned
    pages, only when it would change.

    sphinxcontrib-bibtex parses every record of its files into the environment,
    and makes a citation node per record for each ``{bibliography}``; with
    every entry of the knowledge base that was a third of a full build's extra
    time and most of what ``-j N`` readers send back.  So it is given only the
    records some page cites (everything when a bibliography uses ``:all:`` or
    ``:filter:``); the whole ``entries.bib`` is written to the HTML output at
    the end of the build.
    """
    scan = get_scan(app)
    if scan is None:
        return
    cited = _cited_by_sources(app)
    settings = _settings(app)
    newsletter = settings["newsletter"]
    digests = scan.pages.digests()
    if cited is None:  # everything
        docs = sorted(digests)
    else:  # only the pages that hold a cited entry or are a cited issue
        numbers = {n for n in scan.pages.numbers() if issue_key(n, newsletter) in cited}
        docs = scan.pages.citing(cited, numbers)
    key = digest(
        PANEL_VERSION,
        settings,
        [(doc, digests[doc]) for doc in docs],
        None if cited is None else sorted(cited),
    )
    manifest = Manifest(app)
    path = bib_path(app)
    if manifest.fresh(CITED_NAME, key, path):
        return
    if cited is None:
        metas = {c.issue.meta.number: c.issue.meta for _, c in scan.pages.values() if c.issue}
        entries = list(scan.catalogue(app).entries.values())
    else:  # a few records: no need to build the catalogue or unpickle every page's check
        issues = sorted(
            (c.issue for c in (scan.pages[doc][1] for doc in docs) if c.issue),
            key=lambda issue: (issue.meta.number, issue.path),
        )
        found = {e.id: e for issue in reversed(issues) for e in issue.entries if e.id in cited}
        entries = list(found.values())  # the first issue's entry wins, as in the catalogue
        metas = {
            issue.meta.number: issue.meta
            for issue in issues
            if issue_key(issue.meta.number, newsletter) in cited
        }
    write_if_changed(path, cite.bibliography(entries, metas, **settings))
    manifest.record(CITED_NAME, key)
    manifest.save()


# -- files for the cite panels and downloads ---------------------------------------------


def write_cite_files(app: Sphinx, exception: Exception | None) -> None:
    """Per-issue cite documents, RIS and CSL-JSON of everything, one ``.bib`` per topic."""
    if exception is not None or app.builder.format != "html":
        return
    dom = get_domain(app.env)
    settings = _settings(app)
    style = app.config.roundup_cite_style
    outdir = Path(app.outdir)
    manifest = Manifest(app)
    metas = {meta.number: meta for meta in dom.issues.values()}
    # nothing citations show (nor the registries) changed since these files were made:
    # nothing to do, without looking at any issue's entries
    everything = shown_key(app, PANEL_VERSION, CHUNKS_VERSION, style, settings, summaries=False)
    # the whole-site files: "KEY NAME NAME ..." of the last time they were made
    made = (manifest.get(WHOLE) or "").split()
    files = [outdir / panel_path(number) for number in metas] + [outdir / n for n in made[1:]]
    if made and manifest.fresh(EVERYTHING, everything, *files):
        return
    keys = {}
    shown = dom.data["shown"]
    for doc, meta in sorted(dom.issues.items()):
        # what citations show, the front matter and the entries' listed fields and
        # lines (shown_digests): an edit to commentary alone rewrites nothing here
        key = keys[meta.number] = digest(PANEL_VERSION, style, settings, shown[doc][0])
        name = panel_path(meta.number)
        if manifest.fresh(name, key, outdir / name):
            continue
        panel = issue_panel(meta, dom.entries.get(doc, ()), style=style, **settings)
        text = json.dumps(panel, ensure_ascii=False, separators=(",", ":"))
        write_if_changed(outdir / name, text)
        manifest.record(name, key)
    stale = [p for p in (outdir / "cite").glob("*.json") if p.stem.isdigit()]
    for path in stale:
        if int(path.stem) not in metas:
            path.unlink()
    scan = get_scan(app)  # its settings cover the registries (a new topic, a new .bib)
    registry = scan.settings if scan is not None else None
    whole = digest(PANEL_VERSION, settings, sorted(keys.items()), registry)
    # a build where no citation changed does not build the catalogue
    if made and made[0] == whole and all((outdir / name).exists() for name in made[1:]):
        manifest.record(EVERYTHING, everything)
        manifest.save()
        return
    texts = whole_site_texts(app, dom.catalogue(), metas, settings)
    for name, text in texts.items():
        write_if_changed(outdir / name, text)
    manifest.record(WHOLE, " ".join([whole, *texts]))
    manifest.record(EVERYTHING, everything)
    manifest.save()


#: the per-issue pieces of the whole-site citation files, in the doctree directory
CHUNKS_NAME = "roundup-cite-chunks.pickle"
#: bump when what a chunk holds, or how the files are made of chunks, changes
CHUNKS_VERSION = 1


@dataclass(frozen=True)
class _Chunk:
    """One issue's part of each whole-site citation file."""

    bib: str
    ris: str
    #: the CSL-JSON items, each as :func:`~roundup_kb.export.json_compact` text
    csl: tuple[str, ...]
    #: topic slug -> the issue's part of that topic's ``.bib``
    topics: dict[str, str]


def _issue_chunk(
    number: int, entries: list[Entry], meta: IssueMeta | None, settings: dict[str, Any]
) -> _Chunk:
    one = {number: meta} if meta is not None else {}
    slugs = sorted({e.topic for e in entries if e.topic})
    return _Chunk(
        bib=cite.bibliography(entries, one, **settings),
        ris=cite.ris_file(entries, one, **settings),
        csl=tuple(json_compact(item) for item in cite.csl_items(entries, one, **settings)),
        topics={
            slug: cite.bibliography([e for e in entries if e.topic == slug], (), **settings)
            for slug in slugs
        },
    )


def whole_site_texts(
    app: Sphinx, catalogue: Catalogue, metas: dict[int, IssueMeta], settings: dict[str, Any]
) -> dict[str, str]:
    """``entries.bib``, ``entries.ris``, ``entries.csl.json`` and each topic's ``.bib``.

    Each file lists issue after issue, so it is made of per-issue chunks; the
    chunks of the last build are kept (keyed by what citations show of the
    issue's entries), and adding or editing one issue makes one chunk, not the
    records of every entry of the site again.  The text is the same as the core's
    :func:`~roundup_kb.cite.bibliography` and friends make of all the entries.
    """
    by_issue: dict[int, list[Entry]] = {}
    for entry in catalogue.entries.values():
        by_issue.setdefault(entry.issue, []).append(entry)
    path = Path(app.doctreedir) / CHUNKS_NAME
    cached = load_cache(path, CHUNKS_VERSION) or {}
    chunks: dict[int, tuple[str, _Chunk]] = {}
    for number in sorted(set(metas) | set(by_issue)):
        entries = by_issue.get(number, [])
        meta = metas.get(number)
        key = digest(settings, meta, sorted((e.line, e.id, listed(e)) for e in entries))
        hit = cached.get(number)
        chunk = hit[1] if hit is not None and hit[0] == key else None
        chunks[number] = (key, chunk or _issue_chunk(number, entries, meta, settings))
    if chunks != cached:
        save_cache(path, CHUNKS_VERSION, chunks)
    parts = [chunk for _, chunk in chunks.values()]
    texts = {
        BIB_NAME: "\n".join(c.bib for c in parts),
        "entries.ris": "\n".join(c.ris for c in parts),
        "entries.csl.json": json_list_text([item for c in parts for item in c.csl]),
    }
    for slug in catalogue.by_topic:
        texts[f"{TOPIC_BIB_DIR}/{slug}.bib"] = "\n".join(
            c.topics[slug] for c in parts if slug in c.topics
        )
    return texts


# -- topic bibliographies -----------------------------------------------------------------


class topic_bibliography(nodes.General, nodes.Element):
    """Placeholder: a topic's references, filled when the doctree is resolved."""


class TopicBibliographyDirective(SphinxDirective):
    """``topic-bibliography SLUG``: every entry of the topic as a formatted reference."""

    required_arguments = 1

    def run(self) -> list[nodes.Node]:
        slug = self.arguments[0]
        get_domain(self.env).note_aggregate(self.env.docname, f"topic:{slug}")
        node = topic_bibliography(topic=slug, classes=["roundup-bibliography"])
        self.set_source_info(node)
        return [node]


#: formatted references of the last build, by issue page, in the doctree directory
REFERENCES_NAME = "roundup-references.pickle"
#: bump when a formatted reference changes in a way the modules' times do not tell
REFERENCES_VERSION = 1
#: the modules that format a reference: a change to one of them formats every one again
REFERENCE_MODULES = tuple(
    f"roundup_kb.cite.{name}" for name in ("reference", "csl", "featured", "persons")
)


class References(KeptByPage[str, tuple[str, str]]):
    """Each entry's formatted reference (text, HTML), kept from build to build.

    A topic's bibliography formats every entry of the topic, and an addition
    rewrites the page of every topic the new issue touches: with a CSL style
    (8.6 ms an entry with citeproc-py and ``harvard1``, for the text and the
    HTML) that was seconds of references that had not changed.  The references
    are kept by issue page, under the digest of what they are made from (the
    page's front matter and its entries' listed fields,
    :func:`~roundup_kb.sphinxext.domain.shown_digests`); the file's stamp holds
    the style, the settings and the modification times of the modules that
    format references (:data:`REFERENCE_MODULES`).  Made when a page first
    needs it (before ``-j N`` forks the writers: :func:`references`), saved at
    ``build-finished`` by the process that made it when it formatted anything
    (:class:`~roundup_kb.files.KeptByPage`).
    """

    def __init__(self, app: Sphinx) -> None:
        self.style = app.config.roundup_cite_style
        settings = _settings(app)
        del settings["editor"]  # references cite the entry, not the issue's editor
        self.settings = settings
        stamp = (
            REFERENCES_VERSION,
            code_stamp(REFERENCE_MODULES),
            _style_stamp(self.style),
            self.style == BUILTIN or citeproc_available(),
            sorted(settings.items()),
        )
        super().__init__(Path(app.builder.doctreedir) / REFERENCES_NAME, stamp)

    def reference(
        self, doc: str, made_from: str | None, entry: Entry, meta: IssueMeta | None
    ) -> tuple[str, str]:
        """``entry``'s reference as text and as HTML; ``made_from``: the digest of
        page ``doc`` (None: not kept)."""
        page = self.of_page(doc, made_from)
        found = page.get(entry.id)
        if found is None:
            found = page[entry.id] = cite.formatted_references(
                entry, meta, self.style, **self.settings
            )
            self.made += 1
        return found


def _style_stamp(style: str) -> Any:
    """A style name, or a ``.csl`` file's path with its modification time and size."""
    try:
        stat = os.stat(style)
    except (OSError, ValueError):
        return style
    return (style, stat.st_mtime_ns, stat.st_size)


def references(app: Sphinx) -> References:
    """This build's :class:`References`, made when first asked for (kept on the
    builder: a page's writer has an ``app``-like object of its own, see
    :func:`~roundup_kb.sphinxext.issues.writer_host`)."""
    found = getattr(app.builder, "_roundup_references", None)
    if found is None:
        found = app.builder._roundup_references = References(app)
    return found


def _before_writers(app: Sphinx, builder: Any) -> None:
    """Load the kept references before ``-j N`` forks the writers, so they share them."""
    if builder.name in RENDERED_WHEN_WRITTEN and getattr(builder, "parallel_ok", False):
        references(app)


def save_references(app: Sphinx, exception: Exception | None) -> None:
    found = getattr(app.builder, "_roundup_references", None)
    if found is not None and exception is None:
        found.save(get_domain(app.env).issues)


def render_bibliography(app: Sphinx, docname: str, slug: str) -> list[nodes.Node]:
    dom = get_domain(app.env)
    entries: Iterable[Entry] = dom.catalogue().by_topic.get(slug, ())
    metas = {meta.number: meta for meta in dom.issues.values()}
    style = app.config.roundup_cite_style
    kept = references(app)
    shown = dom.data["shown"]
    issues_dir = app.config.roundup_issues_dir
    refs = []
    for entry in entries:
        doc = issue_docname(entry.issue, issues_dir)
        made_from = shown[doc][2] if doc in shown else None
        text, markup = kept.reference(doc, made_from, entry, metas.get(entry.issue))
        # by reference, then id: a link featured twice under one topic of one issue
        # has the same reference twice (entries do not compare)
        refs.append((text, markup, entry.id, entry))
    refs.sort()
    intro = nodes.paragraph(classes=["roundup-count"])
    style_name = "the built-in (APA-like)" if style == BUILTIN else f"the {style}"
    intro += nodes.Text(f"{len(refs)} references in {style_name} style. Download: ")
    bib = f"{TOPIC_BIB_DIR}/{slug}.bib"
    intro += nodes.reference("", f"{slug}.bib", refuri=root_link(app, docname, bib))
    intro += nodes.Text(" (this topic), ")
    intro += nodes.reference("", BIB_NAME, refuri=root_link(app, docname, BIB_NAME))
    intro += nodes.Text(" (everything, BibTeX), ")
    intro += nodes.reference("", "entries.ris", refuri=root_link(app, docname, "entries.ris"))
    intro += nodes.Text(", ")
    intro += nodes.reference(
        "", "entries.csl.json", refuri=root_link(app, docname, "entries.csl.json")
    )
    intro += nodes.Text(".")
    # HTML only (the site is the product), as one string: a topic can hold hundreds
    # of references, and docutils nodes for each cost more than the text itself
    items = "".join(
        f'<li id="{html.escape(f"ref-{entry.id}")}"><p>{markup}</p></li>\n'
        for _, markup, _, entry in refs
    )
    listing = nodes.raw(
        "", f'<ul class="roundup-references simple">\n{items}</ul>\n', format="html"
    )
    return [intro, listing]


def resolve_bibliographies(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """Fill topic bibliographies; HTML builders write them as the page is written."""
    later = app.builder.name in RENDERED_WHEN_WRITTEN
    for node in list(doctree.findall(topic_bibliography)):
        node["classes"].append(NOT_SEARCHED)  # the topic's entries again, as references
        if not later:
            replace_placeholder(node, render_bibliography(app, docname, node["topic"]))


def _write_bibliography(self: Any, node: topic_bibliography) -> None:
    host, docname = writer_host(self)
    write_in_place(self, node, render_bibliography(host, docname, node["topic"]))  # type: ignore[arg-type]


# -- metadata for reference managers and link previews ------------------------------------


def _meta(attr: str, name: str, content: str) -> str:
    return f'<meta {attr}="{html.escape(name)}" content="{html.escape(content)}" />'


def _json_ld(data: dict[str, Any]) -> str:
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    # a JSON string may not end the script element early
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return f'<script type="application/ld+json">{text}</script>'


def _absolute(app: Sphinx, path: str) -> str:
    base = site_url(app)
    return f"{base}/{path}" if base else path


def issue_metadata(app: Sphinx, docname: str, meta: IssueMeta, entries: tuple[Entry, ...]) -> str:
    """Highwire, Dublin Core and OpenGraph tags and JSON-LD for one issue page."""
    settings = _settings(app)
    newsletter = settings["newsletter"]
    editor = settings["editor"]
    title = cite.issue_title(meta, newsletter)
    url = issue_url(meta.number, site_url(app), settings["issues_dir"])
    language = app.config.language or "en"
    description = meta.subtitle or f"{len(entries)} links with commentary"
    date = meta.date.isoformat()
    tags = [
        ("name", "citation_title", title),
        ("name", "citation_author", editor),
        ("name", "citation_publication_date", meta.date.strftime("%Y/%m/%d")),
        ("name", "citation_date", meta.date.strftime("%Y/%m/%d")),
        ("name", "citation_journal_title", newsletter),
        ("name", "citation_issue", str(meta.number)),
        ("name", "citation_publisher", newsletter),
        ("name", "citation_language", language),
        ("name", "citation_public_url", url),
        ("name", "DC.title", title),
        ("name", "DC.creator", editor),
        ("name", "DC.date", date),
        ("name", "DC.publisher", newsletter),
        ("name", "DC.type", "Text"),
        ("name", "DC.format", "text/html"),
        ("name", "DC.language", language),
        ("name", "DC.identifier", url),
        ("name", "DC.relation.ispartof", newsletter),
        ("name", "description", description),
        ("property", "og:type", "article"),
        ("property", "og:title", title),
        ("property", "og:description", description),
        ("property", "og:url", url),
        ("property", "og:site_name", app.config.project),
        ("property", "article:published_time", date),
        ("property", "article:author", editor),
    ]
    if not site_url(app):
        # only absolute URLs mean anything to a reference manager or a link preview
        unlinked = {"citation_public_url", "DC.identifier", "og:url"}
        tags = [t for t in tags if t[1] not in unlinked]
    tags = [t for t in tags if t[2]]
    items = []
    for position, entry in enumerate(sorted(entries, key=lambda e: e.line), start=1):
        work: dict[str, Any] = {"@type": "CreativeWork", "name": entry.title, "url": entry.url}
        if entry.authors:
            work["author"] = [{"@type": "Person", "name": a} for a in entry.authors]
        if entry.venue:
            work["publisher"] = {"@type": "Organization", "name": entry.venue}
        permalink = _absolute(app, entry_permalink(entry.issue, entry.id, settings["issues_dir"]))
        item = {"@type": "ListItem", "position": position, "item": work}
        if site_url(app):
            item["url"] = permalink
        items.append(item)
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "PublicationIssue",
        "issueNumber": str(meta.number),
        "name": title,
        "datePublished": date,
        "inLanguage": language,
        "isPartOf": {"@type": "Periodical", "name": newsletter},
        "hasPart": {"@type": "ItemList", "numberOfItems": len(items), "itemListElement": items},
    }
    if site_url(app):
        data["url"] = url
    if editor:
        data["editor"] = {"@type": "Person", "name": editor}
    if meta.subtitle:
        data["alternativeHeadline"] = meta.subtitle
    return "\n".join([*(_meta(*tag) for tag in tags), _json_ld(data)])


def page_metadata(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    if app.builder.format != "html":
        return
    dom = get_domain(app.env)
    meta = dom.issues.get(pagename) if issue_docnames(app.env, [pagename]) else None
    if meta is not None:
        extra = issue_metadata(app, pagename, meta, dom.entries.get(pagename, ()))
    else:
        title = html.unescape(_strip_tags(str(context.get("title", ""))))
        tags = [
            _meta("property", "og:type", "website"),
            _meta("property", "og:title", title or app.config.project),
            _meta("property", "og:site_name", app.config.project),
        ]
        if site_url(app):
            page_url = _absolute(app, app.builder.get_target_uri(pagename))
            tags.append(_meta("property", "og:url", page_url))
        extra = "\n".join(tags)
    context["metatags"] = context.get("metatags", "") + "\n" + extra


def _strip_tags(text: str) -> str:
    return _TAG.sub("", text)


_TAG = re.compile(r"<[^>]*>")


# -- setup --------------------------------------------------------------------------------------


def setup(app: Sphinx) -> None:
    # pybtex's first: importing sphinxcontrib-bibtex looks plugins up
    plugins.share_one_scan("pybtex.plugin")
    app.setup_extension("sphinxcontrib.bibtex")
    plugins.share_one_scan("sphinxcontrib.bibtex.plugin")
    app.add_config_value("roundup_cite_style", BUILTIN, "html", types=[str])
    app.add_config_value("roundup_editor", cite.EDITOR, "html", types=[str])
    add_placeholder_nodes(app, topic_bibliography)
    app.add_node(topic_bibliography, override=True, html=(_write_bibliography, None))
    app.add_directive("topic-bibliography", TopicBibliographyDirective)
    app.connect("config-inited", add_bibfile)
    # after the pre-scan (400), before sphinxcontrib-bibtex loads its files (500)
    app.connect("builder-inited", write_bibfile, priority=450)
    app.connect("doctree-resolved", resolve_bibliographies)
    app.connect("html-page-context", page_metadata)
    app.connect("write-started", _before_writers)
    app.connect("build-finished", save_references)
    app.add_js_file("roundup-cite.js", loading_method="defer")
